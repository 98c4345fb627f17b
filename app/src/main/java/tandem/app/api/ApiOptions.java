package tandem.app.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import tandem.coordinator.control.ApiSettings;

/** The control API's flags, for {@code local} and {@code coordinator}; the rest is {@code tandem.api} in application.conf. */
public final class ApiOptions {

    @Option(names = "--api-host", paramLabel = "HOST",
            description = "address the control API listens on (default 127.0.0.1, or TANDEM_API_HOST); "
                    + "anything but loopback needs a token")
    String host;

    @Option(names = "--api-port", paramLabel = "PORT",
            description = "control API port (default 8080, or TANDEM_API_PORT; 0 picks a free one)")
    Integer port;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "file holding the bearer token that mutating API calls need (default: TANDEM_API_TOKEN)")
    Path tokenFile;

    /** The flags given, as config over {@code tandem.api}. */
    public Config overrides() {
        Config config = ConfigFactory.empty();
        if (host != null) {
            config = config.withValue("tandem.api.host", ConfigValueFactory.fromAnyRef(host));
        }
        if (port != null) {
            config = config.withValue("tandem.api.port", ConfigValueFactory.fromAnyRef(port));
        }
        if (tokenFile != null) {
            config = config.withValue("tandem.api.token-file", ConfigValueFactory.fromAnyRef(tokenFile.toAbsolutePath().toString()));
        }
        return config;
    }

    /**
     * The API's settings: these flags over {@code base} (application.conf and -D), checked.
     *
     * @throws IllegalArgumentException one line: a token file that is missing or empty, a non-loopback
     *                                  address without a token, a port out of range
     */
    public ApiSettings settings(Config base) {
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--api-port: must be 0..65535, got " + port);
        }
        return ApiSettings.fromConfig(overrides().withFallback(base)).checkBindable();
    }
}
