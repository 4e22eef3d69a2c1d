//! SQL of supervision: risk points and hidden hazards, both with an
//! optimistic `version` (`db::Versioned`). A hazard is never deleted: the
//! store has no DELETE for it.

use std::collections::HashMap;

pub use super::model::{Hazard, RiskPoint};
use super::{HazardGrade, HazardState, RiskLevel};
use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};

// ── risk points ────────────────────────────────────────────────────────

pub async fn insert_risk_point(tx: &mut Tx, r: &RiskPoint) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO risk_points (enterprise_id, division, org, name, location, hazard_factors, assessment, score, level, measures, \
         assessed_on, next_assessment_on, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1) RETURNING id",
    )
    .bind(r.enterprise_id)
    .bind(&r.division)
    .bind(&r.org)
    .bind(&r.name)
    .bind(&r.location)
    .bind(&r.hazard_factors)
    .bind(JsonText(&r.assessment.0))
    .bind(r.score)
    .bind(r.level)
    .bind(&r.measures)
    .bind(&r.assessed_on)
    .bind(&r.next_assessment_on)
    .bind(&r.created_by)
    .bind(r.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn update_risk_point(tx: &mut Tx, r: &RiskPoint, read: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE risk_points SET name = $1, location = $2, hazard_factors = $3, assessment = $4, score = $5, level = $6, measures = $7, \
         assessed_on = $8, next_assessment_on = $9, updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
    )
    .bind(&r.name)
    .bind(&r.location)
    .bind(&r.hazard_factors)
    .bind(JsonText(&r.assessment.0))
    .bind(r.score)
    .bind(r.level)
    .bind(&r.measures)
    .bind(&r.assessed_on)
    .bind(&r.next_assessment_on)
    .bind(r.updated_at)
    .bind(r.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Versioned for RiskPoint {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_risk_point(tx, self, read).await
    }
}

pub async fn get_risk_point(db: &Db, id: i64) -> Result<Option<RiskPoint>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM risk_points WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Which records a listing may show: the jurisdiction's prefix and, for an
/// enterprise user, their organisation.
pub struct Scoped<'a> {
    pub prefix: &'a str,
    pub org: Option<&'a str>,
}

fn scoped(q: &mut Sql, s: &Scoped) {
    q.bind(format!("{}%", s.prefix));
    if let Some(org) = s.org {
        q.push(" AND org = ").bind(org);
    }
}

/// Filter of the risk-point listing.
#[derive(Default)]
pub struct RiskFilter {
    pub enterprise_id: Option<i64>,
    pub level: Option<RiskLevel>,
}

pub async fn risk_points(
    db: &Db,
    s: &Scoped<'_>,
    f: &RiskFilter,
) -> Result<Vec<RiskPoint>, DbError> {
    let mut q = Sql::new("SELECT * FROM risk_points WHERE division LIKE ");
    scoped(&mut q, s);
    if let Some(e) = f.enterprise_id {
        q.push(" AND enterprise_id = ").bind(e);
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").bind(l.as_str());
    }
    q.push(" ORDER BY enterprise_id, score DESC, id LIMIT 2000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

// ── hazards ────────────────────────────────────────────────────────────

pub async fn insert_hazard(tx: &mut Tx, h: &Hazard) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO hazards (enterprise_id, division, org, title, description, location, source, grade, state, reported_by, reported_at, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11, 1) RETURNING id",
    )
    .bind(h.enterprise_id)
    .bind(&h.division)
    .bind(&h.org)
    .bind(&h.title)
    .bind(&h.description)
    .bind(&h.location)
    .bind(h.source)
    .bind(h.grade)
    .bind(h.state)
    .bind(&h.reported_by)
    .bind(h.reported_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write every mutable column if `read` is current (then version + 1).
pub async fn update_hazard(tx: &mut Tx, h: &Hazard, read: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE hazards SET grade = $1, state = $2, confirmed_by = $3, confirmed_at = $4, measures = $5, funds_yuan = $6, \
         responsible = $7, contingency = $8, deadline = $9, due_at = $10, listed_division = $11, listed_by = $12, listed_at = $13, \
         listing_note = $14, rectification_report = $15, rectified_by = $16, rectified_at = $17, verified_by = $18, verified_at = $19, \
         verification_note = $20, returned_count = $21, return_reason = $22, closed_by = $23, closed_at = $24, updated_at = $25, \
         version = version + 1 WHERE id = $26 AND version = $27",
    )
    .bind(h.grade)
    .bind(h.state)
    .bind(&h.confirmed_by)
    .bind(h.confirmed_at)
    .bind(&h.measures)
    .bind(h.funds_yuan)
    .bind(&h.responsible)
    .bind(&h.contingency)
    .bind(&h.deadline)
    .bind(h.due_at)
    .bind(&h.listed_division)
    .bind(&h.listed_by)
    .bind(h.listed_at)
    .bind(&h.listing_note)
    .bind(&h.rectification_report)
    .bind(&h.rectified_by)
    .bind(h.rectified_at)
    .bind(&h.verified_by)
    .bind(h.verified_at)
    .bind(&h.verification_note)
    .bind(h.returned_count)
    .bind(&h.return_reason)
    .bind(&h.closed_by)
    .bind(h.closed_at)
    .bind(h.updated_at)
    .bind(h.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Versioned for Hazard {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_hazard(tx, self, read).await
    }
}

pub async fn get_hazard(db: &Db, id: i64) -> Result<Option<Hazard>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM hazards WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Filter of the hazard listing.
#[derive(Default)]
pub struct HazardFilter {
    pub enterprise_id: Option<i64>,
    pub state: Option<HazardState>,
    /// Still open (not closed).
    pub open: bool,
    pub grade: Option<HazardGrade>,
    /// Overdue at this instant (being rectified past its deadline; the same
    /// rule as `supervision::overdue`).
    pub overdue_at: Option<UtcText>,
    pub listed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

fn hazard_where(q: &mut Sql, s: &Scoped, f: &HazardFilter) {
    scoped(q, s);
    if let Some(e) = f.enterprise_id {
        q.push(" AND enterprise_id = ").bind(e);
    }
    if let Some(st) = f.state {
        q.push(" AND state = ").bind(st.as_str());
    }
    if f.open {
        q.push(" AND state <> 'closed'");
    }
    if let Some(g) = f.grade {
        q.push(" AND grade = ").bind(g.as_str());
    }
    if let Some(at) = &f.overdue_at {
        q.push(" AND state = 'rectifying' AND due_at <= ")
            .bind(at.text());
    }
    match f.listed {
        Some(true) => {
            q.push(" AND listed_division <> ''");
        }
        Some(false) => {
            q.push(" AND listed_division = ''");
        }
        None => {}
    }
}

/// One page of hazards (newest report first) and how many match.
pub async fn hazards(
    db: &Db,
    s: &Scoped<'_>,
    f: &HazardFilter,
) -> Result<(Vec<Hazard>, i64), DbError> {
    let mut q = Sql::new("SELECT * FROM hazards WHERE division LIKE ");
    hazard_where(&mut q, s, f);
    q.push(" ORDER BY reported_at DESC, id DESC LIMIT ")
        .bind(f.limit.clamp(1, 500))
        .push(" OFFSET ")
        .bind(f.offset.max(0));
    let items = q.query_as().fetch_all(db.pool()).await?;
    let mut c = Sql::new("SELECT COUNT(*) AS n FROM hazards WHERE division LIKE ");
    hazard_where(&mut c, s, f);
    let total: i64 = col(&c.query().fetch_one(db.pool()).await?, "n")?;
    Ok((items, total))
}

/// The names of enterprises by id (registry records of kind `enterprise`).
pub async fn enterprise_names(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>, DbError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q =
        Sql::new("SELECT id, name FROM registry_items WHERE kind = 'enterprise' AND id IN (");
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            q.push(", ");
        }
        q.bind(*id);
    }
    q.push(")");
    for r in q.query().fetch_all(db.pool()).await? {
        out.insert(col::<i64>(&r, "id")?, col::<String>(&r, "name")?);
    }
    Ok(out)
}
