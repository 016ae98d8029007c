package io.mooring.platform.windows.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * XML from devices, parsed without ever resolving an entity or fetching a DTD. A document type
 * declaration is accepted only without an internal subset (OMA-DM clients may name SyncML's public DTD;
 * nothing is read from it); entity declarations are refused before the parser sees them.
 */
final class SafeXml {
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final DocumentBuilderFactory FACTORY = factory();
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilder b = FACTORY.newDocumentBuilder();
            b.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            b.setErrorHandler(null);
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    });

    private SafeXml() {
    }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        } catch (ParserConfigurationException | IllegalArgumentException e) {
            throw new IllegalStateException("the XML parser cannot be made safe for device input", e);
        }
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setIgnoringComments(true);
        f.setCoalescing(true);
        return f;
    }

    static Document parse(byte[] xml) throws Malformed {
        refuseDeclarations(xml);
        DocumentBuilder builder = BUILDER.get();
        try {
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (SAXException | IOException e) {
            throw new Malformed("the message is not well-formed XML: " + e.getMessage());
        } finally {
            builder.reset();
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            builder.setErrorHandler(null);
        }
    }

    /** An internal DTD subset is where entities are declared: refuse one outright, whatever its encoding's ASCII bytes say. */
    private static void refuseDeclarations(byte[] xml) throws Malformed {
        String head = new String(xml, 0, Math.min(xml.length, 4096), StandardCharsets.ISO_8859_1);
        int doctype = head.indexOf("<!DOCTYPE");
        if (doctype < 0) {
            if (indexOf(xml, "<!ENTITY") >= 0) {
                throw new Malformed("entity declarations are not accepted");
            }
            return;
        }
        int end = head.indexOf('>', doctype);
        if (end < 0 || head.substring(doctype, end).indexOf('[') >= 0 || indexOf(xml, "<!ENTITY") >= 0) {
            throw new Malformed("a document type with an internal subset or entity declarations is not accepted");
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i <= haystack.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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
