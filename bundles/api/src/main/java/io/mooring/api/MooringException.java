package io.mooring.api;

/** Base of the failures Mooring's services report to their callers with a sentence a human understands. */
public class MooringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MooringException(String message) {
        super(message);
    }

    public MooringException(String message, Throwable cause) {
        super(message, cause);
    }
}
