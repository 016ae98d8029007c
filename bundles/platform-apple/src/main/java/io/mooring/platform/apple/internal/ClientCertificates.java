package io.mooring.platform.apple.internal;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mooring.api.pki.CmsSigner.SignerIdentity;

/**
 * Devices' TLS client certificates (presented to Mooring's connector, or passed on by a trusted proxy),
 * checked once and remembered: a device shows the same certificate on every request, and checking its
 * issuer's signature each time would cost more than the rest of an Idle poll. What is remembered is the
 * outcome for those exact bytes (issued by Mooring's CA or not) with the certificate's validity, which is
 * still checked on every use. Bounded; the least recently used goes first.
 */
final class ClientCertificates {
    static final int MAX = 50_000;

    private record Checked(SignerIdentity identity, Instant notBefore, Instant notAfter, List<X509Certificate> checkedAgainst) {
    }

    private final Map<Object, Checked> known = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Checked> eldest) {
            return size() > MAX;
        }
    };

    /** The identity of a certificate a proxy passed on (PEM, URL-encoded as proxies send it); null when unreadable. */
    SignerIdentity identity(String urlEncodedPem, List<X509Certificate> caChain) {
        Checked checked = lookup(urlEncodedPem, caChain);
        if (checked == null) {
            try {
                String pem = URLDecoder.decode(urlEncodedPem, StandardCharsets.US_ASCII);
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
                checked = check(cert, caChain);
            } catch (GeneralSecurityException | RuntimeException e) {
                return null;
            }
            remember(urlEncodedPem, checked);
        }
        return valid(checked);
    }

    /** The identity of a certificate presented in the TLS handshake. */
    SignerIdentity identity(X509Certificate cert, List<X509Certificate> caChain) {
        ByteBuffer der;
        try {
            der = ByteBuffer.wrap(cert.getEncoded());
        } catch (GeneralSecurityException e) {
            return null;
        }
        Checked checked = lookup(der, caChain);
        if (checked == null) {
            checked = check(cert, caChain);
            remember(der, checked);
        }
        return valid(checked);
    }

    private synchronized Checked lookup(Object key, List<X509Certificate> caChain) {
        Checked checked = known.get(key);
        // a CA rollover changes the chain: what was checked against another one is checked again
        return checked != null && checked.checkedAgainst().equals(caChain) ? checked : null;
    }

    private synchronized void remember(Object key, Checked checked) {
        known.put(key, checked);
    }

    private static SignerIdentity valid(Checked checked) {
        Instant now = Instant.now();
        return now.isBefore(checked.notBefore()) || now.isAfter(checked.notAfter()) ? null : checked.identity();
    }

    private static Checked check(X509Certificate cert, List<X509Certificate> caChain) {
        boolean ours = false;
        for (X509Certificate ca : caChain) {
            try {
                cert.verify(ca.getPublicKey());
                ours = cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
                break;
            } catch (GeneralSecurityException e) {
                // not signed by this one
            }
        }
        return new Checked(new SignerIdentity(cert.getSerialNumber().toString(16), cert.getSubjectX500Principal().getName(), ours,
                pem(cert)), cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(),
                List.copyOf(caChain));
    }

    static String pem(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
