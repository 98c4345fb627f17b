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
 * A bounded load test on loopback: 10,000 {@code GET /api/v1/status} from 32 concurrent clients, as fast as
 * they can, while an experiment trains. Every request must succeed with a status, no client may see the
 * step go backwards (answers are shared between requests, never served stale after fresh), and training
 * must go on throughout. Prints latency percentiles; what the load costs training is measured by
 * {@code tandem bench --sections 8} (side by side, with the load generator in its own JVM), not here.
 */
class StatusLoadTest {
    private static final int REQUESTS = 10_000;
    private static final int CLIENTS = 32;

    @Test
    void tenThousandStatusRequestsFrom32ClientsWhileTraining() throws Exception {
        ExperimentSpec spec = Fixtures.tiny(1_000_000).toBuilder().setName("load")
                .setEval(Fixtures.tiny(10).getEval().toBuilder().setEverySteps(1_000_000)).build();
        try (LocalService service = LocalService.start(1, 2, 1, Fixtures.serializeEverything(), false,
                Fixtures.api().withStatusMaxAge(Duration.ofMillis(250)), true)) {
            String server = service.apiUrl();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/experiments"))
                    .header("Authorization", "Bearer " + Fixtures.TOKEN).POST(HttpRequest.BodyPublishers.ofString(Specs.toJson(spec))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, submitted.statusCode(), submitted.body());
            String id = CtlJson.parse(submitted.body(), ExperimentView.getDefaultInstance()).getId();
            while (progress(http, server).getStep() < 20) {
                Thread.sleep(200);
            }

            long[] latencies = new long[REQUESTS];
            AtomicInteger next = new AtomicInteger();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            HttpRequest status = HttpRequest.newBuilder(URI.create(server + "/api/v1/status")).timeout(Duration.ofSeconds(30)).build();
            Progress loadStart = progress(http, server);
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    long lastStep = -1;
                    for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                        long t = System.nanoTime();
                        try {
                            HttpResponse<String> response = http.send(status, HttpResponse.BodyHandlers.ofString());
                            latencies[i] = System.nanoTime() - t;
                            if (response.statusCode() != 200) {
                                errors.add(response.statusCode() + " " + response.body());
                                continue;
                            }
                            long step = CtlJson.parse(response.body(), Status.getDefaultInstance()).getCurrent().getProgress().getStep();
                            if (step < lastStep) {
                                errors.add("step went back from " + lastStep + " to " + step);
                            }
                            lastStep = step;
                        } catch (Exception e) {
                            latencies[i] = System.nanoTime() - t;
                            errors.add(e.toString());
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            clients.shutdown();
            Progress loadEnd = progress(http, server);
            Thread.sleep(2000);
            Progress after = progress(http, server);

            Arrays.sort(latencies);
            System.out.printf("StatusLoadTest: %d GET /api/v1/status from %d clients in %.1f s (%.0f req/s), %d errors; "
                            + "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; steps %d -> %d during the load%n",
                    REQUESTS, CLIENTS, seconds, REQUESTS / seconds, errors.size(), percentile(latencies, 0.50), percentile(latencies, 0.90),
                    percentile(latencies, 0.99), latencies[REQUESTS - 1] / 1e6, loadStart.getStep(), loadEnd.getStep());

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

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
