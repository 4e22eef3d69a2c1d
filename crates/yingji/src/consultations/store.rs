//! SQL of consultations: the session (optimistic `version`,
//! `db::Versioned`), its invitees and decisions. Invitees and decisions
//! are written only in a change that also saves the session, so the
//! session's version guards them too.

use super::model::{Consultation, Decision, Invitee};
use super::{Attendance, ConsultState, NewDecision, NewInvitee};
use crate::db::{by_id, col, page, write_versioned, Db, DbError, Sql, Tx, UtcText, Versioned};

pub async fn insert(tx: &mut Tx, c: &Consultation) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO consultations (division, incident_id, warning_id, title, place, chair, scheduled_at, state, agenda, minutes, \
         created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id",
    )
    .bind(&c.division)
    .bind(c.incident_id)
    .bind(c.warning_id)
    .bind(&c.title)
    .bind(&c.place)
    .bind(&c.chair)
    .bind(c.scheduled_at)
    .bind(c.state)
    .bind(&c.agenda)
    .bind(&c.minutes)
    .bind(&c.created_by)
    .bind(c.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for Consultation {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let update = sqlx::query(
            "UPDATE consultations SET title = $1, place = $2, chair = $3, scheduled_at = $4, state = $5, agenda = $6, minutes = $7, \
             started_at = $8, closed_at = $9, cancel_reason = $10, updated_at = $11, version = version + 1 WHERE id = $12 AND version = $13",
        )
        .bind(&self.title)
        .bind(&self.place)
        .bind(&self.chair)
        .bind(self.scheduled_at)
        .bind(self.state)
        .bind(&self.agenda)
        .bind(&self.minutes)
        .bind(self.started_at)
        .bind(self.closed_at)
        .bind(&self.cancel_reason)
        .bind(self.updated_at);
        write_versioned(tx, update, self.id, read).await
    }
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Consultation>, DbError> {
    by_id(db, "consultations", id).await
}

pub async fn invitees(db: &Db, id: i64) -> Result<Vec<Invitee>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM consultation_invitees WHERE consultation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?,
    )
}

pub async fn decisions(db: &Db, id: i64) -> Result<Vec<Decision>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM consultation_decisions WHERE consultation_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn insert_invitee(tx: &mut Tx, id: i64, i: &NewInvitee) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO consultation_invitees (consultation_id, kind, record_id, name, organisation, position, division, attendance) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(id)
    .bind(&i.kind)
    .bind(i.record_id)
    .bind(&i.name)
    .bind(&i.organisation)
    .bind(&i.position)
    .bind(&i.division)
    .bind(Attendance::Invited)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn delete_invitee(tx: &mut Tx, id: i64, invitee: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM consultation_invitees WHERE consultation_id = $1 AND id = $2")
        .bind(id)
        .bind(invitee)
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

pub async fn mark(
    tx: &mut Tx,
    id: i64,
    invitee: i64,
    a: Attendance,
    by: &str,
    at: UtcText,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE consultation_invitees SET attendance = $1, marked_at = $2, marked_by = $3 WHERE consultation_id = $4 AND id = $5",
    )
    .bind(a)
    .bind(at)
    .bind(by)
    .bind(id)
    .bind(invitee)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

pub async fn insert_decision(
    tx: &mut Tx,
    id: i64,
    d: &NewDecision,
    by: &str,
    at: UtcText,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO consultation_decisions (consultation_id, seq, text, assignee_kind, assignee, due_minutes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(id)
    .bind(d.seq)
    .bind(&d.text)
    .bind(&d.assignee_kind)
    .bind(&d.assignee)
    .bind(d.due_minutes)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Remember the instruction a decision became (only once: a decision
/// already linked is not written again, and the caller's change fails).
pub async fn link_instruction(
    tx: &mut Tx,
    decision: i64,
    instruction: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE consultation_decisions SET instruction_id = $1 WHERE id = $2 AND instruction_id IS NULL",
    )
    .bind(instruction)
    .bind(decision)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filter of the listing.
#[derive(Default)]
pub struct Filter {
    pub state: Option<ConsultState>,
    pub incident_id: Option<i64>,
    pub warning_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// One page of the sessions of divisions in `prefix` (latest scheduled
/// first) and how many match.
pub async fn list(db: &Db, prefix: &str, f: &Filter) -> Result<(Vec<Consultation>, i64), DbError> {
    page(
        db,
        "consultations",
        "scheduled_at DESC, id DESC",
        (f.limit, f.offset),
        |q: &mut Sql| {
            q.push("division LIKE ").bind(format!("{prefix}%"));
            if let Some(s) = f.state {
                q.push(" AND state = ").bind(s.as_str());
            }
            if let Some(i) = f.incident_id {
                q.push(" AND incident_id = ").bind(i);
            }
            if let Some(w) = f.warning_id {
                q.push(" AND warning_id = ").bind(w);
            }
        },
    )
    .await
}
