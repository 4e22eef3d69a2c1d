CREATE TABLE incidents (
    id {ID},
    title TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    division TEXT NOT NULL,
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    address TEXT NOT NULL DEFAULT '',
    onset_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL,
    reporter TEXT NOT NULL DEFAULT '',
    reporter_phone TEXT NOT NULL DEFAULT '',
    facts TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    grade TEXT NOT NULL DEFAULT '',
    response_level TEXT NOT NULL DEFAULT '',
    plan_code TEXT NOT NULL DEFAULT '',
    helped_at TEXT,
    ended_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX incidents_division ON incidents (division);
CREATE INDEX incidents_state ON incidents (state);

CREATE TABLE instructions (
    id {ID},
    incident_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    assignee_kind TEXT NOT NULL,
    assignee TEXT NOT NULL,
    task TEXT NOT NULL,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    received_at TEXT,
    feedback TEXT NOT NULL DEFAULT '[]',
    closed_at TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX instructions_incident ON instructions (incident_id);

CREATE TABLE dispatch_orders (
    id {ID},
    incident_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    resource_kind TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    resource_name TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    approved_by TEXT NOT NULL DEFAULT '',
    steps TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL
);
CREATE INDEX dispatch_orders_incident ON dispatch_orders (incident_id);
CREATE INDEX dispatch_orders_resource ON dispatch_orders (resource_kind, resource_id);
