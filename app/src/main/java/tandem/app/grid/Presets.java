package tandem.app.grid;

import java.util.Locale;
import picocli.CommandLine.ParseResult;
import tandem.proto.ExperimentSpec;

/** Ready-made grids, {@code tandem grid --preset NAME}. Flags given next to a preset override it. */
final class Presets {
    private Presets() {}

    /**
     * A grid and the few spec fields it sets on top of the built-in defaults (the demo Transformer).
     *
     * @param evalEverySteps evaluation interval: often enough for curves of the shortest cells
     * @param evalExamples   validation windows per evaluation
     */
    record Preset(String name, String gpuBudgets, String dataBudgets, String augment, int repeats, String corpus,
                  int evalEverySteps, int evalExamples) {

        /** The preset's fields on {@code base}, except where a flag (--corpus) said otherwise. */
        ExperimentSpec applyTo(ExperimentSpec base, ParseResult parsed) {
            ExperimentSpec.Builder b = base.toBuilder().setName(name);
            if (!parsed.hasMatchedOption("--corpus")) {
                b.getDataBudgetBuilder().setCorpus(corpus);
            }
            b.getEvalBuilder().setEverySteps(evalEverySteps).setExamples(evalExamples);
            // The grid was sized for a global batch of 32 in 4 shards; pin it so the preset means the same
            // thing whatever the built-in defaults become.
            b.getBatchBuilder().setGlobalBatch(32).setShards(4);
            b.getOptimizerBuilder().setWarmupSteps(50);
            return b.build();
        }
    }

    /**
     * The thesis grid: does the demo Transformer (context 64, d_model 64, 2 layers; here at global batch 32)
     * on WordNet glosses gain more from compute or from data, with and without EDA?
     * 3 GPU budgets x 3 data budgets x {none, eda} = 18 cells. Budgets double and quadruple, so the
     * "doubling" predictions stay near measured cells. 800 steps train 1.6M tokens: 16 epochs of 100k
     * bytes (overfitting), 4 of 400k, 1 of 1.6M.
     *
     * <p>Sized from a measured cell (2 GPU workers, 1 data worker, 2 shared cores): 200 steps with EDA in
     * 31 s including start-up and evaluations, 12.7k tokens/s. The grid trains 6 x (200 + 400 + 800) = 8,400
     * steps, so about 22 minutes; cells take about 30, 65 and 130 s. See docs/grid.md.
     */
    static final Preset THESIS = new Preset("thesis", "200,400,800", "100k,400k,1600k", "none,eda", 1, "wordnet", 50, 256);

    static Preset get(String name) {
        if (name.toLowerCase(Locale.ROOT).equals(THESIS.name())) {
            return THESIS;
        }
        throw new IllegalArgumentException("--preset: unknown preset '" + name + "' (known: " + THESIS.name() + ")");
    }
}
