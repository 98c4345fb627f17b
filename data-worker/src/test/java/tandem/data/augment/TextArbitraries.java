package tandem.data.augment;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/** Generators of texts for the property tests. */
final class TextArbitraries {
    private TextArbitraries() {}

    /** Common English words, most with WordNet synonyms, a few stop words. */
    static final List<String> ENGLISH = List.of(
            "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "a", "house", "big", "happy", "child",
            "runs", "went", "fast", "car", "road", "small", "bright", "light", "city", "river", "walked", "slowly",
            "beautiful", "garden", "old", "man", "said", "good", "morning", "to", "is", "and", "of", "in", "king",
            "queen", "love", "heart", "water", "cold", "warm", "sun", "night", "day", "strong", "wind", "blows",
            "ship", "sailed", "sea", "storm", "anger", "fear", "begin", "end", "speak", "think", "xylophone",
            "qwzx", "don't", "it's");

    static Arbitrary<String> englishWord() {
        return Arbitraries.of(ENGLISH).flatMap(w -> Arbitraries.of(w, w, w,
                Casing.capitalize(w), w.toUpperCase(java.util.Locale.ROOT)));
    }

    private static Arbitrary<String> space() {
        return Arbitraries.of(" ", " ", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000");
    }

    private static Arbitrary<String> punctuation() {
        return Arbitraries.of(".", ",", "!", "?", "'", "\u2019", "\"", "-", "(", ")", "...", ". ", "? ", "!\" ", ";");
    }

    /** English words separated by spaces and punctuation. */
    static Arbitrary<String> english() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(10, englishWord().map(w -> w + " ")),
                Tuple.of(6, englishWord()),
                Tuple.of(3, space()),
                Tuple.of(3, punctuation()));
        return piece.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    /**
     * Texts mixing English, whitespace, punctuation, emoji (with skin tones, ZWJ families, flags, tags), CJK,
     * combining marks, letters with special case mappings, supplementary letters, digits, any code point and
     * any char (so also unpaired surrogates).
     */
    static Arbitrary<String> unicode() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(20, englishWord()),
                Tuple.of(15, space()),
                Tuple.of(10, punctuation()),
                Tuple.of(8, Arbitraries.of("\uD83D\uDE00", "\uD83D\uDC4D\uD83C\uDFFD", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                        "\uD83C\uDDEB\uD83C\uDDF7", "\u2764\uFE0F", "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F")),
                Tuple.of(8, Arbitraries.strings().withCharRange('\u4e00', '\u9fff').ofMinLength(1).ofMaxLength(4)),
                Tuple.of(8, Arbitraries.of("e\u0301", "cafe\u0301", "a\u0308", "\u0301", "n\u0303o", "\u0915\u094D\u0937", "\u0645\u0631\u062D\u0628\u0627")),
                Tuple.of(6, Arbitraries.of("\u00df", "\u0130", "\u0131", "\u0390", "\u01c6", "\u0149", "\ufb03",
                        "\uD801\uDC00\uD801\uDC28", "\uD835\uDC00\uD835\uDC01", "\u1E9E")),
                Tuple.of(5, Arbitraries.integers().between(0, Character.MAX_CODE_POINT).map(cp -> new String(Character.toChars(cp)))),
                Tuple.of(4, Arbitraries.strings().all().ofMaxLength(4)),
                Tuple.of(4, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4)));
        return piece.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    /** True when {@code s} has a surrogate that is not part of a pair. */
    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
