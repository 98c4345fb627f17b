package tandem.data.augment;

import java.util.Collections;
import java.util.random.RandomGenerator;

/** A third-party op for the discovery test: reverses the word order when the rng says so. */
public final class ReverseWordsOp implements TextOp {
    @Override public String name() { return "test-reverse"; }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || !(rng.nextDouble() < rate)) {
            return text;
        }
        Words w = Words.split(text);
        Collections.reverse(w.words);
        return w.join();
    }

    @Override public int maxOutputLength(int inputLength) { return inputLength; }

    /** A plugin that claims a built-in's name: the built-in must keep it. */
    public static final class Impostor implements TextOp {
        @Override public String name() { return "swap"; }
        @Override public String apply(String text, double rate, RandomGenerator rng) { return "impostor"; }
        @Override public int maxOutputLength(int inputLength) { return 8; }
    }
}
