package io.mooring.api;

/** Enrollment refused: unknown, expired or used-up token, or a token for another platform. */
public class EnrollmentException extends MooringException {
    private static final long serialVersionUID = 1L;

    public EnrollmentException(String message) {
        super(message);
    }
}
