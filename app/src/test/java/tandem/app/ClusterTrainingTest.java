package tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tandem.app.node.LocalCluster;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * Real cluster nodes on loopback (one ActorSystem each), every message serialized: the run learns, and
 * its parameters do not depend on how many workers computed them (DESIGN.md, invariant D).
 */
class ClusterTrainingTest {
    private static final ExperimentSpec SPEC = TestSpecs.tiny(30);

    @Test
    void learnsAndTheResultDoesNotDependOnTheWorkerCount() throws Exception {
        Summary oneGpu = train(1, 1);
        Summary threeGpus = train(3, 2); // 6 nodes: coordinator, 2 data, 3 GPU

        assertEquals(30, oneGpu.getSteps());
        assertEquals(30 * 16 * 16, oneGpu.getTokens());
        double first = oneGpu.getEvals(0).getValLossNats();
        double last = oneGpu.getFinalValLossNats();
        assertTrue(first > 5.0, "starts near ln 256 = 5.55 nats: " + first);
        assertTrue(last < first - 1.0, "validation loss falls by more than a nat: " + first + " -> " + last);
        assertEquals(4, oneGpu.getEvalsCount(), "evaluations at steps 0, 10, 20, 30");

        assertEquals(oneGpu.getParamsSha256(), threeGpus.getParamsSha256(), "invariant D: same params with 1 and 3 GPU workers");
        assertEquals(oneGpu.getFinalValLossNats(), threeGpus.getFinalValLossNats());
        TestSpecs.assertEachStepCountedOnce(oneGpu, 30);
        TestSpecs.assertEachStepCountedOnce(threeGpus, 30);
    }

    private static Summary train(int gpu, int data) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1, gpu, data, TestSpecs.SERIALIZE_EVERYTHING, false)) {
            return cluster.run(SPEC, p -> {}, Duration.ofMinutes(3));
        }
    }
}
