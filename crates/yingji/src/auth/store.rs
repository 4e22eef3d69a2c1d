use super::{Principal, Role};
use crate::db::{col, format_time, parse_time, Db, DbError, Tx};
use crate::divisions::Code;
use sqlx::any::AnyRow;

/// A stored user (without the password hash).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub division: String,
    pub org: String,
    pub active: bool,
}

pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<time::OffsetDateTime>,
}

fn user_from_row(r: &AnyRow) -> Result<User, DbError> {
    let role: String = col(r, "role")?;
    Ok(User {
        id: col(r, "id")?,
        username: col(r, "username")?,
        display_name: col(r, "display_name")?,
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
        "INSERT INTO users (username, display_name, password_hash, role, division, org, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
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
    let locked: Option<String> = col(&r, "locked_until")?;
    Ok(Some(Credentials {
        user: user_from_row(&r)?,
        password_hash: col(&r, "password_hash")?,
        failed_logins: col(&r, "failed_logins")?,
        locked_until: locked.as_deref().and_then(parse_time),
    }))
}

pub async fn list(db: &Db, prefix: &str) -> Result<Vec<User>, DbError> {
    let rows = sqlx::query("SELECT * FROM users WHERE division LIKE $1 ORDER BY username")
        .bind(format!("{prefix}%"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(user_from_row).collect()
}

/// Record a failed login; returns the new failure count.
pub async fn record_failure(
    db: &Db,
    user_id: i64,
    lock_until: impl Fn(i64) -> Option<time::OffsetDateTime>,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
    )
    .bind(user_id)
    .fetch_one(&mut *tx.inner)
    .await?;
    let n: i64 = col(&row, "failed_logins")?;
    if let Some(until) = lock_until(n) {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(format_time(until))
            .bind(user_id)
            .execute(&mut *tx.inner)
            .await?;
    }
    tx.commit().await?;
    Ok(n)
}

pub async fn clear_failures(db: &Db, user_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx.inner)
        .await?;
    tx.commit().await
}

pub async fn set_password(tx: &mut Tx, username: &str, hash: &str) -> Result<bool, DbError> {
    let r = sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE username = $2",
    )
    .bind(hash)
    .bind(username)
    .execute(&mut *tx.inner)
    .await?;
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
    tx.commit().await
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx.inner)
        .await?;
    tx.commit().await
}

/// The active user behind a session token hash, if the session is valid.
pub async fn session_user(
    db: &Db,
    token_hash: &str,
    now: time::OffsetDateTime,
) -> Result<Option<User>, DbError> {
    let row = sqlx::query(
        "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(format_time(now))
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn create_api_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: time::OffsetDateTime,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(name)
    .bind(format_time(now))
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn token_user(db: &Db, token_hash: &str) -> Result<Option<User>, DbError> {
    let row = sqlx::query(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked = 0 AND u.active = 1",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_id(db: &Db, username: &str) -> Result<Option<i64>, DbError> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(|r| col(r, "id")).transpose()
}
