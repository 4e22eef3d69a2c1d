//! SQL of the command centre: display tokens (migration 0026), one code path
//! for SQLite and PostgreSQL.

use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::DisplayToken;
use crate::clock::format_time;
use crate::db::{col, Db, DbError, Tx};

fn from_row(r: &AnyRow) -> Result<DisplayToken, DbError> {
    Ok(DisplayToken {
        id: col(r, "id")?,
        name: col(r, "name")?,
        division: col(r, "division")?,
        created_by: col(r, "created_by")?,
        created_at: col(r, "created_at")?,
        expires_at: col(r, "expires_at")?,
        last_used_at: col(r, "last_used_at")?,
        revoked: col::<i64>(r, "revoked")? != 0,
        revoked_at: col(r, "revoked_at")?,
        revoked_by: col(r, "revoked_by")?,
    })
}

pub struct NewDisplayToken<'a> {
    pub token_hash: &'a str,
    pub name: &'a str,
    pub division: &'a str,
    pub created_by: &'a str,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(tx: &mut Tx, t: NewDisplayToken<'_>) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO display_tokens (token_hash, name, division, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(t.token_hash)
    .bind(t.name)
    .bind(t.division)
    .bind(t.created_by)
    .bind(format_time(t.created_at))
    .bind(format_time(t.expires_at))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// The tokens of divisions under `prefix`, newest first.
pub async fn list(db: &Db, prefix: &str) -> Result<Vec<DisplayToken>, DbError> {
    sqlx::query("SELECT * FROM display_tokens WHERE division LIKE $1 ORDER BY id DESC")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn get_tx(tx: &mut Tx, id: i64) -> Result<Option<DisplayToken>, DbError> {
    sqlx::query("SELECT * FROM display_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.inner)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Revoke an unrevoked token. `false`: it was already revoked.
pub async fn revoke(tx: &mut Tx, id: i64, by: &str, now: OffsetDateTime) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE display_tokens SET revoked = 1, revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked = 0",
    )
    .bind(format_time(now))
    .bind(by)
    .bind(id)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// The token with this hash, if it lets a display in at `now`; records the
/// use (`last_used_at`, at most once a minute).
pub async fn valid_by_hash(
    db: &Db,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<DisplayToken>, DbError> {
    let row = sqlx::query("SELECT * FROM display_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db.pool())
        .await?;
    let Some(t) = row.as_ref().map(from_row).transpose()? else {
        return Ok(None);
    };
    if !t.valid_at(now) {
        return Ok(None);
    }
    if t.last_used_at
        .is_none_or(|u| now - u.0 >= time::Duration::minutes(1))
    {
        // Bookkeeping of use, not a change of the record: not journaled.
        sqlx::query("UPDATE display_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(format_time(now))
            .bind(t.id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(t))
}
