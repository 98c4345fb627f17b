package tandem.app.node;

import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import tandem.app.api.ApiServer;
import tandem.app.api.Management;
import tandem.app.kubernetes.KubernetesBootstrap;
import tandem.coordinator.Coordinator;
import tandem.coordinator.control.NodeMetrics;
import tandem.data.DataWorker;
import tandem.gpu.GpuWorker;
import tandem.protocol.CoordinatorProtocol;

/**
 * Starts one cluster node: an ActorSystem whose guardian spawns the actor of the node's role. Every node
 * can reach the coordinator singleton through its proxy ({@link #coordinator}). Every node serves Pekko
 * Management ({@code /alive}, {@code /ready}, {@code /cluster/members}) unless {@value #MANAGEMENT_ENABLED}
 * is off; coordinator nodes also serve the control API unless {@value #API_ENABLED} is off (local mode
 * turns both off for its worker and coordinator nodes and serves them on its client node).
 */
public final class TandemNode {
    private static final String WORKER_DISPATCHER = "tandem.worker-dispatcher";

    private TandemNode() {}

    public static final String MANAGEMENT_ENABLED = "tandem.management.enabled";
    public static final String API_ENABLED = "tandem.api.enabled";

    public static ActorSystem<Void> start(NodeConfig node, String name) {
        Config config = node.toConfig();
        if (config.getString("pekko.management.http.hostname").equals("<hostname>")) {
            // Management listens where Artery does (the pod IP on Kubernetes, loopback in local mode).
            config = config.withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(node.host()));
        }
        ActorSystem<Void> system = ActorSystem.create(guardian(node.role(), name), NodeConfig.SYSTEM_NAME, config);
        if (config.getBoolean(MANAGEMENT_ENABLED)) {
            Management.start(system);
        }
        if (node.role() == Role.COORDINATOR && config.getBoolean(API_ENABLED)) {
            ApiServer.start(system, config, KubernetesBootstrap.scaler(system)); // Scaler.none() unless TANDEM_BOOTSTRAP=kubernetes
        }
        return system;
    }

    private static Behavior<Void> guardian(Role role, String name) {
        return Behaviors.setup(context -> {
            switch (role) {
                case COORDINATOR -> coordinator(context.getSystem());
                case CLIENT -> { }
                case GPU -> context.spawn(GpuWorker.create(name), "gpu-worker", DispatcherSelector.fromConfig(WORKER_DISPATCHER));
                case DATA -> context.spawn(DataWorker.create(name), "data-worker", DispatcherSelector.fromConfig(WORKER_DISPATCHER));
            }
            return Behaviors.empty();
        });
    }

    /**
     * The coordinator singleton (hosted on the oldest coordinator node), through this node's proxy. The
     * coordinator keeps its run marker in {@code tandem.coordinator.state-dir}, which every coordinator
     * node must share (same disk, or a volume) for a failover to resume the run.
     */
    public static ActorRef<CoordinatorProtocol.Command> coordinator(ActorSystem<?> system) {
        String stateDir = system.settings().config().getString(STATE_DIR);
        return ClusterSingleton.get(system).init(SingletonActor.of(
                        Coordinator.create(stateDir.isEmpty() ? null : Path.of(stateDir), NodeMetrics.get().run()), "coordinator")
                .withSettings(ClusterSingletonSettings.create(system).withRole(Role.COORDINATOR.clusterRole)));
    }

    public static final String STATE_DIR = "tandem.coordinator.state-dir";
}
