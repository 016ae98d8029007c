package io.mooring.spi.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class DeviceXmlTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void namespacedAndPlainDocumentsParseAndAPublicDoctypeIsReadButNeverFetched() throws Exception {
        Document soap = DeviceXml.parse(utf8("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>"), true);
        assertEquals("Envelope", soap.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2003/05/soap-envelope", soap.getDocumentElement().getNamespaceURI());

        // a DTD that cannot be fetched (no such host): parsing still succeeds because nothing is fetched
        Document plist = DeviceXml.parse(utf8("<?xml version=\"1.0\"?><!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                + "\"http://dtd.invalid/PropertyList-1.0.dtd\"><plist version=\"1.0\"><dict/></plist>"), false);
        assertEquals("plist", plist.getDocumentElement().getTagName());
        assertNull(plist.getDocumentElement().getNamespaceURI());
    }

    @Test
    void entitiesAndInternalSubsetsAreRefusedAndNoFileIsRead(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "top secret");
        DeviceXml.Refused external = assertThrows(DeviceXml.Refused.class, () -> DeviceXml.parse(utf8("<?xml version=\"1.0\"?><!DOCTYPE x ["
                + "<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]><x>&e;</x>"), true));
        assertTrue(external.getMessage().contains("entity"), external.getMessage());
        assertThrows(DeviceXml.Refused.class, () -> DeviceXml.parse(utf8("<!DOCTYPE x [<!ELEMENT x ANY>]><x/>"), false));
        // billion laughs: refused before any expansion
        assertThrows(DeviceXml.Refused.class, () -> DeviceXml.parse(utf8("<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>"), true));
        // an undeclared entity reference is not well-formed
        assertThrows(DeviceXml.Refused.class, () -> DeviceXml.parse(utf8("<x>&e;</x>"), true));
        assertThrows(DeviceXml.Refused.class, () -> DeviceXml.parse(utf8("<x><y></x>"), true));
    }
}
