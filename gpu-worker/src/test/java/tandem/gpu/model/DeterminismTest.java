package tandem.gpu.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * Invariant D at the model level: initial params are a pure function of (spec, seed); gradients
 * are a pure function of (params, batch), whatever the instance and the call history.
 */
class DeterminismTest {

  @BeforeAll
  static void threads() {
    Nd4jBackend.configure(1);
  }

  static ModelSpec spec(String kind) {
    return kind.equals("mlp") ? TestBatches.tinyMlp(12) : TestBatches.tinyTransformer(12);
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void initialParamsArePureFunctionOfSpecAndSeed(String kind) {
    ModelSpec spec = spec(kind);
    float[] a;
    float[] b;
    float[] c;
    try (LanguageModel m1 = Models.create(spec); LanguageModel m2 = Models.create(spec)) {
      a = m1.initialParams(42).toFloatVector();
      b = m2.initialParams(42).toFloatVector();
      c = m1.initialParams(43).toFloatVector();
      assertEquals(m1.paramCount(), a.length);
    }
    assertArrayEquals(a, b, "same seed, another instance");
    assertFalse(java.util.Arrays.equals(a, c), "another seed");
    // Also without building any graph (the coordinator-side view of the layout).
    assertArrayEquals(a, Models.layout(spec).initialParams(42).toFloatVector());
    // From another thread too: nothing depends on thread-local RNG state.
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<float[]> f = ex.submit(() -> Models.layout(spec).initialParams(42).toFloatVector());
      assertArrayEquals(a, f.get());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      ex.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void initIsSensible(String kind) {
    ModelSpec spec = spec(kind);
    ParamLayout layout = Models.layout(spec);
    INDArray p = layout.initialParams(1);
    for (ParamLayout.Entry e : layout.entries()) {
      INDArray v = p.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(
          e.offset(), e.offset() + e.length()));
      switch (e.init()) {
        case ONES -> assertEquals(e.length(), v.sumNumber().doubleValue(), 0.0, e.name());
        case ZEROS -> assertEquals(0.0, v.amaxNumber().doubleValue(), 0.0, e.name());
        case NORMAL -> {
          double mean = v.meanNumber().doubleValue();
          double std = v.stdNumber().doubleValue();
          if (e.length() >= 1000) { // enough draws for the statistics to be tight
            assertEquals(0.0, mean, 4 * e.std() / Math.sqrt(e.length()) + 1e-6, e.name());
            assertEquals(e.std(), std, 0.1 * e.std(), e.name());
          }
          assertTrue(std > 0, e.name());
        }
        default -> throw new AssertionError();
      }
    }
    if (kind.equals("transformer")) {
      // residual projections are scaled down by 1/sqrt(2 layers)
      double base = layout.entry("h0.attn.wqkv").std();
      assertEquals(base / Math.sqrt(2 * spec.getLayers()), layout.entry("h0.attn.wo").std(), 1e-12);
      assertEquals(base / Math.sqrt(2 * spec.getLayers()), layout.entry("h1.mlp.w2").std(), 1e-12);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void gradientsAreBitwiseReproducible(String kind) {
    ModelSpec spec = spec(kind);
    TokenBatch batch = TestBatches.random(4, spec.getContext(), 5);
    TokenBatch other = TestBatches.random(6, spec.getContext(), 6); // another shape too
    float[] g1;
    float[] g2;
    float[] g3;
    float[] g4;
    double l1;
    double l3;
    INDArray params;
    try (LanguageModel m = Models.create(spec)) {
      params = m.initialParams(9);
      INDArray grad = Nd4j.create(DataType.FLOAT, m.paramCount());
      m.setParams(params);
      l1 = m.lossAndGradient(batch, grad).lossSum();
      g1 = grad.toFloatVector();
      // Same instance again, after unrelated work with other params and another batch shape:
      // nothing may leak from one call into the next.
      m.setParams(m.initialParams(10));
      m.lossAndGradient(other, grad);
      m.loss(batch);
      m.setParams(params);
      grad.assign(123f); // gradOut is overwritten, not accumulated into
      assertEquals(l1, m.lossAndGradient(batch, grad).lossSum());
      g2 = grad.toFloatVector();
      assertEquals(l1, m.loss(batch).lossSum(), "eval loss equals training loss, bitwise");
    }
    try (LanguageModel fresh = Models.create(spec)) {
      INDArray grad = Nd4j.create(DataType.FLOAT, fresh.paramCount());
      fresh.setParams(params);
      l3 = fresh.lossAndGradient(batch, grad).lossSum();
      g3 = grad.toFloatVector();
    }
    // A fresh instance driven from another thread (actors hop dispatcher threads).
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (LanguageModel other2 = Models.create(spec)) {
      INDArray grad = Nd4j.create(DataType.FLOAT, other2.paramCount());
      other2.setParams(params);
      other2.lossAndGradient(batch, grad); // first call on this thread
      g4 = ex.submit(() -> {
        INDArray g = Nd4j.create(DataType.FLOAT, other2.paramCount());
        other2.lossAndGradient(batch, g);
        return g.toFloatVector();
      }).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      ex.shutdownNow();
    }
    assertNotEquals(0.0, l1);
    assertArrayEquals(g1, g2, "same instance, later call");
    assertEquals(l1, l3);
    assertArrayEquals(g1, g3, "fresh instance");
    assertArrayEquals(g1, g4, "another thread");
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void setParamsAcceptsRowVectorsAndRejectsWrongLengths(String kind) {
    ModelSpec spec = spec(kind);
    TokenBatch batch = TestBatches.random(2, spec.getContext(), 5);
    try (LanguageModel m = Models.create(spec)) {
      INDArray p = m.initialParams(3);
      m.setParams(p);
      double a = m.loss(batch).lossSum();
      m.setParams(p.reshape(1, p.length()).dup());
      assertEquals(a, m.loss(batch).lossSum());
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> m.setParams(Nd4j.create(DataType.FLOAT, m.paramCount() - 1)));
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> m.lossAndGradient(batch, Nd4j.create(DataType.DOUBLE, m.paramCount())));
    }
  }
}
