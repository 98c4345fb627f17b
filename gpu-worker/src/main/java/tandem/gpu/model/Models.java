package tandem.gpu.model;

import tandem.proto.ModelSpec;

/** Builds the {@link LanguageModel} a {@link ModelSpec} describes. */
public final class Models {

  /** Largest context accepted (the positional table and attention are O(context^2)). */
  public static final int MAX_CONTEXT = 4096;

  private Models() {}

  /**
   * A new model for {@code spec} (defaults already filled in; {@code KIND_UNSPECIFIED} means
   * TRANSFORMER). Builds the SameDiff graph, which takes a few hundred ms: build once per worker.
   *
   * @throws IllegalArgumentException naming the offending field, e.g. {@code "model.heads: 3 does
   *     not divide model.d_model 64"}
   */
  public static LanguageModel create(ModelSpec spec) {
    return switch (validate(spec)) {
      case MLP -> new MlpModel(spec);
      default -> new TransformerModel(spec);
    };
  }

  /** Length of the flat parameter vector for {@code spec}, without building a graph. */
  public static long paramCount(ModelSpec spec) {
    return layout(spec).size();
  }

  /** The flat parameter layout for {@code spec}, without building a graph. */
  public static ParamLayout layout(ModelSpec spec) {
    return switch (validate(spec)) {
      case MLP -> MlpModel.layout(spec);
      default -> TransformerModel.layout(spec);
    };
  }

  /**
   * Checks the fields the chosen kind uses and returns the effective kind (TRANSFORMER or MLP).
   *
   * @throws IllegalArgumentException naming the offending field
   */
  public static ModelSpec.Kind validate(ModelSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("model: missing");
    }
    ModelSpec.Kind kind = spec.getKind();
    if (kind == ModelSpec.Kind.KIND_UNSPECIFIED) {
      kind = ModelSpec.Kind.TRANSFORMER;
    }
    if (kind != ModelSpec.Kind.TRANSFORMER && kind != ModelSpec.Kind.MLP) {
      throw new IllegalArgumentException("model.kind: unknown value " + spec.getKindValue());
    }
    positive("model.context", spec.getContext());
    if (spec.getContext() > MAX_CONTEXT) {
      throw new IllegalArgumentException(
          "model.context: " + spec.getContext() + " exceeds the maximum " + MAX_CONTEXT);
    }
    if (kind == ModelSpec.Kind.MLP) {
      positive("model.mlp_embed", spec.getMlpEmbed());
      positive("model.mlp_hidden", spec.getMlpHidden());
    } else {
      positive("model.d_model", spec.getDModel());
      positive("model.layers", spec.getLayers());
      positive("model.heads", spec.getHeads());
      positive("model.d_ff", spec.getDFf());
      if (spec.getDModel() % spec.getHeads() != 0) {
        throw new IllegalArgumentException("model.heads: " + spec.getHeads()
            + " does not divide model.d_model " + spec.getDModel());
      }
    }
    return kind;
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + ": must be positive, got " + value);
    }
  }
}
