package tandem.protocol;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * How large a parameter vector may be on this node's wire. Artery drops an over-size message with only
 * a log line, so both ends check a vector against the large-message frame before they send it.
 */
public final class WireLimits {
    private static final String FRAME = "pekko.remote.artery.advanced.maximum-large-frame-size";
    /** Room for the rest of a task: spec, batch, refs. */
    private static final long HEADROOM = 1 << 20;

    private WireLimits() {}

    /** A one-line reason if a vector of {@code floats} floats cannot cross this node's wire. */
    public static Optional<String> checkVector(ActorSystem<?> system, long floats) {
        if (!system.settings().config().hasPath(FRAME)) {
            return Optional.empty();
        }
        long frame = system.settings().config().getBytes(FRAME);
        long needed = floats * Float.BYTES + HEADROOM;
        if (needed <= frame) {
            return Optional.empty();
        }
        return Optional.of(String.format("the model has %d parameters (%.1f MiB on the wire) but %s is %.1f MiB: raise it to at least %.0f MiB",
                floats, floats * 4 / 1048576.0, FRAME, frame / 1048576.0, Math.ceil(needed / 1048576.0)));
    }
}
