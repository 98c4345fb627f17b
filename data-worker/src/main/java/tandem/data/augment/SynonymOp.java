package tandem.data.augment;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * EDA synonym replacement: replaces {@code n = max(1, round(rate * words))} distinct random words that have
 * WordNet synonyms with a random synonym, keeping the word's case pattern (lower, Capitalized, UPPER;
 * mixed-case words get a lower-case synonym). Stop words are skipped (see {@link WordNetSynonyms}); fewer
 * than {@code n} words change when fewer have synonyms. Synonyms are one run of ASCII letters of at most
 * {@value WordNetSynonyms#MAX_SYNONYM_LENGTH} chars, so the text keeps its word count and gaps.
 * Bound: {@code 32 * inputLength} (each word of at least one char becomes at most 32).
 */
public final class SynonymOp implements TextOp {
    @Override public String name() { return "synonym"; }

    @Override public String description() {
        return "replace max(1, round(rate*words)) random words with a WordNet synonym (EDA SR)";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null) {
            return text;
        }
        int k = w.size();
        int n = Words.changes(rate, k);
        int[] order = Words.identityPermutation(k);
        int replaced = 0;
        for (int t = 0; t < k && replaced < n; t++) {
            int idx = Words.nextOfPermutation(order, t, rng);
            String word = w.words.get(idx);
            if (WordNetSynonyms.isStopWord(word)) {
                continue;
            }
            List<String> synonyms = WordNetSynonyms.of(word);
            if (synonyms.isEmpty()) {
                continue;
            }
            w.words.set(idx, Casing.like(word, synonyms.get(rng.nextInt(synonyms.size()))));
            replaced++;
        }
        return replaced == 0 ? text : w.join();
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return TextOp.saturatedMultiply(inputLength, WordNetSynonyms.MAX_SYNONYM_LENGTH);
    }
}
