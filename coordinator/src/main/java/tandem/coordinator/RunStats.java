package tandem.coordinator;

import java.util.ArrayList;
import java.util.List;
import tandem.proto.DataFacts;
import tandem.proto.EvalPoint;
import tandem.proto.LossPoint;

/** The running figures of one experiment: what progress lines and the summary report. */
final class RunStats {
    final long startNanos = System.nanoTime();
    long trainStartNanos;
    long tokens;
    long examples;
    long augmentedViews;
    long shardsRedone;
    long duplicatesDropped;
    long resultsRejected;
    long prepareNanos;
    long shardsPrepared;
    long computeNanos;
    long shardsComputed;
    /** GPU-worker time waiting for a prepared shard, and all GPU-worker time, since training began. */
    long stallNanos;
    long poolNanos;
    double lastTrainLoss = Double.NaN;
    double learningRate;
    DataFacts facts;
    String backend = "";
    final List<LossPoint> losses = new ArrayList<>();
    final List<EvalPoint> evals = new ArrayList<>();

    double wallSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    double tokensPerSecond() {
        double seconds = (System.nanoTime() - trainStartNanos) / 1e9;
        return trainStartNanos == 0 || seconds <= 0 ? 0 : tokens / seconds;
    }

    double epochs() {
        return facts == null || facts.getExamplesPerEpoch() == 0 ? 0 : (double) examples / facts.getExamplesPerEpoch();
    }

    double dataStall() {
        return poolNanos == 0 ? 0 : (double) stallNanos / poolNanos;
    }

    static double meanMillis(long nanos, long count) {
        return count == 0 ? 0 : nanos / 1e6 / count;
    }

    double lastValBitsPerByte() {
        return evals.isEmpty() ? Double.NaN : evals.get(evals.size() - 1).getValBitsPerByte();
    }

    /** Mean train loss over the last {@code n} steps (smooths the noise of a single batch). */
    double recentTrainLoss(int n) {
        return losses.subList(Math.max(0, losses.size() - n), losses.size()).stream()
                .mapToDouble(LossPoint::getTrainLoss).average().orElse(Double.NaN);
    }
}
