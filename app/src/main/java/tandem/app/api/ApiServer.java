package tandem.app.api;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.app.node.Role;
import tandem.app.node.TandemNode;
import tandem.coordinator.control.ApiSettings;
import tandem.coordinator.control.ControlApi;
import tandem.coordinator.control.NodeMetrics;
import tandem.coordinator.control.Scaler;
import tandem.coordinator.control.SpecCheck;

/**
 * Serves the control API ({@link ControlApi}) on a node: coordinator nodes (with no scaler) and local
 * mode's client node (with a {@link LocalScaler}). It reaches the coordinator singleton through the node's
 * proxy and serves this JVM's metrics registry. The binding ends with the ActorSystem.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final Map<ActorSystem<?>, CompletionStage<ServerBinding>> BINDINGS = new ConcurrentHashMap<>();

    private ApiServer() {}

    /** Binds the API with {@code tandem.api} of {@code config}; a bad setting fails the returned stage. */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, Config config, Scaler scaler) {
        ApiSettings settings;
        try {
            settings = ApiSettings.fromConfig(config);
        } catch (RuntimeException e) {
            log.error("control API: {}", e.getMessage());
            return remember(system, CompletableFuture.failedFuture(e));
        }
        return start(system, settings, scaler);
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ApiSettings settings, Scaler scaler) {
        return start(system, settings, scaler, SpecCheck.NONE);
    }

    /** With {@code check} after the wire check ({@link WireFit}) every node makes. */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ApiSettings settings, Scaler scaler, SpecCheck check) {
        // Local mode's client node: with --processes the coordinator's JVM keeps the run metrics, not this one.
        boolean client = Cluster.get(system).selfMember().hasRole(Role.CLIENT.clusterRole);
        CompletionStage<ServerBinding> binding = ControlApi.start(system, TandemNode.coordinator(system), settings, scaler,
                NodeMetrics.get().registry(), new WireFit(system).and(check), client);
        binding.whenComplete((bound, failure) -> {
            if (failure != null) {
                log.error("control API: cannot serve {}:{}: {}", settings.host(), settings.port(), Scaler.ScaleException.reason(failure));
            } else {
                log.info("control API at {} ({})", url(bound), settings.token().isPresent() ? "mutating calls need the bearer token"
                        : "no token: loopback only");
            }
        });
        return remember(system, binding);
    }

    /** The API binding this node started, if any. */
    public static Optional<CompletionStage<ServerBinding>> binding(ActorSystem<?> system) {
        return Optional.ofNullable(BINDINGS.get(system));
    }

    /** {@code http://host:port} of a binding (an address bound on all interfaces shows as 127.0.0.1). */
    public static String url(ServerBinding binding) {
        var address = binding.localAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + address.getPort();
    }

    private static CompletionStage<ServerBinding> remember(ActorSystem<?> system, CompletionStage<ServerBinding> binding) {
        BINDINGS.put(system, binding);
        system.getWhenTerminated().thenRun(() -> BINDINGS.remove(system));
        return binding;
    }
}
