-- Mooring schema, version 4: which device holds an issued certificate, and when it was revoked.

ALTER TABLE issued_certificate ADD COLUMN device_id VARCHAR(36);
ALTER TABLE issued_certificate ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX issued_certificate_by_device ON issued_certificate (device_id);
CREATE INDEX issued_certificate_revoked ON issued_certificate (status, revoked_at);
