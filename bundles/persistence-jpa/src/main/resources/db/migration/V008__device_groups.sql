-- Mooring schema, version 8: device groups. A device may be in any number of a tenant's groups; a group's
-- settings (JSON object of "<platform>.<name>": "value") are read by the platforms for its devices.

CREATE TABLE device_group (
    id          VARCHAR(36)    NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(63)    NOT NULL REFERENCES tenant (id),
    name        VARCHAR(100)   NOT NULL,
    description VARCHAR(1000),
    settings    VARCHAR(20000) NOT NULL,
    created_by  VARCHAR(255)   NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT device_group_name UNIQUE (tenant_id, name)
);

CREATE TABLE device_group_member (
    group_id    VARCHAR(36)  NOT NULL REFERENCES device_group (id) ON DELETE CASCADE,
    tenant_id   VARCHAR(63)  NOT NULL REFERENCES tenant (id),
    device_id   VARCHAR(36)  NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    added_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (group_id, device_id)
);

-- the groups of a device (its platform's settings at enrollment and on change)
CREATE INDEX device_group_member_device ON device_group_member (device_id);

-- an enrollment token may put its devices into a group as they enroll
ALTER TABLE enrollment_token ADD COLUMN group_id VARCHAR(36) REFERENCES device_group (id) ON DELETE SET NULL;
