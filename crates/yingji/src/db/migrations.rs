//! The schema, as numbered migrations in `crates/yingji/migrations/`
//! (`NNNN_name.sql`), embedded at compile time and applied in order at
//! start, in one transaction.
//!
//! - One text serves both engines; the only dialect difference is the
//!   auto-increment key, written `{ID}`. Where the engines need different
//!   statements a migration has two files, `NNNN_name.sqlite.sql` and
//!   `NNNN_name.postgres.sql`.
//! - `schema_migrations` records each applied version with the SHA-256 of
//!   the text that was applied (line endings normalised). At start, an
//!   applied migration whose file no longer has that checksum is refused
//!   ([`DbError::MigrationEdited`]): a change to the schema is a new file,
//!   never an edit of an applied one.
//! - Databases from before checksums (rows without one) get the checksum
//!   of the current file on their first start with this code.

use super::{Backend, Db, DbError, Tx};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The text of a migration for one engine.
#[derive(Debug, Clone, Copy)]
struct Script {
    /// The file name in `crates/yingji/migrations/`.
    file: &'static str,
    sql: &'static str,
}

#[derive(Debug, Clone, Copy)]
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: Script,
    postgres: Script,
}

impl Migration {
    fn script(&self, backend: Backend) -> Script {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

macro_rules! script {
    ($file:literal) => {
        Script {
            file: $file,
            sql: include_str!(concat!("../../migrations/", $file)),
        }
    };
}

macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: script!($file),
            postgres: script!($file),
        }
    };
    ($version:literal, $name:literal, sqlite: $lite:literal, postgres: $pg:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: script!($lite),
            postgres: script!($pg),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation.sql"),
    migration!(2, "reports", "0002_reports.sql"),
    migration!(3, "command", "0003_command.sql"),
    migration!(4, "warnings", "0004_warnings.sql"),
    migration!(5, "duty", "0005_duty.sql"),
    migration!(6, "plans", "0006_plans.sql"),
    migration!(7, "upstream", "0007_upstream.sql"),
    migration!(8, "attachment_quota", "0008_attachment_quota.sql"),
    migration!(9, "auth_tokens", "0009_auth_tokens.sql"),
    migration!(10, "delivery_reason", "0010_delivery_reason.sql"),
    migration!(11, "cluster_nodes", "0011_cluster_nodes.sql"),
    migration!(12, "journal_personal", "0012_journal_personal.sql"),
    migration!(
        13,
        "one_open_dispatch_per_resource",
        "0013_one_open_dispatch_per_resource.sql"
    ),
    migration!(
        14,
        "state_checks",
        sqlite: "0014_state_checks.sqlite.sql",
        postgres: "0014_state_checks.postgres.sql"
    ),
    migration!(
        15,
        "money_in_yuan",
        sqlite: "0015_money_in_yuan.sqlite.sql",
        postgres: "0015_money_in_yuan.postgres.sql"
    ),
    migration!(
        16,
        "more_state_checks",
        sqlite: "0016_more_state_checks.sqlite.sql",
        postgres: "0016_more_state_checks.postgres.sql"
    ),
    migration!(17, "delivery_plans", "0017_delivery_plans.sql"),
    migration!(18, "accident_missing", "0018_accident_missing.sql"),
    migration!(19, "supervision", "0019_supervision.sql"),
    migration!(
        20,
        "supervision_checks",
        sqlite: "0020_supervision_checks.sqlite.sql",
        postgres: "0020_supervision_checks.postgres.sql"
    ),
    migration!(21, "supplies", "0021_supplies.sql"),
    migration!(22, "monitoring", "0022_monitoring.sql"),
    migration!(
        23,
        "monitoring_checks",
        sqlite: "0023_monitoring_checks.sqlite.sql",
        postgres: "0023_monitoring_checks.postgres.sql"
    ),
    migration!(
        24,
        "major_hazards_inspections",
        "0024_major_hazards_inspections.sql"
    ),
    migration!(
        25,
        "supervision_more_checks",
        sqlite: "0025_supervision_more_checks.sqlite.sql",
        postgres: "0025_supervision_more_checks.postgres.sql"
    ),
    migration!(26, "display_tokens", "0026_display_tokens.sql"),
    migration!(
        27,
        "accident_investigations",
        "0027_accident_investigations.sql"
    ),
    migration!(28, "supply_requests", "0028_supply_requests.sql"),
    migration!(29, "login_failures", "0029_login_failures.sql"),
    migration!(
        30,
        "accident_notifications",
        "0030_accident_notifications.sql"
    ),
    migration!(31, "shipments_shelters", "0031_shipments_shelters.sql"),
    migration!(
        32,
        "supervision_escalation_checklists",
        "0032_supervision_escalation_checklists.sql"
    ),
    migration!(33, "supply_distributions", "0033_supply_distributions.sql"),
    migration!(
        34,
        "monitoring_hourly",
        sqlite: "0034_monitoring_hourly.sqlite.sql",
        postgres: "0034_monitoring_hourly.postgres.sql"
    ),
    migration!(35, "consultations", "0035_consultations.sql"),
    migration!(36, "accident_reporting", "0036_accident_reporting.sql"),
    migration!(
        37,
        "statistics_deaths_plan_filings",
        "0037_statistics_deaths_plan_filings.sql"
    ),
    migration!(38, "users_position", "0038_users_position.sql"),
];

/// SHA-256 (hex) of a migration's text, with CRLF read as LF so that a
/// checkout's line endings do not change it.
fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.replace("\r\n", "\n").as_bytes()))
}

pub(super) async fn run(db: &Db) -> Result<(), DbError> {
    apply(db, MIGRATIONS).await
}

async fn apply(db: &Db, migrations: &[Migration]) -> Result<(), DbError> {
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
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)",
    )
    .execute(&mut *tx.inner)
    .await?;
    add_checksum_column(&mut tx, db.backend).await?;
    let applied = verify_applied(&mut tx, db.backend, migrations).await?;
    for m in migrations {
        if applied.contains(&m.version) {
            continue;
        }
        let script = m.script(db.backend);
        let sql = script.sql.replace("{ID}", id);
        sqlx::raw_sql(&sql)
            .execute(&mut *tx.inner)
            .await
            .map_err(|source| DbError::Migration {
                version: m.version,
                name: m.name,
                source,
            })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::clock::format_time(time::OffsetDateTime::now_utc()))
        .bind(checksum(script.sql))
        .execute(&mut *tx.inner)
        .await?;
    }
    tx.commit_unjournaled().await
}

/// A `schema_migrations` written before checksums lacks the column.
async fn add_checksum_column(tx: &mut Tx, backend: Backend) -> Result<(), DbError> {
    match backend {
        Backend::Postgres => {
            sqlx::raw_sql("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT")
                .execute(&mut *tx.inner)
                .await?;
        }
        Backend::Sqlite => {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'",
            )
            .fetch_one(&mut *tx.inner)
            .await?;
            if row.try_get::<i64, _>("n")? == 0 {
                sqlx::raw_sql("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
                    .execute(&mut *tx.inner)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The versions already applied, after checking each against its file:
/// a recorded checksum must match, a missing one (recorded before
/// checksums) is filled in from the file.
async fn verify_applied(
    tx: &mut Tx,
    backend: Backend,
    migrations: &[Migration],
) -> Result<Vec<i64>, DbError> {
    let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all(&mut *tx.inner)
        .await?;
    let mut applied = Vec::with_capacity(rows.len());
    for r in rows {
        let version: i64 = r.try_get("version")?;
        let recorded: Option<String> = r.try_get("checksum")?;
        applied.push(version);
        let Some(m) = migrations.iter().find(|m| m.version == version) else {
            tracing::warn!(
                version,
                "the database has a migration this program does not know (written by a newer version?)"
            );
            continue;
        };
        let script = m.script(backend);
        let actual = checksum(script.sql);
        match recorded {
            Some(recorded) if recorded == actual => {}
            Some(recorded) => {
                return Err(DbError::MigrationEdited {
                    version,
                    file: script.file,
                    recorded,
                    actual,
                })
            }
            None => {
                sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2")
                    .bind(actual)
                    .bind(version)
                    .execute(&mut *tx.inner)
                    .await?;
            }
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;

    #[test]
    fn files_are_numbered_in_order_and_every_file_is_listed() {
        let mut listed = Vec::new();
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "versions count up from 1");
            let stem = format!("{:04}_{}", m.version, m.name);
            if m.sqlite.file == m.postgres.file {
                assert_eq!(m.sqlite.file, format!("{stem}.sql"));
                listed.push(m.sqlite.file.to_string());
            } else {
                assert_eq!(m.sqlite.file, format!("{stem}.sqlite.sql"));
                assert_eq!(m.postgres.file, format!("{stem}.postgres.sql"));
                listed.push(m.sqlite.file.to_string());
                listed.push(m.postgres.file.to_string());
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("migrations directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".sql"))
            .collect();
        on_disk.sort();
        listed.sort();
        assert_eq!(on_disk, listed, "every migration file is in MIGRATIONS");
    }

    #[test]
    fn checksums_ignore_line_endings_only() {
        assert_eq!(checksum("a;\nb;\n"), checksum("a;\r\nb;\r\n"));
        assert_ne!(checksum("a;\nb;\n"), checksum("a; \nb;\n"));
        assert_eq!(checksum("").len(), 64);
    }

    /// The values of an enum, listed through an exhaustive match so that a
    /// new variant does not compile until it is listed here.
    macro_rules! values {
        ($t:ident, $to_str:expr; $($v:ident $({ $($f:ident: $e:expr),* })?),+ $(,)?) => {{
            #[allow(dead_code)]
            fn exhaustive(x: $t) {
                match x {
                    $($t::$v { .. } => {})+
                }
            }
            let to_str = $to_str;
            vec![$(to_str($t::$v $({ $($f: $e),* })?)),+]
        }};
    }

    fn serde_name<T: serde::Serialize>(x: T) -> String {
        match serde_json::to_value(x) {
            Ok(serde_json::Value::String(s)) => s,
            other => panic!("not a string enum: {other:?}"),
        }
    }

    /// `(table, column, values)` of every state check, from the Rust enums.
    fn state_enums() -> Vec<(&'static str, &'static str, Vec<String>)> {
        use crate::duty::ShiftState;
        use crate::incidents::{DispatchState, IncidentState, InstructionState};
        use crate::monitoring::{AlarmState, RuleKind, SensorKind};
        use crate::plans::{DrillState, ImprovementState, Level, PlanStatus};
        use crate::reports::deadlines::Status;
        use crate::reports::ReportKind;
        use crate::supervision::inspections::InspectionState;
        use crate::supervision::major::{MajorGrade, UnitKind};
        use crate::supervision::{HazardGrade, HazardState, RiskLevel};
        use crate::upstream::model::UpstreamState;
        use crate::warnings::WarningState;
        let s = |x: &str| x.to_string();
        vec![
            (
                "incidents",
                "state",
                values!(IncidentState, |x: IncidentState| s(x.as_str());
                    Reported, Verified, Graded, Responding { level: Level::I }, Ended, Reviewed, Dismissed),
            ),
            (
                "instructions",
                "state",
                values!(InstructionState, |x: InstructionState| s(x.as_str());
                    Issued, Received, InProgress, FeedbackGiven, Accepted, Returned),
            ),
            (
                "dispatch_orders",
                "state",
                values!(DispatchState, |x: DispatchState| s(x.as_str());
                    Requested, Approved, Departed, Arrived, Returned, Cancelled),
            ),
            (
                "warnings",
                "state",
                values!(WarningState, |x: WarningState| s(x.as_str());
                    Draft, Submitted, Approved, Published, Superseded, Cancelled, Expired),
            ),
            // Deliveries have no enum: the outbox worker writes these three
            // (warnings::jobs), and the delivery tests write each of them.
            (
                "deliveries",
                "state",
                vec![s("pending"), s("delivered"), s("dead")],
            ),
            (
                "disaster_reports",
                "kind",
                values!(ReportKind, |x: ReportKind| s(x.as_str());
                    Initial, Followup, Final, Direct, Forward),
            ),
            (
                "plan_versions",
                "status",
                values!(PlanStatus, serde_name::<PlanStatus>; Draft, Published),
            ),
            (
                "drills",
                "state",
                values!(DrillState, |x: DrillState| s(x.as_str());
                    Planned, Held, Evaluated, Cancelled),
            ),
            (
                "improvements",
                "state",
                values!(ImprovementState, |x: ImprovementState| s(x.as_str());
                    Open, InProgress, Done, Verified),
            ),
            (
                "duty_shifts",
                "state",
                values!(ShiftState, |x: ShiftState| s(x.as_str());
                    Scheduled, OnDuty, HandedOver, Acknowledged),
            ),
            (
                "upstream_alerts",
                "state",
                values!(UpstreamState, |x: UpstreamState| s(x.as_str());
                    Active, Superseded, Cancelled, Rejected),
            ),
            // The registry's status is an enum field of every kind (its
            // options, in the order the form shows them).
            (
                "registry_items",
                "status",
                crate::registry::STATUS.iter().map(|(v, ..)| s(v)).collect(),
            ),
            (
                "hazards",
                "state",
                values!(HazardState, |x: HazardState| s(x.as_str());
                    Reported, Confirmed, Rectifying, Rectified, Verified, Closed),
            ),
            (
                "hazards",
                "grade",
                values!(HazardGrade, |x: HazardGrade| s(x.as_str()); General, Major),
            ),
            (
                "risk_points",
                "level",
                values!(RiskLevel, |x: RiskLevel| s(x.as_str()); Low, General, Significant, Major),
            ),
            (
                "alarms",
                "state",
                values!(AlarmState, |x: AlarmState| s(x.as_str());
                    Raised, Acknowledged, Resolved, FalseAlarm),
            ),
            (
                "alarms",
                "rule",
                values!(RuleKind, |x: RuleKind| s(x.as_str()); Threshold, Rate, Silence, Combination),
            ),
            (
                "sensors",
                "kind",
                values!(SensorKind, |x: SensorKind| s(x.as_str());
                    Gas, WaterLevel, Rainfall, TailingsLevel, Displacement, Temperature),
            ),
            (
                "hazard_units",
                "unit_kind",
                values!(UnitKind, |x: UnitKind| s(x.as_str()); Production, Storage),
            ),
            (
                "hazard_units",
                "grade",
                values!(MajorGrade, |x: MajorGrade| s(x.as_str()); First, Second, Third, Fourth),
            ),
            (
                "inspections",
                "state",
                values!(InspectionState, |x: InspectionState| s(x.as_str()); Planned, InProgress, Done),
            ),
            // Only 迟报 and 漏报 are recorded (reports::jobs).
            (
                "deadline_events",
                "status",
                vec![serde_name(Status::Late), serde_name(Status::Missing)],
            ),
        ]
    }

    /// The quoted values of the first `IN (…)` after `from` in `text`.
    fn in_list(text: &str, from: usize) -> Vec<String> {
        let rest = &text[from..];
        let start = rest.find(" IN (").expect("an IN list") + 5;
        let end = start + rest[start..].find(')').expect("end of the IN list");
        rest[start..end]
            .split(',')
            .map(|v| v.trim().trim_matches('\'').to_string())
            .collect()
    }

    /// Every definition of `marker` in the migrations of one engine, in
    /// order, as the values it allows (the last one is in force).
    fn definitions(backend: Backend, marker: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for m in MIGRATIONS {
            let text = m.script(backend).sql;
            for (at, _) in text.match_indices(marker) {
                out.push(in_list(text, at));
            }
        }
        out
    }

    #[test]
    fn state_checks_allow_exactly_the_enum_values_on_both_engines() {
        let enums = state_enums();
        for (table, column, values) in &enums {
            let name = format!("{table}_{column}_check");
            let pg = definitions(
                Backend::Postgres,
                &format!("ALTER TABLE {table} ADD CONSTRAINT {name} CHECK"),
            );
            assert_eq!(pg.last(), Some(values), "PostgreSQL {name}");
            for ev in ["insert", "update"] {
                let lite = definitions(Backend::Sqlite, &format!("CREATE TRIGGER {name}_{ev} "));
                assert_eq!(lite.last(), Some(values), "SQLite {name}_{ev}");
            }
        }
        // No check in the migrations that this test does not compare.
        for m in MIGRATIONS {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let text = m.script(backend).sql;
                for (at, _) in text.match_indices("_check") {
                    let head = &text[..at];
                    let word = head
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    assert!(
                        enums.iter().any(|(t, c, _)| word == format!("{t}_{c}")),
                        "{}: {word}_check is not compared with an enum",
                        m.script(backend).file
                    );
                }
            }
        }
    }

    #[test]
    fn the_one_open_order_index_covers_the_states_the_rule_can_leave() {
        use crate::incidents::{DispatchEvent, DispatchState as S};
        let events = [
            DispatchEvent::Approve {
                approver: "b".into(),
            },
            DispatchEvent::Depart,
            DispatchEvent::Arrive,
            DispatchEvent::Return,
            DispatchEvent::Cancel { reason: "r".into() },
        ];
        let all = [
            S::Requested,
            S::Approved,
            S::Departed,
            S::Arrived,
            S::Returned,
            S::Cancelled,
        ];
        let open: Vec<String> = all
            .into_iter()
            .filter(|s| events.iter().any(|e| s.transition(e, "a", true).is_ok()))
            .map(|s| s.as_str().to_string())
            .collect();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let index = definitions(backend, "CREATE UNIQUE INDEX dispatch_orders_one_open ");
            assert_eq!(index.last(), Some(&open), "{backend:?}");
        }
    }

    /// 0027: an accident whose investigation was extended (then always 60
    /// days) or submitted before it becomes an investigation record saying
    /// so; one without either has none; the old columns are gone.
    #[tokio::test]
    async fn migration_27_moves_old_investigation_switches_into_records() {
        for t in testing::all().await {
            let pool = t.db.pool();
            // The schema as before version 27.
            for sql in [
                "DROP TABLE accident_investigations",
                "ALTER TABLE accidents ADD COLUMN investigation_extended BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE accidents ADD COLUMN investigation_at TEXT",
                "DELETE FROM schema_migrations WHERE version = 27",
            ] {
                sqlx::query(sql).execute(pool).await.expect(sql);
            }
            // (extended, submitted at) → (extension days, submitted)
            let cases = [
                (1, None, Some(60), None),
                (
                    0,
                    Some("2026-05-01T02:00:00.000Z"),
                    None,
                    Some("2026-05-01T02:00:00.000Z"),
                ),
                (
                    1,
                    Some("2026-06-01T02:00:00.000Z"),
                    Some(60),
                    Some("2026-06-01T02:00:00.000Z"),
                ),
            ];
            let insert = |extended: i64, at: Option<&'static str>| {
                sqlx::query(
                    "INSERT INTO accidents (name, industry, division, occurred_at, road_or_fire, deaths, serious_injuries, direct_loss_yuan, grade, received, created_by, created_at, version, investigation_extended, investigation_at) \
                     VALUES ('a', 'coal_mine', '140212000000', '2026-03-01T02:00:00.000Z', 0, 1, 0, 0, 'ordinary', '[]', 't', '2026-03-01T02:00:00.000Z', 1, $1, $2) RETURNING id",
                )
                .bind(extended)
                .bind(at)
                .fetch_one(pool)
            };
            let none: i64 = insert(0, None)
                .await
                .expect("row")
                .try_get("id")
                .expect("id");
            let mut ids = Vec::new();
            for (extended, at, ..) in &cases {
                ids.push(
                    insert(*extended, *at)
                        .await
                        .expect("row")
                        .try_get::<i64, _>("id")
                        .expect("id"),
                );
            }
            apply(&t.db, MIGRATIONS).await.expect(&t.name);
            for (id, (_, _, days, submitted)) in ids.iter().zip(cases) {
                let inv = crate::reports::store::investigation_of(&t.db, *id)
                    .await
                    .expect("read")
                    .unwrap_or_else(|| panic!("{}: accident {id} has no investigation", t.name));
                assert_eq!(inv.extension_days, days, "{}", t.name);
                assert_eq!(
                    inv.submitted_at.map(|x| x.text()).as_deref(),
                    submitted,
                    "{}",
                    t.name
                );
                assert_eq!((inv.division.as_str(), inv.version), ("140212000000", 1));
            }
            assert!(crate::reports::store::investigation_of(&t.db, none)
                .await
                .expect("read")
                .is_none());
            assert!(sqlx::query("SELECT investigation_at FROM accidents")
                .fetch_all(pool)
                .await
                .is_err());
        }
    }

    #[tokio::test]
    async fn migration_15_turns_disaster_losses_from_wan_yuan_into_whole_yuan() {
        // (old figures JSON, direct_loss_yuan, agri_loss_yuan, affected kept)
        let cases: [(&str, i64, i64, i64); 6] = [
            (
                r#"{"affected":120,"direct_loss":85.0,"agri_loss":30.0}"#,
                850_000,
                300_000,
                120,
            ),
            (
                r#"{"affected":1,"direct_loss":12.3456,"agri_loss":0.0001}"#,
                123_456,
                1,
                1,
            ),
            (
                r#"{"affected":2,"direct_loss":0.00004,"agri_loss":0.00006}"#,
                0,
                1,
                2,
            ),
            (r#"{"affected":3,"direct_loss":60000}"#, 600_000_000, 0, 3),
            (r#"{"affected":4}"#, 0, 0, 4),
            (
                r#"{"affected":5,"direct_loss_yuan":7,"agri_loss_yuan":2}"#,
                7,
                2,
                5,
            ),
        ];
        for t in testing::all().await {
            let pool = t.db.pool();
            let disaster: i64 = sqlx::query(
                "INSERT INTO disasters (name, disaster_type, onset, division, townships, source, created_by, created_at, version) \
                 VALUES ('d', 'flood', '2026-07-01T00:00:00.000Z', '140212000000', '[]', 'report', 't', '2026-07-01T02:00:00.000Z', 1) RETURNING id",
            )
            .fetch_one(pool)
            .await
            .expect("disaster")
            .try_get("id")
            .expect("id");
            let mut ids = Vec::new();
            for (old, ..) in &cases {
                let id: i64 = sqlx::query(
                    "INSERT INTO disaster_reports (disaster_id, kind, level, division, step_key, figures, casualties, houses, reason, flags, submitted_by, submitted_at) \
                     VALUES ($1, 'initial', 'county', '140212000000', 'k', $2, '[]', '[]', '', '[]', 't', '2026-07-01T03:00:00.000Z') RETURNING id",
                )
                .bind(disaster)
                .bind(*old)
                .fetch_one(pool)
                .await
                .expect("report")
                .try_get("id")
                .expect("id");
                ids.push(id);
            }
            // Written as before version 15; applying the migrations again runs it.
            sqlx::query("DELETE FROM schema_migrations WHERE version = 15")
                .execute(pool)
                .await
                .expect("forget 15");
            apply(&t.db, MIGRATIONS).await.expect(&t.name);
            for (id, (old, direct, agri, affected)) in ids.iter().zip(cases) {
                let text: String =
                    sqlx::query("SELECT figures FROM disaster_reports WHERE id = $1")
                        .bind(*id)
                        .fetch_one(pool)
                        .await
                        .expect("row")
                        .try_get("figures")
                        .expect("figures");
                let f: crate::reports::figures::Figures = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {old} → {text}: {e}", t.name));
                assert_eq!(
                    (f.direct_loss_yuan, f.agri_loss_yuan, f.affected),
                    (direct, agri, affected),
                    "{}: {old} → {text}",
                    t.name
                );
            }
        }
    }

    #[tokio::test]
    async fn an_edited_applied_migration_is_refused_and_nothing_is_applied() {
        for t in testing::all().await {
            // Version 3 as if its file had been edited since it was applied,
            // and a new version after the last that must not run.
            let mut edited: Vec<Migration> = MIGRATIONS.to_vec();
            for m in edited.iter_mut().filter(|m| m.version == 3) {
                m.sqlite.sql = "CREATE TABLE incidents (id BIGINT);";
                m.postgres.sql = m.sqlite.sql;
            }
            let later_version = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0) + 1;
            edited.push(Migration {
                version: later_version,
                name: "later",
                sqlite: Script {
                    file: "9999_later.sql",
                    sql: "CREATE TABLE later (x TEXT);",
                },
                postgres: Script {
                    file: "9999_later.sql",
                    sql: "CREATE TABLE later (x TEXT);",
                },
            });
            let err = apply(&t.db, &edited).await.expect_err(&t.name);
            match &err {
                DbError::MigrationEdited { version, file, .. } => {
                    assert_eq!((*version, *file), (3, "0003_command.sql"), "{}", t.name)
                }
                other => panic!("{}: {other}", t.name),
            }
            let text = err.to_string();
            assert!(text.contains("0003_command.sql"), "{text}");
            let later =
                sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
                    .bind(later_version)
                    .fetch_one(t.db.pool())
                    .await
                    .expect("count");
            assert_eq!(later.try_get::<i64, _>("n").expect("n"), 0, "{}", t.name);
            // The real files still pass.
            apply(&t.db, MIGRATIONS).await.expect(&t.name);
        }
    }
}
