package tandem.data.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class SyntheticCorpusTest {

    static byte[] allBytes(Corpus corpus) throws DataException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        corpus.forEachChunk(c -> out.writeBytes(c.utf8()));
        return out.toByteArray();
    }

    @Test
    void entropyRateIsBetweenOneAndThreeBitsForManySeeds() {
        for (long seed = 0; seed < 20; seed++) {
            double h = new MarkovSource(seed).entropyRateBitsPerByte();
            assertTrue(h >= 1.0 && h <= 3.0, "seed " + seed + ": H = " + h);
        }
        System.out.printf("synthetic entropy rate, seed 1: %.12f bits/byte%n", new MarkovSource(1).entropyRateBitsPerByte());
    }

    @Test
    void stationaryDistributionIsAFixedPoint() {
        MarkovSource m = new MarkovSource(1);
        int k = MarkovSource.alphabetSize();
        double total = 0;
        double residual = 0;
        for (int b = 0; b < k; b++) {
            for (int c = 0; c < k; c++) {
                double next = 0;
                for (int a = 0; a < k; a++) {
                    next += m.stationary(a, b) * m.probability(a, b, c);
                }
                residual += Math.abs(next - m.stationary(b, c));
                total += m.stationary(b, c);
            }
        }
        assertEquals(1.0, total, 1e-12);
        assertTrue(residual < 1e-12, "L1 residual " + residual);
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double row = 0;
                for (int c = 0; c < k; c++) {
                    row += m.probability(a, b, c);
                }
                assertEquals(1.0, row, 1e-12);
            }
        }
    }

    @Test
    void sameSeedSameBytesAndEntropy() throws DataException {
        SyntheticCorpus a = SyntheticCorpus.generate(7, 100_000);
        SyntheticCorpus b = SyntheticCorpus.generate(7, 100_000);
        SyntheticCorpus c = SyntheticCorpus.generate(8, 100_000);
        assertArrayEquals(allBytes(a), allBytes(b));
        assertEquals(a.entropyFloorBitsPerByte().getAsDouble(), b.entropyFloorBitsPerByte().getAsDouble());
        assertFalse(java.util.Arrays.equals(allBytes(a), allBytes(c)));
        assertEquals(100_000, allBytes(a).length);
        assertEquals(a.cacheKey(), b.cacheKey());
    }

    @Test
    void chunksAreFixedSizeAsciiFromTheAlphabet() throws DataException {
        SyntheticCorpus corpus = SyntheticCorpus.generate(3, 10_000);
        int[] count = {0};
        corpus.forEachChunk(chunk -> {
            assertTrue(chunk.length() == SyntheticCorpus.CHUNK_BYTES || count[0] == 4, "chunk " + count[0] + " of " + chunk.length());
            for (byte x : chunk.utf8()) {
                assertTrue(MarkovSource.symbolIndex(x) >= 0);
            }
            count[0]++;
        });
        assertEquals(5, count[0]);
    }

    @Test
    void empiricalConditionalEntropyOfOneMegabyteMatchesTheRate() throws DataException {
        SyntheticCorpus corpus = SyntheticCorpus.generate(1, 1 << 20);
        byte[] text = allBytes(corpus);
        int k = MarkovSource.alphabetSize();
        long[][] counts = new long[k * k][k];
        for (int i = 2; i < text.length; i++) {
            int s = MarkovSource.symbolIndex(text[i - 2]) * k + MarkovSource.symbolIndex(text[i - 1]);
            counts[s][MarkovSource.symbolIndex(text[i])]++;
        }
        double n = text.length - 2;
        double h = 0;
        for (long[] row : counts) {
            long total = 0;
            for (long c : row) {
                total += c;
            }
            for (long c : row) {
                if (c > 0) {
                    h -= (c / n) * Math.log((double) c / total) / Math.log(2);
                }
            }
        }
        double exact = corpus.entropyFloorBitsPerByte().getAsDouble();
        System.out.printf("1 MB sample: empirical H(X|2 previous) = %.5f, exact rate = %.5f%n", h, exact);
        assertEquals(exact, h, 0.02 * exact);
    }
}
