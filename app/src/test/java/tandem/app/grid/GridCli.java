package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine;
import tandem.app.Main;

/** Runs {@code tandem grid ARGS} in this JVM, capturing its output. */
final class GridCli {
    private GridCli() {}

    record Run(int exitCode, String out, String err) {}

    static Run grid(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "grid";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = cli.execute(full);
        return new Run(code, out.toString(), err.toString().strip());
    }

    /** A user error: exit 2, one line "tandem: error: ...", no stack trace. Returns the line. */
    static String error(String... args) {
        Run run = grid(args);
        assertEquals(2, run.exitCode(), "exit code; stderr: " + run.err() + "; stdout: " + run.out());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.err().startsWith("tandem: error: "), run.err());
        assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), "no stack trace: " + run.err());
        return run.err();
    }

    /** The tiny spec of test resources: synthetic corpus, context 16, d_model 32, 1 GPU and 1 data worker. */
    static Path tinySpec() {
        try {
            return Path.of(GridCli.class.getResource("/grid/tiny-spec.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
