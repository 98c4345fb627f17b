package tandem.app.grid;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The finished cells arranged as a grid: the levels of each axis in increasing order, the mean over
 * repeats at each (policy, GPU budget, data budget), and one fitted law per augmentation policy. Works
 * from cell results alone, so a report can be drawn from stored cells without the command line that
 * made them.
 */
final class GridAnalysis {

    /** The mean over repeats of one grid point. */
    record Point(String policy, String gpuBudget, String dataBudget, double valBitsPerByte, double compute,
                 double uniqueBytes, int repeats) {}

    private final List<CellResult> results;
    private final List<String> policies;
    private final List<String> gpuBudgets;
    private final List<String> dataBudgets;
    private final Map<String, Point> points = new LinkedHashMap<>();
    private final Map<String, ScalingLawFit.Fit> fits = new LinkedHashMap<>();

    GridAnalysis(List<CellResult> results) {
        this.results = List.copyOf(results);
        this.policies = List.copyOf(new LinkedHashSet<>(results.stream().map(CellResult::augment).toList()));
        // GPU budgets in order of the compute they bought (steps and wall-clock budgets can be mixed).
        this.gpuBudgets = ordered(results, CellResult::gpuBudget, CellResult::compute);
        this.dataBudgets = ordered(results, CellResult::dataBudget, CellResult::uniqueBytes);
        for (String policy : policies) {
            for (String gpu : gpuBudgets) {
                for (String data : dataBudgets) {
                    List<CellResult> cells = results.stream().filter(r -> r.augment().equals(policy)
                            && r.gpuBudget().equals(gpu) && r.dataBudget().equals(data)).toList();
                    if (!cells.isEmpty()) {
                        points.put(key(policy, gpu, data), new Point(policy, gpu, data,
                                mean(cells, CellResult::valBitsPerByte), mean(cells, CellResult::compute),
                                mean(cells, CellResult::uniqueBytes), cells.size()));
                    }
                }
            }
            List<CellResult> mine = results(policy);
            List<ScalingLawFit.Point> fitPoints = mine.stream()
                    .map(r -> new ScalingLawFit.Point(r.compute(), r.uniqueBytes(), r.valBitsPerByte())).toList();
            int computeLevels = (int) mine.stream().map(CellResult::gpuBudget).distinct().count();
            int dataLevels = (int) mine.stream().map(CellResult::dataBudget).distinct().count();
            fits.put(policy, ScalingLawFit.fit(policy, fitPoints, computeLevels, dataLevels));
        }
    }

    List<CellResult> results() {
        return results;
    }

    List<CellResult> results(String policy) {
        return results.stream().filter(r -> r.augment().equals(policy)).toList();
    }

    List<String> policies() {
        return policies;
    }

    List<String> gpuBudgets() {
        return gpuBudgets;
    }

    List<String> dataBudgets() {
        return dataBudgets;
    }

    Optional<Point> point(String policy, String gpu, String data) {
        return Optional.ofNullable(points.get(key(policy, gpu, data)));
    }

    ScalingLawFit.Fit fit(String policy) {
        return fits.get(policy);
    }

    List<ScalingLawFit.Fit> fits() {
        return new ArrayList<>(fits.values());
    }

    /** The largest grid point of {@code policy} that finished: the most data, then the most compute. */
    Optional<Point> largest(String policy) {
        return points.values().stream().filter(p -> p.policy().equals(policy))
                .max(Comparator.comparingDouble(Point::uniqueBytes).thenComparingDouble(Point::compute));
    }

    /** The source's entropy floor in bits/byte, or NaN when the corpus has none (real text). */
    double entropyFloor() {
        return results.stream().mapToDouble(r -> r.summary().getEntropyFloorBitsPerByte())
                .filter(Double::isFinite).average().orElse(Double.NaN);
    }

    static String gpuLabel(String token) {
        return GpuBudgetPoint.parse(token).label();
    }

    static String dataLabel(String token) {
        return DataBudgetPoint.parse(token).label();
    }

    private static String key(String policy, String gpu, String data) {
        return policy + "|" + gpu + "|" + data;
    }

    private static List<String> ordered(List<CellResult> results, java.util.function.Function<CellResult, String> level,
                                        java.util.function.ToDoubleFunction<CellResult> size) {
        Map<String, List<CellResult>> byLevel = new LinkedHashMap<>();
        results.forEach(r -> byLevel.computeIfAbsent(level.apply(r), k -> new ArrayList<>()).add(r));
        return byLevel.entrySet().stream()
                .sorted(Comparator.comparingDouble(e -> e.getValue().stream().mapToDouble(size).average().orElse(0)))
                .map(Map.Entry::getKey).toList();
    }

    private static double mean(List<CellResult> cells, java.util.function.ToDoubleFunction<CellResult> f) {
        return cells.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
