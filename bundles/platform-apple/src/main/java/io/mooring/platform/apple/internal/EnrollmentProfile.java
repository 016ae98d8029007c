package io.mooring.platform.apple.internal;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;

import io.mooring.api.DeviceId;

/**
 * The enrollment profile (Apple's "Configuration" payload) a device installs: Mooring's CA certificate,
 * a SCEP payload that makes the device request its identity from Mooring's CA with a one-time challenge
 * bound to its subject, and the MDM payload that uses that identity ({@code IdentityCertificateUUID})
 * and tells the device where to check in and which APNs topic wakes it.
 */
final class EnrollmentProfile {
    /** Every right Apple defines (AccessRights bits 1..4096), as an MDM that manages the whole device asks. */
    static final int ALL_ACCESS_RIGHTS = 8191;

    record Settings(String serverUrl, String organization) {
    }

    private EnrollmentProfile() {
    }

    /** Where a device downloads its profile for this token: {@code {server}/mdm/apple/enroll/{secret}}. */
    static String enrollmentUrl(String serverUrl, String tokenSecret) {
        return base(serverUrl) + ApplePlatform.DEVICE_PATH + "/enroll/" + tokenSecret;
    }

    private static String base(String serverUrl) {
        return serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
    }

    static String subject(DeviceId device, String organization) {
        return "CN=" + device + ",O=" + organization;
    }

    static NSDictionary build(Settings settings, DeviceId device, String topic, String scepUrl, String challenge, List<X509Certificate> caChain) {
        String base = base(settings.serverUrl());
        String id = "io.mooring.enrollment." + device;
        NSArray payloads = new NSArray(caChain.size() + 2);
        int i = 0;
        for (X509Certificate ca : caChain) {
            NSDictionary root = payload("com.apple.security.root", id + ".ca" + i, "Mooring CA " + (i + 1), UUID.randomUUID());
            root.put("PayloadContent", new NSData(der(ca)));
            root.put("PayloadCertificateFileName", "mooring-ca-" + i + ".cer");
            payloads.setValue(i++, root);
        }

        UUID scepUuid = UUID.randomUUID();
        NSDictionary scep = payload("com.apple.security.scep", id + ".scep", "Device identity", scepUuid);
        NSDictionary scepContent = new NSDictionary();
        scepContent.put("URL", scepUrl);
        scepContent.put("Name", settings.organization() + " CA");
        scepContent.put("Challenge", challenge);
        scepContent.put("Keysize", 2048);
        scepContent.put("Key Type", "RSA");
        // digital signature (1) and key encipherment (4): the identity signs check-ins and may secure TLS
        scepContent.put("Key Usage", 5);
        scepContent.put("Subject", new NSArray(rdn("CN", device.toString()), rdn("O", settings.organization())));
        scep.put("PayloadContent", scepContent);
        payloads.setValue(i++, scep);

        NSDictionary mdm = payload("com.apple.mdm", id + ".mdm", "Mobile device management", UUID.randomUUID());
        mdm.put("ServerURL", base + ApplePlatform.DEVICE_PATH + "/connect");
        mdm.put("CheckInURL", base + ApplePlatform.DEVICE_PATH + "/checkin");
        mdm.put("Topic", topic);
        mdm.put("IdentityCertificateUUID", scepUuid.toString().toUpperCase(java.util.Locale.ROOT));
        mdm.put("AccessRights", ALL_ACCESS_RIGHTS);
        mdm.put("SignMessage", true);
        mdm.put("CheckOutWhenRemoved", true);
        mdm.put("ServerCapabilities", new NSArray(new NSString("com.apple.mdm.per-user-connections"),
                new NSString("com.apple.mdm.bootstraptoken")));
        payloads.setValue(i, mdm);

        NSDictionary profile = new NSDictionary();
        profile.put("PayloadType", "Configuration");
        profile.put("PayloadVersion", 1);
        profile.put("PayloadIdentifier", id);
        profile.put("PayloadUUID", UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT));
        profile.put("PayloadDisplayName", settings.organization() + " device management");
        profile.put("PayloadOrganization", settings.organization());
        profile.put("PayloadDescription", "Enrolls this device in " + settings.organization() + "'s device management (Mooring).");
        profile.put("PayloadScope", "System");
        profile.put("PayloadRemovalDisallowed", false);
        profile.put("PayloadContent", payloads);
        return profile;
    }

    private static NSDictionary payload(String type, String identifier, String name, UUID uuid) {
        NSDictionary p = new NSDictionary();
        p.put("PayloadType", type);
        p.put("PayloadVersion", 1);
        p.put("PayloadIdentifier", identifier);
        p.put("PayloadUUID", uuid.toString().toUpperCase(java.util.Locale.ROOT));
        p.put("PayloadDisplayName", name);
        return p;
    }

    /** One relative distinguished name as Apple's SCEP payload spells it: an array holding one [type, value] pair. */
    private static NSObject rdn(String type, String value) {
        return new NSArray(new NSArray(new NSString(type), new NSString(value)));
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
