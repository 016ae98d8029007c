package io.mooring.rest.internal;

import java.io.IOException;

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

/** Unauthenticated readiness for load balancers: up, starting or database down, and nothing else. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/health")
@HttpWhiteboardServletName("mooring-health")
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile SystemHealth health;

    /** Only its presence matters; a reference (not the service) does not instantiate the admin API. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(osgi.http.whiteboard.servlet.name=mooring-admin-api)",
            service = Servlet.class)
    private transient volatile ServiceReference<Servlet> adminApi;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        SystemHealth h = health;
        SystemHealth.Status status = h == null ? SystemHealth.Status.STARTING : h.status();
        if (status == SystemHealth.Status.UP && adminApi == null) {
            status = SystemHealth.Status.STARTING;
        }
        String text = switch (status) {
            case UP -> "up";
            case STARTING -> "starting";
            case DATABASE_DOWN -> "database down";
        };
        JsonResponses.write(resp, status == SystemHealth.Status.UP ? 200 : 503, "application/json", "{\"status\":\"" + text + "\"}");
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        doGet(req, resp);
    }
}
