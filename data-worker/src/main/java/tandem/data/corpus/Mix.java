package tandem.data.corpus;

/**
 * Seeded mixing and a small deterministic generator (SplitMix64). Everything the data plan draws goes
 * through here, so a choice is a pure function of its seed on every JVM: no {@code java.util.Random}
 * state, no {@code Math} intrinsics that may differ in the last ulp.
 */
public final class Mix {
    private Mix() {}

    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** SplitMix64's finaliser: a bijective, well-mixed 64-bit hash. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Mixes any number of values into one hash (order matters). */
    public static long mix(long first, long... rest) {
        long h = mix64(first + GOLDEN);
        for (long v : rest) {
            h = mix64(h ^ mix64(v + GOLDEN) + GOLDEN);
        }
        return h;
    }

    /** A uniform double in [0, 1) from a hash. */
    public static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    /** A 64-bit hash of {@code bytes[offset, offset+length)}, 8 bytes at a time. */
    public static long hashBytes(byte[] bytes, int offset, int length) {
        long h = mix64(length * GOLDEN);
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            long w = (bytes[i] & 0xFFL)
                    | (bytes[i + 1] & 0xFFL) << 8
                    | (bytes[i + 2] & 0xFFL) << 16
                    | (bytes[i + 3] & 0xFFL) << 24
                    | (bytes[i + 4] & 0xFFL) << 32
                    | (bytes[i + 5] & 0xFFL) << 40
                    | (bytes[i + 6] & 0xFFL) << 48
                    | (bytes[i + 7] & 0xFFL) << 56;
            h = mix64(h ^ w) + GOLDEN;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        return mix64(h ^ tail ^ 0x5851F42D4C957F2DL);
    }

    /** SplitMix64: a deterministic stream of 64-bit values. */
    public static final class Rng {
        private long state;

        public Rng(long seed) {
            this.state = mix64(seed);
        }

        public long nextLong() {
            state += GOLDEN;
            return mix64(state);
        }

        /** Uniform in [0, 1). */
        public double nextDouble() {
            return unit(nextLong());
        }

        /** Uniform in [0, bound), without modulo bias. */
        public long nextLong(long bound) {
            if (bound <= 0) {
                throw new IllegalArgumentException("bound must be positive: " + bound);
            }
            long limit = Long.remainderUnsigned(-bound, bound); // 2^64 mod bound
            while (true) {
                long r = nextLong();
                if (Long.compareUnsigned(r, limit) >= 0) {
                    return Long.remainderUnsigned(r, bound);
                }
            }
        }

        public int nextInt(int bound) {
            return (int) nextLong(bound);
        }

        /** Standard normal by Box-Muller, with {@link StrictMath} so every JVM agrees. */
        public double nextGaussian() {
            double u1 = 1.0 - nextDouble(); // (0, 1]
            double u2 = nextDouble();
            return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
        }
    }
}
