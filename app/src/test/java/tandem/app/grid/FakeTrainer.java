package tandem.app.grid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import tandem.app.node.LocalCluster;
import tandem.proto.EvalPoint;
import tandem.proto.LossPoint;
import tandem.proto.Progress;
import tandem.proto.Summary;

/** Trains nothing: returns a made-up summary at once and records which cells it was asked for. */
final class FakeTrainer implements CellTrainer {
    final List<String> trained = new ArrayList<>();
    final Set<String> failing = new HashSet<>();
    int closed;

    @Override
    public Summary train(Cell cell, Consumer<Progress> onProgress, Duration timeout) throws LocalCluster.ExperimentFailed {
        if (failing.contains(cell.id())) {
            throw new LocalCluster.ExperimentFailed("made to fail");
        }
        trained.add(cell.id());
        return summary(cell.spec().getGpuBudget().getMaxSteps(), cell.spec().getDataBudget().getUniqueBytes(), Double.NaN);
    }

    /** A plausible summary: loss falls with steps and bytes; curves of a few points. */
    static Summary summary(long steps, long uniqueBytes, double entropyFloor) {
        long tokens = steps * 16 * 16;
        double val = 1.5 + 20 / Math.pow(tokens, 0.3) + 40 / Math.pow(uniqueBytes, 0.35);
        Summary.Builder s = Summary.newBuilder()
                .setSteps(steps).setTokens(tokens).setUniqueBytes(uniqueBytes)
                .setEpochs((double) tokens / uniqueBytes).setWallSeconds(steps / 10.0)
                .setFinalTrainLoss(val * Math.log(2) * 0.95).setFinalValBitsPerByte(val).setFinalValLossNats(val * Math.log(2))
                .setEntropyFloorBitsPerByte(entropyFloor).setStopReason("max_steps").setGpuWorkers(1).setDataWorkers(1);
        for (long t = 1; t <= steps; t++) {
            s.addLosses(LossPoint.newBuilder().setStep(t).setTrainLoss(Math.log(2) * (val + 6.0 / t)));
        }
        for (long t = 0; t <= steps; t += Math.max(1, steps / 4)) {
            s.addEvals(EvalPoint.newBuilder().setStep(t).setValBitsPerByte(val + 6.0 / (t + 1)));
        }
        return s.build();
    }

    @Override
    public void close() {
        closed++;
    }
}
