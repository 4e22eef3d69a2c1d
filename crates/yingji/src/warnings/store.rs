//! SQL of warnings (one code path for SQLite and PostgreSQL).

use serde_json::Value;
use sqlx::any::AnyRow;

use super::model::Warning;
use super::WarningState;
use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};

fn corrupt(detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table: "warnings",
        detail: detail.to_string(),
    }
}

fn from_row(r: &AnyRow) -> Result<Warning, DbError> {
    let state: String = col(r, "state")?;
    Ok(Warning {
        id: col(r, "id")?,
        identifier: col(r, "identifier")?,
        hazard: col(r, "hazard")?,
        level: col(r, "level")?,
        msg_type: col(r, "msg_type")?,
        refers_to: col(r, "refers_to")?,
        headline: col(r, "headline")?,
        description: col(r, "description")?,
        instruction: col(r, "instruction")?,
        area: col::<JsonText<_>>(r, "area")?.0,
        area_desc: col(r, "area_desc")?,
        onset_at: col(r, "onset_at")?,
        expires_at: col(r, "expires_at")?,
        exercise: col::<i64>(r, "exercise")? != 0,
        division: col(r, "division")?,
        state: WarningState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
        author: col(r, "author")?,
        approver: col(r, "approver")?,
        note: col(r, "note")?,
        reach: col::<JsonText<Value>>(r, "reach")?.0,
        cap_xml: col(r, "cap_xml")?,
        sent_at: col(r, "sent_at")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

pub async fn insert(tx: &mut Tx, w: &Warning) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO warnings (identifier, hazard, level, msg_type, refers_to, headline, description, instruction, area, area_desc, onset_at, expires_at, exercise, division, state, author, approver, note, reach, cap_xml, sent_at, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, 1) RETURNING id",
    )
    .bind(&w.identifier)
    .bind(&w.hazard)
    .bind(&w.level)
    .bind(&w.msg_type)
    .bind(w.refers_to)
    .bind(&w.headline)
    .bind(&w.description)
    .bind(&w.instruction)
    .bind(JsonText(&w.area))
    .bind(&w.area_desc)
    .bind(w.onset_at)
    .bind(w.expires_at)
    .bind(i64::from(w.exercise))
    .bind(&w.division)
    .bind(w.state.as_str())
    .bind(&w.author)
    .bind(&w.approver)
    .bind(&w.note)
    .bind(JsonText(&w.reach))
    .bind(&w.cap_xml)
    .bind(w.sent_at)
    .bind(w.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write every mutable column if `version` is current.
pub async fn update(tx: &mut Tx, w: &Warning, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE warnings SET identifier = $1, hazard = $2, level = $3, headline = $4, description = $5, instruction = $6, area = $7, area_desc = $8, onset_at = $9, expires_at = $10, exercise = $11, state = $12, approver = $13, note = $14, reach = $15, cap_xml = $16, sent_at = $17, updated_at = $18, version = version + 1 \
         WHERE id = $19 AND version = $20",
    )
    .bind(&w.identifier)
    .bind(&w.hazard)
    .bind(&w.level)
    .bind(&w.headline)
    .bind(&w.description)
    .bind(&w.instruction)
    .bind(JsonText(&w.area))
    .bind(&w.area_desc)
    .bind(w.onset_at)
    .bind(w.expires_at)
    .bind(i64::from(w.exercise))
    .bind(w.state.as_str())
    .bind(&w.approver)
    .bind(&w.note)
    .bind(JsonText(&w.reach))
    .bind(&w.cap_xml)
    .bind(w.sent_at)
    .bind(w.updated_at)
    .bind(w.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Warning>, DbError> {
    sqlx::query("SELECT * FROM warnings WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<Warning>, DbError> {
    sqlx::query("SELECT * FROM warnings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.inner)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_identifier(db: &Db, identifier: &str) -> Result<Option<Warning>, DbError> {
    sqlx::query("SELECT * FROM warnings WHERE identifier = $1")
        .bind(identifier)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Warnings under a division prefix (newest first); `sent_only`: those
/// sent as CAP (the public feed).
pub async fn list(db: &Db, prefix: &str, sent_only: bool) -> Result<Vec<Warning>, DbError> {
    let mut q = Sql::new("SELECT * FROM warnings WHERE division LIKE ");
    q.bind(format!("{prefix}%"));
    if sent_only {
        q.push(" AND sent_at IS NOT NULL");
    }
    q.push(" ORDER BY id DESC LIMIT 200");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// How many messages were sent in the same second (for the identifier's
/// sequence digit).
pub async fn sent_at_count(tx: &mut Tx, sent_at: UtcText) -> Result<i64, DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM warnings WHERE sent_at = $1")
        .bind(sent_at)
        .fetch_one(&mut *tx.inner)
        .await?;
    col(&row, "n")
}

impl Versioned for Warning {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update(tx, self, read).await
    }
}

/// A subscriber as the delivery planner reads it: what its recipients are
/// made of, nothing more.
pub struct PlanSubscriber {
    pub id: i64,
    pub division: String,
    pub lon: f64,
    pub lat: f64,
    pub phone: String,
    pub attrs: serde_json::Map<String, Value>,
}

/// Up to `limit` subscribers under `prefix` with an id above `after`, in id
/// order (one page of the planner's walk; the `(kind, id)` index keeps each
/// page as cheap as the first).
pub async fn subscribers_after(
    db: &Db,
    prefix: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<PlanSubscriber>, DbError> {
    sqlx::query(
        "SELECT id, division, lon, lat, phone, attrs FROM registry_items WHERE kind = 'subscriber' AND id > $1 AND division LIKE $2 ORDER BY id LIMIT $3",
    )
    .bind(after)
    .bind(format!("{prefix}%"))
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(PlanSubscriber {
            id: col(r, "id")?,
            division: col(r, "division")?,
            lon: col(r, "lon")?,
            lat: col(r, "lat")?,
            phone: col(r, "phone")?,
            attrs: col::<JsonText<serde_json::Map<String, Value>>>(r, "attrs")?.0,
        })
    })
    .collect()
}
