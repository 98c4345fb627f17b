package tandem.app.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * The configuration of one node: application.conf plus its role, address and seed nodes. Tests add
 * {@code pekko.actor.serialize-messages = on} through {@code extra}.
 */
public record NodeConfig(Role role, String host, int port, List<String> seedNodes, Config extra) {

    public static final String SYSTEM_NAME = "tandem";

    public Config toConfig() {
        return extra
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(role.clusterRole)))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes))
                .withFallback(ConfigFactory.load());
    }

    /** The address other nodes use to join this one. */
    public static String seedAddress(String host, int port) {
        return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
    }
}
