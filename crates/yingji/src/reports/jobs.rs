//! The deadline monitor: one scheduler that finds every late (迟报) or
//! missing (漏报) report and records it once, forever, in the journal, with
//! the people to notify (the responsible level's operators and their
//! supervisors). Notification delivery reads these journal entries.

use serde_json::json;

use super::deadlines::Status;
use super::store;
use crate::auth::Role;
use crate::journal::NewEntry;
use crate::state::AppState;

/// Who is told about a step owed by `division`: operators/reporters of that
/// jurisdiction, and commanders/admins above it.
async fn recipients(s: &AppState, division: &str) -> Result<Vec<String>, crate::db::DbError> {
    let users = crate::auth::store::list(&s.db, "").await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active)
        .filter(|u| {
            let Ok(code) = crate::divisions::Code::parse(&u.division) else {
                return false;
            };
            let covers = division.starts_with(code.prefix());
            match u.role {
                Role::Operator | Role::Reporter => {
                    covers
                        && code.prefix().len()
                            == division
                                .trim_end_matches('0')
                                .len()
                                .max(code.prefix().len())
                }
                Role::Commander | Role::Admin => covers,
                _ => false,
            }
        })
        .map(|u| u.username)
        .collect())
}

/// Scan every disaster and accident once; returns how many new events were recorded.
pub async fn scan(s: &AppState, now: time::OffsetDateTime) -> Result<usize, crate::db::DbError> {
    let tree = s.tree();
    let cal = store::load_calendar(&s.db).await?;
    let mut found = Vec::new();
    for d in store::open_disasters(&s.db).await? {
        let reports = store::reports(&s.db, &tree, d.id).await?;
        for st in super::disaster_status(&d, &reports, now, &s.config.reports, &cal) {
            let div = if st.by == "city" {
                d.division
                    .get(..4)
                    .map(|c| format!("{c}00000000"))
                    .unwrap_or_default()
            } else {
                st.by.clone()
            };
            found.push(("disaster", d.id, d.name.clone(), div, st));
        }
    }
    let investigations = store::investigations(&s.db, "").await?;
    for a in store::list_accidents(&s.db, "").await? {
        for st in super::accident_status(&a, investigations.get(&a.id), now, &s.config.reports) {
            found.push(("accident", a.id, a.name.clone(), a.division.clone(), st));
        }
    }
    let mut n = 0;
    for (entity, id, name, division, st) in found {
        let kind = match st.status {
            Status::Late => "deadline_late",
            Status::Missing => "deadline_missing",
            _ => continue,
        };
        let status = if st.status == Status::Late {
            "late"
        } else {
            "missing"
        };
        let notify = recipients(s, &division).await?;
        let mut tx = s.change().await?;
        if store::record_deadline_event(
            &mut tx,
            store::DeadlineEvent {
                entity,
                id,
                step_key: &st.key,
                status,
                division: &division,
                due: st.due,
            },
            now,
        )
        .await?
        {
            tx.commit(now, vec![NewEntry {
                    actor: "system".into(),
                    jurisdiction: division.clone(),
                    module: "reports",
                    entity: entity.into(),
                    entity_id: id.to_string(),
                    kind,
                    payload: json!({ "name": name, "step": st.key, "label": st.label_zh, "due": st.due, "submitted_at": st.submitted_at, "status": st.status_zh, "notify": notify }),
                }]).await?;
            n += 1;
        }
    }
    if n > 0 {
        s.feed.wake();
    }
    Ok(n)
}

/// Run the monitor every `every` until the process ends (on one node of
/// several: see `crate::cluster`).
pub fn spawn(s: AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    let st = s.clone();
    crate::cluster::spawn_once(&st.node(), "reports:deadline-monitor", every, move || {
        let s = s.clone();
        async move {
            if let Err(e) = scan(&s, time::OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "deadline scan failed");
            }
        }
    })
}
