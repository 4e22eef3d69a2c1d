//! What the readers of upstream sources share with the API through the
//! application's state: each source's status and what was already read. A
//! leaf of the module (`state.rs` holds a [`Sources`]; the readers in
//! `jobs.rs` take the state), so the state does not import the jobs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use time::OffsetDateTime;

use crate::clock::format_time;
use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Read(String),
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = UpstreamOutcome)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Stored { id: i64, valid: bool },
    Duplicate,
}

/// A source's last reads, for the operators' view.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct SourceStatus {
    pub last_read_at: Option<String>,
    pub last_ok_at: Option<String>,
    pub last_error: Option<String>,
    /// Messages stored by this process since it started (valid or not).
    pub stored: u64,
    pub rejected: u64,
}

/// Per-source state shared with the API: status, and what was already read
/// (so a feed's links are not fetched again every minute).
#[derive(Clone, Default)]
pub struct Sources {
    inner: Arc<Mutex<HashMap<String, SourceState>>>,
}

#[derive(Default)]
struct SourceState {
    status: SourceStatus,
    done: HashSet<String>,
}

impl Sources {
    pub fn status(&self, name: &str) -> SourceStatus {
        self.lock()
            .get(name)
            .map(|s| s.status.clone())
            .unwrap_or_default()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SourceState>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(super) fn done(&self, name: &str, key: &str) -> bool {
        self.lock().get(name).is_some_and(|s| s.done.contains(key))
    }
    pub(super) fn mark(&self, name: &str, key: String) {
        self.lock()
            .entry(name.to_string())
            .or_default()
            .done
            .insert(key);
    }
    pub(super) fn record(
        &self,
        name: &str,
        now: OffsetDateTime,
        result: &Result<Vec<Outcome>, IngestError>,
    ) {
        let mut g = self.lock();
        let s = &mut g.entry(name.to_string()).or_default().status;
        let at = format_time(now);
        s.last_read_at = Some(at.clone());
        match result {
            Ok(outcomes) => {
                s.last_ok_at = Some(at);
                s.last_error = None;
                for o in outcomes {
                    if let Outcome::Stored { valid, .. } = o {
                        s.stored += 1;
                        if !valid {
                            s.rejected += 1;
                        }
                    }
                }
            }
            Err(e) => s.last_error = Some(e.to_string()),
        }
    }
}
