package tandem.bench;

import com.google.protobuf.UnsafeByteOperations;
import com.typesafe.config.ConfigFactory;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import tandem.protocol.CoordinatorProtocol;
import tandem.protocol.FloatVectors;
import tandem.protocol.GpuWorkerProtocol;
import tandem.protocol.ProtocolSerializer;
import tandem.protocol.Specs;
import tandem.proto.GpuResult;
import tandem.proto.GpuTask;
import tandem.proto.ShardId;
import tandem.proto.TokenBatch;

/**
 * JMH micro-benchmarks of what a step moves over the wire, through tandem's own code: a params vector in a
 * {@link GpuTask} and a gradient in a {@link GpuResult}, each encoded with {@link FloatVectors#of} (from a
 * direct buffer, as ND4J's) and {@link ProtocolSerializer#toBinary}, then copied into a direct "network"
 * buffer and out again (what Artery does with a byte[] serializer), parsed with
 * {@link ProtocolSerializer#fromBinary} and copied into a direct target with {@link FloatVectors#copyInto}.
 * Against them, a plain copy of the same bytes: {@code System.arraycopy} and a direct {@code ByteBuffer.put}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WireBench {

    /** Floats in the vector: the default model's parameter count (overridden by the runner). */
    @Param("137216")
    public int floats;

    private ActorSystem system;
    private ProtocolSerializer serializer;
    private ByteBuffer params;
    private ByteBuffer grad;
    private ByteBuffer target;
    private ByteBuffer wire;
    private GpuTask task;
    private GpuResult result;
    private byte[] paramsFrame;
    private byte[] gradFrame;
    private String taskManifest;
    private String resultManifest;
    private byte[] src;
    private byte[] dst;
    private ByteBuffer directSrc;
    private ByteBuffer directDst;

    @Setup(Level.Trial)
    public void setup() {
        system = ActorSystem.create("wire-bench", ConfigFactory.parseString(
                "pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING"));
        serializer = new ProtocolSerializer((ExtendedActorSystem) system);
        int bytes = floats * Float.BYTES;
        Random random = new Random(1);
        params = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        grad = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < floats; i++) {
            params.putFloat(i * 4, (float) random.nextGaussian());
            grad.putFloat(i * 4, (float) random.nextGaussian() * 1e-3f);
        }
        target = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        wire = ByteBuffer.allocateDirect(bytes + (1 << 20));
        byte[] tokens = new byte[8 * 65];
        random.nextBytes(tokens);
        byte[] mask = new byte[8 * 64];
        java.util.Arrays.fill(mask, (byte) 1);
        TokenBatch batch = TokenBatch.newBuilder().setRows(8).setCols(65)
                .setTokens(UnsafeByteOperations.unsafeWrap(tokens)).setLossMask(UnsafeByteOperations.unsafeWrap(mask)).build();
        ShardId id = ShardId.newBuilder().setKind(ShardId.Kind.TRAIN).setStep(12).setIndex(1).build();
        task = GpuTask.newBuilder().setExperimentId("bench-xyz").setSpec(Specs.DEFAULTS).setId(id)
                .setParamsVersion(12).setBatch(batch).setAttempt(1).build();
        result = GpuResult.newBuilder().setExperimentId("bench-xyz").setId(id).setParamsVersion(12)
                .setLossSum(1234.5).setTokenCount(512).setComputeNanos(1).setAttempt(1).build();
        paramsFrame = paramsEncode();
        gradFrame = gradEncode();
        taskManifest = serializer.manifest(new GpuWorkerProtocol.RunTask(task, null));
        resultManifest = serializer.manifest(new CoordinatorProtocol.ResultReceived(result, null));
        src = new byte[bytes];
        random.nextBytes(src);
        dst = new byte[bytes];
        directSrc = ByteBuffer.allocateDirect(bytes);
        directDst = ByteBuffer.allocateDirect(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        system.terminate();
    }

    /** Coordinator side: the params vector into a task frame (once per params version). */
    @Benchmark
    public byte[] paramsEncode() {
        GpuTask t = task.toBuilder().setParams(FloatVectors.of(params, floats)).build();
        return serializer.toBinary(new GpuWorkerProtocol.RunTask(t, null));
    }

    /** Worker side: the frame through a network buffer, parsed, params copied into the replica's array. */
    @Benchmark
    public Object paramsDecode() throws Exception {
        GpuWorkerProtocol.RunTask m = (GpuWorkerProtocol.RunTask) serializer.fromBinary(throughWire(paramsFrame), taskManifest);
        FloatVectors.copyInto(m.body().getParams(), target, floats);
        return m;
    }

    /** Worker side: the gradient into a result frame. */
    @Benchmark
    public byte[] gradEncode() {
        GpuResult r = result.toBuilder().setGradSum(FloatVectors.of(grad, floats)).build();
        return serializer.toBinary(new CoordinatorProtocol.ResultReceived(r, null));
    }

    /** Coordinator side: the frame through a network buffer, parsed, gradient copied into the sum's input. */
    @Benchmark
    public Object gradDecode() throws Exception {
        CoordinatorProtocol.ResultReceived m =
                (CoordinatorProtocol.ResultReceived) serializer.fromBinary(throughWire(gradFrame), resultManifest);
        FloatVectors.copyInto(m.body().getGradSum(), target, floats);
        return m;
    }

    /** The same bytes, one System.arraycopy. */
    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(src, 0, dst, 0, src.length);
        return dst;
    }

    /** The same bytes, one direct-to-direct ByteBuffer.put. */
    @Benchmark
    public ByteBuffer bufferPut() {
        directDst.clear();
        directDst.put(directSrc.duplicate());
        return directDst;
    }

    private byte[] throughWire(byte[] frame) {
        wire.clear();
        wire.put(frame);
        wire.flip();
        byte[] received = new byte[frame.length];
        wire.get(received);
        return received;
    }

    // ---- runner -----------------------------------------------------------------------------------

    /** Per benchmark: ms per operation, one value per measurement iteration. */
    record Result(Map<String, Stat> millis, int floats, int forks) {
        Stat paramsEncodeMillis() {
            return millis.get("paramsEncode");
        }

        Stat paramsDecodeMillis() {
            return millis.get("paramsDecode");
        }

        Stat gradEncodeMillis() {
            return millis.get("gradEncode");
        }

        Stat gradDecodeMillis() {
            return millis.get("gradDecode");
        }

        /** One params vector out and in, plus S gradients out and in. */
        Stat exchangeMillis(int shards) {
            Stat grad = gradEncodeMillis().plus(gradDecodeMillis());
            Stat all = paramsEncodeMillis().plus(paramsDecodeMillis());
            for (int i = 0; i < shards; i++) {
                all = all.plus(grad);
            }
            return all;
        }

        private double gigabytes() {
            return floats * (double) Float.BYTES / 1e9;
        }

        /** Vector bytes per second through encode + copy + decode of a gradient. */
        Stat serializationBytesPerSecond() {
            return gradEncodeMillis().plus(gradDecodeMillis()).inverse(gigabytes() * 1e3);
        }

        Stat arraycopyBytesPerSecond() {
            return millis.get("arraycopy").inverse(gigabytes() * 1e3);
        }

        Stat bufferPutBytesPerSecond() {
            return millis.get("bufferPut").inverse(gigabytes() * 1e3);
        }

        String description() {
            return String.format("JMH (%s), ms/op, one value per measurement iteration; vector of %d floats (%.2f MB), the default model's params",
                    forks == 0 ? "in the bench's JVM" : "1 forked JVM per benchmark", floats, floats * 4 / 1e6);
        }
    }

    static Result run(BenchMain.Plan plan, long floats, int shards, PrintStream log) throws Exception {
        log.println("[bench] 4: JMH wire benchmarks (forked JVM)");
        Options options = new OptionsBuilder()
                .include(WireBench.class.getName() + "\\.")
                .param("floats", Long.toString(floats))
                // JMH forks a JVM per benchmark (6 here): worth it in a full run; a quick run measures in this JVM.
                .forks(plan.mode().equals("quick") ? 0 : 1)
                .warmupIterations(plan.jmhWarmups())
                .warmupTime(TimeValue.milliseconds((long) (plan.jmhSeconds() * 1000)))
                .measurementIterations(plan.jmhIterations())
                .measurementTime(TimeValue.milliseconds((long) (plan.jmhSeconds() * 1000)))
                .jvmArgs("-Xmx1g", "-XX:MaxDirectMemorySize=512m")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Stat> millis = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult b : r.getBenchmarkResults()) {
                for (IterationResult i : b.getIterationResults()) {
                    scores.add(i.getPrimaryResult().getScore());
                }
            }
            millis.put(name, Stat.of(scores));
        }
        return new Result(millis, (int) floats, options.getForkCount().orElse(1));
    }
}
