package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * One text augmentation operation, such as synonym replacement or a keyboard typo. This is a service
 * interface: {@link TextOps} discovers implementations with {@link java.util.ServiceLoader}, so a user adds
 * an op by putting a jar on the class path that lists its class in
 * {@code META-INF/services/tandem.data.augment.TextOp} (the class must be public with a public no-argument
 * constructor). Policies refer to ops by {@link #name()}.
 *
 * <p>Contract every implementation must keep (the built-ins are tested for it):
 * <ul>
 *   <li><b>Pure.</b> The result depends only on {@code text}, {@code rate} and the values drawn from
 *       {@code rng}; no clock, no global state that changes results. Data workers on different machines
 *       must produce the same bytes for the same seed (DESIGN.md, invariant D).</li>
 *   <li><b>Total.</b> Never throws for any {@link String}, including the empty string, whitespace-only text,
 *       unpaired surrogates, emoji, CJK and combining marks; always terminates.</li>
 *   <li><b>Unicode-safe.</b> Works on code points (or longer units such as a letter with its combining
 *       marks) and never splits a surrogate pair of the input.</li>
 *   <li><b>Rate 0 is the identity:</b> {@code apply(text, 0, rng)} returns {@code text} unchanged.</li>
 *   <li><b>Bounded.</b> {@code apply(text, rate, rng).length() <= maxOutputLength(text.length())} for every
 *       rate in [0, 1].</li>
 *   <li><b>Thread-safe.</b> One instance serves all threads.</li>
 * </ul>
 */
public interface TextOp {

    /** The name policies use, e.g. {@code "synonym"}: lower case, unique among the loaded ops. */
    String name();

    /**
     * Applies the op to {@code text}.
     *
     * @param rate in [0, 1]; each op documents what it means (probability per word, share of words, ...)
     * @param rng  the only source of randomness; callers seed it from (seed, view) so the result is reproducible
     */
    String apply(String text, double rate, RandomGenerator rng);

    /**
     * An upper bound on the output length, in UTF-16 code units ({@link String#length()}), for any input of
     * {@code inputLength} code units and any rate in [0, 1]. Saturates at {@link Integer#MAX_VALUE}.
     */
    int maxOutputLength(int inputLength);

    /** One line for help texts: what the op does and what its rate means. */
    default String description() {
        return name();
    }

    /** {@code a * b} for non-negative operands, saturating at {@link Integer#MAX_VALUE}. */
    static int saturatedMultiply(int a, long b) {
        long r = a * b;
        return r > Integer.MAX_VALUE || r < 0 ? Integer.MAX_VALUE : (int) r;
    }
}
