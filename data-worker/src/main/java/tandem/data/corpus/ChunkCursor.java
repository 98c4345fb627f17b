package tandem.data.corpus;

/** Streams a corpus's chunks in its fixed order. Not thread-safe; close it when done. */
public interface ChunkCursor extends AutoCloseable {

    /** The next chunk, or {@code null} after the last one. */
    Chunk next() throws DataException;

    @Override
    void close();
}
