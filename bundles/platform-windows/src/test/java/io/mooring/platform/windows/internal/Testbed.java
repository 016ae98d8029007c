package io.mooring.platform.windows.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.mooring.testkit.WindowsPc;

/** The Windows plugin's protocol classes over an in-memory core, reached by simulated PCs without a network. */
final class Testbed {
    static final String SERVER = "https://mdm.example.test";

    final InMemoryCore core;
    final EnrollmentProtocol enrollment;
    final OmaDmProtocol dm;
    /** A second server node on the same database: the session state it needs is there, not in the other node's memory. */
    final OmaDmProtocol otherNode;
    private final java.util.concurrent.atomic.AtomicBoolean alternate = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger messages = new java.util.concurrent.atomic.AtomicInteger();

    Testbed(int commandsPerMessage) throws Exception {
        core = new InMemoryCore();
        ProvisioningDoc.Settings provisioning = new ProvisioningDoc.Settings(SERVER + OmaDmProtocol.PATH, "Mooring", "Example Corp", "xml",
                new ProvisioningDoc.PollSchedule(8, 3, 5, 15, 60));
        enrollment = new EnrollmentProtocol(core, core, core, core, core, new EnrollmentProtocol.Settings(SERVER, "Example Corp", provisioning),
                core::groupsOf, core.revoked::add);
        dm = new OmaDmProtocol(core, core, core.inventory, core, core::caChain, core.revoked::add, new WindowsCommands("Mooring"),
                new OmaDmProtocol.Settings(SERVER, commandsPerMessage, Duration.ofHours(24)), Clock.systemUTC());
        otherNode = new OmaDmProtocol(core, core, core.inventory, core, core::caChain, core.revoked::add, new WindowsCommands("Mooring"),
                new OmaDmProtocol.Settings(SERVER, commandsPerMessage, Duration.ofHours(24)), Clock.systemUTC());
    }

    WindowsPc.Transport transport() {
        return (uri, contentType, body, tls, clientCertificate) -> {
            String path = uri.getPath();
            if (path.startsWith("/EnrollmentServer")) {
                EnrollmentServlet.HttpAnswer a = EnrollmentServlet.dispatch(enrollment, path, body == null ? "GET" : "POST",
                        body == null ? new byte[0] : body, "test", clientCertificate);
                return new WindowsPc.Response(a.status(), a.contentType(), a.body());
            }
            if (path.equals(OmaDmProtocol.PATH)) {
                // with alternate() on, messages go to the two nodes in turn, as behind a load balancer
                OmaDmProtocol node = alternate.get() && messages.getAndIncrement() % 2 == 1 ? otherNode : dm;
                OmaDmProtocol.Answer a = node.handle(body, contentType.startsWith(Syncml.WBXML_TYPE), clientCertificate);
                return a.body() == null ? new WindowsPc.Response(a.status(), "text/plain", a.reason().getBytes(StandardCharsets.UTF_8))
                        : new WindowsPc.Response(a.status(), a.contentType(), a.body());
            }
            return new WindowsPc.Response(404, "text/plain", new byte[0]);
        };
    }

    /** From now on, each OMA-DM message goes to the other node than the one before. */
    Testbed alternateNodes() {
        alternate.set(true);
        return this;
    }

    int messagesToNodes() {
        return messages.get();
    }

    WindowsPc pc(String name) {
        return new WindowsPc(name, List.of(), transport());
    }

    WindowsPc enrolled(String name) {
        WindowsPc pc = pc(name);
        pc.enroll(discovery(), name + "@example.test", core.token(1));
        return pc;
    }

    static URI discovery() {
        return URI.create(SERVER + "/EnrollmentServer/Discovery.svc");
    }
}
