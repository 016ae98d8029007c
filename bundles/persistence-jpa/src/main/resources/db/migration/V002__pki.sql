-- Mooring schema, version 2: SCEP challenges and the certificates the CA issued.

CREATE TABLE scep_challenge (
    secret_hash VARCHAR(64)  NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)  NOT NULL REFERENCES tenant (id),
    purpose     VARCHAR(100) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at     TIMESTAMP WITH TIME ZONE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE issued_certificate (
    serial      VARCHAR(64)   NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)   NOT NULL REFERENCES tenant (id),
    subject     VARCHAR(1000) NOT NULL,
    not_before  TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after   TIMESTAMP WITH TIME ZONE NOT NULL,
    status      VARCHAR(16)   NOT NULL,
    issued_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    certificate VARCHAR(20000) NOT NULL
);
CREATE INDEX issued_certificate_by_tenant ON issued_certificate (tenant_id, issued_at);
