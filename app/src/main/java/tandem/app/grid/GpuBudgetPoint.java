package tandem.app.grid;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tandem.proto.ExperimentSpec;

/**
 * One value of the GPU-budget axis: either compute (a number of optimizer steps, so steps x global batch
 * examples) or wall-clock seconds, optionally with its own number of GPU workers.
 *
 * <pre>
 *   200        200 optimizer steps (gpu_budget.max_steps)
 *   2k         2000 steps
 *   30s, 2m    30 seconds, 2 minutes of wall clock (gpu_budget.max_wall_seconds; max_steps set huge)
 *   60s@4      ... with 4 GPU workers (gpu_budget.gpu_workers); without "@N" the spec's count is used
 * </pre>
 *
 * @param steps       optimizer steps, or 0 for a wall-clock budget
 * @param wallSeconds wall-clock seconds, or 0 for a step budget
 * @param gpuWorkers  GPU workers for this budget, or 0 for the base spec's
 */
record GpuBudgetPoint(long steps, double wallSeconds, int gpuWorkers) {

    /**
     * A wall-clock cell must not stop on steps; the step limit is set this high instead. The cosine LR
     * schedule runs over max_steps unless the spec sets optimizer.decay_steps (see docs/grid.md).
     */
    static final long WALL_CLOCK_MAX_STEPS = 1_000_000_000L;

    private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKsSmMhH]?)(?:@(\\d+))?");

    static GpuBudgetPoint parse(String token) {
        Matcher m = SYNTAX.matcher(token.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--gpu-budgets: '" + token
                    + "' is neither steps (200, 2k) nor wall-clock time (30s, 2m, 1h), optionally with @GPU_WORKERS");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        int workers = m.group(3) == null ? 0 : parseWorkers(m.group(3), token);
        GpuBudgetPoint point;
        switch (unit) {
            case "", "k" -> {
                double steps = amount * (unit.isEmpty() ? 1 : 1000);
                if (steps != Math.rint(steps)) {
                    throw new IllegalArgumentException("--gpu-budgets: '" + token + "' is not a whole number of steps");
                }
                point = new GpuBudgetPoint((long) steps, 0, workers);
            }
            default -> {
                double seconds = amount * switch (unit) {
                    case "m" -> 60;
                    case "h" -> 3600;
                    default -> 1;
                };
                point = new GpuBudgetPoint(0, seconds, workers);
            }
        }
        if (point.steps == 0 && point.wallSeconds == 0) {
            throw new IllegalArgumentException("--gpu-budgets: '" + token + "' is zero; a budget must be positive");
        }
        return point;
    }

    private static int parseWorkers(String digits, String token) {
        try {
            int n = Integer.parseInt(digits);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("--gpu-budgets: '" + token + "': GPU workers after @ must be at least 1");
    }

    boolean isWallClock() {
        return wallSeconds > 0;
    }

    /** The canonical spelling, stored in manifests and cell files: {@code 200}, {@code 30s@4}. */
    String token() {
        String amount = isWallClock() ? Units.seconds(wallSeconds) + "s" : Long.toString(steps);
        return gpuWorkers == 0 ? amount : amount + "@" + gpuWorkers;
    }

    /** The part of a cell id: {@code steps200}, {@code wall30s-gpu4}; file-name safe. */
    String id() {
        String amount = isWallClock() ? "wall" + Units.seconds(wallSeconds).replace('.', '_') + "s" : "steps" + steps;
        return gpuWorkers == 0 ? amount : amount + "-gpu" + gpuWorkers;
    }

    /** For tables and plots: {@code 200 steps}, {@code 30 s x 4 GPU}. */
    String label() {
        String amount = isWallClock() ? Units.seconds(wallSeconds) + " s" : steps + " steps";
        return gpuWorkers == 0 ? amount : amount + " x " + gpuWorkers + " GPU";
    }

    /** Sets the GPU budget of a cell's spec; the base spec's other gpu_budget fields stay. */
    void applyTo(ExperimentSpec.Builder spec) {
        var budget = spec.getGpuBudgetBuilder();
        if (isWallClock()) {
            budget.setMaxSteps(WALL_CLOCK_MAX_STEPS).setMaxWallSeconds(wallSeconds);
        } else {
            budget.setMaxSteps(steps).setMaxWallSeconds(0);
        }
        if (gpuWorkers > 0) {
            budget.setGpuWorkers(gpuWorkers);
        }
    }
}
