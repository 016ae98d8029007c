package io.mooring.example.internal;

import java.io.InputStream;

/**
 * One HTTP request to the agent endpoint, as much of it as the protocol looks at. {@code path} is the
 * part after the device path ({@code /checkin}); {@code contentLength} is -1 when the client sent none.
 */
record AgentRequest(String method, String path, String contentType, long contentLength, String authorization, InputStream body) {
}
