package io.mooring.platform.windows.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * SOAP as MS-MDE2's three services speak it: SOAP 1.2 envelopes with WS-Addressing headers and a
 * WS-Security UsernameToken (SOAP 1.1 is read too, and answered in kind). Faults carry MS-MDE2's
 * {@code DeviceEnrollmentServiceError} detail, whose error type is what the Windows enrollment client
 * shows the user.
 */
final class Soap {
    static final String SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
    static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String ADDRESSING = "http://www.w3.org/2005/08/addressing";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String ENROLLMENT_ERRORS = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";

    /** MS-MDE2's error types, each with the SOAP fault subcode Windows expects beside it. */
    enum ErrorType {
        MESSAGE_FORMAT("MessageFormat", "s:MessageFormat"),
        AUTHENTICATION("Authentication", "s:Authentication"),
        AUTHORIZATION("Authorization", "s:Authorization"),
        CERTIFICATE_REQUEST("CertificateRequest", "s:CertificateRequest"),
        ENROLLMENT_SERVER("EnrollmentServer", "s:EnrollmentServer"),
        INTERNAL_SERVICE_FAULT("InternalServiceFault", "a:InternalServiceFault"),
        INVALID_SECURITY("InvalidSecurity", "a:InvalidSecurity");

        final String name;
        final String subcode;

        ErrorType(String name, String subcode) {
            this.name = name;
            this.subcode = subcode;
        }
    }

    /** A refusal in MS-MDE2's terms. */
    static final class Fault extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorType type;

        Fault(ErrorType type, String message) {
            super(message, null, false, false);
            this.type = type;
        }
    }

    /** What a request carried that Mooring reads: the envelope's version, WS-Addressing headers, the UsernameToken, the body's operation. */
    record Request(String soapNs, String action, String messageId, String to, String username, String password, Element operation) {
    }

    private Soap() {
    }

    static Request read(byte[] xml) throws Fault {
        Document doc;
        try {
            doc = SafeXml.parse(xml);
        } catch (SafeXml.Malformed e) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, e.getMessage());
        }
        Element envelope = doc.getDocumentElement();
        String ns = envelope.getNamespaceURI();
        if (!"Envelope".equals(SafeXml.local(envelope)) || !(SOAP12.equals(ns) || SOAP11.equals(ns))) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the message is not a SOAP envelope");
        }
        Element header = SafeXml.child(envelope, "Header");
        Element body = SafeXml.child(envelope, "Body");
        java.util.List<Element> operations = SafeXml.children(body);
        if (operations.size() != 1) {
            throw new Fault(ErrorType.MESSAGE_FORMAT, "the SOAP body must hold exactly one operation");
        }
        Element token = SafeXml.path(header, "Security", "UsernameToken");
        return new Request(ns, SafeXml.text(header, "Action"), SafeXml.text(header, "MessageID"), SafeXml.text(header, "To"),
                SafeXml.text(token, "Username"), token == null ? null : SafeXml.text(token, "Password"), operations.get(0));
    }

    /** A response envelope relating to the request; {@code body} is the operation's response element, already XML. */
    static String response(Request request, String action, String body, boolean timestamp) {
        StringBuilder out = new StringBuilder(1024 + body.length());
        out.append("<s:Envelope xmlns:s=\"").append(request.soapNs()).append("\" xmlns:a=\"").append(ADDRESSING)
                .append("\" xmlns:u=\"").append(WSU).append("\"><s:Header>");
        out.append("<a:Action s:mustUnderstand=\"1\">").append(SafeXml.escape(action)).append("</a:Action>");
        out.append("<ActivityId xmlns=\"http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics\">").append(UUID.randomUUID())
                .append("</ActivityId>");
        if (request.messageId() != null) {
            out.append("<a:RelatesTo>").append(SafeXml.escape(request.messageId())).append("</a:RelatesTo>");
        }
        if (timestamp) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            out.append("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"").append(WSSE).append("\"><u:Timestamp u:Id=\"_0\"><u:Created>").append(now)
                    .append("</u:Created><u:Expires>").append(now.plusSeconds(300)).append("</u:Expires></u:Timestamp></o:Security>");
        }
        out.append("</s:Header><s:Body xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">");
        out.append(body).append("</s:Body></s:Envelope>");
        return out.toString();
    }

    /** A SOAP fault with MS-MDE2's error detail, in the request's SOAP version (1.2 when the request could not be read). */
    static String fault(String soapNs, String relatesTo, Fault fault, String traceId) {
        String ns = SOAP11.equals(soapNs) ? SOAP11 : SOAP12;
        StringBuilder out = new StringBuilder(1024);
        out.append("<s:Envelope xmlns:s=\"").append(ns).append("\" xmlns:a=\"").append(ADDRESSING).append("\"><s:Header>");
        out.append("<a:Action s:mustUnderstand=\"1\">http://www.w3.org/2005/08/addressing/soap/fault</a:Action>");
        if (relatesTo != null) {
            out.append("<a:RelatesTo>").append(SafeXml.escape(relatesTo)).append("</a:RelatesTo>");
        }
        out.append("</s:Header><s:Body><s:Fault>");
        String detail = "<DeviceEnrollmentServiceError xmlns=\"" + ENROLLMENT_ERRORS + "\"><ErrorType>" + fault.type.name + "</ErrorType><Message>"
                + SafeXml.escape(fault.getMessage()) + "</Message><TraceId>" + traceId + "</TraceId></DeviceEnrollmentServiceError>";
        if (ns.equals(SOAP12)) {
            out.append("<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>").append(fault.type.subcode).append("</s:Value></s:Subcode></s:Code>");
            out.append("<s:Reason><s:Text xml:lang=\"en-US\">").append(SafeXml.escape(fault.getMessage())).append("</s:Text></s:Reason>");
            out.append("<s:Detail>").append(detail).append("</s:Detail>");
        } else {
            out.append("<faultcode>").append(fault.type.subcode).append("</faultcode><faultstring xml:lang=\"en-US\">")
                    .append(SafeXml.escape(fault.getMessage())).append("</faultstring><detail>").append(detail).append("</detail>");
        }
        out.append("</s:Fault></s:Body></s:Envelope>");
        return out.toString();
    }
}
