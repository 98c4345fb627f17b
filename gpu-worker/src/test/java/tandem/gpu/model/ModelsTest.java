package tandem.gpu.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tandem.gpu.backend.Nd4jBackend;
import tandem.proto.ModelSpec;

/** Model factory: kind dispatch, shape validation, layout sizes; and the backend description. */
class ModelsTest {

  private static ModelSpec.Builder transformer() {
    return ModelSpec.newBuilder().setKind(ModelSpec.Kind.TRANSFORMER)
        .setContext(64).setDModel(64).setLayers(2).setHeads(4).setDFf(256);
  }

  private static ModelSpec.Builder mlp() {
    return ModelSpec.newBuilder().setKind(ModelSpec.Kind.MLP)
        .setContext(64).setMlpEmbed(16).setMlpHidden(256);
  }

  @Test
  void rejectsImpossibleShapesNamingTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Models.create(transformer().setHeads(3).build()));
    assertEquals("model.heads: 3 does not divide model.d_model 64", e.getMessage());

    expect("model.d_model", transformer().setDModel(0));
    expect("model.layers", transformer().setLayers(-1));
    expect("model.heads", transformer().setHeads(0));
    expect("model.d_ff", transformer().setDFf(0));
    expect("model.context", transformer().setContext(0));
    expect("model.context", transformer().setContext(Models.MAX_CONTEXT + 1));
    expect("model.mlp_embed", mlp().setMlpEmbed(0));
    expect("model.mlp_hidden", mlp().setMlpHidden(-5));
    expect("model.context", mlp().setContext(-1));
    expect("model.kind", transformer().setKindValue(7));
    // Fields of the other kind are not checked.
    assertEquals(ModelSpec.Kind.MLP, Models.validate(mlp().setHeads(3).setDModel(64).build()));
    assertEquals(ModelSpec.Kind.TRANSFORMER, Models.validate(transformer().setMlpHidden(0).build()));
  }

  private static void expect(String field, ModelSpec.Builder spec) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Models.create(spec.build()));
    assertTrue(e.getMessage().startsWith(field + ":"), e.getMessage());
    // The graph-free entry points validate the same way.
    assertThrows(IllegalArgumentException.class, () -> Models.paramCount(spec.build()));
  }

  @Test
  void unspecifiedKindIsTransformer() {
    ModelSpec spec = transformer().setKind(ModelSpec.Kind.KIND_UNSPECIFIED)
        .setContext(8).setDModel(16).setHeads(2).setDFf(32).build();
    try (LanguageModel m = Models.create(spec)) {
      assertInstanceOf(TransformerModel.class, m);
      assertEquals(Models.paramCount(transformer().setContext(8).setDModel(16).setHeads(2)
          .setDFf(32).build()), m.paramCount());
    }
    try (LanguageModel m = Models.create(mlp().setContext(8).build())) {
      assertInstanceOf(MlpModel.class, m);
      assertEquals(8, ((MlpModel) m).window());
    }
  }

  @Test
  void paramCountsFollowTheDocumentedFormulas() {
    // Transformer: 256d + Td + L(4d^2 + 2dF + 9d + F) + 2d + 256d + 256
    long d = 64;
    long t = 64;
    long f = 256;
    long l = 2;
    long expectedT = 256 * d + t * d + l * (4 * d * d + 2 * d * f + 9 * d + f) + 2 * d + 256 * d + 256;
    assertEquals(expectedT, Models.paramCount(transformer().build()));
    assertEquals(137_216, expectedT);
    // MLP: 256E + K E H + H + 256H + 256, K = min(context, 8)
    long e = 16;
    long h = 256;
    assertEquals(256 * e + 8 * e * h + h + 256 * h + 256, Models.paramCount(mlp().build()));
    assertEquals(256 * e + 3 * e * h + h + 256 * h + 256,
        Models.paramCount(mlp().setContext(3).build()));
    // Layout entries are contiguous and cover the vector exactly.
    for (ModelSpec spec : new ModelSpec[] {transformer().build(), mlp().build()}) {
      ParamLayout layout = Models.layout(spec);
      long off = 0;
      for (ParamLayout.Entry en : layout.entries()) {
        assertEquals(off, en.offset(), en.name());
        long n = 1;
        for (long s : en.shape()) {
          n *= s;
        }
        assertEquals(n, en.length(), en.name());
        off += n;
      }
      assertEquals(off, layout.size());
    }
  }

  @Test
  void builtModelMatchesItsLayoutAndWiresParamsAsViews() {
    for (ModelSpec spec : new ModelSpec[] {
        transformer().setContext(8).setDModel(16).setHeads(2).setDFf(32).build(),
        mlp().setContext(8).build()}) {
      try (SameDiffModel m = (SameDiffModel) Models.create(spec)) {
        assertEquals(Models.paramCount(spec), m.paramCount());
        assertTrue(m.viewsShared(), "setParams is one contiguous copy");
      }
    }
  }

  @Test
  void backendIsConfiguredAndDescribed() {
    // Surefire starts the JVM with OMP_NUM_THREADS=1: ND4J can lower its thread count at run time
    // but not raise it above the start-up value, so asking for 2 leaves 1 here.
    Nd4jBackend.configure(2);
    assertTrue(Nd4jBackend.threads() >= 1 && Nd4jBackend.threads() <= 2);
    Nd4jBackend.configure(1);
    Nd4jBackend.configure(1); // idempotent
    assertEquals(1, Nd4jBackend.threads());
    String d = Nd4jBackend.describe();
    assertTrue(d.startsWith("CPU (nd4j-native") && d.endsWith(", 1 thread"), d);
    assertThrows(IllegalArgumentException.class, () -> Nd4jBackend.configure(0));
    assertTrue(d.startsWith("CPU (nd4j-native, "), "artifact read from the backend's jar: " + d);
    assertEquals("nd4j-cuda-11.6",
        Nd4jBackend.artifactFromJarName("nd4j-cuda-11.6-1.0.0-M2.1.jar", "nd4j-cuda"));
    assertEquals("nd4j-native",
        Nd4jBackend.artifactFromJarName("nd4j-native-1.0.0-M2.1.jar", "x"));
    assertEquals("nd4j-cuda",
        Nd4jBackend.artifactFromJarName("tandem-app-0.1.0-SNAPSHOT.jar", "nd4j-cuda"));
  }
}
