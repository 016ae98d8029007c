package io.mooring.api.pki;

import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The certificates the CA issued to a tenant's devices, newest first. Unenrolling a device revokes the
 * certificates bound to it, and the CA's CRL lists them.
 */
@ProviderType
public interface CertificateInventory {
    Page<IssuedCertificate> list(TenantId tenant, PageRequest page);

    /**
     * Device plane: the platform saw this device authenticate with the certificate of this serial (hex),
     * so unenrolling the device revokes it. False if the CA never issued it.
     */
    boolean bindToDevice(String serial, DeviceId device);

    /** Device plane: the certificate of this serial (hex) as the CA issued it; empty if the CA never issued it. */
    Optional<IssuedCertificate> find(String serial);

    /**
     * Device plane: the platform saw this certificate superseded by a renewed one; it is revoked and the CRL
     * lists it. False when it is unknown or revoked already.
     */
    boolean revokeSuperseded(String serial);
}
