package tandem.protocol;

import org.apache.pekko.actor.CoordinatedShutdown;

/** Why a worker node shut down: it drained (asked to, or told to stop). */
public enum Drained implements CoordinatedShutdown.Reason {
    INSTANCE
}
