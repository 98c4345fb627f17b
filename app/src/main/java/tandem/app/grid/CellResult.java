package tandem.app.grid;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;
import tandem.proto.Summary;

/**
 * A finished cell: where it sits in the grid, the spec it trained and the run's summary. Stored as one
 * JSON file per cell; spec and summary are written with protobuf's JsonFormat, so they read back exactly.
 *
 * @param gpuBudget  the GPU budget's canonical token ({@link GpuBudgetPoint#token()})
 * @param dataBudget the data budget's canonical token ({@link DataBudgetPoint#token()})
 */
record CellResult(String id, String gpuBudget, String dataBudget, String augment, int repeat,
                  ExperimentSpec spec, Summary summary) {

    static CellResult of(Cell cell, Summary summary) {
        return new CellResult(cell.id(), cell.gpu().token(), cell.data().token(), cell.augment(), cell.repeat(),
                cell.spec(), summary);
    }

    GpuBudgetPoint gpu() {
        return GpuBudgetPoint.parse(gpuBudget);
    }

    DataBudgetPoint data() {
        return DataBudgetPoint.parse(dataBudget);
    }

    /** GPU workers the cell was given (local mode starts exactly these). */
    int gpuWorkers() {
        return spec.getGpuBudget().getGpuWorkers();
    }

    /** Wall seconds x GPU workers: what the cell cost in GPU time, idle waiting included. */
    double gpuSeconds() {
        return summary.getWallSeconds() * gpuWorkers();
    }

    /** Compute C of the scaling law: tokens trained (= steps x global batch x context). */
    double compute() {
        return summary.getTokens();
    }

    /** Data D of the scaling law: unique bytes actually in use (resolves "all"). */
    double uniqueBytes() {
        return summary.getUniqueBytes();
    }

    double valBitsPerByte() {
        return summary.getFinalValBitsPerByte();
    }

    /** One row of results.csv / results.json; the single place that names the columns. */
    Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", id);
        row.put("augment", augment);
        row.put("repeat", repeat);
        row.put("gpu_budget", gpuBudget);
        row.put("data_budget", dataBudget);
        row.put("gpu_workers", gpuWorkers());
        row.put("steps", summary.getSteps());
        row.put("tokens", summary.getTokens());
        row.put("unique_bytes", summary.getUniqueBytes());
        row.put("epochs", summary.getEpochs());
        row.put("augmented_views", summary.getAugmentedViews());
        row.put("wall_seconds", summary.getWallSeconds());
        row.put("gpu_seconds", gpuSeconds());
        row.put("train_loss_nats", summary.getFinalTrainLoss());
        row.put("val_bits_per_byte", summary.getFinalValBitsPerByte());
        row.put("entropy_floor_bits_per_byte", summary.getEntropyFloorBitsPerByte());
        row.put("data_stall", summary.getDataStall());
        row.put("stop_reason", summary.getStopReason());
        return row;
    }

    /** The cell file's JSON: where the cell sits, then its spec and summary as JsonFormat writes them. */
    String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("cell", id);
        o.put("gpuBudget", gpuBudget);
        o.put("dataBudget", dataBudget);
        o.put("augment", augment);
        o.put("repeat", repeat);
        o.put("spec", spec);
        o.put("summary", summary);
        return Json.render(o);
    }

    /** @throws IllegalArgumentException naming {@code source} and what is missing or malformed */
    static CellResult fromJson(Struct o, String source) {
        try {
            ExperimentSpec spec = Specs.fromJson(Json.objectText(o, "spec", source), source);
            Summary.Builder summary = Summary.newBuilder();
            JsonFormat.parser().merge(Json.objectText(o, "summary", source), summary);
            return new CellResult(Json.string(o, "cell", source), Json.string(o, "gpuBudget", source),
                    Json.string(o, "dataBudget", source), Json.string(o, "augment", source),
                    Json.integer(o, "repeat", source), spec, summary.build());
        } catch (SpecException | InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(source + ": not a grid cell result (" + Specs.jsonProblem(e) + ")");
        }
    }
}
