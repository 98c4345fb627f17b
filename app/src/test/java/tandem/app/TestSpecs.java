package tandem.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import tandem.protocol.Specs;
import tandem.proto.BatchSpec;
import tandem.proto.DataBudget;
import tandem.proto.EvalSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.GpuBudget;
import tandem.proto.ModelSpec;
import tandem.proto.OptimizerSpec;
import tandem.proto.RuntimeSpec;

/** Small experiments and node settings for cluster tests: every message serialized, as across machines. */
final class TestSpecs {
    private TestSpecs() {}

    /**
     * Also a large-message frame of 8 MiB instead of 64: Artery gives every buffer of that channel the full
     * frame in direct memory, and one test JVM starts dozens of nodes (a CI run under load died with "Cannot
     * reserve 67108864 bytes of direct buffer memory" at the 2 GiB limit). The tiny models here need 0.1 MiB.
     */
    static final Config SERIALIZE_EVERYTHING = ConfigFactory.parseString("""
            pekko.actor.serialize-messages = on
            pekko.remote.artery.advanced.maximum-large-frame-size = 8 MiB
            pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = 2
            pekko.cluster.split-brain-resolver.stable-after = 3s
            """);

    /**
     * The coordinator's own accounting: one loss point per step 1..T in order (no step lost or applied
     * twice) and exactly the tokens of T global batches.
     */
    static void assertEachStepCountedOnce(tandem.proto.Summary summary, int steps) {
        org.junit.jupiter.api.Assertions.assertEquals(java.util.stream.LongStream.rangeClosed(1, steps).boxed().toList(),
                summary.getLossesList().stream().map(tandem.proto.LossPoint::getStep).toList());
        ExperimentSpec spec = tiny(steps);
        org.junit.jupiter.api.Assertions.assertEquals((long) steps * spec.getBatch().getGlobalBatch() * spec.getModel().getContext(),
                summary.getTokens());
    }

    /** A tiny Transformer on the synthetic source: learns within a few dozen steps. */
    static ExperimentSpec tiny(long steps) {
        return Specs.withDefaults(ExperimentSpec.newBuilder()
                .setName("tiny")
                .setSeed(7)
                .setModel(ModelSpec.newBuilder().setKind(ModelSpec.Kind.TRANSFORMER)
                        .setContext(16).setDModel(32).setLayers(1).setHeads(2).setDFf(64))
                .setOptimizer(OptimizerSpec.newBuilder().setLearningRate(1e-2).setMinLearningRate(1e-3).setWarmupSteps(5))
                .setBatch(BatchSpec.newBuilder().setGlobalBatch(16).setShards(4))
                .setGpuBudget(GpuBudget.newBuilder().setMaxSteps(steps))
                .setDataBudget(DataBudget.newBuilder().setCorpus("synthetic").setSyntheticBytes(200_000))
                .setEval(EvalSpec.newBuilder().setEverySteps(10).setExamples(64).setShards(2))
                .setRuntime(RuntimeSpec.newBuilder().setShardTimeoutSeconds(30))
                .build());
    }
}
