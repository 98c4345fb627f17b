package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fit, on losses made from known constants: no training. */
class ScalingLawFitTest {
    private static final double E = 1.6;
    private static final double A = 40;
    private static final double ALPHA = 0.3;
    private static final double B = 90;
    private static final double BETA = 0.4;

    private static double law(double c, double d) {
        return E + A / Math.pow(c, ALPHA) + B / Math.pow(d, BETA);
    }

    private static List<ScalingLawFit.Point> grid(double[] cs, double[] ds) {
        List<ScalingLawFit.Point> points = new ArrayList<>();
        for (double c : cs) {
            for (double d : ds) {
                points.add(new ScalingLawFit.Point(c, d, law(c, d)));
            }
        }
        return points;
    }

    @Test
    void recoversKnownConstantsWithinFivePercent() {
        // C: tokens (steps x batch x context), D: unique bytes, as a real grid would have them.
        double[] cs = {2e5, 4e5, 8e5, 1.6e6};
        double[] ds = {1e5, 3e5, 1e6, 4e6};
        ScalingLawFit.Fit fit = ScalingLawFit.fit("none", grid(cs, ds), cs.length, ds.length);

        assertEquals(ScalingLawFit.Model.POWER_LAW, fit.model(), fit.notes().toString());
        double[] expected = {E, A, ALPHA, B, BETA};
        String[] names = {"E", "A", "a", "B", "b"};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], fit.params()[i], 0.05 * expected[i], names[i] + " of " + fit.equation());
        }
        assertTrue(fit.r2() > 0.999, "R^2 " + fit.r2());
        assertTrue(fit.rmse() < 1e-3, "RMSE " + fit.rmse());
        // The gains from doubling follow from the law itself.
        double c = 1.6e6;
        double d = 4e6;
        assertEquals(law(c, d) - law(2 * c, d), fit.gainFromDoublingCompute(c, d), 1e-3);
        assertEquals(law(c, d) - law(c, 2 * d), fit.gainFromDoublingData(c, d), 1e-3);
    }

    @Test
    void recoversConstantsOnAThreeByThreeGridWithSmallNoise() {
        double[] cs = {3e5, 6e5, 1.2e6};
        double[] ds = {1e5, 5e5, 2.5e6};
        List<ScalingLawFit.Point> points = new ArrayList<>();
        int i = 0;
        for (ScalingLawFit.Point p : grid(cs, ds)) {
            double noise = ((i++ % 3) - 1) * 1e-4; // deterministic +-0.0001 bits/byte
            points.add(new ScalingLawFit.Point(p.compute(), p.data(), p.loss() + noise));
        }
        ScalingLawFit.Fit fit = ScalingLawFit.fit("none", points, 3, 3);
        assertEquals(ScalingLawFit.Model.POWER_LAW, fit.model(), fit.notes().toString());
        assertTrue(fit.r2() > 0.999, "R^2 " + fit.r2());
        double c = 1.2e6;
        double d = 2.5e6;
        assertEquals(law(c, d) - law(2 * c, d), fit.gainFromDoublingCompute(c, d), 0.01);
        assertEquals(law(c, d) - law(c, 2 * d), fit.gainFromDoublingData(c, d), 0.01);
    }

    @Test
    void twoByTwoGridFallsBackToTheLogLinearPlane() {
        double[] cs = {4e5, 8e5};
        double[] ds = {1e5, 2e5};
        ScalingLawFit.Fit fit = ScalingLawFit.fit("none", grid(cs, ds), 2, 2);
        assertEquals(ScalingLawFit.Model.LOG_LINEAR, fit.model());
        assertTrue(fit.notes().get(0).contains("too small for the 5-parameter law"), fit.notes().toString());
        // On a 2x2 grid whose budgets double, the plane reproduces the measured doubling gains on average.
        double measuredCompute = ((law(4e5, 1e5) - law(8e5, 1e5)) + (law(4e5, 2e5) - law(8e5, 2e5))) / 2;
        assertEquals(measuredCompute, fit.gainFromDoublingCompute(4e5, 1e5), 1e-9);
    }

    @Test
    void oneDataBudgetIsNotFitted() {
        ScalingLawFit.Fit fit = ScalingLawFit.fit("none", grid(new double[] {1e5, 2e5, 4e5}, new double[] {1e5}), 3, 1);
        assertFalse(fit.fitted());
        assertTrue(fit.notes().stream().anyMatch(n -> n.startsWith("not fitted")), fit.notes().toString());
        assertTrue(Double.isNaN(fit.gainFromDoublingData(1e5, 1e5)));
    }
}
