-- Mooring schema, version 3: Apple MDM push certificates, one per tenant and topic.
-- The private key is stored as encrypted PKCS#8 (the CA passphrase protects it).

CREATE TABLE push_certificate (
    tenant_id     VARCHAR(63)   NOT NULL REFERENCES tenant (id),
    topic         VARCHAR(255)  NOT NULL,
    subject       VARCHAR(1000) NOT NULL,
    not_before    TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after     TIMESTAMP WITH TIME ZONE NOT NULL,
    certificate   VARCHAR(20000) NOT NULL,
    private_key   VARCHAR(20000) NOT NULL,
    uploaded_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    uploaded_by   VARCHAR(255)  NOT NULL,
    PRIMARY KEY (tenant_id, topic)
);
