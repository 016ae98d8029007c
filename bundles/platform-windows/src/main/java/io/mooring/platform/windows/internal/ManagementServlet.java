package io.mooring.platform.windows.internal;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.CommandService;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.InventoryService;
import io.mooring.api.MooringException;
import io.mooring.api.pki.CmsSigner;
import io.mooring.spi.pki.ClientCertificates;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OMA-DM endpoint ({@code POST /ManagementServer/MDM.svc}, the ADDR of the PC's w7 APPLICATION),
 * published by this bundle. SyncML arrives as XML or WBXML and is answered in kind; the PC is known by
 * its TLS client certificate, or by the one a trusted proxy passes on.
 */
@Component(service = Servlet.class, configurationPid = "io.mooring.platform.windows")
@HttpWhiteboardServletPattern("/ManagementServer/*")
@HttpWhiteboardServletName("mooring-windows-management")
public final class ManagementServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServlet.class);

    private final transient OmaDmProtocol protocol;
    private final int maxBytes;
    private final String proxyHeader;
    private final transient ClientCertificates proxied = new ClientCertificates();

    @Activate
    public ManagementServlet(@Reference DeviceRegistry devices, @Reference CommandService commands, @Reference InventoryService inventory,
            @Reference DeviceAttributes attributes, @Reference CmsSigner cms, @Reference io.mooring.api.pki.CertificateInventory certificates,
            WindowsConfig config) {
        this.protocol = new OmaDmProtocol(devices, commands, inventory, attributes, cms::caChain, certificates::revokeSuperseded,
                new WindowsCommands(config.provider_id()),
                new OmaDmProtocol.Settings(config.server_url().replaceAll("/+$", ""), config.commands_per_message(),
                        Duration.ofHours(Math.max(1, config.inventory_hours()))), Clock.systemUTC());
        this.maxBytes = Math.max(16, config.max_message_kib()) * 1024;
        this.proxyHeader = config.client_certificate_header();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (!path.equalsIgnoreCase("/MDM.svc")) {
            EnrollmentServlet.plain(response, 404, "no such management endpoint");
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            EnrollmentServlet.plain(response, 405, "OMA-DM messages are POSTed");
            return;
        }
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        boolean wbxml = type.startsWith(Syncml.WBXML_TYPE);
        if (!wbxml && !type.startsWith(Syncml.XML_TYPE)) {
            EnrollmentServlet.plain(response, 415, "send " + Syncml.XML_TYPE + " or " + Syncml.WBXML_TYPE);
            return;
        }
        byte[] body = EnrollmentServlet.read(request, maxBytes);
        if (body == null) {
            EnrollmentServlet.plain(response, 413, "the message is larger than " + maxBytes + " bytes");
            return;
        }
        try {
            OmaDmProtocol.Answer answer = protocol.handle(body, wbxml, certificate(request));
            if (answer.body() == null) {
                LOG.debug("Refused an OMA-DM message from {}: {}", request.getRemoteAddr(), answer.reason());
                EnrollmentServlet.plain(response, answer.status(), answer.reason());
                return;
            }
            response.setStatus(answer.status());
            response.setContentType(answer.contentType());
            response.setContentLength(answer.body().length);
            response.getOutputStream().write(answer.body());
        } catch (MooringException e) {
            // the database or another service is unavailable: the PC retries on its schedule
            LOG.warn("OMA-DM message from {} failed: {}", request.getRemoteAddr(), e.getMessage());
            response.setHeader("Retry-After", "60");
            EnrollmentServlet.plain(response, 503, "try again later");
        }
    }

    private X509Certificate certificate(HttpServletRequest request) {
        return EnrollmentServlet.certificate(request, proxyHeader, proxied);
    }
}
