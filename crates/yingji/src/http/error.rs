//! Errors → RFC 9457 problem JSON. Every handler returns `Result<_, ApiError>`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::AuthError;
use crate::db::DbError;

/// One problem with one field (and, for imports, one row).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub field: String,
    pub message: String,
    /// Where on the map (a GeoJSON geometry), for problems of drawn areas.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub at: Option<serde_json::Value>,
    /// The CAP element path, for problems found in a composed CAP message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_path: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            row: None,
            field: field.into(),
            message: message.into(),
            at: None,
            cap_path: None,
        }
    }
    pub fn at(mut self, geometry: serde_json::Value) -> Self {
        self.at = Some(geometry);
        self
    }
    pub fn cap_path(mut self, path: impl Into<String>) -> Self {
        self.cap_path = Some(path.into());
        self
    }
    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("输入有误")]
    Validation(Vec<FieldError>),
    /// Validation errors of a large file: the first `errors` of `total`.
    #[error("输入有误")]
    ValidationTruncated {
        errors: Vec<FieldError>,
        total: usize,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("需要登录")]
    Unauthenticated,
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("无权执行此操作")]
    Forbidden,
    #[error("找不到该记录")]
    NotFound,
    #[error("记录已被他人修改，请刷新后重试")]
    Conflict,
    #[error("{0}")]
    Duplicate(String),
    /// A rule refuses the step in the record's current state (409).
    #[error("{0}")]
    Refused(String),
    /// This user may not take this step, and why (403).
    #[error("{0}")]
    NotAllowed(String),
    #[error("尝试次数过多，请 {minutes} 分钟后再试")]
    Throttled { minutes: i64 },
    #[error("上传的文件过大（上限 {limit_mb} MB）")]
    TooLarge { limit_mb: usize },
    #[error("{0}")]
    Unavailable(String),
    #[error("服务器内部错误")]
    Internal(String),
}

/// The problem body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub key: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many errors there are when `errors` lists only the first ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_total: Option<usize>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::ValidationTruncated { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::NotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict | ApiError::Duplicate(_) | ApiError::Refused(_) => {
                StatusCode::CONFLICT
            }
            ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            ApiError::Validation(_) | ApiError::ValidationTruncated { .. } => "validation",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict => "conflict",
            ApiError::Duplicate(_) => "duplicate",
            ApiError::Refused(_) => "invalid_transition",
            ApiError::NotAllowed(_) => "forbidden",
            ApiError::Throttled { .. } => "throttled",
            ApiError::TooLarge { .. } => "too_large",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Optimistic concurrency: the `sent` version must be the `current` one.
    pub fn unless_current(current: i64, sent: i64) -> Result<(), ApiError> {
        if current == sent {
            Ok(())
        } else {
            Err(ApiError::Conflict)
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let mut detail = self.to_string();
        let (errors, error_total) = match self {
            ApiError::Validation(e) => (e.clone(), None),
            ApiError::ValidationTruncated { errors, total } => (errors.clone(), Some(*total)),
            _ => (Vec::new(), None),
        };
        if let Some(first) = errors.first() {
            let total = error_total.unwrap_or(errors.len());
            let shown = if total > errors.len() {
                format!("共 {total} 处错误，列出前 {} 处", errors.len())
            } else {
                format!("共 {total} 处错误")
            };
            detail = match first.row {
                Some(r) => format!("第 {r} 行 {}: {}（{shown}）", first.field, first.message),
                None => format!("{}: {}（{shown}）", first.field, first.message),
            };
        }
        Problem {
            type_: format!("/problems/{}", self.key()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            key: self.key().to_string(),
            errors,
            error_total,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if e.is_unique_violation() {
            return ApiError::Duplicate("记录重复（同一区划下已有同名记录）".into());
        }
        ApiError::Internal(e.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthenticated => ApiError::Unauthenticated,
            AuthError::Forbidden => ApiError::Forbidden,
        }
    }
}

/// JSON body extractor whose rejections are problem JSON too.
pub struct Json<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rej) => {
                let text = rej.body_text();
                // serde names the path of the bad field: "name: invalid type …"
                let field = text
                    .split_once(": ")
                    .and_then(|(_, rest)| rest.split_once(": ").map(|(f, _)| f.to_string()))
                    .unwrap_or_else(|| "body".into());
                Err(ApiError::Validation(vec![FieldError::new(field, text)]))
            }
        }
    }
}

/// Query extractor with problem JSON rejections.
pub struct Query<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|rej| ApiError::Validation(vec![FieldError::new("query", rej.body_text())]))
    }
}
