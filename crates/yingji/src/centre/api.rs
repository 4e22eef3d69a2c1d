//! HTTP routes of the command centre: display tokens (issued, listed and
//! revoked by an administrator; opened by the wall display) and the
//! situation (dispatched resources under way). Every handler asks
//! [`authorize`]; a display token's requests are an observer's (see the
//! module's documentation).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{check_new, store, DisplayToken, DEFAULT_DISPLAY_DAYS, DISPLAY_COOKIE};
use crate::auth::{authorize, Action, Principal};
use crate::clock::format_time;
use crate::divisions::Code;
use crate::error::FieldError;
use crate::http::{ApiError, Json};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(open_display))
        .routes(routes!(display_me))
        .routes(routes!(en_route))
}

const MODULE: &str = "display_tokens";

fn entry(actor: &str, t: &DisplayToken, kind: &'static str) -> NewEntry {
    NewEntry::new(
        actor,
        "centre",
        &t.division,
        "display_token",
        t.id,
        kind,
        serde_json::json!({ "name": t.name, "division": t.division, "expires_at": t.expires_at }),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisplayTokenBody {
    /// Where the display hangs (`市指挥大厅`).
    pub name: String,
    /// The division it shows (default: the administrator's); inside their
    /// jurisdiction.
    pub division: Option<String>,
    /// Lifetime in days (default 90, at most 366).
    pub days: Option<i64>,
}

/// A newly issued display token: the secret is in this answer only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedDisplayToken {
    #[serde(flatten)]
    pub token: DisplayToken,
    /// The secret; never shown again.
    pub secret: String,
    /// The address to open on the display (`/screen?token=…`).
    pub url: String,
}

#[utoipa::path(get, path = "/api/v1/display-tokens", tag = "centre",
    responses((status = 200, body = Vec<DisplayToken>), (status = 403, body = crate::http::error::Problem)))]
async fn list_tokens(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<DisplayToken>>, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    Ok(axum::Json(store::list(&s.db, &scope.prefix).await?))
}

/// Issue a read-only display token for a wall display (大屏).
#[utoipa::path(post, path = "/api/v1/display-tokens", tag = "centre", request_body = NewDisplayTokenBody,
    responses((status = 201, body = IssuedDisplayToken), (status = 403, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn create_token(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDisplayTokenBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    let (name, days) =
        check_new(&b.name, b.days.unwrap_or(DEFAULT_DISPLAY_DAYS)).map_err(ApiError::Validation)?;
    let division = match b
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => p.division.clone(),
        Some(d) => Code::parse(d).map_err(|_| bad_division())?,
    };
    if s.tree().get(&division).is_none() || !scope.covers(division.as_str(), "") {
        return Err(bad_division());
    }
    let now = OffsetDateTime::now_utc();
    let expires = now + time::Duration::days(days);
    let (secret, hash) = crate::auth::new_token();
    let mut change = s.change().await?;
    let id = store::insert(
        &mut change,
        store::NewDisplayToken {
            token_hash: &hash,
            name: &name,
            division: division.as_str(),
            created_by: &p.username,
            created_at: now,
            expires_at: expires,
        },
    )
    .await?;
    let token = store::get_tx(&mut change, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    change
        .commit(
            now,
            vec![entry(&p.username, &token, "display_token_issued")],
        )
        .await?;
    let url = format!("/screen?token={secret}");
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedDisplayToken { token, secret, url }),
    )
        .into_response())
}

fn bad_division() -> ApiError {
    FieldError::new("division", "区划不存在或不在您的管辖范围内")
        .code("out_of_jurisdiction")
        .into()
}

/// Revoke a display token: the display stops at its next request.
#[utoipa::path(delete, path = "/api/v1/display-tokens/{id}", tag = "centre", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
async fn revoke_token(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    let now = OffsetDateTime::now_utc();
    let mut change = s.change().await?;
    let t = store::get_tx(&mut change, id)
        .await?
        .filter(|t| scope.covers(&t.division, ""))
        .ok_or(ApiError::NotFound)?;
    if !store::revoke(&mut change, id, &p.username, now).await? {
        return Err(ApiError::NotFound);
    }
    change
        .commit(now, vec![entry(&p.username, &t, "display_token_revoked")])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenDisplayBody {
    pub token: String,
}

/// Who a display is: its name and jurisdiction.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DisplayInfo {
    pub name: String,
    pub division: String,
    pub division_name: String,
    /// True when the request came from a display token (not a login).
    pub display: bool,
}

/// The wall display opens with its token: answered with an HttpOnly
/// cookie its further (read-only) requests carry.
#[utoipa::path(post, path = "/api/v1/display/open", tag = "centre", request_body = OpenDisplayBody,
    responses((status = 200, body = DisplayInfo), (status = 401, body = crate::http::error::Problem)))]
async fn open_display(
    State(s): State<AppState>,
    Json(b): Json<OpenDisplayBody>,
) -> Result<Response, ApiError> {
    let now = OffsetDateTime::now_utc();
    let hash = crate::auth::token_hash(b.token.trim());
    let t = store::valid_by_hash(&s.db, &hash, now)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let max_age = (t.expires_at.0 - now).whole_seconds().max(0);
    let cookie = format!(
        "{DISPLAY_COOKIE}={}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        b.token.trim(),
        if s.config.cookies_secure() {
            "; Secure"
        } else {
            ""
        }
    );
    let info = DisplayInfo {
        division_name: division_name(&s, &t.division),
        name: t.name,
        division: t.division,
        display: true,
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(info)).into_response())
}

fn division_name(s: &AppState, code: &str) -> String {
    Code::parse(code)
        .ok()
        .and_then(|c| s.tree().get(&c).map(|d| d.name.clone()))
        .unwrap_or_default()
}

/// The display (or user) behind the request.
#[utoipa::path(get, path = "/api/v1/display/me", tag = "centre",
    responses((status = 200, body = DisplayInfo), (status = 401, body = crate::http::error::Problem)))]
async fn display_me(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<DisplayInfo>, ApiError> {
    authorize(&p, Action::Read, "incidents")?;
    Ok(axum::Json(DisplayInfo {
        name: p.display_name.clone(),
        division: p.division.as_str().to_string(),
        division_name: division_name(&s, p.division.as_str()),
        display: p.username.starts_with("display:"),
    }))
}

/// A dispatched resource under way or on site.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnRoute {
    pub order_id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub resource_kind: String,
    pub resource_id: i64,
    pub resource_name: String,
    /// approved | departed | arrived
    pub state: String,
    /// When it entered this state (RFC 3339).
    pub since: String,
    /// Where the resource is kept (its registry location), WGS84 [lon, lat].
    pub from: Option<[f64; 2]>,
    /// The incident's location, if known.
    pub to: Option<[f64; 2]>,
}

/// Dispatched resources (approved, under way, on site) of the active
/// incidents in the jurisdiction, for the situation map.
#[utoipa::path(get, path = "/api/v1/situation/en-route", tag = "centre",
    responses((status = 200, body = Vec<EnRoute>), (status = 403, body = crate::http::error::Problem)))]
async fn en_route(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<EnRoute>>, ApiError> {
    let scope = authorize(&p, Action::Read, "incidents")?;
    let incidents = crate::incidents::store::list_incidents(&s.db, &scope.prefix, true).await?;
    let tree = s.tree();
    let mut out = Vec::new();
    for i in &incidents {
        for o in crate::incidents::store::orders(&s.db, i.id).await? {
            use crate::incidents::DispatchState as D;
            let state = match o.state {
                D::Approved => "approved",
                D::Departed => "departed",
                D::Arrived => "arrived",
                _ => continue,
            };
            let since = o
                .steps
                .0
                .iter()
                .rev()
                .map(|st| st.at.clone())
                .next()
                .unwrap_or_else(|| format_time(o.requested_at.0));
            let from = crate::registry::store::get(&s.db, &tree, &o.resource_kind, o.resource_id)
                .await?
                .map(|r| [r.lon, r.lat]);
            out.push(EnRoute {
                order_id: o.id,
                incident_id: i.id,
                incident_title: i.title.clone(),
                resource_kind: o.resource_kind.clone(),
                resource_id: o.resource_id,
                resource_name: o.resource_name.clone(),
                state: state.to_string(),
                since,
                from,
                to: i.lon.zip(i.lat).map(|(a, b)| [a, b]),
            });
        }
    }
    Ok(axum::Json(out))
}
