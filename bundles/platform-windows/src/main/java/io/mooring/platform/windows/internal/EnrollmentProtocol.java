package io.mooring.platform.windows.internal;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mooring.api.Actor;
import io.mooring.api.DeviceAttributes;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.MooringException;
import io.mooring.api.ValidationException;
import io.mooring.api.pki.CertificateIssuer;
import io.mooring.api.pki.CmsSigner;
import io.mooring.platform.windows.internal.Soap.ErrorType;
import io.mooring.platform.windows.internal.Soap.Fault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * MS-MDE2 enrollment, independent of the servlet API: the discovery service (which authentication
 * Mooring takes and where the other two services are), the MS-XCEP policy service (what key the CA
 * accepts) and the MS-WSTEP enrollment service (the credential, the PKCS#10, the identity certificate and
 * the provisioning document). Mooring's "OnPremise" credential is the user's name (e-mail or UPN, kept
 * with the device) and, as password, an enrollment token an admin issued for the Windows platform.
 */
final class EnrollmentProtocol {
    static final String DISCOVERY_NS = "http://schemas.microsoft.com/windows/management/2012/01/enrollment";
    static final String XCEP_NS = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
    static final String WSTRUST_NS = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
    static final String ENROLLMENT_NS = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
    static final String AUTHORIZATION_NS = "http://schemas.xmlsoap.org/ws/2006/12/authorization";
    static final String DEVICE_ENROLLMENT_TOKEN = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken";
    static final String PROVISION_DOC = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc";
    static final String PKCS10 = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10";
    static final String BASE64_BINARY = Soap.WSSE + "#base64binary";
    static final String ISSUE = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue";
    static final String RENEW = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew";
    /** MS-MDE2's name of a renewal's PKCS#7; Windows' own requests name it in the WS-Security namespace ({@link #PKCS7_WSSE}). */
    static final String PKCS7 = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS7";
    static final String PKCS7_WSSE = Soap.WSSE + "#PKCS7";

    static final String DISCOVERY_PATH = "/EnrollmentServer/Discovery.svc";
    static final String POLICY_PATH = "/EnrollmentServer/Policy.svc";
    static final String ENROLLMENT_PATH = "/EnrollmentServer/Enrollment.svc";

    static final String ATTR_IDENTITY = "windows.identity-serial";
    /** The identity a renewal replaced, still accepted until the PC first shows the new one (the renewal's answer may have been lost). */
    static final String ATTR_IDENTITY_PREVIOUS = "windows.identity-serial-previous";
    static final String ATTR_DEVICE_ID = "windows.device-id";
    static final String ATTR_USER = "windows.user";
    static final String ATTR_ENROLLMENT_TYPE = "windows.enrollment-type";

    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentProtocol.class);
    private static final int MAX_CONTEXT_ITEMS = 64;

    /** What the servlet needs to know of the configuration. */
    record Settings(String serverUrl, String organization, ProvisioningDoc.Settings provisioning) {
    }

    private final EnrollmentService enrollment;
    private final DeviceRegistry devices;
    private final DeviceAttributes attributes;
    private final CertificateIssuer issuer;
    private final CmsSigner cms;
    private final Settings settings;
    private final java.util.function.Function<io.mooring.api.DeviceId, List<io.mooring.api.DeviceGroup>> groupsOf;
    private final io.mooring.spi.pki.ClientCertificates certificates = new io.mooring.spi.pki.ClientCertificates();
    private final java.util.function.Consumer<String> revokeSuperseded;

    EnrollmentProtocol(EnrollmentService enrollment, DeviceRegistry devices, DeviceAttributes attributes, CertificateIssuer issuer, CmsSigner cms,
            Settings settings, java.util.function.Function<io.mooring.api.DeviceId, List<io.mooring.api.DeviceGroup>> groupsOf,
            java.util.function.Consumer<String> revokeSuperseded) {
        this.groupsOf = groupsOf;
        this.revokeSuperseded = revokeSuperseded;
        this.enrollment = enrollment;
        this.devices = devices;
        this.attributes = attributes;
        this.issuer = issuer;
        this.cms = cms;
        this.settings = settings;
    }

    /** MS-MDE2 §3.1.4.1.1.1 Discover: OnPremise is the one authentication policy Mooring offers. */
    String discover(Soap.Request request) throws Fault {
        Element op = request.operation();
        if (!"Discover".equals(SafeXml.local(op))) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the discovery service answers Discover only");
        }
        Element body = SafeXml.child(op, "request");
        if (body == null) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "Discover carries no request");
        }
        List<String> policies = new ArrayList<>();
        for (Element p : SafeXml.children(SafeXml.child(body, "AuthPolicies"), "AuthPolicy")) {
            policies.add(p.getTextContent().strip());
        }
        if (!policies.isEmpty() && !policies.contains("OnPremise")) {
            throw new Fault(ErrorType.AUTHORIZATION, "this server accepts the OnPremise authentication policy only (a user name and an "
                    + "enrollment token); " + String.join(", ", policies) + " is not offered");
        }
        String version = SafeXml.text(body, "RequestVersion");
        String answerVersion = switch (version == null ? "" : version) {
            case "1.0", "2.0", "3.0", "4.0", "5.0" -> version;
            default -> "5.0".compareTo(version == null ? "" : version) < 0 ? "5.0" : "3.0";
        };
        String result = "<DiscoverResponse xmlns=\"" + DISCOVERY_NS + "\"><DiscoverResult><AuthPolicy>OnPremise</AuthPolicy><EnrollmentVersion>"
                + answerVersion + "</EnrollmentVersion><EnrollmentPolicyServiceUrl>" + SafeXml.escape(settings.serverUrl() + POLICY_PATH)
                + "</EnrollmentPolicyServiceUrl><EnrollmentServiceUrl>" + SafeXml.escape(settings.serverUrl() + ENROLLMENT_PATH)
                + "</EnrollmentServiceUrl></DiscoverResult></DiscoverResponse>";
        return Soap.response(request, "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse",
                result, false);
    }

    /** MS-XCEP GetPolicies: one policy, the key Mooring's CA accepts and the validity it issues. */
    String policies(Soap.Request request) throws Fault {
        return policies(request, null);
    }

    /** As {@link #policies(Soap.Request)}; a PC renewing its identity asks with that identity as TLS client certificate instead of a credential. */
    String policies(Soap.Request request, X509Certificate clientCertificate) throws Fault {
        if (!"GetPolicies".equals(SafeXml.local(request.operation()))) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the policy service answers GetPolicies only");
        }
        if (clientCertificate == null || request.username() != null) {
            requireCredential(request);
        }
        CertificateIssuer.Policy policy = issuer.policy();
        long validity = policy.validity().toSeconds();
        int minKey = policy.rsaKeySizes().stream().mapToInt(Integer::intValue).min().orElse(2048);
        String nil = " xsi:nil=\"true\"";
        String result = "<GetPoliciesResponse xmlns=\"" + XCEP_NS + "\"><response><policyID>mooring-device-identity</policyID>"
                + "<policyFriendlyName>" + SafeXml.escape(settings.organization()) + " device identity</policyFriendlyName>"
                + "<nextUpdateHours" + nil + "/><policiesNotChanged" + nil + "/><policies><policy><policyOIDReference>0</policyOIDReference>"
                + "<cAs" + nil + "/><attributes><commonName>MooringDeviceIdentity</commonName><policySchema>3</policySchema>"
                + "<certificateValidity><validityPeriodSeconds>" + validity + "</validityPeriodSeconds><renewalPeriodSeconds>"
                + Math.min(validity / 4, 42L * 24 * 3600) + "</renewalPeriodSeconds></certificateValidity>"
                + "<permission><enroll>true</enroll><autoEnroll>false</autoEnroll></permission>"
                + "<privateKeyAttributes><minimalKeyLength>" + minKey + "</minimalKeyLength><keySpec" + nil + "/><keyUsageProperty" + nil
                + "/><permissions" + nil + "/><algorithmOIDReference" + nil + "/><cryptoProviders" + nil + "/></privateKeyAttributes>"
                + "<revision><majorRevision>101</majorRevision><minorRevision>0</minorRevision></revision>"
                + "<supersededPolicies" + nil + "/><privateKeyFlags" + nil + "/><subjectNameFlags" + nil + "/><enrollmentFlags" + nil
                + "/><generalFlags" + nil + "/><hashAlgorithmOIDReference>0</hashAlgorithmOIDReference><rARequirements" + nil
                + "/><keyArchivalAttributes" + nil + "/><extensions" + nil + "/></attributes></policy></policies></response>"
                + "<cAs" + nil + "/><oIDs><oID><value>2.16.840.1.101.3.4.2.1</value><group>1</group><oIDReferenceID>0</oIDReferenceID>"
                + "<defaultName>szOID_NIST_sha256</defaultName></oID></oIDs></GetPoliciesResponse>";
        return Soap.response(request, "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse", result, false);
    }

    /**
     * MS-WSTEP RequestSecurityToken: the certificate request is checked first, then the enrollment token is
     * spent, then the identity is issued; if issuing fails the new device record is unenrolled again.
     */
    String requestSecurityToken(Soap.Request request) throws Fault {
        return requestSecurityToken(request, null);
    }

    /** As {@link #requestSecurityToken(Soap.Request)}, with the TLS client certificate that authenticates a renewal (null: none). */
    String requestSecurityToken(Soap.Request request, X509Certificate clientCertificate) throws Fault {
        Element rst = request.operation();
        if (!"RequestSecurityToken".equals(SafeXml.local(rst))) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the enrollment service answers RequestSecurityToken only");
        }
        if (!DEVICE_ENROLLMENT_TOKEN.equals(SafeXml.text(rst, "TokenType"))) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "TokenType must be " + DEVICE_ENROLLMENT_TOKEN);
        }
        String requestType = SafeXml.text(rst, "RequestType");
        if (RENEW.equals(requestType)) {
            return renew(request, rst, clientCertificate);
        }
        if (!ISSUE.equals(requestType)) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "RequestType must be " + ISSUE + " or " + RENEW);
        }
        Element token = SafeXml.child(rst, "BinarySecurityToken");
        if (token == null || !PKCS10.equals(token.getAttribute("ValueType").strip())) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the request must carry a BinarySecurityToken of ValueType " + PKCS10);
        }
        byte[] csr;
        try {
            csr = Base64.getMimeDecoder().decode(token.getTextContent().strip());
        } catch (IllegalArgumentException e) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the BinarySecurityToken is not base64");
        }
        Map<String, List<String>> context = context(SafeXml.child(rst, "AdditionalContext"));
        DeviceDescription description;
        try {
            description = new DeviceDescription(first(context, "DeviceName"), null, first(context, "OSVersion"), null,
                    first(context, "HWDevID") != null ? first(context, "HWDevID") : first(context, "DeviceID"));
        } catch (ValidationException e) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, e.getMessage());
        }
        String user = requireCredential(request);
        try {
            issuer.check(csr);
        } catch (ValidationException e) {
            throw new Fault(ErrorType.CERTIFICATE_REQUEST, e.getMessage());
        }
        EnrolledDevice enrolled;
        try {
            enrolled = enrollment.enroll(WindowsPlatform.ID, request.password(), description);
        } catch (EnrollmentException e) {
            throw new Fault(ErrorType.AUTHENTICATION, "the user name and enrollment token were not accepted: " + e.getMessage());
        }
        try {
            // a token may enroll into a group: the group's poll interval is in the provisioning document from the start
            int minutes = GroupPollSchedules.interval(groupsOf.apply(enrolled.device().id()), settings.provisioning().poll().minutes());
            // what the PC polls at, whatever the configured interval becomes later
            put(enrolled, GroupPollSchedules.ATTR_APPLIED, Integer.toString(minutes));
            X509Certificate identity = issuer.issueForDevice(enrolled.device(), csr, settings.organization());
            String type = first(context, "EnrollmentType");
            put(enrolled, ATTR_IDENTITY, identity.getSerialNumber().toString(16));
            put(enrolled, ATTR_USER, user);
            put(enrolled, ATTR_ENROLLMENT_TYPE, type);
            put(enrolled, ATTR_DEVICE_ID, first(context, "DeviceID"));
            String doc = ProvisioningDoc.build(settings.provisioning().pollingEvery(minutes), cms.caChain(), identity, "Device".equalsIgnoreCase(type),
                    description.name(), renewDays());
            LOG.info("Windows PC {} ({}) enrolled for {} in tenant {}", enrolled.device().id(), description.name(), user, enrolled.device().tenant());
            return provisioned(request, doc);
        } catch (ValidationException e) {
            devices.unenroll(enrolled.device().tenant(), enrolled.device().id(), Actor.SYSTEM);
            throw new Fault(ErrorType.CERTIFICATE_REQUEST, e.getMessage());
        } catch (MooringException | IllegalStateException e) {
            devices.unenroll(enrolled.device().tenant(), enrolled.device().id(), Actor.SYSTEM);
            LOG.warn("Windows enrollment of {} undone: {}", enrolled.device().id(), e.getMessage());
            throw new Fault(ErrorType.ENROLLMENT_SERVER, "the server could not complete the enrollment; try again later");
        }
    }

    /** The WS-Trust answer that carries a provisioning document. */
    private static String provisioned(Soap.Request request, String doc) {
        String result = "<RequestSecurityTokenResponseCollection xmlns=\"" + WSTRUST_NS + "\"><RequestSecurityTokenResponse><TokenType>"
                + DEVICE_ENROLLMENT_TOKEN + "</TokenType><DispositionMessage xmlns=\"" + ENROLLMENT_NS + "\"/><RequestedSecurityToken>"
                + "<BinarySecurityToken ValueType=\"" + PROVISION_DOC + "\" EncodingType=\"" + BASE64_BINARY + "\" xmlns=\"" + Soap.WSSE + "\">"
                + Base64.getEncoder().encodeToString(doc.getBytes(StandardCharsets.UTF_8)) + "</BinarySecurityToken></RequestedSecurityToken>"
                + "<RequestID xmlns=\"" + ENROLLMENT_NS + "\">0</RequestID></RequestSecurityTokenResponse></RequestSecurityTokenResponseCollection>";
        return Soap.response(request, "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep", result, true);
    }

    /** Days before its identity expires that a PC starts renewing it: as the policy service says (a quarter of the validity, at most 42 days). */
    private int renewDays() {
        long validity = issuer.policy().validity().toSeconds();
        return (int) Math.max(1, Math.min(validity / 4, 42L * 24 * 3600) / (24 * 3600));
    }

    /**
     * MS-MDE2 certificate renewal as Windows does it on its own (ROBO, RequestType Renew): the PC authenticates
     * with the identity it renews as TLS client certificate, and sends the PKCS#10 of its new key inside a
     * PKCS#7 signed with that identity. Mooring issues the new identity and answers with the provisioning
     * document that carries it; the identity it replaces keeps working until the PC first shows the new one.
     */
    private String renew(Soap.Request request, Element rst, X509Certificate current) throws Fault {
        if (current == null) {
            throw new Fault(ErrorType.AUTHENTICATION, "a renewal is authenticated by the PC's current identity as TLS client certificate; none was presented");
        }
        java.time.Instant now = java.time.Instant.now();
        io.mooring.api.DeviceId id = io.mooring.spi.pki.ClientCertificates.validAt(current, now) && certificates.issuedBy(current, cms.caChain())
                ? certificates.deviceNamedBy(current.getSubjectX500Principal().getName()) : null;
        // the PC and everything the plugin keeps for it, in one read
        io.mooring.api.DeviceAttributes.Snapshot pc = id == null ? null : attributes.snapshot(id, "windows.").filter(s -> s.device().platform()
                .equals(WindowsPlatform.ID) && s.device().state() == io.mooring.api.DeviceState.ENROLLED).orElse(null);
        io.mooring.api.Device device = pc == null ? null : pc.device();
        String serial = current.getSerialNumber().toString(16);
        Map<String, byte[]> values = pc == null ? Map.of() : pc.values();
        String bound = OmaDmProtocol.utf8(values.get(ATTR_IDENTITY));
        String previous = OmaDmProtocol.utf8(values.get(ATTR_IDENTITY_PREVIOUS));
        if (device == null || !serial.equals(bound) && !serial.equals(previous)) {
            throw new Fault(ErrorType.AUTHENTICATION, "the client certificate is not the current identity of an enrolled Windows PC");
        }
        Element token = SafeXml.child(rst, "BinarySecurityToken");
        String valueType = token == null ? "" : token.getAttribute("ValueType").replace(" ", "");
        if (!PKCS7.equals(valueType) && !PKCS7_WSSE.equals(valueType)) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "a renewal must carry a BinarySecurityToken of ValueType " + PKCS7_WSSE + " (or " + PKCS7 + ")");
        }
        byte[] p7;
        try {
            p7 = Base64.getMimeDecoder().decode(token.getTextContent().strip());
        } catch (IllegalArgumentException e) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the BinarySecurityToken is not base64");
        }
        // signed by the very certificate the connection was authenticated with (not merely one of the same serial)
        CmsSigner.Signed signed = cms.verifyAttached(p7).filter(s -> s.signer().issuedByMooring() && sameCertificate(s.signer().pem(), current))
                .orElseThrow(() -> new Fault(ErrorType.CERTIFICATE_REQUEST, "the renewal request is not a PKCS#7 signed by the identity it renews"));
        try {
            // issuing checks the request as it would be checked alone (nothing is recorded before it)
            X509Certificate renewed = issuer.issueForDevice(device, signed.content(), settings.organization());
            String newSerial = renewed.getSerialNumber().toString(16);
            // the identity the PC holds now stays good until it uses the new one. Renewing with the previous identity (the last answer
            // was lost) replaces only the identity it never received; renewing with the current one retires an older previous one
            String superseded = serial.equals(bound) ? previous : bound;
            attributes.put(device.id(), ATTR_IDENTITY_PREVIOUS, serial.getBytes(StandardCharsets.UTF_8));
            attributes.put(device.id(), ATTR_IDENTITY, newSerial.getBytes(StandardCharsets.UTF_8));
            if (superseded != null && !superseded.equals(serial)) {
                revokeSuperseded.accept(superseded);
            }
            int minutes = GroupPollSchedules.minutes(values.get(GroupPollSchedules.ATTR_APPLIED), settings.provisioning().poll().minutes());
            boolean systemStore = "Device".equalsIgnoreCase(OmaDmProtocol.utf8(values.get(ATTR_ENROLLMENT_TYPE)));
            String doc = ProvisioningDoc.build(settings.provisioning().pollingEvery(minutes), cms.caChain(), renewed, systemStore,
                    device.description().name(), renewDays());
            LOG.info("Windows PC {} renewed its identity (serial {} replaces {})", device.id(), newSerial, serial);
            return provisioned(request, doc);
        } catch (ValidationException e) {
            throw new Fault(ErrorType.CERTIFICATE_REQUEST, e.getMessage());
        } catch (IllegalStateException e) {
            LOG.warn("Renewal of Windows PC {} failed: {}", device.id(), e.getMessage());
            throw new Fault(ErrorType.ENROLLMENT_SERVER, "the server could not complete the renewal; try again later");
        }
    }

    /** Whether a PEM certificate is this one, byte for byte. */
    private static boolean sameCertificate(String pem, X509Certificate certificate) {
        if (pem == null) {
            return false;
        }
        try {
            java.security.cert.Certificate parsed = java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return java.util.Arrays.equals(parsed.getEncoded(), certificate.getEncoded());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private void put(EnrolledDevice enrolled, String name, String value) {
        if (value != null) {
            attributes.put(enrolled.device().id(), name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The UsernameToken's user name; its password is the enrollment token, checked when it is spent. */
    private static String requireCredential(Soap.Request request) throws Fault {
        if (request.username() == null || request.password() == null) {
            throw new Fault(ErrorType.AUTHENTICATION, "the request carries no WS-Security UsernameToken with a user name and password");
        }
        if (request.username().length() > 255 || request.password().length() > 512) {
            throw new Fault(ErrorType.AUTHENTICATION, "the user name or password is too long");
        }
        return request.username();
    }

    /** AdditionalContext items by name; a name may repeat (MAC, IMEI). */
    private static Map<String, List<String>> context(Element additional) throws Fault {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<Element> items = SafeXml.children(additional, "ContextItem");
        if (items.size() > MAX_CONTEXT_ITEMS) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "AdditionalContext has more than " + MAX_CONTEXT_ITEMS + " items");
        }
        for (Element item : items) {
            String value = SafeXml.text(item, "Value");
            if (value != null) {
                out.computeIfAbsent(item.getAttribute("Name"), k -> new ArrayList<>()).add(value);
            }
        }
        return out;
    }

    private static String first(Map<String, List<String>> context, String name) {
        return context.getOrDefault(name, Collections.emptyList()).stream().findFirst().orElse(null);
    }
}
