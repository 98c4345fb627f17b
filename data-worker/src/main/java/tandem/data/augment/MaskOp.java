package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Word masking: replaces each word with {@link #MASK} with probability {@code rate}. Bound: {@code inputLength}.
 */
public final class MaskOp implements TextOp {
    /** The mask token, one char so a masked text is never longer. */
    public static final String MASK = "_";

    @Override public String name() { return "mask"; }

    @Override public String description() {
        return "replace each word with \"" + MASK + "\" with probability rate";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null) {
            return text;
        }
        boolean changed = false;
        for (int i = 0; i < w.size(); i++) {
            if (rng.nextDouble() < rate) {
                w.words.set(i, MASK);
                changed = true;
            }
        }
        return changed ? w.join() : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
