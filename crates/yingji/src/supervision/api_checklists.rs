//! HTTP routes of check lists (检查表): the templates (`GET/POST
//! /supervision/check-templates`, `GET/PUT …/{id}`), an inspection filled
//! against one (`PUT /supervision/inspections/{id}/checks`) and a failed
//! item made a finding and a hidden hazard in one step (`POST
//! /supervision/inspections/{id}/checks/{item}/hazard`). Rules in
//! `checklists.rs`.
//!
//! Jurisdiction: a template is made by a division for its subtree; a user
//! sees the templates of their own level and the levels above, and those
//! inside their scope; changes it only inside their scope.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::api::{detail, entry, HazardDetail, MODULE};
use super::api_inspections::{
    hazard_of_finding, insert_finding, inspection_detail, load, may_take_hazard, supervisor_role,
    InspectionDetail,
};
use super::checklists::{
    check_template, fill, may_change_template, may_item_hazard, template_visible, Answer,
    CheckResult, TemplateBody,
};
use super::inspections::may_finding;
use super::store::{self, CheckTemplate};
use crate::auth::{authorize, Action, Principal};
use crate::db::{JsonText, UtcText, Versioned};
use crate::http::{ApiError, Json, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, edit_template))
        .routes(routes!(fill_checks))
        .routes(routes!(item_to_hazard))
}

/// The template if `p` may `action` it (read: visible; write: inside the
/// scope); for anyone else it does not exist.
async fn load_template(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<CheckTemplate, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_template(&s.db, id)
        .await?
        .filter(|t| match action {
            Action::Read => template_visible(&t.division, p.division.as_str(), &scope.prefix),
            _ => t.division.starts_with(&scope.prefix),
        })
        .ok_or(ApiError::NotFound)
}

/// What the journal says of a template.
fn shown(t: &CheckTemplate) -> serde_json::Value {
    json!({ "title": t.title, "industry": t.industry, "items": t.items })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TemplateParams {
    /// Only those for this industry (and those for any).
    pub industry: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/supervision/check-templates", tag = "supervision", params(TemplateParams),
    responses((status = 200, body = [CheckTemplate], description = "The check lists the user may use: of their level, the levels above and their subtree")))]
async fn list_templates(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<TemplateParams>,
) -> Result<axum::Json<Vec<CheckTemplate>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let industry = q.industry.unwrap_or_default();
    let items = store::templates(&s.db)
        .await?
        .into_iter()
        .filter(|t| template_visible(&t.division, p.division.as_str(), &scope.prefix))
        .filter(|t| industry.is_empty() || t.industry.is_empty() || t.industry == industry)
        .collect();
    Ok(axum::Json(items))
}

#[utoipa::path(get, path = "/api/v1/supervision/check-templates/{id}", tag = "supervision",
    responses((status = 200, body = CheckTemplate, description = "One check list")))]
async fn get_template(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<CheckTemplate>, ApiError> {
    Ok(axum::Json(load_template(&s, &p, id, Action::Read).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/check-templates", tag = "supervision", request_body = TemplateBody,
    responses((status = 201, body = CheckTemplate, description = "Made, for the user's division and its subtree"), (status = 422, body = crate::http::error::Problem)))]
async fn create_template(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<TemplateBody>,
) -> Result<Response, ApiError> {
    authorize(&p, Action::Write, MODULE)?;
    supervisor_role(&p)?;
    let (title, industry, items) = check_template(&b).map_err(ApiError::Validation)?;
    let now = OffsetDateTime::now_utc();
    let mut t = CheckTemplate {
        id: 0,
        division: p.division.as_str().to_string(),
        industry,
        title,
        items: JsonText(items),
        created_by: p.username.clone(),
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    };
    let mut tx = s.change().await?;
    t.id = store::insert_template(&mut tx, &t).await?;
    let payload = shown(&t);
    tx.commit(
        now,
        vec![entry(
            &p,
            &t.division,
            "check_template",
            t.id,
            "created",
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(t)).into_response())
}

#[utoipa::path(put, path = "/api/v1/supervision/check-templates/{id}", tag = "supervision", request_body = TemplateBody,
    responses((status = 200, body = CheckTemplate, description = "Edited (inspections filled before keep their items)"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version"), (status = 422, body = crate::http::error::Problem)))]
async fn edit_template(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<TemplateBody>,
) -> Result<axum::Json<CheckTemplate>, ApiError> {
    let mut t = load_template(&s, &p, id, Action::Write).await?;
    supervisor_role(&p)?;
    t.expect_sent(b.version)?;
    let (title, industry, items) = check_template(&b).map_err(ApiError::Validation)?;
    let now = OffsetDateTime::now_utc();
    let before = shown(&t);
    t.title = title;
    t.industry = industry;
    t.items = JsonText(items);
    t.updated_at = now.into();
    let payload = json!({ "before": before, "after": shown(&t) });
    s.save_and_commit(
        &t,
        now,
        vec![entry(
            &p,
            &t.division,
            "check_template",
            t.id,
            "edited",
            payload,
        )],
    )
    .await?;
    Ok(axum::Json(load_template(&s, &p, id, Action::Read).await?))
}

/// An inspection's check list as filled on site.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecksBody {
    /// The inspection's version read.
    pub version: i64,
    pub template_id: i64,
    /// One per item, in the template's order.
    pub answers: Vec<Answer>,
}

#[utoipa::path(put, path = "/api/v1/supervision/inspections/{id}/checks", tag = "supervision", request_body = ChecksBody,
    responses((status = 200, body = InspectionDetail, description = "The inspection with its check list filled"),
        (status = 403, body = crate::http::error::Problem, description = "Not one of its inspectors"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, not in progress, or items already hazards under another template"),
        (status = 422, body = crate::http::error::Problem)))]
async fn fill_checks(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ChecksBody>,
) -> Result<axum::Json<InspectionDetail>, ApiError> {
    let mut i = load(&s, &p, id, Action::Write).await?;
    i.expect_version(b.version)?;
    may_finding(
        i.state,
        &i.inspectors,
        &super::api_inspections::actor(&p, &i),
    )?;
    let t = load_template(&s, &p, b.template_id, Action::Read)
        .await
        .map_err(|_| {
            ApiError::from(
                crate::error::FieldError::new("template_id", "找不到该检查表")
                    .code("template_not_found"),
            )
        })?;
    let before = if i.template_id == Some(t.id) {
        i.checks.0.clone()
    } else {
        may_change_template(&i.checks.0)?;
        Vec::new()
    };
    let checks = fill(&t.items.0, &b.answers, &before).map_err(ApiError::Validation)?;
    let now = OffsetDateTime::now_utc();
    let failed = checks
        .iter()
        .filter(|c| c.result == CheckResult::Fail)
        .count();
    let payload = json!({ "template_id": t.id, "title": t.title, "items": checks.len(), "failed": failed, "checks": checks });
    i.template_id = Some(t.id);
    i.checks = JsonText(checks);
    i.updated_at = UtcText(now);
    s.save_and_commit(
        &i,
        now,
        vec![entry(
            &p,
            &i.division,
            "inspection",
            i.id,
            "checked",
            payload,
        )],
    )
    .await?;
    let i = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(inspection_detail(&s, &p, i).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/inspections/{id}/checks/{item}/hazard", tag = "supervision",
    responses((status = 201, body = HazardDetail, description = "The failed item recorded as a finding and made a hidden hazard (reported, source 日常检查), in one step"),
        (status = 403, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem, description = "Not failed, or already a hazard")))]
async fn item_to_hazard(
    State(s): State<AppState>,
    p: Principal,
    Path((id, item)): Path<(i64, usize)>,
) -> Result<Response, ApiError> {
    let mut i = load(&s, &p, id, Action::Write).await?;
    may_take_hazard(&p, &i)?;
    let c = may_item_hazard(&i.checks.0, item)?.clone();
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let (f, found) = insert_finding(
        &mut tx,
        &p,
        &i,
        [
            c.text.clone(),
            c.note.clone(),
            String::new(),
            c.basis.clone(),
        ],
        now,
    )
    .await?;
    let (h, made) = hazard_of_finding(&s, &mut tx, &p, &i, &f, now).await?;
    if let Some(x) = i.checks.0.get_mut(item) {
        x.finding_id = Some(f.id);
        x.hazard_id = Some(h.id);
    }
    i.updated_at = UtcText(now);
    tx.save(&i).await?;
    let link = entry(
        &p,
        &i.division,
        "inspection",
        i.id,
        "check_to_hazard",
        json!({ "item": item, "text": c.text, "finding_id": f.id, "hazard_id": h.id }),
    );
    let mut entries = vec![found];
    entries.extend(made);
    entries.push(link);
    tx.commit(now, entries).await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, h).await?)).into_response())
}
