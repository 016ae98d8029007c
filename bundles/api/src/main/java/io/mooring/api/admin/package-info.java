/** Admin accounts, roles, API tokens and tenants: who may use the admin API and the shell. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.mooring.api.admin;
