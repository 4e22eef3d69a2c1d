//! HTTP routes of an accident's investigation (493号令 第二十九条, 第三十二条):
//! open it, then its steps as typed commands. The rules are
//! [`super::investigation`]; the handlers load, authorize, apply, save and
//! commit on the one write path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::investigation::{
    self, allowed_events, government_zh, Context, Investigation, InvestigationCommand,
    InvestigationError, InvestigationState,
};
use super::{store, Accident};
use crate::auth::{authorize, Action, Principal};
use crate::db::{UtcText, Versioned};
use crate::error::Refusal;
use crate::http::{command_body, ApiError, Json};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open))
        .routes(routes!(event))
}

impl From<InvestigationError> for ApiError {
    fn from(e: InvestigationError) -> Self {
        match e {
            InvestigationError::Refused(r) => ApiError::Refused(r),
            InvestigationError::Invalid(errors) => ApiError::Validation(errors),
        }
    }
}

/// An accident's investigation as its page shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvestigationView {
    /// `None` until the investigation is opened.
    pub investigation: Option<Investigation>,
    pub state: Option<InvestigationState>,
    /// 负责事故调查的人民政府 (第十九条), by the accident's grade.
    pub government_zh: String,
    /// Whether the reply may be extended (特别重大 only, 第三十二条).
    pub reply_extendable: bool,
    /// What this user may do now: `open`, `appraisal`, `extend`, `submit`, `extend_reply`, `reply`.
    pub allowed_events: Vec<&'static str>,
}

/// The view of `a`'s investigation for `p`.
pub fn view(a: &Accident, inv: Option<Investigation>, p: &Principal) -> InvestigationView {
    let may_write =
        authorize(p, Action::Write, "reports.accident").is_ok_and(|w| w.covers(&a.division, ""));
    InvestigationView {
        state: inv.as_ref().map(Investigation::state),
        government_zh: government_zh(a.grade).into(),
        reply_extendable: super::deadlines::reply_extendable(a.grade),
        allowed_events: allowed_events(inv.as_ref(), a.grade, may_write),
        investigation: inv,
    }
}

fn entry(
    p: &Principal,
    i: &Investigation,
    kind: &'static str,
    payload: serde_json::Value,
) -> NewEntry {
    NewEntry::new(
        &p.username,
        "reports",
        &i.division,
        "investigation",
        i.id,
        kind,
        payload,
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInvestigationBody {
    /// 调查组组长 (or the leading unit).
    pub team_lead: String,
    /// When the team was set up (RFC 3339); absent: now.
    #[serde(default)]
    pub at: Option<String>,
}

/// 成立调查组: opens the accident's investigation (once).
#[utoipa::path(post, path = "/api/v1/accidents/{id}/investigation", tag = "reports", params(("id" = i64, Path)), request_body = OpenInvestigationBody,
    responses((status = 201, body = InvestigationView), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn open(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<OpenInvestigationBody>,
) -> Result<Response, ApiError> {
    let a = super::api::load_accident(&s, &p, id, Action::Write).await?;
    if store::investigation_of(&s.db, a.id).await?.is_some() {
        return Err(ApiError::Refused(Refusal::new(
            "investigation_exists",
            "该事故的调查已经开始",
        )));
    }
    let now = time::OffsetDateTime::now_utc();
    let mut errors = Vec::new();
    let lead = b.team_lead.trim();
    if lead.is_empty() || lead.chars().count() > 100 {
        errors.push(
            crate::error::FieldError::new("team_lead", "调查组组长必填，最多 100 字")
                .code("required"),
        );
    }
    let at = investigation::step_time(b.at.as_deref(), a.occurred_at.0, now);
    if let Err(e) = &at {
        errors.push(e.clone());
    }
    let (true, Ok(at)) = (errors.is_empty(), at) else {
        return Err(ApiError::Validation(errors));
    };
    let mut inv = Investigation::open(a.id, &a.division, at, lead, &p.username, now);
    let due = super::deadlines::investigation_due(a.occurred_at.0, 0, 0, &s.config.reports);
    let mut tx = s.change().await?;
    inv.id = store::insert_investigation(&mut tx, &inv).await?;
    tx.commit(
        now,
        vec![entry(
            &p,
            &inv,
            "investigation_opened",
            json!({ "accident_id": a.id, "team_lead": inv.team_lead, "at": inv.opened_at, "due": UtcText(due) }),
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(view(&a, Some(inv), &p))).into_response())
}

command_body! {
    /// A step of an investigation: the version read and the command.
    #[schema(as = InvestigationEventBody)]
    pub struct EventBody { command: InvestigationCommand }
}

/// A step of the investigation: 技术鉴定, 延长调查期限, 提交调查报告, 延长批复时间, 批复.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/investigation/events", tag = "reports", params(("id" = i64, Path)), request_body = EventBody,
    responses((status = 200, body = InvestigationView), (status = 409, body = crate::http::error::Problem, description = "Stale version, or the rule refuses the step"), (status = 422, body = crate::http::error::Problem)))]
async fn event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<EventBody>,
) -> Result<axum::Json<InvestigationView>, ApiError> {
    let a = super::api::load_accident(&s, &p, id, Action::Write).await?;
    let inv = store::investigation_of(&s.db, a.id).await?.ok_or_else(|| {
        ApiError::Refused(Refusal::new("investigation_not_opened", "请先成立调查组"))
    })?;
    inv.expect_version(b.version)?;
    let now = time::OffsetDateTime::now_utc();
    let cx = Context {
        occurred: a.occurred_at.0,
        grade: a.grade,
        now,
        limits: &s.config.reports,
    };
    let done = investigation::apply(inv, b.command, cx)?;
    let mut tx = s.change().await?;
    tx.save(&done.investigation).await?;
    tx.commit(
        now,
        vec![entry(&p, &done.investigation, done.kind, done.payload)],
    )
    .await?;
    let saved = store::investigation_of(&s.db, a.id).await?;
    Ok(axum::Json(view(&a, saved, &p)))
}
