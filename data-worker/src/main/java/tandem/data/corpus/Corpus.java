package tandem.data.corpus;

import java.util.OptionalDouble;

/**
 * A source of training text, read as a sequence of {@link Chunk}s in a fixed order. Chunks are streamed:
 * a file corpus never holds more than one chunk in memory while it is read, and a chunk's bytes can be
 * fetched again later by its {@link Chunk#ref() ref} without holding the corpus in memory.
 */
public interface Corpus {

    /** {@code wordnet}, {@code synthetic}, or the path as the spec gave it. */
    String name();

    /** Equal keys mean the same chunks in the same order (used by caches). */
    String cacheKey();

    /** A new cursor over all chunks, first to last. Errors in the text (e.g. invalid UTF-8) surface here. */
    ChunkCursor chunks() throws DataException;

    /**
     * Copies {@code length} bytes of chunk {@code ref}, starting {@code offset} bytes into it, to
     * {@code dst[dstOffset..]}. Thread-safe.
     *
     * @throws java.io.UncheckedIOException if a file behind the corpus can no longer be read
     */
    void read(long ref, int offset, byte[] dst, int dstOffset, int length);

    /** The source's exact entropy rate in bits per byte, when it is known (the synthetic source). */
    OptionalDouble entropyFloorBitsPerByte();

    /** Visits every chunk in order. */
    default void forEachChunk(ChunkVisitor visitor) throws DataException {
        try (ChunkCursor cursor = chunks()) {
            for (Chunk chunk = cursor.next(); chunk != null; chunk = cursor.next()) {
                visitor.visit(chunk);
            }
        }
    }

    @FunctionalInterface
    interface ChunkVisitor {
        void visit(Chunk chunk) throws DataException;
    }
}
