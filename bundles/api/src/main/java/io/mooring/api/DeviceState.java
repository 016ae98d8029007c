package io.mooring.api;

/** A device's life in Mooring. An unenrolled device keeps its history but receives no commands. */
public enum DeviceState { ENROLLED, UNENROLLED }
