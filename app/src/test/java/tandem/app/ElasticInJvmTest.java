package tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.ServiceKeys;
import tandem.proto.CheckpointInfo;
import tandem.proto.CheckpointSpec;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.ExperimentAction;
import tandem.proto.ExperimentSpec;
import tandem.proto.GpuResult;
import tandem.proto.ListExperiments;
import tandem.proto.Progress;
import tandem.proto.StatusQuery;
import tandem.proto.Summary;
import tandem.proto.WorkRequest;

/**
 * Membership changes in one JVM: a worker drains, the GPU pool runs empty and refills, a worker that
 * sends garbage is quarantined, a worker of another protocol version is refused, a cancelled run is
 * resumed from its checkpoints. Every run ends with the undisturbed run's parameters.
 */
class ElasticInJvmTest {
    private static final int STEPS = 240;
    private static final ExperimentSpec SPEC = TestSpecs.tiny(STEPS);
    private static String undisturbedHash;

    @TempDir
    Path dir;

    @BeforeAll
    static void undisturbed() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1, 2, 1, TestSpecs.SERIALIZE_EVERYTHING, false)) {
            undisturbedHash = cluster.run(SPEC, p -> {}, Duration.ofMinutes(3)).getParamsSha256();
        }
    }

    /** A GPU worker that answers every task with a NaN loss. */
    private static Behavior<GpuWorkerProtocol.Command> garbageWorker() {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.GPU_WORKERS, ctx.getSelf()));
            return Behaviors.receive(GpuWorkerProtocol.Command.class)
                    .onMessage(GpuWorkerProtocol.Hello.class, h -> {
                        h.coordinator().tell(new CoordinatorProtocol.WorkRequested(WorkRequest.newBuilder()
                                .setProtocolVersion(ServiceKeys.PROTOCOL_VERSION).setWorkerName("garbage").setParamsVersion(-1).build(), ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onMessage(GpuWorkerProtocol.RunTask.class, t -> {
                        t.coordinator().tell(new CoordinatorProtocol.ResultReceived(GpuResult.newBuilder()
                                .setExperimentId(t.body().getExperimentId()).setId(t.body().getId())
                                .setParamsVersion(t.body().getParamsVersion()).setLossSum(Double.NaN).setTokenCount(1).build(), ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onMessage(GpuWorkerProtocol.Init.class, i -> {
                        i.coordinator().tell(new CoordinatorProtocol.InitialParamsReceived(tandem.proto.InitialParams.newBuilder()
                                .setExperimentId(i.body().getExperimentId())
                                .setParams(tandem.protocol.FloatVectors.wrap(new float[] {Float.NaN})).build(), ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onMessage(GpuWorkerProtocol.StopNow.class, s -> Behaviors.stopped())
                    .build();
        });
    }

    /** A GPU worker from the future: it speaks protocol 99, and records what it is told. */
    private static Behavior<GpuWorkerProtocol.Command> futureWorker(List<String> told) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.GPU_WORKERS, ctx.getSelf()));
            return Behaviors.receive(GpuWorkerProtocol.Command.class)
                    .onMessage(GpuWorkerProtocol.Hello.class, h -> {
                        h.coordinator().tell(new CoordinatorProtocol.WorkRequested(WorkRequest.newBuilder()
                                .setProtocolVersion(99).setWorkerName("future").build(), ctx.getSelf()));
                        return Behaviors.same();
                    })
                    .onMessage(GpuWorkerProtocol.StopNow.class, s -> {
                        told.add(s.body().getReason());
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    @Test
    void drainEmptyPoolGarbageAndAnotherProtocolLeaveTheResultAlone() throws Exception {
        List<String> toldFuture = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        AtomicBoolean drained = new AtomicBoolean();
        AtomicBoolean emptied = new AtomicBoolean();
        AtomicBoolean refilled = new AtomicBoolean();
        Summary summary;
        try (LocalCluster cluster = LocalCluster.start(1, 2, 1, TestSpecs.SERIALIZE_EVERYTHING, false)) {
            ActorRef<GpuWorkerProtocol.Command> garbage = cluster.client().systemActorOf(garbageWorker(), "gpu-worker-garbage", Props.empty());
            cluster.client().systemActorOf(futureWorker(toldFuture), "gpu-worker-future", Props.empty());
            summary = cluster.run(SPEC, (Progress p) -> {
                states.add(p.getState());
                try {
                    if (p.getStep() >= 40 && drained.compareAndSet(false, true)) {
                        cluster.drain(Role.GPU);
                    } else if (p.getStep() >= 80 && drained.get() && emptied.compareAndSet(false, true)) {
                        cluster.kill(Role.GPU);
                    } else if (emptied.get() && p.getState().startsWith("waiting: no GPU") && refilled.compareAndSet(false, true)) {
                        cluster.add(Role.GPU);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Duration.ofMinutes(4));
            assertTrue(garbage.path() != null);
        }
        assertEquals(undisturbedHash, summary.getParamsSha256(), "invariant D across drain, empty pool, garbage");
        TestSpecs.assertEachStepCountedOnce(summary, STEPS);
        assertTrue(refilled.get(), "the run paused with no GPU workers and went on when one joined: " + states);
        assertEquals(1, summary.getWorkersDrained());
        assertEquals(1, summary.getWorkersQuarantined());
        assertTrue(summary.getResultsRejected() >= 3, "rejected: " + summary.getResultsRejected());
        assertEquals(1, toldFuture.size(), "the protocol-99 worker was told to stop");
        assertTrue(toldFuture.get(0).contains("protocol 99"), toldFuture.get(0));
    }

    @Test
    void aCancelledRunResumesFromItsCheckpoints() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        ExperimentSpec spec = SPEC.toBuilder()
                .setCheckpoint(CheckpointSpec.newBuilder().setDir(checkpoints.toString()).setEverySteps(10).setKeepLast(2)).build();
        try (LocalCluster cluster = LocalCluster.start(1, 2, 1, TestSpecs.SERIALIZE_EVERYTHING, false)) {
            AtomicBoolean cancelled = new AtomicBoolean();
            LocalCluster.ExperimentFailed failed = assertThrows(LocalCluster.ExperimentFailed.class, () -> cluster.run(spec, p -> {
                if (p.getStep() >= 100 && cancelled.compareAndSet(false, true)) {
                    cluster.control(ControlRequest.newBuilder().setExperiment(ExperimentAction.newBuilder()
                            .setExperimentId(p.getExperimentId()).setKind(ExperimentAction.Kind.CANCEL)).build(), Duration.ofSeconds(10))
                            .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
                }
            }, Duration.ofMinutes(3)));
            assertEquals("cancelled", failed.getMessage());
            try (var files = Files.list(checkpoints)) {
                assertEquals(2, files.count(), "keep_last = 2");
            }
            // Idle now: status still tells where the cancelled run left off, and so does its experiment view.
            ControlReply status = cluster.control(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build(),
                    Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertFalse(status.getStatus().hasCurrent(), status.toString());
            CheckpointInfo last = status.getStatus().getLastCheckpoint();
            assertTrue(last.getStep() >= 100 && last.getStep() % 10 == 0, "last checkpoint at step " + last.getStep());
            assertTrue(Files.isRegularFile(Path.of(last.getPath())) && Path.of(last.getPath()).startsWith(checkpoints), last.getPath());
            ControlReply list = cluster.control(ControlRequest.newBuilder().setList(ListExperiments.getDefaultInstance()).build(),
                    Duration.ofSeconds(10)).toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertEquals(last, list.getExperiments(list.getExperimentsCount() - 1).getLastCheckpoint());
            Summary resumed = cluster.run(spec, checkpoints.toString(), p -> {}, Duration.ofMinutes(3));
            assertEquals(undisturbedHash, resumed.getParamsSha256(), "invariant D across a resume");
            TestSpecs.assertEachStepCountedOnce(resumed, STEPS);
        }
    }
}
