CREATE TABLE disasters (
    id {ID},
    name TEXT NOT NULL,
    disaster_type TEXT NOT NULL,
    onset TEXT NOT NULL,
    division TEXT NOT NULL,
    townships TEXT NOT NULL,
    source TEXT NOT NULL,
    stable_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX disasters_division ON disasters (division);

CREATE TABLE disaster_reports (
    id {ID},
    disaster_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    division TEXT NOT NULL,
    step_key TEXT NOT NULL,
    figures TEXT NOT NULL,
    casualties TEXT NOT NULL,
    houses TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '[]',
    supersedes BIGINT,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE INDEX disaster_reports_disaster ON disaster_reports (disaster_id, division);

CREATE TABLE accidents (
    id {ID},
    name TEXT NOT NULL,
    industry TEXT NOT NULL,
    division TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    road_or_fire BIGINT NOT NULL,
    deaths BIGINT NOT NULL,
    serious_injuries BIGINT NOT NULL,
    direct_loss_yuan BIGINT NOT NULL,
    grade TEXT NOT NULL,
    received TEXT NOT NULL,
    investigation_extended BIGINT NOT NULL DEFAULT 0,
    investigation_at TEXT,
    description TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX accidents_division ON accidents (division);

CREATE TABLE deadline_events (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    step_key TEXT NOT NULL,
    status TEXT NOT NULL,
    division TEXT NOT NULL,
    due TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, step_key, status)
);

CREATE TABLE statistics (
    division TEXT NOT NULL,
    year BIGINT NOT NULL,
    gdp_yi DOUBLE PRECISION,
    population DOUBLE PRECISION,
    raw_coal_wt DOUBLE PRECISION,
    PRIMARY KEY (division, year)
);

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL
);
