package tandem.data.plan;

import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import tandem.data.augment.Augmenters;
import tandem.data.augment.TextAugmenter;
import tandem.data.corpus.Corpora;
import tandem.data.corpus.Corpus;
import tandem.data.corpus.DataException;
import tandem.data.corpus.Mix;
import tandem.proto.DataBudget;
import tandem.proto.DataFacts;
import tandem.proto.ExperimentSpec;
import tandem.proto.TokenBatch;

/**
 * Which bytes every training and evaluation shard of an experiment holds: a pure function of the spec
 * (DESIGN.md, "Data plan" and invariant D), so any data worker, on any JVM, produces the same shard.
 *
 * <ul>
 *   <li><b>Split.</b> Each corpus chunk goes to validation when a hash of its content mixed with
 *       {@code spec.seed} falls below {@code data_budget.validation_fraction}, else to train. Identical
 *       chunks land on the same side. Validation is never augmented and never trained on.
 *   <li><b>Budget.</b> The train chunks are put in one seeded order (the same for every budget); the budget
 *       is the first {@code data_budget.unique_bytes} bytes of it (0 = all), the last chunk cut. A smaller
 *       budget is therefore a prefix of a larger one.
 *   <li><b>Examples.</b> Example {@code i} is the window of {@code context + 1} bytes starting at
 *       {@code i * context} of the budget's bytes, so each byte is a target once per epoch; N = whole windows.
 *   <li><b>Epochs.</b> An epoch holds N x V items (example, view), V = the augmenter's views per example, in
 *       an order drawn from (seed, epoch). Global item {@code g = step * global_batch + shard * rows + row}
 *       is item {@code g mod NV} of epoch {@code g / NV}.
 *   <li><b>Views.</b> A view's text is the window decoded (malformed bytes at the edges replaced), passed
 *       through the augmenter with a seed from (seed, epoch, example, view), re-encoded and cut or padded to
 *       {@code context + 1} bytes; padding is masked out of the loss. A view whose text is the window's own
 *       keeps the window's bytes exactly.
 *   <li><b>Evaluation.</b> {@code eval.examples} non-overlapping validation windows of {@code context + 1}
 *       bytes (all of them if there are fewer), evenly spaced over the validation bytes in corpus order, cut
 *       into {@code eval.shards} slices of {@code ceil(examples / shards)} rows (the last ones may be
 *       smaller, or empty when there are fewer examples than slices).
 * </ul>
 *
 * Instances are immutable and thread-safe. Corpora and their chunk index are cached per JVM, so building
 * the plan for a spec again is cheap.
 */
public final class DataPlan {
    private static final long SPLIT_SALT = 0x53504C4954L;  // "SPLIT"
    private static final long BUDGET_SALT = 0x425544474554L; // "BUDGET"
    private static final long EPOCH_SALT = 0x45504F4348L;  // "EPOCH"
    private static final long VIEW_SALT = 0x56494557L;      // "VIEW"

    /**
     * One training shard and what the coordinator reports about it.
     *
     * @param batch         the rows: {@code rows x (context + 1)} bytes and {@code rows x context} loss mask
     * @param epoch         epoch over unique data of the shard's first example
     * @param augmentedRows rows holding an augmented view (text that differs from the original window)
     */
    public record Shard(TokenBatch batch, long epoch, int augmentedRows) {}

    /** One item of the epoch order: which example, which view, in which epoch. */
    public record Item(long epoch, long example, int view) {}

    private record EpochOrder(long epoch, FeistelPermutation permutation) {}

    private final ExperimentSpec spec;
    private final long seed;
    private final Corpus corpus;
    private final TextAugmenter augmenter;
    private final int context;
    private final int cols;
    private final int globalBatch;
    private final int shards;
    private final int rowsPerShard;
    private final int views;
    private final long trainSplitBytes;
    private final int trainChunks;
    private final int validationChunks;
    private final Segments budget;
    private final Segments validation;
    private final long windows;
    private final long itemsPerEpoch;
    private final long validationWindows;
    private final int evalExamples;
    private final int evalSlices;
    private final DataFacts facts;
    private volatile EpochOrder lastOrder;

    private DataPlan(ExperimentSpec spec, Corpus corpus, TextAugmenter augmenter, ChunkIndex index) throws DataException {
        this.spec = spec;
        this.seed = spec.getSeed();
        this.corpus = corpus;
        this.augmenter = augmenter;
        DataBudget data = spec.getDataBudget();
        this.context = spec.getModel().getContext();
        this.cols = context + 1;
        this.globalBatch = spec.getBatch().getGlobalBatch();
        this.shards = spec.getBatch().getShards();
        this.rowsPerShard = globalBatch / shards;
        this.views = augmenter.viewsPerExample();
        if (views < 1) {
            throw new DataException("data_budget.augmentation.views: the augmenter yields " + views + " views per example; need at least 1");
        }

        // Split, in corpus order.
        double fraction = data.getValidationFraction();
        int n = index.size();
        int[] train = new int[n];
        int[] valid = new int[n];
        int nt = 0;
        int nv = 0;
        long trainBytes = 0;
        long splitKey = Mix.mix(seed, SPLIT_SALT);
        for (int i = 0; i < n; i++) {
            if (Mix.unit(Mix.mix(splitKey, index.hashes[i])) < fraction) {
                valid[nv++] = i;
            } else {
                train[nt++] = i;
                trainBytes += index.lengths[i];
            }
        }
        this.trainChunks = nt;
        this.validationChunks = nv;
        this.trainSplitBytes = trainBytes;

        // Budget: a prefix of one seeded order of the train chunks.
        long asked = data.getUniqueBytes();
        if (asked < 0) {
            throw new DataException("data_budget.unique_bytes: must be >= 0 (0 = the whole train split), got " + asked);
        }
        if (asked > trainBytes) {
            throw new DataException("data_budget.unique_bytes: " + asked + " bytes asked, but the train split of "
                    + corpus.name() + " holds only " + trainBytes + " bytes");
        }
        long budgetBytes = asked == 0 ? trainBytes : asked;
        int[] order = Arrays.copyOf(train, nt);
        Mix.Rng rng = new Mix.Rng(Mix.mix(seed, BUDGET_SALT));
        for (int i = nt - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long[] refs = new long[nt];
        int[] lengths = new int[nt];
        int used = 0;
        long remaining = budgetBytes;
        while (remaining > 0) {
            int chunk = order[used];
            refs[used] = index.refs[chunk];
            lengths[used] = (int) Math.min(index.lengths[chunk], remaining);
            remaining -= lengths[used];
            used++;
        }
        this.budget = new Segments(corpus, Arrays.copyOf(refs, used), Arrays.copyOf(lengths, used));

        this.windows = budgetBytes >= cols ? (budgetBytes - 1) / context : 0;
        if (windows < rowsPerShard) {
            throw new DataException("data_budget.unique_bytes: " + budgetBytes + " bytes of " + corpus.name()
                    + " make " + windows + " training windows of context + 1 = " + cols
                    + " bytes, fewer than one shard needs (batch.global_batch / batch.shards = " + rowsPerShard + ")");
        }
        this.itemsPerEpoch = Math.multiplyExact(windows, (long) views);

        // Validation, in corpus order.
        long[] vrefs = new long[nv];
        int[] vlengths = new int[nv];
        for (int i = 0; i < nv; i++) {
            vrefs[i] = index.refs[valid[i]];
            vlengths[i] = index.lengths[valid[i]];
        }
        this.validation = new Segments(corpus, vrefs, vlengths);
        this.validationWindows = validation.size() / cols;
        if (validationWindows == 0) {
            throw new DataException("data_budget.validation_fraction: " + fraction + " puts " + validation.size()
                    + " bytes (" + nv + " of " + n + " chunks) of " + corpus.name()
                    + " in validation, less than one window of context + 1 = " + cols + " bytes; raise it");
        }
        this.evalExamples = (int) Math.min(spec.getEval().getExamples(), validationWindows);
        this.evalSlices = spec.getEval().getShards();

        DataFacts.Builder f = DataFacts.newBuilder()
                .setUniqueBytes(budgetBytes)
                .setExamplesPerEpoch(itemsPerEpoch)
                .setUniqueWindows(windows)
                .setValidationBytes(validation.size());
        f.setEntropyFloorBitsPerByte(corpus.entropyFloorBitsPerByte().orElse(Double.NaN));
        this.facts = f.build();
    }

    /** The plan for {@code spec} with the augmenter its {@code data_budget.augmentation} policy describes. */
    public static DataPlan build(ExperimentSpec spec) throws DataException {
        TextAugmenter augmenter;
        try {
            augmenter = Augmenters.fromPolicy(spec.getDataBudget().getAugmentation());
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null ? "data_budget.augmentation: invalid policy" : e.getMessage();
            throw new DataException(why.lines().findFirst().orElse(why), e);
        }
        return build(spec, augmenter);
    }

    /** The plan for {@code spec} with a given augmenter (its views must be pure functions of text and seed). */
    public static DataPlan build(ExperimentSpec spec, TextAugmenter augmenter) throws DataException {
        checkSpec(spec);
        Corpus corpus = Corpora.open(spec.getDataBudget(), spec.getSeed());
        return new DataPlan(spec, corpus, augmenter, ChunkIndex.of(corpus));
    }

    /** Forgets every cached corpus and chunk index except WordNet's text. For tests. */
    public static void clearCaches() {
        Corpora.clearCache();
        ChunkIndex.clearCache();
    }

    private static void checkSpec(ExperimentSpec spec) throws DataException {
        int context = spec.getModel().getContext();
        if (context <= 0) {
            throw new DataException("model.context: must be positive, got " + context);
        }
        int gb = spec.getBatch().getGlobalBatch();
        int s = spec.getBatch().getShards();
        if (gb <= 0 || s <= 0 || gb % s != 0) {
            throw new DataException("batch.shards: must be positive and divide batch.global_batch (" + gb + "), got " + s);
        }
        double fraction = spec.getDataBudget().getValidationFraction();
        if (!(fraction > 0 && fraction < 1)) {
            throw new DataException("data_budget.validation_fraction: must be in (0, 1), got " + fraction);
        }
        if (spec.getEval().getExamples() <= 0) {
            throw new DataException("eval.examples: must be positive, got " + spec.getEval().getExamples());
        }
        if (spec.getEval().getShards() <= 0) {
            throw new DataException("eval.shards: must be positive, got " + spec.getEval().getShards());
        }
    }

    // ---- training ----

    /**
     * Shard {@code shard} of step {@code step}: {@code global_batch / shards} rows. A pure function of
     * (spec, step, shard).
     */
    public Shard trainShard(long step, int shard) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0: " + step);
        }
        if (shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " not in [0, " + shards + ")");
        }
        int rows = rowsPerShard;
        byte[] tokens = new byte[rows * cols];
        byte[] mask = new byte[rows * context];
        long first = Math.addExact(Math.multiplyExact(step, (long) globalBatch), (long) shard * rows);
        boolean identity = augmenter.isIdentity();
        if (identity) {
            Arrays.fill(mask, (byte) 1);
        }
        int augmented = 0;
        for (int r = 0; r < rows; r++) {
            Item item = item(first + r);
            int at = r * cols;
            budget.read(item.example() * context, tokens, at, cols);
            if (!identity && fillView(tokens, at, mask, r * context, item)) {
                augmented++;
            }
        }
        TokenBatch batch = TokenBatch.newBuilder()
                .setRows(rows)
                .setCols(cols)
                .setTokens(UnsafeByteOperations.unsafeWrap(tokens))
                .setLossMask(UnsafeByteOperations.unsafeWrap(mask))
                .build();
        return new Shard(batch, first / itemsPerEpoch, augmented);
    }

    /** Replaces row bytes by the item's view; returns whether the view differs from the window. */
    private boolean fillView(byte[] tokens, int at, byte[] mask, int maskAt, Item item) {
        String text = new String(tokens, at, cols, StandardCharsets.UTF_8);
        long viewSeed = Mix.mix(seed, VIEW_SALT, item.epoch(), item.example(), item.view());
        String view = augmenter.view(text, viewSeed, item.view());
        if (view == null) {
            throw new IllegalStateException("augmenter returned null for view " + item.view());
        }
        if (view.equals(text)) {
            Arrays.fill(mask, maskAt, maskAt + context, (byte) 1);
            return false;
        }
        byte[] bytes = view.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, cols);
        System.arraycopy(bytes, 0, tokens, at, n);
        Arrays.fill(tokens, at + n, at + cols, (byte) 0);
        for (int p = 0; p < context; p++) {
            mask[maskAt + p] = (byte) (p + 1 < n ? 1 : 0);
        }
        return true;
    }

    /** Which (epoch, example, view) global item {@code g} (= step * global_batch + shard * rows + row) is. */
    public Item item(long g) {
        if (g < 0) {
            throw new IllegalArgumentException("item index must be >= 0: " + g);
        }
        long epoch = g / itemsPerEpoch;
        long position = g % itemsPerEpoch;
        long slot = order(epoch).apply(position);
        return new Item(epoch, slot / views, (int) (slot % views));
    }

    private FeistelPermutation order(long epoch) {
        EpochOrder last = lastOrder;
        if (last == null || last.epoch() != epoch) {
            last = new EpochOrder(epoch, new FeistelPermutation(itemsPerEpoch, Mix.mix(seed, EPOCH_SALT, epoch)));
            lastOrder = last;
        }
        return last.permutation();
    }

    /** The bytes of training example {@code example}, before any augmentation. */
    public byte[] example(long example) {
        if (example < 0 || example >= windows) {
            throw new IndexOutOfBoundsException("example " + example + " not in [0, " + windows + ")");
        }
        return budget.read(example * context, cols);
    }

    // ---- evaluation ----

    /** Validation slice {@code index} (0 <= index < eval.shards); never augmented, loss mask all 1. */
    public TokenBatch evalShard(int index) {
        if (index < 0 || index >= evalSlices) {
            throw new IllegalArgumentException("eval shard " + index + " not in [0, " + evalSlices + ")");
        }
        int from = evalSliceStart(index);
        int rows = evalSliceStart(index + 1) - from;
        byte[] tokens = new byte[rows * cols];
        byte[] mask = new byte[rows * context];
        Arrays.fill(mask, (byte) 1);
        for (int r = 0; r < rows; r++) {
            validation.read(validationWindow(from + r) * cols, tokens, r * cols, cols);
        }
        return TokenBatch.newBuilder()
                .setRows(rows)
                .setCols(cols)
                .setTokens(UnsafeByteOperations.unsafeWrap(tokens))
                .setLossMask(UnsafeByteOperations.unsafeWrap(mask))
                .build();
    }

    /** Which validation window evaluation example k is: floor(k * windows / examples), exactly. */
    private long validationWindow(int k) {
        long q = validationWindows / evalExamples;
        long rem = validationWindows % evalExamples;
        return k * q + (k * rem) / evalExamples;
    }

    /** Validation windows evaluated in total (eval.examples, or fewer if validation is smaller). */
    public int evalExamples() {
        return evalExamples;
    }

    /** Slices {@link #evalShard} serves: eval.shards. */
    public int evalShards() {
        return evalSlices;
    }

    /** Rows of eval slice {@code index}. */
    public int evalShardRows(int index) {
        return evalSliceStart(index + 1) - evalSliceStart(index);
    }

    /** Slices split the examples as evenly as integers allow, so none is empty while slices <= examples. */
    private int evalSliceStart(int index) {
        return (int) ((long) index * evalExamples / evalSlices);
    }

    // ---- facts ----

    public DataFacts facts() {
        return facts;
    }

    /** Epochs over the unique data after {@code itemsSeen} training rows. */
    public double epochsAt(long itemsSeen) {
        return itemsSeen / (double) itemsPerEpoch;
    }

    /** Epochs over the unique data after {@code steps} completed steps. */
    public double epochsAfterSteps(long steps) {
        return epochsAt(steps * (long) globalBatch);
    }

    /** The epoch step {@code step}'s first item belongs to. */
    public long epochOfStep(long step) {
        return step * (long) globalBatch / itemsPerEpoch;
    }

    public ExperimentSpec spec() {
        return spec;
    }

    public Corpus corpus() {
        return corpus;
    }

    public TextAugmenter augmenter() {
        return augmenter;
    }

    /** Training windows N over the budget. */
    public long windows() {
        return windows;
    }

    public int viewsPerExample() {
        return views;
    }

    /** N x V. */
    public long itemsPerEpoch() {
        return itemsPerEpoch;
    }

    public int rowsPerShard() {
        return rowsPerShard;
    }

    /** Bytes in the budget (= facts().unique_bytes). */
    public long uniqueBytes() {
        return budget.size();
    }

    /** Bytes in the whole train split (the largest budget possible). */
    public long trainSplitBytes() {
        return trainSplitBytes;
    }

    public long validationBytes() {
        return validation.size();
    }

    public int trainChunks() {
        return trainChunks;
    }

    public int validationChunks() {
        return validationChunks;
    }

    /** Chunks (the last possibly cut) making up the budget. */
    public int budgetChunks() {
        return budget.count();
    }

    /** The budget's bytes [from, from + length), in budget order. */
    public byte[] uniqueBytes(long from, int length) {
        return budget.read(from, length);
    }

    /** The validation bytes [from, from + length), in corpus order. */
    public byte[] validationBytes(long from, int length) {
        return validation.read(from, length);
    }

    Segments budgetSegments() {
        return budget;
    }

    Segments validationSegments() {
        return validation;
    }
}
