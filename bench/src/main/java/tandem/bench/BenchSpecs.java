package tandem.bench;

import tandem.protocol.Specs;
import tandem.proto.AugmentationPolicy;
import tandem.proto.DataBudget;
import tandem.proto.EvalSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.GpuBudget;
import tandem.proto.ModelSpec;

/** The experiments the bench runs: {@link Specs#DEFAULTS} with a fixed step count and evaluation only at the ends. */
final class BenchSpecs {
    private BenchSpecs() {}

    /** The default experiment (Transformer, batch 32 in 4 shards, 1 native thread) for {@code steps} steps. */
    static ExperimentSpec defaults(String corpus, long steps) {
        return Specs.withDefaults(Specs.DEFAULTS.toBuilder()
                .setName("bench")
                .setGpuBudget(GpuBudget.newBuilder().setMaxSteps(steps))
                .setDataBudget(DataBudget.newBuilder().setCorpus(corpus))
                // Evaluate at step 0 and at the end only, on a few windows: the measured window has none.
                .setEval(EvalSpec.newBuilder().setEverySteps(Integer.MAX_VALUE).setExamples(32).setShards(1))
                .build());
    }

    /** The same with tandem's MLP-over-context model (ModelSpec.Kind.MLP, default mlp_embed / mlp_hidden). */
    static ExperimentSpec mlp(String corpus, long steps) {
        ExperimentSpec spec = defaults(corpus, steps);
        return spec.toBuilder().setName("bench-mlp")
                .setModel(spec.getModel().toBuilder().setKind(ModelSpec.Kind.MLP)).build();
    }

    /** A larger Transformer for the compute-efficiency section: 4x the width^2, 2x the layers, 2x the context. */
    static ModelSpec larger() {
        return Specs.DEFAULTS.getModel().toBuilder()
                .setContext(128).setDModel(128).setLayers(4).setHeads(4).setDFf(512).build();
    }

    static ExperimentSpec withPreset(ExperimentSpec spec, String preset) {
        return spec.toBuilder().setDataBudget(spec.getDataBudget().toBuilder()
                .setAugmentation(AugmentationPolicy.newBuilder().setPreset(preset))).build();
    }
}
