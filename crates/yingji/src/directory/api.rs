//! HTTP route of the directory: `GET /api/v1/directory`. Each registry kind
//! goes through `auth::authorize` (read, the reader's jurisdiction) and the
//! registries' masking ([`crate::registry::redact_for`]); a kind the reader
//! may not read is left out, not refused, so every role gets the directory
//! it is entitled to.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{entry, matches, Entry, KINDS};
use crate::auth::{authorize, Action, Principal};
use crate::http::{ApiError, Query};
use crate::registry::store::{self, Filter};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(directory))
}

/// Records read per kind at most (the city's villages are ~1,900).
const PER_KIND: i64 = 5_000;

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct DirectoryParams {
    /// Words that must all appear in the name, person, organisation,
    /// position, division or a number.
    pub q: Option<String>,
    /// Only this registry kind (`contact`, `team`, `expert`, `enterprise`,
    /// `shelter`, `warehouse`, `settlement`).
    pub kind: Option<String>,
    /// Only contacts of this group (`command`, `department`, `township`,
    /// `utility`, `military`, `other`).
    pub group: Option<String>,
    /// Entries returned at most (default 200, at most 1,000).
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub entries: Vec<Entry>,
    /// How many entries matched (more than `entries` when limited).
    pub total: usize,
}

#[utoipa::path(get, path = "/api/v1/directory", tag = "directory", params(DirectoryParams),
    responses((status = 200, body = Directory), (status = 401, body = crate::http::error::Problem)))]
pub(crate) async fn directory(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DirectoryParams>,
) -> Result<axum::Json<Directory>, ApiError> {
    let text = q.q.as_deref().unwrap_or_default().trim().to_string();
    let group = q.group.as_deref().map(str::trim).filter(|g| !g.is_empty());
    let limit = usize::try_from(q.limit.unwrap_or(200).clamp(1, 1000)).unwrap_or(200);
    let tree = s.tree();
    let mut out: Vec<Entry> = Vec::new();
    for kind in KINDS {
        if q.kind.as_deref().is_some_and(|k| k != kind) || (group.is_some() && kind != "contact") {
            continue;
        }
        let Some(spec) = crate::resources::kind(kind) else {
            continue;
        };
        // A kind this reader may not read is not part of their directory.
        let Ok(scope) = authorize(&p, Action::Read, &format!("registry.{kind}")) else {
            continue;
        };
        let f = Filter {
            category: group.map(str::to_string),
            limit: PER_KIND,
            ..Default::default()
        };
        let (_, mut items) = store::list(&s.db, &tree, kind, &scope, &f).await?;
        crate::registry::redact_for(&p, spec, &mut items);
        out.extend(items.iter().filter_map(entry).filter(|e| matches(e, &text)));
    }
    let total = out.len();
    out.truncate(limit);
    Ok(axum::Json(Directory {
        entries: out,
        total,
    }))
}
