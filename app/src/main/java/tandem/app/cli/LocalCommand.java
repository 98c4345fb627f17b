package tandem.app.cli;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tandem.app.api.ApiOptions;
import tandem.app.api.LocalService;
import tandem.app.chaos.ChaosMonkey;
import tandem.app.chaos.ChaosSchedule;
import tandem.app.node.LocalCluster;
import tandem.coordinator.control.ApiSettings;
import tandem.coordinator.checkpoint.CheckpointStore;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.Checkpoint;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * {@code tandem local}: a whole cluster on this machine, one experiment, a live progress line, a summary.
 * The client node serves the control API (default http://127.0.0.1:8080, see {@code tandem ctl}) and Pekko
 * Management; with {@code --serve} the cluster stays up after the first experiment, to take more.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Train on a cluster of loopback nodes: a coordinator, M data workers, N GPU workers.",
                "The control API listens on --api-port (tandem ctl status | scale | submit ...)."})
public final class LocalCommand implements Callable<Integer> {

    @Mixin
    SpecOptions specOptions = new SpecOptions();

    @Option(names = "--processes", description = "run each node in its own JVM (default: one JVM, one ActorSystem per node)")
    boolean processes;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "also write the summary as JSON")
    Path summaryJson;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "where checkpoints go (default runs/<name>-<time>/checkpoints)")
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run checkpointed in DIR")
    Path resume;

    @Option(names = "--chaos", paramLabel = "SPEC",
            description = "inject faults, e.g. kill-gpu=every:20s,kill-data=at-step:30,join-gpu=at-step:40,kill-coordinator=at-step:50;"
                    + " kills go one at a time (each waits until the cluster has removed the last killed node)")
    String chaos;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up after this long (default 3600)")
    long timeoutSeconds = 3600;

    @Option(names = "--serve", description = "keep the cluster and its control API up after the first experiment "
            + "(submit more with tandem ctl submit; Ctrl-C stops)")
    boolean serve;

    @Mixin
    ApiOptions apiOptions = new ApiOptions();

    @Override
    public Integer call() throws Exception {
        ChaosSchedule schedule = ChaosSchedule.parse(chaos);
        ApiSettings api = apiOptions.settings(ConfigFactory.load());
        ExperimentSpec spec = resume != null ? resumedSpec() : withCheckpointDir(specOptions.checkedSpec());
        int gpu = spec.getGpuBudget().getGpuWorkers();
        int data = spec.getDataBudget().getDataWorkers();
        int coordinators = schedule.killsCoordinator() ? 2 : 1;
        System.out.printf("tandem local: %d GPU worker(s), %d data worker(s), corpus %s, %d steps%s%s%n",
                gpu, data, spec.getDataBudget().getCorpus(), spec.getGpuBudget().getMaxSteps(),
                processes ? ", one JVM per node" : "", resume != null ? ", resuming " + resume : "");
        System.out.println("checkpoints: " + spec.getCheckpoint().getDir());
        ProgressLine progress = new ProgressLine(System.out);
        // Management on the client node: the port of application.conf (or -Dpekko.management.http.port).
        var extra = LocalCluster.with("pekko.management.http.port", ConfigFactory.load().getInt("pekko.management.http.port"));
        try (LocalService service = LocalService.start(coordinators, gpu, data, extra, processes, api, serve);
             ChaosMonkey monkey = new ChaosMonkey(schedule, service.cluster())) {
            LocalCluster cluster = service.cluster();
            if (processes) {
                System.out.println("node logs: " + cluster.workDir());
            }
            service.apiProblem().ifPresentOrElse(problem -> System.out.println("no " + problem),
                    () -> System.out.println("control API: " + service.apiUrl() + "/api/v1  (tandem ctl --server " + service.apiUrl() + " status)"));
            Summary summary;
            try {
                summary = cluster.run(spec, resume == null ? null : resume.toString(), p -> {
                    monkey.onProgress(p);
                    progress.show(p);
                }, Duration.ofSeconds(timeoutSeconds));
            } finally {
                progress.end();
            }
            SummaryTable.print(summary, System.out);
            if (summaryJson != null) {
                Files.writeString(summaryJson, Specs.toJson(summary) + "\n", StandardCharsets.UTF_8);
                System.out.println("summary written to " + summaryJson);
            }
            if (serve) {
                System.out.println("serving: submit more with `tandem ctl --server " + service.apiUrl() + " submit SPEC.json`; Ctrl-C stops");
                cluster.client().getWhenTerminated().toCompletableFuture().join();
            }
        }
        return 0;
    }

    /** The spec of the checkpointed run; flags that would change its math are an error. */
    private ExperimentSpec resumedSpec() throws Exception {
        Optional<CheckpointStore.Loaded> loaded = new CheckpointStore(resume).newest();
        if (loaded.isEmpty()) {
            throw new SpecException("--resume " + resume + ": no valid checkpoint there");
        }
        Checkpoint checkpoint = loaded.get().checkpoint();
        ExperimentSpec spec = checkpoint.getSpec();
        if (specOptions.anyGiven()) {
            ExperimentSpec asked = specOptions.spec();
            Optional<String> difference = SpecDiff.firstDifference(spec, asked);
            if (difference.isPresent()) {
                throw new SpecException("--resume " + resume + ": the checkpoint was written for a different spec: " + difference.get());
            }
            spec = spec.toBuilder().setGpuBudget(spec.getGpuBudget().toBuilder().setGpuWorkers(asked.getGpuBudget().getGpuWorkers()))
                    .setDataBudget(spec.getDataBudget().toBuilder().setDataWorkers(asked.getDataBudget().getDataWorkers())).build();
        }
        return spec;
    }

    private ExperimentSpec withCheckpointDir(ExperimentSpec spec) {
        if (checkpointDir == null && !spec.getCheckpoint().getDir().isEmpty()) {
            return spec;
        }
        Path dir = checkpointDir != null ? checkpointDir
                : Path.of("runs", spec.getName() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")), "checkpoints");
        return spec.toBuilder().setCheckpoint(spec.getCheckpoint().toBuilder().setDir(dir.toAbsolutePath().toString())).build();
    }
}
