package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import io.mooring.testkit.ExampleDevice.Answer;
import io.mooring.testkit.ExampleDevice.Call;
import io.mooring.testkit.FakeAgentServer.Result;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExampleDeviceTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final FakeAgentServer server;

    ExampleDeviceTest() throws IOException {
        server = FakeAgentServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void enrollsWithAValidTokenAndDescribesItself() {
        ExampleDevice device = new ExampleDevice(http, "SN-1");

        ExampleDevice.Exchange answer = device.enroll(server.uri(), server.issueToken());

        assertThat(answer.status()).isEqualTo(201);
        assertThat(device.isEnrolled()).isTrue();
        assertThat(device.deviceId()).isNotBlank();
        assertThat(server.description(device.deviceId())).containsEntry("serialNumber", "SN-1").containsKeys("name", "model", "osVersion", "hardwareId");
    }

    @Test
    void staysUnenrolledAndIdleWhenTheTokenIsRefused() {
        ExampleDevice device = new ExampleDevice(http, "SN-1");

        ExampleDevice.Exchange answer = device.enroll(server.uri(), "not-a-token");
        int requests = server.requests();

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).hasValueSatisfying(error -> assertThat(error).contains("token"));
        assertThat(device.isEnrolled()).isFalse();
        assertThat(device.runOnce()).isEqualTo(Tally.NONE);
        assertThat(server.requests()).isEqualTo(requests);
    }

    @Test
    void executesEveryCommandOnceAndAcknowledgesIt() {
        ExampleDevice device = enrolledDevice(0);
        String lock = server.queue(device.deviceId(), "Lock", Map.of("message", "Return to IT"));
        String restart = server.queue(device.deviceId(), "Restart", Map.of());
        String notify = server.queue(device.deviceId(), "Notify", Map.of("title", "Update", "body", "Tonight at 22:00"));

        Tally first = device.runOnce();
        Tally second = device.runOnce();

        assertThat(first).isEqualTo(new Tally(1, 0, 3, 3, 0, 0, 0));
        assertThat(second).isEqualTo(new Tally(1, 0, 0, 0, 0, 0, 0));
        for (String command : new String[] {lock, restart, notify}) {
            assertThat(server.results(command)).extracting(Result::status, Result::completion).containsExactly(
                    tuple("ACKNOWLEDGED", "RECORDED"));
            assertThat(server.state(command)).isEqualTo(FakeAgentServer.State.DONE);
        }
        assertThat(device.executed()).containsExactly(lock, restart, notify);
        assertThat(device.isLocked()).isTrue();
        assertThat(device.lockMessage()).isEqualTo("Return to IT");
        assertThat(device.restarts()).isEqualTo(1);
        assertThat(device.notificationTitles()).containsExactly("Update");
    }

    @Test
    void postsInventoryBeforeAcknowledgingRequestInventory() {
        ExampleDevice device = enrolledDevice(0);
        server.queue(device.deviceId(), "Lock", Map.of());
        String request = server.queue(device.deviceId(), "RequestInventory", Map.of());

        device.runOnce();

        assertThat(server.inventories(device.deviceId())).singleElement().satisfies(report -> {
            assertThat(report).containsEntry("serialNumber", "SN-1").containsKey("reportedAt");
            assertThat(report.get("facts")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("locked", true);
        });
        assertThat(server.log()).endsWith("inventory:" + device.deviceId(), "result:" + request + ":ACKNOWLEDGED");
    }

    @Test
    void stopsForGoodAfterAcknowledgingWipe() {
        ExampleDevice device = enrolledDevice(0);
        String wipe = server.queue(device.deviceId(), "Wipe", Map.of());
        String lockAfterWipe = server.queue(device.deviceId(), "Lock", Map.of());

        device.runOnce();
        int requests = server.requests();
        server.queue(device.deviceId(), "Restart", Map.of());

        assertThat(device.isWiped()).isTrue();
        assertThat(server.results(wipe)).extracting(Result::completion).containsExactly("RECORDED");
        assertThat(server.results(lockAfterWipe)).isEmpty();
        assertThat(device.runOnce()).isEqualTo(Tally.NONE);
        assertThat(server.requests()).isEqualTo(requests);
    }

    @Test
    void defersACommandOnceWhenBusyAndExecutesItWhenItComesBack() {
        ExampleDevice device = enrolledDevice(1.0);
        String lock = server.queue(device.deviceId(), "Lock", Map.of());

        Tally first = device.runOnce();
        Tally second = device.runOnce();

        assertThat(first.notNow()).isEqualTo(1);
        assertThat(second.acknowledged()).isEqualTo(1);
        assertThat(server.results(lock)).extracting(Result::status, Result::completion).containsExactly(
                tuple("NOT_NOW", "REQUEUED"),
                tuple("ACKNOWLEDGED", "RECORDED"));
        assertThat(device.received()).extracting(ExampleDevice.ReceivedCommand::attempt).containsExactly(1, 2);
        assertThat(device.executed()).containsExactly(lock);
    }

    @Test
    void neverDefersWithTheDefaultProbability() {
        ExampleDevice device = enrolledDevice(0);
        for (int i = 0; i < 10; i++) {
            server.queue(device.deviceId(), "Restart", Map.of());
        }

        Tally round = device.runOnce();

        assertThat(round.acknowledged()).isEqualTo(10);
        assertThat(round.notNow()).isZero();
    }

    @Test
    void treats503AsTryLaterAndKeepsItsEnrollment() {
        ExampleDevice device = enrolledDevice(0);
        server.unavailable(true, 5);

        Tally during = device.runOnce();

        assertThat(during).isEqualTo(new Tally(0, 1, 0, 0, 0, 0, 0));
        assertThat(device.lastStatus(Call.CHECK_IN)).contains(503);
        assertThat(device.retryAfter()).contains(Duration.ofSeconds(5));
        assertThat(device.isEnrolled()).isTrue();

        server.unavailable(false, 5);
        String lock = server.queue(device.deviceId(), "Lock", Map.of());
        Tally after = device.runOnce();

        assertThat(after.acknowledged()).isEqualTo(1);
        assertThat(device.lastStatus(Call.CHECK_IN)).contains(200);
        assertThat(device.retryAfter()).isEmpty();
        assertThat(server.results(lock)).extracting(Result::completion).containsExactly("RECORDED");
    }

    @Test
    void keepsAResultItCouldNotDeliverAndSendsItBeforeTheNextCheckIn() {
        ExampleDevice device = enrolledDevice(0);
        String restart = server.queue(device.deviceId(), "Restart", Map.of());
        server.unavailableAt("/results", true);

        Tally during = device.runOnce();

        assertThat(during.unavailable()).isEqualTo(1);
        assertThat(during.failures()).isZero();
        assertThat(device.undeliveredResults()).isEqualTo(1);
        assertThat(server.state(restart)).isEqualTo(FakeAgentServer.State.SENT);

        server.unavailableAt("/results", false);
        Tally after = device.runOnce();

        assertThat(after.acknowledged()).isEqualTo(1);
        assertThat(after.commandsReceived()).as("the result arrived before the check-in, so nothing was handed out again").isZero();
        assertThat(device.undeliveredResults()).isZero();
        assertThat(server.results(restart)).extracting(Result::completion).containsExactly("RECORDED");
        assertThat(device.restarts()).isEqualTo(1);
    }

    @Test
    void resendsAResultWhoseAnswerWasLostAndTheServerCountsItOnce() {
        ExampleDevice device = enrolledDevice(0);
        String lock = server.queue(device.deviceId(), "Lock", Map.of());
        server.loseAnswerOnce("/results");

        Tally lost = device.runOnce();
        device.runOnce();

        assertThat(lost.failures()).isEqualTo(1);
        assertThat(device.answers()).extracting(Answer::httpStatus, Answer::completion).containsExactly(
                tuple(0, null),
                tuple(200, "DUPLICATE"));
        assertThat(server.results(lock)).extracting(Result::completion).containsExactly("RECORDED", "DUPLICATE");
        assertThat(device.executed()).containsExactly(lock);
    }

    @Test
    void answersARedeliveredCommandFromMemoryWithoutRunningItAgain() {
        ExampleDevice device = enrolledDevice(0);
        String restart = server.queue(device.deviceId(), "Restart", Map.of());
        device.runOnce();
        server.redeliver(restart);

        device.runOnce();

        assertThat(device.received()).extracting(ExampleDevice.ReceivedCommand::id).containsExactly(restart, restart);
        assertThat(device.answers()).extracting(Answer::status).containsExactly("ACKNOWLEDGED", "ACKNOWLEDGED");
        assertThat(device.restarts()).isEqualTo(1);
        assertThat(device.executed()).containsExactly(restart);
    }

    @Test
    void handlesACheckInAnswerLostOnTheWayAsARetry() {
        ExampleDevice device = enrolledDevice(0);
        String notify = server.queue(device.deviceId(), "Notify", Map.of("title", "Hello", "body", "World"));
        server.loseAnswerOnce("/checkin");

        Tally lost = device.runOnce();
        Tally retried = device.runOnce();

        assertThat(lost.failures()).isEqualTo(1);
        assertThat(device.lastStatus(Call.CHECK_IN)).contains(200);
        assertThat(retried.commandsReceived()).isEqualTo(1);
        assertThat(device.received()).singleElement().satisfies(c -> assertThat(c.attempt()).isEqualTo(2));
        assertThat(server.results(notify)).extracting(Result::completion).containsExactly("RECORDED");
    }

    @Test
    void recordsNoAnswerWhenTheServerIsGoneAndDoesNotCrash() {
        ExampleDevice device = enrolledDevice(0);
        server.close();

        Tally round = device.runOnce();

        assertThat(round.failures()).isEqualTo(1);
        assertThat(device.lastStatus(Call.CHECK_IN)).contains(0);
        assertThat(device.isEnrolled()).isTrue();
    }

    @Test
    void stopsWhenTheServerRefusesItsCredential() {
        ExampleDevice device = enrolledDevice(0);
        server.revoke(device.deviceId());

        device.runOnce();
        int requests = server.requests();

        assertThat(device.lastStatus(Call.CHECK_IN)).contains(401);
        assertThat(device.isRevoked()).isTrue();
        assertThat(device.isEnrolled()).isFalse();
        assertThat(device.runOnce()).isEqualTo(Tally.NONE);
        assertThat(server.requests()).isEqualTo(requests);
    }

    @Test
    void answersAnUnknownCommandTypeWithAnError() {
        ExampleDevice device = enrolledDevice(0);
        String unknown = server.queue(device.deviceId(), "InstallApp", Map.of("bundle", "com.acme.mail"));

        Tally round = device.runOnce();

        assertThat(round.errors()).isEqualTo(1);
        assertThat(server.results(unknown)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("ERROR");
            assertThat(r.error()).contains("InstallApp");
        });
        assertThat(device.executed()).isEmpty();
    }

    @Test
    void exposesTheRawStatusOfDirectCalls() {
        ExampleDevice device = enrolledDevice(0);
        String lock = server.queue(device.deviceId(), "Lock", Map.of());

        ExampleDevice.CheckIn checkIn = device.checkIn(5);
        ExampleDevice.Exchange result = device.reportResult(lock, "ERROR", Map.of("code", 7), "passcode policy prevents locking");
        ExampleDevice.Exchange inventory = device.sendInventory();

        assertThat(checkIn.exchange().status()).isEqualTo(200);
        assertThat(checkIn.commands()).extracting(ExampleDevice.ReceivedCommand::id).containsExactly(lock);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.body().get("completion").asText()).isEqualTo("RECORDED");
        assertThat(inventory.status()).isEqualTo(204);
        assertThat(device.exchanges()).extracting(ExampleDevice.Exchange::call)
                .containsExactly(Call.ENROLL, Call.CHECK_IN, Call.RESULT, Call.INVENTORY);
    }

    private ExampleDevice enrolledDevice(double notNowProbability) {
        ExampleDevice device = new ExampleDevice(http, "SN-1", notNowProbability, new Random(7));
        assertThat(device.enroll(server.uri(), server.issueToken()).status()).isEqualTo(201);
        return device;
    }
}
