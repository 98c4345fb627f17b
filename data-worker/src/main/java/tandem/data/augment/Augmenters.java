package tandem.data.augment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tandem.proto.AugmentationOp;
import tandem.proto.AugmentationPolicy;

/**
 * Builds the augmenter an experiment's policy ({@code data_budget.augmentation}) describes.
 *
 * <p>Presets:
 * <ul>
 *   <li>{@code none} (or an empty preset): the identity, one view.</li>
 *   <li>{@code eda}: synonym 0.1, insert 0.1, swap 0.1, delete 0.1 (EDA's alpha = 0.1 for large data sets,
 *       Wei and Zou 2019, applied in sequence rather than one op per sentence); 4 views.</li>
 *   <li>{@code noise}: typo 0.03, char-swap 0.02, char-drop 0.02, char-insert 0.02 (about 9% of characters
 *       touched); 4 views.</li>
 *   <li>{@code eda+noise}: the eda ops then the noise ops; 4 views.</li>
 * </ul>
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code ops}, when present, replace the preset's ops (in the given order); the preset then only
 *       supplies the default number of views (1 for an empty preset or {@code none}).</li>
 *   <li>{@code views}: augmented views per example; 0 means the preset's default; negative is an error.</li>
 *   <li>{@code keep_original}: presets without explicit ops always keep the original as view 0 (a proto3
 *       bool cannot tell "false" from "unset", and a preset that never shows the real text is rarely
 *       wanted); with explicit ops the flag is used as given. So preset {@code eda} yields 5 views per
 *       example: the original and 4 augmented ones.</li>
 * </ul>
 * Errors are IllegalArgumentExceptions with one-line messages that start with the field's path.
 */
public final class Augmenters {
    private Augmenters() {}

    static final String FIELD = "data_budget.augmentation";

    /** A named preset: its ops and default number of augmented views. */
    public record Preset(String name, List<Policy.Step> steps, int views) {}

    private static final class Presets {
        static final Map<String, Preset> ALL = build();

        private static Map<String, Preset> build() {
            List<Policy.Step> eda = List.of(
                    Policy.Step.of("synonym", 0.1), Policy.Step.of("insert", 0.1),
                    Policy.Step.of("swap", 0.1), Policy.Step.of("delete", 0.1));
            List<Policy.Step> noise = List.of(
                    Policy.Step.of("typo", 0.03), Policy.Step.of("char-swap", 0.02),
                    Policy.Step.of("char-drop", 0.02), Policy.Step.of("char-insert", 0.02));
            List<Policy.Step> both = new ArrayList<>(eda);
            both.addAll(noise);
            Map<String, Preset> m = new LinkedHashMap<>();
            m.put("none", new Preset("none", List.of(), 1));
            m.put("eda", new Preset("eda", eda, 4));
            m.put("noise", new Preset("noise", noise, 4));
            m.put("eda+noise", new Preset("eda+noise", List.copyOf(both), 4));
            return m;
        }
    }

    /** Preset names in documentation order: none, eda, noise, eda+noise. */
    public static List<String> presetNames() {
        return List.copyOf(Presets.ALL.keySet());
    }

    /** The preset called {@code name} ({@code ""} is {@code none}). */
    public static Preset preset(String name) {
        Preset p = Presets.ALL.get(name.isEmpty() ? "none" : name);
        if (p == null) {
            throw new IllegalArgumentException(FIELD + ".preset: unknown preset '" + name + "' (known: "
                    + String.join(", ", presetNames()) + ")");
        }
        return p;
    }

    /**
     * The augmenter for {@code policy}. An empty policy or the preset {@code none} without ops is the identity.
     *
     * @throws IllegalArgumentException naming the preset or op that is unknown or out of range
     */
    public static TextAugmenter fromPolicy(AugmentationPolicy policy) {
        Preset preset = preset(policy.getPreset());
        if (policy.getViews() < 0) {
            throw new IllegalArgumentException(FIELD + ".views: " + policy.getViews()
                    + " is negative (0 means the preset's default, else at least 1)");
        }
        int views = policy.getViews() == 0 ? preset.views() : policy.getViews();
        if (policy.getOpsCount() == 0) {
            if (preset.steps().isEmpty()) {
                return TextAugmenter.identity();
            }
            return new Policy(preset.steps(), views, true);
        }
        List<Policy.Step> steps = new ArrayList<>(policy.getOpsCount());
        for (int i = 0; i < policy.getOpsCount(); i++) {
            AugmentationOp op = policy.getOps(i);
            String field = FIELD + ".ops[" + i + "]";
            TextOp impl = TextOps.find(op.getName()).orElseThrow(() -> new IllegalArgumentException(
                    field + ".name: unknown op '" + op.getName() + "' (known: " + String.join(", ", TextOps.names()) + ")"));
            double rate = op.getRate();
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(field + ".rate: " + rate + " is outside [0, 1]");
            }
            steps.add(new Policy.Step(impl, rate));
        }
        return new Policy(steps, views, policy.getKeepOriginal());
    }
}
