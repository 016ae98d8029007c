package io.mooring.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One simulated device speaking the example agent protocol ({@code plugins-sdk/example-platform/README.md}).
 * It behaves as a well-made agent should, so a server can be tested against it:
 * <ul>
 * <li>it executes each command once: a command delivered again (delivery is at-least-once) is answered
 * with the result it already has, not run twice;</li>
 * <li>results it could not deliver are kept and sent before its next check-in;</li>
 * <li>503 means "try later": the device keeps its enrollment and its results, and reports the
 * {@code Retry-After} it was given; a refused credential (401) means it was unenrolled, and it stops;</li>
 * <li>after acknowledging {@code Wipe} it stops for good.</li>
 * </ul>
 * It logs every call, every command received and every result sent, so tests can assert exactly-once
 * behaviour. Methods are synchronized: a fleet drives each device from its pool while a test reads its logs.
 */
public final class ExampleDevice {
    public static final String AGENT_PATH = "/agent/example";
    /** The most commands the protocol hands out per check-in. */
    public static final int MAX_COMMANDS_PER_CHECK_IN = 10;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** The protocol's calls, for looking up {@link #lastStatus(Call)}. */
    public enum Call { ENROLL, CHECK_IN, RESULT, INVENTORY }

    /**
     * One HTTP call and its answer. {@code status} is 0 when no answer arrived (connection refused, timeout);
     * {@code body} is null when the answer had none or it was not JSON; {@code retryAfter} is null unless
     * the server sent one.
     */
    public record Exchange(Call call, int status, JsonNode body, Duration retryAfter) {
        public boolean answered() {
            return status != 0;
        }

        public boolean unavailable() {
            return status == 503;
        }

        /** The sentence of a protocol error answer, if there is one. */
        public Optional<String> error() {
            return body != null && body.hasNonNull("error") ? Optional.of(body.get("error").asText()) : Optional.empty();
        }
    }

    public record ReceivedCommand(String id, String type, Map<String, Object> payload, int attempt) {
    }

    /** What the device answered to a command; {@code completion} is what the server said it did, or null. */
    public record Answer(String commandId, String type, String status, int httpStatus, String completion) {
    }

    public record CheckIn(Exchange exchange, List<ReceivedCommand> commands) {
    }

    private record Result(String commandId, String type, String status, Map<String, Object> data, String error) {
    }

    private final HttpClient http;
    private final String serialNumber;
    private final String hardwareId = UUID.randomUUID().toString();
    private final double notNowProbability;
    private final Random random;

    private final List<Exchange> exchanges = new ArrayList<>();
    private final List<ReceivedCommand> received = new ArrayList<>();
    private final List<Answer> answers = new ArrayList<>();
    private final List<String> executed = new ArrayList<>();
    private final Map<String, Result> resultsByCommand = new HashMap<>();
    private final Set<String> deferredOnce = new HashSet<>();
    private final Deque<Result> undelivered = new ArrayDeque<>();
    private final List<String> notificationTitles = new ArrayList<>();

    private String server;
    private String deviceId;
    private String credential;
    private boolean revoked;
    private boolean wiped;
    private boolean locked;
    private String lockMessage;
    private int restarts;

    public ExampleDevice(HttpClient http, String serialNumber) {
        this(http, serialNumber, 0, new Random());
    }

    /**
     * @param notNowProbability chance, from 0 to 1, that the device answers a command NOT_NOW the first
     *                          time it sees it (a busy device); it always executes it when it comes back
     */
    public ExampleDevice(HttpClient http, String serialNumber, double notNowProbability, Random random) {
        if (notNowProbability < 0 || notNowProbability > 1) {
            throw new IllegalArgumentException("notNowProbability must be between 0 and 1, got " + notNowProbability);
        }
        this.http = http;
        this.serialNumber = serialNumber;
        this.notNowProbability = notNowProbability;
        this.random = random;
    }

    /** Enrolls with the server at {@code baseUri} (e.g. {@code http://127.0.0.1:8181}); 201 means enrolled. */
    public synchronized Exchange enroll(URI baseUri, String token) {
        server = baseUri.toString().replaceAll("/+$", "");
        Map<String, Object> body = new LinkedHashMap<>(description());
        body.put("token", token);
        Exchange exchange = send(Call.ENROLL, "/enroll", body);
        if (exchange.status() == 201 && exchange.body() != null) {
            deviceId = exchange.body().path("deviceId").asText(null);
            credential = exchange.body().path("credential").asText(null);
            revoked = false;
        }
        return exchange;
    }

    /** Asks for up to {@code max} commands; records them as received but does not answer them. */
    public synchronized CheckIn checkIn(int max) {
        requireEnrolled();
        Exchange exchange = send(Call.CHECK_IN, "/checkin", Map.of("max", max));
        List<ReceivedCommand> commands = new ArrayList<>();
        if (exchange.status() == 200 && exchange.body() != null) {
            for (JsonNode command : exchange.body().path("commands")) {
                commands.add(new ReceivedCommand(
                        command.path("id").asText(),
                        command.path("type").asText(),
                        command.hasNonNull("payload") ? JSON.convertValue(command.get("payload"), OBJECT) : Map.of(),
                        command.path("attempt").asInt()));
            }
        }
        received.addAll(commands);
        return new CheckIn(exchange, List.copyOf(commands));
    }

    /** Sends one result as given; the device's own bookkeeping is left alone. */
    public synchronized Exchange reportResult(String commandId, String status, Map<String, Object> data, String error) {
        requireEnrolled();
        return post(new Result(commandId, null, status, data, error));
    }

    public synchronized Exchange sendInventory() {
        requireEnrolled();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("locked", locked);
        if (lockMessage != null) {
            facts.put("lockMessage", lockMessage);
        }
        facts.put("restarts", restarts);
        facts.put("notificationsShown", notificationTitles.size());
        facts.put("batteryLevel", 0.5 + random.nextInt(50) / 100.0);
        Map<String, Object> body = new LinkedHashMap<>(description());
        body.put("reportedAt", Instant.now().toString());
        body.put("facts", facts);
        return send(Call.INVENTORY, "/inventory", body);
    }

    /**
     * One check-in as the agent does it on its schedule: deliver results left over from earlier, check in,
     * execute every command received and report each result. Does nothing once the device is wiped,
     * unenrolled or not yet enrolled.
     */
    public synchronized Tally runOnce() {
        if (credential == null || revoked || wiped) {
            return Tally.NONE;
        }
        int firstExchange = exchanges.size();
        int firstAnswer = answers.size();
        int firstReceived = received.size();
        if (deliverResults()) {
            CheckIn checkIn = checkIn(MAX_COMMANDS_PER_CHECK_IN);
            for (ReceivedCommand command : checkIn.commands()) {
                undelivered.add(answer(command));
                deliverResults();
                if (wiped) {
                    break;
                }
            }
        }
        return tally(exchanges.subList(firstExchange, exchanges.size()), answers.subList(firstAnswer, answers.size()),
                received.size() - firstReceived);
    }

    private Result answer(ReceivedCommand command) {
        Result earlier = resultsByCommand.get(command.id());
        if (earlier != null) {
            return earlier;
        }
        if (notNowProbability > 0 && !deferredOnce.contains(command.id()) && random.nextDouble() < notNowProbability) {
            deferredOnce.add(command.id());
            return notNow(command);
        }
        Result result = execute(command);
        if (!"NOT_NOW".equals(result.status())) {
            resultsByCommand.put(command.id(), result);
        }
        return result;
    }

    private Result execute(ReceivedCommand command) {
        switch (command.type()) {
            case "Lock" -> {
                locked = true;
                lockMessage = command.payload().get("message") instanceof String message ? message : null;
            }
            case "Restart" -> restarts++;
            case "Notify" -> notificationTitles.add(String.valueOf(command.payload().get("title")));
            case "RequestInventory" -> {
                // The report goes first, so the server holds it by the time it sees the acknowledgement.
                if (sendInventory().status() != 204) {
                    return notNow(command);
                }
            }
            // runOnce still delivers the acknowledgement, then the device stops for good.
            case "Wipe" -> wiped = true;
            default -> {
                return new Result(command.id(), command.type(), "ERROR", Map.of(), "unsupported command type " + command.type());
            }
        }
        executed.add(command.id());
        return new Result(command.id(), command.type(), "ACKNOWLEDGED", Map.of(), null);
    }

    private static Result notNow(ReceivedCommand command) {
        return new Result(command.id(), command.type(), "NOT_NOW", Map.of(), null);
    }

    /** Sends kept results oldest first; false when the server could not take them now. */
    private boolean deliverResults() {
        while (!undelivered.isEmpty()) {
            Exchange exchange = post(undelivered.peek());
            if (!exchange.answered() || exchange.status() >= 500) {
                return false;
            }
            // Delivered, or refused for good (4xx): sending it again cannot help.
            undelivered.remove();
            if (revoked) {
                return false;
            }
        }
        return true;
    }

    private Exchange post(Result result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("commandId", result.commandId());
        body.put("status", result.status());
        if (result.data() != null && !result.data().isEmpty()) {
            body.put("data", result.data());
        }
        if (result.error() != null) {
            body.put("error", result.error());
        }
        Exchange exchange = send(Call.RESULT, "/results", body);
        String completion = exchange.status() == 200 && exchange.body() != null ? exchange.body().path("completion").asText(null) : null;
        answers.add(new Answer(result.commandId(), result.type(), result.status(), exchange.status(), completion));
        return exchange;
    }

    private Exchange send(Call call, String path, Map<String, Object> body) {
        Exchange exchange;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + AGENT_PATH + path))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (call != Call.ENROLL) {
                request.header("Authorization", "Bearer " + credential);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange = new Exchange(call, response.statusCode(), json(response.body()), retryAfter(response));
        } catch (IOException e) {
            exchange = new Exchange(call, 0, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange = new Exchange(call, 0, null, null);
        }
        exchanges.add(exchange);
        if (call != Call.ENROLL && exchange.status() == 401) {
            revoked = true;
        }
        return exchange;
    }

    private static JsonNode json(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** Only the delay-seconds form (RFC 9110 §10.2.3); the example endpoint sends no other. */
    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .filter(value -> value.matches("\\d{1,9}"))
                .map(value -> Duration.ofSeconds(Long.parseLong(value)))
                .orElse(null);
    }

    private Map<String, Object> description() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", "Simulated " + serialNumber);
        description.put("model", "Example Simulator");
        description.put("osVersion", "1.0");
        description.put("serialNumber", serialNumber);
        description.put("hardwareId", hardwareId);
        return description;
    }

    private static Tally tally(List<Exchange> calls, List<Answer> sent, int commandsReceived) {
        int checkIns = 0;
        int unavailable = 0;
        int failures = 0;
        for (Exchange exchange : calls) {
            if (exchange.call() == Call.CHECK_IN && exchange.status() == 200) {
                checkIns++;
            }
            if (exchange.unavailable()) {
                unavailable++;
            } else if (exchange.status() != expectedStatus(exchange.call())) {
                failures++;
            }
        }
        int acknowledged = 0;
        int notNow = 0;
        int errors = 0;
        for (Answer answer : sent) {
            if (answer.httpStatus() != 200) {
                continue;
            }
            switch (answer.status()) {
                case "ACKNOWLEDGED" -> acknowledged++;
                case "NOT_NOW" -> notNow++;
                default -> errors++;
            }
        }
        return new Tally(checkIns, unavailable, commandsReceived, acknowledged, notNow, errors, failures);
    }

    private static int expectedStatus(Call call) {
        return switch (call) {
            case ENROLL -> 201;
            case CHECK_IN, RESULT -> 200;
            case INVENTORY -> 204;
        };
    }

    private void requireEnrolled() {
        if (credential == null) {
            throw new IllegalStateException("device " + serialNumber + " is not enrolled");
        }
    }

    public synchronized boolean isEnrolled() {
        return credential != null && !revoked;
    }

    /** The server refused the device's credential: it was unenrolled, and it stopped checking in. */
    public synchronized boolean isRevoked() {
        return revoked;
    }

    public synchronized boolean isWiped() {
        return wiped;
    }

    public synchronized boolean isLocked() {
        return locked;
    }

    public synchronized String lockMessage() {
        return lockMessage;
    }

    public synchronized int restarts() {
        return restarts;
    }

    public synchronized List<String> notificationTitles() {
        return List.copyOf(notificationTitles);
    }

    public String serialNumber() {
        return serialNumber;
    }

    public synchronized String deviceId() {
        return deviceId;
    }

    public synchronized String credential() {
        return credential;
    }

    /** Every call the device made, oldest first. */
    public synchronized List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** The HTTP status of the latest call of this kind; 0 if it got no answer; empty if never made. */
    public synchronized Optional<Integer> lastStatus(Call call) {
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            if (exchanges.get(i).call() == call) {
                return Optional.of(exchanges.get(i).status());
            }
        }
        return Optional.empty();
    }

    /** How long to wait before the next round, when the latest call was answered 503 with a Retry-After. */
    public synchronized Optional<Duration> retryAfter() {
        if (exchanges.isEmpty() || !exchanges.get(exchanges.size() - 1).unavailable()) {
            return Optional.empty();
        }
        return Optional.ofNullable(exchanges.get(exchanges.size() - 1).retryAfter());
    }

    /** Every command delivery, redeliveries included, oldest first. */
    public synchronized List<ReceivedCommand> received() {
        return List.copyOf(received);
    }

    /** Every result sent, resends included, oldest first. */
    public synchronized List<Answer> answers() {
        return List.copyOf(answers);
    }

    /** The ids of the commands whose effect the device applied; each appears once. */
    public synchronized List<String> executed() {
        return List.copyOf(executed);
    }

    /** Results kept for delivery at the next check-in. */
    public synchronized int undeliveredResults() {
        return undelivered.size();
    }
}
