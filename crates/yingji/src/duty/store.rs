//! SQL of the duty desk: shifts (optimistic `version`) and the append-only
//! duty log (no UPDATE or DELETE exists for it).

use serde::Serialize;
use sqlx::any::AnyRow;

pub use super::model::{LogEntry, Shift};
use super::{LogKind, Period, Person, ShiftState};
use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};

fn corrupt(table: &'static str, detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

fn shift_from_row(r: &AnyRow) -> Result<Shift, DbError> {
    let state: String = col(r, "state")?;
    let period: String = col(r, "period")?;
    Ok(Shift {
        id: col(r, "id")?,
        division: col(r, "division")?,
        date: col(r, "duty_date")?,
        period: Period::parse(&period)
            .ok_or_else(|| corrupt("duty_shifts", format!("period {period:?}")))?,
        starts_at: col(r, "starts_at")?,
        ends_at: col(r, "ends_at")?,
        leader: col::<Option<JsonText<Person>>>(r, "leader")?.map(|l| l.0),
        officers: col::<JsonText<_>>(r, "officers")?.0,
        state: ShiftState::parse(&state)
            .ok_or_else(|| corrupt("duty_shifts", format!("state {state:?}")))?,
        started_by: col(r, "started_by")?,
        started_at: col(r, "started_at")?,
        handover_note: col(r, "handover_note")?,
        open_items: col::<JsonText<_>>(r, "open_items")?.0,
        handed_over_by: col(r, "handed_over_by")?,
        handed_over_at: col(r, "handed_over_at")?,
        acknowledged_by: col(r, "acknowledged_by")?,
        acknowledged_at: col(r, "acknowledged_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

pub async fn insert_shift(tx: &mut Tx, s: &Shift) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO duty_shifts (division, duty_date, period, starts_at, ends_at, leader, officers, state, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING id",
    )
    .bind(&s.division)
    .bind(&s.date)
    .bind(s.period.as_str())
    .bind(s.starts_at)
    .bind(s.ends_at)
    .bind(s.leader.as_ref().map(JsonText))
    .bind(JsonText(&s.officers))
    .bind(s.state.as_str())
    .bind(&s.created_by)
    .bind(s.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write every mutable column if `version` is current (then version + 1).
pub async fn update_shift(tx: &mut Tx, s: &Shift, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE duty_shifts SET duty_date = $1, period = $2, starts_at = $3, ends_at = $4, leader = $5, officers = $6, state = $7, \
         started_by = $8, started_at = $9, handover_note = $10, open_items = $11, handed_over_by = $12, handed_over_at = $13, \
         acknowledged_by = $14, acknowledged_at = $15, updated_at = $16, version = version + 1 WHERE id = $17 AND version = $18",
    )
    .bind(&s.date)
    .bind(s.period.as_str())
    .bind(s.starts_at)
    .bind(s.ends_at)
    .bind(s.leader.as_ref().map(JsonText))
    .bind(JsonText(&s.officers))
    .bind(s.state.as_str())
    .bind(&s.started_by)
    .bind(s.started_at)
    .bind(&s.handover_note)
    .bind(JsonText(&s.open_items))
    .bind(&s.handed_over_by)
    .bind(s.handed_over_at)
    .bind(&s.acknowledged_by)
    .bind(s.acknowledged_at)
    .bind(s.updated_at)
    .bind(s.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_shift(db: &Db, id: i64) -> Result<Option<Shift>, DbError> {
    sqlx::query("SELECT * FROM duty_shifts WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(shift_from_row)
        .transpose()
}

/// Shifts of one division that overlap `[from, to)`, by start time.
pub async fn shifts_between(
    db: &Db,
    division: &str,
    from: UtcText,
    to: UtcText,
) -> Result<Vec<Shift>, DbError> {
    sqlx::query(
        "SELECT * FROM duty_shifts WHERE division = $1 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at, id LIMIT 1000",
    )
    .bind(division)
    .bind(to)
    .bind(from)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(shift_from_row)
    .collect()
}

/// Serialise roster writes of one division until the transaction ends, so
/// two concurrent additions cannot both pass the overlap check (PostgreSQL:
/// an advisory lock keyed by the division code; SQLite has one writer).
pub async fn lock_roster(db: &Db, tx: &mut Tx, division: &str) -> Result<(), DbError> {
    if db.backend() == crate::db::Backend::Postgres {
        let key: i64 = division.parse().unwrap_or(0);
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *tx.inner)
            .await?;
    }
    Ok(())
}

/// The same, inside a write transaction (the overlap check sees what the
/// transaction sees; SQLite's single writer and the row order serialise it).
pub async fn shifts_between_tx(
    tx: &mut Tx,
    division: &str,
    from: UtcText,
    to: UtcText,
) -> Result<Vec<Shift>, DbError> {
    sqlx::query(
        "SELECT * FROM duty_shifts WHERE division = $1 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at, id",
    )
    .bind(division)
    .bind(to)
    .bind(from)
    .fetch_all(&mut *tx.inner)
    .await?
    .iter()
    .map(shift_from_row)
    .collect()
}

/// Shifts still on duty (not handed over), whatever their times.
pub async fn shifts_on_duty(db: &Db, division: &str) -> Result<Vec<Shift>, DbError> {
    sqlx::query("SELECT * FROM duty_shifts WHERE division = $1 AND state = 'on_duty' ORDER BY starts_at, id")
        .bind(division)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(shift_from_row)
        .collect()
}

fn log_from_row(r: &AnyRow) -> Result<LogEntry, DbError> {
    let kind: String = col(r, "kind")?;
    Ok(LogEntry {
        id: col(r, "id")?,
        division: col(r, "division")?,
        shift_id: col(r, "shift_id")?,
        at: col(r, "at")?,
        kind: LogKind::parse(&kind).ok_or_else(|| corrupt("duty_log", format!("kind {kind:?}")))?,
        text: col(r, "text")?,
        incident_id: col(r, "incident_id")?,
        attachments: col::<JsonText<_>>(r, "attachments")?.0,
        corrects: col(r, "corrects")?,
        author: col(r, "author")?,
        author_name: col(r, "author_name")?,
        created_at: col(r, "created_at")?,
    })
}

pub async fn insert_log(tx: &mut Tx, e: &LogEntry) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO duty_log (division, shift_id, at, kind, text, incident_id, attachments, corrects, author, author_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&e.division)
    .bind(e.shift_id)
    .bind(e.at)
    .bind(e.kind.as_str())
    .bind(&e.text)
    .bind(e.incident_id)
    .bind(JsonText(&e.attachments))
    .bind(e.corrects)
    .bind(&e.author)
    .bind(&e.author_name)
    .bind(e.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn get_log(db: &Db, id: i64) -> Result<Option<LogEntry>, DbError> {
    sqlx::query("SELECT * FROM duty_log WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(log_from_row)
        .transpose()
}

/// Filter of the log listing.
pub struct LogFilter {
    pub division: String,
    pub shift_id: Option<i64>,
    /// `[from, to)`.
    pub from: Option<UtcText>,
    pub to: Option<UtcText>,
}

/// Entries of one division, oldest first.
pub async fn list_log(db: &Db, f: &LogFilter) -> Result<Vec<LogEntry>, DbError> {
    let mut q = Sql::new("SELECT * FROM duty_log WHERE division = ");
    q.bind(f.division.as_str());
    if let Some(s) = f.shift_id {
        q.push(" AND shift_id = ").bind(s);
    }
    if let Some(from) = &f.from {
        q.push(" AND at >= ").bind(from.text());
    }
    if let Some(to) = &f.to {
        q.push(" AND at < ").bind(to.text());
    }
    q.push(" ORDER BY at, id LIMIT 5000");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(log_from_row)
        .collect()
}

/// Ids of entries that correct the given ones: `(corrected, correcting)`.
pub async fn corrections_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT id, corrects FROM duty_log WHERE corrects IN (");
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            q.push(", ");
        }
        q.bind(*id);
    }
    q.push(") ORDER BY id");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((col::<i64>(r, "corrects")?, col::<i64>(r, "id")?)))
        .collect()
}

/// A user as the roster needs them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DutyUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub division: String,
    pub active: bool,
}

fn user_from_row(r: &AnyRow) -> Result<DutyUser, DbError> {
    Ok(DutyUser {
        id: col(r, "id")?,
        username: col(r, "username")?,
        display_name: col(r, "display_name")?,
        role: col(r, "role")?,
        division: col(r, "division")?,
        active: col::<i64>(r, "active")? != 0,
    })
}

pub async fn user(db: &Db, id: i64) -> Result<Option<DutyUser>, DbError> {
    sqlx::query(
        "SELECT id, username, display_name, role, division, active FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(user_from_row)
    .transpose()
}

/// Active users whose division is inside `prefix` (candidates for a roster).
pub async fn users_under(db: &Db, prefix: &str) -> Result<Vec<DutyUser>, DbError> {
    sqlx::query(
        "SELECT id, username, display_name, role, division, active FROM users WHERE division LIKE $1 AND active = 1 AND role <> 'enterprise' ORDER BY division, id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(user_from_row)
    .collect()
}

impl Versioned for Shift {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_shift(tx, self, read).await
    }
}
