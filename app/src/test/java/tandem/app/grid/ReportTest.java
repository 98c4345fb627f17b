package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;

/** The report, drawn from stored cells: no training. */
class ReportTest {
    @TempDir
    Path dir;

    /** Six cells of a real tiny grid (synthetic corpus): 2 x 2 without augmentation, 2 with EDA. */
    private static List<CellResult> fixture() throws Exception {
        Path fixture = Path.of(ReportTest.class.getResource("/grid/fixture").toURI());
        try (Stream<Path> files = Files.list(fixture)) {
            return files.sorted().map(ResultsStore::read).toList();
        }
    }

    @Test
    void rendersFromStoredCells() throws Exception {
        ResultsStore store = new ResultsStore(dir);
        Outputs.write(store, fixture(), Map.of());

        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("## Answer"), report);
        assertTrue(report.contains("doubling data is predicted to"), report);
        assertTrue(report.contains("for doubling compute"), report);
        assertTrue(report.contains("the grid is too small for the 5-parameter law"), "2 x 2 cells: a fallback fit\n" + report);
        assertTrue(report.contains("**Augmentation:**"), report);
        assertTrue(report.contains("entropy floor of 2.0032 bits/byte"), "the synthetic source's floor\n" + report);
        for (String plot : List.of("heatmap-none.png", "heatmap-eda.png", "loss-curves-none.png", "val-vs-epochs-eda.png", "fit-none.png")) {
            assertTrue(report.contains("plots/" + plot), plot);
            BufferedImage image = ImageIO.read(dir.resolve("plots").resolve(plot).toFile());
            assertNotNull(image, plot + " is a readable PNG");
            assertEquals(960, image.getWidth());
            assertEquals(600, image.getHeight());
        }
        assertEquals(7, Files.readAllLines(dir.resolve("results.csv")).size(), "header + 6 cells");
        assertTrue(Files.readString(dir.resolve("results.json")).contains("\"fits\""));
    }

    @Test
    void aFullGridFitsTheFiveParameterLawAndAnswersWithIt() throws Exception {
        // Cells whose losses follow L = 1.5 + 20/C^0.3 + 40/D^0.35 exactly (see FakeTrainer.summary).
        ExperimentSpec spec = Specs.DEFAULTS;
        List<CellResult> results = new ArrayList<>();
        for (String gpu : List.of("100", "200", "400")) {
            for (String data : List.of("100k", "200k", "400k")) {
                var summary = FakeTrainer.summary(Long.parseLong(gpu), DataBudgetPoint.parse(data).bytes(), 1.4);
                results.add(new CellResult("steps" + gpu + "_data" + data + "_none_r0", gpu, data, "none", 0, spec, summary));
            }
        }
        GridAnalysis analysis = Outputs.write(new ResultsStore(dir), results, Map.of("steps800_data400k_none_r0", "failed: test"));
        ScalingLawFit.Fit fit = analysis.fit("none");
        assertEquals(ScalingLawFit.Model.POWER_LAW, fit.model(), fit.notes().toString());
        assertEquals(0.3, fit.params()[2], 0.015);
        assertEquals(0.35, fit.params()[4], 0.0175);

        // At 400 steps (102,400 tokens) and 400k bytes the law gives 0.118 for doubling compute, 0.094 for data.
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("doubling data is predicted to lower validation loss by 0.094"), report);
        assertTrue(report.contains("vs 0.1179 for doubling compute: more compute (a bigger GPU budget) is the better lever here"), report);
        assertTrue(report.contains("R^2 = 1.0000"), report);
        assertTrue(report.contains("**Incomplete:** 1 cell(s)"), report);
        assertTrue(Files.size(dir.resolve("plots/fit-none.png")) > 0);
    }

    @Test
    void reportOnlyRedrawsFromTheStore() throws Exception {
        Path out = dir.resolve("grid");
        var tiny = Specs.withDefaults(Specs.fromJson(Files.readString(GridCli.tinySpec(), StandardCharsets.UTF_8), "tiny"));
        new GridRunner(new ResultsStore(out), new FakeTrainer(), Duration.ofMinutes(1), new PrintWriter(new StringWriter()))
                .run(new GridSpec(tiny, GridAxes.parse("10,20", "50k,100k", null, 1)));
        GridCli.Run run = GridCli.grid("--report-only", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("report of 4 stored cell(s), 0 not run yet"), run.out());
        assertTrue(Files.exists(out.resolve("report.md")));
    }
}
