package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.MooringEvents;
import io.mooring.api.PageRequest;
import io.mooring.api.PlatformId;
import io.mooring.api.TenantId;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.IssuedCertificate;
import io.mooring.persistence.internal.TestDatabase;
import io.mooring.persistence.internal.TestStores;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Device identities issued from a request a platform protocol carried (MS-WSTEP), over the real stores. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateIssuerTest {
    TestStores stores;
    LocalCa ca;
    CertificateIssuerImpl issuer;

    @BeforeAll
    void setUp(@TempDir Path dir) throws Exception {
        stores = new TestStores(TestDatabase.create(TestDatabase.Kind.H2));
        ca = new LocalCa(EscrowServiceTest.config(Map.of("ca_folder", dir.toString(), "ca_passphrase", "a passphrase", "ca_key_size", 2048)));
        issuer = new CertificateIssuerImpl(ca, stores.pki, new ScepPolicy(Set.of(2048, 3072), Duration.ofDays(365), 65_536, ""), Clock.systemUTC());
    }

    @AfterAll
    void tearDown() throws Exception {
        ca.deactivate();
        stores.close();
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    static byte[] csr(KeyPair subjectKey, KeyPair signingKey) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=whatever-the-pc-asks-for"), subjectKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(signingKey.getPrivate())).getEncoded();
    }

    private static Device device() {
        return new Device(DeviceId.random(), TenantId.DEFAULT, new PlatformId("windows"), DeviceState.ENROLLED, DeviceDescription.EMPTY,
                Instant.now(), null, null);
    }

    @Test
    void theCertificateNamesTheDeviceIsForClientAuthAndIsRevokedWhenTheDeviceLeaves() throws Exception {
        KeyPair keys = rsa(2048);
        Device device = device();

        X509Certificate issued = issuer.issueForDevice(device, csr(keys, keys), "Example Corp");

        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=" + device.id() + ",O=Example Corp");
        assertThat(issued.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(issued.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        issued.verify(ca.material(Duration.ofSeconds(30)).certificate().getPublicKey());
        String serial = issued.getSerialNumber().toString(16);
        assertThat(stores.pki.findCertificate(serial)).get().extracting(IssuedCertificate::status).isEqualTo(IssuedCertificate.Status.VALID);

        new RevokeOnUnenroll(stores.pki).handleEvent(new org.osgi.service.event.Event(MooringEvents.DEVICE_UNENROLLED,
                Map.of(MooringEvents.DEVICE, device.id().toString())));

        assertThat(stores.pki.findCertificate(serial)).get().extracting(IssuedCertificate::status).isEqualTo(IssuedCertificate.Status.REVOKED);
    }

    @Test
    void aRequestSignedWithAnotherKeyASmallKeyOrGarbageIsRefusedAndIssuesNothing() throws Exception {
        long before = stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total();
        KeyPair keys = rsa(2048);

        assertThatThrownBy(() -> issuer.check(csr(keys, rsa(2048)))).isInstanceOf(ValidationException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> issuer.issueForDevice(device(), csr(keys, rsa(2048)), "x")).isInstanceOf(ValidationException.class);
        KeyPair small = rsa(1024);
        assertThatThrownBy(() -> issuer.check(csr(small, small))).isInstanceOf(ValidationException.class).hasMessageContaining("RSA 1024");
        assertThatThrownBy(() -> issuer.check("not a request".getBytes())).isInstanceOf(ValidationException.class).hasMessageContaining("PKCS#10");
        assertThatThrownBy(() -> issuer.check(new byte[100_000])).isInstanceOf(ValidationException.class).hasMessageContaining("larger");

        assertThat(stores.pki.listCertificates(TenantId.DEFAULT, PageRequest.first(500)).total()).isEqualTo(before);
    }
}
