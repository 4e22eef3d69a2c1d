CREATE TABLE divisions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT,
    boundary TEXT,
    label_lon DOUBLE PRECISION,
    label_lat DOUBLE PRECISION
);
CREATE INDEX divisions_parent ON divisions (parent);

CREATE TABLE users (
    id {ID},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {ID},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE journal (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    module TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX journal_entity ON journal (module, entity, entity_id);

CREATE TABLE journal_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE TABLE registry_items (
    id {ID},
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL DEFAULT '',
    lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    duty_phone TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX registry_items_key ON registry_items (kind, division, name);
CREATE INDEX registry_items_kind_division ON registry_items (kind, division);
CREATE INDEX registry_items_kind_lonlat ON registry_items (kind, lon, lat);

CREATE TABLE dictionaries (
    dict TEXT NOT NULL,
    code TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    ord BIGINT NOT NULL,
    PRIMARY KEY (dict, code)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
