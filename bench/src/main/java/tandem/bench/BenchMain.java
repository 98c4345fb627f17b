package tandem.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tandem.gpu.backend.Nd4jBackend;
import tandem.gpu.model.Models;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * {@code tandem bench}: every figure is a ratio of two things measured side by side in this run, on this
 * machine. Benchmarks, not tests: nothing here asserts a time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks printed as ratios measured side by side in one run (tables + JSON).")
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--quick", description = "about 3 minutes: fewer steps and shorter timing loops (default: full, about 18 minutes)")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the JSON results (default: bench/results.json)")
    Path out;

    @Option(names = "--corpus", paramLabel = "NAME", description = "corpus of the runs: wordnet (the default spec's) or synthetic")
    String corpus = "wordnet";

    @Option(names = "--sections", paramLabel = "N,...", split = ",",
            description = "sections to run (1 overhead, 2 scaling, 3 dl4j, 4 wire, 5 compute, 6 data, 7 elasticity, 8 control API under load); default all")
    List<Integer> sections = new ArrayList<>();

    @Option(names = "--repeats", paramLabel = "N", description = "repeats per measurement (default 3)")
    int repeats = 3;

    @Option(names = "--profile", description = "after the measurements, sample thread stacks during one extra tandem run and print where time goes")
    boolean profile;

    @Option(names = "--verbose", description = "keep tandem's INFO logs (default: warnings only)")
    boolean verbose;

    private final PrintStream log = new ElapsedLog(System.err);

    /** Progress lines on stderr, stamped with the seconds since the bench started. */
    static final class ElapsedLog extends PrintStream {
        private final long start = System.nanoTime();

        ElapsedLog(PrintStream target) {
            super(target, true, StandardCharsets.UTF_8);
        }

        @Override
        public void println(String line) {
            super.println(String.format(java.util.Locale.ROOT, "%s +%.0fs] %s", line.startsWith("[bench]") ? "[bench" : "[",
                    (System.nanoTime() - start) / 1e9, line.startsWith("[bench] ") ? line.substring(8) : line));
        }
    }
    private Plan plan;
    private Report report;

    /** Sizes of the measurements per mode. */
    record Plan(String mode, long tfWarmup, long tfSteps, long mlpWarmup, long mlpSteps, double computeSeconds,
                double dataSeconds, double gemmSeconds, int jmhWarmups, int jmhIterations, double jmhSeconds) {
        static Plan quick() {
            return new Plan("quick", 4, 20, 4, 30, 0.4, 0.4, 0.4, 1, 3, 0.2);
        }

        static Plan full() {
            return new Plan("full", 10, 70, 10, 100, 2.0, 2.0, 2.0, 2, 3, 0.5);
        }
    }

    public static void main(String[] args) {
        // SameDiff prints a line per differentiated op to stdout while a model's graph is built: keep stdout
        // for the table, send the rest to stderr without that chatter.
        PrintStream table = System.out;
        System.setOut(new PrintStream(new LineFilter(System.err, "Added differentiated op"), true));
        CommandLine cli = new CommandLine(new BenchMain(table));
        cli.setOut(new java.io.PrintWriter(table, true));
        System.exit(cli.execute(args));
    }

    private final PrintStream table;

    BenchMain(PrintStream table) {
        this.table = table;
    }

    /** Drops lines starting with a prefix, passes the rest on. */
    static final class LineFilter extends java.io.OutputStream {
        private final PrintStream target;
        private final String prefix;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineFilter(PrintStream target, String prefix) {
            this.target = target;
            this.prefix = prefix;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                flushLine();
            }
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith(prefix)) {
                target.print(text);
            }
        }

        @Override
        public synchronized void flush() {
            target.flush();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!verbose) {
            quietLogs();
        }
        Set<Integer> run = new TreeSet<>(sections.isEmpty() ? List.of(1, 2, 3, 4, 5, 6, 7, 8) : sections);
        plan = quick ? Plan.quick() : Plan.full();
        report = new Report();
        long t0 = System.nanoTime();
        report.header("mode", plan.mode());
        report.header("started", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        Nd4jBackend.configure(1);
        report.header("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        report.header("backend", Nd4jBackend.describe());
        ExperimentSpec base = BenchSpecs.defaults(corpus, plan.tfWarmup() + plan.tfSteps());
        report.header("default experiment", "Specs.DEFAULTS, corpus " + corpus + ", Transformer context "
                + base.getModel().getContext() + " d_model " + base.getModel().getDModel() + " layers "
                + base.getModel().getLayers() + " (" + Models.paramCount(base.getModel()) + " params), global batch "
                + base.getBatch().getGlobalBatch() + " in " + base.getBatch().getShards() + " shards, "
                + base.getRuntime().getNd4JThreads() + " native thread per worker");
        report.header("load average at start", loadAverage());
        report.header("repeats", repeats + " per figure: median [min .. max]; ratios of runs done in alternation"
                + " (sections 1-3) are per repeat, other ratios are median over median with the extremes paired");

        Sections s = new Sections(plan, report, corpus, repeats, log);
        s.run(run);
        if (profile) {
            s.profile();
        }
        report.header("load average at end", loadAverage());
        report.header("bench seconds", Math.round((System.nanoTime() - t0) / 1e9));
        report.header("bench CPU seconds (this JVM)", Math.round(cpuSeconds()));
        report.print(table);
        Path file = out != null ? out : defaultOut();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, report.toJson(), StandardCharsets.UTF_8);
        table.println("results written to " + file.toAbsolutePath().normalize());
        return 0;
    }

    /** bench/results.json next to the jar's module when run from bench/target, else ./bench/results.json. */
    static Path defaultOut() {
        try {
            Path jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = jar.getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                    && target.getParent() != null && target.getParent().getFileName().toString().equals("bench")) {
                return target.getParent().resolve("results.json");
            }
        } catch (Exception e) {
            // fall through
        }
        return Path.of("bench", "results.json");
    }

    private static void quietLogs() {
        Object root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
            // Nodes are stopped without leaving the cluster when a run ends: the peers' connection warnings
            // then are expected noise.
            logger.getLoggerContext().getLogger("org.apache.pekko").setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** /proc/loadavg's 1, 5 and 15 minute figures: other work on the machine skews every number. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min; " + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (Exception e) {
            return "unknown";
        }
    }

    static double cpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    static Map<String, Object> summaryFacts(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", s.getSteps());
        m.put("tokens_per_second_whole_run", s.getTokensPerSecond());
        m.put("mean_compute_millis", s.getMeanComputeMillis());
        m.put("mean_prepare_millis", s.getMeanPrepareMillis());
        m.put("data_stall", s.getDataStall());
        m.put("params_sha256", s.getParamsSha256());
        m.put("final_train_loss", s.getFinalTrainLoss());
        return m;
    }

    static Duration timeout(long steps) {
        return Duration.ofSeconds(120 + steps * 3);
    }
}
