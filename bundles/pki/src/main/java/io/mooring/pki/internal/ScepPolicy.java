package io.mooring.pki.internal;

import java.time.Duration;
import java.util.Set;

/** What the SCEP server accepts and issues. */
record ScepPolicy(Set<Integer> rsaKeySizes, Duration certificateValidity, int maxRequestBytes, String crlUrl) {
}
