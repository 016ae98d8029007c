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
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
    static final String CHAIN_FILE = "ca-chain.pem";
    static final String RA_CERT_FILE = "ra.crt";
    static final String RA_KEY_FILE = "ra.key";
    static final Duration RA_VALIDITY = Duration.ofDays(2 * 365);

    private final Path folder;
    private final Provider bc;

    CaKeyStore(Path folder, Provider bc) {
        this.folder = folder;
        this.bc = bc;
    }

    boolean exists() {
        return Files.exists(folder.resolve(CERT_FILE)) && Files.exists(folder.resolve(KEY_FILE));
    }

    /** Loads the CA; an RA that is missing, or expires within 30 days while the CA lives on, is (re)issued first. */
    CaMaterial load(char[] passphrase) throws IOException, GeneralSecurityException {
        X509Certificate cert = readCertificate(CERT_FILE);
        PrivateKey key = readKey(KEY_FILE, passphrase);
        List<X509Certificate> chain = readChain();
        if (Files.exists(folder.resolve(RA_CERT_FILE)) && Files.exists(folder.resolve(RA_KEY_FILE))) {
            X509Certificate ra = readCertificate(RA_CERT_FILE);
            boolean expiresSoon = !ra.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)));
            // a new RA cannot outlive the CA: renew only when it would last longer
            if (!expiresSoon || !cert.getNotAfter().after(ra.getNotAfter())) {
                return new CaMaterial(cert, key, ra, readKey(RA_KEY_FILE, passphrase), chain);
            }
        }
        return withNewRa(cert, key, chain, passphrase);
    }

    private List<X509Certificate> readChain() throws IOException, GeneralSecurityException {
        Path file = folder.resolve(CHAIN_FILE);
        List<X509Certificate> chain = new ArrayList<>();
        if (Files.exists(file)) {
            try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
                for (Object o = p.readObject(); o != null; o = p.readObject()) {
                    chain.add(new JcaX509CertificateConverter().setProvider(bc).getCertificate((X509CertificateHolder) o));
                }
            }
        }
        return chain;
    }

    /**
     * Takes an existing CA, or an intermediate issued by an enterprise CA (with its chain), from PEM or
     * PKCS#12, and keeps it like a created one. The certificate must be an RSA CA certificate.
     */
    CaMaterial importCa(byte[] material, String password, char[] passphrase) throws IOException, GeneralSecurityException {
        KeyMaterial.Parsed parsed = KeyMaterial.parse(bc, material, password, 1 << 20, "CA");
        X509Certificate cert = parsed.certificate();
        if (cert.getBasicConstraints() < 0) {
            throw new io.mooring.api.ValidationException("certificate", "the certificate " + cert.getSubjectX500Principal().getName()
                    + " is not a CA certificate (its basic constraints do not allow issuing)");
        }
        boolean[] usage = cert.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new io.mooring.api.ValidationException("certificate", "the CA certificate's key usage does not allow signing certificates");
        }
        if (!"RSA".equals(parsed.key().getAlgorithm())) {
            throw new io.mooring.api.ValidationException("privateKey", "the CA key must be RSA, got " + parsed.key().getAlgorithm());
        }
        Files.createDirectories(folder);
        writePrivate(folder.resolve(KEY_FILE), encryptedPem(parsed.key(), passphrase, bc));
        Files.writeString(folder.resolve(CERT_FILE), Pem.of(cert), StandardCharsets.US_ASCII);
        StringBuilder chain = new StringBuilder();
        parsed.chain().forEach(c -> chain.append(Pem.of(c)));
        Files.writeString(folder.resolve(CHAIN_FILE), chain.toString(), StandardCharsets.US_ASCII);
        return withNewRa(cert, parsed.key(), parsed.chain(), passphrase);
    }

    private X509Certificate readCertificate(String file) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(folder.resolve(file))))) {
            return new JcaX509CertificateConverter().setProvider(bc).getCertificate((X509CertificateHolder) p.readObject());
        }
    }

    private PrivateKey readKey(String file, char[] passphrase) throws IOException, GeneralSecurityException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(folder.resolve(file))))) {
            PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) p.readObject();
            PrivateKeyInfo info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(passphrase));
            return new JcaPEMKeyConverter().setProvider(bc).getPrivateKey(info);
        } catch (PKCSException | OperatorCreationException e) {
            throw new GeneralSecurityException("the key in " + file + " cannot be decrypted with the configured passphrase", e);
        }
    }

    /** Issues the SCEP RA certificate: signing and key encipherment, no extended key usage (S/MIME fit). */
    private CaMaterial withNewRa(X509Certificate ca, PrivateKey caKey, List<X509Certificate> chain, char[] passphrase)
            throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", bc);
        generator.initialize(2048, new SecureRandom());
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name issuer = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
        RDN[] organization = issuer.getRDNs(BCStyle.O);
        X500NameBuilder name = new X500NameBuilder().addRDN(BCStyle.CN, "Mooring SCEP RA");
        if (organization.length > 0) {
            name.addRDN(organization[0].getFirst());
        }
        X500Name subject = name.build();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(128, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(min(now.plus(RA_VALIDITY), ca.getNotAfter().toInstant())), subject,
                pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
        X509Certificate ra;
        try {
            ra = new JcaX509CertificateConverter().setProvider(bc).getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(caKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        writePrivate(folder.resolve(RA_KEY_FILE), encrypted(pair, passphrase));
        Files.writeString(folder.resolve(RA_CERT_FILE), Pem.of(ra), StandardCharsets.US_ASCII);
        return new CaMaterial(ca, caKey, ra, pair.getPrivate(), chain);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Creates a self-signed RSA CA and its SCEP RA. */
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
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
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
        return withNewRa(cert, pair.getPrivate(), List.of(), passphrase);
    }

    private String encrypted(KeyPair pair, char[] passphrase) throws IOException, GeneralSecurityException {
        return encryptedPem(pair.getPrivate(), passphrase, bc);
    }

    /** Encrypted PKCS#8 PEM (AES-256-CBC, PBKDF2 with 210,000 iterations). */
    static String encryptedPem(PrivateKey key, char[] passphrase, Provider bc) throws IOException, GeneralSecurityException {
        try {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                    .setProvider(bc).setIterationCount(210_000).setPassword(passphrase).build();
            PemObject pem = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor).generate();
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
        writePrivate(file, content.getBytes(StandardCharsets.US_ASCII));
    }

    /** A file only its owner can read: created with those permissions, so no other user ever sees it readable. */
    static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions (Windows): its folder's access control list applies instead
            Files.createFile(file);
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
