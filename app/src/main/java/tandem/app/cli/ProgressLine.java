package tandem.app.cli;

import java.io.PrintStream;
import tandem.proto.Progress;

/**
 * The live progress line: rewritten in place on a terminal, one line every few seconds otherwise
 * (logs, CI).
 */
final class ProgressLine {
    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private long lastPlain;
    private boolean open;

    ProgressLine(PrintStream out) {
        this.out = out;
    }

    synchronized void show(Progress p) {
        String line = format(p);
        if (terminal) {
            out.print("\r" + line + "\033[K");
            out.flush();
            open = true;
        } else if (System.nanoTime() - lastPlain > PLAIN_EVERY_NANOS) {
            lastPlain = System.nanoTime();
            out.println(line);
        }
    }

    synchronized void end() {
        if (open) {
            out.println();
            open = false;
        }
    }

    static String format(Progress p) {
        return String.format("step %d/%d  loss %s  val %s bits/byte  %s tok/s  data %sB x%.2f epochs, %d aug views, stall %.1f%%  gpu %d  data %d  %.0fs  [%s]",
                p.getStep(), p.getMaxSteps(), number(p.getTrainLoss(), "%.3f"), number(p.getValBitsPerByte(), "%.3f"),
                kilo(p.getTokensPerSecond()), kilo(p.getUniqueBytes()), p.getEpochs(), p.getAugmentedViews(), 100 * p.getDataStall(),
                p.getGpuWorkers(), p.getDataWorkers(), p.getWallSeconds(), p.getState());
    }

    private static String number(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
    }

    private static String kilo(double value) {
        if (value >= 1e6) {
            return String.format("%.1fM", value / 1e6);
        }
        return value >= 1000 ? String.format("%.1fk", value / 1000) : String.format("%.0f", value);
    }
}
