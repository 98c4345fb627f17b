package tandem.app.api;

import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * Why a coordinator node stops when its control API cannot be served; application.conf maps it to exit
 * code 1 ({@code pekko.coordinated-shutdown.reason-overrides}).
 */
public enum ApiUnavailable implements CoordinatedShutdown.Reason {
    INSTANCE
}
