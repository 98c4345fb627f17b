package tandem.data.corpus;

import java.util.OptionalDouble;

/**
 * {@code synthetic_bytes} bytes sampled from a seeded {@link MarkovSource}, cut into fixed
 * {@value #CHUNK_BYTES}-byte chunks (ASCII, so any cut is UTF-8 safe; no separators are added, so the
 * text's entropy rate is the source's). Its loss floor is exact: {@link #entropyFloorBitsPerByte()}.
 */
public final class SyntheticCorpus extends InMemoryCorpus {
    public static final String NAME = "synthetic";
    public static final int CHUNK_BYTES = 2048;

    private final MarkovSource source;
    private final long seed;

    private SyntheticCorpus(MarkovSource source, byte[] text) {
        super(text, fixedStarts(text.length, CHUNK_BYTES));
        this.source = source;
        this.seed = source.seed();
    }

    /**
     * @throws DataException naming {@code data_budget.synthetic_bytes} if it is not in (0, 2^31 - 1)
     */
    public static SyntheticCorpus generate(long seed, long bytes) throws DataException {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new DataException("data_budget.synthetic_bytes: must be in [1, " + (Integer.MAX_VALUE - 8) + "], got " + bytes);
        }
        MarkovSource source = new MarkovSource(seed);
        return new SyntheticCorpus(source, source.generate((int) bytes));
    }

    public MarkovSource source() {
        return source;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String cacheKey() {
        return "synthetic:seed=" + Long.toUnsignedString(seed) + ":bytes=" + sizeBytes();
    }

    @Override
    public OptionalDouble entropyFloorBitsPerByte() {
        return OptionalDouble.of(source.entropyRateBitsPerByte());
    }
}
