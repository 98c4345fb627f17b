package tandem.data.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.data.augment.TextAugmenter;
import tandem.data.corpus.DataException;
import tandem.data.corpus.Mix;
import tandem.proto.AugmentationPolicy;
import tandem.proto.BatchSpec;
import tandem.proto.DataBudget;
import tandem.proto.EvalSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

class DataPlanTest {
    static final int CONTEXT = 64;

    @TempDir
    Path dir;

    static ExperimentSpec.Builder spec(String corpus, long seed) {
        return ExperimentSpec.newBuilder()
                .setSeed(seed)
                .setModel(ModelSpec.newBuilder().setContext(CONTEXT))
                .setBatch(BatchSpec.newBuilder().setGlobalBatch(16).setShards(4))
                .setDataBudget(DataBudget.newBuilder()
                        .setCorpus(corpus)
                        .setValidationFraction(0.1)
                        .setSyntheticBytes(400_000)
                        .setAugmentation(AugmentationPolicy.newBuilder().setPreset("none")))
                .setEval(EvalSpec.newBuilder().setExamples(64).setShards(4));
    }

    static ExperimentSpec withBudget(ExperimentSpec.Builder b, long bytes) {
        return b.setDataBudget(b.getDataBudget().toBuilder().setUniqueBytes(bytes)).build();
    }

    /** Random words, so any 32-byte window is (with overwhelming probability) unique to where it came from. */
    Path proseFile(String name, int bytes, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < bytes) {
            int words = 4 + r.nextInt(12);
            for (int w = 0; w < words; w++) {
                int len = 2 + r.nextInt(7);
                for (int i = 0; i < len; i++) {
                    sb.append((char) ('a' + r.nextInt(26)));
                }
                sb.append(w + 1 < words ? ' ' : '.');
            }
            sb.append(r.nextInt(5) == 0 ? "\n\n" : "\n");
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    static byte[] bytes(com.google.protobuf.ByteString s) {
        return s.toByteArray();
    }

    // ---- split ----

    @Test
    void splitPutsEachChunkOnOneSideAtRoughlyTheAskedFraction() throws DataException {
        DataPlan plan = DataPlan.build(spec("synthetic", 11).setDataBudget(spec("synthetic", 11).getDataBudget().toBuilder()
                .setSyntheticBytes(2_000_000).setValidationFraction(0.2)).build());
        Set<Long> train = new HashSet<>();
        for (int i = 0; i < plan.budgetSegments().count(); i++) {
            train.add(plan.budgetSegments().ref(i));
        }
        Set<Long> valid = new HashSet<>();
        for (int i = 0; i < plan.validationSegments().count(); i++) {
            valid.add(plan.validationSegments().ref(i));
        }
        int total = plan.trainChunks() + plan.validationChunks();
        assertEquals(train.size(), plan.trainChunks(), "the whole-train budget holds every train chunk once");
        assertEquals(total, train.size() + valid.size());
        train.retainAll(valid);
        assertTrue(train.isEmpty(), "chunks on both sides: " + train);
        double expected = 0.2 * total;
        double sigma = Math.sqrt(total * 0.2 * 0.8);
        assertTrue(Math.abs(plan.validationChunks() - expected) < 4 * sigma,
                plan.validationChunks() + " validation chunks of " + total);
        assertEquals(plan.trainSplitBytes() + plan.validationBytes(), 2_000_000);
    }

    @Test
    void noValidationTextReachesTrainingOnSynthetic() throws DataException {
        assertNoValidationInTraining(DataPlan.build(spec("synthetic", 5).build()), 300);
    }

    @Test
    void noValidationTextReachesTrainingOnAFile() throws Exception {
        Path file = proseFile("corpus.txt", 300_000, 9);
        assertNoValidationInTraining(DataPlan.build(spec(file.toString(), 5).build()), 300);
    }

    @Test
    void noValidationTextNorAnAugmentedVariantOfItReachesTraining() throws Exception {
        Path file = proseFile("corpus.txt", 300_000, 11);
        ExperimentSpec.Builder spec = spec(file.toString(), 5);
        spec.getDataBudgetBuilder().setAugmentation(AugmentationPolicy.newBuilder().setPreset("eda+noise"));
        DataPlan plan = DataPlan.build(spec.build());
        Set<Long> validation = validationGrams(plan, 32);
        int augmented = 0;
        for (long t = 0; t < 200; t++) {
            for (int s = 0; s < 4; s++) {
                DataPlan.Shard shard = plan.trainShard(t, s);
                augmented += shard.augmentedRows();
                for (int r = 0; r < shard.batch().getRows(); r++) {
                    // Provenance: every row, augmented or not, is a view of a window of the train budget...
                    DataPlan.Item item = plan.item(t * 16 + s * 4 + r);
                    byte[] origin = plan.example(item.example());
                    for (int i = 0; i + 32 <= origin.length; i++) {
                        assertFalse(validation.contains(Mix.hashBytes(origin, i, 32)),
                                "step " + t + " shard " + s + " row " + r + " derives from validation text");
                    }
                    // ...and the original view is that window byte for byte.
                    if (item.view() == 0) {
                        byte[] row = java.util.Arrays.copyOfRange(bytes(shard.batch().getTokens()), r * 65, r * 65 + 65);
                        assertTrue(java.util.Arrays.equals(origin, row), "view 0 is the original window");
                    }
                }
            }
        }
        assertTrue(augmented > 200 * 16 / 2, "most rows are augmented views: " + augmented);
    }

    private static Set<Long> validationGrams(DataPlan plan, int gram) {
        Set<Long> validation = new HashSet<>();
        byte[] v = plan.validationBytes(0, (int) plan.validationBytes());
        for (int i = 0; i + gram <= v.length; i++) {
            validation.add(Mix.hashBytes(v, i, gram));
        }
        return validation;
    }

    private static void assertNoValidationInTraining(DataPlan plan, int steps) {
        int gram = 32;
        Set<Long> validation = new HashSet<>();
        byte[] v = plan.validationBytes(0, (int) plan.validationBytes());
        for (int i = 0; i + gram <= v.length; i++) {
            validation.add(Mix.hashBytes(v, i, gram));
        }
        assertTrue(validation.size() > 1000, "validation too small for the test");
        int rows = 0;
        for (long t = 0; t < steps; t++) {
            for (int s = 0; s < 4; s++) {
                TokenBatch batch = plan.trainShard(t, s).batch();
                byte[] tokens = bytes(batch.getTokens());
                for (int r = 0; r < batch.getRows(); r++, rows++) {
                    for (int i = 0; i + gram <= batch.getCols(); i++) {
                        assertFalse(validation.contains(Mix.hashBytes(tokens, r * batch.getCols() + i, gram)),
                                "step " + t + " shard " + s + " row " + r + " holds validation text");
                    }
                }
            }
        }
        assertEquals(steps * 16, rows);
    }

    // ---- budgets ----

    @Test
    void budgetsNest() throws DataException {
        DataPlan small = DataPlan.build(withBudget(spec("synthetic", 3), 50_000));
        DataPlan large = DataPlan.build(withBudget(spec("synthetic", 3), 200_001));
        DataPlan all = DataPlan.build(withBudget(spec("synthetic", 3), 0));
        assertEquals(50_000, small.facts().getUniqueBytes());
        assertEquals(200_001, large.facts().getUniqueBytes());
        assertEquals(all.trainSplitBytes(), all.facts().getUniqueBytes());
        assertArrayEquals(small.uniqueBytes(0, 50_000), large.uniqueBytes(0, 50_000));
        assertArrayEquals(large.uniqueBytes(0, 200_001), all.uniqueBytes(0, 200_001));
        assertEquals((50_000 - 1) / CONTEXT, small.windows());
        assertEquals(small.windows(), small.facts().getExamplesPerEpoch());
    }

    @Test
    void budgetLargerThanTheTrainSplitNamesTheFieldAndBothSizes() throws DataException {
        long train = DataPlan.build(spec("synthetic", 3).build()).trainSplitBytes();
        DataException e = assertThrows(DataException.class, () -> DataPlan.build(withBudget(spec("synthetic", 3), train + 1)));
        assertTrue(e.getMessage().startsWith("data_budget.unique_bytes"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(train + 1)) && e.getMessage().contains(String.valueOf(train)), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void budgetTooSmallForOneShardNamesTheField() {
        DataException e = assertThrows(DataException.class, () -> DataPlan.build(withBudget(spec("synthetic", 3), 3 * CONTEXT + 1)));
        assertTrue(e.getMessage().startsWith("data_budget.unique_bytes") && e.getMessage().contains("fewer than one shard"), e.getMessage());
    }

    @Test
    void missingCorpusPathIsADataException() {
        String missing = dir.resolve("missing").toString();
        DataException e = assertThrows(DataException.class, () -> DataPlan.build(spec(missing, 1).build()));
        assertTrue(e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void invalidUtf8CorpusIsADataException() throws IOException {
        Path file = dir.resolve("bin.dat");
        Files.write(file, new byte[] {'o', 'k', (byte) 0x80, 'x'});
        DataException e = assertThrows(DataException.class, () -> DataPlan.build(spec(file.toString(), 1).build()));
        assertTrue(e.getMessage().contains("bin.dat") && e.getMessage().contains("byte offset 2"), e.getMessage());
    }

    @Test
    void noValidationWindowsNamesTheValidationFraction() throws IOException {
        Path file = Files.writeString(dir.resolve("one-chunk.txt"), "abcdefghij ".repeat(300)); // one chunk
        int validationErrors = 0;
        for (long seed = 1; seed <= 10; seed++) {
            ExperimentSpec.Builder b = spec(file.toString(), seed);
            b.setDataBudget(b.getDataBudget().toBuilder().setValidationFraction(0.01));
            b.setModel(ModelSpec.newBuilder().setContext(16));
            DataException e = assertThrows(DataException.class, () -> DataPlan.build(b.build()));
            if (e.getMessage().startsWith("data_budget.validation_fraction")) {
                validationErrors++;
            }
        }
        assertTrue(validationErrors > 0);
    }

    // ---- purity and sharding ----

    @Test
    void shardsArePureFunctionsOfSpecStepAndShard() throws DataException {
        ExperimentSpec s = withBudget(spec("synthetic", 42), 100_000);
        DataPlan a = DataPlan.build(s);
        DataPlan.clearCaches();
        DataPlan b = DataPlan.build(s);
        assertTrue(a.corpus() != b.corpus(), "independently built");
        long[] steps = {0, 1, 7, 97, 98, 99, 1000, 123_456};
        for (long t : steps) {
            for (int sh = 0; sh < 4; sh++) {
                assertEquals(a.trainShard(t, sh), b.trainShard(t, sh), "step " + t + " shard " + sh);
            }
        }
        for (int e = 0; e < 4; e++) {
            assertEquals(a.evalShard(e), b.evalShard(e));
        }
        assertEquals(a.facts(), b.facts());
        assertNotEquals(a.trainShard(0, 0).batch(), a.trainShard(0, 1).batch());
        assertNotEquals(a.trainShard(0, 0).batch(), a.trainShard(a.windows() / 16 + 1, 0).batch(), "epoch 1 reorders");
    }

    /** Pins the bytes: a change here changes every experiment's data (invariant D across versions). */
    @Test
    void goldenShardDigest() throws DataException {
        DataPlan plan = DataPlan.build(withBudget(spec("synthetic", 1), 100_000));
        CRC32 crc = new CRC32();
        for (long t = 0; t < 200; t += 37) {
            for (int s = 0; s < 4; s++) {
                TokenBatch batch = plan.trainShard(t, s).batch();
                crc.update(bytes(batch.getTokens()));
                crc.update(bytes(batch.getLossMask()));
            }
        }
        crc.update(bytes(plan.evalShard(0).getTokens()));
        System.out.printf("golden shard digest: %08x, H(seed 1) = %.15f%n", crc.getValue(), plan.facts().getEntropyFloorBitsPerByte());
        assertEquals(2.017149793399, plan.facts().getEntropyFloorBitsPerByte(), 1e-12);
        assertEquals(GOLDEN_DIGEST, crc.getValue());
    }

    static final long GOLDEN_DIGEST = 0x0579572EL;

    @Test
    void shardsOfAStepPartitionTheGlobalBatch() throws DataException {
        ExperimentSpec four = withBudget(spec("synthetic", 8), 60_000);
        ExperimentSpec one = four.toBuilder().setBatch(BatchSpec.newBuilder().setGlobalBatch(16).setShards(1)).build();
        DataPlan p4 = DataPlan.build(four);
        DataPlan p1 = DataPlan.build(one);
        for (long t : new long[] {0, 3, 57, 58, 500}) {
            byte[] whole = bytes(p1.trainShard(t, 0).batch().getTokens());
            java.io.ByteArrayOutputStream parts = new java.io.ByteArrayOutputStream();
            for (int s = 0; s < 4; s++) {
                TokenBatch b = p4.trainShard(t, s).batch();
                assertEquals(4, b.getRows());
                assertEquals(CONTEXT + 1, b.getCols());
                assertEquals(4 * CONTEXT, b.getLossMask().size());
                parts.writeBytes(bytes(b.getTokens()));
            }
            assertArrayEquals(whole, parts.toByteArray(), "step " + t);
        }
    }

    // ---- epochs ----

    @Test
    void anIdentityEpochVisitsEveryWindowOnce() throws DataException {
        DataPlan plan = DataPlan.build(withBudget(spec("synthetic", 2), 64_001));
        long n = plan.windows();
        assertEquals(1000, n);
        Set<Long> seen = new HashSet<>();
        for (long g = 0; g < n; g++) {
            DataPlan.Item item = plan.item(g);
            assertEquals(0, item.epoch());
            assertEquals(0, item.view());
            assertTrue(seen.add(item.example()));
        }
        assertEquals(n, seen.size());
        // the batches hold those windows: step t, shard s, row r is item t*16 + s*4 + r
        TokenBatch b = plan.trainShard(5, 2).batch();
        byte[] tokens = bytes(b.getTokens());
        for (int r = 0; r < 4; r++) {
            byte[] row = java.util.Arrays.copyOfRange(tokens, r * 65, r * 65 + 65);
            assertArrayEquals(plan.example(plan.item(5 * 16 + 2 * 4 + r).example()), row);
        }
        for (byte m : bytes(b.getLossMask())) {
            assertEquals(1, m);
        }
        assertEquals(0, plan.trainShard(62, 0).epoch());
        assertEquals(1, plan.trainShard(62, 2).epoch()); // items 1000.. start epoch 1
        assertEquals(2.0, plan.epochsAt(2000));
    }

    /** View 0 keeps the text; view 1 upper-cases it; view 2 is a short seed-dependent string. */
    static final class ThreeViews implements TextAugmenter {
        @Override public int viewsPerExample() { return 3; }
        @Override public boolean isIdentity() { return false; }
        @Override public String view(String text, long seed, int view) {
            switch (view) {
                case 0: return text;
                case 1: return text.toUpperCase(java.util.Locale.ROOT);
                default: return "seed " + Long.toHexString(seed);
            }
        }
    }

    @Test
    void anAugmentedEpochHoldsEachExampleViewOnce() throws DataException {
        DataPlan plan = DataPlan.build(withBudget(spec("synthetic", 2), 64_001), new ThreeViews());
        long items = plan.itemsPerEpoch();
        assertEquals(3000, items);
        assertEquals(3000, plan.facts().getExamplesPerEpoch());
        for (long epoch = 0; epoch < 2; epoch++) {
            Set<Long> seen = new HashSet<>();
            for (long g = epoch * items; g < (epoch + 1) * items; g++) {
                DataPlan.Item item = plan.item(g);
                assertEquals(epoch, item.epoch());
                assertTrue(seen.add(item.example() * 3 + item.view()), "twice: " + item);
            }
            assertEquals(items, seen.size());
        }
        boolean differ = false;
        for (long g = 0; g < 50; g++) {
            differ |= !plan.item(g).equals(new DataPlan.Item(0, plan.item(g + items).example(), plan.item(g + items).view()));
        }
        assertTrue(differ, "each epoch has its own order");
    }

    @Test
    void augmentedViewsArePaddedMaskedCountedAndPure() throws DataException {
        ExperimentSpec s = withBudget(spec("synthetic", 2), 64_001);
        DataPlan plan = DataPlan.build(s, new ThreeViews());
        DataPlan again = DataPlan.build(s, new ThreeViews());
        int cols = CONTEXT + 1;
        int augmentedSeen = 0;
        for (long t = 0; t < 40; t++) {
            for (int sh = 0; sh < 4; sh++) {
                DataPlan.Shard shard = plan.trainShard(t, sh);
                assertEquals(shard, again.trainShard(t, sh));
                byte[] tokens = bytes(shard.batch().getTokens());
                byte[] mask = bytes(shard.batch().getLossMask());
                int augmented = 0;
                for (int r = 0; r < 4; r++) {
                    DataPlan.Item item = plan.item(t * 16 + sh * 4 + r);
                    byte[] row = java.util.Arrays.copyOfRange(tokens, r * cols, (r + 1) * cols);
                    byte[] original = plan.example(item.example());
                    String text = new String(original, StandardCharsets.UTF_8);
                    byte[] rowMask = java.util.Arrays.copyOfRange(mask, r * CONTEXT, (r + 1) * CONTEXT);
                    if (item.view() == 0) {
                        assertArrayEquals(original, row);
                        for (byte m : rowMask) {
                            assertEquals(1, m);
                        }
                    } else if (item.view() == 1) {
                        augmented++;
                        assertArrayEquals(text.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8), row);
                        for (byte m : rowMask) {
                            assertEquals(1, m);
                        }
                    } else {
                        augmented++;
                        String v = new String(row, StandardCharsets.UTF_8).replace("\0", "");
                        assertTrue(v.startsWith("seed "), v);
                        int len = v.length();
                        for (int p = 0; p < CONTEXT; p++) {
                            assertEquals(p + 1 < len ? 1 : 0, rowMask[p], "mask at " + p + " for length " + len);
                        }
                        for (int p = len; p < cols; p++) {
                            assertEquals(0, row[p]);
                        }
                    }
                }
                assertEquals(augmented, shard.augmentedRows());
                augmentedSeen += augmented;
            }
        }
        assertTrue(augmentedSeen > 0);
        // the view seed depends on the epoch: the same (example, view 2) differs across epochs
        long items = plan.itemsPerEpoch();
        long g0 = -1;
        for (long g = 0; g < items; g++) {
            if (plan.item(g).view() == 2) {
                g0 = g;
                break;
            }
        }
        DataPlan.Item first = plan.item(g0);
        long g1 = -1;
        for (long g = items; g < 2 * items; g++) {
            DataPlan.Item it = plan.item(g);
            if (it.view() == 2 && it.example() == first.example()) {
                g1 = g;
                break;
            }
        }
        assertNotEquals(rowOf(plan, g0), rowOf(plan, g1));
    }

    private static String rowOf(DataPlan plan, long g) {
        long step = g / 16;
        int within = (int) (g % 16);
        TokenBatch b = plan.trainShard(step, within / 4).batch();
        int r = within % 4;
        return new String(bytes(b.getTokens()), r * b.getCols(), b.getCols(), StandardCharsets.ISO_8859_1);
    }

    // ---- evaluation ----

    @Test
    void evalShardsAreSpacedValidationWindowsNeverAugmented() throws DataException {
        DataPlan plan = DataPlan.build(spec("synthetic", 4).setEval(EvalSpec.newBuilder().setExamples(50).setShards(4)).build(),
                new ThreeViews());
        int cols = CONTEXT + 1;
        assertEquals(50, plan.evalExamples());
        int[] expectedRows = {12, 13, 12, 13}; // floor(i * 50 / 4): as even as integers allow
        Set<String> rows = new HashSet<>();
        byte[] validation = plan.validationBytes(0, (int) plan.validationBytes());
        String all = new String(validation, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 4; i++) {
            TokenBatch b = plan.evalShard(i);
            assertEquals(expectedRows[i], b.getRows());
            assertEquals(expectedRows[i], plan.evalShardRows(i));
            assertEquals(cols, b.getCols());
            for (byte m : bytes(b.getLossMask())) {
                assertEquals(1, m);
            }
            byte[] tokens = bytes(b.getTokens());
            for (int r = 0; r < b.getRows(); r++) {
                String row = new String(tokens, r * cols, cols, StandardCharsets.ISO_8859_1);
                int at = all.indexOf(row);
                assertTrue(at >= 0 && at % cols == 0, "not an aligned validation window");
                assertTrue(rows.add(row));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> plan.evalShard(4));
    }

    @Test
    void evalUsesAllValidationWindowsWhenThereAreFewer() throws Exception {
        Path file = proseFile("small.txt", 60_000, 3);
        DataPlan plan = DataPlan.build(spec(file.toString(), 6).setEval(EvalSpec.newBuilder().setExamples(100_000).setShards(3)).build());
        long windows = plan.validationBytes() / (CONTEXT + 1);
        assertEquals(windows, plan.evalExamples());
        int total = 0;
        for (int i = 0; i < 3; i++) {
            total += plan.evalShard(i).getRows();
        }
        assertEquals(windows, total);
        assertTrue(Double.isNaN(plan.facts().getEntropyFloorBitsPerByte()));
        assertEquals(plan.validationBytes(), plan.facts().getValidationBytes());
    }

    // ---- WordNet, cache, speed ----

    @Test
    void wordnetPlanBuildsAndReusesTheCorpus() throws DataException {
        ExperimentSpec s = spec("wordnet", 1).setBatch(BatchSpec.newBuilder().setGlobalBatch(32).setShards(4)).build();
        long t0 = System.nanoTime();
        DataPlan first = DataPlan.build(s);
        long t1 = System.nanoTime();
        DataPlan second = DataPlan.build(s);
        long t2 = System.nanoTime();
        assertTrue(first.corpus() == second.corpus());
        assertEquals(first.trainShard(10, 3), second.trainShard(10, 3));
        System.out.printf("wordnet plan: %s; first build %d ms, rebuild %d ms%n",
                first.facts().toString().replace('\n', ' '), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        assertTrue(first.facts().getUniqueBytes() > 5_000_000);
    }

    @Test
    void trainShardIsFast() throws DataException {
        ExperimentSpec s = spec("synthetic", 1).setBatch(BatchSpec.newBuilder().setGlobalBatch(16).setShards(1)).build();
        DataPlan plan = DataPlan.build(s);
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += plan.trainShard(i, 0).batch().getRows();
        }
        int calls = 100_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink += plan.trainShard(20_000 + i, 0).batch().getRows();
        }
        double micros = (System.nanoTime() - t0) / 1e3 / calls;
        System.out.printf("trainShard, 16 rows x 65 bytes, identity: %.2f us per call%n", micros);
        assertEquals(16L * (20_000 + calls), sink);
        assertTrue(micros < 1000, micros + " us");
    }
}
