package io.mooring.pki.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** The CA's certificate revocation list (DER, RFC 5280), rebuilt at most once a minute. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/pki/crl")
@HttpWhiteboardServletName("mooring-crl")
public final class CrlServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final Duration REBUILD_AFTER = Duration.ofMinutes(1);
    static final Duration NEXT_UPDATE = Duration.ofDays(1);

    private final transient LocalCa ca;
    private final transient PkiStore store;
    private transient volatile byte[] cached;
    private transient volatile Instant builtAt = Instant.EPOCH;

    @Activate
    public CrlServlet(@Reference LocalCa ca, @Reference PkiStore store) {
        this.ca = ca;
        this.store = store;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CaMaterial material = ca.material(Duration.ofSeconds(10));
        if (material == null) {
            resp.setHeader("Retry-After", "10");
            resp.sendError(503, "the certificate authority is not ready");
            return;
        }
        byte[] crl = cached;
        Instant now = Instant.now();
        if (crl == null || builtAt.plus(REBUILD_AFTER).isBefore(now)) {
            crl = build(material, store, now);
            cached = crl;
            builtAt = now;
        }
        resp.setContentType("application/pkix-crl");
        resp.setContentLength(crl.length);
        resp.getOutputStream().write(crl);
    }

    static byte[] build(CaMaterial material, PkiStore store, Instant now) throws IOException {
        try {
            X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(material.certificate().getSubjectX500Principal().getEncoded()),
                    Date.from(now));
            builder.setNextUpdate(Date.from(now.plus(NEXT_UPDATE)));
            for (PkiStore.Revoked r : store.revoked()) {
                builder.addCRLEntry(new BigInteger(r.serial(), 16), Date.from(r.revokedAt()), CRLReason.cessationOfOperation);
            }
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(material.certificate()));
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.cRLNumber, false,
                    new org.bouncycastle.asn1.x509.CRLNumber(BigInteger.valueOf(now.getEpochSecond())));
            return builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(material.privateKey())).getEncoded();
        } catch (Exception e) {
            throw new IOException("cannot build the CRL", e);
        }
    }
}
