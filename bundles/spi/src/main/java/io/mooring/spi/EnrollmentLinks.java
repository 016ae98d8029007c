package io.mooring.spi;

import java.net.URI;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A platform whose devices enroll by opening a link (Apple's enrollment profile download): the address
 * that enrolls a device with an enrollment token, which core adds to the token an admin issues.
 */
@ConsumerType
public interface EnrollmentLinks {
    /** Where a device enrolls with this token secret, and where its QR code is; empty if the plugin cannot say. */
    Optional<Links> linksFor(String tokenSecret);

    record Links(URI enrollment, URI qrCode) {
    }
}
