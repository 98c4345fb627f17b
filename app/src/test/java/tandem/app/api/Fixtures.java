package tandem.app.api;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import tandem.app.Main;
import tandem.coordinator.control.ApiSettings;
import tandem.proto.ExperimentSpec;

/**
 * What the API tests share: tandem.app.TestSpecs (package-private in tandem.app, read here so that both
 * stay one definition), in-process {@code tandem ctl}, plain HTTP.
 */
final class Fixtures {
    private Fixtures() {}

    static final String TOKEN = "test-token-0123456789";

    /** {@code TestSpecs.SERIALIZE_EVERYTHING}: every message serialized, as across machines. */
    static Config serializeEverything() {
        try {
            Field field = Class.forName("tandem.app.TestSpecs").getDeclaredField("SERIALIZE_EVERYTHING");
            field.setAccessible(true);
            return (Config) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code TestSpecs.tiny(steps)}: a tiny Transformer on the synthetic source. */
    static ExperimentSpec tiny(long steps) {
        try {
            Method tiny = Class.forName("tandem.app.TestSpecs").getDeclaredMethod("tiny", long.class);
            tiny.setAccessible(true);
            return (ExperimentSpec) tiny.invoke(null, steps);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** API settings for tests: loopback, a free port, a token. */
    static ApiSettings api() {
        return new ApiSettings("127.0.0.1", 0, Optional.of(TOKEN), false, 1024 * 1024, 64, Duration.ofSeconds(5), Duration.ZERO);
    }

    /** What one in-process {@code tandem ctl ...} printed and returned. */
    record Ctl(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nout: " + out + "\nerr: " + err;
        }
    }

    /** Runs {@code tandem ctl <args> --server <server> [--token TOKEN]} in this JVM through Main's command line. */
    static Ctl ctl(String server, boolean withToken, String... args) {
        List<String> all = new ArrayList<>(List.of("ctl"));
        all.addAll(List.of(args));
        all.addAll(List.of("--server", server));
        if (withToken) {
            all.addAll(List.of("--token", TOKEN));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = capturing(Main.commandLine(), out, err);
        int exit = command.execute(all.toArray(String[]::new));
        if (exit == 0 && out.toString().isBlank()) {
            throw new AssertionError("ctl " + all + " printed nothing; err: " + err);
        }
        return new Ctl(exit, out.toString(), err.toString());
    }

    /**
     * {@code command} printing to {@code out} and {@code err}. Picocli's default execution strategy
     * (RunLast) remembers {@code System.out} when it is created and, if {@code System.out} differs when the
     * command executes, replaces the writer given with {@code setOut} by one on that stream. GPU workers in
     * this JVM swap {@code System.out} while they build a model (tandem.gpu.model.SameDiffStdout), so the
     * output would now and then escape the capture: a strategy that is not a RunLast instance avoids it.
     */
    static CommandLine capturing(CommandLine command, StringWriter out, StringWriter err) {
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.setExecutionStrategy(parsed -> new CommandLine.RunLast().execute(parsed));
    }

    static Ctl ctl(String server, String... args) {
        return ctl(server, true, args);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
