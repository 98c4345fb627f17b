package tandem.coordinator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.GpuWorkerProtocol;

/**
 * The coordinator's view of its workers: GPU workers with their free slot and the params version they
 * hold, data workers in a round-robin. Immutable; the receptionist's listings and the workers' own
 * messages drive every transition.
 */
public record Pools(Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> gpu,
                    List<ActorRef<DataWorkerProtocol.Command>> data,
                    int nextData,
                    Set<ActorRef<?>> excluded,
                    Map<ActorRef<DataWorkerProtocol.Command>, DataWorker> dataInfo) {

    /** What the coordinator knows of one data worker. */
    public record DataWorker(String name, long shardsPrepared) {}

    /**
     * Tasks a GPU worker may hold at once: the one it computes and the next, queued in its mailbox, so that
     * the round trip of handing out a shard hides behind compute instead of idling the worker.
     */
    public static final int SLOTS = 2;

    /**
     * What the coordinator knows of one GPU worker: how many tasks it holds ({@code inFlight}) and the
     * params version it holds (or will, once it has read the task that carries them).
     */
    public record GpuWorker(String name, int inFlight, String experimentId, long paramsVersion, long shardsDone) {
        public boolean idle() {
            return inFlight == 0;
        }

        GpuWorker requested(String experiment, long version) {
            return new GpuWorker(name, 0, experiment, version, shardsDone);
        }

        GpuWorker finished(String experiment, long version) {
            return new GpuWorker(name, Math.max(0, inFlight - 1), experiment, version, shardsDone);
        }

        GpuWorker busy() {
            return new GpuWorker(name, inFlight + 1, experimentId, paramsVersion, shardsDone);
        }

        /** True if this worker already holds params {@code version} of {@code experiment}. */
        public boolean holds(String experiment, long version) {
            return experiment.equals(experimentId) && paramsVersion == version;
        }
    }

    public static final Pools EMPTY = new Pools(Map.of(), List.of(), 0, Set.of(), Map.of());

    /** GPU workers now in the listing; returns the pools and who is new and who is gone. */
    public Change<GpuWorkerProtocol.Command> withGpuListing(Set<ActorRef<GpuWorkerProtocol.Command>> listed) {
        Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> next = new LinkedHashMap<>();
        List<ActorRef<GpuWorkerProtocol.Command>> joined = new ArrayList<>();
        for (ActorRef<GpuWorkerProtocol.Command> ref : listed) {
            if (excluded.contains(ref)) {
                continue;
            }
            GpuWorker known = gpu.get(ref);
            if (known == null) {
                joined.add(ref);
                known = new GpuWorker(ref.path().address().hostPort(), SLOTS, "", -1, 0); // no work until it asks
            }
            next.put(ref, known);
        }
        List<ActorRef<GpuWorkerProtocol.Command>> left = gpu.keySet().stream().filter(r -> !next.containsKey(r)).toList();
        return new Change<>(new Pools(Map.copyOf(next), data, nextData, excluded, dataInfo), joined, left);
    }

    public Change<DataWorkerProtocol.Command> withDataListing(Set<ActorRef<DataWorkerProtocol.Command>> listed) {
        List<ActorRef<DataWorkerProtocol.Command>> sorted = listed.stream().filter(r -> !excluded.contains(r))
                .sorted((a, b) -> a.path().toString().compareTo(b.path().toString())).toList();
        List<ActorRef<DataWorkerProtocol.Command>> joined = sorted.stream().filter(r -> !data.contains(r)).toList();
        List<ActorRef<DataWorkerProtocol.Command>> left = data.stream().filter(r -> !sorted.contains(r)).toList();
        Map<ActorRef<DataWorkerProtocol.Command>, DataWorker> info = new LinkedHashMap<>();
        sorted.forEach(r -> info.put(r, dataInfo.getOrDefault(r, new DataWorker(r.path().address().hostPort(), 0))));
        return new Change<>(new Pools(gpu, sorted, nextData, excluded, Map.copyOf(info)), joined, left);
    }

    /** A listing's effect: the new pools, the workers that joined and those that left. */
    public record Change<T>(Pools pools, List<ActorRef<T>> joined, List<ActorRef<T>> left) {}

    /** The worker asked for work: it holds no task, and params {@code version} of {@code experiment}. */
    public Pools ready(ActorRef<GpuWorkerProtocol.Command> worker, String name, String experiment, long version) {
        GpuWorker known = gpu.get(worker);
        if (known == null) {
            return this; // not (or no longer) in the listing: it will be greeted when it shows up
        }
        GpuWorker named = name.isEmpty() ? known : new GpuWorker(name, known.inFlight(), known.experimentId(), known.paramsVersion(), known.shardsDone());
        return withGpu(worker, named.requested(experiment, version));
    }

    /** The worker answered one task (a result, initial params): one slot is free again. */
    public Pools answered(ActorRef<GpuWorkerProtocol.Command> worker, String experiment, long version) {
        GpuWorker known = gpu.get(worker);
        return known == null ? this : withGpu(worker, known.finished(experiment, version));
    }

    /** The worker was sent params {@code version}: it holds them from its next task on. */
    public Pools holding(ActorRef<GpuWorkerProtocol.Command> worker, String experiment, long version) {
        GpuWorker w = gpu.get(worker);
        return w == null ? this : withGpu(worker, new GpuWorker(w.name(), w.inFlight(), experiment, version, w.shardsDone()));
    }

    /**
     * Never hands {@code worker} work again (it drains, or is quarantined) and drops it from the pools
     * now, before the receptionist notices.
     */
    public Pools exclude(ActorRef<?> worker) {
        java.util.HashSet<ActorRef<?>> nextExcluded = new java.util.HashSet<>(excluded);
        nextExcluded.add(worker);
        Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> nextGpu = new LinkedHashMap<>(gpu);
        nextGpu.remove(worker);
        List<ActorRef<DataWorkerProtocol.Command>> nextData = data.stream().filter(r -> !r.equals(worker)).toList();
        Map<ActorRef<DataWorkerProtocol.Command>, DataWorker> nextInfo = new LinkedHashMap<>(dataInfo);
        nextInfo.remove(worker);
        return new Pools(Map.copyOf(nextGpu), nextData, this.nextData, Set.copyOf(nextExcluded), Map.copyOf(nextInfo));
    }

    /** A data worker delivered a shard (and told its name). */
    public Pools shardPrepared(ActorRef<DataWorkerProtocol.Command> worker, String name) {
        DataWorker known = dataInfo.get(worker);
        if (known == null) {
            return this;
        }
        Map<ActorRef<DataWorkerProtocol.Command>, DataWorker> next = new LinkedHashMap<>(dataInfo);
        next.put(worker, new DataWorker(name.isEmpty() ? known.name() : name, known.shardsPrepared() + 1));
        return new Pools(gpu, data, nextData, excluded, Map.copyOf(next));
    }

    /** The worker (of either pool) called {@code name}. */
    public Optional<ActorRef<?>> byName(String name) {
        Optional<ActorRef<?>> gpuWorker = gpu.entrySet().stream().filter(e -> e.getValue().name().equals(name))
                .<ActorRef<?>>map(Map.Entry::getKey).findFirst();
        return gpuWorker.isPresent() ? gpuWorker : dataInfo.entrySet().stream().filter(e -> e.getValue().name().equals(name))
                .<ActorRef<?>>map(Map.Entry::getKey).findFirst();
    }

    /** Workers on a node that became unreachable: they hold nothing until they answer again. */
    public Pools unreachable(org.apache.pekko.actor.Address address) {
        Pools pools = this;
        for (var e : gpu.entrySet()) {
            if (address.equals(e.getKey().path().address())) {
                pools = pools.withGpu(e.getKey(), new GpuWorker(e.getValue().name(), SLOTS, "", -1, e.getValue().shardsDone()));
            }
        }
        return pools;
    }

    public Pools busy(ActorRef<GpuWorkerProtocol.Command> worker) {
        GpuWorker known = gpu.get(worker);
        return known == null ? this : withGpu(worker, known.busy());
    }

    public Pools shardDone(ActorRef<GpuWorkerProtocol.Command> worker) {
        GpuWorker w = gpu.get(worker);
        return w == null ? this : withGpu(worker, new GpuWorker(w.name(), w.inFlight(), w.experimentId(), w.paramsVersion(), w.shardsDone() + 1));
    }

    /** A GPU worker with a free slot, the least loaded first (an idle worker before a busy one). */
    public Optional<ActorRef<GpuWorkerProtocol.Command>> freeGpu() {
        return gpu.entrySet().stream().filter(e -> e.getValue().inFlight() < SLOTS)
                .min(java.util.Comparator.comparingInt(e -> e.getValue().inFlight())).map(Map.Entry::getKey);
    }

    /** The next data worker in round-robin order, and the pools advanced past it. */
    public Optional<Map.Entry<ActorRef<DataWorkerProtocol.Command>, Pools>> nextDataWorker() {
        if (data.isEmpty()) {
            return Optional.empty();
        }
        int index = nextData % data.size();
        return Optional.of(Map.entry(data.get(index), new Pools(gpu, data, index + 1, excluded, dataInfo)));
    }

    private Pools withGpu(ActorRef<GpuWorkerProtocol.Command> worker, GpuWorker view) {
        Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> next = new LinkedHashMap<>(gpu);
        next.put(worker, view);
        return new Pools(Map.copyOf(next), data, nextData, excluded, dataInfo);
    }
}
