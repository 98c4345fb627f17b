package tandem.data.augment;

/**
 * User-perceived characters, approximated without a JDK break iterator (whose rules change between JDK
 * versions, and views must not): a code point plus the combining marks, variation selectors, emoji skin-tone
 * modifiers and tag characters after it, zero-width-joiner sequences (family emoji), regional-indicator
 * pairs (flags) and CR LF. Character-level ops move, drop and insert whole clusters, so they never split a
 * surrogate pair nor strip an accent off its letter.
 */
final class Clusters {
    private Clusters() {}

    /** The end (exclusive) of the cluster that starts at {@code i}. */
    static int end(String s, int i) {
        int n = s.length();
        int cp = s.codePointAt(i);
        int j = i + Character.charCount(cp);
        if (cp == '\r' && j < n && s.charAt(j) == '\n') {
            return j + 1;
        }
        if (isRegionalIndicator(cp) && j < n) {
            int next = s.codePointAt(j);
            if (isRegionalIndicator(next)) {
                j += Character.charCount(next);
            }
        }
        while (j < n) {
            int c = s.codePointAt(j);
            if (Words.isMark(c) || isEmojiModifier(c) || isTag(c)) {
                j += Character.charCount(c);
            } else if (c == 0x200D) { // zero width joiner: glue the next code point on
                j += 1;
                if (j < n) {
                    j += Character.charCount(s.codePointAt(j));
                }
            } else {
                break;
            }
        }
        return j;
    }

    /** Start offsets of the clusters of {@code s}, followed by {@code s.length()}. */
    static int[] bounds(String s) {
        int n = s.length();
        int[] b = new int[n + 1];
        int count = 0;
        int i = 0;
        while (i < n) {
            b[count++] = i;
            i = end(s, i);
        }
        b[count++] = n;
        return java.util.Arrays.copyOf(b, count);
    }

    /** True when the cluster starting at {@code i} is whitespace (then it has nothing glued to it worth keeping). */
    static boolean isSpaceAt(String s, int i) {
        return Words.isSpace(s.codePointAt(i));
    }

    private static boolean isRegionalIndicator(int cp) {
        return cp >= 0x1F1E6 && cp <= 0x1F1FF;
    }

    private static boolean isEmojiModifier(int cp) {
        return cp >= 0x1F3FB && cp <= 0x1F3FF;
    }

    private static boolean isTag(int cp) {
        return cp >= 0xE0020 && cp <= 0xE007F;
    }
}
