package io.mooring.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
    private final ThreadLocal<ProxyUpstream> upstreams;

    ProxiedAppleLoad(URI base, String header, List<AppleDevice> enrolled, int threads) {
        this.connect = base.resolve("mdm/apple/connect");
        this.header = header;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
        this.upstreams = ThreadLocal.withInitial(() -> new ProxyUpstream(connect, "PUT", "application/x-apple-aspen-mdm", "MDM/1.0"));
        List<Device> list = new ArrayList<>();
        for (AppleDevice d : enrolled) {
            list.add(new Device(d.udid(), ProxyUpstream.header(d.identity()), plist("Status", "Idle", "UDID", d.udid())));
        }
        this.devices = List.copyOf(list);
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
        ProxyUpstream.Tally t = ProxyUpstream.round(pool, threads, upstreams, devices.size(), (up, i, counts, latencies) -> {
            Device d = devices.get(i);
            byte[] body = d.idle();
            for (int guard = 0; guard < 100; guard++) {
                long t0 = System.nanoTime();
                ProxyUpstream.Reply reply = up.send(body, header, d.certificateHeader());
                latencies.add(System.nanoTime() - t0);
                counts[0]++;
                if (reply.status() != 200) {
                    counts[2]++;
                    return;
                }
                String uuid = commandUuid(reply.body());
                if (uuid == null) {
                    return;
                }
                body = plist("CommandUUID", uuid, "Status", "Acknowledged", "UDID", d.udid());
                counts[1]++;
            }
        });
        return new Round(t.units(), t.count(), t.failures(), t.latencies());
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
}
