-- Monitoring and alarms (监测预警): devices with a per-device token (only
-- its SHA-256 is stored), sensors on the registry's monitoring points
-- (registry_items, kind 'monitoring_point', whose division they carry for
-- scoping), raw readings unique per sensor and time (a duplicate is
-- dropped by the key), 1-minute roll-ups kept on insert, and alarms with at
-- most one active alarm per sensor and rule (a partial unique index).
CREATE TABLE monitoring_devices (
    id {ID},
    name TEXT NOT NULL,
    division TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    accepted BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    refused_future BIGINT NOT NULL DEFAULT 0,
    refused_past BIGINT NOT NULL DEFAULT 0,
    refused_other BIGINT NOT NULL DEFAULT 0,
    malformed BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    last_seen_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX monitoring_devices_division ON monitoring_devices (division);

CREATE TABLE sensors (
    id {ID},
    point_id BIGINT NOT NULL,
    device_id BIGINT NOT NULL REFERENCES monitoring_devices (id),
    division TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    range_min DOUBLE PRECISION,
    range_max DOUBLE PRECISION,
    interval_secs BIGINT NOT NULL,
    rules TEXT NOT NULL,
    rule_state TEXT NOT NULL,
    last_value DOUBLE PRECISION,
    last_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX sensors_point_code ON sensors (point_id, code);
CREATE INDEX sensors_division ON sensors (division);
CREATE INDEX sensors_device ON sensors (device_id);

CREATE TABLE sensor_readings (
    sensor_id BIGINT NOT NULL,
    at TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (sensor_id, at)
);
CREATE INDEX sensor_readings_at ON sensor_readings (at);

CREATE TABLE sensor_readings_1m (
    sensor_id BIGINT NOT NULL,
    minute TEXT NOT NULL,
    min_value DOUBLE PRECISION NOT NULL,
    max_value DOUBLE PRECISION NOT NULL,
    sum_value DOUBLE PRECISION NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (sensor_id, minute)
);
CREATE INDEX sensor_readings_1m_minute ON sensor_readings_1m (minute);

CREATE TABLE alarms (
    id {ID},
    sensor_id BIGINT NOT NULL REFERENCES sensors (id),
    point_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    rule TEXT NOT NULL,
    state TEXT NOT NULL,
    value DOUBLE PRECISION,
    limit_value DOUBLE PRECISION,
    message TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    cleared_at TEXT,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolved_at TEXT,
    resolution_note TEXT NOT NULL DEFAULT '',
    escalation_level BIGINT NOT NULL DEFAULT 0,
    escalated_at TEXT,
    incident_id BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX alarms_one_active ON alarms (sensor_id, rule) WHERE state IN ('raised', 'acknowledged');
CREATE INDEX alarms_division_state ON alarms (division, state);
CREATE INDEX alarms_state_raised ON alarms (state, raised_at);
