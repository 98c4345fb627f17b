package tandem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tandem.gpu.model.Models;
import tandem.gpu.model.ParamLayout;
import tandem.protocol.Specs;
import tandem.proto.ModelSpec;

/** The FLOP formula against hand counts and against the models' own parameter layouts. */
class FlopsTest {
    private static final ModelSpec DEFAULT = Specs.DEFAULTS.getModel();

    @Test
    void defaultTransformerByHand() {
        // T = 64, d = 64, L = 2, F = 256: embedding 2*320*64, per layer 8*64^2 + 4*64*64 + 4*64*256, head 2*64*256.
        double expected = 40_960 + 2 * (32_768 + 16_384 + 65_536) + 32_768;
        assertEquals(expected, Flops.forwardPerToken(DEFAULT), 0);
        assertEquals(3 * expected, Flops.trainPerToken(DEFAULT), 0);
    }

    @Test
    void defaultMlpByHand() {
        ModelSpec mlp = DEFAULT.toBuilder().setKind(ModelSpec.Kind.MLP).build();
        // K = 8, E = 16, H = 256, T = 64: one-hot embedding over 71 padded rows per 64 tokens, then 2KEH + 2*256H.
        double expected = 2.0 * 256 * 16 * 71 / 64 + 2 * 8 * 16 * 256 + 2 * 256 * 256;
        assertEquals(expected, Flops.forwardPerToken(mlp), 1e-9);
    }

    /** Every weight matrix costs 2 FLOPs per element per token; attention adds 4 T d per layer. */
    @Test
    void transformerMatchesItsLayout() {
        for (ModelSpec m : new ModelSpec[] {DEFAULT, BenchSpecs.larger()}) {
            ParamLayout layout = Models.layout(m);
            double weights = 0;
            for (ParamLayout.Entry e : layout.entries()) {
                String n = e.name();
                if (n.equals("wte") || n.equals("wpe") || n.endsWith("attn.wqkv") || n.endsWith("attn.wo")
                        || n.endsWith("mlp.w1") || n.endsWith("mlp.w2") || n.equals("head.w")) {
                    weights += e.length();
                }
            }
            double attention = m.getLayers() * 4.0 * m.getContext() * m.getDModel();
            assertEquals(2 * weights + attention, Flops.forwardPerToken(m), 0, m.toString());
        }
    }

    @Test
    void mlpMatchesItsLayout() {
        ModelSpec mlp = DEFAULT.toBuilder().setKind(ModelSpec.Kind.MLP).build();
        ParamLayout layout = Models.layout(mlp);
        double dense = 2.0 * (layout.entry("w1").length() + layout.entry("w2").length());
        double embedding = 2.0 * layout.entry("emb").length() * (mlp.getContext() + 7) / mlp.getContext();
        assertEquals(dense + embedding, Flops.forwardPerToken(mlp), 1e-6);
    }

    @Test
    void gemm() {
        assertEquals(2.0 * 2048 * 2048 * 2048, Flops.gemm(2048), 0);
    }
}
