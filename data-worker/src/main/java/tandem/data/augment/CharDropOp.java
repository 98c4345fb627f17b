package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Character drop: drops each non-whitespace character (cluster, see {@link Clusters}) with probability
 * {@code rate}; whitespace stays, so line structure survives. Bound: {@code inputLength}.
 */
public final class CharDropOp implements TextOp {
    @Override public String name() { return "char-drop"; }

    @Override public String description() {
        return "drop each non-whitespace character with probability rate";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || text.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        boolean changed = false;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int end = Clusters.end(text, i);
            if (!Clusters.isSpaceAt(text, i) && rng.nextDouble() < rate) {
                changed = true;
            } else {
                sb.append(text, i, end);
            }
            i = end;
        }
        return changed ? sb.toString() : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
