package tandem.coordinator;

import java.util.List;
import tandem.proto.ExperimentView;
import tandem.proto.Status;
import tandem.proto.WorkerStatus;

/** What the control plane shows of the coordinator's state: workers, the current run, experiments. */
final class Views {
    private Views() {}

    static Status status(TrainingRun run, Pools pools, List<String> queued, String coordinatorAddress) {
        Status.Builder status = Status.newBuilder().setCoordinator(coordinatorAddress).addAllQueued(queued);
        double seconds = run == null ? 0 : Math.max(1e-3, run.stats().wallSeconds());
        pools.gpu().forEach((ref, w) -> status.addWorkers(WorkerStatus.newBuilder()
                .setName(w.name()).setPool("gpu").setState(w.idle() ? "idle" : "busy")
                .setShardsDone(w.shardsDone()).setShardsPerSecond(run == null ? 0 : w.shardsDone() / seconds)
                .setAddress(ref.path().address().toString())));
        pools.dataInfo().forEach((ref, w) -> status.addWorkers(WorkerStatus.newBuilder()
                .setName(w.name()).setPool("data").setState("ready")
                .setShardsDone(w.shardsPrepared()).setShardsPerSecond(run == null ? 0 : w.shardsPrepared() / seconds)
                .setAddress(ref.path().address().toString())));
        if (run != null) {
            status.setCurrent(of(run, pools));
            if (run.lastCheckpoint() != null) {
                status.setLastCheckpoint(run.lastCheckpoint());
            }
            status.addAllQuarantined(run.quarantinedWorkers());
        }
        return status.build();
    }

    static ExperimentView of(TrainingRun run, Pools pools) {
        ExperimentView.Builder view = ExperimentView.newBuilder().setId(run.id()).setSpec(run.spec())
                .setProgress(Reports.progress(run, pools));
        if (!run.finished()) {
            view.setState(run.paused() ? "paused" : "running");
        } else if (run.summary().isPresent()) {
            view.setState("finished").setSummary(run.summary().get());
        } else {
            view.setState(run.outcome().startsWith("cancelled") ? "cancelled" : "failed").setError(run.outcome());
        }
        return view.build();
    }
}
