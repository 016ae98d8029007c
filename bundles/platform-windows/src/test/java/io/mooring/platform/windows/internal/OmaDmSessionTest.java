package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;

import io.mooring.api.CommandId;
import io.mooring.api.CommandResult;
import io.mooring.api.Device;
import io.mooring.api.DeviceState;
import io.mooring.api.InventorySnapshot;
import io.mooring.testkit.WindowsPc;
import org.junit.jupiter.api.Test;

/** Enrollment and OMA-DM sessions between simulated PCs and the plugin's protocol classes, over an in-memory core. */
class OmaDmSessionTest {

    @Test
    void aPcEnrollsAndItsFirstSessionReportsItsInventory() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-01");

        Device device = bed.core.only();
        assertThat(device.description().name()).isEqualTo("LAPTOP-01");
        assertThat(pc.identity().getSubjectX500Principal().getName()).isEqualTo("CN=" + device.id() + ",O=Example Corp");
        assertThat(pc.roots()).containsExactly(bed.core.ca);
        assertThat(pc.managementUrl()).isEqualTo(Testbed.SERVER + "/ManagementServer/MDM.svc");
        assertThat(pc.pollSchedule()).containsEntry("IntervalForRemainingScheduledRetries", "60").containsEntry("PollOnLogin", "true");
        assertThat(pc.defaultEncoding()).isEqualTo(Syncml.XML_TYPE);

        WindowsPc.Session session = pc.sync();

        assertThat(session.commands()).hasSize(WindowsCommands.INVENTORY_NODES.size()).allMatch(c -> c.startsWith("Get ./"));
        InventorySnapshot inventory = bed.core.latest(device.tenant(), device.id()).orElseThrow();
        assertThat(inventory.facts()).containsEntry("osVersion", "10.0.22631.2861").containsEntry("manufacturer", "Contoso Computers")
                .containsEntry("firewall", "on").containsEntry("encrypted", false).containsEntry("tpmVersion", "2.0");
        assertThat(bed.core.only().description().model()).isEqualTo("Contoso Computers Surface Laptop 5");
        assertThat(bed.core.only().description().serialNumber()).startsWith("SN");
        // a desktop has no battery node: the PC says 404 and the report is still taken
        assertThat(bed.core.results.values()).singleElement().extracting(CommandResult::outcome).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);

        WindowsPc.Session quiet = pc.sync();
        assertThat(quiet.commands()).as("inventory is asked once a day, not every session").isEmpty();
        assertThat(quiet.messages()).isEqualTo(1);
    }

    @Test
    void policiesAndSettingsReachThePcAndEachCompletesItsCommand() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-02");
        pc.sync();
        Device device = bed.core.only();

        CommandId passcode = bed.core.queue(device.id(), "PasscodePolicy", Map.of("minLength", 8, "complexity", "alphanumeric", "maxInactivityMinutes", 5));
        CommandId restrictions = bed.core.queue(device.id(), "Restrictions", Map.of("camera", false, "bluetooth", true));
        CommandId wifi = bed.core.queue(device.id(), "WifiProfile", Map.of("ssid", "Corp WLAN", "passphrase", "correct horse"));
        CommandId bitlocker = bed.core.queue(device.id(), "RequireEncryption", Map.of());
        CommandId msi = bed.core.queue(device.id(), "InstallMsi", Map.of("productId", "{0A6D5A8C-1E2B-4C3D-9E8F-123456789ABC}", "url",
                "https://apps.example.test/agent.msi", "sha256", "a".repeat(64)));
        CommandId raw = bed.core.queue(device.id(), "Get", Map.of("uris", List.of("./DevDetail/SwV", "./Vendor/MSFT/NoSuchCsp/Node")));

        pc.sync();

        assertThat(outcome(bed, passcode)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.node(WindowsCommands.DEVICE_LOCK + "MinDevicePasswordLength")).isEqualTo("8");
        assertThat(pc.node(WindowsCommands.DEVICE_LOCK + "AlphanumericDevicePasswordRequired")).isEqualTo("0");
        assertThat(pc.node(WindowsCommands.DEVICE_LOCK + "MaxInactivityTimeDeviceLock")).isEqualTo("5");
        assertThat(outcome(bed, restrictions)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.node("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")).isEqualTo("0");
        assertThat(pc.node("./Device/Vendor/MSFT/Policy/Config/Connectivity/AllowBluetooth")).isEqualTo("2");
        assertThat(outcome(bed, wifi)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.node("./Device/Vendor/MSFT/WiFi/Profile/Corp%20WLAN/WlanXml")).contains("<name>Corp WLAN</name>")
                .contains("<keyMaterial>correct horse</keyMaterial>");
        assertThat(outcome(bed, bitlocker)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.node("./Vendor/MSFT/DeviceStatus/Compliance/EncryptionCompliance")).isEqualTo("1");
        assertThat(outcome(bed, msi)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.installedMsi()).containsExactly("{0A6D5A8C-1E2B-4C3D-9E8F-123456789ABC}");
        // a raw Get: the node the PC has comes back, the one it lacks makes the command an error naming it
        CommandResult get = bed.core.results.get(raw);
        assertThat(get.outcome()).isEqualTo(CommandResult.Outcome.ERROR);
        assertThat(get.error()).contains("./Vendor/MSFT/NoSuchCsp/Node answered 404");
        assertThat(get.data()).extracting("results").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("./DevDetail/SwV", "10.0.22631.2861");
    }

    @Test
    void anAtomicThatFailsOnThePcRollsBackAndIsAnErrorNamingTheNode() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-03").refuse("./Device/Vendor/MSFT/Policy/Config/Camera", 405);
        pc.sync();
        Device device = bed.core.only();

        CommandId restrictions = bed.core.queue(device.id(), "Restrictions", Map.of("bluetooth", false, "camera", false));
        pc.sync();

        CommandResult result = bed.core.results.get(restrictions);
        assertThat(result.outcome()).isEqualTo(CommandResult.Outcome.ERROR);
        assertThat(result.error()).contains("Atomic answered 507").contains("Camera/AllowCamera answered 405");
        assertThat(pc.node("./Device/Vendor/MSFT/Policy/Config/Connectivity/AllowBluetooth")).as("rolled back").isNull();
    }

    @Test
    void manyCommandsTravelInSeveralMessagesOfOneSession() throws Exception {
        Testbed bed = new Testbed(3);
        WindowsPc pc = bed.enrolled("LAPTOP-04");
        pc.sync();
        Device device = bed.core.only();
        List<CommandId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(bed.core.queue(device.id(), "Replace", Map.of("items", List.of(Map.of("uri", "./Vendor/MSFT/Policy/Config/Test/Setting" + i,
                    "format", "int", "data", i)))));
        }

        WindowsPc.Session session = pc.sync();

        assertThat(session.messages()).isEqualTo(5); // 4 messages with 3, 3, 3 and 1 commands, then the closing one
        assertThat(ids).allSatisfy(id -> assertThat(outcome(bed, id)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED));
        assertThat(pc.node("./Vendor/MSFT/Policy/Config/Test/Setting9")).isEqualTo("9");
    }

    @Test
    void aCommandWithdrawnBetweenReadingAndSendingStaysOutAndTheOthersStillGo() throws Exception {
        Testbed bed = new Testbed(3);
        WindowsPc pc = bed.enrolled("LAPTOP-09");
        pc.sync();
        Device device = bed.core.only();
        CommandId withdrawn = bed.core.queue(device.id(), "Replace", Map.of("items", List.of(Map.of("uri", "./Vendor/MSFT/Policy/Config/Test/Gone",
                "format", "int", "data", 1))));
        CommandId sent = bed.core.queue(device.id(), "Replace", Map.of("items", List.of(Map.of("uri", "./Vendor/MSFT/Policy/Config/Test/Kept",
                "format", "int", "data", 2))));
        // read with the PC's first message, gone by the time that message's reply is written
        bed.core.beforeHandOut = () -> bed.core.withdraw(device.id(), withdrawn);

        WindowsPc.Session session = pc.sync();

        assertThat(session.commands()).containsExactly("Replace ./Vendor/MSFT/Policy/Config/Test/Kept");
        assertThat(outcome(bed, sent)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(bed.core.results).doesNotContainKey(withdrawn);
        assertThat(pc.node("./Vendor/MSFT/Policy/Config/Test/Gone")).isNull();
    }

    @Test
    void aSessionCarriesOnWhicheverNodeTakesItsNextMessage() throws Exception {
        Testbed bed = new Testbed(2);
        WindowsPc pc = bed.enrolled("LAPTOP-12");
        bed.alternateNodes();
        Device device = bed.core.only();
        List<CommandId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(bed.core.queue(device.id(), "Replace", Map.of("items", List.of(Map.of("uri", "./Vendor/MSFT/Policy/Config/Node/Setting" + i,
                    "format", "int", "data", i)))));
        }

        WindowsPc.Session session = pc.sync();

        // two commands per message: policies 0-1, 2-3, then 4 with the inventory request (25 Gets), then the closing message;
        // the first and third on one node, the second and fourth on the other
        assertThat(session.messages()).isEqualTo(4);
        assertThat(bed.messagesToNodes()).isEqualTo(session.messages());
        assertThat(ids).allSatisfy(id -> assertThat(outcome(bed, id)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED));
        assertThat(bed.core.latest(device.tenant(), device.id())).isPresent();
        assertThat(pc.node("./Vendor/MSFT/Policy/Config/Node/Setting4")).isEqualTo("4");
    }

    @Test
    void wipeRebootAndUnenrollReachThePcAndUnenrollEndsManagement() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-05");
        pc.sync();
        Device device = bed.core.only();
        bed.core.queue(device.id(), "Reboot", Map.of());
        bed.core.queue(device.id(), "Wipe", Map.of("protected", true));
        CommandId unenroll = bed.core.queue(device.id(), "Unenroll", Map.of());

        pc.sync();

        assertThat(pc.reboots()).isEqualTo(1);
        assertThat(pc.wiped()).isTrue();
        assertThat(outcome(bed, unenroll)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        assertThat(pc.enrolled()).isFalse();
        assertThat(bed.core.devices.get(device.id()).state()).isEqualTo(DeviceState.UNENROLLED);
    }

    @Test
    void aPcWhoseUserRemovedTheAccountIsUnenrolledAndRefusedAfter() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-06");
        pc.sync();
        Device device = bed.core.only();

        pc.reportUserUnenrollment();

        assertThat(bed.core.devices.get(device.id()).state()).isEqualTo(DeviceState.UNENROLLED);
        assertThatThrownBy(pc::sync).isInstanceOf(WindowsPc.SessionRefused.class).extracting("status").isEqualTo("403");
    }

    @Test
    void aReplayedMessageIsRefusedAndChangesNothing() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-07");
        pc.sync();
        Device device = bed.core.only();
        CommandId reboot = bed.core.queue(device.id(), "Reboot", Map.of());
        String first = message(pc, "1A2B", 1, "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>");
        assertThat(pc.send(first).text()).contains("RebootNow");
        String answer = message(pc, "1A2B", 2, "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>"
                + "<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Exec</Cmd><Data>200</Data></Status><Final/>");
        assertThat(pc.send(answer).status()).isEqualTo(200);
        assertThat(outcome(bed, reboot)).isEqualTo(CommandResult.Outcome.ACKNOWLEDGED);
        Map<String, byte[]> before = Map.copyOf(bed.core.attributes);

        WindowsPc.Response replay = pc.send(answer);

        assertThat(replay.text()).contains("<Cmd>SyncHdr</Cmd>").contains("<Data>400</Data>").doesNotContain("<Exec>");
        assertThat(bed.core.attributes.keySet()).isEqualTo(before.keySet());
        assertThat(new String(bed.core.attributes.get(device.id() + "/" + OmaDmProtocol.ATTR_SESSION), StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(before.get(device.id() + "/" + OmaDmProtocol.ATTR_SESSION), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aPackageInSeveralMessagesGetsAlert1222UntilItsFinalMessage() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-11");
        pc.sync();
        Device device = bed.core.only();
        CommandId delete = bed.core.queue(device.id(), "Delete", Map.of("uris", List.of("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")));
        bed.core.queue(device.id(), "Restrictions", Map.of("camera", false));

        // the PC's package does not fit one message: the first has no Final, so Mooring asks for the rest and sends nothing yet
        String first = pc.send(message(pc, "5A", 1, "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>")).text();
        assertThat(first).contains("<Alert><CmdID>3</CmdID><Data>1222</Data></Alert>").doesNotContain("<Atomic>").doesNotContain("<Delete>");
        String second = pc.send(message(pc, "5A", 2, "<Replace><CmdID>1</CmdID><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source>"
                + "<Data>en-US</Data></Item></Replace><Final/>")).text();
        assertThat(second).contains("<Cmd>Replace</Cmd>").contains("<Atomic>").contains("<Delete>").doesNotContain("1222");

        // that session ended unanswered: the next one sends both again; the Delete meets a node the PC does not have yet
        pc.sync();
        assertThat(bed.core.results.get(delete).outcome()).isEqualTo(CommandResult.Outcome.ERROR);
        assertThat(bed.core.results.get(delete).error()).contains("Delete ./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera answered 404");
        assertThat(pc.node("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")).isEqualTo("0");
    }

    @Test
    void malformedHugeOrHostileSyncMlIsRefusedAndStoresNothing() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-08");
        Map<String, byte[]> before = Map.copyOf(bed.core.attributes);

        assertThat(pc.send("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>").status()).isEqualTo(400);
        assertThat(pc.send("<?xml version=\"1.0\"?><!DOCTYPE SyncML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><SyncML>&x;</SyncML>").status())
                .isEqualTo(400);
        assertThat(pc.send(message(pc, "77", 1, "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>").replace("DM/1.2", "DM/1.1")).status())
                .isEqualTo(400);
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= Syncml.MAX_COMMANDS + 1; i++) {
            many.append("<Alert><CmdID>").append(i).append("</CmdID><Data>1201</Data></Alert>");
        }
        assertThat(pc.send(message(pc, "78", 1, many + "<Final/>")).status()).isEqualTo(400);

        assertThat(bed.core.attributes).isEqualTo(before);
        assertThat(bed.core.queues).isEmpty();
    }

    @Test
    void aCertificateFromAnotherCaOrAnotherDeviceIdIsRefused() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-09");
        Testbed other = new Testbed(20);
        WindowsPc stranger = other.enrolled("STRANGER");
        // the stranger's certificate is from another CA: this server does not know it
        WindowsPc.Transport toFirst = bed.transport();
        WindowsPc.Response refused = toFirst.post(java.net.URI.create(Testbed.SERVER + OmaDmProtocol.PATH), Syncml.XML_TYPE,
                message(stranger, "1", 1, "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>").getBytes(StandardCharsets.UTF_8), null,
                stranger.identity());
        assertThat(refused.text()).contains("<Data>401</Data>");
        // the right certificate with another PC's DeviceID as Source
        assertThat(pc.send(message(pc, "2", 1, "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>").replace(pc.deviceId(), stranger.deviceId()))
                .text()).contains("<Data>403</Data>");
        assertThat(bed.core.attributes.keySet()).noneMatch(k -> k.endsWith(OmaDmProtocol.ATTR_SESSION));
    }

    @Test
    void enrollmentRefusesAWrongTokenAForeignKeyOrASmallKeyAndRecordsNothing() throws Exception {
        Testbed bed = new Testbed(20);
        assertThatThrownBy(() -> bed.pc("A").enroll(Testbed.discovery(), "a@example.test", "not-a-token"))
                .isInstanceOf(WindowsPc.EnrollmentRefused.class).extracting("errorType").isEqualTo("Authentication");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String token = bed.core.token(1);
        assertThatThrownBy(() -> bed.pc("B").enroll(Testbed.discovery(), "b@example.test", token, g.generateKeyPair()))
                .isInstanceOf(WindowsPc.EnrollmentRefused.class).extracting("errorType").isEqualTo("CertificateRequest");
        assertThatThrownBy(() -> bed.pc("C").keyBits(1024).enroll(Testbed.discovery(), "c@example.test", token))
                .isInstanceOf(WindowsPc.EnrollmentRefused.class).hasMessageContaining("RSA");

        assertThat(bed.core.devices).isEmpty();
        assertThat(bed.core.issued).isEmpty();
        assertThat(bed.core.tokens.get(token)[0]).as("a refused request does not spend the token").isEqualTo(1);
        bed.pc("D").enroll(Testbed.discovery(), "d@example.test", token);
        assertThat(bed.core.devices).hasSize(1);
    }

    @Test
    void wbxmlSessionsWorkLikeXmlOnes() throws Exception {
        Testbed bed = new Testbed(20);
        WindowsPc pc = bed.enrolled("LAPTOP-10").useCodec(new WindowsPc.Codec() {
            @Override
            public String contentType() {
                return Syncml.WBXML_TYPE;
            }

            @Override
            public byte[] encode(byte[] xml) throws java.io.IOException {
                try {
                    return Wbxml.encode(tree(WindowsPcXml.parse(xml)));
                } catch (Exception e) {
                    throw new java.io.IOException(e);
                }
            }

            @Override
            public byte[] decode(byte[] wire) throws java.io.IOException {
                try {
                    return WindowsPcXml.serialize(Wbxml.decode(wire));
                } catch (Wbxml.Malformed e) {
                    throw new java.io.IOException(e);
                }
            }
        });

        pc.sync();

        assertThat(bed.core.latest(bed.core.only().tenant(), bed.core.only().id())).isPresent();
    }

    static Syncml.El tree(org.w3c.dom.Element e) {
        List<Syncml.El> children = SafeXml.children(e).stream().map(OmaDmSessionTest::tree).toList();
        boolean metinf = Syncml.METINF_NS.equals(e.getNamespaceURI());
        String text = children.isEmpty() && !e.getTextContent().isEmpty() ? e.getTextContent() : null;
        return new Syncml.El(SafeXml.local(e), metinf, text, children);
    }

    private static CommandResult.Outcome outcome(Testbed bed, CommandId id) {
        CommandResult r = bed.core.results.get(id);
        assertThat(r).as("command " + id + " completed").isNotNull();
        return r.outcome();
    }

    static String message(WindowsPc pc, String session, int msgId, String body) {
        return "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>" + session + "</SessionID><MsgID>"
                + msgId + "</MsgID><Target><LocURI>" + Testbed.SERVER + OmaDmProtocol.PATH + "</LocURI></Target><Source><LocURI>" + pc.deviceId()
                + "</LocURI></Source></SyncHdr><SyncBody>" + body + "</SyncBody></SyncML>";
    }
}
