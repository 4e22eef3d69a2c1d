//! SQL of supervision: risk points and hidden hazards, both with an
//! optimistic `version` (`db::Versioned`). A hazard is never deleted: the
//! store has no DELETE for it.

use std::collections::HashMap;

pub use super::model::{Hazard, RiskPoint};
use super::{HazardGrade, HazardState, RiskLevel};
use crate::db::{by_id, col, write_versioned, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};

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
    let update = sqlx::query(
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
    .bind(r.updated_at);
    write_versioned(tx, update, r.id, read).await
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
    by_id(db, "risk_points", id).await
}

/// Which records a listing may show: the jurisdiction's prefix and, for an
/// enterprise user, their organisation.
pub struct Scoped<'a> {
    pub prefix: &'a str,
    pub org: Option<&'a str>,
}

/// The start of every listing of this module: `SELECT * FROM table` of the
/// scope and, when asked, of one enterprise (`table` a constant, never input).
fn listing(table: &str, s: &Scoped, enterprise_id: Option<i64>) -> Sql {
    let mut q = Sql::new(&format!("SELECT * FROM {table} WHERE "));
    scoped(&mut q, s, enterprise_id);
    q
}

/// `division LIKE prefix% [AND org = …] [AND enterprise_id = …]`.
fn scoped(q: &mut Sql, s: &Scoped, enterprise_id: Option<i64>) {
    q.push("division LIKE ").bind(format!("{}%", s.prefix));
    if let Some(org) = s.org {
        q.push(" AND org = ").bind(org);
    }
    if let Some(e) = enterprise_id {
        q.push(" AND enterprise_id = ").bind(e);
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
    let mut q = listing("risk_points", s, f.enterprise_id);
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
    let update = sqlx::query(
        "UPDATE hazards SET grade = $1, state = $2, confirmed_by = $3, confirmed_at = $4, measures = $5, funds_yuan = $6, \
         responsible = $7, contingency = $8, deadline = $9, due_at = $10, listed_division = $11, listed_by = $12, listed_at = $13, \
         listing_note = $14, rectification_report = $15, rectified_by = $16, rectified_at = $17, verified_by = $18, verified_at = $19, \
         verification_note = $20, returned_count = $21, return_reason = $22, closed_by = $23, closed_at = $24, updated_at = $25, \
         escalations = $26, escalated_at = $27, version = version + 1 WHERE id = $28 AND version = $29",
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
    .bind(h.escalations)
    .bind(h.escalated_at);
    write_versioned(tx, update, h.id, read).await
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
    by_id(db, "hazards", id).await
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
    scoped(q, s, f.enterprise_id);
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
    crate::db::page(
        db,
        "hazards",
        "reported_at DESC, id DESC",
        (f.limit, f.offset),
        |q| hazard_where(q, s, f),
    )
    .await
}

/// The names of enterprises by id (registry records of kind `enterprise`).
pub async fn enterprise_names(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>, DbError> {
    crate::registry::store::names(db, "enterprise", ids).await
}

// ── major hazard sources (GB 18218) ───────────────────────────────────

use super::inspections::InspectionState;
use super::major::MajorGrade;
pub use super::model::{Finding, HazardUnit, Inspection, InspectionDraw};

pub async fn insert_unit(tx: &mut Tx, u: &HazardUnit) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO hazard_units (enterprise_id, division, org, name, unit_kind, hazard_source_id, holdings, exposed_people, \
         s_value, r_value, grade, note, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1) RETURNING id",
    )
    .bind(u.enterprise_id)
    .bind(&u.division)
    .bind(&u.org)
    .bind(&u.name)
    .bind(u.unit_kind)
    .bind(u.hazard_source_id)
    .bind(JsonText(&u.holdings.0))
    .bind(u.exposed_people)
    .bind(u.s_value)
    .bind(u.r_value)
    .bind(u.grade)
    .bind(&u.note)
    .bind(&u.created_by)
    .bind(u.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for HazardUnit {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let update = sqlx::query(
            "UPDATE hazard_units SET name = $1, unit_kind = $2, hazard_source_id = $3, holdings = $4, exposed_people = $5, \
             s_value = $6, r_value = $7, grade = $8, note = $9, updated_at = $10, version = version + 1 \
             WHERE id = $11 AND version = $12",
        )
        .bind(&self.name)
        .bind(self.unit_kind)
        .bind(self.hazard_source_id)
        .bind(JsonText(&self.holdings.0))
        .bind(self.exposed_people)
        .bind(self.s_value)
        .bind(self.r_value)
        .bind(self.grade)
        .bind(&self.note)
        .bind(self.updated_at);
        write_versioned(tx, update, self.id, read).await
    }
}

pub async fn get_unit(db: &Db, id: i64) -> Result<Option<HazardUnit>, DbError> {
    by_id(db, "hazard_units", id).await
}

/// Filter of the unit listing.
#[derive(Default)]
pub struct UnitFilter {
    pub enterprise_id: Option<i64>,
    pub grade: Option<MajorGrade>,
    /// Only major hazard sources (S ≥ 1).
    pub major: Option<bool>,
}

pub async fn units(db: &Db, s: &Scoped<'_>, f: &UnitFilter) -> Result<Vec<HazardUnit>, DbError> {
    let mut q = listing("hazard_units", s, f.enterprise_id);
    if let Some(g) = f.grade {
        q.push(" AND grade = ").bind(g.as_str());
    }
    match f.major {
        Some(true) => {
            q.push(" AND grade IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND grade IS NULL");
        }
        None => {}
    }
    q.push(" ORDER BY r_value DESC, id LIMIT 2000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

// ── inspections (双随机) ───────────────────────────────────────────────

/// The enterprise pool of a draw: active enterprises under `prefix`
/// (optionally of one industry), ids ascending.
pub async fn enterprise_pool(db: &Db, prefix: &str, industry: &str) -> Result<Vec<i64>, DbError> {
    let mut q = Sql::new("SELECT id FROM registry_items WHERE kind = 'enterprise' AND status <> 'inactive' AND division LIKE ");
    q.bind(format!("{prefix}%"));
    if !industry.is_empty() {
        q.push(" AND category = ").bind(industry);
    }
    q.push(" ORDER BY id");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| col::<i64>(r, "id"))
        .collect()
}

/// For each enterprise, the inspectors of its latest inspection.
pub async fn last_inspectors(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::BTreeMap<i64, Vec<String>>, DbError> {
    let mut out = std::collections::BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q =
        Sql::new("SELECT enterprise_id, inspectors FROM inspections WHERE enterprise_id IN (");
    q.bind_list(ids.iter().copied()).push(") ORDER BY id");
    for r in q.query().fetch_all(db.pool()).await? {
        let e: i64 = col(&r, "enterprise_id")?;
        let who: JsonText<Vec<String>> = col(&r, "inspectors")?;
        out.insert(e, who.0);
    }
    Ok(out)
}

pub async fn insert_draw(tx: &mut Tx, d: &InspectionDraw) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO inspection_draws (division, title, industry, input, result, planned_on, drawn_by, drawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&d.division)
    .bind(&d.title)
    .bind(&d.industry)
    .bind(JsonText(&d.input.0))
    .bind(JsonText(&d.result.0))
    .bind(&d.planned_on)
    .bind(&d.drawn_by)
    .bind(d.drawn_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn get_draw(db: &Db, id: i64) -> Result<Option<InspectionDraw>, DbError> {
    by_id(db, "inspection_draws", id).await
}

/// Draws made under `prefix`, newest first.
pub async fn draws(db: &Db, prefix: &str) -> Result<Vec<InspectionDraw>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM inspection_draws WHERE division LIKE $1 ORDER BY id DESC LIMIT 500",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?)
}

pub async fn insert_inspection(tx: &mut Tx, i: &Inspection) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO inspections (draw_id, enterprise_id, division, org, inspectors, state, planned_on, summary, created_by, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $9, 1) RETURNING id",
    )
    .bind(i.draw_id)
    .bind(i.enterprise_id)
    .bind(&i.division)
    .bind(&i.org)
    .bind(JsonText(&i.inspectors.0))
    .bind(i.state)
    .bind(&i.planned_on)
    .bind(&i.created_by)
    .bind(i.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for Inspection {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let update = sqlx::query(
            "UPDATE inspections SET state = $1, started_at = $2, finished_at = $3, summary = $4, updated_at = $5, \
             template_id = $6, checks = $7, version = version + 1 WHERE id = $8 AND version = $9",
        )
        .bind(self.state)
        .bind(self.started_at)
        .bind(self.finished_at)
        .bind(&self.summary)
        .bind(self.updated_at)
        .bind(self.template_id)
        .bind(JsonText(&self.checks.0));
        write_versioned(tx, update, self.id, read).await
    }
}

pub async fn get_inspection(db: &Db, id: i64) -> Result<Option<Inspection>, DbError> {
    by_id(db, "inspections", id).await
}

/// Filter of the inspection listing.
#[derive(Default)]
pub struct InspectionFilter {
    pub state: Option<InspectionState>,
    pub draw_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

pub async fn inspections(
    db: &Db,
    s: &Scoped<'_>,
    f: &InspectionFilter,
) -> Result<Vec<Inspection>, DbError> {
    let mut q = listing("inspections", s, f.enterprise_id);
    if let Some(st) = f.state {
        q.push(" AND state = ").bind(st.as_str());
    }
    if let Some(d) = f.draw_id {
        q.push(" AND draw_id = ").bind(d);
    }
    q.push(" ORDER BY planned_on DESC, id DESC LIMIT 2000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

pub async fn insert_finding(tx: &mut Tx, f: &Finding) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO inspection_findings (inspection_id, enterprise_id, division, org, title, description, location, basis, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(f.inspection_id)
    .bind(f.enterprise_id)
    .bind(&f.division)
    .bind(&f.org)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.location)
    .bind(&f.basis)
    .bind(&f.created_by)
    .bind(f.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn findings(db: &Db, inspection_id: i64) -> Result<Vec<Finding>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM inspection_findings WHERE inspection_id = $1 ORDER BY id")
            .bind(inspection_id)
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn get_finding(db: &Db, id: i64) -> Result<Option<Finding>, DbError> {
    by_id(db, "inspection_findings", id).await
}

/// Link a finding to the hazard made of it, once (false: it already has one).
pub async fn set_finding_hazard(tx: &mut Tx, id: i64, hazard_id: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE inspection_findings SET hazard_id = $1 WHERE id = $2 AND hazard_id IS NULL",
    )
    .bind(hazard_id)
    .bind(id)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ── statistics ─────────────────────────────────────────────────────────

/// `(division, key, count)` of a GROUP BY over `table` under `prefix`,
/// the division cut to `len` characters (`extra` may use `at` as $2), (a county's or a township's code
/// prefix is a fixed length of the 12-digit code).
pub async fn grouped(
    db: &Db,
    table: &str,
    key: &str,
    prefix: &str,
    extra: &str,
    at: Option<&str>,
    len: usize,
) -> Result<Vec<(String, String, i64)>, DbError> {
    // `table`, `key` and `extra` are this module's constants, never input.
    let q = format!(
        "SELECT SUBSTR(division, 1, {len}) AS d, COALESCE({key}, '') AS k, COUNT(*) AS n FROM {table} \
         WHERE division LIKE $1{extra} GROUP BY SUBSTR(division, 1, {len}), COALESCE({key}, '')"
    );
    let mut query = sqlx::query(&q).bind(format!("{prefix}%"));
    if let Some(at) = at {
        query = query.bind(at.to_string());
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((col(r, "d")?, col(r, "k")?, col(r, "n")?)))
        .collect()
}

/// `(division, enterprise_id, level)` of every assessed risk point under
/// `prefix` (an enterprise's colour is its highest level).
pub async fn risk_levels(db: &Db, prefix: &str) -> Result<Vec<(String, i64, RiskLevel)>, DbError> {
    sqlx::query("SELECT division, enterprise_id, level FROM risk_points WHERE division LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                col(r, "division")?,
                col(r, "enterprise_id")?,
                col(r, "level")?,
            ))
        })
        .collect()
}

/// 重大 hazards being rectified past their deadline at `at` under `prefix`
/// (the escalation scan and the attention list), most overdue first.
pub async fn overdue_major(db: &Db, prefix: &str, at: UtcText) -> Result<Vec<Hazard>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM hazards WHERE state = 'rectifying' AND grade = 'major' AND due_at <= $1 \
         AND division LIKE $2 ORDER BY due_at, id",
    )
    .bind(at.text())
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?)
}

/// Per enterprise under the scope (with a position): its name, where it
/// is, and how many risk points it has of each level — the four-colour
/// map (`/supervision/risk-map`).
pub async fn risk_map(
    db: &Db,
    s: &Scoped<'_>,
) -> Result<Vec<(i64, String, f64, f64, RiskLevel, i64)>, DbError> {
    let mut q = Sql::new(
        "SELECT r.enterprise_id AS id, e.name AS name, e.lon AS lon, e.lat AS lat, r.level AS level, COUNT(*) AS n \
         FROM risk_points r JOIN registry_items e ON e.id = r.enterprise_id WHERE e.lon IS NOT NULL AND e.lat IS NOT NULL AND r.division LIKE ",
    );
    q.bind(format!("{}%", s.prefix));
    if let Some(org) = s.org {
        q.push(" AND r.org = ").bind(org);
    }
    q.push(" GROUP BY r.enterprise_id, e.name, e.lon, e.lat, r.level ORDER BY r.enterprise_id");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                col(r, "id")?,
                col(r, "name")?,
                col(r, "lon")?,
                col(r, "lat")?,
                col(r, "level")?,
                col(r, "n")?,
            ))
        })
        .collect()
}

// ── check lists (检查表) ───────────────────────────────────────────────

pub use super::model::CheckTemplate;

pub async fn insert_template(tx: &mut Tx, t: &CheckTemplate) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO check_templates (division, industry, title, items, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 1) RETURNING id",
    )
    .bind(&t.division)
    .bind(&t.industry)
    .bind(&t.title)
    .bind(JsonText(&t.items.0))
    .bind(&t.created_by)
    .bind(t.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for CheckTemplate {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let update = sqlx::query(
            "UPDATE check_templates SET industry = $1, title = $2, items = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&self.industry)
        .bind(&self.title)
        .bind(JsonText(&self.items.0))
        .bind(self.updated_at);
        write_versioned(tx, update, self.id, read).await
    }
}

pub async fn get_template(db: &Db, id: i64) -> Result<Option<CheckTemplate>, DbError> {
    by_id(db, "check_templates", id).await
}

/// Every template (they are few: a handful per division), by title.
pub async fn templates(db: &Db) -> Result<Vec<CheckTemplate>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM check_templates ORDER BY industry, title, id LIMIT 5000")
            .fetch_all(db.pool())
            .await?,
    )
}
