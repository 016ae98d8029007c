package io.mooring.api.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;

import io.mooring.api.Device;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Device identities for platforms whose enrollment protocol carries the certificate request itself
 * (Windows' MS-WSTEP) instead of sending the device to SCEP. The certificate is a TLS client identity,
 * recorded in the tenant's certificate inventory and bound to the device, so unenrolling the device
 * revokes it.
 */
@ProviderType
public interface CertificateIssuer {
    /** What the CA accepts and issues, for platforms that publish it to devices before they ask (MS-XCEP). */
    record Policy(Set<Integer> rsaKeySizes, Duration validity) {
    }

    Policy policy();

    /**
     * Checks a DER PKCS#10 request without issuing anything: its signature must verify with its own key
     * (the requester holds the private key) and the key must be one the CA accepts. Platforms call this
     * before they record an enrollment, so a bad request costs nothing.
     *
     * @throws ValidationException saying what is wrong with the request
     */
    void check(byte[] pkcs10);

    /**
     * Device plane: issues the identity of an enrolled device for the key of {@code pkcs10}. The
     * request's own subject is ignored: the certificate names the device,
     * {@code CN=<device id>, O=<organization>}.
     *
     * @throws ValidationException when the request is not acceptable (as {@link #check})
     * @throws UnavailableException when the CA is not ready
     */
    X509Certificate issueForDevice(Device device, byte[] pkcs10, String organization);
}
