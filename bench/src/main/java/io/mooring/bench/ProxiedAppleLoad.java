package io.mooring.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.mooring.testkit.AppleDevice;

/**
 * Enrolled Apple devices reaching Mooring through a TLS-terminating proxy, as most production deployments
 * run: the proxy holds the devices' TLS connections and forwards each request over a few kept-alive HTTP/1.1
 * connections to Mooring, with the device's client certificate in a header. This is that proxy's side of
 * the traffic, kept lean so the machine's CPU goes to the server: each client thread is one upstream
 * connection; the devices' messages are the XML property lists a device sends (Idle, then Acknowledged for
 * each command), their replies read for the CommandUUID. The devices were enrolled by the full simulator
 * ({@link AppleDevice}: profile, SCEP, Authenticate, TokenUpdate).
 */
final class ProxiedAppleLoad {
    private static final String PLIST_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
            + "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n";

    record Device(String udid, String certificateHeader, byte[] idle) {
    }

    record Round(long requests, long acknowledged, long failures, List<Long> latencies) {
    }

    private final URI connect;
    private final String header;
    private final List<Device> devices;
    private final ExecutorService pool;
    private final int threads;
    private final ThreadLocal<Upstream> upstreams;

    ProxiedAppleLoad(URI base, String header, List<AppleDevice> enrolled, int threads) {
        this.connect = base.resolve("mdm/apple/connect");
        this.header = header;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
        this.upstreams = ThreadLocal.withInitial(() -> new Upstream(connect));
        List<Device> list = new ArrayList<>();
        for (AppleDevice d : enrolled) {
            String pem = "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(encoded(d))
                    + "\n-----END CERTIFICATE-----\n";
            list.add(new Device(d.udid(), URLEncoder.encode(pem, StandardCharsets.US_ASCII), plist("Status", "Idle", "UDID", d.udid())));
        }
        this.devices = List.copyOf(list);
    }

    private static byte[] encoded(AppleDevice d) {
        try {
            return d.identity().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] plist(String... keysAndValues) {
        StringBuilder sb = new StringBuilder(PLIST_HEAD);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            sb.append("\t<key>").append(keysAndValues[i]).append("</key>\n\t<string>").append(keysAndValues[i + 1]).append("</string>\n");
        }
        return sb.append("</dict>\n</plist>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    int size() {
        return devices.size();
    }

    /** Every device connects once: Idle, then an Acknowledged for each command it is handed, until it gets none. */
    Round round() throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<Round>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                long requests = 0;
                long acknowledged = 0;
                long failures = 0;
                List<Long> latencies = new ArrayList<>();
                Upstream up = upstreams.get();
                try {
                    for (int i = next.getAndIncrement(); i < devices.size(); i = next.getAndIncrement()) {
                        Device d = devices.get(i);
                        byte[] body = d.idle();
                        for (int guard = 0; guard < 100; guard++) {
                            long t0 = System.nanoTime();
                            Upstream.Reply reply = up.put(body, d.certificateHeader(), header);
                            latencies.add(System.nanoTime() - t0);
                            requests++;
                            if (reply.status() != 200) {
                                failures++;
                                break;
                            }
                            String uuid = commandUuid(reply.body());
                            if (uuid == null) {
                                break;
                            }
                            body = plist("CommandUUID", uuid, "Status", "Acknowledged", "UDID", d.udid());
                            acknowledged++;
                        }
                    }
                } catch (IOException e) {
                    up.close();
                    throw e;
                }
                return new Round(requests, acknowledged, failures, latencies);
            }));
        }
        long requests = 0;
        long acknowledged = 0;
        long failures = 0;
        List<Long> latencies = new ArrayList<>();
        for (Future<Round> f : parts) {
            Round r = f.get();
            requests += r.requests();
            acknowledged += r.acknowledged();
            failures += r.failures();
            latencies.addAll(r.latencies());
        }
        return new Round(requests, acknowledged, failures, latencies);
    }

    static String commandUuid(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        int key = text.indexOf("<key>CommandUUID</key>");
        if (key < 0) {
            throw new IllegalStateException("a command without CommandUUID: " + text);
        }
        int start = text.indexOf("<string>", key) + "<string>".length();
        return text.substring(start, text.indexOf("</string>", start));
    }

    void close() {
        pool.shutdownNow();
    }

    /** One kept-alive HTTP/1.1 connection from the proxy to Mooring. */
    static final class Upstream implements AutoCloseable {
        record Reply(int status, byte[] body) {
        }

        private final URI uri;
        private final byte[] requestLine;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Upstream(URI uri) {
            this.uri = uri;
            this.requestLine = ("PUT " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/x-apple-aspen-mdm\r\nUser-Agent: MDM/1.0\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        Reply put(byte[] body, String certificate, String header) throws IOException {
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

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}
