package tandem.coordinator;

import java.util.Collection;
import java.util.List;
import tandem.proto.ExperimentView;
import tandem.proto.Status;
import tandem.proto.WorkerStatus;

/** What the control plane shows of the coordinator's state: workers, the current run, experiments. */
final class Views {
    private Views() {}

    /**
     * @param history experiments that ended, oldest first: when nothing runs, the status's last checkpoint is
     *                the latest one of these wrote
     */
    static Status status(TrainingRun run, Pools pools, List<String> queued, String coordinatorAddress,
                         Collection<ExperimentView> history) {
        Status.Builder status = Status.newBuilder().setCoordinator(coordinatorAddress).addAllQueued(queued);
        pools.gpu().forEach((ref, w) -> status.addWorkers(WorkerStatus.newBuilder()
                .setName(w.name()).setPool("gpu").setState(w.idle() ? "idle" : "busy")
                .setShardsDone(w.shardsDone()).setShardsPerSecond(run == null ? 0 : run.stats().shardsPerSecond(ref))
                .setAddress(ref.path().address().toString())));
        pools.dataInfo().forEach((ref, w) -> status.addWorkers(WorkerStatus.newBuilder()
                .setName(w.name()).setPool("data").setState("ready")
                .setShardsDone(w.shardsPrepared()).setShardsPerSecond(run == null ? 0 : run.stats().shardsPerSecond(ref))
                .setAddress(ref.path().address().toString())));
        if (run != null) {
            status.setCurrent(of(run, pools));
            if (run.lastCheckpoint() != null) {
                status.setLastCheckpoint(run.lastCheckpoint());
            }
            status.addAllQuarantined(run.quarantinedWorkers());
        } else {
            history.stream().filter(ExperimentView::hasLastCheckpoint).reduce((older, newer) -> newer)
                    .ifPresent(v -> status.setLastCheckpoint(v.getLastCheckpoint()));
        }
        return status.build();
    }

    /** Points of a loss curve shown at most: a longer curve is thinned evenly (the last point is kept). */
    static final int CURVE_POINTS = 1000;

    /** {@code view} of the running {@code run} with its loss and evaluation curves so far (GET one experiment). */
    static ExperimentView withCurve(ExperimentView view, TrainingRun run) {
        List<tandem.proto.LossPoint> losses = run.stats().losses;
        int stride = Math.max(1, (losses.size() + CURVE_POINTS - 1) / CURVE_POINTS);
        ExperimentView.Builder detailed = view.toBuilder().addAllEvals(run.stats().evals);
        for (int i = 0; i < losses.size(); i++) {
            if (i % stride == 0 || i == losses.size() - 1) {
                detailed.addLosses(losses.get(i));
            }
        }
        return detailed.build();
    }

    static ExperimentView of(TrainingRun run, Pools pools) {
        ExperimentView.Builder view = ExperimentView.newBuilder().setId(run.id()).setSpec(run.spec())
                .setProgress(Reports.progress(run, pools));
        if (run.lastCheckpoint() != null) {
            view.setLastCheckpoint(run.lastCheckpoint());
        }
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
