package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Character insertion: after each character (cluster, see {@link Clusters}), with probability {@code rate},
 * inserts a random ASCII letter, upper case when the character before it is an upper-case letter.
 * Bound: {@code 2 * inputLength}.
 */
public final class CharInsertOp implements TextOp {
    @Override public String name() { return "char-insert"; }

    @Override public String description() {
        return "insert a random letter after each character with probability rate";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || text.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        boolean changed = false;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int end = Clusters.end(text, i);
            sb.append(text, i, end);
            if (rng.nextDouble() < rate) {
                char letter = (char) ('a' + rng.nextInt(26));
                sb.append(Character.isUpperCase(text.codePointAt(i)) ? Character.toUpperCase(letter) : letter);
                changed = true;
            }
            i = end;
        }
        return changed ? sb.toString() : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return TextOp.saturatedMultiply(inputLength, 2);
    }
}
