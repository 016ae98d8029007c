/**
 * Mooring's certificate authority as platforms and admins use it: one-time SCEP challenges for
 * enrollment payloads, and the inventory of certificates the CA issued.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.mooring.api.pki;
