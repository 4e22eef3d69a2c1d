//! The journal over HTTP: a page of entries and the live feed (SSE).

use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use serde::Deserialize;

use super::{list, Entry, ListFilter};
use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::{date_param, ApiError, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(stream))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    pub limit: Option<i64>,
    /// Entries before this sequence number (paging back).
    pub before: Option<i64>,
    pub module: Option<String>,
    pub entity: Option<String>,
    pub id: Option<String>,
    /// Only what this person did (a username; `system` for the platform's jobs).
    pub actor: Option<String>,
    /// First day (YYYY-MM-DD, Beijing time).
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD, Beijing time).
    pub to: Option<String>,
}

/// The UTC bounds `[from 00:00, the day after to 00:00)` of Beijing days,
/// as the journal stores times.
fn day_bounds(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let start =
        |d: time::Date| crate::clock::format_time(d.midnight().assume_offset(crate::clock::CST));
    let from = from.map(|s| date_param(s, "from")).transpose()?;
    let to = to.map(|s| date_param(s, "to")).transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(FieldError::new("to", "结束日期早于开始日期")
                .code("to_before_from")
                .into());
        }
    }
    Ok((from.map(start), to.and_then(|d| d.next_day()).map(start)))
}

/// Personal data in an entry's payload, as the reader may see it.
fn redact(p: &Principal, e: &mut super::Entry) {
    if let Some(spec) = (e.module == "registry")
        .then(|| crate::resources::kind(&e.entity))
        .flatten()
    {
        crate::registry::redact_journal(p, spec, &e.jurisdiction, &mut e.payload);
    }
}

#[utoipa::path(get, path = "/api/v1/journal", tag = "journal", params(PageParams), responses((status = 200, body = [Entry])))]
async fn page(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<Vec<Entry>>, ApiError> {
    let scope = authorize(&p, Action::Read, "journal")?;
    let (at_from, at_before) = day_bounds(q.from.as_deref(), q.to.as_deref())?;
    let f = ListFilter {
        jurisdiction_prefix: scope.prefix,
        before: q.before,
        module: q.module,
        entity: q.entity,
        entity_id: q.id,
        actor: q.actor.filter(|a| !a.is_empty()),
        at_from,
        at_before,
        limit: q.limit.unwrap_or(50),
        ..Default::default()
    };
    let mut entries = list(&s.db, &f).await?;
    for e in &mut entries {
        redact(&p, e);
    }
    Ok(axum::Json(entries))
}

#[utoipa::path(get, path = "/api/v1/journal/stream", tag = "journal",
    responses((status = 200, description = "text/event-stream: `event: journal`, `id: seq`, `data: Entry`; resumes after `Last-Event-ID`")))]
async fn stream(
    State(s): State<AppState>,
    p: Principal,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let scope = authorize(&p, Action::Read, "journal")?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let start = match resume {
        Some(seq) => seq,
        None => super::head(&s.db).await?.0,
    };
    let mut sub = s.feed.subscribe(&s.db, &scope.prefix, start).await?;
    let stream = async_stream::stream! {
        loop {
            let mut e = sub.next().await;
            redact(&p, &mut e);
            if let Ok(ev) = Event::default().event("journal").id(e.seq.to_string()).json_data(&e) {
                yield Ok(ev);
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::day_bounds;

    #[test]
    fn beijing_days_become_utc_bounds() {
        type Row<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let rows: [Row; 4] = [
            (None, None, None, None),
            // A Beijing day starts at 16:00 UTC the evening before.
            (
                Some("2026-12-08"),
                None,
                Some("2026-12-07T16:00:00.000Z"),
                None,
            ),
            // `to` is inclusive: the bound is the next day's start.
            (
                None,
                Some("2026-12-08"),
                None,
                Some("2026-12-08T16:00:00.000Z"),
            ),
            (
                Some("2026-12-31"),
                Some("2026-12-31"),
                Some("2026-12-30T16:00:00.000Z"),
                Some("2026-12-31T16:00:00.000Z"),
            ),
        ];
        for (from, to, want_from, want_before) in rows {
            let (f, b) = day_bounds(from, to).unwrap();
            assert_eq!(f.as_deref(), want_from, "{from:?}");
            assert_eq!(b.as_deref(), want_before, "{to:?}");
        }
        assert!(day_bounds(Some("2026-12-09"), Some("2026-12-08")).is_err());
        assert!(day_bounds(Some("9999-12-31"), None).is_err());
        assert!(day_bounds(None, Some("12/08/2026")).is_err());
    }
}
