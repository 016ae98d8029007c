package io.mooring.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.dd.plist.BinaryPropertyListWriter;
import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;
import com.dd.plist.XMLPropertyListWriter;

/**
 * Property lists as the simulated Apple devices read and write them, in plain Java values: a dictionary is
 * a {@code Map<String, Object>}, an array a {@code List<Object>}, {@code <data>} a {@code byte[]},
 * {@code <date>} an {@link Instant}, {@code <integer>} a {@code Long}, {@code <real>} a {@code Double},
 * booleans and strings as themselves. Writing also accepts {@code Integer}, {@code Float}, {@code Date} and
 * any {@code Collection}. Dictionaries are written with their keys sorted, as Apple's own writer does.
 */
public final class ApplePlists {
    private static final byte[] BINARY_MAGIC = "bplist".getBytes(StandardCharsets.US_ASCII);

    private ApplePlists() {
    }

    /** An XML property list (UTF-8), the form devices send by default. */
    public static byte[] xml(Map<String, ?> dictionary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLPropertyListWriter.write(toPlist(dictionary), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A binary property list ({@code bplist00}). */
    public static byte[] binary(Map<String, ?> dictionary) {
        try {
            return BinaryPropertyListWriter.writeToArray(toPlist(dictionary));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isBinary(byte[] plist) {
        if (plist.length < BINARY_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < BINARY_MAGIC.length; i++) {
            if (plist[i] != BINARY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads an XML or binary property list whose top level is a dictionary.
     *
     * @throws IllegalArgumentException when the bytes are not one
     */
    public static Map<String, Object> parse(byte[] plist) {
        NSObject root;
        try {
            root = PropertyListParser.parse(plist);
        } catch (Exception e) {
            // the parser throws half a dozen checked and unchecked types for one meaning: not a property list
            throw new IllegalArgumentException("not a property list: " + e.getMessage(), e);
        }
        if (!(root instanceof NSDictionary dictionary)) {
            throw new IllegalArgumentException("the property list is not a dictionary");
        }
        return toJavaMap(dictionary);
    }

    static NSObject toPlist(Object value) {
        if (value instanceof NSObject plist) {
            return plist;
        }
        if (value instanceof Map<?, ?> map) {
            NSDictionary dictionary = new NSDictionary();
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, entry) -> sorted.put(String.valueOf(key), entry));
            sorted.forEach((key, entry) -> {
                if (entry != null) {
                    dictionary.put(key, toPlist(entry));
                }
            });
            return dictionary;
        }
        if (value instanceof Collection<?> collection) {
            return new NSArray(collection.stream().map(ApplePlists::toPlist).toArray(NSObject[]::new));
        }
        if (value instanceof Object[] array) {
            return toPlist(List.of(array));
        }
        if (value instanceof String string) {
            return new NSString(string);
        }
        if (value instanceof Boolean bool) {
            return new NSNumber(bool);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return new NSNumber(((Number) value).longValue());
        }
        if (value instanceof Number number) {
            return new NSNumber(number.doubleValue());
        }
        if (value instanceof byte[] bytes) {
            return new NSData(bytes);
        }
        if (value instanceof Instant instant) {
            return new NSDate(Date.from(instant));
        }
        if (value instanceof Date date) {
            return new NSDate(date);
        }
        throw new IllegalArgumentException("no property list type for " + value.getClass().getName());
    }

    static Object toJava(NSObject value) {
        if (value instanceof NSDictionary dictionary) {
            return toJavaMap(dictionary);
        }
        if (value instanceof NSArray array) {
            List<Object> list = new ArrayList<>(array.count());
            for (NSObject item : array.getArray()) {
                list.add(toJava(item));
            }
            return list;
        }
        if (value instanceof NSNumber number) {
            if (number.isBoolean()) {
                return number.boolValue();
            }
            return number.isInteger() ? (Object) number.longValue() : (Object) number.doubleValue();
        }
        if (value instanceof NSData data) {
            return data.bytes();
        }
        if (value instanceof NSDate date) {
            return date.getDate().toInstant();
        }
        if (value instanceof NSString string) {
            return string.getContent();
        }
        return value == null ? null : value.toJavaObject();
    }

    private static Map<String, Object> toJavaMap(NSDictionary dictionary) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, NSObject> entry : dictionary.entrySet()) {
            map.put(entry.getKey(), toJava(entry.getValue()));
        }
        return map;
    }
}
