package io.mooring.spi.pki;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import io.mooring.api.DeviceId;

/**
 * Devices' TLS client certificates, presented to Mooring's connector or passed on by a trusted proxy,
 * read and checked once and remembered: a device shows the same certificate on every message, and parsing
 * a proxy's PEM or verifying the issuer's signature each time costs more than the rest of a poll. What is
 * remembered is a pure function of the input (the parsed certificate; whether a given CA chain issued it;
 * the device a subject names), so a changed chain is checked again; validity in time is checked on every
 * message ({@link #validAt}). Bounded, least recently used first out. One instance per endpoint; thread-safe.
 */
public final class ClientCertificates {
    static final int MAX = 50_000;

    private record Issued(List<X509Certificate> chain, boolean issued) {
    }

    private final Map<String, X509Certificate> parsed = lru();
    private final Map<ByteBuffer, Issued> checked = lru();
    private final Map<String, DeviceId> named = lru();

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX;
            }
        };
    }

    /** The certificate in a proxy's header (PEM, URL-encoded as proxies send it); null when it is not one. */
    public X509Certificate fromHeader(String urlEncodedPem) {
        synchronized (parsed) {
            X509Certificate known = parsed.get(urlEncodedPem);
            if (known != null) {
                return known;
            }
        }
        X509Certificate cert;
        try {
            String pem = URLDecoder.decode(urlEncodedPem, StandardCharsets.US_ASCII);
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
        synchronized (parsed) {
            parsed.put(urlEncodedPem, cert);
        }
        return cert;
    }

    /** Whether the certificate is within its validity period at {@code now}; a device endpoint asks on every message. */
    public static boolean validAt(X509Certificate cert, java.time.Instant now) {
        try {
            cert.checkValidity(java.util.Date.from(now));
            return true;
        } catch (java.security.cert.CertificateException e) {
            return false;
        }
    }

    /** Whether a certificate of {@code caChain} signed {@code cert} and names it as issuer. */
    public boolean issuedBy(X509Certificate cert, List<X509Certificate> caChain) {
        ByteBuffer der;
        try {
            der = ByteBuffer.wrap(cert.getEncoded());
        } catch (GeneralSecurityException e) {
            return false;
        }
        synchronized (checked) {
            Issued known = checked.get(der);
            if (known != null && known.chain().equals(caChain)) {
                return known.issued();
            }
        }
        boolean issued = false;
        for (X509Certificate ca : caChain) {
            try {
                cert.verify(ca.getPublicKey());
                issued = cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
                break;
            } catch (GeneralSecurityException e) {
                // not signed by this one
            }
        }
        synchronized (checked) {
            checked.put(der, new Issued(List.copyOf(caChain), issued));
        }
        return issued;
    }

    /**
     * The device a certificate Mooring's CA issued names: the CN of its subject (RFC 2253, as
     * {@code X500Principal.getName()} gives it) is the device id. Null when the subject names no device.
     */
    public DeviceId deviceNamedBy(String subject) {
        synchronized (named) {
            DeviceId known = named.get(subject);
            if (known != null) {
                return known;
            }
        }
        DeviceId id = null;
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    id = DeviceId.parse(String.valueOf(rdn.getValue()));
                    break;
                }
            }
        } catch (InvalidNameException | RuntimeException e) {
            return null;
        }
        if (id != null) {
            synchronized (named) {
                named.put(subject, id);
            }
        }
        return id;
    }
}
