package tandem.data.augment;

import java.util.ArrayList;
import java.util.List;

/**
 * A text split into words and the gaps around them: {@code gap0 word0 gap1 word1 ... word(k-1) gapk}, so
 * {@link #join()} gives the text back exactly. Word-level ops change the words and leave punctuation and
 * whitespace in the gaps where they were.
 *
 * <p>A word is a maximal run of letters ({@link Character#isLetter(int)} on code points) that may also hold
 * combining marks after a letter (so "café" written with U+0301 stays one word) and an apostrophe
 * (U+0027 or U+2019) between two letters ("don't", "O’Brien"). Digits, punctuation, symbols, emoji and
 * whitespace are gaps. A run of CJK ideographs without spaces is one word.
 */
final class Words {
    final ArrayList<String> words;
    /** {@code gaps.size() == words.size() + 1}. */
    final ArrayList<String> gaps;

    private Words(ArrayList<String> words, ArrayList<String> gaps) {
        this.words = words;
        this.gaps = gaps;
    }

    /**
     * The words of {@code text} for a word op at {@code rate}, or null when the op has nothing to do
     * (rate 0, empty text, no words): the op then returns the text unchanged.
     */
    static Words toChange(String text, double rate) {
        if (!(rate > 0) || text.isEmpty()) {
            return null;
        }
        Words words = split(text);
        return words.size() == 0 ? null : words;
    }

    static Words split(String text) {
        ArrayList<String> words = new ArrayList<>();
        ArrayList<String> gaps = new ArrayList<>();
        int n = text.length();
        int gapStart = 0;
        int i = 0;
        while (i < n) {
            int cp = text.codePointAt(i);
            if (!Character.isLetter(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int j = i + Character.charCount(cp);
            while (j < n) {
                int c = text.codePointAt(j);
                if (Character.isLetter(c) || isMark(c)) {
                    j += Character.charCount(c);
                } else if ((c == '\'' || c == '\u2019') && j + 1 < n && Character.isLetter(text.codePointAt(j + 1))) {
                    j += 1;
                } else {
                    break;
                }
            }
            gaps.add(text.substring(gapStart, i));
            words.add(text.substring(i, j));
            gapStart = j;
            i = j;
        }
        gaps.add(text.substring(gapStart));
        return new Words(words, gaps);
    }

    /** Only the words of {@code text}, in order. */
    static List<String> of(String text) {
        return split(text).words;
    }

    int size() {
        return words.size();
    }

    String join() {
        int len = 0;
        for (String g : gaps) {
            len += g.length();
        }
        for (String w : words) {
            len += w.length();
        }
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < words.size(); i++) {
            sb.append(gaps.get(i)).append(words.get(i));
        }
        return sb.append(gaps.get(words.size())).toString();
    }

    /** Inserts {@code word} so that it becomes word {@code index} (0..size()), separated by one space. */
    void insert(int index, String word) {
        if (index < words.size()) {
            gaps.add(index + 1, " "); // gap(index) word gap" " old-word(index)
        } else {
            gaps.add(index, " "); // last-word " " word last-gap
        }
        words.add(index, word);
    }

    /** Removes the words whose {@code drop} flag is set, merging the gaps around each. */
    void removeAll(boolean[] drop) {
        ArrayList<String> keptWords = new ArrayList<>(words.size());
        ArrayList<String> keptGaps = new ArrayList<>(gaps.size());
        String acc = gaps.get(0);
        for (int i = 0; i < words.size(); i++) {
            if (drop[i]) {
                acc = mergeGaps(acc, gaps.get(i + 1));
            } else {
                keptGaps.add(acc);
                keptWords.add(words.get(i));
                acc = gaps.get(i + 1);
            }
        }
        keptGaps.add(acc);
        words.clear();
        words.addAll(keptWords);
        gaps.clear();
        gaps.addAll(keptGaps);
    }

    /**
     * The gap left when the word between {@code left} and {@code right} goes: drops the whitespace run right
     * after the word if there is one, else the run right before it ("the cat sat" - "cat" = "the sat";
     * "cat sat." - "sat" = "cat.").
     */
    static String mergeGaps(String left, String right) {
        int lead = 0;
        while (lead < right.length() && isSpace(right.charAt(lead))) {
            lead++;
        }
        if (lead > 0) {
            return left + right.substring(lead);
        }
        int trail = left.length();
        while (trail > 0 && isSpace(left.charAt(trail - 1))) {
            trail--;
        }
        return left.substring(0, trail) + right;
    }

    /** EDA's number of changes for {@code k} words at rate alpha: {@code max(1, round(alpha * k))}, at most k. */
    static int changes(double rate, int k) {
        return (int) Math.max(1, Math.min(k, Math.round(rate * k)));
    }

    static int[] identityPermutation(int k) {
        int[] order = new int[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Step {@code t} of a lazy Fisher-Yates shuffle of {@code order}: fixes and returns position t's element. */
    static int nextOfPermutation(int[] order, int t, java.util.random.RandomGenerator rng) {
        int j = t + rng.nextInt(order.length - t);
        int picked = order[j];
        order[j] = order[t];
        order[t] = picked;
        return picked;
    }

    static boolean isMark(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK;
    }

    /** Whitespace in the broad sense: Java whitespace or a Unicode space separator (e.g. no-break space). */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }
}
