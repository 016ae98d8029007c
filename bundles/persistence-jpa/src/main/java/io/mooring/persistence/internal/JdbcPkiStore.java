package io.mooring.persistence.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mooring.api.DeviceId;
import io.mooring.api.Page;
import io.mooring.api.PageRequest;
import io.mooring.api.TenantId;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.api.pki.PushCertificate;
import io.mooring.api.store.PkiStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

@Component(service = PkiStore.class)
public final class JdbcPkiStore implements PkiStore {
    private static final String CERT_COLUMNS = "serial, tenant_id, subject, not_before, not_after, status, issued_at, certificate";

    private final Jdbc jdbc;

    @Activate
    public JdbcPkiStore(@Reference MigratedDatabase database) {
        this(database.jdbc());
    }

    JdbcPkiStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void createChallenge(TenantId tenant, String secretHash, String purpose, Instant expiresAt, Instant now) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO scep_challenge (secret_hash, tenant_id, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, secretHash);
                p.setString(2, tenant.value());
                p.setString(3, purpose);
                SqlTime.set(p, 4, expiresAt);
                SqlTime.set(p, 5, now);
                return p.executeUpdate();
            }
        });
    }

    @Override
    public RedeemedChallenge redeemChallenge(String secretHash, Instant now) {
        return jdbc.inTransaction(c -> {
            String tenant;
            Instant expires;
            Instant used;
            String purpose;
            try (PreparedStatement p = c.prepareStatement("SELECT tenant_id, expires_at, used_at, purpose FROM scep_challenge WHERE secret_hash = ? FOR UPDATE")) {
                p.setString(1, secretHash);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return new RedeemedChallenge(Redemption.UNKNOWN, null, null);
                    }
                    tenant = rs.getString(1);
                    expires = SqlTime.get(rs, 2);
                    used = SqlTime.get(rs, 3);
                    purpose = rs.getString(4);
                }
            }
            if (used != null) {
                return new RedeemedChallenge(Redemption.USED, new TenantId(tenant), purpose);
            }
            if (!expires.isAfter(now)) {
                return new RedeemedChallenge(Redemption.EXPIRED, new TenantId(tenant), purpose);
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE scep_challenge SET used_at = ? WHERE secret_hash = ? AND used_at IS NULL")) {
                SqlTime.set(p, 1, now);
                p.setString(2, secretHash);
                if (p.executeUpdate() != 1) {
                    return new RedeemedChallenge(Redemption.USED, new TenantId(tenant), purpose);
                }
            }
            return new RedeemedChallenge(Redemption.REDEEMED, new TenantId(tenant), purpose);
        });
    }

    @Override
    public void recordCertificate(IssuedCertificate cert) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO issued_certificate (" + CERT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, cert.serial());
                p.setString(2, cert.tenant().value());
                p.setString(3, cert.subject());
                SqlTime.set(p, 4, cert.notBefore());
                SqlTime.set(p, 5, cert.notAfter());
                p.setString(6, cert.status().name());
                SqlTime.set(p, 7, cert.issuedAt());
                p.setString(8, cert.pem());
                return p.executeUpdate();
            }
        });
    }

    @Override
    public Page<IssuedCertificate> listCertificates(TenantId tenant, PageRequest page) {
        return jdbc.inTransaction(c -> Jdbc.page(c, "SELECT COUNT(*) FROM issued_certificate WHERE tenant_id = ?",
                "SELECT " + CERT_COLUMNS + " FROM issued_certificate WHERE tenant_id = ? ORDER BY issued_at DESC, serial LIMIT ? OFFSET ?",
                page, JdbcPkiStore::map, tenant.value()));
    }

    @Override
    public Optional<IssuedCertificate> findCertificate(String serial) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + CERT_COLUMNS + " FROM issued_certificate WHERE serial = ?")) {
                p.setString(1, serial);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean bindCertificate(String serial, DeviceId device) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE issued_certificate SET device_id = ? WHERE serial = ?")) {
                p.setString(1, device.toString());
                p.setString(2, serial);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean revoke(String serial, Instant now) {
        return jdbc.single(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE issued_certificate SET status = 'REVOKED', revoked_at = ? WHERE serial = ? "
                    + "AND status = 'VALID'")) {
                SqlTime.set(p, 1, now);
                p.setString(2, serial);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<String> revokeForDevice(DeviceId device, Instant now) {
        return jdbc.inTransaction(c -> {
            List<String> serials = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT serial FROM issued_certificate WHERE device_id = ? AND status = 'VALID' FOR UPDATE")) {
                p.setString(1, device.toString());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        serials.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE issued_certificate SET status = 'REVOKED', revoked_at = ? WHERE serial = ?")) {
                for (String serial : serials) {
                    SqlTime.set(p, 1, now);
                    p.setString(2, serial);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return serials;
        });
    }

    @Override
    public List<Revoked> revoked() {
        return jdbc.inTransaction(c -> {
            List<Revoked> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT serial, revoked_at FROM issued_certificate WHERE status = 'REVOKED' "
                    + "AND not_after > ? ORDER BY revoked_at")) {
                SqlTime.set(p, 1, Instant.now());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Revoked(rs.getString(1), SqlTime.get(rs, 2)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void savePushCertificate(PushCertificate cert, String certificatePem, String encryptedKeyPem) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM push_certificate WHERE tenant_id = ? AND topic = ?")) {
                d.setString(1, cert.tenant().value());
                d.setString(2, cert.topic());
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO push_certificate (tenant_id, topic, subject, not_before, not_after, "
                    + "certificate, private_key, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, cert.tenant().value());
                p.setString(2, cert.topic());
                p.setString(3, cert.subject());
                SqlTime.set(p, 4, cert.notBefore());
                SqlTime.set(p, 5, cert.notAfter());
                p.setString(6, certificatePem);
                p.setString(7, encryptedKeyPem);
                SqlTime.set(p, 8, cert.uploadedAt());
                p.setString(9, cert.uploadedBy());
                return p.executeUpdate();
            }
        });
    }

    @Override
    public List<PushCertificate> listPushCertificates(TenantId tenant) {
        return pushCertificates(" WHERE tenant_id = ?", tenant.value());
    }

    @Override
    public Optional<StoredPushCertificate> findPushCertificate(TenantId tenant, String topic) {
        return jdbc.inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT certificate, private_key FROM push_certificate WHERE tenant_id = ? AND topic = ?")) {
                p.setString(1, tenant.value());
                p.setString(2, topic);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(new StoredPushCertificate(rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<PushCertificate> listAllPushCertificates() {
        return pushCertificates("", null);
    }

    private List<PushCertificate> pushCertificates(String where, String tenant) {
        return jdbc.inTransaction(c -> {
            List<PushCertificate> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT tenant_id, topic, subject, not_before, not_after, uploaded_at, uploaded_by "
                    + "FROM push_certificate" + where + " ORDER BY tenant_id, topic")) {
                if (tenant != null) {
                    p.setString(1, tenant);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PushCertificate(new TenantId(rs.getString(1)), rs.getString(2), rs.getString(3), SqlTime.get(rs, 4),
                                SqlTime.get(rs, 5), SqlTime.get(rs, 6), rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }

    private static IssuedCertificate map(ResultSet rs) throws SQLException {
        return new IssuedCertificate(rs.getString(1), new TenantId(rs.getString(2)), rs.getString(3), SqlTime.get(rs, 4),
                SqlTime.get(rs, 5), IssuedCertificate.Status.valueOf(rs.getString(6)), SqlTime.get(rs, 7), rs.getString(8));
    }
}
