package tandem.gpu.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tandem.proto.ModelSpec;

/**
 * A small pre-norm causal Transformer over bytes (GPT-2 shaped), in SameDiff.
 *
 * <pre>
 *   h = [onehot(x), onehot(pos)] . [wte; wpe]         token + learned position (one-hot times matrix)
 *   repeat layers:
 *     h = h + Attn(LN1(h))                            multi-head causal self-attention, heads = H
 *     h = h + W2 . ReLU(W1 . LN2(h) + b1) + b2        feed-forward of width d_ff
 *   logits = LNf(h) . head_w + head_b                 256 logits; loss = -sum(mask * log_softmax)
 * </pre>
 *
 * <p>Flat layout, in this order (shapes row-major; {@code T = context, d = d_model, F = d_ff}):
 * {@code wte[256,d], wpe[T,d]}; per block {@code l}: {@code hl.ln1.g[d], hl.ln1.b[d],
 * hl.attn.wqkv[d,3d], hl.attn.bqkv[3d], hl.attn.wo[d,d], hl.attn.bo[d], hl.ln2.g[d], hl.ln2.b[d],
 * hl.mlp.w1[d,F], hl.mlp.b1[F], hl.mlp.w2[F,d], hl.mlp.b2[d]}; then {@code lnf.g[d], lnf.b[d],
 * head.w[d,256], head.b[256]}. Weights multiply from the right ({@code y = x W + b}); the columns
 * of {@code wqkv} are {@code [q | k | v]}, each split into heads of {@code d / heads} columns.
 *
 * <p>Init (GPT-2): weights and embeddings normal(0, 0.02); the residual projections {@code attn.wo}
 * and {@code mlp.w2} normal(0, 0.02 / sqrt(2 layers)); biases 0; LayerNorm gains 1.
 *
 * <p>Parameter count: {@code 256d + Td + L(4d^2 + 2dF + 9d + F) + 2d + 256d + 256}.
 *
 * <p>Cost at one native thread, context 64, d 64, 2 layers, 4 heads, d_ff 256 (137,216 params):
 * about 40-45 ms per {@code lossAndGradient} on 16 rows on a quiet 2-core machine, about linear in
 * rows. At this size the time is mostly SameDiff's per-op overhead (128 ops per call) and
 * LayerNorm's backward pass; halving d_ff or heads saves under 10%.
 */
public final class TransformerModel extends SameDiffModel {

  private final int dModel;
  private final int heads;
  /** Placeholder: additive causal mask, 0 where key <= query, -1e9 above the diagonal. */
  static final String CAUSAL = "causal";

  private final OneHot input;
  private INDArray causal;

  TransformerModel(ModelSpec spec) {
    super(spec, layout(spec));
    this.input = new OneHot(VOCAB + spec.getContext());
    this.dModel = spec.getDModel();
    this.heads = spec.getHeads();
    finishGraph(buildGraph(spec));
  }

  /** The flat layout for this spec (a pure function of it). */
  static ParamLayout layout(ModelSpec spec) {
    long t = spec.getContext();
    long d = spec.getDModel();
    long f = spec.getDFf();
    int layers = spec.getLayers();
    double std = 0.02;
    double resid = 0.02 / Math.sqrt(2.0 * layers);
    ParamLayout.Builder b = new ParamLayout.Builder();
    b.normal("wte", std, VOCAB, d);
    b.normal("wpe", std, t, d);
    for (int l = 0; l < layers; l++) {
      String p = "h" + l + ".";
      b.ones(p + "ln1.g", d).zeros(p + "ln1.b", d);
      b.normal(p + "attn.wqkv", std, d, 3 * d).zeros(p + "attn.bqkv", 3 * d);
      b.normal(p + "attn.wo", resid, d, d).zeros(p + "attn.bo", d);
      b.ones(p + "ln2.g", d).zeros(p + "ln2.b", d);
      b.normal(p + "mlp.w1", std, d, f).zeros(p + "mlp.b1", f);
      b.normal(p + "mlp.w2", resid, f, d).zeros(p + "mlp.b2", d);
    }
    b.ones("lnf.g", d).zeros("lnf.b", d);
    b.normal("head.w", std, d, VOCAB).zeros("head.b", VOCAB);
    return b.build();
  }

  private SDVariable buildGraph(ModelSpec spec) {
    int t = spec.getContext();
    int d = spec.getDModel();
    int h = spec.getHeads();
    int dh = d / h;
    int layers = spec.getLayers();

    // [B*T, 256 + T]: per position the one-hot of its byte and the one-hot of its index, so one
    // matmul with [wte; wpe] gives token plus positional embedding (no broadcast add needed).
    SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, VOCAB + t);
    SDVariable y = sd.placeHolder(TARGET, DataType.FLOAT, -1, VOCAB); // [B*T, 256] masked one-hot
    // Additive causal mask [B*H, T, T], fed at full shape: a same-shape add has a trivial
    // backward pass, a broadcast one does not (slow reductions in this SameDiff version).
    SDVariable causal = sd.placeHolder(CAUSAL, DataType.FLOAT, -1, t, t);
    double scale = 1.0 / Math.sqrt(dh);

    SDVariable hid = x.mmul(sd.concat(0, param("wte"), param("wpe"))); // [N, d]
    for (int l = 0; l < layers; l++) {
      String p = "h" + l + ".";
      // Attention. One projection for q, k, v; columns are [q | k | v], each [head][dh].
      SDVariable[] qkv = sd.unstack(
          normLinear(hid, p + "ln1", p + "attn.wqkv", p + "attn.bqkv") // [N, 3d]
              .reshape(-1, t, 3, h, dh).permute(2, 0, 3, 1, 4) // [3, B, H, T, dh]
              .reshape(3, -1, t, dh), // [3, B*H, T, dh]
          0, 3);
      SDVariable scores = sd.mmul(qkv[0], qkv[1], false, true, false) // q k^T: [B*H, T, T]
          .mul(scale).add(causal);
      SDVariable probs = sd.nn().softmax(scores, 2);
      SDVariable o = probs.mmul(qkv[2]) // [B*H, T, dh]
          .reshape(-1, h, t, dh).permute(0, 2, 1, 3).reshape(-1, d); // [N, d]
      hid = hid.add(sd.nn().linear(o, param(p + "attn.wo"), param(p + "attn.bo")));

      // Feed-forward. ReLU written as x * (x > 0): same values and gradient as relu, but this
      // SameDiff's thresholdedrelu_bp is about 4x slower than the multiply it is replaced by.
      SDVariable pre = normLinear(hid, p + "ln2", p + "mlp.w1", p + "mlp.b1"); // [N, F]
      SDVariable act = pre.mul(pre.gt(0.0).castTo(DataType.FLOAT));
      hid = hid.add(sd.nn().linear(act, param(p + "mlp.w2"), param(p + "mlp.b2")));
    }
    SDVariable logits = normLinear(hid, "lnf", "head.w", "head.b"); // [N, 256]
    return maskedCrossEntropySum(logits, y);
  }

  /** {@code LayerNorm(x; ln.g, ln.b) . w + b}. */
  private SDVariable normLinear(SDVariable x, String ln, String w, String b) {
    return sd.nn().linear(layerNorm(x, ln), param(w), param(b));
  }

  /** LayerNorm over the feature dimension with gain {@code prefix.g} and bias {@code prefix.b}. */
  private SDVariable layerNorm(SDVariable x, String prefix) {
    // The native op (eps 1e-5); hand-written versions need [N,1] broadcasts, slower here.
    return sd.nn().layerNorm(x, param(prefix + ".g"), param(prefix + ".b"), false, 1);
  }

  @Override
  protected void fillInputs(byte[] tokens, int rows, java.util.Map<String, INDArray> feed) {
    int cols = context + 1;
    input.ensure(rows * context, 2);
    input.clear();
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < context; p++) {
        input.set(r * context + p, tokens[r * cols + p] & 0xFF);
        input.set(r * context + p, VOCAB + p);
      }
    }
    feed.put(INPUT, input.array());
    feed.put(CAUSAL, causalMask(rows));
  }

  /** The additive causal mask for {@code rows} windows: {@code [rows*heads, T, T]}, cached. */
  private INDArray causalMask(int rows) {
    if (causal == null || causal.size(0) != (long) rows * heads) {
      if (causal != null && causal.closeable()) {
        causal.close();
      }
      int t = context;
      float[] one = new float[t * t];
      for (int i = 0; i < t; i++) {
        for (int j = i + 1; j < t; j++) {
          one[i * t + j] = -1e9f;
        }
      }
      causal = Nd4j.create(DataType.FLOAT, (long) rows * heads, t, t);
      java.nio.FloatBuffer buf = ParamLayout.floats(causal);
      for (int k = 0; k < rows * heads; k++) {
        buf.put(one);
      }
    }
    return causal;
  }

  @Override
  protected void closeInputs() {
    input.close();
    if (causal != null && causal.closeable()) {
      causal.close();
    }
    causal = null;
  }

  /** Embedding width. */
  public int dModel() {
    return dModel;
  }

  /** Attention heads. */
  public int heads() {
    return heads;
  }
}
