package io.mooring.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EscrowServiceTest {
    static PkiConfig config(Map<String, Object> values) {
        return (PkiConfig) Proxy.newProxyInstance(PkiConfig.class.getClassLoader(), new Class<?>[] {PkiConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue());
    }

    @Test
    void aSealedSecretOpensOnlyUnderTheSameCaPassphraseAndIsNotStoredInTheClear(@TempDir Path dir) {
        LocalCa ca = new LocalCa(config(Map.of("ca_folder", dir.resolve("a").toString(), "ca_passphrase", "first passphrase", "ca_key_size", 2048)));
        LocalCa other = new LocalCa(config(Map.of("ca_folder", dir.resolve("b").toString(), "ca_passphrase", "other passphrase", "ca_key_size", 2048)));
        try {
            EscrowService escrow = new EscrowService(ca);
            byte[] secret = "bootstrap-token-of-a-mac".getBytes(StandardCharsets.UTF_8);

            byte[] sealed = escrow.seal(secret);

            assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("bootstrap");
            assertThat(escrow.seal(secret)).as("a fresh nonce each time").isNotEqualTo(sealed);
            assertThat(escrow.open(sealed)).isEqualTo(secret);
            assertThat(new EscrowService(ca).open(sealed)).as("the key is derived again from the same passphrase and salt").isEqualTo(secret);
            assertThatThrownBy(() -> new EscrowService(other).open(sealed)).isInstanceOf(IllegalArgumentException.class);
            sealed[sealed.length - 1] ^= 1;
            assertThatThrownBy(() -> escrow.open(sealed)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> escrow.open(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        } finally {
            ca.deactivate();
            other.deactivate();
        }
    }
}
