//! Road routing over HTTP, on the graph named by `routing_graph` in the
//! configuration: travel time and route geometry between two points, a
//! travel-time matrix between many points, and the area reachable within a
//! time from one or more stations (GeoJSON).
//!
//! The route is answered on the request's own task: a query on the
//! hierarchy takes microseconds, less than the hop to the blocking pool
//! would cost. The matrix and the isochrone, which can take milliseconds to
//! seconds, run on the blocking pool. Coordinates are written with six
//! decimals (about 0.1 m), not seventeen digits.

use axum::extract::State;
use serde::{Deserialize, Serialize, Serializer};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::geojson::{FeatureTag, Geometry, LineStringTag};
use crate::http::{ApiError, Json, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(route))
        .routes(routes!(matrix))
        .routes(routes!(isochrone))
}

fn graph(s: &AppState) -> Result<std::sync::Arc<yingji_routing::Ch>, ApiError> {
    s.routing.clone().ok_or_else(|| {
        ApiError::Unavailable(
            "未加载路网：用 `yingji route build` 生成路网文件并在配置中设置 routing_graph".into(),
        )
    })
}

/// The points of a query field, `LAT,LON;LAT,LON…` (`not_lat_lon` when one
/// is not).
pub(crate) fn points(field: &str, s: &str) -> Result<Vec<[f64; 2]>, FieldError> {
    crate::route_cli::parse_points(s)
        .map_err(|e| FieldError::new(field, e.to_string()).code("not_lat_lon"))
}

/// A refusal of the road graph as a coded error of `field`.
pub(crate) fn routing_error(field: &str, e: &yingji_routing::Error) -> FieldError {
    use yingji_routing::Error as E;
    match e {
        E::InvalidCoordinate { .. } => FieldError::new(field, e.to_string()).code("not_lat_lon"),
        E::TooFarFromRoad { max_m, .. } => {
            FieldError::new(field, format!("{max_m} 米内没有可通行的道路"))
                .code("no_road_near")
                .param("max_m", *max_m)
        }
        E::InvalidTimeLimit(_) => FieldError::new(
            field,
            format!(
                "时限应大于 0 且不超过 {} 分钟",
                yingji_routing::MAX_TIME_LIMIT_S / 60.0
            ),
        )
        .code("time_limit_out_of_range")
        .param("max", yingji_routing::MAX_TIME_LIMIT_S / 60.0),
        _ => FieldError::new(field, e.to_string()).code("not_routable"),
    }
}

/// Snaps within the configured radius (`[snapping]`); beyond it the field is refused.
fn snap(
    r: &yingji_routing::Router<'_>,
    field: &str,
    p: [f64; 2],
) -> Result<yingji_routing::Snapped, FieldError> {
    r.snap(p[0], p[1]).map_err(|e| routing_error(field, &e))
}

/// The straight off-road lines `[[input], [on the road]]` of the given
/// points that are not on the road.
fn off_road_lines(pts: &[&yingji_routing::Snapped]) -> Vec<[[f64; 2]; 2]> {
    pts.iter()
        .filter(|s| s.distance_m > 0.0)
        .map(|s| [s.input, [s.lon, s.lat]])
        .collect()
}

/// A `[lon, lat]` written with six decimals (about 0.1 m on the ground).
#[derive(Clone, Copy)]
struct Coord([f64; 2]);

impl Serialize for Coord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = |x: f64| (x * 1e6).round() / 1e6;
        [r(self.0[0]), r(self.0[1])].serialize(s)
    }
}

fn coords(pts: &[[f64; 2]]) -> Vec<Coord> {
    pts.iter().copied().map(Coord).collect()
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RouteParams {
    /// LAT,LON
    pub from: String,
    /// LAT,LON
    pub to: String,
    /// Include the route's line (default true); `false` answers the times
    /// and distances only, with a null geometry.
    pub geometry: Option<bool>,
}

/// A GeoJSON LineString (`[lon, lat]`, six decimals).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RouteLine {
    #[serde(rename = "type")]
    kind: LineStringTag,
    #[schema(value_type = Vec<Vec<f64>>)]
    coordinates: Vec<Coord>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RouteProps {
    time_s: f64,
    distance_m: f64,
    road_time_s: f64,
    road_distance_m: f64,
    off_road: RouteOffRoad,
    off_road_kmh: f64,
    max_snap_m: f64,
    #[schema(value_type = Vec<f64>)]
    snapped_from: Coord,
    #[schema(value_type = Vec<f64>)]
    snapped_to: Coord,
    /// `[[input], [on the road]]` of each end off the road.
    #[schema(value_type = Vec<Vec<Vec<f64>>>)]
    off_road_lines: Vec<[Coord; 2]>,
}

/// The off-road legs of a route (`yingji_routing::OffRoad`, unrounded).
#[derive(Serialize, utoipa::ToSchema)]
pub struct RouteOffRoad {
    /// Snap distance of the start point, metres.
    from_m: f64,
    /// Snap distance of the end point, metres.
    to_m: f64,
    /// `from_m + to_m`.
    distance_m: f64,
    /// Time of the off-road leg, seconds.
    time_s: f64,
}

impl From<yingji_routing::OffRoad> for RouteOffRoad {
    fn from(o: yingji_routing::OffRoad) -> Self {
        RouteOffRoad {
            from_m: o.from_m,
            to_m: o.to_m,
            distance_m: o.distance_m,
            time_s: o.time_s,
        }
    }
}

/// `GET /routing/route`: a GeoJSON Feature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RouteFeature {
    #[serde(rename = "type")]
    kind: FeatureTag,
    geometry: Option<RouteLine>,
    properties: RouteProps,
}

#[utoipa::path(get, path = "/api/v1/routing/route", tag = "routing", params(RouteParams),
    responses((status = 200, body = RouteFeature, description = "GeoJSON Feature (LineString, or null with geometry=false) with time_s and distance_m"), (status = 503, body = crate::http::error::Problem)))]
async fn route(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RouteParams>,
) -> Result<axum::Json<RouteFeature>, ApiError> {
    authorize(&p, Action::Read, "routing")?;
    let ch = graph(&s)?;
    let (a, b) = (points("from", &q.from)?, points("to", &q.to)?);
    let (Some(a), Some(b), 1, 1) = (a.first().copied(), b.first().copied(), a.len(), b.len())
    else {
        return Err(ApiError::field(
            "from",
            "one_point",
            "from 与 to 各需一个 LAT,LON",
        ));
    };
    let cfg = s.config.snapping;
    let router = ch.router().with_snap(cfg);
    let (sa, sb) = (snap(&router, "from", a)?, snap(&router, "to", b)?);
    let r = router
        .route(&sa, &sb)
        .ok_or_else(|| ApiError::field("to", "no_route", "两点之间没有可通行的道路"))?;
    // time_s / distance_m are the totals; the road part and the off-road
    // leg (each end's snap distance at the configured speed) are given apart
    Ok(axum::Json(RouteFeature {
        kind: FeatureTag::Feature,
        geometry: q.geometry.unwrap_or(true).then(|| RouteLine {
            kind: LineStringTag::LineString,
            coordinates: coords(&r.geometry),
        }),
        properties: RouteProps {
            time_s: r.total_time_s,
            distance_m: r.total_distance_m,
            road_time_s: r.time_s,
            road_distance_m: r.distance_m,
            off_road: r.off_road.into(),
            off_road_kmh: cfg.off_road_kmh,
            max_snap_m: cfg.max_snap_m,
            snapped_from: Coord([sa.lon, sa.lat]),
            snapped_to: Coord([sb.lon, sb.lat]),
            off_road_lines: off_road_lines(&[&sa, &sb])
                .into_iter()
                .map(|[x, y]| [Coord(x), Coord(y)])
                .collect(),
        },
    }))
}

/// Most cells one matrix request may ask for.
pub const MAX_MATRIX_CELLS: usize = 1_000_000;

/// A travel-time matrix request: points as `[lat, lon]`, the order of the
/// `LAT,LON` of the other routing endpoints.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct MatrixRequest {
    /// Origins, each `[lat, lon]`.
    pub sources: Vec<[f64; 2]>,
    /// Destinations, each `[lat, lon]`.
    pub destinations: Vec<[f64; 2]>,
}

/// Where one point of a matrix request met the road.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MatrixPoint {
    /// `[lon, lat]` of the point on the road (six decimals).
    #[schema(value_type = [f64; 2])]
    snapped: Coord,
    /// Distance from the point to the road, metres (the off-road leg).
    snap_m: f64,
}

/// A travel-time matrix: `durations[i][j]` is the time from `sources[i]` to
/// `destinations[j]` in seconds (road plus both off-road legs), `null` where
/// no road joins them; `distances` likewise in metres.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MatrixAnswer {
    durations: Vec<Vec<Option<f64>>>,
    distances: Vec<Vec<Option<f64>>>,
    sources: Vec<MatrixPoint>,
    destinations: Vec<MatrixPoint>,
    off_road_kmh: f64,
    max_snap_m: f64,
}

/// Snaps every point of a request field, naming the first one that fails
/// (`sources[3]`).
fn snap_all(
    r: &yingji_routing::Router<'_>,
    field: &str,
    pts: &[[f64; 2]],
) -> Result<Vec<yingji_routing::Snapped>, ApiError> {
    pts.iter()
        .enumerate()
        .map(|(i, &[lat, lon])| {
            let name = format!("{field}[{i}]");
            let p = crate::route_cli::lon_lat(lat, lon).ok_or_else(|| {
                FieldError::new(
                    &name,
                    format!("[{lat}, {lon}] {}", crate::route_cli::NOT_LAT_LON),
                )
                .code("not_lat_lon")
            })?;
            Ok(snap(r, &name, p)?)
        })
        .collect()
}

fn matrix_point(s: &yingji_routing::Snapped) -> MatrixPoint {
    MatrixPoint {
        snapped: Coord([s.lon, s.lat]),
        snap_m: s.distance_m,
    }
}

#[utoipa::path(post, path = "/api/v1/routing/matrix", tag = "routing", request_body = MatrixRequest,
    responses((status = 200, body = MatrixAnswer), (status = 422, body = crate::http::error::Problem), (status = 503, body = crate::http::error::Problem)))]
async fn matrix(
    State(s): State<AppState>,
    p: Principal,
    Json(q): Json<MatrixRequest>,
) -> Result<axum::Json<MatrixAnswer>, ApiError> {
    authorize(&p, Action::Read, "routing")?;
    let ch = graph(&s)?;
    for (field, pts) in [("sources", &q.sources), ("destinations", &q.destinations)] {
        if pts.is_empty() {
            return Err(ApiError::field(
                field,
                "points_required",
                "至少需要一个点 [lat, lon]",
            ));
        }
    }
    if q.sources.len().saturating_mul(q.destinations.len()) > MAX_MATRIX_CELLS {
        return Err(FieldError::new(
            "destinations",
            format!("起点数 × 终点数不能超过 {MAX_MATRIX_CELLS}"),
        )
        .code("too_many_cells")
        .param("max", MAX_MATRIX_CELLS)
        .into());
    }
    let cfg = s.config.snapping;
    let router = ch.router().with_snap(cfg);
    let src = snap_all(&router, "sources", &q.sources)?;
    let dst = snap_all(&router, "destinations", &q.destinations)?;
    let answer = tokio::task::spawn_blocking(move || {
        let m = ch.router().with_snap(cfg).matrix(&src, &dst);
        let (mut durations, mut distances) =
            (Vec::with_capacity(src.len()), Vec::with_capacity(src.len()));
        for i in 0..src.len() {
            let legs: Vec<_> = (0..dst.len()).map(|j| m.get(i, j)).collect();
            durations.push(legs.iter().map(|l| l.map(|l| l.total_time_s)).collect());
            distances.push(
                legs.iter()
                    .map(|l| l.map(|l| l.distance_m + l.off_road.distance_m))
                    .collect(),
            );
        }
        MatrixAnswer {
            durations,
            distances,
            sources: src.iter().map(matrix_point).collect(),
            destinations: dst.iter().map(matrix_point).collect(),
            off_road_kmh: cfg.off_road_kmh,
            max_snap_m: cfg.max_snap_m,
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(axum::Json(answer))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct IsochroneParams {
    /// LAT,LON;LAT,LON;… (one or more stations)
    pub from: String,
    /// Time limit in minutes (default 60).
    pub minutes: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/routing/isochrone", tag = "routing", params(IsochroneParams),
    responses((status = 200, body = IsochroneFeature, description = "GeoJSON Feature (MultiPolygon) of the area reachable within the limit"), (status = 503, body = crate::http::error::Problem)))]
async fn isochrone(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<IsochroneParams>,
) -> Result<axum::Json<IsochroneFeature>, ApiError> {
    authorize(&p, Action::Read, "routing")?;
    let ch = graph(&s)?;
    let pts = points("from", &q.from)?;
    if pts.is_empty() || pts.len() > 1000 {
        return Err(FieldError::new("from", "需要 1–1000 个站点")
            .code("station_count")
            .param("min", 1)
            .param("max", 1000)
            .into());
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
    .map_err(|e| routing_error("minutes", &e))?;
    // The vertices rounded as every stored boundary is (seven decimals).
    let geometry =
        serde_json::from_value(yingji_geo::geojson::multipolygon_to_geojson(&iso.polygons))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(axum::Json(IsochroneFeature {
        kind: FeatureTag::Feature,
        geometry,
        properties: IsochroneProps {
            minutes,
            nodes_reached: iso.nodes.len(),
            source_snap_m: iso.source_snap_m,
            source_off_road_s: iso.source_off_road_s,
            off_road_kmh: cfg.off_road_kmh,
            max_snap_m: cfg.max_snap_m,
        },
    }))
}

/// `GET /routing/isochrone`: a GeoJSON Feature (MultiPolygon).
#[derive(Serialize, utoipa::ToSchema)]
pub struct IsochroneFeature {
    #[serde(rename = "type")]
    kind: FeatureTag,
    geometry: Geometry,
    properties: IsochroneProps,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IsochroneProps {
    minutes: f64,
    nodes_reached: usize,
    /// Each station's snap distance, metres.
    source_snap_m: Vec<f64>,
    /// The off-road time taken from each station's budget, seconds.
    source_off_road_s: Vec<f64>,
    off_road_kmh: f64,
    max_snap_m: f64,
}
