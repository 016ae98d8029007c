package io.mooring.platform.apple.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.XMLPropertyListParser;
import io.mooring.spi.xml.DeviceXml;
import org.junit.jupiter.api.Test;

/**
 * The one-pass plist reader gives what the DOM-based reader gives, for devices' real messages and for
 * everything dd-plist itself writes; and refuses what is not a property list, or is XML Mooring never accepts.
 */
class PlistXmlTest {
    static NSObject viaDom(byte[] xml) throws Exception {
        return XMLPropertyListParser.parse(DeviceXml.parse(xml, false));
    }

    static void same(byte[] xml) throws Exception {
        NSObject fast = PlistXml.parse(xml);
        assertThat(fast).as(new String(xml, StandardCharsets.UTF_8)).isNotSameAs(PlistXml.UNSUPPORTED).isEqualTo(viaDom(xml));
    }

    @Test
    void devicesCapturedMessagesReadAsTheDomReaderReadsThem() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String folder : List.of("nanomdm", "micromdm")) {
            try (Stream<Path> list = Files.list(Corpus.path(folder))) {
                list.filter(p -> p.toString().endsWith(".plist")).forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path f : files) {
            same(Files.readAllBytes(f));
        }
    }

    @Test
    void whatDdPlistWritesReadsBackTheSame() throws Exception {
        NSDictionary d = new NSDictionary();
        d.put("UDID", "0000-ÄÖÜ-日本-😀");
        d.put("Markup", "<a & b> \"quoted\" 'single'\ttab\r\nline");
        d.put("Int", 42L);
        d.put("Negative", -9_223_372_036_854_775_807L);
        d.put("Real", 3.25);
        d.put("Yes", true);
        d.put("No", false);
        d.put("Data", new NSData(new byte[] {0, 1, 2, (byte) 0xFF, 10, 13}));
        d.put("Date", new NSDate("2026-11-29T05:00:00Z"));
        d.put("Empty", "");
        d.put("EmptyDict", new NSDictionary());
        d.put("EmptyArray", new NSArray(0));
        NSDictionary inner = new NSDictionary();
        inner.put("QueryResponses", new NSArray(new NSNumber(1), new NSDictionary(), NSObject.fromJavaObject(Map.of("k", "v"))));
        d.put("Nested", inner);
        same(Plists.toXml(d));
    }

    @Test
    void xmlFeaturesDevicesMayUseAreRead() throws Exception {
        String[] docs = {
            "<plist version=\"1.0\"><dict><key>A</key><string>x</string></dict></plist>",
            "\uFEFF<?xml version='1.0' encoding='utf-8'?><plist><dict/></plist>",
            "<?xml version=\"1.0\"?>\n<!-- before -->\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">"
                    + "<plist version=\"1.0\">\n<!-- inside -->\n<dict>\n<key>A&amp;B</key>\n<!-- c --><string>&lt;&#65;&#x42;&gt;&quot;&apos;</string>"
                    + "<key>C</key><string><![CDATA[<raw & text>]]> tail</string><key>D</key><data>\n  AAEC\n  /w==\n</data>"
                    + "<key>E</key><true></true><key>F</key><integer> 7 </integer><key>G</key><array><string/><false/></array>"
                    + "<key>H</key><string>a<!-- dropped -->b</string></dict></plist>\n<!-- after -->\n",
        };
        for (String doc : docs) {
            same(doc.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void otherEncodingsAndRootsGoToTheGeneralPath() throws Exception {
        assertThat(PlistXml.parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><plist><dict/></plist>".getBytes(StandardCharsets.ISO_8859_1)))
                .isSameAs(PlistXml.UNSUPPORTED);
        assertThat(PlistXml.parse("<plist><dict/></plist>".getBytes(StandardCharsets.UTF_16))).isSameAs(PlistXml.UNSUPPORTED);
        assertThat(PlistXml.parse("<dict/>".getBytes(StandardCharsets.UTF_8))).isSameAs(PlistXml.UNSUPPORTED);
    }

    @Test
    void whatIsNotAPropertyListIsRefused() {
        String[] bad = {
            "<!DOCTYPE plist [<!ENTITY x \"y\">]><plist><dict/></plist>",
            "<!ENTITY x \"y\"><plist><dict/></plist>",
            "<plist><dict><key>A</key><string>&x;</string></dict></plist>",
            "<plist><dict><key>A</key><string>&#0;</string></dict></plist>",
            "<plist><dict><key>A</key><string>a & b</string></dict></plist>",
            "<plist><dict><key>A</key><string>x</dict></plist>",
            "<plist><dict><key>A</key><string>x</string></dict>",
            "<plist><dict><key>A</key><string>x</string></dict></plist><plist/>",
            "<plist><dict><key>A</key><string>x</string></dict></plist>trailing",
            "<plist><dict><string>no key</string></dict></plist>",
            "<plist><dict><key>A</key><bogus>1</bogus></dict></plist>",
            "<plist><dict><key>A</key><integer>twelve</integer></dict></plist>",
            "<plist><dict><key>A</key><date>yesterday</date></dict></plist>",
            "<plist><dict><key>A</key><string><b>bold</b></string></dict></plist>",
            "<plist><dict>text<key>A</key><string>x</string></dict></plist>",
            "<plist/>",
            "<plist><dict><key>A</key><string>x</string></dict>",
            "<plist><dict><key>A</key><string>x</string><!-- open",
            "<plist><dict><key>A</key><string><![CDATA[x</string></dict></plist>",
            "<plist>" + "<array>".repeat(100) + "</array>".repeat(100) + "</plist>",
        };
        for (String doc : bad) {
            assertThatThrownBy(() -> PlistXml.parse(doc.getBytes(StandardCharsets.UTF_8))).as(doc).isInstanceOf(PlistXml.Malformed.class);
        }
        assertThatThrownBy(() -> PlistXml.parse(new byte[] {'<', 'p', 'l', 'i', 's', 't', '>', (byte) 0xC3, '<', '/', 'p', '>'}))
                .isInstanceOf(PlistXml.Malformed.class).hasMessageContaining("UTF-8");
    }
}
