package tandem.data.augment;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An augmentation policy: ops applied in order with their rates, {@code views} augmented views per example,
 * and whether the original is kept as an extra view (view 0).
 *
 * <p>Augmented view {@code a} (that is view {@code a + 1} when the original is kept, else view {@code a})
 * applies every step in order; step {@code i} draws from its own {@link SplitMix64} stream seeded from
 * {@code (seed, a, i)} only. So a view is a pure function of (policy, text, seed, view), the same on every
 * data worker and JDK, and keeping or dropping the original does not change the augmented views.
 *
 * @param steps        ops in the order they run
 * @param views        augmented views per example, at least 0
 * @param keepOriginal whether view 0 is the text itself
 */
public record Policy(List<Step> steps, int views, boolean keepOriginal) implements TextAugmenter {

    /** One op with its rate in [0, 1]. */
    public record Step(TextOp op, double rate) {
        public Step {
            Objects.requireNonNull(op, "op");
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(op.name() + ": rate " + rate + " is outside [0, 1]");
            }
        }

        /** The step for the loaded op called {@code name}. */
        public static Step of(String name, double rate) {
            return new Step(TextOps.get(name), rate);
        }

        @Override
        public String toString() {
            return op.name() + " " + rate;
        }
    }

    public Policy {
        steps = List.copyOf(steps);
        if (views < 0) {
            throw new IllegalArgumentException("views " + views + " is negative");
        }
        if (views == 0 && !keepOriginal) {
            throw new IllegalArgumentException("a policy needs at least one view: views 0 without the original");
        }
    }

    @Override
    public int viewsPerExample() {
        return views + (keepOriginal ? 1 : 0);
    }

    @Override
    public String view(String text, long seed, int view) {
        Objects.checkIndex(view, viewsPerExample());
        if (keepOriginal && view == 0) {
            return text;
        }
        int augmented = keepOriginal ? view - 1 : view;
        String out = text;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (step.rate() > 0) {
                out = step.op().apply(out, step.rate(), new SplitMix64(SplitMix64.derive(seed, augmented, i)));
            }
        }
        return out;
    }

    /** True when every step has rate 0 (or there are no steps): every view is then the text itself. */
    @Override
    public boolean isIdentity() {
        return steps.stream().allMatch(s -> s.rate() == 0);
    }

    /** An upper bound on the length (UTF-16 code units) of any view of a text of {@code inputLength}. */
    public int maxViewLength(int inputLength) {
        int bound = inputLength;
        for (Step s : steps) {
            if (s.rate() > 0) {
                bound = Math.max(bound, s.op().maxOutputLength(bound));
            }
        }
        return bound;
    }

    /** One line, e.g. {@code "synonym 0.1, swap 0.1; 4 views + original"}. */
    public String describe() {
        String ops = steps.isEmpty() ? "no ops" : steps.stream().map(Step::toString).collect(Collectors.joining(", "));
        return ops + "; " + views + (views == 1 ? " view" : " views") + (keepOriginal ? " + original" : "");
    }
}
