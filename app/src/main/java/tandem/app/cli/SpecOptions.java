package tandem.app.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import tandem.data.corpus.DataException;
import tandem.data.plan.DataPlan;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;
import tandem.proto.ModelSpec;

/** The flags that shape an ExperimentSpec; shared by every command that runs experiments. */
public final class SpecOptions {

    @Option(names = "--spec", paramLabel = "FILE", description = "ExperimentSpec as JSON; the flags below override it")
    Path specFile;

    @Option(names = "--steps", description = "optimizer steps (GPU budget)")
    Long steps;

    @Option(names = "--gpu-workers", description = "GPU worker nodes (default 2)")
    Integer gpuWorkers;

    @Option(names = "--data-workers", description = "data worker nodes (default 1)")
    Integer dataWorkers;

    @Option(names = "--corpus", description = "wordnet | synthetic | a UTF-8 file or folder (default wordnet)")
    String corpus;

    @Option(names = "--data-budget", paramLabel = "BYTES", description = "unique bytes of the train split to use (default: all)")
    Long dataBudget;

    @Option(names = "--seed", description = "seed of every random choice (default 1)")
    Long seed;

    @Option(names = "--model", description = "transformer | mlp (default transformer)")
    String model;

    @Option(names = "--augment", paramLabel = "POLICY", description = "augmentation preset: none | eda | noise | eda+noise")
    String augment;

    /** True if the user gave a spec file or any flag that shapes the spec. */
    public boolean anyGiven() {
        return specFile != null || steps != null || gpuWorkers != null || dataWorkers != null || corpus != null
                || dataBudget != null || seed != null || model != null || augment != null;
    }

    /** The spec the flags describe, with defaults filled in; not yet checked against the corpus. */
    public ExperimentSpec spec() throws SpecException {
        ExperimentSpec.Builder spec = readSpecFile().toBuilder();
        if (steps != null) spec.getGpuBudgetBuilder().setMaxSteps(steps);
        if (gpuWorkers != null) spec.getGpuBudgetBuilder().setGpuWorkers(gpuWorkers);
        if (dataWorkers != null) spec.getDataBudgetBuilder().setDataWorkers(dataWorkers);
        if (corpus != null) spec.getDataBudgetBuilder().setCorpus(corpus);
        if (dataBudget != null) spec.getDataBudgetBuilder().setUniqueBytes(dataBudget);
        if (seed != null) spec.setSeed(seed);
        if (augment != null) spec.getDataBudgetBuilder().getAugmentationBuilder().setPreset(augment);
        if (model != null) {
            spec.getModelBuilder().setKind(switch (model) {
                case "transformer" -> ModelSpec.Kind.TRANSFORMER;
                case "mlp" -> ModelSpec.Kind.MLP;
                default -> throw new SpecException("--model: unknown model '" + model + "' (known: transformer, mlp)");
            });
        }
        if (gpuWorkers != null && gpuWorkers < 1) throw new SpecException("--gpu-workers: must be at least 1, got " + gpuWorkers);
        if (dataWorkers != null && dataWorkers < 1) throw new SpecException("--data-workers: must be at least 1, got " + dataWorkers);
        return Specs.validate(Specs.withDefaults(spec.build()));
    }

    /**
     * The spec, checked end to end before any node starts: fields, then the corpus and budget (which
     * reads the corpus once; in-JVM data workers reuse what was read).
     */
    public ExperimentSpec checkedSpec() throws SpecException, DataException {
        ExperimentSpec spec = spec();
        DataPlan.build(spec);
        return spec;
    }

    private ExperimentSpec readSpecFile() throws SpecException {
        if (specFile == null) {
            return ExperimentSpec.getDefaultInstance();
        }
        try {
            return Specs.fromJson(Files.readString(specFile, StandardCharsets.UTF_8), specFile.toString());
        } catch (NoSuchFileException e) {
            throw new SpecException(specFile + ": no such file");
        } catch (IOException e) {
            throw new SpecException(specFile + ": " + e.getMessage());
        }
    }
}
