package tandem.protocol;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** A loopback cluster node for wire tests: every message serialized, large messages to /user/big-*. */
public final class WireTestConfig {
    private WireTestConfig() {}

    public static Config node(int largeFrameMiB) {
        return ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.actor.serialize-messages = on
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.remote.artery.large-message-destinations = ["/user/big-*"]
                pekko.remote.artery.advanced.maximum-large-frame-size = %d MiB
                pekko.remote.artery.advanced.large-buffer-pool-size = 4
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.loglevel = WARNING
                pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = 2
                """.formatted(largeFrameMiB)).withFallback(ConfigFactory.load());
    }
}
