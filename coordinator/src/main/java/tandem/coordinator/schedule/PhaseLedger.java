package tandem.coordinator.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.GpuResult;

/**
 * Who computes which shard of the current phase, and which results are in. A shard may be out with more
 * than one worker (a straggler's shard duplicated speculatively); the first result wins and the rest are
 * dropped. Immutable: every transition returns a new ledger, so the coordinator's accounting (each shard
 * counted exactly once) reads in one place.
 */
public record PhaseLedger(Phase phase, Map<Integer, GpuResult> results, Map<Integer, List<Assignment>> assigned) {

    /** Shard out with {@code worker} since {@code sentNanos}, its {@code attempt}-th hand-out, due by {@code deadlineNanos}. */
    public record Assignment(ActorRef<?> worker, int attempt, long sentNanos, long deadlineNanos) {}

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

    /**
     * A shard worth duplicating: out with exactly one worker (not {@code idle}) for longer than
     * {@code patienceNanos}, while nothing else is left to hand out. The longest-running one first.
     */
    public Optional<Integer> straggler(long nowNanos, long patienceNanos, ActorRef<?> idle) {
        if (IntStream.range(0, phase.shards()).anyMatch(i -> !results.containsKey(i) && !assigned.containsKey(i))) {
            return Optional.empty();
        }
        return assigned.entrySet().stream()
                .filter(e -> e.getValue().size() == 1 && !e.getValue().get(0).worker().equals(idle))
                .filter(e -> nowNanos - e.getValue().get(0).sentNanos() > patienceNanos)
                .min((a, b) -> Long.compare(a.getValue().get(0).sentNanos(), b.getValue().get(0).sentNanos()))
                .map(Map.Entry::getKey);
    }

    public PhaseLedger assign(int index, ActorRef<?> worker, int attempt, long sentNanos, long deadlineNanos) {
        Map<Integer, List<Assignment>> next = new HashMap<>(assigned);
        List<Assignment> holders = new ArrayList<>(next.getOrDefault(index, List.of()));
        holders.add(new Assignment(worker, attempt, sentNanos, deadlineNanos));
        next.put(index, List.copyOf(holders));
        return new PhaseLedger(phase, results, Map.copyOf(next));
    }

    /** True if {@code index} has no result yet (a second result for a shard is dropped). */
    public boolean awaiting(int index) {
        return index >= 0 && index < phase.shards() && !results.containsKey(index);
    }

    /** When {@code worker} got shard {@code index}, if it has it. */
    public Optional<Assignment> assignment(int index, ActorRef<?> worker) {
        return assigned.getOrDefault(index, List.of()).stream().filter(a -> a.worker().equals(worker)).findFirst();
    }

    /** Records the first result for {@code index}; every other holder's copy becomes moot. */
    public PhaseLedger accept(int index, GpuResult result) {
        Map<Integer, GpuResult> nextResults = new HashMap<>(results);
        nextResults.put(index, result);
        Map<Integer, List<Assignment>> nextAssigned = new HashMap<>(assigned);
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
        return assigned.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(a -> a.worker().equals(worker)))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** Workers holding a shard past its deadline, with the shard. */
    public List<Map.Entry<Integer, ActorRef<?>>> overdue(long nowNanos) {
        List<Map.Entry<Integer, ActorRef<?>>> late = new ArrayList<>();
        assigned.forEach((index, holders) -> holders.stream()
                .filter(a -> a.deadlineNanos() - nowNanos < 0)
                .forEach(a -> late.add(Map.entry(index, a.worker()))));
        late.sort(Map.Entry.comparingByKey());
        return late;
    }

    /** Takes shard {@code index} back from {@code worker} (the other holders, if any, keep it). */
    public PhaseLedger release(int index, ActorRef<?> worker) {
        Map<Integer, List<Assignment>> next = new HashMap<>(assigned);
        List<Assignment> holders = next.getOrDefault(index, List.of()).stream().filter(a -> !a.worker().equals(worker)).toList();
        if (holders.isEmpty()) {
            next.remove(index);
        } else {
            next.put(index, holders);
        }
        return new PhaseLedger(phase, results, Map.copyOf(next));
    }

    /** Takes back every shard {@code worker} holds. */
    public PhaseLedger releaseAll(ActorRef<?> worker) {
        PhaseLedger ledger = this;
        for (int index : heldBy(worker)) {
            ledger = ledger.release(index, worker);
        }
        return ledger;
    }
}
