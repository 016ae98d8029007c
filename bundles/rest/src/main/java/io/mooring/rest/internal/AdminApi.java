package io.mooring.rest.internal;

import java.io.IOException;
import java.util.List;

import javax.servlet.Servlet;
import javax.servlet.ServletConfig;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.jaxrs.json.JacksonJsonProvider;

import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.endpoint.Server;
import org.apache.cxf.jaxrs.JAXRSServerFactoryBean;
import org.apache.cxf.transport.servlet.CXFNonSpringServlet;

import io.mooring.api.AuditLog;
import io.mooring.api.CommandService;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.EnrollmentService;
import io.mooring.api.InventoryService;
import io.mooring.api.PlatformRegistry;
import io.mooring.api.PushStatus;
import io.mooring.api.admin.AccountService;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.PkiStatus;
import io.mooring.api.pki.PushCertificates;
import io.mooring.api.pki.ScepChallenges;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The admin REST API at {@code /api}: a CXF JAX-RS server on a bus of its own (so a refresh of the CXF
 * bundles' default bus cannot take it away), served through a servlet registered on the HTTP whiteboard.
 * It needs every core service; until they are all there (the database is being migrated, say) the
 * path is not registered and the runtime's fallback answers 503.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/*")
@HttpWhiteboardServletName("mooring-admin-api")
public final class AdminApi extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Bus bus;
    private final transient Server server;
    private final transient CXFNonSpringServlet cxf = new CXFNonSpringServlet();

    @Activate
    public AdminApi(@Reference PlatformRegistry platforms, @Reference DeviceRegistry devices, @Reference CommandService commands,
            @Reference InventoryService inventory, @Reference EnrollmentService enrollment, @Reference AuditLog audit,
            @Reference AccountService accounts, @Reference ScepChallenges challenges, @Reference CertificateInventory certificates,
            @Reference PushCertificates push, @Reference PkiStatus pkiStatus, @Reference PushStatus pushStatus,
            @Reference io.mooring.api.DeviceGroupService groups) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(CXFNonSpringServlet.class.getClassLoader());
        try {
            bus = BusFactory.newInstance().createBus();
            JAXRSServerFactoryBean factory = new JAXRSServerFactoryBean();
            factory.setBus(bus);
            factory.setAddress("/");
            factory.setServiceBeans(List.of(
                    new PlatformsResource(platforms),
                    new DevicesResource(devices, commands, inventory, groups),
                    new GroupsResource(groups),
                    new CommandsResource(commands),
                    new EnrollmentsResource(enrollment, platforms),
                    new AuditResource(audit),
                    new AccountsResource(accounts, audit),
                    new PkiResource(challenges, certificates, audit, push, pkiStatus),
                    new PushResource(pushStatus),
                    new OpenApiResource()));
            factory.setProviders(List.of(new JacksonJsonProvider(mapper()), new BodyLimit(), new ApiAuthentication(accounts), new ProblemMapper()));
            server = factory.create();
            cxf.setBus(bus);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    static ObjectMapper mapper() {
        return new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        cxf.init(config);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        cxf.service(req, resp);
    }

    @Override
    public void destroy() {
        cxf.destroy();
        super.destroy();
    }

    @Deactivate
    void deactivate() {
        server.destroy();
        bus.shutdown(true);
    }
}
