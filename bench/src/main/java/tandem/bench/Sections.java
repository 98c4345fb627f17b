package tandem.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tandem.gpu.model.Models;
import tandem.proto.ExperimentSpec;
import tandem.proto.ModelSpec;

/** Runs the selected sections in an order that keeps measurements apart, and fills the report in section order. */
final class Sections {
    private static final String[] TITLES = {
        "1. Overhead against the floor: tandem local (1 GPU + 1 data worker, in-JVM cluster) vs a single-thread loop",
        "2. Scaling on this machine: 2 GPU workers x 1 thread vs 1 GPU worker x 1 thread",
        "3. The peer a JVM user would pick: DL4J ParallelWrapper vs tandem, MLP over the context",
        "4. Wire: params + gradient exchange per step, and serialization vs a plain memory copy",
        "5. Compute efficiency: model FLOP/s vs ND4J's large-GEMM FLOP/s (1 native thread)",
        "6. Data: augmented bytes/s of one data worker (1 thread) vs one GPU worker's consumption",
        "7. Elasticity: join to first accepted result; crash to recovery",
        "8. Control API under load: training rate while 32 clients poll GET /api/v1/status",
    };

    private final BenchMain.Plan plan;
    private final Report report;
    private final String corpus;
    private final int repeats;
    private final PrintStream log;
    private final Report.Section[] section = new Report.Section[TITLES.length + 1];

    // Results other sections divide by.
    private Stat tandemOneTokens;
    private Stat tandemOneStepMillis;
    private ExperimentSpec defaultSpec;

    Sections(BenchMain.Plan plan, Report report, String corpus, int repeats, PrintStream log) {
        this.plan = plan;
        this.report = report;
        this.corpus = corpus;
        this.repeats = repeats;
        this.log = log;
    }

    private boolean quick() {
        return plan.mode().equals("quick");
    }

    void run(Set<Integer> which) throws Exception {
        for (int i = 1; i <= TITLES.length; i++) {
            if (which.contains(i)) {
                section[i] = report.section(Integer.toString(i), TITLES[i - 1]);
            }
        }
        defaultSpec = BenchSpecs.defaults(corpus, plan.tfWarmup() + plan.tfSteps());
        // Single-process measurements first, while no cluster node is up.
        if (which.contains(5)) {
            compute(section[5]);
        }
        WireBench.Result wire = null;
        if (which.contains(4)) {
            wire = WireBench.run(plan, Models.paramCount(defaultSpec.getModel()), defaultSpec.getBatch().getShards(), log);
        }
        Map<String, Stat> data = new LinkedHashMap<>();
        if (which.contains(6)) {
            data = dataRates();
        }
        if (which.contains(1) || which.contains(2) || which.contains(3)) {
            clusters(which);
        }
        if (which.contains(4)) {
            wire(section[4], wire);
        }
        if (which.contains(6)) {
            data(section[6], data);
        }
        if (which.contains(7)) {
            Elasticity.run(section[7], plan, corpus, repeats, log);
        }
        if (which.contains(8)) {
            ApiLoad.run(section[8], plan, corpus, repeats, log);
        }
    }

    // ---- 1, 2, 3: the clusters --------------------------------------------------------------------------

    private void clusters(Set<Integer> which) throws Exception {
        boolean needOne = which.contains(1) || which.contains(2) || which.contains(3);
        boolean needTwo = which.contains(2) || which.contains(3);
        ExperimentSpec tf = defaultSpec;
        long tfSteps = tf.getGpuBudget().getMaxSteps();
        ExperimentSpec mlp = BenchSpecs.mlp(corpus, plan.mlpWarmup() + plan.mlpSteps());
        long mlpSteps = mlp.getGpuBudget().getMaxSteps();
        log.println("[bench] starting in-JVM clusters: " + (needOne ? "A = 1 GPU + 1 data worker" : "")
                + (needTwo ? ", B = 2 GPU + 1 data workers" : ""));
        try (TandemCluster one = needOne ? TandemCluster.start(1, 1) : null;
             TandemCluster two = needTwo ? TandemCluster.start(2, 1) : null) {
            // Warm-up: cluster membership, JIT, the corpus, model graphs. Not measured.
            ExperimentSpec warm = BenchSpecs.defaults(corpus, 2 * plan.tfWarmup());
            if (which.contains(1)) {
                log.println("[bench] warm-up: floor");
                Floor.run(warm, plan.tfWarmup());
            }
            for (TandemCluster c : new TandemCluster[] {one, which.contains(2) ? two : null}) {
                if (c != null) {
                    log.println("[bench] warm-up: cluster with " + c.gpuWorkers() + " GPU worker(s)");
                    c.run(warm, plan.tfWarmup(), BenchMain.timeout(warm.getGpuBudget().getMaxSteps()));
                }
            }
            List<Floor.Result> floors = new ArrayList<>();
            List<TandemCluster.Result> ones = new ArrayList<>();
            List<TandemCluster.Result> twos = new ArrayList<>();
            for (int r = 0; r < (which.contains(1) || which.contains(2) ? repeats : 0); r++) {
                if (which.contains(1)) {
                    log.println("[bench] 1/2: floor, repeat " + (r + 1));
                    floors.add(Floor.run(tf, plan.tfWarmup()));
                }
                log.println("[bench] 1/2: tandem, 1 GPU worker, repeat " + (r + 1));
                ones.add(one.run(tf, plan.tfWarmup(), BenchMain.timeout(tfSteps)));
                if (which.contains(2)) {
                    log.println("[bench] 2: tandem, 2 GPU workers, repeat " + (r + 1));
                    twos.add(two.run(tf, plan.tfWarmup(), BenchMain.timeout(tfSteps)));
                }
            }
            if (!ones.isEmpty()) {
                tandemOneTokens = Stat.of(ones.stream().map(TandemCluster.Result::tokensPerSecond).toList());
                tandemOneStepMillis = Stat.of(ones.stream().map(TandemCluster.Result::stepMillis).toList());
            }
            if (which.contains(1)) {
                overhead(section[1], floors, ones);
            }
            if (which.contains(2)) {
                scaling(section[2], ones, twos);
            }
            if (which.contains(3)) {
                peer(section[3], one, two, mlp, mlpSteps);
            }
        }
    }

    private void overhead(Report.Section s, List<Floor.Result> floors, List<TandemCluster.Result> ones) {
        Stat floor = Stat.of(floors.stream().map(Floor.Result::tokensPerSecond).toList());
        s.value("floor: single-thread loop", floor, "tokens/s");
        s.value("tandem local, 1 GPU + 1 data worker", tandemOneTokens, "tokens/s");
        s.ratio("tandem / floor", tandemOneTokens.pairedOver(floor), Report.Target.atLeast(0.95));
        int shards = defaultSpec.getBatch().getShards();
        s.value("floor: step", Stat.of(floors.stream().map(Floor.Result::stepMillis).toList()), "ms");
        s.value("  of which data (S x trainShard)", Stat.of(floors.stream().map(Floor.Result::dataMillis).toList()), "ms");
        s.value("  of which compute (S x lossAndGradient)", Stat.of(floors.stream().map(Floor.Result::computeMillis).toList()), "ms");
        s.value("  of which gradient sum", Stat.of(floors.stream().map(Floor.Result::sumMillis).toList()), "ms");
        s.value("  of which optimizer + setParams", Stat.of(floors.stream().map(Floor.Result::optimizerMillis).toList()), "ms");
        s.value("tandem: step", tandemOneStepMillis, "ms");
        Stat workerCompute = Stat.of(ones.stream().map(r -> r.summary().getMeanComputeMillis() * shards).toList());
        s.value("  of which GPU-worker compute (S x mean_compute)", workerCompute, "ms");
        List<Double> rest = new ArrayList<>();
        for (TandemCluster.Result r : ones) {
            rest.add(r.stepMillis() - r.summary().getMeanComputeMillis() * shards);
        }
        s.value("  rest: optimizer, wire, scheduling, waits", Stat.of(rest), "ms");
        s.value("tandem data stall (share of GPU-worker time)", Stat.of(ones.stream().map(r -> r.summary().getDataStall()).toList()), "");
        long steps = defaultSpec.getGpuBudget().getMaxSteps();
        boolean same = !floors.isEmpty() && !ones.isEmpty()
                && floors.get(0).paramsSha256().equals(ones.get(0).summary().getParamsSha256());
        s.note("measured steps " + plan.tfWarmup() + ".." + steps + " of the default spec (corpus " + corpus
                + "), warm-up steps and evaluations excluded; tandem's rate comes from its progress reports, the floor's from its own clock");
        s.note("same math: params after " + steps + " steps " + (same ? "are bitwise equal" : "DIFFER")
                + " (floor sha256 " + (floors.isEmpty() ? "?" : floors.get(0).paramsSha256().substring(0, 16))
                + ", tandem " + (ones.isEmpty() ? "?" : ones.get(0).summary().getParamsSha256().substring(0, 16)) + ")");
        s.note("the floor runs data, compute and optimizer back to back on one thread; tandem overlaps data preparation with compute on the second core but puts the optimizer step and two wire hops on every step's critical path");
        s.put("tandem_runs", ones.stream().map(r -> BenchMain.summaryFacts(r.summary())).toList());
    }

    private void scaling(Report.Section s, List<TandemCluster.Result> ones, List<TandemCluster.Result> twos) {
        Stat two = Stat.of(twos.stream().map(TandemCluster.Result::tokensPerSecond).toList());
        s.value("tandem, 1 GPU worker x 1 thread", tandemOneTokens, "tokens/s");
        s.value("tandem, 2 GPU workers x 1 thread", two, "tokens/s");
        s.ratio("2 workers / 1 worker (ideal 2.0)", two.pairedOver(tandemOneTokens), null);
        int shards = defaultSpec.getBatch().getShards();
        s.value("2 workers: step", Stat.of(twos.stream().map(TandemCluster.Result::stepMillis).toList()), "ms");
        s.value("  mean GPU-worker compute per shard, 1 worker", Stat.of(ones.stream().map(r -> r.summary().getMeanComputeMillis()).toList()), "ms");
        s.value("  mean GPU-worker compute per shard, 2 workers", Stat.of(twos.stream().map(r -> r.summary().getMeanComputeMillis()).toList()), "ms");
        s.value("  2 workers data stall", Stat.of(twos.stream().map(r -> r.summary().getDataStall()).toList()), "");
        s.note("both clusters also run a coordinator and a data worker on the same 2 cores; S = " + shards
                + " shards per step split " + (shards / 2) + "+" + (shards / 2) + " when both workers are free");
        s.put("two_worker_runs", twos.stream().map(r -> BenchMain.summaryFacts(r.summary())).toList());
    }

    private void peer(Report.Section s, TandemCluster one, TandemCluster two, ExperimentSpec mlp, long mlpSteps) throws Exception {
        Dl4jPeer peer = new Dl4jPeer(mlp, log);
        List<Double> tandemTwo = new ArrayList<>();
        List<Double> tandemOne = new ArrayList<>();
        List<Double> wrapper = new ArrayList<>();
        List<Double> single = new ArrayList<>();
        log.println("[bench] 3: warm-up (tandem MLP, DL4J)");
        ExperimentSpec warm = BenchSpecs.mlp(corpus, 2 * plan.mlpWarmup());
        two.run(warm, plan.mlpWarmup(), BenchMain.timeout(warm.getGpuBudget().getMaxSteps()));
        peer.parallelWrapper(plan.mlpWarmup());
        if (!quick()) {
            one.run(warm, plan.mlpWarmup(), BenchMain.timeout(warm.getGpuBudget().getMaxSteps()));
            peer.single(plan.mlpWarmup());
        }
        for (int r = 0; r < repeats; r++) {
            log.println("[bench] 3: tandem MLP, 2 GPU workers, repeat " + (r + 1));
            tandemTwo.add(two.run(mlp, plan.mlpWarmup(), BenchMain.timeout(mlpSteps)).tokensPerSecond());
            log.println("[bench] 3: DL4J ParallelWrapper, repeat " + (r + 1));
            wrapper.add(peer.parallelWrapper(plan.mlpSteps()));
            if (!quick()) {
                log.println("[bench] 3: tandem MLP, 1 GPU worker, repeat " + (r + 1));
                tandemOne.add(one.run(mlp, plan.mlpWarmup(), BenchMain.timeout(mlpSteps)).tokensPerSecond());
                log.println("[bench] 3: DL4J MultiLayerNetwork, 1 thread, repeat " + (r + 1));
                single.add(peer.single(plan.mlpSteps()));
            }
        }
        Stat t2 = Stat.of(tandemTwo);
        Stat pw = Stat.of(wrapper);
        Stat t1 = Stat.of(tandemOne);
        Stat s1 = Stat.of(single);
        s.value("DL4J ParallelWrapper, 2 workers x 1 thread", pw, "samples/s");
        s.value("tandem MLP, 2 GPU workers x 1 thread + 1 data worker", t2, "samples/s");
        s.ratio("tandem / ParallelWrapper", t2.pairedOver(pw), Report.Target.atLeast(1.5));
        if (!quick()) {
            s.value("DL4J MultiLayerNetwork.fit, 1 thread", s1, "samples/s");
            s.value("tandem MLP, 1 GPU worker x 1 thread + 1 data worker", t1, "samples/s");
            s.ratio("tandem / DL4J, one worker each (context)", t1.pairedOver(s1), null);
        } else {
            s.note("quick mode: the one-worker rows (DL4J MultiLayerNetwork.fit on 1 thread vs tandem with 1 GPU worker) are skipped");
        }
        ModelSpec m = mlp.getModel();
        s.note("sample = one next-byte prediction from the previous K = " + Math.min(m.getContext(), 8)
                + " bytes; tandem's MLP makes " + m.getContext() + " per window, so its samples/s = tokens/s");
        s.note("DL4J net: EmbeddingSequenceLayer(256 -> " + m.getMlpEmbed() + ", K inputs) -> flatten -> Dense(" + m.getMlpHidden()
                + ", ReLU) -> Output(256, softmax, MCXENT), Adam; " + peer.dl4jParams() + " params vs tandem's "
                + Models.paramCount(m) + "; " + mlp.getBatch().getGlobalBatch() * m.getContext()
                + " samples per update in both (ParallelWrapper: " + peer.perWorkerBatch() + " per worker, averaging every iteration)");
        s.note("DL4J gets its batches pre-built and cycled (no data cost); tandem builds them in its data worker");
        s.note("measured steps " + plan.mlpWarmup() + ".." + mlpSteps + " (tandem) and " + plan.mlpSteps()
                + " updates after " + plan.mlpWarmup() + " warm-up updates (DL4J)");
    }

    // ---- 4: wire --------------------------------------------------------------------------------------

    private void wire(Report.Section s, WireBench.Result w) {
        int shards = defaultSpec.getBatch().getShards();
        s.value("params: encode (FloatVectors.of + ProtocolSerializer.toBinary)", w.paramsEncodeMillis(), "ms");
        s.value("params: copy + decode (fromBinary + copyInto)", w.paramsDecodeMillis(), "ms");
        s.value("gradient: encode", w.gradEncodeMillis(), "ms");
        s.value("gradient: copy + decode", w.gradDecodeMillis(), "ms");
        Stat exchange = w.exchangeMillis(shards);
        s.value("exchange per step: 1 params + " + shards + " gradients", exchange, "ms");
        if (tandemOneStepMillis != null) {
            s.value("tandem step (section 1)", tandemOneStepMillis, "ms");
            s.ratio("exchange / step", exchange.over(tandemOneStepMillis), Report.Target.atMost(0.05));
        } else {
            s.note("run section 1 too for the share of the step time");
        }
        s.value("serialization round trip", w.serializationBytesPerSecond(), "GB/s");
        s.value("System.arraycopy of the same bytes", w.arraycopyBytesPerSecond(), "GB/s");
        s.value("direct ByteBuffer.put of the same bytes", w.bufferPutBytesPerSecond(), "GB/s");
        s.ratio("serialization / arraycopy", w.serializationBytesPerSecond().over(w.arraycopyBytesPerSecond()), null);
        s.note(w.description());
        s.note("not counted: Artery's own framing and loopback TCP (section 1's 'rest' holds them)");
    }

    // ---- 5: compute -----------------------------------------------------------------------------------

    private void compute(Report.Section s) throws Exception {
        log.println("[bench] 5: GEMM 2048 x 2048 float, 1 and 2 threads");
        Stat gemm1 = ComputeBench.gemm(2048, 1, repeats, plan.gemmSeconds());
        Stat gemm2 = ComputeBench.gemm(2048, 2, repeats, plan.gemmSeconds());
        s.value("ND4J GEMM 2048^2 float, 1 thread", gemm1.times(1e-9), "GFLOP/s");
        s.value("ND4J GEMM 2048^2 float, 2 threads (context)", gemm2.times(1e-9), "GFLOP/s");
        ExperimentSpec tf = BenchSpecs.defaults(corpus, 10);
        ExperimentSpec large = tf.toBuilder().setModel(BenchSpecs.larger()).build();
        ExperimentSpec mlp = BenchSpecs.mlp(corpus, 10);
        String[] names = {"default Transformer", "larger Transformer", "MLP (section 3)"};
        ExperimentSpec[] specs = {tf, large, mlp};
        for (int i = 0; i < specs.length; i++) {
            ModelSpec m = specs[i].getModel();
            log.println("[bench] 5: forward + backward, " + names[i]);
            ComputeBench.ModelCompute c = ComputeBench.model(specs[i], repeats, plan.computeSeconds());
            s.value(names[i] + ": " + String.format("%.1f", Flops.trainPerToken(m) / 1e6) + " MFLOP/token x "
                    + c.tokensPerCall() + " tokens per shard", c.millisPerCall(), "ms/shard");
            s.value("  model FLOP/s", c.flopsPerSecond().times(1e-9), "GFLOP/s");
            s.ratio("  utilisation: model / GEMM", c.flopsPerSecond().over(gemm1), null);
            s.put(names[i], Map.of("spec", tandem.protocol.Specs.toJson(m).replaceAll("\\s+", " "),
                    "params", c.params(), "rows_per_shard", c.rows(),
                    "forward_flops_per_token", Flops.forwardPerToken(m),
                    "train_flops_per_token", Flops.trainPerToken(m)));
        }
        s.note("FLOPs from the spec's shape (tandem.bench.Flops): forward per token = 2(256+T)d + L(8d^2 + 4Td + 4dF) + 512d for the Transformer, "
                + "2*256*E*(T+K-1)/T + 2KEH + 512H for the MLP; training = 3 x forward; element-wise ops not counted");
        s.note("larger Transformer: context " + large.getModel().getContext() + ", d_model " + large.getModel().getDModel()
                + ", layers " + large.getModel().getLayers() + ", heads " + large.getModel().getHeads() + ", d_ff "
                + large.getModel().getDFf() + " (" + Models.paramCount(large.getModel()) + " params); all at "
                + tf.getBatch().getGlobalBatch() / tf.getBatch().getShards() + " rows per shard as a GPU worker computes them");
    }

    // ---- 6: data --------------------------------------------------------------------------------------

    private Map<String, Stat> dataRates() throws Exception {
        Map<String, Stat> rates = new LinkedHashMap<>();
        for (String preset : List.of("none", "eda", "noise", "eda+noise")) {
            log.println("[bench] 6: data worker, preset " + preset);
            rates.put(preset, DataBench.bytesPerSecond(BenchSpecs.withPreset(defaultSpec, preset), repeats, plan.dataSeconds()));
        }
        return rates;
    }

    private void data(Report.Section s, Map<String, Stat> rates) {
        Stat consumption = null;
        if (tandemOneTokens != null) {
            double bytesPerToken = (defaultSpec.getModel().getContext() + 1.0) / defaultSpec.getModel().getContext();
            consumption = tandemOneTokens.times(bytesPerToken);
            s.value("one GPU worker consumes (section 1, default Transformer)", consumption.times(1e-3), "kB/s");
        }
        for (Map.Entry<String, Stat> e : rates.entrySet()) {
            s.value("preset " + e.getKey() + ": one data worker produces", e.getValue().times(1e-3), "kB/s");
            if (consumption != null) {
                s.ratio("  production / consumption (>= 1: one data worker keeps one GPU worker fed)",
                        e.getValue().over(consumption), Report.Target.atLeast(1.0));
            }
        }
        s.note("bytes = rows x (context + 1) per shard, what a GPU worker receives; one thread calling DataPlan.trainShard for consecutive shards");
        if (consumption == null) {
            s.note("run section 1 too for the GPU worker's consumption");
        }
    }

    // ---- profile ----------------------------------------------------------------------------------------

    /**
     * Extra, unmeasured runs with a stack sampler on: the floor and tandem (1 GPU worker) on the default
     * Transformer, tandem (2 GPU workers) and DL4J's ParallelWrapper on the MLP.
     */
    void profile() throws Exception {
        Report.Section s = report.section("profile", "Profile: thread-stack samples (every 5 ms) during extra, unmeasured runs");
        s.placeholder("(no figures: see the notes)");
        ExperimentSpec tf = defaultSpec;
        ExperimentSpec mlp = BenchSpecs.mlp(corpus, plan.mlpWarmup() + plan.mlpSteps());
        log.println("[bench] profile: floor");
        Floor.run(tf, plan.tfWarmup());
        sampled(s, "floor, default Transformer", () -> Floor.run(tf, plan.tfWarmup()));
        try (TandemCluster one = TandemCluster.start(1, 1); TandemCluster two = TandemCluster.start(2, 1)) {
            log.println("[bench] profile: tandem, 1 GPU worker");
            one.run(BenchSpecs.defaults(corpus, 2 * plan.tfWarmup()), plan.tfWarmup(), BenchMain.timeout(60));
            sampled(s, "tandem, 1 GPU + 1 data worker, default Transformer",
                    () -> one.run(tf, plan.tfWarmup(), BenchMain.timeout(tf.getGpuBudget().getMaxSteps())));
            log.println("[bench] profile: tandem MLP, 2 GPU workers");
            two.run(BenchSpecs.mlp(corpus, 2 * plan.mlpWarmup()), plan.mlpWarmup(), BenchMain.timeout(60));
            sampled(s, "tandem, 2 GPU + 1 data worker, MLP",
                    () -> two.run(mlp, plan.mlpWarmup(), BenchMain.timeout(mlp.getGpuBudget().getMaxSteps())));
        }
        log.println("[bench] profile: DL4J ParallelWrapper");
        Dl4jPeer peer = new Dl4jPeer(mlp, log);
        peer.parallelWrapper(plan.mlpWarmup());
        sampled(s, "DL4J ParallelWrapper, 2 workers, MLP", () -> peer.parallelWrapper(plan.mlpSteps()));
    }

    private interface Work {
        Object run() throws Exception;
    }

    private static void sampled(Report.Section s, String what, Work work) throws Exception {
        long t0 = System.nanoTime();
        List<String> lines;
        try (StackSampler sampler = new StackSampler(5)) {
            work.run();
            lines = sampler.summary(5);
        }
        s.note(String.format("%s (%.1f s):", what, (System.nanoTime() - t0) / 1e9));
        lines.forEach(l -> s.note("  " + l));
    }
}
