package io.mooring.rest.internal;

import java.io.IOException;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.SystemHealth;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Unauthenticated readiness for load balancers: up, starting or database down, and nothing else. Each
 * part that must be ready registers a {@link SystemHealth} with a {@code mooring.health.part} property;
 * the answer is "starting" until every required part is there, then the worst of their answers.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/health")
@HttpWhiteboardServletName("mooring-health")
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PART = "mooring.health.part";
    /** The database (schema current) and HTTPS (devices' connector up). */
    static final Set<String> REQUIRED = Set.of("database", "https");

    private final transient Map<String, SystemHealth> parts = new ConcurrentHashMap<>();

    /** Only its presence matters; a reference (not the service) does not instantiate the admin API. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(osgi.http.whiteboard.servlet.name=mooring-admin-api)",
            service = Servlet.class)
    private transient volatile ServiceReference<Servlet> adminApi;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPart(SystemHealth part, Map<String, Object> properties) {
        Object name = properties.get(PART);
        if (name != null) {
            parts.put(name.toString(), part);
        }
    }

    void removePart(SystemHealth part, Map<String, Object> properties) {
        Object name = properties.get(PART);
        if (name != null) {
            parts.remove(name.toString(), part);
        }
    }

    SystemHealth.Status status() {
        if (!parts.keySet().containsAll(REQUIRED) || adminApi == null) {
            return SystemHealth.Status.STARTING;
        }
        return parts.values().stream().map(SystemHealth::status).max(Comparator.comparingInt(HealthServlet::severity)).orElseThrow();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        SystemHealth.Status status = status();
        String text = switch (status) {
            case UP -> "up";
            case STARTING -> "starting";
            case DATABASE_DOWN -> "database down";
        };
        JsonResponses.write(resp, status == SystemHealth.Status.UP ? 200 : 503, "application/json", "{\"status\":\"" + text + "\"}");
    }

    private static int severity(SystemHealth.Status s) {
        return switch (s) {
            case UP -> 0;
            case STARTING -> 1;
            case DATABASE_DOWN -> 2;
        };
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        doGet(req, resp);
    }
}
