package io.mooring.platform.apple.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


import io.mooring.spi.xml.DeviceXml;
import org.w3c.dom.Document;

import com.dd.plist.BinaryPropertyListParser;
import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListFormatException;
import com.dd.plist.XMLPropertyListParser;

/**
 * Property lists from devices, XML or binary (Apple's devices send either), parsed without ever resolving
 * an entity or fetching a DTD (the SPI's {@link DeviceXml}); and property lists to devices, always XML.
 */
final class Plists {
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private static final byte[] BINARY_MAGIC = "bplist00".getBytes(StandardCharsets.US_ASCII);
    private Plists() {
    }

    /** The top-level dictionary of a device's plist. */
    static NSDictionary parseDictionary(byte[] body) throws Malformed {
        if (body == null || body.length == 0) {
            throw new Malformed("the request has no property list");
        }
        NSObject root;
        try {
            if (startsWith(body, BINARY_MAGIC)) {
                root = BinaryPropertyListParser.parse(body);
            } else {
                root = PlistXml.parse(body);
                if (root == PlistXml.UNSUPPORTED) {
                    root = XMLPropertyListParser.parse(xml(body));
                }
            }
        } catch (PlistXml.Malformed e) {
            throw new Malformed("not a property list: " + e.getMessage());
        } catch (PropertyListFormatException | IOException | RuntimeException e) {
            throw new Malformed("not a property list: " + e.getMessage());
        }
        if (!(root instanceof NSDictionary dict)) {
            throw new Malformed("the property list is not a dictionary");
        }
        return dict;
    }

    private static Document xml(byte[] body) throws Malformed {
        try {
            return DeviceXml.parse(body, false);
        } catch (DeviceXml.Refused e) {
            throw new Malformed(e.getMessage());
        }
    }

    static byte[] toXml(NSObject root) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            com.dd.plist.PropertyListParser.saveAsXML(root, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String string(NSDictionary d, String key) {
        NSObject o = d.objectForKey(key);
        return o instanceof NSString s ? s.getContent() : null;
    }

    static byte[] data(NSDictionary d, String key) {
        NSObject o = d.objectForKey(key);
        return o instanceof NSData data ? data.bytes() : null;
    }

    static Boolean bool(NSDictionary d, String key) {
        NSObject o = d.objectForKey(key);
        return o instanceof NSNumber n && n.type() == NSNumber.BOOLEAN ? n.boolValue() : null;
    }

    /** JSON-friendly Java values for inventory and command results: data as base64, dates as ISO-8601. */
    static Object toJava(NSObject o) {
        if (o == null) {
            return null;
        }
        if (o instanceof NSDictionary d) {
            Map<String, Object> m = new LinkedHashMap<>();
            d.getHashMap().keySet().stream().sorted().forEach(k -> m.put(k, toJava(d.objectForKey(k))));
            return m;
        }
        if (o instanceof NSArray a) {
            return java.util.Arrays.stream(a.getArray()).map(Plists::toJava).toList();
        }
        if (o instanceof NSData data) {
            return Base64.getEncoder().encodeToString(data.bytes());
        }
        if (o instanceof NSDate date) {
            return date.getDate().toInstant().toString();
        }
        if (o instanceof NSNumber n) {
            return switch (n.type()) {
                case NSNumber.BOOLEAN -> n.boolValue();
                case NSNumber.INTEGER -> n.longValue();
                default -> n.doubleValue();
            };
        }
        if (o instanceof NSString s) {
            return s.getContent();
        }
        return o.toJavaObject();
    }

    /**
     * A plist value from an admin's JSON value. {@code type} is the schema's type of the key when known:
     * {@code <data>} arrives as base64, {@code <date>} as ISO-8601 text.
     */
    static NSObject fromJava(Object value, String type) {
        if ("<data>".equals(type) && value instanceof String s) {
            return new NSData(Base64.getDecoder().decode(s));
        }
        if ("<date>".equals(type) && value instanceof String s) {
            return new NSDate(Date.from(java.time.Instant.parse(s)));
        }
        if ("<real>".equals(type) && value instanceof Number n) {
            return new NSNumber(n.doubleValue());
        }
        if (value instanceof Map<?, ?> m) {
            NSDictionary d = new NSDictionary();
            m.forEach((k, v) -> d.put(String.valueOf(k), fromJava(v, null)));
            return d;
        }
        if (value instanceof List<?> l) {
            NSArray a = new NSArray(l.size());
            for (int i = 0; i < l.size(); i++) {
                a.setValue(i, fromJava(l.get(i), null));
            }
            return a;
        }
        if (value instanceof java.math.BigDecimal b) {
            return b.scale() <= 0 ? new NSNumber(b.longValueExact()) : new NSNumber(b.doubleValue());
        }
        return NSObject.fromJavaObject(value);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
