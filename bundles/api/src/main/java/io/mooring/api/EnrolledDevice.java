package io.mooring.api;

/** The result of enrollment: the new device and the credential it proves itself with from now on (shown once). */
public record EnrolledDevice(Device device, String credential) {
}
