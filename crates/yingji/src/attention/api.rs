//! `GET /api/v1/attention`: the commander's list for the caller's jurisdiction.

use axum::extract::State;
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{attention, Attention, PlanCheck};
use crate::auth::{authorize, Action, Principal};
use crate::http::ApiError;
use crate::incidents::store as istore;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_attention))
}

#[utoipa::path(get, path = "/api/v1/attention", tag = "incidents",
    responses((status = 200, body = Attention, description = "What needs attention now in the jurisdiction: unverified reports, overdue instructions, rescue clocks, approvals awaited, plans and drills due, overdue 重大事故隐患 — most urgent first")))]
async fn get_attention(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Attention>, ApiError> {
    let scope = authorize(&p, Action::Read, "incidents")?;
    let now = OffsetDateTime::now_utc();
    let today = now.to_offset(crate::clock::CST).date();
    let incidents = istore::list_incidents(&s.db, &scope.prefix, true).await?;
    let mut instructions = Vec::new();
    let mut orders = Vec::new();
    for i in &incidents {
        instructions.extend(istore::instructions(&s.db, i.id).await?);
        orders.extend(istore::orders(&s.db, i.id).await?);
    }
    // Warnings and plans only for those who may read them.
    let warnings = match authorize(&p, Action::Read, "warnings") {
        Ok(ws) => crate::warnings::store::list(&s.db, &ws.prefix, false).await?,
        Err(_) => Vec::new(),
    };
    let mut plans = Vec::new();
    if authorize(&p, Action::Read, "plans").is_ok() {
        // The stored plans in force, with the evaluations and drills recorded.
        let c = crate::plans::store::catalog(&s.db).await?;
        for pl in c.current_plans() {
            if pl.divisions.iter().any(|d| d.starts_with(&scope.prefix)) {
                plans.push(PlanCheck {
                    code: pl.code.clone(),
                    title: pl.title.clone(),
                    review: crate::plans::review_due(pl, today),
                    drill: crate::plans::drill_status(pl, &c.drills, today),
                });
            }
        }
    }
    let mut a = attention(
        &incidents,
        &instructions,
        &orders,
        &warnings,
        &plans,
        now,
        today,
    );
    // Overdue 重大事故隐患 for those who may read supervision.
    if let Ok(ss) = authorize(&p, Action::Read, "supervision") {
        let hs: Vec<_> = crate::supervision::store::overdue_major(&s.db, &ss.prefix, now.into())
            .await?
            .into_iter()
            .filter(|h| ss.covers(&h.division, &h.org))
            .collect();
        let tree = s.tree();
        a.hazards = super::overdue_hazards(&hs, now, |d| tree.name(d));
    }
    Ok(axum::Json(a))
}
