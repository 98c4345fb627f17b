package tandem.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;
import tandem.proto.AugmentationPolicy;
import tandem.proto.BatchSpec;
import tandem.proto.CheckpointSpec;
import tandem.proto.DataBudget;
import tandem.proto.EvalSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.GpuBudget;
import tandem.proto.ModelSpec;
import tandem.proto.OptimizerSpec;
import tandem.proto.RuntimeSpec;

/**
 * What an ExperimentSpec means: the defaults its zero values stand for, and the rules a spec must keep.
 * Part of the wire contract: every node reads a spec through {@link #withDefaults}, so a field left out
 * means the same thing everywhere.
 */
public final class Specs {
    private Specs() {}

    /** The built-in experiment: `./tandem local` with no flags. */
    public static final ExperimentSpec DEFAULTS = ExperimentSpec.newBuilder()
            .setName("demo")
            .setSeed(1)
            .setModel(ModelSpec.newBuilder()
                    .setKind(ModelSpec.Kind.TRANSFORMER)
                    .setContext(64).setDModel(64).setLayers(2).setHeads(4).setDFf(256)
                    .setMlpHidden(256).setMlpEmbed(16))
            .setOptimizer(OptimizerSpec.newBuilder()
                    .setLearningRate(3e-3).setMinLearningRate(3e-4).setWarmupSteps(100)
                    .setBeta1(0.9).setBeta2(0.99).setEpsilon(1e-8).setGradClipNorm(1.0))
            .setBatch(BatchSpec.newBuilder().setGlobalBatch(64).setShards(4))
            .setGpuBudget(GpuBudget.newBuilder().setMaxSteps(2000).setGpuWorkers(2))
            .setDataBudget(DataBudget.newBuilder()
                    .setCorpus("wordnet").setValidationFraction(0.05).setDataWorkers(1)
                    .setSyntheticBytes(2_000_000)
                    .setAugmentation(AugmentationPolicy.newBuilder().setPreset("none")))
            .setEval(EvalSpec.newBuilder().setEverySteps(250).setExamples(512).setShards(4))
            .setCheckpoint(CheckpointSpec.newBuilder().setEverySteps(100).setKeepLast(3))
            .setRuntime(RuntimeSpec.newBuilder().setNd4JThreads(1).setPrefetchDepth(8).setShardTimeoutSeconds(60))
            .build();

    /** Parses a spec from JSON; unknown fields are an error that names them. */
    public static ExperimentSpec fromJson(String json, String source) throws SpecException {
        ExperimentSpec.Builder builder = ExperimentSpec.newBuilder();
        try {
            JsonFormat.parser().merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new SpecException(source + ": " + jsonProblem(e));
        }
        return builder.build();
    }

    /**
     * Why JSON parsing failed, in one line, without the exception class names the parser puts in front of
     * malformed input ("java.io.EOFException: End of input at line 1 column 5" reads "malformed JSON: End of
     * input at line 1 column 5").
     */
    public static String jsonProblem(Exception e) {
        String line = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        String stripped = line.replaceAll("^([\\w.$]+(Exception|Error): )+", "");
        if (stripped.isEmpty()) {
            return "unreadable JSON";
        }
        return stripped.equals(line) ? line : "malformed JSON: " + stripped;
    }

    public static String toJson(com.google.protobuf.MessageOrBuilder message) {
        try {
            return JsonFormat.printer().print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fills every zero field from {@link #DEFAULTS}. Messages merge field by field; a zero (proto3's
     * "unset") in the spec takes the default, anything else wins.
     */
    public static ExperimentSpec withDefaults(ExperimentSpec spec) {
        ExperimentSpec.Builder merged = DEFAULTS.toBuilder();
        mergeNonZero(merged, spec);
        return merged.build();
    }

    private static void mergeNonZero(com.google.protobuf.Message.Builder target, com.google.protobuf.Message source) {
        source.getAllFields().forEach((field, value) -> {
            if (field.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
                mergeNonZero(target.getFieldBuilder(field), (com.google.protobuf.Message) value);
            } else {
                target.setField(field, value);
            }
        });
    }

    /**
     * Checks a spec (after defaults). Returns the spec or throws naming the first bad field.
     * Corpus paths and sizes are the data plan's to check: only it reads the corpus.
     */
    public static ExperimentSpec validate(ExperimentSpec spec) throws SpecException {
        List<String> errors = new ArrayList<>();
        ModelSpec m = spec.getModel();
        positive(errors, "model.context", m.getContext());
        positive(errors, "model.d_model", m.getDModel());
        positive(errors, "model.layers", m.getLayers());
        positive(errors, "model.heads", m.getHeads());
        positive(errors, "model.d_ff", m.getDFf());
        positive(errors, "model.mlp_hidden", m.getMlpHidden());
        positive(errors, "model.mlp_embed", m.getMlpEmbed());
        if (m.getHeads() > 0 && m.getDModel() % m.getHeads() != 0) {
            errors.add("model.heads: " + m.getHeads() + " does not divide model.d_model " + m.getDModel());
        }
        if (m.getKind() == ModelSpec.Kind.UNRECOGNIZED) {
            errors.add("model.kind: unknown kind");
        }
        OptimizerSpec o = spec.getOptimizer();
        positive(errors, "optimizer.learning_rate", o.getLearningRate());
        nonNegative(errors, "optimizer.min_learning_rate", o.getMinLearningRate());
        if (o.getMinLearningRate() > o.getLearningRate()) {
            errors.add("optimizer.min_learning_rate: " + o.getMinLearningRate() + " is above optimizer.learning_rate " + o.getLearningRate());
        }
        nonNegative(errors, "optimizer.warmup_steps", o.getWarmupSteps());
        inOpenUnit(errors, "optimizer.beta1", o.getBeta1());
        inOpenUnit(errors, "optimizer.beta2", o.getBeta2());
        positive(errors, "optimizer.epsilon", o.getEpsilon());
        positive(errors, "optimizer.grad_clip_norm", o.getGradClipNorm());
        nonNegative(errors, "optimizer.decay_steps", o.getDecaySteps());
        BatchSpec b = spec.getBatch();
        positive(errors, "batch.global_batch", b.getGlobalBatch());
        positive(errors, "batch.shards", b.getShards());
        if (b.getShards() > 0 && b.getGlobalBatch() % b.getShards() != 0) {
            errors.add("batch.shards: " + b.getShards() + " does not divide batch.global_batch " + b.getGlobalBatch());
        }
        GpuBudget g = spec.getGpuBudget();
        positive(errors, "gpu_budget.max_steps", g.getMaxSteps());
        nonNegative(errors, "gpu_budget.max_tokens", g.getMaxTokens());
        nonNegative(errors, "gpu_budget.max_wall_seconds", g.getMaxWallSeconds());
        nonNegative(errors, "gpu_budget.gpu_workers", g.getGpuWorkers());
        DataBudget d = spec.getDataBudget();
        if (d.getCorpus().isBlank()) {
            errors.add("data_budget.corpus: empty");
        }
        nonNegative(errors, "data_budget.unique_bytes", d.getUniqueBytes());
        inOpenUnit(errors, "data_budget.validation_fraction", d.getValidationFraction());
        nonNegative(errors, "data_budget.data_workers", d.getDataWorkers());
        positive(errors, "data_budget.synthetic_bytes", d.getSyntheticBytes());
        nonNegative(errors, "data_budget.augmentation.views", d.getAugmentation().getViews());
        EvalSpec e = spec.getEval();
        positive(errors, "eval.every_steps", e.getEverySteps());
        positive(errors, "eval.examples", e.getExamples());
        positive(errors, "eval.shards", e.getShards());
        if (e.getShards() > e.getExamples()) {
            errors.add("eval.shards: " + e.getShards() + " is more than eval.examples " + e.getExamples());
        }
        CheckpointSpec c = spec.getCheckpoint();
        positive(errors, "checkpoint.every_steps", c.getEverySteps());
        positive(errors, "checkpoint.keep_last", c.getKeepLast());
        RuntimeSpec r = spec.getRuntime();
        positive(errors, "runtime.nd4j_threads", r.getNd4JThreads());
        positive(errors, "runtime.prefetch_depth", r.getPrefetchDepth());
        positive(errors, "runtime.shard_timeout_seconds", r.getShardTimeoutSeconds());
        if (!errors.isEmpty()) {
            throw new SpecException(errors.get(0));
        }
        return spec;
    }

    private static void positive(List<String> errors, String field, double value) {
        if (!(value > 0)) {
            errors.add(field + ": must be positive, got " + format(value));
        }
    }

    private static void nonNegative(List<String> errors, String field, double value) {
        if (!(value >= 0)) {
            errors.add(field + ": must not be negative, got " + format(value));
        }
    }

    private static void inOpenUnit(List<String> errors, String field, double value) {
        if (!(value > 0 && value < 1)) {
            errors.add(field + ": must be between 0 and 1 (exclusive), got " + format(value));
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
