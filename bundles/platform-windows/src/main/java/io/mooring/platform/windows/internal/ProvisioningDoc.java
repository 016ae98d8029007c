package io.mooring.platform.windows.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The wap-provisioningdoc a PC receives at the end of MS-WSTEP enrollment: Mooring's CA into the trusted
 * roots, the device identity into the personal store, the w7 APPLICATION characteristic (where and how
 * to sync) and the DMClient poll schedule (MS-MDE2 §3.1.4.2; the CertificateStore, w7 APPLICATION and
 * DMClient configuration service providers).
 */
final class ProvisioningDoc {
    /** Poll schedule (DMClient CSP Poll node), in minutes and counts; 0 remaining polls means "forever". */
    record PollSchedule(int firstCount, int firstMinutes, int secondCount, int secondMinutes, int minutes) {
    }

    record Settings(String managementUrl, String providerId, String organization, String encoding, PollSchedule poll) {
        /** These settings with the polls after the first ones {@code minutes} apart. */
        Settings pollingEvery(int minutes) {
            return minutes == poll.minutes() ? this : new Settings(managementUrl, providerId, organization, encoding,
                    new PollSchedule(poll.firstCount(), poll.firstMinutes(), poll.secondCount(), poll.secondMinutes(), minutes));
        }
    }

    private ProvisioningDoc() {
    }

    /**
     * @param identity the device's certificate; its private key stays on the PC (WSTEP generated it there)
     * @param systemStore true for a device enrollment (the identity goes to the machine's store), false for a user's
     */
    static String build(Settings settings, List<X509Certificate> caChain, X509Certificate identity, boolean systemStore, String deviceName,
            int renewDays) {
        StringBuilder out = new StringBuilder(8192);
        out.append("<wap-provisioningdoc version=\"1.1\">");
        for (X509Certificate ca : caChain) {
            boolean selfSigned = ca.getSubjectX500Principal().equals(ca.getIssuerX500Principal());
            out.append("<characteristic type=\"CertificateStore\"><characteristic type=\"").append(selfSigned ? "Root" : "CA")
                    .append("\"><characteristic type=\"System\"><characteristic type=\"").append(thumbprint(ca)).append("\">");
            parm(out, "EncodedCertificate", base64(ca), null);
            out.append("</characteristic></characteristic></characteristic></characteristic>");
        }
        String store = systemStore ? "System" : "User";
        out.append("<characteristic type=\"CertificateStore\"><characteristic type=\"My\"><characteristic type=\"").append(store)
                .append("\"><characteristic type=\"").append(thumbprint(identity)).append("\">");
        parm(out, "EncodedCertificate", base64(identity), null);
        out.append("</characteristic><characteristic type=\"PrivateKeyContainer\"/></characteristic>");
        // renewal on its own (ROBO) this many days before the identity expires, again a day later while it fails
        out.append("<characteristic type=\"WSTEP\"><characteristic type=\"Renew\">");
        parm(out, "ROBOSupport", "true", "boolean");
        parm(out, "RenewPeriod", Integer.toString(renewDays), "integer");
        parm(out, "RetryInterval", "1", "integer");
        out.append("</characteristic></characteristic></characteristic></characteristic>");

        out.append("<characteristic type=\"APPLICATION\">");
        parm(out, "APPID", "w7", null);
        parm(out, "PROVIDER-ID", settings.providerId(), null);
        parm(out, "NAME", settings.organization(), null);
        parm(out, "ADDR", settings.managementUrl(), null);
        parm(out, "CONNRETRYFREQ", "6", null);
        parm(out, "INITIALBACKOFFTIME", "30000", null);
        parm(out, "MAXBACKOFFTIME", "120000", null);
        out.append("<parm name=\"BACKCOMPATRETRYDISABLED\"/>");
        parm(out, "DEFAULTENCODING", "wbxml".equalsIgnoreCase(settings.encoding()) ? Syncml.WBXML_TYPE : Syncml.XML_TYPE, null);
        parm(out, "SSLCLIENTCERTSEARCHCRITERIA", "Subject=" + escape(identity.getSubjectX500Principal().getName()) + "&Stores="
                + escape("My\\" + store), null);
        out.append("</characteristic>");

        PollSchedule poll = settings.poll();
        out.append("<characteristic type=\"DMClient\"><characteristic type=\"Provider\"><characteristic type=\"")
                .append(SafeXml.escape(settings.providerId())).append("\"><characteristic type=\"Poll\">");
        parm(out, "NumberOfFirstRetries", Integer.toString(poll.firstCount()), "integer");
        parm(out, "IntervalForFirstSetOfRetries", Integer.toString(poll.firstMinutes()), "integer");
        parm(out, "NumberOfSecondRetries", Integer.toString(poll.secondCount()), "integer");
        parm(out, "IntervalForSecondSetOfRetries", Integer.toString(poll.secondMinutes()), "integer");
        parm(out, "NumberOfRemainingScheduledRetries", "0", "integer");
        parm(out, "IntervalForRemainingScheduledRetries", Integer.toString(poll.minutes()), "integer");
        parm(out, "PollOnLogin", "true", "boolean");
        out.append("</characteristic>");
        if (deviceName != null) {
            parm(out, "EntDeviceName", deviceName, "string");
        }
        out.append("</characteristic></characteristic></characteristic>");
        out.append("</wap-provisioningdoc>");
        return out.toString();
    }

    /** RFC 2396 escaping, as the w7 APPLICATION CSP reads the search criteria: a space is %20, never "+". */
    static String escape(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void parm(StringBuilder out, String name, String value, String datatype) {
        out.append("<parm name=\"").append(name).append("\" value=\"").append(SafeXml.escape(value)).append('"');
        if (datatype != null) {
            out.append(" datatype=\"").append(datatype).append('"');
        }
        out.append("/>");
    }

    /** The SHA-1 thumbprint Windows names certificates by in its stores, upper-case hex. */
    static String thumbprint(X509Certificate cert) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(X509Certificate cert) {
        try {
            return Base64.getEncoder().encodeToString(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
