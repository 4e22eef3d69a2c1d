//! SQL of plans (one code path for SQLite and PostgreSQL): stored plan
//! versions, evaluations, drills and improvement items, and the catalogue
//! the incident rules match against, loaded from them.
//!
//! A published version never changes: every write of a version names the
//! `draft` status in its `WHERE`, so the store refuses to touch a published
//! row ([`Write::Immutable`]) whatever the caller asks.

use serde::Serialize;
use sqlx::any::AnyRow;
use time::Date;

use super::{
    embedded, with_evaluations, Catalog, Conclusion, Drill, DrillKind, DrillState,
    ImprovementState, Plan, PlanStatus,
};
use crate::db::{col, Db, DbError, Sql, Tx};

fn corrupt(table: &'static str, detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

fn json_text(table: &'static str, v: &impl Serialize) -> Result<String, DbError> {
    serde_json::to_string(v).map_err(|e| corrupt(table, e))
}

fn date_col(table: &'static str, s: &str) -> Result<Date, DbError> {
    parse_date(s).ok_or_else(|| corrupt(table, format!("date {s:?}")))
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    crate::clock::parse_date(s)
}

pub fn format_date(d: Date) -> String {
    d.to_string()
}

/// What became of a write to a plan version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Done,
    /// The row changed since it was read (or does not exist).
    Stale,
    /// The row is published: never written again.
    Immutable,
}

// ── plan versions ──────────────────────────────────────────────────────

/// One stored version of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanVersion {
    pub id: i64,
    pub plan: Plan,
    pub created_by: String,
    pub created_at: String,
    pub published_by: String,
    pub published_at: Option<String>,
    pub updated_at: String,
    /// Row version for optimistic concurrency.
    pub version: i64,
}

fn status_text(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Published => "published",
    }
}

fn version_from_row(r: &AnyRow) -> Result<PlanVersion, DbError> {
    let body: String = col(r, "body")?;
    let mut plan: Plan = serde_json::from_str(&body).map_err(|e| corrupt("plan_versions", e))?;
    let status: String = col(r, "status")?;
    plan.status = match status.as_str() {
        "draft" => PlanStatus::Draft,
        "published" => PlanStatus::Published,
        other => return Err(corrupt("plan_versions", format!("status {other:?}"))),
    };
    plan.code = col(r, "code")?;
    plan.revision =
        u32::try_from(col::<i64>(r, "revision")?).map_err(|e| corrupt("plan_versions", e))?;
    Ok(PlanVersion {
        id: col(r, "id")?,
        plan,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        published_by: col(r, "published_by")?,
        published_at: col(r, "published_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

/// Store a new version (a seed, a new plan's draft or a revision's draft).
pub async fn insert_version(tx: &mut Tx, plan: &Plan, by: &str, at: &str) -> Result<i64, DbError> {
    let published = plan.is_published();
    let row = sqlx::query(
        "INSERT INTO plan_versions (code, revision, status, divisions, body, created_by, created_at, published_by, published_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, 1) RETURNING id",
    )
    .bind(&plan.code)
    .bind(i64::from(plan.revision))
    .bind(status_text(plan.status))
    .bind(json_text("plan_versions", &plan.divisions)?)
    .bind(json_text("plan_versions", plan)?)
    .bind(by)
    .bind(at)
    .bind(if published { by } else { "" })
    .bind(published.then_some(at))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

async fn why_not(tx: &mut Tx, id: i64) -> Result<Write, DbError> {
    let row = sqlx::query("SELECT status FROM plan_versions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.inner)
        .await?;
    Ok(match row {
        Some(r) if col::<String>(&r, "status")? == "published" => Write::Immutable,
        _ => Write::Stale,
    })
}

/// Save a draft's content if it is still a draft at `version`.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    plan: &Plan,
    version: i64,
    at: &str,
) -> Result<Write, DbError> {
    let mut body = plan.clone();
    body.status = PlanStatus::Draft;
    let r = sqlx::query(
        "UPDATE plan_versions SET body = $1, divisions = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status = 'draft'",
    )
    .bind(json_text("plan_versions", &body)?)
    .bind(json_text("plan_versions", &plan.divisions)?)
    .bind(at)
    .bind(id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    if r.rows_affected() == 1 {
        Ok(Write::Done)
    } else {
        why_not(tx, id).await
    }
}

/// Publish a draft (its content as `plan`, already published by the rules).
pub async fn publish(
    tx: &mut Tx,
    id: i64,
    plan: &Plan,
    version: i64,
    by: &str,
    at: &str,
) -> Result<Write, DbError> {
    let r = sqlx::query(
        "UPDATE plan_versions SET status = 'published', body = $1, published_by = $2, published_at = $3, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status = 'draft'",
    )
    .bind(json_text("plan_versions", plan)?)
    .bind(by)
    .bind(at)
    .bind(id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    if r.rows_affected() == 1 {
        Ok(Write::Done)
    } else {
        why_not(tx, id).await
    }
}

/// Every stored version (all codes), by code then revision.
pub async fn all_versions(db: &Db) -> Result<Vec<PlanVersion>, DbError> {
    sqlx::query("SELECT * FROM plan_versions ORDER BY id")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(version_from_row)
        .collect()
}

/// The versions of one plan, oldest first.
pub async fn versions(db: &Db, code: &str) -> Result<Vec<PlanVersion>, DbError> {
    sqlx::query("SELECT * FROM plan_versions WHERE code = $1 ORDER BY revision")
        .bind(code)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(version_from_row)
        .collect()
}

// ── evaluations ────────────────────────────────────────────────────────

/// A recorded evaluation (评估) of a plan version.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub id: i64,
    pub code: String,
    pub revision: i64,
    pub evaluated_on: String,
    pub conclusion: Conclusion,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

fn evaluation_from_row(r: &AnyRow) -> Result<Evaluation, DbError> {
    let c: String = col(r, "conclusion")?;
    Ok(Evaluation {
        id: col(r, "id")?,
        code: col(r, "code")?,
        revision: col(r, "revision")?,
        evaluated_on: col(r, "evaluated_on")?,
        conclusion: Conclusion::parse(&c)
            .ok_or_else(|| corrupt("plan_evaluations", format!("conclusion {c:?}")))?,
        note: col(r, "note")?,
        recorded_by: col(r, "recorded_by")?,
        recorded_at: col(r, "recorded_at")?,
    })
}

pub async fn insert_evaluation(tx: &mut Tx, e: &Evaluation) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO plan_evaluations (code, revision, evaluated_on, conclusion, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&e.code)
    .bind(e.revision)
    .bind(&e.evaluated_on)
    .bind(e.conclusion.as_str())
    .bind(&e.note)
    .bind(&e.recorded_by)
    .bind(&e.recorded_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Evaluations of one plan (`None`: all plans), newest first.
pub async fn evaluations(db: &Db, code: Option<&str>) -> Result<Vec<Evaluation>, DbError> {
    let mut q = Sql::new("SELECT * FROM plan_evaluations");
    if let Some(c) = code {
        q.push(" WHERE code = ").bind(c);
    }
    q.push(" ORDER BY evaluated_on DESC, id DESC");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(evaluation_from_row)
        .collect()
}

// ── drills ─────────────────────────────────────────────────────────────

/// A problem a drill found, and the improvement item it became.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DrillProblem {
    pub title: String,
    pub improvement: Option<i64>,
}

/// A stored drill.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredDrill {
    pub id: i64,
    pub plan: String,
    pub title: String,
    pub kind: DrillKind,
    pub state: DrillState,
    pub planned_on: String,
    pub held_on: Option<String>,
    pub divisions: Vec<String>,
    pub participants: Vec<String>,
    pub people: i64,
    pub evaluation: String,
    pub problems: Vec<DrillProblem>,
    /// Why it was cancelled.
    pub note: String,
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl StoredDrill {
    /// As the rules read it (the drill cycle counts held drills only).
    pub fn as_drill(&self) -> Result<Drill, DbError> {
        Ok(Drill {
            plan: self.plan.clone(),
            title: self.title.clone(),
            kind: self.kind,
            planned_on: date_col("drills", &self.planned_on)?,
            held_on: self
                .held_on
                .as_deref()
                .map(|d| date_col("drills", d))
                .transpose()?,
            divisions: self.divisions.clone(),
            participants: self.participants.clone(),
            people: u32::try_from(self.people).unwrap_or(0),
            evaluation: Some(self.evaluation.clone()).filter(|e| !e.is_empty()),
            problems: self.problems.iter().map(|p| p.title.clone()).collect(),
            source: self.source.clone(),
        })
    }
}

fn kind_text(k: DrillKind) -> &'static str {
    match k {
        DrillKind::Tabletop => "tabletop",
        DrillKind::Live => "live",
        DrillKind::DoubleBlind => "double_blind",
    }
}

pub fn parse_kind(s: &str) -> Option<DrillKind> {
    Some(match s {
        "tabletop" => DrillKind::Tabletop,
        "live" => DrillKind::Live,
        "double_blind" => DrillKind::DoubleBlind,
        _ => return None,
    })
}

fn drill_from_row(r: &AnyRow) -> Result<StoredDrill, DbError> {
    let kind: String = col(r, "kind")?;
    let state: String = col(r, "state")?;
    let list = |k: &str| -> Result<Vec<String>, DbError> {
        serde_json::from_str(&col::<String>(r, k)?).map_err(|e| corrupt("drills", e))
    };
    Ok(StoredDrill {
        id: col(r, "id")?,
        plan: col(r, "plan_code")?,
        title: col(r, "title")?,
        kind: parse_kind(&kind).ok_or_else(|| corrupt("drills", format!("kind {kind:?}")))?,
        state: DrillState::parse(&state)
            .ok_or_else(|| corrupt("drills", format!("state {state:?}")))?,
        planned_on: col(r, "planned_on")?,
        held_on: col(r, "held_on")?,
        divisions: list("divisions")?,
        participants: list("participants")?,
        people: col(r, "people")?,
        evaluation: col(r, "evaluation")?,
        problems: serde_json::from_str(&col::<String>(r, "problems")?)
            .map_err(|e| corrupt("drills", e))?,
        note: col(r, "note")?,
        source: col(r, "source")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

pub async fn insert_drill(tx: &mut Tx, d: &StoredDrill) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO drills (plan_code, title, kind, state, planned_on, held_on, divisions, participants, people, evaluation, problems, note, source, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1) RETURNING id",
    )
    .bind(&d.plan)
    .bind(&d.title)
    .bind(kind_text(d.kind))
    .bind(d.state.as_str())
    .bind(&d.planned_on)
    .bind(&d.held_on)
    .bind(json_text("drills", &d.divisions)?)
    .bind(json_text("drills", &d.participants)?)
    .bind(d.people)
    .bind(&d.evaluation)
    .bind(json_text("drills", &d.problems)?)
    .bind(&d.note)
    .bind(&d.source)
    .bind(&d.created_by)
    .bind(&d.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write every mutable column if `version` is current.
pub async fn update_drill(tx: &mut Tx, d: &StoredDrill, version: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE drills SET title = $1, kind = $2, state = $3, planned_on = $4, held_on = $5, divisions = $6, participants = $7, people = $8, evaluation = $9, problems = $10, note = $11, updated_at = $12, version = version + 1 \
         WHERE id = $13 AND version = $14",
    )
    .bind(&d.title)
    .bind(kind_text(d.kind))
    .bind(d.state.as_str())
    .bind(&d.planned_on)
    .bind(&d.held_on)
    .bind(json_text("drills", &d.divisions)?)
    .bind(json_text("drills", &d.participants)?)
    .bind(d.people)
    .bind(&d.evaluation)
    .bind(json_text("drills", &d.problems)?)
    .bind(&d.note)
    .bind(&d.updated_at)
    .bind(d.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_drill(db: &Db, id: i64) -> Result<Option<StoredDrill>, DbError> {
    sqlx::query("SELECT * FROM drills WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(drill_from_row)
        .transpose()
}

/// Drills of one plan (`None`: all), by planned date.
pub async fn drills(db: &Db, plan: Option<&str>) -> Result<Vec<StoredDrill>, DbError> {
    let mut q = Sql::new("SELECT * FROM drills");
    if let Some(p) = plan {
        q.push(" WHERE plan_code = ").bind(p);
    }
    q.push(" ORDER BY planned_on, id");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(drill_from_row)
        .collect()
}

// ── improvement items ──────────────────────────────────────────────────

/// A stored improvement item (整改事项).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Improvement {
    pub id: i64,
    /// `drill` or `incident`.
    pub source: String,
    pub source_id: i64,
    pub plan_code: String,
    pub division: String,
    pub title: String,
    pub owner_department: String,
    pub due_on: String,
    pub state: ImprovementState,
    pub created_by: String,
    pub created_at: String,
    pub done_by: String,
    pub done_at: Option<String>,
    pub verified_by: String,
    pub verified_at: Option<String>,
    pub updated_at: String,
    pub version: i64,
}

fn improvement_from_row(r: &AnyRow) -> Result<Improvement, DbError> {
    let state: String = col(r, "state")?;
    Ok(Improvement {
        id: col(r, "id")?,
        source: col(r, "source")?,
        source_id: col(r, "source_id")?,
        plan_code: col(r, "plan_code")?,
        division: col(r, "division")?,
        title: col(r, "title")?,
        owner_department: col(r, "owner_department")?,
        due_on: col(r, "due_on")?,
        state: ImprovementState::parse(&state)
            .ok_or_else(|| corrupt("improvements", format!("state {state:?}")))?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        done_by: col(r, "done_by")?,
        done_at: col(r, "done_at")?,
        verified_by: col(r, "verified_by")?,
        verified_at: col(r, "verified_at")?,
        updated_at: col(r, "updated_at")?,
        version: col(r, "version")?,
    })
}

pub async fn insert_improvement(tx: &mut Tx, i: &Improvement) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO improvements (source, source_id, plan_code, division, title, owner_department, due_on, state, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1) RETURNING id",
    )
    .bind(&i.source)
    .bind(i.source_id)
    .bind(&i.plan_code)
    .bind(&i.division)
    .bind(&i.title)
    .bind(&i.owner_department)
    .bind(&i.due_on)
    .bind(i.state.as_str())
    .bind(&i.created_by)
    .bind(&i.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn update_improvement(
    tx: &mut Tx,
    i: &Improvement,
    version: i64,
) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE improvements SET state = $1, done_by = $2, done_at = $3, verified_by = $4, verified_at = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8",
    )
    .bind(i.state.as_str())
    .bind(&i.done_by)
    .bind(&i.done_at)
    .bind(&i.verified_by)
    .bind(&i.verified_at)
    .bind(&i.updated_at)
    .bind(i.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_improvement(db: &Db, id: i64) -> Result<Option<Improvement>, DbError> {
    sqlx::query("SELECT * FROM improvements WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(improvement_from_row)
        .transpose()
}

/// Items under a division prefix, optionally of one source kind
/// (`drill` / `incident`) and source record, by due date.
pub async fn improvements(
    db: &Db,
    prefix: &str,
    source: Option<&str>,
    source_id: Option<i64>,
) -> Result<Vec<Improvement>, DbError> {
    let mut q = Sql::new("SELECT * FROM improvements WHERE division LIKE ");
    q.bind(format!("{prefix}%"));
    if let Some(s) = source {
        q.push(" AND source = ").bind(s);
    }
    if let Some(id) = source_id {
        q.push(" AND source_id = ").bind(id);
    }
    q.push(" ORDER BY due_on, id LIMIT 1000");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(improvement_from_row)
        .collect()
}

// ── seeding and the catalogue ──────────────────────────────────────────

/// Store the embedded catalogue's plans, drills and the drills' problems
/// as improvement items, once (when no plan version is stored yet).
/// Afterwards the database is the truth.
pub async fn ensure_seeded(db: &Db) -> Result<(), DbError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM plan_versions")
        .fetch_one(db.pool())
        .await?;
    if col::<i64>(&row, "n")? > 0 {
        return Ok(());
    }
    let c = embedded().map_err(|e| corrupt("plan_versions", e))?;
    let at = crate::clock::format_time(time::OffsetDateTime::now_utc());
    let mut tx = db.begin().await?;
    for p in &c.plans {
        match insert_version(&mut tx, p, "catalogue", &at).await {
            Ok(_) => {}
            // Another node seeded first.
            Err(e) if e.is_unique_violation() => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    for d in &c.drills {
        let mut s = StoredDrill {
            id: 0,
            plan: d.plan.clone(),
            title: d.title.clone(),
            kind: d.kind,
            state: DrillState::of(d),
            planned_on: format_date(d.planned_on),
            held_on: d.held_on.map(format_date),
            divisions: d.divisions.clone(),
            participants: d.participants.clone(),
            people: i64::from(d.people),
            evaluation: d.evaluation.clone().unwrap_or_default(),
            problems: Vec::new(),
            note: String::new(),
            source: d.source.clone(),
            created_by: "catalogue".into(),
            created_at: at.clone(),
            updated_at: at.clone(),
            version: 1,
        };
        s.id = insert_drill(&mut tx, &s).await?;
        let owner = c.plan(&d.plan).map(|p| p.owner.clone()).unwrap_or_default();
        let held = d.held_on.unwrap_or(d.planned_on);
        for title in &d.problems {
            let item = Improvement {
                id: 0,
                source: "drill".into(),
                source_id: s.id,
                plan_code: d.plan.clone(),
                division: d.divisions.first().cloned().unwrap_or_default(),
                title: title.clone(),
                owner_department: owner.clone(),
                due_on: format_date(super::default_due(held)),
                state: ImprovementState::Open,
                created_by: "catalogue".into(),
                created_at: at.clone(),
                done_by: String::new(),
                done_at: None,
                verified_by: String::new(),
                verified_at: None,
                updated_at: at.clone(),
                version: 1,
            };
            let id = insert_improvement(&mut tx, &item).await?;
            s.problems.push(DrillProblem {
                title: title.clone(),
                improvement: Some(id),
            });
        }
        if !s.problems.is_empty() && !update_drill(&mut tx, &s, 1).await? {
            return Err(corrupt("drills", "seed drill changed while seeding"));
        }
    }
    tx.commit_unjournaled().await
}

/// The catalogue the rules work from: the embedded types, commands,
/// departments and triggers, with the stored plan versions (each review
/// clock reset by the evaluations recorded since) and the stored drills
/// (cancelled ones left out).
pub async fn catalog(db: &Db) -> Result<Catalog, DbError> {
    let base = embedded().map_err(|e| corrupt("plan_versions", e))?;
    let evals = evaluations(db, None).await?;
    let mut plans = Vec::new();
    for v in all_versions(db).await? {
        let dates: Vec<Date> = evals
            .iter()
            .filter(|e| e.code == v.plan.code && e.revision == i64::from(v.plan.revision))
            .filter_map(|e| parse_date(&e.evaluated_on))
            .collect();
        plans.push(with_evaluations(v.plan, &dates));
    }
    let mut ds = Vec::new();
    for d in drills(db, None).await? {
        if d.state != DrillState::Cancelled {
            ds.push(d.as_drill()?);
        }
    }
    Ok(Catalog {
        types: base.types.clone(),
        commands: base.commands.clone(),
        departments: base.departments.clone(),
        plans,
        drills: ds,
        triggers: base.triggers.clone(),
    })
}
/// Insert items and their journal entries (in the caller's transaction).
pub async fn insert_items(
    tx: &mut Tx,
    p: &crate::auth::Principal,
    items: &mut [Improvement],
) -> Result<Vec<crate::journal::NewEntry>, DbError> {
    let mut entries = Vec::new();
    for i in items.iter_mut() {
        i.id = insert_improvement(tx, i).await?;
        entries.push(crate::journal::NewEntry {
            actor: p.username.clone(),
            jurisdiction: i.division.clone(),
            module: "plans",
            entity: "improvement".into(),
            entity_id: i.id.to_string(),
            kind: "improvement_opened",
            payload: serde_json::json!({ "source": i.source, "source_id": i.source_id, "title": i.title, "owner_department": i.owner_department, "due_on": i.due_on }),
        });
    }
    Ok(entries)
}
