package io.mooring.push.fcm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mooring.api.Device;
import io.mooring.api.DeviceDescription;
import io.mooring.api.DeviceId;
import io.mooring.api.DeviceState;
import io.mooring.api.PlatformId;
import io.mooring.api.PushRegistration;
import io.mooring.api.TenantId;
import io.mooring.spi.PushProvider.PushReport;
import io.mooring.spi.PushProvider.Rejection;
import io.mooring.testkit.LocalFcmServer;
import io.mooring.testkit.LocalFcmServer.FcmError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider with the real Firebase Admin SDK, talking to a local server that speaks the FCM HTTP v1 API. */
class FcmPushProviderTest {
    static final TenantId TENANT = TenantId.DEFAULT;

    @TempDir
    Path dir;
    LocalFcmServer fcm;
    FcmPushProvider provider;

    @BeforeEach
    void start() throws Exception {
        fcm = LocalFcmServer.start("mooring-test");
    }

    @AfterEach
    void stop() throws Exception {
        if (provider != null) {
            provider.deactivate();
        }
        fcm.close();
    }

    static FcmPushProvider.Config config(Map<String, Object> values) {
        return (FcmPushProvider.Config) Proxy.newProxyInstance(FcmPushProvider.Config.class.getClassLoader(),
                new Class<?>[] {FcmPushProvider.Config.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue());
    }

    FcmPushProvider provider(Map<String, Object> extra) throws Exception {
        Path key = dir.resolve("service-account.json");
        Files.writeString(key, fcm.serviceAccountJson());
        Map<String, Object> values = new HashMap<>(Map.of("service_account_file", key.toString(), "endpoint", fcm.endpoint()));
        values.putAll(extra);
        provider = new FcmPushProvider(config(values));
        return provider;
    }

    static Device device(String token) {
        return new Device(DeviceId.random(), TENANT, new PlatformId("android"), DeviceState.ENROLLED, DeviceDescription.EMPTY, Instant.now(), null,
                token == null ? null : new PushRegistration("fcm", token, null, null, true));
    }

    static PushReport await(java.util.concurrent.CompletionStage<PushReport> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aWakeUpIsAHighPriorityDataMessageToTheDeviceToken() throws Exception {
        Device d = device("token-a");
        PushReport report = await(provider(Map.of()).wake(List.of(d)));

        assertThat(report.rejected()).isEmpty();
        assertThat(report.accepted()).isEqualTo(1);
        assertThat(fcm.received()).singleElement().satisfies(r -> {
            assertThat(r.token()).isEqualTo("token-a");
            assertThat(r.data()).isEqualTo(Map.of("mooring", "check-in"));
            assertThat(r.priority()).isEqualToIgnoringCase("high");
            assertThat(r.collapseKey()).isEqualTo("mooring-check-in");
            assertThat(r.ttl()).isEqualTo("28800s");
        });
        assertThat(fcm.tokenGrants()).as("one OAuth token for the service account, reused").isEqualTo(1);
        assertThat(provider.problems()).isEmpty();
    }

    @Test
    void deadTokensAreReportedForInvalidationAndOthersStillGetTheirWakeUp() throws Exception {
        fcm.reject("gone", FcmError.UNREGISTERED);
        fcm.reject("garbled", FcmError.INVALID_ARGUMENT);
        fcm.reject("other-project", FcmError.SENDER_ID_MISMATCH);
        Device gone = device("gone");
        Device garbled = device("garbled");
        Device other = device("other-project");
        Device live = device("live");
        Device none = device(null);

        PushReport report = await(provider(Map.of()).wake(List.of(gone, garbled, other, live, none)));

        assertThat(report.accepted()).isEqualTo(1);
        assertThat(fcm.tokensReceived()).containsExactly("live");
        Map<DeviceId, Rejection> byDevice = new HashMap<>();
        report.rejected().forEach(r -> byDevice.put(r.device(), r));
        assertThat(byDevice).hasSize(4);
        assertThat(byDevice.get(gone.id()).tokenInvalid()).isTrue();
        assertThat(byDevice.get(gone.id()).reason()).startsWith("UNREGISTERED");
        assertThat(byDevice.get(garbled.id()).tokenInvalid()).isTrue();
        assertThat(byDevice.get(garbled.id()).reason()).startsWith("INVALID_ARGUMENT");
        assertThat(byDevice.get(other.id()).tokenInvalid()).isTrue();
        assertThat(byDevice.get(none.id()).tokenInvalid()).isFalse();
    }

    @Test
    void throttlingAndOutagesAreRetriedWithBackoffUntilTheyPass() throws Exception {
        fcm.failFirst("throttled", FcmError.QUOTA_EXCEEDED, 2);
        fcm.failFirst("outage", FcmError.UNAVAILABLE, 2);
        fcm.failFirst("hopeless", FcmError.QUOTA_EXCEEDED, 1_000);
        Device throttled = device("throttled");
        Device outage = device("outage");
        Device hopeless = device("hopeless");

        PushReport report = await(provider(Map.of("retries", 3)).wake(List.of(throttled, outage, hopeless)));

        assertThat(report.accepted()).isEqualTo(2);
        assertThat(fcm.tokensReceived()).containsExactlyInAnyOrder("throttled", "outage");
        assertThat(report.rejected()).singleElement().satisfies(r -> {
            assertThat(r.device()).isEqualTo(hopeless.id());
            assertThat(r.tokenInvalid()).as("a throttled token is not a dead token").isFalse();
            assertThat(r.reason()).startsWith("QUOTA_EXCEEDED");
        });
        assertThat(provider.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("kept failing"));
    }

    @Test
    void aKeyFromAnotherServiceAccountIsRefusedAndShowsAsAProblem() throws Exception {
        Path key = dir.resolve("foreign.json");
        try (LocalFcmServer other = LocalFcmServer.start("mooring-test")) {
            // a key the local server does not know, but whose token endpoint is the local server
            Files.writeString(key, other.serviceAccountJson().replace(other.endpoint(), fcm.endpoint()));
        }
        provider = new FcmPushProvider(config(Map.of("service_account_file", key.toString(), "endpoint", fcm.endpoint())));

        PushReport report = await(provider.wake(List.of(device("live"))));

        assertThat(report.accepted()).isZero();
        assertThat(report.rejected()).singleElement().satisfies(r -> assertThat(r.tokenInvalid()).isFalse());
        assertThat(fcm.tokensReceived()).isEmpty();
        assertThat(provider.problems()).singleElement().satisfies(p -> {
            assertThat(p.tenant()).isEqualTo(TENANT);
            assertThat(p.message()).contains("FCM");
        });
    }

    @Test
    void withoutAServiceAccountNothingIsSentAndTheAdminIsToldWhy() throws Exception {
        provider = new FcmPushProvider(config(Map.of()));

        PushReport report = await(provider.wake(List.of(device("live"))));

        assertThat(report.accepted()).isZero();
        assertThat(report.rejected()).singleElement().satisfies(r -> assertThat(r.reason()).contains("not configured"));
        assertThat(provider.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("service.account.file"));
    }

    @Test
    void aFanOutIsSentInBatchesAndEveryDeviceIsAccountedFor() throws Exception {
        fcm.recordMessages(false);
        List<Device> fleet = IntStream.range(0, 2_345).mapToObj(i -> device("t" + i)).toList();

        PushReport report = await(provider(Map.of("batch_size", 500, "batches_in_flight", 2, "concurrency", 16)).wake(fleet));

        assertThat(report.accepted()).isEqualTo(2_345);
        assertThat(report.rejected()).isEmpty();
        assertThat(fcm.acceptedCount()).isEqualTo(2_345);
    }
}
