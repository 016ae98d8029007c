package io.mooring.platform.apple.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.Actor;
import io.mooring.api.CommandService;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.InventoryService;
import io.mooring.api.MooringException;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.CmsSigner;
import io.mooring.api.pki.CmsSigner.SignerIdentity;
import io.mooring.api.pki.Escrow;
import io.mooring.api.pki.PushCertificate;
import io.mooring.api.pki.PushCertificates;
import io.mooring.api.pki.ScepChallenge;
import io.mooring.api.pki.ScepChallenges;
import io.mooring.spi.pki.ClientCertificates;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apple devices' endpoints, published by this bundle so they come and go with it:
 * {@code GET /mdm/apple/enroll/{secret}} (the signed enrollment profile), {@code PUT /mdm/apple/checkin}
 * (CheckInURL) and {@code PUT /mdm/apple/connect} (ServerURL). Translates between the servlet API and
 * {@link AppleProtocol}; refusals are bare HTTP statuses, which is all an Apple device reads.
 */
@Component(service = Servlet.class, configurationPid = "io.mooring.platform.apple")
@HttpWhiteboardServletPattern(ApplePlatform.DEVICE_PATH + "/*")
@HttpWhiteboardServletName("mooring-apple-mdm")
@Designate(ocd = MdmServlet.Config.class)
public final class MdmServlet extends HttpServlet {
    @ObjectClassDefinition(name = "Mooring Apple MDM", description = "Apple enrollment and MDM endpoints")
    @interface Config {
        @AttributeDefinition(description = "Address devices reach Mooring at (HTTPS), for the URLs in the enrollment profile")
        String server_url() default "https://localhost:8443";

        @AttributeDefinition(description = "Organization shown in the enrollment profile and in device identities")
        String organization() default "Mooring";

        @AttributeDefinition(description = "Header in which a TLS-terminating proxy passes the device's client certificate "
                + "(PEM, URL-encoded); empty: only Mdm-Signature authenticates. Set it only behind a proxy that strips it from clients.")
        String client_certificate_header() default "";

        @AttributeDefinition(description = "How long the SCEP challenge in a downloaded profile stays valid, in minutes")
        int challenge_minutes() default 60;
    }

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MdmServlet.class);
    static final int MAX_CHECKIN = 1 << 20;
    static final int MAX_RESULT = 16 << 20;
    private static final Pattern ENROLL = Pattern.compile("/enroll/([A-Za-z0-9_-]{8,200})");
    private static final Pattern QR = Pattern.compile("/enroll/([A-Za-z0-9_-]{8,200})/qr\\.png");

    private final transient AppleProtocol protocol;
    private final transient EnrollmentService enrollment;
    private final transient DeviceRegistry devices;
    private final transient ScepChallenges challenges;
    private final transient CmsSigner cms;
    private final transient PushCertificates pushCertificates;
    private final transient Config config;
    private final transient ClientCertificates clientCertificates = new ClientCertificates();

    @Activate
    public MdmServlet(@Reference EnrollmentService enrollment, @Reference DeviceRegistry devices, @Reference CommandService commands,
            @Reference InventoryService inventory, @Reference DeviceAttributes attributes, @Reference CertificateInventory certificates,
            @Reference ScepChallenges challenges, @Reference CmsSigner cms, @Reference PushCertificates pushCertificates, @Reference Escrow escrow,
            Config config) {
        this.enrollment = enrollment;
        this.devices = devices;
        this.challenges = challenges;
        this.cms = cms;
        this.pushCertificates = pushCertificates;
        this.config = config;
        this.protocol = new AppleProtocol(devices, commands, inventory, attributes, certificates, escrow, CommandSchema.load(), Clock.systemUTC());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        try {
            Matcher qr = QR.matcher(path);
            if (qr.matches() && "GET".equals(request.getMethod())) {
                // the QR code only encodes the link; it spends nothing (the download does)
                byte[] png = QrCodes.png(EnrollmentProfile.enrollmentUrl(config.server_url(), qr.group(1)), 320);
                response.setContentType("image/png");
                response.setContentLength(png.length);
                response.getOutputStream().write(png);
                return;
            }
            Matcher enroll = ENROLL.matcher(path);
            if (enroll.matches()) {
                if (!"GET".equals(request.getMethod())) {
                    refuse(response, 405, "GET the enrollment profile");
                } else {
                    enroll(enroll.group(1), response);
                }
                return;
            }
            boolean checkin = path.equals("/checkin");
            if (!checkin && !path.equals("/connect")) {
                refuse(response, 404, "no such Apple MDM endpoint");
                return;
            }
            if (!"PUT".equals(request.getMethod()) && !"POST".equals(request.getMethod())) {
                refuse(response, 405, "check-ins and results are PUT");
                return;
            }
            byte[] body = read(request, checkin ? MAX_CHECKIN : MAX_RESULT);
            if (body == null) {
                refuse(response, 413, "the message is too large");
                return;
            }
            SignerIdentity identity = identity(request, body);
            AppleProtocol.Answer answer = checkin ? protocol.checkIn(body, identity) : protocol.connect(body, identity);
            if (answer.reason() != null) {
                LOG.debug("Refused an Apple {} from {}: {} {}", checkin ? "check-in" : "result", request.getRemoteAddr(), answer.status(),
                        answer.reason());
                refuse(response, answer.status(), answer.reason());
                return;
            }
            response.setStatus(answer.status());
            if (answer.plist() != null) {
                response.setContentType("application/xml; charset=UTF-8");
                response.setContentLength(answer.plist().length);
                response.getOutputStream().write(answer.plist());
            } else {
                response.setContentLength(0);
            }
        } catch (io.mooring.api.ValidationException e) {
            refuse(response, 400, e.getMessage());
        } catch (MooringException e) {
            // the database or another service is unavailable: the device retries later
            LOG.warn("Apple MDM request {} failed: {}", path, e.getMessage());
            response.setHeader("Retry-After", "60");
            refuse(response, 503, "try again later");
        }
    }

    private void enroll(String secret, HttpServletResponse response) throws IOException {
        EnrolledDevice enrolled;
        try {
            enrolled = enrollment.enroll(ApplePlatform.ID, secret, DeviceDescription.EMPTY);
        } catch (EnrollmentException e) {
            refuse(response, 403, e.getMessage());
            return;
        }
        List<PushCertificate> push = pushCertificates.list(enrolled.device().tenant());
        if (push.isEmpty()) {
            // without a push certificate the device could never be woken: undo the enrollment, say what is missing
            devices.unenroll(enrolled.device().tenant(), enrolled.device().id(), Actor.SYSTEM);
            refuse(response, 503, "this organization has no APNs push certificate yet; an administrator must upload one");
            return;
        }
        EnrollmentProfile.Settings settings = new EnrollmentProfile.Settings(config.server_url(), config.organization());
        ScepChallenge challenge = challenges.issueForSubject(enrolled.device().tenant(),
                EnrollmentProfile.subject(enrolled.device().id(), config.organization()), Duration.ofMinutes(Math.max(5, config.challenge_minutes())));
        byte[] profile = Plists.toXml(EnrollmentProfile.build(settings, enrolled.device().id(), push.get(0).topic(), challenge.scepUrl(),
                challenge.secret(), cms.caChain()));
        byte[] signed = cms.sign(profile);
        response.setStatus(200);
        response.setContentType("application/x-apple-aspen-config");
        response.setHeader("Content-Disposition", "attachment; filename=\"mooring-enrollment.mobileconfig\"");
        response.setContentLength(signed.length);
        response.getOutputStream().write(signed);
        LOG.info("Apple enrollment profile handed out for device {} of tenant {}", enrolled.device().id(), enrolled.device().tenant());
    }

    /**
     * Who sent the message: its Mdm-Signature (a detached CMS signature over the body) when it has one;
     * otherwise the TLS client certificate the device presented (a device presents its identity when the
     * server asks, which Mooring's HTTPS connector does), or the one a trusted TLS-terminating proxy passes on.
     */
    private SignerIdentity identity(HttpServletRequest request, byte[] body) {
        String signature = request.getHeader("Mdm-Signature");
        if (signature != null) {
            try {
                return cms.verifyDetached(body, Base64.getMimeDecoder().decode(signature)).orElse(null);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        X509Certificate cert = null;
        if (request.getAttribute("javax.servlet.request.X509Certificate") instanceof X509Certificate[] chain && chain.length > 0) {
            cert = chain[0];
        } else if (!config.client_certificate_header().isBlank() && request.getHeader(config.client_certificate_header()) != null) {
            cert = clientCertificates.fromHeader(request.getHeader(config.client_certificate_header()));
        }
        if (cert == null || !ClientCertificates.validAt(cert, java.time.Instant.now())) {
            return null;
        }
        return new SignerIdentity(cert.getSerialNumber().toString(16), cert.getSubjectX500Principal().getName(),
                clientCertificates.issuedBy(cert, cms.caChain()), null); // the PEM: read by nothing on this path
    }

    private static byte[] read(HttpServletRequest request, int max) throws IOException {
        if (request.getContentLengthLong() > max) {
            return null;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(max);
            return in.read() == -1 ? body : null;
        }
    }

    private static void refuse(HttpServletResponse response, int status, String reason) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain; charset=UTF-8");
        byte[] text = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(text.length);
        response.getOutputStream().write(text);
    }

}
