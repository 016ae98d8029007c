package io.mooring.example.internal;

import java.io.IOException;
import java.time.Clock;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.CommandService;
import io.mooring.api.EnrollmentService;
import io.mooring.api.InventoryService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The example devices' HTTPS endpoint, published by this bundle so it comes and goes with the plugin;
 * while the bundle is absent, core answers the same paths with 503. Only translates between the servlet
 * API and {@link AgentProtocol}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(ExamplePlatform.DEVICE_PATH + "/*")
public final class AgentServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient AgentProtocol protocol;

    @Activate
    public AgentServlet(@Reference EnrollmentService enrollment, @Reference CommandService commands,
            @Reference InventoryService inventory) {
        this(new AgentProtocol(enrollment, commands, inventory, Clock.systemUTC()));
    }

    AgentServlet(AgentProtocol protocol) {
        this.protocol = protocol;
    }

    /** Overrides the per-method dispatch because the protocol answers every method, 405 included. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        AgentResponse answer = protocol.handle(new AgentRequest(request.getMethod(), request.getPathInfo(),
                request.getContentType(), request.getContentLengthLong(), request.getHeader("Authorization"),
                request.getInputStream()));
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        // Enrollment answers carry the device credential; no answer of this protocol is worth caching.
        response.setHeader("Cache-Control", "no-store");
        if (answer.body() != null) {
            byte[] body = protocol.render(answer.body());
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}
