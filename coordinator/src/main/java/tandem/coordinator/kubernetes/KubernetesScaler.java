package tandem.coordinator.kubernetes;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.coordinator.control.Scaler;

/**
 * The scaler on Kubernetes: grows and shrinks the GPU and data worker pools by patching the
 * {@code scale} subresource of their Deployments ({@code tandem-gpu-worker}, {@code tandem-data-worker}
 * by default; {@code tandem.kubernetes.*}). New pods join the cluster through Cluster Bootstrap; pods
 * removed by a scale-down get SIGTERM and drain.
 *
 * <p><b>The data pool and its HorizontalPodAutoscaler.</b> The data-worker Deployment has an HPA on CPU
 * ({@code tandem.kubernetes.data-hpa}). A size asked for through {@code PUT /api/v1/pools} must not fight
 * it (the HPA would undo a bare replica patch within seconds), so the rule is: <em>a data pool size
 * {@code n >= 1} pins the HPA</em>, {@code minReplicas = maxReplicas = n}, and then patches the
 * Deployment to {@code n} (so the change is immediate rather than at the HPA's next sync). Size 0 only
 * patches the Deployment: an HPA cannot hold 0 replicas, and it leaves a Deployment scaled to 0 alone.
 * To hand the data pool back to the HPA, re-apply its manifest (k8s/README.md). When the HPA does not
 * exist (404), only the Deployment is patched.
 *
 * <p><b>Only what changes is patched.</b> A pool whose requested size equals {@link #desired()} is left
 * alone, so {@code PUT pools {"gpuWorkers": 3}} never touches the data pool or its HPA (the control API
 * fills a field that was not given from {@code desired()}). {@code desired()} is re-read from the
 * Deployments at most every {@code tandem.kubernetes.refresh-interval}, so it follows the HPA and
 * {@code kubectl scale}.
 *
 * <p><b>API calls</b> ({@link #apiCalls}: the RBAC Role allows exactly these): {@code get} and
 * {@code patch} on {@code deployments/scale} of the two Deployments, {@code patch} on
 * {@code horizontalpodautoscalers} of the data HPA. Nothing blocks the caller: requests are asynchronous
 * and run one scale call after another, in call order (the last call wins). A refused (403), missing
 * (404) or unreachable API completes the stage with a one-line {@link ScaleException}; training goes on.
 */
public final class KubernetesScaler implements Scaler {
    private static final Logger log = LoggerFactory.getLogger(KubernetesScaler.class);

    /** Where the settings live (kubernetes.conf in the app). */
    public static final String CONFIG_PATH = "tandem.kubernetes";
    static final String MERGE_PATCH = "application/merge-patch+json";
    /** Retries of a request that failed to connect or got a 5xx (100 ms, 200 ms backoff). */
    static final int REQUEST_RETRIES = 2;

    private static final Config DEFAULTS = ConfigFactory.parseString("""
            namespace = ""
            gpu-deployment = "tandem-gpu-worker"
            data-deployment = "tandem-data-worker"
            data-hpa = "tandem-data-worker"
            request-timeout = 10s
            refresh-interval = 5s
            """);

    /**
     * @param namespace       where the Deployments are
     * @param gpuDeployment   the GPU worker Deployment
     * @param dataDeployment  the data worker Deployment
     * @param dataHpa         the data workers' HorizontalPodAutoscaler ("" = never touch an HPA)
     * @param requestTimeout  per API request
     * @param refreshInterval how old {@link #desired()} may get before it is read again
     */
    public record Settings(String namespace, String gpuDeployment, String dataDeployment, String dataHpa,
                           Duration requestTimeout, Duration refreshInterval) {
        public Settings {
            for (var field : List.of(List.of("namespace", namespace), List.of("gpu-deployment", gpuDeployment),
                    List.of("data-deployment", dataDeployment))) {
                if (field.get(1) == null || field.get(1).isBlank()) {
                    throw new IllegalArgumentException(CONFIG_PATH + "." + field.get(0) + ": must not be empty");
                }
            }
            dataHpa = dataHpa == null ? "" : dataHpa.trim();
        }

        /**
         * {@code tandem.kubernetes} of {@code config} (defaults for what is missing); an empty namespace
         * means {@code fallbackNamespace} (the pod's own, from its service account).
         */
        public static Settings fromConfig(Config config, String fallbackNamespace) {
            Config k = (config.hasPath(CONFIG_PATH) ? config.getConfig(CONFIG_PATH) : ConfigFactory.empty()).withFallback(DEFAULTS);
            String namespace = k.getString("namespace").isBlank() ? fallbackNamespace : k.getString("namespace");
            return new Settings(namespace, k.getString("gpu-deployment"), k.getString("data-deployment"),
                    k.getString("data-hpa"), k.getDuration("request-timeout"), k.getDuration("refresh-interval"));
        }
    }

    /** The API requests this scaler makes with {@code settings}: what its Role must allow, and no more. */
    public static List<ApiCall> apiCalls(Settings settings) {
        List<String> deployments = List.of(settings.gpuDeployment(), settings.dataDeployment());
        List<ApiCall> calls = new ArrayList<>(List.of(
                new ApiCall("apps", "deployments/scale", "get", deployments),
                new ApiCall("apps", "deployments/scale", "patch", deployments)));
        if (!settings.dataHpa().isEmpty()) {
            calls.add(new ApiCall("autoscaling", "horizontalpodautoscalers", "patch", List.of(settings.dataHpa())));
        }
        return List.copyOf(calls);
    }

    private final HttpClient http;
    private final String apiBase;
    private final Settings settings;

    // Guarded by this.
    private PoolSizes desired = new PoolSizes(0, 0);
    private boolean known;
    private String readError;
    private long generation;
    private int inFlight;
    private boolean refreshing;
    private long lastRefresh = Long.MIN_VALUE / 2;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    /**
     * A scaler that talks through {@code client} (the caller closes it). Starts reading the
     * current sizes at once; until that read succeeded, {@link #scale} refuses with "try again".
     */
    public KubernetesScaler(KubernetesClient client, Settings settings) {
        this.http = client.getHttpClient();
        String master = client.getMasterUrl().toString();
        this.apiBase = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
        this.settings = settings;
        refresh();
    }

    /**
     * The scaler of a coordinator node running in a pod: an in-cluster client (the pod's service account)
     * and {@code tandem.kubernetes} of the system's config. The client is closed with the ActorSystem.
     */
    public static KubernetesScaler create(ActorSystem<?> system) {
        // In-cluster: the pod's service account token and namespace. fabric8 retries a failed request with
        // exponential backoff (10 times by default, over a minute and a half): a PUT pools should answer sooner.
        io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.autoConfigure(null);
        config.setRequestRetryBackoffLimit(REQUEST_RETRIES);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        String podNamespace = client.getNamespace() == null ? "default" : client.getNamespace();
        Settings settings = Settings.fromConfig(system.settings().config(), podNamespace);
        KubernetesScaler scaler = new KubernetesScaler(client, settings);
        log.info("Kubernetes scaler: deployments {} (gpu) and {} (data{}) in namespace {}", settings.gpuDeployment(),
                settings.dataDeployment(), settings.dataHpa().isEmpty() ? "" : ", HPA " + settings.dataHpa(), settings.namespace());
        system.getWhenTerminated().thenRun(client::close);
        return scaler;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers) {
        PoolSizes target = new PoolSizes(gpuWorkers, dataWorkers);
        CompletableFuture<PoolSizes> result;
        synchronized (this) {
            if (!known) {
                String why = readError;
                refresh();
                return CompletableFuture.failedFuture(new ScaleException("the pool sizes were not read from the Kubernetes API yet"
                        + (why == null ? "" : " (" + why + ")") + ": try again"));
            }
            PoolSizes before = desired;
            desired = target;
            generation++;
            inFlight++;
            boolean gpu = target.gpuWorkers() != before.gpuWorkers();
            boolean data = target.dataWorkers() != before.dataWorkers();
            result = tail.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> apply(gpu ? target.gpuWorkers() : -1, data ? target.dataWorkers() : -1))
                    .thenApply(ignored -> target);
            tail = result;
        }
        result.whenComplete((sizes, failure) -> {
            synchronized (this) {
                inFlight--;
            }
            if (failure != null) {
                log.warn("scaling to gpu {}, data {} failed: {}", gpuWorkers, dataWorkers, ScaleException.reason(failure));
                refresh(); // what the Deployments really say
            }
        });
        return result;
    }

    /** Patches the pools that change ({@code -1}: leave alone); GPU first, then data. */
    private CompletableFuture<Void> apply(int gpu, int data) {
        CompletableFuture<Void> gpuDone = gpu < 0 ? CompletableFuture.completedFuture(null) : patchReplicas(settings.gpuDeployment(), gpu);
        if (data < 0) {
            return gpuDone;
        }
        return gpuDone.thenCompose(ignored -> {
            CompletableFuture<Void> pinned = data > 0 && !settings.dataHpa().isEmpty() ? pinHpa(data) : CompletableFuture.completedFuture(null);
            CompletableFuture<Void> dataDone = pinned.thenCompose(alsoIgnored -> patchReplicas(settings.dataDeployment(), data));
            // The GPU pool was patched already when the data pool fails: say so.
            return gpu < 0 ? dataDone : dataDone.exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                    new ScaleException("GPU pool scaled to " + gpu + ", data pool not: " + ScaleException.reason(failure))));
        });
    }

    private CompletableFuture<Void> patchReplicas(String deployment, int replicas) {
        String path = "/apis/apps/v1/namespaces/" + settings.namespace() + "/deployments/" + deployment + "/scale";
        return send("PATCH", path, "{\"spec\":{\"replicas\":" + replicas + "}}").thenAccept(response -> {
            if (response.code() == 404) {
                throw new ScaleException("deployment " + deployment + " not found in namespace " + settings.namespace());
            }
            if (!response.ok()) {
                throw refused("patch deployments/scale " + deployment, response);
            }
            log.info("deployment {}: replicas -> {}", deployment, replicas);
        });
    }

    /** Pins the data HPA to {@code replicas}; a missing HPA is fine (the Deployment alone decides). */
    private CompletableFuture<Void> pinHpa(int replicas) {
        String hpa = settings.dataHpa();
        String path = "/apis/autoscaling/v2/namespaces/" + settings.namespace() + "/horizontalpodautoscalers/" + hpa;
        return send("PATCH", path, "{\"spec\":{\"minReplicas\":" + replicas + ",\"maxReplicas\":" + replicas + "}}")
                .thenAccept(response -> {
                    if (response.code() == 404) {
                        log.debug("no HorizontalPodAutoscaler {}: patching the deployment only", hpa);
                    } else if (!response.ok()) {
                        throw refused("patch horizontalpodautoscalers " + hpa, response);
                    } else {
                        log.info("HorizontalPodAutoscaler {}: pinned to {} (minReplicas = maxReplicas)", hpa, replicas);
                    }
                });
    }

    @Override
    public synchronized PoolSizes desired() {
        if (System.nanoTime() - lastRefresh > settings.refreshInterval().toNanos()) {
            refresh();
        }
        return desired;
    }

    /** True once the current sizes were read from the API (until then {@link #desired()} is 0, 0). */
    public synchronized boolean known() {
        return known;
    }

    /** Reads both Deployments' replicas (asynchronously) unless a read is under way; see {@link #desired()}. */
    synchronized CompletableFuture<Void> refresh() {
        if (refreshing) {
            return CompletableFuture.completedFuture(null);
        }
        refreshing = true;
        lastRefresh = System.nanoTime();
        long startedAt = generation;
        CompletableFuture<Integer> gpu = readReplicas(settings.gpuDeployment());
        CompletableFuture<Integer> data = readReplicas(settings.dataDeployment());
        return gpu.thenCombine(data, PoolSizes::new).handle((sizes, failure) -> {
            synchronized (this) {
                refreshing = false;
                if (failure != null) {
                    String reason = ScaleException.reason(failure);
                    if (!reason.equals(readError)) {
                        log.warn("cannot read the worker pool sizes: {}", reason);
                    }
                    readError = reason;
                } else {
                    readError = null;
                    if (generation == startedAt && inFlight == 0) {
                        desired = sizes;
                        known = true;
                    }
                }
            }
            return null;
        });
    }

    private CompletableFuture<Integer> readReplicas(String deployment) {
        String path = "/apis/apps/v1/namespaces/" + settings.namespace() + "/deployments/" + deployment + "/scale";
        return send("GET", path, null).thenApply(response -> {
            if (response.code() == 404) {
                throw new ScaleException("deployment " + deployment + " not found in namespace " + settings.namespace());
            }
            if (!response.ok()) {
                throw refused("get deployments/scale " + deployment, response);
            }
            try {
                Scale scale = Serialization.unmarshal(response.body(), Scale.class);
                Integer replicas = scale.getSpec() == null ? null : scale.getSpec().getReplicas();
                return replicas == null ? 0 : replicas;
            } catch (RuntimeException e) {
                throw new ScaleException("get deployments/scale " + deployment + ": unreadable answer: " + ScaleException.reason(e));
            }
        });
    }

    private record Response(int code, String body) {
        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    private CompletableFuture<Response> send(String method, String path, String body) {
        HttpRequest.Builder request = http.newHttpRequestBuilder().uri(apiBase + path)
                .timeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (body != null) {
            request.method(method, MERGE_PATCH, body);
        }
        CompletableFuture<Response> response;
        try {
            response = http.sendAsync(request.build(), String.class).thenApply(r -> new Response(r.code(), r.body()));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                failure instanceof ScaleException ? failure
                        : new ScaleException("cannot reach the Kubernetes API at " + apiBase + " (" + method + " " + path + "): "
                        + ScaleException.reason(failure))));
    }

    /** {@code what}: refused with 403 (RBAC) or failed otherwise, with the API server's own message. */
    private ScaleException refused(String what, Response response) {
        String message = statusMessage(response.body());
        if (response.code() == 403) {
            return new ScaleException("the Kubernetes API refused to " + what + " (403 Forbidden"
                    + (message.isEmpty() ? "" : ": " + message) + "): the pod's Role must allow it, see k8s/base/rbac.yaml");
        }
        return new ScaleException(what + " failed: HTTP " + response.code() + (message.isEmpty() ? "" : ": " + message));
    }

    /** The {@code message} of a Kubernetes {@code Status} body, on one line (or the body's first line). */
    static String statusMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String message;
        try {
            Status status = Serialization.unmarshal(body, Status.class);
            message = status.getMessage() != null ? status.getMessage() : body;
        } catch (RuntimeException e) {
            message = body;
        }
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    @Override
    public String toString() {
        return "KubernetesScaler[" + settings.namespace() + ": " + settings.gpuDeployment() + ", " + settings.dataDeployment()
                + (settings.dataHpa().isEmpty() ? "" : " (HPA " + settings.dataHpa() + ")") + "]";
    }
}
