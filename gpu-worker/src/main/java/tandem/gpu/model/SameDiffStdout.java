package tandem.gpu.model;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * SameDiff 1.0.0-M2.1 prints one "Added differentiated op ..." line per op to {@code System.out} while it
 * builds a gradient function (a hard-coded println, not a logger). {@link #filterNoise} wraps
 * {@code System.out} once per JVM in a filter that drops exactly those lines and passes everything else
 * through. It is installed for good rather than swapped in and out around each model build: code that
 * captured {@code System.out} (a CLI writing its output) must keep seeing one stable stream.
 */
final class SameDiffStdout {
  private static final String NOISE = "Added differentiated op";

  private SameDiffStdout() {}

  static synchronized void filterNoise() {
    if (!(System.out instanceof Filtered)) {
      System.setOut(new Filtered(System.out));
    }
  }

  private static final class Filtered extends PrintStream {
    Filtered(PrintStream target) {
      super(new LineFilter(target), true, StandardCharsets.UTF_8);
    }
  }

  /** Buffers a line, drops it if it is SameDiff's noise, forwards it otherwise. */
  private static final class LineFilter extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineFilter(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      line.write(b);
      if (b == '\n') {
        flushLine();
      }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        write(bytes[i]);
      }
    }

    @Override
    public synchronized void flush() {
      flushLine();
    }

    private void flushLine() {
      if (line.size() > 0 && !line.toString(StandardCharsets.UTF_8).startsWith(NOISE)) {
        target.write(line.toByteArray(), 0, line.size());
        target.flush();
      }
      line.reset();
    }
  }
}
