package tandem.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * {@code tandem local --serve --processes}: the coordinator runs in its own JVM, yet the client node's
 * {@code GET /metrics} shows the run (asked from the coordinator) next to the client JVM's own metrics,
 * each metric family once.
 */
class MetricsAcrossJvmsTest {

    @Test
    void theClientsMetricsShowTheRunOfACoordinatorInAnotherJvm() throws Exception {
        ExperimentSpec spec = Fixtures.tiny(30).toBuilder().setName("metrics-processes").build();
        try (LocalService service = LocalService.start(1, 1, 1, Fixtures.serializeEverything(), true, Fixtures.api(), true)) {
            Summary summary = service.cluster().run(spec, p -> {}, Duration.ofMinutes(3));
            assertEquals(30, summary.getSteps());

            HttpResponse<String> metrics = Fixtures.get(service.apiUrl() + "/metrics");
            assertEquals(200, metrics.statusCode(), metrics.body());
            String text = metrics.body();
            assertEquals(30.0, value(text, "tandem_step"), text);
            assertTrue(value(text, "tandem_tokens_per_second") > 0, text);
            assertTrue(value(text, "tandem_shard_seconds_count{kind=\"train\"}") >= 30, text);
            assertEquals(1.0, value(text, "tandem_pool_workers{pool=\"gpu\"}"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "the client JVM's own metrics too");
            assertEquals(1, text.lines().filter(l -> l.equals("# TYPE tandem_step gauge")).count(), "one tandem_step family");
        }
    }

    /** The value of the sample line starting with {@code name} (name and labels exactly as printed). */
    private static double value(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim().split(" ")[0]))
                .orElseThrow(() -> new AssertionError("no sample " + name));
    }
}
