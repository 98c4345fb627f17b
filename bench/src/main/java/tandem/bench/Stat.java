package tandem.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeats of one measurement: median, min and max (the bench reports all three). */
public record Stat(double median, double min, double max, List<Double> values) {

    public static Stat of(List<Double> values) {
        if (values.isEmpty()) {
            return new Stat(Double.NaN, Double.NaN, Double.NaN, List.of());
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stat(median, sorted.get(0), sorted.get(n - 1), List.copyOf(values));
    }

    public static Stat of(double... values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return of(list);
    }

    /**
     * Ratio of repeats run in alternation (repeat i of this over repeat i of the other): median and range of
     * the per-repeat ratios, so that a machine getting busier or quieter during the run cancels out.
     * Falls back to {@link #over} when the repeats do not pair up.
     */
    public Stat pairedOver(Stat denominator) {
        if (values.size() != denominator.values.size() || values.isEmpty()) {
            return over(denominator);
        }
        List<Double> ratios = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            ratios.add(values.get(i) / denominator.values.get(i));
        }
        return of(ratios);
    }

    /** Ratio of two measurements: median over median; the range pairs the extremes (worst and best case). */
    public Stat over(Stat denominator) {
        return new Stat(median / denominator.median, min / denominator.max, max / denominator.min, List.of());
    }

    public Stat times(double factor) {
        List<Double> scaled = new ArrayList<>(values.size());
        for (double v : values) {
            scaled.add(v * factor);
        }
        return factor >= 0 ? new Stat(median * factor, min * factor, max * factor, scaled)
                : new Stat(median * factor, max * factor, min * factor, scaled);
    }

    /** The sum of two independent measurements (medians add; extremes add). */
    public Stat plus(Stat other) {
        return new Stat(median + other.median, min + other.min, max + other.max, List.of());
    }

    /** {@code numerator / this}: e.g. bytes over seconds gives bytes/s (the extremes swap). */
    public Stat inverse(double numerator) {
        List<Double> inv = new ArrayList<>(values.size());
        for (double v : values) {
            inv.add(numerator / v);
        }
        return new Stat(numerator / median, numerator / max, numerator / min, inv);
    }

    public boolean isEmpty() {
        return values.isEmpty() && Double.isNaN(median);
    }
}
