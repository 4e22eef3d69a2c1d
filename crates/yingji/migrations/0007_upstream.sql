CREATE TABLE upstream_alerts (
    id {ID},
    source TEXT NOT NULL,
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    valid BIGINT NOT NULL,
    problems TEXT NOT NULL,
    identifier TEXT NOT NULL,
    sender TEXT NOT NULL,
    sent TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    state TEXT NOT NULL,
    summary TEXT NOT NULL,
    expires_at TEXT,
    jurisdiction TEXT NOT NULL,
    raw TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE UNIQUE INDEX upstream_alerts_sha256 ON upstream_alerts (sha256);
CREATE INDEX upstream_alerts_key ON upstream_alerts (sender, identifier);

CREATE TABLE upstream_relays (
    warning_id BIGINT PRIMARY KEY,
    upstream_id BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX upstream_relays_upstream ON upstream_relays (upstream_id);
