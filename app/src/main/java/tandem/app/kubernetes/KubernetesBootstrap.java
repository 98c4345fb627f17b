package tandem.app.kubernetes;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.coordinator.control.Scaler;
import tandem.coordinator.kubernetes.ApiCall;
import tandem.coordinator.kubernetes.KubernetesScaler;

/**
 * How a node starts in a Kubernetes pod ({@code TANDEM_BOOTSTRAP=kubernetes}, set by k8s/base): its
 * configuration is {@code kubernetes.conf} (application.conf plus Cluster Bootstrap with
 * {@code kubernetes-api} discovery, the scaler's Deployments, and the ConfigMap's overrides file), and
 * instead of joining seed nodes it starts Pekko Management and Cluster Bootstrap, which find the other
 * tandem pods through the Kubernetes API and join (or, the first time, form) their cluster.
 */
public final class KubernetesBootstrap {
    private static final Logger log = LoggerFactory.getLogger(KubernetesBootstrap.class);

    /** The environment variable that selects the bootstrap mode, and its one value besides the default. */
    public static final String ENV = "TANDEM_BOOTSTRAP";
    public static final String KUBERNETES = "kubernetes";
    /** The configuration a pod loads (a resource of this jar). */
    public static final String RESOURCE = "kubernetes";
    /** Where kubernetes.conf includes site overrides from (the ConfigMap {@code tandem-config} is mounted there). */
    public static final String OVERRIDES_FILE = "/etc/tandem/overrides.conf";
    /** ND4J's native thread ceiling: k8s/ sets it from the container's CPU limit (downward API). */
    static final String THREADS_ENV = "OMP_NUM_THREADS";

    /**
     * The Kubernetes API requests Cluster Bootstrap makes: pekko-discovery-kubernetes-api 1.1.1 lists the
     * pods of the namespace by label selector ({@code GET /api/v1/namespaces/NS/pods?labelSelector=...})
     * and makes no other call (no get, no watch). With {@link tandem.coordinator.kubernetes.KubernetesScaler#apiCalls}
     * this is what the Role in k8s/base/rbac.yaml allows.
     */
    public static final List<ApiCall> API_CALLS = List.of(new ApiCall("", "pods", "list"));

    private KubernetesBootstrap() {}

    /** True if this process runs with {@code TANDEM_BOOTSTRAP=kubernetes}. */
    public static boolean enabled() {
        return enabled(System.getenv());
    }

    /**
     * True for {@code TANDEM_BOOTSTRAP=kubernetes}, false when it is unset, empty or {@code seed-nodes}.
     *
     * @throws IllegalArgumentException any other value (one line)
     */
    public static boolean enabled(Map<String, String> env) {
        String mode = env.getOrDefault(ENV, "").trim();
        if (mode.isEmpty() || mode.equals("seed-nodes")) {
            return false;
        }
        if (mode.equals(KUBERNETES)) {
            return true;
        }
        throw new IllegalArgumentException(ENV + ": unknown bootstrap mode '" + mode + "' (known: kubernetes, seed-nodes)");
    }

    /**
     * {@code extra} over kubernetes.conf when {@link #enabled()}, else {@code extra} unchanged. Seed nodes
     * and Cluster Bootstrap exclude each other.
     *
     * @throws IllegalArgumentException seed nodes given in kubernetes mode (one line)
     */
    public static Config config(Config extra, List<String> seeds) {
        return config(extra, seeds, System.getenv());
    }

    static Config config(Config extra, List<String> seeds, Map<String, String> env) {
        if (!enabled(env)) {
            return extra;
        }
        if (!seeds.isEmpty()) {
            throw new IllegalArgumentException("--seed / TANDEM_SEED_NODES: not with " + ENV + "=" + KUBERNETES
                    + " (Cluster Bootstrap finds the other nodes)");
        }
        return extra.withFallback(load());
    }

    /** kubernetes.conf (with application.conf, -D overrides and reference.conf), resolved. */
    public static Config load() {
        return ConfigFactory.load(RESOURCE);
    }

    /** Starts Pekko Management (if not started yet) and Cluster Bootstrap on a node started with {@link #config}. */
    public static void start(ActorSystem<?> system) {
        var classic = Adapter.toClassic(system);
        Config config = system.settings().config();
        var discovery = config.getConfig("pekko.discovery.kubernetes-api");
        var contactPoints = config.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
        log.info("Kubernetes: Cluster Bootstrap through the Kubernetes API (pods {} with a port named {}; a new cluster "
                        + "needs {} contact points), management on port {}{}",
                discovery.getString("pod-label-selector").replace("%s", contactPoints.getString("service-name")),
                contactPoints.getString("port-name"), contactPoints.getInt("required-contact-point-nr"),
                config.getInt("pekko.management.http.port"), threads());
        PekkoManagement.get(classic).start();
        try {
            ClusterBootstrap.get(classic).start();
        } catch (Exception e) { // the discovery reads the service account's files when it starts (checked exceptions from Scala)
            throw new IllegalArgumentException(ENV + "=" + KUBERNETES + ": Cluster Bootstrap cannot start: "
                    + e.getClass().getSimpleName() + ": " + Scaler.ScaleException.reason(e)
                    + " (not in a pod, or no service account token mounted?)", e);
        }
    }

    /**
     * The scaler a coordinator node's control API uses: in kubernetes mode a {@link KubernetesScaler} (the
     * pod's service account, {@code tandem.kubernetes} of the system's config; its client closes with the
     * ActorSystem), else {@link Scaler#none()}. A client that cannot be built gives a scaler whose every call
     * fails with the reason, so that the API still answers.
     */
    public static Scaler scaler(ActorSystem<?> system) {
        if (!enabled()) {
            return Scaler.none();
        }
        try {
            return KubernetesScaler.create(system);
        } catch (RuntimeException e) {
            String reason = "no Kubernetes client: " + Scaler.ScaleException.reason(e);
            log.error("Kubernetes scaler: {}", reason);
            return new Scaler() {
                @Override
                public CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers) {
                    return CompletableFuture.failedFuture(new ScaleException(reason));
                }

                @Override
                public PoolSizes desired() {
                    return new PoolSizes(0, 0);
                }
            };
        }
    }

    /** What the log says about ND4J's native threads: capped by OMP_NUM_THREADS (the pod's CPU limit) if set. */
    private static String threads() {
        String threads = System.getenv(THREADS_ENV);
        return threads == null || threads.isBlank() ? ""
                : "; ND4J native threads at most " + threads.trim() + " (" + THREADS_ENV + ", from the container's CPU limit)";
    }
}
