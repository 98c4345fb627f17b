package tandem.app.grid;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tandem.protocol.SpecException;
import tandem.protocol.Specs;
import tandem.proto.EvalPoint;
import tandem.proto.ExperimentSpec;
import tandem.proto.LossPoint;

/**
 * The grid's output directory.
 *
 * <pre>
 *   grid.json          manifest: the base spec (the grid's identity) and the axes of the last run
 *   cells/ID.json      one finished cell (spec + summary), written the moment it finishes, never rewritten
 *   curves/ID.csv      its loss curve: train loss per step, validation bits/byte at each evaluation
 *   results.csv/.json  one row per cell of the current axes (results.json adds curves and fits)
 *   report.md, plots/  the report
 * </pre>
 *
 * Every file is written to a temporary name and renamed, so an interrupted grid never leaves half a file.
 */
final class ResultsStore {
    static final String MANIFEST = "grid.json";

    private final Path dir;

    ResultsStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path cellsDir() {
        return dir.resolve("cells");
    }

    Path plotsDir() {
        return dir.resolve("plots");
    }

    /**
     * Makes sure {@code dir} is this grid's (or new), then records the grid's base spec and axes. A
     * directory holding another grid's results, or anything that is not a grid, is refused before a byte is
     * written.
     */
    void claim(GridSpec grid) {
        Path manifest = dir.resolve(MANIFEST);
        if (Files.isRegularFile(manifest)) {
            ExperimentSpec stored = GridSpec.identity(readManifestBase());
            String difference = firstDifference(stored, grid.identity());
            if (difference != null) {
                throw new IllegalArgumentException(dir + " holds another grid's results (" + difference
                        + "); use another --out directory");
            }
        } else if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not empty and holds no grid (no " + MANIFEST
                    + "); use an empty or new --out directory");
        }
        Map<String, Object> axes = new LinkedHashMap<>();
        axes.put("gpuBudgets", grid.axes().gpu().stream().map(GpuBudgetPoint::token).toList());
        axes.put("dataBudgets", grid.axes().data().stream().map(DataBudgetPoint::token).toList());
        axes.put("augment", grid.axes().augment());
        axes.put("repeats", grid.axes().repeats());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("grid", 1);
        m.put("base", grid.base());
        m.put("axes", axes);
        write(manifest, Json.render(m) + "\n");
    }

    /** The base spec the manifest records (for {@code --report-only}). */
    ExperimentSpec readManifestBase() {
        Path manifest = dir.resolve(MANIFEST);
        try {
            return Specs.fromJson(Json.objectText(readObject(manifest), "base", manifest.toString()), manifest.toString());
        } catch (SpecException e) {
            throw new IllegalArgumentException(manifest + ": not a grid manifest (" + e.getMessage() + ")");
        }
    }

    /** The axes the manifest records, re-parsed (for {@code --report-only}). */
    GridAxes readManifestAxes() {
        Path manifest = dir.resolve(MANIFEST);
        String source = manifest.toString();
        Struct m = readObject(manifest);
        Value axesValue = Json.field(m, "axes", source);
        Struct axes = axesValue.getStructValue();
        String augment = String.join(",", Json.strings(axes, "augment", source));
        return GridAxes.parse(String.join(",", Json.strings(axes, "gpuBudgets", source)),
                String.join(",", Json.strings(axes, "dataBudgets", source)),
                augment.isEmpty() ? null : augment, Json.integer(axes, "repeats", source));
    }

    private static Struct readObject(Path file) {
        try {
            return Json.parseObject(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean hasManifest() {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    /**
     * The stored result of {@code cell}, if it finished in an earlier run. A stored file that does not read
     * back, or was trained with another spec, is an error: it is never silently rerun over.
     */
    Optional<CellResult> load(Cell cell) {
        Path file = cellFile(cell.id());
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        CellResult stored = read(file);
        if (!stored.spec().equals(cell.spec())) {
            throw new IllegalArgumentException(file + " was trained with another spec than this grid's cell "
                    + cell.id() + " (" + firstDifference(stored.spec(), cell.spec()) + "); move it away to rerun the cell");
        }
        return Optional.of(stored);
    }

    /** Saves a finished cell. Never replaces a stored one. */
    void save(CellResult result) {
        Path file = cellFile(result.id());
        if (Files.exists(file)) {
            // rename(2) would silently replace it; a finished cell's result is never overwritten.
            throw new IllegalStateException(file + " exists already; a finished cell is never overwritten");
        }
        write(file, result.toJson() + "\n");
        writeCurve(result);
    }

    private Path cellFile(String id) {
        return cellsDir().resolve(id + ".json");
    }

    static CellResult read(Path file) {
        try {
            return CellResult.fromJson(readObject(file), file.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; move it away to rerun the cell");
        }
    }

    /** Step, train loss and validation bits/byte, one line per step with either. */
    private void writeCurve(CellResult r) {
        Map<Long, String[]> byStep = new TreeMap<>();
        for (LossPoint p : r.summary().getLossesList()) {
            byStep.computeIfAbsent(p.getStep(), s -> new String[2])[0] = Double.toString(p.getTrainLoss());
        }
        for (EvalPoint p : r.summary().getEvalsList()) {
            byStep.computeIfAbsent(p.getStep(), s -> new String[2])[1] = Double.toString(p.getValBitsPerByte());
        }
        StringBuilder csv = new StringBuilder("step,train_loss_nats,val_bits_per_byte\n");
        byStep.forEach((step, v) -> csv.append(step).append(',').append(v[0] == null ? "" : v[0])
                .append(',').append(v[1] == null ? "" : v[1]).append('\n'));
        write(dir.resolve("curves").resolve(r.id() + ".csv"), csv.toString());
    }

    /** results.csv and results.json for {@code results} (the cells of the current axes). */
    void writeTables(List<CellResult> results, List<ScalingLawFit.Fit> fits) {
        StringBuilder csv = new StringBuilder();
        List<Object> cells = new ArrayList<>();
        for (CellResult r : results) {
            Map<String, Object> row = r.row();
            if (csv.isEmpty()) {
                csv.append(String.join(",", row.keySet())).append('\n');
            }
            csv.append(String.join(",", row.values().stream().map(ResultsStore::csvValue).toList())).append('\n');
            Map<String, Object> withCurves = new LinkedHashMap<>(row);
            withCurves.put("losses", r.summary().getLossesList().stream().map(p -> new double[] {p.getStep(), p.getTrainLoss()}).toList());
            withCurves.put("evals", r.summary().getEvalsList().stream().map(p -> new double[] {p.getStep(), p.getValBitsPerByte()}).toList());
            cells.add(withCurves);
        }
        write(dir.resolve("results.csv"), csv.toString());
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("cells", cells);
        all.put("fits", fits.stream().map(ScalingLawFit.Fit::toJson).toList());
        write(dir.resolve("results.json"), Json.render(all) + "\n");
    }

    private static String csvValue(Object v) {
        if (v instanceof Double d && !Double.isFinite(d)) {
            return "";
        }
        String s = String.valueOf(v);
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    void writeText(String name, String text) {
        write(dir.resolve(name), text);
    }

    static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            // Not createTempFile: its owner-only permissions would stick to the renamed file.
            Path tmp = parent.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The first field (in proto names, e.g. {@code data_budget.corpus}) where two specs differ, with both
     * values, or null if they are equal.
     */
    static String firstDifference(ExperimentSpec stored, ExperimentSpec now) {
        if (stored.equals(now)) {
            return null;
        }
        Map<String, String> a = flatten(stored);
        Map<String, String> b = flatten(now);
        TreeMap<String, String> keys = new TreeMap<>(a);
        keys.putAll(b);
        for (String key : keys.keySet()) {
            String was = a.getOrDefault(key, "unset");
            String is = b.getOrDefault(key, "unset");
            if (!was.equals(is)) {
                return key + " is " + is + " here but " + was + " there";
            }
        }
        return "the specs differ";
    }

    private static Map<String, String> flatten(ExperimentSpec spec) {
        Map<String, String> flat = new TreeMap<>();
        try {
            String json = JsonFormat.printer().preservingProtoFieldNames().print(spec);
            flatten("", Value.newBuilder().setStructValue(Json.parseObject(json, "spec")).build(), flat);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        return flat;
    }

    private static void flatten(String prefix, Value v, Map<String, String> out) {
        if (v.getKindCase() == Value.KindCase.STRUCT_VALUE) {
            v.getStructValue().getFieldsMap().forEach((k, x) -> flatten(prefix.isEmpty() ? k : prefix + "." + k, x, out));
        } else {
            out.put(prefix, switch (v.getKindCase()) {
                case STRING_VALUE -> v.getStringValue();
                case NUMBER_VALUE -> Json.render(v.getNumberValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                default -> Json.print(v);
            });
        }
    }
}
