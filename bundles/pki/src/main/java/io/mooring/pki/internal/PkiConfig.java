package io.mooring.pki.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Mooring PKI", description = "Mooring's certificate authority and SCEP server")
@interface PkiConfig {
    @AttributeDefinition(description = "Passphrase that encrypts the CA key at rest; empty generates one into the CA folder (move it here)",
            type = AttributeType.PASSWORD)
    String ca_passphrase() default "";

    @AttributeDefinition(description = "Folder of the CA certificate and encrypted key; empty means data/mooring/pki")
    String ca_folder() default "";

    @AttributeDefinition(description = "At first start, import this CA (or intermediate with its chain) instead of creating one: PEM or PKCS#12")
    String ca_import_file() default "";

    @AttributeDefinition(description = "Password of the imported PKCS#12 file or encrypted PEM key", type = AttributeType.PASSWORD)
    String ca_import_password() default "";

    @AttributeDefinition(description = "Subject of the CA created at first start")
    String ca_subject() default "CN=Mooring Device CA,O=Mooring";

    @AttributeDefinition(description = "RSA key size of the CA created at first start")
    int ca_key_size() default 3072;

    @AttributeDefinition(description = "Years the CA created at first start is valid")
    int ca_validity_years() default 10;

    @AttributeDefinition(description = "RSA key sizes accepted in certificate requests")
    int[] scep_rsa_key_sizes() default {2048};

    @AttributeDefinition(description = "Days an issued device certificate is valid")
    int scep_certificate_validity_days() default 365;

    @AttributeDefinition(description = "Largest SCEP request accepted, in bytes")
    int scep_max_request_bytes() default 65_536;

    @AttributeDefinition(description = "Address devices reach the SCEP server at, put into enrollment payloads")
    String scep_url() default "http://localhost:8181/scep";

    @AttributeDefinition(description = "TLS certificate devices see, from a publicly trusted CA: PEM (certificate, chain, key) or PKCS#12; "
            + "empty generates one from Mooring's CA at first start (for testing only)")
    String tls_certificate_file() default "";

    @AttributeDefinition(description = "Password of the TLS PKCS#12 file or encrypted PEM key", type = AttributeType.PASSWORD)
    String tls_certificate_password() default "";

    @AttributeDefinition(description = "HTTPS port of the device and admin endpoints")
    int tls_port() default 8443;

    @AttributeDefinition(description = "Host names the generated TLS certificate is valid for (besides localhost and 127.0.0.1)")
    String[] tls_hostnames() default {};

    @AttributeDefinition(description = "Ask TLS clients for a certificate issued by Mooring's CA (Windows devices authenticate with the one "
            + "they got at enrollment); clients without one are still served. false: never ask (then devices that authenticate by client "
            + "certificate need a proxy that passes it on)")
    boolean tls_client_certificates() default true;

    @AttributeDefinition(description = "Address of the CA's certificate revocation list, written into every issued certificate")
    String crl_url() default "http://localhost:8181/pki/crl";
}
