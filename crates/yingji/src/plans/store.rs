//! SQL of plans (one code path for SQLite and PostgreSQL): stored plan
//! versions, evaluations, drills and improvement items, and the catalogue
//! the incident rules match against, loaded from them.
//!
//! A published version never changes: every write of a version names the
//! `draft` status in its `WHERE`, so the store refuses to touch a published
//! row ([`update_version`] writes nothing) whatever the caller asks.

use time::Date;

use super::model::VersionRow;
pub use super::model::{
    DrillProblem, Evaluation, Improvement, PlanVersion, StoredDrill, VersionStamp,
};
use super::{embedded, with_evaluations, Catalog, DrillKind, DrillState, ImprovementState, Plan};
use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText, Versioned};

fn corrupt(table: &'static str, detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    crate::clock::parse_date(s)
}

pub fn format_date(d: Date) -> String {
    d.to_string()
}

// ── plan versions ──────────────────────────────────────────────────────

/// Store a new version (a seed, a new plan's draft or a revision's draft).
pub async fn insert_version(
    tx: &mut Tx,
    plan: &Plan,
    by: &str,
    at: UtcText,
) -> Result<i64, DbError> {
    let published = plan.is_published();
    let row = sqlx::query(
        "INSERT INTO plan_versions (code, revision, status, divisions, body, created_by, created_at, published_by, published_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, 1) RETURNING id",
    )
    .bind(&plan.code)
    .bind(i64::from(plan.revision))
    .bind(plan.status)
    .bind(JsonText(&plan.divisions))
    .bind(JsonText(plan))
    .bind(by)
    .bind(at)
    .bind(if published { by } else { "" })
    .bind(published.then_some(at))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Write a stored version over its row if the row is still a draft at
/// version `read` (publishing it when `v` is published); a published row
/// is never written again.
pub async fn update_version(tx: &mut Tx, v: &PlanVersion, read: i64) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE plan_versions SET status = $1, body = $2, divisions = $3, published_by = $4, published_at = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND status = 'draft'",
    )
    .bind(v.plan.status)
    .bind(JsonText(&v.plan))
    .bind(JsonText(&v.plan.divisions))
    .bind(&v.stamp.published_by)
    .bind(v.stamp.published_at)
    .bind(v.stamp.updated_at)
    .bind(v.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Every stored version (all codes), by code then revision.
pub async fn all_versions(db: &Db) -> Result<Vec<PlanVersion>, DbError> {
    sqlx::query_as::<_, VersionRow>("SELECT * FROM plan_versions ORDER BY id")
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(PlanVersion::try_from)
        .collect()
}

/// The versions of one plan, oldest first.
pub async fn versions(db: &Db, code: &str) -> Result<Vec<PlanVersion>, DbError> {
    sqlx::query_as::<_, VersionRow>("SELECT * FROM plan_versions WHERE code = $1 ORDER BY revision")
        .bind(code)
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(PlanVersion::try_from)
        .collect()
}

// ── evaluations ────────────────────────────────────────────────────────

pub async fn insert_evaluation(tx: &mut Tx, e: &Evaluation) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO plan_evaluations (code, revision, evaluated_on, conclusion, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&e.code)
    .bind(e.revision)
    .bind(&e.evaluated_on)
    .bind(e.conclusion)
    .bind(&e.note)
    .bind(&e.recorded_by)
    .bind(e.recorded_at)
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
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

// ── filings (备案) ─────────────────────────────────────────────────────

pub async fn insert_filing(tx: &mut Tx, f: &super::filing::Filing) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO plan_filings (code, revision, filed_with, filed_on, receipt, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&f.code)
    .bind(f.revision)
    .bind(&f.filed_with)
    .bind(&f.filed_on)
    .bind(&f.receipt)
    .bind(&f.note)
    .bind(&f.recorded_by)
    .bind(f.recorded_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Filings of one plan, newest first.
pub async fn filings(db: &Db, code: &str) -> Result<Vec<super::filing::Filing>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM plan_filings WHERE code = $1 ORDER BY filed_on DESC, id DESC",
        )
        .bind(code)
        .fetch_all(db.pool())
        .await?,
    )
}

// ── drills ─────────────────────────────────────────────────────────────

pub fn parse_kind(s: &str) -> Option<DrillKind> {
    super::model::parse_drill_kind(s)
}

pub async fn insert_drill(tx: &mut Tx, d: &StoredDrill) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO drills (plan_code, title, kind, state, planned_on, held_on, divisions, participants, people, evaluation, problems, note, source, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1) RETURNING id",
    )
    .bind(&d.plan)
    .bind(&d.title)
    .bind(d.kind)
    .bind(d.state)
    .bind(&d.planned_on)
    .bind(&d.held_on)
    .bind(&d.divisions)
    .bind(&d.participants)
    .bind(d.people)
    .bind(&d.evaluation)
    .bind(&d.problems)
    .bind(&d.note)
    .bind(&d.source)
    .bind(&d.created_by)
    .bind(d.created_at)
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
    .bind(d.kind)
    .bind(d.state)
    .bind(&d.planned_on)
    .bind(&d.held_on)
    .bind(&d.divisions)
    .bind(&d.participants)
    .bind(d.people)
    .bind(&d.evaluation)
    .bind(&d.problems)
    .bind(&d.note)
    .bind(d.updated_at)
    .bind(d.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_drill(db: &Db, id: i64) -> Result<Option<StoredDrill>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM drills WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Drills of one plan (`None`: all), by planned date.
pub async fn drills(db: &Db, plan: Option<&str>) -> Result<Vec<StoredDrill>, DbError> {
    let mut q = Sql::new("SELECT * FROM drills");
    if let Some(p) = plan {
        q.push(" WHERE plan_code = ").bind(p);
    }
    q.push(" ORDER BY planned_on, id");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

// ── improvement items ──────────────────────────────────────────────────

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
    .bind(i.state)
    .bind(&i.created_by)
    .bind(i.created_at)
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
    .bind(i.state)
    .bind(&i.done_by)
    .bind(i.done_at)
    .bind(&i.verified_by)
    .bind(i.verified_at)
    .bind(i.updated_at)
    .bind(i.id)
    .bind(version)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_improvement(db: &Db, id: i64) -> Result<Option<Improvement>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM improvements WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Items under a division prefix, optionally of one source kind
/// (`drill` / `incident`) and source record, by due date.
/// Which improvement items a listing reads.
#[derive(Debug, Default, Clone, Copy)]
pub struct ItemFilter<'a> {
    /// Division code prefix.
    pub prefix: &'a str,
    pub source: Option<&'a str>,
    pub source_id: Option<i64>,
    /// Only the items of this plan (a plan's detail).
    pub plan: Option<&'a str>,
}

pub async fn improvements(db: &Db, f: ItemFilter<'_>) -> Result<Vec<Improvement>, DbError> {
    let mut q = Sql::new("SELECT * FROM improvements WHERE division LIKE ");
    q.bind(format!("{}%", f.prefix));
    if let Some(s) = f.source {
        q.push(" AND source = ").bind(s);
    }
    if let Some(id) = f.source_id {
        q.push(" AND source_id = ").bind(id);
    }
    if let Some(plan) = f.plan {
        q.push(" AND plan_code = ").bind(plan);
    }
    q.push(" ORDER BY due_on, id LIMIT 1000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
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
    let at = UtcText(time::OffsetDateTime::now_utc());
    let mut tx = db.begin().await?;
    for p in &c.plans {
        match insert_version(&mut tx, p, "catalogue", at).await {
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
            divisions: JsonText(d.divisions.clone()),
            participants: JsonText(d.participants.clone()),
            people: i64::from(d.people),
            evaluation: d.evaluation.clone().unwrap_or_default(),
            problems: JsonText(Vec::new()),
            note: String::new(),
            source: d.source.clone(),
            created_by: "catalogue".into(),
            created_at: at,
            updated_at: at,
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
                created_at: at,
                done_by: String::new(),
                done_at: None,
                verified_by: String::new(),
                verified_at: None,
                updated_at: at,
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

impl Versioned for StoredDrill {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_drill(tx, self, read).await
    }
}

impl Versioned for Improvement {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_improvement(tx, self, read).await
    }
}

impl Versioned for PlanVersion {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_version(tx, self, read).await
    }
}
