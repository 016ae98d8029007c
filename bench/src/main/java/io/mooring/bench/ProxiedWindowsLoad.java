package io.mooring.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import io.mooring.testkit.WindowsPc;

/**
 * Enrolled Windows PCs syncing through a TLS-terminating proxy that passes each PC's client certificate on
 * in a header: the proxy's side of the traffic, kept lean so the machine's CPU goes to the server. Each
 * client thread is one kept-alive upstream connection; each PC runs OMA-DM sessions as Windows does (Alert
 * 1201 and 1224 with its DevInfo, then a Status for every command the server sends, Atomic and its inner
 * commands included, until a reply holds no command), applying every Add / Replace / Delete / Exec with
 * 200 and answering Get with 404 (it keeps no node tree; the PCs reported their inventory through the full
 * simulator, {@link WindowsPc}, which also enrolled them).
 */
final class ProxiedWindowsLoad {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private record Pc(String deviceId, String managementUrl, String certificateHeader, AtomicInteger sessions) {
    }

    record Round(long sessions, long messages, long failures, List<Long> latencies) {
    }

    /** An element of the server's message: its name, its text, its children. */
    private record Node(String name, StringBuilder text, List<Node> children) {
        Node child(String n) {
            for (Node c : children) {
                if (c.name.equals(n)) {
                    return c;
                }
            }
            return null;
        }

        String text(String n) {
            Node c = child(n);
            return c == null ? null : c.text.toString().strip();
        }

        String target() {
            Node item = child("Item");
            Node target = item == null ? null : item.child("Target");
            return target == null ? null : target.text("LocURI");
        }
    }

    private final String header;
    private final List<Pc> pcs;
    private final ExecutorService pool;
    private final int threads;
    private final ThreadLocal<ProxyUpstream> upstreams;

    ProxiedWindowsLoad(URI base, String header, List<WindowsPc> enrolled, int threads) {
        URI endpoint = base.resolve("ManagementServer/MDM.svc");
        this.header = header;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
        this.upstreams = ThreadLocal.withInitial(() -> new ProxyUpstream(endpoint, "POST", "application/vnd.syncml.dm+xml", "MSFT OMA DM Client/1.2.0.1"));
        List<Pc> list = new ArrayList<>();
        for (WindowsPc pc : enrolled) {
            list.add(new Pc(pc.deviceId(), pc.managementUrl(), ProxyUpstream.header(pc.identity()), new AtomicInteger(0x8000)));
        }
        this.pcs = List.copyOf(list);
    }

    int size() {
        return pcs.size();
    }

    /** Every PC runs one session. */
    Round round() throws Exception {
        ProxyUpstream.Tally t = ProxyUpstream.round(pool, threads, upstreams, pcs.size(), (up, i, counts, latencies) -> {
            int sent = session(up, pcs.get(i), latencies);
            counts[sent < 0 ? 2 : 0]++;
            counts[1] += Math.abs(sent);
        });
        return new Round(t.units(), t.count(), t.failures(), t.latencies());
    }

    /** One session; the number of messages the PC sent, negative when the server refused one. */
    private int session(ProxyUpstream up, Pc pc, List<Long> latencies) throws IOException {
        String sessionId = Integer.toHexString(pc.sessions().incrementAndGet() & 0xFFFF).toUpperCase(java.util.Locale.ROOT);
        StringBuilder body = new StringBuilder(1024);
        body.append("<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta>"
                + "<Type xmlns=\"syncml:metinf\">com.microsoft/MDM/LoginStatus</Type><Format xmlns=\"syncml:metinf\">chr</Format></Meta>"
                + "<Data>user</Data></Item></Alert><Replace><CmdID>3</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>")
                .append(pc.deviceId()).append("</Data></Item><Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Contoso Computers</Data></Item>"
                        + "<Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>Surface Laptop 5</Data></Item>"
                        + "<Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.3</Data></Item>"
                        + "<Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item></Replace><Final/>");
        for (int msgId = 1; msgId < 100; msgId++) {
            String xml = "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>" + sessionId
                    + "</SessionID><MsgID>" + msgId + "</MsgID><Target><LocURI>" + pc.managementUrl() + "</LocURI></Target><Source><LocURI>"
                    + pc.deviceId() + "</LocURI></Source><Meta><MaxMsgSize xmlns=\"syncml:metinf\">524288</MaxMsgSize></Meta></SyncHdr><SyncBody>"
                    + body + "</SyncBody></SyncML>";
            long t0 = System.nanoTime();
            ProxyUpstream.Reply reply = up.send(xml.getBytes(StandardCharsets.UTF_8), header, pc.certificateHeader());
            latencies.add(System.nanoTime() - t0);
            if (reply.status() != 200) {
                return -msgId;
            }
            Node root = parse(reply.body());
            Node hdr = root.child("SyncHdr");
            String serverMsg = hdr.text("MsgID");
            body.setLength(0);
            body.append(status(1, serverMsg, "0", "SyncHdr", null, 200));
            int cmdId = 2;
            boolean commands = false;
            boolean moreWanted = false;
            for (Node c : root.child("SyncBody").children()) {
                switch (c.name()) {
                    case "Status" -> {
                        if ("SyncHdr".equals(c.text("Cmd")) && !"200".equals(c.text("Data"))) {
                            return -msgId;
                        }
                    }
                    case "Final" -> {
                    }
                    case "Alert" -> moreWanted |= "1222".equals(c.text("Data"));
                    case "Atomic" -> {
                        commands = true;
                        body.append(status(cmdId++, serverMsg, c.text("CmdID"), "Atomic", null, 200));
                        for (Node inner : c.children()) {
                            if (!inner.name().equals("CmdID") && !inner.name().equals("Meta")) {
                                body.append(status(cmdId++, serverMsg, inner.text("CmdID"), inner.name(), inner.target(), 200));
                            }
                        }
                    }
                    default -> {
                        commands = true;
                        body.append(status(cmdId++, serverMsg, c.text("CmdID"), c.name(), c.target(), c.name().equals("Get") ? 404 : 200));
                    }
                }
            }
            if (!commands && !moreWanted) {
                return msgId;
            }
            body.append("<Final/>");
        }
        throw new IllegalStateException("a session of 100 messages: the server never ended it");
    }

    private static String status(int cmdId, String msgRef, String cmdRef, String cmd, String targetRef, int code) {
        return "<Status><CmdID>" + cmdId + "</CmdID><MsgRef>" + msgRef + "</MsgRef><CmdRef>" + cmdRef + "</CmdRef><Cmd>" + cmd + "</Cmd>"
                + (targetRef == null ? "" : "<TargetRef>" + targetRef.replace("&", "&amp;").replace("<", "&lt;") + "</TargetRef>")
                + "<Data>" + code + "</Data></Status>";
    }

    private static Node parse(byte[] xml) throws IOException {
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
            List<Node> stack = new ArrayList<>();
            Node root = null;
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        Node n = new Node(r.getLocalName(), new StringBuilder(), new ArrayList<>());
                        if (stack.isEmpty()) {
                            root = n;
                        } else {
                            stack.get(stack.size() - 1).children().add(n);
                        }
                        stack.add(n);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (!stack.isEmpty()) {
                            stack.get(stack.size() - 1).text().append(r.getText());
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> stack.remove(stack.size() - 1);
                    default -> {
                    }
                }
            }
            if (root == null || root.child("SyncHdr") == null || root.child("SyncBody") == null) {
                throw new IOException("the server's answer is not SyncML");
            }
            return root;
        } catch (XMLStreamException e) {
            throw new IOException("the server's SyncML is not well-formed: " + e.getMessage(), e);
        }
    }

    void close() {
        pool.shutdownNow();
    }
}
