package tandem.data;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import tandem.data.corpus.DataException;
import tandem.data.plan.DataPlan;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.DataWorkerProtocol;
import tandem.protocol.DataWorkerProtocol.Command;
import tandem.protocol.ServiceKeys;
import tandem.proto.ExperimentSpec;
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
    private final ActorContext<Command> context;
    private final String name;
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
            return new DataWorker(context, name).working();
        });
    }

    private Behavior<Command> working() {
        return Behaviors.receive(Command.class)
                .onMessage(DataWorkerProtocol.Prepare.class, this::onPrepare)
                .build();
    }

    private Behavior<Command> onPrepare(DataWorkerProtocol.Prepare prepare) {
        PrepareShard request = prepare.body();
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
                .setExperimentId(request.getExperimentId()).setId(id).setFacts(plan.facts());
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
