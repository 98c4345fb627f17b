package tandem.gpu.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * Not a test (no assertions; surefire does not pick it up): prints the time per
 * {@code lossAndGradient} call for a few shapes: wall time, and the calling thread's CPU time
 * (with one native thread the ops run on the calling thread, so CPU time is the better estimate
 * on a machine shared with other builds). Run with the test classpath, e.g.
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) tandem.gpu.model.ModelBenchmark
 * [threads] [iters] [kind:ctx:d:layers:heads:dff:rows ...]}.
 */
public final class ModelBenchmark {

  private ModelBenchmark() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int iters = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Nd4jBackend.configure(threads);
    System.out.println("backend: " + Nd4jBackend.describe());
    String[] cases = args.length > 2
        ? java.util.Arrays.copyOfRange(args, 2, args.length)
        : new String[] {
            "T:64:64:2:4:256:8", "T:64:64:2:4:256:16", "T:64:64:2:4:256:32",
            "M:64:16:256:0:0:16", "M:64:16:256:0:0:64"};
    for (String c : cases) {
      String[] f = c.split(":");
      int ctx = Integer.parseInt(f[1]);
      int rows = Integer.parseInt(f[6]);
      ModelSpec spec;
      if (f[0].equals("M")) {
        spec = ModelSpec.newBuilder().setKind(ModelSpec.Kind.MLP).setContext(ctx)
            .setMlpEmbed(Integer.parseInt(f[2])).setMlpHidden(Integer.parseInt(f[3])).build();
      } else {
        spec = ModelSpec.newBuilder().setKind(ModelSpec.Kind.TRANSFORMER).setContext(ctx)
            .setDModel(Integer.parseInt(f[2])).setLayers(Integer.parseInt(f[3]))
            .setHeads(Integer.parseInt(f[4])).setDFf(Integer.parseInt(f[5])).build();
      }
      long t0 = System.nanoTime();
      try (LanguageModel m = Models.create(spec)) {
        long build = System.nanoTime() - t0;
        m.setParams(m.initialParams(1));
        INDArray g = Nd4j.create(DataType.FLOAT, m.paramCount());
        TokenBatch b = TestBatches.random(rows, ctx, 5);
        for (int i = 0; i < 5; i++) {
          m.lossAndGradient(b, g);
        }
        long[] times = new long[iters];
        long[] cpu = new long[iters];
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < iters; i++) {
          long c0 = bean.getCurrentThreadCpuTime();
          long s = System.nanoTime();
          m.lossAndGradient(b, g);
          times[i] = System.nanoTime() - s;
          cpu[i] = bean.getCurrentThreadCpuTime() - c0;
        }
        java.util.Arrays.sort(times);
        java.util.Arrays.sort(cpu);
        long es = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          m.loss(b);
        }
        double evalMs = (System.nanoTime() - es) / 5e6;
        System.out.printf(
            "%-22s params=%,9d rows=%3d  lossAndGradient wall median %.1f ms (min %.1f, p90 %.1f)"
                + "  thread-cpu median %.1f ms (min %.1f)  loss %.1f ms  build %.0f ms%n",
            c, m.paramCount(), rows, times[iters / 2] / 1e6, times[0] / 1e6,
            times[(int) (iters * 0.9)] / 1e6, cpu[iters / 2] / 1e6, cpu[0] / 1e6, evalMs,
            build / 1e6);
      }
    }
  }
}
