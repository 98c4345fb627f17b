package tandem.coordinator.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import tandem.proto.Progress;
import tandem.proto.Summary;

/**
 * The coordinator's Prometheus metrics. One instance per coordinator node, registered in that node's
 * registry; the run that this node's singleton hosts keeps them current.
 */
public final class RunMetrics {
    private static final String PREFIX = "tandem_";
    private final PrometheusRegistry registry;
    private final Gauge step;
    private final Gauge tokensPerSecond;
    private final Gauge trainLoss;
    private final Gauge valBitsPerByte;
    private final Gauge dataStall;
    private final Gauge poolSize;
    private final Gauge epochs;
    private final Histogram shardSeconds;
    private final Counter shardsRedone;
    private final Counter resultsRejected;

    public RunMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        step = Gauge.builder().name("tandem_step").help("optimizer steps done in the running experiment").register(registry);
        tokensPerSecond = Gauge.builder().name("tandem_tokens_per_second").help("training tokens per second").register(registry);
        trainLoss = Gauge.builder().name("tandem_train_loss_nats").help("train loss of the last step, nats per token").register(registry);
        valBitsPerByte = Gauge.builder().name("tandem_validation_bits_per_byte").help("validation loss at the last evaluation").register(registry);
        dataStall = Gauge.builder().name("tandem_data_stall_ratio").help("share of GPU-worker time spent waiting for a prepared shard").register(registry);
        poolSize = Gauge.builder().name("tandem_pool_workers").help("workers in each pool").labelNames("pool").register(registry);
        epochs = Gauge.builder().name("tandem_epochs").help("epochs over unique data").register(registry);
        shardSeconds = Histogram.builder().name("tandem_shard_seconds").help("shard round trip, hand-out to accepted result")
                .labelNames("kind").classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);
        shardsRedone = Counter.builder().name("tandem_shards_redone_total").help("shards handed out again (worker gone, deadline, straggler)").register(registry);
        resultsRejected = Counter.builder().name("tandem_results_rejected_total").help("results rejected (NaN/Inf, wrong length)").register(registry);
    }

    /** Metrics that go nowhere (tests, tools). */
    public static RunMetrics detached() {
        return new RunMetrics(new PrometheusRegistry());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** True for the names of these metrics (the {@code tandem_} family), false for the JVM's. */
    public static boolean isRunMetric(String name) {
        return name.startsWith(PREFIX);
    }

    /** These metrics alone, in Prometheus text format. */
    public String text() {
        return textFormat(registry.scrape(RunMetrics::isRunMetric));
    }

    /** {@code snapshots} in Prometheus text format (what {@code GET /metrics} serves). */
    public static String textFormat(MetricSnapshots snapshots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writes to memory: does not happen
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public void progress(Progress p) {
        step.set(p.getStep());
        tokensPerSecond.set(p.getTokensPerSecond());
        trainLoss.set(p.getTrainLoss());
        valBitsPerByte.set(p.getValBitsPerByte());
        dataStall.set(p.getDataStall());
        epochs.set(p.getEpochs());
        poolSize.labelValues("gpu").set(p.getGpuWorkers());
        poolSize.labelValues("data").set(p.getDataWorkers());
    }

    /** A finished run's final figures: progress reports come on ticks, so the last one may be steps behind. */
    public void finished(Summary s) {
        step.set(s.getSteps());
        tokensPerSecond.set(s.getTokensPerSecond());
        trainLoss.set(s.getFinalTrainLoss());
        valBitsPerByte.set(s.getFinalValBitsPerByte());
        dataStall.set(s.getDataStall());
        epochs.set(s.getEpochs());
    }

    public void shardDone(boolean train, long nanos) {
        shardSeconds.labelValues(train ? "train" : "eval").observe(nanos / 1e9);
    }

    public void shardRedone() {
        shardsRedone.inc();
    }

    public void resultRejected() {
        resultsRejected.inc();
    }
}
