package tandem.data.augment;

/**
 * Turns one training example's text into its views for an epoch. The data plan calls it for every
 * example it puts in a batch, so a view must be a pure function of (text, seed, view): any data worker
 * produces the same bytes (DESIGN.md, invariant D).
 */
public interface TextAugmenter {

    /** Views each example yields per epoch (at least 1), counting the original when it is kept. */
    int viewsPerExample();

    /** View {@code view} (0 <= view < viewsPerExample()) of {@code text}; when the original is kept, view 0 is the text itself. */
    String view(String text, long seed, int view);

    /** True when every view is the text itself: the data plan then skips decoding and re-encoding. */
    boolean isIdentity();

    /** The policy {@code none}: one view, the original. */
    static TextAugmenter identity() {
        return Identity.INSTANCE;
    }

    enum Identity implements TextAugmenter {
        INSTANCE;

        @Override public int viewsPerExample() { return 1; }
        @Override public String view(String text, long seed, int view) { return text; }
        @Override public boolean isIdentity() { return true; }
    }
}
