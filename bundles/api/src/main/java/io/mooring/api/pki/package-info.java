/**
 * Mooring's certificate authority as platforms and admins use it: one-time SCEP challenges for
 * enrollment payloads, device identities issued from a request a platform protocol carries itself, and
 * the inventory of certificates the CA issued.
 */
@org.osgi.annotation.versioning.Version("1.4.0")
package io.mooring.api.pki;
