package io.mooring.pki.internal;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** The CA's certificate and private key, as loaded or created. The CA also acts as the SCEP RA. */
record CaMaterial(X509Certificate certificate, PrivateKey privateKey) {
}
