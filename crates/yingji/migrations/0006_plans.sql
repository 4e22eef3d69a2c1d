CREATE TABLE plan_versions (
    id {ID},
    code TEXT NOT NULL,
    revision BIGINT NOT NULL,
    status TEXT NOT NULL,
    divisions TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX plan_versions_code ON plan_versions (code, revision);

CREATE TABLE plan_evaluations (
    id {ID},
    code TEXT NOT NULL,
    revision BIGINT NOT NULL,
    evaluated_on TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX plan_evaluations_code ON plan_evaluations (code);

CREATE TABLE drills (
    id {ID},
    plan_code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    held_on TEXT,
    divisions TEXT NOT NULL,
    participants TEXT NOT NULL,
    people BIGINT NOT NULL,
    evaluation TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX drills_plan ON drills (plan_code);

CREATE TABLE improvements (
    id {ID},
    source TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    plan_code TEXT NOT NULL DEFAULT '',
    division TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_department TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_by TEXT NOT NULL DEFAULT '',
    done_at TEXT,
    verified_by TEXT NOT NULL DEFAULT '',
    verified_at TEXT,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX improvements_source ON improvements (source, source_id);
CREATE INDEX improvements_division ON improvements (division);

ALTER TABLE incidents ADD COLUMN plan_revision BIGINT NOT NULL DEFAULT 0;
