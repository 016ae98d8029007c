package io.mooring.api;

/** A device listing filter; null fields do not filter. {@code text} matches name, serial, model or hardware id. */
public record DeviceQuery(PlatformId platform, DeviceState state, String text, PageRequest page) {
    public DeviceQuery {
        if (text != null && text.length() > 100) {
            throw new ValidationException("q", "search text is longer than 100 characters");
        }
        if (text != null && text.isBlank()) {
            text = null;
        }
        if (page == null) {
            page = PageRequest.first(50);
        }
    }
}
