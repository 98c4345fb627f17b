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
                    int nextData) {

    /** What the coordinator knows of one GPU worker. {@code idle}: it has asked for work and holds none. */
    public record GpuWorker(String name, boolean idle, String experimentId, long paramsVersion, long shardsDone) {
        GpuWorker ready(String experiment, long version) {
            return new GpuWorker(name, true, experiment, version, shardsDone);
        }

        GpuWorker busy() {
            return new GpuWorker(name, false, experimentId, paramsVersion, shardsDone);
        }

        /** True if this worker already holds params {@code version} of {@code experiment}. */
        public boolean holds(String experiment, long version) {
            return experiment.equals(experimentId) && paramsVersion == version;
        }
    }

    public static final Pools EMPTY = new Pools(Map.of(), List.of(), 0);

    /** GPU workers now in the listing; returns the pools and who is new and who is gone. */
    public Change<GpuWorkerProtocol.Command> withGpuListing(Set<ActorRef<GpuWorkerProtocol.Command>> listed) {
        Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> next = new LinkedHashMap<>();
        List<ActorRef<GpuWorkerProtocol.Command>> joined = new ArrayList<>();
        for (ActorRef<GpuWorkerProtocol.Command> ref : listed) {
            GpuWorker known = gpu.get(ref);
            if (known == null) {
                joined.add(ref);
                known = new GpuWorker(ref.path().address().hostPort() + ref.path().name(), false, "", -1, 0);
            }
            next.put(ref, known);
        }
        List<ActorRef<GpuWorkerProtocol.Command>> left = gpu.keySet().stream().filter(r -> !listed.contains(r)).toList();
        return new Change<>(new Pools(Map.copyOf(next), data, nextData), joined, left);
    }

    public Change<DataWorkerProtocol.Command> withDataListing(Set<ActorRef<DataWorkerProtocol.Command>> listed) {
        List<ActorRef<DataWorkerProtocol.Command>> sorted = listed.stream()
                .sorted((a, b) -> a.path().toString().compareTo(b.path().toString())).toList();
        List<ActorRef<DataWorkerProtocol.Command>> joined = sorted.stream().filter(r -> !data.contains(r)).toList();
        List<ActorRef<DataWorkerProtocol.Command>> left = data.stream().filter(r -> !listed.contains(r)).toList();
        return new Change<>(new Pools(gpu, sorted, nextData), joined, left);
    }

    /** A listing's effect: the new pools, the workers that joined and those that left. */
    public record Change<T>(Pools pools, List<ActorRef<T>> joined, List<ActorRef<T>> left) {}

    public Pools ready(ActorRef<GpuWorkerProtocol.Command> worker, String name, String experiment, long version) {
        GpuWorker known = gpu.get(worker);
        if (known == null) {
            return this; // not (or no longer) in the listing: it will be greeted when it shows up
        }
        GpuWorker named = name.isEmpty() ? known : new GpuWorker(name, known.idle(), known.experimentId(), known.paramsVersion(), known.shardsDone());
        return withGpu(worker, named.ready(experiment, version));
    }

    public Pools busy(ActorRef<GpuWorkerProtocol.Command> worker) {
        return withGpu(worker, gpu.get(worker).busy());
    }

    public Pools shardDone(ActorRef<GpuWorkerProtocol.Command> worker) {
        GpuWorker w = gpu.get(worker);
        return w == null ? this : withGpu(worker, new GpuWorker(w.name(), w.idle(), w.experimentId(), w.paramsVersion(), w.shardsDone() + 1));
    }

    public Optional<ActorRef<GpuWorkerProtocol.Command>> anyIdleGpu() {
        return gpu.entrySet().stream().filter(e -> e.getValue().idle()).map(Map.Entry::getKey).findFirst();
    }

    /** The next data worker in round-robin order, and the pools advanced past it. */
    public Optional<Map.Entry<ActorRef<DataWorkerProtocol.Command>, Pools>> nextDataWorker() {
        if (data.isEmpty()) {
            return Optional.empty();
        }
        int index = nextData % data.size();
        return Optional.of(Map.entry(data.get(index), new Pools(gpu, data, index + 1)));
    }

    private Pools withGpu(ActorRef<GpuWorkerProtocol.Command> worker, GpuWorker view) {
        Map<ActorRef<GpuWorkerProtocol.Command>, GpuWorker> next = new LinkedHashMap<>(gpu);
        next.put(worker, view);
        return new Pools(Map.copyOf(next), data, nextData);
    }
}
