//! HTTP routes of attachments: upload one file, read it back; and [`link`],
//! which other modules call to use attachments on a record.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::model::Meta;
use super::store::{self, NewAttachment};
use super::{check, clean_name, AttachmentError, MAX_BYTES};
use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::ApiError;
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)))
        .routes(routes!(download))
}

fn upload_error(e: AttachmentError) -> ApiError {
    match e {
        AttachmentError::TooLarge => ApiError::TooLarge { limit_mb: 10 },
        other => other.field_error().into(),
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit_mb: 10 }
    } else {
        ApiError::field(
            "file",
            "upload_failed",
            format!("上传失败: {}", e.body_text()),
        )
    }
}

#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments",
    request_body(content_type = "multipart/form-data", description = "field `file`: one JPEG, PNG, WebP or PDF file, at most 10 MB (the type is checked by the file's bytes)"),
    responses((status = 201, body = Meta), (status = 422, body = crate::http::error::Problem), (status = 413, body = crate::http::error::Problem)))]
async fn upload(
    State(s): State<AppState>,
    p: Principal,
    mut mp: Multipart,
) -> Result<Response, ApiError> {
    authorize(&p, Action::Write, "attachments")?;
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            if file.is_some() {
                return Err(ApiError::from(
                    FieldError::new("file", "一次只能上传一个文件").code("one_file_only"),
                ));
            }
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        ApiError::from(
            FieldError::new("file", "请选择要上传的文件（表单字段 file）").code("required"),
        )
    })?;
    let mime = check(&bytes).map_err(upload_error)?;
    let name = clean_name(&name, mime);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let now = OffsetDateTime::now_utc();
    let division = p.division.to_string();
    let mut tx = s.change().await?;
    let quota = s.config.attachment_quota_mb;
    let used = store::used_bytes(&mut tx, &p.username).await?;
    if used.saturating_add(bytes.len() as i64) > (quota as i64).saturating_mul(1024 * 1024) {
        return Err(ApiError::QuotaExceeded { limit_mb: quota });
    }
    let id = store::insert(
        &mut tx,
        &NewAttachment {
            name: &name,
            mime: mime.as_str(),
            sha256: &sha256,
            division: &division,
            uploaded_by: &p.username,
            uploaded_at: now.into(),
            bytes: &bytes,
        },
    )
    .await?;
    tx.commit(now, vec![NewEntry {
            actor: p.username.clone(),
            jurisdiction: division.clone(),
            module: "attachments",
            entity: "attachment".into(),
            entity_id: id.to_string(),
            kind: "uploaded",
            payload: json!({ "name": name, "mime": mime.as_str(), "size": bytes.len(), "sha256": sha256 }),
        }]).await?;
    let meta = store::meta(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, axum::Json(meta)).into_response())
}

/// RFC 5987 encoding of a file name for `Content-Disposition`.
fn encode_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments",
    responses((status = 200, description = "The file, with its type and name"), (status = 404, body = crate::http::error::Problem)))]
async fn download(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Read, "attachments")?;
    let meta = store::meta(&s.db, id)
        .await?
        .filter(|m| scope.covers(&m.division, ""))
        .ok_or(ApiError::NotFound)?;
    let bytes = store::content(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    let disposition = format!("inline; filename*=UTF-8''{}", encode_name(&meta.name));
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
                    .to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

impl From<super::LinkError> for ApiError {
    fn from(e: super::LinkError) -> Self {
        match e {
            super::LinkError::Field(f) => ApiError::Validation(vec![f]),
            super::LinkError::Db(d) => d.into(),
        }
    }
}
