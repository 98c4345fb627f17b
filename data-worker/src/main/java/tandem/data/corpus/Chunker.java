package tandem.data.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a byte stream into chunks of at most {@link #MAX} bytes, reading at most that much ahead. A cut
 * prefers, in order: a paragraph end (after a blank line) at or past {@link #TARGET} bytes, else the last
 * one past {@link #MIN}; then a line end chosen the same way; then the last character boundary. Byte
 * 0x0A never occurs inside a UTF-8 character, and a character-boundary cut is made before a byte that is
 * not a continuation byte, so valid UTF-8 is never cut inside a character.
 */
final class Chunker {
    static final int MIN = 1024;
    static final int TARGET = 2048;
    static final int MAX = 4096;

    private final InputStream in;
    private final byte[] buf = new byte[MAX];
    private int filled;
    private boolean eof;
    private long bufferOffset;
    private long chunkOffset = -1;

    /** @param startOffset the stream offset of the first byte {@code in} yields (e.g. after a BOM) */
    Chunker(InputStream in, long startOffset) {
        this.in = in;
        this.bufferOffset = startOffset;
    }

    /** The stream offset of the chunk {@link #next()} returned last. */
    long chunkOffset() {
        return chunkOffset;
    }

    /** The next chunk, or {@code null} at the end of the stream. */
    byte[] next() throws IOException {
        while (!eof && filled < MAX) {
            int n = in.read(buf, filled, MAX - filled);
            if (n < 0) {
                eof = true;
            } else {
                filled += n;
            }
        }
        if (filled == 0) {
            return null;
        }
        int cut = eof ? filled : cutPoint(buf, MAX);
        byte[] chunk = Arrays.copyOf(buf, cut);
        System.arraycopy(buf, cut, buf, 0, filled - cut);
        filled -= cut;
        chunkOffset = bufferOffset;
        bufferOffset += cut;
        return chunk;
    }

    /** Where to end a chunk taken from {@code b[0, n)}, n == MAX: a length in [MIN, MAX]. */
    static int cutPoint(byte[] b, int n) {
        int paragraph = nearTarget(b, n, true);
        if (paragraph > 0) {
            return paragraph;
        }
        int line = nearTarget(b, n, false);
        if (line > 0) {
            return line;
        }
        for (int i = n - 1; i >= MIN; i--) {
            if ((b[i] & 0xC0) != 0x80) {
                return i;
            }
        }
        return n;
    }

    private static int nearTarget(byte[] b, int n, boolean paragraph) {
        for (int i = TARGET; i <= n; i++) {
            if (endsAt(b, i, paragraph)) {
                return i;
            }
        }
        for (int i = TARGET - 1; i >= MIN; i--) {
            if (endsAt(b, i, paragraph)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean endsAt(byte[] b, int i, boolean paragraph) {
        if (b[i - 1] != '\n') {
            return false;
        }
        if (!paragraph) {
            return true;
        }
        return b[i - 2] == '\n' || (b[i - 2] == '\r' && b[i - 3] == '\n');
    }
}
