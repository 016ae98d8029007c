package io.mooring.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A test-only peer for the simulator: the example agent protocol served in-process, with core's queue
 * reduced to what a device can observe (at-least-once delivery, results idempotent by command id, NOT_NOW
 * back to the queue). Switches let a test make it unavailable or lose answers on the way back.
 */
final class FakeAgentServer implements AutoCloseable {
    enum State { QUEUED, SENT, DONE }

    record Result(String deviceId, String commandId, String status, String error, String completion) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final String PREFIX = "/agent/example";

    private static final class Queued {
        final String id = UUID.randomUUID().toString();
        final String type;
        final Map<String, Object> payload;
        State state = State.QUEUED;
        int attempts;

        Queued(String type, Map<String, Object> payload) {
            this.type = type;
            this.payload = payload;
        }
    }

    private final HttpServer http;
    private final Set<String> tokens = new HashSet<>();
    private final Map<String, String> deviceByCredential = new HashMap<>();
    private final Map<String, Map<String, Object>> descriptions = new LinkedHashMap<>();
    private final Map<String, List<Queued>> queues = new HashMap<>();
    private final List<Result> results = new ArrayList<>();
    private final Map<String, List<Map<String, Object>>> inventories = new HashMap<>();
    private final List<String> log = new ArrayList<>();
    private final Set<String> unavailablePaths = new HashSet<>();
    private final Set<String> loseAnswerOnce = new HashSet<>();
    private Consumer<String> onEnroll = deviceId -> {
    };
    private boolean unavailable;
    private boolean stopped;
    private int retryAfterSeconds = 5;
    private int requests;

    private FakeAgentServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::handle);
        http.start();
    }

    static FakeAgentServer start() throws IOException {
        return new FakeAgentServer();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    @Override
    public synchronized void close() {
        if (!stopped) {
            stopped = true;
            http.stop(0);
        }
    }

    synchronized String issueToken() {
        String token = "token-" + UUID.randomUUID();
        tokens.add(token);
        return token;
    }

    synchronized void onEnroll(Consumer<String> action) {
        onEnroll = action;
    }

    synchronized String queue(String deviceId, String type, Map<String, Object> payload) {
        Queued command = new Queued(type, payload);
        queues.computeIfAbsent(deviceId, id -> new ArrayList<>()).add(command);
        return command.id;
    }

    /** As if the server lost the device's answer: the command is handed out again. */
    synchronized void redeliver(String commandId) {
        find(commandId).state = State.SENT;
    }

    synchronized State state(String commandId) {
        return find(commandId).state;
    }

    synchronized void revoke(String deviceId) {
        deviceByCredential.values().remove(deviceId);
    }

    synchronized void unavailable(boolean value, int retryAfter) {
        unavailable = value;
        retryAfterSeconds = retryAfter;
    }

    synchronized void unavailableAt(String endpoint, boolean value) {
        if (value) {
            unavailablePaths.add(PREFIX + endpoint);
        } else {
            unavailablePaths.remove(PREFIX + endpoint);
        }
    }

    /** The next request to {@code endpoint} is processed, but its answer never reaches the device. */
    synchronized void loseAnswerOnce(String endpoint) {
        loseAnswerOnce.add(PREFIX + endpoint);
    }

    synchronized Map<String, Object> description(String deviceId) {
        return descriptions.get(deviceId);
    }

    synchronized List<Result> results() {
        return List.copyOf(results);
    }

    synchronized List<Result> results(String commandId) {
        return results.stream().filter(r -> r.commandId().equals(commandId)).toList();
    }

    synchronized List<Map<String, Object>> inventories(String deviceId) {
        return List.copyOf(inventories.getOrDefault(deviceId, List.of()));
    }

    /** "inventory:<device>" and "result:<command>:<status>" entries in arrival order. */
    synchronized List<String> log() {
        return List.copyOf(log);
    }

    synchronized int requests() {
        return requests;
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests++;
            String path = exchange.getRequestURI().getPath();
            if (unavailable || unavailablePaths.contains(path)) {
                exchange.getResponseHeaders().set("Retry-After", String.valueOf(retryAfterSeconds));
                reply(exchange, 503, Map.of("error", "the platform is not available; retry later"));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, Map.of("error", "only POST"));
                return;
            }
            if (!"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                reply(exchange, 415, Map.of("error", "send application/json"));
                return;
            }
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            Map<String, Object> body = bytes.length == 0 ? Map.of() : JSON.readValue(bytes, OBJECT);
            Answer answer = path.equals(PREFIX + "/enroll") ? enroll(body) : authenticated(exchange, path, body);
            if (loseAnswerOnce.remove(path)) {
                // Closing without a status line: the device sees the connection drop after the work was done.
                return;
            }
            reply(exchange, answer.status(), answer.body());
        }
    }

    private record Answer(int status, Map<String, Object> body) {
    }

    private Answer enroll(Map<String, Object> body) {
        if (!tokens.contains(body.get("token"))) {
            return new Answer(403, Map.of("error", "the enrollment token is unknown, expired or used up"));
        }
        String deviceId = UUID.randomUUID().toString();
        String credential = UUID.randomUUID().toString();
        deviceByCredential.put(credential, deviceId);
        Map<String, Object> description = new LinkedHashMap<>(body);
        description.remove("token");
        descriptions.put(deviceId, description);
        onEnroll.accept(deviceId);
        return new Answer(201, Map.of("deviceId", deviceId, "credential", credential, "checkInIntervalSeconds", 60));
    }

    private Answer authenticated(HttpExchange exchange, String path, Map<String, Object> body) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String deviceId = authorization == null ? null : deviceByCredential.get(authorization.replaceFirst("^Bearer ", ""));
        if (deviceId == null) {
            return new Answer(401, Map.of("error", "the device credential is not valid; enroll again"));
        }
        return switch (path.substring(PREFIX.length())) {
            case "/checkin" -> checkIn(deviceId, body);
            case "/results" -> result(deviceId, body);
            case "/inventory" -> inventory(deviceId, body);
            default -> new Answer(404, Map.of("error", "no such endpoint"));
        };
    }

    private Answer checkIn(String deviceId, Map<String, Object> body) {
        int max = body.get("max") instanceof Integer n ? n : 1;
        List<Map<String, Object>> commands = new ArrayList<>();
        for (Queued command : queues.getOrDefault(deviceId, List.of())) {
            if (commands.size() < max && command.state != State.DONE) {
                command.state = State.SENT;
                command.attempts++;
                commands.add(Map.of("id", command.id, "type", command.type, "payload", command.payload, "attempt", command.attempts));
            }
        }
        return new Answer(200, Map.of("commands", commands));
    }

    private Answer result(String deviceId, Map<String, Object> body) {
        String commandId = (String) body.get("commandId");
        String status = (String) body.get("status");
        Queued command = queues.getOrDefault(deviceId, List.of()).stream().filter(c -> c.id.equals(commandId)).findFirst().orElse(null);
        String completion;
        if (command == null) {
            completion = "UNKNOWN_COMMAND";
        } else if (command.state == State.DONE) {
            completion = "DUPLICATE";
        } else if ("NOT_NOW".equals(status)) {
            command.state = State.QUEUED;
            completion = "REQUEUED";
        } else {
            command.state = State.DONE;
            completion = "RECORDED";
        }
        results.add(new Result(deviceId, commandId, status, (String) body.get("error"), completion));
        log.add("result:" + commandId + ":" + status);
        return new Answer(200, Map.of("completion", completion));
    }

    private Answer inventory(String deviceId, Map<String, Object> body) {
        inventories.computeIfAbsent(deviceId, id -> new ArrayList<>()).add(body);
        log.add("inventory:" + deviceId);
        return new Answer(204, null);
    }

    private Queued find(String commandId) {
        return queues.values().stream().flatMap(List::stream).filter(c -> c.id.equals(commandId)).findFirst().orElseThrow();
    }

    private static void reply(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
