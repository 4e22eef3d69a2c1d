//! The auth module's records: users (never with their password hash
//! outside `Credentials`) and API tokens (never their secret), typed.

use super::Role;
use crate::db::UtcText;

/// A stored user (without the password hash).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// 职务 (e.g. 值班员), shown beside the name; may be empty.
    pub position: String,
    pub role: Role,
    pub division: String,
    pub org: String,
    pub active: bool,
}

pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: UtcText,
    /// None: a token made before tokens expired (revoke and replace it).
    pub expires_at: Option<UtcText>,
    pub last_used_at: Option<UtcText>,
    pub revoked: bool,
    pub revoked_at: Option<UtcText>,
}
