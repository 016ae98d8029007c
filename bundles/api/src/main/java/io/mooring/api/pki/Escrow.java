package io.mooring.api.pki;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Secrets Mooring keeps for devices and hands back later (Apple's bootstrap token), sealed under a key
 * derived from the CA passphrase, so a copy of the database alone does not reveal them.
 */
@ProviderType
public interface Escrow {
    byte[] seal(byte[] secret);

    /** The secret {@link #seal} sealed; throws {@link IllegalArgumentException} for anything else. */
    byte[] open(byte[] sealed);
}
