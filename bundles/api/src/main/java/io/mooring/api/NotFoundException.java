package io.mooring.api;

/** The named record does not exist for the caller's tenant (another tenant's records are never revealed). */
public class NotFoundException extends MooringException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
