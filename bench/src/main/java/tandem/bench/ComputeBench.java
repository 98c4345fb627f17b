package tandem.bench;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.data.plan.DataPlan;
import tandem.gpu.backend.Nd4jBackend;
import tandem.gpu.model.LanguageModel;
import tandem.gpu.model.Models;
import tandem.proto.ExperimentSpec;
import tandem.proto.TokenBatch;

/** The compute ceiling (a large float GEMM through ND4J) and a model's forward+backward FLOP/s on one shard. */
final class ComputeBench {
    private ComputeBench() {}

    /**
     * FLOP/s of {@code C = A B} with {@code n x n} float matrices, {@code threads} native threads: one
     * untimed multiply, then {@code repeats} timed rounds of at least {@code minSeconds} each.
     */
    static Stat gemm(int n, int threads, int repeats, double minSeconds) {
        int before = Nd4jBackend.threads();
        Nd4jBackend.configure(threads);
        try {
            Nd4j.getRandom().setSeed(42);
            INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
            a.mmuli(b, c);
            List<Double> rates = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                int ops = 0;
                do {
                    a.mmuli(b, c);
                    ops++;
                } while (System.nanoTime() - start < minSeconds * 1e9);
                rates.add(ops * Flops.gemm(n) / ((System.nanoTime() - start) / 1e9));
            }
            return Stat.of(rates);
        } finally {
            Nd4jBackend.configure(before);
        }
    }

    /** Milliseconds per {@code lossAndGradient} call and the FLOP/s they imply. */
    record ModelCompute(Stat millisPerCall, Stat flopsPerSecond, long params, int rows, long tokensPerCall) {}

    /**
     * Times forward + backward of {@code spec}'s model on shard 0 of step 0 ({@code global_batch / shards}
     * rows, as a GPU worker computes it), with the spec's native threads.
     */
    static ModelCompute model(ExperimentSpec spec, int repeats, double minSeconds) throws Exception {
        Nd4jBackend.configure(spec.getRuntime().getNd4JThreads());
        TokenBatch batch = DataPlan.build(spec).trainShard(0, 0).batch();
        try (LanguageModel model = Models.create(spec.getModel())) {
            INDArray params = model.initialParams(spec.getSeed());
            model.setParams(params);
            INDArray grad = Nd4j.createUninitialized(DataType.FLOAT, model.paramCount());
            long tokens = 0;
            for (int i = 0; i < 3; i++) { // warm-up
                tokens = model.lossAndGradient(batch, grad).tokenCount();
            }
            List<Double> millis = new ArrayList<>();
            List<Double> flops = new ArrayList<>();
            double perToken = Flops.trainPerToken(spec.getModel());
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                int calls = 0;
                do {
                    model.lossAndGradient(batch, grad);
                    calls++;
                } while (System.nanoTime() - start < minSeconds * 1e9);
                double seconds = (System.nanoTime() - start) / 1e9;
                millis.add(seconds * 1e3 / calls);
                flops.add(calls * tokens * perToken / seconds);
            }
            return new ModelCompute(Stat.of(millis), Stat.of(flops), model.paramCount(), batch.getRows(), tokens);
        }
    }
}
