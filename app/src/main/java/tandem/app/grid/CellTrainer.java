package tandem.app.grid;

import java.time.Duration;
import java.util.function.Consumer;
import tandem.app.node.LocalCluster;
import tandem.proto.Progress;
import tandem.proto.Summary;

/** Trains one cell and returns its summary. The grid runner needs nothing else of a cluster. */
interface CellTrainer extends AutoCloseable {

    Summary train(Cell cell, Consumer<Progress> onProgress, Duration timeout)
            throws LocalCluster.ExperimentFailed, InterruptedException, java.io.IOException;

    @Override
    void close();
}
