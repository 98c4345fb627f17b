package tandem.coordinator.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import tandem.proto.OptimizerSpec;

/**
 * The optimizer step on the flat parameter vector: average the summed gradient over tokens, clip its
 * global L2 norm, let ND4J's Adam turn it into the update, subtract. Deterministic: the same inputs give
 * bitwise the same params (DESIGN.md, invariant D).
 */
public final class FlatOptimizer {
    private final INDArray params;
    private final INDArray state;
    private final GradientUpdater<?> adam;
    private final WarmupCosineSchedule schedule;
    private final double clipNorm;

    /**
     * @param params    the flat float32 params, updated in place
     * @param state     Adam's state (2 x params), or null for a fresh one
     */
    public FlatOptimizer(OptimizerSpec spec, long decaySteps, INDArray params, INDArray state) {
        this.params = params;
        this.schedule = new WarmupCosineSchedule(spec.getLearningRate(), spec.getMinLearningRate(),
                spec.getWarmupSteps(), spec.getDecaySteps() > 0 ? spec.getDecaySteps() : decaySteps);
        this.clipNorm = spec.getGradClipNorm();
        Adam config = Adam.builder().learningRateSchedule(schedule)
                .beta1(spec.getBeta1()).beta2(spec.getBeta2()).epsilon(spec.getEpsilon()).build();
        boolean fresh = state == null;
        this.state = fresh ? Nd4j.zeros(DataType.FLOAT, 1, config.stateSize(params.length())) : state;
        this.adam = config.instantiate(this.state, fresh);
    }

    /** Result of one step: the learning rate used and the gradient's norm before clipping. */
    public record StepReport(double learningRate, double gradNorm) {}

    /**
     * Applies step {@code step} (0-based). {@code gradSum} is the sum of per-token gradients over the whole
     * global batch and is consumed (overwritten) here.
     */
    public StepReport step(long step, INDArray gradSum, long tokenCount) {
        INDArray grad = gradSum.divi(tokenCount);
        double norm = grad.norm2Number().doubleValue();
        if (norm > clipNorm) {
            grad.muli(clipNorm / norm);
        }
        adam.applyUpdater(grad, Math.toIntExact(step), 0);
        params.subi(grad);
        return new StepReport(schedule.at(step), norm);
    }

    public INDArray params() {
        return params;
    }

    /** Adam's moment estimates, for checkpoints. */
    public INDArray state() {
        return state;
    }
}
