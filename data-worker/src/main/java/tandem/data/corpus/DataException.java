package tandem.data.corpus;

/**
 * Data the experiment asks for cannot be had: a corpus path that does not exist, an empty file, text
 * that is not UTF-8, a data budget larger than the train split. The message is one line and names the
 * file (with a byte offset where it applies) or the spec field to change.
 */
public final class DataException extends Exception {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
