package tandem.protocol;

import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.PrepareShard;

/** What a data worker accepts from the coordinator. */
public final class DataWorkerProtocol {
    private DataWorkerProtocol() {}

    public interface Command {}

    /** Build the token batch of one shard: a pure function of (spec, shard id). */
    public record Prepare(PrepareShard body, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return coordinator; }
    }
}
