package io.mooring.platform.windows.internal;

import java.util.ArrayList;
import java.util.List;


import io.mooring.spi.xml.DeviceXml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * XML from devices (SOAP, SyncML), parsed by the SPI's {@link DeviceXml}: no entity is resolved and no DTD
 * fetched (OMA-DM clients may name SyncML's public DTD; nothing is read from it). And the element lookups
 * by local name both formats need.
 */
final class SafeXml {
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private SafeXml() {
    }

    /** Parsed with SPI's {@link DeviceXml}: no entity resolved, no DTD fetched, namespaces on. */
    static Document parse(byte[] xml) throws Malformed {
        try {
            return DeviceXml.parse(xml, true);
        } catch (DeviceXml.Refused e) {
            throw new Malformed(e.getMessage());
        }
    }

    /** Child elements of {@code parent} with this local name (any namespace: devices are loose with them). */
    static List<Element> children(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(local(e))) {
                out.add(e);
            }
        }
        return out;
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    static Element child(Element parent, String localName) {
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(local(e))) {
                return e;
            }
        }
        return null;
    }

    /** The element at this path of local names under {@code parent}, or null. */
    static Element path(Element parent, String... names) {
        Element e = parent;
        for (String name : names) {
            e = child(e, name);
            if (e == null) {
                return null;
            }
        }
        return e;
    }

    /** Trimmed text of the element at the path, or null when absent or empty. */
    static String text(Element parent, String... names) {
        Element e = path(parent, names);
        if (e == null) {
            return null;
        }
        String t = e.getTextContent().strip();
        return t.isEmpty() ? null : t;
    }

    static String local(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }

    /** Text for element content, escaped. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
