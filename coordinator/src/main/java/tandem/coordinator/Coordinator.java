package tandem.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import tandem.coordinator.checkpoint.CheckpointStore;
import tandem.coordinator.metrics.RunMetrics;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.CoordinatorProtocol.Command;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.ExperimentEvents;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.ServiceKeys;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.Checkpoint;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.CoordinatorHello;
import tandem.proto.Drain;
import tandem.proto.ExperimentAction;
import tandem.proto.ExperimentSpec;
import tandem.proto.ExperimentView;
import tandem.proto.Refusal;
import tandem.proto.SubmitExperiment;

/**
 * The coordinator: a Cluster Singleton that runs experiments one at a time (later submissions queue).
 * It finds workers through the receptionist, greets them, and runs each experiment as a
 * {@link TrainingRun}. States: {@link #idle} and {@link #running}. Workers come and go in every state;
 * {@link Pools} keeps that view. On start it resumes a run that a previous coordinator left unfinished
 * (the {@link RunMarker} in its state directory points at the run's checkpoints).
 */
public final class Coordinator {

    /** A receptionist listing of GPU or data workers (one adapter serves both keys). */
    private record Listing(Receptionist.Listing listing) implements Command {}

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

    private enum Tick implements Command { INSTANCE }

    /** A submission waiting for the current run to end. */
    private record Pending(String id, SubmitExperiment submission, ActorRef<ExperimentEvents.Event> submitter) {}

    static final Duration TICK = Duration.ofMillis(200);
    private static final int HISTORY = 100;

    private final ActorContext<Command> context;
    private final RunMarker marker;
    private final RunMetrics metrics;
    private Pools pools = Pools.EMPTY;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Map<String, ExperimentView> history = new LinkedHashMap<>();
    private int submissions;

    private Coordinator(ActorContext<Command> context, Path stateDir, RunMetrics metrics) {
        this.context = context;
        this.marker = new RunMarker(stateDir);
        this.metrics = metrics;
    }

    /**
     * @param stateDir where the run marker lives (shared by all coordinator nodes), or null for none
     * @param metrics  this node's metrics, kept current while the singleton runs here
     */
    public static Behavior<Command> create(Path stateDir, RunMetrics metrics) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            subscribe(context);
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            context.getLog().info("coordinator up at {}", context.getSelf().path());
            Coordinator coordinator = new Coordinator(context, stateDir, metrics);
            return coordinator.resumeUnfinished().map(coordinator::running).orElseGet(coordinator::idle);
        }));
    }

    private static void subscribe(ActorContext<Command> context) {
        var listings = context.messageAdapter(Receptionist.Listing.class, Listing::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.GPU_WORKERS, listings));
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.DATA_WORKERS, listings));
        var reachability = context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
        Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
    }

    /** A run a previous coordinator left unfinished, continued from its newest valid checkpoint. */
    private Optional<TrainingRun> resumeUnfinished() {
        Optional<RunMarker.Active> active = marker.read();
        if (active.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<CheckpointStore.Loaded> loaded = new CheckpointStore(active.get().checkpointDir()).newest();
            if (loaded.isEmpty()) {
                context.getLog().warn("unfinished run in {} has no valid checkpoint yet; it cannot be resumed", active.get().checkpointDir());
                marker.clear();
                return Optional.empty();
            }
            Checkpoint checkpoint = loaded.get().checkpoint();
            ActorRef<ExperimentEvents.Event> submitter = ActorRefResolver.get(context.getSystem()).resolveActorRef(checkpoint.getSubmitter());
            context.getLog().info("failover: resuming experiment {} from {}", checkpoint.getExperimentId(), loaded.get().path());
            return Optional.of(TrainingRun.resume(checkpoint, submitter, context, marker, metrics, active.get().step(), true));
        } catch (IOException | RuntimeException e) {
            context.getLog().error("cannot resume the unfinished run in {}: {}", active.get().checkpointDir(), e.toString());
            return Optional.empty();
        }
    }

    // ---- states -------------------------------------------------------------------------------------

    /** No experiment: keep track of workers, wait for a submission. */
    private Behavior<Command> idle() {
        Pending next = queue.poll();
        if (next != null) {
            return start(next);
        }
        return common(null)
                .onMessage(CoordinatorProtocol.Submit.class, m -> start(new Pending(newId(m.body().getSpec()), m.body(), m.replyTo())))
                .onMessage(CoordinatorProtocol.WorkRequested.class, m -> {
                    if (admitted(m)) {
                        pools = pools.ready(m.worker(), m.body().getWorkerName(), m.body().getExperimentId(), m.body().getParamsVersion());
                    }
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.ResultReceived.class, m -> {
                    pools = pools.answered(m.worker(), m.body().getExperimentId(), m.body().getParamsVersion());
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.InitialParamsReceived.class, m -> {
                    pools = pools.answered(m.worker(), "", -1);
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.ShardPrepared.class, m -> Behaviors.same())
                .onMessage(Tick.class, t -> Behaviors.same())
                .build();
    }

    /** Checks a submission and starts it (or reports why it cannot run, and stays idle). */
    private Behavior<Command> start(Pending pending) {
        try {
            TrainingRun run = pending.submission().getResumeFrom().isEmpty()
                    ? TrainingRun.start(pending.id(), Specs.validate(Specs.withDefaults(pending.submission().getSpec())),
                            pending.submitter(), context, marker, metrics)
                    : resumeFrom(Path.of(pending.submission().getResumeFrom()), pending.submitter());
            context.getLog().info("experiment {} started: {} steps, global batch {} in {} shards, corpus {}",
                    run.id(), run.spec().getGpuBudget().getMaxSteps(), run.spec().getBatch().getGlobalBatch(),
                    run.spec().getBatch().getShards(), run.spec().getDataBudget().getCorpus());
            return running(run);
        } catch (SpecException | IOException e) {
            pending.submitter().tell(new ExperimentEvents.Failed(Refusal.newBuilder().setReason(e.getMessage()).setExperimentInvalid(true).build()));
            remember(ExperimentView.newBuilder().setId(pending.id()).setState("failed").setError(e.getMessage()).build());
            return idle();
        }
    }

    private TrainingRun resumeFrom(Path dir, ActorRef<ExperimentEvents.Event> submitter) throws IOException, SpecException {
        Checkpoint checkpoint = new CheckpointStore(dir).newest()
                .orElseThrow(() -> new SpecException(dir + ": no valid checkpoint to resume from")).checkpoint();
        return TrainingRun.resume(checkpoint, submitter, context, marker, metrics, checkpoint.getResumeAt().getStep(), false);
    }

    /** An experiment runs: every event goes to the run, which says when it is over. */
    private Behavior<Command> running(TrainingRun run) {
        pools = run.dispatch(pools);
        return common(run)
                .onMessage(CoordinatorProtocol.Submit.class, m -> {
                    String id = newId(m.body().getSpec());
                    queue.add(new Pending(id, m.body(), m.replyTo()));
                    context.getLog().info("experiment {} queued behind {}", id, run.id());
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.WorkRequested.class, m -> {
                    if (admitted(m)) {
                        pools = run.onWorkRequested(pools, m);
                    }
                    return next(run);
                })
                .onMessage(CoordinatorProtocol.InitialParamsReceived.class, m -> {
                    pools = run.onInitialParams(pools, m);
                    return next(run);
                })
                .onMessage(CoordinatorProtocol.ResultReceived.class, m -> {
                    pools = run.onResult(pools, m);
                    return next(run);
                })
                .onMessage(CoordinatorProtocol.ShardPrepared.class, m -> {
                    pools = pools.shardPrepared(m.worker(), m.body().getWorkerName());
                    pools = run.onShardPrepared(pools, m.body(), m.worker());
                    return next(run);
                })
                .onMessage(Tick.class, t -> {
                    pools = run.onTick(pools);
                    return next(run);
                })
                .build();
    }

    private Behavior<Command> next(TrainingRun run) {
        if (run.finished()) {
            context.getLog().info("experiment {} ended: {}", run.id(), run.outcome());
            remember(Views.of(run, pools));
            return idle();
        }
        pools = run.dispatch(pools);
        return Behaviors.same();
    }

    /** Membership, departures and the control plane are handled alike in every state. */
    private BehaviorBuilder<Command> common(TrainingRun run) {
        return Behaviors.receive(Command.class)
                .onMessage(Listing.class, m -> m.listing().isForKey(ServiceKeys.GPU_WORKERS), m -> {
                    Set<ActorRef<GpuWorkerProtocol.Command>> listed = m.listing().getServiceInstances(ServiceKeys.GPU_WORKERS);
                    Pools.Change<GpuWorkerProtocol.Command> change = pools.withGpuListing(listed);
                    pools = change.pools();
                    change.joined().forEach(this::greet);
                    if (run != null) {
                        change.joined().forEach(w -> run.onGpuWorkerJoined());
                        change.left().forEach(w -> run.onWorkerLeft(w, false));
                    }
                    logChange("GPU", change.joined(), change.left(), pools.gpu().size());
                    return run == null ? Behaviors.same() : next(run);
                })
                .onMessage(Listing.class, m -> m.listing().isForKey(ServiceKeys.DATA_WORKERS), m -> {
                    Set<ActorRef<DataWorkerProtocol.Command>> listed = m.listing().getServiceInstances(ServiceKeys.DATA_WORKERS);
                    Pools.Change<DataWorkerProtocol.Command> change = pools.withDataListing(listed);
                    pools = change.pools();
                    if (run != null) {
                        change.left().forEach(w -> run.onWorkerLeft(w, false));
                    }
                    logChange("data", change.joined(), change.left(), pools.data().size());
                    return run == null ? Behaviors.same() : next(run);
                })
                .onMessage(Reachability.class, m -> {
                    if (m.event() instanceof ClusterEvent.UnreachableMember u) {
                        context.getLog().warn("node {} is unreachable; its shards go to others", u.member().address());
                        pools = pools.unreachable(u.member().address());
                        if (run != null) {
                            run.onUnreachable(u.member().address());
                            return next(run);
                        }
                    }
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.WorkerLeaving.class, m -> {
                    context.getLog().info("worker {} is draining: {}", m.body().getWorkerName(), m.body().getReason());
                    pools = pools.exclude(m.worker());
                    if (run != null) {
                        run.onWorkerLeft(m.worker(), true);
                        return next(run);
                    }
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.WorkerRefused.class, m -> {
                    context.getLog().warn("worker {} refused: {}", m.worker(), m.body().getReason());
                    if (run != null && m.body().getExperimentInvalid()) {
                        run.fail(m.body().getReason());
                        return next(run);
                    }
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.Control.class, m -> {
                    ControlReply reply = control(m.body(), run);
                    m.replyTo().tell(new CoordinatorProtocol.Replied(reply));
                    return run == null ? (reply.getCode() == 202 && m.body().hasSubmit() ? idle() : Behaviors.same()) : next(run);
                });
    }

    // ---- control plane ------------------------------------------------------------------------------

    private ControlReply control(ControlRequest request, TrainingRun run) {
        return switch (request.getActionCase()) {
            case STATUS -> ControlReply.newBuilder().setCode(200).setStatus(Views.status(run, pools, queue.stream().map(Pending::id).toList(),
                    Cluster.get(context.getSystem()).selfMember().address().toString(), history.values())).build();
            case DRAIN -> drain(request.getDrain().getWorker());
            case CHECKPOINT -> run == null ? error(409, "no experiment is running")
                    : run.writeCheckpoint() ? ControlReply.newBuilder().setCode(200).setMessage("checkpoint written")
                            .setStatus(tandem.proto.Status.newBuilder().setLastCheckpoint(run.lastCheckpoint())).build()
                    : error(409, "experiment " + run.id() + " has no checkpoint directory (checkpoint.dir)");
            case EXPERIMENT -> experimentAction(request.getExperiment(), run);
            case LIST -> ControlReply.newBuilder().setCode(200).addAllExperiments(experiments(run)).build();
            case GET -> experiments(run).stream().filter(v -> v.getId().equals(request.getGet().getExperimentId())).findFirst()
                    .map(v -> run != null && v.getId().equals(run.id()) ? Views.withCurve(v, run) : v)
                    .map(v -> ControlReply.newBuilder().setCode(200).setExperiment(v).build())
                    .orElseGet(() -> error(404, "no experiment '" + request.getGet().getExperimentId() + "'"));
            case SUBMIT -> submit(request.getSubmit());
            case RUN_METRICS -> ControlReply.newBuilder().setCode(200).setMetricsText(metrics.text()).build();
            case ACTION_NOT_SET -> error(400, "empty control request");
        };
    }

    private ControlReply submit(SubmitExperiment submission) {
        try {
            Specs.validate(Specs.withDefaults(submission.getSpec()));
        } catch (SpecException e) {
            return error(400, e.getMessage());
        }
        String id = newId(submission.getSpec());
        queue.add(new Pending(id, submission, context.getSystem().ignoreRef()));
        return ControlReply.newBuilder().setCode(202).setMessage(id)
                .setExperiment(ExperimentView.newBuilder().setId(id).setState("queued").setSpec(submission.getSpec())).build();
    }

    private ControlReply drain(String name) {
        Optional<ActorRef<?>> worker = pools.byName(name);
        if (worker.isEmpty()) {
            return error(404, "no worker '" + name + "'");
        }
        Drain drain = Drain.newBuilder().setReason("asked by the control plane").build();
        if (pools.gpu().containsKey(worker.get())) {
            @SuppressWarnings("unchecked")
            ActorRef<GpuWorkerProtocol.Command> gpu = (ActorRef<GpuWorkerProtocol.Command>) worker.get();
            gpu.tell(new GpuWorkerProtocol.DrainNow(drain));
        } else {
            @SuppressWarnings("unchecked")
            ActorRef<DataWorkerProtocol.Command> data = (ActorRef<DataWorkerProtocol.Command>) worker.get();
            data.tell(new DataWorkerProtocol.DrainNow(drain));
        }
        return ControlReply.newBuilder().setCode(202).setMessage("draining " + name).build();
    }

    private ControlReply experimentAction(ExperimentAction action, TrainingRun run) {
        String id = action.getExperimentId();
        if (run == null || !run.id().equals(id)) {
            if (action.getKind() == ExperimentAction.Kind.CANCEL && queue.removeIf(p -> p.id().equals(id))) {
                remember(ExperimentView.newBuilder().setId(id).setState("cancelled").build());
                return ControlReply.newBuilder().setCode(200).setMessage("cancelled " + id).build();
            }
            return history.containsKey(id) || queue.stream().anyMatch(p -> p.id().equals(id))
                    ? error(409, "experiment '" + id + "' is not running") : error(404, "no experiment '" + id + "'");
        }
        switch (action.getKind()) {
            case PAUSE -> run.pause();
            case RESUME -> run.resumeWork();
            case CANCEL -> run.cancel();
            default -> {
                return error(400, "experiment action: unknown kind");
            }
        }
        return ControlReply.newBuilder().setCode(200).setMessage(action.getKind().name().toLowerCase() + " " + id).build();
    }

    private List<ExperimentView> experiments(TrainingRun run) {
        List<ExperimentView> all = new java.util.ArrayList<>(history.values());
        if (run != null && !run.finished()) {
            all.add(Views.of(run, pools));
        }
        queue.forEach(p -> all.add(ExperimentView.newBuilder().setId(p.id()).setState("queued").setSpec(p.submission().getSpec()).build()));
        return all;
    }

    private void remember(ExperimentView view) {
        history.put(view.getId(), view);
        while (history.size() > HISTORY) {
            history.remove(history.keySet().iterator().next());
        }
    }

    private static ControlReply error(int code, String message) {
        return ControlReply.newBuilder().setCode(code).setError(message).build();
    }

    private String newId(ExperimentSpec spec) {
        String name = spec.getName().isBlank() ? "experiment" : spec.getName().replaceAll("[^A-Za-z0-9_.-]", "-");
        return name + "-" + Long.toString(System.currentTimeMillis(), 36) + (++submissions);
    }

    /** A worker of another protocol version is told to stop and never handed work. */
    private boolean admitted(CoordinatorProtocol.WorkRequested m) {
        int theirs = m.body().getProtocolVersion();
        if (theirs == ServiceKeys.PROTOCOL_VERSION) {
            return true;
        }
        String reason = "worker " + m.body().getWorkerName() + " speaks protocol " + theirs + ", this coordinator speaks " + ServiceKeys.PROTOCOL_VERSION;
        context.getLog().error("refusing {}", reason);
        m.worker().tell(new GpuWorkerProtocol.StopNow(tandem.proto.Stop.newBuilder().setReason(reason).build()));
        pools = pools.exclude(m.worker());
        return false;
    }

    private void greet(ActorRef<GpuWorkerProtocol.Command> worker) {
        worker.tell(new GpuWorkerProtocol.Hello(
                CoordinatorHello.newBuilder().setProtocolVersion(ServiceKeys.PROTOCOL_VERSION).build(), context.getSelf()));
    }

    private <T> void logChange(String pool, List<ActorRef<T>> joined, List<ActorRef<T>> left, int size) {
        if (!joined.isEmpty() || !left.isEmpty()) {
            context.getLog().info("{} pool: {} joined, {} left, {} now", pool, joined.size(), left.size(), size);
        }
    }
}
