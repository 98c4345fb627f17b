package tandem.bench;

import java.util.ArrayList;
import java.util.List;
import tandem.data.plan.DataPlan;
import tandem.proto.ExperimentSpec;

/** A data worker's throughput: one thread building training shards with {@link DataPlan#trainShard}. */
final class DataBench {
    private DataBench() {}

    /** Shard bytes ({@code rows x (context + 1)}) produced per second, per repeat of at least {@code minSeconds}. */
    static Stat bytesPerSecond(ExperimentSpec spec, int repeats, double minSeconds) throws Exception {
        DataPlan plan = DataPlan.build(spec);
        int shards = spec.getBatch().getShards();
        long step = 0;
        // Warm-up: the plan, WordNet's dictionary and synonym lookups, JIT: as long as one repeat.
        long warm = System.nanoTime();
        int i = 0;
        while (i < shards * 2 || System.nanoTime() - warm < minSeconds * 1e9) {
            plan.trainShard(step + i / shards, i % shards);
            i++;
        }
        step = i / shards + 1;
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long bytes = 0;
            long start = System.nanoTime();
            int built = 0;
            do {
                DataPlan.Shard shard = plan.trainShard(step, built % shards);
                bytes += shard.batch().getTokens().size();
                built++;
                if (built % shards == 0) {
                    step++;
                }
            } while (System.nanoTime() - start < minSeconds * 1e9 || built < 2);
            rates.add(bytes / ((System.nanoTime() - start) / 1e9));
        }
        return Stat.of(rates);
    }
}
