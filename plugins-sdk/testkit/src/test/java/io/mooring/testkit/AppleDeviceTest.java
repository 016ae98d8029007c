package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import javax.security.auth.x500.X500Principal;

import io.mooring.testkit.AppleDevice.Call;
import io.mooring.testkit.AppleDevice.CheckIn;
import io.mooring.testkit.AppleDevice.Kind;
import io.mooring.testkit.AppleDevice.Outcome;
import io.mooring.testkit.AppleDevice.State;
import io.mooring.testkit.FakeAppleServer.Received;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole device against an in-process MDM server: enrollment, connections, pushes, refusals. */
class AppleDeviceTest {
    private final FakeAppleServer server;

    AppleDeviceTest() throws Exception {
        server = FakeAppleServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anIphoneEnrollsBySignedProfileScepAuthenticateAndTokenUpdate() throws Exception {
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Ada's iPhone");

        String udid = phone.enroll(server.enrollmentUrl());

        assertThat(udid).isEqualTo(phone.udid()).matches("00008120-[0-9A-F]{16}");
        assertThat(phone.state()).isEqualTo(State.ENROLLED);
        assertThat(phone.topic()).isEqualTo(FakeAppleServer.TOPIC);
        X509Certificate identity = phone.identity();
        identity.verify(server.pki.ca.getPublicKey());
        // in the order of the profile's Subject array
        assertThat(X500Name.getInstance(identity.getSubjectX500Principal().getEncoded()).toString()).matches("CN=[0-9a-f-]{36},O=Mooring");
        assertThat(phone.profile()).hasValueSatisfying(profile -> assertThat(profile.signer()).isEqualTo(server.pki.ra));
        assertThat(phone.exchanges()).extracting(AppleDevice.Exchange::call, AppleDevice.Exchange::status).containsExactly(
                tuple(Call.PROFILE, 200), tuple(Call.SCEP, 200), tuple(Call.SCEP, 200), tuple(Call.SCEP, 200),
                tuple(Call.AUTHENTICATE, 200), tuple(Call.TOKEN_UPDATE, 200));

        List<Received> checkIns = server.checkIns();
        assertThat(checkIns).extracting(r -> r.plist().get("MessageType")).containsExactly("Authenticate", "TokenUpdate");
        assertThat(checkIns).allSatisfy(r -> {
            assertThat(r.signer()).isEqualTo(identity);
            assertThat(r.contentType()).isEqualTo("application/x-apple-aspen-mdm-checkin");
            assertThat(r.userAgent()).isEqualTo("MDM/1.0");
            assertThat(r.binary()).isFalse();
        });
        Map<String, Object> authenticate = checkIns.get(0).plist();
        assertThat(authenticate).containsEntry("UDID", udid).containsEntry("Topic", FakeAppleServer.TOPIC)
                .containsEntry("ProductName", "iPhone15,2").containsEntry("SerialNumber", phone.serialNumber())
                .containsKeys("OSVersion", "BuildVersion", "IMEI")
                // Apple's schema: DeviceName, Model and ModelName are not in an iPhone's Authenticate
                .doesNotContainKeys("DeviceName", "Model", "ModelName");
        Map<String, Object> tokenUpdate = server.tokenUpdate(udid);
        assertThat(HexFormat.of().formatHex((byte[]) tokenUpdate.get("Token"))).isEqualTo(phone.pushToken()).hasSize(64);
        assertThat(tokenUpdate).containsEntry("PushMagic", phone.pushMagic()).containsEntry("AwaitingConfiguration", false)
                .containsKey("UnlockToken");
    }

    @Test
    void checkInMessagesHaveTheKeysOfRealDevicesCaptures() throws Exception {
        AppleDevice pad = AppleDevice.ofKind(Kind.IPAD, "iPad");
        AppleDevice mac = AppleDevice.ofKind(Kind.MAC, "Mac");
        pad.enroll(server.enrollmentUrl());
        mac.enroll(server.enrollmentUrl());

        // the corpus captures real devices: an iPad on iOS 9 and an iMac on 10.12 (whose Authenticate also has a DEP Challenge)
        assertThat(message(pad, "Authenticate").keySet()).isEqualTo(capture("mdm_testdata_Authenticate.1.plist").keySet());
        assertThat(message(pad, "TokenUpdate").keySet()).isEqualTo(capture("mdm_testdata_TokenUpdate.1.plist").keySet());
        Map<String, Object> macAuthenticate = capture("mdm_testdata_Authenticate.2.plist");
        macAuthenticate.remove("Challenge");
        assertThat(message(mac, "Authenticate").keySet()).isEqualTo(macAuthenticate.keySet());
        assertThat(message(mac, "TokenUpdate").keySet()).isEqualTo(capture("mdm_testdata_TokenUpdate.2.plist").keySet());
        assertThat(server.checkIns()).filteredOn(r -> mac.udid().equals(r.plist().get("UDID")))
                .allSatisfy(r -> assertThat(r.userAgent()).isEqualTo("MDM-OSX/1.0 (mdmclient)"));
    }

    @Test
    void aPushMakesTheDevicePollAndAnswerEveryQueuedCommand() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        String info = server.queue(phone.udid(), "DeviceInformation", Map.of("Queries", List.of("DeviceName", "BatteryLevel")));
        String profiles = server.queue(phone.udid(), "ProfileList", Map.of());

        CheckIn checkIn = phone.pushReceived(phone.pushMagic());

        assertThat(checkIn.outcome()).isEqualTo(Outcome.DONE);
        assertThat(checkIn.lastStatus()).isEqualTo(200);
        assertThat(phone.commandsReceived()).extracting(AppleDevice.ReceivedCommand::commandUuid, AppleDevice.ReceivedCommand::requestType)
                .containsExactly(tuple(info, "DeviceInformation"), tuple(profiles, "ProfileList"));
        assertThat(phone.resultsSent()).extracting(AppleDevice.SentResult::commandUuid, AppleDevice.SentResult::status,
                AppleDevice.SentResult::httpStatus).containsExactly(tuple(info, "Acknowledged", 200), tuple(profiles, "Acknowledged", 200));
        List<Received> connections = server.connections();
        assertThat(connections).extracting(r -> r.plist().get("Status")).containsExactly("Idle", "Acknowledged", "Acknowledged");
        assertThat(connections).allSatisfy(r -> {
            assertThat(r.signer()).isEqualTo(phone.identity());
            assertThat(r.contentType()).isEqualTo("application/x-apple-aspen-mdm");
        });
        assertThat(dict(connections.get(1).plist().get("QueryResponses"))).containsEntry("DeviceName", "Simulated iPhone")
                .containsKey("BatteryLevel");
        assertThat((List<?>) connections.get(2).plist().get("ProfileList")).hasSize(1);
    }

    @Test
    void aPushWithAnotherMagicIsIgnored() {
        AppleDevice phone = enrolled(Kind.IPHONE);

        CheckIn checkIn = phone.pushReceived("not-" + phone.pushMagic());

        assertThat(checkIn.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(phone.pushesIgnored()).isEqualTo(1);
        assertThat(server.connections()).isEmpty();
    }

    @Test
    void aBusyDeviceAnswersNotNowAndExecutesTheCommandWhenSentAgain() {
        AppleDevice phone = enrolled(Kind.IPHONE).busy(1);
        server.queue(phone.udid(), "DeviceLock", Map.of());

        phone.checkIn();
        server.queue(phone.udid(), "DeviceLock", Map.of());
        phone.checkIn();

        assertThat(phone.resultsSent()).extracting(AppleDevice.SentResult::status).containsExactly("NotNow", "Acknowledged");
        assertThat(phone.isLocked()).isTrue();
    }

    @Test
    void aResultTheServerDidNotTakeIsSentAgainAtTheNextConnection() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        String lock = server.queue(phone.udid(), "DeviceLock", Map.of());
        server.answerNextResult(503);

        CheckIn failed = phone.checkIn();
        CheckIn next = phone.checkIn();

        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.lastStatus()).isEqualTo(503);
        assertThat(next.outcome()).isEqualTo(Outcome.DONE);
        assertThat(phone.resultsSent()).extracting(AppleDevice.SentResult::commandUuid, AppleDevice.SentResult::httpStatus)
                .containsExactly(tuple(lock, 503), tuple(lock, 200));
        assertThat(server.connections()).extracting(r -> r.plist().get("Status")).containsExactly("Idle", "Acknowledged");
    }

    @Test
    void a401UnenrollsTheDevice() {
        AppleDevice pad = enrolled(Kind.IPAD);
        server.queue(pad.udid(), "InstallApplication", Map.of("Identifier", "io.mooring.notes"));
        pad.checkIn();
        server.refuse(pad.udid());

        CheckIn checkIn = pad.checkIn();

        assertThat(checkIn.outcome()).isEqualTo(Outcome.UNENROLLED);
        assertThat(checkIn.lastStatus()).isEqualTo(401);
        assertThat(pad.state()).isEqualTo(State.UNENROLLED);
        assertThat(pad.installedProfiles()).isEmpty();
        assertThat(pad.installedApps()).doesNotContain("io.mooring.notes");
        assertThat(pad.checkIn().outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(pad.pushReceived(pad.pushMagic()).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void eraseDeviceIsAcknowledgedThenTheDeviceWipesAndCanEnrollAgain() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        String magic = phone.pushMagic();
        String erase = server.queue(phone.udid(), "EraseDevice", Map.of());
        server.queue(phone.udid(), "DeviceInformation", Map.of("Queries", List.of("UDID")));

        CheckIn checkIn = phone.pushReceived(magic);

        assertThat(checkIn.outcome()).isEqualTo(Outcome.ERASED);
        assertThat(checkIn.results()).extracting(AppleDevice.SentResult::commandUuid, AppleDevice.SentResult::status)
                .containsExactly(tuple(erase, "Acknowledged"));
        assertThat(phone.state()).isEqualTo(State.WIPED);
        assertThat(phone.identity()).isNull();
        assertThat(phone.pushMagic()).isNull();
        assertThat(phone.pushReceived(magic).outcome()).isEqualTo(Outcome.SKIPPED);

        String udid = phone.enroll(server.enrollmentUrl());
        assertThat(udid).isEqualTo(phone.udid());
        assertThat(phone.state()).isEqualTo(State.ENROLLED);
        assertThat(phone.pushMagic()).isNotEqualTo(magic);
    }

    @Test
    void checkOutIsSignedAndTheDeviceForgetsItsIdentity() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        X509Certificate identity = phone.identity();

        OptionalInt status = phone.checkOut();

        assertThat(status).hasValue(200);
        assertThat(phone.state()).isEqualTo(State.CHECKED_OUT);
        assertThat(phone.installedProfiles()).isEmpty();
        assertThat(phone.checkIn().outcome()).isEqualTo(Outcome.SKIPPED);
        Received checkOut = server.checkIns().get(server.checkIns().size() - 1);
        assertThat(checkOut.plist()).containsEntry("MessageType", "CheckOut").containsEntry("UDID", phone.udid())
                .containsEntry("Topic", FakeAppleServer.TOPIC);
        assertThat(checkOut.signer()).isEqualTo(identity);
    }

    @Test
    void anUnenrolledDeviceCanReplayItsRequestsForTheServerToRefuse() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        server.refuse(phone.udid());
        phone.checkIn();

        byte[] idle = phone.encode(Map.of("Status", "Idle", "UDID", phone.udid()));
        AppleDevice.Response replay = phone.send(server.connectUrl(), idle, true);

        assertThat(replay.status()).isEqualTo(401);
        assertThat(phone.checkInPlist("TokenUpdate")).containsEntry("PushMagic", phone.pushMagic());
    }

    @Test
    void sendLetsATestPostWhatADeviceWouldNot() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        byte[] idle = phone.encode(Map.of("Status", "Idle", "UDID", phone.udid()));
        KeyPair strangerKeys = AppleSignatures.rsaKeyPair(2048);
        X509Certificate stranger = AppleSignatures.selfSigned(strangerKeys, new X500Principal("CN=stranger"), Duration.ofHours(1));

        assertThat(phone.send(server.connectUrl(), idle, true).status()).isEqualTo(200);
        assertThat(phone.send(server.connectUrl(), idle, false).status()).isEqualTo(401);
        assertThat(phone.send(server.connectUrl(), "application/x-apple-aspen-mdm", idle,
                AppleSignatures.mdmSignature(idle, strangerKeys.getPrivate(), stranger)).status()).isEqualTo(401);
        byte[] other = phone.encode(Map.of("Status", "Idle", "UDID", "someone-else"));
        assertThat(phone.send(server.connectUrl(), "application/x-apple-aspen-mdm", idle, phone.signature(other)).status()).isEqualTo(401);
        assertThat(phone.send(server.checkInUrl(), "garbage".getBytes(StandardCharsets.UTF_8), true).status()).isEqualTo(400);
        assertThat(phone.state()).isEqualTo(State.ENROLLED);
        assertThat(phone.lastStatus(Call.RAW)).hasValue(400);
    }

    @Test
    void sendsBinaryPropertyListsWhenAsked() {
        AppleDevice mac = AppleDevice.ofKind(Kind.MAC, "Mac").binaryPlists(true);
        mac.enroll(server.enrollmentUrl());
        server.queue(mac.udid(), "SecurityInfo", Map.of());

        mac.checkIn();

        assertThat(server.checkIns()).isNotEmpty().allSatisfy(r -> assertThat(r.binary()).isTrue());
        assertThat(server.connections()).hasSize(2).allSatisfy(r -> assertThat(r.binary()).isTrue());
        assertThat(dict(server.connections().get(1).plist().get("SecurityInfo"))).containsEntry("FDE_Enabled", true);
    }

    @Test
    void installsAnEnterpriseAppFromItsManifest() {
        AppleDevice phone = enrolled(Kind.IPHONE);
        server.queue(phone.udid(), "InstallApplication", Map.of("ManifestURL", server.base().resolve("/apps/manifest.plist").toString()));
        server.queue(phone.udid(), "InstallApplication", Map.of("ManifestURL", server.base().resolve("/apps/missing.plist").toString()));

        phone.checkIn();

        List<Received> connections = server.connections();
        assertThat(connections.get(1).plist()).containsEntry("Status", "Acknowledged").containsEntry("Identifier", "io.mooring.example")
                .containsEntry("State", "Queued");
        assertThat(connections.get(2).plist()).containsEntry("Status", "Error");
        assertThat(phone.installedApps()).contains("io.mooring.example");
    }

    @Test
    void refusesAnIdentityThatDoesNotChainToTheProfilesRoot() throws Exception {
        server.profileRoot(new TestPki("other").ca);
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Phone");

        assertThatThrownBy(() -> phone.enroll(server.enrollmentUrl()))
                .isInstanceOfSatisfying(AppleDevice.EnrollmentException.class, e -> assertThat(e.call()).isEqualTo(Call.SCEP))
                .hasMessageContaining("does not chain");
        assertThat(server.checkIns()).isEmpty();
    }

    @Test
    void enrollmentStopsAtAnUnknownSecretWithItsStatus() {
        AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Phone");

        assertThatThrownBy(() -> phone.enroll(server.base().resolve("/mdm/apple/enroll/unknown")))
                .isInstanceOfSatisfying(AppleDevice.EnrollmentException.class, e -> {
                    assertThat(e.call()).isEqualTo(Call.PROFILE);
                    assertThat(e.status()).isEqualTo(404);
                });
        assertThat(phone.state()).isEqualTo(State.NEW);
        assertThat(server.checkIns()).isEmpty();
    }

    @Test
    void overTlsTheDeviceTrustsTheProfilesRootForScepAndMdm() throws Exception {
        try (FakeAppleServer tls = FakeAppleServer.startTls("localhost")) {
            // the person accepts Safari's warning about the server; from then on the profile's root is trusted
            AppleDevice phone = AppleDevice.ofKind(Kind.IPHONE, "Phone");
            phone.enroll(tls.enrollmentUrl());
            tls.queue(phone.udid(), "CertificateList", Map.of());

            assertThat(phone.checkIn().outcome()).isEqualTo(Outcome.DONE);
            List<?> certificates = (List<?>) tls.connections().get(1).plist().get("CertificateList");
            assertThat(certificates).hasSize(2);
            assertThat(dict(certificates.get(1))).containsEntry("CommonName", "fake CA").containsEntry("IsIdentity", false);
        }
    }

    @Test
    void aStrictNetworkDownloadsTheProfileOnlyFromATrustedServer() throws Exception {
        try (FakeAppleServer tls = FakeAppleServer.startTls("localhost")) {
            AppleDevice strict = AppleDevice.ofKind(Kind.IPHONE, "Phone", AppleNetwork.strictlyTrusting());
            assertThatThrownBy(() -> strict.enroll(tls.enrollmentUrl()))
                    .isInstanceOfSatisfying(AppleDevice.EnrollmentException.class, e -> {
                        assertThat(e.call()).isEqualTo(Call.PROFILE);
                        assertThat(e.status()).isZero();
                    });

            AppleDevice trusting = AppleDevice.ofKind(Kind.IPHONE, "Phone", AppleNetwork.strictlyTrusting(tls.pki.ca));
            trusting.enroll(tls.enrollmentUrl());
            assertThat(trusting.state()).isEqualTo(State.ENROLLED);
        }
    }

    @Test
    void checksTheServerNameUnlessTold() throws Exception {
        try (FakeAppleServer tls = FakeAppleServer.startTls(null)) {
            AppleDevice strict = AppleDevice.ofKind(Kind.IPHONE, "Phone", AppleNetwork.trusting(tls.pki.ca));
            assertThatThrownBy(() -> strict.enroll(tls.enrollmentUrl()))
                    .isInstanceOfSatisfying(AppleDevice.EnrollmentException.class, e -> assertThat(e.call()).isEqualTo(Call.SCEP));

            AppleDevice lenient = AppleDevice.ofKind(Kind.IPHONE, "Phone",
                    new AppleNetwork(AppleNetwork.DEFAULT_TIMEOUT, false, true, List.of(tls.pki.ca)));
            lenient.enroll(tls.enrollmentUrl());
            assertThat(lenient.state()).isEqualTo(State.ENROLLED);
        }
    }

    private AppleDevice enrolled(Kind kind) {
        AppleDevice device = AppleDevice.ofKind(kind, "Simulated " + kind.modelName());
        device.enroll(server.enrollmentUrl());
        return device;
    }

    private Map<String, Object> message(AppleDevice device, String messageType) {
        return server.checkIns().stream()
                .filter(r -> device.udid().equals(r.plist().get("UDID")) && messageType.equals(r.plist().get("MessageType")))
                .findFirst().orElseThrow().plist();
    }

    private static Map<String, Object> capture(String file) throws Exception {
        return new HashMap<>(ApplePlists.parse(Files.readAllBytes(AppleSchema.corpus("nanomdm/" + file))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Object value) {
        return (Map<String, Object>) value;
    }
}
