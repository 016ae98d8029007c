package io.mooring.pki.internal;

import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.pki.CertificateInventory;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Component(service = CertificateInventory.class)
public final class CertificateInventoryImpl implements CertificateInventory {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateInventoryImpl.class);
    private final PkiStore store;

    @Activate
    public CertificateInventoryImpl(@Reference PkiStore store) {
        this.store = store;
    }

    @Override
    public Page<IssuedCertificate> list(TenantId tenant, PageRequest page) {
        return store.listCertificates(tenant, page);
    }

    @Override
    public boolean bindToDevice(String serial, DeviceId device) {
        return store.bindCertificate(serial, device);
    }

    @Override
    public Optional<IssuedCertificate> find(String serial) {
        return store.findCertificate(serial);
    }

    @Override
    public boolean revokeSuperseded(String serial) {
        boolean revoked = store.revoke(serial, java.time.Instant.now());
        if (revoked) {
            LOG.info("Revoked certificate {}: its device renewed its identity", serial);
        }
        return revoked;
    }
}
