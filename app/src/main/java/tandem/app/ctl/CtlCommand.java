package tandem.app.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import tandem.app.ctl.CtlClient.CtlException;
import tandem.coordinator.control.ApiSettings;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.ControlReply;
import tandem.proto.ExperimentList;
import tandem.proto.ExperimentView;
import tandem.proto.Status;

/**
 * {@code tandem ctl}: the control API's command-line client. Readable tables by default, the API's JSON
 * with {@code --json}. The server and token come from flags or the environment ({@code TANDEM_SERVER},
 * {@code TANDEM_API_TOKEN}). An error prints one line ({@code tandem: error: ...}) and exits 1 (2 for a
 * usage mistake or a spec file that does not parse).
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Control a running tandem cluster through its HTTP API (a coordinator node, or tandem local).",
                "Reads: status, experiments. Changes (need the token if the server has one): submit, scale, drain, "
                        + "pause, resume, cancel, checkpoint."},
        subcommands = {
                CtlCommand.StatusCmd.class,
                CtlCommand.SubmitCmd.class,
                CtlCommand.ExperimentsCmd.class,
                CtlCommand.PauseCmd.class,
                CtlCommand.ResumeCmd.class,
                CtlCommand.CancelCmd.class,
                CtlCommand.CheckpointCmd.class,
                CtlCommand.ScaleCmd.class,
                CtlCommand.DrainCmd.class,
                CtlCommand.MetricsCmd.class,
        })
public final class CtlCommand implements Runnable {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

    @CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "the API's address (default: TANDEM_SERVER, else " + DEFAULT_SERVER + ")")
    String server = envOr("TANDEM_SERVER", DEFAULT_SERVER);

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "bearer token for changes (default: TANDEM_API_TOKEN; --token-file keeps it out of `ps`)")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT, description = "file holding the bearer token")
    Path tokenFile;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON instead of a table")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, description = "request timeout (default 30)")
    long timeoutSeconds = 30;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    CtlClient client() throws CtlException {
        Optional<String> t;
        if (token != null && !token.isBlank()) {
            t = Optional.of(token.strip());
        } else if (tokenFile != null) {
            try {
                t = Optional.of(ApiSettings.readToken(tokenFile));
            } catch (IllegalArgumentException e) {
                throw new CtlException(e.getMessage());
            }
        } else {
            t = Optional.ofNullable(System.getenv(ApiSettings.TOKEN_ENV)).map(String::strip).filter(s -> !s.isEmpty());
        }
        return new CtlClient(server, t, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** A subcommand: does its request, prints, turns a {@link CtlException} into one error line. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        CtlCommand ctl;

        @CommandLine.Spec
        CommandSpec spec;

        abstract void run(CtlClient client, PrintWriter out) throws CtlException;

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                run(ctl.client(), out);
                out.flush();
                return 0;
            } catch (CtlException e) {
                out.flush();
                PrintWriter err = spec.commandLine().getErr();
                err.println("tandem: error: " + e.getMessage());
                err.flush();
                return e instanceof UsageException ? 2 : 1;
            }
        }

        boolean json() {
            return ctl.json;
        }

        /** Prints the API's JSON as it came, or {@code table}. */
        void print(PrintWriter out, String body, Runnable table) {
            if (json()) {
                out.print(body.endsWith("\n") ? body : body + "\n");
            } else {
                table.run();
            }
        }

        /** An action's reply: its message line. */
        void printReply(PrintWriter out, CtlClient.Answer answer) throws CtlException {
            ControlReply reply = CtlClient.parse(answer.body(), ControlReply.newBuilder()).build();
            print(out, answer.body(), () -> out.println(reply.getMessage().isEmpty() ? "ok" : reply.getMessage()));
        }
    }

    /** A local mistake (a spec file that does not parse): exit code 2. */
    static final class UsageException extends CtlException {
        UsageException(String message) {
            super(message);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Members by role, workers (state, throughput, shards), the running experiment, budgets, data stall, last checkpoint.")
    static final class StatusCmd extends Sub {
        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            CtlClient.Answer answer = client.send("GET", "api/v1/status", null);
            Status status = CtlClient.parse(answer.body(), Status.newBuilder()).build();
            print(out, answer.body(), () -> Tables.status(status, out));
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Submit an experiment (an ExperimentSpec as JSON; '-' reads stdin). It queues behind a running one.")
    static final class SubmitCmd extends Sub {
        @Parameters(paramLabel = "SPEC.json")
        String file;

        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            String body;
            try {
                body = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UsageException(file + ": no such file");
            } catch (IOException e) {
                throw new UsageException(file + ": " + e.getMessage());
            }
            try {
                Specs.fromJson(body, file); // a local mistake names the file, before anything is sent
            } catch (SpecException e) {
                throw new UsageException(e.getMessage());
            }
            CtlClient.Answer answer = client.send("POST", "api/v1/experiments", body);
            ExperimentView view = CtlClient.parse(answer.body(), ExperimentView.newBuilder()).build();
            print(out, answer.body(), () -> out.println("submitted " + view.getId() + " (" + view.getState() + ")"));
        }
    }

    @Command(name = "experiments", mixinStandardHelpOptions = true,
            description = "List experiments, or show one (spec, progress, summary, loss curve).")
    static final class ExperimentsCmd extends Sub {
        @Parameters(paramLabel = "ID", arity = "0..1")
        String id;

        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            if (id == null) {
                CtlClient.Answer answer = client.send("GET", "api/v1/experiments", null);
                ExperimentList list = CtlClient.parse(answer.body(), ExperimentList.newBuilder()).build();
                print(out, answer.body(), () -> Tables.experiments(list.getExperimentsList(), out));
            } else {
                CtlClient.Answer answer = client.send("GET", "api/v1/experiments/" + CtlClient.segment(id), null);
                ExperimentView view = CtlClient.parse(answer.body(), ExperimentView.newBuilder()).build();
                print(out, answer.body(), () -> Tables.experiment(view, out));
            }
        }
    }

    /** pause | resume | cancel ID. */
    abstract static class ActionCmd extends Sub {
        @Parameters(paramLabel = "ID", description = "experiment id (see ctl experiments)")
        String id;

        abstract String action();

        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            printReply(out, client.send("POST", "api/v1/experiments/" + CtlClient.segment(id) + ":" + action(), null));
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause an experiment: no new shards are handed out.")
    static final class PauseCmd extends ActionCmd {
        @Override String action() { return "pause"; }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused experiment.")
    static final class ResumeCmd extends ActionCmd {
        @Override String action() { return "resume"; }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a running or queued experiment.")
    static final class CancelCmd extends ActionCmd {
        @Override String action() { return "cancel"; }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Checkpoint the running experiment now.")
    static final class CheckpointCmd extends Sub {
        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            CtlClient.Answer answer = client.send("POST", "api/v1/checkpoints", null);
            ControlReply reply = CtlClient.parse(answer.body(), ControlReply.newBuilder()).build();
            var checkpoint = reply.getStatus().getLastCheckpoint();
            print(out, answer.body(), () -> out.println(reply.getMessage()
                    + (checkpoint.getPath().isEmpty() ? "" : ": step " + checkpoint.getStep() + ", " + checkpoint.getPath())));
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Set the pool sizes while training runs (a pool left out keeps its size). Never changes the result, only the speed.")
    static final class ScaleCmd extends Sub {
        @Option(names = "--gpu", paramLabel = "N", description = "GPU workers")
        Integer gpu;

        @Option(names = "--data", paramLabel = "M", description = "data workers")
        Integer data;

        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            if (gpu == null && data == null) {
                throw new UsageException("scale: give --gpu N and/or --data M");
            }
            StringBuilder body = new StringBuilder("{");
            if (gpu != null) {
                body.append("\"gpuWorkers\": ").append(gpu);
            }
            if (data != null) {
                body.append(gpu != null ? ", " : "").append("\"dataWorkers\": ").append(data);
            }
            printReply(out, client.send("PUT", "api/v1/pools", body.append("}").toString()));
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Drain a worker (its name as in ctl status): it finishes its shard, deregisters and leaves.")
    static final class DrainCmd extends Sub {
        @Parameters(paramLabel = "WORKER")
        String worker;

        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            printReply(out, client.send("POST", "api/v1/workers/" + CtlClient.segment(worker) + ":drain", null));
        }
    }

    @Command(name = "metrics", mixinStandardHelpOptions = true, description = "Print the Prometheus metrics (text format).")
    static final class MetricsCmd extends Sub {
        @Override
        void run(CtlClient client, PrintWriter out) throws CtlException {
            out.print(client.send("GET", "metrics", null).body());
        }
    }
}
