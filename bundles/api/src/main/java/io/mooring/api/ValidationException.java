package io.mooring.api;

/** Input that is not acceptable; {@link #field()} names what was wrong. Nothing was written. */
public class ValidationException extends MooringException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
