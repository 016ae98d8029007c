package io.mooring.pki.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Device identities as the CA issues them, whichever protocol carried the request (SCEP, MS-WSTEP): a TLS
 * client certificate for the requester's key, with the CRL location when one is configured.
 */
final class ClientIdentities {
    /** Why a certificate request cannot be honoured; {@code badKey} tells a refused key from a broken request. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean badKey;

        BadRequest(String reason, boolean badKey) {
            super(reason, null, false, false);
            this.badKey = badKey;
        }
    }

    private ClientIdentities() {
    }

    static PKCS10CertificationRequest parse(byte[] der) throws BadRequest {
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new BadRequest("the request is not a DER PKCS#10 certificate request", false);
        }
    }

    /** The request's key, once its signature proves the requester holds the private key and the key is one the policy accepts. */
    static PublicKey provenKey(PKCS10CertificationRequest csr, Provider bc, ScepPolicy policy) throws BadRequest {
        boolean valid;
        try {
            valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(bc).build(csr.getSubjectPublicKeyInfo()));
        } catch (org.bouncycastle.pkcs.PKCSException | OperatorCreationException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new BadRequest("the PKCS#10 request's signature does not verify with its key", false);
        }
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).setProvider(bc).getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new BadRequest("the PKCS#10 request's key cannot be read", true);
        }
        if (!(key instanceof RSAPublicKey rsa) || !policy.rsaKeySizes().contains(rsa.getModulus().bitLength())) {
            throw new BadRequest("the key must be RSA of " + policy.rsaKeySizes() + " bits, got " + describe(key), true);
        }
        return key;
    }

    static String describe(PublicKey key) {
        return key instanceof RSAPublicKey rsa ? "RSA " + rsa.getModulus().bitLength() : key.getAlgorithm();
    }

    static X509Certificate sign(CaMaterial ca, Provider bc, ScepPolicy policy, Instant now, SecureRandom random, X500Name subject, PublicKey key,
            Extensions requested) throws GeneralSecurityException, IOException, OperatorCreationException {
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(128, random),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(policy.certificateValidity())), subject, key);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca.certificate()));
        if (policy.crlUrl() != null && !policy.crlUrl().isBlank()) {
            GeneralNames where = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, policy.crlUrl()));
            builder.addExtension(Extension.cRLDistributionPoints, false,
                    new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(new DistributionPointName(where), null, null)}));
        }
        if (requested != null && requested.getExtension(Extension.subjectAlternativeName) != null) {
            builder.addExtension(requested.getExtension(Extension.subjectAlternativeName));
        }
        return new JcaX509CertificateConverter().setProvider(bc).getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(ca.privateKey())));
    }
}
