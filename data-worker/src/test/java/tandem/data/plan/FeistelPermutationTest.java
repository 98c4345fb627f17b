package tandem.data.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class FeistelPermutationTest {

    @Property(tries = 80)
    void isABijection(@ForAll @IntRange(min = 1, max = 5000) int size, @ForAll long seed) {
        FeistelPermutation p = new FeistelPermutation(size, seed);
        BitSet seen = new BitSet(size);
        for (int i = 0; i < size; i++) {
            long v = p.apply(i);
            assertTrue(v >= 0 && v < size);
            assertTrue(!seen.get((int) v), "collision");
            seen.set((int) v);
        }
        assertEquals(size, seen.cardinality());
    }

    @Property(tries = 20)
    void shufflesAwayFromTheIdentity(@ForAll @IntRange(min = 1000, max = 100_000) int size, @ForAll long seed) {
        FeistelPermutation p = new FeistelPermutation(size, seed);
        int fixed = 0;
        long displacement = 0;
        for (int i = 0; i < size; i++) {
            long v = p.apply(i);
            fixed += v == i ? 1 : 0;
            displacement += Math.abs(v - i);
        }
        assertTrue(fixed < 20, fixed + " fixed points");
        // a uniform permutation moves an element size/3 on average
        double mean = displacement / (double) size;
        assertTrue(mean > size / 4.0 && mean < size / 2.4, "mean displacement " + mean + " of " + size);
    }
}
