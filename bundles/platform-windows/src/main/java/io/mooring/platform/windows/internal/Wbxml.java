package io.mooring.platform.windows.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * WBXML (WAP-192, WBXML 1.1–1.3) for SyncML 1.2 as OMA-DM clients send it
 * ({@code application/vnd.syncml.dm+wbxml}): code page 0 is SyncML, code page 1 is MetInf, the document's
 * public identifier is SyncML 1.2's (0x1201) or its formal public identifier in the string table.
 * Attributes, literal tags and extensions are not part of SyncML and are refused.
 */
final class Wbxml {
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    static final int PUBLIC_ID_SYNCML12 = 0x1201;
    static final String FPI_SYNCML12 = "-//SYNCML//DTD SyncML 1.2//EN";
    private static final int UTF8 = 0x6A;
    private static final int MAX_DEPTH = 32;

    // OMA-TS-SyncML-RepPro-V1_2 §8 (code page 0, tokens from 0x05) and OMA-TS-SyncML-MetInf-V1_2 §7 (code page 1)
    private static final List<String> SYNCML = List.of("Add", "Alert", "Archive", "Atomic", "Chal", "Cmd", "CmdID", "CmdRef", "Copy", "Cred",
            "Data", "Delete", "Exec", "Final", "Get", "Item", "Lang", "LocName", "LocURI", "Map", "MapItem", "Meta", "MsgID", "MsgRef", "NoResp",
            "NoResults", "Put", "Replace", "RespURI", "Results", "Search", "Sequence", "SessionID", "SftDel", "Source", "SourceRef", "Status",
            "Sync", "SyncBody", "SyncHdr", "SyncML", "Target", "TargetRef", "Reserved", "VerDTD", "VerProto", "NumberOfChanges", "MoreData",
            "Field", "Filter", "Record", "FilterType", "SourceParent", "TargetParent", "Move", "Correlator");
    private static final List<String> METINF = List.of("Anchor", "EMI", "Format", "FreeID", "FreeMem", "Last", "Mark", "MaxMsgSize", "Mem",
            "MetInf", "Next", "NextNonce", "SharedMem", "Size", "Type", "Version", "MaxObjSize", "FieldLevel");
    private static final Map<String, Integer> SYNCML_TOKENS = tokens(SYNCML);
    private static final Map<String, Integer> METINF_TOKENS = tokens(METINF);
    private static final DocumentBuilderFactory DOM = DocumentBuilderFactory.newInstance();

    static {
        DOM.setNamespaceAware(true);
    }

    private Wbxml() {
    }

    private static Map<String, Integer> tokens(List<String> names) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), i + 5);
        }
        return Map.copyOf(out);
    }

    static byte[] encode(Syncml.El root) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        out.write(0x02); // WBXML 1.2
        multiByte(out, PUBLIC_ID_SYNCML12);
        multiByte(out, UTF8);
        multiByte(out, 0); // no string table
        int[] page = {0};
        element(out, root, page);
        return out.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, Syncml.El e, int[] page) {
        int wanted = e.metinf() ? 1 : 0;
        Integer token = (e.metinf() ? METINF_TOKENS : SYNCML_TOKENS).get(e.name());
        if (token == null) {
            throw new IllegalArgumentException("no WBXML token for " + e.name());
        }
        if (page[0] != wanted) {
            out.write(0x00);
            out.write(wanted);
            page[0] = wanted;
        }
        boolean content = e.text() != null || !e.children().isEmpty();
        out.write(token | (content ? 0x40 : 0));
        if (!content) {
            return;
        }
        if (e.text() != null) {
            byte[] text = e.text().getBytes(StandardCharsets.UTF_8);
            if ("Data".equals(e.name())) {
                // data is opaque to the tokenizer: it may hold anything, a zero byte included
                out.write(0xC3);
                multiByte(out, text.length);
                out.write(text, 0, text.length);
            } else {
                out.write(0x03);
                out.write(text, 0, text.length);
                out.write(0x00);
            }
        }
        for (Syncml.El c : e.children()) {
            element(out, c, page);
        }
        out.write(0x01);
    }

    private static void multiByte(ByteArrayOutputStream out, int value) {
        int shift = 28;
        while (shift > 0 && (value >>> shift) == 0) {
            shift -= 7;
        }
        for (; shift > 0; shift -= 7) {
            out.write(((value >>> shift) & 0x7F) | 0x80);
        }
        out.write(value & 0x7F);
    }

    static Document decode(byte[] in) throws Malformed {
        Reader r = new Reader(in);
        int version = r.u8();
        if (version < 0x01 || version > 0x03) {
            throw new Malformed("unknown WBXML version " + version);
        }
        int publicId = r.mb();
        int publicIdIndex = publicId == 0 ? r.mb() : -1;
        int charset = r.mb();
        if (charset != UTF8 && charset != 0) {
            throw new Malformed("only UTF-8 WBXML is accepted");
        }
        int tableLength = r.mb();
        if (tableLength > in.length - r.pos) {
            throw new Malformed("the WBXML string table is longer than the message");
        }
        byte[] table = r.bytes(tableLength);
        if (publicId == 0 && !FPI_SYNCML12.equals(tableString(table, publicIdIndex))) {
            throw new Malformed("the WBXML document is not SyncML 1.2");
        }
        if (publicId != 0 && publicId != PUBLIC_ID_SYNCML12 && publicId != 1) {
            throw new Malformed("the WBXML document is not SyncML 1.2 (public id " + Integer.toHexString(publicId) + ")");
        }
        Document doc;
        try {
            doc = DOM.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        Deque<Element> open = new ArrayDeque<>();
        Node parent = doc;
        int page = 0;
        while (r.pos < in.length) {
            int token = r.u8();
            switch (token) {
                case 0x00 -> {
                    page = r.u8();
                    if (page > 1) {
                        throw new Malformed("unknown WBXML code page " + page);
                    }
                }
                case 0x01 -> {
                    if (open.isEmpty()) {
                        throw new Malformed("END without an open element");
                    }
                    open.pop();
                    parent = open.isEmpty() ? doc : open.peek();
                    if (open.isEmpty()) {
                        if (r.pos != in.length) {
                            throw new Malformed("data after the root element");
                        }
                        return doc;
                    }
                }
                case 0x02 -> text(parent, doc, new String(Character.toChars(checkedCodePoint(r.mb()))));
                case 0x03 -> text(parent, doc, r.inlineString());
                case 0x83 -> text(parent, doc, tableString(table, r.mb()));
                case 0xC3 -> text(parent, doc, new String(r.bytes(r.mb()), StandardCharsets.UTF_8));
                default -> {
                    if ((token & 0x3F) < 5 || (token & 0x80) != 0) {
                        throw new Malformed("WBXML token 0x" + Integer.toHexString(token) + " is not used by SyncML");
                    }
                    List<String> names = page == 0 ? SYNCML : METINF;
                    int index = (token & 0x3F) - 5;
                    if (index >= names.size()) {
                        throw new Malformed("unknown SyncML tag token 0x" + Integer.toHexString(token) + " on code page " + page);
                    }
                    Element e = doc.createElementNS(page == 0 ? Syncml.NS : Syncml.METINF_NS, names.get(index));
                    if (parent == doc && doc.getDocumentElement() != null) {
                        throw new Malformed("more than one root element");
                    }
                    parent.appendChild(e);
                    if ((token & 0x40) != 0) {
                        if (open.size() >= MAX_DEPTH) {
                            throw new Malformed("elements nest deeper than " + MAX_DEPTH);
                        }
                        open.push(e);
                        parent = e;
                    } else if (parent == doc) {
                        if (r.pos != in.length) {
                            throw new Malformed("data after the root element");
                        }
                        return doc;
                    }
                }
            }
        }
        throw new Malformed("the WBXML message ends inside an element");
    }

    private static int checkedCodePoint(int cp) throws Malformed {
        if (!Character.isValidCodePoint(cp) || cp == 0) {
            throw new Malformed("bad character entity");
        }
        return cp;
    }

    private static void text(Node parent, Document doc, String text) throws Malformed {
        if (parent == doc) {
            throw new Malformed("text outside the root element");
        }
        parent.appendChild(doc.createTextNode(text));
    }

    private static String tableString(byte[] table, int index) throws Malformed {
        if (index < 0 || index >= table.length) {
            throw new Malformed("string table reference out of range");
        }
        int end = index;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        return new String(table, index, end - index, StandardCharsets.UTF_8);
    }

    private static final class Reader {
        final byte[] in;
        int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        int u8() throws Malformed {
            if (pos >= in.length) {
                throw new Malformed("the WBXML message is truncated");
            }
            return in[pos++] & 0xFF;
        }

        int mb() throws Malformed {
            int value = 0;
            for (int i = 0; i < 5; i++) {
                int b = u8();
                value = (value << 7) | (b & 0x7F);
                if ((b & 0x80) == 0) {
                    if (value < 0) {
                        throw new Malformed("a WBXML integer is out of range");
                    }
                    return value;
                }
            }
            throw new Malformed("a WBXML integer is longer than 32 bits");
        }

        byte[] bytes(int length) throws Malformed {
            if (length < 0 || length > in.length - pos) {
                throw new Malformed("the WBXML message is truncated");
            }
            byte[] out = java.util.Arrays.copyOfRange(in, pos, pos + length);
            pos += length;
            return out;
        }

        String inlineString() throws Malformed {
            int start = pos;
            while (pos < in.length && in[pos] != 0) {
                pos++;
            }
            if (pos >= in.length) {
                throw new Malformed("an inline string is not terminated");
            }
            return new String(in, start, pos++ - start, StandardCharsets.UTF_8);
        }
    }
}
