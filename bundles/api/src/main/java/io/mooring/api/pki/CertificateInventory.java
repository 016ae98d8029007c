package io.mooring.api.pki;

import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import org.osgi.annotation.versioning.ProviderType;

/** The certificates the CA issued to a tenant's devices, newest first. */
@ProviderType
public interface CertificateInventory {
    Page<IssuedCertificate> list(TenantId tenant, PageRequest page);
}
