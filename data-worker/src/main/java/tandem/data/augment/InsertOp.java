package tandem.data.augment;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * EDA random insertion, {@code n = max(1, round(rate * words))} times: take a random word of the input that
 * is not a stop word and has WordNet synonyms (up to 10 tries per insertion, as in EDA), and insert one of its
 * synonyms, in lower case, at a random word position (before word i, or after the last word) with one space.
 * Text without words is returned unchanged. Bound: {@code 34 * inputLength} (at most one insertion of at
 * most 32 chars plus a space per input char).
 */
public final class InsertOp implements TextOp {
    static final int TRIES = 10;

    @Override public String name() { return "insert"; }

    @Override public String description() {
        return "insert a WordNet synonym of a random word at a random position, max(1, round(rate*words)) times (EDA RI)";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        Words w = Words.toChange(text, rate);
        if (w == null) {
            return text;
        }
        int k = w.size();
        List<String> sources = List.copyOf(w.words);
        int n = Words.changes(rate, k);
        boolean changed = false;
        for (int t = 0; t < n; t++) {
            for (int tries = 0; tries < TRIES; tries++) {
                String source = sources.get(rng.nextInt(k));
                if (WordNetSynonyms.isStopWord(source)) {
                    continue;
                }
                List<String> synonyms = WordNetSynonyms.of(source);
                if (synonyms.isEmpty()) {
                    continue;
                }
                String synonym = synonyms.get(rng.nextInt(synonyms.size()));
                w.insert(rng.nextInt(w.size() + 1), synonym);
                changed = true;
                break;
            }
        }
        return changed ? w.join() : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return TextOp.saturatedMultiply(inputLength, WordNetSynonyms.MAX_SYNONYM_LENGTH + 2);
    }
}
