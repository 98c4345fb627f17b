package tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every user mistake: one line naming the field or file, exit code 2, and no node started. */
class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void unknownSpecField() throws Exception {
        Path spec = write("spec.json", "{\"gpuBudget\": {\"maxSteps\": 5, \"gpuz\": 2}}");
        assertError("--spec", spec.toString()).contains(spec.toString()).contains("gpuz");
    }

    @Test
    void negativeBudget() {
        assertError("--steps", "-3").contains("gpu_budget.max_steps");
        assertError("--data-budget", "-10", "--corpus", "synthetic").contains("data_budget.unique_bytes");
    }

    @Test
    void shardsThatDoNotDivideTheBatch() throws Exception {
        Path spec = write("spec.json", "{\"batch\": {\"globalBatch\": 10, \"shards\": 4}}");
        assertError("--spec", spec.toString()).contains("batch.shards: 4 does not divide batch.global_batch 10");
    }

    @Test
    void missingCorpus() {
        assertError("--corpus", dir.resolve("nowhere.txt").toString()).contains("nowhere.txt");
    }

    @Test
    void emptyCorpus() throws Exception {
        Path empty = write("empty.txt", "");
        assertError("--corpus", empty.toString()).contains("empty.txt");
    }

    @Test
    void nonUtf8Corpus() throws Exception {
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, "caf\u00e9 au lait, ".repeat(200).getBytes(StandardCharsets.ISO_8859_1));
        assertError("--corpus", bad.toString()).contains("latin1.txt");
    }

    @Test
    void dataBudgetLargerThanTheCorpus() throws Exception {
        Path small = write("small.txt", "A short corpus line.\n".repeat(300));
        assertError("--corpus", small.toString(), "--data-budget", "1000000").contains("data_budget.unique_bytes");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** Runs {@code tandem local ARGS} and checks the error shape; returns its message for more checks. */
    private static Message assertError(String... args) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cli = tandem.app.Main.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(out));
        String[] full = new String[args.length + 1];
        full[0] = "local";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = cli.execute(full);
        String text = err.toString().strip();
        assertEquals(2, code, "exit code for " + String.join(" ", args) + "; stderr: " + text);
        assertEquals(1, text.lines().count(), "one line: " + text);
        assertTrue(text.startsWith("tandem: error: "), text);
        assertTrue(!text.contains("Exception") && !text.contains("\tat "), "no stack trace: " + text);
        return new Message(text);
    }

    record Message(String text) {
        Message contains(String part) {
            assertTrue(text.contains(part), "'" + text + "' should name " + part);
            return this;
        }
    }
}
