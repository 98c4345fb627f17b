package tandem.gpu.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend this JVM runs (CPU {@code nd4j-native} or CUDA {@code nd4j-cuda-11.6}, chosen at
 * build time by the Maven profile) and its native thread settings.
 *
 * <p>Thread count matters twice: on a 2-core machine one native thread per worker is about twice as
 * fast and much steadier than the default, and bitwise reproducibility (Invariant D) is only shown
 * for a fixed thread count. So every GPU worker calls {@link #configure(int)} from its
 * configuration before its first op.
 */
public final class Nd4jBackend {

  private Nd4jBackend() {}

  /**
   * Sets ND4J's native thread counts (OpenMP master threads and BLAS threads) for this JVM.
   * Idempotent; safe to call repeatedly and from several threads (last call wins). ND4J can lower
   * its thread count at run time but not raise it above the value it started with (the
   * {@code OMP_NUM_THREADS} environment variable, else the core count); {@link #threads()} and
   * {@link #describe()} report the effective value.
   *
   * @param threads at least 1
   */
  public static synchronized void configure(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: must be >= 1, got " + threads);
    }
    var env = Nd4j.getEnvironment();
    // maxThreads bounds maxMasterThreads: raise it first.
    if (env.maxThreads() != threads) {
      env.setMaxThreads(threads);
    }
    if (env.maxMasterThreads() != threads) {
      env.setMaxMasterThreads(threads);
    }
    var blas = Nd4j.factory().blas();
    if (blas.getMaxThreads() != threads) {
      blas.setMaxThreads(threads);
    }
  }

  /** The effective native thread count (ND4J master threads, bounded by its max threads). */
  public static int threads() {
    var env = Nd4j.getEnvironment();
    return Math.max(1, Math.min(env.maxMasterThreads(), env.maxThreads()));
  }

  /** True when the loaded backend is CUDA. */
  public static boolean isCuda() {
    return !Nd4j.getEnvironment().isCPU();
  }

  /**
   * One line naming the backend ND4J actually loaded, e.g. {@code "CPU (nd4j-native, OpenBLAS),
   * 1 thread"} or {@code "CUDA (nd4j-cuda-11.6), device 0: NVIDIA A100 (40 GiB)"}.
   */
  public static String describe() {
    Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
    String backendClass = Nd4j.getBackend().getClass().getSimpleName();
    String artifact = artifactOf(Nd4j.getBackend().getClass(), isCuda() ? "nd4j-cuda" : "nd4j-native");
    if (isCuda()) {
      List<String> devices = new ArrayList<>();
      Object list = info.get("cuda.devicesInformation");
      if (list instanceof List<?> l) {
        int i = 0;
        for (Object o : l) {
          if (o instanceof Map<?, ?> m) {
            String name = str(m.get("cuda.deviceName"));
            Object mem = m.get("cuda.totalMemory");
            String d = "device " + i + ": " + (name == null ? "?" : name);
            if (mem instanceof Number n) {
              d += String.format(" (%.0f GiB)", n.doubleValue() / (1L << 30));
            }
            devices.add(d);
          }
          i++;
        }
      }
      return "CUDA (" + artifact + ", " + backendClass + ")"
          + (devices.isEmpty() ? "" : ", " + String.join(", ", devices));
    }
    String blas = str(info.get("blas.vendor"));
    int t = threads();
    return "CPU (" + artifact + (blas == null ? "" : ", " + blas) + "), "
        + t + (t == 1 ? " thread" : " threads");
  }

  /** "nd4j-native" or "nd4j-cuda-11.6": from the name of the jar the backend class came from. */
  static String artifactOf(Class<?> backend, String fallback) {
    try {
      var src = backend.getProtectionDomain().getCodeSource();
      if (src != null) {
        return artifactFromJarName(
            java.nio.file.Path.of(src.getLocation().toURI()).getFileName().toString(), fallback);
      }
    } catch (Exception e) {
      // not loaded from a plain file (custom class loader, unusual URL): fall back
    }
    return fallback;
  }

  /** {@code nd4j-cuda-11.6-1.0.0-M2.1.jar -> nd4j-cuda-11.6}; anything else (a shaded jar) -> fallback. */
  public static String artifactFromJarName(String file, String fallback) {
    var m = JAR.matcher(file);
    return m.matches() ? m.group(1) : fallback;
  }

  private static final java.util.regex.Pattern JAR =
      java.util.regex.Pattern.compile("^(nd4j-[a-z]+(?:-\\d+\\.\\d+)?)-\\d.*\\.jar$");

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
