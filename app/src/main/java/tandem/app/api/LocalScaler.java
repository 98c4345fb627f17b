package tandem.app.api;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;
import tandem.coordinator.control.Scaler;

/**
 * Local mode's scaler: starts worker nodes ({@link LocalCluster#add}) and drains them
 * ({@link LocalCluster#drain}, the oldest first) until the cluster runs the asked number of each. One
 * thread does the work, in order; a call made while an earlier one is still starting nodes wins (the
 * earlier one stops where it is). A worker that left by itself (drained through the API with
 * {@code POST workers/{name}:drain}, or crashed) is not replaced: once no call is under way, what this scaler
 * works towards is what runs, and a pool that a later {@code PUT pools} leaves out keeps that size.
 */
public final class LocalScaler implements Scaler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalScaler.class);

    private final LocalCluster cluster;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-local-scaler");
        t.setDaemon(true);
        return t;
    });
    private volatile PoolSizes desired;
    /** Calls whose nodes are still being started or drained: while there are any, {@link #desired} is the target. */
    private final AtomicInteger underWay = new AtomicInteger();

    public LocalScaler(LocalCluster cluster, int gpuWorkers, int dataWorkers) {
        this.cluster = cluster;
        this.desired = new PoolSizes(gpuWorkers, dataWorkers);
    }

    @Override
    public CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers) {
        PoolSizes target = new PoolSizes(gpuWorkers, dataWorkers);
        desired = target;
        underWay.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    adjust(Role.GPU, target, target.gpuWorkers());
                    adjust(Role.DATA, target, target.dataWorkers());
                    return target;
                } finally {
                    underWay.decrementAndGet();
                }
            }, worker);
        } catch (RejectedExecutionException e) {
            underWay.decrementAndGet();
            return CompletableFuture.failedFuture(new ScaleException("the local cluster is shutting down"));
        }
    }

    /** Starts or drains nodes of {@code role} until {@code count} run; stops early once a newer call replaced {@code target} (identity). */
    private void adjust(Role role, PoolSizes target, int count) {
        int running = cluster.running(role);
        if (running != count) {
            log.info("scaling {} workers: {} -> {}", role.clusterRole, running, count);
        }
        while (running < count && desired == target) {
            try {
                cluster.add(role);
            } catch (IOException | RuntimeException e) {
                throw new ScaleException("cannot start a " + role.clusterRole + " worker node: " + ScaleException.reason(e));
            }
            running++;
        }
        while (running > count && desired == target) {
            if (cluster.drain(role).isEmpty()) {
                break;
            }
            running--;
        }
    }

    @Override
    public PoolSizes desired() {
        return underWay.get() > 0 ? desired : new PoolSizes(cluster.running(Role.GPU), cluster.running(Role.DATA));
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
