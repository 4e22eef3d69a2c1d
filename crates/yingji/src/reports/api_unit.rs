//! 双报告: an enterprise user files its own 1-hour accident report (493号令
//! 第九条: the unit's head reports within the hour to the county department
//! and the sector department; 21号令 第六条) for its own enterprise only, as
//! a 生产安全事故快报 (`bulletin`, the unit, the reporter and a phone
//! required). The record is the county department's accident like any
//! other (its steps, the overdue list); the unit's report is the county's
//! receipt. An enterprise user reads its own filings (`GET`), never another
//! enterprise's, and no other accident.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::api::{file_accident, AccidentBody};
use super::{store, Accident};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::http::{ApiError, Json};
use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The enterprise's own accident reports (双报告).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_unit_reports, file_unit_report))
}

const MODULE: &str = "reports.unit_report";

/// The unit's own report: the accident's fields and its enterprise.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnitReportBody {
    /// The enterprise (registry record) the user acts for.
    pub enterprise_id: i64,
    #[serde(flatten)]
    pub accident: AccidentBody,
}

/// File the unit's own accident report (双报告). The division is the
/// enterprise's; the county department receives it now.
#[utoipa::path(post, path = "/api/v1/accidents/unit-reports", tag = "reports", request_body = UnitReportBody, responses((status = 201, body = Accident), (status = 422, body = crate::http::error::Problem)))]
pub(super) async fn file_unit_report(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<UnitReportBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    // Their own enterprise only (another's does not exist for them).
    let e = crate::supervision::api::enterprise(&s, &scope, b.enterprise_id).await?;
    let mut body = b.accident;
    body.division = e.division.clone();
    if body.bulletin.unit_name.trim().is_empty() {
        body.bulletin.unit_name = e.name.clone();
    }
    // The enterprise's division decides; the org was checked above.
    let filing = Scope {
        prefix: scope.prefix.clone(),
        org: None,
    };
    let a = file_accident(&s, &p, &filing, body, Some(e.id)).await?;
    Ok((StatusCode::CREATED, axum::Json(a)).into_response())
}

/// The unit reports the user may read: an enterprise user's own
/// enterprise's; a department's, those of its jurisdiction.
#[utoipa::path(get, path = "/api/v1/accidents/unit-reports", tag = "reports", responses((status = 200, body = [Accident])))]
pub(super) async fn list_unit_reports(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Accident>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(
        store::unit_reports(&s.db, &scope.prefix, scope.org.as_deref()).await?,
    ))
}
