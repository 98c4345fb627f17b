package tandem.gpu.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager that recycles arrays only <em>between</em> calls, never within
 * one.
 *
 * <p>Why: SameDiff 1.0.0-M2.1's default {@code ArrayCacheMemoryMgr} hands an array back out while
 * it is still in use (placeholder arrays, forward activations the backward pass still reads), so
 * results depended on the call history. Its {@code NoOpMemoryMgr} is correct but allocates every op
 * output afresh, and fresh native memory (page faults, GC-driven frees) made a small Transformer
 * step about 30% slower. Here every array allocated during a call stays leased until
 * {@link #endCall()}, which the model calls after it has copied what it needs out of the results;
 * the next call reuses them by shape. {@link #release} is ignored on purpose.
 *
 * <p>Arrays come back uninitialised, as with {@code NoOpMemoryMgr}. Shapes not requested for
 * {@value #EVICT_AFTER_CALLS} calls (for instance after the batch size changed) are freed. Not
 * thread-safe: one per model, which is itself single-threaded.
 */
final class CallArenaMemoryMgr extends AbstractMemoryMgr {

  static final int EVICT_AFTER_CALLS = 4;

  private static final class Pool {
    final ArrayDeque<INDArray> free = new ArrayDeque<>();
    long lastUsedCall;
  }

  private final Map<LongShapeDescriptor, Pool> pools = new HashMap<>();
  private final List<LongShapeDescriptor> leasedKeys = new ArrayList<>();
  private final List<INDArray> leased = new ArrayList<>();
  private long call;

  @Override
  public INDArray allocate(boolean detached, DataType dataType, long... shape) {
    LongShapeDescriptor key = LongShapeDescriptor.fromShape(shape, dataType); // 'c' order
    if (key.isEmpty()) {
      return Nd4j.create(key, false);
    }
    Pool pool = pools.computeIfAbsent(key, k -> new Pool());
    pool.lastUsedCall = call;
    INDArray arr = pool.free.pollFirst();
    if (arr == null) {
      arr = Nd4j.createUninitialized(dataType, shape);
    }
    leased.add(arr);
    leasedKeys.add(key);
    return arr;
  }

  /**
   * Always hands out 'c'-order arrays, whatever order the descriptor asks for (as the default
   * {@code ArrayCacheMemoryMgr} does once warm). Some ops (xw_plus_b, matmul) describe 'f'-order
   * outputs; feeding those to the next element-wise op alongside 'c' arrays forces a strided path
   * that made, e.g., a ReLU over 1024x256 floats take 2.5 ms instead of 0.1 ms.
   */
  @Override
  public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
    if (descriptor.isEmpty()) {
      return Nd4j.create(descriptor, false);
    }
    return allocate(detached, descriptor.dataType(), descriptor.getShape());
  }

  @Override
  public void release(INDArray array) {
    // Deliberately ignored: SameDiff releases some arrays too early. See the class comment.
  }

  /** Returns every array leased during the call to its pool; frees long-unused shapes. */
  void endCall() {
    for (int i = 0; i < leased.size(); i++) {
      pools.get(leasedKeys.get(i)).free.addLast(leased.get(i));
    }
    leased.clear();
    leasedKeys.clear();
    call++;
    Iterator<Map.Entry<LongShapeDescriptor, Pool>> it = pools.entrySet().iterator();
    while (it.hasNext()) {
      Pool p = it.next().getValue();
      if (call - p.lastUsedCall > EVICT_AFTER_CALLS) {
        p.free.forEach(CallArenaMemoryMgr::free);
        it.remove();
      }
    }
  }

  /** Arrays currently pooled (for tests and diagnostics). */
  int pooledArrays() {
    int n = 0;
    for (Pool p : pools.values()) {
      n += p.free.size();
    }
    return n;
  }

  @Override
  public void close() {
    leased.forEach(CallArenaMemoryMgr::free);
    leased.clear();
    leasedKeys.clear();
    for (Pool p : pools.values()) {
      p.free.forEach(CallArenaMemoryMgr::free);
    }
    pools.clear();
  }

  private static void free(INDArray a) {
    if (a.closeable()) {
      a.close();
    }
  }
}
