package tandem.app.cli;

import java.io.PrintStream;
import tandem.proto.Summary;

/** The end-of-run summary as aligned "key  value" lines. */
final class SummaryTable {
    private SummaryTable() {}

    static void print(Summary s, PrintStream out) {
        out.println("== summary: " + s.getExperimentId());
        row(out, "steps", s.getSteps() + " (" + s.getStopReason() + ")");
        row(out, "tokens", Long.toString(s.getTokens()));
        row(out, "wall seconds", String.format("%.1f", s.getWallSeconds()));
        row(out, "tokens/s", String.format("%.0f", s.getTokensPerSecond()));
        row(out, "parameters", Long.toString(s.getParamCount()));
        row(out, "final train loss", String.format("%.4f nats", s.getFinalTrainLoss()));
        row(out, "final val loss", String.format("%.4f nats = %.4f bits/byte", s.getFinalValLossNats(), s.getFinalValBitsPerByte()));
        if (!Double.isNaN(s.getEntropyFloorBitsPerByte())) {
            row(out, "entropy floor", String.format("%.4f bits/byte (val is %.1f%% above)", s.getEntropyFloorBitsPerByte(),
                    100 * (s.getFinalValBitsPerByte() / s.getEntropyFloorBitsPerByte() - 1)));
        }
        row(out, "unique bytes", Long.toString(s.getUniqueBytes()));
        row(out, "epochs", String.format("%.3f over unique data", s.getEpochs()));
        row(out, "augmented views", Long.toString(s.getAugmentedViews()));
        row(out, "data stall", String.format("%.2f%% of GPU-worker time", 100 * s.getDataStall()));
        row(out, "shard prepare/compute", String.format("%.2f ms / %.2f ms (mean)", s.getMeanPrepareMillis(), s.getMeanComputeMillis()));
        row(out, "workers at end", s.getGpuWorkers() + " GPU, " + s.getDataWorkers() + " data");
        row(out, "shards redone", Long.toString(s.getShardsRedone()));
        row(out, "results rejected", Long.toString(s.getResultsRejected()));
        row(out, "duplicates dropped", Long.toString(s.getDuplicateResultsDropped()));
        row(out, "backend", s.getBackend());
        row(out, "params_sha256", s.getParamsSha256());
    }

    private static void row(PrintStream out, String key, String value) {
        out.printf("  %-20s %s%n", key, value);
    }
}
