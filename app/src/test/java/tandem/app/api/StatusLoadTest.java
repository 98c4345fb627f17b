package tandem.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tandem.app.ctl.CtlJson;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;
import tandem.proto.ExperimentView;
import tandem.proto.Progress;
import tandem.proto.Status;

/**
 * A bounded load test on loopback: 10,000 {@code GET /api/v1/status} from 32 concurrent clients while an
 * experiment trains. Asserts only that every request succeeds; prints latency percentiles and training
 * throughput without load, under load and after it (all in the same run). No timing assertions: the
 * figures depend on the machine.
 */
class StatusLoadTest {
    private static final int REQUESTS = 10_000;
    private static final int CLIENTS = 32;
    private static final Duration QUIET = Duration.ofSeconds(5);

    @Test
    void tenThousandStatusRequestsFrom32ClientsWhileTraining() throws Exception {
        ExperimentSpec spec = Fixtures.tiny(1_000_000).toBuilder().setName("load")
                .setEval(Fixtures.tiny(10).getEval().toBuilder().setEverySteps(1_000_000)).build();
        try (LocalService service = LocalService.start(1, 2, 1, Fixtures.serializeEverything(), false, Fixtures.api(), true)) {
            String server = service.apiUrl();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/experiments"))
                    .header("Authorization", "Bearer " + Fixtures.TOKEN).POST(HttpRequest.BodyPublishers.ofString(Specs.toJson(spec))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, submitted.statusCode(), submitted.body());
            String id = CtlJson.parse(submitted.body(), ExperimentView.getDefaultInstance()).getId();

            Progress warm = progress(http, server);
            while (warm.getStep() < 100) {
                Thread.sleep(200);
                warm = progress(http, server);
            }

            // 1. Without load.
            Progress before = progress(http, server);
            Thread.sleep(QUIET.toMillis());
            Progress quiet = progress(http, server);

            // 2. Under load: 32 clients share 10,000 requests.
            long[] latencies = new long[REQUESTS];
            AtomicInteger next = new AtomicInteger();
            java.util.concurrent.atomic.AtomicLong clientCpuNanos = new java.util.concurrent.atomic.AtomicLong();
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            HttpRequest status = HttpRequest.newBuilder(URI.create(server + "/api/v1/status")).timeout(Duration.ofSeconds(30)).build();
            Progress loadStart = progress(http, server);
            long start = System.nanoTime();
            long processCpuStart = os.getProcessCpuTime();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                        long t = System.nanoTime();
                        try {
                            HttpResponse<String> response = http.send(status, HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() != 200 || !response.body().contains("\"workers\"")) {
                                errors.add(response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            errors.add(e.toString());
                        }
                        latencies[i] = System.nanoTime() - t;
                    }
                    clientCpuNanos.addAndGet(threads.getCurrentThreadCpuTime());
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            double processCpu = (os.getProcessCpuTime() - processCpuStart) / 1e9;
            Progress loadEnd = progress(http, server);
            clients.shutdown();

            // 3. Without load again.
            Thread.sleep(QUIET.toMillis());
            Progress after = progress(http, server);

            Arrays.sort(latencies);
            System.out.printf("StatusLoadTest: %d GET /api/v1/status from %d clients in %.1f s (%.0f req/s), %d errors%n",
                    REQUESTS, CLIENTS, loadSeconds, REQUESTS / loadSeconds, errors.size());
            System.out.printf("StatusLoadTest: latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    percentile(latencies, 0.50), percentile(latencies, 0.90), percentile(latencies, 0.99), latencies[REQUESTS - 1] / 1e6);
            System.out.printf("StatusLoadTest: CPU during the load: %.1f s of %.1f s available (%d cores); the 32 client threads "
                            + "(java.net.http, same JVM) used %.1f s of it%n", processCpu, loadSeconds * Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors(), clientCpuNanos.get() / 1e9);
            System.out.printf("StatusLoadTest: training tokens/s  without load %.0f  |  under load %.0f  |  after %.0f  (steps %d -> %d)%n",
                    rate(before, quiet), rate(loadStart, loadEnd), rate(loadEnd, after), before.getStep(), after.getStep());

            HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/experiments/" + id + ":cancel"))
                    .header("Authorization", "Bearer " + Fixtures.TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertTrue(errors.isEmpty(), errors.size() + " errors, first: " + errors.peek());
            assertTrue(after.getStep() > loadEnd.getStep() && loadEnd.getStep() > loadStart.getStep(), "training went on throughout");
        }
    }

    private static Progress progress(HttpClient http, String server) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return CtlJson.parse(response.body(), Status.getDefaultInstance()).getCurrent().getProgress();
    }

    /** Tokens per second of training between two reports, by the coordinator's own clock. */
    private static double rate(Progress from, Progress to) {
        double seconds = to.getWallSeconds() - from.getWallSeconds();
        return seconds <= 0 ? Double.NaN : (to.getTokens() - from.getTokens()) / seconds;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
