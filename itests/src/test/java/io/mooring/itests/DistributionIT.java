package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.ExampleDevice;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Boots the distribution as it is shipped (embedded H2, the example platform) and talks to it only
 * over HTTP, like admins and devices do; the Karaf FeaturesService and shell are used where ops would
 * type {@code feature:uninstall} or {@code mooring:devices}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class DistributionIT extends MooringTestSupport {
    @Inject
    FeaturesService features;

    @Inject
    SessionFactory sessions;

    @Configuration
    public Option[] config() throws IOException {
        return distribution();
    }

    @Test
    public void a_healthIsAnonymousAndTheApiIsNot() {
        AdminClient anonymous = AdminClient.anonymous(base());
        awaitReady();
        AdminClient.Answer health = anonymous.get("/health");
        assertEquals(200, health.status());
        assertEquals("up", health.json().get("status").asText());
        assertEquals(1, health.json().size());

        for (String path : List.of("/api/v1/platforms", "/api/v1/devices", "/api/v1/audit", "/api/openapi.json")) {
            AdminClient.Answer r = anonymous.get(path);
            assertEquals(path, 401, r.status());
            assertTrue(r.contentType().startsWith("application/problem+json"));
            assertNotNull(r.header("WWW-Authenticate"));
        }
        assertEquals(401, AdminClient.basic(base().resolve("/api/"), "admin", "wrong-password-123").get("v1/devices").status());
        assertEquals(401, AdminClient.bearer(base().resolve("/api/"), "mrt_not-a-token").get("v1/devices").status());
        assertEquals("CXF's default servlet is not exposed", 404, anonymous.get("/cxf").status());
        assertEquals(200, admin().get("openapi.json").status());
        assertTrue(admin().get("openapi.json").json().get("paths").has("/v1/commands"));
    }

    @Test
    public void b_rolesLimitWhatEachAccountMayDo() {
        AdminClient admin = admin();
        assertEquals(201, admin.post("v1/accounts", Map.of("username", "olga", "password", "operator-password-1", "role", "OPERATOR")).status());
        assertEquals(201, admin.post("v1/accounts", Map.of("username", "aude", "password", "auditor-password-1", "role", "AUDITOR")).status());
        AdminClient operator = AdminClient.basic(base().resolve("/api/"), "olga", "operator-password-1");
        AdminClient auditor = AdminClient.basic(base().resolve("/api/"), "aude", "auditor-password-1");

        List<ExampleDevice> fleet = enrollFleet(operator, "roles", 1);
        String device = fleet.get(0).deviceId();
        assertEquals(200, auditor.get("v1/devices/" + device).status());
        AdminClient.Answer refused = auditor.post("v1/commands", Map.of("type", "Restart", "devices", List.of(device)));
        assertEquals(403, refused.status());
        assertTrue(refused.json().get("detail").asText().contains("operator"));
        assertEquals(403, auditor.delete("v1/devices/" + device).status());
        assertEquals(403, operator.get("v1/accounts").status());
        assertEquals(201, operator.post("v1/commands", Map.of("type", "Restart", "devices", List.of(device))).status());

        AdminClient.Answer token = auditor.post("v1/tokens", Map.of("name", "reporting", "validForDays", 1));
        assertEquals(201, token.status());
        AdminClient script = AdminClient.bearer(base().resolve("/api/"), token.json().get("token").asText());
        assertEquals("AUDITOR", script.get("v1/me").json().get("role").asText());
        assertEquals(200, script.get("v1/devices").status());
        assertEquals(403, script.post("v1/commands", Map.of("type", "Restart", "devices", List.of(device))).status());
        assertEquals(403, auditor.post("v1/tokens", Map.of("name", "escalate", "role", "ADMIN")).status());
        assertEquals(204, auditor.delete("v1/tokens/" + token.json().get("id").asText()).status());
        assertEquals(401, script.get("v1/devices").status());
    }

    @Test
    public void c_badInputGetsAClearAnswerAndWritesNothing() {
        AdminClient admin = admin();
        List<ExampleDevice> fleet = enrollFleet(admin, "bad", 1);
        String device = fleet.get(0).deviceId();
        long auditBefore = admin.get("v1/audit?action=command.queued").json().get("total").asLong();

        AdminClient.Answer malformed = admin.post("v1/commands", "{\"type\": \"Lock\", \"devices\": [");
        assertEquals(400, malformed.status());
        assertTrue(malformed.contentType().startsWith("application/problem+json"));
        assertTrue(malformed.json().get("detail").asText().contains("JSON"));

        AdminClient.Answer unknownDevice = admin.post("v1/commands", Map.of("type", "Lock", "devices",
                List.of(device, "00000000-0000-4000-8000-000000000000")));
        assertEquals(404, unknownDevice.status());
        assertTrue(unknownDevice.json().get("detail").asText().contains("nothing was queued"));

        assertEquals(400, admin.post("v1/commands", Map.of("type", "Lock", "devices", List.of("not-a-uuid"))).status());
        AdminClient.Answer unknownField = admin.post("v1/commands", Map.of("type", "Lock", "devices", List.of(device), "priority", 1));
        assertEquals(400, unknownField.status());
        assertEquals("priority", unknownField.json().get("field").asText());
        AdminClient.Answer badPayload = admin.post("v1/commands", Map.of("type", "Notify", "devices", List.of(device), "payload", Map.of("title", 5)));
        assertEquals(400, badPayload.status());
        AdminClient.Answer unsupported = admin.post("v1/commands", Map.of("type", "Explode", "devices", List.of(device)));
        assertEquals(400, unsupported.status());
        assertTrue(unsupported.json().get("detail").asText().contains("does not support"));

        byte[] huge = new byte[2 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        assertEquals(413, admin.postBytes("v1/commands", huge).status());

        assertEquals(404, admin.get("v1/devices/00000000-0000-4000-8000-000000000000").status());
        assertEquals(400, admin.get("v1/devices/xyz").status());
        assertEquals(400, admin.get("v1/devices?limit=100000").status());
        assertEquals(404, admin.get("v1/nothing-here").status());

        assertEquals(auditBefore, admin.get("v1/audit?action=command.queued").json().get("total").asLong());
        assertEquals(0, admin.get("v1/devices/" + device + "/commands").json().get("total").asLong());
    }

    @Test
    public void d_oneTenantCannotSeeOrCommandAnothersDevices() {
        AdminClient system = admin();
        String defaultDevice = enrollFleet(system, "tenancy", 1).get(0).deviceId();
        assertEquals(201, system.post("v1/tenants", Map.of("id", "acme", "name", "Acme Corp")).status());
        assertEquals(201, system.post("v1/accounts", Map.of("username", "acme-admin", "password", "acme-password-123", "role", "ADMIN",
                "tenant", "acme")).status());
        AdminClient acme = AdminClient.basic(base().resolve("/api/"), "acme-admin", "acme-password-123");

        assertEquals(0, acme.get("v1/devices").json().get("total").asLong());
        assertEquals(404, acme.get("v1/devices/" + defaultDevice).status());
        assertEquals(404, acme.get("v1/devices/" + defaultDevice + "/inventory").status());
        assertEquals(404, acme.delete("v1/devices/" + defaultDevice).status());
        assertEquals(404, acme.post("v1/commands", Map.of("type", "Wipe", "devices", List.of(defaultDevice))).status());
        JsonNode byPlatform = queue(acme, Map.of("type", "Wipe", "platform", "example"));
        assertEquals(0, byPlatform.get("targets").asLong());
        assertEquals(403, acme.inTenant("default").get("v1/devices").status());
        assertEquals(403, acme.post("v1/tenants", Map.of("id", "evil", "name", "Evil")).status());

        // a system admin may look into another tenant explicitly
        String acmeDevice = enrollFleet(acme, "acme", 1).get(0).deviceId();
        assertEquals(200, system.inTenant("acme").get("v1/devices/" + acmeDevice).status());
        assertEquals(404, system.get("v1/devices/" + acmeDevice).status());
        assertEquals(404, system.inTenant("no-such-tenant").get("v1/devices").status());
        assertEquals("ENROLLED", system.get("v1/devices/" + defaultDevice).json().get("state").asText());
    }

    @Test
    public void e_commandsSurviveAPlatformSwapAndAreDeliveredExactlyOnce() throws Exception {
        AdminClient admin = admin();
        List<ExampleDevice> fleet = enrollFleet(admin, "swap", 5);
        List<String> ids = fleet.stream().map(ExampleDevice::deviceId).toList();

        JsonNode lock = queue(admin, Map.of("type", "Lock", "platform", "example", "payload", Map.of("message", "Property of Mooring")));
        JsonNode inventory = queue(admin, Map.of("type", "RequestInventory", "devices", ids));
        for (ExampleDevice d : fleet) {
            d.runOnce();
        }
        assertEquals(5, count(admin, inventory.get("id").asText(), "ACKNOWLEDGED"));
        assertTrue(count(admin, lock.get("id").asText(), "ACKNOWLEDGED") >= 5);
        JsonNode inv = admin.get("v1/devices/" + ids.get(0) + "/inventory").json();
        assertEquals(true, inv.get("facts").get("locked").asBoolean());

        // a command handed out but not answered when the plugin goes, and two that were still queued
        JsonNode notify = queue(admin, Map.of("type", "Notify", "devices", ids, "payload", Map.of("title", "Update", "body", "Tonight")));
        assertEquals(1, fleet.get(0).checkIn(1).commands().size());
        JsonNode restart = queue(admin, Map.of("type", "Restart", "devices", ids));

        features.uninstallFeature(EXAMPLE_FEATURE);
        try {
            whileAbsent(admin, fleet, ids, notify, restart);
        } finally {
            features.installFeature(EXAMPLE_FEATURE);
        }
        await(Duration.ofSeconds(20), "the example platform to return", () -> admin.get("v1/platforms").body().contains("\"example\""));
        deliveredExactlyOnce(admin, fleet, notify, restart);
    }

    private void whileAbsent(AdminClient admin, List<ExampleDevice> fleet, List<String> ids, JsonNode notify, JsonNode restart) {
        await(Duration.ofSeconds(20), "the example platform to leave", () -> !admin.get("v1/platforms").body().contains("\"example\""));
        ExampleDevice first = fleet.get(0);
        first.runOnce();
        assertEquals(Integer.valueOf(503), first.lastStatus(ExampleDevice.Call.CHECK_IN).orElse(0));
        assertTrue(first.retryAfter().isPresent());
        AdminClient.Answer absent = AdminClient.anonymous(base()).post("/agent/example/checkin", "{}");
        assertEquals(503, absent.status());
        assertNotNull(absent.header("Retry-After"));
        AdminClient.Answer refused = admin.post("v1/commands", Map.of("type", "Restart", "devices", ids));
        assertEquals(refused.body(), 503, refused.status());
        await(Duration.ofSeconds(10), "the in-flight command to return to the queue",
                () -> count(admin, notify.get("id").asText(), "QUEUED") == 5);
        assertEquals(5, count(admin, restart.get("id").asText(), "QUEUED"));
    }

    private void deliveredExactlyOnce(AdminClient admin, List<ExampleDevice> fleet, JsonNode notify, JsonNode restart) {
        ExampleDevice first = fleet.get(0);
        for (int round = 0; round < 3; round++) {
            for (ExampleDevice d : fleet) {
                d.runOnce();
            }
        }
        for (String id : List.of(notify.get("id").asText(), restart.get("id").asText())) {
            JsonNode c = admin.get("v1/commands/" + id).json();
            assertEquals(c.toString(), 5, c.get("deliveries").get("ACKNOWLEDGED").asLong());
            assertEquals(c.toString(), 5, c.get("targets").asLong());
        }
        for (ExampleDevice d : fleet) {
            Set<String> executed = new HashSet<>(d.executed());
            assertEquals("each command executed once on " + d.serialNumber(), d.executed().size(), executed.size());
            assertTrue(executed.contains(notify.get("id").asText()));
            assertTrue(executed.contains(restart.get("id").asText()));
            assertEquals(1, d.restarts());
            JsonNode history = admin.get("v1/devices/" + d.deviceId() + "/commands").json();
            for (JsonNode delivery : history.get("items")) {
                assertEquals(delivery.toString(), "ACKNOWLEDGED", delivery.get("state").asText());
            }
        }
        // the command that was in flight during the swap was handed out twice, recorded once
        JsonNode firstHistory = admin.get("v1/devices/" + first.deviceId() + "/commands").json();
        boolean resent = false;
        for (JsonNode delivery : firstHistory.get("items")) {
            if (delivery.get("command").asText().equals(notify.get("id").asText())) {
                resent = delivery.get("attempts").asInt() == 2;
            }
        }
        assertTrue(firstHistory.toString(), resent);
    }

    @Test
    public void f_aPluginDroppedIntoDeployAppearsAndLeavesWithItsFile() throws Exception {
        AdminClient admin = admin();
        features.uninstallFeature(EXAMPLE_FEATURE);
        await(Duration.ofSeconds(20), "the example platform to leave", () -> !admin.get("v1/platforms").body().contains("\"example\""));

        Path deployed = Path.of(System.getProperty("karaf.base"), "deploy", "mooring-example-platform.jar");
        Files.copy(Path.of(System.getProperty("mooring.example.bundle")), deployed, StandardCopyOption.REPLACE_EXISTING);
        try {
            await(Duration.ofSeconds(30), "the deployed platform to appear", () -> admin.get("v1/platforms").body().contains("\"example\""));
            List<ExampleDevice> fleet = enrollFleet(admin, "deployed", 1);
            queue(admin, Map.of("type", "Restart", "devices", List.of(fleet.get(0).deviceId())));
            fleet.get(0).runOnce();
            assertEquals(1, fleet.get(0).restarts());
        } finally {
            Files.delete(deployed);
        }
        await(Duration.ofSeconds(30), "the deployed platform to leave", () -> !admin.get("v1/platforms").body().contains("\"example\""));
        features.installFeature(EXAMPLE_FEATURE);
        await(Duration.ofSeconds(20), "the example platform to return", () -> admin.get("v1/platforms").body().contains("\"example\""));
    }

    @Test
    public void g_opsHaveTheEssentialsInTheShell() throws Exception {
        AdminClient admin = admin();
        String device = enrollFleet(admin, "shell", 1).get(0).deviceId();
        String platforms = shell("mooring:platforms");
        assertTrue(platforms, platforms.contains("example"));
        String devices = shell("mooring:devices --platform example --limit 500");
        assertTrue(devices, devices.contains(device));
        String sent = shell("mooring:send --device " + device + " -p title=Hello -p body=FromShell Notify");
        assertTrue(sent, sent.contains("Queued command"));
        String commandId = sent.replaceAll("(?s).*Queued command ([0-9a-f-]{36}).*", "$1");
        String status = shell("mooring:command " + commandId);
        assertTrue(status, status.contains("QUEUED") && status.contains("Notify"));
        JsonNode audit = admin.get("v1/audit?target=" + commandId).json();
        assertEquals("admin:karaf-shell", audit.get("items").get(0).get("actor").asText());
    }

    private String shell(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = sessions.create(System.in, print, print);
        try {
            session.execute(command);
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

}
