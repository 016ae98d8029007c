package io.mooring.pki.internal;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import io.mooring.api.UnavailableException;
import io.mooring.api.pki.CmsSigner;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Signs with the SCEP RA certificate: issued by Mooring's CA, with digital-signature key usage and no
 * extended key usage, so S/MIME verifiers that trust the CA accept it. (A publicly trusted signing
 * certificate for profiles comes with the TLS configuration.)
 */
@Component(service = CmsSigner.class)
public final class CmsSigningService implements CmsSigner {
    static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final LocalCa ca;

    @Activate
    public CmsSigningService(@Reference LocalCa ca) {
        this.ca = ca;
    }

    private final SignerCache signers = new SignerCache();

    private CaMaterial material() {
        CaMaterial m = ca.material(Duration.ofSeconds(30));
        if (m == null) {
            throw new UnavailableException("the certificate authority is not ready");
        }
        return m;
    }

    @Override
    public java.util.List<X509Certificate> caChain() {
        CaMaterial m = material();
        java.util.List<X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(m.certificate());
        chain.addAll(m.chain());
        return chain;
    }

    @Override
    public byte[] sign(byte[] content) {
        CaMaterial m = material();
        return sign(ca.provider(), m.raCertificate(), m.raPrivateKey(), m.certificate(), content);
    }

    static byte[] sign(java.security.Provider bc, X509Certificate signer, PrivateKey key, X509Certificate issuer, byte[] content) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider(bc).build())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(bc).build(key), signer));
            generator.addCertificate(new X509CertificateHolder(signer.getEncoded()));
            generator.addCertificate(new X509CertificateHolder(issuer.getEncoded()));
            return generator.generate(new CMSProcessableByteArray(content), true).getEncoded(ASN1Encoding.DER);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign with the signing certificate", e);
        }
    }

    @Override
    public Optional<SignerIdentity> verifyDetached(byte[] content, byte[] signature) {
        CaMaterial m = material();
        return verifyDetached(ca.provider(), m.certificate(), content, signature, signers);
    }

    @Override
    public Optional<Signed> verifyAttached(byte[] signedData) {
        CaMaterial m = material();
        return verifyAttached(ca.provider(), m.certificate(), signedData, signers);
    }

    static Optional<Signed> verifyAttached(java.security.Provider bc, X509Certificate mooringCa, byte[] signedData, SignerCache cache) {
        if (signedData == null || signedData.length == 0 || signedData.length > MAX_SIGNATURE_BYTES) {
            return Optional.empty();
        }
        try {
            CMSSignedData signed = new CMSSignedData(signedData);
            if (signed.getSignedContent() == null || !(signed.getSignedContent().getContent() instanceof byte[] content)) {
                return Optional.empty();
            }
            return verified(bc, mooringCa, signed, cache).map(signer -> new Signed(content, signer));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    static Optional<SignerIdentity> verifyDetached(java.security.Provider bc, X509Certificate mooringCa, byte[] content, byte[] signature) {
        return verifyDetached(bc, mooringCa, content, signature, new SignerCache());
    }

    /** What a signer certificate tells once checked (its key, whether this CA issued it); certificates repeat on every check-in. */
    record KnownSigner(org.bouncycastle.cms.SignerInformationVerifier verifier, java.time.Instant notBefore, java.time.Instant notAfter,
            SignerIdentity identity) {
    }

    /** The signer certificates seen lately, by their DER encoding; bounded, least recently used goes first. */
    static final class SignerCache {
        private static final int MAX = 20_000;
        private final java.util.Map<java.nio.ByteBuffer, KnownSigner> known = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<java.nio.ByteBuffer, KnownSigner> eldest) {
                return size() > MAX;
            }
        };

        synchronized KnownSigner get(java.nio.ByteBuffer der) {
            return known.get(der);
        }

        synchronized void put(java.nio.ByteBuffer der, KnownSigner signer) {
            known.put(der, signer);
        }
    }

    static Optional<SignerIdentity> verifyDetached(java.security.Provider bc, X509Certificate mooringCa, byte[] content, byte[] signature,
            SignerCache cache) {
        if (content == null || signature == null || signature.length == 0 || signature.length > MAX_SIGNATURE_BYTES) {
            return Optional.empty();
        }
        try {
            return verified(bc, mooringCa, new CMSSignedData(new CMSProcessableByteArray(content), signature), cache);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The signer of the one signature, if it verifies with the signer certificate the CMS carries, valid now. */
    private static Optional<SignerIdentity> verified(java.security.Provider bc, X509Certificate mooringCa, CMSSignedData signed, SignerCache cache)
            throws Exception {
        if (signed.getSignerInfos().size() != 1) {
            return Optional.empty();
        }
        SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> certs = signed.getCertificates().getMatches(signer.getSID());
        if (certs.isEmpty()) {
            return Optional.empty();
        }
        X509CertificateHolder holder = certs.iterator().next();
        java.nio.ByteBuffer der = java.nio.ByteBuffer.wrap(holder.getEncoded());
        KnownSigner known = cache.get(der);
        if (known == null) {
            X509Certificate cert = new JcaX509CertificateConverter().setProvider(bc).getCertificate(holder);
            boolean ours;
            try {
                cert.verify(mooringCa.getPublicKey(), bc);
                ours = cert.getIssuerX500Principal().equals(mooringCa.getSubjectX500Principal());
            } catch (java.security.GeneralSecurityException notOurs) {
                ours = false;
            }
            known = new KnownSigner(new JcaSimpleSignerInfoVerifierBuilder().setProvider(bc).build(cert.getPublicKey()),
                    cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), new SignerIdentity(cert.getSerialNumber().toString(16), cert.getSubjectX500Principal().getName(), ours, Pem.of(cert)));
            cache.put(der, known);
        }
        java.time.Instant now = java.time.Instant.now();
        if (now.isBefore(known.notBefore()) || now.isAfter(known.notAfter()) || !signer.verify(known.verifier())) {
            return Optional.empty();
        }
        return Optional.of(known.identity());
    }
}
