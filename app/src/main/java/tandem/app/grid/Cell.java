package tandem.app.grid;

import tandem.proto.ExperimentSpec;

/**
 * One point of the grid and the experiment that measures it.
 *
 * @param id      stable and file-name safe, e.g. {@code steps200_data100k_none_r0}: the same budgets always
 *                give the same id, which is what lets a re-run find the cells it already has
 * @param augment the augmentation policy's label (its preset name)
 * @param repeat  0-based repeat index; the cell's seed is the base seed plus this
 * @param spec    the full spec (defaults filled in) the cell trains
 */
record Cell(String id, GpuBudgetPoint gpu, DataBudgetPoint data, String augment, int repeat, ExperimentSpec spec) {

    static String id(GpuBudgetPoint gpu, DataBudgetPoint data, String augment, int repeat) {
        return gpu.id() + "_" + data.id() + "_" + augment.replaceAll("[^A-Za-z0-9+._-]", "_") + "_r" + repeat;
    }

    int gpuWorkers() {
        return spec.getGpuBudget().getGpuWorkers();
    }

    int dataWorkers() {
        return spec.getDataBudget().getDataWorkers();
    }
}
