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
import tandem.coordinator.Coordinator;
import tandem.coordinator.metrics.RunMetrics;
import tandem.data.DataWorker;
import tandem.gpu.GpuWorker;
import tandem.protocol.CoordinatorProtocol;

/**
 * Starts one cluster node: an ActorSystem whose guardian spawns the actor of the node's role. Every node
 * can reach the coordinator singleton through its proxy ({@link #coordinator}).
 */
public final class TandemNode {
    private static final String WORKER_DISPATCHER = "tandem.worker-dispatcher";

    private TandemNode() {}

    public static ActorSystem<Void> start(NodeConfig node, String name) {
        return ActorSystem.create(guardian(node.role(), name), NodeConfig.SYSTEM_NAME, node.toConfig());
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
                        Coordinator.create(stateDir.isEmpty() ? null : Path.of(stateDir), RunMetrics.detached()), "coordinator")
                .withSettings(ClusterSingletonSettings.create(system).withRole(Role.COORDINATOR.clusterRole)));
    }

    public static final String STATE_DIR = "tandem.coordinator.state-dir";
}
