package tandem.data.corpus;

import java.util.OptionalDouble;

/** A corpus held as one byte array cut at fixed chunk starts; a chunk's ref is its start offset. */
public abstract class InMemoryCorpus implements Corpus {
    private final byte[] text;
    private final int[] starts; // chunk i = text[starts[i], starts[i+1]); starts[last] == text.length

    protected InMemoryCorpus(byte[] text, int[] starts) {
        this.text = text;
        this.starts = starts;
    }

    /** Bytes of text in the corpus. */
    public long sizeBytes() {
        return text.length;
    }

    public int chunkCount() {
        return starts.length - 1;
    }

    @Override
    public ChunkCursor chunks() {
        return new ChunkCursor() {
            private int next;

            @Override
            public Chunk next() {
                if (next >= starts.length - 1) {
                    return null;
                }
                int from = starts[next];
                int to = starts[next + 1];
                next++;
                byte[] bytes = new byte[to - from];
                System.arraycopy(text, from, bytes, 0, bytes.length);
                return new Chunk(from, bytes);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void read(long ref, int offset, byte[] dst, int dstOffset, int length) {
        System.arraycopy(text, Math.toIntExact(ref + offset), dst, dstOffset, length);
    }

    @Override
    public OptionalDouble entropyFloorBitsPerByte() {
        return OptionalDouble.empty();
    }

    /** Chunk starts for {@code text} cut by the {@link Chunker} rules, ending with {@code text.length}. */
    protected static int[] chunkStarts(byte[] text) {
        Chunker chunker = new Chunker(new java.io.ByteArrayInputStream(text), 0);
        int[] starts = new int[16];
        int count = 0;
        try {
            while (chunker.next() != null) {
                if (count == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = (int) chunker.chunkOffset();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array never fails
        }
        starts = java.util.Arrays.copyOf(starts, count + 1);
        starts[count] = text.length;
        return starts;
    }

    /** Chunk starts every {@code size} bytes, ending with {@code length}. */
    protected static int[] fixedStarts(int length, int size) {
        int count = (length + size - 1) / size;
        int[] starts = new int[count + 1];
        for (int i = 0; i < count; i++) {
            starts[i] = i * size;
        }
        starts[count] = length;
        return starts;
    }
}
