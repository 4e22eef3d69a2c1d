//! Login, logout, `me`, and the extractor that turns a request into a
//! [`Principal`] (session cookie or `Authorization: Bearer` API token).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::{header, request::Parts, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::{store, Principal, Role};
use crate::http::{ApiError, AppState, Json};

pub const COOKIE: &str = "yingji_session";
/// Header the UI sends on every mutating request (CSRF guard for cookie auth).
pub const CSRF_HEADER: &str = "x-requested-with";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
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
        let user = if let Some(t) = bearer_token(&parts.headers) {
            store::token_user(&state.db, &super::token_hash(&t)).await?
        } else if let Some(t) = cookie_token(&parts.headers) {
            let mutating = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if mutating && parts.headers.get(CSRF_HEADER).is_none() {
                return Err(ApiError::Forbidden);
            }
            store::session_user(
                &state.db,
                &super::token_hash(&t),
                time::OffsetDateTime::now_utc(),
            )
            .await?
        } else {
            None
        };
        let user = user.ok_or(ApiError::Unauthenticated)?;
        Ok(user.principal()?)
    }
}

/// Failed logins per client address (in memory, per node; the per-account
/// lock in the database covers a cluster).
#[derive(Default)]
pub struct IpThrottle {
    failures: Mutex<HashMap<IpAddr, (u32, std::time::Instant)>>,
}

impl IpThrottle {
    const MAX: u32 = 30;
    const WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

    fn blocked(&self, ip: IpAddr) -> bool {
        let mut m = match self.failures.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        match m.get(&ip) {
            Some((_, since)) if since.elapsed() > Self::WINDOW => {
                m.remove(&ip);
                false
            }
            Some((n, _)) => *n >= Self::MAX,
            None => false,
        }
    }

    fn fail(&self, ip: IpAddr) {
        let mut m = match self.failures.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let e = m.entry(ip).or_insert((0, std::time::Instant::now()));
        e.0 += 1;
    }
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

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = crate::http::error::Problem), (status = 429, body = crate::http::error::Problem)))]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let now = time::OffsetDateTime::now_utc();
    if state.throttle.blocked(addr.ip()) {
        return Err(ApiError::Throttled { minutes: 15 });
    }
    let creds = store::credentials(&state.db, req.username.trim()).await?;
    let Some(c) = creds else {
        // Same work as a real check, so timing does not reveal usernames.
        super::verify_password(&req.password, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        state.throttle.fail(addr.ip());
        return Err(ApiError::BadCredentials);
    };
    if let Some(until) = c.locked_until {
        if until > now {
            let minutes = ((until - now).whole_seconds() + 59) / 60;
            return Err(ApiError::Throttled { minutes });
        }
    }
    if !c.user.active || !super::verify_password(&req.password, &c.password_hash) {
        state.throttle.fail(addr.ip());
        store::record_failure(&state.db, c.user.id, |n| super::lock_after_failure(n, now)).await?;
        return Err(ApiError::BadCredentials);
    }
    store::clear_failures(&state.db, c.user.id).await?;
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
        store::delete_session(&state.db, &super::token_hash(&t)).await?;
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::http::error::Problem)))]
async fn me(State(state): State<AppState>, p: Principal) -> axum::Json<Me> {
    axum::Json(me_of(&state, &p))
}
