package tandem.protocol;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.CoordinatorHello;
import tandem.proto.Drain;
import tandem.proto.Leaving;
import tandem.proto.Stop;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;
import tandem.proto.InitParams;
import tandem.proto.InitialParams;
import tandem.proto.PrepareShard;
import tandem.proto.PreparedShard;
import tandem.proto.Progress;
import tandem.proto.Refusal;
import tandem.proto.SubmitExperiment;
import tandem.proto.Summary;
import tandem.proto.WorkRequest;

/**
 * Serializes every {@link WireMessage}: one frame = [ref length varint][ref, UTF-8][protobuf body].
 * The manifest names the record. Parsing aliases the frame's bytes, so a multi-MB parameter vector is
 * not copied twice.
 */
public final class ProtocolSerializer extends SerializerWithStringManifest {

    /** How to rebuild one record from its body and reference. */
    private record Kind(Class<? extends WireMessage> type, Parser<? extends Message> parser,
                        BiFunction<Message, ActorRef<?>, WireMessage> create) {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Map<String, Kind> KINDS = Map.ofEntries(
            kind("WorkRequested", CoordinatorProtocol.WorkRequested.class, WorkRequest.parser(),
                    (b, r) -> new CoordinatorProtocol.WorkRequested((WorkRequest) b, (ActorRef) r)),
            kind("ResultReceived", CoordinatorProtocol.ResultReceived.class, GpuResult.parser(),
                    (b, r) -> new CoordinatorProtocol.ResultReceived((GpuResult) b, (ActorRef) r)),
            kind("InitialParamsReceived", CoordinatorProtocol.InitialParamsReceived.class, InitialParams.parser(),
                    (b, r) -> new CoordinatorProtocol.InitialParamsReceived((InitialParams) b, (ActorRef) r)),
            kind("ShardPrepared", CoordinatorProtocol.ShardPrepared.class, PreparedShard.parser(),
                    (b, r) -> new CoordinatorProtocol.ShardPrepared((PreparedShard) b, (ActorRef) r)),
            kind("WorkerRefused", CoordinatorProtocol.WorkerRefused.class, Refusal.parser(),
                    (b, r) -> new CoordinatorProtocol.WorkerRefused((Refusal) b, r)),
            kind("Submit", CoordinatorProtocol.Submit.class, SubmitExperiment.parser(),
                    (b, r) -> new CoordinatorProtocol.Submit((SubmitExperiment) b, (ActorRef) r)),
            kind("Hello", GpuWorkerProtocol.Hello.class, CoordinatorHello.parser(),
                    (b, r) -> new GpuWorkerProtocol.Hello((CoordinatorHello) b, (ActorRef) r)),
            kind("RunTask", GpuWorkerProtocol.RunTask.class, GpuTask.parser(),
                    (b, r) -> new GpuWorkerProtocol.RunTask((GpuTask) b, (ActorRef) r)),
            kind("Init", GpuWorkerProtocol.Init.class, InitParams.parser(),
                    (b, r) -> new GpuWorkerProtocol.Init((InitParams) b, (ActorRef) r)),
            kind("Prepare", DataWorkerProtocol.Prepare.class, PrepareShard.parser(),
                    (b, r) -> new DataWorkerProtocol.Prepare((PrepareShard) b, (ActorRef) r)),
            kind("WorkerLeaving", CoordinatorProtocol.WorkerLeaving.class, Leaving.parser(),
                    (b, r) -> new CoordinatorProtocol.WorkerLeaving((Leaving) b, r)),
            kind("Control", CoordinatorProtocol.Control.class, ControlRequest.parser(),
                    (b, r) -> new CoordinatorProtocol.Control((ControlRequest) b, (ActorRef) r)),
            kind("Replied", CoordinatorProtocol.Replied.class, ControlReply.parser(),
                    (b, r) -> new CoordinatorProtocol.Replied((ControlReply) b)),
            kind("GpuDrain", GpuWorkerProtocol.DrainNow.class, Drain.parser(),
                    (b, r) -> new GpuWorkerProtocol.DrainNow((Drain) b)),
            kind("GpuStop", GpuWorkerProtocol.StopNow.class, Stop.parser(),
                    (b, r) -> new GpuWorkerProtocol.StopNow((Stop) b)),
            kind("DataDrain", DataWorkerProtocol.DrainNow.class, Drain.parser(),
                    (b, r) -> new DataWorkerProtocol.DrainNow((Drain) b)),
            kind("DataStop", DataWorkerProtocol.StopNow.class, Stop.parser(),
                    (b, r) -> new DataWorkerProtocol.StopNow((Stop) b)),
            kind("Progressed", ExperimentEvents.Progressed.class, Progress.parser(),
                    (b, r) -> new ExperimentEvents.Progressed((Progress) b)),
            kind("Finished", ExperimentEvents.Finished.class, Summary.parser(),
                    (b, r) -> new ExperimentEvents.Finished((Summary) b)),
            kind("Failed", ExperimentEvents.Failed.class, Refusal.parser(),
                    (b, r) -> new ExperimentEvents.Failed((Refusal) b)));

    private static final Map<Class<?>, String> MANIFESTS = manifests();

    private final ActorRefResolver resolver;

    public ProtocolSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }

    @Override
    public int identifier() {
        return 7_412_001;
    }

    @Override
    public String manifest(Object o) {
        String manifest = MANIFESTS.get(o.getClass());
        if (manifest == null) {
            throw new IllegalArgumentException("not a tandem wire message: " + o.getClass().getName());
        }
        return manifest;
    }

    @Override
    public byte[] toBinary(Object o) {
        WireMessage message = (WireMessage) o;
        byte[] ref = message.ref() == null ? new byte[0]
                : resolver.toSerializationFormat(message.ref()).getBytes(StandardCharsets.UTF_8);
        int bodySize = message.body().getSerializedSize();
        byte[] frame = new byte[CodedOutputStream.computeUInt32SizeNoTag(ref.length) + ref.length + bodySize];
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(frame);
            out.writeUInt32NoTag(ref.length);
            out.writeRawBytes(ref);
            message.body().writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return frame;
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Kind kind = KINDS.get(manifest);
        if (kind == null) {
            throw new NotSerializableException("unknown tandem manifest '" + manifest + "'");
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            int refLength = in.readUInt32();
            String refText = new String(in.readRawBytes(refLength), StandardCharsets.UTF_8);
            ActorRef<?> ref = refText.isEmpty() ? null : resolver.resolveActorRef(refText);
            Message body = kind.parser().parseFrom(in);
            return kind.create().apply(body, ref);
        } catch (InvalidProtocolBufferException e) {
            throw new NotSerializableException("corrupt " + manifest + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map.Entry<String, Kind> kind(String manifest, Class<? extends WireMessage> type,
                                                Parser<? extends Message> parser,
                                                BiFunction<Message, ActorRef<?>, WireMessage> create) {
        return Map.entry(manifest, new Kind(type, parser, create));
    }

    private static Map<Class<?>, String> manifests() {
        java.util.HashMap<Class<?>, String> byClass = new java.util.HashMap<>();
        KINDS.forEach((manifest, kind) -> byClass.put(kind.type(), manifest));
        return Map.copyOf(byClass);
    }
}
