package io.mooring.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AppleFleetTest {
    @Test
    void enrollsConnectsAndMeasuresAFleet() throws Exception {
        try (FakeAppleServer server = FakeAppleServer.start();
                AppleFleet fleet = AppleFleet.of(AppleNetwork.trusting(), 6, 3)) {
            int enrolled = fleet.enrollAll(device -> server.enrollmentUrl());
            assertThat(enrolled).isEqualTo(6);
            assertThat(fleet.devices()).extracting(AppleDevice::kind).containsExactly(AppleDevice.Kind.IPHONE, AppleDevice.Kind.IPAD,
                    AppleDevice.Kind.MAC, AppleDevice.Kind.IPHONE, AppleDevice.Kind.IPAD, AppleDevice.Kind.MAC);
            assertThat(fleet.devices()).extracting(AppleDevice::udid).doesNotHaveDuplicates();
            for (AppleDevice device : fleet.devices()) {
                server.queue(device.udid(), "DeviceInformation", Map.of("Queries", List.of("UDID")));
            }

            List<AppleDevice.CheckIn> checkIns = fleet.checkInAll();

            assertThat(checkIns).extracting(AppleDevice.CheckIn::outcome).containsOnly(AppleDevice.Outcome.DONE);
            assertThat(checkIns).allSatisfy(c -> assertThat(c.results()).singleElement()
                    .satisfies(r -> assertThat(r.status()).isEqualTo("Acknowledged")));

            AppleFleet.LoadReport report = fleet.load(Duration.ofMillis(400));

            assertThat(report.connections()).isPositive();
            assertThat(report.failures()).isZero();
            assertThat(report.p50()).isPositive().isLessThanOrEqualTo(report.p99());
            assertThat(report.p99()).isLessThanOrEqualTo(report.max());
            assertThat(report.perSecond()).isPositive();
        }
    }
}
