package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Character swap: walks the characters (clusters: a code point with its combining marks, an emoji sequence,
 * see {@link Clusters}) and, with probability {@code rate} at each pair of adjacent non-whitespace characters,
 * swaps them and moves past the pair. Bound: {@code inputLength} (the length never changes).
 */
public final class CharSwapOp implements TextOp {
    @Override public String name() { return "char-swap"; }

    @Override public String description() {
        return "swap adjacent non-whitespace characters with probability rate per character";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || text.isEmpty()) {
            return text;
        }
        int[] b = Clusters.bounds(text);
        int m = b.length - 1;
        StringBuilder sb = new StringBuilder(text.length());
        boolean changed = false;
        int i = 0;
        while (i < m) {
            if (i + 1 < m && !Clusters.isSpaceAt(text, b[i]) && !Clusters.isSpaceAt(text, b[i + 1])
                    && rng.nextDouble() < rate) {
                sb.append(text, b[i + 1], b[i + 2]).append(text, b[i], b[i + 1]);
                changed = true;
                i += 2;
            } else {
                sb.append(text, b[i], b[i + 1]);
                i++;
            }
        }
        return changed ? sb.toString() : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
