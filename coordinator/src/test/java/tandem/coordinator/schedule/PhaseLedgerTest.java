package tandem.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tandem.proto.GpuResult;

class PhaseLedgerTest {
    private static final ActorTestKit kit = ActorTestKit.create();
    private final ActorRef<Object> alice = kit.createTestProbe().getRef();
    private final ActorRef<Object> bob = kit.createTestProbe().getRef();
    private final ActorRef<Object> carol = kit.createTestProbe().getRef();

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void handsOutReadyShardsInOrderOnce() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 3));
        assertEquals(Optional.of(1), ledger.nextToHandOut(Set.of(1, 2)));
        ledger = ledger.assign(1, alice, 1, 0, 100);
        assertEquals(Optional.of(2), ledger.nextToHandOut(Set.of(1, 2)));
        ledger = ledger.assign(2, bob, 1, 0, 100);
        assertEquals(Optional.empty(), ledger.nextToHandOut(Set.of(1, 2)));
        assertEquals(1, ledger.waitingForData(Set.of(1, 2)), "shard 0 waits for its batch");
    }

    @Test
    void aResultCountsOnceAndFreesTheShard() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 2)).assign(0, alice, 1, 0, 100);
        ledger = ledger.accept(0, GpuResult.newBuilder().setLossSum(1).build());
        assertFalse(ledger.awaiting(0));
        assertTrue(ledger.awaiting(1));
        assertTrue(ledger.heldBy(alice).isEmpty());
        assertFalse(ledger.complete());
        ledger = ledger.accept(1, GpuResult.newBuilder().setLossSum(2).build());
        assertTrue(ledger.complete());
        assertEquals(List.of(1.0, 2.0), ledger.resultsInOrder().stream().map(GpuResult::getLossSum).toList());
    }

    @Test
    void aLeavingWorkersShardsGoBack() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 3))
                .assign(0, alice, 1, 0, 100).assign(1, bob, 1, 0, 100).assign(2, alice, 1, 0, 100);
        assertEquals(List.of(0, 2), ledger.heldBy(alice));
        ledger = ledger.releaseAll(alice);
        assertEquals(Optional.of(0), ledger.nextToHandOut(Set.of(0, 1, 2)));
        assertEquals(List.of(1), ledger.heldBy(bob));
    }

    @Test
    void overdueHoldersAreFound() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 2)).assign(0, alice, 1, 0, 50).assign(1, bob, 1, 0, 150);
        assertEquals(List.of(Map.entry(0, alice)), ledger.overdue(100));
        assertEquals(2, ledger.overdue(200).size());
    }

    @Test
    void aStragglersShardIsDuplicatedAndTheFirstResultWins() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 2)).assign(0, alice, 1, 0, 10_000).assign(1, bob, 1, 50, 10_000);
        assertEquals(Optional.empty(), ledger.straggler(100, 200, carol), "nobody is slow yet");
        assertEquals(Optional.of(0), ledger.straggler(300, 200, carol), "the longest-running shard first");
        ledger = ledger.assign(0, carol, 2, 300, 10_000);
        assertEquals(Optional.of(1), ledger.straggler(400, 200, carol), "shard 0 already has a second holder");
        assertEquals(List.of(0), ledger.heldBy(carol));
        ledger = ledger.accept(0, GpuResult.newBuilder().setLossSum(5).build());
        assertFalse(ledger.awaiting(0), "a second result for shard 0 would be dropped");
        assertTrue(ledger.heldBy(alice).isEmpty() && ledger.heldBy(carol).isEmpty());
    }

    @Test
    void noSpeculationWhileWorkIsLeft() {
        PhaseLedger ledger = PhaseLedger.start(Phase.train(0, 2)).assign(0, alice, 1, 0, 10_000);
        assertEquals(Optional.empty(), ledger.straggler(1_000, 10, carol), "shard 1 is still to hand out");
    }
}
