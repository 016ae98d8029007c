package io.mooring.pki.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Collectors;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The SCEP endpoint (RFC 8894 §4) at {@code /scep}: GetCACaps, GetCACert, and PKIOperation by GET
 * (base64 message) or POST (DER body). Malformed operations get a plain 400; anything that reaches
 * PKIOperation gets a CertRep, refusals included.
 */
@Component(service = Servlet.class, configurationPid = "io.mooring.pki")
@HttpWhiteboardServletPattern({"/scep", "/scep/*"})
@HttpWhiteboardServletName("mooring-scep")
public final class ScepServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** RFC 8894 §3.5.2: what this server does; clients pick POST, SHA-256 and AES from it. */
    static final String CAPABILITIES = String.join("\n", "POSTPKIOperation", "SHA-256", "SHA-512", "AES", "DES3", "SCEPStandard", "Renewal") + "\n";

    private final transient LocalCa ca;
    private final transient PkiStore store;
    private final transient ScepPolicy policy;

    @Activate
    public ScepServlet(@Reference LocalCa ca, @Reference PkiStore store, PkiConfig config) {
        this.ca = ca;
        this.store = store;
        this.policy = new ScepPolicy(Arrays.stream(config.scep_rsa_key_sizes()).boxed().collect(Collectors.toUnmodifiableSet()),
                Duration.ofDays(config.scep_certificate_validity_days()), config.scep_max_request_bytes(), config.crl_url());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String operation = req.getParameter("operation");
        if ("GetCACaps".equals(operation)) {
            write(resp, "text/plain", CAPABILITIES.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        CaMaterial material = ca.material(Duration.ofSeconds(10));
        if (material == null) {
            resp.setHeader("Retry-After", "10");
            plain(resp, 503, "the certificate authority is not ready");
            return;
        }
        if ("GetCACert".equals(operation)) {
            write(resp, "application/x-x509-ca-ra-cert", caAndRa(material));
        } else if ("PKIOperation".equals(operation)) {
            String message = req.getParameter("message");
            byte[] der;
            try {
                der = message == null ? null : Base64.getMimeDecoder().decode(message.replace(' ', '+'));
            } catch (IllegalArgumentException e) {
                der = new byte[0];
            }
            write(resp, "application/x-pki-message", responder(material).pkiOperation(der));
        } else {
            plain(resp, 400, "unknown SCEP operation; use GetCACaps, GetCACert or PKIOperation");
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"PKIOperation".equals(req.getParameter("operation"))) {
            plain(resp, 400, "only PKIOperation is posted");
            return;
        }
        CaMaterial material = ca.material(Duration.ofSeconds(10));
        if (material == null) {
            resp.setHeader("Retry-After", "10");
            plain(resp, 503, "the certificate authority is not ready");
            return;
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(policy.maxRequestBytes() + 1);
        }
        write(resp, "application/x-pki-message", responder(material).pkiOperation(body));
    }

    /** RFC 8894 §4.2.1.2: with an RA, a degenerate certificates-only SignedData: the RA, the CA, and an intermediate's chain. */
    private static byte[] caAndRa(CaMaterial material) throws IOException {
        try {
            org.bouncycastle.cms.CMSSignedDataGenerator certsOnly = new org.bouncycastle.cms.CMSSignedDataGenerator();
            certsOnly.addCertificate(new org.bouncycastle.cert.X509CertificateHolder(material.raCertificate().getEncoded()));
            certsOnly.addCertificate(new org.bouncycastle.cert.X509CertificateHolder(material.certificate().getEncoded()));
            for (java.security.cert.X509Certificate above : material.chain()) {
                certsOnly.addCertificate(new org.bouncycastle.cert.X509CertificateHolder(above.getEncoded()));
            }
            return certsOnly.generate(new org.bouncycastle.cms.CMSAbsentContent(), false).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
        } catch (CertificateEncodingException | org.bouncycastle.cms.CMSException e) {
            throw new IOException("the CA certificates cannot be encoded", e);
        }
    }

    private ScepResponder responder(CaMaterial material) {
        return new ScepResponder(material, ca.provider(), store, policy, Clock.systemUTC());
    }

    private static void write(HttpServletResponse resp, String type, byte[] body) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private static void plain(HttpServletResponse resp, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/plain; charset=utf-8");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
