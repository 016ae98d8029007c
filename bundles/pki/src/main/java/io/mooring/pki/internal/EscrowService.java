package io.mooring.pki.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import io.mooring.api.UnavailableException;
import io.mooring.api.pki.Escrow;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * AES-256-GCM under a key derived (PBKDF2-HMAC-SHA256) from the CA passphrase and a salt kept in the CA
 * folder. Sealed form: version byte 1, 12-byte nonce, ciphertext with its tag.
 */
@Component(service = Escrow.class)
public final class EscrowService implements Escrow {
    static final String SALT_FILE = "escrow.salt";
    private static final int ITERATIONS = 210_000;
    private static final byte VERSION = 1;

    private final LocalCa ca;
    private final SecureRandom random = new SecureRandom();
    private volatile SecretKey key;

    @Activate
    public EscrowService(@Reference LocalCa ca) {
        this.ca = ca;
    }

    private SecretKey key() {
        SecretKey k = key;
        if (k != null) {
            return k;
        }
        synchronized (this) {
            if (key == null) {
                char[] passphrase = ca.passphrase(Duration.ofSeconds(30));
                if (passphrase == null) {
                    throw new UnavailableException("the certificate authority is not ready");
                }
                try {
                    Path file = ca.folder().resolve(SALT_FILE);
                    if (!Files.exists(file)) {
                        byte[] salt = new byte[16];
                        random.nextBytes(salt);
                        CaKeyStore.writePrivate(file, Base64.getEncoder().encodeToString(salt));
                    }
                    byte[] salt = Base64.getDecoder().decode(Files.readString(file).strip());
                    byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(passphrase, salt, ITERATIONS, 256))
                            .getEncoded();
                    key = new SecretKeySpec(raw, "AES");
                } catch (java.io.IOException | GeneralSecurityException e) {
                    throw new IllegalStateException("cannot derive the escrow key", e);
                }
            }
            return key;
        }
    }

    @Override
    public byte[] seal(byte[] secret) {
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(secret);
            return ByteBuffer.allocate(1 + nonce.length + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal", e);
        }
    }

    @Override
    public byte[] open(byte[] sealed) {
        if (sealed == null || sealed.length < 1 + 12 + 16 || sealed[0] != VERSION) {
            throw new IllegalArgumentException("not something this server sealed");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, sealed, 1, 12));
            return c.doFinal(sealed, 13, sealed.length - 13);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("sealed by another key, or altered", e);
        }
    }
}
