package io.mooring.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for Firebase Cloud Messaging, speaking what Google documents for the HTTP v1 API:
 * <ul>
 * <li>{@code POST /token} — the OAuth 2.0 token endpoint a service account uses (RFC 7523 JWT bearer
 * grant): the assertion's RS256 signature is checked against the service account's key, and its issuer,
 * audience, scope and lifetime are checked too;</li>
 * <li>{@code POST /v1/projects/{project}/messages:send} — needs a Bearer token this server issued, checks
 * the request shape (one target, string data values, Android priority and TTL) and answers with the
 * message name or with Google's error body ({@code error.status} and an {@code FcmError} detail
 * carrying {@code errorCode}).</li>
 * </ul>
 * {@link #serviceAccountJson()} writes a service account whose {@code token_uri} is this server, so a
 * Firebase Admin SDK configured with it talks only to this server. Tokens can be made to fail for good
 * ({@link #reject}) or the first few times ({@link #failFirst}), to exercise a sender's handling.
 */
public final class LocalFcmServer implements AutoCloseable {
    /** FCM's error codes, with the HTTP status and canonical status Google answers them with. */
    public enum FcmError {
        UNREGISTERED(404, "NOT_FOUND", "Requested entity was not found."),
        INVALID_ARGUMENT(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
        SENDER_ID_MISMATCH(403, "PERMISSION_DENIED", "SenderId mismatch"),
        QUOTA_EXCEEDED(429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages to this device."),
        UNAVAILABLE(503, "UNAVAILABLE", "The service is currently unavailable."),
        INTERNAL(500, "INTERNAL", "Internal error encountered.");

        final int http;
        final String status;
        final String message;

        FcmError(int http, String status, String message) {
            this.http = http;
            this.status = status;
            this.message = message;
        }
    }

    /** One message FCM accepted. */
    public record Received(String token, Map<String, String> data, String priority, String ttl, String collapseKey, Instant at) {
    }

    private static final Pattern SEND = Pattern.compile("/v1/projects/([^/]+)/messages:send");
    private static final Pattern TTL = Pattern.compile("\\d{1,10}(\\.\\d{1,9})?s");
    private static final Set<String> SCOPES = Set.of("https://www.googleapis.com/auth/firebase.messaging",
            "https://www.googleapis.com/auth/cloud-platform");
    private static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private final ObjectMapper json = new ObjectMapper();
    private final String project;
    private final String clientEmail;
    private final KeyPair key;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, FcmError> rejected = new ConcurrentHashMap<>();
    private final Map<String, Failing> failing = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicInteger tokenGrants = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean recording = true;

    private record Failing(FcmError error, AtomicInteger left) {
    }

    static {
        // the JDK server writes status line and body separately; without TCP_NODELAY every answer waits out
        // the client's delayed ACK (~40 ms). Read once, when the JDK server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private LocalFcmServer(String project, int threads) throws IOException {
        this.project = project;
        this.clientEmail = "mooring-push@" + project + ".iam.gserviceaccount.com";
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            this.key = g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "local-fcm");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server for {@code project} on a free loopback port. */
    public static LocalFcmServer start(String project) throws IOException {
        return new LocalFcmServer(project, 4);
    }

    /** Starts a server answering on {@code threads} threads (load tests). */
    public static LocalFcmServer start(String project, int threads) throws IOException {
        return new LocalFcmServer(project, threads);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String project() {
        return project;
    }

    /** A service account key file (the JSON Google's console downloads) whose token endpoint is this server. */
    public String serviceAccountJson() {
        ObjectNode n = json.createObjectNode();
        n.put("type", "service_account");
        n.put("project_id", project);
        n.put("private_key_id", UUID.randomUUID().toString().replace("-", ""));
        n.put("private_key", "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        n.put("client_email", clientEmail);
        n.put("client_id", "100000000000000000001");
        n.put("auth_uri", endpoint() + "/auth");
        n.put("token_uri", endpoint() + "/token");
        return n.toPrettyString();
    }

    /** Every later message to {@code token} fails with {@code error}. */
    public void reject(String token, FcmError error) {
        rejected.put(token, error);
    }

    /** The next {@code times} messages to {@code token} fail with {@code error}; later ones are accepted. */
    public void failFirst(String token, FcmError error, int times) {
        failing.put(token, new Failing(error, new AtomicInteger(times)));
    }

    /** Forgets every access token issued so far: the next message is refused with 401 until a new token is fetched. */
    public void revokeAccessTokens() {
        accessTokens.clear();
    }

    /** Whether accepted messages are kept for {@link #received()} (off for load tests: only counted). */
    public void recordMessages(boolean on) {
        this.recording = on;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public long acceptedCount() {
        return accepted.get();
    }

    public long errorCount() {
        return errors.get();
    }

    public int tokenGrants() {
        return tokenGrants.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"POST".equals(ex.getRequestMethod())) {
                googleError(ex, 405, "INVALID_ARGUMENT", "Only POST is supported here.", null);
            } else if (path.equals("/token")) {
                token(ex);
            } else {
                Matcher m = SEND.matcher(path);
                if (!m.matches()) {
                    googleError(ex, 404, "NOT_FOUND", "The requested URL " + path + " was not found on this server.", null);
                } else {
                    send(ex, m.group(1));
                }
            }
        } catch (RuntimeException e) {
            googleError(ex, 500, "INTERNAL", "Internal error encountered.", null);
        }
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(read(ex), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!JWT_BEARER.equals(form.get("grant_type"))) {
            oauthError(ex, "unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type"));
            return;
        }
        String problem = checkAssertion(form.get("assertion"));
        if (problem != null) {
            oauthError(ex, "invalid_grant", problem);
            return;
        }
        String access = "ya29.local-" + UUID.randomUUID();
        accessTokens.add(access);
        tokenGrants.incrementAndGet();
        ObjectNode n = json.createObjectNode();
        n.put("access_token", access);
        n.put("expires_in", 3599);
        n.put("token_type", "Bearer");
        reply(ex, 200, n);
    }

    /** RFC 7523 §3: the JWT's signature, issuer, audience and lifetime; Google's scope claim. */
    private String checkAssertion(String jwt) {
        if (jwt == null) {
            return "Missing required parameter: assertion";
        }
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return "Invalid JWT: token must be a signed JWT";
        }
        try {
            JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return "Invalid JWT: unsupported algorithm " + header.path("alg").asText();
            }
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify((RSAPublicKey) key.getPublic());
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "Invalid JWT Signature.";
            }
            if (!clientEmail.equals(claims.path("iss").asText())) {
                return "Invalid JWT: unknown issuer " + claims.path("iss").asText();
            }
            // Google's token endpoint expects its own address as the audience, wherever the request was sent
            String aud = claims.path("aud").asText();
            if (!GOOGLE_TOKEN_URI.equals(aud) && !(endpoint() + "/token").equals(aud)) {
                return "Invalid JWT: audience must be " + GOOGLE_TOKEN_URI;
            }
            long now = Instant.now().getEpochSecond();
            if (claims.path("exp").asLong() < now || claims.path("iat").asLong() > now + 60
                    || claims.path("exp").asLong() - claims.path("iat").asLong() > 3600) {
                return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
            }
            boolean scoped = false;
            for (String scope : claims.path("scope").asText().split(" ")) {
                scoped |= SCOPES.contains(scope);
            }
            if (!scoped) {
                return "Invalid JWT: the scope does not allow Firebase Cloud Messaging";
            }
            return null;
        } catch (IOException | IllegalArgumentException | java.security.GeneralSecurityException e) {
            return "Invalid JWT: " + e.getMessage();
        }
    }

    private void send(HttpExchange ex, String inPath) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !accessTokens.contains(auth.substring(7))) {
            googleError(ex, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access "
                    + "token, login cookie or other valid authentication credential.", "THIRD_PARTY_AUTH_ERROR".equals("") ? null : null);
            return;
        }
        if (!project.equals(inPath)) {
            googleError(ex, 403, "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied on resource "
                    + "'//cloudresourcemanager.googleapis.com/projects/" + inPath + "'", null);
            return;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            googleError(ex, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. Content-Type must be application/json.", null);
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(read(ex));
        } catch (IOException e) {
            googleError(ex, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.", null);
            return;
        }
        String violation = violation(body);
        if (violation != null) {
            googleError(ex, 400, "INVALID_ARGUMENT", "Request contains an invalid argument.", FcmError.INVALID_ARGUMENT.name(), violation);
            return;
        }
        JsonNode message = body.get("message");
        String token = message.get("token").asText();
        FcmError error = rejected.get(token);
        Failing f = failing.get(token);
        if (error == null && f != null && f.left().getAndDecrement() > 0) {
            error = f.error();
        }
        if (error != null) {
            if (error == FcmError.QUOTA_EXCEEDED || error == FcmError.UNAVAILABLE) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            googleError(ex, error.http, error.status, error.message, error.name());
            return;
        }
        accepted.incrementAndGet();
        if (recording) {
            Map<String, String> data = new HashMap<>();
            message.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            JsonNode android = message.path("android");
            received.add(new Received(token, Map.copyOf(data), android.path("priority").asText(null), android.path("ttl").asText(null),
                    android.path("collapse_key").asText(null), Instant.now()));
        }
        ObjectNode n = json.createObjectNode();
        n.put("name", "projects/" + project + "/messages/0:" + System.nanoTime() + "%" + Long.toHexString(accepted.get()));
        reply(ex, 200, n);
    }

    /** What the HTTP v1 API would call invalid in the parts a wake-up uses; null when the request is well formed. */
    private static String violation(JsonNode body) {
        if (!body.isObject() || !body.path("message").isObject()) {
            return "message";
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!f.equals("message") && !f.equals("validate_only") && !f.equals("validateOnly")) {
                return f;
            }
        }
        JsonNode m = body.get("message");
        int targets = (m.has("token") ? 1 : 0) + (m.has("topic") ? 1 : 0) + (m.has("condition") ? 1 : 0);
        if (targets != 1) {
            return "message.token";
        }
        if (!m.has("token") || !m.get("token").isTextual() || m.get("token").asText().isBlank()) {
            return "message.token";
        }
        if (m.has("data")) {
            if (!m.get("data").isObject()) {
                return "message.data";
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = m.get("data").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual() || e.getKey().startsWith("google.") || e.getKey().equals("from")) {
                    return "message.data." + e.getKey();
                }
            }
        }
        JsonNode android = m.path("android");
        if (android.has("priority") && !Set.of("NORMAL", "HIGH", "normal", "high").contains(android.get("priority").asText())) {
            return "message.android.priority";
        }
        if (android.has("ttl") && !TTL.matcher(android.get("ttl").asText()).matches()) {
            return "message.android.ttl";
        }
        return null;
    }

    private void googleError(HttpExchange ex, int http, String status, String message, String fcmCode, String... field) throws IOException {
        errors.incrementAndGet();
        ObjectNode n = json.createObjectNode();
        ObjectNode e = n.putObject("error");
        e.put("code", http);
        e.put("message", message);
        e.put("status", status);
        ArrayNode details = e.putArray("details");
        if (fcmCode != null) {
            ObjectNode d = details.addObject();
            d.put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError");
            d.put("errorCode", fcmCode);
        }
        if (field.length > 0) {
            ObjectNode d = details.addObject();
            d.put("@type", "type.googleapis.com/google.rpc.BadRequest");
            d.putArray("fieldViolations").addObject().put("field", field[0]).put("description", "Invalid value at '" + field[0] + "'");
        }
        reply(ex, http, n);
    }

    private void oauthError(HttpExchange ex, String error, String description) throws IOException {
        ObjectNode n = json.createObjectNode();
        n.put("error", error);
        n.put("error_description", description);
        reply(ex, 400, n);
    }

    private void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(1 << 20);
            if (in.read() != -1) {
                throw new IOException("request body over 1 MiB");
            }
            return b;
        }
    }

    /** Messages accepted so far, in arrival order, as tokens (for tests that only count). */
    public List<String> tokensReceived() {
        List<String> out = new ArrayList<>();
        received.forEach(r -> out.add(r.token()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
