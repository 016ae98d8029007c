package io.mooring.api;

import java.util.regex.Pattern;

/** Validation shared by the identifier types. */
final class Identifiers {
    static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Identifiers() {
    }

    static String slug(String kind, String value) {
        if (value == null || !SLUG.matcher(value).matches()) {
            throw new ValidationException(kind, kind + " must be 1 to 63 lower-case letters, digits or dashes, got '" + value + "'");
        }
        return value;
    }
}
