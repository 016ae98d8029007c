package io.mooring.api;

/** A platform plugin or the database is not available right now; the caller may retry later. */
public class UnavailableException extends MooringException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
