package tandem.coordinator.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tandem.proto.ExperimentSpec;
import tandem.proto.ShardId;

/**
 * The order of phases in a run: evaluate params version 0, then train, evaluating every N steps and
 * once more at the end. Pure: the same spec gives the same sequence, which is what lets data workers
 * prepare shards ahead of time.
 */
public record Schedule(long maxSteps, int evalEvery, int trainShards, int evalShards) {

    public static Schedule of(ExperimentSpec spec) {
        return new Schedule(spec.getGpuBudget().getMaxSteps(), spec.getEval().getEverySteps(),
                spec.getBatch().getShards(), spec.getEval().getShards());
    }

    public Phase first() {
        return Phase.eval(0, evalShards);
    }

    /**
     * The phase after {@code done}, or empty when the run is over.
     *
     * @param budgetLeft false once a token or wall-clock budget has run out: the run then evaluates the
     *                   params it has and stops
     */
    public Optional<Phase> after(Phase done, boolean budgetLeft) {
        if (!done.isTrain()) {
            boolean stop = !budgetLeft || done.version() >= maxSteps;
            return stop ? Optional.empty() : Optional.of(Phase.train(done.version(), trainShards));
        }
        long version = done.version() + 1;
        boolean stop = !budgetLeft || version >= maxSteps;
        if (stop || version % evalEvery == 0) {
            return Optional.of(Phase.eval(version, evalShards));
        }
        return Optional.of(Phase.train(version, trainShards));
    }

    /** The next {@code count} shards from the start of {@code current} on, assuming the run goes on. */
    public List<ShardId> lookahead(Phase current, int count) {
        List<ShardId> ids = new ArrayList<>(count);
        Optional<Phase> phase = Optional.of(current);
        while (phase.isPresent() && ids.size() < count) {
            phase.get().ids().limit(count - ids.size()).forEach(ids::add);
            phase = after(phase.get(), true);
        }
        return ids;
    }
}
