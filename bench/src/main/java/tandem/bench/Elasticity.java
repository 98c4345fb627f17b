package tandem.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;
import tandem.proto.ControlRequest;
import tandem.proto.ExperimentAction;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.Status;
import tandem.proto.StatusQuery;
import tandem.proto.WorkerStatus;

/**
 * Section 7, with LocalCluster's own elasticity hooks and the control plane's status, every node its own
 * JVM ({@code tandem local --processes}) so that a kill is a real crash: while the default experiment trains
 * on one GPU worker, a second GPU worker node is started ({@link LocalCluster#add}: a new JVM, so the time
 * includes JVM start and ND4J's native load) and the status is polled until the coordinator has accepted a
 * result from it; then the oldest GPU worker is killed with SIGKILL ({@link LocalCluster#kill}) while the
 * coordinator sees it busy with a shard, and the status is polled until the step of that shard is complete.
 * (An in-JVM node cannot crash mid-shard: terminating its ActorSystem lets the running compute finish and
 * send its result.)
 */
final class Elasticity {
    private static final long POLL_MILLIS = 50;
    private static final Duration WAIT = Duration.ofSeconds(90);

    private Elasticity() {}

    static void run(Report.Section s, BenchMain.Plan plan, String corpus, int repeats, PrintStream log) throws Exception {
        int rounds = plan.mode().equals("quick") ? 1 : repeats;
        // The synthetic corpus: a fresh data-worker JVM has it ready in a moment (joins and crashes do not
        // depend on the text), where WordNet's would take it seconds to load.
        ExperimentSpec spec = BenchSpecs.defaults("synthetic", 1_000_000).toBuilder().setName("bench-elastic").build();
        List<Double> toPool = new ArrayList<>();
        List<Double> toFirst = new ArrayList<>();
        List<Double> toDetect = new ArrayList<>();
        List<Double> toRecover = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        log.println("[bench] 7: elasticity cluster (1 GPU + 1 data worker, one JVM per node), " + rounds + " join + crash round(s)");
        try (TandemCluster cluster = TandemCluster.start(1, 1, true)) {
            LocalCluster local = cluster.local();
            AtomicReference<Progress> latest = new AtomicReference<>();
            AtomicReference<String> ended = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    local.run(spec, latest::set, Duration.ofMinutes(30));
                    ended.set("finished");
                } catch (Exception e) {
                    ended.set(e.getMessage());
                }
            }, "bench-elastic-run");
            runner.setDaemon(true);
            runner.start();
            awaitStep(latest, plan.tfWarmup(), ended);
            List<String> gpuNames = new ArrayList<>(List.of("gpu-1"));
            for (int r = 0; r < rounds; r++) {
                // Join: a new GPU worker node, until the coordinator has accepted a result from it.
                log.println("[bench] 7: join, round " + (r + 1));
                String name = local.add(Role.GPU);
                gpuNames.add(name);
                long t0 = System.nanoTime();
                double pooled = Double.NaN;
                double first = Double.NaN;
                while (System.nanoTime() - t0 < WAIT.toNanos() && Double.isNaN(first)) {
                    Optional<WorkerStatus> w = worker(status(local), name);
                    double now = (System.nanoTime() - t0) / 1e9;
                    if (w.isPresent() && Double.isNaN(pooled)) {
                        pooled = now;
                    }
                    if (w.isPresent() && w.get().getShardsDone() >= 1) {
                        first = now;
                    }
                    sleep();
                }
                toPool.add(pooled);
                toFirst.add(first);
                Thread.sleep(1000);

                // Crash: the oldest GPU worker, while it holds a shard.
                log.println("[bench] 7: crash, round " + (r + 1));
                // Kill on an idle -> busy edge: the coordinator has just handed the victim a shard, so the
                // victim is still computing it (a result already written to the socket would still arrive).
                String victim = gpuNames.get(0);
                long busyWait = System.nanoTime();
                String before = "";
                boolean edge = false;
                while (System.nanoTime() - busyWait < 5e9) {
                    Optional<WorkerStatus> v = worker(status(local), victim);
                    String state = v.map(WorkerStatus::getState).orElse("");
                    if (state.equals("busy") && before.equals("idle")) {
                        edge = true;
                        break;
                    }
                    before = state;
                }
                if (!edge) {
                    notes.add("round " + (r + 1) + ": no idle -> busy edge of " + victim + " seen within 5 s; killed anyway");
                }
                long stepAtKill = latestStep(local);
                Optional<String> killed = local.kill(Role.GPU);
                long k0 = System.nanoTime();
                if (killed.isEmpty() || !killed.get().equals(victim)) {
                    notes.add("round " + (r + 1) + ": killed " + killed.orElse("nothing") + ", expected " + victim);
                }
                gpuNames.remove(killed.orElse(victim));
                double detected = Double.NaN;
                double recovered = Double.NaN;
                while (System.nanoTime() - k0 < WAIT.toNanos() && (Double.isNaN(detected) || Double.isNaN(recovered))) {
                    Status st = status(local);
                    double now = (System.nanoTime() - k0) / 1e9;
                    if (Double.isNaN(detected) && worker(st, victim).isEmpty()) {
                        detected = now;
                    }
                    if (Double.isNaN(recovered) && st.hasCurrent() && st.getCurrent().getProgress().getStep() > stepAtKill) {
                        recovered = now;
                    }
                    sleep();
                }
                toDetect.add(detected);
                toRecover.add(recovered);
                notes.add(String.format("round %d: joined %s (in the pool after %.2f s, first accepted result after %.2f s); killed %s during step %d (dropped from the pool after %.2f s, step %d complete after %.2f s)",
                        r + 1, name, pooled, first, victim, stepAtKill, detected, stepAtKill, recovered));
            }
            Status last = status(local);
            if (last.hasCurrent()) {
                local.control(ControlRequest.newBuilder().setExperiment(ExperimentAction.newBuilder()
                        .setExperimentId(last.getCurrent().getId()).setKind(ExperimentAction.Kind.CANCEL)).build(), Duration.ofSeconds(10))
                        .toCompletableFuture().get(15, TimeUnit.SECONDS);
            }
            runner.join(20_000);
        }
        s.value("join: JVM launched -> in the coordinator's GPU pool", Stat.of(toPool), "s");
        s.value("join: JVM launched -> first accepted result", Stat.of(toFirst), "s");
        s.value("crash: SIGKILL -> dropped from the pool", Stat.of(toDetect), "s");
        s.value("crash: SIGKILL -> the step it held a shard of is complete", Stat.of(toRecover), "s");
        s.note("default experiment (synthetic corpus) on 1 GPU + 1 data worker, one JVM per node; each round starts a GPU worker JVM, then SIGKILLs the oldest GPU worker while it holds a shard"
                + (rounds < repeats ? " (quick mode: 1 round)" : ""));
        s.note("times from LocalCluster.add / kill to what the control plane's status shows, polled every " + POLL_MILLIS + " ms");
        notes.forEach(s::note);
    }

    private static void awaitStep(AtomicReference<Progress> latest, long step, AtomicReference<String> ended) throws Exception {
        long t0 = System.nanoTime();
        while (latest.get() == null || latest.get().getStep() < step) {
            if (ended.get() != null) {
                throw new IllegalStateException("elasticity run ended early: " + ended.get());
            }
            if (System.nanoTime() - t0 > WAIT.toNanos()) {
                throw new IllegalStateException("elasticity run did not reach step " + step);
            }
            Thread.sleep(100);
        }
    }

    private static Status status(LocalCluster local) throws Exception {
        return local.control(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build(), Duration.ofSeconds(5))
                .toCompletableFuture().get(10, TimeUnit.SECONDS).getStatus();
    }

    private static long latestStep(LocalCluster local) throws Exception {
        Status st = status(local);
        return st.hasCurrent() ? st.getCurrent().getProgress().getStep() : -1;
    }

    private static Optional<WorkerStatus> worker(Status status, String name) {
        return status.getWorkersList().stream()
                .filter(w -> w.getPool().equals("gpu") && (w.getName().equals(name) || w.getName().contains(name)))
                .findFirst();
    }

    private static void sleep() throws InterruptedException {
        Thread.sleep(POLL_MILLIS);
    }
}
