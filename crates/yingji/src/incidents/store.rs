//! SQL of incidents, their instructions and dispatch orders (one code path
//! for SQLite and PostgreSQL). Updates are optimistic: they name the version
//! they read and change nothing when it is stale.

use sqlx::any::AnyRow;

use super::IncidentState;
use crate::db::{col, Db, DbError, Sql, Tx, Versioned};
use crate::plans::{Facts, Level};

pub use super::model::{Incident, Instruction, Order};

fn corrupt(table: &'static str, detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

fn level_col(s: &str) -> Result<Option<Level>, DbError> {
    if s.is_empty() {
        return Ok(None);
    }
    Level::parse(s)
        .map(Some)
        .ok_or_else(|| corrupt("incidents", format!("level {s:?}")))
}

fn level_text(l: Option<Level>) -> String {
    l.map(|l| l.numeral().to_string()).unwrap_or_default()
}

fn incident_from_row(r: &AnyRow) -> Result<Incident, DbError> {
    let facts: String = col(r, "facts")?;
    let state: String = col(r, "state")?;
    let level = level_col(&col::<String>(r, "response_level")?)?;
    Ok(Incident {
        id: col(r, "id")?,
        title: col(r, "title")?,
        incident_type: col(r, "incident_type")?,
        division: col(r, "division")?,
        lon: col(r, "lon")?,
        lat: col(r, "lat")?,
        address: col(r, "address")?,
        onset_at: col(r, "onset_at")?,
        received_at: col(r, "received_at")?,
        source: col(r, "source")?,
        reporter: col(r, "reporter")?,
        reporter_phone: col(r, "reporter_phone")?,
        facts: serde_json::from_str(&facts).map_err(|e| corrupt("incidents", e))?,
        description: col(r, "description")?,
        attachments: serde_json::from_str(&col::<String>(r, "attachments")?)
            .map_err(|e| corrupt("incidents", e))?,
        state: IncidentState::from_parts(&state, level)
            .ok_or_else(|| corrupt("incidents", format!("state {state:?}")))?,
        grade: level_col(&col::<String>(r, "grade")?)?,
        plan_code: col(r, "plan_code")?,
        plan_revision: col(r, "plan_revision")?,
        helped_at: col(r, "helped_at")?,
        ended_at: col(r, "ended_at")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

fn facts_text(f: &Facts) -> Result<String, DbError> {
    serde_json::to_string(f).map_err(|e| corrupt("incidents", e))
}

pub async fn insert_incident(tx: &mut Tx, i: &Incident) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO incidents (title, incident_type, division, lon, lat, address, onset_at, received_at, source, reporter, reporter_phone, facts, description, state, grade, response_level, plan_code, helped_at, ended_at, created_by, created_at, updated_at, version, attachments, plan_revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, 1, $22, $23) RETURNING id",
    )
    .bind(&i.title)
    .bind(&i.incident_type)
    .bind(&i.division)
    .bind(i.lon)
    .bind(i.lat)
    .bind(&i.address)
    .bind(i.onset_at)
    .bind(i.received_at)
    .bind(&i.source)
    .bind(&i.reporter)
    .bind(&i.reporter_phone)
    .bind(facts_text(&i.facts)?)
    .bind(&i.description)
    .bind(i.state.as_str())
    .bind(level_text(i.grade))
    .bind(level_text(i.state.level()))
    .bind(&i.plan_code)
    .bind(i.helped_at)
    .bind(i.ended_at)
    .bind(&i.created_by)
    .bind(i.created_at)
    .bind(serde_json::to_string(&i.attachments).map_err(|e| corrupt("incidents", e))?)
    .bind(i.plan_revision)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write the mutable columns if `version` is current (then version + 1).
pub async fn update_incident(tx: &mut Tx, i: &Incident, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE incidents SET facts = $1, description = $2, state = $3, grade = $4, response_level = $5, plan_code = $6, helped_at = $7, ended_at = $8, updated_at = $9, plan_revision = $12, lon = $13, lat = $14, address = $15, version = version + 1 \
         WHERE id = $10 AND version = $11",
    )
    .bind(facts_text(&i.facts)?)
    .bind(&i.description)
    .bind(i.state.as_str())
    .bind(level_text(i.grade))
    .bind(level_text(i.state.level()))
    .bind(&i.plan_code)
    .bind(i.helped_at)
    .bind(i.ended_at)
    .bind(i.updated_at)
    .bind(i.id)
    .bind(version)
    .bind(i.plan_revision)
    .bind(i.lon)
    .bind(i.lat)
    .bind(&i.address)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_incident(db: &Db, id: i64) -> Result<Option<Incident>, DbError> {
    sqlx::query("SELECT * FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(incident_from_row)
        .transpose()
}

/// Incidents under a division prefix, newest first.
pub async fn list_incidents(
    db: &Db,
    prefix: &str,
    active_only: bool,
) -> Result<Vec<Incident>, DbError> {
    let mut q = Sql::new("SELECT * FROM incidents WHERE division LIKE ");
    q.bind(format!("{prefix}%"));
    if active_only {
        q.push(" AND state IN ('reported', 'verified', 'graded', 'responding')");
    }
    q.push(" ORDER BY id DESC LIMIT 500");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(incident_from_row)
        .collect()
}

pub async fn insert_instruction(tx: &mut Tx, i: &Instruction) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO instructions (incident_id, division, assignee_kind, assignee, task, due_at, state, issued_by, issued_at, feedback, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]', 1) RETURNING id",
    )
    .bind(i.incident_id)
    .bind(&i.division)
    .bind(&i.assignee_kind)
    .bind(&i.assignee)
    .bind(&i.task)
    .bind(i.due_at)
    .bind(i.state)
    .bind(&i.issued_by)
    .bind(i.issued_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn update_instruction(
    tx: &mut Tx,
    i: &Instruction,
    version: i64,
) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE instructions SET state = $1, received_at = $2, feedback = $3, closed_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(i.state)
    .bind(i.received_at)
    .bind(&i.feedback)
    .bind(i.closed_at)
    .bind(i.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_instruction(db: &Db, id: i64) -> Result<Option<Instruction>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM instructions WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn instructions(db: &Db, incident_id: i64) -> Result<Vec<Instruction>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM instructions WHERE incident_id = $1 ORDER BY id")
            .bind(incident_id)
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn insert_order(tx: &mut Tx, o: &Order) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO dispatch_orders (incident_id, division, resource_kind, resource_id, resource_name, state, requested_by, requested_at, steps, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '[]', 1) RETURNING id",
    )
    .bind(o.incident_id)
    .bind(&o.division)
    .bind(&o.resource_kind)
    .bind(o.resource_id)
    .bind(&o.resource_name)
    .bind(o.state)
    .bind(&o.requested_by)
    .bind(o.requested_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn update_order(tx: &mut Tx, o: &Order, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE dispatch_orders SET state = $1, approved_by = $2, steps = $3, version = version + 1 WHERE id = $4 AND version = $5",
    )
    .bind(o.state)
    .bind(&o.approved_by)
    .bind(&o.steps)
    .bind(o.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_order(db: &Db, id: i64) -> Result<Option<Order>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM dispatch_orders WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn orders(db: &Db, incident_id: i64) -> Result<Vec<Order>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM dispatch_orders WHERE incident_id = $1 ORDER BY id")
            .bind(incident_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Open orders of one resource (not yet returned or cancelled).
pub async fn open_orders_of(tx: &mut Tx, kind: &str, id: i64) -> Result<i64, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM dispatch_orders WHERE resource_kind = $1 AND resource_id = $2 AND state IN ('requested', 'approved', 'departed', 'arrived')",
    )
    .bind(kind)
    .bind(id)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "n")
}

impl Versioned for Incident {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_incident(tx, self, read).await
    }
}

impl Versioned for Instruction {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_instruction(tx, self, read).await
    }
}

impl Versioned for Order {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_order(tx, self, read).await
    }
}
