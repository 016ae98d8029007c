package io.mooring.api.pki;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * CMS signatures: signing what Mooring hands to devices (Apple configuration profiles), and checking
 * signatures devices make with the identity Mooring issued them (Apple's Mdm-Signature header).
 */
@ProviderType
public interface CmsSigner {
    /** A DER CMS SignedData that carries {@code content} itself, signed with the configured signing certificate. */
    byte[] sign(byte[] content);

    /**
     * Checks a detached CMS signature over {@code content}; empty unless the signature verifies. The signer
     * is returned whether or not this CA issued it: {@link SignerIdentity#issuedByMooring()} says which.
     */
    Optional<SignerIdentity> verifyDetached(byte[] content, byte[] signature);

    /**
     * Checks a CMS SignedData that carries its content (a Windows PC's certificate renewal request, signed
     * with the identity it renews): its one signature must verify with the signer certificate it carries, valid
     * now. Empty otherwise; the signer is returned whether or not this CA issued it.
     */
    Optional<Signed> verifyAttached(byte[] signedData);

    /**
     * Mooring's CA certificate, then any issuers above it (an imported intermediate's chain): what a device
     * must trust to accept the identities and signed profiles Mooring hands out.
     */
    java.util.List<java.security.cert.X509Certificate> caChain();

    record SignerIdentity(String serial, String subject, boolean issuedByMooring, String pem) {
    }

    /** What an attached signature carried, and who signed it. */
    record Signed(byte[] content, SignerIdentity signer) {
    }
}
