package tandem.data.augment;

import java.util.ArrayList;
import java.util.List;
import tandem.proto.AugmentationPolicy;

/** What a policy does to a text, for the CLI's preview command. */
public final class Preview {
    private Preview() {}

    /**
     * All views of {@code text} under {@code policy} for {@code seed}: the original first when the policy keeps
     * it, then the augmented views. {@code views > 0} overrides the policy's number of augmented views;
     * 0 keeps it. The identity policy ({@code none}) has exactly one view, the text.
     *
     * @throws IllegalArgumentException as {@link Augmenters#fromPolicy} for a bad policy, or for negative views
     */
    public static List<String> preview(AugmentationPolicy policy, long seed, int views, String text) {
        if (views < 0) {
            throw new IllegalArgumentException("views: " + views + " is negative");
        }
        AugmentationPolicy p = views > 0 ? policy.toBuilder().setViews(views).build() : policy;
        TextAugmenter augmenter = Augmenters.fromPolicy(p);
        List<String> out = new ArrayList<>(augmenter.viewsPerExample());
        for (int v = 0; v < augmenter.viewsPerExample(); v++) {
            out.add(augmenter.view(text, seed, v));
        }
        return out;
    }

    /** One line describing the policy after presets and defaults are resolved, e.g. for the preview header. */
    public static String describe(AugmentationPolicy policy) {
        TextAugmenter augmenter = Augmenters.fromPolicy(policy);
        if (augmenter instanceof Policy p) {
            return p.describe();
        }
        return augmenter.isIdentity() ? "none (identity); 1 view" : augmenter.toString();
    }
}
