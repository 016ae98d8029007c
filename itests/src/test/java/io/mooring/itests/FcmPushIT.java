package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import io.mooring.api.DeviceId;
import io.mooring.api.DeviceRegistry;
import io.mooring.api.PushRegistration;
import io.mooring.testkit.ExampleDevice;
import io.mooring.testkit.LocalFcmServer;
import io.mooring.testkit.LocalFcmServer.FcmError;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The distribution's FCM provider (the embedded Firebase Admin SDK, resolved in Karaf) wakes each target
 * device once through a local server speaking the FCM HTTP v1 API, OAuth included; a token FCM calls
 * unregistered is marked invalid and gets no further pushes; a throttled token is retried and delivered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FcmPushIT extends MooringTestSupport {
    @Inject
    DeviceRegistry devices;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        // the local FCM server runs inside the container, on the JDK's HTTP server
        return distribution(editConfigurationFileExtend("etc/config.properties", "org.osgi.framework.system.packages.extra",
                "com.sun.net.httpserver"));
    }

    @Test
    public void aQueuedCommandWakesEachDeviceOnceAndUnregisteredTokensAreDropped() throws Exception {
        AdminClient admin = admin();
        try (LocalFcmServer fcm = LocalFcmServer.start("mooring-it")) {
            String notConfigured = admin.get("v1/push/status").body();

            List<ExampleDevice> fleet = enrollFleet(admin, "fcm", 3);
            DeviceId a = DeviceId.parse(fleet.get(0).deviceId());
            DeviceId b = DeviceId.parse(fleet.get(1).deviceId());
            DeviceId c = DeviceId.parse(fleet.get(2).deviceId());
            devices.updatePush(a, new PushRegistration("fcm", "token-a", null, null, true));
            devices.updatePush(b, new PushRegistration("fcm", "token-b", null, null, true));
            devices.updatePush(c, new PushRegistration("fcm", "token-c", null, null, false));

            // before a service account is configured, the admin API says why nothing reaches Android devices
            queue(admin, Map.of("type", "Restart", "devices", List.of(a.toString())));
            await(Duration.ofSeconds(10), "FCM's missing configuration to be reported",
                    () -> admin.get("v1/push/status").body().contains("service.account.file"));
            assertFalse(notConfigured, notConfigured.contains("service.account.file"));

            Path key = Files.createTempFile("fcm-service-account", ".json");
            Files.writeString(key, fcm.serviceAccountJson());
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("service.account.file", key.toString());
            props.put("endpoint", fcm.endpoint());
            configAdmin.getConfiguration("io.mooring.push.fcm", "?").update(props);
            fcm.reject("token-b", FcmError.UNREGISTERED);
            fcm.failFirst("token-a", FcmError.QUOTA_EXCEEDED, 1);
            await(Duration.ofSeconds(10), "the reconfigured provider", () -> !admin.get("v1/push/status").body().contains("service.account.file"));

            queue(admin, Map.of("type", "Restart", "devices", List.of(a.toString(), b.toString(), c.toString())));
            await(Duration.ofSeconds(30), "device b's unregistered token to be marked invalid",
                    () -> !admin.get("v1/devices/" + b).json().get("push").get("valid").asBoolean());
            await(Duration.ofSeconds(10), "device a's wake-up, after FCM's throttling", () -> fcm.received().size() == 1);
            assertEquals("token-a", fcm.received().get(0).token());
            assertEquals(Map.of("mooring", "check-in"), fcm.received().get(0).data());
            assertTrue(fcm.received().get(0).priority().equalsIgnoreCase("high"));
            assertTrue(admin.get("v1/devices/" + a).json().get("push").get("valid").asBoolean());

            queue(admin, Map.of("type", "Restart", "devices", List.of(a.toString(), b.toString(), c.toString())));
            await(Duration.ofSeconds(10), "the second wake-up of device a", () -> fcm.received().size() == 2);
            Thread.sleep(500);
            assertEquals("only device a, once per command", List.of("token-a", "token-a"), fcm.tokensReceived());
            String audit = admin.get("v1/audit?action=device.push_invalid").body();
            assertTrue(audit, audit.contains(b.toString()));
            assertEquals("one OAuth token for all of it", 1, fcm.tokenGrants());
        }
    }
}
