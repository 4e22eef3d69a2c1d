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
use std::sync::Arc;

use serde_json::{json, Value};
use sqlx::any::AnyRow;
use time::{Duration, OffsetDateTime};
use yingji_channels::{
    hmac_sha256, idempotency_key, Channels, Disposition, Message, Reason, Recipient, WebhookFormat,
};

pub use super::model::Delivery;
use crate::db::{col, values_placeholders, Backend, Db, DbError, JsonText, Tx, UtcText};
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

/// The recipients of one subscriber on the configured channels. With a
/// cell-broadcast interface that replaces SMS (`replaces_sms`), the
/// subscriber's phone is reached by the area message instead.
pub fn recipients_of(
    id: i64,
    phone: &str,
    attrs: &serde_json::Map<String, Value>,
    key: &str,
    cfg: &yingji_channels::ChannelsConfig,
) -> Vec<Recipient> {
    let mut out = Vec::new();
    let sms_by_area = cfg.cell_broadcast.as_ref().is_some_and(|c| c.replaces_sms);
    if cfg.sms.is_some() && !sms_by_area && !phone.trim().is_empty() {
        out.push(Recipient::Sms {
            phone: phone.trim().to_string(),
        });
    }
    if cfg.email.is_some() {
        if let Some(e) = attrs
            .get("email")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
        {
            out.push(Recipient::Email {
                address: e.to_string(),
            });
        }
    }
    if let Some(u) = attrs
        .get("webhook_url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        out.push(Recipient::Webhook {
            url: u.to_string(),
            secret: webhook_secret(key, id),
            format: WebhookFormat::Cap,
        });
    }
    out
}

/// One delivery as it is inserted: rendered (recipient JSON, idempotency
/// key) before the transaction begins, so the write lock is held for the
/// insert alone.
pub struct NewDelivery {
    channel: &'static str,
    recipient: String,
    division: String,
    key: String,
    /// Kept to hand the delivery to the senders without reading it back.
    to: Recipient,
}

/// Render the deliveries of `identifier` to `recipients`.
pub fn render(
    identifier: &str,
    recipients: Vec<(Recipient, String)>,
) -> Result<Vec<NewDelivery>, DbError> {
    recipients
        .into_iter()
        .map(|(r, division)| {
            Ok(NewDelivery {
                channel: r.kind().as_str(),
                recipient: serde_json::to_string(&r).map_err(|e| DbError::Corrupt {
                    table: "deliveries",
                    detail: e.to_string(),
                })?,
                division,
                key: idempotency_key(identifier, &r),
                to: r,
            })
        })
        .collect()
}

/// Record deliveries (the planner's batch, in its transaction), leased to
/// this node until `lease_until`: the planner hands them to the senders
/// itself, so a planned delivery costs one insert and one outcome update,
/// never a lease of its own. A delivery already there (same idempotency
/// key) is left alone. Returns the id and the index in `rows` of each
/// delivery inserted.
pub async fn plan(
    tx: &mut Tx,
    backend: Backend,
    (warning_id, node): (i64, &str),
    rows: &[NewDelivery],
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> Result<Vec<(i64, usize)>, DbError> {
    const COLS: usize = 9;
    const BATCH: usize = 1000;
    let (at, until) = (UtcText(now), UtcText(lease_until));
    let mut out = Vec::with_capacity(rows.len());
    for (c, chunk) in rows.chunks(BATCH).enumerate() {
        let sql = format!(
            "INSERT INTO deliveries (warning_id, channel, recipient, division, idempotency_key, next_at, created_at, lease_until, lease_node, state) VALUES {} ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
            values_placeholders(backend, chunk.len(), COLS, ", 'pending')")
        );
        let mut q = sqlx::query(&sql);
        for d in chunk {
            q = q
                .bind(warning_id)
                .bind(d.channel)
                .bind(d.recipient.as_str())
                .bind(d.division.as_str())
                .bind(d.key.as_str())
                .bind(at)
                .bind(at)
                .bind(until)
                .bind(node);
        }
        let inserted = q.fetch_all(&mut *tx.inner).await?;
        let index: HashMap<&str, usize> = chunk
            .iter()
            .enumerate()
            .map(|(i, d)| (d.key.as_str(), c * BATCH + i))
            .collect();
        for r in &inserted {
            let key: String = col(r, "idempotency_key")?;
            if let Some(&i) = index.get(key.as_str()) {
                out.push((col(r, "id")?, i));
            }
        }
    }
    Ok(out)
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

/// A warning's deliveries counted by channel, division and state (and
/// cell-broadcast area), for coverage: every delivery, however many.
pub struct CoverageRow {
    pub channel: String,
    pub division: String,
    pub state: String,
    pub count: i64,
    pub area: Option<yingji_channels::CbArea>,
}

impl CoverageRow {
    pub fn fact(&self) -> super::DeliveryFact<'_> {
        super::DeliveryFact {
            channel: &self.channel,
            division: &self.division,
            state: &self.state,
            count: self.count,
            area: self.area.as_ref(),
        }
    }
}

pub async fn coverage_rows(db: &Db, warning_id: i64) -> Result<Vec<CoverageRow>, DbError> {
    let rows = sqlx::query(
        "SELECT channel, division, state, CASE WHEN channel = 'cell_broadcast' THEN recipient ELSE '' END AS area, COUNT(*) AS n \
         FROM deliveries WHERE warning_id = $1 GROUP BY channel, division, state, 4 ORDER BY channel, division, state",
    )
    .bind(warning_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let area: String = col(r, "area")?;
            Ok(CoverageRow {
                channel: col(r, "channel")?,
                division: col(r, "division")?,
                state: col(r, "state")?,
                count: col(r, "n")?,
                // A cell-broadcast recipient is `{"kind": "cell_broadcast",
                // "area": {…}}`; an unreadable one reaches nobody.
                area: serde_json::from_str::<Value>(&area)
                    .ok()
                    .and_then(|v| serde_json::from_value(v.get("area")?.clone()).ok()),
            })
        })
        .collect()
}

/// How long a leased delivery is reserved for the node that leased it,
/// at most. On PostgreSQL a lease also ends when its node's heartbeat is
/// older than `[cluster] node_timeout_ms` (a killed node's deliveries are
/// taken over within seconds), and when the node restarts under the same id
/// (`crate::cluster::register`); on SQLite (one node) when the process
/// starts again. The deliveries are then sent again under the same
/// idempotency key.
const LEASE_S: i64 = 120;
/// Results are written in transactions of this many, or of what finished
/// within [`RECORD_AFTER`] (so a slow recipient delays no other's record).
const RECORD_EVERY: usize = 500;
const RECORD_AFTER: std::time::Duration = std::time::Duration::from_millis(200);
/// How long a node holds a message's planning without renewing it (each
/// batch renews it).
const PLAN_LEASE_S: i64 = 30;

/// Wakes the planner of every app in the process at once when a message
/// was published; it also polls, so a wake-up meant for another app or node
/// costs nothing and a missed one only delays.
static PUBLISHED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Tell this process's planner that a message waits to be planned.
pub fn wake_planner() {
    PUBLISHED.notify_waiters();
}

/// The SQL that frees a lease held by a node that stopped beating
/// (PostgreSQL), and the row-lock clause that lets nodes share a queue.
fn lease_sql(backend: Backend, table: &str, n: usize) -> (String, &'static str) {
    match backend {
        Backend::Postgres => (
            format!(" OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = {table}.lease_node AND nodes.heartbeat_at >= ${n})"),
            " FOR UPDATE SKIP LOCKED",
        ),
        Backend::Sqlite => (String::new(), ""),
    }
}

fn node_deadline(s: &AppState, now: OffsetDateTime) -> UtcText {
    let timeout = i64::try_from(s.config.cluster.node_timeout_ms).unwrap_or(i64::MAX / 2);
    UtcText(now - Duration::milliseconds(timeout))
}

/// Lease up to `batch` due deliveries in one statement (PostgreSQL skips
/// rows another node holds; SQLite has one writer). Ordered by `next_at`
/// alone so the `(state, next_at)` index yields them in order and the scan
/// stops at `batch` (ordering by `id` too made PostgreSQL sort every due
/// row for each batch). A lease is free when it has expired or, on
/// PostgreSQL, when the node holding it has stopped beating.
async fn lease(s: &AppState, now: OffsetDateTime, batch: i64) -> Result<Vec<AnyRow>, DbError> {
    let (dead_node, skip) = lease_sql(s.db.backend(), "deliveries", 5);
    let sql = format!(
        "UPDATE deliveries SET lease_until = $1, lease_node = $2 WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $3 AND (lease_until IS NULL OR lease_until < $3{dead_node}) ORDER BY next_at LIMIT $4{skip}) RETURNING id, warning_id, attempts, recipient"
    );
    let mut tx = s.db.begin().await?;
    let mut q = sqlx::query(&sql)
        .bind(UtcText(now + Duration::seconds(LEASE_S)))
        .bind(&*s.node_id)
        .bind(UtcText(now))
        .bind(batch);
    if s.db.backend() == Backend::Postgres {
        q = q.bind(node_deadline(s, now));
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

/// Write a batch of results in one statement (`UPDATE … FROM (VALUES …)`,
/// both engines): one round trip and one commit for hundreds of results.
async fn record(s: &AppState, done: &mut Vec<Attempted>) -> Result<(), DbError> {
    if done.is_empty() {
        return Ok(());
    }
    let backend = s.db.backend();
    let sql = format!(
        "UPDATE deliveries SET state = v.column2, attempts = attempts + 1, next_at = v.column3, http_status = v.column4, reason = v.column5, delivered_at = v.column6, lease_until = NULL FROM (VALUES {}) AS v WHERE deliveries.id = v.column1 AND deliveries.state = 'pending'",
        values_placeholders(backend, done.len(), 6, ")")
    );
    let mut q = sqlx::query(&sql);
    for a in done.iter() {
        q = q
            .bind(a.id)
            .bind(a.state)
            .bind(a.next_at)
            .bind(a.http_status)
            .bind(a.reason)
            .bind(a.delivered);
    }
    let mut tx = s.db.begin().await?;
    q.execute(&mut *tx.inner).await?;
    // Delivery attempts are the outbox's own state (a million per warning),
    // shown on the warning's delivery list; the warning's publication is
    // the journaled change.
    tx.commit_unjournaled().await?;
    done.clear();
    Ok(())
}

/// One leased delivery, ready to send.
struct Job {
    id: i64,
    attempts: i64,
    msg: Option<Arc<Message>>,
    recipient: Result<Recipient, String>,
}

/// The rendered message of each warning being delivered (a few at a time).
#[derive(Default)]
struct Messages(HashMap<i64, Option<Arc<Message>>>);

impl Messages {
    async fn get(
        &mut self,
        s: &AppState,
        warning_id: i64,
    ) -> Result<Option<Arc<Message>>, DbError> {
        if let Some(m) = self.0.get(&warning_id) {
            return Ok(m.clone());
        }
        if self.0.len() > 64 {
            self.0.clear();
        }
        let w = super::store::get(&s.db, warning_id).await?;
        let msg = w.and_then(|w| message_of(&s.config.warnings.channels, &w));
        self.0.insert(warning_id, msg.clone());
        Ok(msg)
    }
}

/// The message a published warning's deliveries carry (none if its CAP
/// document is missing or unreadable: its deliveries fail as such).
fn message_of(
    cfg: &yingji_channels::ChannelsConfig,
    w: &super::model::Warning,
) -> Option<Arc<Message>> {
    let doc = yingji_cap::parse(w.cap_xml.as_deref()?.as_bytes()).ok()?;
    let id = w.identifier.as_deref().unwrap_or_default();
    Some(Arc::new(
        Message::from_alert(&doc.alert, &cfg.message)
            .with_cap_url(format!("/api/v1/public/cap/{id}.xml")),
    ))
}

/// Lease due deliveries and hand them to the senders, a batch ahead at
/// most (the queue is bounded): leasing, sending and recording overlap, so
/// the database's round trips never stop the sends.
async fn feed(s: AppState, out: tokio::sync::mpsc::Sender<Job>) {
    let every = std::time::Duration::from_millis(s.config.warnings.worker_interval_ms.max(50));
    let batch = s.config.warnings.worker_batch.max(1);
    let mut messages = Messages::default();
    loop {
        let rows = match lease(&s, OffsetDateTime::now_utc(), batch).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "leasing deliveries failed");
                Vec::new()
            }
        };
        let full = rows.len() as i64 >= batch;
        for r in &rows {
            let job = async {
                let warning_id: i64 = col(r, "warning_id")?;
                let text: String = col(r, "recipient")?;
                Ok::<_, DbError>(Job {
                    id: col(r, "id")?,
                    attempts: col(r, "attempts")?,
                    msg: messages.get(&s, warning_id).await?,
                    recipient: serde_json::from_str(&text).map_err(|e| e.to_string()),
                })
            };
            match job.await {
                Ok(job) => {
                    if out.send(job).await.is_err() {
                        return;
                    }
                }
                // Left leased: tried again when the lease ends.
                Err(e) => tracing::warn!(error = %e, "reading a leased delivery failed"),
            }
        }
        if !full {
            // Nothing more due now (the planner hands new deliveries to the
            // senders itself; this takes retries and expired leases).
            tokio::time::sleep(every).await;
        }
    }
}

/// Send what the feeder hands over, `concurrency` at a time (a slow or
/// failing recipient holds up no other), and pass each outcome on.
async fn send(
    s: AppState,
    channels: Arc<Channels>,
    jobs: tokio::sync::mpsc::Receiver<Job>,
    out: tokio::sync::mpsc::Sender<Attempted>,
) {
    use futures_util::stream::{self, StreamExt};
    let cfg = s.config.warnings.channels.clone();
    let concurrency = s.config.warnings.worker_concurrency.max(1);
    let jobs = stream::unfold(
        jobs,
        |mut rx| async move { rx.recv().await.map(|j| (j, rx)) },
    );
    let sends = jobs
        .map(|job| {
            let channels = channels.clone();
            async move {
                let outcome = match (&job.msg, &job.recipient) {
                    (Some(m), Ok(rcp)) => channels.deliver(m, rcp).await,
                    (None, _) => yingji_channels::Outcome::failed(
                        Reason::MessageError,
                        "the message is missing or unreadable",
                    ),
                    (_, Err(e)) => yingji_channels::Outcome::failed(
                        Reason::InvalidRecipient,
                        format!("recipient: {e}"),
                    ),
                };
                (job.id, job.attempts, outcome)
            }
        })
        .buffer_unordered(concurrency);
    let mut sends = std::pin::pin!(sends);
    while let Some((id, attempts, outcome)) = sends.next().await {
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
        let a = Attempted {
            id,
            state,
            next_at: next_at.into(),
            http_status: outcome.code().http_status().map(i64::from),
            reason: outcome.code().code(),
            delivered,
        };
        if out.send(a).await.is_err() {
            return;
        }
    }
}

/// Write outcomes in transactions of [`RECORD_EVERY`], or of whatever
/// finished within [`RECORD_AFTER`]. A write that fails is tried again with
/// the next (the rows stay leased meanwhile, and pending: at worst they
/// are sent again under the same key).
async fn write(s: AppState, mut results: tokio::sync::mpsc::Receiver<Attempted>) {
    let mut done: Vec<Attempted> = Vec::with_capacity(RECORD_EVERY);
    let mut open = true;
    while open || !done.is_empty() {
        let deadline = tokio::time::Instant::now() + RECORD_AFTER;
        while open && done.len() < RECORD_EVERY {
            match tokio::time::timeout_at(deadline, results.recv()).await {
                Ok(Some(a)) => done.push(a),
                Ok(None) => open = false,
                Err(_) => break,
            }
        }
        if let Err(e) = record(&s, &mut done).await {
            tracing::warn!(error = %e, "recording delivery outcomes failed");
            if !open {
                return;
            }
            tokio::time::sleep(RECORD_AFTER).await;
        }
    }
}

// ---- Planning: who a published message goes to, in the background ----

/// One message being planned (a `delivery_plans` row).
struct PlanRow {
    warning_id: i64,
    identifier: String,
    after_id: i64,
    areas_done: bool,
    planned: i64,
}

/// Take the next message waiting to be planned (free, or its node gone), for
/// [`PLAN_LEASE_S`].
async fn lease_plan(s: &AppState, now: OffsetDateTime) -> Result<Option<PlanRow>, DbError> {
    let (dead_node, skip) = lease_sql(s.db.backend(), "delivery_plans", 4);
    let sql = format!(
        "UPDATE delivery_plans SET lease_until = $1, lease_node = $2 WHERE warning_id = (SELECT warning_id FROM delivery_plans WHERE done_at IS NULL AND (lease_until IS NULL OR lease_until < $3 OR lease_node = $2{dead_node}) ORDER BY warning_id LIMIT 1{skip}) RETURNING warning_id, identifier, after_id, areas_done, planned"
    );
    let mut tx = s.db.begin().await?;
    let mut q = sqlx::query(&sql)
        .bind(UtcText(now + Duration::seconds(PLAN_LEASE_S)))
        .bind(&*s.node_id)
        .bind(UtcText(now));
    if s.db.backend() == Backend::Postgres {
        q = q.bind(node_deadline(s, now));
    }
    let row = q.fetch_optional(&mut *tx.inner).await?;
    // The planner's lease is bookkeeping, like a delivery's.
    tx.commit_unjournaled().await?;
    row.map(|r| {
        Ok(PlanRow {
            warning_id: col(&r, "warning_id")?,
            identifier: col(&r, "identifier")?,
            after_id: col(&r, "after_id")?,
            areas_done: col::<i64>(&r, "areas_done")? != 0,
            planned: col(&r, "planned")?,
        })
    })
    .transpose()
}

/// Record that `w` is to be planned (in the publishing change): the
/// planner takes it from there.
pub async fn enqueue_plan(
    tx: &mut Tx,
    warning_id: i64,
    identifier: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO delivery_plans (warning_id, identifier, created_at) VALUES ($1, $2, $3) ON CONFLICT (warning_id) DO NOTHING")
        .bind(warning_id)
        .bind(identifier)
        .bind(UtcText(now))
        .execute(&mut *tx.inner)
        .await?;
    Ok(())
}

/// The recipients reached by area rather than by person: the loudspeakers
/// of every township reached (MQTT), and one cell-broadcast message per
/// area of the warning (each chosen division, each drawn shape).
fn area_recipients(
    w: &super::model::Warning,
    cfg: &yingji_channels::ChannelsConfig,
) -> Vec<(Recipient, String)> {
    let mut out = Vec::new();
    if cfg.broadcast.is_some() {
        if let Some(ts) = w.reach.get("by_township").and_then(Value::as_array) {
            for t in ts
                .iter()
                .filter_map(|t| t.get("code").and_then(Value::as_str))
            {
                let code = format!("{t:0<12}");
                out.push((
                    Recipient::Broadcast {
                        division_code: code.clone(),
                    },
                    code,
                ));
            }
        }
    }
    if cfg.cell_broadcast.is_some() {
        for area in super::cell_broadcast_areas(&w.area) {
            out.push((Recipient::CellBroadcast { area }, w.division.clone()));
        }
    }
    out
}

/// What one planning step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    /// Nothing waits to be planned.
    Idle,
    /// Planning stopped before the end (another node took the message
    /// over); more may follow.
    Batch,
    /// A message's planning finished.
    Done,
}

/// What the planner reads once per message.
struct Planning {
    plan: PlanRow,
    warning: Option<super::model::Warning>,
    /// The warning's area, or why it can no longer be matched.
    matcher: Result<super::matcher::Matcher, String>,
    prefix: String,
    key: String,
    msg: Option<Arc<Message>>,
}

/// One page of subscribers: read, matched and rendered outside any
/// transaction.
struct Page {
    /// The last subscriber read (the plan's next position).
    last: i64,
    /// No subscriber after this page.
    finished: bool,
    rows: Vec<NewDelivery>,
}

impl Planning {
    async fn load(s: &AppState, plan: PlanRow) -> Result<Planning, DbError> {
        let warning = super::store::get(&s.db, plan.warning_id).await?;
        let (matcher, prefix) = match &warning {
            Some(w) => {
                let scope = super::matcher::issuer_scope(w);
                // The area was checked at publication; if it no longer can
                // be (a division removed since), the subscribers are not
                // planned and the journal says why.
                let m = super::matcher::Matcher::new(&s.tree(), &scope, &w.area)
                    .map_err(|e| format!("{e:?}"));
                (m, scope.prefix)
            }
            None => (Err("the warning is gone".into()), String::new()),
        };
        let msg = warning
            .as_ref()
            .and_then(|w| message_of(&s.config.warnings.channels, w));
        Ok(Planning {
            plan,
            warning,
            matcher,
            prefix,
            key: platform_key(s).await?,
            msg,
        })
    }

    /// The subscribers after `after` (`batch` of them) matched against the
    /// area and rendered; the first page also carries the per-area
    /// deliveries (loudspeakers, cell broadcast).
    async fn page(&self, s: &AppState, after: i64, batch: i64) -> Result<Page, DbError> {
        let cfg = &s.config.warnings.channels;
        let mut recipients: Vec<(Recipient, String)> = Vec::new();
        let Some(w) = &self.warning else {
            return Ok(Page {
                last: after,
                finished: true,
                rows: Vec::new(),
            });
        };
        if !self.plan.areas_done && after == self.plan.after_id {
            recipients.extend(area_recipients(w, cfg));
        }
        let (mut last, mut finished) = (after, true);
        if let Ok(m) = &self.matcher {
            let page = super::store::subscribers_after(&s.db, &self.prefix, after, batch).await?;
            finished = (page.len() as i64) < batch;
            for sub in page {
                last = sub.id;
                if m.contains(&sub.division, sub.lon, sub.lat) {
                    for r in recipients_of(sub.id, &sub.phone, &sub.attrs, &self.key, cfg) {
                        recipients.push((r, sub.division.clone()));
                    }
                }
            }
        }
        Ok(Page {
            last,
            finished,
            rows: render(&self.plan.identifier, recipients)?,
        })
    }
}

/// Write one planned page and the plan's new position, if this node still
/// holds the plan, in `tx`. Returns the deliveries inserted (id, index in
/// the page) and whether the plan was ours.
async fn write_page(
    s: &AppState,
    tx: &mut Tx,
    p: &PlanRow,
    page: &Page,
    now: OffsetDateTime,
) -> Result<(Vec<(i64, usize)>, bool), DbError> {
    let ins = plan(
        tx,
        s.db.backend(),
        (p.warning_id, &s.node_id),
        &page.rows,
        now,
        now + Duration::seconds(LEASE_S),
    )
    .await?;
    let moved = sqlx::query("UPDATE delivery_plans SET after_id = $1, areas_done = 1, planned = planned + $2, lease_until = $3 WHERE warning_id = $4 AND lease_node = $5 AND done_at IS NULL")
        .bind(page.last)
        .bind(ins.len() as i64)
        .bind(UtcText(now + Duration::seconds(PLAN_LEASE_S)))
        .bind(p.warning_id)
        .bind(&*s.node_id)
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
    Ok((ins, moved == 1))
}

/// Commit one page: a plain transaction, or for the last page a journaled
/// change (`deliveries_planned`, with the count) that also closes the
/// plan. Returns the deliveries inserted, or `None` when the plan is no
/// longer this node's, and how long the write transaction was held.
async fn commit_page(
    s: &AppState,
    c: &Planning,
    page: &Page,
    planned_before: i64,
) -> Result<(Option<Vec<(i64, usize)>>, std::time::Duration), DbError> {
    let now = OffsetDateTime::now_utc();
    let p = &c.plan;
    if !page.finished {
        let mut tx = s.db.begin().await?;
        let held = std::time::Instant::now();
        let (ins, ours) = write_page(s, &mut tx, p, page, now).await?;
        if !ours {
            // Another node took the message over: its batch, not ours.
            return Ok((None, held.elapsed()));
        }
        // The batch's deliveries are the outbox's rows (see `record`).
        tx.commit_unjournaled().await?;
        return Ok((Some(ins), held.elapsed()));
    }
    let mut change = s.change().await?;
    let held = std::time::Instant::now();
    let (ins, ours) = write_page(s, &mut change, p, page, now).await?;
    if !ours {
        return Ok((None, held.elapsed()));
    }
    sqlx::query("UPDATE delivery_plans SET done_at = $1, lease_until = NULL WHERE warning_id = $2")
        .bind(UtcText(now))
        .bind(p.warning_id)
        .execute(&mut *change.inner)
        .await?;
    let total = planned_before + ins.len() as i64;
    let division = c
        .warning
        .as_ref()
        .map(|w| w.division.clone())
        .unwrap_or_default();
    let problem = c.matcher.as_ref().err().filter(|_| c.warning.is_some());
    change
        .commit(
            now,
            vec![crate::journal::NewEntry {
                actor: "system".into(),
                jurisdiction: division,
                module: "warnings",
                entity: "warning".into(),
                entity_id: p.warning_id.to_string(),
                kind: "deliveries_planned",
                payload: json!({ "deliveries": total, "identifier": p.identifier, "problem": problem }),
            }],
        )
        .await?;
    tracing::info!(
        warning = p.warning_id,
        deliveries = total,
        "deliveries planned"
    );
    Ok((Some(ins), held.elapsed()))
}

/// Pure rule: the next planning batch after one of `current` subscribers
/// held the write transaction `held_ms`. The batch shrinks in proportion
/// when the hold passed `target_ms` and grows by half when it took less
/// than half of it, between [`MIN_PLAN_BATCH`] and `max` (`[warnings]
/// plan_batch`): the hold tracks the target whatever the machine's load.
pub fn next_plan_batch(current: i64, max: i64, target_ms: u64, held_ms: u64) -> i64 {
    let max = max.max(1);
    let floor = MIN_PLAN_BATCH.min(max);
    let current = current.clamp(floor, max);
    let target = i64::try_from(target_ms.max(1)).unwrap_or(i64::MAX);
    let held = i64::try_from(held_ms).unwrap_or(i64::MAX);
    let next = if held > target {
        current.saturating_mul(target) / held.max(1)
    } else if held.saturating_mul(2) < target {
        current.saturating_add(current / 2)
    } else {
        current
    };
    next.clamp(floor, max)
}

/// The smallest planning batch (below it, commits cost more than the
/// rows).
pub const MIN_PLAN_BATCH: i64 = 50;

/// Plan the next message waiting, page after page, until it is done or no
/// longer this node's. The next page is read and rendered while the
/// current one is written; each page is written in its own short
/// transaction with the plan's new position (so a kill loses nothing and
/// repeats nothing: a page is there with its position or not at all, and a
/// repeated delivery is dropped by its idempotency key), and its
/// deliveries, leased to this node, go straight to the senders (`to`).
async fn plan_message(
    s: &AppState,
    to: &tokio::sync::mpsc::Sender<Job>,
    batch: &mut i64,
) -> Result<PlanStep, DbError> {
    let Some(p) = lease_plan(s, OffsetDateTime::now_utc()).await? else {
        return Ok(PlanStep::Idle);
    };
    let w = &s.config.warnings;
    let pause = std::time::Duration::from_millis(w.plan_pause_ms);
    let mut planned = p.planned;
    let c = Arc::new(Planning::load(s, p).await?);
    let mut page = c.page(s, c.plan.after_id, *batch).await?;
    let mut longest = std::time::Duration::ZERO;
    loop {
        let finished = page.finished;
        // The next page is read and rendered on a task of its own (another
        // worker thread), so its CPU work never delays this page's commit
        // while the write transaction is open.
        let next = (!finished).then(|| {
            let (c, s, after, n) = (c.clone(), s.clone(), page.last, *batch);
            tokio::spawn(async move { c.page(&s, after, n).await })
        });
        let (ins, held) = commit_page(s, &c, &page, planned).await?;
        longest = longest.max(held);
        note_hold(held, page.rows.len());
        *batch = next_plan_batch(
            *batch,
            w.plan_batch,
            w.plan_hold_ms,
            held.as_millis() as u64,
        );
        let Some(ins) = ins else {
            return Ok(PlanStep::Batch);
        };
        planned += ins.len() as i64;
        let mut rows: Vec<Option<NewDelivery>> = page.rows.into_iter().map(Some).collect();
        for (id, i) in ins {
            let Some(d) = rows.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let job = Job {
                id,
                attempts: 0,
                msg: c.msg.clone(),
                recipient: Ok(d.to),
            };
            if to.send(job).await.is_err() {
                // The senders stopped (shutdown): the rows stay leased and
                // are sent when the lease ends.
                return Ok(PlanStep::Batch);
            }
        }
        if finished {
            tracing::info!(
                warning = c.plan.warning_id,
                longest_batch_ms = longest.as_millis() as u64,
                "planning finished"
            );
            return Ok(PlanStep::Done);
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        page = match next {
            Some(n) => n.await.map_err(|e| DbError::Corrupt {
                table: "delivery_plans",
                detail: format!("reading the next page: {e}"),
            })??,
            None => return Ok(PlanStep::Done),
        };
    }
}

fn note_hold(held: std::time::Duration, rows: usize) {
    let ms = u64::try_from(held.as_millis()).unwrap_or(u64::MAX);
    if ms > 100 {
        tracing::info!(
            held_ms = ms,
            rows,
            "a planning batch held the write transaction over 100 ms"
        );
    }
}

/// Plan whatever waits, message after message.
async fn planner(s: AppState, to: tokio::sync::mpsc::Sender<Job>) {
    let every =
        std::time::Duration::from_millis(s.config.warnings.worker_interval_ms.clamp(50, 1000));
    let mut batch = s.config.warnings.plan_batch.max(1);
    loop {
        let published = PUBLISHED.notified();
        tokio::pin!(published);
        published.as_mut().enable();
        match plan_message(&s, &to, &mut batch).await {
            Ok(PlanStep::Idle) => {
                let _ = tokio::time::timeout(every, published).await;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "planning deliveries failed");
                tokio::time::sleep(every).await;
            }
        }
    }
}

/// On SQLite there is one node: leases left by an earlier run of this
/// process (killed) are nobody's, and are freed at start. On PostgreSQL,
/// this node's own planning leases are (its deliveries' are freed by
/// `cluster::register`).
async fn free_own_leases(s: &AppState) -> Result<(), DbError> {
    let mut tx = s.db.begin().await?;
    match s.db.backend() {
        Backend::Sqlite => {
            sqlx::query("UPDATE deliveries SET lease_until = NULL, lease_node = NULL WHERE state = 'pending' AND lease_until IS NOT NULL")
                .execute(&mut *tx.inner)
                .await?;
            sqlx::query("UPDATE delivery_plans SET lease_until = NULL, lease_node = NULL WHERE done_at IS NULL")
                .execute(&mut *tx.inner)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("UPDATE delivery_plans SET lease_until = NULL, lease_node = NULL WHERE lease_node = $1 AND done_at IS NULL")
                .bind(&*s.node_id)
                .execute(&mut *tx.inner)
                .await?;
        }
    }
    // Leases are bookkeeping.
    tx.commit_unjournaled().await?;
    Ok(())
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

/// Run the outbox until the process ends: the planner, the delivery
/// pipeline (feeder → senders → recorder) and the expiry of warnings.
pub fn spawn(s: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let channels = match Channels::from_config(&s.config.warnings.channels) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::error!(error = %e, "warning channels: not starting the delivery worker");
            return None;
        }
    };
    let every = std::time::Duration::from_millis(s.config.warnings.worker_interval_ms.max(50));
    Some(tokio::spawn(async move {
        if let Err(e) = free_own_leases(&s).await {
            tracing::warn!(error = %e, "freeing leases at start failed");
        }
        let depth = usize::try_from(s.config.warnings.worker_batch.max(1)).unwrap_or(500);
        let (job_tx, job_rx) = tokio::sync::mpsc::channel(depth);
        let (res_tx, res_rx) = tokio::sync::mpsc::channel(depth);
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(planner(s.clone(), job_tx.clone()));
        tasks.spawn(feed(s.clone(), job_tx));
        tasks.spawn(send(s.clone(), channels, job_rx, res_tx));
        tasks.spawn(write(s.clone(), res_rx));
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = expire_due(&s, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "expiring warnings failed");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::{next_plan_batch, MIN_PLAN_BATCH};

    /// The planning batch follows the write-lock hold target: shrinks in
    /// proportion above it, grows by half below half of it, stays between
    /// the floor and `plan_batch`.
    #[test]
    fn planning_batches_follow_the_hold_target() {
        // (current, max, target ms, held ms, next)
        let table: &[(i64, i64, u64, u64, i64)] = &[
            (1000, 1000, 50, 40, 1000),            // within target: unchanged
            (1000, 1000, 50, 100, 500),            // twice the target: halved
            (1000, 1000, 50, 259, 193),            // the 259 ms batch of the last run
            (600, 1000, 50, 10, 900),              // well under: grows by half
            (900, 1000, 50, 10, 1000),             // never above plan_batch
            (100, 1000, 50, 5000, MIN_PLAN_BATCH), // never below the floor
            (1000, 20, 50, 0, 20),                 // plan_batch below the floor wins
            (5000, 1000, 50, 50, 1000),            // a current above max is clamped
            (1000, 1000, 0, 10, 100),              // target 0 counts as 1 ms
            (1000, 1000, 50, u64::MAX, MIN_PLAN_BATCH),
        ];
        for &(current, max, target, held, want) in table {
            assert_eq!(
                next_plan_batch(current, max, target, held),
                want,
                "current {current}, max {max}, target {target} ms, held {held} ms"
            );
        }
    }
}
