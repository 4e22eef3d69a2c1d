//! User administration: list users, disable/enable, reset passwords,
//! change role and jurisdiction, manage API tokens. The functions here
//! serve both the HTTP API (below) and the CLI, so the password policy and
//! the session/token rules hold on every path.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, TokenInfo, User};
use super::{authorize, Action, Principal, Role, Scope};
use crate::clock::format_time;
use crate::db::{Db, DbError};
use crate::divisions::Code;
use crate::error::{FieldError, Refusal};
use crate::http::{ApiError, Json};
use crate::journal::NewEntry;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A field's value is not acceptable.
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    #[error("no such user or token")]
    NotFound,
    /// The step is refused (e.g. disabling oneself).
    #[error("{0}")]
    Refused(Refusal),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(e) => e.into(),
            AdminError::NotFound => ApiError::NotFound,
            AdminError::Refused(m) => ApiError::Refused(m),
            AdminError::Hash(m) => ApiError::Internal(m),
            AdminError::Db(e) => e.into(),
        }
    }
}

fn entry(actor: &str, u: &User, kind: &'static str, payload: serde_json::Value) -> NewEntry {
    NewEntry::new(actor, "auth", &u.division, "user", u.id, kind, payload)
}

/// Check the password policy and hash. The one place a password is set.
pub fn new_password_hash(password: &str) -> Result<String, AdminError> {
    super::check_password_strength(password).map_err(|message| {
        AdminError::Invalid(FieldError::new("password", message).code("weak_password"))
    })?;
    super::hash_password(password).map_err(AdminError::Hash)
}

/// Set a new password (policy enforced) and end the user's sessions.
pub async fn reset_password(
    db: &Db,
    actor: &str,
    u: &User,
    password: &str,
) -> Result<(), AdminError> {
    let hash = new_password_hash(password)?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = crate::journal::Change::on(db).await?;
    if !store::set_password(&mut tx, u.id, &hash).await? {
        return Err(AdminError::NotFound);
    }
    tx.commit(
        now,
        vec![entry(
            actor,
            u,
            "password_reset",
            serde_json::json!({ "username": u.username }),
        )],
    )
    .await?;
    Ok(())
}

/// Disable (ends sessions; tokens stop working) or enable a user.
pub async fn set_active(db: &Db, actor: &str, u: &User, active: bool) -> Result<(), AdminError> {
    let now = time::OffsetDateTime::now_utc();
    let mut tx = crate::journal::Change::on(db).await?;
    if !store::set_active(&mut tx, u.id, active).await? {
        return Err(AdminError::NotFound);
    }
    let kind = if active { "enabled" } else { "disabled" };
    tx.commit(
        now,
        vec![entry(
            actor,
            u,
            kind,
            serde_json::json!({ "username": u.username }),
        )],
    )
    .await?;
    Ok(())
}

/// Change role and jurisdiction; ends the user's sessions.
pub async fn change_role(
    db: &Db,
    actor: &str,
    u: &User,
    role: Role,
    division: &Code,
) -> Result<(), AdminError> {
    if role == Role::Enterprise && !u.org.starts_with("enterprise:") {
        return Err(AdminError::Invalid(
            FieldError::new("role", "企业用户须绑定企业（请用命令行创建）")
                .code("enterprise_user_by_cli"),
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = crate::journal::Change::on(db).await?;
    if !store::set_role(&mut tx, u.id, role, division).await? {
        return Err(AdminError::NotFound);
    }
    let mut e = entry(
        actor,
        u,
        "role_changed",
        serde_json::json!({
            "username": u.username,
            "from": { "role": u.role.as_str(), "division": u.division },
            "to": { "role": role.as_str(), "division": division.as_str() },
        }),
    );
    e.jurisdiction = common_prefix(&u.division, division.as_str());
    tx.commit(now, vec![e]).await?;
    Ok(())
}

/// The longer common prefix of two division codes (a change across two
/// jurisdictions is visible to whoever sees both).
fn common_prefix(a: &str, b: &str) -> String {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

/// A newly created API token: its secret is shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    /// The secret (send as `Authorization: Bearer …`); never shown again.
    pub token: String,
    pub expires_at: String,
}

pub const MAX_TOKEN_DAYS: i64 = 3650;

/// Create an API token valid for `days` days.
pub async fn create_token(
    db: &Db,
    actor: &str,
    u: &User,
    name: &str,
    days: i64,
) -> Result<NewToken, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid(
            FieldError::new("name", "请填写令牌名称（最多 100 字）")
                .code("required_max")
                .param("max", 100),
        ));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(AdminError::Invalid(
            FieldError::new("days", format!("有效期须为 1–{MAX_TOKEN_DAYS} 天"))
                .code("out_of_range")
                .param("min", 1)
                .param("max", MAX_TOKEN_DAYS),
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let expires = now + time::Duration::days(days);
    let (token, hash) = super::new_token();
    let mut tx = crate::journal::Change::on(db).await?;
    let id = store::create_api_token(&mut tx, u.id, name, &hash, now, expires).await?;
    tx.commit(now, vec![entry(
            actor,
            u,
            "token_created",
            serde_json::json!({ "username": u.username, "token_id": id, "name": name, "expires_at": format_time(expires) }),
        )]).await?;
    Ok(NewToken {
        id,
        name: name.to_string(),
        token,
        expires_at: format_time(expires),
    })
}

pub async fn revoke_token(db: &Db, actor: &str, u: &User, token_id: i64) -> Result<(), AdminError> {
    let now = time::OffsetDateTime::now_utc();
    let mut tx = crate::journal::Change::on(db).await?;
    if !store::revoke_token(&mut tx, u.id, token_id, now).await? {
        return Err(AdminError::NotFound);
    }
    tx.commit(
        now,
        vec![entry(
            actor,
            u,
            "token_revoked",
            serde_json::json!({ "username": u.username, "token_id": token_id }),
        )],
    )
    .await?;
    Ok(())
}

// ---- HTTP ----

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_user_password))
        .routes(routes!(change_user_role))
        .routes(routes!(list_user_tokens, create_user_token))
        .routes(routes!(revoke_user_token))
}

/// A user as the admin page lists them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    #[serde(flatten)]
    pub user: User,
    pub division_name: String,
    pub role_label_zh: String,
    pub role_label_en: String,
}

/// Authorize and load a user inside the admin's jurisdiction (others: 404).
async fn target(state: &AppState, p: &Principal, id: i64) -> Result<(Scope, User), ApiError> {
    let scope = authorize(p, Action::Admin, "users")?;
    let u = store::get(&state.db, id).await?.ok_or(ApiError::NotFound)?;
    if !scope.covers(&u.division, "") {
        return Err(ApiError::NotFound);
    }
    Ok((scope, u))
}

fn not_self(p: &Principal, u: &User) -> Result<(), ApiError> {
    if p.user_id == u.id {
        return Err(ApiError::Refused(Refusal::new(
            "not_yourself",
            "不能停用或降级自己的账号",
        )));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::http::error::Problem)))]
async fn list_users(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<UserView>>, ApiError> {
    let scope = authorize(&p, Action::Admin, "users")?;
    let tree = state.tree();
    let users = store::list(&state.db, &scope.prefix).await?;
    Ok(axum::Json(
        users
            .into_iter()
            .map(|u| UserView {
                division_name: tree.name(&u.division),
                role_label_zh: u.role.label_zh().into(),
                role_label_en: u.role.label_en().into(),
                user: u,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem)))]
async fn disable_user(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    not_self(&p, &u)?;
    set_active(&state.db, &p.username, &u, false).await?;
    // Sessions and tokens verified before this change are forgotten.
    state.principals.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
async fn enable_user(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    set_active(&state.db, &p.username, &u, true).await?;
    // Sessions and tokens verified before this change are forgotten.
    state.principals.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordRequest {
    pub password: String,
}

/// Set a new password (policy enforced); ends the user's sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users",
    params(("id" = i64, Path)), request_body = PasswordRequest,
    responses((status = 204), (status = 404, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn reset_user_password(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(req): Json<PasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    reset_password(&state.db, &p.username, &u, &req.password).await?;
    // Sessions and tokens verified before this change are forgotten.
    state.principals.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleRequest {
    /// admin, commander, operator, reporter, enterprise, observer
    pub role: String,
    /// Division code of the new jurisdiction (inside the admin's own).
    pub division: String,
}

/// Change role and jurisdiction; ends the user's sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/role", tag = "users",
    params(("id" = i64, Path)), request_body = RoleRequest,
    responses((status = 204), (status = 404, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn change_user_role(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(req): Json<RoleRequest>,
) -> Result<StatusCode, ApiError> {
    let (scope, u) = target(&state, &p, id).await?;
    not_self(&p, &u)?;
    let role = Role::parse(req.role.trim())
        .ok_or_else(|| ApiError::from(FieldError::new("role", "未知角色").code("unknown_role")))?;
    let bad_division = || {
        ApiError::from(
            FieldError::new("division", "区划不存在或不在本人辖区内").code("out_of_jurisdiction"),
        )
    };
    let code = Code::parse(req.division.trim()).map_err(|_| bad_division())?;
    if state.tree().get(&code).is_none() || !scope.covers(code.as_str(), "") {
        return Err(bad_division());
    }
    change_role(&state.db, &p.username, &u, role, &code).await?;
    // Sessions and tokens verified before this change are forgotten.
    state.principals.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "users",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TokenInfo>), (status = 404, body = crate::http::error::Problem)))]
async fn list_user_tokens(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<TokenInfo>>, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    Ok(axum::Json(store::list_tokens(&state.db, u.id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub name: String,
    /// Lifetime in days (default: the configured `auth.token_days`, 90).
    pub days: Option<i64>,
}

/// Create an API token for the user; the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "users",
    params(("id" = i64, Path)), request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 404, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn create_user_token(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(req): Json<TokenRequest>,
) -> Result<Response, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    let days = req.days.unwrap_or(state.config.auth.token_days);
    let t = create_token(&state.db, &p.username, &u, &req.name, days).await?;
    Ok((StatusCode::CREATED, axum::Json(t)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "users",
    params(("id" = i64, Path), ("token_id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
async fn revoke_user_token(
    State(state): State<AppState>,
    p: Principal,
    Path((id, token_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let (_, u) = target(&state, &p, id).await?;
    revoke_token(&state.db, &p.username, &u, token_id).await?;
    // Sessions and tokens verified before this change are forgotten.
    state.principals.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_before_hashing() {
        for (pw, ok) in [
            ("short", false),
            ("alllowercase", false),
            ("Str0ng@pass", true),
        ] {
            let r = new_password_hash(pw);
            assert_eq!(r.is_ok(), ok, "{pw}");
            if let Err(AdminError::Invalid(e)) = r {
                assert_eq!(e.field, "password");
            }
        }
    }

    #[test]
    fn common_prefix_table() {
        for (a, b, want) in [
            ("140213", "140215", "14021"),
            ("140213", "140213", "140213"),
            ("140213", "130000", "1"),
        ] {
            assert_eq!(common_prefix(a, b), want);
        }
    }
}
