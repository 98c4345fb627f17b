package tandem.gpu.model;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;
import tandem.proto.ModelSpec;
import tandem.proto.TokenBatch;

/** Small specs and batches for the model tests. */
final class TestBatches {

  private TestBatches() {}

  static ModelSpec tinyTransformer(int context) {
    return ModelSpec.newBuilder()
        .setKind(ModelSpec.Kind.TRANSFORMER)
        .setContext(context)
        .setDModel(16)
        .setLayers(2)
        .setHeads(2)
        .setDFf(32)
        .build();
  }

  static ModelSpec tinyMlp(int context) {
    return ModelSpec.newBuilder()
        .setKind(ModelSpec.Kind.MLP)
        .setContext(context)
        .setMlpEmbed(8)
        .setMlpHidden(32)
        .build();
  }

  /** Random bytes, every position counted. */
  static TokenBatch random(int rows, int context, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] tok = new byte[rows * (context + 1)];
    for (int i = 0; i < tok.length; i++) {
      tok[i] = (byte) rng.nextInt(256);
    }
    byte[] mask = new byte[rows * context];
    java.util.Arrays.fill(mask, (byte) 1);
    return of(rows, context, tok, mask);
  }

  static TokenBatch of(int rows, int context, byte[] tokens, byte[] mask) {
    return TokenBatch.newBuilder()
        .setRows(rows)
        .setCols(context + 1)
        .setTokens(ByteString.copyFrom(tokens))
        .setLossMask(ByteString.copyFrom(mask))
        .build();
  }

  /** Windows cut from {@code text} at the given starts, all positions counted. */
  static TokenBatch windows(byte[] text, int context, int[] starts) {
    int rows = starts.length;
    int cols = context + 1;
    byte[] tok = new byte[rows * cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(text, starts[r], tok, r * cols, cols);
    }
    byte[] mask = new byte[rows * context];
    java.util.Arrays.fill(mask, (byte) 1);
    return of(rows, context, tok, mask);
  }
}
