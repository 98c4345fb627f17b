package tandem.data;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import tandem.data.corpus.DataException;
import tandem.data.plan.DataPlan;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.Drained;
import tandem.protocol.DataWorkerProtocol.Command;
import tandem.protocol.ServiceKeys;
import tandem.proto.ExperimentSpec;
import tandem.proto.Leaving;
import tandem.proto.PrepareShard;
import tandem.proto.PreparedShard;
import tandem.proto.Refusal;
import tandem.proto.ShardId;

/**
 * A data worker: builds the token batch of any shard it is asked for. A batch is a pure function of
 * (spec, shard id), so any data worker gives the same bytes and a lost request is simply asked again.
 * Reading a corpus and augmenting block, so it runs on its own dispatcher.
 */
public final class DataWorker {
    /** CoordinatedShutdown (SIGTERM, or leaving the cluster) asks the worker to drain before the node goes. */
    private record ShutdownDrain(CompletableFuture<Done> done) implements Command, NoSerializationVerificationNeeded {}

    private final ActorContext<Command> context;
    private final String name;
    private ActorRef<CoordinatorProtocol.Command> coordinator;
    private boolean leaving;
    private ExperimentSpec planSpec;
    private DataPlan plan;

    private DataWorker(ActorContext<Command> context, String name) {
        this.context = context;
        this.name = name;
    }

    public static Behavior<Command> create(String name) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.DATA_WORKERS, context.getSelf()));
            context.getLog().info("data worker {} up", name);
            ActorRef<Command> self = context.getSelf();
            CoordinatedShutdown.get(context.getSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "drain-data-worker", () -> {
                CompletableFuture<Done> done = new CompletableFuture<>();
                self.tell(new ShutdownDrain(done));
                return done;
            });
            return new DataWorker(context, name).working();
        });
    }

    private Behavior<Command> working() {
        return Behaviors.receive(Command.class)
                .onMessage(DataWorkerProtocol.Prepare.class, this::onPrepare)
                .onMessage(DataWorkerProtocol.DrainNow.class, m -> leaveAndShutDown("draining: " + m.body().getReason()))
                .onMessage(DataWorkerProtocol.StopNow.class, m -> leaveAndShutDown("stopping: " + m.body().getReason()))
                .onMessage(ShutdownDrain.class, m -> {
                    leave("node shutting down");
                    m.done().complete(Done.getInstance());
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> leaveAndShutDown(String reason) {
        context.getLog().info("data worker {} {}", name, reason);
        leave(reason);
        CoordinatedShutdown.get(context.getSystem()).runAll(Drained.INSTANCE);
        return Behaviors.same();
    }

    /** Deregisters and tells the coordinator, so the shards it asked of this worker go to others at once. */
    private void leave(String reason) {
        if (leaving) {
            return;
        }
        leaving = true;
        context.getSystem().receptionist().tell(Receptionist.deregister(ServiceKeys.DATA_WORKERS, context.getSelf()));
        if (coordinator != null) {
            coordinator.tell(new CoordinatorProtocol.WorkerLeaving(Leaving.newBuilder().setWorkerName(name).setReason(reason).build(), context.getSelf()));
        }
    }

    private Behavior<Command> onPrepare(DataWorkerProtocol.Prepare prepare) {
        PrepareShard request = prepare.body();
        coordinator = prepare.coordinator();
        if (leaving) {
            return Behaviors.same();
        }
        long start = System.nanoTime();
        DataPlan plan;
        try {
            plan = planFor(request.getSpec());
        } catch (DataException e) {
            context.getLog().error("data worker {} cannot serve experiment {}: {}", name, request.getExperimentId(), e.getMessage());
            prepare.coordinator().tell(new CoordinatorProtocol.WorkerRefused(
                    Refusal.newBuilder().setReason(e.getMessage()).setExperimentInvalid(true).build(), context.getSelf()));
            return Behaviors.same();
        }
        ShardId id = request.getId();
        PreparedShard.Builder prepared = PreparedShard.newBuilder()
                .setExperimentId(request.getExperimentId()).setId(id).setFacts(plan.facts()).setWorkerName(name);
        if (id.getKind() == ShardId.Kind.TRAIN) {
            DataPlan.Shard shard = plan.trainShard(id.getStep(), id.getIndex());
            prepared.setBatch(shard.batch()).setEpoch(shard.epoch()).setAugmentedViews(shard.augmentedRows());
        } else {
            prepared.setBatch(plan.evalShard(id.getIndex()));
        }
        prepared.setPrepareNanos(System.nanoTime() - start);
        prepare.coordinator().tell(new CoordinatorProtocol.ShardPrepared(prepared.build(), context.getSelf()));
        return Behaviors.same();
    }

    /** The plan of the experiment asked about; rebuilt only when the spec changes. */
    private DataPlan planFor(ExperimentSpec spec) throws DataException {
        if (plan == null || !spec.equals(planSpec)) {
            plan = DataPlan.build(spec);
            planSpec = spec;
            context.getLog().info("data worker {}: plan ready, {} unique bytes, {} examples per epoch",
                    name, plan.facts().getUniqueBytes(), plan.facts().getExamplesPerEpoch());
        }
        return plan;
    }
}
