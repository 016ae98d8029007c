package io.mooring.pki.internal;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CA's certificate and key, and the SCEP registration authority's (RFC 8894 §2.1): the RA is a
 * certificate the CA issued for signing CertReps and opening requests, so that clients that check
 * the reply's signer with S/MIME rules find a fit signer whose chain ends at the CA. {@code chain} holds
 * the certificates above an imported intermediate CA, up to its root.
 */
record CaMaterial(X509Certificate certificate, PrivateKey privateKey, X509Certificate raCertificate, PrivateKey raPrivateKey,
        List<X509Certificate> chain) {
    CaMaterial {
        chain = List.copyOf(chain);
    }
}
