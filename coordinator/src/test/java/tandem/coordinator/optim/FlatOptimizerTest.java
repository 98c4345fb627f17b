package tandem.coordinator.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.proto.OptimizerSpec;

class FlatOptimizerTest {
    private static final OptimizerSpec SPEC = OptimizerSpec.newBuilder().setLearningRate(0.1).setMinLearningRate(0.01)
            .setWarmupSteps(10).setBeta1(0.9).setBeta2(0.99).setEpsilon(1e-8).setGradClipNorm(1.0).build();

    @Test
    void warmupThenCosine() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(0.1, 0.01, 10, 110);
        assertEquals(0.01, s.at(0), 1e-12);
        assertEquals(0.1, s.at(9), 1e-12);
        assertEquals(0.1, s.at(10), 1e-12);
        assertEquals(0.055, s.at(60), 1e-12);
        assertEquals(0.01, s.at(110), 1e-12);
        assertEquals(0.01, s.at(500), 1e-12);
    }

    @Test
    void minimisesAQuadraticDeterministically() {
        float[] first = run();
        float[] second = run();
        assertArrayEquals(first, second);
        for (float v : first) {
            assertTrue(Math.abs(v - 3f) < 0.05f, "converged near 3: " + v);
        }
    }

    /** Minimises sum (x - 3)^2 from 0 with tokens = 2 (the gradient sum is twice the mean). */
    private static float[] run() {
        INDArray params = Nd4j.zeros(DataType.FLOAT, 4);
        FlatOptimizer optimizer = new FlatOptimizer(SPEC, 400, params, null);
        for (int step = 0; step < 400; step++) {
            INDArray gradSum = params.sub(3f).muli(2f).muli(2f);
            optimizer.step(step, gradSum, 2);
        }
        return params.toFloatVector();
    }

    @Test
    void clipsTheGlobalNorm() {
        INDArray params = Nd4j.zeros(DataType.FLOAT, 2);
        FlatOptimizer optimizer = new FlatOptimizer(SPEC, 100, params, null);
        FlatOptimizer.StepReport report = optimizer.step(0, Nd4j.createFromArray(30f, 40f), 1);
        assertEquals(50.0, report.gradNorm(), 1e-6);
    }
}
