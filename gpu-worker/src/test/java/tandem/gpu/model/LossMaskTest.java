package tandem.gpu.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/** The loss mask, the causal contract, the loss scale and batch validation. */
class LossMaskTest {

  @BeforeAll
  static void threads() {
    Nd4jBackend.configure(1);
  }

  static ModelSpec spec(String kind) {
    return kind.equals("mlp") ? TestBatches.tinyMlp(10) : TestBatches.tinyTransformer(10);
  }

  /** rows x context mask with about a third of the positions masked out. */
  static byte[] partialMask(int rows, int context, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] mask = new byte[rows * context];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = (byte) (rng.nextInt(3) == 0 ? 0 : 1);
    }
    mask[0] = 1;
    mask[1] = 0;
    return mask;
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void maskedPositionsContributeNothing(String kind) {
    ModelSpec spec = spec(kind);
    int rows = 3;
    int ctx = spec.getContext();
    TokenBatch full = TestBatches.random(rows, ctx, 21);
    byte[] tokens = full.getTokens().toByteArray();
    byte[] mask = partialMask(rows, ctx, 4);
    int ones = 0;
    for (byte b : mask) {
      ones += b;
    }
    TokenBatch masked = TestBatches.of(rows, ctx, tokens, mask);

    // Change the targets of masked positions only. A target is input for later positions, so
    // only a row's last byte can change without changing any input: change that one when its
    // position is masked, and build a second case by masking last positions explicitly.
    byte[] mask2 = mask.clone();
    byte[] tokens2 = tokens.clone();
    for (int r = 0; r < rows; r++) {
      mask2[r * ctx + ctx - 1] = 0;
      tokens2[r * (ctx + 1) + ctx] = (byte) (tokens2[r * (ctx + 1) + ctx] + 77);
    }
    try (LanguageModel m = Models.create(spec)) {
      m.setParams(m.initialParams(2));
      INDArray g1 = Nd4j.create(DataType.FLOAT, m.paramCount());
      INDArray g2 = Nd4j.create(DataType.FLOAT, m.paramCount());

      LanguageModel.StepResult r = m.lossAndGradient(masked, g1);
      assertEquals(ones, r.tokenCount(), "tokenCount counts the mask's ones");

      LanguageModel.StepResult a = m.lossAndGradient(TestBatches.of(rows, ctx, tokens, mask2), g1);
      LanguageModel.StepResult b = m.lossAndGradient(TestBatches.of(rows, ctx, tokens2, mask2), g2);
      assertEquals(a.lossSum(), b.lossSum(), "loss ignores masked targets");
      assertEquals(a.tokenCount(), b.tokenCount());
      assertArrayEquals(g1.toFloatVector(), g2.toFloatVector(), "gradient ignores masked targets");

      // Additivity: loss(mask) + loss(complement) == loss(all).
      byte[] comp = new byte[mask.length];
      for (int i = 0; i < mask.length; i++) {
        comp[i] = (byte) (1 - mask[i]);
      }
      double all = m.loss(full).lossSum();
      double part = m.loss(masked).lossSum();
      LanguageModel.StepResult rest = m.loss(TestBatches.of(rows, ctx, tokens, comp));
      assertEquals(rows * ctx - ones, rest.tokenCount());
      assertEquals(all, part + rest.lossSum(), 1e-4 * all);

      // All masked: nothing counts, loss and gradient are exactly zero.
      LanguageModel.StepResult none =
          m.lossAndGradient(TestBatches.of(rows, ctx, tokens, new byte[rows * ctx]), g1);
      assertEquals(0, none.tokenCount());
      assertEquals(0.0, none.lossSum());
      assertEquals(0.0, g1.amaxNumber().doubleValue());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void predictionsAreCausal(String kind) {
    // Changing byte j of a row must leave the loss at positions < j unchanged: mask everything
    // from j on and compare.
    ModelSpec spec = spec(kind);
    int ctx = spec.getContext();
    int j = 6;
    TokenBatch base = TestBatches.random(2, ctx, 8);
    byte[] tokens = base.getTokens().toByteArray();
    byte[] changed = tokens.clone();
    for (int r = 0; r < 2; r++) {
      for (int p = j; p <= ctx; p++) {
        changed[r * (ctx + 1) + p] ^= 0x5A;
      }
    }
    byte[] mask = new byte[2 * ctx];
    for (int r = 0; r < 2; r++) {
      for (int p = 0; p < j - 1; p++) { // position p predicts byte p+1 < j
        mask[r * ctx + p] = 1;
      }
    }
    try (LanguageModel m = Models.create(spec)) {
      m.setParams(m.initialParams(4).muli(3f));
      INDArray g1 = Nd4j.create(DataType.FLOAT, m.paramCount());
      INDArray g2 = Nd4j.create(DataType.FLOAT, m.paramCount());
      double a = m.lossAndGradient(TestBatches.of(2, ctx, tokens, mask), g1).lossSum();
      double b = m.lossAndGradient(TestBatches.of(2, ctx, changed, mask), g2).lossSum();
      assertEquals(a, b, 1e-5 * Math.abs(a), "future bytes must not change past predictions");
      assertArrayEquals(g1.toFloatVector(), g2.toFloatVector(), 1e-5f);
      // ...while the loss of a position that sees a changed byte does change.
      mask[j] = 1;
      double c = m.loss(TestBatches.of(2, ctx, tokens, mask)).lossSum();
      double d = m.loss(TestBatches.of(2, ctx, changed, mask)).lossSum();
      assertTrue(Math.abs(c - d) > 1e-3, "position j sees byte j");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transformer", "mlp"})
  void initialLossIsAboutLn256PerToken(String kind) {
    ModelSpec spec = spec(kind);
    try (LanguageModel m = Models.create(spec)) {
      m.setParams(m.initialParams(1));
      LanguageModel.StepResult r = m.loss(TestBatches.random(4, spec.getContext(), 3));
      assertEquals(Math.log(256), r.meanLoss(), 0.1);
      assertEquals(8.0, r.bitsPerByte(), 0.15);
    }
  }

  @Test
  void hugeLogitsGiveExactFiniteLoss() {
    // A bias of 500 nats on byte 0: every target other than 0 costs 500 nats. log_softmax in this
    // SameDiff version would return -inf here and turn everything into NaN.
    for (ModelSpec spec : new ModelSpec[] {TestBatches.tinyTransformer(4), TestBatches.tinyMlp(4)}) {
      try (LanguageModel m = Models.create(spec)) {
        ParamLayout layout = Models.layout(spec);
        INDArray p = m.initialParams(1);
        String bias = spec.getKind() == ModelSpec.Kind.MLP ? "b2" : "head.b";
        p.putScalar(layout.entry(bias).offset(), 500f);
        m.setParams(p);
        byte[] tokens = new byte[2 * 5];
        java.util.Arrays.fill(tokens, (byte) 'a');
        byte[] mask = new byte[2 * 4];
        java.util.Arrays.fill(mask, (byte) 1);
        INDArray g = Nd4j.create(DataType.FLOAT, m.paramCount());
        LanguageModel.StepResult r = m.lossAndGradient(TestBatches.of(2, 4, tokens, mask), g);
        assertEquals(8 * 500.0, r.lossSum(), 8 * 0.5);
        assertTrue(!g.isNaN().any() && !g.isInfinite().any(), "finite gradient");
        // d loss / d bias[0] = sum of softmax[0] = 8 tokens * ~1
        assertEquals(8.0, g.getDouble(layout.entry(bias).offset()), 1e-3);
      }
    }
  }

  @Test
  void malformedBatchesAreRejectedNamingTheField() {
    ModelSpec spec = TestBatches.tinyMlp(4);
    try (LanguageModel m = Models.create(spec)) {
      byte[] t = new byte[2 * 5];
      byte[] mk = new byte[2 * 4];
      assertMessage("batch.cols", () -> m.loss(TestBatches.of(2, 5, new byte[12], new byte[10])));
      assertMessage("batch.tokens", () -> m.loss(TokenBatch.newBuilder().setRows(2).setCols(5)
          .setTokens(com.google.protobuf.ByteString.copyFrom(new byte[9]))
          .setLossMask(com.google.protobuf.ByteString.copyFrom(mk)).build()));
      assertMessage("batch.loss_mask", () -> m.loss(TokenBatch.newBuilder().setRows(2).setCols(5)
          .setTokens(com.google.protobuf.ByteString.copyFrom(t))
          .setLossMask(com.google.protobuf.ByteString.copyFrom(new byte[7])).build()));
      assertMessage("batch.rows", () -> m.loss(TokenBatch.newBuilder().setRows(0).setCols(5).build()));
    }
  }

  static void assertMessage(String field, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().startsWith(field), ex.getMessage());
  }
}
