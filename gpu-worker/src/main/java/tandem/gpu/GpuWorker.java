package tandem.gpu;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import tandem.gpu.backend.Nd4jBackend;
import tandem.gpu.model.LanguageModel;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.Drained;
import tandem.protocol.FloatVectors;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.GpuWorkerProtocol.Command;
import tandem.protocol.ServiceKeys;
import tandem.protocol.WireLimits;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;
import tandem.proto.InitialParams;
import tandem.proto.Leaving;
import tandem.proto.Refusal;
import tandem.proto.ShardId;
import tandem.proto.WorkRequest;

/**
 * A GPU worker: one model replica on one device. It registers with the receptionist, asks the
 * coordinator that greets it for work, and answers each task with the summed gradient (or the loss) of
 * one shard. Params arrive once per version; a task for a version it does not hold sends it back to
 * the coordinator as a fresh work request. Compute blocks, so it runs on its own dispatcher.
 */
public final class GpuWorker {
    /** CoordinatedShutdown (SIGTERM, or leaving the cluster) asks the worker to drain before the node goes. */
    private record ShutdownDrain(CompletableFuture<Done> done) implements Command, NoSerializationVerificationNeeded {}

    private final ActorContext<Command> context;
    private final String name;
    private Replica replica;
    private ActorRef<CoordinatorProtocol.Command> coordinator;
    private boolean leaving;

    private GpuWorker(ActorContext<Command> context, String name) {
        this.context = context;
        this.name = name;
    }

    public static Behavior<Command> create(String name) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.GPU_WORKERS, context.getSelf()));
            context.getLog().info("GPU worker {} up ({})", name, Nd4jBackend.describe());
            ActorRef<Command> self = context.getSelf();
            CoordinatedShutdown.get(context.getSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "drain-gpu-worker", () -> {
                CompletableFuture<Done> done = new CompletableFuture<>();
                self.tell(new ShutdownDrain(done));
                return done;
            });
            return new GpuWorker(context, name).working();
        });
    }

    private Behavior<Command> working() {
        return Behaviors.receive(Command.class)
                .onMessage(GpuWorkerProtocol.Hello.class, this::onHello)
                .onMessage(GpuWorkerProtocol.Init.class, this::onInit)
                .onMessage(GpuWorkerProtocol.RunTask.class, this::onTask)
                .onMessage(GpuWorkerProtocol.DrainNow.class, m -> {
                    context.getLog().info("GPU worker {} draining: {}", name, m.body().getReason());
                    leave(m.body().getReason());
                    CoordinatedShutdown.get(context.getSystem()).runAll(Drained.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(GpuWorkerProtocol.StopNow.class, m -> {
                    context.getLog().error("GPU worker {} stops: {}", name, m.body().getReason());
                    leave(m.body().getReason());
                    CoordinatedShutdown.get(context.getSystem()).runAll(Drained.INSTANCE);
                    return Behaviors.same();
                })
                .onMessage(ShutdownDrain.class, m -> {
                    leave("node shutting down");
                    m.done().complete(Done.getInstance());
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * Deregisters and tells the coordinator, so its shards go to others at once. Any task in flight is
     * already done: compute runs inside message handling, so a drain is only seen between tasks.
     */
    private void leave(String reason) {
        if (leaving) {
            return;
        }
        leaving = true;
        context.getSystem().receptionist().tell(Receptionist.deregister(ServiceKeys.GPU_WORKERS, context.getSelf()));
        if (coordinator != null) {
            coordinator.tell(new CoordinatorProtocol.WorkerLeaving(Leaving.newBuilder().setWorkerName(name).setReason(reason).build(), context.getSelf()));
        }
    }

    private Behavior<Command> onHello(GpuWorkerProtocol.Hello hello) {
        int theirs = hello.body().getProtocolVersion();
        if (theirs != ServiceKeys.PROTOCOL_VERSION) {
            String reason = "GPU worker " + name + " speaks protocol " + ServiceKeys.PROTOCOL_VERSION + ", coordinator speaks " + theirs;
            context.getLog().error("refusing coordinator {}: {}", hello.coordinator().path(), reason);
            hello.coordinator().tell(new CoordinatorProtocol.WorkerRefused(Refusal.newBuilder().setReason(reason).build(), context.getSelf()));
            return Behaviors.same();
        }
        coordinator = hello.coordinator();
        if (!leaving) {
            askForWork(coordinator);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onInit(GpuWorkerProtocol.Init init) {
        Replica replica = replicaFor(init.body().getExperimentId(), init.body().getSpec());
        var tooLarge = WireLimits.checkVector(context.getSystem(), replica.model.paramCount());
        if (tooLarge.isPresent()) {
            context.getLog().error("{}: {}", name, tooLarge.get());
            init.coordinator().tell(new CoordinatorProtocol.WorkerRefused(
                    Refusal.newBuilder().setReason(tooLarge.get()).setExperimentInvalid(true).build(), context.getSelf()));
            return Behaviors.same();
        }
        var params = replica.model.initialParams(init.body().getSpec().getSeed());
        init.coordinator().tell(new CoordinatorProtocol.InitialParamsReceived(InitialParams.newBuilder()
                .setExperimentId(init.body().getExperimentId())
                .setParams(FloatVectors.of(params.data().asNio(), params.length()))
                .setBackend(Nd4jBackend.describe())
                .build(), context.getSelf()));
        return Behaviors.same();
    }

    private Behavior<Command> onTask(GpuWorkerProtocol.RunTask run) {
        GpuTask task = run.body();
        coordinator = run.coordinator();
        if (leaving) {
            return Behaviors.same(); // the coordinator knows: it has handed this shard to someone else
        }
        Replica replica = replicaFor(task.getExperimentId(), task.getSpec());
        if (task.hasParams()) {
            replica.load(task.getParams(), task.getParamsVersion());
        } else if (replica.version != task.getParamsVersion()) {
            askForWork(run.coordinator()); // we lack these params: the coordinator re-sends the task with them
            return Behaviors.same();
        }
        long start = System.nanoTime();
        GpuResult.Builder result = GpuResult.newBuilder().setExperimentId(task.getExperimentId()).setId(task.getId())
                .setParamsVersion(replica.version).setAttempt(task.getAttempt());
        try {
            LanguageModel.StepResult step;
            if (task.getId().getKind() == ShardId.Kind.TRAIN) {
                step = replica.model.lossAndGradient(task.getBatch(), replica.grad);
                result.setGradSum(replica.gradOnWire());
            } else {
                step = replica.model.loss(task.getBatch());
            }
            result.setLossSum(step.lossSum()).setTokenCount(step.tokenCount());
        } catch (RuntimeException e) {
            context.getLog().error("shard {} failed on {}: {}", task.getId(), name, e.toString());
            result.setLossSum(Double.NaN);
        }
        result.setComputeNanos(System.nanoTime() - start);
        run.coordinator().tell(new CoordinatorProtocol.ResultReceived(result.build(), context.getSelf()));
        return Behaviors.same();
    }

    private Replica replicaFor(String experimentId, tandem.proto.ExperimentSpec spec) {
        if (replica == null || !replica.experimentId.equals(experimentId)) {
            if (replica != null) {
                try {
                    replica.close();
                } catch (Exception e) {
                    context.getLog().warn("closing the previous model: {}", e.toString());
                }
            }
            replica = new Replica(experimentId, spec);
            context.getLog().info("{}: built {} model, {} parameters", name, spec.getModel().getKind(), replica.model.paramCount());
        }
        return replica;
    }

    private void askForWork(ActorRef<CoordinatorProtocol.Command> coordinator) {
        coordinator.tell(new CoordinatorProtocol.WorkRequested(WorkRequest.newBuilder()
                .setProtocolVersion(ServiceKeys.PROTOCOL_VERSION)
                .setWorkerName(name)
                .setExperimentId(replica == null ? "" : replica.experimentId)
                .setParamsVersion(replica == null ? -1 : replica.version)
                .build(), context.getSelf()));
    }
}
