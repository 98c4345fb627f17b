package tandem.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.Summary;

/**
 * {@code tandem local} in this JVM ({@link LocalCluster}: one ActorSystem per node on loopback, messages
 * serialized through Artery as between machines), with a steady-state throughput read off the run's
 * progress reports, so warm-up steps and evaluations are not counted.
 */
public final class TandemCluster implements AutoCloseable {

    /**
     * One run, measured from the first progress report at or after the warm-up step to the last one
     * before the final evaluation. Progress reports come about every 1.2 s; tokens and wall time in a
     * report are one snapshot of the coordinator, so their quotient is exact up to one step in flight.
     */
    public record Result(double tokensPerSecond, double stepMillis, double measuredSeconds, long measuredSteps,
                         Summary summary) {}

    private final LocalCluster cluster;
    private int gpuWorkers;

    private TandemCluster(LocalCluster cluster, int gpuWorkers) {
        this.cluster = cluster;
        this.gpuWorkers = gpuWorkers;
    }

    /** Node settings: what {@code tandem local} uses (application.conf), nothing tuned for the bench. */
    static Config config() {
        return ConfigFactory.empty();
    }

    public static TandemCluster start(int gpuWorkers, int dataWorkers) throws Exception {
        return start(gpuWorkers, dataWorkers, false);
    }

    /** With {@code processes}, every node but this JVM's client is its own JVM (as {@code tandem local --processes}). */
    public static TandemCluster start(int gpuWorkers, int dataWorkers, boolean processes) throws Exception {
        return new TandemCluster(LocalCluster.start(1, gpuWorkers, dataWorkers, config(), processes), gpuWorkers);
    }

    /** Adds a GPU worker node; returns its name. */
    public String addGpuWorker() throws Exception {
        gpuWorkers++;
        return cluster.add(Role.GPU);
    }

    public int gpuWorkers() {
        return gpuWorkers;
    }

    public LocalCluster local() {
        return cluster;
    }

    public Result run(ExperimentSpec spec, long warmupSteps, Duration timeout) throws Exception {
        return run(spec, warmupSteps, timeout, p -> {});
    }

    public Result run(ExperimentSpec spec, long warmupSteps, Duration timeout, Consumer<Progress> also) throws Exception {
        List<Progress> reports = new ArrayList<>();
        Summary summary = cluster.run(spec, p -> {
            reports.add(p);
            also.accept(p);
        }, timeout);
        long maxSteps = spec.getGpuBudget().getMaxSteps();
        Progress first = null;
        Progress last = null;
        for (Progress p : reports) {
            if (p.getStep() >= warmupSteps && p.getStep() < maxSteps && p.getTokens() > 0) {
                if (first == null) {
                    first = p;
                }
                last = p;
            }
        }
        long tokensPerStep = (long) spec.getBatch().getGlobalBatch() * spec.getModel().getContext();
        if (first == null || last == first || last.getWallSeconds() <= first.getWallSeconds()) {
            // Too short to see two reports in the steady state: fall back to the whole run.
            double tps = summary.getTokensPerSecond();
            return new Result(tps, tokensPerStep / tps * 1e3, summary.getWallSeconds(), summary.getSteps(), summary);
        }
        double seconds = last.getWallSeconds() - first.getWallSeconds();
        long tokens = last.getTokens() - first.getTokens();
        long steps = Math.max(1, last.getStep() - first.getStep());
        return new Result(tokens / seconds, seconds * 1e3 / steps, seconds, steps, summary);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
