package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.protocol.Specs;

/**
 * Every user mistake of {@code tandem grid}: one line "tandem: error: ...", exit code 2, found before any
 * cell trains, and no stored result touched.
 */
class BadGridInputTest {
    @TempDir
    Path dir;

    private final String spec = GridCli.tinySpec().toString();

    private static void contains(String line, String part) {
        assertTrue(line.contains(part), "'" + line + "' should say " + part);
    }

    @Test
    void emptyBudgetLists() {
        String out = dir.resolve("out").toString();
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "", "--data-budgets", "50k", "--out", out), "--gpu-budgets: empty list");
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", " ", "--out", out), "--data-budgets: empty list");
        contains(GridCli.error("--spec", spec, "--data-budgets", "50k", "--out", out), "--gpu-budgets: required");
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    }

    @Test
    void badBudgetValues() {
        String out = dir.resolve("out").toString();
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10,ten", "--data-budgets", "50k", "--out", out), "'ten'");
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10,10", "--data-budgets", "50k", "--out", out), "given twice");
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k", "--repeats", "0", "--out", out), "--repeats");
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k", "--steps", "5", "--out", out),
                "--steps: a grid takes its budgets from --gpu-budgets");
        contains(GridCli.error("--preset", "phd", "--out", out), "--preset: unknown preset 'phd'");
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    }

    @Test
    void aBudgetTheCorpusCannotSupplyStopsTheGridBeforeAnyCell() {
        String out = dir.resolve("out").toString();
        String line = GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k,5M", "--out", out);
        contains(line, "--data-budgets 5M");
        contains(line, "data_budget.unique_bytes");
        assertFalse(Files.exists(dir.resolve("out")), "nothing trained, nothing written");
    }

    @Test
    void anUnknownAugmentationPolicy() {
        String line = GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k", "--augment", "none,fancy",
                "--out", dir.resolve("out").toString());
        contains(line, "--augment fancy");
    }

    @Test
    void aDirectoryHoldingAnotherGridIsRefusedAndKeptIntact() throws Exception {
        Path out = dir.resolve("out");
        var tiny = Specs.withDefaults(Specs.fromJson(Files.readString(GridCli.tinySpec(), StandardCharsets.UTF_8), "tiny"));
        new GridRunner(new ResultsStore(out), new FakeTrainer(), Duration.ofMinutes(1), new PrintWriter(new StringWriter()))
                .run(new GridSpec(tiny, GridAxes.parse("10", "50k", null, 1)));
        Path cell = out.resolve("cells/steps10_data50k_none_r0.json");
        String before = Files.readString(cell);
        String manifest = Files.readString(out.resolve("grid.json"));

        String line = GridCli.error("--spec", spec, "--seed", "8", "--gpu-budgets", "10", "--data-budgets", "50k", "--out", out.toString());
        contains(line, "holds another grid's results");
        contains(line, "seed is 8 here but 7 there");
        assertEquals(before, Files.readString(cell));
        assertEquals(manifest, Files.readString(out.resolve("grid.json")));
    }

    @Test
    void aDirectoryThatIsNotAGrid() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        contains(GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k", "--out", out.toString()),
                "is not empty and holds no grid");
    }

    @Test
    void aDamagedCellFileIsNamedNotOverwritten() throws Exception {
        Path out = dir.resolve("out");
        var tiny = Specs.withDefaults(Specs.fromJson(Files.readString(GridCli.tinySpec(), StandardCharsets.UTF_8), "tiny"));
        new GridRunner(new ResultsStore(out), new FakeTrainer(), Duration.ofMinutes(1), new PrintWriter(new StringWriter()))
                .run(new GridSpec(tiny, GridAxes.parse("10", "50k", null, 1)));
        Path cell = out.resolve("cells/steps10_data50k_none_r0.json");
        Files.writeString(cell, "{\"cell\": ");
        String line = GridCli.error("--spec", spec, "--gpu-budgets", "10", "--data-budgets", "50k", "--out", out.toString());
        contains(line, "steps10_data50k_none_r0.json");
        assertEquals("{\"cell\": ", Files.readString(cell));
    }
}
