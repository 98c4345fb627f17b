package tandem.coordinator.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tandem.coordinator.control.Scaler;
import tandem.coordinator.control.Scaler.PoolSizes;
import tandem.coordinator.control.Scaler.ScaleException;

/** {@link KubernetesScaler} against fabric8's mock API server in CRUD mode (plus expectations for failures). */
@EnableKubernetesMockClient(crud = true)
class KubernetesScalerTest {
    static final String NS = "tandem-test";

    // One server for the class (CRUD store and expectations reset before each test): a server per test costs ~1 s.
    static KubernetesMockServer server;
    static KubernetesClient client;

    final KubernetesScaler.Settings settings = KubernetesScaler.Settings.fromConfig(
            ConfigFactory.parseString("tandem.kubernetes { namespace = " + NS + ", refresh-interval = 1h, request-timeout = 5s }"),
            "unused");

    @BeforeEach
    void cluster() throws InterruptedException {
        server.reset();
        client.apps().deployments().inNamespace(NS).resource(deployment("tandem-gpu-worker", 1)).create();
        client.apps().deployments().inNamespace(NS).resource(deployment("tandem-data-worker", 1)).create();
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("tandem-data-worker").endMetadata()
                .withNewSpec().withMinReplicas(1).withMaxReplicas(4)
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("tandem-data-worker").endScaleTargetRef()
                .endSpec().build()).create();
        drainRequests();
    }

    @Test
    void settingsComeFromConfigWithDefaults() {
        assertEquals(NS, settings.namespace());
        assertEquals("tandem-gpu-worker", settings.gpuDeployment());
        assertEquals("tandem-data-worker", settings.dataDeployment());
        assertEquals("tandem-data-worker", settings.dataHpa());
        var fallback = KubernetesScaler.Settings.fromConfig(ConfigFactory.empty(), "pod-ns");
        assertEquals("pod-ns", fallback.namespace());
        assertEquals(Duration.ofSeconds(10), fallback.requestTimeout());
    }

    @Test
    void readsTheCurrentSizesThenScalesUpAndDown() throws Exception {
        client.apps().deployments().inNamespace(NS).withName("tandem-gpu-worker").scale(2);
        KubernetesScaler scaler = ready();
        assertEquals(new PoolSizes(2, 1), scaler.desired());

        assertEquals(new PoolSizes(4, 1), await(scaler.scale(4, 1)));
        assertEquals(4, replicas("tandem-gpu-worker"));
        assertEquals(1, replicas("tandem-data-worker"));
        assertEquals(List.of(1, 4), hpaBounds(), "a request that leaves the data pool alone never touches its HPA");
        assertEquals(new PoolSizes(4, 1), scaler.desired());

        assertEquals(new PoolSizes(1, 3), await(scaler.scale(1, 3)));
        assertEquals(1, replicas("tandem-gpu-worker"));
        assertEquals(3, replicas("tandem-data-worker"));
        assertEquals(List.of(3, 3), hpaBounds(), "a data pool size pins the HPA");

        assertEquals(new PoolSizes(0, 0), await(scaler.scale(0, 0)));
        assertEquals(0, replicas("tandem-gpu-worker"));
        assertEquals(0, replicas("tandem-data-worker"));
        assertEquals(List.of(3, 3), hpaBounds(), "an HPA cannot hold 0: only the deployment goes to 0");
    }

    @Test
    void theApiCallsMadeAreExactlyTheDeclaredOnes() throws Exception {
        KubernetesScaler scaler = ready();
        await(scaler.scale(3, 1));
        await(scaler.scale(3, 2));
        await(scaler.scale(1, 0));
        Set<String> made = new HashSet<>();
        for (RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS); request != null;
             request = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
            made.add(call(request));
        }
        Set<String> declared = new HashSet<>();
        for (ApiCall call : KubernetesScaler.apiCalls(settings)) {
            call.resourceNames().forEach(name -> declared.add(call.verb() + " " + call.group() + " " + call.resource() + " " + name));
        }
        assertEquals(declared, made, "requests made vs KubernetesScaler.apiCalls (what the Role allows)");
    }

    @Test
    void withoutAnHpaTheDeploymentAloneIsPatched() throws Exception {
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("tandem-data-worker").delete();
        KubernetesScaler scaler = ready();
        assertEquals(new PoolSizes(1, 5), await(scaler.scale(1, 5)));
        assertEquals(5, replicas("tandem-data-worker"));
    }

    @Test
    void aForbiddenPatchIsAClearOneLineErrorAndScalingGoesOn() throws Exception {
        KubernetesScaler scaler = ready();
        server.expect().patch().withPath(scalePath("tandem-gpu-worker")).andReturn(403, new StatusBuilder()
                .withStatus("Failure").withReason("Forbidden").withCode(403)
                .withMessage("deployments.apps \"tandem-gpu-worker\" is forbidden: User \"system:serviceaccount:tandem-test:tandem\""
                        + " cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"tandem-test\"")
                .build()).once();
        String message = failure(scaler.scale(5, 1));
        assertTrue(message.startsWith("the Kubernetes API refused to patch deployments/scale tandem-gpu-worker (403 Forbidden: "), message);
        assertTrue(message.contains("cannot patch resource \"deployments/scale\""), message);
        assertEquals(1, message.lines().count(), message);
        assertEquals(1, replicas("tandem-gpu-worker"));

        // The failure is not sticky: the next call works, and desired() comes back to what the API says.
        assertEquals(new PoolSizes(2, 1), await(scaler.scale(2, 1)));
        assertEquals(2, replicas("tandem-gpu-worker"));
    }

    @Test
    void aForbiddenHpaPatchSaysTheGpuPoolWasScaled() throws Exception {
        KubernetesScaler scaler = ready();
        server.expect().patch().withPath("/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers/tandem-data-worker")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("horizontalpodautoscalers.autoscaling \"tandem-data-worker\" is forbidden").build()).once();
        String message = failure(scaler.scale(3, 2));
        assertTrue(message.startsWith("GPU pool scaled to 3, data pool not: the Kubernetes API refused to patch horizontalpodautoscalers"),
                message);
        assertEquals(3, replicas("tandem-gpu-worker"));
        assertEquals(1, replicas("tandem-data-worker"));
    }

    @Test
    void aMissingDeploymentIsNamed() throws Exception {
        KubernetesScaler scaler = ready();
        client.apps().deployments().inNamespace(NS).withName("tandem-gpu-worker").delete();
        assertEquals("deployment tandem-gpu-worker not found in namespace " + NS, failure(scaler.scale(2, 1)));
    }

    @Test
    void aServerErrorCarriesTheApiMessage() throws Exception {
        // fabric8 retries a 5xx (KubernetesScaler.create allows 2 retries): this client does not retry at all.
        try (KubernetesClient noRetries = server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig())) {
            KubernetesScaler scaler = ready(noRetries);
            server.expect().patch().withPath(scalePath("tandem-data-worker")).andReturn(500, new StatusBuilder()
                    .withStatus("Failure").withCode(500).withMessage("etcdserver: request timed out").build()).once();
            assertEquals("GPU pool scaled to 2, data pool not: patch deployments/scale tandem-data-worker failed: HTTP 500: "
                    + "etcdserver: request timed out", failure(scaler.scale(2, 2)));
        }
    }

    @Test
    void anUnreachableApiServerIsAClearErrorNotAHang() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (KubernetesClient nowhere = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port).withNamespace(NS).withRequestRetryBackoffLimit(0).build()).build()) {
            KubernetesScaler scaler = new KubernetesScaler(nowhere, settings);
            String first = failure(scaler.scale(1, 1));
            assertTrue(first.startsWith("the pool sizes were not read from the Kubernetes API yet"), first);
            // The read failure is reported once known.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String message = first;
            while (!message.contains("cannot reach the Kubernetes API") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                message = failure(scaler.scale(1, 1));
            }
            assertTrue(message.contains("cannot reach the Kubernetes API at http://127.0.0.1:" + port), message);
            assertEquals(1, message.lines().count(), message);
            assertFalse(scaler.known());
        }
    }

    @Test
    void callsApplyInOrderSoTheLastWins() throws Exception {
        KubernetesScaler scaler = ready();
        var first = scaler.scale(5, 1);
        var second = scaler.scale(2, 1);
        var third = scaler.scale(3, 1);
        await(first);
        await(second);
        assertEquals(new PoolSizes(3, 1), await(third));
        assertEquals(3, replicas("tandem-gpu-worker"));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private KubernetesScaler ready() throws InterruptedException {
        return ready(client);
    }

    private KubernetesScaler ready(KubernetesClient through) throws InterruptedException {
        KubernetesScaler scaler = new KubernetesScaler(through, settings);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!scaler.known()) {
            if (System.nanoTime() > deadline) {
                fail("the scaler never read the pool sizes");
            }
            Thread.sleep(20);
        }
        return scaler;
    }

    private static Deployment deployment(String name, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app.kubernetes.io/component", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/component", name).endMetadata()
                .withNewSpec().addNewContainer().withName("tandem").withImage("tandem:test").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private int replicas(String deployment) {
        return client.apps().deployments().inNamespace(NS).withName(deployment).get().getSpec().getReplicas();
    }

    private List<Integer> hpaBounds() {
        HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS)
                .withName("tandem-data-worker").get();
        return List.of(hpa.getSpec().getMinReplicas(), hpa.getSpec().getMaxReplicas());
    }

    private static String scalePath(String deployment) {
        return "/apis/apps/v1/namespaces/" + NS + "/deployments/" + deployment + "/scale";
    }

    private static final Pattern PATH = Pattern.compile(
            "/apis/(?<group>[^/]+)/[^/]+/namespaces/" + NS + "/(?<resource>[^/]+)/(?<name>[^/?]+)(?<sub>/[^/?]+)?(\\?.*)?");

    /** "verb group resource[/sub] name" of a request the scaler made. */
    private static String call(RecordedRequest request) {
        Matcher m = PATH.matcher(request.getPath());
        assertTrue(m.matches(), "unexpected request " + request.getMethod() + " " + request.getPath());
        String verb = switch (request.getMethod()) {
            case "GET" -> "get";
            case "PATCH" -> "patch";
            default -> throw new AssertionError("unexpected method " + request.getMethod() + " " + request.getPath());
        };
        if (verb.equals("patch")) {
            assertEquals(KubernetesScaler.MERGE_PATCH, request.getHeader("Content-Type").replaceAll(";.*", ""));
        }
        return verb + " " + m.group("group") + " " + m.group("resource") + (m.group("sub") == null ? "" : m.group("sub"))
                + " " + m.group("name");
    }

    private static void drainRequests() throws InterruptedException {
        while (server.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
            // the test's own setup calls
        }
    }

    private static PoolSizes await(CompletionStage<PoolSizes> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The one-line reason {@code stage} failed with (a ScaleException, as the control API prints it). */
    private static String failure(CompletionStage<PoolSizes> stage) throws Exception {
        try {
            PoolSizes sizes = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + sizes);
        } catch (ExecutionException e) {
            assertInstanceOf(ScaleException.class, e.getCause(), () -> "not a ScaleException: " + e.getCause());
            return Scaler.ScaleException.reason(e);
        }
    }
}
