package tandem.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.coordinator.ParamsHash;
import tandem.coordinator.optim.FlatOptimizer;
import tandem.data.plan.DataPlan;
import tandem.gpu.backend.Nd4jBackend;
import tandem.gpu.model.LanguageModel;
import tandem.gpu.model.Models;
import tandem.proto.ExperimentSpec;

/**
 * The floor: tandem's training step with everything distributed taken out. One thread builds each shard
 * with {@link DataPlan#trainShard}, runs the same SameDiff model on it, sums the S shard gradients in
 * shard order from zero (as the coordinator does), and applies the same {@link FlatOptimizer}. No actors,
 * no serialization, no second thread. It computes exactly tandem's math, so after the same steps its
 * params hash equals a tandem run's (the bench checks it).
 */
public final class Floor {

    /** One run: tokens/s over the measured steps and where a step's time goes (ms per step). */
    public record Result(double tokensPerSecond, double stepMillis, double dataMillis, double computeMillis,
                         double sumMillis, double optimizerMillis, long tokens, String paramsSha256) {}

    private Floor() {}

    /**
     * Runs {@code spec.gpu_budget.max_steps} steps; the first {@code warmupSteps} are not timed.
     */
    public static Result run(ExperimentSpec spec, long warmupSteps) throws Exception {
        Nd4jBackend.configure(spec.getRuntime().getNd4JThreads());
        DataPlan plan = DataPlan.build(spec);
        long steps = spec.getGpuBudget().getMaxSteps();
        int shards = spec.getBatch().getShards();
        try (LanguageModel model = Models.create(spec.getModel())) {
            long n = model.paramCount();
            INDArray params = model.initialParams(spec.getSeed());
            FlatOptimizer optimizer = new FlatOptimizer(spec.getOptimizer(), steps, params, null);
            model.setParams(params);
            INDArray grad = Nd4j.createUninitialized(DataType.FLOAT, n);
            INDArray sum = Nd4j.zeros(DataType.FLOAT, n);
            long dataNanos = 0;
            long computeNanos = 0;
            long sumNanos = 0;
            long optimizerNanos = 0;
            long measuredTokens = 0;
            long start = 0;
            for (long step = 0; step < steps; step++) {
                if (step == warmupSteps) {
                    start = System.nanoTime();
                    dataNanos = computeNanos = sumNanos = optimizerNanos = 0;
                    measuredTokens = 0;
                }
                long tokens = 0;
                long t0 = System.nanoTime();
                sum.assign(0);
                sumNanos += System.nanoTime() - t0;
                for (int s = 0; s < shards; s++) {
                    long a = System.nanoTime();
                    DataPlan.Shard shard = plan.trainShard(step, s);
                    long b = System.nanoTime();
                    LanguageModel.StepResult r = model.lossAndGradient(shard.batch(), grad);
                    long c = System.nanoTime();
                    sum.addi(grad);
                    long d = System.nanoTime();
                    tokens += r.tokenCount();
                    dataNanos += b - a;
                    computeNanos += c - b;
                    sumNanos += d - c;
                }
                long e = System.nanoTime();
                optimizer.step(step, sum, tokens);
                model.setParams(params);
                optimizerNanos += System.nanoTime() - e;
                measuredTokens += tokens;
            }
            long measured = steps - warmupSteps;
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(measuredTokens / seconds, seconds * 1e3 / measured,
                    dataNanos / 1e6 / measured, computeNanos / 1e6 / measured,
                    sumNanos / 1e6 / measured, optimizerNanos / 1e6 / measured,
                    measuredTokens, ParamsHash.sha256(params));
        }
    }
}
