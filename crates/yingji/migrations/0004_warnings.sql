CREATE TABLE warnings (
    id {ID},
    identifier TEXT,
    hazard TEXT NOT NULL,
    level TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    refers_to BIGINT,
    headline TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    instruction TEXT NOT NULL,
    area TEXT NOT NULL,
    area_desc TEXT NOT NULL,
    onset_at TEXT,
    expires_at TEXT NOT NULL,
    exercise BIGINT NOT NULL DEFAULT 0,
    division TEXT NOT NULL,
    state TEXT NOT NULL,
    author TEXT NOT NULL,
    approver TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    reach TEXT NOT NULL DEFAULT '{}',
    cap_xml TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX warnings_identifier ON warnings (identifier);
CREATE INDEX warnings_division ON warnings (division);

CREATE TABLE deliveries (
    id {ID},
    warning_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    division TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    delivered_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
CREATE INDEX deliveries_warning ON deliveries (warning_id);
