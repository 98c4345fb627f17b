package tandem.gpu.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * Not a test: a throwaway single-process imitation of the coordinator loop (global batch cut into
 * shards of 16 rows, gradient sums added in shard order, divided by the token count, clipped, Adam
 * with warmup + cosine) on a text file, printing validation bits/byte. Args: file steps
 * globalBatch lr kind:ctx:d:layers:heads:dff.
 */
public final class TrainScratch {
  public static void main(String[] a) throws Exception {
    Nd4jBackend.configure(1);
    byte[] text = Files.readAllBytes(Path.of(a[0]));
    int steps = Integer.parseInt(a[1]);
    int global = Integer.parseInt(a[2]);
    double peak = Double.parseDouble(a[3]);
    String[] f = a[4].split(":");
    int ctx = Integer.parseInt(f[1]);
    ModelSpec spec = f[0].equals("M")
        ? ModelSpec.newBuilder().setKind(ModelSpec.Kind.MLP).setContext(ctx)
            .setMlpEmbed(Integer.parseInt(f[2])).setMlpHidden(Integer.parseInt(f[3])).build()
        : ModelSpec.newBuilder().setKind(ModelSpec.Kind.TRANSFORMER).setContext(ctx)
            .setDModel(Integer.parseInt(f[2])).setLayers(Integer.parseInt(f[3]))
            .setHeads(Integer.parseInt(f[4])).setDFf(Integer.parseInt(f[5])).build();
    int shard = 16;
    int split = (int) (text.length * 0.9);
    SplittableRandom rng = new SplittableRandom(1);
    SplittableRandom vr = new SplittableRandom(2);
    TokenBatch[] val = new TokenBatch[8];
    for (int i = 0; i < val.length; i++) {
      val[i] = TestBatches.windows(text, ctx, starts(vr, 16, split, text.length - ctx - 1));
    }
    try (LanguageModel m = Models.create(spec)) {
      long n = m.paramCount();
      System.out.printf("spec %s params %,d backend %s%n", a[4], n, Nd4jBackend.describe());
      INDArray params = m.initialParams(1);
      INDArray sum = Nd4j.create(DataType.FLOAT, n);
      INDArray g = Nd4j.create(DataType.FLOAT, n);
      Adam cfg = new Adam(peak);
      INDArray state = Nd4j.create(DataType.FLOAT, 2 * n);
      GradientUpdater<?> adam = cfg.instantiate(state, true);
      m.setParams(params);
      long t0 = System.nanoTime();
      int warm = Math.min(100, steps / 10);
      double trainAcc = 0;
      int trainCnt = 0;
      for (int step = 0; step <= steps; step++) {
        if (step % 250 == 0 || step == steps) {
          double ls = 0;
          long tc = 0;
          for (TokenBatch v : val) {
            LanguageModel.StepResult r = m.loss(v);
            ls += r.lossSum();
            tc += r.tokenCount();
          }
          System.out.printf("step %5d  val %.3f bits/byte  train %.3f  elapsed %.0f s%n", step,
              ls / tc / Math.log(2), trainCnt == 0 ? Double.NaN : trainAcc / trainCnt / Math.log(2),
              (System.nanoTime() - t0) / 1e9);
          trainAcc = 0;
          trainCnt = 0;
          if (step == steps) {
            break;
          }
        }
        sum.assign(0);
        long tokens = 0;
        for (int s = 0; s < global / shard; s++) {
          LanguageModel.StepResult r =
              m.lossAndGradient(TestBatches.windows(text, ctx, starts(rng, shard, 0, split - ctx - 1)), g);
          sum.addi(g);
          tokens += r.tokenCount();
          trainAcc += r.lossSum() / r.tokenCount();
          trainCnt++;
        }
        sum.divi(tokens);
        double norm = sum.norm2Number().doubleValue();
        if (norm > 1.0) {
          sum.muli(1.0 / norm);
        }
        double lr = step < warm ? peak * (step + 1) / warm
            : 0.1 * peak + 0.9 * peak * 0.5 * (1 + Math.cos(Math.PI * (step - warm) / (steps - warm)));
        cfg.setLearningRate(lr);
        adam.applyUpdater(sum, step, 0);
        params.subi(sum);
        m.setParams(params);
      }
    }
  }

  private static int[] starts(SplittableRandom rng, int rows, int from, int to) {
    int[] s = new int[rows];
    for (int i = 0; i < rows; i++) {
      s[i] = from + rng.nextInt(to - from);
    }
    return s;
  }
}
