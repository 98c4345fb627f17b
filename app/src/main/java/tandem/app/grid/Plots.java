package tandem.app.grid;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tandem.proto.EvalPoint;
import tandem.proto.LossPoint;
import tandem.proto.Summary;

/**
 * The report's PNG plots, drawn with XChart into {@code plots/}. One set per augmentation policy:
 * <ul>
 *   <li>{@code heatmap-P.png}: validation bits/byte over the (GPU budget, data budget) grid;
 *   <li>{@code loss-curves-P.png}: train loss (smoothed) and validation bits/byte against step;
 *   <li>{@code val-vs-epochs-P.png}: validation bits/byte against epochs over unique data (overfitting shows
 *       as a curve turning up);
 *   <li>{@code fit-P.png}: measured validation bits/byte against compute, one colour per data budget, with
 *       the fitted law's curves through them.
 * </ul>
 * In every plot a colour is a data budget, and where GPU budgets share a plot a line style is a GPU budget.
 * On a source with a known entropy rate (the synthetic corpus) the plots draw it as a black dashed floor.
 */
final class Plots {
    static {
        // Charts are drawn into images on machines without a display (servers, CI, containers).
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final double LN2 = Math.log(2);
    private static final Color[] COLORS = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    private static final BasicStroke[] STROKES = {SeriesLines.SOLID, SeriesLines.DASH_DASH, SeriesLines.DOT_DOT, SeriesLines.DASH_DOT};

    private final GridAnalysis grid;
    private final Path dir;

    Plots(GridAnalysis grid, Path dir) {
        this.grid = grid;
        this.dir = dir;
    }

    /** The file name of a plot for {@code policy}, relative to the plots directory. */
    static String file(String kind, String policy) {
        return kind + "-" + policy.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }

    /** Draws every plot; returns the files written (relative names). */
    List<String> drawAll() {
        List<String> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (String policy : grid.policies()) {
                files.add(save(heatmap(policy), file("heatmap", policy)));
                files.add(save(lossCurves(policy), file("loss-curves", policy)));
                files.add(save(valVsEpochs(policy), file("val-vs-epochs", policy)));
                if (grid.fit(policy).fitted()) {
                    files.add(save(fit(policy), file("fit", policy)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    HeatMapChart heatmap(String policy) {
        List<String> gpu = grid.gpuBudgets();
        List<String> data = grid.dataBudgets();
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Validation bits/byte (" + policy + "): lower is better")
                .xAxisTitle("GPU budget").yAxisTitle("data budget (unique bytes)").build();
        List<Number[]> values = new ArrayList<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int x = 0; x < gpu.size(); x++) {
            for (int y = 0; y < data.size(); y++) {
                var p = grid.point(policy, gpu.get(x), data.get(y));
                if (p.isPresent() && Double.isFinite(p.get().valBitsPerByte())) {
                    // Rounded as shown: XChart prints the gradient legend's ends unformatted.
                    double v = Math.round(p.get().valBitsPerByte() * 1000) / 1000.0;
                    values.add(new Number[] {x, y, v});
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        var styler = chart.getStyler();
        styler.setShowValue(true);
        styler.setHeatMapValueDecimalPattern("0.000");
        styler.setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        styler.setValueFontColor(Color.BLACK);
        // Light blue (best) to light red (worst): the black values stay readable on every cell.
        styler.setRangeColors(new Color[] {new Color(0x9ecae1), new Color(0xfff7bc), new Color(0xfc9272)});
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setPlotContentSize(0.95);
        if (values.isEmpty()) {
            values.add(new Number[] {0, 0, 0});
            min = 0;
            max = 1;
        }
        if (min == max) {
            min -= 0.5;
            max += 0.5;
        }
        styler.setMin(min);
        styler.setMax(max);
        chart.addSeries("val bits/byte", gpu.stream().map(GridAnalysis::gpuLabel).toList(),
                data.stream().map(GridAnalysis::dataLabel).toList(), values);
        return chart;
    }

    XYChart lossCurves(String policy) {
        XYChart chart = xyChart("Loss curves (" + policy + "): train (smoothed, lines) and validation (dots)",
                "step", "bits/byte");
        List<CellResult> cells = grid.results(policy);
        double maxStep = cells.stream().mapToLong(r -> r.summary().getSteps()).max().orElse(1);
        List<Double> shown = new ArrayList<>();
        for (CellResult r : cells) {
            Summary s = r.summary();
            Color color = colorOf(r);
            List<LossPoint> losses = s.getLossesList();
            int window = Math.max(1, losses.size() / 40);
            double[] x = new double[losses.size()];
            double[] y = new double[losses.size()];
            double sum = 0;
            for (int i = 0; i < losses.size(); i++) {
                sum += losses.get(i).getTrainLoss();
                if (i >= window) {
                    sum -= losses.get(i - window).getTrainLoss();
                }
                x[i] = losses.get(i).getStep();
                y[i] = sum / Math.min(i + 1, window) / LN2;
                if (x[i] >= maxStep / 10) {
                    shown.add(y[i]);
                }
            }
            if (x.length > 0) {
                XYSeries train = chart.addSeries(seriesName(r), x, y);
                train.setMarker(SeriesMarkers.NONE).setLineColor(color);
                train.setLineStyle(strokeOf(r));
            }
            List<EvalPoint> evals = s.getEvalsList().stream().filter(e -> e.getStep() > 0).toList();
            if (!evals.isEmpty()) {
                XYSeries val = chart.addSeries(seriesName(r) + " val",
                        evals.stream().mapToDouble(EvalPoint::getStep).toArray(),
                        evals.stream().mapToDouble(EvalPoint::getValBitsPerByte).toArray());
                val.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                val.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color);
                val.setShowInLegend(false);
                evals.forEach(e -> shown.add(e.getValBitsPerByte()));
            }
        }
        // The train loss starts far above everything else; the floor shows how far there is still to go.
        floor(chart, 0, maxStep, shown, true);
        clipTop(chart, shown);
        return chart;
    }

    XYChart valVsEpochs(String policy) {
        XYChart chart = xyChart("Validation bits/byte against epochs over unique data (" + policy + ")",
                "epochs over unique data (log scale)", "validation bits/byte");
        log2X(chart);
        double minX = Double.POSITIVE_INFINITY;
        double maxX = 0;
        List<Double> shown = new ArrayList<>();
        for (CellResult r : grid.results(policy)) {
            Summary s = r.summary();
            // Every step trains the same number of examples, so epochs grow linearly with the step.
            double epochsPerStep = s.getSteps() == 0 ? 0 : s.getEpochs() / s.getSteps();
            List<EvalPoint> evals = s.getEvalsList().stream().filter(e -> e.getStep() > 0).toList();
            if (evals.isEmpty() || epochsPerStep <= 0) {
                continue;
            }
            double[] x = evals.stream().mapToDouble(e -> e.getStep() * epochsPerStep).toArray();
            double[] y = evals.stream().mapToDouble(EvalPoint::getValBitsPerByte).toArray();
            XYSeries series = chart.addSeries(seriesName(r), log2(x), y);
            series.setLineColor(colorOf(r)).setLineStyle(strokeOf(r));
            series.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(colorOf(r));
            for (int i = 0; i < x.length; i++) {
                minX = Math.min(minX, x[i]);
                maxX = Math.max(maxX, x[i]);
                shown.add(y[i]);
            }
        }
        if (maxX > 0) {
            floor(chart, ScalingLawFit.log2(minX), ScalingLawFit.log2(maxX), shown, false);
        }
        clipTop(chart, shown);
        return chart;
    }

    XYChart fit(String policy) {
        ScalingLawFit.Fit fit = grid.fit(policy);
        XYChart chart = xyChart(String.format(Locale.ROOT, "Fitted law (%s): %s, R^2 %.3f", policy, fit.equation(), fit.r2()),
                "compute C = tokens trained (log scale)", "validation bits/byte");
        log2X(chart);
        List<Double> shown = new ArrayList<>();
        List<CellResult> mine = grid.results(policy);
        double minC = mine.stream().mapToDouble(CellResult::compute).min().orElse(1);
        double maxC = mine.stream().mapToDouble(CellResult::compute).max().orElse(1);
        // The curves run on to twice the largest compute: what "doubling the GPU budget" predicts.
        double from = minC / 1.2;
        double to = maxC * 2.2;
        for (int j = 0; j < grid.dataBudgets().size(); j++) {
            String data = grid.dataBudgets().get(j);
            List<CellResult> cells = mine.stream().filter(r -> r.dataBudget().equals(data)).toList();
            if (cells.isEmpty()) {
                continue;
            }
            Color color = COLORS[j % COLORS.length];
            XYSeries measured = chart.addSeries(GridAnalysis.dataLabel(data) + " measured",
                    log2(cells.stream().mapToDouble(CellResult::compute).toArray()),
                    cells.stream().mapToDouble(CellResult::valBitsPerByte).toArray());
            measured.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            measured.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color);
            cells.forEach(r -> shown.add(r.valBitsPerByte()));
            double d = cells.stream().mapToDouble(CellResult::uniqueBytes).average().orElse(1);
            int n = 60;
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = from * Math.pow(to / from, i / (n - 1.0));
                y[i] = fit.predict(x[i], d);
            }
            XYSeries law = chart.addSeries(GridAnalysis.dataLabel(data) + " fitted", log2(x), y);
            law.setMarker(SeriesMarkers.NONE).setLineColor(color).setLineStyle(SeriesLines.DASH_DASH);
        }
        double e = fit.model() == ScalingLawFit.Model.LOG_LINEAR ? Double.NaN : fit.params()[0];
        if (Double.isFinite(e) && near(e, shown)) {
            horizontal(chart, String.format(Locale.ROOT, "fitted E %.3f (irreducible)", e), e,
                    ScalingLawFit.log2(from), ScalingLawFit.log2(to), Color.GRAY, SeriesLines.DOT_DOT);
        }
        floor(chart, ScalingLawFit.log2(from), ScalingLawFit.log2(to), shown, false);
        return chart;
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static XYChart xyChart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        styler.setMarkerSize(7);
        styler.setYAxisDecimalPattern("0.00");
        return chart;
    }

    /**
     * The source's entropy floor, when it has one: no model can go below it. Drawn when {@code always} or
     * when it is near the values shown; otherwise the axis title gives it, so a distant floor does not squash
     * the differences the plot is about.
     */
    private void floor(XYChart chart, double from, double to, List<Double> shown, boolean always) {
        double floor = grid.entropyFloor();
        if (!Double.isFinite(floor)) {
            return;
        }
        if (always || near(floor, shown)) {
            horizontal(chart, String.format(Locale.ROOT, "entropy floor %.3f", floor), floor, from, to, Color.BLACK, SeriesLines.DASH_DASH);
        } else {
            chart.setYAxisTitle(chart.getYAxisTitle() + String.format(Locale.ROOT, " (entropy floor %.3f: below the axis)", floor));
        }
    }

    /** Whether {@code y} lies within half the spread of {@code shown} below its lowest value. */
    private static boolean near(double y, List<Double> shown) {
        double max = shown.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).max().orElse(Double.NaN);
        double min = shown.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).min().orElse(Double.NaN);
        return !Double.isFinite(min) || y >= min - Math.max(0.5 * (max - min), 0.05 * Math.abs(min));
    }

    /**
     * A log x axis. XChart's own log axis labels every integer mantissa (the labels overlap) and ignores a
     * label function, so the data are plotted as log2(x) on a linear axis and the labels show 2^tick:
     * with budgets that double, each labelled step is one doubling.
     */
    private static void log2X(XYChart chart) {
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
            double x = Math.pow(2, v);
            return x >= 1000 ? Units.approx(x) : Units.approx(x, 3);
        });
    }

    private static double[] log2(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = ScalingLawFit.log2(x[i]);
        }
        return r;
    }

    private static void horizontal(XYChart chart, String name, double y, double from, double to, Color color, BasicStroke stroke) {
        XYSeries line = chart.addSeries(name, new double[] {from, to}, new double[] {y, y});
        line.setMarker(SeriesMarkers.NONE).setLineColor(color).setLineStyle(stroke);
    }

    /**
     * Caps the y axis a little above the values worth reading: the first steps start near 8 bits/byte
     * (uniform over 256 bytes) and would squash every later difference.
     */
    private static void clipTop(XYChart chart, List<Double> shown) {
        double max = shown.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).max().orElse(Double.NaN);
        double min = shown.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).min().orElse(Double.NaN);
        if (Double.isFinite(max) && max > min) {
            chart.getStyler().setYAxisMax(max + 0.1 * (max - min));
        }
    }

    private Color colorOf(CellResult r) {
        return COLORS[Math.max(0, grid.dataBudgets().indexOf(r.dataBudget())) % COLORS.length];
    }

    private BasicStroke strokeOf(CellResult r) {
        return STROKES[Math.max(0, grid.gpuBudgets().indexOf(r.gpuBudget())) % STROKES.length];
    }

    private static String seriesName(CellResult r) {
        String name = r.gpu().label() + ", " + r.data().label();
        return r.repeat() == 0 ? name : name + " #" + (r.repeat() + 1);
    }

    private String save(Chart<?, ?> chart, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        return name;
    }
}
