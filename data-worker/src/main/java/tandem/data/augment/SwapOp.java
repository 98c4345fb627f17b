package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * EDA random swap: swaps two random distinct words, {@code n = max(1, round(rate * words))} times. Words move,
 * punctuation and whitespace stay in place. Text with fewer than two words is returned unchanged.
 * Bound: {@code inputLength} (the length never changes).
 */
public final class SwapOp implements TextOp {
    @Override public String name() { return "swap"; }

    @Override public String description() {
        return "swap two random words, max(1, round(rate*words)) times (EDA RS)";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null || w.size() < 2) {
            return text;
        }
        int k = w.size();
        int n = Words.changes(rate, k);
        for (int t = 0; t < n; t++) {
            int i = rng.nextInt(k);
            int j = rng.nextInt(k - 1);
            if (j >= i) {
                j++;
            }
            String a = w.words.get(i);
            w.words.set(i, w.words.get(j));
            w.words.set(j, a);
        }
        return w.join();
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
