package tandem.app.grid;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tandem.proto.ExperimentSpec;

/**
 * {@code report.md}: the answer first (which lever, data or compute, lowers validation loss more at the
 * largest cell), then the evidence: heatmap, fitted law and its goodness of fit, predicted gains at every
 * cell, augmentation, curves and the raw table.
 */
final class Report {
    /** Gains smaller than this (bits/byte) are reported as "no change": below evaluation noise. */
    private static final double NEGLIGIBLE = 0.0005;
    /** Two gains within 10% of each other are "about even": closer than a small grid can tell apart. */
    private static final double EVEN = 1.1;

    private final GridAnalysis grid;

    Report(GridAnalysis grid) {
        this.grid = grid;
    }

    /**
     * @param plots   plot file names (in {@code plots/}) that were drawn
     * @param pending cells of the grid without a result, id -> why (failed, or not run yet)
     */
    String markdown(List<String> plots, Map<String, String> pending) {
        StringBuilder md = new StringBuilder();
        header(md, pending);
        md.append("## Answer\n\n");
        for (String policy : grid.policies()) {
            md.append(grid.policies().size() > 1 ? "- **" + policy + ":** " : "").append(answer(policy)).append("\n");
        }
        augmentationAnswer().ifPresent(a -> md.append(grid.policies().size() > 1 ? "- " : "").append(a).append("\n"));
        floorNote().ifPresent(f -> md.append("\n").append(f).append("\n"));
        md.append("\n");

        for (String policy : grid.policies()) {
            String suffix = grid.policies().size() > 1 ? " (" + policy + ")" : "";
            md.append("## Validation bits/byte").append(suffix).append("\n\n");
            image(md, plots, Plots.file("heatmap", policy), "validation bits/byte heatmap");
            valueTable(md, policy);
            md.append("## Fitted law").append(suffix).append("\n\n");
            fitSection(md, policy);
            image(md, plots, Plots.file("fit", policy), "fitted law");
            md.append("## Doubling compute vs doubling data").append(suffix).append("\n\n");
            gainsTable(md, policy);
            md.append("## Loss curves").append(suffix).append("\n\n");
            image(md, plots, Plots.file("loss-curves", policy), "loss curves");
            image(md, plots, Plots.file("val-vs-epochs", policy), "validation against epochs");
        }
        if (grid.policies().size() > 1) {
            md.append("## Augmentation\n\n");
            augmentationTable(md);
        }
        md.append("## Cells\n\n");
        cellsTable(md);
        return md.toString();
    }

    // ---- the answer --------------------------------------------------------------------------------------

    /** One or two plain sentences: which lever helps more at the largest finished cell of {@code policy}. */
    String answer(String policy) {
        ScalingLawFit.Fit fit = grid.fit(policy);
        Optional<GridAnalysis.Point> largest = grid.largest(policy);
        if (largest.isEmpty()) {
            return "No cell of this policy finished.";
        }
        GridAnalysis.Point p = largest.get();
        String where = String.format(Locale.ROOT, "At the largest cell (%s, %s; C = %s tokens, D = %s unique bytes)",
                GridAnalysis.gpuLabel(p.gpuBudget()), GridAnalysis.dataLabel(p.dataBudget()), Units.approx(p.compute()),
                Units.approx(p.uniqueBytes()));
        if (!fit.fitted()) {
            String why = fit.notes().get(fit.notes().size() - 1).replaceFirst("^not fitted: ", "");
            return ("No law fitted: it " + why + ", so there is no prediction. " + measuredLevers(p)).strip();
        }
        double gc = fit.gainFromDoublingCompute(p.compute(), p.uniqueBytes());
        double gd = fit.gainFromDoublingData(p.compute(), p.uniqueBytes());
        String sentence = String.format(Locale.ROOT, "%s, doubling data is predicted to %s vs %s for doubling compute: %s.",
                where, effect(gd), magnitude(gc), verdict(gc, gd));
        if (fit.model() != ScalingLawFit.Model.POWER_LAW) {
            boolean tooSmall = fit.notes().stream().anyMatch(n -> n.startsWith("grid too small for the 5-parameter law"));
            sentence += " (From the " + modelName(fit.model()) + (tooSmall
                    ? ": the grid is too small for the 5-parameter law.)"
                    : ", which fits these cells as well as the richer law(s) with fewer parameters.)");
        }
        if (Double.isFinite(fit.r2()) && fit.r2() < 0.9) {
            sentence += String.format(Locale.ROOT, " The fit is loose (R^2 = %.2f): read this as a rough guide.", fit.r2());
        }
        return sentence;
    }

    private static String effect(double gain) {
        if (Math.abs(gain) < NEGLIGIBLE) {
            return "leave validation loss unchanged (under " + NEGLIGIBLE + " bits/byte)";
        }
        return String.format(Locale.ROOT, "%s validation loss by %.4f bits/byte", gain > 0 ? "lower" : "raise", Math.abs(gain));
    }

    private static String magnitude(double gain) {
        if (Math.abs(gain) < NEGLIGIBLE) {
            return "no change";
        }
        return gain > 0 ? String.format(Locale.ROOT, "%.4f", gain) : String.format(Locale.ROOT, "a rise of %.4f", -gain);
    }

    static String verdict(double computeGain, double dataGain) {
        if (computeGain < NEGLIGIBLE && dataGain < NEGLIGIBLE) {
            return "neither lever is predicted to help much here";
        }
        double hi = Math.max(computeGain, dataGain);
        double lo = Math.min(computeGain, dataGain);
        if (lo > 0 && hi / lo < EVEN) {
            return "the two levers are about even here";
        }
        return dataGain > computeGain ? "more data is the better lever here" : "more compute (a bigger GPU budget) is the better lever here";
    }

    /** Without a law: what the grid itself measured between the largest cell and its smaller neighbours. */
    private String measuredLevers(GridAnalysis.Point p) {
        StringBuilder s = new StringBuilder();
        int gi = grid.gpuBudgets().indexOf(p.gpuBudget());
        int di = grid.dataBudgets().indexOf(p.dataBudget());
        if (gi > 0) {
            grid.point(p.policy(), grid.gpuBudgets().get(gi - 1), p.dataBudget()).ifPresent(q -> s.append(String.format(Locale.ROOT,
                    "Measured: going from %s to %s changed validation by %+.4f bits/byte. ", GridAnalysis.gpuLabel(q.gpuBudget()),
                    GridAnalysis.gpuLabel(p.gpuBudget()), p.valBitsPerByte() - q.valBitsPerByte())));
        }
        if (di > 0) {
            grid.point(p.policy(), p.gpuBudget(), grid.dataBudgets().get(di - 1)).ifPresent(q -> s.append(String.format(Locale.ROOT,
                    "Measured: going from %s to %s changed validation by %+.4f bits/byte. ", GridAnalysis.dataLabel(q.dataBudget()),
                    GridAnalysis.dataLabel(p.dataBudget()), p.valBitsPerByte() - q.valBitsPerByte())));
        }
        return s.toString().strip();
    }

    /** With several policies: how each changed validation loss against the first at the largest cell. */
    private Optional<String> augmentationAnswer() {
        if (grid.policies().size() < 2) {
            return Optional.empty();
        }
        String first = grid.policies().get(0);
        Optional<GridAnalysis.Point> largest = grid.largest(first);
        if (largest.isEmpty()) {
            return Optional.empty();
        }
        GridAnalysis.Point base = largest.get();
        StringBuilder s = new StringBuilder("**Augmentation:** at " + GridAnalysis.gpuLabel(base.gpuBudget()) + ", "
                + GridAnalysis.dataLabel(base.dataBudget()) + ", ");
        boolean any = false;
        for (String policy : grid.policies().subList(1, grid.policies().size())) {
            Optional<GridAnalysis.Point> other = grid.point(policy, base.gpuBudget(), base.dataBudget());
            if (other.isPresent()) {
                double delta = other.get().valBitsPerByte() - base.valBitsPerByte();
                s.append(String.format(Locale.ROOT, "%s%s %s validation loss by %.4f bits/byte against %s",
                        any ? "; " : "", policy, delta < 0 ? "lowered" : "raised", Math.abs(delta), first));
                any = true;
            }
        }
        return any ? Optional.of(s.append(".").toString()) : Optional.empty();
    }

    private Optional<String> floorNote() {
        double floor = grid.entropyFloor();
        if (!Double.isFinite(floor)) {
            return Optional.empty();
        }
        double best = grid.results().stream().mapToDouble(CellResult::valBitsPerByte).filter(Double::isFinite).min().orElse(Double.NaN);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "The synthetic source has an exact entropy floor of %.4f bits/byte; the best cell reaches %.4f (%.1f%% above it).",
                floor, best, 100 * (best / floor - 1)));
        for (String policy : grid.policies()) {
            ScalingLawFit.Fit fit = grid.fit(policy);
            if (fit.model() == ScalingLawFit.Model.POWER_LAW || fit.model() == ScalingLawFit.Model.SHARED_EXPONENT) {
                s.append(String.format(Locale.ROOT, " Fitted irreducible loss E%s = %.4f%s.",
                        grid.policies().size() > 1 ? " (" + policy + ")" : "", fit.params()[0],
                        fit.params()[0] < floor ? ", below the floor: the fit extrapolates past what any model can reach" : ""));
            }
        }
        return Optional.of(s.toString());
    }

    // ---- sections ----------------------------------------------------------------------------------------

    private void header(StringBuilder md, Map<String, String> pending) {
        CellResult any = grid.results().isEmpty() ? null : grid.results().get(0);
        md.append("# Grid report");
        if (any != null && !any.spec().getName().isEmpty()) {
            String name = any.spec().getName();
            int cut = name.lastIndexOf(' ');
            md.append(": ").append(cut > 0 ? name.substring(0, cut) : name);
        }
        md.append("\n\n");
        if (any != null) {
            ExperimentSpec s = any.spec();
            md.append(String.format(Locale.ROOT,
                    "Corpus `%s`; %s model (context %d, d_model %d, %d layer(s)); global batch %d; "
                            + "%d GPU worker(s) unless a budget says otherwise.%n%n",
                    s.getDataBudget().getCorpus(), s.getModel().getKind().name().toLowerCase(Locale.ROOT), s.getModel().getContext(),
                    s.getModel().getDModel(), s.getModel().getLayers(), s.getBatch().getGlobalBatch(), s.getGpuBudget().getGpuWorkers()));
        }
        md.append(String.format(Locale.ROOT, "%d cell(s): GPU budgets %s; data budgets %s; augmentation %s.%n",
                grid.results().size(),
                String.join(", ", grid.gpuBudgets().stream().map(GridAnalysis::gpuLabel).toList()),
                String.join(", ", grid.dataBudgets().stream().map(GridAnalysis::dataLabel).toList()),
                String.join(", ", grid.policies())));
        md.append("C (compute) is tokens trained = steps x global batch x context; D (data) is unique bytes of the train split. "
                + "Losses are validation bits/byte (lower is better). Generated ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))).append(".\n\n");
        if (!pending.isEmpty()) {
            md.append("**Incomplete:** ").append(pending.size()).append(" cell(s) have no result and are left out: ");
            md.append(String.join("; ", pending.entrySet().stream().map(e -> "`" + e.getKey() + "` (" + e.getValue() + ")").toList()));
            md.append(". Run the same command again to train them.\n\n");
        }
    }

    private void valueTable(StringBuilder md, String policy) {
        md.append("| data \\ GPU |");
        grid.gpuBudgets().forEach(g -> md.append(" ").append(GridAnalysis.gpuLabel(g)).append(" |"));
        md.append("\n|---|");
        grid.gpuBudgets().forEach(g -> md.append("---:|"));
        md.append("\n");
        for (String data : grid.dataBudgets()) {
            md.append("| ").append(GridAnalysis.dataLabel(data)).append(" |");
            for (String gpu : grid.gpuBudgets()) {
                md.append(" ").append(grid.point(policy, gpu, data)
                        .map(p -> String.format(Locale.ROOT, "%.4f", p.valBitsPerByte())).orElse("-")).append(" |");
            }
            md.append("\n");
        }
        md.append("\n");
    }

    private void fitSection(StringBuilder md, String policy) {
        ScalingLawFit.Fit fit = grid.fit(policy);
        if (!fit.fitted()) {
            md.append("Not fitted.\n\n");
        } else {
            md.append("Model: ").append(modelName(fit.model())).append(", `").append(fit.model().formula).append("`\n\n");
            md.append("`").append(fit.equation()).append("`\n\n");
            md.append(String.format(Locale.ROOT, "Goodness of fit over %d cell(s): R^2 = %.4f, RMSE = %.4f bits/byte.%n%n",
                    fit.n(), fit.r2(), fit.rmse()));
        }
        for (String note : fit.notes()) {
            md.append("- ").append(note).append("\n");
        }
        if (!fit.notes().isEmpty()) {
            md.append("\n");
        }
    }

    private void gainsTable(StringBuilder md, String policy) {
        ScalingLawFit.Fit fit = grid.fit(policy);
        if (!fit.fitted()) {
            md.append("No law fitted, so no predictions.\n\n");
            return;
        }
        md.append("Predicted drop of validation bits/byte from doubling each budget at each cell (negative: a rise).\n\n");
        md.append("| GPU budget | data budget | measured | fitted | x2 compute | x2 data | better lever |\n");
        md.append("|---|---|---:|---:|---:|---:|---|\n");
        for (String data : grid.dataBudgets()) {
            for (String gpu : grid.gpuBudgets()) {
                grid.point(policy, gpu, data).ifPresent(p -> {
                    double gc = fit.gainFromDoublingCompute(p.compute(), p.uniqueBytes());
                    double gd = fit.gainFromDoublingData(p.compute(), p.uniqueBytes());
                    String lever = verdict(gc, gd).replace(" here", "").replace(" is the better lever", "");
                    md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %.4f | %.4f | %s |%n",
                            GridAnalysis.gpuLabel(gpu), GridAnalysis.dataLabel(data), p.valBitsPerByte(),
                            fit.predict(p.compute(), p.uniqueBytes()), gc, gd, lever));
                });
            }
        }
        md.append("\n");
    }

    private void augmentationTable(StringBuilder md) {
        String first = grid.policies().get(0);
        md.append("Validation bits/byte per policy; in brackets the change against ").append(first).append(" (negative: better).\n\n");
        md.append("| GPU budget | data budget |");
        grid.policies().forEach(p -> md.append(" ").append(p).append(" |"));
        md.append("\n|---|---|");
        grid.policies().forEach(p -> md.append("---:|"));
        md.append("\n");
        for (String data : grid.dataBudgets()) {
            for (String gpu : grid.gpuBudgets()) {
                Optional<GridAnalysis.Point> base = grid.point(first, gpu, data);
                md.append("| ").append(GridAnalysis.gpuLabel(gpu)).append(" | ").append(GridAnalysis.dataLabel(data)).append(" |");
                for (String policy : grid.policies()) {
                    Optional<GridAnalysis.Point> p = grid.point(policy, gpu, data);
                    String cell = p.map(x -> String.format(Locale.ROOT, "%.4f", x.valBitsPerByte())).orElse("-");
                    if (p.isPresent() && base.isPresent() && !policy.equals(first)) {
                        cell += String.format(Locale.ROOT, " (%+.4f)", p.get().valBitsPerByte() - base.get().valBitsPerByte());
                    }
                    md.append(" ").append(cell).append(" |");
                }
                md.append("\n");
            }
        }
        md.append("\n");
    }

    private void cellsTable(StringBuilder md) {
        md.append("Also in `results.csv` / `results.json`; each cell's curve is in `curves/`.\n\n");
        md.append("| cell | steps | tokens | epochs | aug. views | wall s | GPU-s | train loss (nats) | val bits/byte | data stall |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CellResult r : grid.results()) {
            var s = r.summary();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %d | %.1f | %.1f | %.4f | %.4f | %.1f%% |%n",
                    r.id(), s.getSteps(), s.getTokens(), s.getEpochs(), s.getAugmentedViews(), s.getWallSeconds(), r.gpuSeconds(),
                    s.getFinalTrainLoss(), s.getFinalValBitsPerByte(), 100 * s.getDataStall()));
        }
        md.append("\n");
    }

    private static void image(StringBuilder md, List<String> plots, String file, String alt) {
        if (plots.contains(file)) {
            md.append("![").append(alt).append("](plots/").append(file).append(")\n\n");
        }
    }

    private static String modelName(ScalingLawFit.Model model) {
        return switch (model) {
            case POWER_LAW -> "5-parameter power law";
            case SHARED_EXPONENT -> "4-parameter power law with one exponent for both budgets";
            case LOG_LINEAR -> "3-parameter log-linear fit (a plane in log C, log D)";
            case NONE -> "no fit";
        };
    }
}
