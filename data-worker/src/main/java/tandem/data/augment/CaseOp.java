package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Case change: with probability {@code rate} per word, rewrites the word in another of the patterns lower,
 * Capitalized and UPPER (picked at random among those that change it; words without case, such as CJK, stay).
 * Locale-independent. Bound: {@code 3 * inputLength} (Unicode case mappings expand a char to at most three,
 * e.g. U+0390 in upper case).
 */
public final class CaseOp implements TextOp {
    private static final Casing.Pattern[] TARGETS = {Casing.Pattern.LOWER, Casing.Pattern.CAPITALIZED, Casing.Pattern.UPPER};

    @Override public String name() { return "case"; }

    @Override public String description() {
        return "rewrite each word with probability rate as lower, Capitalized or UPPER";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null) {
            return text;
        }
        boolean changed = false;
        String[] options = new String[TARGETS.length];
        for (int i = 0; i < w.size(); i++) {
            if (!(rng.nextDouble() < rate)) {
                continue;
            }
            String word = w.words.get(i);
            int count = 0;
            for (Casing.Pattern p : TARGETS) {
                String candidate = Casing.apply(p, word);
                if (!candidate.equals(word) && !contains(options, count, candidate)) {
                    options[count++] = candidate;
                }
            }
            if (count > 0) {
                w.words.set(i, options[rng.nextInt(count)]);
                changed = true;
            }
        }
        return changed ? w.join() : text;
    }

    private static boolean contains(String[] a, int n, String s) {
        for (int i = 0; i < n; i++) {
            if (a[i].equals(s)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return TextOp.saturatedMultiply(inputLength, 3);
    }
}
