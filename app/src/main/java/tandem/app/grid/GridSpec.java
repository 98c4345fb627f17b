package tandem.app.grid;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tandem.data.corpus.DataException;
import tandem.data.plan.DataPlan;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.AugmentationPolicy;
import tandem.proto.ExperimentSpec;

/**
 * A grid: a base spec and the axes that vary it. Each cell's spec is the base with the cell's GPU budget,
 * data budget, augmentation preset and seed applied; everything else is shared by all cells.
 */
final class GridSpec {
    private final ExperimentSpec base;
    private final GridAxes axes;

    /** @param base the spec with defaults filled in, as {@code SpecOptions.spec()} returns it */
    GridSpec(ExperimentSpec base, GridAxes axes) {
        this.base = withoutAxisFields(base, !axes.augment().isEmpty());
        this.axes = axes;
    }

    GridAxes axes() {
        return axes;
    }

    /** The spec every cell starts from: the fields the axes always set are cleared. Stored in the manifest. */
    ExperimentSpec base() {
        return base;
    }

    /**
     * What makes two runs "the same grid": the base spec without anything an axis may set (augmentation
     * included, so a grid run without --augment can later be extended with --augment none,eda). Two runs into
     * one directory must agree on it; their axes may differ: a re-run with more budgets adds cells.
     */
    ExperimentSpec identity() {
        return identity(base);
    }

    static ExperimentSpec identity(ExperimentSpec base) {
        return withoutAxisFields(base, true);
    }

    private static ExperimentSpec withoutAxisFields(ExperimentSpec spec, boolean augmentAxis) {
        ExperimentSpec.Builder b = spec.toBuilder();
        b.getGpuBudgetBuilder().clearMaxSteps().clearMaxWallSeconds();
        b.getDataBudgetBuilder().clearUniqueBytes();
        if (augmentAxis) {
            b.getDataBudgetBuilder().clearAugmentation();
        }
        return b.build();
    }

    /** Every cell, in a stable order: augmentation, data budget, GPU budget, repeat. */
    List<Cell> cells() {
        List<String> policies = axes.augment().isEmpty() ? List.of(baseLabel()) : axes.augment();
        List<Cell> cells = new ArrayList<>();
        for (String policy : policies) {
            for (DataBudgetPoint data : axes.data()) {
                for (GpuBudgetPoint gpu : axes.gpu()) {
                    for (int r = 0; r < axes.repeats(); r++) {
                        cells.add(cell(gpu, data, policy, r));
                    }
                }
            }
        }
        return cells;
    }

    private Cell cell(GpuBudgetPoint gpu, DataBudgetPoint data, String policy, int repeat) {
        String id = Cell.id(gpu, data, policy, repeat);
        ExperimentSpec.Builder spec = base.toBuilder();
        spec.setName(base.getName() + " " + id);
        spec.setSeed(base.getSeed() + repeat);
        gpu.applyTo(spec);
        data.applyTo(spec);
        if (!axes.augment().isEmpty()) {
            spec.getDataBudgetBuilder().setAugmentation(AugmentationPolicy.newBuilder().setPreset(policy));
        }
        // Cells must never share checkpoints: a cell would resume from another cell's parameters.
        String checkpoints = base.getCheckpoint().getDir();
        if (!checkpoints.isEmpty()) {
            spec.getCheckpointBuilder().setDir(Path.of(checkpoints, id).toString());
        }
        return new Cell(id, gpu, data, policy, repeat, Specs.withDefaults(spec.build()));
    }

    /** The policy label when there is no augmentation axis: the base spec's preset. */
    private String baseLabel() {
        AugmentationPolicy policy = base.getDataBudget().getAugmentation();
        if (policy.getOpsCount() > 0) {
            return "spec";
        }
        return policy.getPreset().isEmpty() ? "none" : policy.getPreset();
    }

    /**
     * Checks every cell before anything runs, so a budget the corpus cannot supply fails in seconds rather
     * than after hours of other cells. Building the data plan reads each corpus once (cached per JVM).
     * The message names the axis value at fault.
     */
    void check() throws SpecException, DataException {
        for (Cell cell : cells()) {
            try {
                Specs.validate(cell.spec());
            } catch (SpecException e) {
                throw new SpecException("cell " + cell.id() + ": " + e.getMessage());
            }
            try {
                DataPlan.build(cell.spec());
            } catch (DataException e) {
                String why = e.getMessage();
                if (why.startsWith("data_budget.unique_bytes")) {
                    throw new DataException("--data-budgets " + cell.data().token() + ": " + why);
                }
                if (why.startsWith("data_budget.augmentation")) {
                    throw new DataException("--augment " + cell.augment() + ": " + why);
                }
                throw new DataException("cell " + cell.id() + ": " + why);
            }
        }
    }
}
