//! Road routing over HTTP, on the graph named by `routing_graph` in the
//! configuration: travel time and route geometry between two points, and the
//! area reachable within a time from one or more stations (GeoJSON).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{authorize, Action, Principal};
use crate::http::{ApiError, Query};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/routing/route", get(route))
        .route("/routing/isochrone", get(isochrone))
}

fn graph(s: &AppState) -> Result<std::sync::Arc<yingji_routing::Ch>, ApiError> {
    s.routing.clone().ok_or_else(|| {
        ApiError::Unavailable(
            "未加载路网：用 `yingji route build` 生成路网文件并在配置中设置 routing_graph".into(),
        )
    })
}

fn points(field: &str, s: &str) -> Result<Vec<[f64; 2]>, ApiError> {
    crate::route_cli::parse_points(s).map_err(|e| ApiError::field(field, e.to_string()))
}

/// Snaps within the configured radius (`[snapping]`); beyond it the field is refused.
fn snap(
    r: &yingji_routing::Router<'_>,
    field: &str,
    p: [f64; 2],
) -> Result<yingji_routing::Snapped, ApiError> {
    r.snap(p[0], p[1])
        .map_err(|e| ApiError::field(field, e.to_string()))
}

/// The straight off-road lines `[[input], [on the road]]` of the given
/// points that are not on the road.
fn off_road_lines(pts: &[&yingji_routing::Snapped]) -> Vec<[[f64; 2]; 2]> {
    pts.iter()
        .filter(|s| s.distance_m > 0.0)
        .map(|s| [s.input, [s.lon, s.lat]])
        .collect()
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RouteParams {
    /// LAT,LON
    pub from: String,
    /// LAT,LON
    pub to: String,
}

#[utoipa::path(get, path = "/api/v1/routing/route", tag = "routing", params(RouteParams),
    responses((status = 200, description = "GeoJSON Feature (LineString) with time_s and distance_m"), (status = 503, body = crate::http::error::Problem)))]
async fn route(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RouteParams>,
) -> Result<axum::Json<Value>, ApiError> {
    authorize(&p, Action::Read, "routing")?;
    let ch = graph(&s)?;
    let (a, b) = (points("from", &q.from)?, points("to", &q.to)?);
    let (Some(a), Some(b), 1, 1) = (a.first().copied(), b.first().copied(), a.len(), b.len())
    else {
        return Err(ApiError::field("from", "from 与 to 各需一个 LAT,LON"));
    };
    let cfg = s.config.snapping;
    let router = ch.router().with_snap(cfg);
    let (sa, sb) = (snap(&router, "from", a)?, snap(&router, "to", b)?);
    let r = tokio::task::spawn_blocking(move || ch.router().with_snap(cfg).route(&sa, &sb))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let r = r.ok_or_else(|| ApiError::field("to", "两点之间没有可通行的道路"))?;
    // time_s / distance_m are the totals; the road part and the off-road
    // leg (each end's snap distance at the configured speed) are given apart
    Ok(axum::Json(json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": r.geometry },
        "properties": {
            "time_s": r.total_time_s,
            "distance_m": r.total_distance_m,
            "road_time_s": r.time_s,
            "road_distance_m": r.distance_m,
            "off_road": r.off_road,
            "off_road_kmh": cfg.off_road_kmh,
            "max_snap_m": cfg.max_snap_m,
            "snapped_from": [sa.lon, sa.lat],
            "snapped_to": [sb.lon, sb.lat],
            "off_road_lines": off_road_lines(&[&sa, &sb]),
        },
    })))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct IsochroneParams {
    /// LAT,LON;LAT,LON;… (one or more stations)
    pub from: String,
    /// Time limit in minutes (default 60).
    pub minutes: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/routing/isochrone", tag = "routing", params(IsochroneParams),
    responses((status = 200, description = "GeoJSON Feature (MultiPolygon) of the area reachable within the limit"), (status = 503, body = crate::http::error::Problem)))]
async fn isochrone(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<IsochroneParams>,
) -> Result<axum::Json<Value>, ApiError> {
    authorize(&p, Action::Read, "routing")?;
    let ch = graph(&s)?;
    let pts = points("from", &q.from)?;
    if pts.is_empty() || pts.len() > 1000 {
        return Err(ApiError::field("from", "需要 1–1000 个站点"));
    }
    let minutes = q.minutes.unwrap_or(60.0);
    let cfg = s.config.snapping;
    let router = ch.router().with_snap(cfg);
    let snapped = pts
        .iter()
        .map(|pt| snap(&router, "from", *pt))
        .collect::<Result<Vec<_>, _>>()?;
    let iso = tokio::task::spawn_blocking(move || {
        ch.router()
            .with_snap(cfg)
            .isochrone(&snapped, minutes * 60.0)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::field("minutes", e.to_string()))?;
    let mut props = serde_json::Map::new();
    props.insert("minutes".into(), json!(minutes));
    props.insert("nodes_reached".into(), json!(iso.nodes.len()));
    // each station's snap distance and the off-road time taken from its budget
    props.insert("source_snap_m".into(), json!(iso.source_snap_m));
    props.insert("source_off_road_s".into(), json!(iso.source_off_road_s));
    props.insert("off_road_kmh".into(), json!(cfg.off_road_kmh));
    props.insert("max_snap_m".into(), json!(cfg.max_snap_m));
    Ok(axum::Json(
        json!({ "type": "Feature", "geometry": yingji_geo::geojson::multipolygon_to_geojson(&iso.polygons), "properties": props }),
    ))
}
