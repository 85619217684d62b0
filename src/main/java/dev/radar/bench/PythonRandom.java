package dev.radar.bench;

/**
 * CPython's {@code random.Random}: the MT19937 generator seeded as {@code random.seed(int)} seeds it, and the few
 * methods the reference scripts call on the module-level generator ({@code random()} and {@code sample(list, 1)}).
 * Written from the algorithm's description (Matsumoto and Nishimura's {@code init_by_array}, CPython's 53-bit
 * {@code random()} and {@code _randbelow_with_getrandbits}); {@code PythonRandomTest} proves it draw for draw
 * against CPython. Not thread-safe: one instance replays one reference run.
 */
public final class PythonRandom {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index;

    /** The state {@code random.seed(seed)} gives for a non-negative int seed (the reference seeds with 0). */
    public PythonRandom(long seed) {
        if (seed < 0) {
            throw new IllegalArgumentException("seed must be >= 0 (CPython uses abs(seed)): " + seed);
        }
        // CPython splits the int into little-endian 32-bit words; 0 still gives one word.
        int[] key = (seed >>> 32) == 0 ? new int[]{(int) seed} : new int[]{(int) seed, (int) (seed >>> 32)};
        initByArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = UPPER_MASK; // MSB is 1, assuring a non-zero initial array
    }

    /** The next 32 output bits, as an unsigned value in a long. */
    long nextUint32() {
        if (index >= N) {
            int kk = 0;
            for (; kk < N - M; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            for (; kk < N - 1; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            }
            int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
            mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** {@code random.random()}: 53 random bits from two outputs, in [0, 1). */
    public double random() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /** {@code random.getrandbits(k)} for 0 &lt;= k &lt;= 32. */
    public long getrandbits(int k) {
        if (k < 0 || k > 32) {
            throw new IllegalArgumentException("only 0..32 bits are needed here: " + k);
        }
        return k == 0 ? 0 : nextUint32() >>> (32 - k);
    }

    /** {@code random._randbelow(n)}: rejection sampling on n.bit_length() bits, as random.sample draws. */
    public int randbelow(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /**
     * The index {@code random.sample(population, 1)} picks from a population of n: both of CPython's strategies
     * (pool for small n, set for large n) draw {@code _randbelow(n)} once for k = 1.
     */
    public int sampleOneIndex(int n) {
        return randbelow(n);
    }
}
