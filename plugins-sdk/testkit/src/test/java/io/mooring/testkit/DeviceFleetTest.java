package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.mooring.testkit.FakeAgentServer.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeviceFleetTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeAgentServer server;

    DeviceFleetTest() throws IOException {
        server = FakeAgentServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void enrollsEveryDeviceAndAnswersEveryCommandOnce() throws InterruptedException {
        Set<String> commands = new HashSet<>();
        server.onEnroll(deviceId -> {
            commands.add(server.queue(deviceId, "Lock", Map.of("message", "Locked by the fleet test")));
            commands.add(server.queue(deviceId, "RequestInventory", Map.of()));
        });
        try (DeviceFleet fleet = new DeviceFleet(http, server.uri(), 6, 2, 0.5, 42)) {
            assertThat(fleet.enrollAll(server.issueToken())).isEqualTo(6);

            DeviceFleet.Report report = fleet.run(3, Duration.ZERO);

            assertThat(report.devices()).isEqualTo(6);
            assertThat(report.enrolled()).isEqualTo(6);
            assertThat(report.rounds()).isEqualTo(3);
            assertThat(report.failures()).isZero();
            assertThat(report.tally().checkIns()).isEqualTo(18);
            assertThat(report.tally().acknowledged()).isEqualTo(12);
            assertThat(report.tally().commandsReceived()).isEqualTo(12 + report.tally().notNow());
            List<Result> recorded = server.results().stream().filter(r -> r.completion().equals("RECORDED")).toList();
            assertThat(recorded).extracting(Result::commandId).containsExactlyInAnyOrderElementsOf(commands);
            for (ExampleDevice device : fleet.devices()) {
                assertThat(device.executed()).hasSize(2).doesNotHaveDuplicates();
                assertThat(device.isLocked()).isTrue();
                assertThat(server.inventories(device.deviceId())).hasSize(1);
            }
        }
    }

    @Test
    void countsRefusedEnrollmentsAsFailures() {
        try (DeviceFleet fleet = new DeviceFleet(http, server.uri(), 3, 4, 0, 1)) {
            assertThat(fleet.enrollAll("not-a-token")).isZero();

            DeviceFleet.Report report = fleet.report();

            assertThat(report.enrollmentFailures()).isEqualTo(3);
            assertThat(report.failures()).isEqualTo(3);
        }
    }

    @Test
    void waitsTheRetryAfterTheServerAskedForBeforeTheNextRound() throws InterruptedException {
        try (DeviceFleet fleet = new DeviceFleet(http, server.uri(), 2, 2, 0, 1)) {
            fleet.enrollAll(server.issueToken());
            server.unavailable(true, 1);

            long started = System.nanoTime();
            DeviceFleet.Report during = fleet.run(2, Duration.ZERO);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(during.tally().unavailable()).isEqualTo(4);
            assertThat(during.failures()).isZero();

            server.unavailable(false, 1);
            DeviceFleet.Report report = fleet.run(1, Duration.ZERO);

            assertThat(report.tally().checkIns()).isEqualTo(2);
            assertThat(report.enrolled()).isEqualTo(2);
            assertThat(report.failures()).isZero();
        }
    }
}
