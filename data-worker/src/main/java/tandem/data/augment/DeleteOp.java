package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * EDA random deletion: deletes each word with probability {@code rate}; when every word would go, one random
 * word stays, so a text with words never loses all of them. The whitespace run right after a deleted word
 * goes with it (else the run right before it); other punctuation stays. Bound: {@code inputLength}.
 */
public final class DeleteOp implements TextOp {
    @Override public String name() { return "delete"; }

    @Override public String description() {
        return "delete each word with probability rate, keeping at least one word (EDA RD)";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null) {
            return text;
        }
        int k = w.size();
        boolean[] drop = new boolean[k];
        int dropped = 0;
        for (int i = 0; i < k; i++) {
            if (rng.nextDouble() < rate) {
                drop[i] = true;
                dropped++;
            }
        }
        if (dropped == 0) {
            return text;
        }
        if (dropped == k) {
            drop[rng.nextInt(k)] = false;
        }
        w.removeAll(drop);
        return w.join();
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
