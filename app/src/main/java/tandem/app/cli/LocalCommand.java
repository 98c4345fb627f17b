package tandem.app.cli;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tandem.app.node.LocalCluster;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/** {@code tandem local}: a whole cluster on this machine, one experiment, a live progress line, a summary. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Train on a cluster of loopback nodes: 1 coordinator, M data workers, N GPU workers.")
public final class LocalCommand implements Callable<Integer> {

    @Mixin
    SpecOptions specOptions = new SpecOptions();

    @Option(names = "--processes", description = "run each worker node in its own JVM (default: one JVM, one ActorSystem per node)")
    boolean processes;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "also write the summary as JSON")
    Path summaryJson;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up after this long (default 3600)")
    long timeoutSeconds = 3600;

    @Override
    public Integer call() throws Exception {
        ExperimentSpec spec = specOptions.checkedSpec();
        ProgressLine progress = new ProgressLine(System.out);
        int gpu = spec.getGpuBudget().getGpuWorkers();
        int data = spec.getDataBudget().getDataWorkers();
        System.out.printf("tandem local: %d GPU worker(s), %d data worker(s), corpus %s, %d steps%s%n",
                gpu, data, spec.getDataBudget().getCorpus(), spec.getGpuBudget().getMaxSteps(),
                processes ? ", one JVM per node" : "");
        Summary summary;
        try (LocalCluster cluster = LocalCluster.start(gpu, data, ConfigFactory.empty(), processes)) {
            if (cluster.logDir() != null) {
                System.out.println("worker logs: " + cluster.logDir());
            }
            summary = cluster.run(spec, progress::show, Duration.ofSeconds(timeoutSeconds));
        } finally {
            progress.end();
        }
        SummaryTable.print(summary, System.out);
        if (summaryJson != null) {
            Files.writeString(summaryJson, Specs.toJson(summary) + "\n", StandardCharsets.UTF_8);
            System.out.println("summary written to " + summaryJson);
        }
        return 0;
    }
}
