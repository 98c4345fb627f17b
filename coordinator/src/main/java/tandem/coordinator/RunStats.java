package tandem.coordinator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.DataFacts;
import tandem.proto.EvalPoint;
import tandem.proto.LossPoint;
import tandem.proto.RunTotals;

/** The running figures of one experiment: what progress lines, status and the summary report. */
final class RunStats {
    long startNanos = System.nanoTime();
    long trainStartNanos;
    long tokensAtTrainStart;
    long tokens;
    long examples;
    long augmentedViews;
    long shardsRedone;
    long shardsDuplicated;
    long duplicatesDropped;
    long resultsRejected;
    long resultsAccepted;
    long prepareNanos;
    long shardsPrepared;
    long computeNanos;
    long shardsComputed;
    long failovers;
    long stepsRedone;
    long workersJoined;
    long workersDrained;
    long workersCrashed;
    long workersQuarantined;
    /** GPU-worker time waiting for a prepared shard, and all GPU-worker time, since training began. */
    long stallNanos;
    long poolNanos;
    double lastTrainLoss = Double.NaN;
    double learningRate;
    DataFacts facts;
    String backend = "";
    final List<LossPoint> losses = new ArrayList<>();
    final List<EvalPoint> evals = new ArrayList<>();
    /** Per worker: when it first delivered a shard in this run, and how many it delivered (status's shards/s). */
    private final Map<ActorRef<?>, Deliveries> delivered = new HashMap<>();

    private static final class Deliveries {
        final long firstNanos = System.nanoTime();
        long count;
    }

    /** Recent shard round-trip times (hand-out to result), for the straggler deadline. */
    private final long[] recentShardNanos = new long[64];
    private int recentCount;

    /** {@code worker} delivered a shard (a GPU worker's accepted result, a data worker's prepared shard). */
    void delivered(ActorRef<?> worker) {
        delivered.computeIfAbsent(worker, w -> new Deliveries()).count++;
    }

    /**
     * Shards per second {@code worker} delivered in this run, from its first delivery to now: a worker that
     * joined late is measured from when it started, not from the start of the run.
     */
    double shardsPerSecond(ActorRef<?> worker) {
        Deliveries d = delivered.get(worker);
        double seconds = d == null ? 0 : (System.nanoTime() - d.firstNanos) / 1e9;
        return d == null || d.count < 2 || seconds <= 0 ? 0 : (d.count - 1) / seconds;
    }

    double wallSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    double tokensPerSecond() {
        double seconds = (System.nanoTime() - trainStartNanos) / 1e9;
        return trainStartNanos == 0 || seconds <= 0 ? 0 : (tokens - tokensAtTrainStart) / seconds;
    }

    /** Passes over the unique data: examples trained on (original or augmented views) per unique window. */
    double epochs() {
        return facts == null || facts.getUniqueWindows() == 0 ? 0 : (double) examples / facts.getUniqueWindows();
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

    void shardTime(long nanos) {
        recentShardNanos[recentCount++ % recentShardNanos.length] = nanos;
    }

    /** Median of recent shard round trips, or {@code fallback} before any was seen. */
    long medianShardNanos(long fallback) {
        int n = Math.min(recentCount, recentShardNanos.length);
        if (n == 0) {
            return fallback;
        }
        long[] sorted = Arrays.copyOf(recentShardNanos, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    RunTotals toTotals() {
        RunTotals.Builder t = RunTotals.newBuilder()
                .setTokens(tokens).setExamples(examples).setAugmentedViews(augmentedViews)
                .setShardsRedone(shardsRedone).setDuplicatesDropped(duplicatesDropped).setResultsRejected(resultsRejected)
                .setWallSeconds(wallSeconds()).addAllLosses(losses).addAllEvals(evals).setBackend(backend)
                .setFailovers(failovers).setStepsRedone(stepsRedone)
                .setWorkersJoined(workersJoined).setWorkersDrained(workersDrained)
                .setWorkersCrashed(workersCrashed).setWorkersQuarantined(workersQuarantined);
        if (facts != null) {
            t.setFacts(facts);
        }
        return t.build();
    }

    static RunStats fromTotals(RunTotals t) {
        RunStats s = new RunStats();
        s.startNanos = System.nanoTime() - (long) (t.getWallSeconds() * 1e9);
        s.tokens = t.getTokens();
        s.examples = t.getExamples();
        s.augmentedViews = t.getAugmentedViews();
        s.shardsRedone = t.getShardsRedone();
        s.duplicatesDropped = t.getDuplicatesDropped();
        s.resultsRejected = t.getResultsRejected();
        s.losses.addAll(t.getLossesList());
        s.evals.addAll(t.getEvalsList());
        s.backend = t.getBackend();
        s.facts = t.hasFacts() ? t.getFacts() : null;
        s.failovers = t.getFailovers();
        s.stepsRedone = t.getStepsRedone();
        s.workersJoined = t.getWorkersJoined();
        s.workersDrained = t.getWorkersDrained();
        s.workersCrashed = t.getWorkersCrashed();
        s.workersQuarantined = t.getWorkersQuarantined();
        s.lastTrainLoss = s.losses.isEmpty() ? Double.NaN : s.losses.get(s.losses.size() - 1).getTrainLoss();
        return s;
    }
}
