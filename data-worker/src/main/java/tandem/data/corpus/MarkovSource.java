package tandem.data.corpus;

/**
 * A seeded order-2 Markov source over {@link #ALPHABET} (17 printable ASCII symbols): the next symbol
 * depends on the last two. Each of the 17 x 17 states gets its own transition row, a softmax of Gaussian
 * scores whose temperature is solved so the row's entropy is a target drawn uniformly from
 * [{@value #ROW_ENTROPY_MIN}, {@value #ROW_ENTROPY_MAX}] bits; some states are predictable, some are not,
 * so a model must use both bytes of context to reach the floor.
 *
 * <p>The entropy rate is exact: H = sum over states s of pi(s) * H(next | s), with pi the stationary
 * distribution of the chain over states, found by power iteration until the L1 change is below 1e-13.
 * All arithmetic goes through {@link StrictMath}, so rows, samples and H are identical on every JVM.
 */
public final class MarkovSource {
    public static final String ALPHABET = "abcdefghijklmnop ";
    public static final double ROW_ENTROPY_MIN = 1.2;
    public static final double ROW_ENTROPY_MAX = 2.8;

    private static final int K = ALPHABET.length();
    private static final int STATES = K * K;
    private static final long ROWS_SALT = 0x4D41524B4F56524FL;   // "MARKOVRO"
    private static final long SAMPLE_SALT = 0x53414D504C45532EL; // "SAMPLES."

    private final long seed;
    private final double[][] p = new double[STATES][K];      // p[state][next], state = prev2 * K + prev1
    private final double[][] cumulative = new double[STATES][K];
    private final double[] rowEntropy = new double[STATES];   // bits
    private final double[] stationary;
    private final double entropyRate;

    public MarkovSource(long seed) {
        this.seed = seed;
        Mix.Rng rng = new Mix.Rng(Mix.mix(seed, ROWS_SALT));
        for (int s = 0; s < STATES; s++) {
            double[] scores = new double[K];
            for (int i = 0; i < K; i++) {
                scores[i] = rng.nextGaussian();
            }
            double target = ROW_ENTROPY_MIN + (ROW_ENTROPY_MAX - ROW_ENTROPY_MIN) * rng.nextDouble();
            p[s] = rowWithEntropy(scores, target);
            rowEntropy[s] = entropyBits(p[s]);
            double sum = 0;
            for (int i = 0; i < K; i++) {
                sum += p[s][i];
                cumulative[s][i] = sum;
            }
            cumulative[s][K - 1] = 1.0;
        }
        stationary = stationary(p);
        double h = 0;
        for (int s = 0; s < STATES; s++) {
            h += stationary[s] * rowEntropy[s];
        }
        entropyRate = h;
    }

    /** The entropy rate in bits per byte (= per symbol: each symbol is one ASCII byte). */
    public double entropyRateBitsPerByte() {
        return entropyRate;
    }

    public long seed() {
        return seed;
    }

    public static int alphabetSize() {
        return K;
    }

    /** P(next = ALPHABET[c] | previous two = ALPHABET[a], ALPHABET[b]). */
    public double probability(int a, int b, int c) {
        return p[a * K + b][c];
    }

    /** The stationary probability of the state (ALPHABET[a], ALPHABET[b]). */
    public double stationary(int a, int b) {
        return stationary[a * K + b];
    }

    /** {@code length} bytes sampled from the chain; the first two are drawn from the stationary distribution. */
    public byte[] generate(int length) {
        byte[] out = new byte[length];
        Mix.Rng rng = new Mix.Rng(Mix.mix(seed, SAMPLE_SALT));
        double u = rng.nextDouble();
        int state = STATES - 1;
        double acc = 0;
        for (int s = 0; s < STATES; s++) {
            acc += stationary[s];
            if (u < acc) {
                state = s;
                break;
            }
        }
        for (int i = 0; i < length; i++) {
            int next;
            if (i == 0) {
                next = state / K;
            } else if (i == 1) {
                next = state % K;
            } else {
                double[] cum = cumulative[state];
                double v = rng.nextDouble();
                next = 0;
                while (v >= cum[next]) {
                    next++;
                }
                state = (state % K) * K + next;
            }
            out[i] = (byte) ALPHABET.charAt(next);
        }
        return out;
    }

    /** Index of an alphabet byte, or -1. */
    public static int symbolIndex(byte b) {
        return ALPHABET.indexOf((char) (b & 0xFF));
    }

    /** softmax(beta * scores) with beta >= 0 solved by bisection so the entropy is {@code targetBits}. */
    static double[] rowWithEntropy(double[] scores, double targetBits) {
        double lo = 0;
        double hi = 1;
        while (entropyBits(softmax(scores, hi)) > targetBits && hi < 1e6) {
            hi *= 2;
        }
        for (int iter = 0; iter < 200 && hi - lo > 1e-13 * hi; iter++) {
            double mid = 0.5 * (lo + hi);
            if (entropyBits(softmax(scores, mid)) > targetBits) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return softmax(scores, 0.5 * (lo + hi));
    }

    static double[] softmax(double[] scores, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] out = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            out[i] = StrictMath.exp(beta * (scores[i] - max));
            sum += out[i];
        }
        for (int i = 0; i < scores.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    static double entropyBits(double[] dist) {
        double h = 0;
        for (double q : dist) {
            if (q > 0) {
                h -= q * StrictMath.log(q);
            }
        }
        return h / StrictMath.log(2.0);
    }

    /** Power iteration on pi'(b, c) = sum_a pi(a, b) P(c | a, b), from uniform, to an L1 change < 1e-13. */
    private static double[] stationary(double[][] p) {
        double[] pi = new double[STATES];
        java.util.Arrays.fill(pi, 1.0 / STATES);
        double[] next = new double[STATES];
        for (int iter = 0; iter < 1_000_000; iter++) {
            java.util.Arrays.fill(next, 0);
            for (int s = 0; s < STATES; s++) {
                int b = s % K;
                for (int c = 0; c < K; c++) {
                    next[b * K + c] += pi[s] * p[s][c];
                }
            }
            double total = 0;
            for (double v : next) {
                total += v;
            }
            double change = 0;
            for (int s = 0; s < STATES; s++) {
                next[s] /= total;
                change += Math.abs(next[s] - pi[s]);
            }
            double[] t = pi;
            pi = next;
            next = t;
            if (change < 1e-13) {
                break;
            }
        }
        return pi;
    }
}
