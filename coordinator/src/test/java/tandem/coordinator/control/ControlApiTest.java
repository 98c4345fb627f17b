package tandem.coordinator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tandem.coordinator.Coordinator;
import tandem.protocol.CoordinatorProtocol;
import tandem.proto.ControlReply;
import tandem.proto.ExperimentView;
import tandem.proto.Status;

/**
 * The HTTP control API in front of a real coordinator (one cluster node, no workers, every message
 * serialized): auth, bad input, scaling through a recording scaler, metrics, a coordinator that does not
 * answer. No training happens here; the app module's tests train through the API.
 */
class ControlApiTest {
    private static final String TOKEN = "s3cret-token";
    private static final String SPEC = """
            {"name": "api-test", "gpuBudget": {"maxSteps": 10}, "dataBudget": {"corpus": "synthetic"}}""";

    private static ActorSystem<Void> system;
    private static ActorRef<CoordinatorProtocol.Command> coordinator;
    private static RecordingScaler scaler;
    private static ServerBinding api;
    private static String base;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Remembers what it was asked; works towards it at once. */
    static final class RecordingScaler implements Scaler {
        final List<PoolSizes> asked = new ArrayList<>();
        volatile PoolSizes desired = new PoolSizes(2, 1);

        @Override
        public synchronized CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers) {
            desired = new PoolSizes(gpuWorkers, dataWorkers);
            asked.add(desired);
            return CompletableFuture.completedFuture(desired);
        }

        @Override
        public PoolSizes desired() {
            return desired;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "tandem", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.actor.serialize-messages = on
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.roles = [coordinator]
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.loglevel = WARNING
                pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = 2
                """).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        coordinator = system.systemActorOf(Coordinator.create(null, NodeMetrics.get().run()), "coordinator", Props.empty());
        scaler = new RecordingScaler();
        api = ControlApi.start(system, coordinator, settings().withToken(TOKEN), scaler, NodeMetrics.get().registry())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + api.localAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static ApiSettings settings() {
        return new ApiSettings("127.0.0.1", 0, Optional.empty(), false, 1024 * 1024, 64, Duration.ofSeconds(5), Duration.ZERO);
    }

    // ---- auth ---------------------------------------------------------------------------------------

    @Test
    void mutatingCallsNeedTheToken() throws Exception {
        HttpResponse<String> none = send("POST", "/api/v1/checkpoints", null, null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), none.headers().toString());
        assertTrue(none.body().contains("\"error\""), none.body());

        assertEquals(401, send("POST", "/api/v1/checkpoints", null, "Basic dXNlcjpwYXNz").statusCode());
        HttpResponse<String> wrong = send("POST", "/api/v1/checkpoints", null, "Bearer not-" + TOKEN);
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertEquals(403, send("POST", "/api/v1/checkpoints", null, "Bearer " + TOKEN + "x").statusCode());
        assertEquals(401, send("PUT", "/api/v1/pools", "{\"gpuWorkers\": 3}", null).statusCode());
        assertEquals(403, send("POST", "/api/v1/workers/gpu-1:drain", null, "Bearer nope").statusCode());
        assertEquals(401, send("POST", "/api/v1/experiments", SPEC, null).statusCode());

        // The right token: the call goes through (no experiment runs, so checkpointing is a conflict).
        HttpResponse<String> right = send("POST", "/api/v1/checkpoints", null, "Bearer " + TOKEN);
        assertEquals(409, right.statusCode(), right.body());
        assertTrue(right.body().contains("experiment"), right.body());
        // Reads need no token by default.
        assertEquals(200, get("/api/v1/status").statusCode());
        assertEquals(200, get("/api/v1/experiments").statusCode());
    }

    @Test
    void readsNeedTheTokenWhenConfigured() throws Exception {
        ServerBinding strict = ControlApi.start(system, coordinator, settings().withToken(TOKEN).withAuthReads(true), scaler,
                NodeMetrics.get().registry()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + strict.localAddress().getPort();
            assertEquals(401, send(at, "GET", "/api/v1/status", null, null).statusCode());
            assertEquals(401, send(at, "GET", "/metrics", null, null).statusCode());
            assertEquals(403, send(at, "GET", "/api/v1/experiments", null, "Bearer wrong").statusCode());
            assertEquals(200, send(at, "GET", "/api/v1/status", null, "Bearer " + TOKEN).statusCode());
        } finally {
            strict.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusesToBindANonLoopbackAddressWithoutAToken() throws Exception {
        CompletableFuture<ServerBinding> refused = ControlApi.start(system, coordinator, settings().withHost("0.0.0.0"), scaler,
                NodeMetrics.get().registry()).toCompletableFuture();
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, refused::join);
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("will not listen on 0.0.0.0 without a token"), e.getCause().getMessage());
        assertEquals(1, e.getCause().getMessage().lines().count());
        // With a token it binds.
        ServerBinding open = ControlApi.start(system, coordinator, settings().withHost("0.0.0.0").withToken(TOKEN), scaler,
                NodeMetrics.get().registry()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        open.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Loopback without a token is fine (local development).
        settings().checkBindable();
        settings().withHost("localhost").checkBindable();
    }

    // ---- bad input ----------------------------------------------------------------------------------

    @Test
    void badSpecsAre400NamingTheField() throws Exception {
        HttpResponse<String> malformed = post("/api/v1/experiments", "{\"name\": ");
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertTrue(malformed.body().startsWith("{\"error\": \"spec: malformed JSON: "), malformed.body());
        assertFalse(malformed.body().contains("Exception"), "no Java class names: " + malformed.body());

        HttpResponse<String> unknown = post("/api/v1/experiments", "{\"gpuBudget\": {\"maxSteps\": 5, \"turbo\": true}}");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("turbo"), unknown.body());

        HttpResponse<String> invalid = post("/api/v1/experiments", "{\"batch\": {\"globalBatch\": 32, \"shards\": 3}}");
        assertEquals(400, invalid.statusCode());
        assertTrue(invalid.body().contains("batch.shards"), invalid.body());

        HttpResponse<String> negative = post("/api/v1/experiments", "{\"gpuBudget\": {\"maxSteps\": -5}}");
        assertEquals(400, negative.statusCode());
        assertTrue(negative.body().contains("gpu_budget.max_steps"), negative.body());

        assertEquals(400, post("/api/v1/experiments", "").statusCode());
        assertEquals(400, post("/api/v1/experiments", "null").statusCode());
        assertEquals(400, post("/api/v1/experiments", "\"just a string\"").statusCode());
        assertEquals(400, post("/api/v1/experiments", "[1, 2]").statusCode());
        assertEquals(400, post("/api/v1/experiments", "{\"seed\": \"seven\"}").statusCode());
        HttpResponse<String> deep = post("/api/v1/experiments", "[".repeat(200_000));
        assertEquals(400, deep.statusCode(), deep.body());
        assertTrue(deep.body().contains("nested"), deep.body());
    }

    @Test
    void unknownThingsAre404() throws Exception {
        HttpResponse<String> experiment = get("/api/v1/experiments/no-such-run");
        assertEquals(404, experiment.statusCode());
        assertTrue(experiment.body().contains("no experiment 'no-such-run'"), experiment.body());
        assertEquals(404, post("/api/v1/experiments/no-such-run:pause", "").statusCode());
        assertEquals(404, post("/api/v1/experiments/no-such-run:resume", "").statusCode());
        assertEquals(404, post("/api/v1/experiments/no-such-run:cancel", "").statusCode());
        assertEquals(404, post("/api/v1/experiments/no-such-run:explode", "").statusCode());
        HttpResponse<String> worker = post("/api/v1/workers/gpu-99:drain", "");
        assertEquals(404, worker.statusCode());
        assertTrue(worker.body().contains("no worker 'gpu-99'"), worker.body());
        assertEquals(404, post("/api/v1/workers/gpu-99", "").statusCode());
        HttpResponse<String> path = get("/api/v1/nothing-here");
        assertEquals(404, path.statusCode());
        assertTrue(path.body().contains("\"error\""), path.body());
        HttpResponse<String> method = send("DELETE", "/api/v1/status", null, "Bearer " + TOKEN);
        assertEquals(405, method.statusCode());
        assertTrue(method.body().contains("\"error\""), method.body());
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        String huge = "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        HttpResponse<String> tooLarge = post("/api/v1/experiments", huge);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(tooLarge.body().contains("\"error\""), tooLarge.body());
        assertEquals(413, send("PUT", "/api/v1/pools", huge, "Bearer " + TOKEN).statusCode());
        // The API still answers.
        assertEquals(200, get("/api/v1/status").statusCode());
    }

    @Test
    void poolSizesAreChecked() throws Exception {
        int before = scaler.asked.size();
        assertPools400("{\"gpuWorkers\": -1}", "pools.gpuWorkers");
        assertPools400("{\"gpuWorkers\": 65}", "between 0 and 64");
        assertPools400("{\"dataWorkers\": 1000000}", "pools.dataWorkers");
        assertPools400("{\"gpuWorkers\": 2, \"cpuWorkers\": 1}", "cpuWorkers");
        assertPools400("{\"gpuWorkers\": \"three\"}", "pools");
        assertPools400("{}", "gpuWorkers");
        assertPools400("{\"gpuWorkers\": ", "pools: malformed JSON: ");
        assertPools400("{\"gpuWorkers\": 99999999999}", "pools");
        assertEquals(before, scaler.asked.size(), "no bad request reached the scaler");
    }

    private void assertPools400(String body, String named) throws Exception {
        HttpResponse<String> response = send("PUT", "/api/v1/pools", body, "Bearer " + TOKEN);
        assertEquals(400, response.statusCode(), body + " -> " + response.body());
        assertTrue(response.body().contains(named), response.body());
    }

    // ---- what works ---------------------------------------------------------------------------------

    @Test
    void scalesThroughTheScaler() throws Exception {
        HttpResponse<String> both = send("PUT", "/api/v1/pools", "{\"gpuWorkers\": 3, \"dataWorkers\": 2}", "Bearer " + TOKEN);
        assertEquals(202, both.statusCode(), both.body());
        ControlReply reply = parseReply(both.body());
        assertEquals(3, reply.getPools().getGpuWorkers());
        assertEquals(2, reply.getPools().getDataWorkers());
        HttpResponse<String> gpuOnly = send("PUT", "/api/v1/pools", "{\"gpuWorkers\": 0}", "Bearer " + TOKEN);
        assertEquals(202, gpuOnly.statusCode(), gpuOnly.body());
        assertEquals(new Scaler.PoolSizes(0, 2), scaler.desired(), "a field left out keeps its pool");
        assertTrue(get("/api/v1/pools").body().contains("\"dataWorkers\": 2"));
        Status status = parseStatus(get("/api/v1/status").body());
        assertEquals(0, status.getDesiredPools().getGpuWorkers());
        assertEquals(2, status.getDesiredPools().getDataWorkers());
    }

    @Test
    void theNodesSpecCheckAndTheQueueBound() throws Exception {
        ActorRef<CoordinatorProtocol.Command> other = system.systemActorOf(Coordinator.create(null, NodeMetrics.get().run()),
                "coordinator-queue", Props.empty());
        SpecCheck noBigModels = spec -> spec.getModel().getDModel() > 64 ? Optional.of("model: too large for this test") : Optional.empty();
        ServerBinding checked = ControlApi.start(system, other, settings(), scaler, NodeMetrics.get().registry(), noBigModels)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + checked.localAddress().getPort();
            HttpResponse<String> big = send(at, "POST", "/api/v1/experiments", "{\"model\": {\"dModel\": 128}}", null);
            assertEquals(400, big.statusCode(), big.body());
            assertTrue(big.body().contains("model: too large for this test"), big.body());
            int accepted = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < ControlApi.MAX_QUEUED + 3; i++) {
                last = send(at, "POST", "/api/v1/experiments", SPEC, null);
                if (last.statusCode() == 202) {
                    accepted++;
                } else {
                    break;
                }
            }
            assertEquals(429, last.statusCode(), last.body());
            assertEquals(ControlApi.MAX_QUEUED + 1, accepted, "one running, " + ControlApi.MAX_QUEUED + " queued");
        } finally {
            checked.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAScalerScalingIs501() throws Exception {
        ServerBinding plain = ControlApi.start(system, coordinator, settings(), Scaler.none(), NodeMetrics.get().registry())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + plain.localAddress().getPort();
            HttpResponse<String> response = send(at, "PUT", "/api/v1/pools", "{\"gpuWorkers\": 3}", null);
            assertEquals(501, response.statusCode(), response.body());
            assertTrue(response.body().contains("no scaler"), response.body());
        } finally {
            plain.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void submitListGetCancel() throws Exception {
        HttpResponse<String> submitted = send("POST", "/api/v1/experiments", SPEC, "Bearer " + TOKEN);
        assertEquals(202, submitted.statusCode(), submitted.body());
        ExperimentView.Builder view = ExperimentView.newBuilder();
        JsonFormat.parser().merge(submitted.body(), view);
        String id = view.getId();
        assertTrue(id.startsWith("api-test-"), id);
        assertEquals("queued", view.getState());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ExperimentView.Builder got;
        do {
            HttpResponse<String> one = get("/api/v1/experiments/" + id);
            assertEquals(200, one.statusCode(), one.body());
            got = ExperimentView.newBuilder();
            JsonFormat.parser().merge(one.body(), got);
        } while (!got.getState().equals("running") && System.nanoTime() < deadline);
        assertEquals("running", got.getState(), "no GPU workers: it waits, running");
        assertEquals(10, got.getSpec().getGpuBudget().getMaxSteps());
        assertTrue(get("/api/v1/experiments").body().contains(id));
        Status status = parseStatus(get("/api/v1/status").body());
        assertEquals(id, status.getCurrent().getId());
        assertTrue(status.getCurrent().getProgress().getState().startsWith("waiting"), status.getCurrent().getProgress().getState());

        assertEquals(200, send("POST", "/api/v1/experiments/" + id + ":pause", null, "Bearer " + TOKEN).statusCode());
        assertEquals("paused", parseStatus(get("/api/v1/status").body()).getCurrent().getState(), "status after pause shows it");
        assertEquals(200, send("POST", "/api/v1/experiments/" + id + ":resume", null, "Bearer " + TOKEN).statusCode());
        HttpResponse<String> cancelled = send("POST", "/api/v1/experiments/" + id + ":cancel", null, "Bearer " + TOKEN);
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertTrue(get("/api/v1/experiments/" + id).body().contains("\"cancelled\""));
        assertEquals(409, send("POST", "/api/v1/experiments/" + id + ":pause", null, "Bearer " + TOKEN).statusCode(),
                "a finished experiment cannot be paused");
    }

    @Test
    void statusShowsTheMembers() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Status status;
        do {
            HttpResponse<String> response = get("/api/v1/status");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            status = parseStatus(response.body());
        } while (status.getMembersByRoleOrDefault("coordinator", 0) != 1 && System.nanoTime() < deadline);
        assertEquals(1, status.getMembersByRoleOrDefault("coordinator", 0), status.toString());
        assertEquals(1, status.getMembersCount());
        assertEquals("Up", status.getMembers(0).getStatus());
        assertTrue(status.getCoordinator().startsWith("pekko://tandem@127.0.0.1:"), status.getCoordinator());
    }

    @Test
    void metricsInPrometheusTextFormat() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), metrics.headers().toString());
        assertTrue(metrics.body().contains("# TYPE tandem_step gauge"), metrics.body());
        assertTrue(metrics.body().contains("tandem_pool_workers"), metrics.body());
        assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics too");
    }

    @Test
    void aCoordinatorThatDoesNotAnswerIs503AndTheApiStaysUp() throws Exception {
        ActorRef<CoordinatorProtocol.Command> silent = system.systemActorOf(Behaviors.ignore(), "silent", Props.empty());
        ServerBinding slow = ControlApi.start(system, silent, new ApiSettings("127.0.0.1", 0, Optional.empty(), false, 1024, 64,
                Duration.ofMillis(300), Duration.ZERO), scaler, NodeMetrics.get().registry()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + slow.localAddress().getPort();
            HttpResponse<String> response = send(at, "GET", "/api/v1/status", null, null);
            assertEquals(503, response.statusCode(), response.body());
            assertTrue(response.body().contains("did not answer within 300 ms"), response.body());
            assertEquals(503, send(at, "GET", "/api/v1/experiments", null, null).statusCode());
            assertEquals(200, send(at, "GET", "/metrics", null, null).statusCode());
        } finally {
            slow.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void statusAnswersAreReusedForTheirMaxAgeAndAMutationMakesTheNextFresh() throws Exception {
        // A coordinator that numbers its status answers (in Status.coordinator) and answers any other request with 200.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        ActorRef<CoordinatorProtocol.Command> counting = system.systemActorOf(Behaviors.receiveMessage(command -> {
            if (command instanceof CoordinatorProtocol.Control control) {
                ControlReply.Builder reply = ControlReply.newBuilder().setCode(200);
                if (control.body().hasStatus()) {
                    reply.setStatus(Status.newBuilder().setCoordinator("answer-" + asked.incrementAndGet()));
                }
                control.replyTo().tell(new CoordinatorProtocol.Replied(reply.build()));
            }
            return Behaviors.same();
        }), "counting", Props.empty());
        ApiSettings cached = new ApiSettings("127.0.0.1", 0, Optional.empty(), false, 1024, 64, Duration.ofSeconds(5), Duration.ofMinutes(10));
        ServerBinding binding = ControlApi.start(system, counting, cached, scaler, NodeMetrics.get().registry())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + binding.localAddress().getPort();
            for (int i = 0; i < 20; i++) {
                assertEquals("answer-1", parseStatus(send(at, "GET", "/api/v1/status", null, null).body()).getCoordinator());
            }
            assertEquals(1, asked.get(), "twenty requests within the max age, one question to the coordinator");
            assertEquals(202, send(at, "PUT", "/api/v1/pools", "{\"gpuWorkers\": 4}", null).statusCode());
            Status fresh = parseStatus(send(at, "GET", "/api/v1/status", null, null).body());
            assertEquals("answer-2", fresh.getCoordinator(), "a completed mutation makes the next status fresh");
            assertEquals(4, fresh.getDesiredPools().getGpuWorkers());
        } finally {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // With no max age every request asks.
        ServerBinding uncached = ControlApi.start(system, counting, settings(), scaler, NodeMetrics.get().registry())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String at = "http://127.0.0.1:" + uncached.localAddress().getPort();
            int before = asked.get();
            for (int i = 0; i < 5; i++) {
                send(at, "GET", "/api/v1/status", null, null);
            }
            assertEquals(before + 5, asked.get());
        } finally {
            uncached.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void depthCheckIgnoresBracketsInStrings() throws Exception {
        ControlApi.checkDepth("{\"name\": \"" + "[".repeat(100) + "\"}");
        ControlApi.checkDepth("{\"name\": \"\\\"[[[[\"}");
        assertFalse("x".isEmpty());
    }

    @Test
    void errorMessagesAreValidJson() throws Exception {
        String message = "a \"quoted\" back\\slash, 'single', new\nline \u0001";
        com.google.protobuf.Struct.Builder parsed = com.google.protobuf.Struct.newBuilder();
        JsonFormat.parser().merge("{\"error\": " + ControlApi.quote(message) + "}", parsed);
        assertEquals(message, parsed.getFieldsOrThrow("error").getStringValue());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, body, "Bearer " + TOKEN);
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        return send(base, method, path, body, authorization);
    }

    private static HttpResponse<String> send(String at, String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(at + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Status parseStatus(String json) throws Exception {
        Status.Builder status = Status.newBuilder();
        JsonFormat.parser().merge(json, status);
        return status.build();
    }

    private static ControlReply parseReply(String json) throws Exception {
        ControlReply.Builder reply = ControlReply.newBuilder();
        JsonFormat.parser().merge(json, reply);
        return reply.build();
    }
}
