package tandem.gpu.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/**
 * Shared machinery of the SameDiff models: the graph is built once per instance; every parameter
 * variable's array is a view into one flat float32 buffer laid out by {@link ParamLayout}, so
 * {@link #setParams} is a single contiguous copy; placeholders are pre-allocated and refilled in
 * place; gradients come from {@code calculateGradientsAndOutputs} (SameDiff autodiff) and are
 * copied into the caller's flat vector by offset.
 *
 * <p>Three SameDiff 1.0.0-M2.1 pitfalls are handled here, each covered by a test: the default
 * thread-safe array holder copies view arrays and the gradient graph keeps its own references (so
 * parameters are wired into both graphs, see {@link #finishGraph}); the default session memory
 * manager recycles arrays still in use, which made results depend on call history (replaced by
 * {@link CallArenaMemoryMgr}); {@code log_softmax} overflows to -inf (see
 * {@link #maskedCrossEntropySum}).
 *
 * <p>Not thread-safe. It may be called from different threads one at a time (an actor hopping
 * dispatcher threads): SameDiff keeps one session per thread, each wired to the same arena.
 *
 * <p>Every subclass feeds the placeholder {@value #TARGET} ({@code [rows*context, 256]}): the
 * one-hot next byte of each position multiplied by its loss-mask bit, and defines the scalar
 * {@value #LOSS} {@code = -sum(target * logSoftmax(logits))}, i.e. the masked cross-entropy sum
 * (see {@link #maskedCrossEntropySum}).
 */
abstract class SameDiffModel implements LanguageModel {

  static final String INPUT = "x";
  static final String TARGET = "y";
  static final String LOSS = "loss";
  /** Name under which SameDiff stores its gradient function (SameDiff.GRAD_FN_KEY). */
  private static final String GRAD_FN = "grad";

  protected final ModelSpec spec;
  protected final int context;
  protected final ParamLayout layout;
  protected final SameDiff sd;

  private final INDArray flat;
  private INDArray[] varArrays;
  private ParamLayout.Entry[] varOwners;
  private final List<String> paramNames;
  private boolean viewsShared;
  private SameDiff gradFn;
  final CallArenaMemoryMgr arena = new CallArenaMemoryMgr();
  private boolean closed;

  private final OneHot target = new OneHot(VOCAB);
  private byte[] tokens = new byte[0];
  private byte[] mask = new byte[0];

  SameDiffModel(ModelSpec spec, ParamLayout layout) {
    this.spec = spec;
    this.context = spec.getContext();
    this.layout = layout;
    this.sd = SameDiff.create();
    this.flat = Nd4j.create(DataType.FLOAT, layout.size());
    List<ParamLayout.Entry> entries = layout.entries();
    this.paramNames = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ParamLayout.Entry e = entries.get(i);
      sd.var(e.name(), Nd4j.create(DataType.FLOAT, e.shape()));
      paramNames.add(e.name());
    }
  }

  /** The parameter variable with that layout name. */
  protected final SDVariable param(String name) {
    return sd.getVariable(name);
  }

  /**
   * Ends graph construction: names the loss, builds the gradient function once, and makes every
   * parameter variable (in the forward graph and in SameDiff's separate gradient graph) use a view
   * of the flat buffer, so that {@link #setParams} is one contiguous copy. SameDiff's default
   * thread-safe array holder silently copies views, and the gradient graph keeps its own array
   * references, so both are wired explicitly here and then checked; if the check fails the model
   * falls back to copying into every distinct variable array.
   */
  protected final void finishGraph(SDVariable loss) {
    if (!LOSS.equals(loss.name())) {
      loss.rename(LOSS);
    }
    sd.setLossVariables(LOSS);
    // Single-threaded holders store the arrays we give them as they are (no defensive dup of views).
    sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), true);
    SameDiffStdout.filterNoise();
    sd.createGradFunction();
    SameDiff gradFn = sd.getFunction(GRAD_FN);
    List<ParamLayout.Entry> entries = layout.entries();
    for (ParamLayout.Entry e : entries) {
      INDArray view =
          flat.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length())).reshape('c', e.shape());
      sd.associateArrayWithVariable(view, sd.getVariable(e.name()));
      if (gradFn != null && gradFn.hasVariable(e.name())) {
        gradFn.associateArrayWithVariable(view, gradFn.getVariable(e.name()));
      }
    }
    // Every distinct array a parameter may be read from (forward graph, gradient graph).
    java.util.IdentityHashMap<INDArray, Boolean> seen = new java.util.IdentityHashMap<>();
    List<INDArray> arrays = new ArrayList<>();
    List<ParamLayout.Entry> owners = new ArrayList<>();
    for (ParamLayout.Entry e : entries) {
      for (SameDiff g : new SameDiff[] {sd, gradFn}) {
        if (g == null || !g.hasVariable(e.name())) {
          continue;
        }
        INDArray a = g.getArrForVarName(e.name());
        if (a != null && seen.put(a, Boolean.TRUE) == null) {
          arrays.add(a);
          owners.add(e);
        }
      }
    }
    boolean shared = true;
    for (int i = 0; i < arrays.size() && shared; i++) {
      ParamLayout.Entry e = owners.get(i);
      flat.putScalar(e.offset(), 1234.5f);
      shared = arrays.get(i).length() == e.length() && arrays.get(i).getFloat(0) == 1234.5f;
      flat.putScalar(e.offset(), 0f);
    }
    this.viewsShared = shared;
    this.varArrays = arrays.toArray(new INDArray[0]);
    this.varOwners = owners.toArray(new ParamLayout.Entry[0]);
    this.gradFn = gradFn;
  }

  /**
   * Makes the calling thread's SameDiff sessions (forward graph and gradient graph) use this
   * model's {@link CallArenaMemoryMgr} instead of the default {@code ArrayCacheMemoryMgr}, which in
   * 1.0.0-M2.1 recycles arrays still in use: the same params and batch gave different losses on
   * consecutive calls. Sessions are per thread, so this runs before every call (a map lookup).
   */
  private void installSessions() {
    long tid = Thread.currentThread().getId();
    for (SameDiff g : new SameDiff[] {sd, gradFn}) {
      if (g == null) {
        continue;
      }
      Map<Long, InferenceSession> sessions = g.getSessions();
      InferenceSession s = sessions.get(tid);
      if (s == null) {
        s = new InferenceSession(g);
        sessions.put(tid, s);
      }
      if (s.getMmgr() != arena) {
        s.setMmgr(arena);
      }
    }
  }

  /**
   * {@code -sum(target * logSoftmax(logits))}: the masked next-byte cross-entropy sum. Uses the
   * fused {@code softmax_cross_entropy_loss} op (reduction SUM, no weights): it is numerically
   * stable and its backward pass is one native op. Two alternatives were rejected: SameDiff's
   * {@code log_softmax} in 1.0.0-M2.1 returns -inf once logits spread more than about 100 nats
   * ({@code -inf * 0} then makes the loss NaN), and a hand-written max/log-sum-exp needs {@code [N,1]}
   * broadcasts whose backward pass is pathologically slow here (about 200 ms at N = 4096).
   * Rows of {@code target} that are all zero (masked positions) contribute exactly nothing.
   */
  protected final SDVariable maskedCrossEntropySum(SDVariable logits, SDVariable target) {
    return sd.loss().softmaxCrossEntropy(target, logits, null, LossReduce.SUM, 0.0);
  }

  /** {@code x . w + b} for the parameters named {@code w} and {@code b} (fused xw_plus_b op). */
  protected final SDVariable linear(SDVariable x, String w, String b) {
    return sd.nn().linear(x, param(w), param(b));
  }

  /** Whether the variables are views of the flat buffer (visible for tests). */
  boolean viewsShared() {
    return viewsShared;
  }

  @Override
  public final ModelSpec spec() {
    return spec;
  }

  @Override
  public final long paramCount() {
    return layout.size();
  }

  /** The layout of the flat vector. */
  public final ParamLayout layout() {
    return layout;
  }

  @Override
  public final INDArray initialParams(long seed) {
    return layout.initialParams(seed);
  }

  @Override
  public final void setParams(INDArray src) {
    checkOpen();
    INDArray v = asVector(src, "params");
    if (viewsShared) {
      flat.assign(v);
    } else {
      for (int i = 0; i < varArrays.length; i++) {
        ParamLayout.Entry e = varOwners[i];
        varArrays[i].assign(
            v.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length())).reshape('c', e.shape()));
      }
    }
  }

  @Override
  public final StepResult lossAndGradient(TokenBatch batch, INDArray gradOut) {
    checkOpen();
    INDArray g = asVector(gradOut, "gradOut");
    long count = prepare(batch);
    Map<String, INDArray> feed = feeds(batch.getRows());
    installSessions();
    try {
      OutAndGrad og = sd.calculateGradientsAndOutputs(feed, List.of(LOSS), paramNames);
      Map<String, INDArray> grads = og.getGradients();
      for (ParamLayout.Entry e : layout.entries()) {
        INDArray ge = grads.get(e.name());
        INDArray dst = g.get(NDArrayIndex.interval(e.offset(), e.offset() + e.length()));
        if (ge == null) {
          dst.assign(0); // not reachable from the loss (cannot happen for our graphs)
        } else {
          dst.assign(ge.reshape('c', new long[] {e.length()}));
        }
      }
      double loss = og.getOutputs().get(LOSS).getDouble(0);
      return new StepResult(loss, count);
    } finally {
      arena.endCall(); // results were copied out above
    }
  }

  @Override
  public final StepResult loss(TokenBatch batch) {
    checkOpen();
    long count = prepare(batch);
    Map<String, INDArray> feed = feeds(batch.getRows());
    installSessions();
    try {
      INDArray out = sd.output(feed, LOSS).get(LOSS);
      return new StepResult(out.getDouble(0), count);
    } finally {
      arena.endCall();
    }
  }

  /** Validates the batch, copies its bytes to scratch, fills the target; returns the token count. */
  private long prepare(TokenBatch batch) {
    int rows = batch.getRows();
    int cols = batch.getCols();
    if (rows <= 0) {
      throw new IllegalArgumentException("batch.rows: must be positive, got " + rows);
    }
    if (cols != context + 1) {
      throw new IllegalArgumentException(
          "batch.cols: " + cols + " != model.context + 1 = " + (context + 1));
    }
    int nTok = rows * cols;
    int nPos = rows * context;
    if (batch.getTokens().size() != nTok) {
      throw new IllegalArgumentException(
          "batch.tokens: " + batch.getTokens().size() + " bytes, expected rows*cols = " + nTok);
    }
    if (batch.getLossMask().size() != nPos) {
      throw new IllegalArgumentException(
          "batch.loss_mask: " + batch.getLossMask().size() + " bytes, expected rows*context = " + nPos);
    }
    if (tokens.length != nTok) {
      tokens = new byte[nTok];
    }
    if (mask.length != nPos) {
      mask = new byte[nPos];
    }
    batch.getTokens().copyTo(tokens, 0);
    batch.getLossMask().copyTo(mask, 0);

    target.ensure(nPos);
    target.clear();
    long count = 0;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < context; p++) {
        int pos = r * context + p;
        if (mask[pos] != 0) {
          target.set(pos, tokens[r * cols + p + 1] & 0xFF);
          count++;
        }
      }
    }
    return count;
  }

  private Map<String, INDArray> feeds(int rows) {
    Map<String, INDArray> feed = new HashMap<>(4);
    feed.put(TARGET, target.array());
    fillInputs(tokens, rows, feed);
    return feed;
  }

  /**
   * Fills the input placeholders (at least {@value #INPUT}) into {@code feed} for {@code rows}
   * windows whose bytes are in {@code tokens} (row-major, {@code context + 1} per row; the last
   * byte of a row is only a target).
   */
  protected abstract void fillInputs(byte[] tokens, int rows, Map<String, INDArray> feed);

  /** A float32 vector view of length paramCount, or throws. */
  private INDArray asVector(INDArray a, String what) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(what + ": expected FLOAT, got " + a.dataType());
    }
    if (a.length() != layout.size()) {
      throw new IllegalArgumentException(
          what + ": length " + a.length() + " != paramCount " + layout.size());
    }
    if (a.rank() == 1) {
      return a;
    }
    if (!a.isVector() || a.elementWiseStride() != 1) {
      throw new IllegalArgumentException(what + ": expected a contiguous vector, got shape "
          + java.util.Arrays.toString(a.shape()));
    }
    return a.reshape('c', new long[] {a.length()});
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("model is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    target.close();
    closeInputs();
    arena.close();
  }

  /** Releases subclass-owned placeholder arrays. */
  protected void closeInputs() {}

  /**
   * A pre-allocated {@code [n, width]} float 0/1 matrix refilled in place: only the ones written
   * last time are cleared, so a refill costs O(ones) rather than O(n width).
   */
  static final class OneHot {
    private final int width;
    private INDArray array;
    private FloatBuffer buf;
    private int rows = -1;
    private int[] set = new int[0];
    private int nSet;

    OneHot(int width) {
      this.width = width;
    }

    /** Makes the matrix {@code [n, width]} with room for {@code onesPerRow} ones in each row. */
    void ensure(int n, int onesPerRow) {
      if (n == rows && set.length >= n * onesPerRow) {
        return;
      }
      if (array != null && array.closeable()) {
        array.close();
      }
      array = Nd4j.create(DataType.FLOAT, n, width);
      buf = ParamLayout.floats(array);
      rows = n;
      set = new int[n * onesPerRow];
      nSet = 0;
    }

    void ensure(int n) {
      ensure(n, 1);
    }

    void clear() {
      for (int i = 0; i < nSet; i++) {
        buf.put(set[i], 0f);
      }
      nSet = 0;
    }

    /** Puts a one at {@code (row, column)} (at most {@code onesPerRow} per row after a clear). */
    void set(int row, int column) {
      int idx = row * width + column;
      buf.put(idx, 1f);
      set[nSet++] = idx;
    }

    INDArray array() {
      return array;
    }

    void close() {
      if (array != null && array.closeable()) {
        array.close();
      }
      array = null;
      buf = null;
      rows = -1;
    }
  }
}
