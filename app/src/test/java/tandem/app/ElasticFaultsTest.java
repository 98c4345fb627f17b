package tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.app.chaos.ChaosMonkey;
import tandem.app.chaos.ChaosSchedule;
import tandem.app.node.LocalCluster;
import tandem.proto.CheckpointSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * Invariant D under faults: separate JVM processes are SIGKILLed (GPU worker, data worker, the node
 * hosting the coordinator), workers join mid-run, and the run ends with the same parameters as an
 * undisturbed one, with every step counted exactly once.
 */
class ElasticFaultsTest {
    /**
     * Room for five faults: each kill waits until the cluster has dealt with the previous crash (about
     * 10 s of failure detection and downing, while training goes on at 10-40 steps a second).
     */
    private static final int STEPS = 800;

    /**
     * Faults noticed within seconds, yet tolerant of the pauses of a 2-core machine starting eight JVMs
     * (a node whose heartbeats stall for a few seconds must not be downed).
     */
    private static final Config FAST = ConfigFactory.parseString("""
            pekko.cluster.split-brain-resolver.stable-after = 4s
            pekko.cluster.failure-detector.acceptable-heartbeat-pause = 6s
            """).withFallback(TestSpecs.SERIALIZE_EVERYTHING);

    @TempDir
    Path dir;

    @Test
    void chaosWithKilledProcessesEndsWithTheUndisturbedParameters() throws Exception {
        ExperimentSpec spec = TestSpecs.tiny(STEPS).toBuilder()
                .setCheckpoint(CheckpointSpec.newBuilder().setDir(dir.resolve("checkpoints").toString()).setEverySteps(10).setKeepLast(3))
                .build();

        Summary undisturbed;
        try (LocalCluster cluster = LocalCluster.start(1, 2, 1, FAST, false)) {
            undisturbed = cluster.run(spec.toBuilder().setCheckpoint(CheckpointSpec.getDefaultInstance()).build(), p -> {}, Duration.ofMinutes(3));
        }

        ChaosSchedule chaos = ChaosSchedule.parse(
                "kill-gpu=at-step:10,join-gpu=at-step:20,join-data=at-step:25,kill-data=at-step:30,kill-coordinator=at-step:60");
        Summary disturbed;
        int faults;
        try (LocalCluster cluster = LocalCluster.start(2, 2, 1, FAST, true);
             ChaosMonkey monkey = new ChaosMonkey(chaos, cluster)) {
            disturbed = cluster.run(spec, null, monkey::onProgress, Duration.ofMinutes(6));
            faults = monkey.actions();
        }

        assertEquals(5 + 1, faults, "five faults plus a fresh standby coordinator");
        assertEquals(undisturbed.getParamsSha256(), disturbed.getParamsSha256(), "invariant D under faults");
        TestSpecs.assertEachStepCountedOnce(disturbed, STEPS);
        assertEquals(undisturbed.getEvalsList(), disturbed.getEvalsList(), "the same evaluations at the same steps");
        assertEquals(1, disturbed.getFailovers());
        assertTrue(disturbed.getStepsRedone() <= 10, "at most the checkpoint interval is redone: " + disturbed.getStepsRedone());
        assertTrue(disturbed.getWorkersCrashed() >= 2, "GPU and data worker crashes noticed: " + disturbed.getWorkersCrashed());
        System.out.printf("chaos run: %d shards redone, %d duplicates dropped, %d steps redone after failover, %.1f s wall%n",
                disturbed.getShardsRedone(), disturbed.getDuplicateResultsDropped(), disturbed.getStepsRedone(), disturbed.getWallSeconds());
    }
}
