//! SQL of disasters, reports, accidents, statistics and the calendar.

use serde_json::Value;
use sqlx::any::AnyRow;

use super::deadlines::Calendar;
use super::grading::AccidentGrade;
use super::investigation::Investigation;
use super::{Accident, Disaster, Report, ReportKind};
use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};
use crate::divisions::Tree;

fn corrupt(table: &'static str, e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt {
        table,
        detail: e.to_string(),
    }
}

fn disaster_from(r: &AnyRow) -> Result<Disaster, DbError> {
    Ok(Disaster {
        id: col(r, "id")?,
        name: col(r, "name")?,
        disaster_type: col(r, "disaster_type")?,
        onset: col(r, "onset")?,
        division: col(r, "division")?,
        townships: col::<JsonText<_>>(r, "townships")?.0,
        source: col(r, "source")?,
        stable_at: col(r, "stable_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

pub struct NewDisaster<'a> {
    pub name: &'a str,
    pub disaster_type: &'a str,
    pub onset: time::OffsetDateTime,
    pub division: &'a str,
    pub townships: &'a [String],
    pub source: &'a str,
    pub by: &'a str,
}

pub async fn insert_disaster(
    tx: &mut Tx,
    d: NewDisaster<'_>,
    now: time::OffsetDateTime,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO disasters (name, disaster_type, onset, division, townships, source, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
    )
    .bind(d.name)
    .bind(d.disaster_type)
    .bind(UtcText(d.onset))
    .bind(d.division)
    .bind(JsonText(d.townships))
    .bind(d.source)
    .bind(d.by)
    .bind(UtcText(now))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn get_disaster(db: &Db, id: i64) -> Result<Option<Disaster>, DbError> {
    let r = sqlx::query("SELECT * FROM disasters WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(disaster_from).transpose()
}

/// Disasters visible in a jurisdiction: owned by it, or touching a township in it.
pub async fn list_disasters(
    db: &Db,
    prefix: &str,
    active_only: bool,
) -> Result<Vec<Disaster>, DbError> {
    let mut q = Sql::new("SELECT * FROM disasters WHERE (division LIKE ");
    q.bind(format!("{prefix}%"))
        .push(" OR townships LIKE ")
        .bind(format!("%\"{prefix}%"))
        .push(")");
    if active_only {
        q.push(" AND stable_at IS NULL");
    }
    q.push(" ORDER BY onset DESC LIMIT 500");
    let rows = q.query().fetch_all(db.pool()).await?;
    rows.iter().map(disaster_from).collect()
}

/// Disasters whose reporting is still running (not stable, or stable but 核报 pending).
pub async fn open_disasters(db: &Db) -> Result<Vec<Disaster>, DbError> {
    let rows = sqlx::query("SELECT * FROM disasters ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(disaster_from).collect()
}

/// Write a disaster's changeable column (when it became stable) over its
/// row if the row is still at version `read` (through `Change::save`).
pub async fn update_disaster(tx: &mut Tx, d: &Disaster, read: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE disasters SET stable_at = $1, version = version + 1 WHERE id = $2 AND version = $3",
    )
    .bind(d.stable_at)
    .bind(d.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

impl Versioned for Disaster {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_disaster(tx, self, read).await
    }
}

fn report_from(r: &AnyRow, tree: &Tree) -> Result<Report, DbError> {
    let division: String = col(r, "division")?;
    let kind: String = col(r, "kind")?;
    Ok(Report {
        id: col(r, "id")?,
        disaster_id: col(r, "disaster_id")?,
        kind: ReportKind::parse(&kind)
            .ok_or_else(|| corrupt("disaster_reports", format!("kind {kind:?}")))?,
        level: col(r, "level")?,
        division_name: tree.name(&division),
        division,
        step_key: col(r, "step_key")?,
        figures: col::<JsonText<_>>(r, "figures")?.0,
        casualties: col::<JsonText<_>>(r, "casualties")?.0,
        houses: col::<JsonText<_>>(r, "houses")?.0,
        ledger_refs: Vec::new(),
        reason: col(r, "reason")?,
        flags: col::<JsonText<_>>(r, "flags")?.0,
        supersedes: col(r, "supersedes")?,
        submitted_by: col(r, "submitted_by")?,
        submitted_at: col(r, "submitted_at")?,
    })
}

pub async fn reports(db: &Db, tree: &Tree, disaster_id: i64) -> Result<Vec<Report>, DbError> {
    let rows = sqlx::query("SELECT * FROM disaster_reports WHERE disaster_id = $1 ORDER BY id")
        .bind(disaster_id)
        .fetch_all(db.pool())
        .await?;
    let mut out = rows
        .iter()
        .map(|r| report_from(r, tree))
        .collect::<Result<Vec<_>, _>>()?;
    super::ledgers::fill_refs(&mut out);
    Ok(out)
}

pub async fn reports_tx(
    tx: &mut Tx,
    tree: &Tree,
    disaster_id: i64,
) -> Result<Vec<Report>, DbError> {
    let rows = sqlx::query("SELECT * FROM disaster_reports WHERE disaster_id = $1 ORDER BY id")
        .bind(disaster_id)
        .fetch_all(&mut *tx.inner)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| report_from(r, tree))
        .collect::<Result<Vec<_>, _>>()?;
    super::ledgers::fill_refs(&mut out);
    Ok(out)
}

pub async fn insert_report(tx: &mut Tx, r: &Report) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO disaster_reports (disaster_id, kind, level, division, step_key, figures, casualties, houses, reason, flags, supersedes, submitted_by, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(r.disaster_id)
    .bind(r.kind.as_str())
    .bind(&r.level)
    .bind(&r.division)
    .bind(&r.step_key)
    .bind(JsonText(&r.figures))
    .bind(JsonText(&r.casualties))
    .bind(JsonText(&r.houses))
    .bind(&r.reason)
    .bind(JsonText(&r.flags))
    .bind(r.supersedes)
    .bind(&r.submitted_by)
    .bind(r.submitted_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

fn accident_from(r: &AnyRow) -> Result<Accident, DbError> {
    let industry: String = col(r, "industry")?;
    let g: String = col(r, "grade")?;
    let grade: AccidentGrade =
        serde_json::from_value(Value::String(g)).map_err(|e| corrupt("accidents", e))?;
    Ok(Accident {
        id: col(r, "id")?,
        name: col(r, "name")?,
        division: col(r, "division")?,
        occurred_at: col(r, "occurred_at")?,
        // The industry decides (493号令 第十三条), not the stored switch of
        // accidents entered before it did.
        road_or_fire: super::deadlines::is_road_or_fire(&industry),
        industry,
        deaths: col(r, "deaths")?,
        missing: col(r, "missing")?,
        serious_injuries: col(r, "serious_injuries")?,
        direct_loss_yuan: col(r, "direct_loss_yuan")?,
        grade_zh: grade.label_zh().into(),
        grade,
        received: col::<JsonText<_>>(r, "received")?.0,
        skips: col::<JsonText<_>>(r, "skips")?.0,
        notifications: col::<JsonText<_>>(r, "notifications")?.0,
        description: col(r, "description")?,
        unit_learned_at: col(r, "unit_learned_at")?,
        danger: col::<JsonText<_>>(r, "danger")?.0,
        larger_danger: Vec::new(),
        sector_department: None,
        sector_received: col::<JsonText<_>>(r, "sector_received")?.0,
        followups: col::<JsonText<_>>(r, "followups")?.0,
        settled_at: col(r, "settled_at")?,
        regime_facts: col::<JsonText<_>>(r, "regime_facts")?.0,
        incident_id: col(r, "incident_id")?,
        bulletin: col::<JsonText<_>>(r, "bulletin")?.0,
        enterprise_id: col(r, "enterprise_id")?,
        regime: super::regimes::Regime::Order493,
        duty_reports: col::<JsonText<_>>(r, "duty_reports")?.0,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    }
    .derive())
}

fn grade_text(g: AccidentGrade) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub async fn insert_accident(tx: &mut Tx, a: &Accident) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO accidents (name, industry, division, occurred_at, road_or_fire, deaths, serious_injuries, direct_loss_yuan, grade, received, description, created_by, created_at, missing, skips, notifications, \
         unit_learned_at, danger, sector_received, followups, settled_at, duty_reports, regime_facts, incident_id, bulletin, enterprise_id, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, 1) RETURNING id",
    )
    .bind(&a.name)
    .bind(&a.industry)
    .bind(&a.division)
    .bind(a.occurred_at)
    .bind(a.road_or_fire as i64)
    .bind(a.deaths)
    .bind(a.serious_injuries)
    .bind(a.direct_loss_yuan)
    .bind(grade_text(a.grade))
    .bind(JsonText(&a.received))
    .bind(&a.description)
    .bind(&a.created_by)
    .bind(a.created_at)
    .bind(a.missing)
    .bind(JsonText(&a.skips))
    .bind(JsonText(&a.notifications))
    .bind(a.unit_learned_at)
    .bind(JsonText(&a.danger))
    .bind(JsonText(&a.sector_received))
    .bind(JsonText(&a.followups))
    .bind(a.settled_at)
    .bind(JsonText(&a.duty_reports))
    .bind(JsonText(&a.regime_facts))
    .bind(a.incident_id)
    .bind(JsonText(&a.bulletin))
    .bind(a.enterprise_id)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Save changed fields if `version` is current.
pub async fn update_accident(tx: &mut Tx, a: &Accident, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE accidents SET deaths = $1, serious_injuries = $2, direct_loss_yuan = $3, grade = $4, received = $5, \
         missing = $8, skips = $9, notifications = $10, sector_received = $11, followups = $12, settled_at = $13, \
         duty_reports = $14, regime_facts = $15, version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(a.deaths)
    .bind(a.serious_injuries)
    .bind(a.direct_loss_yuan)
    .bind(grade_text(a.grade))
    .bind(JsonText(&a.received))
    .bind(a.id)
    .bind(version)
    .bind(a.missing)
    .bind(JsonText(&a.skips))
    .bind(JsonText(&a.notifications))
    .bind(JsonText(&a.sector_received))
    .bind(JsonText(&a.followups))
    .bind(a.settled_at)
    .bind(JsonText(&a.duty_reports))
    .bind(JsonText(&a.regime_facts))
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_accident(db: &Db, id: i64) -> Result<Option<Accident>, DbError> {
    let r = sqlx::query("SELECT * FROM accidents WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(accident_from).transpose()
}

/// The accidents filed by enterprises (双报告) inside `prefix`; only those
/// of enterprises owned by `org` when given (an enterprise user's).
pub async fn unit_reports(
    db: &Db,
    prefix: &str,
    org: Option<&str>,
) -> Result<Vec<Accident>, DbError> {
    let rows = sqlx::query(
        "SELECT a.* FROM accidents a JOIN registry_items e ON e.id = a.enterprise_id AND e.kind = 'enterprise' \
         WHERE a.division LIKE $1 AND ($2 = '' OR e.org = $2) ORDER BY a.occurred_at DESC LIMIT 1000",
    )
    .bind(format!("{prefix}%"))
    .bind(org.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(accident_from).collect()
}

/// The accident an incident's intake opened, if any.
pub async fn accident_of_incident(db: &Db, incident_id: i64) -> Result<Option<i64>, DbError> {
    let r = sqlx::query("SELECT id FROM accidents WHERE incident_id = $1")
        .bind(incident_id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(|r| col(r, "id")).transpose()
}

pub async fn list_accidents(db: &Db, prefix: &str) -> Result<Vec<Accident>, DbError> {
    let rows = sqlx::query(
        "SELECT * FROM accidents WHERE division LIKE $1 ORDER BY occurred_at DESC LIMIT 1000",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(accident_from).collect()
}

/// Record a newly noticed late/missing step once; false if already recorded.
/// A late or missing step, as recorded.
pub struct DeadlineEvent<'a> {
    pub entity: &'a str,
    pub id: i64,
    pub step_key: &'a str,
    pub status: &'a str,
    pub division: &'a str,
    pub due: UtcText,
}

pub async fn record_deadline_event(
    tx: &mut Tx,
    e: DeadlineEvent<'_>,
    now: time::OffsetDateTime,
) -> Result<bool, DbError> {
    let DeadlineEvent {
        entity,
        id,
        step_key,
        status,
        division,
        due,
    } = e;
    // ON CONFLICT: two nodes scanning at once record each event once (the
    // second waits for the first's commit, then inserts nothing).
    let n = sqlx::query("INSERT INTO deadline_events (entity, entity_id, step_key, status, division, due, noticed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entity, entity_id, step_key, status) DO NOTHING")
        .bind(entity)
        .bind(id)
        .bind(step_key)
        .bind(status)
        .bind(division)
        .bind(due)
        .bind(UtcText(now))
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn load_calendar(db: &Db) -> Result<Calendar, DbError> {
    let rows = sqlx::query("SELECT day, kind FROM calendar_days")
        .fetch_all(db.pool())
        .await?;
    let mut c = Calendar::default();
    for r in &rows {
        let day: String = col(r, "day")?;
        let kind: String = col(r, "kind")?;
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let d = time::Date::parse(&day, &fmt).map_err(|e| corrupt("calendar_days", e))?;
        if kind == "workday" {
            c.workdays.insert(d);
        } else {
            c.holidays.insert(d);
        }
    }
    Ok(c)
}

pub async fn set_calendar_day(tx: &mut Tx, day: &str, kind: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM calendar_days WHERE day = $1")
        .bind(day)
        .execute(&mut *tx.inner)
        .await?;
    sqlx::query("INSERT INTO calendar_days (day, kind) VALUES ($1, $2)")
        .bind(day)
        .bind(kind)
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

impl Versioned for Accident {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_accident(tx, self, read).await
    }
}

fn investigation_from(r: &AnyRow) -> Result<Investigation, DbError> {
    Ok(Investigation {
        id: col(r, "id")?,
        accident_id: col(r, "accident_id")?,
        division: col(r, "division")?,
        opened_at: col(r, "opened_at")?,
        team_lead: col(r, "team_lead")?,
        appraisals: col::<JsonText<_>>(r, "appraisals")?.0,
        extension_days: col(r, "extension_days")?,
        extension_basis: col(r, "extension_basis")?,
        extension_approved_at: col(r, "extension_approved_at")?,
        submitted_at: col(r, "submitted_at")?,
        reply_extension_days: col(r, "reply_extension_days")?,
        reply_extension_basis: col(r, "reply_extension_basis")?,
        replied_at: col(r, "replied_at")?,
        reply_document: col(r, "reply_document")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        version: col(r, "version")?,
    })
}

/// Open an accident's investigation (one per accident: a second insert
/// fails on the unique key).
pub async fn insert_investigation(tx: &mut Tx, i: &Investigation) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO accident_investigations (accident_id, division, opened_at, team_lead, created_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
    )
    .bind(i.accident_id)
    .bind(&i.division)
    .bind(i.opened_at)
    .bind(&i.team_lead)
    .bind(&i.created_by)
    .bind(i.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// The investigation of an accident, if one was opened.
pub async fn investigation_of(db: &Db, accident_id: i64) -> Result<Option<Investigation>, DbError> {
    let r = sqlx::query("SELECT * FROM accident_investigations WHERE accident_id = $1")
        .bind(accident_id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(investigation_from).transpose()
}

/// The investigations of the accidents of a jurisdiction, by accident id.
pub async fn investigations(
    db: &Db,
    prefix: &str,
) -> Result<std::collections::HashMap<i64, Investigation>, DbError> {
    let rows = sqlx::query("SELECT * FROM accident_investigations WHERE division LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| investigation_from(r).map(|i| (i.accident_id, i)))
        .collect()
}

impl Versioned for Investigation {
    fn version(&self) -> i64 {
        self.version
    }
    /// Writes what the steps record; the accident, division, opening and
    /// creation are never changed.
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let r = sqlx::query(
            "UPDATE accident_investigations SET extension_days = $1, extension_basis = $2, extension_approved_at = $3, \
             submitted_at = $4, reply_extension_days = $5, reply_extension_basis = $6, replied_at = $7, reply_document = $8, \
             appraisals = $11, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(self.extension_days)
        .bind(&self.extension_basis)
        .bind(self.extension_approved_at)
        .bind(self.submitted_at)
        .bind(self.reply_extension_days)
        .bind(&self.reply_extension_basis)
        .bind(self.replied_at)
        .bind(&self.reply_document)
        .bind(self.id)
        .bind(read)
        .bind(JsonText(&self.appraisals))
        .execute(&mut *tx.inner)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;

    #[tokio::test]
    async fn a_disaster_reads_typed_and_bad_stored_times_are_errors() {
        for t in testing::all().await {
            let insert = |onset: &'static str| {
                sqlx::query(
                    "INSERT INTO disasters (name, disaster_type, onset, division, townships, source, created_by, created_at, version) \
                     VALUES ('d', 'flood', $1, '140212000000', '[\"140212100000\"]', 'report', 't', '2026-07-01T02:00:00.000Z', 1) RETURNING id",
                )
                .bind(onset)
                .fetch_one(t.db.pool())
            };
            let good: i64 = col(&insert("2026-07-01T02:00:00.000Z").await.unwrap(), "id").unwrap();
            let d = get_disaster(&t.db, good).await.unwrap().unwrap();
            assert_eq!(d.onset.text(), "2026-07-01T02:00:00.000Z", "{}", t.name);
            assert_eq!(d.townships, vec!["140212100000".to_string()], "{}", t.name);
            assert_eq!(d.stable_at, None, "{}", t.name);
            // A stored time that is not a time is an error, never "now".
            let bad: i64 = col(&insert("yesterday").await.unwrap(), "id").unwrap();
            assert!(get_disaster(&t.db, bad).await.is_err(), "{}", t.name);
        }
    }

    #[tokio::test]
    async fn an_accident_keeps_its_missing_and_the_database_refuses_a_negative_count() {
        for t in testing::all().await {
            let insert = |missing: i64| {
                sqlx::query(
                    "INSERT INTO accidents (name, industry, division, occurred_at, road_or_fire, deaths, serious_injuries, direct_loss_yuan, grade, received, created_by, created_at, version, missing) \
                     VALUES ('a', 'coal_mine', '140212000000', '2026-07-01T02:00:00.000Z', 0, 1, 0, 0, 'ordinary', '[]', 't', '2026-07-01T02:00:00.000Z', 1, $1) RETURNING id",
                )
                .bind(missing)
                .fetch_one(t.db.pool())
            };
            let id: i64 = col(&insert(2).await.unwrap(), "id").unwrap();
            let a = get_accident(&t.db, id).await.unwrap().unwrap();
            assert_eq!((a.deaths, a.missing), (1, 2), "{}", t.name);
            // 0018's CHECK (missing >= 0), on both engines.
            assert!(insert(-1).await.is_err(), "{}", t.name);
            assert!(
                sqlx::query("UPDATE accidents SET missing = -1 WHERE id = $1")
                    .bind(id)
                    .execute(t.db.pool())
                    .await
                    .is_err(),
                "{}",
                t.name
            );
        }
    }
}
