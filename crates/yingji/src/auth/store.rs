pub use super::model::{Credentials, TokenInfo, User};
use super::{Principal, Role};
use crate::clock::format_time;
use crate::db::{col, Db, DbError, Tx, UtcText};
use crate::divisions::Code;
use sqlx::any::AnyRow;

fn user_from_row(r: &AnyRow) -> Result<User, DbError> {
    let role: String = col(r, "role")?;
    Ok(User {
        id: col(r, "id")?,
        username: col(r, "username")?,
        display_name: col(r, "display_name")?,
        position: col(r, "position")?,
        role: Role::parse(&role).ok_or_else(|| DbError::Corrupt {
            table: "users",
            detail: format!("unknown role {role:?}"),
        })?,
        division: col(r, "division")?,
        org: col(r, "org")?,
        active: col::<i64>(r, "active")? != 0,
    })
}

impl User {
    pub fn principal(&self) -> Result<Principal, DbError> {
        Ok(Principal {
            user_id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            division: Code::parse(&self.division).map_err(|e| DbError::Corrupt {
                table: "users",
                detail: e.to_string(),
            })?,
            org: self.org.clone(),
        })
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub position: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub division: &'a Code,
    pub org: &'a str,
}

pub async fn create(
    tx: &mut Tx,
    u: NewUser<'_>,
    now: time::OffsetDateTime,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, position, password_hash, role, division, org, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.position)
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(u.division.as_str())
    .bind(u.org)
    .bind(format_time(now))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, DbError> {
    let row = sqlx::query("SELECT * FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Credentials {
        user: user_from_row(&r)?,
        password_hash: col(&r, "password_hash")?,
    }))
}

pub async fn list(db: &Db, prefix: &str) -> Result<Vec<User>, DbError> {
    let rows = sqlx::query("SELECT * FROM users WHERE division LIKE $1 ORDER BY username")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(user_from_row).collect()
}

/// One user by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<User>, DbError> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// One user by name.
pub async fn by_name(db: &Db, username: &str) -> Result<Option<User>, DbError> {
    let row = sqlx::query("SELECT * FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// End every session of a user (password reset, role or jurisdiction
/// change, disabling).
pub async fn end_sessions(tx: &mut Tx, user_id: i64) -> Result<u64, DbError> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.inner)
        .await?;
    Ok(r.rows_affected())
}

/// Set a user's password hash and end their sessions. `false`: no such user.
pub async fn set_password(tx: &mut Tx, user_id: i64, hash: &str) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
    )
    .bind(hash)
    .bind(user_id)
    .execute(&mut *tx.inner)
    .await?;
    end_sessions(tx, user_id).await?;
    Ok(r.rows_affected() > 0)
}

/// Enable or disable a user; disabling ends their sessions (their API
/// tokens stop working too: token lookups require an active user).
pub async fn set_active(tx: &mut Tx, user_id: i64, active: bool) -> Result<bool, DbError> {
    let r = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(user_id)
        .execute(&mut *tx.inner)
        .await?;
    if !active {
        end_sessions(tx, user_id).await?;
    }
    Ok(r.rows_affected() > 0)
}

/// Change a user's role and jurisdiction; ends their sessions.
pub async fn set_role(
    tx: &mut Tx,
    user_id: i64,
    role: Role,
    division: &Code,
) -> Result<bool, DbError> {
    let r = sqlx::query("UPDATE users SET role = $1, division = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(division.as_str())
        .bind(user_id)
        .execute(&mut *tx.inner)
        .await?;
    end_sessions(tx, user_id).await?;
    Ok(r.rows_affected() > 0)
}

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: time::OffsetDateTime,
    ttl: time::Duration,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(format_time(now))
        .execute(&mut *tx.inner)
        .await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(format_time(now))
        .bind(format_time(now + ttl))
        .execute(&mut *tx.inner)
        .await?;
    tx.commit_unjournaled().await
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx.inner)
        .await?;
    tx.commit_unjournaled().await
}

/// The active user behind a session token hash, if the session is valid,
/// and when the session ends.
pub async fn session_user(
    db: &Db,
    token_hash: &str,
    now: time::OffsetDateTime,
) -> Result<Option<(User, UtcText)>, DbError> {
    let row = sqlx::query(
        "SELECT u.*, s.expires_at AS session_expires FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(format_time(now))
    .fetch_optional(db.pool())
    .await?;
    row.as_ref()
        .map(|r| Ok((user_from_row(r)?, col(r, "session_expires")?)))
        .transpose()
}

pub async fn create_api_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: time::OffsetDateTime,
    expires_at: time::OffsetDateTime,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(name)
    .bind(format_time(now))
    .bind(format_time(expires_at))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn list_tokens(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, DbError> {
    let rows = sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: col(r, "id")?,
                name: col(r, "name")?,
                created_at: col(r, "created_at")?,
                expires_at: col(r, "expires_at")?,
                last_used_at: col(r, "last_used_at")?,
                revoked: col::<i64>(r, "revoked")? != 0,
                revoked_at: col(r, "revoked_at")?,
            })
        })
        .collect()
}

/// Revoke one of a user's tokens. `false`: no such (unrevoked) token.
pub async fn revoke_token(
    tx: &mut Tx,
    user_id: i64,
    token_id: i64,
    now: time::OffsetDateTime,
) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked = 1, revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked = 0",
    )
    .bind(format_time(now))
    .bind(token_id)
    .bind(user_id)
    .execute(&mut *tx.inner)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// The active user behind an unrevoked, unexpired API token, the token's
/// id and when it expires. Records the use (`last_used_at`, at most once a
/// minute).
pub async fn token_user(
    db: &Db,
    token_hash: &str,
    now: time::OffsetDateTime,
) -> Result<Option<(User, i64, Option<UtcText>)>, DbError> {
    let row = sqlx::query(
        "SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used, t.expires_at AS token_expires FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked = 0 AND u.active = 1 \
         AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(token_hash)
    .bind(format_time(now))
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let token_id: i64 = col(&r, "token_id")?;
    let last: Option<UtcText> = col(&r, "token_last_used")?;
    let stale = last.is_none_or(|t| now - t.0 >= time::Duration::minutes(1));
    if stale {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(format_time(now))
            .bind(token_id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some((
        user_from_row(&r)?,
        token_id,
        col(&r, "token_expires")?,
    )))
}

pub async fn user_id(db: &Db, username: &str) -> Result<Option<i64>, DbError> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(|r| col(r, "id")).transpose()
}
