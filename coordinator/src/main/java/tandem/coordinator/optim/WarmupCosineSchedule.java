package tandem.coordinator.optim;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate: linear warmup from 0 to {@code peak} over {@code warmupSteps}, then cosine decay to
 * {@code floor} at {@code decaySteps}, flat after. An ND4J schedule, so the Adam updater reads it itself.
 */
public record WarmupCosineSchedule(double peak, double floor, int warmupSteps, long decaySteps) implements ISchedule {

    @Override
    public double valueAt(int iteration, int epoch) {
        return at(iteration);
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long span = Math.max(1, decaySteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
        return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public ISchedule clone() {
        return this;
    }
}
