package io.mooring.rest.internal;

import java.io.IOException;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.PlatformInfo;
import io.mooring.api.PlatformRegistry;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Answers what no other servlet does. A device path of a platform that is known but not installed right
 * now (being updated, say) gets {@code 503 + Retry-After}, never 404: a device that sees 404 may
 * unenroll itself. {@code /api} while the admin API is still starting gets 503 too; anything else 404.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/")
@HttpWhiteboardServletName("mooring-fallback")
public final class FallbackServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String RETRY_AFTER_SECONDS = "30";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile PlatformRegistry platforms;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI();
        PlatformRegistry registry = platforms;
        if (path.equals("/api") || path.startsWith("/api/") || registry == null) {
            unavailable(resp, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                    + "\"detail\":\"Mooring is starting; try again shortly\"}");
            return;
        }
        var owner = registry.ownerOfPath(path);
        if (owner.isPresent() && owner.get().state() == PlatformInfo.PlatformState.ABSENT) {
            unavailable(resp, "application/json", "{\"error\":" + JsonResponses.quote("platform '" + owner.get().id()
                    + "' is being updated; try again shortly") + "}");
            return;
        }
        JsonResponses.write(resp, 404, "application/json", "{\"error\":\"not found\"}");
    }

    private static void unavailable(HttpServletResponse resp, String type, String body) throws IOException {
        resp.setHeader("Retry-After", RETRY_AFTER_SECONDS);
        JsonResponses.write(resp, 503, type, body);
    }
}
