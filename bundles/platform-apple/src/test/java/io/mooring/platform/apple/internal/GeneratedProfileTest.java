package io.mooring.platform.apple.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.mooring.api.DeviceId;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The enrollment profile as a device reads it, held to Apple's YAML schema for profiles: the top-level
 * {@code Configuration} to {@code TopLevel.yaml}, each payload to the file of its PayloadType plus
 * {@code CommonPayloadKeys.yaml}, and the constraints Apple states in a key's description where the schema
 * has no field for them (AccessRights and Key Usage bit flags, Key Type).
 */
class GeneratedProfileTest {
    private static final String PROFILES = "apple-device-management/mdm/profiles";
    private static final String TOPIC = "com.apple.mgmt.External.x";

    private static X509Certificate rootCa;
    private static X509Certificate issuingCa;

    /** Apple's profile schema files by PayloadType; a few types (com.apple.MCX) are described in several. */
    private static Map<String, List<Path>> byPayloadType;

    @BeforeAll
    static void schemaAndCertificateAuthorities() throws Exception {
        byPayloadType = AppleSchemaConformance.filesBy(PROFILES, "payloadtype");
        KeyPair rootKey = rsaKey();
        rootCa = certificate("CN=Example Corp Root CA,O=Example Corp", rootKey, "CN=Example Corp Root CA,O=Example Corp", rootKey.getPrivate());
        KeyPair issuingKey = rsaKey();
        issuingCa = certificate("CN=Example Corp Device CA,O=Example Corp", issuingKey, "CN=Example Corp Root CA,O=Example Corp",
                rootKey.getPrivate());
    }

    @Test
    void aProfileWithOneCaCertificateIsWhatApplesSchemaDescribes() throws Exception {
        List<String> problems = problems(List.of(rootCa));
        assertThat(problems).as("the enrollment profile against Apple's schema").isEmpty();
    }

    @Test
    void aProfileWithACaChainIsWhatApplesSchemaDescribes() throws Exception {
        List<String> problems = problems(List.of(issuingCa, rootCa));
        assertThat(problems).as("the enrollment profile with a two-certificate chain against Apple's schema").isEmpty();
    }

    /** Everything about the profile a device would read that departs from Apple's schema. */
    private static List<String> problems(List<X509Certificate> caChain) throws Exception {
        NSDictionary built = EnrollmentProfile.build(new EnrollmentProfile.Settings("https://mdm.example.com", "Example Corp"),
                DeviceId.random(), TOPIC, "https://mdm.example.com/scep", "challenge", caChain);
        NSDictionary profile = (NSDictionary) PropertyListParser.parse(Plists.toXml(built));
        List<String> problems = new ArrayList<>();

        JsonNode topLevel = schemaOf("TopLevel");
        AppleSchemaConformance top = new AppleSchemaConformance();
        top.dictionary(AppleSchemaConformance.list(topLevel.path("payloadkeys")), profile, "", Set.of());
        problems.addAll(top.problems());
        JsonNode payloadTypes = keyNamed(topLevel.path("payloadkeys"), "PayloadType").orElseThrow().path("rangelist");
        if (!AppleSchemaConformance.inRange(payloadTypes, profile.objectForKey("PayloadType"))) {
            problems.add("PayloadType is " + profile.objectForKey("PayloadType") + ", not one of " + payloadTypes);
        }
        if (!(profile.objectForKey("PayloadContent") instanceof NSArray content)) {
            problems.add("PayloadContent is not an array of payloads");
            return problems;
        }

        List<JsonNode> common = AppleSchemaConformance.list(schemaOf("CommonPayloadKeys").path("payloadkeys"));
        Map<String, List<NSDictionary>> payloads = new LinkedHashMap<>();
        NSObject[] items = content.getArray();
        for (int i = 0; i < items.length; i++) {
            String path = "PayloadContent[" + i + "]";
            NSDictionary payload = (NSDictionary) items[i];
            String type = string(payload, "PayloadType");
            List<Path> described = byPayloadType.getOrDefault(type, List.of());
            if (described.size() != 1) {
                problems.add(path + ".PayloadType is " + type + ", which Apple's schema describes " + described.size() + " times");
                continue;
            }
            JsonNode apple = AppleSchemaConformance.read(described.get(0));
            payloads.computeIfAbsent(type, t -> new ArrayList<>()).add(payload);
            // the payload's own keys, then the keys every payload has
            List<JsonNode> keys = new ArrayList<>(AppleSchemaConformance.list(apple.path("payloadkeys")));
            common.stream().filter(key -> keyNamed(apple.path("payloadkeys"), key.path("key").asText()).isEmpty()).forEach(keys::add);
            AppleSchemaConformance conformance = new AppleSchemaConformance();
            conformance.dictionary(keys, payload, path + ".", Set.of());
            problems.addAll(conformance.problems());
        }

        Map<String, Integer> counts = new LinkedHashMap<>();
        payloads.forEach((type, ofType) -> counts.put(type, ofType.size()));
        Map<String, Integer> expected = Map.of("com.apple.security.root", caChain.size(), "com.apple.security.scep", 1, "com.apple.mdm", 1);
        if (!counts.equals(expected)) {
            problems.add("the profile holds payloads " + counts + " where enrollment needs " + expected);
            return problems;
        }

        caCertificates(payloads.get("com.apple.security.root"), caChain, problems);
        NSDictionary scep = payloads.get("com.apple.security.scep").get(0);
        NSDictionary mdm = payloads.get("com.apple.mdm").get(0);
        scepKey(scep, problems);
        if (!string(scep, "PayloadUUID").equals(string(mdm, "IdentityCertificateUUID"))) {
            problems.add("the MDM payload's IdentityCertificateUUID " + string(mdm, "IdentityCertificateUUID")
                    + " is not the SCEP payload's PayloadUUID " + string(scep, "PayloadUUID"));
        }
        accessRights(mdm, problems);
        if (!TOPIC.equals(string(mdm, "Topic"))) {
            problems.add("the MDM payload's Topic is " + string(mdm, "Topic") + ", not the push certificate's " + TOPIC);
        }
        unique(profile, Arrays.asList(items), "PayloadIdentifier", problems);
        unique(profile, Arrays.asList(items), "PayloadUUID", problems);
        return problems;
    }

    /** Each root payload holds one certificate of the chain, DER-encoded. */
    private static void caCertificates(List<NSDictionary> roots, List<X509Certificate> caChain, List<String> problems) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Set<X509Certificate> found = new HashSet<>();
        for (NSDictionary root : roots) {
            if (root.objectForKey("PayloadContent") instanceof NSData der) {
                found.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der.bytes())));
            }
        }
        if (!found.equals(new HashSet<>(caChain))) {
            problems.add("the root payloads hold " + found.size() + " certificates that are not the CA chain of " + caChain.size());
        }
    }

    /** Key Type and Key Usage, whose allowed values Apple states in their descriptions. */
    private static void scepKey(NSDictionary scep, List<String> problems) {
        List<JsonNode> keys = AppleSchemaConformance.list(keyNamed(schemaOf("com.apple.security.scep").path("payloadkeys"), "PayloadContent")
                .orElseThrow().path("subkeys"));
        NSDictionary content = (NSDictionary) scep.objectForKey("PayloadContent");

        String keyTypeText = keyNamed(keys, "Key Type").orElseThrow().path("content").asText();
        Matcher always = Pattern.compile("Always '([^']+)'").matcher(keyTypeText);
        assertThat(always.find()).as("Apple's description of Key Type: %s", keyTypeText).isTrue();
        if (content.containsKey("Key Type") && !always.group(1).equals(string(content, "Key Type"))) {
            problems.add("SCEP Key Type is " + string(content, "Key Type") + " where Apple's schema says always " + always.group(1));
        }

        Set<Long> usageBits = bits(keyNamed(keys, "Key Usage").orElseThrow().path("content").asText(), "\\* (\\d+):");
        assertThat(usageBits).as("the Key Usage bits Apple's schema lists").isNotEmpty();
        if (content.objectForKey("Key Usage") instanceof NSNumber usage && (usage.longValue() & ~mask(usageBits)) != 0) {
            problems.add("SCEP Key Usage " + usage.longValue() + " sets bits outside " + usageBits);
        }
    }

    /** AccessRights: a non-zero OR of the flags Apple lists, with the flags some others depend on. */
    private static void accessRights(NSDictionary mdm, List<String> problems) {
        String description = keyNamed(schemaOf("com.apple.mdm").path("payloadkeys"), "AccessRights").orElseThrow().path("content").asText();
        Set<Long> flags = bits(description, "\\* '(\\d+)':");
        assertThat(flags).as("the AccessRights flags Apple's schema lists").hasSizeGreaterThan(1);
        if (!(mdm.objectForKey("AccessRights") instanceof NSNumber number) || !number.isInteger()) {
            return; // absent (all rights) or of the wrong type, which the schema check reports
        }
        long rights = number.longValue();
        if (description.contains("Don't set to '0'") && rights == 0) {
            problems.add("AccessRights is 0, which Apple's schema forbids");
        }
        if ((rights & ~mask(flags)) != 0) {
            problems.add("AccessRights " + rights + " sets bits outside the flags " + flags);
        }
        Matcher dependency = Pattern.compile("Specify '(\\d+)' if you specify '(\\d+)'").matcher(description);
        int dependencies = 0;
        while (dependency.find()) {
            dependencies++;
            long needed = Long.parseLong(dependency.group(1));
            long given = Long.parseLong(dependency.group(2));
            if ((rights & given) != 0 && (rights & needed) == 0) {
                problems.add("AccessRights " + rights + " has " + given + " without " + needed);
            }
        }
        assertThat(dependencies).as("the AccessRights flags Apple's schema makes depend on others").isPositive();
    }

    /** PayloadIdentifier and PayloadUUID must each be unique within the profile (CommonPayloadKeys). */
    private static void unique(NSDictionary profile, List<NSObject> payloads, String key, List<String> problems) {
        List<String> values = new ArrayList<>();
        values.add(string(profile, key));
        payloads.forEach(payload -> values.add(string((NSDictionary) payload, key)));
        Set<String> duplicates = values.stream().filter(value -> values.indexOf(value) != values.lastIndexOf(value)).collect(Collectors.toSet());
        if (!duplicates.isEmpty()) {
            problems.add(key + " " + duplicates + " is used more than once in the profile");
        }
    }

    private static JsonNode schemaOf(String payloadType) {
        List<Path> schema = byPayloadType.getOrDefault(payloadType, List.of());
        assertThat(schema).as("Apple's schema for %s", payloadType).hasSize(1);
        return AppleSchemaConformance.read(schema.get(0));
    }

    private static Optional<JsonNode> keyNamed(JsonNode keys, String name) {
        return keyNamed(AppleSchemaConformance.list(keys), name);
    }

    private static Optional<JsonNode> keyNamed(List<JsonNode> keys, String name) {
        return keys.stream().filter(key -> name.equals(key.path("key").asText())).findFirst();
    }

    private static Set<Long> bits(String description, String pattern) {
        Set<Long> bits = new HashSet<>();
        Matcher flag = Pattern.compile(pattern).matcher(description);
        while (flag.find()) {
            bits.add(Long.parseLong(flag.group(1)));
        }
        return bits;
    }

    private static long mask(Set<Long> bits) {
        return bits.stream().mapToLong(Long::longValue).reduce(0L, (left, right) -> left | right);
    }

    private static String string(NSDictionary dictionary, String key) {
        return dictionary.objectForKey(key) instanceof NSString text ? text.getContent() : null;
    }

    private static KeyPair rsaKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair key, String issuer, PrivateKey issuerKey) throws Exception {
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                new BigInteger(64, new SecureRandom()), new Date(System.currentTimeMillis() - 60_000),
                new Date(System.currentTimeMillis() + 86_400_000L), new X500Name(subject), key.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    }
}
