package tandem.data.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Sentence shuffle within a chunk: with probability {@code rate} per text, shuffles its sentences. A sentence
 * ends with a run of {@code . ! ?} (and any closing quotes or brackets after it) followed by whitespace; the
 * last sentence may lack a terminator (chunks are cut mid-sentence); such a fragment stays at the end. The
 * whitespace between sentences and before the first and after the last stays in place, so paragraph breaks
 * keep their positions. A text of fewer than two movable sentences is returned unchanged. Bound: {@code inputLength} (the length never changes).
 */
public final class SentenceShuffleOp implements TextOp {
    @Override public String name() { return "sentence-shuffle"; }

    @Override public String description() {
        return "with probability rate per text, shuffle its sentences (ending in . ! ? and whitespace)";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || text.isEmpty()) {
            return text;
        }
        List<int[]> sentences = sentences(text);
        int m = sentences.size();
        // An unterminated fragment at the end (the chunk was cut mid-sentence) stays last.
        int movable = m > 0 && !terminated(text, sentences.get(m - 1)) ? m - 1 : m;
        if (movable < 2 || !(rng.nextDouble() < rate)) {
            return text;
        }
        int[] order = Words.identityPermutation(m);
        for (int i = movable - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        StringBuilder sb = new StringBuilder(text.length());
        sb.append(text, 0, sentences.get(0)[0]);
        for (int i = 0; i < m; i++) {
            int[] s = sentences.get(order[i]);
            sb.append(text, s[0], s[1]);
            int gapEnd = i + 1 < m ? sentences.get(i + 1)[0] : text.length();
            sb.append(text, sentences.get(i)[1], gapEnd);
        }
        return sb.toString();
    }

    /** The [start, end) spans of the sentences of {@code text}, in order; whitespace lies between them. */
    static List<int[]> sentences(String text) {
        List<int[]> spans = new ArrayList<>();
        int n = text.length();
        int pos = skipSpace(text, 0);
        int start = pos;
        while (pos < n) {
            char c = text.charAt(pos);
            if (c == '.' || c == '!' || c == '?') {
                int j = pos + 1;
                while (j < n && isTerminator(text.charAt(j))) {
                    j++;
                }
                while (j < n && isCloser(text.charAt(j))) {
                    j++;
                }
                if (j < n && Words.isSpace(text.charAt(j))) {
                    spans.add(new int[] {start, j});
                    start = skipSpace(text, j);
                }
                pos = Math.max(j, start);
            } else {
                pos++;
            }
        }
        if (start < n) {
            int end = n;
            while (end > start && Words.isSpace(text.charAt(end - 1))) {
                end--;
            }
            spans.add(new int[] {start, end});
        }
        return spans;
    }

    private static boolean terminated(String text, int[] span) {
        int i = span[1] - 1;
        while (i > span[0] && isCloser(text.charAt(i))) {
            i--;
        }
        return isTerminator(text.charAt(i));
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Words.isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isTerminator(char c) {
        return c == '.' || c == '!' || c == '?';
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '\u00bb' || c == '\u201d' || c == '\u2019';
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
