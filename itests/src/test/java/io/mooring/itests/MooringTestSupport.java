package io.mooring.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.mooring.testkit.ExampleDevice;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption;

/**
 * What the integration tests share: the distribution as shipped, configured only where a test run needs
 * its own ports and a known first-admin password, and the admin and device calls the tests make.
 */
public abstract class MooringTestSupport {
    static final String ADMIN_PASSWORD = "it-admin-password-0123";
    static final String EXAMPLE_FEATURE = "mooring-platform-example";
    static final String KARAF = System.getProperty("karaf.version");

    /** The distribution with its own ports and first-admin password, plus the options a test class adds. */
    static Option[] distribution(Option... extra) throws IOException {
        String httpPort = Integer.toString(freePort());
        String tlsPort = Integer.toString(freePort());
        Option[] base = {
            karafDistributionConfiguration().frameworkUrl("file:" + System.getProperty("mooring.assembly")).name("Mooring")
                    .karafVersion(KARAF).unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevelOption.LogLevel.WARN),
            editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", httpPort),
            editConfigurationFilePut("etc/io.mooring.admin.cfg", "initial.password", ADMIN_PASSWORD),
            editConfigurationFilePut("etc/io.mooring.pki.cfg", "tls.port", tlsPort),
            editConfigurationFilePut("etc/io.mooring.pki.cfg", "scep.url", "http://127.0.0.1:" + httpPort + "/scep"),
            editConfigurationFilePut("etc/io.mooring.platform.apple.cfg", "server.url", "https://localhost:" + tlsPort),
            editConfigurationFilePut("etc/io.mooring.platform.windows.cfg", "server.url", "https://localhost:" + tlsPort),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())),
            // what bin/karaf passes on Java 9+ and Pax Exam does not (the container runs from the Karaf home)
            vmOptions("--add-reads=java.xml=java.logging",
                    "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                    "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + KARAF + ".jar",
                    "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + KARAF + ".jar",
                    "--add-opens", "java.base/java.security=ALL-UNNAMED",
                    "--add-opens", "java.base/java.net=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util=ALL-UNNAMED",
                    "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                    "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED"),
            systemProperty("mooring.it.http.port").value(httpPort),
            systemProperty("mooring.it.tls.port").value(tlsPort),
            systemProperty("mooring.example.bundle").value(System.getProperty("mooring.example.bundle")),
            bundle("file:" + System.getProperty("mooring.testkit.bundle")),
        };
        if (Boolean.getBoolean("mooring.it.keep")) {
            // -Dmooring.it.keep=true keeps target/exam/<id>/ (data/log/karaf.log) for a look after the run
            base = java.util.Arrays.copyOf(base, base.length + 1);
            base[base.length - 1] = org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder();
        }
        Option[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static URI base() {
        return URI.create("http://127.0.0.1:" + System.getProperty("mooring.it.http.port") + "/");
    }

    static AdminClient admin() {
        awaitReady();
        return AdminClient.basic(base().resolve("/api/"), "admin", ADMIN_PASSWORD);
    }

    static void awaitReady() {
        AdminClient anonymous = AdminClient.anonymous(base());
        await(Duration.ofSeconds(90), "the server to report up on /health", () -> answers(() -> anonymous.get("/health").status() == 200));
        await(Duration.ofSeconds(30), "the example platform to be installed", () -> {
            AdminClient a = AdminClient.basic(base().resolve("/api/"), "admin", ADMIN_PASSWORD);
            AdminClient.Answer platforms = a.get("v1/platforms");
            return platforms.status() == 200 && platforms.body().contains("\"example\"");
        });
    }

    /** A probe that counts a refused connection (the server is still starting) as "not yet". */
    static boolean answers(BooleanSupplier probe) {
        try {
            return probe.getAsBoolean();
        } catch (AssertionError connectionFailed) {
            return false;
        }
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String enrollmentToken(AdminClient admin, int uses) {
        AdminClient.Answer r = admin.post("v1/enrollments", Map.of("platform", "example", "maxUses", uses));
        assertEquals(r.body(), 201, r.status());
        return r.json().get("token").asText();
    }

    static List<ExampleDevice> enrollFleet(AdminClient admin, String prefix, int n) {
        String token = enrollmentToken(admin, n);
        HttpClient http = HttpClient.newHttpClient();
        List<ExampleDevice> fleet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ExampleDevice d = new ExampleDevice(http, prefix + "-" + i);
            assertEquals(201, d.enroll(base(), token).status());
            fleet.add(d);
        }
        return fleet;
    }

    static JsonNode queue(AdminClient admin, Map<String, Object> command) {
        AdminClient.Answer r = admin.post("v1/commands", command);
        assertEquals(r.body(), 201, r.status());
        return r.json();
    }

    static long count(AdminClient admin, String commandId, String state) {
        AdminClient.Answer r = admin.get("v1/commands/" + commandId);
        assertEquals(r.body(), 200, r.status());
        return r.json().get("deliveries").get(state).asLong();
    }

}
