//! HTTP routes of inspections by 双随机: the pools, the draw (seeded by the
//! server, recorded, journaled, reproducible: its detail re-runs it), the
//! inspections it plans, their steps, their findings, and a finding turned
//! into a hidden hazard through the hazards' own create path.
//!
//! Jurisdiction: a draw is made inside the user's own subtree only (a
//! county draws from its own enterprises and its own staff); inspections
//! and findings are read and changed only inside it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::api::{
    date_text, detail, division_param, entry, insert_reported, today, HazardDetail, MODULE,
};
use super::inspections::{
    self, apply_inspection, check_finding, inspection_allowed, may_finding, may_make_hazard,
    DrawInput, InspectionActor, InspectionCommand, InspectionState, NewFinding,
};
use super::store::{self, InspectionFilter, Scoped};
use super::{Finding, HazardSource, Inspection, InspectionDraw};
use crate::auth::{authorize, Action, Principal, Role};
use crate::db::{JsonText, UtcText, Versioned};
use crate::error::{text, FieldError, Refusal};
use crate::http::{command_body, ApiError, Json, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pool))
        .routes(routes!(list_draws, make_draw))
        .routes(routes!(get_draw))
        .routes(routes!(list_inspections))
        .routes(routes!(get_inspection))
        .routes(routes!(inspection_event))
        .routes(routes!(add_finding))
        .routes(routes!(finding_to_hazard))
}

/// The roles that inspect (a supervising department's staff).
pub(super) fn supervisor_role(p: &Principal) -> Result<(), ApiError> {
    if matches!(p.role, Role::Admin | Role::Commander | Role::Operator) {
        Ok(())
    } else {
        Err(ApiError::NotAllowed(Refusal::new(
            "supervisors_only",
            "此步骤须由负有监管职责的部门办理",
        )))
    }
}

/// Inspectors are the active county operators (县级操作员) of the drawing
/// division's subtree (docs/rules.md, “双随机”).
const INSPECTOR_ROLE: Role = Role::Operator;

/// The two pools of a draw in a division.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionPool {
    pub division: String,
    pub division_name: String,
    pub industry: String,
    /// Enterprise ids, ascending.
    pub enterprises: Vec<i64>,
    /// Inspectors' usernames, ascending.
    pub inspectors: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PoolParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
    /// An industry code (dictionary `industry`); empty: all.
    pub industry: Option<String>,
}

async fn pools(
    s: &AppState,
    division: &crate::divisions::Code,
    industry: &str,
) -> Result<InspectionPool, ApiError> {
    let enterprises = store::enterprise_pool(&s.db, division.prefix(), industry).await?;
    let mut inspectors: Vec<String> = crate::auth::store::list(&s.db, division.prefix())
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == INSPECTOR_ROLE)
        .map(|u| u.username)
        .collect();
    inspectors.sort();
    Ok(InspectionPool {
        division: division.as_str().to_string(),
        division_name: s.tree().name(division.as_str()),
        industry: industry.to_string(),
        enterprises,
        inspectors,
    })
}

fn industry_param(x: Option<&str>) -> Result<String, ApiError> {
    let i = x.map(str::trim).unwrap_or("");
    if i.len() > 40 || !i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ApiError::from(
            FieldError::new("industry", "不是行业代码").code("not_an_option"),
        ));
    }
    Ok(i.to_string())
}

#[utoipa::path(get, path = "/api/v1/supervision/inspection-pool", tag = "supervision", params(PoolParams),
    responses((status = 200, body = InspectionPool, description = "The enterprise and inspector pools a draw would use")))]
async fn pool(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<PoolParams>,
) -> Result<axum::Json<InspectionPool>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    supervisor_role(&p)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let industry = industry_param(q.industry.as_deref())?;
    Ok(axum::Json(pools(&s, &d, &industry).await?))
}

/// A draw as asked for. The seed is the server's (16 random bytes), never
/// the user's: nobody can choose a seed that picks whom they like.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    /// Division code (default: the user's own; inside their jurisdiction).
    pub division: Option<String>,
    pub title: String,
    /// An industry code to limit the enterprise pool to.
    pub industry: Option<String>,
    /// How many enterprises.
    pub n: usize,
    /// YYYY-MM-DD: when the inspections are planned (default: today).
    pub planned_on: Option<String>,
}

/// A draw as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DrawView {
    #[serde(flatten)]
    pub draw: InspectionDraw,
    pub division_name: String,
    /// Re-running the recorded input gives the recorded result.
    pub reproduced: bool,
    pub inspections: Vec<InspectionView>,
}

async fn draw_view(s: &AppState, p: &Principal, d: InspectionDraw) -> Result<DrawView, ApiError> {
    let reproduced = inspections::draw(&d.input).ok().as_ref() == Some(&d.result.0);
    let scope = authorize(p, Action::Read, MODULE)?;
    let items = store::inspections(
        &s.db,
        &super::api::scoped(&scope),
        &InspectionFilter {
            draw_id: Some(d.id),
            ..Default::default()
        },
    )
    .await?;
    Ok(DrawView {
        division_name: s.tree().name(&d.division),
        reproduced,
        inspections: views(s, p, items).await?,
        draw: d,
    })
}

#[utoipa::path(post, path = "/api/v1/supervision/inspection-draws", tag = "supervision", request_body = DrawBody,
    responses((status = 201, body = DrawView, description = "Drawn, recorded and journaled; one planned inspection per enterprise"),
        (status = 409, body = crate::http::error::Problem, description = "Too few inspectors"), (status = 422, body = crate::http::error::Problem)))]
async fn make_draw(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<DrawBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    supervisor_role(&p)?;
    let d = division_param(&s, &p, &scope, b.division.as_deref())?;
    let industry = industry_param(b.industry.as_deref())?;
    let title = text("title", &b.title, 100, true).map_err(ApiError::from)?;
    let now = OffsetDateTime::now_utc();
    let planned = match b
        .planned_on
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        None => today(now),
        Some(x) => crate::clock::parse_date(x).ok_or_else(|| {
            ApiError::from(FieldError::new("planned_on", "日期应为 YYYY-MM-DD").code("not_a_date"))
        })?,
    };
    let pool = pools(&s, &d, &industry).await?;
    let previous = store::last_inspectors(&s.db, &pool.enterprises).await?;
    let input = DrawInput {
        seed: inspections::seed_text(rand::random()),
        enterprises: pool.enterprises,
        inspectors: pool.inspectors,
        n: b.n,
        per: 2,
        previous,
    };
    let result = inspections::draw(&input)?;
    let mut draw = InspectionDraw {
        id: 0,
        division: d.as_str().to_string(),
        title,
        industry,
        input: JsonText(input),
        result: JsonText(result),
        planned_on: date_text(planned),
        drawn_by: p.username.clone(),
        drawn_at: now.into(),
    };
    let mut tx = s.change().await?;
    draw.id = store::insert_draw(&mut tx, &draw).await?;
    let mut entries = vec![entry(
        &p,
        &draw.division,
        "inspection_draw",
        draw.id,
        "drawn",
        json!({ "title": draw.title, "industry": draw.industry, "input": draw.input, "result": draw.result, "planned_on": draw.planned_on }),
    )];
    for x in &draw.result.0 {
        let e = crate::registry::store::get_tx(&mut tx, &s.tree(), "enterprise", x.enterprise_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let mut i = Inspection {
            id: 0,
            draw_id: Some(draw.id),
            enterprise_id: e.id,
            division: e.division.clone(),
            org: e.org.clone(),
            inspectors: JsonText(x.inspectors.clone()),
            state: InspectionState::Planned,
            planned_on: draw.planned_on.clone(),
            started_at: None,
            finished_at: None,
            summary: String::new(),
            template_id: None,
            checks: JsonText(Vec::new()),
            created_by: p.username.clone(),
            created_at: now.into(),
            updated_at: now.into(),
            version: 1,
        };
        i.id = store::insert_inspection(&mut tx, &i).await?;
        entries.push(entry(
            &p,
            &i.division,
            "inspection",
            i.id,
            "planned",
            json!({ "draw_id": draw.id, "enterprise_id": i.enterprise_id, "inspectors": i.inspectors, "planned_on": i.planned_on }),
        ));
    }
    tx.commit(now, entries).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(draw_view(&s, &p, draw).await?),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/supervision/inspection-draws", tag = "supervision",
    responses((status = 200, body = [InspectionDraw], description = "Draws in the jurisdiction, newest first")))]
async fn list_draws(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<InspectionDraw>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    supervisor_role(&p)?;
    Ok(axum::Json(store::draws(&s.db, &scope.prefix).await?))
}

#[utoipa::path(get, path = "/api/v1/supervision/inspection-draws/{id}", tag = "supervision",
    responses((status = 200, body = DrawView, description = "A draw, re-run from its record, and its inspections")))]
async fn get_draw(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<DrawView>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    supervisor_role(&p)?;
    let d = store::get_draw(&s.db, id)
        .await?
        .filter(|d| d.division.starts_with(&scope.prefix))
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(draw_view(&s, &p, d).await?))
}

/// An inspection as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionView {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub enterprise_name: String,
    pub division_name: String,
    pub state_zh: &'static str,
    /// What the reader may do now: start | finish | add_finding.
    pub allowed_events: Vec<&'static str>,
    /// Whether the reader may turn a finding or a failed check into a
    /// hidden hazard (`may_take_hazard`: a drawn inspector or a lead), in
    /// any state of the inspection.
    pub may_make_hazards: bool,
}

/// One of the inspection's drawn inspectors (with a supervising role).
fn assigned(p: &Principal, i: &Inspection) -> bool {
    supervisor_role(p).is_ok() && i.inspectors.contains(&p.username)
}

/// How `p` relates to `i`: a writer covering it, or one of its drawn
/// inspectors — a city draw may send a county's inspector to another
/// county's enterprise (交叉执法); they act on that inspection only.
pub(super) fn actor(p: &Principal, i: &Inspection) -> InspectionActor {
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&i.division, &i.org));
    InspectionActor {
        username: p.username.clone(),
        supervisor: supervisor_role(p).is_ok() && (writes || assigned(p, i)),
        lead: matches!(p.role, Role::Admin | Role::Commander) && writes,
    }
}

async fn views(
    s: &AppState,
    p: &Principal,
    is: Vec<Inspection>,
) -> Result<Vec<InspectionView>, ApiError> {
    let mut ids: Vec<i64> = is.iter().map(|i| i.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::enterprise_names(&s.db, &ids).await?;
    let tree = s.tree();
    let now = OffsetDateTime::now_utc();
    Ok(is
        .into_iter()
        .map(|i| InspectionView {
            enterprise_name: names.get(&i.enterprise_id).cloned().unwrap_or_default(),
            division_name: tree.name(&i.division),
            state_zh: i.state.label_zh(),
            allowed_events: inspection_allowed(i.state, &i.inspectors, &actor(p, &i), now),
            may_make_hazards: may_take_hazard(p, &i).is_ok(),
            inspection: i,
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct InspectionParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
    pub state: Option<InspectionState>,
    pub draw_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervision/inspections", tag = "supervision", params(InspectionParams),
    responses((status = 200, body = [InspectionView], description = "Inspections in the jurisdiction (an enterprise user: their own)")))]
async fn list_inspections(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<InspectionParams>,
) -> Result<axum::Json<Vec<InspectionView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let items = store::inspections(
        &s.db,
        &Scoped {
            prefix: d.prefix(),
            org: scope.org.as_deref(),
        },
        &InspectionFilter {
            state: q.state,
            draw_id: q.draw_id,
            enterprise_id: q.enterprise_id,
        },
    )
    .await?;
    Ok(axum::Json(views(&s, &p, items).await?))
}

/// The inspection if `p` may `action` it: inside their scope, or one they
/// were drawn for; for anyone else it does not exist.
pub(super) async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<Inspection, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_inspection(&s.db, id)
        .await?
        .filter(|i| scope.covers(&i.division, &i.org) || assigned(p, i))
        .ok_or(ApiError::NotFound)
}

/// An inspection with its findings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub view: InspectionView,
    pub findings: Vec<Finding>,
}

pub(super) async fn inspection_detail(
    s: &AppState,
    p: &Principal,
    i: Inspection,
) -> Result<InspectionDetail, ApiError> {
    let findings = store::findings(&s.db, i.id).await?;
    let view = views(s, p, vec![i])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(InspectionDetail { view, findings })
}

#[utoipa::path(get, path = "/api/v1/supervision/inspections/{id}", tag = "supervision",
    responses((status = 200, body = InspectionDetail, description = "One inspection with its findings")))]
async fn get_inspection(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<InspectionDetail>, ApiError> {
    let i = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(inspection_detail(&s, &p, i).await?))
}

command_body! {
    /// A step of an inspection: the version read and the step.
    pub struct InspectionEventBody { command: InspectionCommand }
}

#[utoipa::path(post, path = "/api/v1/supervision/inspections/{id}/events", tag = "supervision", request_body = InspectionEventBody,
    responses((status = 200, body = InspectionDetail, description = "The inspection after the step"),
        (status = 403, body = crate::http::error::Problem, description = "Not one of its inspectors"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is refused")))]
async fn inspection_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<InspectionEventBody>,
) -> Result<axum::Json<InspectionDetail>, ApiError> {
    let mut i = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let st = apply_inspection(i.state, &i.inspectors, &b.command, &actor(&p, &i), now)?;
    i.state = st.state;
    if let Some(x) = st.summary {
        i.summary = x;
    }
    i.started_at = st.started_at.or(i.started_at);
    i.finished_at = st.finished_at.or(i.finished_at);
    i.updated_at = UtcText(now);
    s.save_and_commit(
        &i,
        now,
        vec![entry(
            &p,
            &i.division,
            "inspection",
            i.id,
            b.command.as_str(),
            st.payload,
        )],
    )
    .await?;
    let i = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(inspection_detail(&s, &p, i).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/inspections/{id}/findings", tag = "supervision", request_body = NewFinding,
    responses((status = 201, body = InspectionDetail, description = "Recorded"), (status = 403, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem, description = "Not in progress"), (status = 422, body = crate::http::error::Problem)))]
async fn add_finding(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<NewFinding>,
) -> Result<Response, ApiError> {
    let i = load(&s, &p, id, Action::Write).await?;
    may_finding(i.state, &i.inspectors, &actor(&p, &i))?;
    let [title, description, location, basis] = check_finding(&b).map_err(ApiError::Validation)?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let (_, e) =
        insert_finding(&mut tx, &p, &i, [title, description, location, basis], now).await?;
    tx.commit(now, vec![e]).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(inspection_detail(&s, &p, i).await?),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/supervision/inspections/{id}/findings/{finding}/hazard", tag = "supervision",
    responses((status = 201, body = HazardDetail, description = "The hidden hazard made of the finding (reported, source 日常检查)"),
        (status = 403, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem, description = "The finding already has its hazard")))]
async fn finding_to_hazard(
    State(s): State<AppState>,
    p: Principal,
    Path((id, finding)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let i = load(&s, &p, id, Action::Write).await?;
    may_take_hazard(&p, &i)?;
    let f = store::get_finding(&s.db, finding)
        .await?
        .filter(|f| f.inspection_id == i.id)
        .ok_or(ApiError::NotFound)?;
    may_make_hazard(f.hazard_id)?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let (h, entries) = hazard_of_finding(&s, &mut tx, &p, &i, &f, now).await?;
    tx.commit(now, entries).await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, h).await?)).into_response())
}

/// Only the drawn inspectors (or a lead) turn what they found into hazards.
pub(super) fn may_take_hazard(p: &Principal, i: &Inspection) -> Result<(), ApiError> {
    let a = actor(p, i);
    if a.supervisor && (a.lead || i.inspectors.contains(&a.username)) {
        Ok(())
    } else {
        Err(ApiError::NotAllowed(Refusal::new(
            "assigned_inspectors_only",
            "只有被抽中的执法人员才能办理此检查",
        )))
    }
}

/// The hidden hazard made of finding `f` of inspection `i`, inside `tx`
/// (the hazards' own create path, source 日常检查, the basis in its
/// description), linked to the finding once; the journal entries to
/// commit with it.
pub(super) async fn hazard_of_finding(
    s: &AppState,
    tx: &mut crate::journal::Change,
    p: &Principal,
    i: &Inspection,
    f: &Finding,
    now: OffsetDateTime,
) -> Result<(super::Hazard, Vec<crate::journal::NewEntry>), ApiError> {
    // The enterprise is the inspection's (never an input), which the
    // caller may act on.
    let e = crate::registry::store::get(&s.db, &s.tree(), "enterprise", f.enterprise_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let description = if f.basis.is_empty() {
        f.description.clone()
    } else {
        format!("{}\n依据：{}", f.description, f.basis)
            .trim()
            .to_string()
    };
    let (h, first) = insert_reported(
        tx,
        p,
        &e,
        (
            f.title.clone(),
            description,
            f.location.clone(),
            HazardSource::Routine,
        ),
        now,
    )
    .await?;
    if !store::set_finding_hazard(tx, f.id, h.id).await? {
        return Err(ApiError::from(inspections::finding_has_hazard(h.id)));
    }
    let link = entry(
        p,
        &i.division,
        "inspection",
        i.id,
        "finding_to_hazard",
        json!({ "finding_id": f.id, "hazard_id": h.id }),
    );
    Ok((h, vec![first, link]))
}

/// Record a finding of inspection `i` (title, description, location,
/// basis) inside `tx`, and the journal entry that says so.
pub(super) async fn insert_finding(
    tx: &mut crate::journal::Change,
    p: &Principal,
    i: &Inspection,
    [title, description, location, basis]: [String; 4],
    now: OffsetDateTime,
) -> Result<(Finding, crate::journal::NewEntry), ApiError> {
    let mut f = Finding {
        id: 0,
        inspection_id: i.id,
        enterprise_id: i.enterprise_id,
        division: i.division.clone(),
        org: i.org.clone(),
        title,
        description,
        location,
        basis,
        hazard_id: None,
        created_by: p.username.clone(),
        created_at: now.into(),
    };
    f.id = store::insert_finding(tx, &f).await?;
    let e = entry(
        p,
        &i.division,
        "inspection",
        i.id,
        "finding",
        json!({ "finding_id": f.id, "title": f.title, "description": f.description, "location": f.location, "basis": f.basis }),
    );
    Ok((f, e))
}
