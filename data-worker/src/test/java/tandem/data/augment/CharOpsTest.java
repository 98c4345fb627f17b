package tandem.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** What the character-level ops and sentence shuffle do, beyond the common contract. */
class CharOpsTest {
    private static final TextOp TYPO = TextOps.get("typo");
    private static final TextOp CHAR_SWAP = TextOps.get("char-swap");
    private static final TextOp CHAR_DROP = TextOps.get("char-drop");
    private static final TextOp CHAR_INSERT = TextOps.get("char-insert");
    private static final TextOp SHUFFLE = TextOps.get("sentence-shuffle");

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(TextArbitraries.unicode(), TextArbitraries.english());
    }

    @Property(tries = 300)
    void typoReplacesAsciiLettersByKeyboardNeighboursOfTheSameCase(@ForAll("texts") String text,
            @ForAll @DoubleRange(min = 0, max = 1) double rate, @ForAll long seed) {
        String out = TYPO.apply(text, rate, new SplitMix64(seed));
        assertEquals(text.length(), out.length());
        for (int i = 0; i < text.length(); i++) {
            char a = text.charAt(i);
            char b = out.charAt(i);
            if (a != b) {
                assertTrue(a < 128 && Character.isLetter(a), "changed " + a);
                assertEquals(Character.isUpperCase(a), Character.isUpperCase(b));
                assertTrue(b < 128 && Character.isLetter(b));
            }
        }
    }

    @Test
    void typoAtRateOneUsesQwertyNeighbours() {
        assertEquals(".,!", TYPO.apply(".,!", 1.0, new SplitMix64(1)));
        String out = TYPO.apply("aA", 1.0, new SplitMix64(1));
        assertTrue("qwsz".indexOf(out.charAt(0)) >= 0, out);
        assertTrue("QWSZ".indexOf(out.charAt(1)) >= 0, out);
    }

    @Property(tries = 300)
    void charSwapPermutesCodePoints(@ForAll("texts") String text, @ForAll @DoubleRange(min = 0, max = 1) double rate,
                                    @ForAll long seed) {
        String out = CHAR_SWAP.apply(text, rate, new SplitMix64(seed));
        assertEquals(text.length(), out.length());
        assertEquals(sortedCodePoints(text), sortedCodePoints(out));
    }

    @Property(tries = 300)
    void charDropOnlyRemovesNonWhitespace(@ForAll("texts") String text, @ForAll @DoubleRange(min = 0, max = 1) double rate,
                                          @ForAll long seed) {
        String out = CHAR_DROP.apply(text, rate, new SplitMix64(seed));
        assertTrue(isSubsequence(out, text));
        assertEquals(text.chars().filter(Character::isWhitespace).count(), out.chars().filter(Character::isWhitespace).count());
    }

    @Property(tries = 300)
    void charInsertOnlyAddsAsciiLetters(@ForAll("texts") String text, @ForAll @DoubleRange(min = 0, max = 1) double rate,
                                        @ForAll long seed) {
        String out = CHAR_INSERT.apply(text, rate, new SplitMix64(seed));
        assertTrue(isSubsequence(text, out));
        String extra = removeSubsequence(text, out);
        assertTrue(extra.chars().allMatch(c -> c < 128 && Character.isLetter(c)), extra);
    }

    @Test
    void clustersKeepMarksEmojiSequencesAndFlagsTogether() {
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
        String flag = "\uD83C\uDDEB\uD83C\uDDF7";
        String thumb = "\uD83D\uDC4D\uD83C\uDFFD";
        String text = "e\u0301" + family + flag + thumb + "\r\nx";
        int[] b = Clusters.bounds(text);
        assertEquals(6, b.length - 1, Arrays.toString(b));
        assertEquals("xy", CHAR_SWAP.apply("yx", 1.0, new SplitMix64(0)));
        assertEquals(thumb + "e\u0301", CHAR_SWAP.apply("e\u0301" + thumb, 1.0, new SplitMix64(0)));
        assertEquals("a b", CHAR_SWAP.apply("a b", 1.0, new SplitMix64(0)));
        assertEquals(" \n ", CHAR_DROP.apply("x\u0301 \n" + family + " ", 1.0, new SplitMix64(0)));
    }

    @Property(tries = 300)
    void sentenceShuffleKeepsTheSentences(@ForAll("texts") String text, @ForAll @DoubleRange(min = 0, max = 1) double rate,
                                          @ForAll long seed) {
        String out = SHUFFLE.apply(text, rate, new SplitMix64(seed));
        assertEquals(text.length(), out.length());
        assertEquals(sortedCodePoints(text), sortedCodePoints(out));
    }

    @Test
    void sentenceShuffleMovesWholeSentencesAndKeepsGaps() {
        String text = "  One fish.  Two fish!\n\nRed fish? \"Blue.\" fish tail";
        List<String> expected = sentences(text);
        assertEquals(List.of("One fish.", "Two fish!", "Red fish?", "\"Blue.\"", "fish tail"), expected);
        boolean moved = false;
        for (long seed = 0; seed < 20; seed++) {
            String out = SHUFFLE.apply(text, 1.0, new SplitMix64(seed));
            List<String> got = sentences(out);
            assertEquals(expected.stream().sorted().toList(), got.stream().sorted().toList(), out);
            assertTrue(out.startsWith("  "), out);
            moved |= !out.equals(text);
        }
        assertTrue(moved);
        assertEquals("Just one sentence.", SHUFFLE.apply("Just one sentence.", 1.0, new SplitMix64(1)));
    }

    private static List<String> sentences(String text) {
        return SentenceShuffleOp.sentences(text).stream().map(s -> text.substring(s[0], s[1])).toList();
    }

    private static List<Integer> sortedCodePoints(String s) {
        return s.codePoints().sorted().boxed().toList();
    }

    private static boolean isSubsequence(String small, String big) {
        int i = 0;
        for (int j = 0; j < big.length() && i < small.length(); j++) {
            if (small.charAt(i) == big.charAt(j)) {
                i++;
            }
        }
        return i == small.length();
    }

    private static String removeSubsequence(String small, String big) {
        StringBuilder rest = new StringBuilder();
        int i = 0;
        for (int j = 0; j < big.length(); j++) {
            if (i < small.length() && small.charAt(i) == big.charAt(j)) {
                i++;
            } else {
                rest.append(big.charAt(j));
            }
        }
        return rest.toString();
    }

    @Test
    void differentSeedsGiveDifferentNoise() {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(5);
        assertNotEquals(CHAR_DROP.apply(text, 0.1, new SplitMix64(1)), CHAR_DROP.apply(text, 0.1, new SplitMix64(2)));
    }
}
