//! HTTP routes of command and rescue: incident intake, its life cycle (with
//! the proposed grade and matching plans), the 10-hour rescue clock,
//! instructions from plan task templates, and dispatch orders. Every write:
//! parse → authorize → rules → store + journal in one transaction.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::commands::{self, Actor, CommandError, IncidentCommand, OrderCommand};
use super::store::{self, Incident, Instruction, Order};
use super::{
    grade, instruction_overdue, rescue_clock, DispatchState, Event, IncidentState,
    InstructionEvent, InstructionState, Role, RESCUE_LIMIT,
};
use crate::auth::{authorize, Action, Principal, Role as UserRole, Scope};
use crate::clock::{format_time, parse_time, CST};
use crate::db::Versioned;
use crate::error::{FieldError, Refusal};
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::{self, NewEntry};
use crate::plans::store as plan_store;
use crate::plans::{match_plans, Catalog, Facts, Level, PlanError};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(types))
        .routes(routes!(list, create))
        .routes(routes!(duplicates))
        .routes(routes!(add_call))
        .routes(routes!(detail))
        .routes(routes!(event))
        .routes(routes!(update_facts))
        .routes(routes!(helped))
        .routes(routes!(issue))
        .routes(routes!(instruction_event))
        .routes(routes!(request_dispatch))
        .routes(routes!(order_event))
}

/// The fixed part of the plan catalogue (incident types, commands,
/// departments), parsed once.
pub fn catalog() -> Result<&'static Catalog, ApiError> {
    crate::plans::embedded().map_err(|e| ApiError::Internal(format!("plan catalogue: {e}")))
}

/// The catalogue with the plan versions and drills stored now (what
/// grading, matching and starting a response use).
async fn stored_catalog(s: &AppState) -> Result<Catalog, ApiError> {
    Ok(plan_store::catalog(&s.db).await?)
}

/// A plan rule's error as the incident's answer: plans' one conversion
/// (coded field errors pass through with their code and params), except
/// that a bad division is the incident's own `division` field.
fn plan_err(e: PlanError) -> ApiError {
    match e {
        PlanError::Division(m) => FieldError::new("division", m).code("bad_division").into(),
        other => other.into(),
    }
}

/// A fact's error as the incident's field (`facts.magnitude`), with the
/// plan rule's code and params.
fn facts_error(e: PlanError) -> FieldError {
    match e.field_error() {
        Some(f) => FieldError {
            field: format!("facts.{}", f.field),
            ..f
        },
        None => FieldError::new("facts", e.to_string()).code("invalid_facts"),
    }
}

fn command_err(e: CommandError) -> ApiError {
    match e {
        CommandError::Rule(e) => e.into(),
        CommandError::Plan(e) => plan_err(e),
        CommandError::Invalid(errors) => ApiError::Validation(errors),
    }
}

fn today(now: OffsetDateTime) -> time::Date {
    now.to_offset(CST).date()
}

fn is_commander(p: &Principal) -> bool {
    matches!(p.role, UserRole::Commander | UserRole::Admin)
}

fn entry(p: &Principal, i: &Incident, kind: &'static str, payload: Value) -> NewEntry {
    NewEntry::new(
        &p.username,
        "incidents",
        &i.division,
        "incident",
        i.id,
        kind,
        payload,
    )
}

/// The incident if the user may `action` it; another jurisdiction's
/// incident does not exist for them.
async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<(Incident, Scope), ApiError> {
    let scope = authorize(p, action, "incidents")?;
    let i = store::get_incident(&s.db, id)
        .await?
        .filter(|i| scope.covers(&i.division, ""))
        .ok_or(ApiError::NotFound)?;
    Ok((i, scope))
}

/// The 10-hour rescue clock of an incident as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RescueClockView {
    pub deadline: String,
    pub remaining_s: i64,
    pub status: super::ClockStatus,
    pub status_zh: String,
    /// Not yet ended and the clock applies (the clock is shown).
    pub active: bool,
    /// The incident has people affected, relocated or evacuated, so the
    /// 10-hour clock runs for it (`incidents::rescue_clock_applies`).
    pub applies: bool,
}

/// An incident as lists show it: the stored incident, its labels and clock.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IncidentSummary {
    #[serde(flatten)]
    pub incident: Incident,
    pub division_name: String,
    pub state_zh: String,
    /// Not yet ended (reported, verified, graded or responding): the lists
    /// put it first and the rescue clock runs.
    pub active: bool,
    /// The level of the response under way, if any.
    pub response_level: Option<Level>,
    pub clock: RescueClockView,
    /// The type's name (absent only if the catalogue cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
}

/// An instruction with its label and whether it is past due.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InstructionView {
    #[serde(flatten)]
    pub instruction: Instruction,
    /// Past due while the assignee still owes it.
    pub overdue: bool,
    pub state_zh: String,
    /// The steps the reader may take now: receive | start | feedback |
    /// accept | return.
    pub allowed_events: Vec<&'static str>,
}

/// A dispatch order with the steps the reader may take now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    /// approve | depart | arrive | return | cancel
    pub allowed_events: Vec<&'static str>,
}

/// `GET /incidents/{id}`: the incident with everything the command desk
/// shows.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub summary: IncidentSummary,
    pub proposed_grade: super::Grade,
    /// Matching plans, most specific first.
    pub plans: Vec<crate::plans::PlanMatch>,
    pub instructions: Vec<InstructionView>,
    pub dispatch_orders: Vec<OrderView>,
    /// The incident's journal entries, oldest first.
    pub timeline: Vec<journal::Entry>,
    pub attachments: Vec<crate::attachments::store::Meta>,
    /// What the reader may do now (`incidents::allowed_events`): life-cycle
    /// event kinds, `helped`, `issue_instruction`, `dispatch`.
    pub allowed_events: Vec<&'static str>,
    /// The team kinds its type calls for, first to send first
    /// (`dispatch::team_kinds_for`): the dispatch dialog starts with them.
    pub suggested_team_kinds: Vec<&'static str>,
    /// The accident record its intake opened (a production-safety type:
    /// `reports::intake`), when the reader may see accidents.
    pub accident_id: Option<i64>,
}

fn clock_of(i: &Incident, now: OffsetDateTime) -> RescueClockView {
    // An ended incident's clock stops when the response ended.
    let now = match (i.state.is_active(), i.ended_at.map(|t| t.0)) {
        (false, Some(end)) if end < now => end,
        _ => now,
    };
    let onset = i.onset_at.0;
    let helped = i.helped_at.map(|t| t.0);
    let c = rescue_clock(onset, helped, now, RESCUE_LIMIT);
    RescueClockView {
        deadline: format_time(c.deadline),
        remaining_s: c.remaining_s,
        status: c.status,
        status_zh: c.status.label_zh().into(),
        active: i.state.is_active() && super::rescue_clock_applies(&i.facts),
        applies: super::rescue_clock_applies(&i.facts),
    }
}

fn summary(i: &Incident, now: OffsetDateTime, s: &AppState) -> IncidentSummary {
    IncidentSummary {
        incident: i.clone(),
        division_name: s.tree().name(&i.division),
        state_zh: i.state.label_zh().into(),
        active: i.state.is_active(),
        response_level: i.state.level(),
        clock: clock_of(i, now),
        type_name: catalog()
            .ok()
            .map(|c| c.type_name(&i.incident_type).to_string()),
    }
}

#[utoipa::path(get, path = "/api/v1/incident-types", tag = "incidents", responses((status = 200, body = [crate::plans::IncidentType], description = "The national classification tree (4 categories and sub-types)")))]
async fn types(
    p: Principal,
) -> Result<axum::Json<&'static [crate::plans::IncidentType]>, ApiError> {
    authorize(&p, Action::Read, "incidents")?;
    Ok(axum::Json(&catalog()?.types))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Only incidents not yet ended.
    pub active: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListParams), responses((status = 200, body = [IncidentSummary], description = "Incidents in the jurisdiction, newest first, each with its rescue clock")))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Vec<IncidentSummary>>, ApiError> {
    let scope = authorize(&p, Action::Read, "incidents")?;
    let now = OffsetDateTime::now_utc();
    let items = store::list_incidents(&s.db, &scope.prefix, q.active.unwrap_or(false)).await?;
    Ok(axum::Json(
        items.iter().map(|i| summary(i, now, &s)).collect(),
    ))
}

/// The call being taken (`GET /incidents/duplicates`): its type and, as far
/// as known, its division and point.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct DuplicateParams {
    /// A code of `/incident-types`.
    pub incident_type: String,
    /// 12-digit division code (used when either side has no point).
    pub division: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

/// The incident's point from input: both coordinates or none, in range,
/// and inside its division (when the division is known).
fn point_in(
    tree: &crate::divisions::Tree,
    division: Option<&crate::divisions::Code>,
    lon: Option<f64>,
    lat: Option<f64>,
) -> Result<Option<(f64, f64)>, FieldError> {
    let point = point_of(lon, lat)?;
    if let (Some((lon, lat)), Some(d)) = (point, division) {
        if tree.contains_point(d, lon, lat) == Some(false) {
            return Err(
                FieldError::new("lat", format!("坐标 ({lon}, {lat}) 不在所选区划范围内"))
                    .code("point_outside_division")
                    .param("lon", lon)
                    .param("lat", lat),
            );
        }
    }
    Ok(point)
}

/// A point from input: both coordinates or none, each in range.
fn point_of(lon: Option<f64>, lat: Option<f64>) -> Result<Option<(f64, f64)>, FieldError> {
    match (lon, lat) {
        (None, None) => Ok(None),
        (Some(lon), Some(lat))
            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
        {
            Ok(Some((lon, lat)))
        }
        (Some(_), Some(_)) => Err(FieldError::new(
            "lon",
            "经度应在 -180 到 180 之间、纬度在 -90 到 90 之间",
        )
        .code("lon_lat_out_of_range")),
        _ => Err(FieldError::new("lon", "经度和纬度需同时填写").code("lon_lat_together")),
    }
}

#[utoipa::path(get, path = "/api/v1/incidents/duplicates", tag = "incidents", params(DuplicateParams),
    responses((status = 200, body = [super::duplicates::PossibleDuplicate], description = "Open incidents of a related type near the call's place, received within the configured window (重复来电), nearest first"),
        (status = 422, body = crate::http::error::Problem)))]
async fn duplicates(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DuplicateParams>,
) -> Result<axum::Json<Vec<super::duplicates::PossibleDuplicate>>, ApiError> {
    let scope = authorize(&p, Action::Read, "incidents")?;
    if q.incident_type.trim().is_empty() {
        return Err(FieldError::new("incident_type", "必填")
            .code("required")
            .into());
    }
    let point = point_of(q.lon, q.lat)?;
    let open = store::list_incidents(&s.db, &scope.prefix, true).await?;
    let call = super::duplicates::Call {
        incident_type: q.incident_type.trim(),
        division: q.division.as_deref().map(str::trim),
        point,
    };
    Ok(axum::Json(super::duplicates::possible_duplicates(
        &call,
        &open,
        &s.config.incidents,
        OffsetDateTime::now_utc(),
    )))
}

/// 重复来电: another call about an open incident, added to it as a 续报.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    pub version: i64,
    #[serde(default)]
    pub reporter: String,
    #[serde(default)]
    pub reporter_phone: String,
    /// What the caller said.
    pub note: String,
    /// Where the caller is or saw it, if said.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/calls", tag = "incidents", request_body = CallBody,
    responses((status = 200, body = IncidentDetail, description = "The call is on the incident's timeline"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the incident is no longer open"),
        (status = 422, body = crate::http::error::Problem)))]
async fn add_call(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<CallBody>,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let (mut i, _) = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    super::may_add_call(i.state)?;
    let mut errors = Vec::new();
    let note = b.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        errors.push(
            FieldError::new("note", "必填，最多 2000 字")
                .code("required_max")
                .param("max", 2000),
        );
    }
    for (field, value, max) in [
        ("reporter", &b.reporter, 50),
        ("reporter_phone", &b.reporter_phone, 30),
    ] {
        if value.trim().chars().count() > max {
            errors.push(
                FieldError::new(field, format!("最多 {max} 字"))
                    .code("too_long")
                    .param("max", max),
            );
        }
    }
    let point = point_of(b.lon, b.lat)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = OffsetDateTime::now_utc();
    i.updated_at = now.into();
    let payload = json!({
        "note": note,
        "reporter": b.reporter.trim(),
        "reporter_phone": b.reporter_phone.trim(),
        "lon": point.map(|p| p.0),
        "lat": point.map(|p| p.1),
    });
    save(
        &s,
        &i,
        vec![entry(&p, &i, "call", payload)],
        Extra::default(),
        &p,
        now,
    )
    .await
}

/// The intake form (接报): under a minute to fill.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    /// A code of `/incident-types`.
    pub incident_type: String,
    /// 12-digit division code (or a unique name) within the jurisdiction.
    pub division: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    #[serde(default)]
    pub address: String,
    /// RFC 3339 with offset; default now.
    pub onset_at: Option<String>,
    /// phone | system | report | superior (电话/系统告警/上报/上级通报)
    pub source: String,
    #[serde(default)]
    pub reporter: String,
    #[serde(default)]
    pub reporter_phone: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Facts,
    #[serde(default)]
    pub description: String,
    /// Attachment ids (`POST /attachments`): photos, documents.
    #[serde(default)]
    pub attachments: Vec<i64>,
}

const SOURCES: [&str; 4] = ["phone", "system", "report", "superior"];

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident,
    responses((status = 201, body = IncidentDetail, description = "Recorded, with the proposed grade and matching plans"), (status = 422, body = crate::http::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewIncident>,
) -> Result<Response, ApiError> {
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let i = intake(&s, &p, b, &mut tx, now).await?;
    tx.commit(now, vec![]).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail_of(&s, &i, now, &p).await?),
    )
        .into_response())
}

/// Record an incident report (接报) by `p` in the change `tx`: checks every
/// field, inserts the incident and stages its journal entry (committed with
/// the caller's change). The one creation path: the intake form and an
/// alarm that opens an incident (`monitoring`) both use it.
pub(crate) async fn intake(
    s: &AppState,
    p: &Principal,
    b: NewIncident,
    tx: &mut journal::Change,
    now: OffsetDateTime,
) -> Result<Incident, ApiError> {
    let scope = authorize(p, Action::Write, "incidents")?;
    let c = catalog()?;
    let tree = s.tree();
    let mut errors = Vec::new();
    if b.title.trim().is_empty() || b.title.chars().count() > 200 {
        errors.push(
            FieldError::new("title", "必填，最多 200 字")
                .code("required_max")
                .param("max", 200),
        );
    }
    if c.type_node(b.incident_type.trim()).is_none() {
        errors.push(
            FieldError::new(
                "incident_type",
                format!("未知的事件类型“{}”", b.incident_type),
            )
            .code("unknown_incident_type")
            .param("value", b.incident_type.clone()),
        );
    }
    if !SOURCES.contains(&b.source.as_str()) {
        errors.push(
            FieldError::new(
                "source",
                "来源应为 phone/system/report/superior（电话/系统告警/上报/上级通报）",
            )
            .code("not_an_option")
            .param("value", b.source.clone())
            .param("options", SOURCES.join("/")),
        );
    }
    let division = match tree.resolve(&b.division, &p.division) {
        Ok(d) if scope.covers(d.as_str(), "") => Some(d),
        Ok(_) => {
            errors.push(
                FieldError::new("division", "不在您的管辖范围内").code("out_of_jurisdiction"),
            );
            None
        }
        Err(e) => {
            errors.push(FieldError::new("division", e).code("bad_division"));
            None
        }
    };
    if let Err(e) = point_in(&tree, division.as_ref(), b.lon, b.lat) {
        errors.push(e);
    }
    let onset = match b.onset_at.as_deref() {
        None => Ok(now),
        Some(t) => parse_time(t).ok_or(()),
    };
    match onset {
        Err(()) => errors.push(
            FieldError::new(
                "onset_at",
                "不是带时区的时间（例如 2026-07-01T10:00:00+08:00）",
            )
            .code("not_a_time"),
        ),
        Ok(t) if t > now + time::Duration::minutes(5) => {
            errors.push(FieldError::new("onset_at", "事发时间不能晚于现在").code("in_the_future"))
        }
        Ok(_) => {}
    }
    if let Err(e) = b.facts.check() {
        errors.push(facts_error(e));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (Some(division), Ok(onset)) = (division, onset) else {
        return Err(ApiError::BadRequest("invalid incident".into()));
    };
    let mut i = Incident {
        id: 0,
        title: b.title.trim().into(),
        incident_type: b.incident_type.trim().into(),
        division: division.to_string(),
        lon: b.lon,
        lat: b.lat,
        address: b.address.trim().into(),
        onset_at: onset.into(),
        received_at: now.into(),
        source: b.source,
        reporter: b.reporter.trim().into(),
        reporter_phone: b.reporter_phone.trim().into(),
        facts: b.facts,
        description: b.description,
        attachments: b.attachments,
        state: IncidentState::Reported,
        grade: None,
        plan_code: String::new(),
        plan_revision: 0,
        helped_at: None,
        ended_at: None,
        created_by: p.username.clone(),
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    };
    let ascope = authorize(p, Action::Write, "attachments")?;
    crate::attachments::link(tx, &ascope, &i.attachments, &i.division, "attachments").await?;
    i.id = store::insert_incident(tx, &i).await?;
    tx.stage([entry(
        p,
        &i,
        "reported",
        json!({ "title": i.title, "type": i.incident_type, "source": i.source, "facts": i.facts, "attachments": i.attachments }),
    )]);
    // One intake: a production-safety incident opens its accident record.
    crate::reports::intake::open_for_incident(
        tx,
        p,
        &crate::reports::intake::IncidentIntake {
            id: i.id,
            title: &i.title,
            incident_type: &i.incident_type,
            division: &i.division,
            onset: i.onset_at.0,
            received: i.received_at.0,
            facts: &i.facts,
            description: &i.description,
            source: &i.source,
        },
    )
    .await?;
    Ok(i)
}

/// The incident as its page shows it, with what `p` may do to it now.
async fn detail_of(
    s: &AppState,
    i: &Incident,
    now: OffsetDateTime,
    p: &Principal,
) -> Result<IncidentDetail, ApiError> {
    let c = &stored_catalog(s).await?;
    let on = today(now);
    let proposed = grade(c, &i.incident_type, &i.division, &i.facts, on).map_err(plan_err)?;
    let matches = match_plans(c, &i.incident_type, &i.division, &i.facts, on).map_err(plan_err)?;
    // Steps are offered only to who may write the incident, while it is open.
    let may_write =
        authorize(p, Action::Write, "incidents").is_ok_and(|w| w.covers(&i.division, ""));
    let open = may_write && !i.state.is_closed();
    let instructions: Vec<InstructionView> = store::instructions(&s.db, i.id)
        .await?
        .into_iter()
        .map(|x| InstructionView {
            overdue: instruction_overdue(x.due_at.0, x.state, now),
            state_zh: x.state.label_zh().into(),
            allowed_events: if open {
                commands::instruction_allowed(x.state, instruction_role(p, &x))
            } else {
                Vec::new()
            },
            instruction: x,
        })
        .collect();
    let orders = store::orders(&s.db, i.id)
        .await?
        .into_iter()
        .map(|o| OrderView {
            allowed_events: if may_write {
                commands::order_allowed(&o, &actor(p, now))
            } else {
                Vec::new()
            },
            order: o,
        })
        .collect();
    let timeline = journal::list(
        &s.db,
        &journal::ListFilter {
            jurisdiction_prefix: String::new(),
            module: Some("incidents".into()),
            entity: Some("incident".into()),
            entity_id: Some(i.id.to_string()),
            limit: 500,
            ascending: true,
            ..Default::default()
        },
    )
    .await?;
    Ok(IncidentDetail {
        summary: summary(i, now, s),
        proposed_grade: proposed,
        plans: matches,
        instructions,
        dispatch_orders: orders,
        timeline,
        attachments: crate::attachments::store::metas(&s.db, &i.attachments).await?,
        allowed_events: super::allowed_events(
            i.state,
            // `helped` only while a clock runs (it does for 受灾人员 only).
            i.helped_at.is_some() || !super::rescue_clock_applies(&i.facts),
            may_write,
            is_commander(p),
        ),
        suggested_team_kinds: crate::dispatch::team_kinds_for(&i.incident_type).to_vec(),
        accident_id: match authorize(p, Action::Read, "reports.accident") {
            Ok(sc) if sc.covers(&i.division, "") => {
                crate::reports::store::accident_of_incident(&s.db, i.id).await?
            }
            _ => None,
        },
    })
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", responses((status = 200, body = IncidentDetail, description = "The incident, its clock, proposed grade, matching plans, instructions, dispatch orders and timeline")))]
async fn detail(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let (i, _) = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(
        detail_of(&s, &i, OffsetDateTime::now_utc(), &p).await?,
    ))
}

command_body! {
    /// A step of the life cycle: the version read and the command.
    #[schema(as = IncidentEventBody)]
    pub struct EventBody { command: IncidentCommand }
}

/// What a step writes besides the incident: instructions from the plan's
/// task templates, improvement items from the review.
#[derive(Default)]
struct Extra {
    instructions: Vec<Instruction>,
    improvements: Vec<plan_store::Improvement>,
}

/// Save `i` (read at its version) with journal entries, or 409 when another
/// user changed it first; answer with the incident as it now is.
async fn save(
    s: &AppState,
    i: &Incident,
    mut entries: Vec<NewEntry>,
    mut extra: Extra,
    p: &Principal,
    now: OffsetDateTime,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let mut tx = s.change().await?;
    tx.save(i).await?;
    for x in &extra.instructions {
        store::insert_instruction(&mut tx, x).await?;
    }
    entries.extend(plan_store::insert_items(&mut tx, p, &mut extra.improvements).await?);
    tx.commit(now, entries).await?;
    let i = store::get_incident(&s.db, i.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(detail_of(s, &i, now, p).await?))
}

fn actor(p: &Principal, now: OffsetDateTime) -> Actor<'_> {
    Actor {
        username: &p.username,
        commander: is_commander(p),
        now,
    }
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/events", tag = "incidents", request_body = EventBody,
    responses((status = 200, body = IncidentDetail, description = "The incident after the step"), (status = 409, body = crate::http::error::Problem, description = "Stale version, or the rule refuses the step (with the reason)")))]
async fn event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<EventBody>,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let (i, _) = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let done = commands::apply(i, b.command, &stored_catalog(&s).await?, actor(&p, now))
        .map_err(command_err)?;
    let entry = entry(&p, &done.incident, done.kind, done.payload);
    let extra = Extra {
        instructions: done.instructions,
        improvements: done.improvements,
    };
    save(&s, &done.incident, vec![entry], extra, &p, now).await
}

/// 续报: the latest figures and a note.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsBody {
    pub version: i64,
    #[schema(value_type = Object)]
    pub facts: Facts,
    pub note: String,
    /// A corrected place (both or neither), inside the incident's division.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// A corrected address (unchanged when absent).
    pub address: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/incidents/{id}/facts", tag = "incidents", request_body = FactsBody,
    responses((status = 200, body = IncidentDetail, description = "Updated; the proposed grade follows the new figures")))]
async fn update_facts(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<FactsBody>,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let (mut i, _) = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    b.facts.check().map_err(facts_error)?;
    let division = crate::divisions::Code::parse(&i.division).ok();
    let point = point_in(&s.tree(), division.as_ref(), b.lon, b.lat)?;
    let address = b.address.as_deref().map(str::trim);
    if address.is_some_and(|a| a.chars().count() > 200) {
        return Err(FieldError::new("address", "最多 200 字")
            .code("too_long")
            .param("max", 200)
            .into());
    }
    let now = OffsetDateTime::now_utc();
    let ev = Event::Update {
        note: b.note.clone(),
    };
    i.state = i.state.transition(&ev)?;
    let before = i.facts;
    i.facts = b.facts;
    let mut payload = json!({ "note": b.note, "before": before, "after": i.facts });
    // 更正位置: the place the 续报 corrects, with where it was.
    if point.is_some() || address.is_some_and(|a| a != i.address) {
        payload["place"] = json!({
            "before": { "lon": i.lon, "lat": i.lat, "address": i.address },
            "after": {
                "lon": point.map_or(i.lon, |p| Some(p.0)),
                "lat": point.map_or(i.lat, |p| Some(p.1)),
                "address": address.unwrap_or(&i.address),
            },
        });
        if let Some((lon, lat)) = point {
            (i.lon, i.lat) = (Some(lon), Some(lat));
        }
        if let Some(a) = address {
            i.address = a.to_string();
        }
    }
    i.updated_at = now.into();
    save(
        &s,
        &i,
        vec![entry(&p, &i, "update", payload)],
        Extra::default(),
        &p,
        now,
    )
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpedBody {
    pub version: i64,
    /// When the affected people were helped (default now).
    pub at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/helped", tag = "incidents", request_body = HelpedBody,
    responses((status = 200, body = IncidentDetail, description = "The 10-hour rescue clock is stopped")))]
async fn helped(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<HelpedBody>,
) -> Result<axum::Json<IncidentDetail>, ApiError> {
    let (mut i, _) = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    if !i.state.is_active() {
        return Err(ApiError::Refused(Refusal::new(
            "ended_no_rescue_time",
            "事件已结束，不能再记录救助时间",
        )));
    }
    if !super::rescue_clock_applies(&i.facts) {
        return Err(ApiError::Refused(Refusal::new(
            "no_rescue_clock",
            "事件没有受灾、转移安置或疏散人员，不计 10 小时救助时限（规划 二.(三)3）",
        )));
    }
    let now = OffsetDateTime::now_utc();
    let at = match b.at.as_deref() {
        None => now,
        Some(t) => parse_time(t).ok_or_else(|| {
            ApiError::from(FieldError::new("at", "不是带时区的时间").code("not_a_time"))
        })?,
    };
    let onset = i.onset_at.0;
    if at < onset || at > now + time::Duration::minutes(5) {
        return Err(FieldError::new("at", "救助时间应在事发之后、现在之前")
            .code("rescue_time_out_of_range")
            .into());
    }
    i.helped_at = Some(at.into());
    i.updated_at = now.into();
    let payload = json!({ "helped_at": i.helped_at });
    save(
        &s,
        &i,
        vec![entry(&p, &i, "helped", payload)],
        Extra::default(),
        &p,
        now,
    )
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInstruction {
    /// department | team_kind | command | person
    pub assignee_kind: String,
    pub assignee: String,
    pub task: String,
    /// Due this many minutes from now (1–10080).
    pub due_minutes: i64,
}

impl NewInstruction {
    /// Every wrong field of the instruction, named.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !["department", "team_kind", "command", "person"].contains(&self.assignee_kind.as_str())
        {
            errors.push(
                FieldError::new("assignee_kind", "应为 department/team_kind/command/person")
                    .code("not_an_option")
                    .param("value", self.assignee_kind.clone())
                    .param("options", "department/team_kind/command/person"),
            );
        }
        if self.assignee.trim().is_empty() {
            errors.push(FieldError::new("assignee", "必填").code("required"));
        }
        if self.task.trim().is_empty() || self.task.chars().count() > 1000 {
            errors.push(
                FieldError::new("task", "必填，最多 1000 字")
                    .code("required_max")
                    .param("max", 1000),
            );
        }
        if !(1..=10080).contains(&self.due_minutes) {
            errors.push(
                FieldError::new("due_minutes", "应在 1–10080 分钟之间")
                    .code("out_of_range")
                    .param("min", 1)
                    .param("max", 10080),
            );
        }
        errors
    }
}

/// Issue an instruction of incident `i` by `actor` inside `change`: the one
/// way an instruction is made, by this module's handler and by other
/// modules (a consultation's decision). Refused when the incident has
/// ended; every wrong field named; the incident's `instruction_issued`
/// entry is staged with `extra`'s fields added to its payload. The caller
/// has authorized writing the incident.
pub async fn issue_instruction(
    change: &mut journal::Change,
    i: &Incident,
    b: NewInstruction,
    actor: &str,
    now: OffsetDateTime,
    extra: Value,
) -> Result<Instruction, ApiError> {
    if !i.state.is_active() {
        return Err(ApiError::Refused(Refusal::new(
            "ended_no_instructions",
            "事件已结束，不能再下达指令",
        )));
    }
    let errors = b.check();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut x = Instruction {
        id: 0,
        incident_id: i.id,
        division: i.division.clone(),
        assignee_kind: b.assignee_kind,
        assignee: b.assignee.trim().into(),
        task: b.task.trim().into(),
        due_at: (now + time::Duration::minutes(b.due_minutes)).into(),
        state: InstructionState::Issued,
        issued_by: actor.to_string(),
        issued_at: now.into(),
        received_at: None,
        feedback: Default::default(),
        closed_at: None,
        version: 1,
    };
    x.id = store::insert_instruction(change, &x).await?;
    let mut payload =
        json!({ "instruction": x.id, "assignee": x.assignee, "task": x.task, "due_at": x.due_at });
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    change.stage([NewEntry::new(
        actor,
        "incidents",
        &i.division,
        "incident",
        i.id,
        "instruction_issued",
        payload,
    )]);
    Ok(x)
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/instructions", tag = "incidents", request_body = NewInstruction,
    responses((status = 201, body = Instruction, description = "Issued")))]
async fn issue(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<NewInstruction>,
) -> Result<Response, ApiError> {
    let (i, _) = load(&s, &p, id, Action::Write).await?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let x = issue_instruction(&mut tx, &i, b, &p.username, now, Value::Null).await?;
    tx.commit(now, Vec::new()).await?;
    Ok((StatusCode::CREATED, axum::Json(x)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstructionEventBody {
    pub version: i64,
    pub event: InstructionEvent,
}

/// The user's relation to an instruction: operators act for the assigned
/// department or team in their area; the issuer and commanders review.
fn instruction_role(p: &Principal, x: &Instruction) -> Role {
    Role {
        assignee: p.role == UserRole::Operator || is_commander(p),
        issuer: p.username == x.issued_by,
        commander: is_commander(p),
    }
}

#[utoipa::path(post, path = "/api/v1/instructions/{id}/events", tag = "incidents", request_body = InstructionEventBody,
    responses((status = 200, body = Instruction, description = "The instruction after the step")))]
async fn instruction_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<InstructionEventBody>,
) -> Result<axum::Json<Instruction>, ApiError> {
    let x = store::get_instruction(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (i, _) = load(&s, &p, x.incident_id, Action::Write).await?;
    if i.state.is_closed() {
        return Err(ApiError::Refused(Refusal::new(
            "closed_no_instruction_change",
            "事件已关闭，指令不能再变更",
        )));
    }
    x.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let role = instruction_role(&p, &x);
    let (x, payload) = commands::apply_instruction(x, &b.event, role, &p.username, now)?;
    let mut tx = s.change().await?;
    if let InstructionEvent::Feedback { photos, .. } = &b.event {
        let ascope = authorize(&p, Action::Write, "attachments")?;
        crate::attachments::link(&mut tx, &ascope, photos, &i.division, "photos").await?;
    }
    tx.save(&x).await?;
    let kind = commands::instruction_kind(&b.event);
    tx.commit(now, vec![entry(&p, &i, kind, payload)]).await?;
    let x = store::get_instruction(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(x))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// team | equipment | warehouse | shelter | expert
    pub resource_kind: String,
    pub resource_id: i64,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/dispatch", tag = "incidents", request_body = DispatchBody,
    responses((status = 201, body = Order, description = "Requested"), (status = 409, body = crate::http::error::Problem, description = "The resource is not available")))]
async fn request_dispatch(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DispatchBody>,
) -> Result<Response, ApiError> {
    let (i, _) = load(&s, &p, id, Action::Write).await?;
    if !i.state.is_active() {
        return Err(ApiError::Refused(Refusal::new(
            "ended_no_dispatch",
            "事件已结束，不能再调派",
        )));
    }
    if !crate::dispatch::DISPATCHABLE.contains(&b.resource_kind.as_str()) {
        return Err(FieldError::new("resource_kind", "不可调派的资源类型")
            .code("not_dispatchable_kind")
            .param("value", b.resource_kind.clone())
            .into());
    }
    let scope = authorize(&p, Action::Read, &format!("registry.{}", b.resource_kind))?;
    let r = crate::registry::store::get(&s.db, &s.tree(), &b.resource_kind, b.resource_id)
        .await?
        .filter(|r| scope.covers(&r.division, &r.org))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("resource_id", "找不到该资源或不在您的管辖范围内")
                    .code("resource_not_found"),
            )
        })?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    super::ensure_dispatchable(&r.status)?;
    let held = || {
        ApiError::Refused(
            Refusal::new("resource_held", format!("“{}”已有未完成的调派", r.name))
                .param("name", r.name.clone()),
        )
    };
    if store::open_orders_of(&mut tx, &r.kind, r.id).await? > 0 {
        return Err(held());
    }
    let mut o = Order {
        id: 0,
        incident_id: i.id,
        division: i.division.clone(),
        resource_kind: r.kind.clone(),
        resource_id: r.id,
        resource_name: r.name.clone(),
        state: DispatchState::Requested,
        requested_by: p.username.clone(),
        requested_at: now.into(),
        approved_by: String::new(),
        steps: Default::default(),
        version: 1,
    };
    // Two requests at once can both pass the check above (PostgreSQL); the
    // index of open orders (migration 13) refuses the second.
    o.id = match store::insert_order(&mut tx, &o).await {
        Err(e) if e.is_unique_violation() => return Err(held()),
        r => r?,
    };
    let payload =
        json!({ "order": o.id, "resource": { "kind": r.kind, "id": r.id, "name": r.name } });
    tx.commit(now, vec![entry(&p, &i, "dispatch_requested", payload)])
        .await?;
    Ok((StatusCode::CREATED, axum::Json(o)).into_response())
}

command_body! {
    pub struct OrderEventBody { command: OrderCommand }
}

#[utoipa::path(post, path = "/api/v1/dispatch-orders/{id}/events", tag = "incidents", request_body = OrderEventBody,
    responses((status = 200, body = Order, description = "The order after the step; the resource's status follows")))]
async fn order_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<OrderEventBody>,
) -> Result<axum::Json<Order>, ApiError> {
    let o = store::get_order(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (i, _) = load(&s, &p, o.incident_id, Action::Write).await?;
    o.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let (o, status, payload) = commands::apply_order(o, b.command, actor(&p, now))?;
    let mut tx = s.change().await?;
    tx.save(&o).await?;
    crate::registry::store::set_status(&mut tx, &o.resource_kind, o.resource_id, status, now)
        .await?;
    tx.commit(now, vec![entry(&p, &i, "dispatch_step", payload)])
        .await?;
    let o = store::get_order(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(o))
}
