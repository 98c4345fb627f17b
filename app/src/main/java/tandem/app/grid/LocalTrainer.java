package tandem.app.grid;

import com.typesafe.config.Config;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import tandem.app.node.LocalCluster;
import tandem.proto.ExperimentSpec;
import tandem.proto.Progress;
import tandem.proto.Summary;

/**
 * Trains cells on a {@link LocalCluster} on this machine. The cluster is started once and kept for every
 * cell with the same worker counts (the coordinator runs one experiment at a time, so cells queue); only
 * a cell that asks for other counts (a GPU budget written {@code 60s@4}) replaces it. The runner orders
 * cells by worker counts, so each cluster starts at most once. Before the first wall-clock cell on a new
 * cluster a short warm-up run is thrown away (see {@link #warmUp}).
 */
final class LocalTrainer implements CellTrainer {
    private static final int WARM_UP_STEPS = 5;

    private final Config config;
    private final boolean processes;
    private LocalCluster cluster;
    private int gpuWorkers;
    private int dataWorkers;

    LocalTrainer(Config config, boolean processes) {
        this.config = config;
        this.processes = processes;
    }

    @Override
    public Summary train(Cell cell, Consumer<Progress> onProgress, Duration timeout)
            throws LocalCluster.ExperimentFailed, InterruptedException, IOException {
        if (cluster == null || gpuWorkers != cell.gpuWorkers() || dataWorkers != cell.dataWorkers()) {
            close();
            gpuWorkers = cell.gpuWorkers();
            dataWorkers = cell.dataWorkers();
            cluster = LocalCluster.start(1, gpuWorkers, dataWorkers, config, processes);
            if (cell.gpu().isWallClock()) {
                warmUp(cell, timeout);
            }
        }
        return cluster.run(cell.spec(), onProgress, timeout);
    }

    /**
     * A fresh cluster spends its first seconds joining, loading native code and compiling; a wall-clock
     * cell would pay that out of its budget and look worse than the same budget later in the grid. A few
     * steps of the cell's own spec, thrown away, take that cost first.
     */
    private void warmUp(Cell cell, Duration timeout) throws LocalCluster.ExperimentFailed, InterruptedException {
        ExperimentSpec.Builder spec = cell.spec().toBuilder().setName("warm-up");
        spec.getGpuBudgetBuilder().setMaxSteps(WARM_UP_STEPS).setMaxWallSeconds(0);
        spec.getCheckpointBuilder().clearDir();
        cluster.run(spec.build(), p -> { }, timeout);
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
