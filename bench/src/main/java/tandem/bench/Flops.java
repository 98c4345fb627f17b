package tandem.bench;

import tandem.proto.ModelSpec;

/**
 * FLOPs of one training step, counted from the {@link ModelSpec} shape alone (no profiler).
 *
 * <p>Convention: a dense matmul {@code [m,k] x [k,n]} costs {@code 2 m k n} FLOPs (one multiply, one add).
 * We count the matmuls the SameDiff graph actually executes, per predicted token (position), forward pass:
 *
 * <pre>
 * Transformer (T = context, d = d_model, L = layers, F = d_ff, V = 256):
 *   embedding   2 (V + T) d        one-hot [token | position] times [wte; wpe] (a real dense matmul here)
 *   per layer   2 d (3d)           q, k, v projection
 *             + 2 T d              q k^T: every query against all T keys (the causal mask is added, not skipped)
 *             + 2 T d              probs v
 *             + 2 d d              output projection
 *             + 2 d F + 2 F d      feed-forward
 *             = 8 d^2 + 4 T d + 4 d F
 *   head        2 d V
 *   forward = 2 (V + T) d + L (8 d^2 + 4 T d + 4 d F) + 2 d V
 *
 * MLP (K = min(T, 8) bytes of look-back, E = mlp_embed, H = mlp_hidden):
 *   embedding   2 V E (T + K - 1) / T   one-hot rows include K - 1 zero rows of padding per window
 *   hidden      2 K E H
 *   output      2 H V
 * </pre>
 *
 * Training = forward + backward ~ 3 x forward (the backward pass computes two matmuls per forward matmul:
 * the gradient of the input and of the weight). Element-wise work (softmax, LayerNorm, ReLU, Adam) is not
 * counted: this is the usual "model FLOPs" figure, so FLOP/s over a GEMM's FLOP/s is a utilisation.
 */
public final class Flops {
    public static final int VOCAB = 256;
    public static final int MLP_MAX_WINDOW = 8;

    private Flops() {}

    /** Forward matmul FLOPs per predicted token. */
    public static double forwardPerToken(ModelSpec m) {
        return m.getKind() == ModelSpec.Kind.MLP ? mlpForwardPerToken(m) : transformerForwardPerToken(m);
    }

    /** Forward + backward FLOPs per predicted token: 3 x forward. */
    public static double trainPerToken(ModelSpec m) {
        return 3 * forwardPerToken(m);
    }

    static double transformerForwardPerToken(ModelSpec m) {
        double t = m.getContext();
        double d = m.getDModel();
        double f = m.getDFf();
        double layers = m.getLayers();
        double embedding = 2 * (VOCAB + t) * d;
        double perLayer = 8 * d * d + 4 * t * d + 4 * d * f;
        double head = 2 * d * VOCAB;
        return embedding + layers * perLayer + head;
    }

    static double mlpForwardPerToken(ModelSpec m) {
        double t = m.getContext();
        double k = Math.min(m.getContext(), MLP_MAX_WINDOW);
        double e = m.getMlpEmbed();
        double h = m.getMlpHidden();
        double embedding = 2 * VOCAB * e * (t + k - 1) / t;
        return embedding + 2 * k * e * h + 2 * h * VOCAB;
    }

    /** FLOPs of one {@code n x n} by {@code n x n} matmul. */
    public static double gemm(long n) {
        return 2.0 * n * n * n;
    }
}
