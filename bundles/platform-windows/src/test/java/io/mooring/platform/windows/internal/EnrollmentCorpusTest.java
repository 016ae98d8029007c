package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import io.mooring.api.Device;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Microsoft's on-premise enrollment sample (MS-MDE2 discovery, MS-XCEP GetPolicies, MS-WSTEP
 * RequestSecurityToken, the wap-provisioningdoc) against the enrollment services: Microsoft's requests are
 * accepted as written, and every element of Microsoft's sample responses has its counterpart in Mooring's.
 * Structures are compared by local names: the samples mix SOAP versions and namespace spellings and
 * indent their text.
 */
class EnrollmentCorpusTest {
    private static final String SAMPLES = "windows-mde2/msdocs-onprem/";
    /** What 05 holds where a PC puts its certificate request. */
    private static final String CSR_PLACEHOLDER = "DER format PKCS#10 certificate request in Base64 encoding Insterted Here";
    /** 05's WS-Security password, which Mooring takes as the enrollment token. */
    private static final String SAMPLE_PASSWORD = "mypassword";
    /** Windows names certificates in its stores by their SHA-1 thumbprint. */
    private static final Pattern THUMBPRINT = Pattern.compile("[0-9A-Fa-f]{40}");

    @Test
    void discoveryAcceptsMicrosoftsDiscoverAndAnswersWithEverythingOfTheSampleResponse() throws Exception {
        Testbed bed = new Testbed(20);
        byte[] request = Corpus.bytes(SAMPLES + "01-discovery-request.xml");

        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Discovery.svc", request);

        assertThat(answer.status()).as(text(answer)).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/soap+xml");
        Element ours = parse(answer.body());
        Element sample = parse(Corpus.bytes(SAMPLES + "02-discovery-response.xml"));
        assertThat(localNamePaths(ours)).containsAll(localNamePaths(sample));
        assertThat(path(ours, "Body", "DiscoverResponse").getNamespaceURI()).isEqualTo(path(sample, "Body", "DiscoverResponse").getNamespaceURI());
        Element result = path(ours, "Body", "DiscoverResponse", "DiscoverResult");
        assertThat(text(result, "AuthPolicy")).isEqualTo(text(sample, "Body", "DiscoverResponse", "DiscoverResult", "AuthPolicy"));
        assertThat(text(result, "EnrollmentVersion")).as("the version 01 asks for").isEqualTo(text(parse(request), "Body", "Discover", "request",
                "RequestVersion"));
        assertThat(text(result, "EnrollmentPolicyServiceUrl")).isEqualTo(Testbed.SERVER + "/EnrollmentServer/Policy.svc");
        assertThat(text(result, "EnrollmentServiceUrl")).isEqualTo(Testbed.SERVER + "/EnrollmentServer/Enrollment.svc");
        // 01's MessageID has a stray space after "urn:uuid:"; the answer relates to it exactly as sent
        assertThat(text(ours, "Header", "RelatesTo")).isEqualTo(text(parse(request), "Header", "MessageID")).contains("urn:uuid: ");
        assertThat(bed.core.devices).isEmpty();
    }

    @Test
    void thePolicyServiceAcceptsMicrosoftsGetPoliciesAndAnswersWithEverythingOfTheSampleResponse() throws Exception {
        Testbed bed = new Testbed(20);

        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Policy.svc", Corpus.bytes(SAMPLES + "03-xcep-getpolicies-request.xml"));

        assertThat(answer.status()).as(text(answer)).isEqualTo(200);
        Element ours = parse(answer.body());
        assertThat(localNamePaths(ours)).containsAll(localNamePaths(parse(Corpus.bytes(SAMPLES + "04-xcep-getpolicies-response.xml"))));
        Element response = path(ours, "Body", "GetPoliciesResponse");
        Element attributes = path(response, "response", "policies", "policy", "attributes");
        assertThat(text(attributes, "privateKeyAttributes", "minimalKeyLength")).isEqualTo("2048");
        assertThat(Long.parseLong(text(attributes, "certificateValidity", "validityPeriodSeconds")))
                .isEqualTo(bed.core.policy().validity().toSeconds());
        // the hash algorithm the policy names by reference is one of the answer's oIDs
        assertThat(SafeXml.children(path(response, "oIDs"), "oID")).anySatisfy(oid -> assertThat(text(oid, "oIDReferenceID"))
                .isEqualTo(text(attributes, "hashAlgorithmOIDReference")));
        assertThat(bed.core.devices).isEmpty();
    }

    @Test
    void theEnrollmentServiceIssuesMicrosoftsRequestAProvisioningDocWithEverythingOfTheSampleDoc() throws Exception {
        Testbed bed = new Testbed(20);
        KeyPair key = rsa2048();
        String token = bed.core.token(1);
        byte[] request = rst(csr(key), token).getBytes(StandardCharsets.UTF_8);

        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Enrollment.svc", request);

        assertThat(answer.status()).as(text(answer)).isEqualTo(200);
        Element ours = parse(answer.body());
        Element sample = parse(Corpus.bytes(SAMPLES + "06-wstep-rstr-response.xml"));
        assertThat(localNamePaths(ours)).containsAll(localNamePaths(sample));
        assertThat(text(ours, "Header", "RelatesTo")).isEqualTo(text(parse(request), "Header", "MessageID"));
        String[] binaryTokenPath = {"Body", "RequestSecurityTokenResponseCollection", "RequestSecurityTokenResponse", "RequestedSecurityToken",
            "BinarySecurityToken"};
        Element binaryToken = path(ours, binaryTokenPath);
        assertThat(binaryToken.getAttribute("ValueType")).isEqualTo(path(sample, binaryTokenPath).getAttribute("ValueType").strip());
        assertThat(binaryToken.getAttribute("EncodingType")).isEqualTo(path(sample, binaryTokenPath).getAttribute("EncodingType").strip());

        Element doc = parse(Base64.getMimeDecoder().decode(binaryToken.getTextContent().strip()));
        Element sampleDoc = parse(Corpus.bytes(SAMPLES + "07-wap-provisioningdoc.xml"));
        Set<String> expected = provisioningPaths(sampleDoc);
        // Mooring authenticates PCs by the TLS client certificate it issued them, not by OMA-DM digest or basic
        // credentials, so it has no use for the sample's APPAUTH characteristics and leaves them out
        expected.removeIf(p -> p.contains("characteristic[APPAUTH]"));
        Set<String> actual = provisioningPaths(doc);
        assertThat(actual).containsAll(expected).noneMatch(p -> p.contains("characteristic[APPAUTH]"));
        assertThat(xpath(doc, "characteristic[@type='APPLICATION']/parm[@name='PROVIDER-ID']/@value")).isEqualTo("Mooring");
        assertThat(xpath(doc, "characteristic[@type='APPLICATION']/parm[@name='ADDR']/@value")).isEqualTo(Testbed.SERVER + "/ManagementServer/MDM.svc");

        // the identity goes where the sample's does (My\User: 05 enrolls a user, EnrollmentType Full), for the CSR's key
        Element identityNode = only(doc, "characteristic[@type='CertificateStore']/characteristic[@type='My']/characteristic[@type='User']"
                + "/characteristic[parm/@name='EncodedCertificate']");
        X509Certificate identity = certificate(xpath(identityNode, "parm[@name='EncodedCertificate']/@value"));
        assertThat(identity.getPublicKey().getEncoded()).isEqualTo(key.getPublic().getEncoded());
        identity.verify(bed.core.ca.getPublicKey());
        assertThat(identityNode.getAttribute("type")).isEqualTo(thumbprint(identity));
        // the store the PC finds its identity in is named as in the sample (whose "&amp;amp;" before it is a quirk of the page)
        String sampleCriteria = xpath(sampleDoc, "characteristic[@type='APPLICATION']/parm[@name='SSLCLIENTCERTSEARCHCRITERIA']/@value");
        assertThat(xpath(doc, "characteristic[@type='APPLICATION']/parm[@name='SSLCLIENTCERTSEARCHCRITERIA']/@value")).startsWith("Subject=")
                .endsWith("&" + sampleCriteria.substring(sampleCriteria.indexOf("Stores=")));
        Element root = only(doc, "characteristic[@type='CertificateStore']/characteristic[@type='Root']/characteristic[@type='System']/characteristic");
        assertThat(certificate(xpath(root, "parm[@name='EncodedCertificate']/@value"))).isEqualTo(bed.core.ca);
        assertThat(root.getAttribute("type")).isEqualTo(thumbprint(bed.core.ca));

        // 05's AdditionalContext made the device record, and the token was spent
        Device device = bed.core.only();
        assertThat(device.description().name()).isEqualTo("MY_WINDOWS_DEVICE");
        assertThat(device.description().osVersion()).isEqualTo("10.0.9999.0");
        assertThat(device.description().hardwareId()).isEqualTo("7BA748C8-703E-4DF2-A74A-92984117346A");
        assertThat(attribute(bed, device, EnrollmentProtocol.ATTR_USER)).isEqualTo("user@contoso.com");
        assertThat(attribute(bed, device, EnrollmentProtocol.ATTR_DEVICE_ID)).isEqualTo("7BA748C8-703E-4DF2-A74A-92984117346A");
        assertThat(attribute(bed, device, EnrollmentProtocol.ATTR_IDENTITY)).isEqualTo(identity.getSerialNumber().toString(16));
        assertThat(xpath(doc, "characteristic[@type='DMClient']/characteristic[@type='Provider']/characteristic[@type='Mooring']"
                + "/parm[@name='EntDeviceName']/@value")).isEqualTo("MY_WINDOWS_DEVICE");
        assertThat(bed.core.tokens.get(token)[0]).isZero();
    }

    @Test
    void aDiscoverOfferingOnlyFederatedAuthenticationIsRefusedAsAuthorization() throws Exception {
        Testbed bed = new Testbed(20);
        String sample = Corpus.text(SAMPLES + "01-discovery-request.xml");
        assertThat(sample).contains("<AuthPolicy>OnPremise</AuthPolicy>");
        byte[] federated = sample.replace("<AuthPolicy>OnPremise</AuthPolicy>", "<AuthPolicy>Federated</AuthPolicy>").getBytes(StandardCharsets.UTF_8);

        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Discovery.svc", federated);

        assertThat(answer.status()).isEqualTo(500);
        assertThat(errorType(answer)).isEqualTo("Authorization");
        assertThat(bed.core.devices).isEmpty();
    }

    @Test
    void aRequestWithAPasswordThatIsNoEnrollmentTokenIsRefusedAsAuthentication() throws Exception {
        Testbed bed = new Testbed(20);
        String token = bed.core.token(1);

        // 05 as Microsoft wrote it, password included, with a real certificate request
        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Enrollment.svc",
                rst(csr(rsa2048()), SAMPLE_PASSWORD).getBytes(StandardCharsets.UTF_8));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(errorType(answer)).isEqualTo("Authentication");
        assertThat(bed.core.devices).isEmpty();
        assertThat(bed.core.issued).isEmpty();
        assertThat(bed.core.tokens.get(token)[0]).isEqualTo(1);
    }

    @Test
    void aRequestDeclaringAnExternalEntityIsRefusedAsMessageFormatAndReadsNothing(@TempDir Path dir) throws Exception {
        Testbed bed = new Testbed(20);
        String token = bed.core.token(1);
        Path secret = Files.writeString(dir.resolve("secret.txt"), "LEAKED-FROM-DISK");
        String valid = rst(csr(rsa2048()), token);
        assertThat(valid).contains("<ac:Value>MY_WINDOWS_DEVICE</ac:Value>");
        // otherwise a valid request: were the entity resolved, the PC would enroll under the file's content as its name
        String hostile = "<?xml version=\"1.0\"?>\n<!DOCTYPE s:Envelope [<!ENTITY name SYSTEM \"" + secret.toUri() + "\">]>\n"
                + valid.replace("<ac:Value>MY_WINDOWS_DEVICE</ac:Value>", "<ac:Value>&name;</ac:Value>");

        EnrollmentServlet.HttpAnswer answer = post(bed, "/EnrollmentServer/Enrollment.svc", hostile.getBytes(StandardCharsets.UTF_8));

        assertThat(answer.status()).isEqualTo(500);
        assertThat(errorType(answer)).isEqualTo("MessageFormat");
        assertThat(text(answer)).doesNotContain("LEAKED-FROM-DISK");
        assertThat(bed.core.devices).isEmpty();
        assertThat(bed.core.issued).isEmpty();
        assertThat(bed.core.tokens.get(token)[0]).isEqualTo(1);
    }

    private static EnrollmentServlet.HttpAnswer post(Testbed bed, String path, byte[] body) {
        return EnrollmentServlet.dispatch(bed.enrollment, path, "POST", body, "test");
    }

    /** 05 with a real certificate request where Microsoft left a placeholder, and this password; nothing else changed. */
    private static String rst(byte[] csr, String password) throws Exception {
        String sample = Corpus.text(SAMPLES + "05-wstep-rst-request.xml");
        assertThat(sample).containsOnlyOnce(CSR_PLACEHOLDER).containsOnlyOnce(SAMPLE_PASSWORD);
        return sample.replace(CSR_PLACEHOLDER, Base64.getEncoder().encodeToString(csr)).replace(SAMPLE_PASSWORD, password);
    }

    private static KeyPair rsa2048() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=MY_WINDOWS_DEVICE"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())).getEncoded();
    }

    /** MS-MDE2's error type in a SOAP fault's DeviceEnrollmentServiceError detail. */
    private static String errorType(EnrollmentServlet.HttpAnswer answer) throws Exception {
        Element envelope = parse(answer.body());
        assertThat(path(envelope, "Body", "Fault")).as(text(answer)).isNotNull();
        return text(envelope, "Body", "Fault", "Detail", "DeviceEnrollmentServiceError", "ErrorType");
    }

    /**
     * Every element's path from the root by local names ({@code Envelope/Body/DiscoverResponse}); the set
     * says which elements a message has, whatever their namespace prefixes, order or indentation.
     */
    static Set<String> localNamePaths(Element root) {
        Set<String> out = new TreeSet<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Element e, String parent, Set<String> out) {
        String here = parent.isEmpty() ? SafeXml.local(e) : parent + "/" + SafeXml.local(e);
        out.add(here);
        for (Element child : SafeXml.children(e)) {
            collect(child, here, out);
        }
    }

    /**
     * The provisioning doc as paths of {@code characteristic[type]} and {@code parm[name]}: certificate
     * thumbprints become {@code *} and the document's own provider id (PROVIDER-ID of the w7 APPLICATION,
     * which the DMClient Provider node must repeat) becomes {@code {provider}}.
     */
    static Set<String> provisioningPaths(Element doc) throws Exception {
        String provider = xpath(doc, "characteristic[@type='APPLICATION']/parm[@name='PROVIDER-ID']/@value");
        assertThat(provider).isNotBlank();
        Set<String> out = new TreeSet<>();
        provisioning(doc, "", provider, out);
        return out;
    }

    private static void provisioning(Element e, String parent, String provider, Set<String> out) {
        for (Element child : SafeXml.children(e)) {
            String segment = switch (SafeXml.local(child)) {
                case "characteristic" -> {
                    String type = child.getAttribute("type");
                    yield "characteristic[" + (THUMBPRINT.matcher(type).matches() ? "*" : type.equals(provider) ? "{provider}" : type) + "]";
                }
                case "parm" -> "parm[" + child.getAttribute("name") + "]";
                default -> SafeXml.local(child);
            };
            String here = parent + "/" + segment;
            out.add(here);
            provisioning(child, here, provider, out);
        }
    }

    /** A parser of the test's own, so what is checked does not depend on the parser under test. */
    static Element parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setIgnoringComments(true);
        f.setCoalescing(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
    }

    private static Element path(Element e, String... localNames) {
        return SafeXml.path(e, localNames);
    }

    private static String text(Element e, String... localNames) {
        Element at = path(e, localNames);
        assertThat(at).as("element " + String.join("/", localNames)).isNotNull();
        return at.getTextContent().strip();
    }

    private static String text(EnrollmentServlet.HttpAnswer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    private static String xpath(Node context, String expression) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(expression, context).strip();
    }

    private static Element only(Element context, String expression) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(expression, context, XPathConstants.NODESET);
        assertThat(nodes.getLength()).as(expression).isEqualTo(1);
        return (Element) nodes.item(0);
    }

    private static X509Certificate certificate(String base64) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(base64)));
    }

    private static String thumbprint(X509Certificate cert) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    }

    private static String attribute(Testbed bed, Device device, String name) {
        byte[] value = bed.core.attributes.get(device.id() + "/" + name);
        assertThat(value).as(name).isNotNull();
        return new String(value, StandardCharsets.UTF_8);
    }
}
