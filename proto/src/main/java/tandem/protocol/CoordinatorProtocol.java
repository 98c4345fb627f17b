package tandem.protocol;

import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.GpuResult;
import tandem.proto.Leaving;
import tandem.proto.InitialParams;
import tandem.proto.PreparedShard;
import tandem.proto.Refusal;
import tandem.proto.SubmitExperiment;
import tandem.proto.WorkRequest;

/** What the coordinator accepts from other nodes. Its private messages implement {@link Command} too. */
public final class CoordinatorProtocol {
    private CoordinatorProtocol() {}

    public interface Command {}

    /** A GPU worker has a free slot (and says which params version it holds). */
    public record WorkRequested(WorkRequest body, ActorRef<GpuWorkerProtocol.Command> worker)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** A GPU worker's result for one shard; it also frees the worker's slot. */
    public record ResultReceived(GpuResult body, ActorRef<GpuWorkerProtocol.Command> worker)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** Initial parameters drawn by a GPU worker from the spec's seed. */
    public record InitialParamsReceived(InitialParams body, ActorRef<GpuWorkerProtocol.Command> worker)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** A data worker's batch for one shard. */
    public record ShardPrepared(PreparedShard body, ActorRef<DataWorkerProtocol.Command> worker)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** A worker refused the coordinator (for example another protocol version). */
    public record WorkerRefused(Refusal body, ActorRef<?> worker) implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** A worker is draining: its shards go to others, and it is no longer handed work. */
    public record WorkerLeaving(Leaving body, ActorRef<?> worker) implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return worker; }
    }

    /** A control-plane request (status, drain, checkpoint, experiments); the answer goes to {@code replyTo}. */
    public record Control(ControlRequest body, ActorRef<Replied> replyTo) implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return replyTo; }
    }

    /** The coordinator's answer to a {@link Control} request. */
    public record Replied(ControlReply body) implements WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }

    /** Run an experiment; progress and the summary go to {@code replyTo}. */
    public record Submit(SubmitExperiment body, ActorRef<ExperimentEvents.Event> replyTo)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return replyTo; }
    }

}
