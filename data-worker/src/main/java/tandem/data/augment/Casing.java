package tandem.data.augment;

import java.util.Locale;

/** Case patterns of words: lower, Capitalized, UPPER. Locale-independent (root locale). */
final class Casing {
    private Casing() {}

    enum Pattern { LOWER, CAPITALIZED, UPPER, MIXED }

    static Pattern of(String word) {
        int upper = 0;
        int lower = 0;
        boolean firstUpper = false;
        boolean seenCased = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            boolean u = Character.isUpperCase(cp) || Character.isTitleCase(cp);
            boolean l = Character.isLowerCase(cp);
            if (!seenCased && (u || l)) {
                firstUpper = u;
                seenCased = true;
            }
            if (u) {
                upper++;
            } else if (l) {
                lower++;
            }
            i += Character.charCount(cp);
        }
        if (upper == 0) {
            return Pattern.LOWER;
        }
        if (firstUpper && upper == 1) {
            return Pattern.CAPITALIZED;
        }
        if (lower == 0) {
            return Pattern.UPPER;
        }
        return Pattern.MIXED;
    }

    static String apply(Pattern p, String word) {
        return switch (p) {
            case LOWER, MIXED -> word.toLowerCase(Locale.ROOT);
            case UPPER -> word.toUpperCase(Locale.ROOT);
            case CAPITALIZED -> capitalize(word);
        };
    }

    /** {@code replacement} in the case pattern of {@code original} (lower when the original's is mixed). */
    static String like(String original, String replacement) {
        return apply(of(original), replacement);
    }

    /** First code point in title case (a one-to-one mapping), the rest in lower case. */
    static String capitalize(String word) {
        if (word.isEmpty()) {
            return word;
        }
        int first = word.codePointAt(0);
        int n = Character.charCount(first);
        return new StringBuilder(word.length())
                .appendCodePoint(Character.toTitleCase(first))
                .append(word.substring(n).toLowerCase(Locale.ROOT))
                .toString();
    }
}
