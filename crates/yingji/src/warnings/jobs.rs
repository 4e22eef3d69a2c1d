//! The warning outbox: publishing a message records one delivery per
//! recipient and channel in the same transaction (SMS to the subscriber's
//! phone, e-mail, signed webhook, and the 应急广播 loudspeakers of every
//! township reached); a worker sends them through `yingji-channels`, with
//! retries and backoff, and dead-letters what cannot be delivered.
//!
//! At least once: a row stays pending until its outcome is written, and
//! every attempt carries the same idempotency key, so a crash between
//! sending and recording repeats the send and the receiver drops the copy.
//! Several nodes may run the worker: a row is leased before it is sent.
//!
//! A delivery record keeps what happened in short — the HTTP status, if
//! any, and a reason code ([`yingji_channels::Reason::code`]:
//! `refused_private_address`, `timeout`, `http_5xx` …) — never the
//! receiver's answer text (a webhook is the subscriber's to point anywhere).

use std::collections::HashMap;

use serde_json::{json, Value};
use sqlx::any::AnyRow;
use time::{Duration, OffsetDateTime};
use yingji_channels::{
    hmac_sha256, idempotency_key, Channels, Disposition, Message, Reason, Recipient, WebhookFormat,
};

pub use super::model::Delivery;
use crate::db::{col, values_placeholders, Backend, Db, DbError, JsonText, Tx, UtcText};
use crate::registry::Item;
use crate::state::AppState;

/// The secret a subscriber's webhook deliveries are signed with: derived
/// from the platform key, so it can be handed to the subscriber (and rotated
/// with the key) without storing secrets in the registry.
pub fn webhook_secret(platform_key: &str, subscriber_id: i64) -> String {
    hex::encode(hmac_sha256(
        platform_key.as_bytes(),
        format!("subscriber:{subscriber_id}").as_bytes(),
    ))
}

/// The platform key: `[warnings] webhook_secret`, or one made at random on
/// first use and kept in `settings`.
pub async fn platform_key(s: &AppState) -> Result<String, DbError> {
    if let Some(k) = s.config.warnings.webhook_secret.clone() {
        return Ok(k);
    }
    let row = sqlx::query("SELECT value FROM settings WHERE key = 'webhook_secret'")
        .fetch_optional(s.db.pool())
        .await?;
    if let Some(r) = row {
        return col(&r, "value");
    }
    let key: [u8; 32] = rand::random();
    let key = hex::encode(key);
    let mut tx = s.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ('webhook_secret', $1) ON CONFLICT (key) DO NOTHING")
        .bind(&key)
        .execute(&mut *tx.inner)
        .await?;
    let r = sqlx::query("SELECT value FROM settings WHERE key = 'webhook_secret'")
        .fetch_one(&mut *tx.inner)
        .await?;
    // A setting, not a record.
    tx.commit_unjournaled().await?;
    col(&r, "value")
}

/// The recipients of one subscriber on the configured channels.
pub fn recipients_of(sub: &Item, key: &str, s: &AppState) -> Vec<Recipient> {
    let cfg = &s.config.warnings.channels;
    let mut out = Vec::new();
    if cfg.sms.is_some() && !sub.phone.trim().is_empty() {
        out.push(Recipient::Sms {
            phone: sub.phone.trim().to_string(),
        });
    }
    if cfg.email.is_some() {
        if let Some(e) = sub
            .attrs
            .get("email")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
        {
            out.push(Recipient::Email {
                address: e.to_string(),
            });
        }
    }
    if let Some(u) = sub
        .attrs
        .get("webhook_url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        out.push(Recipient::Webhook {
            url: u.to_string(),
            secret: webhook_secret(key, sub.id),
            format: WebhookFormat::Cap,
        });
    }
    out
}

/// Record the deliveries of a sent message (same transaction as the send).
pub async fn plan(
    tx: &mut Tx,
    backend: Backend,
    warning_id: i64,
    identifier: &str,
    recipients: &[(Recipient, String)],
    now: OffsetDateTime,
) -> Result<usize, DbError> {
    const COLS: usize = 7;
    const BATCH: usize = 1000;
    let at = UtcText(now);
    let mut n = 0;
    for chunk in recipients.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO deliveries (warning_id, channel, recipient, division, idempotency_key, next_at, created_at, state) VALUES {} ON CONFLICT (idempotency_key) DO NOTHING",
            values_placeholders(backend, chunk.len(), COLS, ", 'pending')")
        );
        let mut q = sqlx::query(&sql);
        for (r, division) in chunk {
            let text = serde_json::to_string(r).map_err(|e| DbError::Corrupt {
                table: "deliveries",
                detail: e.to_string(),
            })?;
            q = q
                .bind(warning_id)
                .bind(r.kind().to_string())
                .bind(text)
                .bind(division.clone())
                .bind(idempotency_key(identifier, r))
                .bind(at)
                .bind(at);
        }
        n += q.execute(&mut *tx.inner).await?.rows_affected() as usize;
    }
    Ok(n)
}

fn delivery_from_row(r: &AnyRow) -> Result<Delivery, DbError> {
    let mut recipient: Value = col::<JsonText<Value>>(r, "recipient")?.0;
    if let Value::Object(m) = &mut recipient {
        m.remove("secret");
    }
    Ok(Delivery {
        id: col(r, "id")?,
        warning_id: col(r, "warning_id")?,
        channel: col(r, "channel")?,
        recipient,
        division: col(r, "division")?,
        state: col(r, "state")?,
        attempts: col(r, "attempts")?,
        next_at: col(r, "next_at")?,
        http_status: col(r, "http_status")?,
        reason: col(r, "reason")?,
        delivered_at: col(r, "delivered_at")?,
    })
}

/// The deliveries of a warning, and counts per channel and state.
pub async fn of_warning(db: &Db, warning_id: i64) -> Result<(Vec<Delivery>, Value), DbError> {
    let rows = sqlx::query("SELECT * FROM deliveries WHERE warning_id = $1 ORDER BY id LIMIT 2000")
        .bind(warning_id)
        .fetch_all(db.pool())
        .await?;
    let list: Vec<Delivery> = rows
        .iter()
        .map(delivery_from_row)
        .collect::<Result<_, _>>()?;
    let counts = sqlx::query(
        "SELECT channel, state, COUNT(*) AS n FROM deliveries WHERE warning_id = $1 GROUP BY channel, state ORDER BY channel, state",
    )
    .bind(warning_id)
    .fetch_all(db.pool())
    .await?;
    let mut by: serde_json::Map<String, Value> = serde_json::Map::new();
    for r in &counts {
        let ch: String = col(r, "channel")?;
        let st: String = col(r, "state")?;
        let n: i64 = col(r, "n")?;
        if let Value::Object(m) = by.entry(ch).or_insert_with(|| json!({})) {
            m.insert(st, n.into());
        }
    }
    Ok((list, Value::Object(by)))
}

/// How long a leased delivery is reserved for the node that leased it,
/// at most. On PostgreSQL a lease also ends when its node's heartbeat is
/// older than `[cluster] node_timeout_ms` (a killed node's deliveries are
/// taken over within seconds), and when the node restarts under the same id
/// (`crate::cluster::register`). The deliveries are then sent again under
/// the same idempotency key.
const LEASE_S: i64 = 120;
/// Results are written in transactions of this many, or of what finished
/// within [`RECORD_AFTER`] (so a slow recipient delays no other's record).
const RECORD_EVERY: usize = 100;
const RECORD_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// Lease up to `batch` due deliveries in one statement (PostgreSQL skips
/// rows another node holds; SQLite has one writer). Ordered by `next_at`
/// alone so the `(state, next_at)` index yields them in order and the scan
/// stops at `batch` (ordering by `id` too made PostgreSQL sort every due
/// row for each batch). A lease is free when it has expired or, on
/// PostgreSQL, when the node holding it has stopped beating.
async fn lease(s: &AppState, now: OffsetDateTime, batch: i64) -> Result<Vec<AnyRow>, DbError> {
    let (dead_node, skip) = match s.db.backend() {
        Backend::Postgres => (
            " OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = deliveries.lease_node AND nodes.heartbeat_at >= $5)",
            " FOR UPDATE SKIP LOCKED",
        ),
        Backend::Sqlite => ("", ""),
    };
    let sql = format!(
        "UPDATE deliveries SET lease_until = $1, lease_node = $2 WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $3 AND (lease_until IS NULL OR lease_until < $3{dead_node}) ORDER BY next_at LIMIT $4{skip}) RETURNING *"
    );
    let mut tx = s.db.begin().await?;
    let mut q = sqlx::query(&sql)
        .bind(UtcText(now + Duration::seconds(LEASE_S)))
        .bind(&*s.node_id)
        .bind(UtcText(now))
        .bind(batch);
    if s.db.backend() == Backend::Postgres {
        let timeout = i64::try_from(s.config.cluster.node_timeout_ms).unwrap_or(i64::MAX / 2);
        q = q.bind(UtcText(now - Duration::milliseconds(timeout)));
    }
    let rows = q.fetch_all(&mut *tx.inner).await?;
    // Leases are the outbox's bookkeeping, not a change of a record.
    tx.commit_unjournaled().await?;
    Ok(rows)
}

/// One attempt's result, to be written.
struct Attempted {
    id: i64,
    state: &'static str,
    next_at: UtcText,
    http_status: Option<i64>,
    reason: &'static str,
    delivered: Option<UtcText>,
}

async fn record(s: &AppState, done: &mut Vec<Attempted>) -> Result<(), DbError> {
    if done.is_empty() {
        return Ok(());
    }
    let mut tx = s.db.begin().await?;
    for a in done.iter() {
        sqlx::query(
            "UPDATE deliveries SET state = $1, attempts = attempts + 1, next_at = $2, http_status = $3, reason = $4, delivered_at = $5, lease_until = NULL WHERE id = $6 AND state = 'pending'",
        )
        .bind(a.state)
        .bind(a.next_at)
        .bind(a.http_status)
        .bind(a.reason)
        .bind(a.delivered)
        .bind(a.id)
        .execute(&mut *tx.inner)
        .await?;
    }
    // Delivery attempts are the outbox's own state (a million per warning),
    // shown on the warning's delivery list; the warning's publication is
    // the journaled change.
    tx.commit_unjournaled().await?;
    done.clear();
    Ok(())
}

/// Send the deliveries that are due: lease up to `batch` at once, send them
/// `concurrency` at a time (a slow or failing recipient holds up no other),
/// and write the results in transactions of [`RECORD_EVERY`]. Returns how
/// many were attempted.
pub async fn run_due(
    s: &AppState,
    channels: &Channels,
    now: OffsetDateTime,
    batch: i64,
    concurrency: usize,
) -> Result<usize, DbError> {
    use futures_util::stream::{self, StreamExt};
    let rows = lease(s, now, batch).await?;
    let cfg = &s.config.warnings.channels;
    let mut messages: HashMap<i64, Option<Message>> = HashMap::new();
    let mut jobs = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let warning_id: i64 = col(r, "warning_id")?;
        let attempts: i64 = col(r, "attempts")?;
        let text: String = col(r, "recipient")?;
        if let std::collections::hash_map::Entry::Vacant(slot) = messages.entry(warning_id) {
            let w = super::store::get(&s.db, warning_id).await?;
            let msg = w.and_then(|w| {
                let xml = w.cap_xml?;
                let doc = yingji_cap::parse(xml.as_bytes()).ok()?;
                let id = w.identifier.unwrap_or_default();
                Some(
                    Message::from_alert(&doc.alert, &cfg.message)
                        .with_cap_url(format!("/api/v1/public/cap/{id}.xml")),
                )
            });
            slot.insert(msg);
        }
        let msg = messages.get(&warning_id).cloned().flatten();
        let recipient: Result<Recipient, _> = serde_json::from_str(&text);
        jobs.push((id, attempts, msg, recipient));
    }
    let attempted = jobs.len();
    let mut sends = stream::iter(jobs)
        .map(|(id, attempts, msg, recipient)| async move {
            let outcome = match (msg, recipient) {
                (Some(m), Ok(rcp)) => channels.deliver(&m, &rcp).await,
                (None, _) => yingji_channels::Outcome::failed(
                    Reason::MessageError,
                    "the message is missing or unreadable",
                ),
                (_, Err(e)) => yingji_channels::Outcome::failed(
                    Reason::InvalidRecipient,
                    format!("recipient: {e}"),
                ),
            };
            (id, attempts, outcome)
        })
        .buffer_unordered(concurrency.max(1));
    let mut done = Vec::with_capacity(RECORD_EVERY);
    loop {
        let (id, attempts, outcome) = match tokio::time::timeout(RECORD_AFTER, sends.next()).await {
            Ok(Some(x)) => x,
            Ok(None) => break,
            Err(_) => {
                record(s, &mut done).await?;
                continue;
            }
        };
        let attempt = u32::try_from(attempts + 1).unwrap_or(u32::MAX);
        let done_at = OffsetDateTime::now_utc();
        let disp = cfg.retry.disposition(attempt, &outcome, &mut rand::rng());
        let (state, next_at, delivered) = match &disp {
            Disposition::Delivered { .. } => ("delivered", done_at, Some(UtcText(done_at))),
            Disposition::Retry { delay, .. } => (
                "pending",
                done_at
                    + Duration::milliseconds(
                        i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2),
                    ),
                None,
            ),
            Disposition::DeadLetter { .. } => ("dead", done_at, None),
        };
        if !outcome.is_delivered() {
            // The text stays in the log (the operator's), not in the record
            // every viewer of the deliveries sees.
            tracing::debug!(delivery = id, attempt, reason = outcome.code().code(), detail = %outcome.text(), "delivery attempt failed");
        }
        done.push(Attempted {
            id,
            state,
            next_at: next_at.into(),
            http_status: outcome.code().http_status().map(i64::from),
            reason: outcome.code().code(),
            delivered,
        });
        if done.len() >= RECORD_EVERY {
            record(s, &mut done).await?;
        }
    }
    record(s, &mut done).await?;
    Ok(attempted)
}

/// Mark published warnings whose `expires` has passed as expired (with a
/// journal entry each). Returns how many.
pub async fn expire_due(s: &AppState, now: OffsetDateTime) -> Result<usize, DbError> {
    let rows =
        sqlx::query("SELECT id FROM warnings WHERE state = 'published' AND expires_at <= $1")
            .bind(UtcText(now))
            .fetch_all(s.db.pool())
            .await?;
    let mut n = 0;
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let mut tx = s.change().await?;
        let Some(mut w) = super::store::get_tx(&mut tx, id).await? else {
            continue;
        };
        let Ok(next) = w.state.transition(&super::WarningEvent::Expire, &w.author) else {
            continue;
        };
        let version = w.version;
        w.state = next;
        w.updated_at = now.into();
        if super::store::update(&mut tx, &w, version).await? {
            tx.commit(
                now,
                vec![crate::journal::NewEntry {
                    actor: "system".into(),
                    jurisdiction: w.division.clone(),
                    module: "warnings",
                    entity: "warning".into(),
                    entity_id: w.id.to_string(),
                    kind: "expire",
                    payload: json!({ "expires_at": w.expires_at }),
                }],
            )
            .await?;
            n += 1;
        }
    }
    if n > 0 {
        s.feed.wake();
    }
    Ok(n)
}

/// Run the outbox worker until the process ends.
pub fn spawn(s: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let channels = match Channels::from_config(&s.config.warnings.channels) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "warning channels: not starting the delivery worker");
            return None;
        }
    };
    let every = std::time::Duration::from_millis(s.config.warnings.worker_interval_ms.max(50));
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let (batch, concurrency) = (
            s.config.warnings.worker_batch.max(1),
            s.config.warnings.worker_concurrency.max(1),
        );
        loop {
            tick.tick().await;
            let now = OffsetDateTime::now_utc();
            // A full batch means more may be due: go on without waiting.
            loop {
                match run_due(&s, &channels, OffsetDateTime::now_utc(), batch, concurrency).await {
                    Ok(n) if n as i64 >= batch => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "warning deliveries failed");
                        break;
                    }
                }
            }
            if let Err(e) = expire_due(&s, now).await {
                tracing::warn!(error = %e, "expiring warnings failed");
            }
        }
    }))
}
