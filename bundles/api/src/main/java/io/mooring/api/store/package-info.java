/**
 * Storage contracts between core and the persistence bundle. Core implements Mooring's services on top
 * of these; plugins never use them. Every method that takes a {@code TenantId} sees that tenant's
 * records only; device-plane methods are keyed by globally unique device ids.
 */
@org.osgi.annotation.versioning.Version("1.5.0")
package io.mooring.api.store;
