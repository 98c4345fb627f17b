package tandem.coordinator.control;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.coordinator.metrics.RunMetrics;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.CheckpointNow;
import tandem.proto.ClusterMember;
import tandem.proto.ControlReply;
import tandem.proto.ControlRequest;
import tandem.proto.DrainWorker;
import tandem.proto.ExperimentAction;
import tandem.proto.ExperimentList;
import tandem.proto.ExperimentSpec;
import tandem.proto.ExperimentView;
import tandem.proto.GetExperiment;
import tandem.proto.ListExperiments;
import tandem.proto.RunMetricsQuery;
import tandem.proto.ScalePools;
import tandem.proto.Status;
import tandem.proto.StatusQuery;
import tandem.proto.SubmitExperiment;

/**
 * The control plane over HTTP (Pekko HTTP), JSON through protobuf's {@code JsonFormat}:
 *
 * <pre>
 * GET  /api/v1/status                    members by role, workers, the running experiment, last checkpoint
 * GET  /api/v1/experiments               every experiment the coordinator remembers (and the queue)
 * POST /api/v1/experiments               body: an ExperimentSpec; 202 with its id (queued behind a running one)
 * GET  /api/v1/experiments/{id}          spec, progress, summary, loss curve
 * POST /api/v1/experiments/{id}:pause | :resume | :cancel
 * POST /api/v1/checkpoints               checkpoint the running experiment now
 * GET  /api/v1/pools                     the pool sizes the scaler works towards
 * PUT  /api/v1/pools                     {"gpuWorkers": N, "dataWorkers": M}: scale (202)
 * POST /api/v1/workers/{name}:drain      a worker finishes its shard and leaves
 * GET  /metrics                          Prometheus text format
 * </pre>
 *
 * Mutating calls need {@code Authorization: Bearer <token>} when a token is configured (401 without,
 * 403 with a wrong one); reads too if {@code tandem.api.auth-reads}. Errors are {@code {"error": "..."}}
 * with 400 (bad JSON, unknown field, invalid spec or pool size, a model or shard too large for the
 * wire), 404 (unknown experiment, worker or path), 405, 409 (not in that state), 413 (body over the
 * limit), 429 ({@value #MAX_QUEUED} experiments queued), 501 (no scaler), 503 (the coordinator did not
 * answer in time).
 *
 * <p>The routes talk to the coordinator singleton through its proxy with {@link AskPattern#ask}: the HTTP
 * edge (this API, and the app's readiness check) is the only place in tandem that asks. Status requests share
 * the coordinator's answers (at most one query in flight, and answers reused for
 * {@code tandem.api.status-max-age}), so polling clients cannot flood the singleton.
 */
public final class ControlApi extends AllDirectives {
    private static final Logger log = LoggerFactory.getLogger(ControlApi.class);
    /** Resources (status, experiments, pools) print every field, zeros too: scripts find stable keys. */
    private static final JsonFormat.Printer JSON = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    /** Action replies print what is set ({"message": ...}), pool sizes with their zeros. */
    private static final JsonFormat.Printer REPLY_JSON = JsonFormat.printer().includingDefaultValueFields(
            Set.copyOf(tandem.proto.PoolSizes.getDescriptor().getFields()));
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    /** JSON nested deeper than this is refused before parsing (no real spec comes close). */
    static final int MAX_JSON_DEPTH = 32;
    /** Submissions beyond this many waiting experiments get 429: the coordinator's queue stays bounded. */
    static final int MAX_QUEUED = 100;

    private final ActorSystem<?> system;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final ApiSettings settings;
    private final Scaler scaler;
    private final PrometheusRegistry registry;
    private final SpecCheck specCheck;
    /** GET /metrics asks the coordinator for the run metrics (this JVM's are not kept current) and adds this JVM's own. */
    private final boolean runMetricsFromCoordinator;
    private final Optional<byte[]> tokenDigest;

    /** Completed mutating requests: a status answer is shared only by requests that saw no mutation since it was asked. */
    private final AtomicLong mutations = new AtomicLong();
    private final AtomicReference<StatusAnswer> lastStatus = new AtomicReference<>();

    /** A status query (in flight or answered), when it was asked, and the response every request sharing it gets (printed once). */
    private record StatusAnswer(long generation, long askedAtNanos, CompletableFuture<HttpResponse> response) {
        /** Still in flight, or answered 200 less than {@code maxAgeNanos} ago; and no mutation completed since it was asked. */
        boolean servable(long currentGeneration, long now, long maxAgeNanos) {
            if (generation != currentGeneration) {
                return false;
            }
            if (!response.isDone()) {
                return true;
            }
            return now - askedAtNanos < maxAgeNanos && response.getNow(null).status().intValue() == 200;
        }
    }

    public ControlApi(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator, ApiSettings settings,
                      Scaler scaler, PrometheusRegistry registry, SpecCheck specCheck, boolean runMetricsFromCoordinator) {
        this.system = system;
        this.runMetricsFromCoordinator = runMetricsFromCoordinator;
        this.specCheck = specCheck;
        this.coordinator = coordinator;
        this.settings = settings;
        this.scaler = scaler;
        this.registry = registry;
        this.tokenDigest = settings.token().map(ControlApi::sha256);
    }

    /**
     * Binds the API on {@code settings.host():settings.port()}. Refuses (a failed stage with an
     * {@link IllegalArgumentException}) a non-loopback address without a token.
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator,
                                                       ApiSettings settings, Scaler scaler, PrometheusRegistry registry) {
        return start(system, coordinator, settings, scaler, registry, SpecCheck.NONE);
    }

    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator,
                                                       ApiSettings settings, Scaler scaler, PrometheusRegistry registry,
                                                       SpecCheck specCheck) {
        return start(system, coordinator, settings, scaler, registry, specCheck, false);
    }

    /**
     * @param runMetricsFromCoordinator true on a node whose JVM does not host the coordinator (local mode's client
     *                                  node): {@code GET /metrics} then serves the coordinator's run metrics, asked
     *                                  over the cluster, with this JVM's own metrics
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator,
                                                       ApiSettings settings, Scaler scaler, PrometheusRegistry registry,
                                                       SpecCheck specCheck, boolean runMetricsFromCoordinator) {
        try {
            settings.checkBindable();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        ControlApi api = new ControlApi(system, coordinator, settings, scaler, registry, specCheck, runMetricsFromCoordinator);
        ServerSettings server = ServerSettings.create(Adapter.toClassic(system));
        server = server.withParserSettings(server.getParserSettings().withMaxContentLength(settings.maxBodyBytes()));
        return Http.get(system).newServerAt(settings.host(), settings.port()).withSettings(server).bind(api.route());
    }

    // ---- routes -------------------------------------------------------------------------------------

    public Route route() {
        return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
                withSizeLimit(settings.maxBodyBytes(), () -> concat(
                        pathPrefix("api", () -> pathPrefix("v1", () -> concat(
                                path("status", () -> get(() -> read(this::status))),
                                path("experiments", () -> concat(
                                        get(() -> read(this::listExperiments)),
                                        post(() -> mutate(() -> body(this::submit))))),
                                path(segment("experiments").slash(segment()), this::experiment),
                                path("checkpoints", () -> post(() -> mutate(this::checkpoint))),
                                path("pools", () -> concat(
                                        get(() -> read(this::pools)),
                                        put(() -> mutate(() -> body(this::scale))))),
                                path(segment("workers").slash(segment()), this::worker)))),
                        path("metrics", () -> get(() -> read(this::metrics)))))));
    }

    private Route status() {
        return completeWithFuture(sharedStatus());
    }

    private Route listExperiments() {
        return answer(ControlRequest.newBuilder().setList(ListExperiments.getDefaultInstance()).build(), reply -> {
            // The list is an overview: loss curves stay with GET experiments/{id}.
            ControlReply.Builder list = ControlReply.newBuilder();
            reply.getExperimentsList().forEach(v -> list.addExperiments(overview(v)));
            return listOnly(list.build());
        });
    }

    private Route submit(String body) {
        ExperimentSpec spec;
        try {
            checkDepth(body);
            spec = Specs.fromJson(body, "spec");
            Optional<String> problem = specCheck.problem(Specs.validate(Specs.withDefaults(spec)));
            if (problem.isPresent()) {
                return complete(error(400, problem.get()));
            }
        } catch (SpecException e) {
            return complete(error(400, e.getMessage()));
        } catch (StackOverflowError e) {
            return complete(error(400, "spec: JSON nested too deeply"));
        } catch (RuntimeException e) {
            return complete(error(400, "spec: " + firstLine(e)));
        }
        ControlRequest submit = ControlRequest.newBuilder().setSubmit(SubmitExperiment.newBuilder().setSpec(spec)).build();
        return completeWithFuture(ask(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build())
                .thenCompose(status -> status.getStatus().getQueuedCount() >= MAX_QUEUED
                        ? CompletableFuture.completedFuture(ControlReply.newBuilder().setCode(429)
                                .setError(MAX_QUEUED + " experiments are queued already: cancel some, or wait").build())
                        : ask(submit))
                .handle((reply, failure) -> {
                    mutations.incrementAndGet();
                    return failure != null ? unanswered(failure)
                            : reply.getCode() >= 200 && reply.getCode() < 300 ? json(reply.getCode(), reply.getExperiment()) : replyError(reply);
                }));
    }

    /** {@code experiments/{id}} (GET) or {@code experiments/{id}:pause|:resume|:cancel} (POST). */
    private Route experiment(String segment) {
        int colon = segment.lastIndexOf(':');
        if (colon < 0) {
            return get(() -> read(() -> answer(ControlRequest.newBuilder()
                    .setGet(GetExperiment.newBuilder().setExperimentId(segment)).build(), ControlReply::getExperiment)));
        }
        String id = segment.substring(0, colon);
        String action = segment.substring(colon + 1);
        ExperimentAction.Kind kind = switch (action) {
            case "pause" -> ExperimentAction.Kind.PAUSE;
            case "resume" -> ExperimentAction.Kind.RESUME;
            case "cancel" -> ExperimentAction.Kind.CANCEL;
            default -> null;
        };
        if (kind == null) {
            return complete(error(404, "experiments/" + segment + ": unknown action ':" + action + "' (known: :pause, :resume, :cancel)"));
        }
        return post(() -> mutate(() -> answer(ControlRequest.newBuilder()
                .setExperiment(ExperimentAction.newBuilder().setExperimentId(id).setKind(kind)).build(), r -> r)));
    }

    private Route checkpoint() {
        return answer(ControlRequest.newBuilder().setCheckpoint(CheckpointNow.getDefaultInstance()).build(), r -> r);
    }

    /** {@code workers/{name}:drain} (POST). */
    private Route worker(String segment) {
        if (!segment.endsWith(":drain") || segment.length() == ":drain".length()) {
            return complete(error(404, "workers/" + segment + ": unknown path (known: POST workers/{name}:drain)"));
        }
        String name = segment.substring(0, segment.length() - ":drain".length());
        return post(() -> mutate(() -> answer(ControlRequest.newBuilder()
                .setDrain(DrainWorker.newBuilder().setWorker(name)).build(), r -> r)));
    }

    private Route pools() {
        if (!scaler.supported()) {
            return complete(error(501, "this node has no scaler: start workers by hand, or run on Kubernetes"));
        }
        return complete(json(200, scaler.desired().toProto()));
    }

    private Route scale(String body) {
        ScalePools.Builder request = ScalePools.newBuilder();
        try {
            checkDepth(body);
            PARSER.merge(body, request);
        } catch (InvalidProtocolBufferException | RuntimeException | SpecException e) {
            return complete(error(400, "pools: " + Specs.jsonProblem(e)));
        } catch (StackOverflowError e) {
            return complete(error(400, "pools: JSON nested too deeply"));
        }
        if (!request.hasGpuWorkers() && !request.hasDataWorkers()) {
            return complete(error(400, "pools: give gpuWorkers and/or dataWorkers, e.g. {\"gpuWorkers\": 3}"));
        }
        for (var field : List.of(Map.entry("gpuWorkers", request.hasGpuWorkers() ? request.getGpuWorkers() : 0),
                Map.entry("dataWorkers", request.hasDataWorkers() ? request.getDataWorkers() : 0))) {
            if (field.getValue() < 0 || field.getValue() > settings.maxPoolSize()) {
                return complete(error(400, "pools." + field.getKey() + ": must be between 0 and " + settings.maxPoolSize()
                        + " (tandem.api.max-pool-size), got " + field.getValue()));
            }
        }
        if (!scaler.supported()) {
            return complete(error(501, "this node has no scaler: start workers by hand, or run on Kubernetes"));
        }
        Scaler.PoolSizes current = scaler.desired();
        int gpu = request.hasGpuWorkers() ? request.getGpuWorkers() : current.gpuWorkers();
        int data = request.hasDataWorkers() ? request.getDataWorkers() : current.dataWorkers();
        CompletionStage<Scaler.PoolSizes> scaled;
        try {
            scaled = scaler.scale(gpu, data);
        } catch (RuntimeException e) {
            scaled = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(scaled.handle((sizes, failure) -> {
            mutations.incrementAndGet();
            if (failure != null) {
                log.warn("scaling to gpu {}, data {} failed: {}", gpu, data, Scaler.ScaleException.reason(failure));
                return error(500, "scaling failed: " + Scaler.ScaleException.reason(failure));
            }
            return json(202, ControlReply.newBuilder().setCode(202)
                    .setMessage("scaling to " + sizes.gpuWorkers() + " GPU and " + sizes.dataWorkers() + " data workers")
                    .setPools(sizes.toProto()).build());
        }));
    }

    private Route metrics() {
        if (!runMetricsFromCoordinator) {
            return complete(metricsText(registry.scrape(), ""));
        }
        // This JVM's own metrics (JVM, process) and the coordinator's run metrics; without an answer, the former alone.
        return completeWithFuture(ask(ControlRequest.newBuilder().setRunMetrics(RunMetricsQuery.getDefaultInstance()).build())
                .handle((reply, failure) -> metricsText(registry.scrape(name -> !RunMetrics.isRunMetric(name)),
                        failure == null && reply.getCode() == 200 ? reply.getMetricsText() : "")));
    }

    private static HttpResponse metricsText(MetricSnapshots local, String more) {
        return HttpResponse.create().withStatus(200)
                .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, RunMetrics.textFormat(local) + more));
    }

    // ---- auth ---------------------------------------------------------------------------------------

    private Route mutate(Supplier<Route> inner) {
        return authorized(inner);
    }

    private Route read(Supplier<Route> inner) {
        return settings.authReads() ? authorized(inner) : inner.get();
    }

    /** 401 without a bearer token, 403 with a wrong one; compares digests in constant time. */
    private Route authorized(Supplier<Route> inner) {
        if (tokenDigest.isEmpty()) {
            return inner.get();
        }
        return optionalHeaderValueByName("Authorization", header -> {
            Optional<String> given = header.map(String::trim)
                    .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                    .map(h -> h.substring(7).trim());
            if (given.isEmpty() || given.get().isEmpty()) {
                return complete(error(401, "this call needs 'Authorization: Bearer <token>'")
                        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "tandem"))));
            }
            if (!MessageDigest.isEqual(tokenDigest.get(), sha256(given.get()))) {
                return complete(error(403, "wrong token"));
            }
            return inner.get();
        });
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- asking the coordinator ---------------------------------------------------------------------

    private CompletionStage<ControlReply> ask(ControlRequest request) {
        return AskPattern.<CoordinatorProtocol.Command, CoordinatorProtocol.Replied>ask(coordinator,
                replyTo -> new CoordinatorProtocol.Control(request, replyTo), settings.askTimeout(), system.scheduler())
                .thenApply(CoordinatorProtocol.Replied::body);
    }

    /** Asks, and answers with {@code success}'s message for a 2xx reply or the reply's error otherwise. */
    private Route answer(ControlRequest request, Function<ControlReply, Message> success) {
        boolean read = request.hasList() || request.hasGet() || request.hasStatus();
        return completeWithFuture(ask(request).handle((reply, failure) -> {
            if (!read) {
                mutations.incrementAndGet();
            }
            if (failure != null) {
                return unanswered(failure);
            }
            return reply.getCode() >= 200 && reply.getCode() < 300 ? json(reply.getCode(), success.apply(reply)) : replyError(reply);
        }));
    }

    /**
     * The last status answer if it may be served again (see {@link StatusAnswer#servable}), else a new
     * query's. However many clients poll, the coordinator answers at most one query per
     * {@code tandem.api.status-max-age} (and one at a time), and the JSON is printed once per answer.
     */
    private CompletionStage<HttpResponse> sharedStatus() {
        long maxAge = settings.statusMaxAge().toNanos();
        while (true) {
            long generation = mutations.get();
            long now = System.nanoTime();
            StatusAnswer last = lastStatus.get();
            if (last != null && last.servable(generation, now, maxAge)) {
                return last.response();
            }
            StatusAnswer mine = new StatusAnswer(generation, now, new CompletableFuture<>());
            if (lastStatus.compareAndSet(last, mine)) {
                ask(ControlRequest.newBuilder().setStatus(StatusQuery.getDefaultInstance()).build())
                        .handle((reply, failure) -> failure != null ? unanswered(failure)
                                : reply.getCode() == 200 ? json(200, withMembers(reply.getStatus())) : replyError(reply))
                        .whenComplete((response, failure) -> mine.response().complete(failure != null
                                ? error(500, "internal error: " + firstLine(failure)) : response));
                return mine.response();
            }
        }
    }

    /** The coordinator's status plus this node's view of the cluster and the scaler's target. */
    private Status withMembers(Status status) {
        Status.Builder enriched = status.toBuilder();
        ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
        Set<Member> unreachable = state.getUnreachable();
        Map<String, Integer> byRole = new TreeMap<>();
        for (Member member : state.getMembers()) {
            List<String> roles = new ArrayList<>(member.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
            enriched.addMembers(ClusterMember.newBuilder().setAddress(member.address().toString())
                    .setStatus(member.status().toString()).addAllRoles(roles).setReachable(!unreachable.contains(member)));
            if (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()) {
                roles.forEach(r -> byRole.merge(r, 1, Integer::sum));
            }
        }
        enriched.putAllMembersByRole(byRole);
        if (scaler.supported()) {
            enriched.setDesiredPools(scaler.desired().toProto());
        }
        return enriched.build();
    }

    private static ExperimentView overview(ExperimentView view) {
        ExperimentView.Builder b = view.toBuilder().clearLosses().clearEvals();
        if (view.hasSummary()) {
            b.setSummary(view.getSummary().toBuilder().clearLosses().clearEvals());
        }
        return b.build();
    }

    // ---- responses ----------------------------------------------------------------------------------

    private HttpResponse unanswered(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return error(503, "the coordinator did not answer within " + settings.askTimeout().toMillis() + " ms");
        }
        log.warn("control request failed: {}", cause.toString());
        return error(503, "the coordinator is not reachable: " + firstLine(cause));
    }

    private static HttpResponse replyError(ControlReply reply) {
        int code = reply.getCode() >= 400 && reply.getCode() < 600 ? reply.getCode() : 500;
        return error(code, reply.getError().isEmpty() ? "coordinator answered " + reply.getCode() : reply.getError());
    }

    static HttpResponse json(int code, Message message) {
        try {
            return HttpResponse.create().withStatus(code)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                            ((message instanceof ControlReply ? REPLY_JSON : JSON).print(message) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (InvalidProtocolBufferException e) {
            return error(500, "cannot print " + message.getDescriptorForType().getName() + ": " + e.getMessage());
        }
    }

    /** {"experiments": [...]} only (the printer would add every other field of ControlReply). */
    private static Message listOnly(ControlReply list) {
        return ExperimentList.newBuilder().addAllExperiments(list.getExperimentsList()).build();
    }

    static HttpResponse error(int code, String message) {
        String text = "{\"error\": " + quote(message) + "}\n";
        return HttpResponse.create().withStatus(code)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A JSON string literal (JsonFormat would write ' as \u0027, which reads badly in a terminal). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(e.getClass().getSimpleName());
    }

    /** Refuses JSON nested deeper than {@link #MAX_JSON_DEPTH} (a parser would recurse on it). */
    static void checkDepth(String json) throws SpecException {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_JSON_DEPTH) {
                    throw new SpecException("JSON nested more than " + MAX_JSON_DEPTH + " levels deep");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    /** Every rejection as {"error": "..."} with Pekko's default status (404, 405, 413, ...). */
    private static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity() instanceof HttpEntity.Strict strict
                    && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                String text = strict.getData().utf8String().trim();
                HttpResponse json = error(response.status().intValue(), text.isEmpty() ? response.status().reason() : text);
                return response.withEntity(json.entity());
            }
            return response;
        });
    }

    private ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .match(EntityStreamSizeException.class, e -> complete(error(413, "request body larger than " + settings.maxBodyBytes() + " bytes")))
                .matchAny(e -> {
                    log.error("control API: {}", e.toString(), e);
                    return complete(error(500, "internal error: " + firstLine(e)));
                })
                .build();
    }

    /** Reads the request body as UTF-8 text (any content type: curl -d sends a form type). */
    private Route body(Function<String, Route> inner) {
        return entity(Unmarshaller.entityToString(), inner);
    }

}
