package tandem.gpu.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * Autodiff gradients against central finite differences of the loss, in float32: every parameter
 * tensor gets a few coordinates checked, plus directional derivatives along random directions
 * (which average out float32 rounding and so allow a tighter tolerance).
 */
class GradientCheckTest {

  @BeforeAll
  static void threads() {
    Nd4jBackend.configure(1);
  }

  @Test
  void transformerGradientMatchesFiniteDifferences() {
    // Pre-norm LayerNorms see small activations (embeddings ~0.02), so the loss curves quickly:
    // a small step keeps the central difference's second-order error below the tolerance.
    check(TestBatches.tinyTransformer(6), 3, 2.0f, 3e-3);
  }

  @Test
  void mlpGradientMatchesFiniteDifferences() {
    check(TestBatches.tinyMlp(6), 3, 1.0f, 1e-2);
  }

  @Test
  void mlpWithContextShorterThanWindowMatchesFiniteDifferences() {
    check(TestBatches.tinyMlp(3), 3, 3.0f, 1e-2);
  }

  private static void check(ModelSpec spec, int rows, float scale, double eps) {
    int context = spec.getContext();
    try (LanguageModel model = Models.create(spec)) {
      // Scaled-up init weights make attention non-uniform and logits spread, so more of the graph
      // is exercised (scale 3 on the MLP drives logits far apart: checks the stable log-softmax).
      INDArray params = model.initialParams(7).muli(scale);
      model.setParams(params);
      TokenBatch batch = TestBatches.random(rows, context, 11);
      INDArray grad = Nd4j.create(DataType.FLOAT, model.paramCount());
      LanguageModel.StepResult r = model.lossAndGradient(batch, grad);
      assertEquals(rows * context, r.tokenCount());
      assertEquals(r.lossSum(), model.loss(batch).lossSum(), 1e-4 * Math.abs(r.lossSum()));

      // 1) coordinates: for each tensor, its largest-gradient coordinate and one random one.
      ParamLayout layout = Models.layout(spec);
      SplittableRandom rng = new SplittableRandom(3);
      int checked = 0;
      for (ParamLayout.Entry e : layout.entries()) {
        List<Long> coords = new ArrayList<>();
        INDArray ge = grad.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(
            e.offset(), e.offset() + e.length()));
        coords.add(e.offset() + ge.dup().reshape(ge.length()).argMax(0).getLong(0));
        coords.add(e.offset() + rng.nextLong(e.length()));
        for (long i : coords) {
          double analytic = grad.getDouble(i);
          // Two step sizes: float32 rounding favours the larger, curvature and ReLU kinks the
          // smaller; a wrong gradient disagrees with both.
          double n1 = numericCoord(model, params, batch, i, eps);
          double n2 = numericCoord(model, params, batch, i, eps / 3);
          boolean ok = close(analytic, n1) || close(analytic, n2);
          assertTrue(ok, () -> e.name() + "[" + (i - e.offset()) + "] analytic=" + analytic
              + " numeric=" + n1 + " / " + n2);
          checked++;
        }
      }
      assertTrue(checked >= 2 * layout.entries().size());

      // 2) directional derivatives along random unit directions.
      for (int k = 0; k < 3; k++) {
        INDArray dir = randomUnit(model.paramCount(), 100 + k);
        double analytic = grad.mul(dir).sumNumber().doubleValue();
        double plus = lossAt(model, params.add(dir.mul(eps)), batch);
        double minus = lossAt(model, params.sub(dir.mul(eps)), batch);
        double numeric = (plus - minus) / (2 * eps);
        assertEquals(numeric, analytic, 2e-2 * Math.abs(analytic) + 1e-2,
            "directional derivative " + k);
      }
      model.setParams(params);
    }
  }

  private static boolean close(double analytic, double numeric) {
    return Math.abs(analytic - numeric)
        <= 5e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-2;
  }

  private static double numericCoord(LanguageModel m, INDArray params, TokenBatch b, long i,
      double eps) {
    INDArray p = params.dup();
    float orig = p.getFloat(i);
    p.putScalar(i, orig + eps);
    double plus = lossAt(m, p, b);
    p.putScalar(i, orig - eps);
    double minus = lossAt(m, p, b);
    // use the float-rounded step actually taken
    double step = ((float) (orig + eps)) - ((float) (orig - eps));
    return (plus - minus) / step;
  }

  private static double lossAt(LanguageModel m, INDArray p, TokenBatch b) {
    m.setParams(p);
    return m.loss(b).lossSum();
  }

  private static INDArray randomUnit(long n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[(int) n];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextDouble() * 2 - 1);
      norm += v[i] * (double) v[i];
    }
    float s = (float) (1.0 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
    return Nd4j.createFromArray(v);
  }
}
