package tandem.app.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko Management on its own port ({@code pekko.management.http.port}, default 7626): {@code /alive},
 * {@code /ready} (with {@link ReadinessCheck}) and the cluster membership routes of
 * pekko-management-cluster-http ({@code /cluster/members}, read-only). A port that cannot be bound is
 * logged, not fatal: the node still works, only its probes do not answer.
 */
public final class Management {
    private static final Logger log = LoggerFactory.getLogger(Management.class);
    private static final Map<ActorSystem<?>, CompletionStage<Uri>> STARTED = new ConcurrentHashMap<>();

    private Management() {}

    public static CompletionStage<Uri> start(ActorSystem<?> system) {
        CompletionStage<Uri> started = PekkoManagement.get(Adapter.toClassic(system)).start();
        started.whenComplete((uri, failure) -> {
            if (failure != null) {
                log.warn("Pekko Management did not start (probes will not answer): {}", failure.getMessage());
            } else {
                log.info("Pekko Management at {} (/alive, /ready, /cluster/members)", uri);
            }
        });
        STARTED.put(system, started);
        system.getWhenTerminated().thenRun(() -> STARTED.remove(system));
        return started;
    }

    /** Where this node's management server listens, once started. */
    public static Optional<CompletionStage<Uri>> uri(ActorSystem<?> system) {
        return Optional.ofNullable(STARTED.get(system));
    }
}
