package io.mooring.example.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandService;
import io.mooring.api.Completion;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.EnrolledDevice;
import io.mooring.api.EnrollmentException;
import io.mooring.api.EnrollmentService;
import io.mooring.api.InventorySnapshot;
import io.mooring.api.InventoryService;
import io.mooring.api.PendingCommand;
import io.mooring.api.UnavailableException;
import io.mooring.api.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example agent protocol (README.md, "Protocol"), kept apart from the servlet so it can be exercised
 * without a web container. A request is checked in the order a client can act on the answer: path,
 * method, media type, credential, then size and JSON; only an authenticated device's body is read, and
 * nothing is written until all of it passed.
 */
final class AgentProtocol {
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int CHECK_IN_INTERVAL_SECONDS = 60;
    static final int MAX_COMMANDS_PER_CHECK_IN = 10;
    static final String RETRY_AFTER_SECONDS = "5";

    /** Device clocks drift; a report from further ahead than this would shadow later ones as "latest". */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final int MAX_CREDENTIAL_LENGTH = 1024;
    private static final int MAX_TOKEN_LENGTH = 512;
    private static final Logger LOG = LoggerFactory.getLogger(AgentProtocol.class);

    private final EnrollmentService enrollment;
    private final CommandService commands;
    private final InventoryService inventory;
    private final Clock clock;
    /**
     * One JSON object per body: trailing content and duplicate members (which one wins differs between
     * parsers) are refused, and parse errors do not quote the request back into logs.
     */
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    AgentProtocol(EnrollmentService enrollment, CommandService commands, InventoryService inventory, Clock clock) {
        this.enrollment = enrollment;
        this.commands = commands;
        this.inventory = inventory;
        this.clock = clock;
    }

    AgentResponse handle(AgentRequest request) {
        try {
            return route(request);
        } catch (Refusal refusal) {
            return refusal.response;
        } catch (ValidationException e) {
            return AgentResponse.error(400, e.getMessage());
        } catch (UnavailableException e) {
            return AgentResponse.error(503, "the server cannot answer right now; retry later").withHeader("Retry-After", RETRY_AFTER_SECONDS);
        } catch (RuntimeException e) {
            LOG.error("Example agent request {} {} failed", request.method(), request.path(), e);
            return AgentResponse.error(500, "the server could not handle the request");
        }
    }

    byte[] render(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AgentResponse route(AgentRequest request) {
        Endpoint endpoint = Endpoint.at(request.path())
                .orElseThrow(() -> new Refusal(404, "there is no example agent endpoint at this path"));
        if (!"POST".equals(request.method())) {
            throw new Refusal(AgentResponse.error(405, "example agent endpoints accept only POST").withHeader("Allow", "POST"));
        }
        if (!isJson(request.contentType())) {
            throw new Refusal(415, "send the body as application/json in UTF-8");
        }
        // Arguments are evaluated left to right (JLS 15.7.4): the credential is checked before the body is read.
        return switch (endpoint) {
            case ENROLL -> enroll(read(request, List.of("token", "name", "model", "osVersion", "serialNumber", "hardwareId")));
            case CHECK_IN -> checkIn(authenticate(request), read(request, List.of("max")));
            case RESULTS -> results(authenticate(request), read(request, List.of("commandId", "status", "data", "error")));
            case INVENTORY -> inventory(authenticate(request),
                    read(request, List.of("reportedAt", "name", "model", "osVersion", "serialNumber", "hardwareId", "facts")));
        };
    }

    private AgentResponse enroll(RequestBody body) {
        String token = body.requiredText("token", MAX_TOKEN_LENGTH);
        DeviceDescription description = describe(body);
        EnrolledDevice enrolled;
        try {
            enrolled = enrollment.enroll(ExamplePlatform.ID, token, description);
        } catch (EnrollmentException e) {
            return AgentResponse.error(403, e.getMessage());
        }
        ObjectNode answer = json.createObjectNode()
                .put("deviceId", enrolled.device().id().toString())
                .put("credential", enrolled.credential())
                .put("checkInIntervalSeconds", CHECK_IN_INTERVAL_SECONDS);
        return AgentResponse.json(201, answer);
    }

    private AgentResponse checkIn(Device device, RequestBody body) {
        int max = body.integer("max", 1, 1, MAX_COMMANDS_PER_CHECK_IN);
        ObjectNode answer = json.createObjectNode();
        ArrayNode list = answer.putArray("commands");
        for (PendingCommand command : commands.nextFor(device.id(), max)) {
            list.addObject()
                    .put("id", command.id().toString())
                    .put("type", command.type().name())
                    .<ObjectNode>set("payload", json.valueToTree(command.payload()))
                    .put("attempt", command.attempt());
        }
        return AgentResponse.json(200, answer);
    }

    private AgentResponse results(Device device, RequestBody body) {
        CommandId command = CommandId.parse(body.requiredText("commandId", 36));
        CommandResult result = new CommandResult(outcome(body.requiredText("status", 16)), body.object("data"), body.text("error"));
        Completion completion = commands.complete(device.id(), command, result);
        return AgentResponse.json(200, json.createObjectNode().put("completion", completion.name()));
    }

    private AgentResponse inventory(Device device, RequestBody body) {
        Instant now = clock.instant();
        Instant reportedAt = body.instant("reportedAt", now);
        if (reportedAt.isAfter(now.plus(CLOCK_SKEW))) {
            throw new ValidationException("reportedAt", "'reportedAt' lies in the future; leave it out if the device clock is unreliable");
        }
        inventory.record(device.id(), new InventorySnapshot(reportedAt, describe(body), body.object("facts")));
        return AgentResponse.noContent();
    }

    private static CommandResult.Outcome outcome(String status) {
        try {
            return CommandResult.Outcome.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("status", "'status' must be ACKNOWLEDGED, ERROR or NOT_NOW");
        }
    }

    private static DeviceDescription describe(RequestBody body) {
        return new DeviceDescription(body.text("name"), body.text("model"), body.text("osVersion"),
                body.text("serialNumber"), body.text("hardwareId"));
    }

    /** RFC 6750 §2.1 bearer credential; §3 says how to tell a missing one from a wrong one. */
    private Device authenticate(AgentRequest request) {
        String credential = bearerCredential(request.authorization());
        if (credential == null) {
            throw new Refusal(AgentResponse.error(401, "send the device credential as 'Authorization: Bearer <credential>'")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"example\""));
        }
        Optional<Device> device = credential.length() > MAX_CREDENTIAL_LENGTH
                ? Optional.empty()
                : enrollment.authenticate(ExamplePlatform.ID, credential);
        return device.orElseThrow(() -> new Refusal(AgentResponse.error(401, "the device credential is not valid; enroll again")
                .withHeader("WWW-Authenticate", "Bearer realm=\"example\", error=\"invalid_token\"")));
    }

    private static String bearerCredential(String authorization) {
        if (authorization == null) {
            return null;
        }
        String[] parts = authorization.strip().split(" +", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].isBlank()) {
            return null;
        }
        return parts[1].strip();
    }

    /** RFC 8259 §8.1: JSON exchanged between systems is UTF-8, so another declared charset is refused. */
    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].strip().equalsIgnoreCase("charset")
                    && (parameter.length < 2 || !parameter[1].strip().replace("\"", "").equalsIgnoreCase("utf-8"))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads at most one byte more than the limit, so an oversized body is detected without buffering it and
     * without trusting Content-Length, which a client may omit or understate. An empty body reads as {}.
     */
    private RequestBody read(AgentRequest request, List<String> members) {
        if (request.contentLength() > MAX_BODY_BYTES) {
            throw new Refusal(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.body()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            LOG.debug("Could not read an example agent request body", e);
            throw new Refusal(400, "the body could not be read");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new Refusal(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode tree;
        try {
            tree = json.readTree(bytes);
        } catch (IOException e) {
            throw new Refusal(400, "the body is not well-formed JSON");
        }
        if (tree == null || tree.isMissingNode()) {
            return new RequestBody(json.createObjectNode(), json, members);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new Refusal(400, "the body must be a JSON object");
        }
        return new RequestBody(object, json, members);
    }

    private enum Endpoint {
        ENROLL("/enroll"), CHECK_IN("/checkin"), RESULTS("/results"), INVENTORY("/inventory");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        static Optional<Endpoint> at(String path) {
            for (Endpoint endpoint : values()) {
                if (endpoint.path.equals(path)) {
                    return Optional.of(endpoint);
                }
            }
            return Optional.empty();
        }
    }

    /** A request turned away before it reached core; carries its own answer and no stack trace. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient AgentResponse response;

        Refusal(int status, String message) {
            this(AgentResponse.error(status, message));
        }

        Refusal(AgentResponse response) {
            super(null, null, false, false);
            this.response = response;
        }
    }
}
