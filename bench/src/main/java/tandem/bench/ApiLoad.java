package tandem.bench;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tandem.app.api.LocalService;
import tandem.app.node.LocalCluster;
import tandem.coordinator.control.ApiSettings;
import tandem.proto.ControlRequest;
import tandem.proto.ExperimentAction;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.StatusQuery;
import tandem.proto.SubmitExperiment;

/**
 * Section 8: does serving the control API slow training down? {@code tandem local --serve} trains the
 * default experiment on 2 GPU + 1 data workers while a load generator ({@link StatusLoad}, its own JVM)
 * sends bursts of {@code GET /api/v1/status} from 32 clients: as fast as they can, and at a bounded rate
 * (each client every 100 ms). Quiet windows and bursts alternate (quiet, burst, quiet, burst, ..., quiet);
 * each burst's training rate is divided by the mean of the quiet windows on either side of it, so a machine
 * getting busier or quieter during the run cancels out. Training rates are the coordinator's own (tokens
 * and wall time of its status), asked in this JVM without going through HTTP.
 *
 * <p>Two setups. <b>Shared cores</b>: one JVM as {@code tandem local --serve} runs it; the API, its clients
 * and training share both cores, so every request's CPU comes out of training. <b>Own core</b> (Linux with
 * {@code taskset}): every node but the client in its own JVM ({@code --processes}), those pinned to core 0;
 * the client node serving the API and the load generator pinned to core 1, as on a deployment where
 * clients and the API do not run on the workers' cores. Training then has one core, so its rate is lower;
 * what matters is whether the load changes it, i.e. whether requests stall the coordinator.
 */
final class ApiLoad {
    static final int CLIENTS = 32;
    /** Each client polls every 100 ms: 320 requests/s in all. */
    static final double BOUNDED_RATE = CLIENTS / 0.1;

    private ApiLoad() {}

    /** One burst and the training rates it was measured against. */
    private record Burst(StatusLoad.Result load, double tokensPerSecond, double quietBefore, double quietAfter) {
        double ratio() {
            return tokensPerSecond / ((quietBefore + quietAfter) / 2);
        }
    }

    /** What one setup measured. */
    private record Outcome(Stat serverCpuPerRequest, List<Double> quiet, List<Burst> unbounded, List<Burst> bounded) {}

    static void run(Report.Section s, BenchMain.Plan plan, String corpus, int repeats, PrintStream log) throws Exception {
        boolean quick = plan.mode().equals("quick");
        int requests = quick ? 2_000 : 10_000;
        int rounds = quick ? 1 : repeats;
        Duration quiet = Duration.ofSeconds(quick ? 5 : 10);
        Duration settle = Duration.ofSeconds(quick ? 10 : 30);
        ExperimentSpec spec = BenchSpecs.defaults(corpus, 1_000_000).toBuilder().setName("bench-api").build();
        ApiSettings api = ApiSettings.fromConfig(ConfigFactory.load(), Map.of()).withPort(0);
        Setup shared = new Setup(false, spec, api, requests, rounds, quiet, settle, log);
        Outcome one = shared.measure();
        s.value("control API CPU per status request (cluster idle)", one.serverCpuPerRequest().times(1e6), "us");
        report(s, "shared cores", one);
        boolean pinnable = Files.isExecutable(Path.of("/usr/bin/taskset")) && Runtime.getRuntime().availableProcessors() >= 2;
        if (pinnable) {
            report(s, "own core", new Setup(true, spec, api, requests, rounds, quiet, settle, log).measure());
        }
        s.note("default experiment (corpus " + corpus + ", evaluation only at the ends), 2 GPU + 1 data workers, control API on the client node"
                + " with the shipped settings; load generator in its own JVM (one keep-alive connection per client); quiet windows of "
                + quiet.toSeconds() + " s around each burst of " + requests + " requests, after " + settle.toSeconds() + " s of settling");
        s.note("status answers are shared: the coordinator answers one status query per tandem.api.status-max-age ("
                + api.statusMaxAge().toMillis() + " ms); every other request gets the answer already printed");
        s.note("shared cores: one JVM (tandem local --serve); the HTTP server and the clients take CPU the GPU workers would use, and on 2 busy"
                + " cores each request also preempts them");
        s.note(pinnable ? "own core: nodes in their own JVMs (--processes) pinned to core 0 with taskset; the client node (API) and the load"
                + " generator pinned to core 1; training has one core, so compare its rates with each other, not with the shared setup"
                : "own core: skipped (needs Linux taskset and 2 cores)");
    }

    private static void report(Report.Section s, String setup, Outcome o) {
        s.value(setup + ": training without load", Stat.of(o.quiet()), "tokens/s");
        bursts(s, setup + ", 32 clients as fast as they can", o.unbounded(), null);
        bursts(s, setup + ", 32 clients each every 100 ms", o.bounded(), Report.Target.atLeast(0.95));
    }

    private static void bursts(Report.Section s, String how, List<Burst> bursts, Report.Target target) {
        s.value(how + ": requests/s", Stat.of(bursts.stream().map(b -> b.load().requests() / b.load().seconds()).toList()), "req/s");
        s.value("  errors", Stat.of(bursts.stream().map(b -> (double) b.load().errors()).toList()), "");
        s.value("  latency p50", Stat.of(bursts.stream().map(b -> b.load().p50()).toList()), "ms");
        s.value("  latency p99", Stat.of(bursts.stream().map(b -> b.load().p99()).toList()), "ms");
        s.value("  load generator CPU per request", Stat.of(bursts.stream().map(b -> b.load().cpuSeconds() * 1e6 / b.load().requests()).toList()), "us");
        s.value("  training under load", Stat.of(bursts.stream().map(Burst::tokensPerSecond).toList()), "tokens/s");
        s.ratio("  training under load / without", Stat.of(bursts.stream().map(Burst::ratio).toList()), target);
        bursts.stream().map(b -> b.load().firstError()).filter(e -> !e.isEmpty()).findFirst()
                .ifPresent(e -> s.note(how + ": first error: " + e));
    }

    /** One setup: the service, the experiment, the load generator, and the windows. */
    private record Setup(boolean pinned, ExperimentSpec spec, ApiSettings api, int requests, int rounds, Duration quiet,
                         Duration settle, PrintStream log) {

        Outcome measure() throws Exception {
            String name = pinned ? "own core" : "shared cores";
            log.println("[bench] 8: " + name + ": tandem local --serve" + (pinned ? " --processes" : "") + ", 2 GPU + 1 data workers");
            List<Double> quietRates = new ArrayList<>();
            List<Burst> unbounded = new ArrayList<>();
            List<Burst> bounded = new ArrayList<>();
            Stat serverCpu;
            String affinity = null;
            try (LocalService service = LocalService.start(1, 2, 1, TandemCluster.config(), pinned, api, true)) {
                LocalCluster local = service.cluster();
                if (pinned) {
                    affinity = pin();
                }
                Process generator = startGenerator(service.apiUrl());
                try (BufferedReader said = new BufferedReader(new InputStreamReader(generator.getInputStream(), StandardCharsets.UTF_8));
                     Writer tell = new OutputStreamWriter(generator.getOutputStream(), StandardCharsets.UTF_8)) {
                    String ready = said.readLine();
                    if (!"ready".equals(ready)) {
                        throw new IllegalStateException("load generator did not start: " + ready);
                    }
                    serverCpu = pinned ? Stat.of(List.of()) : serverCpuPerRequest(said, tell);
                    String id = local.control(ControlRequest.newBuilder().setSubmit(SubmitExperiment.newBuilder().setSpec(spec)).build(),
                            Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS).getExperiment().getId();
                    while (progress(local).getStep() < 1) {
                        Thread.sleep(200);
                    }
                    Thread.sleep(settle.toMillis());
                    for (boolean isBounded : new boolean[] {false, true}) {
                        List<Burst> into = isBounded ? bounded : unbounded;
                        double before = quietWindow(local);
                        quietRates.add(before);
                        for (int r = 0; r < rounds; r++) {
                            log.println("[bench] 8: " + name + ", " + (isBounded ? "bounded" : "unbounded") + " burst, round " + (r + 1));
                            Progress a = progress(local);
                            StatusLoad.Result result = burst(said, tell, isBounded ? BOUNDED_RATE : 0);
                            double underLoad = rate(a, progress(local));
                            double after = quietWindow(local);
                            quietRates.add(after);
                            into.add(new Burst(result, underLoad, before, after));
                            before = after;
                        }
                    }
                    tell.write("quit\n");
                    tell.flush();
                    local.control(ControlRequest.newBuilder().setExperiment(ExperimentAction.newBuilder().setExperimentId(id)
                            .setKind(ExperimentAction.Kind.CANCEL)).build(), Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS);
                } finally {
                    if (!generator.waitFor(10, TimeUnit.SECONDS)) {
                        generator.destroyForcibly();
                    }
                }
            } finally {
                if (affinity != null) {
                    unpin(affinity);
                }
            }
            return new Outcome(serverCpu, quietRates, unbounded, bounded);
        }

        /**
         * What serving costs before anything trains: this JVM's CPU during an unbounded burst less its idle CPU,
         * per request. The first burst warms the server up (JIT) and is not counted.
         */
        private Stat serverCpuPerRequest(BufferedReader said, Writer tell) throws Exception {
            List<Double> perRequest = new ArrayList<>();
            for (int i = 0; i <= rounds; i++) {
                log.println("[bench] 8: server CPU per request, idle cluster, burst " + (i + 1));
                double idle0 = cpuSeconds();
                long t0 = System.nanoTime();
                Thread.sleep(2000);
                double idleRate = (cpuSeconds() - idle0) / ((System.nanoTime() - t0) / 1e9);
                double cpu0 = cpuSeconds();
                StatusLoad.Result idle = burst(said, tell, 0);
                if (i > 0) {
                    perRequest.add((cpuSeconds() - cpu0 - idleRate * idle.seconds()) / idle.requests());
                }
            }
            return Stat.of(perRequest);
        }

        private StatusLoad.Result burst(BufferedReader said, Writer tell, double rate) throws IOException {
            tell.write("go " + requests + " " + rate + "\n");
            tell.flush();
            return StatusLoad.Result.parse(said.readLine());
        }

        private double quietWindow(LocalCluster local) throws Exception {
            Progress a = progress(local);
            Thread.sleep(quiet.toMillis());
            return rate(a, progress(local));
        }
    }

    /**
     * Every thread of the node JVMs onto core 0, every thread of this JVM (the client node, the API) onto core 1.
     *
     * @return this JVM's affinity before, for {@link #unpin}
     */
    private static String pin() throws Exception {
        String before = taskset("-p", Long.toString(ProcessHandle.current().pid())).replaceAll(".*:\\s*", "").trim();
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            taskset("-a", "-p", "-c", "0", Long.toString(child.pid()));
        }
        taskset("-a", "-p", "-c", "1", Long.toString(ProcessHandle.current().pid()));
        return before;
    }

    /** This JVM's threads back onto the cores of {@code mask} (hexadecimal, as taskset prints it). */
    private static void unpin(String mask) throws Exception {
        taskset("-a", "-p", mask, Long.toString(ProcessHandle.current().pid()));
    }

    private static String taskset(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("taskset"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out.trim());
        }
        return out;
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** The generator, started from this JVM: it inherits this JVM's cores. */
    private static Process startGenerator(String url) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StatusLoad.class.getName(), url, Integer.toString(CLIENTS), "500")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Progress progress(LocalCluster local) throws Exception {
        return local.control(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build(), Duration.ofSeconds(10))
                .toCompletableFuture().get(15, TimeUnit.SECONDS).getStatus().getCurrent().getProgress();
    }

    /** Tokens per second between two progress snapshots, by the coordinator's clock. */
    private static double rate(Progress from, Progress to) {
        return (to.getTokens() - from.getTokens()) / (to.getWallSeconds() - from.getWallSeconds());
    }
}
