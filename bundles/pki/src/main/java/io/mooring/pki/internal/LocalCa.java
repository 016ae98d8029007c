package io.mooring.pki.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mooring's own certificate authority: loaded from its folder, or created there at first start (on a
 * thread of its own: an RSA key takes a moment). Bouncy Castle is used as a provider instance, never
 * registered JVM-wide, so this bundle can be replaced while the server runs.
 */
@Component(service = LocalCa.class, configurationPid = "io.mooring.pki", immediate = true)
@Designate(ocd = PkiConfig.class)
public final class LocalCa {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCa.class);
    static final String PASSPHRASE_FILE = "ca.passphrase";

    private final Provider bc = new BouncyCastleProvider();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mooring-ca");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<CaMaterial> material;
    private volatile char[] passphrase;
    private final Path folder;

    @Activate
    public LocalCa(PkiConfig config) {
        folder = config.ca_folder().isBlank() ? Path.of(System.getProperty("karaf.data", "data"), "mooring", "pki") : Path.of(config.ca_folder());
        material = CompletableFuture.supplyAsync(() -> open(folder, config), executor);
    }

    private CaMaterial open(Path folder, PkiConfig config) {
        try {
            char[] passphrase = passphrase(folder, config);
            this.passphrase = passphrase;
            CaKeyStore keys = new CaKeyStore(folder, bc);
            if (keys.exists()) {
                if (!config.ca_import_file().isBlank()) {
                    LOG.info("A CA is already in {}; ca.import.file is not imported over it (move the folder away to replace the CA)", folder);
                }
                CaMaterial ca = keys.load(passphrase);
                LOG.info("Loaded the CA {} (valid until {})", ca.certificate().getSubjectX500Principal().getName(), ca.certificate().getNotAfter());
                return ca;
            }
            if (!config.ca_import_file().isBlank()) {
                CaMaterial ca = keys.importCa(Files.readAllBytes(Path.of(config.ca_import_file())), config.ca_import_password(), passphrase);
                LOG.info("Imported the CA {} (issued by {}) into {}", ca.certificate().getSubjectX500Principal().getName(),
                        ca.certificate().getIssuerX500Principal().getName(), folder);
                return ca;
            }
            CaMaterial ca = keys.create(config.ca_subject(), config.ca_key_size(), Duration.ofDays(365L * config.ca_validity_years()), passphrase);
            LOG.info("Created the CA {} in {}", ca.certificate().getSubjectX500Principal().getName(), folder);
            return ca;
        } catch (Exception e) {
            LOG.error("The certificate authority is not available: {}", e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static char[] passphrase(Path folder, PkiConfig config) throws java.io.IOException {
        if (!config.ca_passphrase().isEmpty()) {
            return config.ca_passphrase().toCharArray();
        }
        Path file = folder.resolve(PASSPHRASE_FILE);
        if (!Files.exists(file)) {
            Files.createDirectories(folder);
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            CaKeyStore.writePrivate(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
            LOG.warn("No ca.passphrase configured: generated one in {}. Move it into etc/io.mooring.pki.cfg (ca.passphrase) and keep it "
                    + "away from the key for the key to be protected at rest.", file);
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
    }

    /** The CA, waiting at most {@code timeout} for it to be created or loaded; null while it is not ready. */
    CaMaterial material(Duration timeout) {
        try {
            return material.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    /** The CA passphrase, once the CA is ready; null before. */
    char[] passphrase(Duration timeout) {
        return material(timeout) == null ? null : passphrase;
    }

    /** Another key kept at rest (a push certificate's), encrypted under the CA's passphrase. */
    String encrypt(java.security.PrivateKey key) {
        if (material(Duration.ofSeconds(30)) == null) {
            throw new io.mooring.api.UnavailableException("the certificate authority is not ready");
        }
        try {
            return CaKeyStore.encryptedPem(key, passphrase, bc);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt the key", e);
        }
    }

    /** A key this CA encrypted with {@link #encrypt}. */
    java.security.PrivateKey decrypt(String encryptedPem) {
        if (material(Duration.ofSeconds(30)) == null) {
            throw new io.mooring.api.UnavailableException("the certificate authority is not ready");
        }
        try (org.bouncycastle.openssl.PEMParser p = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(encryptedPem))) {
            var encrypted = (org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) p.readObject();
            var info = encrypted.decryptPrivateKeyInfo(
                    new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(passphrase));
            return new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().setProvider(bc).getPrivateKey(info);
        } catch (Exception e) {
            throw new IllegalStateException("a stored key cannot be decrypted with the CA passphrase", e);
        }
    }

    /** Where the CA keeps its files; the TLS keystore lives beside them. */
    Path folder() {
        return folder;
    }

    Provider provider() {
        return bc;
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }
}
