/**
 * Devices' client certificates as device endpoints receive them, checked the way every platform plugin needs.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.mooring.spi.pki;
