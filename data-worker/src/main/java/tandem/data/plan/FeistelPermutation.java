package tandem.data.plan;

import tandem.data.corpus.Mix;

/**
 * A seeded bijection of [0, size) with O(1) memory: a balanced 6-round Feistel network on the smallest
 * even number of bits that covers size, with cycle walking to stay inside the domain (at most ~4 rounds
 * of the network on average). Used for epoch orders, where size = examples x views may be large.
 */
final class FeistelPermutation {
    private static final int ROUNDS = 6;

    private final long size;
    private final int halfBits;
    private final long mask;
    private final long[] keys = new long[ROUNDS];

    FeistelPermutation(long size, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        this.size = size;
        int bits = size == 1 ? 1 : 64 - Long.numberOfLeadingZeros(size - 1);
        this.halfBits = Math.max(1, (bits + 1) / 2);
        this.mask = (1L << halfBits) - 1;
        for (int r = 0; r < ROUNDS; r++) {
            keys[r] = Mix.mix(seed, r);
        }
    }

    long size() {
        return size;
    }

    /** The position {@code index} maps to; a bijection of [0, size). */
    long apply(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index + " not in [0, " + size + ")");
        }
        long v = index;
        do {
            v = encrypt(v);
        } while (v >= size);
        return v;
    }

    private long encrypt(long v) {
        long left = v >>> halfBits;
        long right = v & mask;
        for (long key : keys) {
            long t = left ^ (Mix.mix64(right ^ key) & mask);
            left = right;
            right = t;
        }
        return (left << halfBits) | right;
    }
}
