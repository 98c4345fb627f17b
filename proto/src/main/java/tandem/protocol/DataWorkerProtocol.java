package tandem.protocol;

import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.Drain;
import tandem.proto.PrepareShard;
import tandem.proto.Stop;

/** What a data worker accepts from the coordinator. */
public final class DataWorkerProtocol {
    private DataWorkerProtocol() {}

    public interface Command {}

    /** Build the token batch of one shard: a pure function of (spec, shard id). */
    public record Prepare(PrepareShard body, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return coordinator; }
    }

    /** Finish in-flight work, deregister, leave the cluster (also what SIGTERM does). */
    public record DrainNow(Drain body) implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }

    /** Stop working for this coordinator: quarantined, or refused. */
    public record StopNow(Stop body) implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }
}
