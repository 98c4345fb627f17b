package tandem.coordinator.schedule;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.PreparedShard;
import tandem.proto.ShardId;

/**
 * Shards being prepared by data workers and shards ready for GPU workers: the prefetch window of
 * DESIGN.md's training step. Immutable.
 */
public record Prefetch(Map<ShardId, PreparedShard> ready, Map<ShardId, Request> pending) {

    /** {@code id} was asked of {@code dataWorker}; it is asked again elsewhere after {@code deadlineNanos}. */
    public record Request(ActorRef<?> dataWorker, long deadlineNanos) {}

    public static Prefetch empty() {
        return new Prefetch(Map.of(), Map.of());
    }

    /** Shards of {@code window} that are neither ready nor being prepared. */
    public List<ShardId> missing(List<ShardId> window) {
        return window.stream().filter(id -> !ready.containsKey(id) && !pending.containsKey(id)).toList();
    }

    public Prefetch requested(ShardId id, ActorRef<?> dataWorker, long deadlineNanos) {
        Map<ShardId, Request> next = new HashMap<>(pending);
        next.put(id, new Request(dataWorker, deadlineNanos));
        return new Prefetch(ready, Map.copyOf(next));
    }

    /** Stores a prepared batch if it is still wanted (in the window); otherwise unchanged. */
    public Prefetch arrived(PreparedShard shard, List<ShardId> window) {
        if (!window.contains(shard.getId()) || ready.containsKey(shard.getId())) {
            return this;
        }
        Map<ShardId, PreparedShard> nextReady = new HashMap<>(ready);
        nextReady.put(shard.getId(), shard);
        Map<ShardId, Request> nextPending = new HashMap<>(pending);
        nextPending.remove(shard.getId());
        return new Prefetch(Map.copyOf(nextReady), Map.copyOf(nextPending));
    }

    /** Shard indices of {@code phase} whose batch is ready. */
    public Set<Integer> readyIn(Phase phase) {
        return ready.keySet().stream().filter(phase::contains).map(ShardId::getIndex).collect(Collectors.toSet());
    }

    /** Drops everything of {@code phase} (it is done). */
    public Prefetch without(Phase phase) {
        Map<ShardId, PreparedShard> nextReady = new HashMap<>(ready);
        nextReady.keySet().removeIf(phase::contains);
        Map<ShardId, Request> nextPending = new HashMap<>(pending);
        nextPending.keySet().removeIf(phase::contains);
        return new Prefetch(Map.copyOf(nextReady), Map.copyOf(nextPending));
    }

    /** Forgets requests out with {@code dataWorker} or past their deadline, so they are asked again. */
    public Prefetch forget(ActorRef<?> dataWorker, long nowNanos) {
        Map<ShardId, Request> next = new HashMap<>(pending);
        next.values().removeIf(r -> r.dataWorker().equals(dataWorker) || r.deadlineNanos() - nowNanos < 0);
        return next.size() == pending.size() ? this : new Prefetch(ready, Map.copyOf(next));
    }
}
