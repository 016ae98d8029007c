package io.mooring.spi.xml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Parses XML a device sent (a check-in plist, a SyncML message, a SOAP envelope) without ever resolving
 * an entity or fetching a DTD. Entity declarations are refused before the parser sees the document, and
 * so is a document type with an internal subset (where entities are declared); a document type that only
 * names a public DTD (as some OMA-DM clients and every Apple plist do) is accepted and nothing is read
 * from it. Builders are kept per thread, so a busy endpoint does not build a parser per message.
 */
public final class DeviceXml {
    /** The document is not acceptable XML; the message says why, for the device's error answer. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[] ENTITY = "<!ENTITY".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<DocumentBuilder> NAMESPACED = ThreadLocal.withInitial(() -> builder(factory(true)));
    private static final ThreadLocal<DocumentBuilder> PLAIN = ThreadLocal.withInitial(() -> builder(factory(false)));

    private DeviceXml() {
    }

    /** The parsed document; {@code namespaceAware} for formats that use namespaces (SOAP, SyncML). */
    public static Document parse(byte[] xml, boolean namespaceAware) throws Refused {
        refuseDeclarations(xml);
        DocumentBuilder builder = (namespaceAware ? NAMESPACED : PLAIN).get();
        builder.reset();
        builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
        builder.setErrorHandler(null);
        try {
            Document doc = builder.parse(new ByteArrayInputStream(xml));
            if (doc.getDoctype() != null && doc.getDoctype().getInternalSubset() != null && !doc.getDoctype().getInternalSubset().isBlank()) {
                throw new Refused("a document type with an internal subset is not accepted");
            }
            return doc;
        } catch (SAXException | IOException e) {
            throw new Refused("the message is not well-formed XML: " + e.getMessage());
        }
    }

    /** An internal DTD subset is where entities are declared: refuse one outright, whatever its encoding's ASCII bytes say. */
    private static void refuseDeclarations(byte[] xml) throws Refused {
        if (indexOf(xml, ENTITY) >= 0) {
            throw new Refused("entity declarations are not accepted");
        }
        String head = new String(xml, 0, Math.min(xml.length, 4096), StandardCharsets.ISO_8859_1);
        int doctype = head.indexOf("<!DOCTYPE");
        if (doctype >= 0) {
            int end = head.indexOf('>', doctype);
            if (end < 0 || head.substring(doctype, end).indexOf('[') >= 0) {
                throw new Refused("a document type with an internal subset is not accepted");
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static DocumentBuilderFactory factory(boolean namespaceAware) {
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
        f.setNamespaceAware(namespaceAware);
        f.setValidating(false);
        f.setIgnoringComments(true);
        f.setCoalescing(true);
        return f;
    }

    private static DocumentBuilder builder(DocumentBuilderFactory factory) {
        try {
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
