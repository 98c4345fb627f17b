package tandem.gpu.model;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import tandem.proto.ModelSpec;

/**
 * Baseline: a causal "MLP over the context", a fixed-window neural n-gram model (Bengio et al.,
 * 2003) applied at every position of the window.
 *
 * <p>Design: position {@code p} of a row predicts byte {@code p + 1} from the last {@code K =
 * min(context, 8)} bytes {@code p, p-1, ..., p-K+1}. Each byte is embedded with one shared table
 * {@code emb[256, E]} ({@code E = mlp_embed}); the K embeddings are concatenated (most recent
 * first) into a {@code K*E} feature; bytes before the start of the window contribute a zero
 * embedding (zero padding, implemented as an all-zero one-hot row). Then {@code ReLU(feature . w1 +
 * b1)} of width {@code mlp_hidden}, then {@code . w2 + b2} gives 256 logits. So it sees at most K
 * bytes whatever the context, and every position of the window is a training example, exactly as
 * for the Transformer, which makes the two comparable token for token.
 *
 * <p>Cost: every window yields {@code context} predictions (64 at context 64), not one, so a call
 * does about 64x the work of an MLP that predicts only the last byte; at one thread, context 64,
 * E 16, H 256 it took about 14 ms for 16 rows and 60-75 ms for 64 rows here. The largest costs are
 * the 256-wide output GEMMs and the fused softmax cross-entropy, not SameDiff overhead.
 *
 * <p>Flat layout, in order: {@code emb[256,E], w1[K*E,H], b1[H], w2[H,256], b2[256]}; parameter count
 * {@code 256E + K E H + H + 256H + 256}. Init: {@code emb} normal(0, 1), {@code w1} normal(0,
 * sqrt(2 / (K E))) (He, for ReLU), {@code w2} normal(0, 0.02), biases 0.
 */
public final class MlpModel extends SameDiffModel {

  /** The largest window the MLP looks back over. */
  public static final int MAX_WINDOW = 8;

  private final int window;
  private final OneHot input = new OneHot(VOCAB);

  MlpModel(ModelSpec spec) {
    super(spec, layout(spec));
    this.window = window(spec);
    finishGraph(buildGraph(spec));
  }

  /** K: how many bytes (including the current one) each prediction sees. */
  static int window(ModelSpec spec) {
    return Math.min(spec.getContext(), MAX_WINDOW);
  }

  /** The flat layout for this spec (a pure function of it). */
  static ParamLayout layout(ModelSpec spec) {
    long k = window(spec);
    long e = spec.getMlpEmbed();
    long h = spec.getMlpHidden();
    ParamLayout.Builder b = new ParamLayout.Builder();
    b.normal("emb", 1.0, VOCAB, e);
    b.normal("w1", Math.sqrt(2.0 / (k * e)), k * e, h).zeros("b1", h);
    b.normal("w2", 0.02, h, VOCAB).zeros("b2", VOCAB);
    return b.build();
  }

  private SDVariable buildGraph(ModelSpec spec) {
    int t = spec.getContext();
    int k = window(spec);
    int e = spec.getMlpEmbed();
    int padded = t + k - 1;

    // [B * (T + K - 1), 256]: per row K-1 all-zero rows (padding), then the one-hots of bytes 0..T-1.
    SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, VOCAB);
    SDVariable y = sd.placeHolder(TARGET, DataType.FLOAT, -1, VOCAB);

    SDVariable emb = x.mmul(param("emb")).reshape(-1, padded, e); // [B, T+K-1, E]
    List<SDVariable> parts = new ArrayList<>(k);
    for (int back = 0; back < k; back++) {
      long start = k - 1 - back; // slot of byte (p - back) for position p
      parts.add(sd.stridedSlice(emb,
          new long[] {0, start, 0}, new long[] {0, start + t, 0}, new long[] {1, 1, 1},
          0b101, 0b101, 0, 0, 0)); // [B, T, E]
    }
    SDVariable feat = (k == 1 ? parts.get(0) : sd.concat(2, parts.toArray(new SDVariable[0])))
        .reshape(-1, (long) k * e); // [B*T, K*E]
    SDVariable pre = linear(feat, "w1", "b1"); // [B*T, H]
    // ReLU as x * (x > 0): same values and gradient; faster than this SameDiff's relu backward.
    SDVariable hid = pre.mul(pre.gt(0.0).castTo(DataType.FLOAT));
    SDVariable logits = linear(hid, "w2", "b2"); // [B*T, 256]
    return maskedCrossEntropySum(logits, y);
  }

  @Override
  protected void fillInputs(byte[] tokens, int rows, java.util.Map<String, INDArray> feed) {
    int cols = context + 1;
    int padded = context + window - 1;
    input.ensure(rows * padded);
    input.clear();
    for (int r = 0; r < rows; r++) {
      int base = r * padded + window - 1;
      for (int p = 0; p < context; p++) {
        input.set(base + p, tokens[r * cols + p] & 0xFF);
      }
    }
    feed.put(INPUT, input.array());
  }

  @Override
  protected void closeInputs() {
    input.close();
  }

  /** K: how many bytes (including the current one) each prediction sees. */
  public int window() {
    return window;
  }
}
