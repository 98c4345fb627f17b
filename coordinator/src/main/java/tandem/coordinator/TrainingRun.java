package tandem.coordinator;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
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
import tandem.protocol.ServiceKeys;
import tandem.protocol.WireLimits;
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
import tandem.proto.Summary;

/**
 * One experiment from parameter initialisation to its summary: DESIGN.md's training step. Confined to
 * the coordinator actor. The accounting lives in immutable values ({@link PhaseLedger}: which shard is
 * out and which is done; {@link Prefetch}: which batches are ready); this class applies the events to
 * them and does the numeric work (fixed-order gradient sum, optimizer step).
 */
final class TrainingRun {
    private static final double LN2 = Math.log(2);
    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;
    private static final int MAX_ATTEMPTS = 8;

    private final String id;
    private final ExperimentSpec spec;
    private final ActorRef<ExperimentEvents.Event> submitter;
    private final ActorContext<CoordinatorProtocol.Command> context;
    private final Logger log;
    private final Schedule schedule;
    private final long timeoutNanos;
    private final RunStats stats = new RunStats();

    // Parameter initialisation: asked of one GPU worker, until it answers or its deadline passes.
    private ActorRef<GpuWorkerProtocol.Command> initWorker;
    private long initDeadline;

    // Training state: params version = ledger.phase().version().
    private FlatOptimizer optimizer;
    private FloatVector paramsOnWire;
    private long paramsOnWireVersion = -1;
    private PhaseLedger ledger;
    private Prefetch prefetch = Prefetch.empty();
    private final java.util.HashMap<ShardId, Integer> handOuts = new java.util.HashMap<>();
    private long lastProgress;
    // Data-stall accounting: between two dispatches the pools are constant, so time x workers adds up.
    private long lastDispatch;
    private int stalledWorkers;
    private int poolWorkers;
    private int gpuWorkersAtEnd;
    private int dataWorkersAtEnd;
    private String outcome;

    TrainingRun(String id, ExperimentSpec spec, ActorRef<ExperimentEvents.Event> submitter,
                ActorContext<CoordinatorProtocol.Command> context) {
        this.id = id;
        this.spec = spec;
        this.submitter = submitter;
        this.context = context;
        this.log = context.getLog();
        this.schedule = Schedule.of(spec);
        this.timeoutNanos = (long) (spec.getRuntime().getShardTimeoutSeconds() * 1e9);
    }

    String id() {
        return id;
    }

    boolean finished() {
        return outcome != null;
    }

    String outcome() {
        return outcome;
    }

    // ---- events --------------------------------------------------------------------------------

    Pools onWorkRequested(Pools pools, CoordinatorProtocol.WorkRequested m) {
        if (m.body().getProtocolVersion() != ServiceKeys.PROTOCOL_VERSION) {
            log.warn("refusing GPU worker {}: protocol version {}, this coordinator speaks {}",
                    m.body().getWorkerName(), m.body().getProtocolVersion(), ServiceKeys.PROTOCOL_VERSION);
            return pools;
        }
        // A worker that asks for work holds none: whatever the ledger thinks it has goes back to the pool.
        release(m.worker(), "asked for new work");
        return pools.ready(m.worker(), m.body().getWorkerName(), m.body().getExperimentId(), m.body().getParamsVersion());
    }

    Pools onInitialParams(Pools pools, CoordinatorProtocol.InitialParamsReceived m) {
        Pools next = pools.ready(m.worker(), "", "", -1);
        if (optimizer != null || !m.body().getExperimentId().equals(id)) {
            return next;
        }
        long count = m.body().getParams().getLength();
        Optional<String> tooLarge = WireLimits.checkVector(context.getSystem(), count);
        if (tooLarge.isPresent()) {
            fail(tooLarge.get());
            return next;
        }
        INDArray params = Nd4j.createUninitialized(DataType.FLOAT, count);
        FloatVectors.copyInto(m.body().getParams(), params.data().asNio(), count);
        optimizer = new FlatOptimizer(spec.getOptimizer(), spec.getGpuBudget().getMaxSteps(), params, null);
        stats.backend = m.body().getBackend();
        stats.trainStartNanos = System.nanoTime();
        ledger = PhaseLedger.start(schedule.first());
        initWorker = null;
        log.info("experiment {}: {} parameters initialised by {} ({})", id, count, m.worker().path(), stats.backend);
        return next;
    }

    Pools onShardPrepared(Pools pools, PreparedShard shard) {
        if (!shard.getExperimentId().equals(id) || ledger == null) {
            return pools;
        }
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
        Pools next = pools.ready(m.worker(), "", result.getExperimentId(), result.getParamsVersion());
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
            stats.resultsRejected++;
            log.warn("rejected result for {} from {}: {}", result.getId(), m.worker().path(), problem.get());
            ledger = ledger.release(List.of(index));
            return next;
        }
        ledger = ledger.accept(index, result);
        stats.computeNanos += result.getComputeNanos();
        stats.shardsComputed++;
        next = next.shardDone(m.worker());
        if (ledger.complete()) {
            completePhase();
        }
        return next;
    }

    void onGpuWorkerLeft(ActorRef<GpuWorkerProtocol.Command> worker) {
        release(worker, "left the cluster");
        if (worker.equals(initWorker)) {
            initWorker = null;
        }
    }

    void onDataWorkerLeft(ActorRef<DataWorkerProtocol.Command> worker) {
        prefetch = prefetch.forget(worker, System.nanoTime());
    }

    Pools onTick(Pools pools) {
        long now = System.nanoTime();
        if (ledger != null) {
            List<Integer> overdue = ledger.overdue(now);
            if (!overdue.isEmpty()) {
                log.warn("{}: shards {} missed their deadline; handing them out again", ledger.phase(), overdue);
                stats.shardsRedone += overdue.size();
                ledger = ledger.release(overdue);
            }
            prefetch = prefetch.forget(null, now);
        }
        if (initWorker != null && initDeadline - now < 0) {
            log.warn("parameter initialisation by {} timed out; asking another worker", initWorker.path());
            initWorker = null;
        }
        if (now - lastProgress > PROGRESS_EVERY_NANOS) {
            lastProgress = now;
            submitter.tell(new ExperimentEvents.Progressed(progress(pools)));
        }
        if (spec.getGpuBudget().getMaxWallSeconds() > 0 && stats.wallSeconds() > 3 * spec.getGpuBudget().getMaxWallSeconds() + 60) {
            fail("the run overran its wall-clock budget threefold (is a worker stuck?)");
        }
        return pools;
    }

    void fail(String reason) {
        if (finished()) {
            return;
        }
        outcome = "failed: " + reason;
        log.error("experiment {} failed: {}", id, reason);
        submitter.tell(new ExperimentEvents.Failed(Refusal.newBuilder().setReason(reason).build()));
    }

    // ---- work distribution -------------------------------------------------------------------------

    /** Keeps data workers preparing the next shards and hands ready shards to idle GPU workers. */
    Pools dispatch(Pools pools) {
        if (finished()) {
            return pools;
        }
        if (ledger == null) {
            return initialise(pools);
        }
        accountStall();
        pools = prefetchAhead(pools);
        var ready = prefetch.readyIn(ledger.phase());
        while (true) {
            Optional<ActorRef<GpuWorkerProtocol.Command>> worker = pools.anyIdleGpu();
            Optional<Integer> shard = worker.isPresent() ? ledger.nextToHandOut(ready) : Optional.empty();
            if (shard.isEmpty() || finished()) {
                break;
            }
            pools = handOut(pools, worker.get(), shard.get());
        }
        long idle = pools.gpu().values().stream().filter(Pools.GpuWorker::idle).count();
        stalledWorkers = (int) Math.min(idle, ledger.waitingForData(ready));
        poolWorkers = pools.gpu().size();
        gpuWorkersAtEnd = pools.gpu().size();
        dataWorkersAtEnd = pools.data().size();
        return pools;
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
        Optional<ActorRef<GpuWorkerProtocol.Command>> worker = pools.anyIdleGpu();
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
        }
        if (attempt > MAX_ATTEMPTS) {
            fail(shard.getKind() + " shard " + shard.getIndex() + " of step " + shard.getStep() + " was handed out "
                    + MAX_ATTEMPTS + " times without a valid result (workers failing, or messages lost on the wire)");
            return pools;
        }
        GpuTask.Builder task = GpuTask.newBuilder().setExperimentId(id).setSpec(spec).setId(shard)
                .setParamsVersion(phase.version()).setAttempt(attempt)
                .setBatch(prefetch.ready().get(shard).getBatch());
        if (!pools.gpu().get(worker).holds(id, phase.version())) {
            task.setParams(paramsOnWire());
        }
        worker.tell(new GpuWorkerProtocol.RunTask(task.build(), context.getSelf()));
        ledger = ledger.assign(index, worker, attempt, System.nanoTime() + timeoutNanos);
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
            ledger = ledger.release(held);
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
            double nats = lossSum / tokens;
            stats.evals.add(EvalPoint.newBuilder().setStep(phase.version()).setValLossNats(nats).setValBitsPerByte(nats / LN2).build());
            log.info("eval at step {}: validation {} bits/byte ({} nats) over {} tokens",
                    phase.version(), String.format("%.4f", nats / LN2), String.format("%.4f", nats), tokens);
        }
        prefetch = prefetch.without(phase);
        phase.ids().forEach(handOuts::remove);
        Optional<Phase> next = schedule.after(phase, budgetLeft());
        if (next.isEmpty()) {
            finish();
        } else {
            ledger = PhaseLedger.start(next.get());
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

    private String stopReason(long steps) {
        var budget = spec.getGpuBudget();
        if (steps >= budget.getMaxSteps()) {
            return "max_steps";
        }
        if (budget.getMaxTokens() > 0 && stats.tokens >= budget.getMaxTokens()) {
            return "max_tokens";
        }
        return "max_wall_seconds";
    }

    private void finish() {
        long steps = ledger.phase().version();
        EvalPoint lastEval = stats.evals.get(stats.evals.size() - 1);
        Summary summary = Summary.newBuilder()
                .setExperimentId(id).setName(spec.getName())
                .setSteps(steps).setTokens(stats.tokens)
                .setWallSeconds(stats.wallSeconds()).setTokensPerSecond(stats.tokensPerSecond())
                .setFinalTrainLoss(stats.recentTrainLoss(20))
                .setFinalValLossNats(lastEval.getValLossNats()).setFinalValBitsPerByte(lastEval.getValBitsPerByte())
                .setEntropyFloorBitsPerByte(stats.facts == null ? Double.NaN : stats.facts.getEntropyFloorBitsPerByte())
                .setParamsSha256(ParamsHash.sha256(optimizer.params()))
                .setParamCount(optimizer.params().length())
                .setStopReason(stopReason(steps))
                .addAllEvals(stats.evals).addAllLosses(stats.losses)
                .setUniqueBytes(stats.facts == null ? 0 : stats.facts.getUniqueBytes())
                .setEpochs(stats.epochs()).setAugmentedViews(stats.augmentedViews)
                .setShardsRedone(stats.shardsRedone).setDuplicateResultsDropped(stats.duplicatesDropped)
                .setBackend(stats.backend)
                .setGpuWorkers(gpuWorkersAtEnd).setDataWorkers(dataWorkersAtEnd)
                .setDataStall(stats.dataStall())
                .setMeanPrepareMillis(RunStats.meanMillis(stats.prepareNanos, stats.shardsPrepared))
                .setMeanComputeMillis(RunStats.meanMillis(stats.computeNanos, stats.shardsComputed))
                .setResultsRejected(stats.resultsRejected)
                .build();
        outcome = summary.getStopReason() + " after " + steps + " steps, params " + summary.getParamsSha256().substring(0, 16);
        submitter.tell(new ExperimentEvents.Finished(summary));
    }

    private Progress progress(Pools pools) {
        String state;
        if (pools.gpu().isEmpty()) {
            state = "paused: no GPU workers";
        } else if (pools.data().isEmpty()) {
            state = "paused: no data workers";
        } else if (ledger == null) {
            state = "initialising";
        } else {
            state = "training";
        }
        return Progress.newBuilder()
                .setExperimentId(id)
                .setStep(ledger == null ? 0 : ledger.phase().version())
                .setMaxSteps(spec.getGpuBudget().getMaxSteps())
                .setTrainLoss(stats.lastTrainLoss)
                .setValBitsPerByte(stats.lastValBitsPerByte())
                .setTokensPerSecond(stats.tokensPerSecond())
                .setGpuWorkers(pools.gpu().size()).setDataWorkers(pools.data().size())
                .setTokens(stats.tokens).setLearningRate(stats.learningRate)
                .setEpochs(stats.epochs()).setState(state).setWallSeconds(stats.wallSeconds())
                .setDataStall(stats.dataStall())
                .setUniqueBytes(stats.facts == null ? 0 : stats.facts.getUniqueBytes())
                .setAugmentedViews(stats.augmentedViews)
                .build();
    }
}
