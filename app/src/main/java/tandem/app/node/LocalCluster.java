package tandem.app.node;

import com.typesafe.config.Config;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.ExperimentEvents;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.SubmitExperiment;
import tandem.proto.Summary;

/**
 * A whole tandem cluster on this machine: one coordinator node plus data and GPU worker nodes on
 * loopback, each its own ActorSystem in this JVM, or (with {@code processes}) its own JVM.
 */
public final class LocalCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final AtomicInteger SUBMISSIONS = new AtomicInteger();

    private final Config extra;
    private final boolean processes;
    private final ActorSystem<Void> coordinatorNode;
    private final String seed;
    private final List<ActorSystem<Void>> workerNodes = new ArrayList<>();
    private final List<Process> workerProcesses = new ArrayList<>();
    private final Path logDir;
    private int started;

    private LocalCluster(Config extra, boolean processes) throws IOException {
        this.extra = extra;
        this.processes = processes;
        this.coordinatorNode = TandemNode.start(new NodeConfig(Role.COORDINATOR, HOST, 0, List.of(), extra), "coordinator");
        Cluster cluster = Cluster.get(coordinatorNode);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        this.seed = cluster.selfMember().address().toString();
        this.logDir = processes ? Files.createTempDirectory("tandem-nodes-") : null;
    }

    /** Starts the coordinator node, then {@code dataWorkers} data nodes and {@code gpuWorkers} GPU nodes. */
    public static LocalCluster start(int gpuWorkers, int dataWorkers, Config extra, boolean processes) throws IOException {
        LocalCluster cluster = new LocalCluster(extra, processes);
        for (int i = 0; i < dataWorkers; i++) {
            cluster.addWorker(Role.DATA);
        }
        for (int i = 0; i < gpuWorkers; i++) {
            cluster.addWorker(Role.GPU);
        }
        return cluster;
    }

    /** Adds one worker node of {@code role} (it joins and is found by the coordinator by itself). */
    public void addWorker(Role role) throws IOException {
        String name = (role == Role.GPU ? "gpu-" : "data-") + (++started);
        if (processes) {
            workerProcesses.add(launch(role, name));
        } else {
            workerNodes.add(TandemNode.start(new NodeConfig(role, HOST, 0, List.of(seed), extra), name));
        }
    }

    public ActorSystem<Void> coordinatorNode() {
        return coordinatorNode;
    }

    public List<ActorSystem<Void>> workerNodes() {
        return workerNodes;
    }

    /** Where worker processes write their logs, or null for in-JVM nodes. */
    public Path logDir() {
        return logDir;
    }

    /**
     * Submits {@code spec} and blocks until it ends, passing progress reports to {@code onProgress}.
     *
     * @throws ExperimentFailed if the coordinator refused the spec or the run failed
     */
    public Summary run(ExperimentSpec spec, Consumer<Progress> onProgress, Duration timeout)
            throws ExperimentFailed, InterruptedException {
        BlockingQueue<ExperimentEvents.Event> events = new LinkedBlockingQueue<>();
        ActorRef<ExperimentEvents.Event> listener = coordinatorNode.systemActorOf(
                Behaviors.receiveMessage(e -> {
                    events.add(e);
                    return Behaviors.same();
                }), "submitter-" + SUBMISSIONS.incrementAndGet(), Props.empty());
        TandemNode.coordinator(coordinatorNode).tell(new CoordinatorProtocol.Submit(
                SubmitExperiment.newBuilder().setSpec(spec).build(), listener));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ExperimentEvents.Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new ExperimentFailed("no summary within " + timeout.toSeconds() + " s");
            } else if (event instanceof ExperimentEvents.Progressed p) {
                onProgress.accept(p.body());
            } else if (event instanceof ExperimentEvents.Finished f) {
                return f.body();
            } else if (event instanceof ExperimentEvents.Failed f) {
                throw new ExperimentFailed(f.body().getReason());
            }
        }
    }

    /** The run ended without a summary; the message says why in one line. */
    public static final class ExperimentFailed extends Exception {
        public ExperimentFailed(String message) {
            super(message, null, false, false);
        }
    }

    private Process launch(Role role, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx2g", "-XX:MaxDirectMemorySize=1g"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "tandem.app.Main",
                role == Role.GPU ? "gpu-worker" : "data-worker", "--host", HOST, "--port", "0", "--seed", seed, "--name", name));
        File log = logDir.resolve(name + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    @Override
    public void close() {
        workerProcesses.forEach(Process::destroy);
        workerNodes.forEach(ActorSystem::terminate);
        coordinatorNode.terminate();
        for (ActorSystem<Void> node : workerNodes) {
            awaitQuietly(node);
        }
        awaitQuietly(coordinatorNode);
        for (Process p : workerProcesses) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitQuietly(ActorSystem<Void> node) {
        try {
            node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
