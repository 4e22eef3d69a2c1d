//! HTTP routes of 数字预案: stored plan versions (revise → edit the draft →
//! publish; published versions never change), evaluations, drills
//! (planned → held → evaluated) whose problems become improvement items,
//! the improvement items (open → in progress → done → verified by someone
//! else), and the command structure and departments.
//!
//! Who may do what (auth module `plans`): everyone but enterprise users
//! reads the plans, drills and items of their area (a plan, drill or item
//! is visible when one of its divisions lies inside the user's jurisdiction
//! or contains it, so a county sees the city's plans but not another
//! county's); commanders and operators write inside their jurisdiction (an
//! operator only plans, drills and items all of whose divisions are in
//! their county); only a commander (or admin) publishes a version.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Date, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{
    self, format_date, parse_date, Evaluation, Improvement, PlanVersion, StoredDrill, VersionStamp,
};
use super::{
    apply_drill, apply_improvement, drill_allowed, drill_history, drill_status, edit_version,
    evaluation, improvement_allowed, improvement_overdue, listed, new_plan, plan_allowed,
    publish_version, review_due, revision, schedule_drill, version_state, Actor, Catalog,
    DrillBody, DrillCommand, DrillState, ImprovementCommand, Plan, PlanError, PlanLevel, PlanType,
    Problem, Revision, StepError, VersionState,
};
use crate::auth::{authorize, Action, Principal, Role, Scope};
use crate::clock::CST;
use crate::db::Versioned;
use crate::divisions::Code;
use crate::error::{FieldError, Refusal};
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(detail))
        .routes(routes!(version, edit))
        .routes(routes!(publish))
        .routes(routes!(revise))
        .routes(routes!(evaluate))
        .routes(routes!(file_version))
        .routes(routes!(drills, plan_drill))
        .routes(routes!(edit_drill))
        .routes(routes!(drill_event))
        .routes(routes!(improvements))
        .routes(routes!(improvement_event))
        .routes(routes!(commands))
        .routes(routes!(departments))
        .routes(routes!(triggers))
}

const MODULE: &str = "plans";

fn today(now: OffsetDateTime) -> Date {
    now.to_offset(CST).date()
}

fn is_commander(p: &Principal) -> bool {
    matches!(p.role, Role::Commander | Role::Admin)
}

fn significant(d: &str) -> String {
    Code::parse(d)
        .map(|c| c.prefix().to_string())
        .unwrap_or_else(|_| d.to_string())
}

/// Visible: one division inside the jurisdiction, or containing it.
pub fn visible(scope: &Scope, divisions: &[String]) -> bool {
    divisions.iter().any(|d| {
        let p = significant(d);
        p.starts_with(&scope.prefix) || scope.prefix.starts_with(&p)
    })
}

/// Writable: every division inside the jurisdiction.
pub fn writable(scope: &Scope, divisions: &[String]) -> bool {
    !divisions.is_empty() && divisions.iter().all(|d| d.starts_with(&scope.prefix))
}

/// Who asks, as the rules read it; `may_write` the record of `divisions`.
fn actor<'a>(
    p: &'a Principal,
    scope: Option<&Scope>,
    divisions: &[String],
    now: OffsetDateTime,
) -> Actor<'a> {
    Actor {
        username: &p.username,
        commander: is_commander(p),
        may_write: scope.is_some_and(|sc| writable(sc, divisions)),
        now,
    }
}

/// The reader's write scope, if any (for `allowed_events`).
fn write_scope(p: &Principal) -> Option<Scope> {
    authorize(p, Action::Write, MODULE).ok()
}

fn perr(e: PlanError) -> ApiError {
    e.into()
}

/// A plan rule's error as the API answers it: refusals 409/403 with their
/// code, bad input 422 with its code and params. The one conversion, used
/// by incidents too.
impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        if let Some(r) = e.refusal() {
            return match e {
                PlanError::Forbidden(_) => ApiError::NotAllowed(r),
                _ => ApiError::Refused(r),
            };
        }
        if let Some(f) = e.field_error() {
            return f.into();
        }
        match e {
            PlanError::Invalid(ps) => ApiError::Validation(fields_of(&ps)),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn serr(e: StepError) -> ApiError {
    match e {
        StepError::Plan(e) => perr(e),
        StepError::Invalid(errors) => ApiError::Validation(errors),
    }
}

const PLAN_FIELDS: [&str; 10] = [
    "title",
    "owner",
    "command",
    "parent",
    "incident_types",
    "divisions",
    "version",
    "review_years",
    "drill_cycle_months",
    "levels",
];

/// The field a catalogue problem is about: `levels.II.tasks[0]` for a
/// level's, else the plan field its message names.
fn problem_field(p: &Problem) -> String {
    let rest = p.entry.split_once(' ').map(|(_, r)| r.trim()).unwrap_or("");
    if let Some(level) = rest.strip_prefix("level ") {
        let (l, tail) = level.split_once(' ').unwrap_or((level, ""));
        return if tail.is_empty() {
            format!("levels.{l}")
        } else {
            format!("levels.{l}.{tail}")
        };
    }
    let msg = p.message.as_str();
    if msg.contains("last_evaluated_on") {
        return "published_on".into();
    }
    PLAN_FIELDS
        .iter()
        .find(|f| {
            msg.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == **f)
        })
        .map_or_else(|| "plan".to_string(), |f| (*f).to_string())
}

fn fields_of(ps: &[Problem]) -> Vec<FieldError> {
    ps.iter()
        .map(|p| {
            let mut f = FieldError::new(problem_field(p), p.message.clone()).code(p.code);
            f.params = p.params.clone();
            f
        })
        .collect()
}

fn entry(
    p: &Principal,
    jurisdiction: &str,
    entity: &str,
    id: String,
    kind: &'static str,
    payload: Value,
) -> NewEntry {
    NewEntry::new(&p.username, MODULE, jurisdiction, entity, id, kind, payload)
}

fn first(divisions: &[String]) -> String {
    divisions.first().cloned().unwrap_or_default()
}

async fn catalog(s: &AppState) -> Result<Catalog, ApiError> {
    Ok(store::catalog(&s.db).await?)
}

fn dept_name(c: &Catalog, code: &str) -> String {
    c.department(code)
        .map_or_else(|| code.to_string(), |d| d.short.clone())
}

/// A plan version as the API shows it: the plan (its `status` is its state
/// among the versions), the owner's name, the review and drill clocks.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: Plan,
    pub owner_name: String,
    pub status: super::VersionState,
    pub status_zh: String,
    pub review: super::ReviewStatus,
    pub drill: super::DrillStatus,
}

/// One stored version (`GET /plans/{code}/versions/{n}`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanVersionView {
    #[serde(flatten)]
    pub plan: PlanView,
    /// Row version for edits and publication.
    pub lock_version: i64,
    #[serde(flatten)]
    pub stamp: VersionStamp,
}

fn plan_view(p: &Plan, c: &Catalog, on: Date) -> PlanView {
    let state = version_state(p, &c.plans);
    PlanView {
        plan: p.clone(),
        owner_name: dept_name(c, &p.owner),
        status: state,
        status_zh: state.label_zh().into(),
        review: review_due(p, on),
        drill: drill_status(p, &c.drills, on),
    }
}

fn version_view(v: &PlanVersion, c: &Catalog, on: Date) -> PlanVersionView {
    // The catalogue's copy carries the evaluations recorded since.
    let p = c
        .plans
        .iter()
        .find(|x| x.code == v.plan.code && x.revision == v.plan.revision)
        .unwrap_or(&v.plan);
    PlanVersionView {
        plan: plan_view(p, c, on),
        lock_version: v.version,
        stamp: v.stamp.clone(),
    }
}

/// All versions of `code` the user may see (404 otherwise).
async fn load_plan(
    s: &AppState,
    p: &Principal,
    code: &str,
    action: Action,
) -> Result<(Vec<PlanVersion>, Scope), ApiError> {
    let scope = authorize(p, action, MODULE)?;
    let vs = store::versions(&s.db, code).await?;
    let last = vs.last().ok_or(ApiError::NotFound)?;
    if !visible(&scope, &last.plan.divisions) {
        return Err(ApiError::NotFound);
    }
    if action == Action::Write && !writable(&scope, &last.plan.divisions) {
        return Err(ApiError::NotAllowed(Refusal::new(
            "plan_outside_jurisdiction",
            "该预案的适用区域超出您的管辖范围，只能查看",
        )));
    }
    Ok((vs, scope))
}

// ── plans ──────────────────────────────────────────────────────────────

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", responses((status = 200, body = [PlanSummary], description = "The plans of the area: the version in force (or the draft of a new plan) with status, review and drill status")))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<PlanSummary>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let c = catalog(&s).await?;
    let on = today(OffsetDateTime::now_utc());
    let out = listed(&c.plans)
        .into_iter()
        .filter(|(pl, _)| visible(&scope, &pl.divisions))
        .map(|(pl, draft)| summary(pl, draft, &c, on))
        .collect();
    Ok(axum::Json(out))
}

fn summary(pl: &Plan, draft: Option<&Plan>, c: &Catalog, on: Date) -> PlanSummary {
    PlanSummary {
        plan: plan_view(pl, c, on),
        draft_revision: draft.map(|d| d.revision),
    }
}

/// A plan in the list: the version in force (or the draft of a new plan),
/// as every plan version is shown, with the revision of its open draft.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanSummary {
    #[serde(flatten)]
    pub plan: PlanView,
    /// The revision of an open draft, if any.
    pub draft_revision: Option<u32>,
}

/// A stored version as the plan's version list shows it: the plan's
/// revision, label and reasons, its state among the versions, and the
/// version's stamp as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanVersionRow {
    pub revision: u32,
    pub version: String,
    pub status: super::VersionState,
    pub status_zh: String,
    /// Only once published.
    pub published_on: Option<String>,
    #[serde(flatten)]
    pub stamp: VersionStamp,
    pub revision_triggers: Vec<String>,
    pub revision_reason: Option<String>,
}

/// A drill in a plan's drill history (held ones by the day held).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DrillHistoryRow {
    pub title: String,
    pub kind: super::DrillKind,
    pub planned_on: String,
    pub held_on: Option<String>,
}

/// `GET /plans/{code}`: the plan with its versions, evaluations, drills and
/// improvement items.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    pub code: String,
    /// The version in force.
    pub current: Option<PlanVersionView>,
    /// The open draft.
    pub draft: Option<PlanVersionView>,
    /// Every version, newest first.
    pub versions: Vec<PlanVersionRow>,
    pub evaluations: Vec<Evaluation>,
    /// 备案 records of the plan's versions, newest first.
    pub filings: Vec<super::filing::Filing>,
    pub drills: Vec<DrillView>,
    pub drill_history: Vec<DrillHistoryRow>,
    pub improvements: Vec<ImprovementView>,
    pub can_write: bool,
    /// What the reader may do to the plan now (`plans::plan_allowed`):
    /// revise | edit | publish | evaluate.
    pub allowed_events: Vec<&'static str>,
}

/// A stored version as the version list shows it.
fn version_row(v: &PlanVersion, all: &[Plan]) -> PlanVersionRow {
    let st = version_state(&v.plan, all);
    PlanVersionRow {
        revision: v.plan.revision,
        version: v.plan.version.clone(),
        status: st,
        status_zh: st.label_zh().into(),
        published_on: v
            .plan
            .is_published()
            .then(|| format_date(v.plan.published_on)),
        stamp: v.stamp.clone(),
        revision_triggers: v.plan.revision_triggers.clone(),
        revision_reason: v.plan.revision_reason.clone(),
    }
}

fn history_row(d: &super::Drill) -> DrillHistoryRow {
    DrillHistoryRow {
        title: d.title.clone(),
        kind: d.kind,
        planned_on: format_date(d.planned_on),
        held_on: d.held_on.map(format_date),
    }
}

#[utoipa::path(get, path = "/api/v1/plans/{code}", tag = "plans", responses((status = 200, body = PlanDetail, description = "The plan: version in force, open draft, every version, evaluations, drills and improvement items")))]
async fn detail(
    State(s): State<AppState>,
    p: Principal,
    Path(code): Path<String>,
) -> Result<axum::Json<PlanDetail>, ApiError> {
    let (vs, scope) = load_plan(&s, &p, &code, Action::Read).await?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let on = today(now);
    let find = |st: VersionState| {
        vs.iter()
            .find(|v| version_state(&v.plan, &c.plans) == st)
            .map(|v| version_view(v, &c, on))
    };
    let versions = vs.iter().rev().map(|v| version_row(v, &c.plans)).collect();
    let evaluations = store::evaluations(&s.db, Some(&code)).await?;
    let filings = store::filings(&s.db, &code).await?;
    let ws = write_scope(&p);
    let ds = plan_drills(&s, &p, &scope, &code, &c, now).await?;
    let items = plan_items(&s, &p, &scope, &code, &c, now).await?;
    let history = drill_history(&c.drills, &code)
        .into_iter()
        .map(history_row)
        .collect();
    let last = vs
        .last()
        .map(|v| v.plan.divisions.clone())
        .unwrap_or_default();
    let allowed_events = plan_allowed(&code, &c.plans, &actor(&p, ws.as_ref(), &last, now));
    Ok(axum::Json(PlanDetail {
        current: find(VersionState::InForce),
        draft: find(VersionState::Draft),
        code,
        versions,
        evaluations,
        filings,
        drills: ds,
        drill_history: history,
        improvements: items,
        can_write: ws.as_ref().is_some_and(|sc| writable(sc, &last)),
        allowed_events,
    }))
}

/// The drills of plan `code` that `p` sees, with what `p` may do to each.
async fn plan_drills(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    code: &str,
    c: &Catalog,
    now: OffsetDateTime,
) -> Result<Vec<DrillView>, ApiError> {
    let ws = write_scope(p);
    Ok(store::drills(&s.db, Some(code))
        .await?
        .iter()
        .filter(|d| visible(scope, &d.divisions))
        .map(|d| drill_view(d, c, actor(p, ws.as_ref(), &d.divisions, now)))
        .collect())
}

/// The improvement items of plan `code` that `p` sees, likewise.
async fn plan_items(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    code: &str,
    c: &Catalog,
    now: OffsetDateTime,
) -> Result<Vec<ImprovementView>, ApiError> {
    let ws = write_scope(p);
    let only_plan = store::ItemFilter {
        plan: Some(code),
        ..Default::default()
    };
    Ok(store::improvements(&s.db, only_plan)
        .await?
        .iter()
        .map(|i| (i, std::slice::from_ref(&i.division)))
        .filter(|(_, d)| visible(scope, d))
        .map(|(i, d)| improvement_view(i, c, actor(p, ws.as_ref(), d, now)))
        .collect())
}

async fn one_version(
    s: &AppState,
    p: &Principal,
    code: &str,
    n: u32,
    action: Action,
) -> Result<(PlanVersion, Vec<PlanVersion>, Scope), ApiError> {
    let (vs, scope) = load_plan(s, p, code, action).await?;
    let v = vs
        .iter()
        .find(|v| v.plan.revision == n)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    Ok((v, vs, scope))
}

#[utoipa::path(get, path = "/api/v1/plans/{code}/versions/{n}", tag = "plans", responses((status = 200, body = PlanVersionView, description = "One version (draft, in force or superseded); `lock_version` is the row version for edits")))]
async fn version(
    State(s): State<AppState>,
    p: Principal,
    Path((code, n)): Path<(String, u32)>,
) -> Result<axum::Json<PlanVersionView>, ApiError> {
    let (v, _, _) = one_version(&s, &p, &code, n, Action::Read).await?;
    let c = catalog(&s).await?;
    Ok(axum::Json(version_view(
        &v,
        &c,
        today(OffsetDateTime::now_utc()),
    )))
}

/// What a revision records (`POST /plans/{code}/revisions`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionBody {
    /// The new version label, e.g. `2026版`.
    pub version: String,
    /// Revision-trigger codes (`/revision-triggers`), at least one.
    pub triggers: Vec<String>,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/plans/{code}/revisions", tag = "plans", request_body = RevisionBody,
    responses((status = 201, body = PlanVersionView, description = "A draft of the next version, recording the triggers and reason"), (status = 409, body = crate::http::error::Problem, description = "A draft is already open")))]
async fn revise(
    State(s): State<AppState>,
    p: Principal,
    Path(code): Path<String>,
    Json(b): Json<RevisionBody>,
) -> Result<Response, ApiError> {
    let (vs, scope) = load_plan(&s, &p, &code, Action::Write).await?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let divisions = vs
        .last()
        .map(|v| v.plan.divisions.clone())
        .unwrap_or_default();
    let who = actor(&p, Some(&scope), &divisions, now);
    let r = Revision {
        version: b.version,
        triggers: b.triggers,
        reason: b.reason,
    };
    let (v, payload) = revision(&code, &c.plans, &r, &c.triggers, &who).map_err(perr)?;
    // A draft opened meanwhile by someone else: one draft at a time.
    let v = insert_version(&s, &p, v, "revised", payload, ApiError::Conflict).await?;
    let c = catalog(&s).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(version_view(&v, &c, today(now))),
    )
        .into_response())
}

/// Store a new version (`kind` for the journal); `taken` answers a code
/// or revision stored meanwhile by someone else.
async fn insert_version(
    s: &AppState,
    p: &Principal,
    mut v: PlanVersion,
    kind: &'static str,
    payload: Value,
    taken: ApiError,
) -> Result<PlanVersion, ApiError> {
    let now = v.stamp.created_at.0;
    let mut tx = s.change().await?;
    v.id = match store::insert_version(&mut tx, &v.plan, &p.username, v.stamp.created_at).await {
        Err(e) if e.is_unique_violation() => return Err(taken),
        other => other?,
    };
    let e = entry(
        p,
        &first(&v.plan.divisions),
        "plan",
        v.plan.code.clone(),
        kind,
        payload,
    );
    tx.commit(now, vec![e]).await?;
    Ok(v)
}

/// The editable content of a plan version.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentBody {
    pub title: String,
    pub owner: String,
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    pub incident_types: Vec<String>,
    /// 12-digit division codes.
    pub divisions: Vec<String>,
    pub review_years: u8,
    pub drill_cycle_months: u16,
    #[serde(default)]
    pub grading_basis: Option<String>,
    pub levels: Vec<PlanLevel>,
}

impl ContentBody {
    fn apply(self, p: &mut Plan) {
        p.title = self.title.trim().to_string();
        p.owner = self.owner;
        p.command = self.command.filter(|c| !c.trim().is_empty());
        p.parent = self.parent.filter(|c| !c.trim().is_empty());
        p.incident_types = self.incident_types;
        p.divisions = self.divisions;
        p.review_years = self.review_years;
        p.drill_cycle_months = self.drill_cycle_months;
        if let Some(g) = self.grading_basis {
            p.grading_basis = g;
        }
        p.levels = self.levels;
    }
}

/// The rules' checks plus: the divisions exist and lie in the jurisdiction.
fn check_content(s: &AppState, scope: &Scope, c: &Catalog, p: &Plan) -> Result<(), ApiError> {
    let mut errors = fields_of(&c.check_plan(p));
    let tree = s.tree();
    for (i, d) in p.divisions.iter().enumerate() {
        match Code::parse(d) {
            Ok(code) if tree.get(&code).is_none() => errors.push(
                FieldError::new(format!("divisions[{i}]"), format!("区划 {d} 不存在"))
                    .code("division_not_found")
                    .param("code", d.as_str()),
            ),
            Ok(_) if !d.starts_with(&scope.prefix) => errors.push(
                FieldError::new(format!("divisions[{i}]"), "不在您的管辖范围内")
                    .code("out_of_jurisdiction"),
            ),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A new plan: its code, type and first version label, and the content.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlanBody {
    /// e.g. `DT-XC-PC-01`: capital letters, digits and dashes.
    pub code: String,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub plan_type: PlanType,
    /// The version label, e.g. `2026版`.
    pub version: String,
    #[serde(flatten)]
    pub content: ContentBody,
}

#[utoipa::path(post, path = "/api/v1/plans", tag = "plans", request_body = NewPlanBody,
    responses((status = 201, body = PlanVersionView, description = "The draft of a new plan (revision 1)"), (status = 422, body = crate::http::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewPlanBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &[], now);
    let (mut v, mut payload) =
        new_plan(&b.code, b.plan_type, &b.version, &c.plans, &who).map_err(perr)?;
    b.content.apply(&mut v.plan);
    check_content(&s, &scope, &c, &v.plan)?;
    payload["title"] = json!(v.plan.title);
    let taken: ApiError = FieldError::new("code", format!("预案编号 {} 已存在", v.plan.code))
        .code("duplicate_code")
        .into();
    let v = insert_version(&s, &p, v, "drafted", payload, taken).await?;
    let c = catalog(&s).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(version_view(&v, &c, today(now))),
    )
        .into_response())
}

/// A draft edit: the row version read (`lock_version`), optionally a new
/// label, and the content.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// The `lock_version` read.
    pub version: i64,
    /// A new version label.
    pub label: Option<String>,
    #[serde(flatten)]
    pub content: ContentBody,
}

#[utoipa::path(put, path = "/api/v1/plans/{code}/versions/{n}", tag = "plans", request_body = EditBody,
    responses((status = 200, body = PlanVersionView, description = "The edited draft"), (status = 409, body = crate::http::error::Problem, description = "Stale version, or the version is published (never changes)"), (status = 422, body = crate::http::error::Problem)))]
async fn edit(
    State(s): State<AppState>,
    p: Principal,
    Path((code, n)): Path<(String, u32)>,
    Json(b): Json<EditBody>,
) -> Result<axum::Json<PlanVersionView>, ApiError> {
    let (v, _, scope) = one_version(&s, &p, &code, n, Action::Write).await?;
    v.plan.ensure_editable().map_err(perr)?;
    v.expect_version(b.version)?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &v.plan.divisions, now);
    let (v, payload) = edit_version(
        v,
        b.label.as_deref(),
        |plan| b.content.apply(plan),
        &c.plans,
        &who,
    )
    .map_err(perr)?;
    check_content(&s, &scope, &c, &v.plan)?;
    let e = entry(
        &p,
        &first(&v.plan.divisions),
        "plan",
        code.clone(),
        "edited",
        payload,
    );
    s.save_and_commit(&v, now, vec![e]).await?;
    let (v, _, _) = one_version(&s, &p, &code, n, Action::Read).await?;
    let c = catalog(&s).await?;
    Ok(axum::Json(version_view(&v, &c, today(now))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PlanVersionBody)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The `lock_version` read.
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/plans/{code}/versions/{n}/publish", tag = "plans", request_body = VersionBody,
    responses((status = 200, body = PlanVersionView, description = "Published (commander): in force from today; the previous version is superseded"), (status = 403, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn publish(
    State(s): State<AppState>,
    p: Principal,
    Path((code, n)): Path<(String, u32)>,
    Json(b): Json<VersionBody>,
) -> Result<axum::Json<PlanVersionView>, ApiError> {
    let (v, _, scope) = one_version(&s, &p, &code, n, Action::Write).await?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &v.plan.divisions, now);
    let draft = v.plan.clone();
    let (v, payload) = publish_version(v, &c.plans, &who).map_err(perr)?;
    v.expect_version(b.version)?;
    check_content(&s, &scope, &c, &draft)?;
    let e = entry(
        &p,
        &first(&v.plan.divisions),
        "plan",
        code.clone(),
        "published",
        payload,
    );
    s.save_and_commit(&v, now, vec![e]).await?;
    let (v, _, _) = one_version(&s, &p, &code, n, Action::Read).await?;
    let c = catalog(&s).await?;
    Ok(axum::Json(version_view(&v, &c, today(now))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationBody {
    /// YYYY-MM-DD, not in the future.
    pub evaluated_on: String,
    /// adequate (继续适用) | revise (需要修订)
    pub conclusion: String,
    #[serde(default)]
    pub note: String,
}

/// A recorded evaluation and the review status of the version in force.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EvaluationRecorded {
    pub evaluation: Evaluation,
    pub review: Option<super::ReviewStatus>,
}

#[utoipa::path(post, path = "/api/v1/plans/{code}/evaluations", tag = "plans", request_body = EvaluationBody,
    responses((status = 201, body = EvaluationRecorded, description = "Recorded; the review clock of the version in force restarts from its date")))]
async fn evaluate(
    State(s): State<AppState>,
    p: Principal,
    Path(code): Path<String>,
    Json(b): Json<EvaluationBody>,
) -> Result<Response, ApiError> {
    let (vs, scope) = load_plan(&s, &p, &code, Action::Write).await?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let divisions = vs
        .last()
        .map(|v| v.plan.divisions.clone())
        .unwrap_or_default();
    let who = actor(&p, Some(&scope), &divisions, now);
    let (mut e, payload) = evaluation(
        &code,
        c.plan(&code),
        &b.evaluated_on,
        &b.conclusion,
        &b.note,
        &who,
    )
    .map_err(serr)?;
    let mut tx = s.change().await?;
    e.id = store::insert_evaluation(&mut tx, &e).await?;
    let entry = entry(
        &p,
        &first(&c.plan(&code).map_or(divisions, |x| x.divisions.clone())),
        "plan",
        code.clone(),
        "evaluated",
        payload,
    );
    tx.commit(now, vec![entry]).await?;
    let c = catalog(&s).await?;
    let review = c.plan(&code).map(|x| review_due(x, today(now)));
    let body = EvaluationRecorded {
        evaluation: e,
        review,
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/v1/plans/{code}/versions/{n}/filings", tag = "plans", request_body = super::filing::FilingBody,
    responses((status = 201, body = super::filing::Filing, description = "The filing (备案) recorded: with whom, on which day, the receipt"),
        (status = 403, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem, description = "The version is a draft"),
        (status = 422, body = crate::http::error::Problem)))]
async fn file_version(
    State(s): State<AppState>,
    p: Principal,
    Path((code, n)): Path<(String, u32)>,
    Json(b): Json<super::filing::FilingBody>,
) -> Result<Response, ApiError> {
    use super::filing::{check, Filing, FilingError};
    let (v, _, scope) = one_version(&s, &p, &code, n, Action::Write).await?;
    if !writable(&scope, &v.plan.divisions) {
        return Err(ApiError::Forbidden);
    }
    let now = OffsetDateTime::now_utc();
    let ok = check(&v.plan, &b, today(now)).map_err(|e| match e {
        FilingError::State(r) => ApiError::Refused(r),
        FilingError::Input(errors) => ApiError::Validation(errors),
    })?;
    let mut f = Filing {
        id: 0,
        code: code.clone(),
        revision: i64::from(v.plan.revision),
        filed_with: ok.filed_with,
        filed_on: ok.filed_on,
        receipt: ok.receipt,
        note: ok.note,
        recorded_by: p.username.clone(),
        recorded_at: now.into(),
    };
    let mut tx = s.change().await?;
    f.id = store::insert_filing(&mut tx, &f).await?;
    let e = entry(
        &p,
        &first(&v.plan.divisions),
        "plan",
        code.clone(),
        "filed",
        serde_json::to_value(&f).unwrap_or_default(),
    );
    tx.commit(now, vec![e]).await?;
    Ok((StatusCode::CREATED, axum::Json(f)).into_response())
}

// ── drills ─────────────────────────────────────────────────────────────

/// A drill as the API shows it: the stored drill, its labels, whether a
/// planned drill is past its date, and its plan's title.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DrillView {
    #[serde(flatten)]
    pub drill: StoredDrill,
    pub state_zh: String,
    pub kind_zh: String,
    /// Still planned after its date.
    pub late: bool,
    pub plan_title: String,
    /// What the reader may do to it now (`plans::drill_allowed`):
    /// edit | hold | evaluate | cancel.
    pub allowed_events: Vec<&'static str>,
}

fn drill_view(d: &StoredDrill, c: &Catalog, who: Actor) -> DrillView {
    let on = who.today();
    DrillView {
        allowed_events: drill_allowed(d, &who),
        drill: d.clone(),
        state_zh: d.state.label_zh().into(),
        kind_zh: d.kind.label_zh().into(),
        late: d.state == DrillState::Planned && parse_date(&d.planned_on).is_some_and(|x| x < on),
        plan_title: c
            .plans
            .iter()
            .rev()
            .find(|x| x.code == d.plan)
            .map(|x| x.title.clone())
            .unwrap_or_default(),
    }
}

/// The drill as `p` sees it now.
fn drill_for(d: &StoredDrill, c: &Catalog, p: &Principal, now: OffsetDateTime) -> DrillView {
    drill_view(d, c, actor(p, write_scope(p).as_ref(), &d.divisions, now))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DrillParams {
    /// Only the drills of this plan.
    pub plan: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/drills", tag = "plans", params(DrillParams), responses((status = 200, body = [DrillView], description = "Drills of the area (planned ones past their date are `late`)")))]
async fn drills(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DrillParams>,
) -> Result<axum::Json<Vec<DrillView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let ws = write_scope(&p);
    Ok(axum::Json(
        store::drills(&s.db, q.plan.as_deref())
            .await?
            .iter()
            .filter(|d| visible(&scope, &d.divisions))
            .map(|d| drill_view(d, &c, actor(&p, ws.as_ref(), &d.divisions, now)))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/drills", tag = "plans", request_body = DrillBody,
    responses((status = 201, body = DrillView, description = "A planned drill"), (status = 422, body = crate::http::error::Problem)))]
async fn plan_drill(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<DrillBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let c = catalog(&s).await?;
    let code = b.plan.clone().unwrap_or_default();
    let plan = c
        .plan(&code)
        .filter(|x| visible(&scope, &x.divisions))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("plan", "请选择已发布的预案").code("published_plan_required"),
            )
        })?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &plan.divisions, now);
    let d = StoredDrill::planned(&code, &who);
    let (mut d, payload) =
        schedule_drill(d, &b, plan, &c, &s.tree(), &scope.prefix, &who).map_err(serr)?;
    let mut tx = s.change().await?;
    d.id = store::insert_drill(&mut tx, &d).await?;
    let e = entry(
        &p,
        &first(&d.divisions),
        "drill",
        d.id.to_string(),
        "drill_planned",
        payload,
    );
    tx.commit(now, vec![e]).await?;
    Ok((StatusCode::CREATED, axum::Json(drill_for(&d, &c, &p, now))).into_response())
}

async fn load_drill(
    s: &AppState,
    p: &Principal,
    id: i64,
) -> Result<(StoredDrill, Scope), ApiError> {
    let scope = authorize(p, Action::Write, MODULE)?;
    let d = store::get_drill(&s.db, id)
        .await?
        .filter(|d| visible(&scope, &d.divisions))
        .ok_or(ApiError::NotFound)?;
    if !writable(&scope, &d.divisions) {
        return Err(ApiError::NotAllowed(Refusal::new(
            "drill_outside_jurisdiction",
            "该演练的区域超出您的管辖范围，只能查看",
        )));
    }
    Ok((d, scope))
}

#[utoipa::path(put, path = "/api/v1/drills/{id}", tag = "plans", request_body = DrillBody,
    responses((status = 200, body = DrillView, description = "The edited drill (only while planned)")))]
async fn edit_drill(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DrillBody>,
) -> Result<axum::Json<DrillView>, ApiError> {
    let (d, scope) = load_drill(&s, &p, id).await?;
    d.expect_sent(b.version)?;
    let c = catalog(&s).await?;
    let plan = c.plan(&d.plan).ok_or_else(|| {
        ApiError::Refused(Refusal::new(
            "drill_plan_not_in_force",
            "演练所属预案没有现行版本",
        ))
    })?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &d.divisions, now);
    let (d, payload) =
        schedule_drill(d, &b, plan, &c, &s.tree(), &scope.prefix, &who).map_err(serr)?;
    let e = entry(
        &p,
        &first(&d.divisions),
        "drill",
        d.id.to_string(),
        "drill_edited",
        payload,
    );
    s.save_and_commit(&d, now, vec![e]).await?;
    let d = store::get_drill(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(drill_for(&d, &c, &p, now)))
}

command_body! {
    /// A step of a drill: the version read and the command.
    #[schema(as = DrillEventBody)]
    pub struct DrillEventBody { command: DrillCommand }
}

#[utoipa::path(post, path = "/api/v1/drills/{id}/events", tag = "plans", request_body = DrillEventBody,
    responses((status = 200, body = DrillView, description = "The drill after the step; problems became improvement items"), (status = 409, body = crate::http::error::Problem)))]
async fn drill_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DrillEventBody>,
) -> Result<axum::Json<DrillView>, ApiError> {
    let (d, scope) = load_drill(&s, &p, id).await?;
    d.expect_version(b.version)?;
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), &d.divisions, now);
    let mut step = apply_drill(d, b.command, &c, who).map_err(serr)?;
    let mut tx = s.change().await?;
    let mut entries = store::insert_items(&mut tx, &p, &mut step.improvements).await?;
    step.link();
    tx.save(&step.drill).await?;
    let d = &step.drill;
    let e = entry(
        &p,
        &first(&d.divisions),
        "drill",
        d.id.to_string(),
        step.kind,
        step.payload,
    );
    entries.insert(0, e);
    tx.commit(now, entries).await?;
    let d = store::get_drill(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(drill_for(&d, &c, &p, now)))
}

// ── improvement items ──────────────────────────────────────────────────

/// An improvement item as the API shows it: the stored item, its label,
/// whether it is overdue, and its owner's name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImprovementView {
    #[serde(flatten)]
    pub item: Improvement,
    pub state_zh: String,
    pub overdue: bool,
    pub overdue_days: i64,
    pub owner_name: String,
    /// What the reader may do to it now (`plans::improvement_allowed`):
    /// start | complete | verify | reopen.
    pub allowed_events: Vec<&'static str>,
}

fn improvement_view(i: &Improvement, c: &Catalog, who: Actor) -> ImprovementView {
    let on = who.today();
    let (overdue, days) = parse_date(&i.due_on)
        .map(|d| improvement_overdue(d, i.state, on))
        .unwrap_or((false, 0));
    ImprovementView {
        item: i.clone(),
        state_zh: i.state.label_zh().into(),
        overdue,
        overdue_days: days,
        owner_name: dept_name(c, &i.owner_department),
        allowed_events: improvement_allowed(i, &who),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ItemParams {
    /// drill | incident
    pub source: Option<String>,
    /// The drill or incident id.
    pub source_id: Option<i64>,
    /// Only the items of this plan.
    pub plan: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/improvements", tag = "plans", params(ItemParams), responses((status = 200, body = [ImprovementView], description = "Improvement items of the area, by due date, with the overdue flag")))]
async fn improvements(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ItemParams>,
) -> Result<axum::Json<Vec<ImprovementView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    if let Some(src) = q.source.as_deref() {
        if !["drill", "incident"].contains(&src) {
            return Err(FieldError::new("source", "应为 drill 或 incident")
                .code("not_allowed")
                .param("allowed", "drill, incident")
                .into());
        }
    }
    let c = catalog(&s).await?;
    let now = OffsetDateTime::now_utc();
    let ws = write_scope(&p);
    Ok(axum::Json(
        store::improvements(
            &s.db,
            store::ItemFilter {
                prefix: "",
                source: q.source.as_deref(),
                source_id: q.source_id,
                plan: q.plan.as_deref(),
            },
        )
        .await?
        .iter()
        .filter(|i| visible(&scope, std::slice::from_ref(&i.division)))
        .map(|i| {
            let who = actor(&p, ws.as_ref(), std::slice::from_ref(&i.division), now);
            improvement_view(i, &c, who)
        })
        .collect(),
    ))
}

command_body! {
    /// A step of an improvement item: the version read and the command.
    #[schema(as = ItemEventBody)]
    pub struct ItemEventBody { command: ImprovementCommand }
}

#[utoipa::path(post, path = "/api/v1/improvements/{id}/events", tag = "plans", request_body = ItemEventBody,
    responses((status = 200, body = ImprovementView, description = "The item after the step"), (status = 409, body = crate::http::error::Problem, description = "Stale, or the step is refused (e.g. verification by the person who completed it)")))]
async fn improvement_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ItemEventBody>,
) -> Result<axum::Json<ImprovementView>, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let i = store::get_improvement(&s.db, id)
        .await?
        .filter(|i| visible(&scope, std::slice::from_ref(&i.division)))
        .ok_or(ApiError::NotFound)?;
    let division = std::slice::from_ref(&i.division);
    if !writable(&scope, division) {
        return Err(ApiError::NotAllowed(Refusal::new(
            "improvement_outside_jurisdiction",
            "该整改事项超出您的管辖范围，只能查看",
        )));
    }
    i.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let who = actor(&p, Some(&scope), division, now);
    let (i, kind, payload) = apply_improvement(i, &b.command, who).map_err(perr)?;
    let e = entry(
        &p,
        &i.division,
        "improvement",
        i.id.to_string(),
        kind,
        payload,
    );
    s.save_and_commit(&i, now, vec![e]).await?;
    let i = store::get_improvement(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let c = catalog(&s).await?;
    let who = actor(&p, Some(&scope), std::slice::from_ref(&i.division), now);
    Ok(axum::Json(improvement_view(&i, &c, who)))
}

// ── reference lists ────────────────────────────────────────────────────

fn fixed() -> Result<&'static Catalog, ApiError> {
    super::embedded().map_err(|e| ApiError::Internal(format!("plan catalogue: {e}")))
}

#[utoipa::path(get, path = "/api/v1/commands", tag = "plans", responses((status = 200, body = [super::Command], description = "The “1+19” command structure with names (zh/en)")))]
async fn commands(p: Principal) -> Result<axum::Json<&'static [super::Command]>, ApiError> {
    authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(&fixed()?.commands))
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "plans", responses((status = 200, body = [super::Department], description = "Departments that own plans or receive tasks, with names (zh/en)")))]
async fn departments(p: Principal) -> Result<axum::Json<&'static [super::Department]>, ApiError> {
    authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(&fixed()?.departments))
}

#[utoipa::path(get, path = "/api/v1/revision-triggers", tag = "plans", responses((status = 200, body = [super::RevisionTrigger], description = "The 8 situations in which a plan must be revised")))]
async fn triggers(p: Principal) -> Result<axum::Json<&'static [super::RevisionTrigger]>, ApiError> {
    authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(&fixed()?.triggers))
}
