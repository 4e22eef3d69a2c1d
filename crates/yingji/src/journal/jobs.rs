//! The live feed's fan-out: one reader per process follows the journal and
//! hands every new entry to all open streams.
//!
//! Each SSE viewer used to read the journal itself after every commit (and
//! once a second for other nodes' writes): with 500 viewers one write cost
//! 500 queries. Now a single pump task reads each new entry once — woken by
//! a commit in this process, or by its one-second poll for entries written
//! by other nodes — and broadcasts it; viewers only filter by jurisdiction.
//! A viewer reads the database itself only to catch up (on connect, on
//! `Last-Event-ID` resume, or when it fell too far behind the broadcast).
//!
//! No entry is missed: a viewer subscribes to the broadcast *before* reading
//! its backlog, entries become visible in sequence order (appends are
//! serialised by the journal head), and whatever the broadcast repeats from
//! the backlog is skipped by sequence number.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, Mutex, Notify};
use tokio::task::JoinHandle;

use super::{head, list, Entry, ListFilter};
use crate::db::{Db, DbError};

/// How often the pump looks for entries written by other nodes.
const POLL: Duration = Duration::from_millis(1000);
/// Entries the broadcast holds for a slow viewer before it must catch up
/// from the database.
const CAPACITY: usize = 4096;
/// Entries read per query.
const PAGE: i64 = 500;

/// Wakes the live feed after a commit and fans new entries out to viewers.
#[derive(Clone)]
pub struct Feed {
    inner: Arc<Inner>,
}

struct Inner {
    notify: Notify,
    tx: broadcast::Sender<Arc<Entry>>,
    pump: Mutex<Option<JoinHandle<()>>>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed::with_capacity(CAPACITY)
    }
}

impl Feed {
    /// A feed whose broadcast holds `capacity` entries for a slow viewer
    /// (more fall back to reading the database).
    pub fn with_capacity(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Feed {
            inner: Arc::new(Inner {
                notify: Notify::new(),
                tx,
                pump: Mutex::new(None),
            }),
        }
    }

    /// Call after committing journal entries.
    pub fn wake(&self) {
        self.inner.notify.notify_waiters();
    }

    /// The entries of the jurisdiction `prefix` after sequence number
    /// `after`, in order; starts the pump if no one was listening.
    pub async fn subscribe(
        &self,
        db: &Db,
        prefix: &str,
        after: i64,
    ) -> Result<Subscription, DbError> {
        let mut pump = self.inner.pump.lock().await;
        if pump.as_ref().is_none_or(|h| h.is_finished()) {
            // The pump starts from the head read *now*: anything committed
            // before is in the database for this viewer's catch-up read,
            // which comes after this point.
            let (from, _) = head(db).await?;
            *pump = Some(tokio::spawn(run_pump(self.inner.clone(), db.clone(), from)));
        }
        Ok(Subscription {
            rx: self.inner.tx.subscribe(),
            db: db.clone(),
            prefix: prefix.to_string(),
            after,
            backlog: VecDeque::new(),
            behind: true,
        })
    }

    /// Open subscriptions.
    pub fn viewers(&self) -> usize {
        self.inner.tx.receiver_count()
    }
}

async fn run_pump(inner: Arc<Inner>, db: Db, mut after: i64) {
    loop {
        let changed = inner.notify.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        match read_after(&db, "", after).await {
            Ok(entries) => {
                let full = entries.len() as i64 == PAGE;
                for e in entries {
                    after = e.seq;
                    // No receiver is not an error: the check below ends the pump.
                    let _ = inner.tx.send(Arc::new(e));
                }
                if full {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "live feed: reading the journal failed"),
        }
        tokio::select! {
            _ = changed => {},
            _ = tokio::time::sleep(POLL) => {},
        }
        // End with the last viewer. `subscribe` holds the same lock while it
        // subscribes, so a viewer arriving now is either counted here or
        // finds the pump ended and starts another.
        let mut pump = inner.pump.lock().await;
        if inner.tx.receiver_count() == 0 {
            *pump = None;
            return;
        }
    }
}

async fn read_after(db: &Db, prefix: &str, after: i64) -> Result<Vec<Entry>, DbError> {
    let f = ListFilter {
        jurisdiction_prefix: prefix.to_string(),
        after: Some(after),
        limit: PAGE,
        ascending: true,
        ..Default::default()
    };
    list(db, &f).await
}

/// One viewer's subscription.
pub struct Subscription {
    rx: broadcast::Receiver<Arc<Entry>>,
    db: Db,
    prefix: String,
    after: i64,
    backlog: VecDeque<Entry>,
    /// The database may hold entries of this jurisdiction the broadcast
    /// will not bring (on start, and after falling behind it).
    behind: bool,
}

impl Subscription {
    /// The next entry of the jurisdiction, waiting as long as needed.
    pub async fn next(&mut self) -> Entry {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                self.after = e.seq;
                return e;
            }
            if self.behind {
                match read_after(&self.db, &self.prefix, self.after).await {
                    Ok(entries) => {
                        self.behind = entries.len() as i64 == PAGE;
                        self.backlog.extend(entries);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live feed: catching up failed");
                        tokio::time::sleep(POLL).await;
                    }
                }
                continue;
            }
            match self.rx.recv().await {
                Ok(e) if e.seq > self.after && e.jurisdiction.starts_with(&self.prefix) => {
                    self.after = e.seq;
                    return (*e).clone();
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => self.behind = true,
                // The feed lives as long as the server; nothing more will come.
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    }
}
