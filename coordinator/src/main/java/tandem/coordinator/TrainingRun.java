package tandem.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import tandem.coordinator.checkpoint.CheckpointStore;
import tandem.coordinator.metrics.RunMetrics;
import tandem.coordinator.optim.FlatOptimizer;
import tandem.coordinator.schedule.Phase;
import tandem.coordinator.schedule.PhaseLedger;
import tandem.coordinator.schedule.Prefetch;
import tandem.coordinator.schedule.Schedule;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.ExperimentEvents;
import tandem.protocol.FloatVectors;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.WireLimits;
import tandem.proto.Checkpoint;
import tandem.proto.CheckpointInfo;
import tandem.proto.EvalPoint;
import tandem.proto.ExperimentSpec;
import tandem.proto.FloatVector;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;
import tandem.proto.InitParams;
import tandem.proto.LossPoint;
import tandem.proto.PrepareShard;
import tandem.proto.PreparedShard;
import tandem.proto.Progress;
import tandem.proto.Refusal;
import tandem.proto.ShardId;
import tandem.proto.Stop;
import tandem.proto.Summary;

/**
 * One experiment from parameter initialisation to its summary: DESIGN.md's training step. Confined to
 * the coordinator actor. The accounting lives in immutable values ({@link PhaseLedger}: which shard is
 * out and which is done; {@link Prefetch}: which batches are ready); this class applies events to them
 * and does the numeric work (fixed-order gradient sum, optimizer step) and the checkpoints.
 */
final class TrainingRun {
    private static final double LN2 = Math.log(2);
    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;
    private static final int MAX_ATTEMPTS = 8;
    private static final int BAD_RESULTS_BEFORE_QUARANTINE = 3;
    /** A shard is duplicated once it has run this many times the median shard time (and at least MIN_PATIENCE). */
    private static final int STRAGGLER_FACTOR = 4;
    private static final long MIN_PATIENCE_NANOS = 1_000_000_000L;

    private final String id;
    private final ExperimentSpec spec;
    private final ActorRef<ExperimentEvents.Event> submitter;
    private final ActorContext<CoordinatorProtocol.Command> context;
    private final Logger log;
    private final Schedule schedule;
    private final long timeoutNanos;
    private final RunStats stats;
    private final CheckpointStore checkpoints;
    private final RunMarker marker;
    private final RunMetrics metrics;

    // Parameter initialisation: asked of one GPU worker, until it answers or its deadline passes.
    private ActorRef<GpuWorkerProtocol.Command> initWorker;
    private long initDeadline;

    // Training state: the params version is ledger.phase().version().
    private FlatOptimizer optimizer;
    private FloatVector paramsOnWire;
    private long paramsOnWireVersion = -1;
    private PhaseLedger ledger;
    private Prefetch prefetch = Prefetch.empty();
    private final Map<ShardId, Integer> handOuts = new HashMap<>();
    private final Map<ActorRef<?>, Integer> badInARow = new HashMap<>();
    private final Set<String> quarantined = new HashSet<>();
    private CheckpointInfo lastCheckpoint;
    private boolean paused;
    private long lastProgress;
    private String outcome;
    private Summary summary;

    // Data-stall accounting: between two dispatches the pools are constant, so time x workers adds up.
    private long lastDispatch;
    private int stalledWorkers;
    private int poolWorkers;
    private int gpuWorkers;
    private int dataWorkers;

    private TrainingRun(String id, ExperimentSpec spec, ActorRef<ExperimentEvents.Event> submitter,
                        ActorContext<CoordinatorProtocol.Command> context, RunStats stats, RunMarker marker, RunMetrics metrics) {
        this.id = id;
        this.spec = spec;
        this.submitter = submitter;
        this.context = context;
        this.log = context.getLog();
        this.schedule = Schedule.of(spec);
        this.timeoutNanos = (long) (spec.getRuntime().getShardTimeoutSeconds() * 1e9);
        this.stats = stats;
        this.checkpoints = spec.getCheckpoint().getDir().isEmpty() ? null : new CheckpointStore(Path.of(spec.getCheckpoint().getDir()));
        this.marker = marker;
        this.metrics = metrics;
    }

    /** A fresh run: parameters come from a GPU worker first. */
    static TrainingRun start(String id, ExperimentSpec spec, ActorRef<ExperimentEvents.Event> submitter,
                             ActorContext<CoordinatorProtocol.Command> context, RunMarker marker, RunMetrics metrics) {
        TrainingRun run = new TrainingRun(id, spec, submitter, context, new RunStats(), marker, metrics);
        run.markActive(0);
        return run;
    }

    /**
     * A run continued from a checkpoint, bitwise where it stood: params, Adam's moments, the phase to
     * run next and the running figures. {@code lastStepSeen} is how far the run had got before (steps
     * past the checkpoint are computed again).
     */
    static TrainingRun resume(Checkpoint checkpoint, ActorRef<ExperimentEvents.Event> submitter,
                              ActorContext<CoordinatorProtocol.Command> context, RunMarker marker, RunMetrics metrics,
                              long lastStepSeen, boolean failover) {
        RunStats stats = RunStats.fromTotals(checkpoint.getTotals());
        TrainingRun run = new TrainingRun(checkpoint.getExperimentId(), checkpoint.getSpec(), submitter, context, stats, marker, metrics);
        long version = checkpoint.getResumeAt().getStep();
        if (failover) {
            stats.failovers++;
            stats.stepsRedone += Math.max(0, lastStepSeen - version);
        }
        INDArray params = vectorToArray(checkpoint.getParams());
        INDArray state = vectorToArray(checkpoint.getOptimizerState()).reshape(1, checkpoint.getOptimizerState().getLength());
        run.optimizer = new FlatOptimizer(run.spec.getOptimizer(), run.spec.getGpuBudget().getMaxSteps(), params, state);
        ShardId at = checkpoint.getResumeAt();
        run.ledger = PhaseLedger.start(at.getKind() == ShardId.Kind.TRAIN
                ? Phase.train(version, run.spec.getBatch().getShards())
                : Phase.eval(version, run.spec.getEval().getShards()));
        run.stats.trainStartNanos = System.nanoTime();
        run.stats.tokensAtTrainStart = stats.tokens;
        run.markActive(version);
        context.getLog().info("experiment {} resumed at {} from a checkpoint ({} steps to redo)",
                run.id, run.ledger.phase(), Math.max(0, lastStepSeen - version));
        return run;
    }

    String id() {
        return id;
    }

    ExperimentSpec spec() {
        return spec;
    }

    boolean finished() {
        return outcome != null;
    }

    String outcome() {
        return outcome;
    }

    /** The summary, once the run ended normally. */
    Optional<Summary> summary() {
        return Optional.ofNullable(summary);
    }

    boolean paused() {
        return paused;
    }

    CheckpointInfo lastCheckpoint() {
        return lastCheckpoint;
    }

    Set<String> quarantinedWorkers() {
        return quarantined;
    }

    // ---- events --------------------------------------------------------------------------------

    Pools onWorkRequested(Pools pools, CoordinatorProtocol.WorkRequested m) {
        // A worker that asks for work holds none: whatever the ledger thinks it has goes back to the pool.
        release(m.worker(), "asked for new work");
        return pools.ready(m.worker(), m.body().getWorkerName(), m.body().getExperimentId(), m.body().getParamsVersion());
    }

    Pools onInitialParams(Pools pools, CoordinatorProtocol.InitialParamsReceived m) {
        Pools next = pools.answered(m.worker(), "", -1);
        if (optimizer != null || !m.body().getExperimentId().equals(id)) {
            return next;
        }
        long count = m.body().getParams().getLength();
        Optional<String> tooLarge = WireLimits.checkVector(context.getSystem(), count);
        if (tooLarge.isPresent()) {
            fail(tooLarge.get());
            return next;
        }
        INDArray params = vectorToArray(m.body().getParams());
        if (count == 0 || !Double.isFinite(params.sumNumber().doubleValue())) {
            initWorker = null;
            return countBad(next, m.worker(), "initial parameters: " + count + " floats, not all finite");
        }
        optimizer = new FlatOptimizer(spec.getOptimizer(), spec.getGpuBudget().getMaxSteps(), params, null);
        stats.backend = m.body().getBackend();
        stats.trainStartNanos = System.nanoTime();
        ledger = PhaseLedger.start(schedule.first());
        initWorker = null;
        log.info("experiment {}: {} parameters initialised by {} ({})", id, count, m.worker().path(), stats.backend);
        return next;
    }

    Pools onShardPrepared(Pools pools, PreparedShard shard, ActorRef<?> worker) {
        if (!shard.getExperimentId().equals(id) || ledger == null) {
            return pools;
        }
        stats.delivered(worker);
        if (stats.facts == null) {
            stats.facts = shard.getFacts();
        }
        stats.prepareNanos += shard.getPrepareNanos();
        stats.shardsPrepared++;
        prefetch = prefetch.arrived(shard, window());
        return pools;
    }

    Pools onResult(Pools pools, CoordinatorProtocol.ResultReceived m) {
        GpuResult result = m.body();
        Pools next = pools.answered(m.worker(), result.getExperimentId(), result.getParamsVersion());
        if (ledger == null || !result.getExperimentId().equals(id)) {
            return next;
        }
        Phase phase = ledger.phase();
        int index = result.getId().getIndex();
        boolean current = phase.contains(result.getId()) && result.getParamsVersion() == phase.version();
        if (!current || !ledger.awaiting(index)) {
            stats.duplicatesDropped++;
            log.debug("dropped a late or duplicate result for {} from {}", result.getId(), m.worker().path());
            return next;
        }
        Optional<String> problem = problemWith(result, phase);
        if (problem.isPresent()) {
            return rejected(next, m.worker(), index, problem.get());
        }
        badInARow.remove(m.worker());
        ledger.assignment(index, m.worker()).ifPresent(a -> {
            stats.shardTime(System.nanoTime() - a.sentNanos());
            metrics.shardDone(phase.isTrain(), System.nanoTime() - a.sentNanos());
        });
        ledger = ledger.accept(index, result);
        stats.resultsAccepted++;
        stats.computeNanos += result.getComputeNanos();
        stats.shardsComputed++;
        stats.delivered(m.worker());
        next = next.shardDone(m.worker());
        if (ledger.complete()) {
            completePhase();
        }
        return next;
    }

    /** A bad result: counted, the shard handed out again, the worker quarantined after a few in a row. */
    private Pools rejected(Pools pools, ActorRef<GpuWorkerProtocol.Command> worker, int index, String problem) {
        log.warn("rejected result for {} shard {} from {}: {}", ledger.phase(), index, worker.path(), problem);
        ledger = ledger.release(index, worker);
        return countBad(pools, worker, problem);
    }

    /** Counts a bad answer from {@code worker}; the third in a row quarantines it. */
    private Pools countBad(Pools pools, ActorRef<GpuWorkerProtocol.Command> worker, String problem) {
        stats.resultsRejected++;
        metrics.resultRejected();
        int bad = badInARow.merge(worker, 1, Integer::sum);
        if (bad != BAD_RESULTS_BEFORE_QUARANTINE) { // answers still in flight after a quarantine only count
            return pools;
        }
        String name = pools.gpu().containsKey(worker) ? pools.gpu().get(worker).name() : worker.path().toString();
        String reason = bad + " bad results in a row (last: " + problem + ")";
        log.error("quarantining GPU worker {}: {}", name, reason);
        worker.tell(new GpuWorkerProtocol.StopNow(Stop.newBuilder().setReason("quarantined: " + reason).build()));
        quarantined.add(name);
        stats.workersQuarantined++;
        return pools.exclude(worker);
    }

    void onGpuWorkerJoined() {
        if (ledger != null) {
            stats.workersJoined++;
        }
    }

    void onWorkerLeft(ActorRef<?> worker, boolean drained) {
        if (drained) {
            stats.workersDrained++;
        } else if (!quarantined.contains(worker.path().toString())) {
            stats.workersCrashed++;
        }
        release(worker, drained ? "drained" : "left the cluster");
        prefetch = prefetch.forget(worker, System.nanoTime());
        if (worker.equals(initWorker)) {
            initWorker = null;
        }
    }

    /** A node stopped answering: whatever its workers hold is handed out again now, not at the deadline. */
    void onUnreachable(Address address) {
        if (ledger != null) {
            ledger.assigned().values().stream().flatMap(List::stream).map(PhaseLedger.Assignment::worker)
                    .filter(w -> address.equals(w.path().address())).distinct().toList()
                    .forEach(w -> release(w, "is unreachable"));
        }
        prefetch.pending().values().stream().map(Prefetch.Request::dataWorker)
                .filter(w -> address.equals(w.path().address())).distinct().toList()
                .forEach(w -> prefetch = prefetch.forget(w, System.nanoTime()));
        if (initWorker != null && address.equals(initWorker.path().address())) {
            initWorker = null;
        }
    }

    Pools onTick(Pools pools) {
        long now = System.nanoTime();
        if (ledger != null) {
            for (var late : ledger.overdue(now)) {
                log.warn("{}: shard {} is past its deadline with {}; handing it out again", ledger.phase(), late.getKey(), late.getValue().path());
                ledger = ledger.release(late.getKey(), late.getValue());
            }
            prefetch = prefetch.forget(null, now);
        }
        if (initWorker != null && initDeadline - now < 0) {
            log.warn("parameter initialisation by {} timed out; asking another worker", initWorker.path());
            initWorker = null;
        }
        if (now - lastProgress > PROGRESS_EVERY_NANOS) {
            lastProgress = now;
            Progress progress = Reports.progress(this, pools);
            metrics.progress(progress);
            submitter.tell(new ExperimentEvents.Progressed(progress));
        }
        return pools;
    }

    void pause() {
        paused = true;
    }

    void resumeWork() {
        paused = false;
    }

    void cancel() {
        if (!finished()) {
            outcome = "cancelled";
            marker.clear();
            submitter.tell(new ExperimentEvents.Failed(Refusal.newBuilder().setReason("cancelled").build()));
        }
    }

    void fail(String reason) {
        if (finished()) {
            return;
        }
        outcome = "failed: " + reason;
        marker.clear();
        log.error("experiment {} failed: {}", id, reason);
        submitter.tell(new ExperimentEvents.Failed(Refusal.newBuilder().setReason(reason).build()));
    }

    // ---- work distribution -------------------------------------------------------------------------

    /** Keeps data workers preparing the next shards and hands ready shards to idle GPU workers. */
    Pools dispatch(Pools pools) {
        gpuWorkers = pools.gpu().size();
        dataWorkers = pools.data().size();
        if (finished() || paused) {
            return pools;
        }
        if (ledger == null) {
            return initialise(pools);
        }
        accountStall();
        pools = prefetchAhead(pools);
        Set<Integer> ready = prefetch.readyIn(ledger.phase());
        while (!finished()) {
            Optional<ActorRef<GpuWorkerProtocol.Command>> worker = pools.freeGpu();
            if (worker.isEmpty()) {
                break;
            }
            Optional<Integer> shard = ledger.nextToHandOut(ready);
            if (shard.isEmpty() && pools.gpu().get(worker.get()).idle()) {
                // Only a worker with nothing to do takes a copy of a straggler's shard.
                shard = ledger.straggler(System.nanoTime(), stragglerPatience(), worker.get());
                shard.ifPresent(s -> stats.shardsDuplicated++);
            }
            if (shard.isEmpty()) {
                break;
            }
            pools = handOut(pools, worker.get(), shard.get());
        }
        long idle = pools.gpu().values().stream().filter(Pools.GpuWorker::idle).count();
        stalledWorkers = (int) Math.min(idle, ledger.waitingForData(ready));
        poolWorkers = pools.gpu().size();
        return pools;
    }

    /** Adaptive deadline for duplicating a straggler's shard, from observed shard times. */
    private long stragglerPatience() {
        return Math.max(MIN_PATIENCE_NANOS, STRAGGLER_FACTOR * stats.medianShardNanos(timeoutNanos));
    }

    /**
     * Adds the time since the last dispatch: an idle GPU worker counts as stalled while a shard of the
     * current phase is still being prepared (not while it waits for other workers to finish a step).
     */
    private void accountStall() {
        long now = System.nanoTime();
        if (lastDispatch != 0) {
            stats.stallNanos += stalledWorkers * (now - lastDispatch);
            stats.poolNanos += poolWorkers * (now - lastDispatch);
        }
        lastDispatch = now;
    }

    private Pools initialise(Pools pools) {
        if (initWorker != null) {
            return pools;
        }
        Optional<ActorRef<GpuWorkerProtocol.Command>> worker = pools.freeGpu();
        if (worker.isEmpty()) {
            return pools;
        }
        initWorker = worker.get();
        initDeadline = System.nanoTime() + timeoutNanos;
        initWorker.tell(new GpuWorkerProtocol.Init(InitParams.newBuilder().setExperimentId(id).setSpec(spec).build(), context.getSelf()));
        return pools.busy(initWorker);
    }

    private Pools prefetchAhead(Pools pools) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (ShardId shard : prefetch.missing(window())) {
            var next = pools.nextDataWorker();
            if (next.isEmpty()) {
                return pools;
            }
            ActorRef<DataWorkerProtocol.Command> dataWorker = next.get().getKey();
            pools = next.get().getValue();
            dataWorker.tell(new DataWorkerProtocol.Prepare(
                    PrepareShard.newBuilder().setExperimentId(id).setSpec(spec).setId(shard).build(), context.getSelf()));
            prefetch = prefetch.requested(shard, dataWorker, deadline);
        }
        return pools;
    }

    private Pools handOut(Pools pools, ActorRef<GpuWorkerProtocol.Command> worker, int index) {
        Phase phase = ledger.phase();
        ShardId shard = phase.shard(index);
        int attempt = handOuts.merge(shard, 1, Integer::sum);
        if (attempt > 1) {
            stats.shardsRedone++;
            metrics.shardRedone();
        }
        if (attempt > MAX_ATTEMPTS) {
            fail(phase + " shard " + index + " was handed out " + MAX_ATTEMPTS
                    + " times without a valid result (workers failing, or messages lost on the wire)");
            return pools;
        }
        GpuTask.Builder task = GpuTask.newBuilder().setExperimentId(id).setSpec(spec).setId(shard)
                .setParamsVersion(phase.version()).setAttempt(attempt)
                .setBatch(prefetch.ready().get(shard).getBatch());
        if (!pools.gpu().get(worker).holds(id, phase.version())) {
            task.setParams(paramsOnWire());
            pools = pools.holding(worker, id, phase.version());
        }
        worker.tell(new GpuWorkerProtocol.RunTask(task.build(), context.getSelf()));
        long now = System.nanoTime();
        ledger = ledger.assign(index, worker, attempt, now, now + timeoutNanos);
        return pools.busy(worker);
    }

    /** The params of the current version, encoded once per version however many workers need them. */
    private FloatVector paramsOnWire() {
        long version = ledger.phase().version();
        if (paramsOnWireVersion != version) {
            INDArray params = optimizer.params();
            paramsOnWire = FloatVectors.of(params.data().asNio(), params.length());
            paramsOnWireVersion = version;
        }
        return paramsOnWire;
    }

    private List<ShardId> window() {
        return schedule.lookahead(ledger.phase(), spec.getRuntime().getPrefetchDepth());
    }

    private void release(ActorRef<?> worker, String why) {
        if (ledger == null) {
            return;
        }
        List<Integer> held = ledger.heldBy(worker);
        if (!held.isEmpty()) {
            log.info("{}: shards {} go back to the pool ({} {})", ledger.phase(), held, worker.path(), why);
            ledger = ledger.releaseAll(worker);
        }
    }

    private Optional<String> problemWith(GpuResult result, Phase phase) {
        boolean noTokens = phase.isTrain() ? result.getTokenCount() <= 0 : result.getTokenCount() < 0;
        if (!Double.isFinite(result.getLossSum()) || noTokens) {
            return Optional.of("loss " + result.getLossSum() + " over " + result.getTokenCount() + " tokens");
        }
        if (phase.isTrain()) {
            long expected = optimizer.params().length();
            if (result.getGradSum().getLength() != expected || result.getGradSum().getData().size() != expected * Float.BYTES) {
                return Optional.of("gradient of " + result.getGradSum().getLength() + " floats, expected " + expected);
            }
        }
        return Optional.empty();
    }

    // ---- phase completion --------------------------------------------------------------------------

    private void completePhase() {
        Phase phase = ledger.phase();
        List<GpuResult> results = ledger.resultsInOrder();
        double lossSum = 0;
        long tokens = 0;
        for (GpuResult r : results) {
            lossSum += r.getLossSum();
            tokens += r.getTokenCount();
        }
        if (phase.isTrain()) {
            if (!applyStep(phase, results, tokens)) {
                return;
            }
            stats.lastTrainLoss = lossSum / tokens;
            stats.tokens += tokens;
            stats.examples += spec.getBatch().getGlobalBatch();
            stats.augmentedViews += phase.ids().map(prefetch.ready()::get).mapToLong(PreparedShard::getAugmentedViews).sum();
            stats.losses.add(LossPoint.newBuilder().setStep(phase.version() + 1).setTrainLoss(stats.lastTrainLoss).build());
        } else {
            double nats = tokens == 0 ? Double.NaN : lossSum / tokens;
            stats.evals.add(EvalPoint.newBuilder().setStep(phase.version()).setValLossNats(nats).setValBitsPerByte(nats / LN2).build());
            log.info("eval at step {}: validation {} bits/byte ({} nats) over {} tokens",
                    phase.version(), String.format("%.4f", nats / LN2), String.format("%.4f", nats), tokens);
        }
        prefetch = prefetch.without(phase);
        phase.ids().forEach(handOuts::remove);
        Optional<Phase> next = schedule.after(phase, budgetLeft());
        if (next.isEmpty()) {
            finish();
            return;
        }
        ledger = PhaseLedger.start(next.get());
        if (phase.isTrain()) {
            markActive(phase.version() + 1);
            if ((phase.version() + 1) % spec.getCheckpoint().getEverySteps() == 0) {
                writeCheckpoint();
            }
        }
    }

    /** Sums the shards' gradients in shard order 0..S-1 and applies the optimizer: params t -> t+1. */
    private boolean applyStep(Phase phase, List<GpuResult> results, long tokens) {
        long n = optimizer.params().length();
        INDArray sum = Nd4j.zeros(DataType.FLOAT, n);
        INDArray shard = Nd4j.createUninitialized(DataType.FLOAT, n);
        for (int i = 0; i < results.size(); i++) {
            FloatVectors.copyInto(results.get(i).getGradSum(), shard.data().asNio(), n);
            if (!Double.isFinite(shard.sumNumber().doubleValue())) {
                stats.resultsRejected++;
                log.warn("rejected result for {} shard {}: gradient holds NaN or Inf", phase, i);
                ledger = ledger.withoutResult(i);
                return false;
            }
            sum.addi(shard);
        }
        FlatOptimizer.StepReport report = optimizer.step(phase.version(), sum, tokens);
        stats.learningRate = report.learningRate();
        return true;
    }

    private boolean budgetLeft() {
        var budget = spec.getGpuBudget();
        boolean tokensLeft = budget.getMaxTokens() == 0 || stats.tokens < budget.getMaxTokens();
        boolean timeLeft = budget.getMaxWallSeconds() == 0 || stats.wallSeconds() < budget.getMaxWallSeconds();
        return tokensLeft && timeLeft;
    }

    // ---- checkpoints -------------------------------------------------------------------------------

    /** Writes a checkpoint of the current params version now; false if the run has none configured. */
    boolean writeCheckpoint() {
        if (checkpoints == null || optimizer == null || finished()) {
            return false;
        }
        Checkpoint checkpoint = Checkpoint.newBuilder()
                .setExperimentId(id).setSpec(spec)
                .setResumeAt(ledger.phase().shard(0))
                .setParams(FloatVectors.of(optimizer.params().data().asNio(), optimizer.params().length()))
                .setOptimizerState(FloatVectors.of(optimizer.state().data().asNio(), optimizer.state().length()))
                .setTotals(stats.toTotals())
                .setSubmitter(ActorRefResolver.get(context.getSystem()).toSerializationFormat(submitter))
                .setWrittenUnixMillis(System.currentTimeMillis())
                .build();
        try {
            Path path = checkpoints.write(checkpoint, spec.getCheckpoint().getKeepLast());
            lastCheckpoint = CheckpointInfo.newBuilder().setPath(path.toString()).setStep(ledger.phase().version())
                    .setWrittenUnixMillis(checkpoint.getWrittenUnixMillis()).build();
            log.debug("checkpoint at {} written to {}", ledger.phase(), path);
            return true;
        } catch (IOException e) {
            log.error("checkpoint to {} failed: {} (training goes on)", checkpoints.dir(), e.getMessage());
            return false;
        }
    }

    private void markActive(long step) {
        if (checkpoints != null) {
            marker.active(checkpoints.dir(), step);
        }
    }

    private void finish() {
        summary = Reports.summary(this, stats, optimizer, ledger.phase().version());
        outcome = summary.getStopReason() + " after " + summary.getSteps() + " steps, params " + summary.getParamsSha256().substring(0, 16);
        marker.clear();
        metrics.finished(summary);
        submitter.tell(new ExperimentEvents.Finished(summary));
    }

    // ---- views for reports -------------------------------------------------------------------------

    RunStats stats() {
        return stats;
    }

    /** The params version being worked on, or 0 before initialisation. */
    long step() {
        return ledger == null ? 0 : ledger.phase().version();
    }

    boolean initialised() {
        return ledger != null;
    }

    int gpuWorkers() {
        return gpuWorkers;
    }

    int dataWorkers() {
        return dataWorkers;
    }

    private static INDArray vectorToArray(FloatVector vector) {
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, vector.getLength());
        FloatVectors.copyInto(vector, array.data().asNio(), vector.getLength());
        return array;
    }
}
