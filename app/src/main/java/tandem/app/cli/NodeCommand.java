package tandem.app.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tandem.app.api.ApiOptions;
import tandem.app.api.ApiServer;
import tandem.app.api.ApiUnavailable;
import tandem.app.node.NodeConfig;
import tandem.app.node.Role;
import tandem.app.node.TandemNode;

/**
 * One node of a cluster run by hand: {@code tandem coordinator | data-worker | gpu-worker}. Seed nodes
 * come from {@code --seed} or {@code TANDEM_SEED_NODES} (comma-separated); a node with no seed joins
 * itself (the first coordinator). The node runs until it is stopped (SIGTERM leaves the cluster).
 */
public abstract class NodeCommand implements Callable<Integer> {

    @Option(names = "--host", description = "address other nodes reach this one at (default ${DEFAULT-VALUE})")
    String host = envOr("TANDEM_HOST", "127.0.0.1");

    @Option(names = "--port", description = "Artery port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = Integer.parseInt(envOr("TANDEM_PORT", "17355"));

    @Option(names = "--seed", split = ",", paramLabel = "ADDRESS",
            description = "seed node address(es), e.g. pekko://tandem@10.0.0.5:17355")
    List<String> seeds = seedsFromEnv();

    @Option(names = "--name", description = "worker name shown in logs and status")
    String name;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "coordinator nodes: shared directory for the run marker that lets a standby resume a run (or TANDEM_STATE_DIR)")
    Path stateDir;

    abstract Role role();

    /** Config this kind of node adds (the coordinator's API flags), checked before the node starts. */
    Config roleConfig(NodeConfig node) {
        return ConfigFactory.empty();
    }

    @Override
    public Integer call() throws Exception {
        // A standalone node's JVM ends when the node leaves the cluster (drain, SIGTERM, downing).
        Config extra = ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.exit-jvm", "on"));
        if (stateDir != null) {
            extra = extra.withValue(TandemNode.STATE_DIR, ConfigValueFactory.fromAnyRef(stateDir.toAbsolutePath().toString()));
        }
        extra = tandem.app.kubernetes.KubernetesBootstrap.config(extra, seeds); // TANDEM_BOOTSTRAP=kubernetes: kubernetes.conf
        extra = roleConfig(new NodeConfig(role(), host, port, seeds, extra)).withFallback(extra);
        ActorSystem<Void> system = TandemNode.start(new NodeConfig(role(), host, port, seeds, extra),
                name != null ? name : role().clusterRole + "@" + host);
        if (tandem.app.kubernetes.KubernetesBootstrap.enabled()) {
            tandem.app.kubernetes.KubernetesBootstrap.start(system); // Cluster Bootstrap instead of seed nodes
        } else if (seeds.isEmpty()) {
            var cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
            cluster.manager().tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
        }
        // A coordinator node whose control API cannot listen (port in use) stops with exit code 1.
        var api = ApiServer.binding(system);
        api.ifPresent(binding -> binding.whenComplete((bound, failure) -> {
            if (failure != null) {
                System.err.println("tandem: error: control API: " + tandem.coordinator.control.Scaler.ScaleException.reason(failure)
                        + (failure instanceof IllegalArgumentException ? "" : " (--api-port picks another port)"));
                CoordinatedShutdown.get(system).runAll(ApiUnavailable.INSTANCE);
            }
        }));
        system.getWhenTerminated().toCompletableFuture().join();
        return api.map(b -> b.toCompletableFuture().isCompletedExceptionally() ? 1 : 0).orElse(0);
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static List<String> seedsFromEnv() {
        String value = System.getenv("TANDEM_SEED_NODES");
        return value == null || value.isBlank() ? new java.util.ArrayList<>() : new java.util.ArrayList<>(List.of(value.split(",")));
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true,
            description = "Run a coordinator node (hosts the singleton when oldest; serves the control API and Pekko Management).")
    public static final class Coordinator extends NodeCommand {
        @Mixin
        ApiOptions apiOptions = new ApiOptions();

        @Override Role role() { return Role.COORDINATOR; }

        /** The API flags; refuses (one line, before the node starts) a non-loopback API without a token. */
        @Override
        Config roleConfig(NodeConfig node) {
            Config config = apiOptions.overrides().withFallback(node.toConfig());
            if (config.getBoolean(TandemNode.API_ENABLED)) {
                apiOptions.settings(node.toConfig());
            }
            return apiOptions.overrides();
        }
    }

    @Command(name = "data-worker", mixinStandardHelpOptions = true, description = "Run a data worker node.")
    public static final class DataWorker extends NodeCommand {
        @Override Role role() { return Role.DATA; }
    }

    @Command(name = "gpu-worker", mixinStandardHelpOptions = true, description = "Run a GPU worker node (one model replica).")
    public static final class GpuWorker extends NodeCommand {
        @Override Role role() { return Role.GPU; }
    }
}
