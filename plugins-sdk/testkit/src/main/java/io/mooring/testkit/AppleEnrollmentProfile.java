package io.mooring.testkit;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * An MDM enrollment profile as a device reads it before installing: the trusted roots, the SCEP payload
 * that makes its identity, and the MDM payload. Parsing refuses what a device refuses: no MDM or no SCEP
 * payload, an identity UUID that names no certificate payload, a topic outside {@code com.apple.mgmt.},
 * access rights Apple's rules forbid (MDM protocol reference, "Structure of MDM Payloads").
 *
 * @param plist  the whole profile, for assertions on keys this class does not model
 * @param signer who signed the profile
 */
public record AppleEnrollmentProfile(String identifier, String uuid, String displayName, List<X509Certificate> anchors, Scep scep,
        Mdm mdm, X509Certificate signer, Map<String, Object> plist) {

    public static final String ROOT = "com.apple.security.root";
    public static final String SCEP = "com.apple.security.scep";
    public static final String MDM = "com.apple.mdm";

    /** The {@code com.apple.security.scep} payload; {@code subject} is built from its {@code Subject} array, in order. */
    public record Scep(String payloadUuid, URI url, String challenge, int keySize, String keyType, int keyUsage, X500Principal subject,
            String name) {
    }

    /** The {@code com.apple.mdm} payload; {@code checkInUrl} is the {@code ServerURL} when the payload names none, as Apple specifies. */
    public record Mdm(String payloadIdentifier, String payloadUuid, URI serverUrl, URI checkInUrl, String topic, String identityCertificateUuid,
            boolean signMessage, long accessRights, boolean checkOutWhenRemoved, List<String> serverCapabilities) {
    }

    /** AccessRights bits (MDM protocol reference). */
    public static final long ALLOW_INSPECTION = 1;
    public static final long ALLOW_INSTALLATION_REMOVAL = 2;
    public static final long ALLOW_PASSCODE_REMOVAL_AND_LOCK = 4;
    public static final long ALLOW_DEVICE_ERASE = 8;
    public static final long ALLOW_QUERY_DEVICE_INFORMATION = 16;
    public static final long ALLOW_QUERY_NETWORK_INFORMATION = 32;
    public static final long ALLOW_PROVISIONING_INSPECTION = 64;
    public static final long ALLOW_PROVISIONING_INSTALLATION = 128;
    public static final long ALLOW_QUERY_APPLICATIONS = 256;
    public static final long ALLOW_QUERY_RESTRICTIONS = 512;
    public static final long ALLOW_QUERY_SECURITY = 1024;
    public static final long ALLOW_SETTINGS = 2048;
    public static final long ALLOW_APP_INSTALLATION = 4096;

    /**
     * @throws IllegalArgumentException naming what a device would refuse
     */
    public static AppleEnrollmentProfile parse(byte[] plistBytes, X509Certificate signer) {
        Map<String, Object> plist = ApplePlists.parse(plistBytes);
        if (!"Configuration".equals(plist.get("PayloadType"))) {
            throw new IllegalArgumentException("the profile's PayloadType is " + plist.get("PayloadType") + ", not Configuration");
        }
        List<X509Certificate> anchors = new ArrayList<>();
        Scep scep = null;
        Mdm mdm = null;
        for (Object item : list(plist.get("PayloadContent"), "PayloadContent")) {
            if (!(item instanceof Map<?, ?> payload)) {
                throw new IllegalArgumentException("a payload of PayloadContent is not a dictionary");
            }
            String type = string(payload, "PayloadType", true);
            switch (type) {
                case ROOT -> anchors.add(certificate(payload.get("PayloadContent")));
                case SCEP -> scep = scep(payload);
                case MDM -> mdm = mdm(payload);
                default -> {
                    // other payloads install or not; they do not change how the device enrolls
                }
            }
        }
        if (mdm == null) {
            throw new IllegalArgumentException("the profile has no " + MDM + " payload");
        }
        if (scep == null) {
            throw new IllegalArgumentException("the profile has no " + SCEP + " payload");
        }
        if (!mdm.identityCertificateUuid().equals(scep.payloadUuid())) {
            throw new IllegalArgumentException("IdentityCertificateUUID " + mdm.identityCertificateUuid()
                    + " does not name the SCEP payload " + scep.payloadUuid());
        }
        return new AppleEnrollmentProfile(string(plist, "PayloadIdentifier", true), string(plist, "PayloadUUID", true),
                string(plist, "PayloadDisplayName", false), List.copyOf(anchors), scep, mdm, signer, plist);
    }

    private static Scep scep(Map<?, ?> payload) {
        if (!(payload.get("PayloadContent") instanceof Map<?, ?> content)) {
            throw new IllegalArgumentException("the SCEP payload has no PayloadContent dictionary");
        }
        String keyType = content.get("Key Type") instanceof String s ? s : "RSA";
        if (!"RSA".equals(keyType)) {
            throw new IllegalArgumentException("the SCEP payload asks for a " + keyType + " key; devices make RSA keys");
        }
        int keySize = (int) number(content.get("Keysize"), 1024);
        if (keySize < 1024 || keySize > 4096) {
            throw new IllegalArgumentException("Keysize " + keySize + " is outside what devices generate");
        }
        return new Scep(string(payload, "PayloadUUID", true), URI.create(string(content, "URL", true)), string(content, "Challenge", false),
                keySize, keyType, (int) number(content.get("Key Usage"), 0), subject(content.get("Subject")), string(content, "Name", false));
    }

    private static Mdm mdm(Map<?, ?> payload) {
        URI serverUrl = URI.create(string(payload, "ServerURL", true));
        String checkIn = string(payload, "CheckInURL", false);
        String topic = string(payload, "Topic", true);
        if (!topic.startsWith("com.apple.mgmt.")) {
            throw new IllegalArgumentException("Topic " + topic + " does not begin with com.apple.mgmt.");
        }
        long rights = number(payload.get("AccessRights"), -1);
        if (rights <= 0 || rights > 8191) {
            throw new IllegalArgumentException("AccessRights " + rights + " is not a non-zero combination of the defined rights");
        }
        if ((rights & ALLOW_INSTALLATION_REMOVAL) != 0 && (rights & ALLOW_INSPECTION) == 0
                || (rights & ALLOW_PROVISIONING_INSTALLATION) != 0 && (rights & ALLOW_PROVISIONING_INSPECTION) == 0) {
            throw new IllegalArgumentException("AccessRights " + rights + " allows installing without inspecting");
        }
        List<String> capabilities = new ArrayList<>();
        if (payload.get("ServerCapabilities") != null) {
            for (Object capability : list(payload.get("ServerCapabilities"), "ServerCapabilities")) {
                capabilities.add(String.valueOf(capability));
            }
        }
        return new Mdm(string(payload, "PayloadIdentifier", true), string(payload, "PayloadUUID", true), serverUrl,
                checkIn == null ? serverUrl : URI.create(checkIn), topic, string(payload, "IdentityCertificateUUID", true),
                Boolean.TRUE.equals(payload.get("SignMessage")), rights, Boolean.TRUE.equals(payload.get("CheckOutWhenRemoved")),
                List.copyOf(capabilities));
    }

    /**
     * Apple's {@code Subject}: an array of RDNs, each an array of [type, value] pairs; a type is a dotted OID
     * or a short name such as CN, O, OU, C.
     */
    static X500Principal subject(Object subject) {
        if (subject == null) {
            throw new IllegalArgumentException("the SCEP payload has no Subject");
        }
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        for (Object rdn : list(subject, "Subject")) {
            List<?> pairs = list(rdn, "an RDN of Subject");
            ASN1ObjectIdentifier[] types = new ASN1ObjectIdentifier[pairs.size()];
            String[] values = new String[pairs.size()];
            for (int i = 0; i < pairs.size(); i++) {
                List<?> pair = list(pairs.get(i), "a pair of Subject");
                if (pair.size() != 2) {
                    throw new IllegalArgumentException("a Subject pair has " + pair.size() + " elements, not 2");
                }
                String type = String.valueOf(pair.get(0));
                types[i] = type.matches("\\d+(\\.\\d+)+") ? new ASN1ObjectIdentifier(type) : BCStyle.INSTANCE.attrNameToOID(type);
                values[i] = String.valueOf(pair.get(1));
            }
            if (types.length == 1) {
                builder.addRDN(types[0], values[0]);
            } else if (types.length > 1) {
                builder.addMultiValuedRDN(types, values);
            }
        }
        X500Name name = builder.build();
        try {
            return new X500Principal(name.getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the Subject cannot be encoded", e);
        }
    }

    static X509Certificate certificate(Object content) {
        if (!(content instanceof byte[] bytes)) {
            throw new IllegalArgumentException("a certificate payload's PayloadContent is not data");
        }
        try {
            // DER, or PEM text as some profiles carry
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("a certificate payload holds no readable certificate", e);
        }
    }

    private static List<?> list(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(what + " is not an array");
        }
        return list;
    }

    private static String string(Map<?, ?> dictionary, String key, boolean required) {
        Object value = dictionary.get(key);
        if (value instanceof String s) {
            return s;
        }
        if (value == null && !required) {
            return null;
        }
        throw new IllegalArgumentException(key + (value == null ? " is missing" : " is not a string"));
    }

    private static long number(Object value, long otherwise) {
        return value instanceof Number n ? n.longValue() : otherwise;
    }
}
