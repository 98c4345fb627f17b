package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;

/** The runner's bookkeeping, with a trainer that trains nothing: which cells run, which are reused. */
class GridRunnerTest {
    @TempDir
    Path dir;

    private static ExperimentSpec tiny() throws Exception {
        return Specs.withDefaults(Specs.fromJson(Files.readString(GridCli.tinySpec(), StandardCharsets.UTF_8), "tiny-spec.json"));
    }

    private GridRunner.Outcome run(FakeTrainer trainer, String gpu, String data, String augment) throws Exception {
        GridSpec grid = new GridSpec(tiny(), GridAxes.parse(gpu, data, augment, 1));
        return new GridRunner(new ResultsStore(dir), trainer, Duration.ofMinutes(1), new PrintWriter(new StringWriter())).run(grid);
    }

    @Test
    void reRunTrainsOnlyCellsWithoutAStoredResult() throws Exception {
        FakeTrainer first = new FakeTrainer();
        run(first, "10,20", "50k", null);
        assertEquals(List.of("steps10_data50k_none_r0", "steps20_data50k_none_r0"), first.trained);

        FakeTrainer same = new FakeTrainer();
        GridRunner.Outcome again = run(same, "10,20", "50k", null);
        assertEquals(List.of(), same.trained);
        assertEquals(2, again.reused().size());
        assertEquals(2, again.results().size());

        FakeTrainer wider = new FakeTrainer();
        GridRunner.Outcome grown = run(wider, "10,20", "50k,100k", "none,eda");
        assertEquals(6, wider.trained.size(), wider.trained.toString());
        assertTrue(wider.trained.stream().noneMatch(id -> id.endsWith("data50k_none_r0")), wider.trained.toString());
        assertEquals(8, grown.results().size());
    }

    @Test
    void aFailedCellDoesNotStopTheGridAndIsRetriedNextTime() throws Exception {
        FakeTrainer flaky = new FakeTrainer();
        flaky.failing.add("steps10_data50k_none_r0");
        GridRunner.Outcome outcome = run(flaky, "10,20", "50k", null);
        assertEquals(List.of("steps20_data50k_none_r0"), flaky.trained);
        assertEquals(List.of("steps10_data50k_none_r0"), List.copyOf(outcome.failed().keySet()));
        assertTrue(flaky.closed >= 1, "a fresh cluster after a failure");

        FakeTrainer retry = new FakeTrainer();
        run(retry, "10,20", "50k", null);
        assertEquals(List.of("steps10_data50k_none_r0"), retry.trained);
    }

    @Test
    void aStoredCellIsNeverOverwritten() throws Exception {
        run(new FakeTrainer(), "10", "50k", null);
        ResultsStore store = new ResultsStore(dir);
        Path file = dir.resolve("cells/steps10_data50k_none_r0.json");
        String before = Files.readString(file);
        CellResult stored = ResultsStore.read(file);
        assertThrows(IllegalStateException.class, () -> store.save(stored));
        assertEquals(before, Files.readString(file));
    }

    @Test
    void cellFilesRoundTrip() throws Exception {
        run(new FakeTrainer(), "10", "50k", "eda");
        Path file = dir.resolve("cells/steps10_data50k_eda_r0.json");
        CellResult read = ResultsStore.read(file);
        assertEquals("eda", read.augment());
        assertEquals("eda", read.spec().getDataBudget().getAugmentation().getPreset());
        assertEquals(50_000, read.spec().getDataBudget().getUniqueBytes());
        assertEquals(10, read.spec().getGpuBudget().getMaxSteps());
        assertEquals(10 * 16 * 16, read.summary().getTokens());
        assertEquals(read.toJson(), CellResult.of(new GridSpec(tiny(), GridAxes.parse("10", "50k", "eda", 1)).cells().get(0),
                read.summary()).toJson());
    }
}
