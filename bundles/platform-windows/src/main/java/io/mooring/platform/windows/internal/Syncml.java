package io.mooring.platform.windows.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * OMA-DM messages (SyncML 1.2 representation, OMA-TS-SyncML-RepPro-V1_2 and OMA-TS-DM_RepPro-V1_2) as
 * Mooring reads and writes them. Reading keeps what management needs of each command; writing builds a
 * small element tree that serialises to XML or to WBXML alike.
 */
final class Syncml {
    static final String XML_TYPE = "application/vnd.syncml.dm+xml";
    static final String WBXML_TYPE = "application/vnd.syncml.dm+wbxml";
    static final String NS = "SYNCML:SYNCML1.2";
    static final String METINF_NS = "syncml:metinf";
    static final int MAX_COMMANDS = 2_000;
    static final int MAX_ITEMS = 2_000;

    /** One Item: target / source addresses, its Meta type and format, its data. */
    record Item(String target, String source, String format, String type, String data) {
    }

    /**
     * One command of a SyncBody. {@code data} is the command's own Data (Status code, Alert code);
     * Atomic and Sequence hold their commands in {@code nested}.
     */
    record Command(String name, String cmdId, String msgRef, String cmdRef, String cmd, String data, List<Item> items, List<Command> nested) {
    }

    record Header(String sessionId, String msgId, String target, String source, Long maxMsgSize) {
    }

    record Message(Header header, List<Command> commands, boolean isFinal) {
    }

    /** A message that is not SyncML 1.2 as OMA-DM uses it. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private Syncml() {
    }

    static Message read(byte[] body, boolean wbxml) throws Malformed {
        Document doc;
        try {
            doc = wbxml ? Wbxml.decode(body) : SafeXml.parse(body);
        } catch (SafeXml.Malformed | Wbxml.Malformed e) {
            throw new Malformed(e.getMessage());
        }
        return read(doc.getDocumentElement());
    }

    static Message read(Element root) throws Malformed {
        if (!"SyncML".equals(SafeXml.local(root))) {
            throw new Malformed("the root element must be SyncML");
        }
        Element hdr = SafeXml.child(root, "SyncHdr");
        Element body = SafeXml.child(root, "SyncBody");
        if (hdr == null || body == null) {
            throw new Malformed("a SyncML message has a SyncHdr and a SyncBody");
        }
        if (!"1.2".equals(SafeXml.text(hdr, "VerDTD")) || !"DM/1.2".equals(SafeXml.text(hdr, "VerProto"))) {
            throw new Malformed("only OMA-DM 1.2 is spoken here (VerDTD 1.2, VerProto DM/1.2)");
        }
        String session = SafeXml.text(hdr, "SessionID");
        String msgId = SafeXml.text(hdr, "MsgID");
        String source = SafeXml.text(hdr, "Source", "LocURI");
        if (session == null || session.length() > 32 || msgId == null || number(msgId) < 1 || source == null || source.length() > 512) {
            throw new Malformed("the SyncHdr needs a SessionID, a positive MsgID and a Source LocURI");
        }
        Long maxMsgSize = null;
        String max = SafeXml.text(hdr, "Meta", "MaxMsgSize");
        if (max != null && number(max) > 0) {
            maxMsgSize = number(max);
        }
        List<Command> commands = new ArrayList<>();
        boolean fin = false;
        int[] items = {0};
        for (Element e : SafeXml.children(body)) {
            if ("Final".equals(SafeXml.local(e))) {
                fin = true;
            } else {
                commands.add(command(e, items, 0));
            }
            if (commands.size() > MAX_COMMANDS) {
                throw new Malformed("more than " + MAX_COMMANDS + " commands in one message");
            }
        }
        return new Message(new Header(session, msgId, SafeXml.text(hdr, "Target", "LocURI"), source, maxMsgSize),
                Collections.unmodifiableList(commands), fin);
    }

    private static Command command(Element e, int[] itemCount, int depth) throws Malformed {
        String name = SafeXml.local(e);
        String cmdId = SafeXml.text(e, "CmdID");
        if (cmdId == null || number(cmdId) < 1) {
            throw new Malformed(name + " has no CmdID");
        }
        List<Item> items = new ArrayList<>();
        String cmdFormat = SafeXml.text(e, "Meta", "Format");
        String cmdType = SafeXml.text(e, "Meta", "Type");
        for (Element i : SafeXml.children(e, "Item")) {
            if (++itemCount[0] > MAX_ITEMS) {
                throw new Malformed("more than " + MAX_ITEMS + " items in one message");
            }
            String format = SafeXml.text(i, "Meta", "Format");
            String type = SafeXml.text(i, "Meta", "Type");
            Element data = SafeXml.child(i, "Data");
            items.add(new Item(SafeXml.text(i, "Target", "LocURI"), SafeXml.text(i, "Source", "LocURI"), format != null ? format : cmdFormat,
                    type != null ? type : cmdType, data == null ? null : data.getTextContent()));
        }
        List<Command> nested = new ArrayList<>();
        if (name.equals("Atomic") || name.equals("Sequence")) {
            if (depth > 2) {
                throw new Malformed("Atomic and Sequence nest at most two deep");
            }
            for (Element n : SafeXml.children(e)) {
                String local = SafeXml.local(n);
                if (!local.equals("CmdID") && !local.equals("Meta") && !local.equals("NoResp")) {
                    nested.add(command(n, itemCount, depth + 1));
                }
            }
        }
        return new Command(name, cmdId, SafeXml.text(e, "MsgRef"), SafeXml.text(e, "CmdRef"), SafeXml.text(e, "Cmd"), SafeXml.text(e, "Data"),
                Collections.unmodifiableList(items), Collections.unmodifiableList(nested));
    }

    static long number(String text) {
        try {
            return text.length() > 10 ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An element of a message Mooring writes; {@code metinf} elements belong to the MetInf namespace (WBXML code page 1). */
    record El(String name, boolean metinf, String text, List<El> children) {
        static El of(String name, El... children) {
            return new El(name, false, null, List.of(children));
        }

        static El of(String name, List<El> children) {
            return new El(name, false, null, children);
        }

        static El text(String name, String text) {
            return new El(name, false, text, List.of());
        }

        static El meta(String name, String text) {
            return new El(name, true, text, List.of());
        }

        static El empty(String name) {
            return new El(name, false, null, List.of());
        }
    }

    static byte[] toXml(El root) {
        StringBuilder out = new StringBuilder(2048);
        write(out, root, true);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder out, El e, boolean root) {
        out.append('<').append(e.name());
        if (root) {
            out.append(" xmlns=\"").append(NS).append('"');
        } else if (e.metinf()) {
            out.append(" xmlns=\"").append(METINF_NS).append('"');
        }
        if (e.text() == null && e.children().isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        if (e.text() != null) {
            out.append(SafeXml.escape(e.text()));
        }
        for (El c : e.children()) {
            write(out, c, false);
        }
        out.append("</").append(e.name()).append('>');
    }
}
