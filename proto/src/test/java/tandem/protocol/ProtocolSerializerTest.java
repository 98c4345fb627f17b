package tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tandem.proto.CoordinatorHello;
import tandem.proto.ExperimentSpec;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;
import tandem.proto.InitParams;
import tandem.proto.InitialParams;
import tandem.proto.PrepareShard;
import tandem.proto.PreparedShard;
import tandem.proto.Progress;
import tandem.proto.Refusal;
import tandem.proto.ShardId;
import tandem.proto.SubmitExperiment;
import tandem.proto.Summary;
import tandem.proto.TokenBatch;
import tandem.proto.WorkRequest;

class ProtocolSerializerTest {
    private static final ActorTestKit kit = ActorTestKit.create(WireTestConfig.node(4));

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void everyWireMessageRoundTripsWithItsReference() throws Exception {
        TestProbe<CoordinatorProtocol.Command> coordinator = kit.createTestProbe();
        TestProbe<GpuWorkerProtocol.Command> gpu = kit.createTestProbe();
        TestProbe<DataWorkerProtocol.Command> data = kit.createTestProbe();
        TestProbe<ExperimentEvents.Event> submitter = kit.createTestProbe();
        ExperimentSpec spec = Specs.DEFAULTS;
        ShardId id = ShardId.newBuilder().setKind(ShardId.Kind.TRAIN).setStep(3).setIndex(1).build();
        TokenBatch batch = TokenBatch.newBuilder().setRows(1).setCols(3).setTokens(com.google.protobuf.ByteString.copyFromUtf8("abc"))
                .setLossMask(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 1})).build();
        List<WireMessage> messages = List.of(
                new CoordinatorProtocol.WorkRequested(WorkRequest.newBuilder().setProtocolVersion(1).setWorkerName("w").build(), gpu.getRef()),
                new CoordinatorProtocol.ResultReceived(GpuResult.newBuilder().setId(id).setGradSum(FloatVectors.wrap(new float[] {1, 2})).build(), gpu.getRef()),
                new CoordinatorProtocol.InitialParamsReceived(InitialParams.newBuilder().setParams(FloatVectors.wrap(new float[] {3})).build(), gpu.getRef()),
                new CoordinatorProtocol.ShardPrepared(PreparedShard.newBuilder().setId(id).setBatch(batch).build(), data.getRef()),
                new CoordinatorProtocol.WorkerRefused(Refusal.newBuilder().setReason("old").build(), data.getRef()),
                new CoordinatorProtocol.Submit(SubmitExperiment.newBuilder().setSpec(spec).build(), submitter.getRef()),
                new GpuWorkerProtocol.Hello(CoordinatorHello.newBuilder().setProtocolVersion(1).build(), coordinator.getRef()),
                new GpuWorkerProtocol.RunTask(GpuTask.newBuilder().setSpec(spec).setId(id).setBatch(batch).build(), coordinator.getRef()),
                new GpuWorkerProtocol.Init(InitParams.newBuilder().setSpec(spec).setExperimentId("e").build(), coordinator.getRef()),
                new DataWorkerProtocol.Prepare(PrepareShard.newBuilder().setSpec(spec).setId(id).build(), coordinator.getRef()),
                new ExperimentEvents.Progressed(Progress.newBuilder().setStep(5).build()),
                new ExperimentEvents.Finished(Summary.newBuilder().setParamsSha256("ab").build()),
                new ExperimentEvents.Failed(Refusal.newBuilder().setReason("bad").build()),
                new CoordinatorProtocol.WorkerLeaving(tandem.proto.Leaving.newBuilder().setWorkerName("w").build(), gpu.getRef()),
                new CoordinatorProtocol.Control(tandem.proto.ControlRequest.newBuilder()
                        .setDrain(tandem.proto.DrainWorker.newBuilder().setWorker("gpu-1")).build(), kit.<CoordinatorProtocol.Replied>createTestProbe().getRef()),
                new CoordinatorProtocol.Replied(tandem.proto.ControlReply.newBuilder().setCode(404).setError("no worker").build()),
                new GpuWorkerProtocol.DrainNow(tandem.proto.Drain.newBuilder().setReason("scale down").build()),
                new GpuWorkerProtocol.StopNow(tandem.proto.Stop.newBuilder().setReason("quarantined").build()),
                new DataWorkerProtocol.DrainNow(tandem.proto.Drain.newBuilder().build()),
                new DataWorkerProtocol.StopNow(tandem.proto.Stop.newBuilder().setReason("x").build()));
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        for (WireMessage message : messages) {
            var serializer = serialization.findSerializerFor(message);
            assertSame(ProtocolSerializer.class, serializer.getClass(), message.getClass().getSimpleName());
            byte[] bytes = serializer.toBinary(message);
            Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
            assertEquals(message, back, message.getClass().getSimpleName());
        }
        assertEquals(20, messages.stream().map(Object::getClass).distinct().count());
    }

    @Test
    void javaSerializationIsOff() {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        assertThrows(Exception.class, () -> serialization.serialize(new java.util.ArrayList<>(List.of("x"))).get());
    }
}
