package tandem.data.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class WordNetCorpusTest {

    @Test
    void glossBecomesReadableLine() {
        assertEquals("breathe, take a breath: draw air into, and expel out of, the lungs. I can breathe better when the air is clean. The patient is respiring.",
                WordNetCorpus.line("breathe, take a breath",
                        "draw air into, and expel out of, the lungs; \"I can breathe better when the air is clean\"; \"The patient is respiring\""));
        assertEquals("entity: that which is perceived.", WordNetCorpus.line("entity", "that which is perceived"));
        assertEquals("AD: in the Christian era; used before dates. In AD 200.",
                WordNetCorpus.line("AD", "in the Christian era; used before dates; \"in AD 200\""));
    }

    @Test
    void loadsOnceAndHoldsMegabytesOfEnglish() throws DataException {
        long t0 = System.nanoTime();
        WordNetCorpus corpus = WordNetCorpus.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(WordNetCorpus.get() == corpus, "cached");
        long[] bytes = {0};
        int[] chunks = {0};
        String[] first = {null};
        corpus.forEachChunk(c -> {
            assertTrue(c.length() <= Chunker.MAX);
            assertEquals('\n', c.utf8()[c.length() - 1]);
            if (first[0] == null) {
                first[0] = c.text();
            }
            bytes[0] += c.length();
            chunks[0]++;
        });
        System.out.printf("wordnet corpus: %d bytes in %d chunks (loaded in %d ms); first line: %s%n",
                bytes[0], chunks[0], ms, first[0].lines().findFirst().orElse(""));
        assertEquals(corpus.sizeBytes(), bytes[0]);
        assertTrue(bytes[0] > 5_000_000, "only " + bytes[0] + " bytes");
        assertTrue(first[0].startsWith("entity: "), first[0]);
        assertEquals(OptionalDouble.empty(), corpus.entropyFloorBitsPerByte());
    }
}
