package tandem.app.ctl;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The control API over {@link HttpClient}: one request, its JSON answer or a one-line {@link CtlException}. */
final class CtlClient {
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final URI server;
    /** The server as the user would write it (no trailing slash), for messages. */
    private final String shown;
    private final Optional<String> token;
    private final HttpClient http;
    private final Duration timeout;

    CtlClient(String server, Optional<String> token, Duration timeout) throws CtlException {
        this.server = parseServer(server);
        String text = this.server.toString();
        this.shown = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** An HTTP answer: status code and body. */
    record Answer(int code, String body) {}

    /** Sends; a 4xx/5xx answer is a {@link CtlException} with the API's error line. */
    Answer send(String method, String path, String body) throws CtlException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new CtlException("cannot reach " + shown + " (connection refused): is a coordinator or `tandem local --serve` "
                    + "running there? (--server or TANDEM_SERVER)");
        } catch (HttpTimeoutException e) {
            throw new CtlException("no answer from " + shown + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new CtlException("cannot reach " + shown + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted");
        }
        if (response.statusCode() >= 400) {
            throw new CtlException(errorLine(response.statusCode(), response.body()));
        }
        if (response.body().isBlank()) {
            throw new CtlException("empty answer from " + shown + " (HTTP " + response.statusCode() + ")");
        }
        return new Answer(response.statusCode(), response.body());
    }

    /** Parses an answer's JSON into {@code builder} (fields this client does not know are skipped). */
    static <B extends Message.Builder> B parse(String json, B builder) throws CtlException {
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new CtlException("the server's answer is not the JSON expected: " + firstLine(e.getMessage()));
        }
    }

    /** "no experiment 'x' (HTTP 404)", from {"error": "..."} or the body's first line. */
    static String errorLine(int code, String body) {
        String error;
        try {
            Struct.Builder struct = Struct.newBuilder();
            JsonFormat.parser().merge(body, struct);
            error = struct.getFieldsOrDefault("error", com.google.protobuf.Value.getDefaultInstance()).getStringValue();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            error = "";
        }
        if (error.isEmpty()) {
            error = body == null || body.isBlank() ? "no details" : firstLine(body.strip());
        }
        String hint = code == 401 ? "; give a token with --token, --token-file or TANDEM_API_TOKEN" : "";
        return error + " (HTTP " + code + hint + ")";
    }

    private static URI parseServer(String server) throws CtlException {
        String s = server.strip();
        if (!s.contains("://")) {
            s = "http://" + s;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            URI uri = URI.create(s + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CtlException("--server: '" + server + "' is not a URL like http://127.0.0.1:8080");
        }
    }

    /** A path segment, percent-encoded (worker names may hold '@' and ':', which may stay). */
    static String segment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~@:!$&'()*+,;=".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** What ctl prints as its one error line ({@code tandem: error: ...}). */
    static class CtlException extends Exception {
        CtlException(String message) {
            super(message, null, false, false);
        }
    }
}
