//! SQL of upstream alerts and relays (one code path for SQLite and PostgreSQL).

use serde_json::Value;
use sqlx::any::AnyRow;

use crate::db::{col, Db, DbError, JsonText, Sql, Tx, UtcText};

pub use super::model::{UpstreamAlert, UpstreamState};

fn corrupt(detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table: "upstream_alerts",
        detail: detail.to_string(),
    }
}

fn from_row(r: &AnyRow) -> Result<UpstreamAlert, DbError> {
    use base64::Engine;
    let state: String = col(r, "state")?;
    let raw: String = col(r, "raw")?;
    let relays: Option<String> = col(r, "relays")?;
    Ok(UpstreamAlert {
        id: col(r, "id")?,
        source: col(r, "source")?,
        origin: col(r, "origin")?,
        sha256: col(r, "sha256")?,
        valid: col::<i64>(r, "valid")? != 0,
        problems: col::<JsonText<_>>(r, "problems")?.0,
        identifier: col(r, "identifier")?,
        sender: col(r, "sender")?,
        sent: col(r, "sent")?,
        msg_type: col(r, "msg_type")?,
        state: UpstreamState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
        summary: col::<JsonText<_>>(r, "summary")?.0,
        expires_at: col(r, "expires_at")?,
        jurisdiction: col(r, "jurisdiction")?,
        raw: base64::engine::general_purpose::STANDARD
            .decode(raw)
            .map_err(corrupt)?,
        received_at: col(r, "received_at")?,
        relayed_as: relays
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
    })
}

/// The SELECT every read uses: the alert and the ids of its relays.
const SELECT: &str = "SELECT u.*, (SELECT STRING_AGG(CAST(r.warning_id AS TEXT), ',') FROM upstream_relays r WHERE r.upstream_id = u.id) AS relays FROM upstream_alerts u";

fn select(db: &Db) -> String {
    // SQLite spells STRING_AGG group_concat (STRING_AGG only from 3.44).
    match db.backend() {
        crate::db::Backend::Sqlite => SELECT.replace("STRING_AGG(", "group_concat("),
        crate::db::Backend::Postgres => SELECT.to_string(),
    }
}

/// A new alert, as the ingest job hands it over.
pub struct NewAlert<'a> {
    pub source: &'a str,
    pub origin: &'a str,
    pub sha256: &'a str,
    pub valid: bool,
    pub problems: &'a Value,
    pub identifier: &'a str,
    pub sender: &'a str,
    pub sent: &'a str,
    pub msg_type: &'a str,
    pub state: UpstreamState,
    pub summary: &'a Value,
    pub expires_at: Option<UtcText>,
    pub jurisdiction: &'a str,
    pub raw: &'a [u8],
    pub received_at: UtcText,
}

pub async fn insert(tx: &mut Tx, a: &NewAlert<'_>) -> Result<i64, DbError> {
    use base64::Engine;
    let row = sqlx::query(
        "INSERT INTO upstream_alerts (source, origin, sha256, valid, problems, identifier, sender, sent, msg_type, state, summary, expires_at, jurisdiction, raw, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(a.source)
    .bind(a.origin)
    .bind(a.sha256)
    .bind(i64::from(a.valid))
    .bind(JsonText(a.problems))
    .bind(a.identifier)
    .bind(a.sender)
    .bind(a.sent)
    .bind(a.msg_type)
    .bind(a.state.as_str())
    .bind(JsonText(a.summary))
    .bind(a.expires_at)
    .bind(a.jurisdiction)
    .bind(base64::engine::general_purpose::STANDARD.encode(a.raw))
    .bind(a.received_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// Whether these exact bytes, or a valid alert with this key, are held.
pub async fn seen(
    tx: &mut Tx,
    sha256: &str,
    key: Option<(&str, &str, &str)>,
) -> Result<bool, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM upstream_alerts WHERE sha256 = ");
    q.bind(sha256);
    if let Some((sender, identifier, sent)) = key {
        q.push(" OR (valid = 1 AND sender = ")
            .bind(sender)
            .push(" AND identifier = ")
            .bind(identifier)
            .push(" AND sent = ")
            .bind(sent)
            .push(")");
    }
    let row = q.query().fetch_one(&mut *tx.inner).await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// Mark the active alerts of `sender` with `identifier` as `state`
/// (an upstream Update supersedes, a Cancel cancels). Returns their ids.
pub async fn replace(
    tx: &mut Tx,
    sender: &str,
    identifier: &str,
    state: UpstreamState,
) -> Result<Vec<i64>, DbError> {
    let rows = sqlx::query(
        "UPDATE upstream_alerts SET state = $1 WHERE sender = $2 AND identifier = $3 AND state = 'active' RETURNING id",
    )
    .bind(state.as_str())
    .bind(sender)
    .bind(identifier)
    .fetch_all(&mut *tx.inner)
    .await?;
    rows.iter().map(|r| col(r, "id")).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<UpstreamAlert>, DbError> {
    let sql = format!("{} WHERE u.id = $1", select(db));
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(from_row).transpose()
}

/// Filters of the list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Only alerts in force: active and not expired at this time.
    pub active_at: Option<UtcText>,
    pub state: Option<UpstreamState>,
    pub limit: i64,
}

/// Alerts whose jurisdiction is inside `prefix` or holds it (an alert for the
/// whole city concerns every county), newest first.
pub async fn list(db: &Db, prefix: &str, f: &Filter) -> Result<Vec<UpstreamAlert>, DbError> {
    let mut q = Sql::new(&select(db));
    q.push(" WHERE (u.jurisdiction LIKE ")
        .bind(format!("{prefix}%"))
        .push(" OR ")
        .bind(prefix)
        .push(" LIKE u.jurisdiction || '%')");
    if let Some(now) = &f.active_at {
        q.push(" AND u.state = 'active' AND (u.expires_at IS NULL OR u.expires_at > ")
            .bind(now.text())
            .push(")");
    }
    if let Some(s) = &f.state {
        q.push(" AND u.state = ").bind(s.as_str());
    }
    q.push(" ORDER BY u.id DESC LIMIT ")
        .bind(f.limit.clamp(1, 1000));
    let rows = q.query().fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

pub async fn add_relay(
    tx: &mut Tx,
    upstream_id: i64,
    warning_id: i64,
    at: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO upstream_relays (warning_id, upstream_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(warning_id)
    .bind(upstream_id)
    .bind(at)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// The upstream alert a local warning relays: `(sender, identifier, sent)`.
pub async fn relay_of(
    tx: &mut Tx,
    warning_id: i64,
) -> Result<Option<(String, String, String)>, DbError> {
    let row = sqlx::query(
        "SELECT u.sender, u.identifier, u.sent FROM upstream_relays r JOIN upstream_alerts u ON u.id = r.upstream_id WHERE r.warning_id = $1",
    )
    .bind(warning_id)
    .fetch_optional(&mut *tx.inner)
    .await?;
    row.map(|r| Ok((col(&r, "sender")?, col(&r, "identifier")?, col(&r, "sent")?)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing;

    #[tokio::test]
    async fn an_alert_reads_typed_and_bad_stored_values_are_errors() {
        for t in testing::all().await {
            let insert = |sha: &'static str, state: &'static str, expires: &'static str| {
                sqlx::query(
                    "INSERT INTO upstream_alerts (source, origin, sha256, valid, problems, identifier, sender, sent, msg_type, state, summary, expires_at, jurisdiction, raw, received_at) \
                     VALUES ('s', 'o', $1, 1, '[]', 'i', 'x@y', '2026-07-01T10:00:00+08:00', 'Alert', $2, '{}', $3, '1402', '', '2026-07-01T02:00:01.000Z') RETURNING id",
                )
                .bind(sha)
                .bind(state)
                .bind(expires)
                .fetch_one(t.db.pool())
            };
            let id: i64 = col(
                &insert("a", "cancelled", "2026-07-02T02:00:00.000Z")
                    .await
                    .unwrap(),
                "id",
            )
            .unwrap();
            let a = get(&t.db, id).await.unwrap().unwrap();
            assert_eq!(a.state, UpstreamState::Cancelled, "{}", t.name);
            assert_eq!(
                a.expires_at.map(|e| e.text()).as_deref(),
                Some("2026-07-02T02:00:00.000Z"),
                "{}",
                t.name
            );
            assert_eq!(
                a.received_at.text(),
                "2026-07-01T02:00:01.000Z",
                "{}",
                t.name
            );
            // An unknown state is refused by the database's check (0016);
            // a time that is not a time is not read as something else.
            let Err(refused) = insert("b", "gone", "2026-07-02T02:00:00.000Z").await else {
                panic!("{}: an unknown state was stored", t.name);
            };
            assert!(
                refused.to_string().contains("upstream_alerts_state_check"),
                "{}: {refused}",
                t.name
            );
            let id: i64 = col(&insert("c", "active", "tomorrow").await.unwrap(), "id").unwrap();
            assert!(get(&t.db, id).await.is_err(), "{}", t.name);
        }
    }
}
