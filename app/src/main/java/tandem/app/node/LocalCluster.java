package tandem.app.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.Drained;
import tandem.protocol.ExperimentEvents;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.SubmitExperiment;
import tandem.proto.Summary;

/**
 * A whole tandem cluster on this machine, on loopback: a client node (this JVM: it submits experiments
 * and listens to them), coordinator nodes (the oldest hosts the coordinator singleton, the others stand
 * by), data and GPU worker nodes. Every node is its own ActorSystem in this JVM, or (with
 * {@code processes}) every node but the client is its own JVM. Nodes can be added, drained and killed
 * while a run goes on.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final AtomicInteger SUBMISSIONS = new AtomicInteger();

    private final Config extra;
    /** What worker and coordinator nodes get on top of {@link #extra}: no API, no management server of their own. */
    private final Config nodeExtra;
    private final boolean processes;
    private final ActorSystem<Void> client;
    private final String seed;
    private final Path workDir;
    private final List<Node> nodes = new ArrayList<>();
    /** Nodes asked to drain that have not ended yet: they no longer count as running. */
    private final java.util.Set<String> draining = new java.util.HashSet<>();
    /** Nodes killed by {@link #kill}, and crashed members the cluster has downed and removed since. */
    private final AtomicInteger killed = new AtomicInteger();
    private final AtomicInteger downedAndRemoved = new AtomicInteger();
    private final Map<Role, AtomicInteger> counters = Map.of(Role.COORDINATOR, new AtomicInteger(),
            Role.GPU, new AtomicInteger(), Role.DATA, new AtomicInteger());

    /** One node: an in-JVM ActorSystem or a child process. */
    private record Node(Role role, String name, ActorSystem<Void> system, Process process) {
        boolean alive() {
            return process != null ? process.isAlive() : !system.getWhenTerminated().toCompletableFuture().isDone();
        }

        /** SIGKILL, or an in-JVM stop without leaving the cluster: the others find out by themselves. */
        void kill() {
            if (process != null) {
                process.destroyForcibly();
            } else {
                system.terminate();
            }
        }

        /** SIGTERM, or CoordinatedShutdown in-JVM: the worker drains and leaves. */
        void drain() {
            if (process != null) {
                process.destroy();
            } else {
                CoordinatedShutdown.get(system).runAll(Drained.INSTANCE);
            }
        }
    }

    private LocalCluster(Config extra, boolean processes) throws IOException {
        this.workDir = Files.createTempDirectory("tandem-local-");
        // In-JVM nodes must be killable without a graceful leave (a crash); a drain calls CoordinatedShutdown itself.
        // Pekko Management: only the client node serves it (on a free port unless extra says otherwise); worker and
        // coordinator nodes of a local cluster have none, so that nodes of one machine never clash over a port.
        // The control API is the client's too (tandem.app.api.LocalService binds it with a scaler for this cluster).
        this.extra = extra
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "pekko.coordinated-shutdown.run-by-actor-system-terminate", "off",
                        "pekko.management.http.port", "0",
                        TandemNode.STATE_DIR, workDir.resolve("coordinator-state").toString())));
        this.nodeExtra = ConfigFactory.parseMap(Map.of(TandemNode.MANAGEMENT_ENABLED, "off", TandemNode.API_ENABLED, "off"))
                .withFallback(this.extra);
        this.processes = processes;
        this.client = TandemNode.start(new NodeConfig(Role.CLIENT, HOST, 0, List.of(), this.extra), "client");
        Cluster cluster = Cluster.get(client);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        this.seed = cluster.selfMember().address().toString();
        countDownedRemovals();
    }

    /** Starts the client node, {@code coordinators} coordinator nodes, then the data and GPU worker nodes. */
    public static LocalCluster start(int coordinators, int gpuWorkers, int dataWorkers, Config extra, boolean processes) throws IOException {
        LocalCluster cluster = new LocalCluster(extra, processes);
        for (int i = 0; i < coordinators; i++) {
            cluster.add(Role.COORDINATOR);
            if (i == 0 && coordinators > 1) {
                // The first coordinator must be Up before a standby starts: the oldest coordinator node hosts
                // the singleton, and "kill the coordinator" means that node.
                cluster.awaitUp(Role.COORDINATOR, 1, Duration.ofSeconds(120));
            }
        }
        for (int i = 0; i < dataWorkers; i++) {
            cluster.add(Role.DATA);
        }
        for (int i = 0; i < gpuWorkers; i++) {
            cluster.add(Role.GPU);
        }
        return cluster;
    }

    /** Adds one node of {@code role}; it joins and is found by the coordinator by itself. Returns its name. */
    public synchronized String add(Role role) throws IOException {
        String name = role.clusterRole + "-" + counters.get(role).incrementAndGet();
        Node node = processes
                ? new Node(role, name, null, launch(role, name))
                : new Node(role, name, TandemNode.start(new NodeConfig(role, HOST, 0, List.of(seed), nodeExtra), name), null);
        nodes.add(node);
        return name;
    }

    /** Kills the oldest live node of {@code role} (for coordinators: the one hosting the singleton). */
    public synchronized Optional<String> kill(Role role) {
        return oldest(role).map(node -> {
            log.info("killing {} abruptly", node.name());
            killed.incrementAndGet();
            node.kill();
            return node.name();
        });
    }

    /** Drains the oldest live worker node of {@code role} (one not already draining). */
    public synchronized Optional<String> drain(Role role) {
        return oldest(role).map(node -> {
            log.info("draining {}", node.name());
            draining.add(node.name());
            node.drain();
            return node.name();
        });
    }

    /** Waits until {@code count} members of {@code role} are Up in the cluster (as the client sees it). */
    public void awaitUp(Role role, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Cluster cluster = Cluster.get(client);
        while (java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .filter(m -> m.hasRole(role.clusterRole) && m.status() == MemberStatus.up()).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(count + " " + role.clusterRole + " node(s) not up within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Whether the cluster has dealt with every node killed so far: each was found unreachable, downed
     * and removed (counted by {@link #countDownedRemovals}), and no member is unreachable now.
     */
    public boolean settled() {
        return downedAndRemoved.get() >= killed.get() && Cluster.get(client).state().getUnreachable().isEmpty();
    }

    /** Counts members removed after being downed: how a crashed node leaves (a drained one leaves as Exiting). */
    private void countDownedRemovals() {
        ActorRef<ClusterEvent.MemberRemoved> counter = client.systemActorOf(Behaviors.receiveMessage(removed -> {
            if (removed.previousStatus() == MemberStatus.down()) {
                downedAndRemoved.incrementAndGet();
            }
            return Behaviors.same();
        }), "downed-removals", Props.empty());
        Cluster.get(client).subscriptions().tell(Subscribe.create(counter, ClusterEvent.MemberRemoved.class));
    }

    /** Live nodes of {@code role}, not counting those draining. */
    public synchronized int alive(Role role) {
        return (int) nodes.stream().filter(n -> n.role() == role && n.alive() && !draining.contains(n.name())).count();
    }

    /** Live nodes of {@code role} that were not asked to drain by {@link #drain}: what a scaler counts. */
    public synchronized int running(Role role) {
        return (int) nodes.stream().filter(n -> n.role() == role && n.alive() && !draining.contains(n.name())).count();
    }

    /** The oldest live node of {@code role} that is not draining. */
    private Optional<Node> oldest(Role role) {
        return nodes.stream().filter(n -> n.role() == role && n.alive() && !draining.contains(n.name())).findFirst();
    }

    public ActorSystem<Void> client() {
        return client;
    }

    /** Where child processes write their logs. */
    public Path workDir() {
        return workDir;
    }

    /**
     * Submits {@code spec} (or continues the run checkpointed in {@code resumeFrom}) and blocks until it
     * ends, passing progress reports to {@code onProgress}.
     *
     * @throws ExperimentFailed if the coordinator refused the spec or the run failed
     */
    public Summary run(ExperimentSpec spec, String resumeFrom, Consumer<Progress> onProgress, Duration timeout)
            throws ExperimentFailed, InterruptedException {
        BlockingQueue<ExperimentEvents.Event> events = new LinkedBlockingQueue<>();
        ActorRef<ExperimentEvents.Event> listener = client.systemActorOf(
                Behaviors.receiveMessage(e -> {
                    events.add(e);
                    return Behaviors.same();
                }), "submitter-" + SUBMISSIONS.incrementAndGet(), Props.empty());
        SubmitExperiment.Builder submit = SubmitExperiment.newBuilder().setSpec(spec);
        if (resumeFrom != null) {
            submit.setResumeFrom(resumeFrom);
        }
        TandemNode.coordinator(client).tell(new CoordinatorProtocol.Submit(submit.build(), listener));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ExperimentEvents.Event event = events.poll(Math.min(1_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null && client.getWhenTerminated().toCompletableFuture().isDone()) {
                // Downed (the split brain resolver, or a coordinated shutdown): no summary can reach us any more.
                throw new ExperimentFailed("this node left the cluster before the run ended (node logs in " + workDir + ")");
            } else if (event == null && System.nanoTime() >= deadline) {
                throw new ExperimentFailed("no summary within " + timeout.toSeconds() + " s");
            } else if (event == null) {
                continue;
            } else if (event instanceof ExperimentEvents.Progressed p) {
                onProgress.accept(p.body());
            } else if (event instanceof ExperimentEvents.Finished f) {
                return f.body();
            } else if (event instanceof ExperimentEvents.Failed f) {
                throw new ExperimentFailed(f.body().getReason());
            }
        }
    }

    public Summary run(ExperimentSpec spec, Consumer<Progress> onProgress, Duration timeout) throws ExperimentFailed, InterruptedException {
        return run(spec, null, onProgress, timeout);
    }

    /** Asks the coordinator a control-plane question. */
    public CompletionStage<ControlReply> control(ControlRequest request, Duration timeout) {
        return AskPattern.<CoordinatorProtocol.Command, CoordinatorProtocol.Replied>ask(TandemNode.coordinator(client),
                replyTo -> new CoordinatorProtocol.Control(request, replyTo), timeout, client.scheduler())
                .thenApply(CoordinatorProtocol.Replied::body);
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
        nodeExtra.entrySet().stream()
                .filter(e -> e.getKey().startsWith("pekko.") || e.getKey().startsWith("tandem."))
                .filter(e -> !e.getKey().equals("pekko.coordinated-shutdown.run-by-actor-system-terminate"))
                .forEach(e -> command.add("-D" + e.getKey() + "=" + e.getValue().unwrapped()));
        String subcommand = switch (role) {
            case GPU -> "gpu-worker";
            case DATA -> "data-worker";
            case COORDINATOR -> "coordinator";
            case CLIENT -> throw new IllegalArgumentException("the client runs in this JVM");
        };
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "tandem.app.Main",
                subcommand, "--host", HOST, "--port", "0", "--seed", seed, "--name", name));
        File logFile = workDir.resolve(name + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile).start();
    }

    @Override
    public void close() {
        List<Node> all;
        synchronized (this) {
            all = List.copyOf(nodes);
        }
        for (Node node : all) {
            if (node.process() != null) {
                node.process().destroy();
            } else {
                node.system().terminate();
            }
        }
        client.terminate();
        for (Node node : all) {
            try {
                if (node.process() != null) {
                    if (!node.process().waitFor(20, TimeUnit.SECONDS)) {
                        node.process().destroyForcibly();
                    }
                } else {
                    node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                node.kill();
            }
        }
        try {
            client.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
    }

    /** A config value for every node of this cluster, e.g. from tests. */
    public static Config with(String path, Object value) {
        return ConfigFactory.empty().withValue(path, ConfigValueFactory.fromAnyRef(value));
    }
}
