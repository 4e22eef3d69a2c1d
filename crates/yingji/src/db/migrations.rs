//! One list of migrations for both engines. The only dialect difference is
//! the auto-increment key, written `{ID}`.

use super::{Backend, Db, DbError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: r#"
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
"#,
    },
    Migration {
        version: 2,
        name: "reports",
        sql: r#"
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
"#,
    },
    Migration {
        version: 3,
        name: "command",
        sql: r#"
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
"#,
    },
    Migration {
        version: 4,
        name: "warnings",
        sql: r#"
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
"#,
    },
    Migration {
        version: 5,
        name: "duty",
        sql: r#"
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
"#,
    },
    Migration {
        version: 6,
        name: "plans",
        sql: r#"
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
"#,
    },
    Migration {
        version: 7,
        name: "upstream",
        sql: r#"
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
"#,
    },
    Migration {
        version: 8,
        name: "attachment_quota",
        sql: r#"
CREATE INDEX attachments_uploaded_by ON attachments (uploaded_by);
"#,
    },
    Migration {
        version: 9,
        name: "auth_tokens",
        sql: r#"
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
"#,
    },
    Migration {
        version: 10,
        name: "delivery_reason",
        // A delivery keeps the HTTP status and a reason code; the receiver's
        // answer text (`last_error`, which held the first 200 characters of
        // a webhook's reply) is no longer written, and what it held is wiped.
        sql: r#"
ALTER TABLE deliveries ADD COLUMN http_status BIGINT;
ALTER TABLE deliveries ADD COLUMN reason TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET last_error = '';
"#,
    },
    // Several nodes on one PostgreSQL (crate::cluster): node heartbeats, and
    // the node holding each delivery lease.
    Migration {
        version: 11,
        name: "cluster_nodes",
        sql: r#"
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    heartbeat_at TEXT NOT NULL,
    started_at TEXT NOT NULL
);
ALTER TABLE deliveries ADD COLUMN lease_node TEXT;
"#,
    },
    // Personal data of journal entries, kept beside them by reference so
    // that it can be erased without breaking the hash chain.
    Migration {
        version: 12,
        name: "journal_personal",
        sql: r#"
CREATE TABLE journal_personal (
    seq BIGINT PRIMARY KEY,
    module TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    salt TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX journal_personal_record ON journal_personal (module, entity, entity_id);
"#,
    },
];

pub(super) async fn run(db: &Db) -> Result<(), DbError> {
    let id = match db.backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        // Two nodes starting at once must not both migrate.
        sqlx::raw_sql("SELECT pg_advisory_xact_lock(7316001)")
            .execute(&mut *tx.inner)
            .await?;
    }
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *tx.inner)
    .await?;
    let rows = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx.inner)
        .await?;
    let mut applied = Vec::new();
    for r in rows {
        applied.push(r.try_get::<i64, _>("version")?);
    }
    for m in MIGRATIONS {
        if applied.contains(&m.version) {
            continue;
        }
        let sql = m.sql.replace("{ID}", id);
        sqlx::raw_sql(&sql)
            .execute(&mut *tx.inner)
            .await
            .map_err(|source| DbError::Migration {
                version: m.version,
                name: m.name,
                source,
            })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::clock::format_time(time::OffsetDateTime::now_utc()))
        .execute(&mut *tx.inner)
        .await?;
    }
    tx.commit_unjournaled().await
}
