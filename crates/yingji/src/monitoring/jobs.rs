//! Background work of monitoring: every `[monitoring] tick_secs` the
//! silence rule of every sensor, the escalation of alarms nobody
//! acknowledged, and retention; and the MQTT consumer when a broker is
//! configured (see [`super::mqtt`]). Each step is idempotent (the one-active
//! alarm index, versioned updates), so several nodes may run it.

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::escalation_due;
use super::store::{self, MODULE, SYSTEM};
use crate::db::{DbError, UtcText};
use crate::journal::NewEntry;
use crate::state::AppState;

/// Raise escalations due at `now`; how many alarms went up a level.
pub async fn escalate(s: &AppState, now: OffsetDateTime) -> Result<usize, DbError> {
    let c = &s.config.monitoring;
    let after = Duration::minutes(c.escalate_after_mins);
    let mut n = 0;
    for mut a in store::unacknowledged(&s.db).await? {
        let Some(level) = escalation_due(&a, after, c.max_escalation, now) else {
            continue;
        };
        let from = a.escalation_level;
        a.escalation_level = level;
        a.escalated_at = Some(UtcText(now));
        a.updated_at = UtcText(now);
        let mut tx = s.change().await?;
        match tx.save(&a).await {
            // Acknowledged or escalated by someone else meanwhile.
            Err(DbError::Stale) => continue,
            r => r?,
        }
        tx.commit(
            now,
            vec![NewEntry::new(
                SYSTEM,
                MODULE,
                &a.division,
                "alarm",
                a.id,
                "escalated",
                json!({ "from": from, "to": level, "unacknowledged_mins": (now - a.raised_at.0).whole_minutes() }),
            )],
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// One round: silence, escalation, retention.
pub async fn round(s: &AppState, now: OffsetDateTime) -> Result<(), DbError> {
    store::tick(&s.db, &s.feed, now).await?;
    escalate(s, now).await?;
    let c = &s.config.monitoring;
    store::prune(
        &s.db,
        UtcText(now - Duration::days(c.raw_retention_days.max(1))),
        UtcText(now - Duration::days(c.rollup_retention_days.max(1))),
        UtcText(now - Duration::days(c.hourly_retention_days.max(1))),
        now,
    )
    .await?;
    Ok(())
}

/// Start the rounds and, when a broker is configured, the MQTT consumer.
pub fn spawn(s: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut out = Vec::new();
    let every = std::time::Duration::from_secs(s.config.monitoring.tick_secs.max(1));
    let st = s.clone();
    out.push(tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = round(&st, OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "monitoring round failed");
            }
        }
    }));
    if s.config.monitoring.mqtt_url.is_some() {
        out.push(super::mqtt::spawn(s));
    }
    out
}
