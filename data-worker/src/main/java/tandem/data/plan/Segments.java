package tandem.data.plan;

import java.util.Arrays;
import tandem.data.corpus.Corpus;

/** A byte stream made of corpus chunks (or a prefix of the last one) laid end to end; random access. */
final class Segments {
    private final Corpus corpus;
    private final long[] refs;
    private final int[] lengths;
    private final long[] starts;
    private final long size;

    Segments(Corpus corpus, long[] refs, int[] lengths) {
        this.corpus = corpus;
        this.refs = refs;
        this.lengths = lengths;
        this.starts = new long[refs.length];
        long pos = 0;
        for (int i = 0; i < refs.length; i++) {
            if (lengths[i] <= 0) {
                throw new IllegalArgumentException("empty segment " + i);
            }
            starts[i] = pos;
            pos += lengths[i];
        }
        this.size = pos;
    }

    long size() {
        return size;
    }

    int count() {
        return refs.length;
    }

    long ref(int i) {
        return refs[i];
    }

    int length(int i) {
        return lengths[i];
    }

    /** Copies {@code length} bytes from stream position {@code position} into {@code dst[offset..]}. */
    void read(long position, byte[] dst, int offset, int length) {
        if (position < 0 || position + length > size) {
            throw new IndexOutOfBoundsException("bytes [" + position + ", " + (position + length) + ") of " + size);
        }
        int j = Arrays.binarySearch(starts, position);
        if (j < 0) {
            j = -j - 2;
        }
        while (length > 0) {
            int within = (int) (position - starts[j]);
            int n = Math.min(length, lengths[j] - within);
            corpus.read(refs[j], within, dst, offset, n);
            position += n;
            offset += n;
            length -= n;
            j++;
        }
    }

    byte[] read(long position, int length) {
        byte[] out = new byte[length];
        read(position, out, 0, length);
        return out;
    }
}
