//! HTTP routes of the command centre: display tokens (issued, listed and
//! revoked by an administrator; opened by the wall display) and the
//! situation (dispatched resources under way). Every handler asks
//! [`authorize`]; a display token's requests are an observer's (see the
//! module's documentation).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{check_new, store, DisplayToken, DEFAULT_DISPLAY_DAYS, DISPLAY_COOKIE};
use crate::auth::{authorize, Action, Principal};
use crate::clock::format_time;
use crate::divisions::Code;
use crate::error::FieldError;
use crate::http::{ApiError, Json};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(open_display))
        .routes(routes!(display_me))
        .routes(routes!(en_route))
        .routes(routes!(roads))
}

const MODULE: &str = "display_tokens";

fn entry(actor: &str, t: &DisplayToken, kind: &'static str) -> NewEntry {
    NewEntry::new(
        actor,
        "centre",
        &t.division,
        "display_token",
        t.id,
        kind,
        serde_json::json!({ "name": t.name, "division": t.division, "expires_at": t.expires_at }),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDisplayTokenBody {
    /// Where the display hangs (`市指挥大厅`).
    pub name: String,
    /// The division it shows (default: the administrator's); inside their
    /// jurisdiction.
    pub division: Option<String>,
    /// Lifetime in days (default 90, at most 366).
    pub days: Option<i64>,
}

/// A newly issued display token: the secret is in this answer only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedDisplayToken {
    #[serde(flatten)]
    pub token: DisplayToken,
    /// The secret; never shown again.
    pub secret: String,
    /// The address to open on the display (`/screen?token=…`).
    pub url: String,
}

#[utoipa::path(get, path = "/api/v1/display-tokens", tag = "centre",
    responses((status = 200, body = Vec<DisplayToken>), (status = 403, body = crate::http::error::Problem)))]
async fn list_tokens(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<DisplayToken>>, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    Ok(axum::Json(store::list(&s.db, &scope.prefix).await?))
}

/// Issue a read-only display token for a wall display (大屏).
#[utoipa::path(post, path = "/api/v1/display-tokens", tag = "centre", request_body = NewDisplayTokenBody,
    responses((status = 201, body = IssuedDisplayToken), (status = 403, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn create_token(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDisplayTokenBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    let (name, days) =
        check_new(&b.name, b.days.unwrap_or(DEFAULT_DISPLAY_DAYS)).map_err(ApiError::Validation)?;
    let division = match b
        .division
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => p.division.clone(),
        Some(d) => Code::parse(d).map_err(|_| bad_division())?,
    };
    if s.tree().get(&division).is_none() || !scope.covers(division.as_str(), "") {
        return Err(bad_division());
    }
    let now = OffsetDateTime::now_utc();
    let expires = now + time::Duration::days(days);
    let (secret, hash) = crate::auth::new_token();
    let mut change = s.change().await?;
    let id = store::insert(
        &mut change,
        store::NewDisplayToken {
            token_hash: &hash,
            name: &name,
            division: division.as_str(),
            created_by: &p.username,
            created_at: now,
            expires_at: expires,
        },
    )
    .await?;
    let token = store::get_tx(&mut change, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    change
        .commit(
            now,
            vec![entry(&p.username, &token, "display_token_issued")],
        )
        .await?;
    let url = format!("/screen?token={secret}");
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedDisplayToken { token, secret, url }),
    )
        .into_response())
}

fn bad_division() -> ApiError {
    FieldError::new("division", "区划不存在或不在您的管辖范围内")
        .code("out_of_jurisdiction")
        .into()
}

/// Revoke a display token: the display stops at its next request.
#[utoipa::path(delete, path = "/api/v1/display-tokens/{id}", tag = "centre", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
async fn revoke_token(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let scope = authorize(&p, Action::Admin, MODULE)?;
    let now = OffsetDateTime::now_utc();
    let mut change = s.change().await?;
    let t = store::get_tx(&mut change, id)
        .await?
        .filter(|t| scope.covers(&t.division, ""))
        .ok_or(ApiError::NotFound)?;
    if !store::revoke(&mut change, id, &p.username, now).await? {
        return Err(ApiError::NotFound);
    }
    change
        .commit(now, vec![entry(&p.username, &t, "display_token_revoked")])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenDisplayBody {
    pub token: String,
}

/// Who a display is: its name and jurisdiction.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DisplayInfo {
    pub name: String,
    pub division: String,
    pub division_name: String,
    /// True when the request came from a display token (not a login).
    pub display: bool,
}

/// The wall display opens with its token: answered with an HttpOnly
/// cookie its further (read-only) requests carry.
#[utoipa::path(post, path = "/api/v1/display/open", tag = "centre", request_body = OpenDisplayBody,
    responses((status = 200, body = DisplayInfo), (status = 401, body = crate::http::error::Problem)))]
async fn open_display(
    State(s): State<AppState>,
    Json(b): Json<OpenDisplayBody>,
) -> Result<Response, ApiError> {
    let now = OffsetDateTime::now_utc();
    let hash = crate::auth::token_hash(b.token.trim());
    let t = store::valid_by_hash(&s.db, &hash, now)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let max_age = (t.expires_at.0 - now).whole_seconds().max(0);
    let cookie = format!(
        "{DISPLAY_COOKIE}={}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        b.token.trim(),
        if s.config.cookies_secure() {
            "; Secure"
        } else {
            ""
        }
    );
    let info = DisplayInfo {
        division_name: division_name(&s, &t.division),
        name: t.name,
        division: t.division,
        display: true,
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(info)).into_response())
}

fn division_name(s: &AppState, code: &str) -> String {
    Code::parse(code)
        .ok()
        .and_then(|c| s.tree().get(&c).map(|d| d.name.clone()))
        .unwrap_or_default()
}

/// The display (or user) behind the request.
#[utoipa::path(get, path = "/api/v1/display/me", tag = "centre",
    responses((status = 200, body = DisplayInfo), (status = 401, body = crate::http::error::Problem)))]
async fn display_me(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<DisplayInfo>, ApiError> {
    authorize(&p, Action::Read, "incidents")?;
    Ok(axum::Json(DisplayInfo {
        name: p.display_name.clone(),
        division: p.division.as_str().to_string(),
        division_name: division_name(&s, p.division.as_str()),
        display: p.username.starts_with("display:"),
    }))
}

/// A dispatched resource under way or on site.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnRoute {
    pub order_id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub resource_kind: String,
    pub resource_id: i64,
    pub resource_name: String,
    /// approved | departed | arrived
    pub state: String,
    /// When it entered this state (RFC 3339).
    pub since: String,
    /// Where the resource is kept (its registry location), WGS84 [lon, lat].
    pub from: Option<[f64; 2]>,
    /// The incident's location, if known.
    pub to: Option<[f64; 2]>,
    /// The way by road from `from` to `to` (`[lon, lat]`, 6 decimals; the
    /// off-road legs at both ends included), when a road graph is loaded,
    /// both ends are within its search radius and it is not yet on site.
    /// None: draw the straight line.
    pub route: Option<Vec<[f64; 2]>>,
    /// Travel time of that way in seconds (road and off-road legs).
    pub travel_time_s: Option<f64>,
    /// Expected on site (RFC 3339): the departure plus the travel time;
    /// only for a resource under way.
    pub eta: Option<String>,
}

/// Dispatched resources (approved, under way, on site) of the active
/// incidents in the jurisdiction, for the situation map.
#[utoipa::path(get, path = "/api/v1/situation/en-route", tag = "centre",
    responses((status = 200, body = Vec<EnRoute>), (status = 403, body = crate::http::error::Problem)))]
async fn en_route(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<EnRoute>>, ApiError> {
    let scope = authorize(&p, Action::Read, "incidents")?;
    let incidents = crate::incidents::store::list_incidents(&s.db, &scope.prefix, true).await?;
    let tree = s.tree();
    let mut out = Vec::new();
    for i in &incidents {
        for o in crate::incidents::store::orders(&s.db, i.id).await? {
            use crate::incidents::DispatchState as D;
            let state = match o.state {
                D::Approved => "approved",
                D::Departed => "departed",
                D::Arrived => "arrived",
                _ => continue,
            };
            let since = o
                .steps
                .0
                .iter()
                .rev()
                .map(|st| st.at.clone())
                .next()
                .unwrap_or_else(|| format_time(o.requested_at.0));
            let from = crate::registry::store::get(&s.db, &tree, &o.resource_kind, o.resource_id)
                .await?
                .map(|r| [r.lon, r.lat]);
            out.push(EnRoute {
                order_id: o.id,
                incident_id: i.id,
                incident_title: i.title.clone(),
                resource_kind: o.resource_kind.clone(),
                resource_id: o.resource_id,
                resource_name: o.resource_name.clone(),
                state: state.to_string(),
                since,
                from,
                to: i.lon.zip(i.lat).map(|(a, b)| [a, b]),
                route: None,
                travel_time_s: None,
                eta: None,
            });
        }
    }
    let Some(ch) = s.routing.clone() else {
        return Ok(axum::Json(out));
    };
    let cfg = s.config.snapping;
    let out = tokio::task::spawn_blocking(move || by_road(&ch, cfg, out))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(axum::Json(out))
}

/// Each resource not yet on site gets its way by road, its travel time
/// and, under way, its expected arrival.
fn by_road(
    ch: &yingji_routing::Ch,
    cfg: yingji_routing::SnapConfig,
    mut rows: Vec<EnRoute>,
) -> Vec<EnRoute> {
    let router = ch.router().with_snap(cfg);
    let six = |p: [f64; 2]| p.map(|v| (v * 1e6).round() / 1e6);
    for r in rows.iter_mut().filter(|r| r.state != "arrived") {
        let (Some(from), Some(to)) = (r.from, r.to) else {
            continue;
        };
        let (Ok(a), Ok(b)) = (router.snap(from[0], from[1]), router.snap(to[0], to[1])) else {
            continue;
        };
        let Some(route) = router.route(&a, &b) else {
            continue;
        };
        let mut line = Vec::with_capacity(route.geometry.len() + 2);
        line.push(six(from));
        line.extend(route.geometry.iter().copied().map(six));
        line.push(six(to));
        line.dedup();
        r.travel_time_s = Some((route.total_time_s * 10.0).round() / 10.0);
        r.eta = crate::clock::parse_time(&r.since)
            .and_then(|since| super::eta(&r.state, since, r.travel_time_s))
            .map(format_time);
        r.route = Some(line);
    }
    rows
}

/// Above this many road segments the map's offline road layer is not
/// served: a province's network belongs in a tile server (`[map] tile_url`),
/// not in one answer.
pub const ROADS_LAYER_MAX_SEGMENTS: usize = 200_000;

/// The offline base layer's roads: the loaded road graph's segments as
/// lines, so a map has context with no tile server (the demo: Datong's main
/// roads, © OpenStreetMap contributors, ODbL).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoadsLayer {
    /// Polylines of `[lon, lat]` (5 decimals, about 1 m); each road once,
    /// whatever its directions.
    pub lines: Vec<Vec<[f64; 2]>>,
    /// True when the graph is larger than the layer serves (nothing sent).
    pub too_large: bool,
}

#[utoipa::path(get, path = "/api/v1/map/roads", tag = "map",
    responses((status = 200, body = RoadsLayer, description = "The road graph's roads as lines (empty without a graph)")))]
async fn roads(State(s): State<AppState>, p: Principal) -> Result<Response, ApiError> {
    authorize(&p, Action::Read, "divisions")?;
    let layer = match s.routing.clone() {
        None => RoadsLayer {
            lines: Vec::new(),
            too_large: false,
        },
        Some(ch) => tokio::task::spawn_blocking(move || road_lines(ch.graph()))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    // The graph changes only with a restart: let the browser keep it.
    Ok((
        [(header::CACHE_CONTROL, "private, max-age=3600")],
        axum::Json(layer),
    )
        .into_response())
}

/// Each road segment once (a two-way road has two directed edges), chains
/// of segments through nodes with exactly one way on and one way off
/// joined into one line.
pub fn road_lines(g: &yingji_routing::Graph) -> RoadsLayer {
    use std::collections::{HashMap, HashSet};
    if g.num_edges() > 2 * ROADS_LAYER_MAX_SEGMENTS {
        return RoadsLayer {
            lines: Vec::new(),
            too_large: true,
        };
    }
    // Undirected segments, each once.
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut adj: HashMap<u32, Vec<u32>> = HashMap::new();
    for e in 0..g.num_edges() as u32 {
        let (a, b) = g.endpoints(e);
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        adj.entry(a).or_default().push(b);
        adj.entry(b).or_default().push(a);
    }
    let five = |n: u32| g.coord(n).map(|v| (v * 1e5).round() / 1e5);
    let mut used: HashSet<(u32, u32)> = HashSet::new();
    let mut lines = Vec::new();
    let through = |n: u32| adj.get(&n).is_some_and(|v| v.len() == 2);
    let mut starts: Vec<u32> = adj.keys().copied().filter(|&n| !through(n)).collect();
    starts.sort_unstable();
    // Then closed rings, whose every node is a through node.
    let mut rest: Vec<u32> = adj.keys().copied().filter(|&n| through(n)).collect();
    rest.sort_unstable();
    starts.extend(rest);
    for s in starts {
        for &first in adj.get(&s).map(Vec::as_slice).unwrap_or(&[]) {
            if used.contains(&(s.min(first), s.max(first))) {
                continue;
            }
            let mut line = vec![five(s)];
            let (mut prev, mut cur) = (s, first);
            loop {
                used.insert((prev.min(cur), prev.max(cur)));
                line.push(five(cur));
                if cur == s || !through(cur) {
                    break;
                }
                let next = adj[&cur]
                    .iter()
                    .copied()
                    .find(|&n| n != prev && !used.contains(&(cur.min(n), cur.max(n))));
                match next {
                    Some(n) => (prev, cur) = (cur, n),
                    None => break,
                }
            }
            line.dedup();
            if line.len() >= 2 {
                lines.push(line);
            }
        }
    }
    RoadsLayer {
        lines,
        too_large: false,
    }
}

#[cfg(test)]
mod tests {
    use super::road_lines;
    use yingji_routing::{Graph, InputEdge};

    fn edge(from: u32, to: u32) -> InputEdge {
        InputEdge {
            from,
            to,
            time_s: 10.0,
            distance_m: 100.0,
            way_id: 1,
        }
    }

    #[test]
    fn each_road_once_with_chains_joined() {
        // 0 — 1 — 2 — 3 two-way, a branch 2 → 4 one-way, a spur 3 — 5.
        let coords = [
            [113.0, 40.0],
            [113.001, 40.0],
            [113.002, 40.0],
            [113.003, 40.0],
            [113.002, 40.001],
            [113.004, 40.0],
        ];
        let mut edges = Vec::new();
        for (a, b) in [(0, 1), (1, 2), (2, 3), (3, 5)] {
            edges.push(edge(a, b));
            edges.push(edge(b, a));
        }
        edges.push(edge(2, 4));
        let g = Graph::from_edges(&coords, &edges).unwrap();
        let layer = road_lines(&g);
        assert!(!layer.too_large);
        // Every undirected segment appears exactly once over all lines.
        let mut segs: Vec<([i64; 2], [i64; 2])> = layer
            .lines
            .iter()
            .flat_map(|l| l.windows(2).map(|w| (w[0], w[1])))
            .map(|(a, b)| {
                let k = |p: [f64; 2]| [(p[0] * 1e5).round() as i64, (p[1] * 1e5).round() as i64];
                let (a, b) = (k(a), k(b));
                if a <= b {
                    (a, b)
                } else {
                    (b, a)
                }
            })
            .collect();
        segs.sort();
        let before = segs.len();
        segs.dedup();
        assert_eq!(before, segs.len(), "no segment twice: {:?}", layer.lines);
        assert_eq!(segs.len(), 5, "{:?}", layer.lines);
        // 0 — 1 — 2 is one line (1 is a through node); 2 is a junction.
        assert!(
            layer.lines.iter().any(|l| l.len() == 3),
            "chain through node 1 joined: {:?}",
            layer.lines
        );
        assert_eq!(layer.lines.len(), 3, "{:?}", layer.lines);
    }
}
