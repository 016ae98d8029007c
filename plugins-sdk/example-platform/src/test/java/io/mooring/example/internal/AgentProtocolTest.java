package io.mooring.example.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.CommandType;
import io.mooring.api.Completion;
import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.PendingCommand;
import io.mooring.api.UnavailableException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentProtocolTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final String CREDENTIAL = "s3cret-credential";

    private final FakeEnrollmentService enrollment = new FakeEnrollmentService();
    private final FakeCommandService commands = new FakeCommandService();
    private final FakeInventoryService inventory = new FakeInventoryService();
    private final AgentProtocol protocol = new AgentProtocol(enrollment, commands, inventory, Clock.fixed(NOW, ZoneOffset.UTC));
    private final Device device = enrollment.enrolledDevice(CREDENTIAL);

    @Nested
    class Enroll {
        @Test
        void admitsADeviceWithAValidTokenAndReturnsItsCredential() {
            enrollment.acceptToken("token-1");

            AgentResponse response = handle(post("/enroll", """
                    {"token": "token-1", "name": "Front desk", "model": "EX-1", "osVersion": "1.2",
                     "serialNumber": "SN-001", "hardwareId": "hw-1"}""", null));

            assertThat(response.status()).isEqualTo(201);
            assertThat(enrollment.enrollments).containsExactly(new FakeEnrollmentService.Enrollment(ExamplePlatform.ID, "token-1",
                    new DeviceDescription("Front desk", "EX-1", "1.2", "SN-001", "hw-1")));
            String credential = response.body().get("credential").asText();
            assertThat(enrollment.authenticate(ExamplePlatform.ID, credential))
                    .hasValueSatisfying(d -> assertThat(response.body().get("deviceId").asText()).isEqualTo(d.id().toString()));
            assertThat(response.body().get("checkInIntervalSeconds").asInt()).isEqualTo(60);
        }

        @Test
        void answersARefusedTokenWith403() {
            AgentResponse response = handle(post("/enroll", "{\"token\": \"spent\"}", null));

            assertThat(response.status()).isEqualTo(403);
            assertThat(error(response)).isEqualTo("the enrollment token is unknown, expired or used up");
        }

        @Test
        void needsAToken() {
            AgentResponse response = handle(post("/enroll", "{\"name\": \"Front desk\"}", null));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("token");
            assertThat(enrollment.enrollments).isEmpty();
        }

        @Test
        void refusesADescriptionFieldTheApiRefuses() {
            enrollment.acceptToken("token-1");

            AgentResponse response = handle(post("/enroll", "{\"token\": \"token-1\", \"name\": \"" + "n".repeat(256) + "\"}", null));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).startsWith("name ");
            assertThat(enrollment.enrollments).isEmpty();
        }

        @Test
        void refusesAnUnknownMember() {
            AgentResponse response = handle(post("/enroll", "{\"token\": \"token-1\", \"imei\": \"123\"}", null));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'imei'");
        }
    }

    @Nested
    class RequestChecks {
        @Test
        void answersAnUnknownPathWith404() {
            assertThat(handle(post("/register", "{}", CREDENTIAL)).status()).isEqualTo(404);
            assertThat(handle(post(null, "{}", CREDENTIAL)).status()).isEqualTo(404);
            assertThat(handle(post("/checkin/", "{}", CREDENTIAL)).status()).isEqualTo(404);
        }

        @ParameterizedTest
        @ValueSource(strings = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
        void answersOtherMethodsWith405(String method) {
            AgentResponse response = handle(new AgentRequest(method, "/checkin", "application/json", 0, bearer(CREDENTIAL), body("")));

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.headers()).containsEntry("Allow", "POST");
            assertThat(commands.nextForCalls).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/json; charset=ISO-8859-1", "application/jsonp"})
        void answersOtherMediaTypesWith415(String contentType) {
            AgentResponse response = handle(new AgentRequest("POST", "/checkin", contentType, -1, bearer(CREDENTIAL), body("{}")));

            assertThat(response.status()).isEqualTo(415);
            assertThat(commands.nextForCalls).isEmpty();
        }

        @Test
        void answersAMissingMediaTypeWith415() {
            assertThat(handle(new AgentRequest("POST", "/checkin", null, -1, bearer(CREDENTIAL), body("{}"))).status()).isEqualTo(415);
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"", "application/json"})
        void acceptsJsonInUtf8(String contentType) {
            AgentResponse response = handle(new AgentRequest("POST", "/checkin", contentType, -1, bearer(CREDENTIAL), body("{}")));

            assertThat(response.status()).isEqualTo(200);
        }

        @Test
        void answersAMissingCredentialWith401() {
            AgentResponse response = handle(post("/checkin", "{}", null));

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"example\"");
            assertThat(commands.nextForCalls).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "s3cret-credential"})
        void answersAMalformedAuthorizationWith401(String authorization) {
            AgentResponse response = handle(new AgentRequest("POST", "/checkin", "application/json", -1, authorization, body("{}")));

            assertThat(response.status()).isEqualTo(401);
            assertThat(enrollment.authenticated).isEmpty();
        }

        @Test
        void answersAnUnknownCredentialWith401BeforeReadingTheBody() {
            AgentResponse response = handle(new AgentRequest("POST", "/inventory", "application/json", -1, bearer("forged"), unreadable()));

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
            assertThat(enrollment.authenticated).containsExactly("forged");
        }

        @Test
        void acceptsTheBearerSchemeInAnyCase() {
            AgentResponse response = handle(new AgentRequest("POST", "/checkin", "application/json", -1, "bearer " + CREDENTIAL, body("")));

            assertThat(response.status()).isEqualTo(200);
        }

        @Test
        void answersABodyOverTheLimitWith413WhateverContentLengthSays() {
            String large = "{\"max\": 1, \"padding\": \"" + "x".repeat(AgentProtocol.MAX_BODY_BYTES) + "\"}";

            assertThat(handle(new AgentRequest("POST", "/checkin", "application/json", -1, bearer(CREDENTIAL), body(large))).status())
                    .isEqualTo(413);
            assertThat(handle(new AgentRequest("POST", "/checkin", "application/json", 10, bearer(CREDENTIAL), body(large))).status())
                    .isEqualTo(413);
            assertThat(commands.nextForCalls).isEmpty();
        }

        @Test
        void answersADeclaredOversizedBodyWith413WithoutReadingIt() {
            AgentResponse response = handle(new AgentRequest("POST", "/checkin", "application/json",
                    AgentProtocol.MAX_BODY_BYTES + 1L, bearer(CREDENTIAL), unreadable()));

            assertThat(response.status()).isEqualTo(413);
        }

        @Test
        void acceptsABodyOfExactlyTheLimit() {
            String prefix = "{\"max\": 1}";
            String exact = prefix + " ".repeat(AgentProtocol.MAX_BODY_BYTES - prefix.length());

            assertThat(handle(post("/checkin", exact, CREDENTIAL)).status()).isEqualTo(200);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"max\": ", "{\"max\": 1} {}", "[1]", "\"text\"", "{\"max\": 1, \"max\": 2}", "{'max': 1}", "{\"max\": 1 /* two */}"})
        void answersBodiesThatAreNotOneWellFormedJsonObjectWith400(String body) {
            AgentResponse response = handle(post("/checkin", body, CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).startsWith("the body ");
            assertThat(commands.nextForCalls).isEmpty();
        }

        @Test
        void answersUnavailableCoreWith503AndRetryAfter() {
            enrollment.unavailable = true;

            AgentResponse response = handle(post("/checkin", "{}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.headers()).containsEntry("Retry-After", "5");
            assertThat(error(response)).doesNotContain("database");
        }

        @Test
        void answersAnUnexpectedFailureWith500AndAGenericSentence() {
            commands.failure = new IllegalStateException("connection pool exhausted at com.example.Pool");

            AgentResponse response = handle(post("/checkin", "{}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(500);
            assertThat(error(response)).isEqualTo("the server could not handle the request");
        }

        @Test
        void answersUnavailableRaisedDuringAnExchangeWith503() {
            commands.failure = new UnavailableException("plugin call timed out");

            assertThat(handle(post("/checkin", "{}", CREDENTIAL)).status()).isEqualTo(503);
        }
    }

    @Nested
    class CheckIn {
        @Test
        void handsOutOneCommandWhenTheBodyIsEmpty() {
            PendingCommand lock = queue("Lock", Map.of("message", "Lost; call 555 0100"), 1);
            queue("Restart", Map.of(), 1);

            AgentResponse response = handle(post("/checkin", "", CREDENTIAL));

            assertThat(response.status()).isEqualTo(200);
            assertThat(commands.nextForCalls).containsExactly(new FakeCommandService.NextFor(device.id(), 1));
            assertThat(response.body().get("commands")).hasSize(1);
            var first = response.body().get("commands").get(0);
            assertThat(first.get("id").asText()).isEqualTo(lock.id().toString());
            assertThat(first.get("type").asText()).isEqualTo("Lock");
            assertThat(first.get("payload").get("message").asText()).isEqualTo("Lost; call 555 0100");
            assertThat(first.get("attempt").asInt()).isEqualTo(1);
        }

        @Test
        void handsOutUpToMaxCommands() {
            queue("Lock", Map.of(), 1);
            queue("Restart", Map.of(), 2);
            queue("Wipe", Map.of(), 1);

            AgentResponse response = handle(post("/checkin", "{\"max\": 2}", CREDENTIAL));

            assertThat(commands.nextForCalls).containsExactly(new FakeCommandService.NextFor(device.id(), 2));
            assertThat(response.body().get("commands")).extracting(c -> c.get("type").asText()).containsExactly("Lock", "Restart");
            assertThat(response.body().get("commands").get(1).get("attempt").asInt()).isEqualTo(2);
        }

        @Test
        void answersAnEmptyQueueWithAnEmptyList() {
            AgentResponse response = handle(post("/checkin", "{}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("commands").isArray()).isTrue();
            assertThat(response.body().get("commands")).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "11", "-1", "2.5", "\"3\"", "true", "99999999999"})
        void refusesAMaxOutsideOneToTen(String max) {
            AgentResponse response = handle(post("/checkin", "{\"max\": " + max + "}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'max'");
            assertThat(commands.nextForCalls).isEmpty();
        }
    }

    @Nested
    class Results {
        private final CommandId command = CommandId.random();

        @Test
        void recordsAnAcknowledgementWithItsData() {
            AgentResponse response = handle(post("/results", """
                    {"commandId": "%s", "status": "ACKNOWLEDGED", "data": {"battery": 81, "apps": ["mail", "maps"]}}"""
                    .formatted(command), CREDENTIAL));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("completion").asText()).isEqualTo("RECORDED");
            assertThat(commands.completions).containsExactly(new FakeCommandService.Completed(device.id(), command,
                    CommandResult.acknowledged(Map.of("battery", 81, "apps", List.of("mail", "maps")))));
        }

        @Test
        void recordsAnErrorWithTheDevicesMessage() {
            handle(post("/results", """
                    {"commandId": "%s", "status": "ERROR", "error": "screen lock is managed by the user", "data": null}"""
                    .formatted(command), CREDENTIAL));

            assertThat(commands.completions).singleElement().satisfies(c -> {
                assertThat(c.result().outcome()).isEqualTo(CommandResult.Outcome.ERROR);
                assertThat(c.result().error()).isEqualTo("screen lock is managed by the user");
                assertThat(c.result().data()).isEmpty();
            });
        }

        @Test
        void passesOnWhatCoreDidWithTheResult() {
            commands.answers.put(command, Completion.REQUEUED);

            AgentResponse response = handle(post("/results", "{\"commandId\": \"%s\", \"status\": \"NOT_NOW\"}".formatted(command), CREDENTIAL));

            assertThat(response.body().get("completion").asText()).isEqualTo("REQUEUED");
            assertThat(commands.completions).singleElement()
                    .satisfies(c -> assertThat(c.result().outcome()).isEqualTo(CommandResult.Outcome.NOT_NOW));
        }

        @Test
        void refusesAnUnknownStatus() {
            AgentResponse response = handle(post("/results", "{\"commandId\": \"%s\", \"status\": \"acknowledged\"}".formatted(command), CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'status'");
            assertThat(commands.completions).isEmpty();
        }

        @Test
        void refusesACommandIdThatIsNotAUuid() {
            AgentResponse response = handle(post("/results", "{\"commandId\": \"42\", \"status\": \"ACKNOWLEDGED\"}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("command id");
        }

        @Test
        void refusesDataThatIsNotAnObject() {
            AgentResponse response = handle(post("/results", "{\"commandId\": \"%s\", \"status\": \"ACKNOWLEDGED\", \"data\": [1]}"
                    .formatted(command), CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'data'");
        }

        @Test
        void refusesDataNestedDeeperThanThePayloadLimit() {
            String deep = "{\"a\": ".repeat(20) + "1" + "}".repeat(20);

            AgentResponse response = handle(post("/results", "{\"commandId\": \"%s\", \"status\": \"ACKNOWLEDGED\", \"data\": %s}"
                    .formatted(command, deep), CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'data'").contains("nested deeper");
            assertThat(commands.completions).isEmpty();
        }
    }

    @Nested
    class Inventory {
        @Test
        void recordsAReportWithItsTimeSummaryAndFacts() {
            AgentResponse response = handle(post("/inventory", """
                    {"reportedAt": "2024-05-01T13:30:00+02:00", "model": "EX-1", "osVersion": "1.3",
                     "facts": {"batteryLevel": 0.8, "locked": true}}""", CREDENTIAL));

            assertThat(response.status()).isEqualTo(204);
            assertThat(response.body()).isNull();
            assertThat(inventory.recorded).singleElement().satisfies(r -> {
                assertThat(r.device()).isEqualTo(device.id());
                assertThat(r.snapshot().reportedAt()).isEqualTo(Instant.parse("2024-05-01T11:30:00Z"));
                assertThat(r.snapshot().summary()).isEqualTo(new DeviceDescription(null, "EX-1", "1.3", null, null));
                assertThat(r.snapshot().facts()).isEqualTo(Map.of("batteryLevel", 0.8, "locked", true));
            });
        }

        @Test
        void timesAReportWithoutReportedAtAtArrival() {
            handle(post("/inventory", "{\"osVersion\": \"1.3\"}", CREDENTIAL));

            assertThat(inventory.recorded).singleElement().satisfies(r -> assertThat(r.snapshot().reportedAt()).isEqualTo(NOW));
        }

        @Test
        void refusesAReportFromTheFuture() {
            AgentResponse response = handle(post("/inventory", "{\"reportedAt\": \"2024-05-01T13:00:00Z\"}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'reportedAt'");
            assertThat(inventory.recorded).isEmpty();
        }

        @Test
        void refusesAReportedAtThatIsNotIso8601() {
            AgentResponse response = handle(post("/inventory", "{\"reportedAt\": \"yesterday\"}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).contains("'reportedAt'");
        }

        @Test
        void refusesASummaryFieldOfTheWrongType() {
            AgentResponse response = handle(post("/inventory", "{\"model\": 7}", CREDENTIAL));

            assertThat(response.status()).isEqualTo(400);
            assertThat(error(response)).isEqualTo("'model' must be a string");
        }
    }

    private PendingCommand queue(String type, Map<String, Object> payload, int attempt) {
        PendingCommand command = new PendingCommand(CommandId.random(), device.id(), new CommandType(type), payload, attempt);
        commands.queue.add(command);
        return command;
    }

    private AgentResponse handle(AgentRequest request) {
        AgentResponse response = protocol.handle(request);
        if (response.body() != null) {
            // Every answer must survive the trip through the servlet's writer.
            assertThat(protocol.render(response.body())).isNotEmpty();
        }
        return response;
    }

    private static AgentRequest post(String path, String json, String credential) {
        return new AgentRequest("POST", path, "application/json", json.getBytes(UTF_8).length, credential == null ? null : bearer(credential), body(json));
    }

    private static String bearer(String credential) {
        return "Bearer " + credential;
    }

    private static InputStream body(String json) {
        return new ByteArrayInputStream(json.getBytes(UTF_8));
    }

    /** A body the protocol must not touch. */
    private static InputStream unreadable() {
        return new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the body was read");
            }
        };
    }

    private static String error(AgentResponse response) {
        assertThat(response.body().size()).isEqualTo(1);
        return response.body().get("error").asText();
    }
}
