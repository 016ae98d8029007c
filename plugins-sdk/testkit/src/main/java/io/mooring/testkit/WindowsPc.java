package io.mooring.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * A simulated Windows 11 PC, as far as device management sees one. It enrolls the way "Access work or
 * school → Enroll only in device management" does (MS-MDE2: the discovery GET and Discover, MS-XCEP
 * GetPolicies, MS-WSTEP RequestSecurityToken with a PKCS#10 made from a key it generates), installs what
 * the provisioning document hands it (the roots, its identity, the management address and poll schedule),
 * and then runs OMA-DM sessions (SyncML 1.2) authenticated by its identity as a TLS client certificate.
 * <p>
 * In a session it answers like Windows: Get with Results from its node tree (DevInfo, DevDetail,
 * DeviceStatus) or 404 for a node it does not have; Add / Replace / Delete on the configuration service
 * providers it knows (Policy, WiFi, VPNv2, BitLocker, EnterpriseDesktopAppManagement, DMClient) and 405
 * on read-only nodes; Exec of RemoteWipe, Reboot, the MSI installer and DMClient's Unenroll; Atomic all or
 * nothing (507, the others 216). A refused node can be configured ({@link #refuse}).
 * <p>
 * Messages are XML; with a {@link Codec} they travel in another encoding (WBXML through an outside tool,
 * say) and the PC still reads and writes XML.
 */
public final class WindowsPc {
    public static final String XML_TYPE = "application/vnd.syncml.dm+xml";
    public static final String WBXML_TYPE = "application/vnd.syncml.dm+wbxml";
    private static final String SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
    private static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    private static final String PKCS10 = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10";
    /** The ValueType Windows gives a renewal's PKCS#7 (MS-MDE2 writes it as {@code .../enrollment#PKCS7}). */
    private static final String PKCS7 = WSSE + "#PKCS7";
    private static final String TOKEN_TYPE = "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken";

    /**
     * How a message reaches the server: HTTPS with the PC's client certificate by default; tests may call the
     * server directly. Requests made with the same {@code tls} factory may share a connection: a PC uses one
     * factory for its enrollment and one per OMA-DM session, so each session opens its own connection (and
     * resumes the TLS session of the one before) as Windows does.
     */
    public interface Transport {
        Response post(URI uri, String contentType, byte[] body, SSLSocketFactory tls, X509Certificate clientCertificate) throws IOException;
    }

    public record Response(int status, String contentType, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The OMA-DM wire encoding; the PC itself works in XML. */
    public interface Codec {
        String contentType();

        byte[] encode(byte[] xml) throws IOException;

        byte[] decode(byte[] wire) throws IOException;
    }

    public static final Codec XML = new Codec() {
        @Override
        public String contentType() {
            return XML_TYPE;
        }

        @Override
        public byte[] encode(byte[] xml) {
            return xml;
        }

        @Override
        public byte[] decode(byte[] wire) {
            return wire;
        }
    };

    /** The enrollment service answered with a SOAP fault: its MS-MDE2 error type and message. */
    public static final class EnrollmentRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int httpStatus;
        public final String errorType;

        EnrollmentRefused(int httpStatus, String errorType, String message) {
            super(errorType + ": " + message);
            this.httpStatus = httpStatus;
            this.errorType = errorType;
        }
    }

    /** The management server refused the session: the Status it gave the PC's SyncHdr, or an HTTP error. */
    public static final class SessionRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String status;

        SessionRefused(String status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** One OMA-DM session: how many messages each way, what the server asked, how long each request took (ns). */
    public record Session(int messages, List<String> commands, List<Long> requestNanos) {
    }

    private static final AtomicInteger SESSIONS = new AtomicInteger(new java.util.Random().nextInt(0x7000));

    private final String name;
    private final String deviceId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    private final String hardwareId = HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII), 0, 32);
    private final List<X509Certificate> trustedForEnrollment;
    private final Transport transport;
    private final Map<String, String> nodes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Integer> refused = new LinkedHashMap<>();
    private final List<byte[]> serverMessages = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> installedMsi = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile Codec codec = XML;
    private volatile boolean recordMessages;
    private volatile int keyBits;
    private volatile KeyPair givenKeys;

    private KeyPair keys;
    private X509Certificate identity;
    private List<X509Certificate> roots = List.of();
    private SSLContext tls;
    private String managementUrl;
    private URI enrollmentUrl;
    private Map<String, String> renewal = Map.of();
    private String providerId;
    private String defaultEncoding;
    private Map<String, String> poll = Map.of();
    private boolean enrolled;
    private boolean wiped;
    private int reboots;

    /**
     * @param trustedForEnrollment certificates the PC trusts for the enrollment server's TLS certificate (a real
     *                             PC trusts public CAs; a test server's certificate comes from Mooring's own CA)
     */
    public WindowsPc(String name, List<X509Certificate> trustedForEnrollment, Transport transport) {
        this.name = name;
        this.trustedForEnrollment = List.copyOf(trustedForEnrollment);
        this.transport = transport == null ? WindowsPc::https : transport;
        nodes.put("./DevInfo/DevId", deviceId);
        nodes.put("./DevInfo/Man", "Contoso Computers");
        nodes.put("./DevInfo/Mod", "Surface Laptop 5");
        nodes.put("./DevInfo/DmV", "1.3");
        nodes.put("./DevInfo/Lang", "en-US");
        nodes.put("./DevDetail/SwV", "10.0.22631.2861");
        nodes.put("./DevDetail/HwV", "1.0");
        nodes.put("./DevDetail/FwV", "124.3.0");
        nodes.put("./DevDetail/OEM", "Contoso Computers");
        nodes.put("./DevDetail/DevTyp", "Laptop");
        nodes.put("./DevDetail/Ext/Microsoft/OSPlatform", "Windows 11 Enterprise");
        nodes.put("./DevDetail/Ext/Microsoft/DeviceName", name);
        nodes.put("./DevDetail/Ext/Microsoft/ProcessorArchitecture", "9");
        nodes.put("./DevDetail/Ext/Microsoft/TotalStorage", "486330");
        nodes.put("./DevDetail/Ext/Microsoft/TotalRAM", "16384");
        nodes.put("./DevDetail/Ext/Microsoft/SMBIOSSerialNumber", "SN" + deviceId.substring(0, 8));
        nodes.put("./Vendor/MSFT/DeviceStatus/OS/Edition", "4");
        nodes.put("./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance", "0");
        nodes.put("./Vendor/MSFT/DeviceStatus/TPM/SpecificationVersion", "2.0");
        nodes.put("./Vendor/MSFT/DeviceStatus/Firewall/Status", "0");
        nodes.put("./Vendor/MSFT/DeviceStatus/Antivirus/Status", "0");
        nodes.put("./Vendor/MSFT/DeviceStatus/Antivirus/SignatureStatus", "0");
        nodes.put("./Vendor/MSFT/DeviceStatus/UAC/Status", "1");
        // a desktop: no battery node, so asking for it is a 404 as on such a PC
    }

    public WindowsPc useCodec(Codec codec) {
        this.codec = codec;
        return this;
    }

    /** Keeps every message the server sends in a session (for validation by a test). */
    public WindowsPc recordServerMessages(boolean record) {
        this.recordMessages = record;
        return this;
    }

    /** Answers {@code status} to any command on a node under {@code uriPrefix}, as a PC without that feature does. */
    public WindowsPc refuse(String uriPrefix, int status) {
        synchronized (refused) {
            refused.put(uriPrefix, status);
        }
        return this;
    }

    /**
     * Enrolls with this key pair instead of generating one: a load test's shortcut (RSA key generation is the
     * simulator's cost, not the server's); each PC still gets its own certificate.
     */
    public WindowsPc useKeyPair(KeyPair keys) {
        this.givenKeys = keys;
        return this;
    }

    /** The key size the PC generates regardless of the policy (to test a refused request). */
    public WindowsPc keyBits(int bits) {
        this.keyBits = bits;
        return this;
    }

    // ---------------------------------------------------------------- enrollment (MS-MDE2)

    /** Enrolls with the server whose discovery service is at {@code discoveryUrl}, as {@code user} with an enrollment token as password. */
    public void enroll(URI discoveryUrl, String user, String password) {
        enroll(discoveryUrl, user, password, null);
    }

    /**
     * @param csrSigner when not null, the certificate request is signed with this key instead of the PC's own
     *                  (a request whose signature does not match its key, which the server must refuse)
     */
    public void enroll(URI discoveryUrl, String user, String password, KeyPair csrSigner) {
        try {
            SSLSocketFactory enrollmentTls = context(trustedForEnrollment, null, null).getSocketFactory();
            Response probe = transport.post(discoveryUrl, null, null, enrollmentTls, null);
            if (probe.status() != 200) {
                throw new IllegalStateException("the discovery GET answered " + probe.status());
            }
            Element discover = soap(discoveryUrl, enrollmentTls, "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover", "",
                    "<Discover xmlns=\"http://schemas.microsoft.com/windows/management/2012/01/enrollment/\"><request xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
                            + "<EmailAddress>" + esc(user) + "</EmailAddress><OSEdition>4</OSEdition><RequestVersion>4.0</RequestVersion>"
                            + "<DeviceType>CIMClient_Windows</DeviceType><ApplicationVersion>10.0.22631.2861</ApplicationVersion>"
                            + "<AuthPolicies><AuthPolicy>OnPremise</AuthPolicy><AuthPolicy>Federated</AuthPolicy></AuthPolicies></request></Discover>");
            Element result = child(child(discover, "DiscoverResponse"), "DiscoverResult");
            if (!"OnPremise".equals(text(result, "AuthPolicy"))) {
                throw new IllegalStateException("the server does not offer OnPremise authentication");
            }
            URI policyUrl = URI.create(text(result, "EnrollmentPolicyServiceUrl"));
            URI enrollmentUrl = URI.create(text(result, "EnrollmentServiceUrl"));
            synchronized (this) {
                this.enrollmentUrl = enrollmentUrl;
            }
            String security = "<wsse:Security s:mustUnderstand=\"1\"><wsse:UsernameToken u:Id=\"uuid-" + UUID.randomUUID() + "-1\"><wsse:Username>"
                    + esc(user) + "</wsse:Username><wsse:Password wsse:Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText\">"
                    + esc(password) + "</wsse:Password></wsse:UsernameToken></wsse:Security>";
            Element policies = soap(policyUrl, enrollmentTls, "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies", security,
                    "<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"><client><lastUpdate xsi:nil=\"true\"/>"
                            + "<preferredLanguage xsi:nil=\"true\"/></client><requestFilter xsi:nil=\"true\"/></GetPolicies>");
            Element attributes = path(policies, "GetPoliciesResponse", "response", "policies", "policy", "attributes");
            int minimal = Integer.parseInt(text(path(attributes, "privateKeyAttributes"), "minimalKeyLength"));
            KeyPair pair = givenKeys;
            if (pair == null) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(keyBits > 0 ? keyBits : Math.max(minimal, 2048));
                pair = generator.generateKeyPair();
            }
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + UUID.randomUUID()), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build((csrSigner == null ? pair : csrSigner).getPrivate())).getEncoded();
            Element rstr = soap(enrollmentUrl, enrollmentTls, "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep", security,
                    requestSecurityToken("Issue", PKCS10, csr), null);
            Element token = path(rstr, "RequestSecurityTokenResponseCollection", "RequestSecurityTokenResponse", "RequestedSecurityToken",
                    "BinarySecurityToken");
            install(Base64.getMimeDecoder().decode(token.getTextContent().strip()), pair);
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("enrollment of " + name + " failed: " + e, e);
        }
    }

    /**
     * Renews the PC's identity as Windows does on its own before it expires (ROBO): a new key, its PKCS#10 inside a
     * PKCS#7 signed with the current identity, sent to the enrollment service over TLS authenticated by that
     * identity; the answer's provisioning document is installed like an enrollment's.
     */
    public void renew() {
        X509Certificate current;
        KeyPair currentKeys;
        synchronized (this) {
            current = identity;
            currentKeys = keys;
        }
        renew(currentKeys, current);
    }

    /** As {@link #renew()}, with the PKCS#7 signed by this key and certificate (a request the server must refuse unless they are the PC's own). */
    public void renew(KeyPair signerKeys, X509Certificate signer) {
        URI url;
        SSLContext connection;
        X509Certificate current;
        synchronized (this) {
            if (!enrolled || enrollmentUrl == null) {
                throw new IllegalStateException(name + " is not enrolled");
            }
            url = enrollmentUrl;
            current = identity;
            List<X509Certificate> trusted = new ArrayList<>(trustedForEnrollment);
            trusted.addAll(roots);
            try {
                connection = context(trusted, keys, identity);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(keyBits > 0 ? keyBits : 2048);
            KeyPair pair = generator.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + UUID.randomUUID()), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())).getEncoded();
            org.bouncycastle.cms.CMSSignedDataGenerator p7 = new org.bouncycastle.cms.CMSSignedDataGenerator();
            p7.addSignerInfoGenerator(new org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder(
                    new org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder().build())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(signerKeys.getPrivate()), signer));
            p7.addCertificate(new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(signer));
            byte[] signed = p7.generate(new org.bouncycastle.cms.CMSProcessableByteArray(csr), true).getEncoded();
            // no credential in the SOAP header: the TLS client certificate is the authentication
            Element rstr = soap(url, connection.getSocketFactory(), "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep", "",
                    requestSecurityToken("Renew", PKCS7, signed), current);
            Element token = path(rstr, "RequestSecurityTokenResponseCollection", "RequestSecurityTokenResponse", "RequestedSecurityToken",
                    "BinarySecurityToken");
            install(Base64.getMimeDecoder().decode(token.getTextContent().strip()), pair);
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                | org.bouncycastle.cms.CMSException e) {
            throw new IllegalStateException("renewal of " + name + " failed: " + e, e);
        }
    }

    /** The WS-Trust request of an enrollment or a renewal, with the PC's AdditionalContext. */
    private String requestSecurityToken(String requestType, String valueType, byte[] token) {
        StringBuilder context = new StringBuilder();
        Map<String, String> items = new LinkedHashMap<>();
        items.put("UXInitiated", "true");
        items.put("HWDevID", hardwareId);
        items.put("Locale", "en-US");
        items.put("TargetedUserLoggedIn", "true");
        items.put("OSEdition", "4");
        items.put("DeviceName", name);
        items.put("MAC", "00-15-5D-00-00-01");
        items.put("DeviceID", deviceId);
        items.put("EnrollmentType", "Full");
        items.put("DeviceType", "CIMClient_Windows");
        items.put("OSVersion", nodes.get("./DevDetail/SwV"));
        items.put("ApplicationVersion", nodes.get("./DevDetail/SwV"));
        items.forEach((k, v) -> context.append("<ac:ContextItem Name=\"").append(k).append("\"><ac:Value>").append(esc(v)).append("</ac:Value></ac:ContextItem>"));
        return "<wst:RequestSecurityToken><wst:TokenType>" + TOKEN_TYPE + "</wst:TokenType><wst:RequestType>"
                + "http://docs.oasis-open.org/ws-sx/ws-trust/200512/" + requestType + "</wst:RequestType><wsse:BinarySecurityToken ValueType=\""
                + valueType + "\" EncodingType=\"" + WSSE + "#base64binary\">" + Base64.getEncoder().encodeToString(token) + "</wsse:BinarySecurityToken>"
                + "<ac:AdditionalContext xmlns=\"http://schemas.xmlsoap.org/ws/2006/12/authorization\">" + context + "</ac:AdditionalContext>"
                + "</wst:RequestSecurityToken>";
    }

    /** The provisioning document: trusted roots, the identity (which must be for the PC's own key), w7 APPLICATION, DMClient. */
    private void install(byte[] provisioningDoc, KeyPair pair) throws GeneralSecurityException, IOException {
        Element doc = parse(provisioningDoc).getDocumentElement();
        if (!"wap-provisioningdoc".equals(doc.getTagName())) {
            throw new IllegalStateException("the token is not a wap-provisioningdoc");
        }
        List<X509Certificate> newRoots = new ArrayList<>();
        X509Certificate mine = null;
        Map<String, String> renew = new LinkedHashMap<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Element store : characteristics(doc, "CertificateStore")) {
            for (Element kind : children(store, "characteristic")) {
                String type = kind.getAttribute("type");
                for (Element location : children(kind, "characteristic")) {
                    if (type.equals("My") && location.getAttribute("type").equals("WSTEP")) {
                        // My/WSTEP/Renew: whether and when the PC renews its identity on its own
                        children(location, "characteristic").stream().filter(c -> c.getAttribute("type").equals("Renew")).findFirst()
                                .ifPresent(r -> children(r, "parm").forEach(p -> renew.put(p.getAttribute("name"), p.getAttribute("value"))));
                        continue;
                    }
                    for (Element entry : children(location, "characteristic")) {
                        String encoded = parm(entry, "EncodedCertificate");
                        if (encoded == null) {
                            continue;
                        }
                        X509Certificate cert = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(encoded)));
                        if (!thumbprint(cert).equals(entry.getAttribute("type"))) {
                            throw new IllegalStateException("certificate " + entry.getAttribute("type") + " is filed under another thumbprint");
                        }
                        if (type.equals("Root") || type.equals("CA")) {
                            newRoots.add(cert);
                        } else if (type.equals("My")) {
                            mine = cert;
                        }
                    }
                }
            }
        }
        if (mine == null || !mine.getPublicKey().equals(pair.getPublic())) {
            throw new IllegalStateException("the provisioning document holds no identity for this PC's key");
        }
        Element application = characteristics(doc, "APPLICATION").stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no w7 APPLICATION characteristic"));
        if (!"w7".equals(parm(application, "APPID"))) {
            throw new IllegalStateException("APPLICATION is not w7");
        }
        String address = parm(application, "ADDR");
        String provider = parm(application, "PROVIDER-ID");
        Element dmClient = characteristics(doc, "DMClient").stream().findFirst().orElseThrow(() -> new IllegalStateException("no DMClient"));
        Element providerNode = children(children(dmClient, "characteristic").get(0), "characteristic").stream()
                .filter(e -> e.getAttribute("type").equals(provider)).findFirst()
                .orElseThrow(() -> new IllegalStateException("DMClient has no provider " + provider));
        Map<String, String> schedule = new LinkedHashMap<>();
        for (Element p : children(children(providerNode, "characteristic").get(0), "parm")) {
            schedule.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        synchronized (this) {
            this.keys = pair;
            this.identity = mine;
            this.roots = List.copyOf(newRoots);
            this.managementUrl = address;
            this.providerId = provider;
            this.defaultEncoding = parm(application, "DEFAULTENCODING");
            this.poll = Map.copyOf(schedule);
            this.renewal = Map.copyOf(renew);
            this.tls = context(newRoots, pair, mine);
            this.enrolled = true;
        }
    }

    private Element soap(URI uri, SSLSocketFactory context, String action, String security, String body) throws IOException {
        return soap(uri, context, action, security, body, null);
    }

    private Element soap(URI uri, SSLSocketFactory context, String action, String security, String body, X509Certificate clientCertificate)
            throws IOException {
        String envelope = "<s:Envelope xmlns:s=\"" + SOAP12 + "\" xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\""
                + " xmlns:wsse=\"" + WSSE + "\" xmlns:wst=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\" xmlns:ac=\"http://schemas.xmlsoap.org/ws/2006/12/authorization\">"
                + "<s:Header><a:Action s:mustUnderstand=\"1\">" + action + "</a:Action><a:MessageID>urn:uuid:" + UUID.randomUUID() + "</a:MessageID>"
                + "<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand=\"1\">" + esc(uri.toString())
                + "</a:To>" + security + "</s:Header><s:Body xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
                + body + "</s:Body></s:Envelope>";
        Response response = transport.post(uri, "application/soap+xml; charset=utf-8", envelope.getBytes(StandardCharsets.UTF_8), context,
                clientCertificate);
        Element root;
        try {
            root = parse(response.body()).getDocumentElement();
        } catch (IOException e) {
            throw new IllegalStateException(uri + " answered " + response.status() + " with no SOAP envelope: " + response.text());
        }
        Element responseBody = child(root, "Body");
        Element fault = child(responseBody, "Fault");
        if (fault != null) {
            Element error = path(fault, "Detail", "DeviceEnrollmentServiceError");
            throw new EnrollmentRefused(response.status(), text(error, "ErrorType"), text(error, "Message"));
        }
        if (response.status() != 200) {
            throw new IllegalStateException(uri + " answered " + response.status());
        }
        return responseBody;
    }

    // ---------------------------------------------------------------- management (OMA-DM)

    /** One OMA-DM session, started by the PC (Alert 1201) as on its poll schedule. */
    public Session sync() {
        return session("1201", null);
    }

    /** The session Windows runs after its user removed the work account: a generic alert that says so (Alert 1226). */
    public Session reportUserUnenrollment() {
        return session("1226", "com.microsoft:mdm.unenrollment.userrequest");
    }

    /**
     * Sends one hand-made message (for tests of refusals) in the PC's encoding and returns the server's answer
     * as XML, or the HTTP error.
     */
    public Response send(String syncMlXml) {
        return send(syncMlXml, tls.getSocketFactory());
    }

    private Response send(String syncMlXml, SSLSocketFactory connection) {
        try {
            byte[] wire = codec.encode(syncMlXml.getBytes(StandardCharsets.UTF_8));
            Response r = transport.post(URI.create(managementUrl), codec.contentType(), wire, connection, identity);
            return r.status() == 200 ? new Response(200, XML_TYPE, codec.decode(r.body())) : r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Session session(String alert, String alertType) {
        if (!enrolled) {
            throw new IllegalStateException(name + " is not enrolled");
        }
        String sessionId = Integer.toHexString(SESSIONS.incrementAndGet() & 0xFFFF).toUpperCase(Locale.ROOT);
        int msgId = 1;
        List<String> asked = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        body.append("<Alert><CmdID>1</CmdID><Data>").append(alert).append("</Data>");
        if (alertType != null) {
            body.append("<Item><Meta><Type xmlns=\"syncml:metinf\">").append(alertType).append("</Type><Format xmlns=\"syncml:metinf\">int</Format></Meta><Data>1</Data></Item>");
        }
        body.append("</Alert><Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta><Type xmlns=\"syncml:metinf\">com.microsoft/MDM/LoginStatus</Type>"
                + "<Format xmlns=\"syncml:metinf\">chr</Format></Meta><Data>user</Data></Item></Alert><Replace><CmdID>3</CmdID>");
        for (String node : List.of("./DevInfo/DevId", "./DevInfo/Man", "./DevInfo/Mod", "./DevInfo/DmV", "./DevInfo/Lang")) {
            body.append("<Item><Source><LocURI>").append(node).append("</LocURI></Source><Data>").append(esc(nodes.get(node))).append("</Data></Item>");
        }
        body.append("</Replace><Final/>");
        int messages = 0;
        List<Long> nanos = new ArrayList<>();
        SSLSocketFactory connection = tls.getSocketFactory();
        while (true) {
            String xml = "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>" + sessionId + "</SessionID>"
                    + "<MsgID>" + msgId + "</MsgID><Target><LocURI>" + esc(managementUrl) + "</LocURI></Target><Source><LocURI>" + deviceId
                    + "</LocURI></Source><Meta><MaxMsgSize xmlns=\"syncml:metinf\">524288</MaxMsgSize></Meta></SyncHdr><SyncBody>" + body + "</SyncBody></SyncML>";
            long t0 = System.nanoTime();
            Response response = send(xml, connection);
            nanos.add(System.nanoTime() - t0);
            messages++;
            if (response.status() != 200) {
                throw new SessionRefused(Integer.toString(response.status()), "HTTP " + response.status() + ": " + response.text().strip());
            }
            if (recordMessages) {
                serverMessages.add(response.body());
            }
            Element root;
            try {
                root = parse(response.body()).getDocumentElement();
            } catch (IOException e) {
                throw new IllegalStateException("the server's SyncML is not well-formed: " + e.getMessage());
            }
            Element hdr = child(root, "SyncHdr");
            Element syncBody = child(root, "SyncBody");
            if (!sessionId.equals(text(hdr, "SessionID")) || !deviceId.equals(text(child(hdr, "Target"), "LocURI"))) {
                throw new IllegalStateException("the server's SyncHdr does not answer this session");
            }
            String serverMsg = text(hdr, "MsgID");
            body.setLength(0);
            body.append(status(1, serverMsg, "0", "SyncHdr", null, 200));
            int reply = 2;
            boolean commands = false;
            boolean moreWanted = false;
            for (Element c : children(syncBody, null)) {
                String cmd = c.getLocalName();
                if (cmd.equals("Status")) {
                    if ("SyncHdr".equals(text(c, "Cmd")) && !"200".equals(text(c, "Data")) && !"212".equals(text(c, "Data"))) {
                        throw new SessionRefused(text(c, "Data"), "the server answered the session with status " + text(c, "Data"));
                    }
                    continue;
                }
                if (cmd.equals("Final")) {
                    continue;
                }
                if (cmd.equals("Alert") && "1222".equals(text(c, "Data"))) {
                    moreWanted = true;
                    continue;
                }
                commands = true;
                reply = execute(c, serverMsg, reply, body, asked);
            }
            if (!commands && !moreWanted) {
                return new Session(messages, asked, nanos);
            }
            body.append("<Final/>");
            msgId++;
        }
    }

    /** Runs one server command, appending its Status (and Results); returns the next CmdID. */
    private int execute(Element c, String msgRef, int cmdId, StringBuilder out, List<String> asked) {
        String verb = c.getLocalName();
        String ref = text(c, "CmdID");
        if (verb.equals("Atomic")) {
            asked.add("Atomic");
            Map<String, String> before;
            synchronized (nodes) {
                before = new LinkedHashMap<>(nodes);
            }
            List<Element> inner = children(c, null).stream().filter(e -> !Set.of("CmdID", "Meta", "NoResp").contains(e.getLocalName())).toList();
            List<int[]> codes = new ArrayList<>();
            StringBuilder results = new StringBuilder();
            boolean ok = true;
            for (Element e : inner) {
                int code = apply(e, results, msgRef, asked);
                codes.add(new int[] {code});
                ok &= code >= 200 && code < 300;
                if (!ok) {
                    break;
                }
            }
            if (!ok) {
                synchronized (nodes) {
                    nodes.clear();
                    nodes.putAll(before);
                }
            }
            out.append(status(cmdId++, msgRef, ref, "Atomic", null, ok ? 200 : 507));
            for (int i = 0; i < inner.size(); i++) {
                Element e = inner.get(i);
                int code = i < codes.size() ? codes.get(i)[0] : 215;
                if (!ok && code >= 200 && code < 300) {
                    code = 216;
                }
                out.append(status(cmdId++, msgRef, text(e, "CmdID"), e.getLocalName(), target(e), code));
            }
            return cmdId;
        }
        StringBuilder results = new StringBuilder();
        int code = apply(c, results, msgRef, asked);
        out.append(status(cmdId++, msgRef, ref, verb, target(c), code));
        if (results.length() > 0) {
            out.append(results.toString().replace("<CmdID>?</CmdID>", "<CmdID>" + cmdId++ + "</CmdID>"));
        }
        return cmdId;
    }

    private int apply(Element c, StringBuilder results, String msgRef, List<String> asked) {
        String verb = c.getLocalName();
        Element item = child(c, "Item");
        String uri = target(c);
        asked.add(verb + " " + uri);
        if (uri == null) {
            return 400;
        }
        Integer refusal = refusal(uri);
        if (refusal != null) {
            return refusal;
        }
        String data = item == null ? null : text(item, "Data");
        switch (verb) {
            case "Get" -> {
                String value = nodes.get(uri);
                if (value == null) {
                    return 404;
                }
                results.append("<Results><CmdID>?</CmdID><MsgRef>").append(msgRef).append("</MsgRef><CmdRef>").append(text(c, "CmdID"))
                        .append("</CmdRef><Item><Source><LocURI>").append(esc(uri)).append("</LocURI></Source><Meta><Format xmlns=\"syncml:metinf\">chr</Format></Meta><Data>")
                        .append(esc(value)).append("</Data></Item></Results>");
                return 200;
            }
            case "Add", "Replace" -> {
                if (!writable(uri)) {
                    return uri.startsWith("./DevInfo") || uri.startsWith("./DevDetail") || uri.startsWith("./Vendor/MSFT/DeviceStatus") ? 405 : 404;
                }
                if (verb.equals("Add") && nodes.containsKey(uri) && !uri.endsWith("/DownloadInstall")) {
                    return 418;
                }
                nodes.put(uri, data == null ? "" : data);
                if (uri.equals("./Device/Vendor/MSFT/BitLocker/RequireDeviceEncryption") && "1".equals(data)) {
                    nodes.put("./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance", "1");
                }
                return 200;
            }
            case "Delete" -> {
                return nodes.remove(uri) == null ? 404 : 200;
            }
            case "Exec" -> {
                return exec(uri, data);
            }
            default -> {
                return 406;
            }
        }
    }

    private int exec(String uri, String data) {
        if (uri.equals("./Device/Vendor/MSFT/RemoteWipe/doWipe") || uri.equals("./Device/Vendor/MSFT/RemoteWipe/doWipeProtected")) {
            wiped = true;
            return 200;
        }
        if (uri.equals("./Device/Vendor/MSFT/Reboot/RebootNow")) {
            reboots++;
            return 200;
        }
        if (uri.equals("./Vendor/MSFT/DMClient/Unenroll")) {
            if (!providerId.equals(data)) {
                return 400;
            }
            enrolled = false;
            return 200;
        }
        if (uri.startsWith("./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/") && uri.endsWith("/DownloadInstall")) {
            if (!nodes.containsKey(uri) || data == null) {
                return 404;
            }
            try {
                Element job = parse(data.getBytes(StandardCharsets.UTF_8)).getDocumentElement();
                String id = job.getAttribute("id");
                String url = text(path(job, "Product", "Download", "ContentURLList"), "ContentURL");
                if (!job.getTagName().equals("MsiInstallJob") || url == null || text(path(job, "Product", "Validation"), "FileHash") == null
                        || !uri.contains(java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))) {
                    return 400;
                }
                installedMsi.add(id);
                return 202;
            } catch (IOException e) {
                return 400;
            }
        }
        return 404;
    }

    private static boolean writable(String uri) {
        return uri.startsWith("./Device/Vendor/MSFT/Policy/Config/") || uri.startsWith("./Vendor/MSFT/Policy/Config/")
                || uri.startsWith("./Device/Vendor/MSFT/WiFi/Profile/") || uri.startsWith("./Vendor/MSFT/VPNv2/")
                || uri.startsWith("./Device/Vendor/MSFT/VPNv2/") || uri.startsWith("./Device/Vendor/MSFT/BitLocker/")
                || uri.startsWith("./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/") || uri.startsWith("./Vendor/MSFT/DMClient/Provider/");
    }

    private Integer refusal(String uri) {
        synchronized (refused) {
            for (Map.Entry<String, Integer> e : refused.entrySet()) {
                if (uri.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    private static String target(Element command) {
        Element item = child(command, "Item");
        return item == null ? null : text(child(item, "Target"), "LocURI");
    }

    private static String status(int cmdId, String msgRef, String cmdRef, String cmd, String targetRef, int code) {
        return "<Status><CmdID>" + cmdId + "</CmdID><MsgRef>" + msgRef + "</MsgRef><CmdRef>" + cmdRef + "</CmdRef><Cmd>" + cmd + "</Cmd>"
                + (targetRef == null ? "" : "<TargetRef>" + esc(targetRef) + "</TargetRef>") + "<Data>" + code + "</Data></Status>";
    }

    // ---------------------------------------------------------------- state, for tests

    public String name() {
        return name;
    }

    /** The DeviceID the PC enrolled with and names itself by in SyncML (DevInfo/DevId). */
    public String deviceId() {
        return deviceId;
    }

    public synchronized X509Certificate identity() {
        return identity;
    }

    public synchronized List<X509Certificate> roots() {
        return roots;
    }

    public synchronized String managementUrl() {
        return managementUrl;
    }

    public synchronized String defaultEncoding() {
        return defaultEncoding;
    }

    /** The provisioning document's renewal settings (My/WSTEP/Renew: ROBOSupport, RenewPeriod, RetryInterval). */
    public synchronized Map<String, String> renewalSettings() {
        return renewal;
    }

    public synchronized Map<String, String> pollSchedule() {
        return poll;
    }

    public synchronized boolean enrolled() {
        return enrolled;
    }

    public synchronized boolean wiped() {
        return wiped;
    }

    public synchronized int reboots() {
        return reboots;
    }

    public Set<String> installedMsi() {
        return Set.copyOf(installedMsi);
    }

    /** The value of one node of the PC's tree (what a policy set), or null. */
    /** The MDM provider id the enrollment's provisioning document named (DMClient's node under Provider). */
    public synchronized String providerId() {
        return providerId;
    }

    public String node(String uri) {
        return nodes.get(uri);
    }

    public List<byte[]> serverMessages() {
        return List.copyOf(serverMessages);
    }

    // ---------------------------------------------------------------- plumbing

    private static SSLContext context(List<X509Certificate> trusted, KeyPair key, X509Certificate cert) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate c : trusted) {
            trust.setCertificateEntry("trusted-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (key != null) {
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry("identity", key.getPrivate(), new char[0], new java.security.cert.Certificate[] {cert});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * The last certificate of the chain a TLS server presents (its root, for a test server whose certificate
     * Mooring's own CA issued): what an IT department installs so its PCs trust the enrollment server.
     * Retries until the server answers or a minute has passed.
     */
    public static X509Certificate rootServedAt(String host, int port) {
        try {
            SSLContext any = SSLContext.getInstance("TLS");
            any.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // the chain is only read here; PCs verify it against what they then trust
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (true) {
                try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) any.getSocketFactory().createSocket()) {
                    socket.connect(new java.net.InetSocketAddress(host, port), 2000);
                    socket.startHandshake();
                    java.security.cert.Certificate[] chain = socket.getSession().getPeerCertificates();
                    return (X509Certificate) chain[chain.length - 1];
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(250);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("no TLS server answers at " + host + ":" + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An OMA-DM message over HTTPS without a client certificate (what an unenrolled machine or an attacker sends). */
    public static Response postWithoutCertificate(URI uri, String syncMlXml, List<X509Certificate> trusted) {
        try {
            return https(uri, XML_TYPE, syncMlXml.getBytes(StandardCharsets.UTF_8), context(trusted, null, null).getSocketFactory(), null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HTTPS (or plain HTTP) with this PC's TLS context: a GET when there is no body. */
    static Response https(URI uri, String contentType, byte[] body, SSLSocketFactory tls, X509Certificate clientCertificate) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection secure && tls != null) {
            secure.setSSLSocketFactory(tls);
        }
        connection.setConnectTimeout((int) Duration.ofSeconds(10).toMillis());
        connection.setReadTimeout((int) Duration.ofSeconds(30).toMillis());
        connection.setRequestProperty("User-Agent", "MSFT OMA DM Client/1.2.0.1");
        if (body != null) {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", contentType);
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
        if (in != null) {
            in.close();
        }
        return new Response(status, connection.getContentType(), bytes);
    }

    private static final DocumentBuilderFactory DOM = dom();

    private static DocumentBuilderFactory dom() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            // a WBXML decoder writes SyncML's DOCTYPE back; it is read, never fetched, and no entity is expanded
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        f.setNamespaceAware(true);
        f.setExpandEntityReferences(false);
        return f;
    }

    static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilder b = DOM.newDocumentBuilder();
            b.setErrorHandler(null);
            b.setEntityResolver((p, s) -> new InputSource(new StringReader("")));
            return b.parse(new ByteArrayInputStream(xml));
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static List<Element> characteristics(Element doc, String type) {
        return children(doc, "characteristic").stream().filter(e -> e.getAttribute("type").equals(type)).toList();
    }

    private static String parm(Element characteristic, String name) {
        for (Element p : children(characteristic, "parm")) {
            if (p.getAttribute("name").equals(name)) {
                return p.getAttribute("value");
            }
        }
        return null;
    }

    /** Child elements by local name; {@code null} takes them all. */
    static List<Element> children(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (localName == null || localName.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName()))) {
                out.add(e);
            }
        }
        return out;
    }

    static Element child(Element parent, String localName) {
        List<Element> all = children(parent, localName);
        return all.isEmpty() ? null : all.get(0);
    }

    static Element path(Element parent, String... names) {
        Element e = parent;
        for (String n : names) {
            e = child(e, n);
        }
        return e;
    }

    static String text(Element parent, String localName) {
        Element e = child(parent, localName);
        return e == null ? null : e.getTextContent().strip();
    }

    static String thumbprint(X509Certificate cert) throws GeneralSecurityException {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
