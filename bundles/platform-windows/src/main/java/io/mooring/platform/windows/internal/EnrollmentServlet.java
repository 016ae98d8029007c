package io.mooring.platform.windows.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.EnrollmentService;
import io.mooring.api.MooringException;
import io.mooring.api.pki.CertificateIssuer;
import io.mooring.api.pki.CmsSigner;
import io.mooring.platform.windows.internal.Soap.ErrorType;
import io.mooring.platform.windows.internal.Soap.Fault;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MS-MDE2's three enrollment services, published by this bundle so they come and go with it:
 * {@code /EnrollmentServer/Discovery.svc} (GET probe and Discover), {@code /EnrollmentServer/Policy.svc}
 * (MS-XCEP) and {@code /EnrollmentServer/Enrollment.svc} (MS-WSTEP). Every refusal is a SOAP fault with
 * MS-MDE2's error detail, never a stack trace.
 */
@Component(service = Servlet.class, configurationPid = "io.mooring.platform.windows")
@HttpWhiteboardServletPattern("/EnrollmentServer/*")
@HttpWhiteboardServletName("mooring-windows-enrollment")
public final class EnrollmentServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentServlet.class);

    private final transient EnrollmentProtocol protocol;
    private final int maxBytes;
    private final String proxyHeader;
    private final transient io.mooring.spi.pki.ClientCertificates proxied = new io.mooring.spi.pki.ClientCertificates();

    @Activate
    public EnrollmentServlet(@Reference EnrollmentService enrollment, @Reference DeviceRegistry devices, @Reference DeviceAttributes attributes,
            @Reference CertificateIssuer issuer, @Reference CmsSigner cms, @Reference io.mooring.api.DeviceGroupService groups,
            @Reference io.mooring.api.pki.CertificateInventory inventory, WindowsConfig config) {
        this.protocol = new EnrollmentProtocol(enrollment, devices, attributes, issuer, cms, settings(config), groups::groupsOfDevice,
                inventory::revokeSuperseded);
        this.maxBytes = Math.max(16, config.max_message_kib()) * 1024;
        this.proxyHeader = config.client_certificate_header();
    }

    static EnrollmentProtocol.Settings settings(WindowsConfig config) {
        String server = config.server_url().replaceAll("/+$", "");
        return new EnrollmentProtocol.Settings(server, config.organization(), new ProvisioningDoc.Settings(server + OmaDmProtocol.PATH,
                config.provider_id(), config.organization(), config.encoding(), new ProvisioningDoc.PollSchedule(config.poll_first_count(),
                        config.poll_first_minutes(), config.poll_second_count(), config.poll_second_minutes(), Math.max(1, config.poll_minutes()))));
    }

    /** What to answer an enrollment request, whatever carried it. */
    record HttpAnswer(int status, String contentType, byte[] body, String retryAfter) {
        static HttpAnswer plain(int status, String reason) {
            return new HttpAnswer(status, "text/plain; charset=UTF-8", (reason + "\n").getBytes(StandardCharsets.UTF_8), null);
        }

        static HttpAnswer soap(int status, String soapNs, String xml) {
            return new HttpAnswer(status, Soap.SOAP11.equals(soapNs) ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8",
                    xml.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String path = "/EnrollmentServer" + (request.getPathInfo() == null ? "" : request.getPathInfo());
        byte[] body = "POST".equals(request.getMethod()) ? read(request, maxBytes) : new byte[0];
        HttpAnswer answer = body == null ? HttpAnswer.plain(413, "the message is larger than " + maxBytes + " bytes")
                : dispatch(protocol, path, request.getMethod(), body, request.getRemoteAddr(), certificate(request, proxyHeader, proxied));
        response.setStatus(answer.status());
        if (answer.retryAfter() != null) {
            response.setHeader("Retry-After", answer.retryAfter());
        }
        response.setContentType(answer.contentType());
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }

    /** The client certificate of the TLS connection, or the one a trusted TLS-terminating proxy passed on in {@code proxyHeader}; null if none. */
    static X509Certificate certificate(HttpServletRequest request, String proxyHeader, io.mooring.spi.pki.ClientCertificates proxied) {
        if (request.getAttribute("javax.servlet.request.X509Certificate") instanceof X509Certificate[] chain && chain.length > 0) {
            return chain[0];
        }
        if (!proxyHeader.isBlank() && request.getHeader(proxyHeader) != null) {
            return proxied.fromHeader(request.getHeader(proxyHeader));
        }
        return null;
    }

    static HttpAnswer dispatch(EnrollmentProtocol protocol, String path, String method, byte[] body, String from) {
        return dispatch(protocol, path, method, body, from, null);
    }

    /** @param clientCertificate the PC's TLS client certificate, which authenticates a renewal (null: none) */
    static HttpAnswer dispatch(EnrollmentProtocol protocol, String path, String method, byte[] body, String from, X509Certificate clientCertificate) {
        String service = path.toLowerCase(Locale.ROOT);
        boolean discovery = service.equals(EnrollmentProtocol.DISCOVERY_PATH.toLowerCase(Locale.ROOT));
        boolean policy = service.equals(EnrollmentProtocol.POLICY_PATH.toLowerCase(Locale.ROOT));
        if ("GET".equals(method) && discovery) {
            // Windows probes the discovery URL with a GET before it posts Discover: an empty 200 says "here"
            return new HttpAnswer(200, "text/plain; charset=UTF-8", new byte[0], null);
        }
        if (!discovery && !policy && !service.equals(EnrollmentProtocol.ENROLLMENT_PATH.toLowerCase(Locale.ROOT))) {
            return HttpAnswer.plain(404, "no such enrollment service");
        }
        if (!"POST".equals(method)) {
            return HttpAnswer.plain(405, "enrollment services are POSTed SOAP");
        }
        String traceId = UUID.randomUUID().toString();
        Soap.Request soap = null;
        try {
            soap = Soap.read(body);
            String answer = discovery ? protocol.discover(soap) : policy ? protocol.policies(soap, clientCertificate)
                    : protocol.requestSecurityToken(soap, clientCertificate);
            return HttpAnswer.soap(200, soap.soapNs(), answer);
        } catch (Fault f) {
            LOG.info("Windows enrollment refused at {} ({} {}, trace {}): {}", path, f.type.name, from, traceId, f.getMessage());
            return HttpAnswer.soap(500, soap == null ? Soap.SOAP12 : soap.soapNs(), Soap.fault(soap == null ? null : soap.soapNs(),
                    soap == null ? null : soap.messageId(), f, traceId));
        } catch (MooringException e) {
            LOG.warn("Windows enrollment at {} failed (trace {}): {}", path, traceId, e.getMessage());
            HttpAnswer a = HttpAnswer.soap(503, soap == null ? Soap.SOAP12 : soap.soapNs(), Soap.fault(soap == null ? null : soap.soapNs(),
                    soap == null ? null : soap.messageId(), new Fault(ErrorType.INTERNAL_SERVICE_FAULT, "the server is not available; try again later"),
                    traceId));
            return new HttpAnswer(a.status(), a.contentType(), a.body(), Long.toString(Duration.ofMinutes(1).toSeconds()));
        }
    }

    static byte[] read(HttpServletRequest request, int max) throws IOException {
        if (request.getContentLengthLong() > max) {
            return null;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(max);
            return in.read() == -1 ? body : null;
        }
    }

    static void plain(HttpServletResponse response, int status, String reason) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain; charset=UTF-8");
        byte[] text = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(text.length);
        response.getOutputStream().write(text);
    }
}
