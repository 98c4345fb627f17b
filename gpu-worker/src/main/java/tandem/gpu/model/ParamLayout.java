package tandem.gpu.model;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The flat parameter vector's layout: an ordered list of named tensors, each stored row-major
 * ('c' order) at a fixed offset, packed back to back in declaration order. Built by each model from
 * its {@link tandem.proto.ModelSpec} alone, so it is a pure function of the spec.
 *
 * <p>Also owns the deterministic initialisation: one {@link SplittableRandom} seeded with the seed
 * walks the entries in layout order and each element in row-major order; normal draws use the
 * Box–Muller transform with {@link StrictMath}, so the bits do not depend on the JVM, the machine,
 * the ND4J backend or its thread count.
 */
public final class ParamLayout {

  /** How an entry is initialised. */
  public enum Init {
    /** Normal with mean 0 and the entry's standard deviation. */
    NORMAL,
    /** All ones (LayerNorm gains). */
    ONES,
    /** All zeros (biases). */
    ZEROS
  }

  /** One tensor of the layout. */
  public record Entry(String name, long[] shape, long offset, long length, Init init, double std) {
    @Override
    public String toString() {
      return name + java.util.Arrays.toString(shape) + "@" + offset;
    }
  }

  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final long total;

  private ParamLayout(List<Entry> entries, long total) {
    this.entries = Collections.unmodifiableList(entries);
    Map<String, Entry> m = new LinkedHashMap<>();
    for (Entry e : entries) {
      m.put(e.name(), e);
    }
    this.byName = Collections.unmodifiableMap(m);
    this.total = total;
  }

  /** Entries in layout order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The entry with that name, or throws. */
  public Entry entry(String name) {
    Entry e = byName.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return e;
  }

  /** Total number of parameters. */
  public long size() {
    return total;
  }

  /** Fresh parameters for this layout: a new float32 vector of shape {@code [size()]}. */
  public INDArray initialParams(long seed) {
    if (total > Integer.MAX_VALUE) {
      throw new IllegalStateException("too many parameters: " + total);
    }
    float[] values = new float[(int) total];
    SplittableRandom rng = new SplittableRandom(seed);
    Gaussian gauss = new Gaussian(rng);
    for (Entry e : entries) {
      int from = (int) e.offset();
      int to = (int) (e.offset() + e.length());
      switch (e.init()) {
        case ONES -> java.util.Arrays.fill(values, from, to, 1.0f);
        case ZEROS -> java.util.Arrays.fill(values, from, to, 0.0f);
        case NORMAL -> {
          for (int i = from; i < to; i++) {
            values[i] = (float) (e.std() * gauss.next());
          }
        }
        default -> throw new AssertionError(e.init());
      }
    }
    INDArray out = Nd4j.create(DataType.FLOAT, total);
    floats(out).put(values);
    return out;
  }

  /** A native-order float view of a dense, offset-0 float array's buffer. */
  static FloatBuffer floats(INDArray a) {
    return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** Standard normal draws from a SplittableRandom, Box–Muller with StrictMath (portable bits). */
  private static final class Gaussian {
    private final SplittableRandom rng;
    private double spare;
    private boolean haveSpare;

    Gaussian(SplittableRandom rng) {
      this.rng = rng;
    }

    double next() {
      if (haveSpare) {
        haveSpare = false;
        return spare;
      }
      double u1 = 1.0 - rng.nextDouble(); // (0, 1]
      double u2 = rng.nextDouble();
      double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
      double theta = 2.0 * StrictMath.PI * u2;
      spare = r * StrictMath.sin(theta);
      haveSpare = true;
      return r * StrictMath.cos(theta);
    }
  }

  /** Builds a layout in declaration order. */
  static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private long offset;

    Builder normal(String name, double std, long... shape) {
      return add(name, Init.NORMAL, std, shape);
    }

    Builder ones(String name, long... shape) {
      return add(name, Init.ONES, 0.0, shape);
    }

    Builder zeros(String name, long... shape) {
      return add(name, Init.ZEROS, 0.0, shape);
    }

    private Builder add(String name, Init init, double std, long... shape) {
      if (!names.add(name)) {
        throw new IllegalStateException("duplicate parameter " + name);
      }
      long n = 1;
      for (long s : shape) {
        if (s <= 0) {
          throw new IllegalArgumentException("parameter " + name + " has non-positive dimension");
        }
        n = Math.multiplyExact(n, s);
      }
      entries.add(new Entry(name, shape.clone(), offset, n, init, std));
      offset = Math.addExact(offset, n);
      return this;
    }

    ParamLayout build() {
      return new ParamLayout(new ArrayList<>(entries), offset);
    }
  }
}
