package tandem.app.grid;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tandem.app.node.LocalCluster;
import tandem.data.corpus.DataException;
import tandem.protocol.SpecException;
import tandem.proto.Summary;

/**
 * Runs a grid: checks every cell, claims the output directory, then trains the cells that have no stored
 * result, one at a time, saving each the moment it finishes. So an interrupted grid resumes where it
 * stopped, and a grid re-run with more budgets trains only the new cells.
 */
final class GridRunner {

    /**
     * @param results the cells of this grid that have a result, in grid order (stored or just trained)
     * @param ran     ids trained by this run
     * @param reused  ids found in the store
     * @param failed  id -> why, for cells that did not finish (rerun the grid to retry them)
     */
    record Outcome(List<CellResult> results, List<String> ran, List<String> reused, Map<String, String> failed) {}

    private final ResultsStore store;
    private final CellTrainer trainer;
    private final Duration timeout;
    private final PrintWriter out;

    GridRunner(ResultsStore store, CellTrainer trainer, Duration timeout, PrintWriter out) {
        this.store = store;
        this.trainer = trainer;
        this.timeout = timeout;
        this.out = out;
    }

    Outcome run(GridSpec grid) throws SpecException, DataException, InterruptedException {
        grid.check();
        store.claim(grid);
        List<Cell> cells = grid.cells();

        // Read every stored cell before training any: a bad stored file stops the grid up front.
        Map<String, CellResult> done = new LinkedHashMap<>();
        List<String> reused = new ArrayList<>();
        List<Cell> todo = new ArrayList<>();
        for (Cell cell : cells) {
            Optional<CellResult> stored = store.load(cell);
            if (stored.isPresent()) {
                done.put(cell.id(), stored.get());
                reused.add(cell.id());
            } else {
                todo.add(cell);
            }
        }
        out.printf("grid: %d cells, %d stored in %s, %d to train%n", cells.size(), reused.size(), store.cellsDir(), todo.size());

        // Cells with the same worker counts run back to back on one cluster.
        todo.sort(Comparator.comparingInt(Cell::gpuWorkers).thenComparingInt(Cell::dataWorkers));
        List<String> ran = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        int n = 0;
        for (Cell cell : todo) {
            n++;
            out.printf(Locale.ROOT, "[%d/%d] %s: %s, %s, augment %s, seed %d, %d GPU worker(s)%n", n, todo.size(), cell.id(),
                    cell.gpu().label(), cell.data().label(), cell.augment(), cell.spec().getSeed(), cell.gpuWorkers());
            CellProgress progress = new CellProgress(out, cell.gpu());
            try {
                Summary summary = trainer.train(cell, progress::show, timeout);
                CellResult result = CellResult.of(cell, summary);
                store.save(result);
                done.put(cell.id(), result);
                ran.add(cell.id());
                out.printf(Locale.ROOT, "      done: %d steps, val %.4f bits/byte, %.1f s%n",
                        summary.getSteps(), summary.getFinalValBitsPerByte(), summary.getWallSeconds());
            } catch (LocalCluster.ExperimentFailed | java.io.IOException e) {
                failed.put(cell.id(), e.getMessage());
                out.printf("      failed: %s%n", e.getMessage());
                // The coordinator may still be busy with the failed run: the next cell gets a fresh cluster.
                trainer.close();
            }
        }
        List<CellResult> results = new ArrayList<>();
        for (Cell cell : cells) {
            if (done.containsKey(cell.id())) {
                results.add(done.get(cell.id()));
            }
        }
        return new Outcome(results, ran, reused, failed);
    }
}
