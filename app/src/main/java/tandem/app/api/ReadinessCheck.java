package tandem.app.api;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import tandem.app.node.Role;
import tandem.app.node.TandemNode;
import tandem.protocol.CoordinatorProtocol;
import tandem.proto.ControlRequest;
import tandem.proto.StatusQuery;

/**
 * Pekko Management's {@code /ready} (registered under {@code pekko.management.health-checks.readiness-checks}):
 * a node is ready once it is Up (or WeaklyUp) in the cluster and, on a node that serves the control API
 * (coordinator nodes, local mode's client), once the coordinator singleton answers a status query.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private final ActorSystem<?> system;

    public ReadinessCheck(org.apache.pekko.actor.ActorSystem system) {
        this.system = Adapter.toTyped(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        var self = Cluster.get(system).selfMember();
        if (self.status() != MemberStatus.up() && self.status() != MemberStatus.weaklyUp()) {
            return CompletableFuture.completedFuture(false);
        }
        Set<String> roles = self.getRoles();
        if (!roles.contains(Role.COORDINATOR.clusterRole) && !roles.contains(Role.CLIENT.clusterRole)) {
            return CompletableFuture.completedFuture(true);
        }
        return AskPattern.<CoordinatorProtocol.Command, CoordinatorProtocol.Replied>ask(TandemNode.coordinator(system),
                        replyTo -> new CoordinatorProtocol.Control(
                                ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build(), replyTo),
                        ASK_TIMEOUT, system.scheduler())
                .thenApply(replied -> replied.body().getCode() == 200)
                .exceptionally(failure -> false);
    }
}
