package io.mooring.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One kept-alive HTTP/1.1 connection from a TLS-terminating proxy to Mooring: the requests a proxy forwards
 * for its devices, each with the device's client certificate in a header. Written out by hand so the load
 * generator spends as little of the machine as a proxy would.
 */
final class ProxyUpstream implements AutoCloseable {
    record Reply(int status, byte[] body) {
    }

    private final URI uri;
    private final byte[] requestLine;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    ProxyUpstream(URI uri, String method, String contentType, String userAgent) {
        this.uri = uri;
        this.requestLine = (method + " " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: " + contentType + "\r\nUser-Agent: " + userAgent + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    Reply send(byte[] body, String header, String certificate) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        byte[] head = (header + ": " + certificate + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[requestLine.length + head.length + body.length];
        System.arraycopy(requestLine, 0, request, 0, requestLine.length);
        System.arraycopy(head, 0, request, requestLine.length, head.length);
        System.arraycopy(body, 0, request, requestLine.length + head.length, body.length);
        out.write(request);
        out.flush();
        String status = line();
        int length = -1;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:")) {
                throw new IOException("unexpected " + h);
            } else if (lower.equals("connection: close")) {
                close = true;
            }
        }
        byte[] reply = in.readNBytes(Math.max(0, length));
        if (close) {
            close();
        }
        return new Reply(Integer.parseInt(status.substring(9, 12)), reply);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** The certificate as a proxy passes it on: PEM, URL-encoded. */
    static String header(java.security.cert.X509Certificate certificate) {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            return java.net.URLEncoder.encode(pem, StandardCharsets.US_ASCII);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    /** What one round of a proxied load did: its units of work (requests, sessions), a second count, refusals, request latencies. */
    record Tally(long units, long count, long failures, List<Long> latencies) {
    }

    /** One item's work over an upstream connection, counted into a mutable tally ({@code long[]{units, count, failures}}). */
    interface Work {
        void run(ProxyUpstream upstream, int item, long[] counts, List<Long> latencies) throws IOException;
    }

    /** Items 0..items-1 shared out over the pool's threads, each thread on its own upstream connection; the summed tally. */
    static Tally round(ExecutorService pool, int threads, ThreadLocal<ProxyUpstream> upstreams, int items, Work work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<Tally>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                long[] counts = new long[3];
                List<Long> latencies = new ArrayList<>();
                ProxyUpstream up = upstreams.get();
                try {
                    for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) {
                        work.run(up, i, counts, latencies);
                    }
                } catch (IOException | RuntimeException e) {
                    up.close();
                    throw e;
                }
                return new Tally(counts[0], counts[1], counts[2], latencies);
            }));
        }
        long[] sum = new long[3];
        List<Long> latencies = new ArrayList<>();
        for (Future<Tally> f : parts) {
            Tally r = f.get();
            sum[0] += r.units();
            sum[1] += r.count();
            sum[2] += r.failures();
            latencies.addAll(r.latencies());
        }
        return new Tally(sum[0], sum[1], sum[2], latencies);
    }
}
