package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {
    private final FakeAgentServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    SimulatorMainTest() throws IOException {
        server = FakeAgentServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void runsAFleetAndSucceedsWhenEveryCallWasAnswered() throws InterruptedException {
        server.onEnroll(deviceId -> server.queue(deviceId, "Notify", Map.of("title", "Hello", "body", "From the simulator test")));

        int exit = run(Map.of(), "--url", server.uri().toString(), "--token", server.issueToken(), "--devices", "3",
                "--rounds", "2", "--interval-ms", "0");

        assertThat(exit).isEqualTo(SimulatorMain.OK);
        assertThat(text(out)).contains("Enrolled 3 of 3 devices", "check-ins: 6", "acknowledged: 3", "Failures: 0");
        assertThat(server.results()).hasSize(3).allSatisfy(r -> assertThat(r.completion()).isEqualTo("RECORDED"));
    }

    @Test
    void takesTheTokenFromTheEnvironment() throws InterruptedException {
        int exit = run(Map.of(SimulatorMain.TOKEN_VARIABLE, server.issueToken()), "--url", server.uri().toString(), "--interval-ms", "0");

        assertThat(exit).isEqualTo(SimulatorMain.OK);
        assertThat(text(out)).contains("Enrolled 1 of 1 devices");
    }

    @Test
    void failsWhenEnrollmentIsRefused() throws InterruptedException {
        int exit = run(Map.of(), "--url", server.uri().toString(), "--token", "not-a-token", "--devices", "2");

        assertThat(exit).isEqualTo(SimulatorMain.FAILURES);
        assertThat(text(out)).contains("Enrolled 0 of 2 devices", "Failures: 2");
        assertThat(text(err)).contains("HTTP 403", "unknown, expired or used up");
    }

    @Test
    void failsWhenTheServerCannotBeReached() throws InterruptedException {
        String url = server.uri().toString();
        server.close();

        int exit = run(Map.of(), "--url", url, "--token", "anything");

        assertThat(exit).isEqualTo(SimulatorMain.FAILURES);
        assertThat(text(err)).contains("no answer from the server");
    }

    @Test
    void refusesBadUsage() throws InterruptedException {
        assertThat(run(Map.of(), "--url", server.uri().toString())).isEqualTo(SimulatorMain.USAGE);
        assertThat(text(err)).contains("token is required");
        assertThat(run(Map.of(), "--token", "t", "--devices", "0")).isEqualTo(SimulatorMain.USAGE);
        assertThat(run(Map.of(), "--token", "t", "--devices", "many")).isEqualTo(SimulatorMain.USAGE);
        assertThat(run(Map.of(), "--token", "t", "--url", "ftp://host")).isEqualTo(SimulatorMain.USAGE);
        assertThat(run(Map.of(), "--token", "t", "--not-now-probability", "2")).isEqualTo(SimulatorMain.USAGE);
        assertThat(run(Map.of(), "--token", "t", "--frobnicate", "1")).isEqualTo(SimulatorMain.USAGE);
        assertThat(run(Map.of(), "--token")).isEqualTo(SimulatorMain.USAGE);
        assertThat(server.requests()).isZero();
    }

    @Test
    void printsHelp() throws InterruptedException {
        assertThat(run(Map.of(), "--help")).isEqualTo(SimulatorMain.OK);
        assertThat(text(out)).contains("--interval-ms");
    }

    private int run(Map<String, String> environment, String... args) throws InterruptedException {
        return SimulatorMain.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
