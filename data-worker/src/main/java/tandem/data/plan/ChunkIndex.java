package tandem.data.plan;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tandem.data.corpus.Chunk;
import tandem.data.corpus.Corpus;
import tandem.data.corpus.DataException;
import tandem.data.corpus.Mix;

/**
 * What one pass over a corpus learns: each chunk's ref, length and content hash, in corpus order. Kept
 * per JVM for the last few corpora (by {@link Corpus#cacheKey()}), so rebuilding a plan is cheap.
 */
final class ChunkIndex {
    private static final int CACHED = 16;
    private static final Map<String, ChunkIndex> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ChunkIndex> eldest) {
            return size() > CACHED;
        }
    };

    final long[] refs;
    final int[] lengths;
    final long[] hashes;
    final long totalBytes;

    private ChunkIndex(long[] refs, int[] lengths, long[] hashes, long totalBytes) {
        this.refs = refs;
        this.lengths = lengths;
        this.hashes = hashes;
        this.totalBytes = totalBytes;
    }

    int size() {
        return refs.length;
    }

    static ChunkIndex of(Corpus corpus) throws DataException {
        String key = corpus.cacheKey();
        synchronized (CACHE) {
            ChunkIndex cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        ChunkIndex built = scan(corpus);
        synchronized (CACHE) {
            ChunkIndex raced = CACHE.putIfAbsent(key, built);
            return raced != null ? raced : built;
        }
    }

    static void clearCache() {
        synchronized (CACHE) {
            CACHE.clear();
        }
    }

    private static ChunkIndex scan(Corpus corpus) throws DataException {
        var acc = new Object() {
            long[] refs = new long[1024];
            int[] lengths = new int[1024];
            long[] hashes = new long[1024];
            int count;
            long total;
        };
        corpus.forEachChunk((Chunk chunk) -> {
            if (chunk.length() == 0) {
                return;
            }
            if (acc.count == acc.refs.length) {
                int grown = acc.count * 2;
                acc.refs = Arrays.copyOf(acc.refs, grown);
                acc.lengths = Arrays.copyOf(acc.lengths, grown);
                acc.hashes = Arrays.copyOf(acc.hashes, grown);
            }
            acc.refs[acc.count] = chunk.ref();
            acc.lengths[acc.count] = chunk.length();
            acc.hashes[acc.count] = Mix.hashBytes(chunk.utf8(), 0, chunk.length());
            acc.count++;
            acc.total += chunk.length();
        });
        int n = acc.count;
        return new ChunkIndex(Arrays.copyOf(acc.refs, n), Arrays.copyOf(acc.lengths, n), Arrays.copyOf(acc.hashes, n), acc.total);
    }
}
