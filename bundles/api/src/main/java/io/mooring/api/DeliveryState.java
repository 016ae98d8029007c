package io.mooring.api;

/**
 * A command's state on one device: {@code QUEUED → SENT → ACKNOWLEDGED | ERROR}; a device answering
 * "not now" puts it back to {@code QUEUED}; {@code EXPIRED} and {@code CANCELED} end it undelivered.
 */
public enum DeliveryState {
    QUEUED, SENT, ACKNOWLEDGED, ERROR, EXPIRED, CANCELED;

    public boolean isFinal() {
        return this != QUEUED && this != SENT;
    }
}
