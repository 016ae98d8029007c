-- Mooring schema, version 5: per-device values platform plugins keep (Apple's UnlockToken, escrowed
-- bootstrap token, identity certificate serial). Values are base64 text, at most 16 KiB decoded.

CREATE TABLE device_attribute (
    device_id   VARCHAR(36)   NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    name        VARCHAR(100)  NOT NULL,
    content     VARCHAR(22000) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (device_id, name)
);
