package tandem.app.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;
import tandem.app.node.TandemNode;

/** The Kubernetes bootstrap mode: its switch, its configuration, and the management routes the probes use. */
class KubernetesBootstrapTest {

    @Test
    void theModeComesFromTandemBootstrap() {
        assertFalse(KubernetesBootstrap.enabled(Map.of()));
        assertFalse(KubernetesBootstrap.enabled(Map.of("TANDEM_BOOTSTRAP", " ")));
        assertFalse(KubernetesBootstrap.enabled(Map.of("TANDEM_BOOTSTRAP", "seed-nodes")));
        assertTrue(KubernetesBootstrap.enabled(Map.of("TANDEM_BOOTSTRAP", "kubernetes")));
        var e = assertThrows(IllegalArgumentException.class, () -> KubernetesBootstrap.enabled(Map.of("TANDEM_BOOTSTRAP", "k8s")));
        assertEquals("TANDEM_BOOTSTRAP: unknown bootstrap mode 'k8s' (known: kubernetes, seed-nodes)", e.getMessage());
    }

    @Test
    void kubernetesModeLoadsKubernetesConfUnderTheNodesOwnSettings() {
        Config extra = ConfigFactory.parseMap(Map.of(TandemNode.STATE_DIR, "/var/lib/tandem/state"));
        assertSame(extra, KubernetesBootstrap.config(extra, List.of(), Map.of()));
        Config config = KubernetesBootstrap.config(extra, List.of(), Map.of("TANDEM_BOOTSTRAP", "kubernetes"));
        assertEquals("/var/lib/tandem/state", config.getString(TandemNode.STATE_DIR));
        assertEquals("kubernetes-api", config.getString("pekko.discovery.method"));
        assertEquals("kubernetes-api", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        assertEquals("tandem", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        assertEquals("tandem-gpu-worker", config.getString("tandem.kubernetes.gpu-deployment"));
        // application.conf is in there too.
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider", config.getString("pekko.cluster.downing-provider-class"));
        assertEquals(8080, config.getInt("tandem.api.port"));
    }

    @Test
    void seedNodesAndClusterBootstrapExcludeEachOther() {
        var e = assertThrows(IllegalArgumentException.class, () -> KubernetesBootstrap.config(ConfigFactory.empty(),
                List.of("pekko://tandem@10.0.0.5:17355"), Map.of("TANDEM_BOOTSTRAP", "kubernetes")));
        assertEquals("--seed / TANDEM_SEED_NODES: not with TANDEM_BOOTSTRAP=kubernetes (Cluster Bootstrap finds the other nodes)", e.getMessage());
    }

    /** The routes the manifests probe (/alive, /ready) and the one Cluster Bootstrap probes exist, with kubernetes.conf. */
    @Test
    void managementServesTheProbedRoutes() throws Exception {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", "0",
                        "pekko.management.http.hostname", "127.0.0.1",
                        "pekko.management.http.port", "0",
                        "pekko.cluster.roles", List.of("data"),
                        "pekko.actor.default-dispatcher.fork-join-executor.parallelism-max", "2"))
                .withFallback(KubernetesBootstrap.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tandem", config);
        try {
            URI base = URI.create(PekkoManagement.get(Adapter.toClassic(system)).start().toCompletableFuture()
                    .get(20, TimeUnit.SECONDS).toString());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, get(http, base, "/alive").statusCode());
            assertTrue(get(http, base, "/ready").statusCode() >= 500, "ready before joining the cluster");

            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int ready;
            while ((ready = get(http, base, "/ready").statusCode()) != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(200, ready, "/ready once Up");
            HttpResponse<String> seeds = get(http, base, "/bootstrap/seed-nodes");
            assertEquals(200, seeds.statusCode(), "Cluster Bootstrap's route (what other pods probe)");
            assertTrue(seeds.body().contains(cluster.selfMember().address().toString().replace("pekko://", "")), seeds.body());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI base, String path) throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
