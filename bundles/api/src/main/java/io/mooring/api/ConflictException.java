package io.mooring.api;

/** The request is valid but contradicts the record's current state (e.g. cancelling a finished command). */
public class ConflictException extends MooringException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
