package tandem.data.corpus;

import java.util.LinkedHashMap;
import java.util.Map;
import tandem.proto.DataBudget;

/**
 * Opens the corpus a data budget names. Corpora are cached per JVM (WordNet for good; synthetic corpora
 * by seed and size, file corpora by path and file sizes / modification times, the last
 * {@value #CACHED} of them), so building a plan twice reuses them.
 */
public final class Corpora {
    private Corpora() {}

    private static final int CACHED = 16;
    private static final Map<String, Corpus> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Corpus> eldest) {
            return size() > CACHED;
        }
    };

    /**
     * {@code budget.corpus}: {@code wordnet}, {@code synthetic} ({@code budget.synthetic_bytes} bytes from
     * a source seeded by {@code seed}), or a UTF-8 file or folder path.
     */
    public static Corpus open(DataBudget budget, long seed) throws DataException {
        String corpus = budget.getCorpus();
        if (corpus.equals(WordNetCorpus.NAME)) {
            return WordNetCorpus.get();
        }
        if (corpus.equals(SyntheticCorpus.NAME)) {
            return synthetic(seed, budget.getSyntheticBytes());
        }
        FileCorpus listed = FileCorpus.open(corpus);
        synchronized (CACHE) {
            Corpus cached = CACHE.get(listed.cacheKey());
            if (cached != null) {
                return cached;
            }
            CACHE.put(listed.cacheKey(), listed);
            return listed;
        }
    }

    /** The synthetic corpus of {@code bytes} bytes for {@code seed}, generated once per JVM. */
    public static SyntheticCorpus synthetic(long seed, long bytes) throws DataException {
        String key = "synthetic:seed=" + Long.toUnsignedString(seed) + ":bytes=" + bytes;
        synchronized (CACHE) {
            Corpus cached = CACHE.get(key);
            if (cached != null) {
                return (SyntheticCorpus) cached;
            }
        }
        SyntheticCorpus made = SyntheticCorpus.generate(seed, bytes);
        synchronized (CACHE) {
            Corpus raced = CACHE.putIfAbsent(key, made);
            return raced != null ? (SyntheticCorpus) raced : made;
        }
    }

    /** Forgets cached synthetic and file corpora (WordNet stays loaded). For tests. */
    public static void clearCache() {
        synchronized (CACHE) {
            CACHE.clear();
        }
    }
}
