package io.mooring.rest.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.mooring.api.admin.Role;

/** The least role a resource method needs; {@link ApiAuthentication} refuses callers below it. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Allowed {
    Role value();
}
