//! The schema on both databases: migrations recorded with checksums, an
//! edited applied migration refused, a database from before checksums
//! upgraded (with duplicate open dispatch orders settled), state columns
//! checked by the database, and one open dispatch order per resource even
//! when two requests race.
use crate::common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};
use yingji::db::{Backend, Db, DbError};

/// Migrations 1–12 as they were before checksums (the files are unchanged).
const OLD: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "reports",
        include_str!("../../migrations/0002_reports.sql"),
    ),
    (
        3,
        "command",
        include_str!("../../migrations/0003_command.sql"),
    ),
    (
        4,
        "warnings",
        include_str!("../../migrations/0004_warnings.sql"),
    ),
    (5, "duty", include_str!("../../migrations/0005_duty.sql")),
    (6, "plans", include_str!("../../migrations/0006_plans.sql")),
    (
        7,
        "upstream",
        include_str!("../../migrations/0007_upstream.sql"),
    ),
    (
        8,
        "attachment_quota",
        include_str!("../../migrations/0008_attachment_quota.sql"),
    ),
    (
        9,
        "auth_tokens",
        include_str!("../../migrations/0009_auth_tokens.sql"),
    ),
    (
        10,
        "delivery_reason",
        include_str!("../../migrations/0010_delivery_reason.sql"),
    ),
    (
        11,
        "cluster_nodes",
        include_str!("../../migrations/0011_cluster_nodes.sql"),
    ),
    (
        12,
        "journal_personal",
        include_str!("../../migrations/0012_journal_personal.sql"),
    ),
];

/// The last migration.
const LAST: i64 = 38;

const OPEN: &str = "('requested', 'approved', 'departed', 'arrived')";

/// An empty database of each engine under test.
struct Empty {
    url: String,
    name: &'static str,
    _dir: Option<tempfile::TempDir>,
}

async fn empties() -> Vec<Empty> {
    let mut out = Vec::new();
    for b in backends().await {
        out.push(match b {
            Some(url) => Empty {
                url,
                name: "postgres",
                _dir: None,
            },
            None => {
                let dir = tempfile::tempdir().unwrap();
                Empty {
                    url: format!("sqlite://{}", dir.path().join("t.db").display()),
                    name: "sqlite",
                    _dir: Some(dir),
                }
            }
        });
    }
    out
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `(version, checksum)` of every recorded migration.
async fn recorded(db: &Db) -> Vec<(i64, Option<String>)> {
    sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("version"), r.get("checksum")))
        .collect()
}

#[tokio::test]
async fn a_fresh_database_records_every_migration_with_its_checksum() {
    for e in empties().await {
        let db = Db::connect(&e.url).await.expect(e.name);
        let rows = recorded(&db).await;
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            (1..=LAST).collect::<Vec<_>>(),
            "{}",
            e.name
        );
        for (v, sum) in &rows {
            let sum = sum.as_deref().unwrap_or_default();
            assert!(
                sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}: version {v} checksum {sum:?}",
                e.name
            );
        }
        for (v, _, text) in OLD {
            assert_eq!(rows[*v as usize - 1].1, Some(sha256(text)), "{}", e.name);
        }
        // A second start verifies and applies nothing.
        db.close().await;
        let db = Db::connect(&e.url).await.expect(e.name);
        assert_eq!(recorded(&db).await, rows, "{}", e.name);
        db.close().await;
    }
}

#[tokio::test]
async fn a_start_is_refused_when_an_applied_migration_differs_from_its_file() {
    for e in empties().await {
        let db = Db::connect(&e.url).await.expect(e.name);
        sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = 3")
            .bind(sha256("the text applied long ago"))
            .execute(db.pool())
            .await
            .unwrap();
        db.close().await;
        let err = match Db::connect(&e.url).await {
            Err(err) => err,
            Ok(_) => panic!("{}: an edited migration was accepted", e.name),
        };
        assert!(
            matches!(
                err,
                DbError::MigrationEdited {
                    version: 3,
                    file: "0003_command.sql",
                    ..
                }
            ),
            "{}: {err}",
            e.name
        );
        let text = err.to_string();
        assert!(
            text.contains("migration 3") && text.contains("migrations/0003_command.sql"),
            "{text}"
        );
    }
}

async fn exec(pool: &AnyPool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn order(pool: &AnyPool, id: i64, team: i64, state: &str, at: &str, steps: &str) {
    sqlx::query(
        "INSERT INTO dispatch_orders (id, incident_id, division, resource_kind, resource_id, resource_name, state, requested_by, requested_at, steps, version) \
         VALUES ($1, 1, '140213', 'team', $2, 'team', $3, 'pingcheng', $4, $5, 1)",
    )
    .bind(id)
    .bind(team)
    .bind(state)
    .bind(at)
    .bind(steps)
    .execute(pool)
    .await
    .unwrap();
}

/// The database the previous code left: migrations 1–12 applied, and
/// schema_migrations without a checksum column.
async fn old_database(e: &Empty) -> AnyPool {
    sqlx::any::install_default_drivers();
    let (pool, id) = if e.name == "sqlite" {
        (
            AnyPool::connect(&format!("{}?mode=rwc", e.url))
                .await
                .unwrap(),
            "INTEGER PRIMARY KEY AUTOINCREMENT",
        )
    } else {
        (
            AnyPool::connect(&e.url).await.unwrap(),
            "BIGSERIAL PRIMARY KEY",
        )
    };
    exec(
        &pool,
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await;
    for (v, name, text) in OLD {
        exec(&pool, &text.replace("{ID}", id)).await;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, '2026-01-01T00:00:00.000Z')",
        )
        .bind(*v)
        .bind(*name)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool
}

#[tokio::test]
async fn an_old_database_holding_a_state_outside_the_rules_does_not_start() {
    for e in empties().await {
        let pool = old_database(&e).await;
        order(&pool, 1, 7, "lost", "2026-01-01T01:00:00.000Z", "[]").await;
        pool.close().await;
        let err = match Db::connect(&e.url).await {
            Err(err) => err,
            Ok(_) => panic!("{}: a stored state outside the rules was accepted", e.name),
        };
        let text = err.to_string();
        assert!(
            matches!(err, DbError::Migration { version: 14, .. })
                && text.contains("dispatch_orders_state_check"),
            "{}: {text}",
            e.name
        );
        // Nothing of the start stays: the old shape is as it was.
        let pool = AnyPool::connect(&e.url).await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 12, "{}", e.name);
        assert!(
            sqlx::query("SELECT checksum FROM schema_migrations")
                .fetch_all(&pool)
                .await
                .is_err(),
            "{}: the checksum column was rolled back",
            e.name
        );
        pool.close().await;
    }
}

#[tokio::test]
async fn a_database_from_before_checksums_is_upgraded() {
    for e in empties().await {
        let pool = old_database(&e).await;
        // Team 7: an approved order and a later request (the race's
        // result); team 8: two requests; team 9: one request and one
        // finished order.
        let step = r#"[{"state":"approved","by":"commander","at":"2026-01-01T01:01:00.000Z","reason":null}]"#;
        order(&pool, 1, 7, "approved", "2026-01-01T01:00:00.000Z", step).await;
        order(&pool, 2, 7, "requested", "2026-01-01T01:00:00.100Z", "[]").await;
        order(&pool, 3, 8, "requested", "2026-01-01T02:00:00.000Z", "[]").await;
        order(&pool, 4, 8, "requested", "2026-01-01T02:00:00.050Z", "[]").await;
        order(&pool, 5, 9, "returned", "2026-01-01T03:00:00.000Z", "[]").await;
        order(&pool, 6, 9, "requested", "2026-01-01T04:00:00.000Z", "[]").await;
        pool.close().await;

        let db = Db::connect(&e.url).await.expect(e.name);
        let rows = recorded(&db).await;
        assert_eq!(rows.len() as i64, LAST, "{}", e.name);
        for (v, _, text) in OLD {
            assert_eq!(
                rows[*v as usize - 1].1,
                Some(sha256(text)),
                "{}: version {v} backfilled from its file",
                e.name
            );
        }
        assert!(rows.iter().all(|r| r.1.is_some()), "{}", e.name);

        let orders: Vec<(i64, String, i64, String)> =
            sqlx::query("SELECT id, state, version, steps FROM dispatch_orders ORDER BY id")
                .fetch_all(db.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r.get("id"),
                        r.get("state"),
                        r.get("version"),
                        r.get("steps"),
                    )
                })
                .collect();
        let states: Vec<(i64, &str, i64)> =
            orders.iter().map(|o| (o.0, o.1.as_str(), o.2)).collect();
        assert_eq!(
            states,
            [
                (1, "approved", 1),
                (2, "cancelled", 2),
                (3, "cancelled", 2),
                (4, "requested", 1),
                (5, "returned", 1),
                (6, "requested", 1)
            ],
            "{}: the order furthest along stays, else the newest",
            e.name
        );
        let steps: Value = serde_json::from_str(&orders[1].3).expect("steps stay JSON");
        assert_eq!(
            steps,
            json!([{ "state": "cancelled", "by": "system", "at": "2026-01-01T01:00:00.100Z",
                     "reason": "同一资源另有未完成的调派（迁移 13）" }]),
            "{}",
            e.name
        );
        assert_eq!(orders[0].3, step, "{}: the kept order is untouched", e.name);
        db.close().await;
    }
}

/// `(table, state column, an allowed value, another allowed value)`.
const CHECKED: &[(&str, &str, &str, &str)] = &[
    ("incidents", "state", "reported", "verified"),
    ("instructions", "state", "issued", "received"),
    ("dispatch_orders", "state", "requested", "approved"),
    ("warnings", "state", "draft", "submitted"),
    ("deliveries", "state", "pending", "dead"),
    ("disaster_reports", "kind", "initial", "followup"),
    ("plan_versions", "status", "draft", "published"),
    ("drills", "state", "planned", "held"),
    ("improvements", "state", "open", "in_progress"),
    ("duty_shifts", "state", "scheduled", "on_duty"),
    ("upstream_alerts", "state", "active", "superseded"),
    ("registry_items", "status", "available", "maintenance"),
    ("deadline_events", "status", "late", "missing"),
];

/// The columns an insert must give (NOT NULL, no default).
async fn required(db: &Db, table: &str) -> Vec<String> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT name FROM pragma_table_info($1) WHERE \"notnull\" = 1 AND dflt_value IS NULL AND NOT (pk > 0 AND upper(type) = 'INTEGER')"
        }
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL"
        }
    };
    sqlx::query(sql)
        .bind(table)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("name"))
        .collect()
}

#[tokio::test]
async fn the_database_refuses_a_state_outside_the_rules() {
    for e in empties().await {
        let db = Db::connect(&e.url).await.expect(e.name);
        for (table, column, good, other) in CHECKED {
            let cols: Vec<String> = required(&db, table)
                .await
                .into_iter()
                .filter(|c| c != column)
                .collect();
            assert!(!cols.is_empty(), "{}: {table}", e.name);
            // Every other required column gets a literal the engine takes
            // for text and numbers alike.
            let insert = |fill: &str, state: &str| {
                format!(
                    "INSERT INTO {table} ({}, {column}) VALUES ({}, '{state}')",
                    cols.join(", "),
                    vec![format!("'{fill}'"); cols.len()].join(", ")
                )
            };
            let check = format!("{table}_{column}_check");
            let refused = |r: Result<sqlx::any::AnyQueryResult, sqlx::Error>, what: &str| match r {
                Ok(_) => panic!("{}: {what} {table}.{column} = 'bogus' was accepted", e.name),
                Err(err) => assert!(
                    err.to_string().contains(&check),
                    "{}: {what} {table}: {err}",
                    e.name
                ),
            };
            sqlx::raw_sql(&insert("1", good))
                .execute(db.pool())
                .await
                .unwrap_or_else(|err| panic!("{}: {table}: {err}", e.name));
            refused(
                sqlx::raw_sql(&insert("2", "bogus"))
                    .execute(db.pool())
                    .await,
                "insert",
            );
            refused(
                sqlx::raw_sql(&format!("UPDATE {table} SET {column} = 'bogus'"))
                    .execute(db.pool())
                    .await,
                "update",
            );
            let r = sqlx::raw_sql(&format!("UPDATE {table} SET {column} = '{other}'"))
                .execute(db.pool())
                .await
                .unwrap_or_else(|err| panic!("{}: {table}: {err}", e.name));
            assert_eq!(r.rows_affected(), 1, "{}: {table}", e.name);
        }
        db.close().await;
    }
}

#[tokio::test]
async fn two_dispatches_of_one_team_at_once_leave_one_open_order() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let r = pc
            .post(
                "/api/v1/incidents",
                &json!({
                    "title": "煤矿透水事故", "incident_type": "accident.production.coal_mine",
                    "division": "140213", "source": "phone", "reporter": "张伟",
                    "reporter_phone": "13800138000", "facts": { "deaths": 0, "trapped": 0 },
                }),
            )
            .await;
        let (st, incident) = send(r).await;
        assert_eq!(st, 201, "{}: {incident}", app.backend);
        let url = format!(
            "/api/v1/incidents/{}/dispatch",
            incident["id"].as_i64().unwrap()
        );
        let (lon, lat) = app.point_in("140213");
        for round in 0..20 {
            let name = format!("救援队{round}");
            let (st, team) = send(
                pc.post(
                    "/api/v1/registries/team",
                    &json!({ "name": name, "division": "140213", "lon": lon, "lat": lat,
                             "attrs": { "team_kind": "mine", "headcount": 10 } }),
                )
                .await,
            )
            .await;
            assert_eq!(st, 201, "{team}");
            let tid = team["id"].as_i64().unwrap();
            let body = json!({ "resource_kind": "team", "resource_id": tid });
            let (a, b) = tokio::join!(pc.post(&url, &body), cmd.post(&url, &body));
            let (a, b) = (send(a).await, send(b).await);
            let mut statuses = [a.0, b.0];
            statuses.sort();
            assert_eq!(
                statuses,
                [201, 409],
                "{} round {round}: {a:?} {b:?}",
                app.backend
            );
            let refused = if a.0 == 409 { &a.1 } else { &b.1 };
            assert_eq!(refused["key"], "invalid_transition", "{refused}");
            assert!(
                refused["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(&format!("“{name}”已有未完成的调派")),
                "{refused}"
            );
            let open = sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM dispatch_orders WHERE resource_kind = 'team' AND resource_id = $1 AND state IN {OPEN}"
            ))
            .bind(tid)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
            .get::<i64, _>("n");
            assert_eq!(open, 1, "{} round {round}", app.backend);
        }
    }
}
