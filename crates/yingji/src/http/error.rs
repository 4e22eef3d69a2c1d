//! Errors → RFC 9457 problem JSON. Every handler returns `Result<_, ApiError>`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::AuthError;
use crate::db::{DbError, SentVersion};

pub use crate::error::{FieldError, Params, Refusal, RuleError};

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
    Refused(Refusal),
    /// This user may not take this step, and why (403).
    #[error("{0}")]
    NotAllowed(Refusal),
    #[error("尝试次数过多，请 {minutes} 分钟后再试")]
    Throttled { minutes: i64 },
    #[error("上传的文件过大（上限 {limit_mb} MB）")]
    TooLarge { limit_mb: usize },
    #[error("附件存储配额已用完（每个用户上限 {limit_mb} MB），请联系管理员")]
    QuotaExceeded { limit_mb: usize },
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
    /// Why a step was refused (409 `invalid_transition`, 403 `forbidden`),
    /// as a stable code the UI translates; `detail` is its Chinese message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The values `detail` names, for the UI's translation of `code`.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    pub params: Params,
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
            ApiError::TooLarge { .. } | ApiError::QuotaExceeded { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
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
            ApiError::QuotaExceeded { .. } => "quota_exceeded",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// One coded field error (422): the `code` the UI translates and the
    /// message in Chinese. There is no uncoded form.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message).code(code)])
    }

    /// The refusal a 409 or 403 answer carries, if any.
    fn refusal(&self) -> Option<&Refusal> {
        match self {
            ApiError::Refused(r) | ApiError::NotAllowed(r) if !r.code.is_empty() => Some(r),
            _ => None,
        }
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
            code: self.refusal().map(|r| r.code.to_string()),
            params: self.refusal().map(|r| r.params.clone()).unwrap_or_default(),
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

/// One coded field error, as `FieldError::new(field, message).code(…).into()`.
impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Validation(vec![e])
    }
}

/// A rule's refusal: 409 for the record's state, 422 for a field, 403 for
/// the user.
impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::State(r) => ApiError::Refused(r),
            RuleError::Field(e) => e.into(),
            RuleError::Forbidden(r) => ApiError::NotAllowed(r),
        }
    }
}

/// An edit without the version read (422 `version_required`), or with
/// another (409).
impl From<SentVersion> for ApiError {
    fn from(e: SentVersion) -> Self {
        match e {
            SentVersion::Missing => FieldError::new("version", "修改须带上读取时的版本号")
                .code("version_required")
                .into(),
            SentVersion::Stale => ApiError::Conflict,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        if e.is_unique_violation() {
            return ApiError::Duplicate("记录重复（同一区划下已有同名记录）".into());
        }
        if matches!(e, DbError::Stale) {
            return ApiError::Conflict;
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

/// Longest text a JSON body may carry in one string where the field's own
/// rule names no shorter limit (characters).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Largest JSON body (the attachment and import endpoints take multipart
/// bodies with limits of their own).
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// JSON body extractor whose rejections are problem JSON too: a body over
/// [`MAX_JSON_BYTES`] is 413, a NUL character or a string over
/// [`MAX_TEXT_CHARS`] anywhere in it is 422 naming the field (PostgreSQL
/// cannot store NUL in text), and a value of the wrong type is 422 naming
/// the path of the field (`areas[2].radius_m`).
pub struct Json<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_content_type);
        if !json_type {
            return Err(ApiError::field(
                "body",
                "json_required",
                "请求体应为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rej| {
                if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge {
                        limit_mb: MAX_JSON_BYTES / (1024 * 1024),
                    }
                } else {
                    ApiError::BadRequest(rej.body_text())
                }
            })?;
        parse_json_body(&bytes).map(Json)
    }
}

/// Parse a JSON body into `T` with the checks of [`Json`].
pub fn parse_json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::from(
            FieldError::new("body", format!("JSON 格式有误: {e}"))
                .code("not_json")
                .param("error", e.to_string()),
        )
    })?;
    let mut errors = Vec::new();
    check_text(&value, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::Validation(vec![body_error(&value, &path, e.into_inner())])
    })
}

/// The part of `v` at a `serde_path_to_error` path (`a.b[2].c`; `.`: all).
fn at_path<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    if path == "." {
        return Some(v);
    }
    path.split('.').try_fold(v, |v, part| {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        let v = if name.is_empty() { v } else { v.get(name)? };
        indexes
            .split('[')
            .filter(|i| !i.is_empty())
            .try_fold(v, |v, i| {
                v.get(i.trim_end_matches(']').parse::<usize>().ok()?)
            })
    })
}

/// A body that does not fit its type, as a problem with the field it names:
/// a missing field is named itself (`required`), a command of unknown `kind`
/// names `kind` (`not_an_option`; every command body is tagged by `kind`).
fn body_error(body: &serde_json::Value, path: &str, e: serde_json::Error) -> FieldError {
    let message = e.to_string();
    let within = |name: &str| match path {
        "." => name.to_string(),
        p => format!("{p}.{name}"),
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    if let Some(name) = quoted("missing field `") {
        return FieldError::new(within(&name), format!("缺少字段 {name}"))
            .code("required")
            .param("name", name);
    }
    if let Some(name) = quoted("unknown field `") {
        return FieldError::new(within(&name), format!("未知字段 {name}"))
            .code("unknown_field")
            .param("name", name);
    }
    // The tag itself (`a.kind`), or an object whose tag is wrong.
    let tag = if path == "kind" || path.ends_with(".kind") {
        Some(path.to_string())
    } else if at_path(body, path).is_some_and(serde_json::Value::is_object) {
        Some(within("kind"))
    } else {
        None
    };
    if let (Some(kind), Some(field)) = (quoted("unknown variant `"), tag) {
        return FieldError::new(field, format!("未知的操作“{kind}”"))
            .code("unknown_kind")
            .param("kind", kind);
    }
    let field = if path == "." {
        "body".to_string()
    } else {
        path.to_string()
    };
    type_error(field, &message)
}

/// A serde type error as a field error; a fraction where a whole number is
/// expected (an amount of 元, a count) carries the code `not_integer`.
fn type_error(field: String, message: &str) -> FieldError {
    let fraction = message
        .strip_prefix("invalid type: floating point `")
        .and_then(|rest| rest.split_once("`, expected "))
        .filter(|(_, expected)| expected.starts_with('i') || expected.starts_with('u'));
    match fraction {
        Some((value, _)) => FieldError::new(field, format!("应为整数，收到“{value}”"))
            .code("not_integer")
            .param("value", value),
        // serde's own words (in English), named as such for the UI.
        None => FieldError::new(field, message)
            .code("bad_value")
            .param("detail", message),
    }
}

/// Every string (and key) of a JSON value: no NUL, at most [`MAX_TEXT_CHARS`].
fn check_text(v: &serde_json::Value, path: &mut String, errors: &mut Vec<FieldError>) {
    const MAX_ERRORS: usize = 20;
    let bad = |s: &str, field: String| -> Option<FieldError> {
        if s.contains('\0') {
            Some(FieldError::new(field, "不能包含 NUL 字符（\\u0000）").code("control_chars"))
        } else if s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS {
            Some(
                FieldError::new(field, format!("最多 {MAX_TEXT_CHARS} 个字"))
                    .code("too_long")
                    .param("max", MAX_TEXT_CHARS),
            )
        } else {
            None
        }
    };
    if errors.len() >= MAX_ERRORS {
        return;
    }
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match v {
        serde_json::Value::String(s) => {
            if let Some(e) = bad(s, field(path)) {
                errors.push(e);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_text(item, path, errors);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if let Some(e) = bad(k, field(path)) {
                    errors.push(e);
                }
                check_text(item, path, errors);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `application/json` or any `application/…+json`, parameters ignored.
fn is_json_content_type(v: &str) -> bool {
    let essence = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
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
        if parts
            .uri
            .query()
            .is_some_and(|q| q.to_ascii_lowercase().contains("%00"))
        {
            return Err(FieldError::new("query", "不能包含 NUL 字符（%00）")
                .code("control_chars")
                .into());
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|rej| {
                let detail = rej.body_text();
                ApiError::Validation(vec![FieldError::new("query", detail.clone())
                    .code("bad_query")
                    .param("detail", detail)])
            })
    }
}

/// Answer of a handler that panicked: 500 problem JSON, and the panic in the
/// log (the connection is no longer just dropped).
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(panic = %message, "handler panicked");
    // Not through `ApiError::Internal`, which would log a second time.
    let e = ApiError::Internal(String::new());
    let body = serde_json::to_vec(&e.problem()).unwrap_or_default();
    (
        e.status(),
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// Every answer of the API is problem JSON when it is an error, also where
/// the framework answers before a handler runs (a malformed path id, a
/// method not allowed, a body over a route's limit, an unknown route); and a
/// NUL (`%00`) in the path is refused before it can reach the database.
pub async fn problem_layer(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.uri().path().to_ascii_lowercase().contains("%00") {
        return ApiError::BadRequest("路径不能包含 NUL 字符（%00）".into()).into_response();
    }
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_content_type);
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let text = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let e = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => {
            return plain_problem(status, "too_large", "请求体过大");
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            return plain_problem(status, "method_not_allowed", "不支持该请求方法");
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            return plain_problem(status, "unsupported_media_type", &text);
        }
        StatusCode::UNAUTHORIZED => ApiError::Unauthenticated,
        StatusCode::FORBIDDEN => ApiError::Forbidden,
        s if s.is_server_error() => {
            tracing::error!(status = %s, body = %text, "error answer without problem JSON");
            return plain_problem(status, "internal", "服务器内部错误");
        }
        _ => ApiError::BadRequest(if text.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("Bad request")
                .to_string()
        } else {
            text
        }),
    };
    let mut out = e.into_response();
    *out.status_mut() = status;
    out
}

fn plain_problem(status: StatusCode, key: &str, detail: &str) -> Response {
    let p = Problem {
        type_: format!("/problems/{key}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: detail.to_string(),
        key: key.to_string(),
        code: None,
        params: Params::new(),
        errors: Vec::new(),
        error_total: None,
    };
    let body = serde_json::to_vec(&p).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// The Content-Security-Policy of the app: scripts, styles, fonts and
/// connections from the app itself only (styles may be inline: Element Plus
/// and the map set element styles), images also from the configured tile
/// server, never framed.
pub fn content_security_policy(map: &crate::config::MapConfig) -> axum::http::HeaderValue {
    let tiles = map.tile_url.as_deref().map(tile_source).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self'; \
         worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    axum::http::HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("default-src 'self'"))
}

/// The CSP source of a tile URL template: its scheme and host, with a
/// templated first label (`t{s}.tianditu.gov.cn`) as a wildcard
/// (`*.tianditu.gov.cn`). Empty when the template is not an absolute URL.
fn tile_source(template: &str) -> String {
    let Some((scheme, rest)) = template.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || !matches!(scheme, "http" | "https") {
        return String::new();
    }
    let host = match authority.split_once('.') {
        Some((first, tail)) if first.contains('{') => format!("*.{tail}"),
        _ => authority.to_string(),
    };
    if host.contains(['{', '}', ' ', ';', ',']) {
        return String::new();
    }
    format!(" {scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_sources_for_the_csp() {
        for (template, want) in [
            (
                "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=K",
                " https://*.tianditu.gov.cn",
            ),
            (
                "https://tile.example.org/{z}/{x}/{y}.png",
                " https://tile.example.org",
            ),
            (
                "http://10.1.2.3:8081/{z}/{x}/{y}.png",
                " http://10.1.2.3:8081",
            ),
            ("/tiles/{z}/{x}/{y}.png", ""),
            ("javascript://x/{z}", ""),
            ("https://{s}.{host}/x", ""),
        ] {
            assert_eq!(tile_source(template), want, "{template}");
        }
    }

    #[test]
    fn json_bodies_refuse_nul_and_overlong_text_naming_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            name: String,
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            n: i64,
        }
        let fields = |body: &str| match parse_json_body::<B>(body.as_bytes()) {
            Ok(_) => vec![],
            Err(ApiError::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
            Err(e) => vec![format!("other: {e}")],
        };
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let ok_long = "长".repeat(MAX_TEXT_CHARS);
        for (body, want) in [
            (r#"{"name":"a","items":[{"n":1}]}"#.to_string(), vec![]),
            (
                r#"{"name":"a\u0000b","items":[]}"#.to_string(),
                vec!["name"],
            ),
            (
                r#"{"name":"a","items":[{"n":1},{"n":"x"}]}"#.to_string(),
                vec!["items[1].n"],
            ),
            // A missing field is named itself.
            (r#"{"name":"a"}"#.to_string(), vec!["items"]),
            (format!(r#"{{"name":"{long}","items":[]}}"#), vec!["name"]),
            (format!(r#"{{"name":"{ok_long}","items":[]}}"#), vec![]),
            (
                r#"{"name":"a","items":[],"extra":{"k\u0000":1}}"#.to_string(),
                vec!["extra.k\0"],
            ),
            ("{not json".to_string(), vec!["body"]),
        ] {
            assert_eq!(fields(&body), want, "{body}");
        }
    }

    #[test]
    fn a_fraction_where_a_whole_number_is_expected_is_coded_not_integer() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            yuan: i64,
            count: u32,
            ha: f64,
        }
        let coded = |body: &str| match parse_json_body::<B>(body.as_bytes()) {
            Ok(_) => vec![],
            Err(ApiError::Validation(e)) => e
                .into_iter()
                .map(|e| (e.field, e.code, e.params.get("value").cloned()))
                .collect(),
            Err(e) => panic!("other: {e}"),
        };
        let v = |s: &str| Some(serde_json::Value::from(s));
        for (body, want) in [
            (r#"{"yuan":1,"count":2,"ha":0.5}"#, vec![]),
            (
                r#"{"yuan":850000.5,"count":2,"ha":0.5}"#,
                vec![("yuan".to_string(), "not_integer", v("850000.5"))],
            ),
            (
                r#"{"yuan":1,"count":2.25,"ha":0.5}"#,
                vec![("count".to_string(), "not_integer", v("2.25"))],
            ),
            (
                r#"{"yuan":"x","count":2,"ha":0.5}"#,
                vec![("yuan".to_string(), "bad_value", None)],
            ),
        ] {
            assert_eq!(coded(body), want, "{body}");
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_problem_json() {
        use tower::ServiceExt;
        async fn boom() -> String {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            // An index out of bounds, as a bug in a handler would be.
            v[i].to_string()
        }
        let app = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .layer(axum::middleware::from_fn(problem_layer))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                panic_response,
            ));
        let res = app
            .oneshot(
                axum::http::Request::get("/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap();
        let p: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(p["key"], "internal");
        assert_eq!(p["status"], 500);
    }
}
