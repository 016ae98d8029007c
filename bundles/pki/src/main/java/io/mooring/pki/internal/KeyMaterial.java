package io.mooring.pki.internal;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import io.mooring.api.ValidationException;

/**
 * Reads a certificate with its private key, and any further certificates (a chain), from what operators
 * have: PKCS#12, or PEM with the key plain or encrypted. The certificate returned is the one the key
 * belongs to; a key that belongs to none is refused.
 */
final class KeyMaterial {
    record Parsed(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    }

    private KeyMaterial() {
    }

    static Parsed parse(Provider bc, byte[] upload, String password, int maxBytes, String what) {
        if (upload == null || upload.length == 0 || upload.length > maxBytes) {
            throw new ValidationException("certificate", "give the " + what + " and its key (at most " + maxBytes + " bytes)");
        }
        char[] pass = password == null ? new char[0] : password.toCharArray();
        boolean pem = new String(upload, 0, Math.min(upload.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN");
        List<X509Certificate> certs = new ArrayList<>();
        PrivateKey key = pem ? pem(bc, new String(upload, StandardCharsets.US_ASCII), pass, certs) : pkcs12(bc, upload, pass, certs);
        if (certs.isEmpty()) {
            throw new ValidationException("certificate", "no certificate found in the " + what);
        }
        if (key == null) {
            throw new ValidationException("privateKey", "the private key is missing; the " + what + " is only usable with its key");
        }
        X509Certificate owner = certs.stream().filter(c -> matches(bc, c, key)).findFirst()
                .orElseThrow(() -> new ValidationException("privateKey", "the private key does not belong to the certificate"));
        List<X509Certificate> chain = new ArrayList<>(certs);
        chain.remove(owner);
        return new Parsed(owner, key, List.copyOf(chain));
    }

    private static PrivateKey pkcs12(Provider bc, byte[] upload, char[] pass, List<X509Certificate> certs) {
        try {
            KeyStore p12 = KeyStore.getInstance("PKCS12", bc);
            p12.load(new ByteArrayInputStream(upload), pass);
            for (String alias : Collections.list(p12.aliases())) {
                if (p12.isKeyEntry(alias)) {
                    for (Certificate c : p12.getCertificateChain(alias)) {
                        certs.add((X509Certificate) c);
                    }
                    return (PrivateKey) p12.getKey(alias, pass);
                }
            }
            throw new ValidationException("certificate", "the PKCS#12 file holds no certificate with a private key");
        } catch (ValidationException e) {
            throw e;
        } catch (Exception e) {
            throw new ValidationException("certificate", "the upload is neither PEM nor a PKCS#12 file this password opens");
        }
    }

    private static PrivateKey pem(Provider bc, String text, char[] pass, List<X509Certificate> certs) {
        PrivateKey key = null;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter().setProvider(bc);
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(new JcaX509CertificateConverter().setProvider(bc).getCertificate(h));
                } else if (o instanceof PEMKeyPair kp) {
                    key = keys.getKeyPair(kp).getPrivate();
                } else if (o instanceof PEMEncryptedKeyPair ekp) {
                    key = keys.getKeyPair(ekp.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(bc).build(pass))).getPrivate();
                } else if (o instanceof PrivateKeyInfo info) {
                    key = keys.getPrivateKey(info);
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    key = keys.getPrivateKey(enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc).build(pass)));
                }
            }
        } catch (Exception e) {
            throw new ValidationException("certificate", "the PEM cannot be read (or its key cannot be decrypted with the password)");
        }
        return key;
    }

    static boolean matches(Provider bc, X509Certificate certificate, PrivateKey key) {
        try {
            byte[] probe = "mooring key check".getBytes(StandardCharsets.US_ASCII);
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            Signature sign = Signature.getInstance(algorithm, bc);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm, bc);
            verify.initVerify(certificate.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }
}
