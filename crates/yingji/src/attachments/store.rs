//! SQL of attachments. The content is kept in the database as base64 TEXT
//! (the platform's columns are TEXT/BIGINT/DOUBLE only), so it is backed up,
//! replicated and transactional with the records that use it.

pub use super::model::Meta;
use crate::db::{col, Db, DbError, Tx, UtcText};
use base64::Engine;

pub struct NewAttachment<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub sha256: &'a str,
    pub division: &'a str,
    pub uploaded_by: &'a str,
    pub uploaded_at: UtcText,
    pub bytes: &'a [u8],
}

const META: &str = "id, name, mime, size, sha256, division, uploaded_by, uploaded_at";

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<i64, DbError> {
    let content = base64::engine::general_purpose::STANDARD.encode(a.bytes);
    let row = sqlx::query(
        "INSERT INTO attachments (name, mime, size, sha256, division, uploaded_by, uploaded_at, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.name)
    .bind(a.mime)
    .bind(a.bytes.len() as i64)
    .bind(a.sha256)
    .bind(a.division)
    .bind(a.uploaded_by)
    .bind(a.uploaded_at)
    .bind(content)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Bytes of attachments `user` has stored (for the per-user quota).
pub async fn used_bytes(tx: &mut Tx, user: &str) -> Result<i64, DbError> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used FROM attachments WHERE uploaded_by = $1",
    )
    .bind(user)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "used")
}

pub async fn meta(db: &Db, id: i64) -> Result<Option<Meta>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {META} FROM attachments WHERE id = $1"))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Several attachments by id, in the order asked (missing ones left out).
pub async fn metas(db: &Db, ids: &[i64]) -> Result<Vec<Meta>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(m) = meta(db, *id).await? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Meta data read inside a write transaction (for linking).
pub async fn meta_tx(tx: &mut Tx, id: i64) -> Result<Option<Meta>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {META} FROM attachments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx.inner)
            .await?,
    )
}

/// The file's bytes.
pub async fn content(db: &Db, id: i64) -> Result<Option<Vec<u8>>, DbError> {
    let Some(row) = sqlx::query("SELECT content FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let text: String = col(&row, "content")?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map(Some)
        .map_err(|e| DbError::Corrupt {
            table: "attachments",
            detail: e.to_string(),
        })
}

/// Move an attachment into the division of the record that uses it.
pub async fn set_division(tx: &mut Tx, id: i64, division: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE attachments SET division = $1 WHERE id = $2")
        .bind(division)
        .bind(id)
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}
