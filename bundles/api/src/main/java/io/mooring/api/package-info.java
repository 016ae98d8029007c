/**
 * Mooring's domain types and the services core provides: device registry, enrollment, the persistent
 * command queue, inventory, audit and platform registry. Platform plugins and the admin API call these;
 * they never implement them.
 */
@org.osgi.annotation.versioning.Version("1.5.0")
package io.mooring.api;
