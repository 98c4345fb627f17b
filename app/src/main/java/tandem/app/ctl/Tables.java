package tandem.app.ctl;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tandem.proto.CheckpointInfo;
import tandem.proto.ClusterMember;
import tandem.proto.ExperimentSpec;
import tandem.proto.ExperimentView;
import tandem.proto.LossPoint;
import tandem.proto.Progress;
import tandem.proto.Status;
import tandem.proto.Summary;
import tandem.proto.WorkerStatus;

/** What {@code tandem ctl} prints without {@code --json}: aligned key/value lines and tables. */
final class Tables {
    private Tables() {}

    static void status(Status s, PrintWriter out) {
        row(out, "coordinator", s.getCoordinator().isEmpty() ? "-" : s.getCoordinator());
        String members = new TreeMap<>(s.getMembersByRoleMap()).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        long notUp = s.getMembersList().stream().filter(m -> !m.getStatus().equals("Up") || !m.getReachable()).count();
        String desired = s.hasDesiredPools() ? String.format("   (scaler: gpu %d, data %d)",
                s.getDesiredPools().getGpuWorkers(), s.getDesiredPools().getDataWorkers()) : "";
        row(out, "members", (members.isEmpty() ? "none up" : members) + (notUp > 0 ? ", " + notUp + " not up or unreachable" : "") + desired);
        if (s.hasCurrent()) {
            ExperimentView e = s.getCurrent();
            Progress p = e.getProgress();
            row(out, "experiment", e.getId() + "  " + e.getState() + (p.getState().isEmpty() ? "" : "  [" + p.getState() + "]"));
            row(out, "  progress", progress(p));
            row(out, "  budgets", budgets(e.getSpec(), p));
            row(out, "  data stall", String.format(Locale.ROOT, "%.1f%% of GPU-worker time", 100 * p.getDataStall()));
        } else {
            row(out, "experiment", "none running");
        }
        row(out, "checkpoint", s.hasLastCheckpoint() ? checkpoint(s.getLastCheckpoint()) : "none yet");
        row(out, "queued", s.getQueuedCount() == 0 ? "none" : String.join(", ", s.getQueuedList()));
        if (s.getQuarantinedCount() > 0) {
            row(out, "quarantined", String.join(", ", s.getQuarantinedList()));
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"WORKER", "POOL", "STATE", "SHARDS", "SHARDS/S", "ADDRESS"});
        for (WorkerStatus w : s.getWorkersList()) {
            rows.add(new String[] {w.getName(), w.getPool(), w.getState(), Long.toString(w.getShardsDone()),
                    String.format(Locale.ROOT, "%.2f", w.getShardsPerSecond()), w.getAddress()});
        }
        if (rows.size() == 1) {
            out.println("no workers");
        } else {
            table(out, rows, 3, 4);
        }
        if (s.getMembersCount() > 0) {
            out.println();
            List<String[]> members2 = new ArrayList<>();
            members2.add(new String[] {"MEMBER", "ROLES", "STATUS", "REACHABLE"});
            Map<String, List<ClusterMember>> byRole = new TreeMap<>();
            s.getMembersList().forEach(m -> byRole.computeIfAbsent(String.join(",", m.getRolesList()), r -> new ArrayList<>()).add(m));
            byRole.values().forEach(list -> list.forEach(m -> members2.add(new String[] {m.getAddress(), String.join(",", m.getRolesList()),
                    m.getStatus(), m.getReachable() ? "yes" : "NO"})));
            table(out, members2);
        }
    }

    static void experiments(List<ExperimentView> experiments, PrintWriter out) {
        if (experiments.isEmpty()) {
            out.println("no experiments");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATE", "STEP", "TRAIN LOSS", "VAL BITS/BYTE", "TOK/S", "PARAMS_SHA256 / ERROR"});
        for (ExperimentView e : experiments) {
            Progress p = e.getProgress();
            Summary s = e.getSummary();
            boolean done = e.hasSummary();
            long maxSteps = p.getMaxSteps() > 0 ? p.getMaxSteps() : e.getSpec().getGpuBudget().getMaxSteps();
            rows.add(new String[] {e.getId(), e.getState(),
                    (done ? s.getSteps() : p.getStep()) + "/" + (maxSteps > 0 ? maxSteps : "-"),
                    number(done ? s.getFinalTrainLoss() : e.hasProgress() ? p.getTrainLoss() : Double.NaN, "%.3f"),
                    number(done ? s.getFinalValBitsPerByte() : e.hasProgress() ? p.getValBitsPerByte() : Double.NaN, "%.3f"),
                    kilo(done ? s.getTokensPerSecond() : p.getTokensPerSecond()),
                    done ? shortHash(s.getParamsSha256()) : e.getError()});
        }
        table(out, rows, 2, 3, 4, 5);
    }

    static void experiment(ExperimentView e, PrintWriter out) {
        row(out, "id", e.getId());
        row(out, "state", e.getState() + (e.getError().isEmpty() ? "" : ": " + e.getError()));
        ExperimentSpec spec = e.getSpec();
        row(out, "name", spec.getName());
        row(out, "model", spec.getModel().getKind().name().toLowerCase(Locale.ROOT) + ", context " + spec.getModel().getContext()
                + ", d_model " + spec.getModel().getDModel() + ", layers " + spec.getModel().getLayers());
        if (e.hasProgress()) {
            Progress p = e.getProgress();
            row(out, "progress", progress(p) + (p.getState().isEmpty() ? "" : "  [" + p.getState() + "]"));
            row(out, "budgets", budgets(spec, p));
            row(out, "data stall", String.format(Locale.ROOT, "%.1f%%", 100 * p.getDataStall()));
        } else {
            row(out, "budgets", budgets(spec, Progress.getDefaultInstance()));
        }
        List<LossPoint> losses = e.hasSummary() ? e.getSummary().getLossesList() : e.getLossesList();
        if (!losses.isEmpty()) {
            row(out, "loss curve", sparkline(losses, 60) + String.format(Locale.ROOT, "  %.3f -> %.3f nats",
                    losses.get(0).getTrainLoss(), losses.get(losses.size() - 1).getTrainLoss()));
        }
        if (e.hasSummary()) {
            Summary s = e.getSummary();
            row(out, "steps", s.getSteps() + " (" + s.getStopReason() + ")");
            row(out, "tokens", s.getTokens() + String.format(Locale.ROOT, " in %.1f s, %s tok/s", s.getWallSeconds(), kilo(s.getTokensPerSecond())));
            row(out, "final val loss", String.format(Locale.ROOT, "%.4f nats = %.4f bits/byte", s.getFinalValLossNats(), s.getFinalValBitsPerByte()));
            row(out, "workers at end", s.getGpuWorkers() + " GPU, " + s.getDataWorkers() + " data (joined " + s.getWorkersJoined()
                    + ", drained " + s.getWorkersDrained() + ", crashed " + s.getWorkersCrashed() + ")");
            row(out, "shards redone", Long.toString(s.getShardsRedone()));
            row(out, "params_sha256", s.getParamsSha256());
        }
        if (e.hasLastCheckpoint()) {
            row(out, "checkpoint", checkpoint(e.getLastCheckpoint()));
        }
    }

    // ---- pieces -------------------------------------------------------------------------------------

    static String checkpoint(CheckpointInfo c) {
        return "step " + c.getStep() + "  " + c.getPath() + "  (" + ago(c.getWrittenUnixMillis()) + ")";
    }

    static String progress(Progress p) {
        return String.format(Locale.ROOT, "step %d/%d  loss %s  val %s bits/byte  %s tok/s  %s tokens  %.0f s",
                p.getStep(), p.getMaxSteps(), number(p.getTrainLoss(), "%.3f"), number(p.getValBitsPerByte(), "%.3f"),
                kilo(p.getTokensPerSecond()), kilo(p.getTokens()), p.getWallSeconds());
    }

    static String budgets(ExperimentSpec spec, Progress p) {
        var gpu = spec.getGpuBudget();
        var data = spec.getDataBudget();
        String gpuLimit = gpu.getMaxSteps() + " steps" + (gpu.getMaxTokens() > 0 ? ", " + gpu.getMaxTokens() + " tokens" : "")
                + (gpu.getMaxWallSeconds() > 0 ? ", " + gpu.getMaxWallSeconds() + " s" : "");
        String unique = p.getUniqueBytes() > 0 ? kilo(p.getUniqueBytes()) + "B" : data.getUniqueBytes() > 0 ? kilo(data.getUniqueBytes()) + "B" : "all";
        return String.format(Locale.ROOT, "GPU %s on %d worker(s)  |  data %s of %s, augment %s, %.2f epochs, %d aug views, %d data worker(s)",
                gpuLimit, p.getGpuWorkers(), unique, data.getCorpus(),
                data.getAugmentation().getPreset().isEmpty() ? "none" : data.getAugmentation().getPreset(),
                p.getEpochs(), p.getAugmentedViews(), p.getDataWorkers());
    }

    static String sparkline(List<LossPoint> points, int width) {
        String bars = "▁▂▃▄▅▆▇█";
        int n = Math.min(width, points.size());
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            int from = (int) ((long) i * points.size() / n);
            int to = Math.max(from + 1, (int) ((long) (i + 1) * points.size() / n));
            double sum = 0;
            for (int j = from; j < to; j++) {
                sum += points.get(j).getTrainLoss();
            }
            values[i] = sum / (to - from);
        }
        double min = java.util.Arrays.stream(values).filter(Double::isFinite).min().orElse(0);
        double max = java.util.Arrays.stream(values).filter(Double::isFinite).max().orElse(1);
        StringBuilder line = new StringBuilder();
        for (double v : values) {
            int level = !Double.isFinite(v) || max <= min ? 0 : (int) Math.round((v - min) / (max - min) * (bars.length() - 1));
            line.append(bars.charAt(level));
        }
        return line.toString();
    }

    private static String ago(long unixMillis) {
        if (unixMillis <= 0) {
            return "time unknown";
        }
        Duration d = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - unixMillis));
        return d.toSeconds() < 120 ? d.toSeconds() + " s ago" : d.toMinutes() + " min ago";
    }

    private static String shortHash(String hash) {
        return hash.length() > 16 ? hash.substring(0, 16) + "…" : hash;
    }

    static String number(double value, String format) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }

    static String kilo(double value) {
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", value / 1e6);
        }
        return value >= 1000 ? String.format(Locale.ROOT, "%.1fk", value / 1000) : String.format(Locale.ROOT, "%.0f", value);
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-15s %s%n", key, value);
    }

    /** Columns padded to their widest cell; columns in {@code rightAligned} are right-aligned. */
    static void table(PrintWriter out, List<String[]> rows, int... rightAligned) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        rows.forEach(r -> {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        java.util.Set<Integer> right = java.util.Arrays.stream(rightAligned).boxed().collect(Collectors.toSet());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = r[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(right.contains(i) ? pad + cell : cell + (i == columns - 1 ? "" : pad));
                if (i < columns - 1) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
