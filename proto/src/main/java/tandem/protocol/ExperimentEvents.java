package tandem.protocol;

import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.Progress;
import tandem.proto.Summary;

/** What the coordinator tells whoever submitted an experiment. */
public final class ExperimentEvents {
    private ExperimentEvents() {}

    public interface Event {}

    public record Progressed(Progress body) implements Event, WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }

    public record Finished(Summary body) implements Event, WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }

    /** The experiment could not run (bad spec, params too large for the wire, ...). */
    public record Failed(tandem.proto.Refusal body) implements Event, WireMessage {
        @Override public ActorRef<?> ref() { return null; }
    }
}
