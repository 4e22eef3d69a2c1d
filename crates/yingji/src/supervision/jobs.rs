//! Background work of supervision: the escalation (提级督办) of overdue
//! 重大事故隐患 by the pure rule `supervision::escalation`. Each escalation
//! is a versioned save with its journal entry (who: `system`), so a
//! hazard changed meanwhile is left for the next round and several nodes
//! may run it.

use time::OffsetDateTime;

use super::api::MODULE;
use super::{escalate, escalation, store, SYSTEM};
use crate::db::{DbError, UtcText};
use crate::journal::NewEntry;
use crate::state::AppState;

/// Escalate every hazard that is due at `now`; how many went up a level.
pub async fn escalate_overdue(s: &AppState, now: OffsetDateTime) -> Result<usize, DbError> {
    let mut n = 0;
    for h in store::overdue_major(&s.db, "", UtcText(now)).await? {
        let Some(e) = escalation(&h, now) else {
            continue;
        };
        let (h, payload) = escalate(h, &e, now);
        let entry = NewEntry::new(
            SYSTEM,
            MODULE,
            &h.division,
            "hazard",
            h.id,
            "escalated",
            payload,
        );
        match s.save_and_commit(&h, now, vec![entry]).await {
            // Rectified, returned or escalated by another node meanwhile.
            Err(DbError::Stale) => continue,
            r => r?,
        };
        n += 1;
    }
    Ok(n)
}

/// Run the escalation every `every` (on one node of several: see
/// `crate::cluster`).
pub fn spawn(s: AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    let st = s.clone();
    crate::cluster::spawn_once(&st.node(), "supervision:escalation", every, move || {
        let s = s.clone();
        async move {
            if let Err(e) = escalate_overdue(&s, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "hazard escalation failed");
            }
        }
    })
}
