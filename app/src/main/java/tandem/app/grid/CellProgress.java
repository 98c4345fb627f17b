package tandem.app.grid;

import java.io.PrintWriter;
import java.util.Locale;
import tandem.proto.Progress;

/**
 * A quiet progress report for one cell: a line every {@value #EVERY_SECONDS} seconds. A grid runs for a long
 * time, usually into a log file, so lines are appended rather than rewritten in place.
 */
final class CellProgress {
    private static final long EVERY_SECONDS = 15;

    private final PrintWriter out;
    private final GpuBudgetPoint budget;
    private long last = System.nanoTime();

    CellProgress(PrintWriter out, GpuBudgetPoint budget) {
        this.out = out;
        this.budget = budget;
    }

    void show(Progress p) {
        long now = System.nanoTime();
        if (now - last < EVERY_SECONDS * 1_000_000_000L) {
            return;
        }
        last = now;
        String done = budget.isWallClock()
                ? String.format(Locale.ROOT, "step %d, %.0f/%s s", p.getStep(), p.getWallSeconds(), Units.seconds(budget.wallSeconds()))
                : String.format(Locale.ROOT, "step %d/%d, %.0f s", p.getStep(), p.getMaxSteps(), p.getWallSeconds());
        out.printf(Locale.ROOT, "      %s  train %.3f nats  val %s bits/byte  %s tok/s  %.2f epochs  [%s]%n", done,
                p.getTrainLoss(), Double.isNaN(p.getValBitsPerByte()) ? "-" : String.format(Locale.ROOT, "%.3f", p.getValBitsPerByte()),
                Units.approx(p.getTokensPerSecond()), p.getEpochs(), p.getState());
    }
}
