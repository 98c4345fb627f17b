package tandem.gpu.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * A byte-level (vocabulary 256) causal language model whose parameters live in one flat float32
 * vector. The layout of that vector (which variable sits at which offset, in which shape) is a pure
 * function of the {@link ModelSpec}, so a coordinator that never builds the network can still hold,
 * update and ship the parameters.
 *
 * <p>Batches: a {@link TokenBatch} holds {@code rows} windows of {@code cols = context + 1} bytes,
 * row-major. For position {@code p} in {@code 0..context-1} of a row the model sees bytes {@code 0..p}
 * (causal) and predicts byte {@code p + 1}. {@code loss_mask} holds {@code rows * context} bytes:
 * non-zero = the position counts, 0 = padding (contributes nothing to loss, gradient or token count).
 *
 * <p>Losses and gradients are masked <em>sums</em> over counted positions (nats), never means: the
 * coordinator sums shard results in a fixed order and divides by the total token count itself.
 *
 * <p>Instances are not thread-safe: one model per worker thread. They hold native memory, so close
 * them.
 */
public interface LanguageModel extends AutoCloseable {

  /** Vocabulary size: bytes. */
  int VOCAB = 256;

  /**
   * Result of a forward (and possibly backward) pass.
   *
   * @param lossSum    summed next-byte cross-entropy over counted positions, in nats
   * @param tokenCount number of counted positions (loss-mask ones)
   */
  record StepResult(double lossSum, long tokenCount) {
    /** Mean loss in nats per counted token (NaN if no token counted). */
    public double meanLoss() {
      return tokenCount == 0 ? Double.NaN : lossSum / tokenCount;
    }

    /** Mean loss in bits per byte (NaN if no token counted). */
    public double bitsPerByte() {
      return meanLoss() / Math.log(2.0);
    }
  }

  /** The spec this model was built from. */
  ModelSpec spec();

  /** Number of float32 parameters, i.e. the length of the flat vector. */
  long paramCount();

  /**
   * Fresh flat float32 parameters (shape {@code [paramCount]}). A pure function of {@code (spec,
   * seed)}: bitwise identical on any machine, backend and thread count (drawn in Java with
   * {@link java.util.SplittableRandom} and {@link StrictMath}, not with ND4J's RNG).
   */
  INDArray initialParams(long seed);

  /** Copies {@code flat} (length {@link #paramCount()}, any float32 vector shape) into the model. */
  void setParams(INDArray flat);

  /**
   * Forward and backward pass on the current parameters. Writes into {@code gradOut} (a float32
   * vector of length {@link #paramCount()}, same layout as the params; it is overwritten, not added
   * to) the gradient of the masked loss <em>sum</em>.
   */
  StepResult lossAndGradient(TokenBatch batch, INDArray gradOut);

  /** Forward pass only: masked loss sum and token count. */
  StepResult loss(TokenBatch batch);

  /** Releases the graph and its arrays. */
  @Override
  void close();
}
