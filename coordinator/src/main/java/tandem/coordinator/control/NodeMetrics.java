package tandem.coordinator.control;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import tandem.coordinator.metrics.RunMetrics;

/**
 * The Prometheus registry of this JVM: the coordinator's {@link RunMetrics} (kept current by the run the
 * singleton hosts here) and the JVM's own metrics. {@code GET /metrics} serves it.
 *
 * <p>One per JVM rather than one per ActorSystem: a node started by hand is one JVM, and in local in-JVM
 * mode the API runs on the client node while the singleton runs on a coordinator node of the same JVM, so
 * the client's {@code /metrics} shows the run. (With {@code local --processes} the coordinator is another
 * JVM: the client's API then asks the coordinator for its run metrics, see {@link ControlApi}.)
 */
public final class NodeMetrics {
    private static final NodeMetrics JVM = new NodeMetrics();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RunMetrics run = new RunMetrics(registry);
    private boolean jvmRegistered;

    private NodeMetrics() {}

    public static NodeMetrics get() {
        return JVM;
    }

    /** What the coordinator singleton hosted in this JVM updates. */
    public RunMetrics run() {
        return run;
    }

    /** The registry, with JVM metrics (memory, GC, threads, ...) registered on first use. */
    public synchronized PrometheusRegistry registry() {
        if (!jvmRegistered) {
            JvmMetrics.builder().register(registry);
            jvmRegistered = true;
        }
        return registry;
    }
}
