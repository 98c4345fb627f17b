package tandem.protocol;

import org.apache.pekko.actor.typed.ActorRef;
import tandem.proto.CoordinatorHello;
import tandem.proto.Drain;
import tandem.proto.GpuTask;
import tandem.proto.Stop;
import tandem.proto.InitParams;

/** What a GPU worker accepts from the coordinator. */
public final class GpuWorkerProtocol {
    private GpuWorkerProtocol() {}

    public interface Command {}

    /** A coordinator found this worker; the worker answers with a work request. */
    public record Hello(CoordinatorHello body, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return coordinator; }
    }

    /** Compute gradients (TRAIN) or the loss (EVAL) of one shard. */
    public record RunTask(GpuTask body, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements Command, WireMessage {
        @Override public ActorRef<?> ref() { return coordinator; }
    }

    /** Draw the experiment's initial parameters. */
    public record Init(InitParams body, ActorRef<CoordinatorProtocol.Command> coordinator)
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
