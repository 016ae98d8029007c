package io.mooring.pki.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.mooring.api.SystemHealth;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS connector devices use. The operator's certificate (PEM or PKCS#12, from a publicly trusted
 * CA) is put into a keystore beside the CA; without one, a server certificate is generated from
 * Mooring's CA at first start, so a fresh install works for testing, with a loud warning that real
 * devices will not trust it. The HTTP service (pax-web) is then configured for HTTPS on the TLS port;
 * until that connector answers, readiness says "starting".
 */
@Component(service = {TlsConnector.class, SystemHealth.class}, configurationPid = "io.mooring.pki", property = "mooring.health.part=https",
        immediate = true)
public final class TlsConnector implements SystemHealth {
    private static final Logger LOG = LoggerFactory.getLogger(TlsConnector.class);
    static final String PAX_WEB_PID = "org.ops4j.pax.web";
    static final String KEYSTORE = "tls.p12";
    static final String KEYSTORE_PASSWORD = "tls.p12.password";
    static final String TRUSTSTORE = "tls-trust.p12";
    static final String GENERATED_MARKER = "tls.generated";
    static final String ALIAS = "mooring-tls";

    record TlsCertificate(X509Certificate certificate, boolean generated) {
    }

    private final LocalCa ca;
    private final ConfigurationAdmin configAdmin;
    private final PkiConfig config;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-tls");
        t.setDaemon(true);
        return t;
    });
    private volatile TlsCertificate certificate;
    private volatile boolean ready;

    @Activate
    public TlsConnector(@Reference LocalCa ca, @Reference ConfigurationAdmin configAdmin, PkiConfig config) {
        this.ca = ca;
        this.configAdmin = configAdmin;
        this.config = config;
        executor.execute(this::setUp);
    }

    private void setUp() {
        try {
            CaMaterial material = ca.material(Duration.ofMinutes(2));
            if (material == null) {
                LOG.error("HTTPS is not configured: the certificate authority is not available");
                return;
            }
            Path folder = ca.folder();
            char[] password = keystorePassword(folder);
            certificate = config.tls_certificate_file().isBlank() ? generatedOrExisting(folder, material, password) : operators(folder, password);
            if (certificate.generated()) {
                LOG.warn("HTTPS on port {} uses a certificate generated from Mooring's own CA ({}). Real devices need a publicly trusted "
                        + "certificate: set tls.certificate.file in etc/io.mooring.pki.cfg.", config.tls_port(),
                        certificate.certificate().getSubjectX500Principal().getName());
            }
            Path truststore = config.tls_client_certificates() ? writeTruststore(folder, material, password) : null;
            configureHttpService(folder.resolve(KEYSTORE), truststore, new String(password));
            awaitConnector();
        } catch (Exception e) {
            LOG.error("HTTPS could not be configured: {}", e.toString());
        }
    }

    private static char[] keystorePassword(Path folder) throws IOException {
        Path file = folder.resolve(KEYSTORE_PASSWORD);
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            CaKeyStore.writePrivate(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
    }

    private TlsCertificate operators(Path folder, char[] password) throws Exception {
        KeyMaterial.Parsed parsed = KeyMaterial.parse(ca.provider(), Files.readAllBytes(Path.of(config.tls_certificate_file())),
                config.tls_certificate_password(), 1 << 20, "TLS certificate");
        List<Certificate> chain = new ArrayList<>();
        chain.add(parsed.certificate());
        chain.addAll(parsed.chain());
        writeKeystore(folder, parsed.key(), chain, password);
        Files.deleteIfExists(folder.resolve(GENERATED_MARKER));
        LOG.info("HTTPS uses the configured certificate {} (valid until {})", parsed.certificate().getSubjectX500Principal().getName(),
                parsed.certificate().getNotAfter().toInstant());
        return new TlsCertificate(parsed.certificate(), false);
    }

    private TlsCertificate generatedOrExisting(Path folder, CaMaterial material, char[] password) throws Exception {
        Path keystore = folder.resolve(KEYSTORE);
        if (Files.exists(keystore) && Files.exists(folder.resolve(GENERATED_MARKER))) {
            KeyStore ks = KeyStore.getInstance("PKCS12", ca.provider());
            try (var in = Files.newInputStream(keystore)) {
                ks.load(in, password);
            }
            X509Certificate existing = (X509Certificate) ks.getCertificate(ALIAS);
            if (existing != null && existing.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)))) {
                return new TlsCertificate(existing, true);
            }
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", ca.provider());
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        List<GeneralName> names = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        for (String host : config.tls_hostnames()) {
            if (!host.isBlank()) {
                names.add(new GeneralName(GeneralName.dNSName, host.strip()));
            }
        }
        Instant now = Instant.now();
        String cn = config.tls_hostnames().length > 0 && !config.tls_hostnames()[0].isBlank() ? config.tls_hostnames()[0].strip() : "localhost";
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(material.certificate().getSubjectX500Principal().getEncoded()), new BigInteger(128, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(397))), new X500Name("CN=" + cn), pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(material.certificate()));
        X509Certificate cert = new JcaX509CertificateConverter().setProvider(ca.provider()).getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(ca.provider()).build(material.privateKey())));
        List<Certificate> chain = new ArrayList<>(List.of(cert, material.certificate()));
        chain.addAll(material.chain());
        writeKeystore(folder, pair.getPrivate(), chain, password);
        Files.writeString(folder.resolve(GENERATED_MARKER), "generated from Mooring's CA at " + now + "\n");
        return new TlsCertificate(cert, true);
    }

    private void writeKeystore(Path folder, java.security.PrivateKey key, List<Certificate> chain, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12", ca.provider());
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, key, password, chain.toArray(Certificate[]::new));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password);
        CaKeyStore.writePrivate(folder.resolve(KEYSTORE), out.toByteArray());
    }

    /**
     * The CA's certificates as trust anchors for client certificates. Written with the JDK's own PKCS#12
     * implementation: the HTTP service reads it with the JDK's, which trusts a certificate-only entry only
     * when it carries the JDK's trusted-usage attribute.
     */
    private static Path writeTruststore(Path folder, CaMaterial material, char[] password) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("mooring-ca", material.certificate());
        int i = 0;
        for (X509Certificate issuer : material.chain()) {
            trust.setCertificateEntry("mooring-ca-issuer-" + i++, issuer);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        trust.store(out, password);
        Path file = folder.resolve(TRUSTSTORE);
        if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), out.toByteArray())) {
            CaKeyStore.writePrivate(file, out.toByteArray());
        }
        return file;
    }

    /** Points the HTTP service at the keystore; changes (and so restarts the connectors) only when something differs. */
    private void configureHttpService(Path keystore, Path truststore, String password) throws IOException {
        Configuration web = configAdmin.getConfiguration(PAX_WEB_PID, "?");
        Dictionary<String, Object> current = web.getProperties();
        Map<String, Object> wanted = new java.util.HashMap<>(Map.of(
                "org.osgi.service.http.secure.enabled", "true",
                "org.osgi.service.http.port.secure", Integer.toString(config.tls_port()),
                "org.ops4j.pax.web.ssl.keystore", keystore.toAbsolutePath().toString(),
                "org.ops4j.pax.web.ssl.keystore.type", "PKCS12",
                "org.ops4j.pax.web.ssl.keystore.password", password,
                "org.ops4j.pax.web.ssl.key.password", password,
                "org.ops4j.pax.web.ssl.key.alias", ALIAS));
        // a client certificate is asked for, never required: phones, browsers and admin tools connect without one
        wanted.put("org.ops4j.pax.web.ssl.clientauth.wanted", Boolean.toString(truststore != null));
        if (truststore != null) {
            wanted.put("org.ops4j.pax.web.ssl.truststore", truststore.toAbsolutePath().toString());
            wanted.put("org.ops4j.pax.web.ssl.truststore.type", "PKCS12");
            wanted.put("org.ops4j.pax.web.ssl.truststore.password", password);
        }
        Dictionary<String, Object> updated = new Hashtable<>();
        boolean same = current != null;
        if (current != null) {
            for (var keys = current.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                updated.put(k, current.get(k));
            }
        }
        for (Map.Entry<String, Object> e : wanted.entrySet()) {
            same &= current != null && Objects.equals(String.valueOf(current.get(e.getKey())), e.getValue());
            updated.put(e.getKey(), e.getValue());
        }
        if (!same) {
            LOG.info("Configuring HTTPS on port {}", config.tls_port());
            web.update(updated);
        }
    }

    /** Ready once a TLS handshake with the connector succeeds (the HTTP service restarts its connectors on a change). */
    private void awaitConnector() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // only reachability is probed here; devices verify the certificate themselves
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !executor.isShutdown()) {
            try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", config.tls_port()), 1000);
                socket.startHandshake();
                X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                if (served.getSerialNumber().equals(certificate.certificate().getSerialNumber())) {
                    ready = true;
                    LOG.info("HTTPS is up on port {}", config.tls_port());
                    return;
                }
            } catch (IOException notYet) {
                // the connector is (re)starting
            }
            Thread.sleep(250);
        }
        LOG.error("HTTPS did not come up on port {} within 60 s", config.tls_port());
    }

    /** The certificate HTTPS serves, once set up; null before. */
    TlsCertificate certificate() {
        return certificate;
    }

    @Override
    public Status status() {
        return ready ? Status.UP : Status.STARTING;
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }
}
