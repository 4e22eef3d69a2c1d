//! HTTP routes of the supervision statistics: the county/city table
//! (`supervision::stats`) and its XLSX export, which is journaled (who,
//! which division, when — the numbers are not personal data, the export is
//! still a disclosure worth an audit line).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::api::{division_param, MODULE};
use super::stats::{self, child_len, Counts, StatsTable};
use super::store;
use crate::auth::{authorize, Action, Principal, Role};
use crate::clock::CST;
use crate::db::UtcText;
use crate::http::{ApiError, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(table))
        .routes(routes!(export))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
}

async fn build(s: &AppState, p: &Principal, q: &StatsParams) -> Result<StatsTable, ApiError> {
    let scope = authorize(p, Action::Read, MODULE)?;
    if p.role == Role::Enterprise {
        return Err(ApiError::NotAllowed(crate::error::Refusal::new(
            "supervisors_only",
            "此步骤须由负有监管职责的部门办理",
        )));
    }
    let d = division_param(s, p, &scope, q.division.as_deref())?;
    let prefix = d.prefix();
    let len = child_len(prefix.len());
    let now = UtcText(OffsetDateTime::now_utc()).text();
    let g = |table: &'static str, key: &'static str, extra: &'static str, at: Option<&str>| {
        let db = s.db.clone();
        let at = at.map(str::to_string);
        let prefix = prefix.to_string();
        async move { store::grouped(&db, table, key, &prefix, extra, at.as_deref(), len).await }
    };
    let counts = Counts {
        enterprises: g("registry_items", "kind", " AND kind = 'enterprise'", None).await?,
        risk_levels: store::risk_levels(&s.db, prefix).await?,
        hazards_by_state: g("hazards", "state", "", None).await?,
        hazards_by_grade: g("hazards", "grade", "", None).await?,
        overdue: g(
            "hazards",
            "state",
            " AND state = 'rectifying' AND due_at <= $2",
            Some(&now),
        )
        .await?,
        units_by_grade: g("hazard_units", "grade", "", None).await?,
    };
    let tree = s.tree();
    Ok(stats::table(
        d.as_str(),
        &tree.name(d.as_str()),
        len,
        &counts,
        |code| tree.name(code),
    ))
}

#[utoipa::path(get, path = "/api/v1/supervision/stats", tag = "supervision", params(StatsParams),
    responses((status = 200, body = StatsTable, description = "Per division one level down: enterprises by colour, hazards by state and grade, overdue, major hazard sources by grade")))]
async fn table(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StatsParams>,
) -> Result<axum::Json<StatsTable>, ApiError> {
    Ok(axum::Json(build(&s, &p, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/supervision/stats/export", tag = "supervision", params(StatsParams),
    responses((status = 200, description = "The table as XLSX (journaled)")))]
async fn export(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let t = build(&s, &p, &q).await?;
    let now = OffsetDateTime::now_utc();
    let as_of = now
        .to_offset(CST)
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default();
    let bytes = stats::xlsx(&t, &as_of).map_err(|e| ApiError::Internal(e.to_string()))?;
    let tx = s.change().await?;
    tx.commit(
        now,
        vec![NewEntry {
            actor: p.username.clone(),
            jurisdiction: t.division.clone(),
            module: MODULE,
            entity: "stats".into(),
            entity_id: "export".into(),
            kind: "exported",
            payload: json!({ "format": "xlsx", "division": t.division, "rows": t.rows.len() }),
        }],
    )
    .await?;
    let disposition = format!(
        "attachment; filename=\"supervision-stats-{}.xlsx\"",
        t.division
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
