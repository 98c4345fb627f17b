package tandem.protocol;

import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Receptionist keys: how the coordinator finds workers (DESIGN.md, "Roles and actors"). */
public final class ServiceKeys {
    private ServiceKeys() {}

    public static final ServiceKey<GpuWorkerProtocol.Command> GPU_WORKERS =
            ServiceKey.create(GpuWorkerProtocol.Command.class, "gpu-worker");

    public static final ServiceKey<DataWorkerProtocol.Command> DATA_WORKERS =
            ServiceKey.create(DataWorkerProtocol.Command.class, "data-worker");

    /** Bumped whenever a message changes incompatibly; workers of another version are refused. */
    public static final int PROTOCOL_VERSION = 1;
}
