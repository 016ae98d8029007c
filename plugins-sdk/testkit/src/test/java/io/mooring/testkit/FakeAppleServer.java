package io.mooring.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A test-only MDM server for the simulated Apple devices, reduced to what a device can observe: a signed
 * enrollment profile per secret, SCEP with one challenge, check-ins and connections that must carry a
 * valid Mdm-Signature by an identity this CA issued (401 otherwise), and a command queue per device.
 */
final class FakeAppleServer implements AutoCloseable {
    static final String TOPIC = "com.apple.mgmt.External.5b1f4b2e-0d7a-4c1e-9f7e-3c0a2d1b6e55";
    static final String CHALLENGE = "one-challenge";

    /** A check-in or connection the server accepted; {@code signer} is the identity that signed it. */
    record Received(String path, String contentType, String userAgent, Map<String, Object> plist, X509Certificate signer, boolean binary) {
    }

    final TestPki pki;
    private final HttpServer http;
    private final boolean https;
    private final Set<String> secrets = new HashSet<>();
    private final Map<String, Deque<Map<String, Object>>> queues = new HashMap<>();
    private final List<Received> checkIns = new ArrayList<>();
    private final List<Received> connections = new ArrayList<>();
    private final Map<String, Map<String, Object>> tokens = new HashMap<>();
    private final Set<String> refused = new HashSet<>();
    private Integer nextConnectionStatus;
    private Integer nextResultStatus;
    private boolean checkOutWhenRemoved = true;
    private X509Certificate profileRoot;

    private FakeAppleServer(TestPki pki, HttpServer http, boolean https) {
        this.pki = pki;
        this.http = http;
        this.https = https;
        http.createContext("/", this::handle);
        http.start();
    }

    static FakeAppleServer start() throws Exception {
        return new FakeAppleServer(new TestPki("fake"), HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), false);
    }

    /** Over TLS, with a server certificate from the same CA; {@code dnsName} null leaves the host out of it. */
    static FakeAppleServer startTls(String dnsName) throws Exception {
        TestPki pki = new TestPki("fake");
        KeyPair keys = AppleSignatures.rsaKeyPair(2048);
        X509Certificate certificate = pki.tlsServer(keys.getPublic(), dnsName);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", keys.getPrivate(), new char[0], new Certificate[] {certificate, pki.ca});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new FakeAppleServer(pki, server, true);
    }

    URI base() {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + http.getAddress().getPort());
    }

    synchronized URI enrollmentUrl() {
        String secret = UUID.randomUUID().toString();
        secrets.add(secret);
        return base().resolve("/mdm/apple/enroll/" + secret);
    }

    URI checkInUrl() {
        return base().resolve("/mdm/apple/checkin");
    }

    URI connectUrl() {
        return base().resolve("/mdm/apple/connect");
    }

    /** Queues a command; returns its CommandUUID. */
    synchronized String queue(String udid, String requestType, Map<String, Object> keys) {
        String uuid = UUID.randomUUID().toString().toUpperCase();
        Map<String, Object> command = new LinkedHashMap<>(keys);
        command.put("RequestType", requestType);
        queues.computeIfAbsent(udid, u -> new ArrayDeque<>()).add(Map.of("CommandUUID", uuid, "Command", command));
        return uuid;
    }

    synchronized List<Received> checkIns() {
        return List.copyOf(checkIns);
    }

    synchronized List<Received> connections() {
        return List.copyOf(connections);
    }

    synchronized Map<String, Object> tokenUpdate(String udid) {
        return tokens.get(udid);
    }

    /** The server no longer knows this device: its connections are answered 401. */
    synchronized void refuse(String udid) {
        refused.add(udid);
    }

    /** The next connection is answered with {@code status} and no body. */
    synchronized void answerNextConnection(int status) {
        nextConnectionStatus = status;
    }

    /** The next result (a connection that is not Idle) is answered with {@code status} and not recorded. */
    synchronized void answerNextResult(int status) {
        nextResultStatus = status;
    }

    /** The root the profile carries, instead of the CA that issues identities. */
    synchronized void profileRoot(X509Certificate root) {
        profileRoot = root;
    }

    synchronized void checkOutWhenRemoved(boolean value) {
        checkOutWhenRemoved = value;
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) && path.startsWith("/mdm/apple/enroll/")) {
                enrollmentProfile(exchange, path.substring("/mdm/apple/enroll/".length()));
            } else if (path.equals("/scep")) {
                scep(exchange, body);
            } else if ("PUT".equals(method) && path.equals("/mdm/apple/checkin")) {
                checkIn(exchange, body);
            } else if ("PUT".equals(method) && path.equals("/mdm/apple/connect")) {
                connect(exchange, body);
            } else if ("GET".equals(method) && path.equals("/apps/manifest.plist")) {
                Map<String, Object> manifest = Map.of("items", List.of(Map.of(
                        "assets", List.of(Map.of("kind", "software-package", "url", base().resolve("/apps/app.ipa").toString())),
                        "metadata", Map.of("bundle-identifier", "io.mooring.example", "bundle-version", "2.1", "kind", "software", "title",
                                "Mooring Example"))));
                send(exchange, 200, "application/xml", ApplePlists.xml(manifest));
            } else {
                send(exchange, 404, "text/plain", new byte[0]);
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void enrollmentProfile(HttpExchange exchange, String secret) throws Exception {
        synchronized (this) {
            if (!secrets.remove(secret)) {
                send(exchange, 404, "text/plain", new byte[0]);
                return;
            }
        }
        String scepUuid = UUID.randomUUID().toString().toUpperCase();
        X509Certificate rootCertificate;
        synchronized (this) {
            rootCertificate = profileRoot != null ? profileRoot : pki.ca;
        }
        Map<String, Object> root = Map.of("PayloadType", "com.apple.security.root", "PayloadIdentifier", "io.mooring.root",
                "PayloadUUID", UUID.randomUUID().toString().toUpperCase(), "PayloadVersion", 1, "PayloadContent", rootCertificate.getEncoded());
        Map<String, Object> scep = Map.of("PayloadType", "com.apple.security.scep", "PayloadIdentifier", "io.mooring.scep",
                "PayloadUUID", scepUuid, "PayloadVersion", 1, "PayloadContent", Map.of(
                        "URL", base().resolve("/scep").toString(), "Challenge", CHALLENGE, "Keysize", 2048, "Key Type", "RSA",
                        "Key Usage", 5, "Name", "Mooring", "Subject", List.of(List.of(List.of("CN", secret)), List.of(List.of("O", "Mooring")))));
        Map<String, Object> mdm;
        synchronized (this) {
            mdm = dictionary("PayloadType", "com.apple.mdm", "PayloadIdentifier", "io.mooring.mdm", "PayloadUUID",
                    UUID.randomUUID().toString().toUpperCase(), "PayloadVersion", 1, "ServerURL", connectUrl().toString(), "CheckInURL",
                    checkInUrl().toString(), "Topic", TOPIC, "IdentityCertificateUUID", scepUuid, "SignMessage", true, "AccessRights", 8191,
                    "CheckOutWhenRemoved", checkOutWhenRemoved, "ServerCapabilities", List.of("com.apple.mdm.per-user-connections"));
        }
        Map<String, Object> profile = Map.of("PayloadType", "Configuration", "PayloadIdentifier", "io.mooring.enrollment", "PayloadUUID",
                UUID.randomUUID().toString().toUpperCase(), "PayloadVersion", 1, "PayloadDisplayName", "Mooring enrollment",
                "PayloadOrganization", "Mooring", "PayloadContent", List.of(root, scep, mdm));
        send(exchange, 200, "application/x-apple-aspen-config", TestPki.signedProfile(ApplePlists.xml(profile), pki.raKeys, pki.ra));
    }

    private void scep(HttpExchange exchange, byte[] body) throws Exception {
        String query = exchange.getRequestURI().getQuery();
        if ("operation=GetCACaps".equals(query)) {
            send(exchange, 200, "text/plain", "POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\nRenewal\n".getBytes(StandardCharsets.US_ASCII));
        } else if ("operation=GetCACert".equals(query)) {
            send(exchange, 200, "application/x-x509-ca-ra-cert", TestPki.degenerate(pki.ra, pki.ca));
        } else if ("operation=PKIOperation".equals(query) && "POST".equals(exchange.getRequestMethod())) {
            TestPki.OpenedRequest request = pki.open(body);
            byte[] reply = CHALLENGE.equals(request.challenge())
                    ? pki.certRep(request, pki.issue(X500Name.getInstance(request.csr().getSubject()),
                            new JcaPKCS10CertificationRequest(request.csr()).getPublicKey()), null,
                            request.senderNonce())
                    : pki.certRep(request, null, "2", request.senderNonce());
            send(exchange, 200, "application/x-pki-message", reply);
        } else {
            send(exchange, 400, "text/plain", new byte[0]);
        }
    }

    private void checkIn(HttpExchange exchange, byte[] body) throws IOException {
        X509Certificate signer = signer(exchange, body);
        if (signer == null) {
            send(exchange, 401, "text/plain", new byte[0]);
            return;
        }
        Map<String, Object> message;
        try {
            message = ApplePlists.parse(body);
        } catch (IllegalArgumentException e) {
            send(exchange, 400, "text/plain", new byte[0]);
            return;
        }
        synchronized (this) {
            checkIns.add(received(exchange, message, signer, body));
            if ("TokenUpdate".equals(message.get("MessageType"))) {
                tokens.put((String) message.get("UDID"), message);
            }
        }
        send(exchange, 200, "application/xml", new byte[0]);
    }

    private void connect(HttpExchange exchange, byte[] body) throws IOException {
        X509Certificate signer = signer(exchange, body);
        Map<String, Object> message;
        try {
            message = ApplePlists.parse(body);
        } catch (IllegalArgumentException e) {
            send(exchange, 400, "text/plain", new byte[0]);
            return;
        }
        byte[] answer = new byte[0];
        int status = 200;
        synchronized (this) {
            String udid = (String) message.get("UDID");
            if (signer == null || refused.contains(udid)) {
                status = 401;
            } else if (nextConnectionStatus != null) {
                status = nextConnectionStatus;
                nextConnectionStatus = null;
            } else if (nextResultStatus != null && !"Idle".equals(message.get("Status"))) {
                status = nextResultStatus;
                nextResultStatus = null;
            } else {
                connections.add(received(exchange, message, signer, body));
                Deque<Map<String, Object>> queue = queues.get(udid);
                if (queue != null && !queue.isEmpty()) {
                    answer = ApplePlists.xml(queue.poll());
                }
            }
        }
        send(exchange, status, "application/xml", answer);
    }

    private X509Certificate signer(HttpExchange exchange, byte[] body) {
        String header = exchange.getRequestHeaders().getFirst("Mdm-Signature");
        return header == null ? null : pki.verifyMdmSignature(header, body);
    }

    private static Map<String, Object> dictionary(Object... keysAndValues) {
        Map<String, Object> dictionary = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            dictionary.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return dictionary;
    }

    private static Received received(HttpExchange exchange, Map<String, Object> plist, X509Certificate signer, byte[] body) {
        return new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("User-Agent"), plist, signer, ApplePlists.isBinary(body));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
