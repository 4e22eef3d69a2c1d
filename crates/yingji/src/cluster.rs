//! Several `yingji serve` nodes on one PostgreSQL.
//!
//! Every node serves every request: sessions, records and the journal are in
//! the database, and the live feed's reader polls it. What must not run on
//! every node coordinates here:
//!
//! - **Jobs that run once** (the deadline monitor, each upstream source's
//!   reader) run under a session-level `pg_try_advisory_lock` held on a
//!   connection of their own. One node holds each lock; the others try again
//!   every few seconds. A node that dies (even by SIGKILL) drops its
//!   connection, PostgreSQL releases the lock, and another node takes the job
//!   over. The lock key includes the schema, so deployments in different
//!   schemas of one database do not exclude each other.
//! - **Node liveness**: each node writes `nodes.heartbeat_at` every
//!   `heartbeat_ms`. A delivery leased by a node whose heartbeat is older than
//!   `node_timeout_ms` is free for the others (see `warnings::jobs::lease`);
//!   a node restarting with the same `node_id` frees its own leases at once.
//!
//! On SQLite (one node) jobs simply run and no heartbeat is written.

use std::future::Future;
use std::time::Duration;

use sqlx::{Connection, PgConnection};
use time::OffsetDateTime;

use crate::clock::format_time;
use crate::db::{Backend, DbError};

/// Settings of a node among several.
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// This node's name (e.g. the host or pod name). Keep it stable across
    /// restarts so a restarted node frees its own delivery leases at once;
    /// default: a random name per start.
    pub node_id: Option<String>,
    /// How often the node writes its heartbeat (PostgreSQL only).
    pub heartbeat_ms: u64,
    /// A node whose heartbeat is older than this is taken for dead: its
    /// delivery leases are free for the other nodes.
    pub node_timeout_ms: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            node_id: None,
            heartbeat_ms: 2_000,
            node_timeout_ms: 10_000,
        }
    }
}

impl ClusterConfig {
    /// The node id in effect: the configured one or a random one.
    pub fn resolve_node_id(&self) -> String {
        match self.node_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("node-{:08x}", rand::random::<u32>()),
        }
    }
}

/// What the cluster's jobs need of the application: the database, this
/// node's id and the cluster settings (a sub-state of `AppState`).
#[derive(Clone)]
pub struct Node {
    pub db: crate::db::Db,
    pub id: std::sync::Arc<str>,
    pub config: ClusterConfig,
    /// Where job locks connect (their own connection per job).
    pub database_url: String,
}

/// How often a node that does not hold a job's lock tries to take it.
const STANDBY_POLL: Duration = Duration::from_secs(5);
/// Nodes silent this long are removed from `nodes`.
const FORGET_AFTER: time::Duration = time::Duration::days(1);

/// Write this node's heartbeat (PostgreSQL; a no-op on SQLite).
pub async fn heartbeat(s: &Node, now: OffsetDateTime) -> Result<(), DbError> {
    if s.db.backend() != Backend::Postgres {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO nodes (id, heartbeat_at, started_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
    )
    .bind(&*s.id)
    .bind(format_time(now))
    .execute(s.db.pool())
    .await?;
    Ok(())
}

/// On start: announce the node and free the delivery leases a previous run
/// under the same id left behind (it cannot be sending them any more).
pub async fn register(s: &Node) -> Result<(), DbError> {
    if s.db.backend() != Backend::Postgres {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = s.db.begin().await?;
    sqlx::query(
        "INSERT INTO nodes (id, heartbeat_at, started_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, started_at = excluded.started_at",
    )
    .bind(&*s.id)
    .bind(format_time(now))
    .execute(&mut *tx.inner)
    .await?;
    let freed = sqlx::query(
        "UPDATE deliveries SET lease_until = NULL, lease_node = NULL WHERE lease_node = $1 AND state = 'pending'",
    )
    .bind(&*s.id)
    .execute(&mut *tx.inner)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM nodes WHERE heartbeat_at < $1")
        .bind(format_time(now - FORGET_AFTER))
        .execute(&mut *tx.inner)
        .await?;
    tx.commit().await?;
    tracing::info!(node = %s.id, freed_leases = freed, "node registered");
    Ok(())
}

/// The heartbeat task (PostgreSQL only).
pub fn spawn_heartbeat(s: &Node) -> Option<tokio::task::JoinHandle<()>> {
    if s.db.backend() != Backend::Postgres {
        return None;
    }
    let s = s.clone();
    let every = Duration::from_millis(s.config.heartbeat_ms.max(100));
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = heartbeat(&s, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "node heartbeat failed");
            }
        }
    }))
}

/// The advisory-lock key of job `name` in `schema`: the first eight bytes of
/// a SHA-256, so names need no registry.
pub fn job_key(schema: &str, name: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("yingji-job\0{schema}\0{name}").as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    i64::from_be_bytes(b)
}

/// The lock of one job, held on a connection of its own.
struct JobLock {
    url: String,
    name: String,
    conn: Option<PgConnection>,
    held: bool,
}

impl JobLock {
    /// True when this node holds the lock (taking it if free). Any error
    /// drops the connection, and with it the lock.
    async fn hold(&mut self) -> bool {
        match self.try_hold().await {
            Ok(h) => h,
            Err(e) => {
                if self.held {
                    tracing::warn!(job = %self.name, error = %e, "job lock lost");
                }
                self.conn = None;
                self.held = false;
                false
            }
        }
    }

    async fn try_hold(&mut self) -> Result<bool, sqlx::Error> {
        if self.conn.is_none() {
            self.held = false;
            self.conn = Some(PgConnection::connect(&self.url).await?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Ok(false);
        };
        if self.held {
            // Still connected, so still ours.
            sqlx::query("SELECT 1").execute(&mut *conn).await?;
            return Ok(true);
        }
        let schema: String = sqlx::query_scalar("SELECT current_schema()::TEXT")
            .fetch_one(&mut *conn)
            .await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(job_key(&schema, &self.name))
            .fetch_one(&mut *conn)
            .await?;
        if got {
            tracing::info!(job = %self.name, "this node runs the job");
        }
        self.held = got;
        Ok(got)
    }
}

/// Run `job` every `every` on exactly one node: on PostgreSQL the node
/// holding the job's advisory lock, on SQLite this one.
pub fn spawn_once<F, Fut>(
    s: &Node,
    name: impl Into<String>,
    every: Duration,
    mut job: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let mut lock = (s.db.backend() == Backend::Postgres).then(|| JobLock {
        url: s.database_url.clone(),
        name: name.into(),
        conn: None,
        held: false,
    });
    tokio::spawn(async move {
        loop {
            let run = match lock.as_mut() {
                Some(l) => l.hold().await,
                None => true,
            };
            if run {
                job().await;
                tokio::time::sleep(every).await;
            } else {
                tokio::time::sleep(every.min(STANDBY_POLL)).await;
            }
        }
    })
}
