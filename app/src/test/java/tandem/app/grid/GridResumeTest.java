package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real grid on a local cluster, tiny cells: a re-run with the same arguments trains nothing, and a
 * re-run with one more data budget trains only the new cells and leaves the stored ones untouched.
 */
class GridResumeTest {
    @TempDir
    Path dir;

    @Test
    void finishedCellsAreNeverRunAgain() throws Exception {
        Path out = dir.resolve("grid");
        String spec = GridCli.tinySpec().toString();

        GridCli.Run first = GridCli.grid("--spec", spec, "--gpu-budgets", "10,20", "--data-budgets", "50k", "--out", out.toString());
        assertEquals(0, first.exitCode(), first.err() + first.out());
        assertTrue(first.out().contains("2 cell(s) trained, 0 reused"), first.out());
        Map<String, FileTime> stored = cellFiles(out);
        assertEquals(2, stored.size(), stored.toString());

        GridCli.Run again = GridCli.grid("--spec", spec, "--gpu-budgets", "10,20", "--data-budgets", "50k", "--out", out.toString());
        assertEquals(0, again.exitCode(), again.err() + again.out());
        assertTrue(again.out().contains("0 to train"), again.out());
        assertTrue(again.out().contains("0 cell(s) trained, 2 reused"), again.out());
        assertEquals(stored, cellFiles(out), "stored cells untouched");

        GridCli.Run wider = GridCli.grid("--spec", spec, "--gpu-budgets", "10,20", "--data-budgets", "50k,100k", "--out", out.toString());
        assertEquals(0, wider.exitCode(), wider.err() + wider.out());
        assertTrue(wider.out().contains("2 cell(s) trained, 2 reused"), wider.out());
        Map<String, FileTime> now = cellFiles(out);
        assertEquals(4, now.size(), now.toString());
        stored.forEach((name, time) -> assertEquals(time, now.get(name), name + " untouched"));

        for (String file : new String[] {"results.csv", "results.json", "report.md", "grid.json",
                "plots/heatmap-none.png", "curves/steps10_data100k_none_r0.csv"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        assertEquals(5, Files.readAllLines(out.resolve("results.csv")).size(), "header + 4 cells");
    }

    private static Map<String, FileTime> cellFiles(Path out) throws Exception {
        Map<String, FileTime> files = new TreeMap<>();
        try (Stream<Path> cells = Files.list(out.resolve("cells"))) {
            for (Path cell : cells.toList()) {
                files.put(cell.getFileName().toString(), Files.getLastModifiedTime(cell));
            }
        }
        return files;
    }
}
