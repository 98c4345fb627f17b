package tandem.coordinator;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.CoordinatorProtocol.Command;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.ExperimentEvents;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.ServiceKeys;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.CoordinatorHello;
import tandem.proto.ExperimentSpec;
import tandem.proto.Refusal;

/**
 * The coordinator: a Cluster Singleton that owns one experiment at a time. It finds workers through the
 * receptionist, greets them, and runs the experiment as a {@link TrainingRun}. States: {@link #idle}
 * (no experiment), {@link #running} (an experiment from parameter initialisation to its summary).
 * Workers come and go in every state; {@link Pools} keeps that view.
 */
public final class Coordinator {

    /** A receptionist listing of GPU or data workers (one adapter serves both keys). */
    private record Listing(Receptionist.Listing listing) implements Command {}

    private enum Tick implements Command { INSTANCE }

    static final Duration TICK = Duration.ofMillis(200);

    private final ActorContext<Command> context;
    private Pools pools = Pools.EMPTY;

    private Coordinator(ActorContext<Command> context) {
        this.context = context;
    }

    public static Behavior<Command> create() {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            subscribe(context);
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            context.getLog().info("coordinator up at {}", context.getSelf().path());
            return new Coordinator(context).idle();
        }));
    }

    private static void subscribe(ActorContext<Command> context) {
        var listings = context.messageAdapter(Receptionist.Listing.class, Listing::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.GPU_WORKERS, listings));
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.DATA_WORKERS, listings));
    }

    /** No experiment: keep track of workers, wait for a submission. */
    private Behavior<Command> idle() {
        return membership(null)
                .onMessage(CoordinatorProtocol.Submit.class, this::onSubmit)
                .onMessage(CoordinatorProtocol.WorkRequested.class, m -> {
                    pools = pools.ready(m.worker(), m.body().getWorkerName(), m.body().getExperimentId(), m.body().getParamsVersion());
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.ResultReceived.class, m -> {
                    pools = pools.ready(m.worker(), "", m.body().getExperimentId(), m.body().getParamsVersion());
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.InitialParamsReceived.class, m -> {
                    pools = pools.ready(m.worker(), "", "", -1);
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.ShardPrepared.class, m -> Behaviors.same())
                .onMessage(Tick.class, t -> Behaviors.same())
                .build();
    }

    private Behavior<Command> onSubmit(CoordinatorProtocol.Submit submit) {
        ExperimentSpec spec;
        try {
            spec = Specs.validate(Specs.withDefaults(submit.body().getSpec()));
        } catch (SpecException e) {
            submit.replyTo().tell(new ExperimentEvents.Failed(Refusal.newBuilder().setReason(e.getMessage()).setExperimentInvalid(true).build()));
            return Behaviors.same();
        }
        String id = (spec.getName().isBlank() ? "experiment" : spec.getName()) + "-" + Long.toString(System.currentTimeMillis(), 36);
        context.getLog().info("experiment {} submitted: {} steps, global batch {} in {} shards, corpus {}",
                id, spec.getGpuBudget().getMaxSteps(), spec.getBatch().getGlobalBatch(), spec.getBatch().getShards(),
                spec.getDataBudget().getCorpus());
        return running(new TrainingRun(id, spec, submit.replyTo(), context));
    }

    /** An experiment runs: every event goes to the run, which says when it is over. */
    private Behavior<Command> running(TrainingRun run) {
        pools = run.dispatch(pools);
        return membership(run)
                .onMessage(CoordinatorProtocol.Submit.class, m -> {
                    m.replyTo().tell(new ExperimentEvents.Failed(Refusal.newBuilder()
                            .setReason("busy: experiment " + run.id() + " is running").build()));
                    return Behaviors.same();
                })
                .onMessage(CoordinatorProtocol.WorkRequested.class, m -> {
                    pools = run.onWorkRequested(pools, m);
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
                    pools = run.onShardPrepared(pools, m.body());
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
            return idle();
        }
        pools = run.dispatch(pools);
        return Behaviors.same();
    }

    /** Membership and refusals are handled alike in every state. */
    private BehaviorBuilder<Command> membership(TrainingRun run) {
        return Behaviors.receive(Command.class)
                .onMessage(Listing.class, m -> m.listing().isForKey(ServiceKeys.GPU_WORKERS), m -> {
                    Set<ActorRef<GpuWorkerProtocol.Command>> listed = m.listing().getServiceInstances(ServiceKeys.GPU_WORKERS);
                    Pools.Change<GpuWorkerProtocol.Command> change = pools.withGpuListing(listed);
                    pools = change.pools();
                    change.joined().forEach(this::greet);
                    if (run != null) {
                        change.left().forEach(run::onGpuWorkerLeft);
                    }
                    logChange("GPU", change.joined(), change.left(), pools.gpu().size());
                    return run == null ? Behaviors.same() : next(run);
                })
                .onMessage(Listing.class, m -> m.listing().isForKey(ServiceKeys.DATA_WORKERS), m -> {
                    Set<ActorRef<DataWorkerProtocol.Command>> listed = m.listing().getServiceInstances(ServiceKeys.DATA_WORKERS);
                    Pools.Change<DataWorkerProtocol.Command> change = pools.withDataListing(listed);
                    pools = change.pools();
                    if (run != null) {
                        change.left().forEach(run::onDataWorkerLeft);
                    }
                    logChange("data", change.joined(), change.left(), pools.data().size());
                    return run == null ? Behaviors.same() : next(run);
                })
                .onMessage(CoordinatorProtocol.WorkerRefused.class, m -> {
                    context.getLog().warn("worker {} refused: {}", m.worker(), m.body().getReason());
                    if (run != null && m.body().getExperimentInvalid()) {
                        run.fail(m.body().getReason());
                        return next(run);
                    }
                    return Behaviors.same();
                });
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
