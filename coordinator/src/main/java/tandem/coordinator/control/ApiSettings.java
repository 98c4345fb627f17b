package tandem.coordinator.control;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the control API ({@code tandem.api} in application.conf). The bearer token comes from the
 * file {@code tandem.api.token-file} (flag {@code --token-file}) or else the environment variable
 * {@code TANDEM_API_TOKEN}; it is never printed.
 *
 * @param host         address to bind (default 127.0.0.1)
 * @param port         port to bind (default 8080; 0 picks a free one)
 * @param token        the bearer token mutating calls need; empty: none needed, and only loopback may be bound
 * @param authReads    whether reads (status, experiments, metrics) need the token too
 * @param maxBodyBytes larger request bodies get 413
 * @param maxPoolSize  the largest pool size PUT pools accepts
 * @param askTimeout   how long a request waits for the coordinator before 503
 * @param statusMaxAge how old a status answer may be when it is served again (a completed mutating call
 *                     through this API makes the next status fresh); zero asks the coordinator every time
 */
public record ApiSettings(String host, int port, Optional<String> token, boolean authReads, long maxBodyBytes,
                          int maxPoolSize, Duration askTimeout, Duration statusMaxAge) {

    public static final String TOKEN_ENV = "TANDEM_API_TOKEN";

    public ApiSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("tandem.api.port: must be 0..65535, got " + port);
        }
        if (maxPoolSize < 0) {
            throw new IllegalArgumentException("tandem.api.max-pool-size: must not be negative, got " + maxPoolSize);
        }
        if (statusMaxAge.isNegative()) {
            throw new IllegalArgumentException("tandem.api.status-max-age: must not be negative, got " + statusMaxAge);
        }
        token = token.filter(t -> !t.isBlank());
    }

    /** Reads {@code tandem.api}; the token from the token file, else from {@code env}'s TANDEM_API_TOKEN. */
    public static ApiSettings fromConfig(Config config, Map<String, String> env) {
        Config api = config.getConfig("tandem.api");
        String tokenFile = api.getString("token-file");
        Optional<String> token = tokenFile.isBlank()
                ? Optional.ofNullable(env.get(TOKEN_ENV)).map(String::trim).filter(t -> !t.isEmpty())
                : Optional.of(readToken(Path.of(tokenFile)));
        return new ApiSettings(api.getString("host"), api.getInt("port"), token, api.getBoolean("auth-reads"),
                api.getBytes("max-body-bytes"), api.getInt("max-pool-size"), api.getDuration("ask-timeout"),
                api.getDuration("status-max-age"));
    }

    public static ApiSettings fromConfig(Config config) {
        return fromConfig(config, System.getenv());
    }

    /** The token in {@code file}: its content without surrounding whitespace; missing or empty is an error. */
    public static String readToken(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("token file " + file + ": empty");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("token file " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("token file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Refuses to serve a non-loopback address without a token: anyone who can reach it could cancel runs.
     *
     * @throws IllegalArgumentException one line saying what to do
     */
    public ApiSettings checkBindable() {
        if (token.isEmpty() && !loopback(host)) {
            throw new IllegalArgumentException("the control API will not listen on " + host + " without a token: set "
                    + TOKEN_ENV + " or --token-file, or bind a loopback address (--api-host 127.0.0.1)");
        }
        return this;
    }

    public ApiSettings withPort(int newPort) {
        return new ApiSettings(host, newPort, token, authReads, maxBodyBytes, maxPoolSize, askTimeout, statusMaxAge);
    }

    public ApiSettings withHost(String newHost) {
        return new ApiSettings(newHost, port, token, authReads, maxBodyBytes, maxPoolSize, askTimeout, statusMaxAge);
    }

    public ApiSettings withToken(String newToken) {
        return new ApiSettings(host, port, Optional.ofNullable(newToken), authReads, maxBodyBytes, maxPoolSize, askTimeout, statusMaxAge);
    }

    public ApiSettings withAuthReads(boolean on) {
        return new ApiSettings(host, port, token, on, maxBodyBytes, maxPoolSize, askTimeout, statusMaxAge);
    }

    public ApiSettings withStatusMaxAge(Duration maxAge) {
        return new ApiSettings(host, port, token, authReads, maxBodyBytes, maxPoolSize, askTimeout, maxAge);
    }

    static boolean loopback(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the control API's host " + host + ": unknown host");
        }
    }

    @Override
    public String toString() {
        return "ApiSettings[" + host + ":" + port + ", token " + (token.isPresent() ? "set" : "none") + ", auth-reads " + authReads
                + ", max-body " + maxBodyBytes + " B, max-pool-size " + maxPoolSize + ", ask-timeout " + askTimeout + ", status-max-age " + statusMaxAge + "]";
    }
}
