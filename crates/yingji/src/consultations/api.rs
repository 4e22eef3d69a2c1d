//! HTTP routes of consultations: schedule one for an incident or a warning,
//! list, read, the session's steps (start, invite from the directory,
//! attendance, agenda, minutes, decisions, close, cancel), a decision to an
//! instruction of the incident, and the 会商纪要 as .docx. Every request:
//! parse → `auth::authorize(…, "consultations")` (the linked record's
//! division; another jurisdiction's session does not exist for the user) →
//! rules → one change with its journal entries.

use std::collections::HashMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::model::{Consultation, Decision, Invitee};
use super::store::{self, Filter};
use super::{
    allowed_events, apply, attendance_allowed, check_agenda, check_head, instruct, number,
    schedule, step_allowed, Attendance, ConsultCommand, ConsultError, ConsultState, Ctx, Effect,
    InviteRef, NewConsultation, NewInvitee, Step, MODULE,
};
use crate::auth::{authorize, Action, Principal};
use crate::db::{DbError, UtcText, Versioned};
use crate::error::FieldError;
use crate::http::{command_body, ApiError, Json, Query};
use crate::incidents::InstructionState;
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(event))
        .routes(routes!(to_instruction))
        .routes(routes!(minutes_docx))
}

impl From<ConsultError> for ApiError {
    fn from(e: ConsultError) -> Self {
        match e {
            ConsultError::Rule(r) => r.into(),
            ConsultError::Fields(f) => ApiError::Validation(f),
        }
    }
}

fn entry(p: &Principal, c: &Consultation, kind: &'static str, payload: Value) -> NewEntry {
    NewEntry::new(
        &p.username,
        MODULE,
        &c.division,
        "consultation",
        c.id,
        kind,
        payload,
    )
}

/// A session as listed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsultationView {
    #[serde(flatten)]
    pub consultation: Consultation,
    /// HS000012 …
    pub number: String,
    pub state_zh: &'static str,
    pub division_name: String,
    /// The linked incident's title or warning's headline.
    pub link_title: String,
    /// start | close | cancel | edit | invite | uninvite | attend | agenda |
    /// minutes | decide | instruct — what this user may do now.
    pub allowed_events: Vec<&'static str>,
    /// The attendance this user may mark now (`consultations::attendance_allowed`;
    /// empty without the `attend` step).
    pub attendance_options: Vec<Attendance>,
}

/// A decision with the state of the instruction it became.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    #[serde(flatten)]
    pub decision: Decision,
    pub instruction_state: Option<InstructionState>,
}

/// A session with its invitees and decisions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsultationDetail {
    #[serde(flatten)]
    pub view: ConsultationView,
    pub invitees: Vec<Invitee>,
    pub decisions: Vec<DecisionView>,
}

/// One page of sessions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConsultationPage {
    pub items: Vec<ConsultationView>,
    pub total: i64,
}

/// The title of the linked incident or warning ("" when gone).
async fn link_title(s: &AppState, c: &Consultation) -> Result<String, ApiError> {
    Ok(match (c.incident_id, c.warning_id) {
        (Some(i), _) => crate::incidents::store::get_incident(&s.db, i)
            .await?
            .map(|i| i.title)
            .unwrap_or_default(),
        (_, Some(w)) => crate::warnings::store::get(&s.db, w)
            .await?
            .map(|w| w.headline)
            .unwrap_or_default(),
        _ => String::new(),
    })
}

async fn view(s: &AppState, p: &Principal, c: Consultation) -> Result<ConsultationView, ApiError> {
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&c.division, ""));
    Ok(ConsultationView {
        number: number(c.id),
        state_zh: c.state.label_zh(),
        division_name: s.tree().name(&c.division),
        link_title: link_title(s, &c).await?,
        allowed_events: if writes {
            allowed_events(&c)
        } else {
            Vec::new()
        },
        attendance_options: if writes && step_allowed(c.state, Step::Attend).is_ok() {
            attendance_allowed(c.state)
        } else {
            Vec::new()
        },
        consultation: c,
    })
}

/// The session if the user may `action` it: its division is in their
/// jurisdiction. Another jurisdiction's session does not exist for them.
async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<Consultation, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get(&s.db, id)
        .await?
        .filter(|c| scope.covers(&c.division, ""))
        .ok_or(ApiError::NotFound)
}

async fn detail(
    s: &AppState,
    p: &Principal,
    c: Consultation,
) -> Result<ConsultationDetail, ApiError> {
    let invitees = store::invitees(&s.db, c.id).await?;
    let decisions = store::decisions(&s.db, c.id).await?;
    // The states of the instructions, where the reader may read the incident.
    let states: HashMap<i64, InstructionState> = match c.incident_id {
        Some(i)
            if authorize(p, Action::Read, "incidents").is_ok_and(|r| r.covers(&c.division, "")) =>
        {
            crate::incidents::store::instructions(&s.db, i)
                .await?
                .into_iter()
                .map(|x| (x.id, x.state))
                .collect()
        }
        _ => HashMap::new(),
    };
    Ok(ConsultationDetail {
        invitees,
        decisions: decisions
            .into_iter()
            .map(|d| DecisionView {
                instruction_state: d.instruction_id.and_then(|x| states.get(&x).copied()),
                decision: d,
            })
            .collect(),
        view: view(s, p, c).await?,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    pub state: Option<ConsultState>,
    pub incident_id: Option<i64>,
    pub warning_id: Option<i64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations", params(ListParams),
    responses((status = 200, body = ConsultationPage, description = "Sessions of the user's jurisdiction, latest first")))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ConsultationPage>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let (rows, total) = store::list(
        &s.db,
        &scope.prefix,
        &Filter {
            state: q.state,
            incident_id: q.incident_id,
            warning_id: q.warning_id,
            limit: q.limit.unwrap_or(50),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        items.push(view(&s, &p, c).await?);
    }
    Ok(axum::Json(ConsultationPage { items, total }))
}

#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "consultations",
    responses((status = 200, body = ConsultationDetail, description = "One session with its invitees and decisions")))]
pub async fn get_one(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<ConsultationDetail>, ApiError> {
    let c = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, c).await?))
}

fn not_found(field: &str, code: &'static str) -> FieldError {
    FieldError::new(field, "找不到该记录或不在您的管辖范围内").code(code)
}

/// The division of the linked incident or warning, when the user may read
/// it and write consultations there.
async fn link_division(
    s: &AppState,
    p: &Principal,
    b: &NewConsultation,
) -> Result<String, FieldError> {
    let write = authorize(p, Action::Write, MODULE)
        .map_err(|_| not_found("incident_id", "incident_not_found"))?;
    match (b.incident_id, b.warning_id) {
        (Some(id), None) => {
            let read = authorize(p, Action::Read, "incidents")
                .map_err(|_| not_found("incident_id", "incident_not_found"))?;
            crate::incidents::store::get_incident(&s.db, id)
                .await
                .ok()
                .flatten()
                .filter(|i| read.covers(&i.division, "") && write.covers(&i.division, ""))
                .map(|i| i.division)
                .ok_or_else(|| not_found("incident_id", "incident_not_found"))
        }
        (None, Some(id)) => {
            let read = authorize(p, Action::Read, "warnings")
                .map_err(|_| not_found("warning_id", "warning_not_found"))?;
            crate::warnings::store::get(&s.db, id)
                .await
                .ok()
                .flatten()
                .filter(|w| read.covers(&w.division, "") && write.covers(&w.division, ""))
                .map(|w| w.division)
                .ok_or_else(|| not_found("warning_id", "warning_not_found"))
        }
        _ => Err(
            FieldError::new("incident_id", "请关联一个事件或一条预警（二者选一）")
                .code("one_link_required"),
        ),
    }
}

#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations", request_body = NewConsultation,
    responses((status = 201, body = ConsultationDetail, description = "Scheduled"), (status = 422, body = crate::http::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewConsultation>,
) -> Result<Response, ApiError> {
    authorize(&p, Action::Write, MODULE)?;
    let mut errors = Vec::new();
    let division = link_division(&s, &p, &b)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    let head = check_head(&b.title, &b.place, &b.chair, &b.scheduled_at)
        .map_err(|e| errors.extend(e))
        .ok();
    let agenda = check_agenda(&b.agenda).map_err(|e| errors.extend(e)).ok();
    let (Some(division), Some(head), Some(agenda)) = (division, head, agenda) else {
        return Err(ApiError::Validation(errors));
    };
    let now = OffsetDateTime::now_utc();
    let mut c = schedule(
        division,
        (b.incident_id, b.warning_id),
        head,
        agenda,
        &p.username,
        now,
    );
    let mut tx = s.change().await?;
    c.id = store::insert(&mut tx, &c).await?;
    let payload = json!({
        "incident_id": c.incident_id, "warning_id": c.warning_id, "title": c.title, "place": c.place,
        "chair": c.chair, "scheduled_at": c.scheduled_at, "agenda": c.agenda,
    });
    tx.commit(now, vec![entry(&p, &c, "consultation_scheduled", payload)])
        .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, c).await?)).into_response())
}

/// A contact's or an expert's organisation and position (职务 / 职称), as
/// the directory record says.
fn affiliation(item: &crate::registry::Item) -> (String, String) {
    let attr = |k: &str| {
        item.attrs
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    match item.kind.as_str() {
        "contact" => (attr("organisation"), attr("position")),
        "expert" => (attr("organisation"), attr("title")),
        _ => (String::new(), String::new()),
    }
}

/// The directory records to invite, as the user's directory has them:
/// each kind read under the registries' own rights, in the user's
/// jurisdiction; a record the user cannot see is not found.
async fn resolve(
    s: &AppState,
    p: &Principal,
    refs: &[InviteRef],
) -> Result<Vec<NewInvitee>, ApiError> {
    let tree = s.tree();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, r) in refs.iter().enumerate() {
        let field = format!("invitees[{n}]");
        if !crate::directory::KINDS.contains(&r.kind.as_str()) {
            errors.push(
                FieldError::new(format!("{field}.kind"), "不是通讯录中的类别")
                    .code("not_an_option")
                    .param("value", r.kind.clone())
                    .param("options", crate::directory::KINDS.join("/")),
            );
            continue;
        }
        let found = match authorize(p, Action::Read, &format!("registry.{}", r.kind)) {
            Ok(scope) => crate::registry::store::get(&s.db, &tree, &r.kind, r.id)
                .await?
                .filter(|i| scope.covers(&i.division, &i.org)),
            Err(_) => None,
        };
        let Some(item) = found else {
            errors.push(not_found(&field, "record_not_found"));
            continue;
        };
        let (organisation, position) = affiliation(&item);
        out.push(NewInvitee {
            kind: item.kind,
            record_id: item.id,
            name: item.name,
            organisation,
            position,
            division: item.division,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(errors))
    }
}

command_body! {
    /// A step of a session.
    #[schema(as = ConsultationEventBody)]
    pub struct EventBody { command: ConsultCommand }
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/events", tag = "consultations", request_body = EventBody,
    responses((status = 200, body = ConsultationDetail, description = "The session after the step"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is not possible now"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<EventBody>,
) -> Result<axum::Json<ConsultationDetail>, ApiError> {
    let c = load(&s, &p, id, Action::Write).await?;
    c.expect_version(b.version)?;
    let invitees = store::invitees(&s.db, id).await?;
    let decisions = store::decisions(&s.db, id).await?;
    let resolved = match &b.command {
        ConsultCommand::Invite { invitees } => resolve(&s, &p, invitees).await?,
        _ => Vec::new(),
    };
    let now = OffsetDateTime::now_utc();
    let done = apply(
        c,
        &b.command,
        Ctx {
            invitees: &invitees,
            decisions: &decisions,
            resolved: &resolved,
        },
        now,
    )?;
    let c = done.consultation;
    let mut payload = done.payload;
    let mut tx = s.change().await?;
    tx.save(&c).await?;
    match done.effect {
        Effect::None => {}
        Effect::Invite(new) => {
            let mut ids = Vec::new();
            for i in &new {
                ids.push(store::insert_invitee(&mut tx, id, i).await?);
            }
            payload["invitee_ids"] = json!(ids);
        }
        Effect::Uninvite(i) => store::delete_invitee(&mut tx, id, i).await?,
        Effect::Attend(marks) => {
            for (i, a) in marks {
                store::mark(&mut tx, id, i, a, &p.username, UtcText(now)).await?;
            }
        }
        Effect::Decide(d) => {
            let did = store::insert_decision(&mut tx, id, &d, &p.username, UtcText(now)).await?;
            payload["decision"] = json!(did);
        }
    }
    let kind = b.command.step().journal_kind();
    tx.commit(now, vec![entry(&p, &c, kind, payload)]).await?;
    let c = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, c).await?))
}

/// The session's version the user read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ConsultationVersionBody)]
pub struct VersionBody {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/consultations/{id}/decisions/{decision_id}/instruction", tag = "consultations", request_body = VersionBody,
    responses((status = 200, body = ConsultationDetail, description = "The decision became an instruction of the linked incident (转为指令); a decision already turned answers with its instruction, and no new one"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, the session allows no instruction, the decision is not addressed, or the incident has ended"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn to_instruction(
    State(s): State<AppState>,
    p: Principal,
    Path((id, decision_id)): Path<(i64, i64)>,
    Json(b): Json<VersionBody>,
) -> Result<axum::Json<ConsultationDetail>, ApiError> {
    let c = load(&s, &p, id, Action::Write).await?;
    let decisions = store::decisions(&s.db, id).await?;
    let d = decisions
        .iter()
        .find(|d| d.id == decision_id)
        .ok_or(ApiError::NotFound)?;
    // Idempotent: a decision turned once answers with what it became.
    if d.instruction_id.is_some() {
        return Ok(axum::Json(detail(&s, &p, c).await?));
    }
    c.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let (next, new) = instruct(c, d, now)?;
    let iscope = authorize(&p, Action::Write, "incidents")?;
    let incident = match next.incident_id {
        Some(i) => crate::incidents::store::get_incident(&s.db, i).await?,
        None => None,
    }
    .filter(|i| iscope.covers(&i.division, ""))
    .ok_or(ApiError::NotFound)?;
    let mut tx = s.change().await?;
    tx.save(&next).await?;
    let x = crate::incidents::api::issue_instruction(
        &mut tx,
        &incident,
        new,
        &p.username,
        now,
        json!({ "consultation": next.id, "decision": d.id }),
    )
    .await?;
    if !store::link_instruction(&mut tx, d.id, x.id).await? {
        return Err(DbError::Stale.into());
    }
    tx.commit(
        now,
        vec![entry(
            &p,
            &next,
            super::Step::Instruct.journal_kind(),
            json!({ "decision": d.id, "seq": d.seq, "instruction": x.id, "incident": incident.id }),
        )],
    )
    .await?;
    let c = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, c).await?))
}

/// The 会商纪要 of a session as text.
fn minutes_of(d: &ConsultationDetail, made_by: &str, now: OffsetDateTime) -> super::docx::Minutes {
    let c = &d.view.consultation;
    let link = match (c.incident_id, c.warning_id) {
        (Some(_), _) => format!("事件：{}", d.view.link_title),
        _ => format!("预警：{}", d.view.link_title),
    };
    let local = |t: &UtcText| crate::clock::format_local(t.0);
    super::docx::Minutes {
        title: c.title.clone(),
        number: number(c.id),
        link,
        time: local(&c.scheduled_at),
        place: c.place.clone(),
        chair: c.chair.clone(),
        attendees: d
            .invitees
            .iter()
            .map(|i| {
                [
                    i.name.clone(),
                    [i.organisation.as_str(), i.position.as_str()]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · "),
                    i.attendance.label_zh().to_string(),
                ]
            })
            .collect(),
        agenda: c.agenda.0.clone(),
        minutes: c.minutes.clone(),
        decisions: d
            .decisions
            .iter()
            .map(|x| {
                [
                    x.decision.text.clone(),
                    x.decision.assignee.clone(),
                    x.decision
                        .instruction_id
                        .map(|i| format!("已转为指令 #{i}"))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
        made: format!("{} 由 {made_by} 导出", crate::clock::format_local(now)),
    }
}

#[utoipa::path(get, path = "/api/v1/consultations/{id}/minutes.docx", tag = "consultations",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "The 会商纪要 (.docx)")))]
pub async fn minutes_docx(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let c = load(&s, &p, id, Action::Read).await?;
    let d = detail(&s, &p, c).await?;
    let m = minutes_of(&d, &p.display_name, OffsetDateTime::now_utc());
    let bytes = super::docx::write(&m).map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::docx::parts::attachment(
        bytes,
        &format!("{}.docx", number(id)),
    ))
}
