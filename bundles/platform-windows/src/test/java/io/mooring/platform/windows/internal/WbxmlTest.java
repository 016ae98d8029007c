package io.mooring.platform.windows.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import io.mooring.platform.windows.internal.Syncml.El;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.Text;

/**
 * SyncML 1.2 in WBXML (WAP-192; OMA-TS-SyncML-RepPro-V1_2 §8 and OMA-TS-SyncML-MetInf-V1_2 §7 for the
 * tokens) checked against an implementation Mooring shares nothing with, libwbxml's command-line tools:
 * what Mooring encodes, libwbxml decodes to the same XML; what libwbxml encodes from Microsoft's sample
 * messages, Mooring decodes to the same XML and reads as the same commands. Broken or hostile WBXML is
 * refused.
 */
class WbxmlTest {
    private static final String SAMPLES = "windows-syncml/msdocs/";
    private static final String SERVER = Testbed.SERVER + "/ManagementServer/MDM.svc";
    private static final String DEVICE_ID = "7BA748C8-703E-4DF2-A74A-92984117346A";
    /** WBXML 1.3, public id 0x1201 (SyncML 1.2) as a multi-byte integer, UTF-8, no string table. */
    private static final byte[] HEADER = {0x03, (byte) 0xA4, 0x01, 0x6A, 0x00};

    @TempDir
    Path dir;

    @Test
    void aServerMessageMooringEncodesIsTheSameXmlWhenLibwbxmlDecodesIt() throws Exception {
        El message = serverMessage();

        byte[] wbxml = Wbxml.encode(message);
        Document decoded = parseWithDoctype(tool("wbxml2xml", wbxml, "server.wbxml", "server.xml"));

        assertThat(decoded.getDoctype()).as("libwbxml names the document by its public id").isNotNull();
        assertThat(decoded.getDoctype().getPublicId()).isEqualTo("-//SYNCML//DTD SyncML 1.2//EN");
        assertThat(tree(decoded.getDocumentElement())).isEqualTo(tree(parseWithDoctype(Syncml.toXml(message)).getDocumentElement()));
    }

    @Test
    void microsoftsGetOfTheOsVersionEncodedByLibwbxmlIsReadLikeItsXml() throws Exception {
        byte[] xml = Corpus.bytes(SAMPLES + "01-server-get-devdetail-swv.xml");

        Syncml.Message message = sameThroughLibwbxml(xml);

        assertThat(message.isFinal()).isTrue();
        assertThat(message.commands()).singleElement().satisfies(get -> {
            assertThat(get.name()).isEqualTo("Get");
            assertThat(get.items()).singleElement().extracting(Syncml.Item::target).isEqualTo("./DevDetail/SwV");
        });
    }

    @Test
    void microsoftsReplaceOfThePasscodeLengthEncodedByLibwbxmlIsReadLikeItsXml() throws Exception {
        // the sample is a SyncHdr and a SyncBody side by side: the SyncML element around them is all it lacks
        byte[] xml = ("<SyncML xmlns=\"SYNCML:SYNCML1.2\">" + Corpus.text(SAMPLES + "02-server-replace-mindevicepasswordlength.fragment.xml")
                + "</SyncML>").getBytes(StandardCharsets.UTF_8);

        Syncml.Message message = sameThroughLibwbxml(xml);

        assertThat(message.commands()).singleElement().satisfies(replace -> {
            assertThat(replace.name()).isEqualTo("Replace");
            assertThat(replace.items()).singleElement().satisfies(item -> {
                assertThat(item.target()).isEqualTo("./Vendor/MSFT/PolicyManager/My/DeviceLock/MinDevicePasswordLength");
                assertThat(item.format()).isEqualTo("int");
                assertThat(item.type()).isEqualTo("text/plain");
                assertThat(item.data()).isEqualTo("6");
            });
        });
    }

    @Test
    void microsoftsLoginStatusAlertEncodedByLibwbxmlIsReadLikeItsXml() throws Exception {
        byte[] xml = clientMessage("1", Corpus.text(SAMPLES + "03-client-alert-1224-loginstatus.fragment.xml") + "<Final/>");

        Syncml.Message message = sameThroughLibwbxml(xml);

        assertThat(message.header().source()).isEqualTo(DEVICE_ID);
        assertThat(message.commands()).singleElement().satisfies(alert -> {
            assertThat(alert.name()).isEqualTo("Alert");
            assertThat(alert.data()).isEqualTo("1224");
            assertThat(alert.items()).singleElement().satisfies(item -> {
                assertThat(item.type()).isEqualTo("com.microsoft/MDM/LoginStatus");
                assertThat(item.format()).isEqualTo("chr");
                assertThat(item.data()).isEqualTo("user");
            });
        });
    }

    @Test
    void aPcsFirstMessageWhoseStringsRepeatComesWithAStringTableAndIsReadLikeItsXml() throws Exception {
        // a session's first message: Alert 1201 and the DevInfo Replace, whose DevId repeats the Source
        byte[] xml = clientMessage("1", "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>"
                + "<Replace><CmdID>2</CmdID>" + devInfo("DevId", DEVICE_ID) + devInfo("Man", "Contoso &amp; Söhne") + devInfo("Lang", "de-DE")
                + "</Replace><Final/>");

        byte[] wbxml = tool("xml2wbxml", xml, "first.xml", "first.wbxml");

        assertThat(stringTableLength(wbxml)).as("libwbxml put the repeated strings in the string table").isPositive();
        assertThat(tree(Wbxml.decode(wbxml).getDocumentElement())).isEqualTo(tree(parseWithDoctype(xml).getDocumentElement()));
        Syncml.Message message = Syncml.read(wbxml, true);
        assertThat(message).isEqualTo(Syncml.read(xml, false));
        assertThat(message.commands().get(1).items()).extracting(Syncml.Item::data).containsExactly(DEVICE_ID, "Contoso & Söhne", "de-DE");
    }

    @Test
    void aMessageCutShortAnywhereIsRefused() throws Exception {
        byte[] whole = Wbxml.encode(serverMessage());
        assertThat(Wbxml.decode(whole).getDocumentElement().getLocalName()).isEqualTo("SyncML");

        for (int length = 0; length < whole.length; length++) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> Wbxml.decode(cut)).as("cut after %d of %d bytes", length, whole.length).isInstanceOf(Wbxml.Malformed.class);
        }
    }

    @Test
    void hostileOrBrokenWbxmlIsRefusedWhereValidWbxmlOtherwiseTheSameIsRead() throws Exception {
        byte[] valid = Wbxml.encode(smallMessage());
        // WBXML 1.2, public id 0x1201 (SyncML 1.2), UTF-8, no string table; the hostile variants change one thing of it
        assertThat(Arrays.copyOf(valid, 5)).containsExactly(0x02, 0xA4, 0x01, 0x6A, 0x00);
        byte[] body = Arrays.copyOfRange(valid, 5, valid.length);
        byte[] controlWithFpi = concat(new byte[] {0x03, 0x00, 0x00, 0x6A}, table("-//SYNCML//DTD SyncML 1.2//EN"), body);
        assertThat(Wbxml.decode(concat(HEADER, body)).getDocumentElement().getLocalName()).isEqualTo("SyncML");
        assertThat(Wbxml.decode(controlWithFpi).getDocumentElement().getLocalName()).isEqualTo("SyncML");

        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("switch to code page 2 (SyncML has 0 and 1)", concat(HEADER, new byte[] {0x00, 0x02}, body));
        hostile.put("switch to code page 255", concat(HEADER, new byte[] {0x00, (byte) 0xFF}, body));
        hostile.put("the root tag with the attribute bit", concat(HEADER, new byte[] {(byte) (body[0] | 0x80)}, Arrays.copyOfRange(body, 1, body.length)));
        hostile.put("public id 0x1101 (SyncML 1.1)", concat(new byte[] {0x03, (byte) 0xA2, 0x01, 0x6A, 0x00}, body));
        hostile.put("public id 0x1203 (DevInf 1.2)", concat(new byte[] {0x03, (byte) 0xA4, 0x03, 0x6A, 0x00}, body));
        hostile.put("public id 0x0B (WAP provisioning)", concat(new byte[] {0x03, 0x0B, 0x6A, 0x00}, body));
        hostile.put("formal public id of SyncML 1.1 in the string table",
                concat(new byte[] {0x03, 0x00, 0x00, 0x6A}, table("-//SYNCML//DTD SyncML 1.1//EN"), body));
        hostile.put("END before any element", concat(HEADER, new byte[] {0x01}, body));
        hostile.put("END after the root closed", concat(HEADER, body, new byte[] {0x01}));
        hostile.put("a string-table reference past the table", concat(HEADER, new byte[] {body[0], (byte) 0x83, 0x05}, Arrays.copyOfRange(body, 1, body.length)));
        hostile.put("text before the root", concat(HEADER, new byte[] {0x03, 'x', 0x00}, body));
        hostile.put("a literal tag", concat(HEADER, new byte[] {body[0], 0x04, 0x00}, Arrays.copyOfRange(body, 1, body.length)));
        hostile.put("a tag beyond the MetInf code page", concat(HEADER, new byte[] {body[0], 0x00, 0x01, 0x3F, 0x00, 0x00}, Arrays.copyOfRange(body, 1,
                body.length)));
        hostile.put("elements nested 40 deep", nested(40));
        hostile.put("bytes after an empty root", concat(HEADER, new byte[] {0x2D, 0x01, 0x03, 'j', 'u', 'n', 'k', 0x00}));

        Testbed bed = new Testbed(20);
        for (Map.Entry<String, byte[]> e : hostile.entrySet()) {
            assertThatThrownBy(() -> Wbxml.decode(e.getValue())).as(e.getKey()).isInstanceOf(Wbxml.Malformed.class);
            assertThat(bed.dm.handle(e.getValue(), true, null).status()).as(e.getKey()).isEqualTo(400);
        }
        assertThat(bed.core.attributes).isEmpty();
    }

    /** A reply as OmaDmProtocol builds one: header Status, a command's Status, then Get, Replace, Exec, Atomic, Delete, Add, Alert. */
    private static El serverMessage() {
        String wlan = "<WLANProfile xmlns=\"http://www.microsoft.com/networking/WLAN/profile/v1\"><name>Café &amp; Gäste</name></WLANProfile>";
        String msi = "<MsiInstallJob id=\"{AF9257BA-6BBD-4624-AA9B-0182D50292C3}\"><Product Version=\"1.0.0.0\"><Download><ContentURLList>"
                + "<ContentURL>https://apps.example.test/tool.msi?a=1&amp;b=2</ContentURL></ContentURLList></Download></Product></MsiInstallJob>";
        return El.of("SyncML",
                El.of("SyncHdr", El.text("VerDTD", "1.2"), El.text("VerProto", "DM/1.2"), El.text("SessionID", "1A2B"), El.text("MsgID", "2"),
                        El.of("Target", El.text("LocURI", DEVICE_ID)), El.of("Source", El.text("LocURI", SERVER))),
                El.of("SyncBody",
                        El.of("Status", El.text("CmdID", "1"), El.text("MsgRef", "2"), El.text("CmdRef", "0"), El.text("Cmd", "SyncHdr"),
                                El.text("TargetRef", SERVER), El.text("SourceRef", DEVICE_ID), El.text("Data", "200")),
                        El.of("Status", El.text("CmdID", "2"), El.text("MsgRef", "2"), El.text("CmdRef", "3"), El.text("Cmd", "Replace"),
                                El.text("TargetRef", "./DevInfo/Lang"), El.text("Data", "200")),
                        El.of("Get", El.text("CmdID", "3"), El.of("Item", El.of("Target", El.text("LocURI", "./DevDetail/SwV")))),
                        El.of("Replace", El.text("CmdID", "4"), item("./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinDevicePasswordLength", "int", "6")),
                        El.of("Exec", El.text("CmdID", "5"), item("./Device/Vendor/MSFT/Reboot/RebootNow", "null", "")),
                        El.of("Atomic", El.text("CmdID", "6"),
                                El.of("Replace", El.text("CmdID", "7"), item("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera", "int", "0")),
                                El.of("Replace", El.text("CmdID", "8"), item("./Device/Vendor/MSFT/Policy/Config/Connectivity/AllowBluetooth", "int", "2"))),
                        El.of("Delete", El.text("CmdID", "9"), El.of("Item", El.of("Target",
                                El.text("LocURI", "./Device/Vendor/MSFT/WiFi/Profile/Caf%C3%A9%20G%C3%A4ste/WlanXml")))),
                        El.of("Add", El.text("CmdID", "10"), item("./Device/Vendor/MSFT/WiFi/Profile/Caf%C3%A9/WlanXml", "chr", wlan)),
                        El.of("Exec", El.text("CmdID", "11"), item("./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/"
                                + "%7BAF9257BA-6BBD-4624-AA9B-0182D50292C3%7D/DownloadInstall", "xml", msi)),
                        El.of("Alert", El.text("CmdID", "12"), El.text("Data", "1222")),
                        El.empty("Final")));
    }

    private static El smallMessage() {
        return El.of("SyncML",
                El.of("SyncHdr", El.text("VerDTD", "1.2"), El.text("VerProto", "DM/1.2"), El.text("SessionID", "1"), El.text("MsgID", "1"),
                        El.of("Target", El.text("LocURI", SERVER)), El.of("Source", El.text("LocURI", DEVICE_ID))),
                El.of("SyncBody", El.of("Alert", El.text("CmdID", "1"), El.text("Data", "1201")), El.empty("Final")));
    }

    private static El item(String uri, String format, String data) {
        return El.of("Item", El.of("Target", El.text("LocURI", uri)), El.of("Meta", El.meta("Format", format), El.meta("Type", "text/plain")),
                El.text("Data", data));
    }

    private static String devInfo(String node, String value) {
        return "<Item><Source><LocURI>./DevInfo/" + node + "</LocURI></Source><Meta><Format xmlns=\"syncml:metinf\">chr</Format></Meta><Data>" + value
                + "</Data></Item>";
    }

    /** A message from the PC: SyncHdr addressed to Mooring, then these SyncBody commands. */
    private static byte[] clientMessage(String msgId, String body) {
        return ("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>" + msgId
                + "</MsgID><Target><LocURI>" + SERVER + "</LocURI></Target><Source><LocURI>" + DEVICE_ID + "</LocURI></Source></SyncHdr><SyncBody>"
                + body + "</SyncBody></SyncML>").getBytes(StandardCharsets.UTF_8);
    }

    /** xml2wbxml encodes the message; Mooring decodes it to the same tree and reads the same commands as from the XML. */
    private Syncml.Message sameThroughLibwbxml(byte[] xml) throws Exception {
        byte[] wbxml = tool("xml2wbxml", xml, "message.xml", "message.wbxml");

        assertThat(tree(Wbxml.decode(wbxml).getDocumentElement())).isEqualTo(tree(parseWithDoctype(xml).getDocumentElement()));
        Syncml.Message fromWbxml = Syncml.read(wbxml, true);
        assertThat(fromWbxml).isEqualTo(Syncml.read(xml, false));
        return fromWbxml;
    }

    private byte[] tool(String tool, byte[] input, String inName, String outName) throws Exception {
        Corpus.requireWbxmlTools();
        Path in = Files.write(dir.resolve(inName), input);
        Path out = dir.resolve(outName);
        Files.deleteIfExists(out);
        Process p = new ProcessBuilder(tool, "-o", out.toString(), in.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(tool + " finished").isTrue();
        assertThat(p.exitValue()).as(tool + ": " + log).isZero();
        assertThat(out).as(tool + ": " + log).exists();
        return Files.readAllBytes(out);
    }

    /** An element as XML means it: namespace, local name, its own text trimmed (CDATA included), its child elements in order. */
    record Tree(String namespace, String name, String text, List<Tree> children) {
    }

    static Tree tree(Element e) {
        StringBuilder text = new StringBuilder();
        List<Tree> children = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                children.add(tree(c));
            } else if (n instanceof Text t) {
                text.append(t.getData());
            }
        }
        return new Tree(e.getNamespaceURI(), e.getLocalName(), text.toString().strip(), List.copyOf(children));
    }

    /** libwbxml writes SyncML's DOCTYPE with the DTD's address; it is read as a name only, never fetched. */
    private static Document parseWithDoctype(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setIgnoringComments(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    /** WAP-192 §5.3: version, publicid (with its string-table index when 0), charset, then the table's length. */
    private static int stringTableLength(byte[] wbxml) {
        int[] pos = {1};
        int publicId = multiByte(wbxml, pos);
        if (publicId == 0) {
            multiByte(wbxml, pos);
        }
        multiByte(wbxml, pos);
        return multiByte(wbxml, pos);
    }

    private static int multiByte(byte[] in, int[] pos) {
        int value = 0;
        int b;
        do {
            b = in[pos[0]++] & 0xFF;
            value = (value << 7) | (b & 0x7F);
        } while ((b & 0x80) != 0);
        return value;
    }

    /** A string table holding one string, preceded by its length (which must fit one byte here). */
    private static byte[] table(String s) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 2];
        out[0] = (byte) (text.length + 1);
        System.arraycopy(text, 0, out, 1, text.length);
        return out;
    }

    private static byte[] nested(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HEADER);
        out.write(0x6D); // SyncML with content
        for (int i = 0; i < depth; i++) {
            out.write(0x6E); // Target with content
        }
        for (int i = 0; i <= depth; i++) {
            out.write(0x01);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
