package tandem.gpu.model;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
* SameDiff 1.0.0-M2.1 prints one "Added differentiated op ..." line per op to {@code System.out} while it
* builds a gradient function (a hard-coded println, not a logger). This swallows exactly those lines
* while {@link #quietly} runs and passes everything else through, whichever thread writes it.
*/
final class SameDiffStdout {
  private static final String NOISE = "Added differentiated op";

  private SameDiffStdout() {}

  static synchronized void quietly(Runnable action) {
    PrintStream original = System.out;
    System.setOut(new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.out.flush();
      System.setOut(original);
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
