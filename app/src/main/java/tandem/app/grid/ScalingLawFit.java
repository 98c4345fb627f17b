package tandem.app.grid;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresProblem;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.apache.commons.math3.util.Pair;

/**
 * Fits the loss of a grid to {@code L(C, D) = E + A / C^a + B / D^b} (C = compute as tokens trained,
 * D = unique bytes of data), by nonlinear least squares (Levenberg-Marquardt), the form of Hoffmann et
 * al.'s "Chinchilla" law.
 *
 * <p>Five parameters need a grid that can pin them down: at least 3 levels on each axis and more cells than
 * parameters. Smaller grids get the richest model they support, in this order:
 * <ol>
 *   <li>{@link Model#POWER_LAW}: 5 parameters (3+ levels per axis, 6+ cells);
 *   <li>{@link Model#SHARED_EXPONENT}: {@code E + A/C^k + B/D^k}, 4 parameters (2+ levels per axis and 3 on
 *       one, 5+ cells);
 *   <li>{@link Model#LOG_LINEAR}: {@code L = K - p log2 C - q log2 D}, 3 parameters, a local plane in log
 *       space (2+ levels per axis, 4+ cells): p and q are directly the gains from doubling;
 *   <li>{@link Model#NONE}: not fitted.
 * </ol>
 * If a simpler model fits at least as well as a richer one (lower residual), the simpler one is kept.
 */
final class ScalingLawFit {
    private ScalingLawFit() {}

    /** One measured cell: compute C (tokens), data D (unique bytes), loss L (validation bits/byte). */
    record Point(double compute, double data, double loss) {}

    enum Model {
        POWER_LAW("L = E + A/C^a + B/D^b", 5),
        SHARED_EXPONENT("L = E + A/C^k + B/D^k", 4),
        LOG_LINEAR("L = K - p log2(C) - q log2(D)", 3),
        NONE("not fitted", 0);

        final String formula;
        final int parameters;

        Model(String formula, int parameters) {
            this.formula = formula;
            this.parameters = parameters;
        }
    }

    /** Exponents are kept in this range: negative ones would mean more budget hurts, huge ones are noise. */
    private static final double MIN_EXPONENT = 1e-3;
    private static final double MAX_EXPONENT = 4;
    private static final double[] EXPONENT_STARTS = {0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0};

    /**
     * A fitted law.
     *
     * @param params for the power laws {E, A, a, B, b} in original units (shared exponent: a = b = k); for
     *               the log-linear model {K, p, q}; empty when not fitted
     * @param r2     coefficient of determination over the points
     * @param rmse   root mean square residual, bits/byte
     * @param notes  why richer models were not used, in plain words
     */
    record Fit(String policy, Model model, double[] params, double r2, double rmse, int n, List<String> notes) {

        boolean fitted() {
            return model != Model.NONE;
        }

        double predict(double c, double d) {
            return switch (model) {
                case POWER_LAW, SHARED_EXPONENT -> params[0] + params[1] / Math.pow(c, params[2]) + params[3] / Math.pow(d, params[4]);
                case LOG_LINEAR -> params[0] - params[1] * log2(c) - params[2] * log2(d);
                case NONE -> Double.NaN;
            };
        }

        /** Predicted drop of L when compute doubles at (c, d); negative if the law predicts a rise. */
        double gainFromDoublingCompute(double c, double d) {
            return predict(c, d) - predict(2 * c, d);
        }

        double gainFromDoublingData(double c, double d) {
            return predict(c, d) - predict(c, 2 * d);
        }

        /** The law with its numbers, e.g. {@code L = 1.52 + 31.4/C^0.301 + 52.1/D^0.352}. */
        String equation() {
            return switch (model) {
                case POWER_LAW, SHARED_EXPONENT -> String.format(Locale.ROOT, "L = %s + %s/C^%s + %s/D^%s",
                        g(params[0]), g(params[1]), g(params[2]), g(params[3]), g(params[4]));
                case LOG_LINEAR -> String.format(Locale.ROOT, "L = %s %s %s log2(C) %s %s log2(D)", g(params[0]),
                        params[1] < 0 ? "+" : "-", g(Math.abs(params[1])), params[2] < 0 ? "+" : "-", g(Math.abs(params[2])));
                case NONE -> "not fitted";
            };
        }

        /** For results.json. */
        Map<String, Object> toJson() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("augment", policy);
            o.put("model", model.name().toLowerCase(Locale.ROOT));
            o.put("formula", model.formula);
            String[] names = model == Model.LOG_LINEAR ? new String[] {"K", "p", "q"} : new String[] {"E", "A", "a", "B", "b"};
            Map<String, Object> p = new LinkedHashMap<>();
            for (int i = 0; i < params.length; i++) {
                p.put(names[i], params[i]);
            }
            o.put("params", p);
            o.put("r2", r2);
            o.put("rmse", rmse);
            o.put("points", n);
            o.put("notes", notes);
            return o;
        }
    }

    /**
     * Fits {@code points} of one augmentation policy.
     *
     * @param computeLevels distinct GPU budgets among the points (wall-clock cells give every point its own
     *                      C, so levels are counted by budget, not by value)
     * @param dataLevels    distinct data budgets among the points
     */
    static Fit fit(String policy, List<Point> points, int computeLevels, int dataLevels) {
        List<Point> usable = points.stream()
                .filter(p -> p.compute() > 0 && p.data() > 0 && Double.isFinite(p.loss())).toList();
        int n = usable.size();
        String shape = computeLevels + " GPU budget(s) x " + dataLevels + " data budget(s), " + n + " cell(s)";
        List<String> notes = new ArrayList<>();
        List<Fit> candidates = new ArrayList<>();

        if (computeLevels >= 3 && dataLevels >= 3 && n >= 6) {
            tryFit(() -> powerLaw(policy, usable, false), "5-parameter law", notes, candidates);
        } else {
            notes.add("grid too small for the 5-parameter law (needs 3+ GPU budgets, 3+ data budgets, 6+ cells; has " + shape + ")");
        }
        if (computeLevels >= 2 && dataLevels >= 2 && computeLevels + dataLevels >= 5 && n >= 5) {
            tryFit(() -> powerLaw(policy, usable, true), "shared-exponent law", notes, candidates);
        } else if (candidates.isEmpty()) {
            notes.add("grid too small for the 4-parameter shared-exponent law (needs 2+ budgets per axis, 3 on one, 5+ cells)");
        }
        if (computeLevels >= 2 && dataLevels >= 2 && n >= 4) {
            tryFit(() -> logLinear(policy, usable), "log-linear fit", notes, candidates);
        } else if (candidates.isEmpty()) {
            notes.add("not fitted: needs at least 2 GPU budgets and 2 data budgets, 4+ cells (has " + shape + ")");
        }
        if (candidates.isEmpty()) {
            return new Fit(policy, Model.NONE, new double[0], Double.NaN, Double.NaN, n, List.copyOf(notes));
        }
        Fit chosen = candidates.get(0);
        for (Fit simpler : candidates.subList(1, candidates.size())) {
            if (simpler.rmse() <= chosen.rmse()) {
                chosen = simpler;
            }
        }
        if (chosen != candidates.get(0)) {
            notes.add("kept " + chosen.model().formula + ": it fits as well as the richer model(s) with fewer parameters");
        }
        for (Fit other : candidates) {
            if (other != chosen) {
                notes.add(String.format(Locale.ROOT, "also fitted %s: R^2 %.3f, RMSE %.4f",
                        other.model().formula, other.r2(), other.rmse()));
            }
        }
        return new Fit(policy, chosen.model(), chosen.params(), chosen.r2(), chosen.rmse(), n, List.copyOf(notes));
    }

    private interface Attempt {
        Fit run();
    }

    private static void tryFit(Attempt attempt, String what, List<String> notes, List<Fit> candidates) {
        try {
            Fit fit = attempt.run();
            boolean finite = Double.isFinite(fit.rmse());
            for (double p : fit.params()) {
                finite &= Double.isFinite(p);
            }
            if (finite) {
                candidates.add(fit);
            } else {
                notes.add(what + " did not converge to finite values");
            }
        } catch (MathIllegalStateException | SingularMatrixException e) {
            notes.add(what + " did not converge (" + e.getClass().getSimpleName() + ")");
        }
    }

    // ---- E + A/C^a + B/D^b -----------------------------------------------------------------------------

    /**
     * Works on C and D divided by their geometric means, so that the coefficients are of the size of the
     * losses (A/C^a with C = 10^6 would otherwise need A in the hundreds and a badly scaled Jacobian); the
     * result is converted back: A = A' * C0^a.
     */
    private static Fit powerLaw(String policy, List<Point> points, boolean shared) {
        int n = points.size();
        double c0 = geometricMean(points.stream().mapToDouble(Point::compute).toArray());
        double d0 = geometricMean(points.stream().mapToDouble(Point::data).toArray());
        double[] c = points.stream().mapToDouble(p -> p.compute() / c0).toArray();
        double[] d = points.stream().mapToDouble(p -> p.data() / d0).toArray();
        double[] y = points.stream().mapToDouble(Point::loss).toArray();

        // Parameters: {E, A', a, B', b}; with a shared exponent b is tied to a (4 free parameters).
        MultivariateJacobianFunction model = p -> {
            double[] q = expand(p.toArray(), shared);
            RealVector value = new ArrayRealVector(n);
            RealMatrix jacobian = new Array2DRowRealMatrix(n, shared ? 4 : 5);
            for (int i = 0; i < n; i++) {
                double ca = Math.pow(c[i], -q[2]);
                double db = Math.pow(d[i], -q[4]);
                value.setEntry(i, q[0] + q[1] * ca + q[3] * db);
                double dA = -q[1] * ca * Math.log(c[i]);
                double dB = -q[3] * db * Math.log(d[i]);
                jacobian.setEntry(i, 0, 1);
                jacobian.setEntry(i, 1, ca);
                if (shared) {
                    jacobian.setEntry(i, 2, db);
                    jacobian.setEntry(i, 3, dA + dB);
                } else {
                    jacobian.setEntry(i, 2, dA);
                    jacobian.setEntry(i, 3, db);
                    jacobian.setEntry(i, 4, dB);
                }
            }
            return new Pair<>(value, jacobian);
        };
        LeastSquaresProblem problem = new LeastSquaresBuilder()
                .start(compress(start(c, d, y, shared), shared))
                .model(model)
                .target(y)
                .parameterValidator(p -> new ArrayRealVector(compress(clamp(expand(p.toArray(), shared)), shared)))
                .maxEvaluations(20_000)
                .maxIterations(20_000)
                .build();
        LeastSquaresOptimizer.Optimum optimum = new LevenbergMarquardtOptimizer().optimize(problem);
        double[] q = expand(optimum.getPoint().toArray(), shared);
        double[] params = {q[0], q[1] * Math.pow(c0, q[2]), q[2], q[3] * Math.pow(d0, q[4]), q[4]};
        return scored(policy, shared ? Model.SHARED_EXPONENT : Model.POWER_LAW, params, points);
    }

    /** Shared exponent: the optimizer sees {E, A', B', k}; the model reads {E, A', k, B', k}. */
    private static double[] expand(double[] p, boolean shared) {
        return shared ? new double[] {p[0], p[1], p[3], p[2], p[3]} : p;
    }

    private static double[] compress(double[] q, boolean shared) {
        return shared ? new double[] {q[0], q[1], q[3], q[2]} : q;
    }

    private static double[] clamp(double[] q) {
        double[] r = q.clone();
        r[1] = Math.max(0, r[1]);
        r[3] = Math.max(0, r[3]);
        r[2] = Math.min(MAX_EXPONENT, Math.max(MIN_EXPONENT, r[2]));
        r[4] = Math.min(MAX_EXPONENT, Math.max(MIN_EXPONENT, r[4]));
        return r;
    }

    /**
     * A starting point: with the exponents fixed the law is linear in E, A', B', so try a grid of exponents,
     * solve each by linear least squares and start from the best (preferring non-negative A', B').
     */
    private static double[] start(double[] c, double[] d, double[] y, boolean shared) {
        double[] best = null;
        double bestRss = Double.POSITIVE_INFINITY;
        boolean bestPhysical = false;
        for (double a : EXPONENT_STARTS) {
            for (double b : EXPONENT_STARTS) {
                if (shared && a != b) {
                    continue;
                }
                double[][] x = new double[y.length][];
                for (int i = 0; i < y.length; i++) {
                    x[i] = new double[] {1, Math.pow(c[i], -a), Math.pow(d[i], -b)};
                }
                double[] coef;
                try {
                    coef = solve(x, y);
                } catch (SingularMatrixException e) {
                    continue;
                }
                double rss = 0;
                for (int i = 0; i < y.length; i++) {
                    double r = y[i] - (coef[0] + coef[1] * x[i][1] + coef[2] * x[i][2]);
                    rss += r * r;
                }
                boolean physical = coef[1] >= 0 && coef[2] >= 0;
                if ((physical && !bestPhysical) || (physical == bestPhysical && rss < bestRss)) {
                    best = new double[] {coef[0], coef[1], a, coef[2], b};
                    bestRss = rss;
                    bestPhysical = physical;
                }
            }
        }
        if (best == null) {
            throw new SingularMatrixException();
        }
        return clamp(best);
    }

    // ---- K - p log2 C - q log2 D -------------------------------------------------------------------------

    private static Fit logLinear(String policy, List<Point> points) {
        double[][] x = points.stream().map(p -> new double[] {1, -log2(p.compute()), -log2(p.data())}).toArray(double[][]::new);
        double[] y = points.stream().mapToDouble(Point::loss).toArray();
        return scored(policy, Model.LOG_LINEAR, solve(x, y), points);
    }

    // ---- shared ----------------------------------------------------------------------------------------

    private static Fit scored(String policy, Model model, double[] params, List<Point> points) {
        Fit fit = new Fit(policy, model, params, Double.NaN, Double.NaN, points.size(), List.of());
        double mean = points.stream().mapToDouble(Point::loss).average().orElse(Double.NaN);
        double rss = 0;
        double tss = 0;
        for (Point p : points) {
            double r = p.loss() - fit.predict(p.compute(), p.data());
            rss += r * r;
            tss += (p.loss() - mean) * (p.loss() - mean);
        }
        double r2 = tss > 0 ? 1 - rss / tss : Double.NaN;
        return new Fit(policy, model, params, r2, Math.sqrt(rss / points.size()), points.size(), List.of());
    }

    /** Least squares via QR: the coefficients minimising |x b - y|. */
    private static double[] solve(double[][] x, double[] y) {
        return new QRDecomposition(new Array2DRowRealMatrix(x, false)).getSolver().solve(new ArrayRealVector(y, false)).toArray();
    }

    private static double geometricMean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.log(x);
        }
        return Math.exp(s / v.length);
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static String g(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
