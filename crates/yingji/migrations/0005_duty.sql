CREATE TABLE attachments (
    id {ID},
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    division TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX attachments_division ON attachments (division);

ALTER TABLE incidents ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';

CREATE TABLE duty_shifts (
    id {ID},
    division TEXT NOT NULL,
    duty_date TEXT NOT NULL,
    period TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    leader TEXT,
    officers TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    started_by TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    handover_note TEXT NOT NULL DEFAULT '',
    open_items TEXT NOT NULL DEFAULT '[]',
    handed_over_by TEXT NOT NULL DEFAULT '',
    handed_over_at TEXT,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX duty_shifts_division ON duty_shifts (division, starts_at);

CREATE TABLE duty_log (
    id {ID},
    division TEXT NOT NULL,
    shift_id BIGINT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    incident_id BIGINT,
    attachments TEXT NOT NULL DEFAULT '[]',
    corrects BIGINT,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX duty_log_division ON duty_log (division, at);
CREATE INDEX duty_log_shift ON duty_log (shift_id);
