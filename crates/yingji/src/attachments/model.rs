//! The attachment record, typed: the upload time is a `UtcText` (a point in
//! time; stored as RFC 3339 text). The content stays in its own column and is
//! read only by `store::content`.

use serde::Serialize;

use crate::db::UtcText;

/// What callers see of an attachment (every column but the content).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Meta {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub division: String,
    pub uploaded_by: String,
    pub uploaded_at: UtcText,
}
