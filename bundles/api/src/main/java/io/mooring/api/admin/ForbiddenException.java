package io.mooring.api.admin;

import io.mooring.api.MooringException;

/** The caller is signed in but its role does not allow the action. */
public class ForbiddenException extends MooringException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String message) {
        super(message);
    }
}
