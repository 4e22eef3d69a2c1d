//! HTTP routes of supervision: risk points (four colours) and the hidden
//! hazard loop. Every request: parse → `auth::authorize(…, "supervision")`
//! (the jurisdiction's subtree; an enterprise user only their own
//! enterprise) → rule → `Change::save` + journal in one transaction.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, HazardFilter, RiskFilter, Scoped};
use super::{
    apply, check_report, enterprise_level, hazard_allowed, overdue, Actor, Assessment, Hazard,
    HazardCommand, HazardGrade, HazardState, NewHazard, Reported, RiskLevel, RiskPoint,
};
use crate::auth::{authorize, Action, Principal, Role, Scope};
use crate::clock::CST;
use crate::db::{JsonText, UtcText, Versioned};
use crate::divisions::Code;
use crate::error::{text, FieldError};
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_risk_points, create_risk_point))
        .routes(routes!(get_risk_point, edit_risk_point))
        .routes(routes!(enterprise_risk))
        .routes(routes!(list_hazards, report_hazard))
        .routes(routes!(get_hazard))
        .routes(routes!(hazard_event))
        .merge(super::api_major::routes())
        .merge(super::api_map::routes())
        .merge(super::api_checklists::routes())
        .merge(super::api_inspections::routes())
        .merge(super::api_stats::routes())
}

pub(super) const MODULE: &str = "supervision";

pub(super) fn entry(
    p: &Principal,
    division: &str,
    entity: &str,
    id: i64,
    kind: &'static str,
    payload: Value,
) -> NewEntry {
    NewEntry::new(&p.username, MODULE, division, entity, id, kind, payload)
}

pub(super) fn scoped(scope: &Scope) -> Scoped<'_> {
    Scoped {
        prefix: &scope.prefix,
        org: scope.org.as_deref(),
    }
}

/// The division a listing names (default: the user's own), inside the scope.
pub(super) fn division_param(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    input: Option<&str>,
) -> Result<Code, ApiError> {
    let d = match input.map(str::trim).filter(|x| !x.is_empty()) {
        None => return Ok(p.division.clone()),
        Some(x) => s
            .tree()
            .resolve(x, &p.division)
            .map_err(|e| ApiError::from(FieldError::new("division", e).code("bad_division")))?,
    };
    if !d.as_str().starts_with(&scope.prefix) {
        return Err(ApiError::from(
            FieldError::new("division", "不在您的管辖范围内").code("out_of_jurisdiction"),
        ));
    }
    Ok(d)
}

/// An enterprise (a registry record) the user may act for: inside the
/// write scope, and their own for an enterprise user. Another
/// jurisdiction's enterprise does not exist for them.
pub(crate) async fn enterprise(
    s: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<crate::registry::Item, ApiError> {
    crate::registry::store::get(&s.db, &s.tree(), "enterprise", id)
        .await?
        .filter(|e| scope.covers(&e.division, &e.org))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("enterprise_id", "找不到该企业或不在您的管辖范围内")
                    .code("enterprise_not_found"),
            )
        })
}

pub(super) fn today(now: OffsetDateTime) -> time::Date {
    now.to_offset(CST).date()
}

pub(super) fn date_text(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

// ── risk points ────────────────────────────────────────────────────────

/// A risk point as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RiskPointView {
    #[serde(flatten)]
    pub point: RiskPoint,
    pub enterprise_name: String,
    pub division_name: String,
    /// red | orange | yellow | blue
    pub colour: &'static str,
    pub level_zh: &'static str,
    /// The reassessment date has passed.
    pub reassessment_due: bool,
}

fn risk_view(
    s: &AppState,
    r: RiskPoint,
    names: &std::collections::HashMap<i64, String>,
) -> RiskPointView {
    let today = date_text(today(OffsetDateTime::now_utc()));
    RiskPointView {
        enterprise_name: names.get(&r.enterprise_id).cloned().unwrap_or_default(),
        division_name: s.tree().name(&r.division),
        colour: r.level.colour(),
        level_zh: r.level.label_zh(),
        reassessment_due: r.next_assessment_on < today,
        point: r,
    }
}

async fn risk_views(s: &AppState, rs: Vec<RiskPoint>) -> Result<Vec<RiskPointView>, ApiError> {
    let mut ids: Vec<i64> = rs.iter().map(|r| r.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::enterprise_names(&s.db, &ids).await?;
    Ok(rs.into_iter().map(|r| risk_view(s, r, &names)).collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RiskParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
    pub enterprise_id: Option<i64>,
    pub level: Option<RiskLevel>,
}

#[utoipa::path(get, path = "/api/v1/supervision/risk-points", tag = "supervision", params(RiskParams),
    responses((status = 200, body = [RiskPointView], description = "Risk points in the jurisdiction, by enterprise, highest score first")))]
async fn list_risk_points(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RiskParams>,
) -> Result<axum::Json<Vec<RiskPointView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let items = store::risk_points(
        &s.db,
        &Scoped {
            prefix: d.prefix(),
            org: scope.org.as_deref(),
        },
        &RiskFilter {
            enterprise_id: q.enterprise_id,
            level: q.level,
        },
    )
    .await?;
    Ok(axum::Json(risk_views(&s, items).await?))
}

async fn load_risk_point(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<RiskPoint, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_risk_point(&s.db, id)
        .await?
        .filter(|r| scope.covers(&r.division, &r.org))
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/supervision/risk-points/{id}", tag = "supervision",
    responses((status = 200, body = RiskPointView, description = "One risk point")))]
async fn get_risk_point(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<RiskPointView>, ApiError> {
    let r = load_risk_point(&s, &p, id, Action::Read).await?;
    let mut v = risk_views(&s, vec![r]).await?;
    v.pop().map(axum::Json).ok_or(ApiError::NotFound)
}

/// A risk point as entered (identified and assessed).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPointBody {
    /// Only when editing: the version read.
    pub version: Option<i64>,
    /// The enterprise (not changed by an edit).
    pub enterprise_id: i64,
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub hazard_factors: String,
    pub assessment: Assessment,
    #[serde(default)]
    pub measures: String,
    /// YYYY-MM-DD (default: today).
    pub assessed_on: Option<String>,
    /// YYYY-MM-DD (default: a year after the assessment).
    pub next_assessment_on: Option<String>,
}

struct CheckedRisk {
    name: String,
    location: String,
    hazard_factors: String,
    score: f64,
    level: RiskLevel,
    measures: String,
    assessed_on: String,
    next_assessment_on: String,
}

fn check_risk(b: &RiskPointBody, now: OffsetDateTime) -> Result<CheckedRisk, ApiError> {
    let mut errors = Vec::new();
    let mut take = |r: Result<String, FieldError>| {
        r.unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        })
    };
    let name = take(text("name", &b.name, 100, true));
    let location = take(text("location", &b.location, 200, false));
    let hazard_factors = take(text("hazard_factors", &b.hazard_factors, 2000, false));
    let measures = take(text("measures", &b.measures, 4000, false));
    let day =
        |name: &str, v: &Option<String>, default: time::Date, errors: &mut Vec<FieldError>| match v
            .as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
        {
            None => default,
            Some(x) => crate::clock::parse_date(x).unwrap_or_else(|| {
                errors.push(FieldError::new(name, "日期应为 YYYY-MM-DD").code("not_a_date"));
                default
            }),
        };
    let assessed = day("assessed_on", &b.assessed_on, today(now), &mut errors);
    if assessed > today(now) {
        errors.push(FieldError::new("assessed_on", "评估日期不能晚于今天").code("in_future"));
    }
    let next = day(
        "next_assessment_on",
        &b.next_assessment_on,
        assessed + Duration::days(super::REASSESS_EVERY_DAYS),
        &mut errors,
    );
    if next <= assessed {
        errors.push(
            FieldError::new("next_assessment_on", "复评日期须晚于评估日期").code("not_after"),
        );
    }
    let (score, level) = match b.assessment.grade() {
        Ok(x) => x,
        Err(e) => {
            errors.push(e);
            (0.0, RiskLevel::Low)
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(CheckedRisk {
        name,
        location,
        hazard_factors,
        score,
        level,
        measures,
        assessed_on: date_text(assessed),
        next_assessment_on: date_text(next),
    })
}

#[utoipa::path(post, path = "/api/v1/supervision/risk-points", tag = "supervision", request_body = RiskPointBody,
    responses((status = 201, body = RiskPointView, description = "Identified and assessed"), (status = 422, body = crate::http::error::Problem)))]
async fn create_risk_point(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<RiskPointBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let e = enterprise(&s, &scope, b.enterprise_id).await?;
    let now = OffsetDateTime::now_utc();
    let c = check_risk(&b, now)?;
    let mut r = RiskPoint {
        id: 0,
        enterprise_id: e.id,
        division: e.division.clone(),
        org: e.org.clone(),
        name: c.name,
        location: c.location,
        hazard_factors: c.hazard_factors,
        assessment: JsonText(b.assessment),
        score: c.score,
        level: c.level,
        measures: c.measures,
        assessed_on: c.assessed_on,
        next_assessment_on: c.next_assessment_on,
        created_by: p.username.clone(),
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    };
    let mut tx = s.change().await?;
    r.id = store::insert_risk_point(&mut tx, &r).await?;
    let payload = json!({ "enterprise_id": r.enterprise_id, "name": r.name, "assessment": r.assessment, "score": r.score, "level": r.level });
    tx.commit(
        now,
        vec![entry(
            &p,
            &r.division,
            "risk_point",
            r.id,
            "assessed",
            payload,
        )],
    )
    .await?;
    let v = risk_views(&s, vec![r]).await?;
    Ok((StatusCode::CREATED, axum::Json(v.into_iter().next())).into_response())
}

#[utoipa::path(put, path = "/api/v1/supervision/risk-points/{id}", tag = "supervision", request_body = RiskPointBody,
    responses((status = 200, body = RiskPointView, description = "Reassessed"), (status = 409, body = crate::http::error::Problem, description = "Stale version")))]
async fn edit_risk_point(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<RiskPointBody>,
) -> Result<axum::Json<RiskPointView>, ApiError> {
    let mut r = load_risk_point(&s, &p, id, Action::Write).await?;
    r.expect_sent(b.version)?;
    let now = OffsetDateTime::now_utc();
    let c = check_risk(&b, now)?;
    let before = json!({ "assessment": r.assessment, "score": r.score, "level": r.level });
    r.name = c.name;
    r.location = c.location;
    r.hazard_factors = c.hazard_factors;
    r.assessment = JsonText(b.assessment);
    r.score = c.score;
    r.level = c.level;
    r.measures = c.measures;
    r.assessed_on = c.assessed_on;
    r.next_assessment_on = c.next_assessment_on;
    r.updated_at = now.into();
    let payload = json!({ "before": before, "after": { "assessment": r.assessment, "score": r.score, "level": r.level } });
    s.save_and_commit(
        &r,
        now,
        vec![entry(
            &p,
            &r.division,
            "risk_point",
            r.id,
            "reassessed",
            payload,
        )],
    )
    .await?;
    let r = load_risk_point(&s, &p, id, Action::Read).await?;
    let mut v = risk_views(&s, vec![r]).await?;
    v.pop().map(axum::Json).ok_or(ApiError::NotFound)
}

/// An enterprise's four-colour level and its risk points.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnterpriseRisk {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The highest level of its risk points (none when none is assessed).
    pub level: Option<RiskLevel>,
    /// red | orange | yellow | blue, or empty.
    pub colour: &'static str,
    pub points: Vec<RiskPointView>,
    /// Open hazards by grade: general, major, and how many are overdue.
    pub open_hazards: i64,
    pub open_major_hazards: i64,
    pub overdue_hazards: i64,
}

#[utoipa::path(get, path = "/api/v1/supervision/enterprises/{id}/risk", tag = "supervision",
    responses((status = 200, body = EnterpriseRisk, description = "The enterprise's colour (the highest of its risk points), its risk points and open hazards")))]
async fn enterprise_risk(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<EnterpriseRisk>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let e = crate::registry::store::get(&s.db, &s.tree(), "enterprise", id)
        .await?
        .filter(|e| scope.covers(&e.division, &e.org))
        .ok_or(ApiError::NotFound)?;
    let sc = scoped(&scope);
    let points = store::risk_points(
        &s.db,
        &sc,
        &RiskFilter {
            enterprise_id: Some(id),
            level: None,
        },
    )
    .await?;
    let level = enterprise_level(points.iter().map(|r| r.level));
    let count = |f: HazardFilter| {
        let sc = scoped(&scope);
        let db = s.db.clone();
        async move {
            store::hazards(&db, &sc, &HazardFilter { limit: 1, ..f })
                .await
                .map(|x| x.1)
        }
    };
    let now = OffsetDateTime::now_utc();
    let open_hazards = count(HazardFilter {
        enterprise_id: Some(id),
        open: true,
        ..Default::default()
    })
    .await?;
    let open_major_hazards = count(HazardFilter {
        enterprise_id: Some(id),
        open: true,
        grade: Some(HazardGrade::Major),
        ..Default::default()
    })
    .await?;
    let overdue_hazards = count(HazardFilter {
        enterprise_id: Some(id),
        overdue_at: Some(now.into()),
        ..Default::default()
    })
    .await?;
    Ok(axum::Json(EnterpriseRisk {
        enterprise_id: id,
        enterprise_name: e.name,
        level,
        colour: level.map_or("", RiskLevel::colour),
        points: risk_views(&s, points).await?,
        open_hazards,
        open_major_hazards,
        overdue_hazards,
    }))
}

// ── hazards ────────────────────────────────────────────────────────────

/// A hazard as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HazardView {
    #[serde(flatten)]
    pub hazard: Hazard,
    pub enterprise_name: String,
    pub division_name: String,
    pub state_zh: &'static str,
    /// Still being rectified after its deadline day (`supervision::overdue`).
    pub overdue: bool,
    /// What the reader may do now: confirm | rectify | list |
    /// report_rectified | return | accept | close (`supervision::hazard_allowed`).
    pub allowed_events: Vec<&'static str>,
}

/// One step of a hazard's history, from the journal.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HazardStep {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// A hazard with its history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub view: HazardView,
    pub timeline: Vec<HazardStep>,
}

/// One page of hazards.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HazardPage {
    pub items: Vec<HazardView>,
    pub total: i64,
}

/// How `p` relates to `h`: the enterprise itself, or a supervising writer.
fn actor_of(p: &Principal, h: &Hazard) -> Actor {
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&h.division, &h.org));
    Actor {
        username: p.username.clone(),
        enterprise: writes && p.role == Role::Enterprise,
        supervisor: writes && matches!(p.role, Role::Admin | Role::Commander | Role::Operator),
        level: p.division.prefix().to_string(),
    }
}

fn hazard_views(
    s: &AppState,
    p: &Principal,
    hs: Vec<Hazard>,
    names: &std::collections::HashMap<i64, String>,
) -> Vec<HazardView> {
    let now = OffsetDateTime::now_utc();
    let tree = s.tree();
    hs.into_iter()
        .map(|h| HazardView {
            enterprise_name: names.get(&h.enterprise_id).cloned().unwrap_or_default(),
            division_name: tree.name(&h.division),
            state_zh: h.state.label_zh(),
            overdue: overdue(h.state, h.due_at, now),
            allowed_events: hazard_allowed(&h, &actor_of(p, &h), now),
            hazard: h,
        })
        .collect()
}

async fn hazard_view(s: &AppState, p: &Principal, h: Hazard) -> Result<HazardView, ApiError> {
    let names = store::enterprise_names(&s.db, &[h.enterprise_id]).await?;
    hazard_views(s, p, vec![h], &names)
        .pop()
        .ok_or(ApiError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HazardParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
    pub enterprise_id: Option<i64>,
    pub state: Option<HazardState>,
    pub grade: Option<HazardGrade>,
    /// Only those being rectified past their deadline.
    pub overdue: Option<bool>,
    /// Only those listed for supervision (true) or not (false).
    pub listed: Option<bool>,
    /// Only those not yet closed.
    pub open: Option<bool>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervision/hazards", tag = "supervision", params(HazardParams),
    responses((status = 200, body = HazardPage, description = "Hazards in the jurisdiction (an enterprise user: their own), newest report first")))]
async fn list_hazards(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<HazardParams>,
) -> Result<axum::Json<HazardPage>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let now = OffsetDateTime::now_utc();
    let (items, total) = store::hazards(
        &s.db,
        &Scoped {
            prefix: d.prefix(),
            org: scope.org.as_deref(),
        },
        &HazardFilter {
            enterprise_id: q.enterprise_id,
            state: q.state,
            open: q.open.unwrap_or(false),
            grade: q.grade,
            overdue_at: q.overdue.unwrap_or(false).then_some(UtcText(now)),
            listed: q.listed,
            limit: q.limit.unwrap_or(50),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    let mut ids: Vec<i64> = items.iter().map(|h| h.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::enterprise_names(&s.db, &ids).await?;
    Ok(axum::Json(HazardPage {
        items: hazard_views(&s, &p, items, &names),
        total,
    }))
}

/// The hazard if the user may `action` it; another jurisdiction's (or
/// another enterprise's) hazard does not exist for them.
async fn load(s: &AppState, p: &Principal, id: i64, action: Action) -> Result<Hazard, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_hazard(&s.db, id)
        .await?
        .filter(|h| scope.covers(&h.division, &h.org))
        .ok_or(ApiError::NotFound)
}

pub(super) async fn detail(
    s: &AppState,
    p: &Principal,
    h: Hazard,
) -> Result<HazardDetail, ApiError> {
    let steps = crate::journal::list(
        &s.db,
        &crate::journal::ListFilter {
            module: Some(MODULE.into()),
            entity: Some("hazard".into()),
            entity_id: Some(h.id.to_string()),
            limit: 1000,
            ascending: true,
            ..Default::default()
        },
    )
    .await?;
    let timeline = steps
        .into_iter()
        .map(|e| HazardStep {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            payload: e.payload,
        })
        .collect();
    Ok(HazardDetail {
        view: hazard_view(s, p, h).await?,
        timeline,
    })
}

#[utoipa::path(get, path = "/api/v1/supervision/hazards/{id}", tag = "supervision",
    responses((status = 200, body = HazardDetail, description = "One hazard with its steps")))]
async fn get_hazard(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<HazardDetail>, ApiError> {
    let h = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, h).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/hazards", tag = "supervision", request_body = NewHazard,
    responses((status = 201, body = HazardDetail, description = "Reported"), (status = 422, body = crate::http::error::Problem)))]
async fn report_hazard(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewHazard>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let is_enterprise = p.role == Role::Enterprise;
    let checked = check_report(&b, is_enterprise).map_err(ApiError::Validation)?;
    let e = enterprise(&s, &scope, b.enterprise_id).await?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let (h, first) = insert_reported(&mut tx, &p, &e, checked, now).await?;
    tx.commit(now, vec![first]).await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, h).await?)).into_response())
}

/// The one create path of a hidden hazard (a report through the API, a
/// finding of an inspection): insert it as first reported, inside `tx`,
/// and the journal entry that says so (the caller commits it).
pub(super) async fn insert_reported(
    tx: &mut crate::journal::Change,
    p: &Principal,
    e: &crate::registry::Item,
    (title, description, location, source): (String, String, String, super::HazardSource),
    now: OffsetDateTime,
) -> Result<(Hazard, NewEntry), ApiError> {
    let mut h = Hazard::reported(
        Reported {
            enterprise_id: e.id,
            division: e.division.clone(),
            org: e.org.clone(),
            title,
            description,
            location,
            source,
            reported_by: p.username.clone(),
        },
        UtcText(now),
    );
    h.id = store::insert_hazard(tx, &h).await?;
    let payload = json!({ "enterprise_id": h.enterprise_id, "title": h.title, "location": h.location, "source": h.source, "to": "reported" });
    let first = entry(p, &h.division, "hazard", h.id, "reported", payload);
    Ok((h, first))
}

command_body! {
    /// A step of a hazard's loop: the version read and the step.
    pub struct HazardEventBody { command: HazardCommand }
}

#[utoipa::path(post, path = "/api/v1/supervision/hazards/{id}/events", tag = "supervision", request_body = HazardEventBody,
    responses((status = 200, body = HazardDetail, description = "The hazard after the step"),
        (status = 403, body = crate::http::error::Problem, description = "This user may not take the step (with the reason)"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is refused (with the reason)")))]
async fn hazard_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<HazardEventBody>,
) -> Result<axum::Json<HazardDetail>, ApiError> {
    let h = load(&s, &p, id, Action::Write).await?;
    h.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let actor = actor_of(&p, &h);
    let (h, payload) = apply(h, &b.command, &actor, now)?;
    s.save_and_commit(
        &h,
        now,
        vec![entry(
            &p,
            &h.division,
            "hazard",
            h.id,
            b.command.as_str(),
            payload,
        )],
    )
    .await?;
    let h = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, h).await?))
}
