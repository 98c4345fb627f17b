package tandem.coordinator.schedule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.GpuResult;

/**
 * Who computes which shard of the current phase, and which results are in. Immutable: every transition
 * returns a new ledger, so the coordinator's accounting (each shard done exactly once) reads in one place.
 */
public record PhaseLedger(Phase phase, Map<Integer, GpuResult> results, Map<Integer, Assignment> assigned) {

    /** Shard {@code index} is out with {@code worker} (its {@code attempt}-th hand-out) until {@code deadlineNanos}. */
    public record Assignment(ActorRef<?> worker, int attempt, long deadlineNanos) {}

    public static PhaseLedger start(Phase phase) {
        return new PhaseLedger(phase, Map.of(), Map.of());
    }

    public boolean complete() {
        return results.size() == phase.shards();
    }

    /** Results in shard order 0..S-1: the fixed order the gradient sum uses. */
    public List<GpuResult> resultsInOrder() {
        return IntStream.range(0, phase.shards()).mapToObj(results::get).toList();
    }

    /** The lowest shard that is neither done nor out and whose batch is ready. */
    public Optional<Integer> nextToHandOut(Set<Integer> ready) {
        return IntStream.range(0, phase.shards())
                .filter(i -> !results.containsKey(i) && !assigned.containsKey(i) && ready.contains(i))
                .boxed().findFirst();
    }

    /** Shards neither done nor out whose batch is not ready yet: GPU workers wait on data for these. */
    public long waitingForData(Set<Integer> ready) {
        return IntStream.range(0, phase.shards())
                .filter(i -> !results.containsKey(i) && !assigned.containsKey(i) && !ready.contains(i)).count();
    }

    public PhaseLedger assign(int index, ActorRef<?> worker, int attempt, long deadlineNanos) {
        Map<Integer, Assignment> next = new HashMap<>(assigned);
        next.put(index, new Assignment(worker, attempt, deadlineNanos));
        return new PhaseLedger(phase, results, Map.copyOf(next));
    }

    /** True if {@code index} has no result yet (a second result for a shard is dropped). */
    public boolean awaiting(int index) {
        return index >= 0 && index < phase.shards() && !results.containsKey(index);
    }

    public PhaseLedger accept(int index, GpuResult result) {
        Map<Integer, GpuResult> nextResults = new HashMap<>(results);
        nextResults.put(index, result);
        Map<Integer, Assignment> nextAssigned = new HashMap<>(assigned);
        nextAssigned.remove(index);
        return new PhaseLedger(phase, Map.copyOf(nextResults), Map.copyOf(nextAssigned));
    }

    /** Forgets the result of shard {@code index} (it proved bad), so the shard is handed out again. */
    public PhaseLedger withoutResult(int index) {
        Map<Integer, GpuResult> next = new HashMap<>(results);
        next.remove(index);
        return new PhaseLedger(phase, Map.copyOf(next), assigned);
    }

    /** Shards out with {@code worker}: they go back to the pool when it leaves, dies or asks for new work. */
    public List<Integer> heldBy(ActorRef<?> worker) {
        return assigned.entrySet().stream().filter(e -> e.getValue().worker().equals(worker)).map(Map.Entry::getKey).sorted().toList();
    }

    /** Shards whose deadline has passed. */
    public List<Integer> overdue(long nowNanos) {
        return assigned.entrySet().stream().filter(e -> e.getValue().deadlineNanos() - nowNanos < 0).map(Map.Entry::getKey).sorted().toList();
    }

    public PhaseLedger release(List<Integer> indices) {
        Map<Integer, Assignment> next = new HashMap<>(assigned);
        indices.forEach(next::remove);
        return new PhaseLedger(phase, results, Map.copyOf(next));
    }
}
