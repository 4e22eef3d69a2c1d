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
use crate::http::{ApiError, Query};
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
    let f = ListFilter {
        jurisdiction_prefix: scope.prefix,
        before: q.before,
        module: q.module,
        entity: q.entity,
        entity_id: q.id,
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
