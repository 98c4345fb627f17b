package tandem.app.grid;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The axes of a grid: GPU budgets x data budgets x augmentation policies x repeats. Parsed from the
 * comma-separated command-line lists; every list must be non-empty and free of repeats.
 *
 * @param augment augmentation presets, or empty to keep the base spec's policy (one level)
 * @param repeats runs per cell, each with its own seed (base seed + repeat index)
 */
record GridAxes(List<GpuBudgetPoint> gpu, List<DataBudgetPoint> data, List<String> augment, int repeats) {
    private static final Pattern POLICY_NAME = Pattern.compile("[A-Za-z0-9+._-]+");

    GridAxes {
        gpu = List.copyOf(gpu);
        data = List.copyOf(data);
        augment = List.copyOf(augment);
    }

    /**
     * @param gpuBudgets  e.g. {@code 200,400,800} or {@code 30s,60s@4}
     * @param dataBudgets e.g. {@code 100k,1M,4M}
     * @param augment     e.g. {@code none,eda}, or null for the base spec's policy
     */
    static GridAxes parse(String gpuBudgets, String dataBudgets, String augment, int repeats) {
        List<GpuBudgetPoint> gpu = list("--gpu-budgets", gpuBudgets, GpuBudgetPoint::parse, GpuBudgetPoint::token);
        List<DataBudgetPoint> data = list("--data-budgets", dataBudgets, DataBudgetPoint::parse, DataBudgetPoint::token);
        List<String> policies = augment == null ? List.of() : list("--augment", augment, GridAxes::policy, p -> p);
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats: must be at least 1, got " + repeats);
        }
        return new GridAxes(gpu, data, policies, repeats);
    }

    int cellCount() {
        return gpu.size() * data.size() * Math.max(1, augment.size()) * repeats;
    }

    private static String policy(String name) {
        String n = name.strip();
        if (!POLICY_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("--augment: '" + name + "' is not a preset name (e.g. none, eda, noise, eda+noise)");
        }
        return n;
    }

    /** Splits {@code text} on commas; an empty list, an empty item or one given twice is an error. */
    private static <T> List<T> list(String flag, String text, Function<String, T> parse, Function<T, String> canonical) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(flag + ": empty list; give at least one value");
        }
        List<T> values = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String item : text.split(",", -1)) {
            if (item.isBlank()) {
                throw new IllegalArgumentException(flag + ": empty item in '" + text + "'");
            }
            T value = parse.apply(item);
            if (!seen.add(canonical.apply(value))) {
                throw new IllegalArgumentException(flag + ": '" + item.strip() + "' is given twice");
            }
            values.add(value);
        }
        return values;
    }
}
