package io.mooring.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** The hand-written OpenAPI document and the resources describe the same operations, and each needs a role. */
class OpenApiDocumentTest {
    static final List<Class<?>> RESOURCES = List.of(PlatformsResource.class, DevicesResource.class, CommandsResource.class, GroupsResource.class,
            EnrollmentsResource.class, AuditResource.class, AccountsResource.class, PkiResource.class, PushResource.class, OpenApiResource.class);

    @Test
    void everyResourceMethodIsDocumentedAndNothingElse() throws Exception {
        Set<String> implemented = new TreeSet<>();
        for (Class<?> resource : RESOURCES) {
            String base = "/" + resource.getAnnotation(Path.class).value();
            for (Method m : resource.getMethods()) {
                String verb = m.isAnnotationPresent(GET.class) ? "get" : m.isAnnotationPresent(POST.class) ? "post"
                        : m.isAnnotationPresent(DELETE.class) ? "delete" : m.isAnnotationPresent(PUT.class) ? "put" : null;
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                implemented.add(verb + " " + (sub == null ? base : base + "/" + sub.value()));
                assertThat(m.getAnnotation(Allowed.class)).as("role of %s.%s", resource.getSimpleName(), m.getName()).isNotNull();
            }
        }
        Set<String> documented = new TreeSet<>();
        try (InputStream in = OpenApiResource.class.getResourceAsStream("openapi.json")) {
            JsonNode paths = new ObjectMapper().readTree(in).get("paths");
            for (Iterator<String> it = paths.fieldNames(); it.hasNext();) {
                String path = it.next();
                paths.get(path).fieldNames().forEachRemaining(verb -> documented.add(verb + " " + path));
            }
        }
        assertThat(documented).isEqualTo(implemented);
    }
}
