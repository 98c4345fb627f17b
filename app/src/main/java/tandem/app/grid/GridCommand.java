package tandem.app.grid;

import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import tandem.app.cli.SpecOptions;
import tandem.app.node.LocalCluster;
import tandem.proto.ExperimentSpec;

/**
 * {@code tandem grid}: trains the cross product of GPU budgets, data budgets and augmentation policies on a
 * local cluster, one cell after another, and reports which lever lowers validation loss more.
 */
@Command(name = "grid", mixinStandardHelpOptions = true,
        description = {
                "Train a grid of GPU budgets x data budgets [x augmentation policies] on a local cluster and report "
                        + "whether more compute or more data lowers validation loss more.",
                "Resumable: finished cells are stored in OUT/cells and never rerun; re-run with more budgets to add cells."},
        footer = {
                "",
                "GPU budgets: 200 (steps), 2k (2000 steps), 30s / 2m / 1h (wall clock), any of them with @N for N GPU workers (60s@4).",
                "Data budgets: unique bytes of the train split: 100k, 1M, 4000000, or all (decimal: k = 1000).",
                "In a grid --augment takes a comma-separated list of presets (none,eda): one set of cells per policy.",
                "--steps and --data-budget are set by the axes and not allowed here. See docs/grid.md."})
public final class GridCommand implements Callable<Integer> {

    @Mixin
    SpecOptions specOptions = new SpecOptions();

    @Spec
    CommandSpec command;

    @Option(names = "--gpu-budgets", paramLabel = "LIST", description = "GPU budgets, e.g. 200,400,800 (steps) or 30s,60s (wall clock)")
    String gpuBudgets;

    @Option(names = "--data-budgets", paramLabel = "LIST", description = "data budgets in unique bytes, e.g. 100k,1M,4M")
    String dataBudgets;

    @Option(names = "--repeats", paramLabel = "R", description = "runs per cell with seeds seed, seed+1, ... (default 1)")
    Integer repeats;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory (created; re-use it to resume)")
    Path out;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "a ready-made grid: thesis (wordnet, 200,400,800 steps x 100k,400k,1600k bytes x none,eda; ~22 min on 2 cores)")
    String preset;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up on a cell after this long (default 3600)")
    long timeoutSeconds = 3600;

    @Option(names = "--processes", description = "run each worker node in its own JVM")
    boolean processes;

    @Option(names = "--report-only", description = "redraw the report from the cells stored in --out; train nothing")
    boolean reportOnly;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        PrintWriter stdout = command.commandLine().getOut();
        ResultsStore store = new ResultsStore(out);
        if (reportOnly) {
            return report(store, storedGrid(store), stdout);
        }
        GridSpec grid = gridFromFlags();
        GridRunner.Outcome outcome;
        try (LocalTrainer trainer = new LocalTrainer(ConfigFactory.empty(), processes)) {
            outcome = new GridRunner(store, trainer, Duration.ofSeconds(timeoutSeconds), stdout).run(grid);
        }
        GridAnalysis analysis = Outputs.write(store, outcome.results(), outcome.failed());
        stdout.printf("grid: %d cell(s) trained, %d reused, %d failed%n", outcome.ran().size(), outcome.reused().size(),
                outcome.failed().size());
        printAnswer(stdout, analysis, store);
        if (!outcome.failed().isEmpty()) {
            throw new LocalCluster.ExperimentFailed(outcome.failed().size() + " grid cell(s) failed (" + String.join(", ",
                    outcome.failed().keySet()) + "); finished cells are saved: run the same command again to retry");
        }
        return 0;
    }

    private GridSpec gridFromFlags() throws Exception {
        ParseResult parsed = command.commandLine().getParseResult();
        for (String axisFlag : List.of("--steps", "--data-budget")) {
            if (parsed.hasMatchedOption(axisFlag)) {
                throw new IllegalArgumentException(axisFlag + ": a grid takes its budgets from --gpu-budgets and --data-budgets");
            }
        }
        Presets.Preset p = preset == null ? null : Presets.get(preset);
        if (p != null && parsed.hasMatchedOption("--spec")) {
            throw new IllegalArgumentException("--preset " + preset
                    + " brings its own spec; drop --spec (or drop --preset and give the axes)");
        }
        // The mixin's --augment holds one preset for `local`; here it is the list of the augmentation axis.
        String augment = parsed.matchedOptionValue("--augment", p == null ? null : p.augment());
        String gpu = gpuBudgets != null ? gpuBudgets : p == null ? null : p.gpuBudgets();
        String data = dataBudgets != null ? dataBudgets : p == null ? null : p.dataBudgets();
        if (gpu == null) {
            throw new IllegalArgumentException("--gpu-budgets: required (e.g. 200,400,800), or use --preset thesis");
        }
        if (data == null) {
            throw new IllegalArgumentException("--data-budgets: required (e.g. 100k,1M,4M), or use --preset thesis");
        }
        GridAxes axes = GridAxes.parse(gpu, data, augment, repeats != null ? repeats : p == null ? 1 : p.repeats());
        ExperimentSpec base = specOptions.spec();
        if (p != null) {
            base = p.applyTo(base, parsed);
        }
        return new GridSpec(base, axes);
    }

    /** The grid recorded in {@code store}'s manifest: its base spec and the axes of its last run. */
    private static GridSpec storedGrid(ResultsStore store) {
        if (!store.hasManifest()) {
            throw new IllegalArgumentException(store.dir() + ": no grid here (no " + ResultsStore.MANIFEST + ")");
        }
        return new GridSpec(store.readManifestBase(), store.readManifestAxes());
    }

    private static int report(ResultsStore store, GridSpec grid, PrintWriter stdout) {
        List<CellResult> results = new ArrayList<>();
        Map<String, String> pending = new LinkedHashMap<>();
        for (Cell cell : grid.cells()) {
            store.load(cell).ifPresentOrElse(results::add, () -> pending.put(cell.id(), "not run yet"));
        }
        GridAnalysis analysis = Outputs.write(store, results, pending);
        stdout.printf("grid: report of %d stored cell(s), %d not run yet%n", results.size(), pending.size());
        printAnswer(stdout, analysis, store);
        return 0;
    }

    private static void printAnswer(PrintWriter stdout, GridAnalysis analysis, ResultsStore store) {
        Report report = new Report(analysis);
        for (String policy : analysis.policies()) {
            stdout.println((analysis.policies().size() > 1 ? policy + ": " : "") + report.answer(policy));
        }
        stdout.println("report: " + store.dir().resolve("report.md"));
        stdout.flush();
    }
}
