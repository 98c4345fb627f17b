package tandem.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RunStatsTest {
    private static final ActorTestKit kit = ActorTestKit.create();
    private final ActorRef<Object> early = kit.createTestProbe().getRef();
    private final ActorRef<Object> late = kit.createTestProbe().getRef();

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** Status's shards/s: a worker that joined late is measured from its first shard, not the run's start. */
    @Test
    void aLateJoinerIsMeasuredFromItsFirstShard() throws InterruptedException {
        RunStats stats = new RunStats();
        stats.delivered(early);
        Thread.sleep(400);
        stats.delivered(early);
        stats.delivered(late);
        Thread.sleep(100);
        stats.delivered(early);
        stats.delivered(late);
        double earlyRate = stats.shardsPerSecond(early); // 2 shards over >= 0.5 s
        double lateRate = stats.shardsPerSecond(late);   // 1 shard over >= 0.1 s
        assertTrue(earlyRate > 0 && earlyRate <= 4.0, "early: " + earlyRate);
        assertTrue(lateRate > earlyRate && lateRate <= 10.0, "late " + lateRate + " vs early " + earlyRate);
        assertEquals(0, stats.shardsPerSecond(kit.createTestProbe().getRef()), "no shard yet");
    }
}
