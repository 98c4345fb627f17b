package tandem.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The {@link TextOp} contract, checked for every loaded op over arbitrary Unicode text. */
class OpContractTest {

    @Provide
    Arbitrary<TextOp> ops() {
        return Arbitraries.of(TextOps.all().values().toArray(new TextOp[0]));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(TextArbitraries.unicode(), TextArbitraries.english());
    }

    @Provide
    Arbitrary<Double> rates() {
        return Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 0.5, 0.1, 0.02), Arbitraries.doubles().between(0, 1));
    }

    @Property(tries = 1000)
    void totalDeterministicAndBounded(@ForAll("ops") TextOp op, @ForAll("texts") String text,
                                      @ForAll("rates") double rate, @ForAll long seed) {
        String a = op.apply(text, rate, new SplitMix64(seed));
        String b = op.apply(text, rate, new SplitMix64(seed));
        assertEquals(b, a, op.name() + " is deterministic");
        assertTrue(a.length() <= op.maxOutputLength(text.length()), op.name() + " stays within its bound");
        if (!TextArbitraries.hasUnpairedSurrogate(text)) {
            assertFalse(TextArbitraries.hasUnpairedSurrogate(a), op.name() + " splits no surrogate pair");
        }
    }

    @Property(tries = 300)
    void rateZeroIsTheIdentity(@ForAll("ops") TextOp op, @ForAll("texts") String text, @ForAll long seed) {
        assertEquals(text, op.apply(text, 0.0, new SplitMix64(seed)), op.name());
    }

    @Property(tries = 300)
    void rateOneIsTotalAndBounded(@ForAll("ops") TextOp op, @ForAll("texts") String text, @ForAll long seed) {
        String out = op.apply(text, 1.0, new java.util.SplittableRandom(seed));
        assertTrue(out.length() <= op.maxOutputLength(text.length()), op.name());
        assertEquals(out, op.apply(text, 1.0, new java.util.SplittableRandom(seed)), op.name());
    }

    @Provide
    Arbitrary<String> longTexts() {
        return Arbitraries.oneOf(TextArbitraries.unicode(), TextArbitraries.english())
                .list().ofMinSize(5).ofMaxSize(30).map(l -> String.join("", l));
    }

    @Property(tries = 60)
    void longTextsAreBoundedToo(@ForAll("ops") TextOp op, @ForAll("longTexts") String text,
                                @ForAll("rates") double rate, @ForAll long seed) {
        String a = op.apply(text, rate, new SplitMix64(seed));
        assertEquals(a, op.apply(text, rate, new SplitMix64(seed)), op.name());
        assertTrue(a.length() <= op.maxOutputLength(text.length()), op.name());
    }

    static final List<String> EDGE_CASES = List.of(
            "", " ", "   \n\t ", "\r\n", "a", "A", "I", ".", "...", "!?", "42", "\u00a0",
            "\uD83D\uDE00", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\uD83C\uDDEB\uD83C\uDDF7\uD83C\uDDE9\uD83C\uDDEA",
            "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3002\u6771\u4eac\u3002", "\u0301", "\u0301\u0301a", "e\u0301\u0302\u0303",
            "\uD800", "\uDC00", "\uDC00\uD800", "a\uD800b", "\u200D", "x\u200D", "\uFE0F",
            "\u00df\u0390\u0130\u0149\ufb03", "\uD801\uDC00\uD801\uDC28 \uD835\uDC00",
            "Dog. Cat! Bird? ", "The quick brown fox jumps over the lazy dog.",
            "HELLO, World! it's a dog's life.\n\nNew paragraph here.");

    @Test
    void edgeCases() {
        for (TextOp op : TextOps.all().values()) {
            for (String text : EDGE_CASES) {
                for (double rate : new double[] {0, 0.02, 0.5, 1}) {
                    for (long seed = 0; seed < 3; seed++) {
                        String out = op.apply(text, rate, new SplitMix64(seed));
                        String what = op.name() + " " + rate + " '" + text + "' -> '" + out + "'";
                        assertEquals(out, op.apply(text, rate, new SplitMix64(seed)), what);
                        assertTrue(out.length() <= op.maxOutputLength(text.length()), what);
                        if (rate == 0) {
                            assertEquals(text, out, what);
                        }
                        if (!TextArbitraries.hasUnpairedSurrogate(text)) {
                            assertFalse(TextArbitraries.hasUnpairedSurrogate(out), what);
                        }
                    }
                }
            }
        }
    }
}
