package tandem.protocol;

/** A user mistake in an experiment spec. The message is one line and names the field or file. */
public final class SpecException extends Exception {
    public SpecException(String message) {
        super(message, null, false, false);
    }
}
