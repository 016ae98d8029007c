package io.mooring.push.fcm.internal;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;

/**
 * Sends what the SDK addresses to {@code https://fcm.googleapis.com} to another FCM endpoint instead (a
 * regional or private gateway, a local test server), through the same transport the SDK would use. The
 * SDK has the FCM host built in; a transport is the one place it lets a caller choose where requests go.
 */
final class EndpointTransport extends HttpTransport {
    static final String FCM = "https://fcm.googleapis.com";

    private final HttpTransport delegate;
    private final String endpoint;
    private final Method build;

    EndpointTransport(HttpTransport delegate, String endpoint) {
        this.delegate = delegate;
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        try {
            // buildRequest is protected: HttpTransport subclasses may only call it on themselves
            this.build = HttpTransport.class.getDeclaredMethod("buildRequest", String.class, String.class);
            this.build.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("this google-http-client has no HttpTransport.buildRequest(String, String)", e);
        }
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) throws IOException {
        String target = url.startsWith(FCM + "/") ? endpoint + url.substring(FCM.length()) : url;
        try {
            return (LowLevelHttpRequest) build.invoke(delegate, method, target);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        }
    }

    @Override
    public boolean supportsMethod(String method) throws IOException {
        return delegate.supportsMethod(method);
    }

    @Override
    public void shutdown() throws IOException {
        delegate.shutdown();
    }
}
