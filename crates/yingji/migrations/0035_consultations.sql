-- 调度会商 (consultations, issue #19): a session linked to an incident or a
-- warning (its jurisdiction is the linked record's division), with the
-- invited departments and experts picked from the directory (a snapshot of
-- the registry record's name, organisation and position), its agenda,
-- attendance, minutes and decisions; a decision becomes one instruction of
-- the linked incident and remembers its id. Invitees and decisions change
-- only with the consultation's `version` (one optimistic lock for the
-- whole session).
CREATE TABLE consultations (
    id {ID},
    division TEXT NOT NULL,
    incident_id BIGINT REFERENCES incidents (id),
    warning_id BIGINT REFERENCES warnings (id),
    title TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    chair TEXT NOT NULL DEFAULT '',
    scheduled_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('scheduled', 'in_session', 'closed', 'cancelled')),
    agenda TEXT NOT NULL DEFAULT '[]',
    minutes TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    closed_at TEXT,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((incident_id IS NULL) <> (warning_id IS NULL))
);
CREATE INDEX consultations_division ON consultations (division, state);
CREATE INDEX consultations_incident ON consultations (incident_id);
CREATE INDEX consultations_warning ON consultations (warning_id);

CREATE TABLE consultation_invitees (
    id {ID},
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    division TEXT NOT NULL,
    attendance TEXT NOT NULL CHECK (attendance IN ('invited', 'present', 'absent', 'excused')),
    marked_at TEXT,
    marked_by TEXT NOT NULL DEFAULT '',
    UNIQUE (consultation_id, kind, record_id)
);

CREATE TABLE consultation_decisions (
    id {ID},
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    seq BIGINT NOT NULL,
    text TEXT NOT NULL,
    assignee_kind TEXT NOT NULL DEFAULT '',
    assignee TEXT NOT NULL DEFAULT '',
    due_minutes BIGINT,
    instruction_id BIGINT UNIQUE REFERENCES instructions (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (consultation_id, seq)
);
