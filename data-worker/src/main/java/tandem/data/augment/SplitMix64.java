package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * SplitMix64 with every method an op uses written out here, so that views do not depend on how a JDK
 * version implements {@code nextInt(bound)} or {@code nextDouble()} (DESIGN.md, invariant D: every data
 * worker produces the same bytes). Not thread-safe; one per view and op.
 */
final class SplitMix64 implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** The 64-bit finalizer of SplitMix64 (Stafford variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed for step {@code step} of augmented view {@code view} of an example seeded with {@code seed}. */
    static long derive(long seed, long view, long step) {
        long z = mix64(seed + GOLDEN_GAMMA);
        z = mix64(z ^ (view * GOLDEN_GAMMA + 0x632be59bd9b4e019L));
        return mix64(z ^ (step * 0xd1b54a32d192ed03L + 0x2545f4914f6cdd1dL));
    }

    @Override
    public long nextLong() {
        return mix64(state += GOLDEN_GAMMA);
    }

    @Override
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** Uniform in [0, bound), by rejection as in {@code java.util.Random}. */
    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        int r = (int) (nextLong() >>> 33);
        int m = bound - 1;
        if ((bound & m) == 0) {
            return (int) ((bound * (long) r) >> 31);
        }
        for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
            // reject the biased tail
        }
        return r;
    }

    @Override
    public int nextInt(int origin, int bound) {
        if (origin >= bound) {
            throw new IllegalArgumentException("origin " + origin + " must be below bound " + bound);
        }
        long span = (long) bound - origin;
        if (span <= Integer.MAX_VALUE) {
            return origin + nextInt((int) span);
        }
        int r;
        do {
            r = nextInt();
        } while (r < origin || r >= bound);
        return r;
    }
}
