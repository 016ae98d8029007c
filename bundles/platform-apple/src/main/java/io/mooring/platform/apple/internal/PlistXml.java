package io.mooring.platform.apple.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;

/**
 * Reads the XML property lists devices send, in one pass over the text, without an XML parser: every
 * check-in and result is one, and building a DOM for a few hundred bytes cost more than the rest of an
 * Idle poll. Strict by construction: only the plist vocabulary (dict, key, array, string, integer, real,
 * true, false, date, data) under a {@code plist} root; the five predefined entities and character
 * references; CDATA, comments and processing instructions where XML allows them; a document type only
 * without an internal subset (so no entity can be declared, let alone resolved). Values are built with the
 * same constructors the DOM-based reader uses. What it does not handle (another encoding than UTF-8, a
 * root other than {@code plist}) it hands back as {@link #UNSUPPORTED}, for the general XML path.
 */
final class PlistXml {
    /** Returned for documents outside this reader's scope (they are well-formed or not; the general path decides). */
    static final NSObject UNSUPPORTED = new NSString("unsupported");

    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_DEPTH = 64;

    private final String s;
    private int i;

    private PlistXml(String text) {
        this.s = text;
    }

    static NSObject parse(byte[] body) throws Malformed {
        int start = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF ? 3 : 0;
        if (body.length > start && body[start] != '<' && !Character.isWhitespace(body[start])) {
            return UNSUPPORTED; // UTF-16 and the like
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, start, body.length - start)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("the property list is not UTF-8");
        }
        // XML's end-of-line handling, before anything else: CR LF and a lone CR are read as LF (&#13; stays a CR)
        if (text.indexOf('\r') >= 0) {
            text = text.replace("\r\n", "\n").replace('\r', '\n');
        }
        return new PlistXml(text).document();
    }

    private NSObject document() throws Malformed {
        skipSpace();
        if (s.startsWith("<?xml", i)) {
            int end = s.indexOf("?>", i);
            if (end < 0) {
                throw new Malformed("unterminated XML declaration");
            }
            String declaration = s.substring(i, end);
            int enc = declaration.indexOf("encoding");
            if (enc >= 0) {
                String rest = declaration.substring(enc + 8).replace(" ", "").replace("=", "").replace("\"", "").replace("'", "");
                String name = rest.split("[\\s?]", 2)[0].toUpperCase(java.util.Locale.ROOT);
                if (!name.equals("UTF-8") && !name.equals("US-ASCII") && !name.equals("ASCII")) {
                    return UNSUPPORTED;
                }
            }
            i = end + 2;
        }
        misc(true);
        if (!s.startsWith("<plist", i) || !(s.charAt(i + 6) == '>' || s.charAt(i + 6) == '/' || Character.isWhitespace(s.charAt(i + 6)))) {
            return UNSUPPORTED;
        }
        boolean empty = openTag("plist");
        if (empty) {
            throw new Malformed("the property list is empty");
        }
        skipMarkup();
        NSObject root = value(0);
        skipMarkup();
        closeTag("plist");
        misc(false);
        if (i != s.length()) {
            throw new Malformed("content after the property list");
        }
        return root;
    }

    /** Whitespace, comments, processing instructions; and (before the root) one document type without internal subset. */
    private void misc(boolean prolog) throws Malformed {
        boolean doctype = false;
        while (true) {
            skipSpace();
            if (s.startsWith("<!--", i)) {
                comment();
            } else if (s.startsWith("<?", i)) {
                processingInstruction();
            } else if (prolog && !doctype && s.startsWith("<!DOCTYPE", i)) {
                int end = s.indexOf('>', i);
                if (end < 0) {
                    throw new Malformed("unterminated document type");
                }
                if (s.substring(i, end).indexOf('[') >= 0) {
                    throw new Malformed("a document type with an internal subset is not accepted");
                }
                i = end + 1;
                doctype = true;
            } else if (s.startsWith("<!", i)) {
                throw new Malformed("declarations are not accepted");
            } else {
                return;
            }
        }
    }

    private NSObject value(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw new Malformed("the property list nests too deeply");
        }
        if (i >= s.length() || s.charAt(i) != '<') {
            throw new Malformed("expected a value at offset " + i);
        }
        String name = name(i + 1);
        boolean empty = openTag(name);
        switch (name) {
            case "dict": {
                NSDictionary dict = new NSDictionary();
                if (empty) {
                    return dict;
                }
                while (true) {
                    skipMarkup();
                    if (s.startsWith("</", i)) {
                        closeTag("dict");
                        return dict;
                    }
                    if (!name(i + 1).equals("key")) {
                        throw new Malformed("a dictionary entry must start with a key, at offset " + i);
                    }
                    String key = openTag("key") ? "" : text("key");
                    skipMarkup();
                    dict.put(key, value(depth + 1));
                }
            }
            case "array": {
                java.util.List<NSObject> items = new java.util.ArrayList<>();
                if (!empty) {
                    while (true) {
                        skipMarkup();
                        if (s.startsWith("</", i)) {
                            closeTag("array");
                            break;
                        }
                        items.add(value(depth + 1));
                    }
                }
                return new NSArray(items.toArray(new NSObject[0]));
            }
            case "true", "false": {
                if (!empty) {
                    skipMarkup();
                    closeTag(name);
                }
                return new NSNumber(name.equals("true"));
            }
            case "string":
                return new NSString(empty ? "" : text(name));
            case "integer", "real":
                try {
                    return new NSNumber(empty ? "" : text(name));
                } catch (RuntimeException e) {
                    throw new Malformed("not a number in <" + name + ">");
                }
            case "data":
                try {
                    return new NSData(empty ? "" : text(name));
                } catch (java.io.IOException | RuntimeException e) {
                    throw new Malformed("not base64 in <data>");
                }
            case "date":
                try {
                    return new NSDate(empty ? "" : text(name));
                } catch (ParseException | RuntimeException e) {
                    throw new Malformed("not a date in <date>");
                }
            default:
                throw new Malformed("<" + name + "> is not a property list element");
        }
    }

    /** The element name starting at {@code from}. */
    private String name(int from) throws Malformed {
        int j = from;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '-' || s.charAt(j) == '_' || s.charAt(j) == ':')) {
            j++;
        }
        if (j == from) {
            throw new Malformed("expected an element at offset " + (from - 1));
        }
        return s.substring(from, j);
    }

    /** Consumes {@code <name attrs>} or {@code <name attrs/>}; true when self-closed. */
    private boolean openTag(String name) throws Malformed {
        i += 1 + name.length();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '>') {
                i++;
                return false;
            }
            if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '>') {
                i += 2;
                return true;
            }
            if (c == '"' || c == '\'') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) {
                    throw new Malformed("unterminated attribute value");
                }
                if (s.substring(i + 1, end).indexOf('<') >= 0 || s.substring(i + 1, end).indexOf('&') >= 0) {
                    throw new Malformed("markup in an attribute value");
                }
                i = end + 1;
            } else if (c == '<') {
                throw new Malformed("unterminated <" + name + ">");
            } else {
                i++;
            }
        }
        throw new Malformed("unterminated <" + name + ">");
    }

    private void closeTag(String name) throws Malformed {
        if (!s.startsWith("</", i) || !s.startsWith(name, i + 2)) {
            throw new Malformed("expected </" + name + "> at offset " + i);
        }
        i += 2 + name.length();
        skipSpace();
        if (i >= s.length() || s.charAt(i) != '>') {
            throw new Malformed("expected </" + name + "> at offset " + i);
        }
        i++;
    }

    /** Character data up to the end tag of {@code name}: entities and character references resolved, CDATA kept, comments dropped. */
    private String text(String name) throws Malformed {
        StringBuilder out = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '<') {
                if (s.startsWith("<![CDATA[", i)) {
                    int end = s.indexOf("]]>", i);
                    if (end < 0) {
                        throw new Malformed("unterminated CDATA section");
                    }
                    out.append(s, i + 9, end);
                    i = end + 3;
                } else if (s.startsWith("<!--", i)) {
                    comment();
                } else if (s.startsWith("<?", i)) {
                    processingInstruction();
                } else {
                    closeTag(name);
                    return out.toString();
                }
            } else if (c == '&') {
                int end = s.indexOf(';', i);
                if (end < 0 || end - i > 12) {
                    throw new Malformed("a bare & in text");
                }
                String ref = s.substring(i + 1, end);
                switch (ref) {
                    case "amp" -> out.append('&');
                    case "lt" -> out.append('<');
                    case "gt" -> out.append('>');
                    case "quot" -> out.append('"');
                    case "apos" -> out.append('\'');
                    default -> out.appendCodePoint(characterReference(ref));
                }
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        throw new Malformed("unterminated <" + name + ">");
    }

    private static int characterReference(String ref) throws Malformed {
        try {
            int cp = ref.startsWith("#x") ? Integer.parseInt(ref.substring(2), 16) : ref.startsWith("#") ? Integer.parseInt(ref.substring(1)) : -1;
            boolean xmlChar = cp == 0x9 || cp == 0xA || cp == 0xD || cp >= 0x20 && cp <= 0xD7FF || cp >= 0xE000 && cp <= 0xFFFD
                    || cp >= 0x10000 && cp <= 0x10FFFF;
            if (xmlChar) {
                return cp;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Malformed("entity &" + ref + "; is not accepted");
    }

    private void processingInstruction() throws Malformed {
        int end = s.indexOf("?>", i);
        if (end < 0) {
            throw new Malformed("unterminated processing instruction");
        }
        i = end + 2;
    }

    private void comment() throws Malformed {
        int end = s.indexOf("-->", i + 4);
        if (end < 0) {
            throw new Malformed("unterminated comment");
        }
        i = end + 3;
    }

    /** Whitespace and comments between elements; any other text there is an error. */
    private void skipMarkup() throws Malformed {
        while (true) {
            skipSpace();
            if (s.startsWith("<!--", i)) {
                comment();
            } else if (s.startsWith("<?", i)) {
                processingInstruction();
            } else if (i < s.length() && s.charAt(i) != '<') {
                throw new Malformed("text where an element was expected, at offset " + i);
            } else {
                return;
            }
        }
    }

    private void skipSpace() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
    }
}
