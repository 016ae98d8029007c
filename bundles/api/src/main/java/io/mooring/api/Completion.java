package io.mooring.api;

/** What recording a result did: results are idempotent by command id, so a repeat is {@code DUPLICATE}. */
public enum Completion {
    RECORDED, REQUEUED, DUPLICATE, UNKNOWN_COMMAND
}
