package io.mooring.pki.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Keeps the CA under a folder of the distribution's data: the certificate as PEM and the private key
 * as encrypted PKCS#8 (AES-256-CBC, key derived with PBKDF2 from the configured passphrase).
 */
final class CaKeyStore {
    static final String CERT_FILE = "ca.crt";
    static final String KEY_FILE = "ca.key";

    private final Path folder;
    private final Provider bc;

    CaKeyStore(Path folder, Provider bc) {
        this.folder = folder;
        this.bc = bc;
    }

    boolean exists() {
        return Files.exists(folder.resolve(CERT_FILE)) && Files.exists(folder.resolve(KEY_FILE));
    }

    CaMaterial load(char[] passphrase) throws IOException, GeneralSecurityException {
        X509Certificate cert;
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(folder.resolve(CERT_FILE))))) {
            cert = new JcaX509CertificateConverter().setProvider(bc).getCertificate((X509CertificateHolder) p.readObject());
        }
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(folder.resolve(KEY_FILE))))) {
            PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) p.readObject();
            PrivateKeyInfo info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(passphrase));
            return new CaMaterial(cert, new JcaPEMKeyConverter().setProvider(bc).getPrivateKey(info));
        } catch (PKCSException | OperatorCreationException e) {
            throw new GeneralSecurityException("the CA key cannot be decrypted with the configured passphrase", e);
        }
    }

    /** Creates a self-signed RSA CA that may also sign and decrypt SCEP messages (it is its own RA). */
    CaMaterial create(String subject, int keySize, Duration validity, char[] passphrase) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", bc);
        generator.initialize(keySize, new SecureRandom());
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name(subject);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(128, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        // digitalSignature and keyEncipherment: the CA signs CertReps and opens requests enveloped to it
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate cert;
        try {
            cert = new JcaX509CertificateConverter().setProvider(bc).getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        Files.createDirectories(folder);
        writePrivate(folder.resolve(KEY_FILE), encrypted(pair, passphrase));
        Files.writeString(folder.resolve(CERT_FILE), Pem.of(cert), StandardCharsets.US_ASCII);
        return new CaMaterial(cert, pair.getPrivate());
    }

    private String encrypted(KeyPair pair, char[] passphrase) throws IOException, GeneralSecurityException {
        try {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                    .setProvider(bc).setIterationCount(210_000).setPassword(passphrase).build();
            PemObject pem = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), encryptor).generate();
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(pem);
            }
            return out.toString();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
