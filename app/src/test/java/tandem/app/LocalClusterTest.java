package tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.Test;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;

/** What the chaos schedule and a waiting submitter rely on in a local cluster. */
class LocalClusterTest {
    private static final Config FAST = ConfigFactory.parseString("""
            pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s
            pekko.cluster.split-brain-resolver.stable-after = 2s
            """).withFallback(TestSpecs.SERIALIZE_EVERYTHING);

    @Test
    void aKilledNodeCountsAsSettledOnlyOnceTheClusterHasDownedAndRemovedIt() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(0, 0, 2, FAST, false)) {
            cluster.awaitUp(Role.DATA, 2, Duration.ofSeconds(60));
            assertTrue(cluster.settled(), "nothing killed yet");
            Optional<String> killed = cluster.kill(Role.DATA);
            assertEquals(Optional.of("data-1"), killed);
            assertFalse(cluster.settled(), "just killed: not yet found unreachable, so not settled");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!cluster.settled() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(cluster.settled(), "downed and removed within 60 s");
            assertEquals(2, StreamSupport.stream(Cluster.get(cluster.client()).state().getMembers().spliterator(), false).count(),
                    "the client and the data worker left alive");
        }
    }

    @Test
    void aRunWhoseClientNodeIsDownedFailsWithAReasonInsteadOfWaitingForItsTimeout() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1, 0, 1, FAST, false)) {
            // No GPU worker: the run waits, and only this node going away can end it.
            CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS).execute(() -> {
                Cluster self = Cluster.get(cluster.client());
                self.manager().tell(new Down(self.selfMember().address()));
            });
            LocalCluster.ExperimentFailed failed = assertThrows(LocalCluster.ExperimentFailed.class,
                    () -> cluster.run(TestSpecs.tiny(10), p -> {}, Duration.ofMinutes(10)));
            assertTrue(failed.getMessage().startsWith("this node left the cluster before the run ended"), failed.getMessage());
        }
    }
}
