package tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tandem.proto.FloatVector;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;

/**
 * A 40 MB parameter vector goes to a "GPU worker" on another cluster node, which echoes it back as its
 * gradient: both directions cross Artery's large-message channel, byte for byte.
 */
class LargeVectorAcrossNodesTest {
    private static final int FLOATS = 10_000_000; // 40 MB
    private static final ActorTestKit coordinatorNode = ActorTestKit.create("tandem", WireTestConfig.node(48));
    private static final ActorTestKit workerNode = ActorTestKit.create("tandem", WireTestConfig.node(48));

    @AfterAll
    static void stop() {
        workerNode.shutdownTestKit();
        coordinatorNode.shutdownTestKit();
    }

    /** Echoes params back as the gradient. */
    private static Behavior<GpuWorkerProtocol.Command> echoWorker() {
        return Behaviors.receive(GpuWorkerProtocol.Command.class)
                .onMessage(GpuWorkerProtocol.RunTask.class, task -> {
                    task.coordinator().tell(new CoordinatorProtocol.ResultReceived(GpuResult.newBuilder()
                            .setId(task.body().getId()).setGradSum(task.body().getParams()).build(), null));
                    return Behaviors.same();
                }).build();
    }

    @Test
    void fortyMegabyteVectorRoundTrip() {
        Cluster a = Cluster.get(coordinatorNode.system());
        Cluster b = Cluster.get(workerNode.system());
        a.manager().tell(Join.create(a.selfMember().address()));
        b.manager().tell(Join.create(a.selfMember().address()));
        TestProbe<Object> wait = coordinatorNode.createTestProbe();
        wait.awaitAssert(Duration.ofSeconds(20), () -> {
            assertEquals(2, java.util.stream.StreamSupport.stream(a.state().getMembers().spliterator(), false)
                    .filter(m -> m.status() == MemberStatus.up()).count());
            return null;
        });

        ActorRef<GpuWorkerProtocol.Command> local = workerNode.spawn(echoWorker(), "big-gpu-worker");
        ActorRef<GpuWorkerProtocol.Command> remote = org.apache.pekko.actor.typed.ActorRefResolver.get(coordinatorNode.system()).resolveActorRef(
                        local.path().toStringWithAddress(b.selfMember().address()));
        TestProbe<CoordinatorProtocol.Command> results = coordinatorNode.createTestProbe();
        ActorRef<CoordinatorProtocol.Command> inbox = coordinatorNode.spawn(forwardTo(results.getRef()), "big-coordinator");

        float[] values = new float[FLOATS];
        for (int i = 0; i < FLOATS; i++) {
            values[i] = (float) Math.sin(i) * (i % 97);
        }
        FloatVector params = FloatVectors.wrap(values);
        long start = System.nanoTime();
        remote.tell(new GpuWorkerProtocol.RunTask(GpuTask.newBuilder().setParams(params).build(), inbox));
        var reply = results.expectMessageClass(CoordinatorProtocol.ResultReceived.class, Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(40_000_000, reply.body().getGradSum().getData().size());
        assertEquals(params.getData(), reply.body().getGradSum().getData());
        System.out.printf("40 MB params out and back across two nodes: %.3f s%n", seconds);
    }

    private static Behavior<CoordinatorProtocol.Command> forwardTo(ActorRef<CoordinatorProtocol.Command> probe) {
        return Behaviors.receiveMessage(m -> {
            probe.tell(m);
            return Behaviors.same();
        });
    }
}
