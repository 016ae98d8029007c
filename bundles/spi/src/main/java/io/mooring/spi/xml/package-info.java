/**
 * XML from devices, parsed the one safe way every platform plugin needs: no entity is ever resolved and
 * no DTD fetched.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.mooring.spi.xml;
