//! Login, logout, `me`, and the extractor that turns a request into a
//! [`Principal`] (session cookie or `Authorization: Bearer` API token).

use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::{header, request::Parts, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::via::ViaToken;
use super::{store, Principal, Role};
use crate::http::{ApiError, Json};
use crate::state::AppState;

pub const COOKIE: &str = "yingji_session";
/// Header the UI sends on every mutating request (CSRF guard for cookie auth).
pub const CSRF_HEADER: &str = "x-requested-with";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .merge(super::admin::routes())
        .merge(super::people::routes())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    named_cookie(headers, COOKIE)
}

fn named_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (hash, via_token) = if let Some(t) = bearer_token(&parts.headers) {
            (super::token_hash(&t), true)
        } else if let Some(t) = cookie_token(&parts.headers) {
            let mutating = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if mutating && parts.headers.get(CSRF_HEADER).is_none() {
                return Err(ApiError::Forbidden);
            }
            (super::token_hash(&t), false)
        } else if let Some(t) = named_cookie(&parts.headers, crate::centre::DISPLAY_COOKIE) {
            // A wall display (大屏): reads only, as an observer of the
            // token's division (crate::centre).
            if !crate::centre::display_may(parts.method.as_str(), parts.uri.path()) {
                return Err(ApiError::Forbidden);
            }
            let now = time::OffsetDateTime::now_utc();
            let t = crate::centre::store::valid_by_hash(&state.db, &super::token_hash(&t), now)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            return Ok(t.principal()?);
        } else {
            return Err(ApiError::Unauthenticated);
        };
        let v = verified(state, &hash, via_token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if let (Some(id), Some(cell)) = (v.token_id, parts.extensions.get::<ViaToken>()) {
            cell.set(id);
        }
        Ok(v.user.principal()?)
    }
}

/// The user behind a session (`via_token` false) or API token hash: from
/// the verified-principal cache, else from the database (and then cached
/// for `[auth] principal_cache_ms`, never past the session's or token's end).
async fn verified(
    state: &AppState,
    hash: &str,
    via_token: bool,
) -> Result<Option<super::cache::Verified>, ApiError> {
    let at = std::time::Instant::now();
    if let Some(v) = state.principals.get(hash, at) {
        return Ok(Some(v));
    }
    let now = time::OffsetDateTime::now_utc();
    let (user, token_id, ends) = if via_token {
        match store::token_user(&state.db, hash, now).await? {
            Some((user, id, ends)) => (user, Some(id), ends),
            None => return Ok(None),
        }
    } else {
        match store::session_user(&state.db, hash, now).await? {
            Some((user, ends)) => (user, None, Some(ends)),
            None => return Ok(None),
        }
    };
    let valid_for = ends.map(|e| (e.0 - now).try_into().unwrap_or_default());
    let ttl = std::time::Duration::from_millis(state.config.auth.principal_cache_ms);
    Ok(Some(
        state
            .principals
            .put(hash, user, token_id, at, ttl, valid_for),
    ))
}

/// Middleware giving each API request its [`ViaToken`] cell.
pub async fn attribution(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let cell = ViaToken::default();
    req.extensions_mut().insert(cell.clone());
    super::via::within(cell, next.run(req)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DivisionRef {
    pub code: String,
    pub name: String,
    pub level: crate::divisions::Level,
}

/// The signed-in user as the UI sees them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub role_label_zh: String,
    pub role_label_en: String,
    pub division: DivisionRef,
    pub can_write: bool,
    pub is_admin: bool,
}

fn me_of(state: &AppState, p: &Principal) -> Me {
    let tree = state.tree();
    Me {
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        role: p.role,
        role_label_zh: p.role.label_zh().into(),
        role_label_en: p.role.label_en().into(),
        division: DivisionRef {
            code: p.division.to_string(),
            name: tree.name(p.division.as_str()),
            level: p.division.level(),
        },
        can_write: super::authorize(p, super::Action::Write, "registry.team").is_ok()
            || super::authorize(p, super::Action::Write, "registry.hazard_source").is_ok(),
        is_admin: super::authorize(p, super::Action::Admin, "users").is_ok(),
    }
}

/// An argon2 hash of a random password with the default parameters, so an
/// unknown name costs the same verification as a known one.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        let (pw, _) = super::new_token();
        super::hash_password(&pw).unwrap_or_default()
    })
}

fn throttled(wait: time::Duration) -> ApiError {
    ApiError::Throttled {
        minutes: ((wait.whole_seconds() + 59) / 60).max(1),
    }
}

/// Unknown names, disabled users and wrong passwords get the same answer
/// after the same argon2 work; a throttled name or address gets the same
/// 429 whether the name exists or not (see [`super::throttle`]).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = crate::http::error::Problem), (status = 429, body = crate::http::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = time::OffsetDateTime::now_utc();
    let ip = super::throttle::client_addr(addr.ip(), &headers, &state.config.auth.trusted_proxies);
    let username = req.username.trim();
    let wait = super::throttle::wait(&state.db, username, ip, now).await?;
    if wait > time::Duration::ZERO {
        return Err(throttled(wait));
    }
    let creds = store::credentials(&state.db, username).await?;
    let hash = creds
        .as_ref()
        .map_or(dummy_hash(), |c| c.password_hash.as_str());
    let password_ok = super::verify_password(&req.password, hash);
    let c = match creds {
        Some(c) if password_ok && c.user.active => c,
        _ => {
            super::throttle::fail(&state.db, username, ip, now).await?;
            return Err(ApiError::BadCredentials);
        }
    };
    super::throttle::succeed(&state.db, username, ip).await?;
    let (token, hash) = super::new_token();
    let ttl = time::Duration::hours(state.config.session_hours);
    store::create_session(&state.db, &hash, c.user.id, now, ttl).await?;
    let p = c.user.principal()?;
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ttl.whole_seconds(),
        if state.config.cookies_secure() {
            "; Secure"
        } else {
            ""
        }
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(me_of(&state, &p)),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(t) = cookie_token(&headers) {
        let hash = super::token_hash(&t);
        store::delete_session(&state.db, &hash).await?;
        state.principals.remove(&hash);
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::http::error::Problem)))]
async fn me(State(state): State<AppState>, p: Principal) -> axum::Json<Me> {
    axum::Json(me_of(&state, &p))
}
