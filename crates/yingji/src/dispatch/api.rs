//! HTTP routes of dispatch: nearest resources to a point, and coverage of
//! settlements by a kind of station (with suggested new sites).

use super::DISPATCHABLE;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};
use yingji_routing::{
    Ch, CoverageParams, CoverageReport, DemandPoint, Leg, SiteSelection, SnapConfig, Snapped,
};

use super::{
    coverage_estimate, greedy_sites_estimate, ineligible, rank_by, Estimate, Method, Need, Timed,
};
use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::{ApiError, Query};
use crate::registry::{store as rstore, Item};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(nearest))
        .routes(routes!(coverage))
}

/// Kinds whose records can be stations in a coverage analysis.
pub const STATIONS: [&str; 4] = ["team", "equipment", "warehouse", "shelter"];
/// Most records one question may consider.
const MAX_RECORDS: i64 = 20_000;

fn join_err(e: tokio::task::JoinError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Every record of `kind` the user may read (optionally one category, under
/// a division).
async fn records(
    s: &AppState,
    p: &Principal,
    kind: &str,
    category: Option<&str>,
    division: Option<&str>,
) -> Result<Vec<Item>, ApiError> {
    let scope = authorize(p, Action::Read, &format!("registry.{kind}"))?;
    let f = rstore::Filter {
        category: category.map(str::to_string),
        division: division.map(str::to_string),
        limit: MAX_RECORDS + 1,
        ..Default::default()
    };
    let (total, mut items) = rstore::list(&s.db, &s.tree(), kind, &scope, &f).await?;
    if total > MAX_RECORDS {
        return Err(ApiError::from(
            FieldError::new(
                "division",
                format!("{total} 条记录超过一次分析的上限 {MAX_RECORDS}，请缩小区划范围"),
            )
            .code("too_many_records")
            .param("total", total)
            .param("max", MAX_RECORDS),
        ));
    }
    if let Some(spec) = crate::resources::kind(kind) {
        crate::registry::redact_for(p, spec, &mut items);
    }
    Ok(items)
}

fn one_point(field: &str, s: &str) -> Result<[f64; 2], ApiError> {
    match crate::routing_api::points(field, s)?.as_slice() {
        [one] => Ok(*one),
        _ => Err(ApiError::from(
            FieldError::new(field, "需要一个 LAT,LON").code("one_point"),
        )),
    }
}

pub(crate) fn estimate_note(e: &Estimate) -> String {
    format!(
        "按直线距离 × 绕行系数 {} 、平均车速 {} km/h 估算",
        e.detour_factor, e.speed_kmh
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct NearestParams {
    /// Incident location, LAT,LON (WGS84).
    pub at: String,
    /// team | expert | equipment | warehouse | shelter
    pub kind: String,
    /// Category of the kind (team kind, equipment type, shelter class…).
    pub category: Option<String>,
    /// Warehouses: a supply among their main supplies.
    pub supply: Option<String>,
    /// Shelters: at least this many places.
    pub min_capacity: Option<i64>,
    /// How many to return (1–100, default 10).
    pub limit: Option<usize>,
    /// Include route geometry (default true).
    pub routes: Option<bool>,
    /// Offer dispatched / maintenance records too (default false).
    pub include_unavailable: Option<bool>,
    /// Categories the incident calls for, most needed first (comma
    /// separated, e.g. `mine,medical,fire` from the incident's
    /// `suggested_team_kinds`): those come first, then the rest, each by
    /// travel time.
    pub prefer: Option<String>,
}

/// The snapped incident and each candidate's snap (None: no road within the radius).
type Snaps = (Snapped, Vec<Option<Snapped>>);

/// Times from every candidate to the incident: by road where both snap
/// (the road time plus the off-road leg of each end, `legs` has the
/// parts), else by the estimate. Also the snapped incident, for routes.
pub(crate) fn times(
    ch: Option<&Ch>,
    cfg: SnapConfig,
    est: &Estimate,
    at: [f64; 2],
    points: &[[f64; 2]],
) -> (Vec<Option<Timed>>, Vec<Option<Leg>>, Option<Snaps>) {
    let by_estimate = |p: &[f64; 2]| {
        let (t, d) = est.leg(*p, at);
        Some((t, d, Method::Estimate))
    };
    let road = ch.and_then(|c| {
        let r = c.router().with_snap(cfg);
        r.snap(at[0], at[1]).ok().map(|t| (r, t))
    });
    let Some((router, target)) = road else {
        return (
            points.iter().map(by_estimate).collect(),
            vec![None; points.len()],
            None,
        );
    };
    let snaps: Vec<Option<Snapped>> = points
        .iter()
        .map(|p| router.snap(p[0], p[1]).ok())
        .collect();
    let on_road: Vec<Snapped> = snaps.iter().flatten().copied().collect();
    let m = router.matrix(&on_road, std::slice::from_ref(&target));
    let mut row = 0;
    let mut legs = Vec::with_capacity(points.len());
    let out = points
        .iter()
        .zip(&snaps)
        .map(|(p, s)| match s {
            Some(_) => {
                let leg = m.get(row, 0);
                row += 1;
                legs.push(leg);
                leg.map(|l| {
                    (
                        l.total_time_s,
                        l.distance_m + l.off_road.distance_m,
                        Method::Road,
                    )
                })
            }
            None => {
                legs.push(None);
                by_estimate(p)
            }
        })
        .collect();
    (out, legs, Some((target, snaps)))
}

/// The straight off-road lines (`[point, on the road]`) of the snapped
/// points that are not on the road.
fn off_road_lines(pts: &[Option<&Snapped>]) -> Vec<[[f64; 2]; 2]> {
    pts.iter()
        .flatten()
        .filter(|s| s.distance_m > 0.0)
        .map(|s| [s.input, [s.lon, s.lat]])
        .collect()
}

#[utoipa::path(get, path = "/api/v1/dispatch/nearest", tag = "dispatch", params(NearestParams),
    responses((status = 200, body = NearestResult, description = "Candidates ranked by travel time to the point, with the method used and routes"),
              (status = 422, body = crate::http::error::Problem)))]
async fn nearest(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<NearestParams>,
) -> Result<axum::Json<NearestResult>, ApiError> {
    authorize(&p, Action::Read, "dispatch")?;
    if !DISPATCHABLE.contains(&q.kind.as_str()) {
        return Err(ApiError::from(
            FieldError::new("kind", format!("可调度的类型：{}", DISPATCHABLE.join(", ")))
                .code("not_an_option")
                .param("value", q.kind.clone())
                .param("options", DISPATCHABLE.join(", ")),
        ));
    }
    let at = one_point("at", &q.at)?;
    let limit = q.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::from(
            FieldError::new("limit", "limit 应在 1–100 之间")
                .code("out_of_range")
                .param("min", 1)
                .param("max", 100),
        ));
    }
    if q.min_capacity.is_some_and(|c| c < 0) {
        return Err(ApiError::from(
            FieldError::new("min_capacity", "不能为负数").code("negative"),
        ));
    }
    let need = Need {
        kind: q.kind.clone(),
        category: q.category.clone().filter(|c| !c.is_empty()),
        supply: q.supply.clone().filter(|c| !c.trim().is_empty()),
        min_capacity: q.min_capacity,
        include_unavailable: q.include_unavailable.unwrap_or(false),
    };
    let items: Vec<Item> = records(&s, &p, &q.kind, need.category.as_deref(), None)
        .await?
        .into_iter()
        .filter(|i| ineligible(i, &need).is_none())
        .collect();
    let considered = items.len();
    let est = s.config.dispatch;
    let cfg = s.config.snapping;
    let ch = s.routing.clone();
    let want_routes = q.routes.unwrap_or(true);
    let prefer: Vec<String> = q
        .prefer
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let (ranked, unreachable, snapped_at) = tokio::task::spawn_blocking(move || {
        let points: Vec<[f64; 2]> = items.iter().map(|i| [i.lon, i.lat]).collect();
        let (t, legs, snapped) = times(ch.as_deref(), cfg, &est, at, &points);
        let with_idx: Vec<(usize, Option<Timed>)> = t.into_iter().enumerate().collect();
        let priority = |i: &usize| {
            prefer
                .iter()
                .position(|c| *c == items[*i].category)
                .unwrap_or(prefer.len())
        };
        let (ranked, unreachable) = rank_by(with_idx, limit, priority);
        let out: Vec<Candidate> = ranked
            .iter()
            .map(|r| {
                let it = &items[r.item];
                let route = match (&ch, &snapped, r.method) {
                    (Some(ch), Some((target, snaps)), Method::Road) if want_routes => snaps[r.item]
                        .and_then(|from| ch.router().with_snap(cfg).route(&from, target))
                        .map(|rt| rt.geometry),
                    _ if want_routes => Some(vec![[it.lon, it.lat], [at[0], at[1]]]),
                    _ => None,
                };
                let leg = legs[r.item].filter(|_| r.method == Method::Road);
                let lines = match (&snapped, leg) {
                    (Some((target, snaps)), Some(_)) => {
                        off_road_lines(&[snaps[r.item].as_ref(), Some(target)])
                    }
                    _ => Vec::new(),
                };
                Candidate {
                    item: it.clone(),
                    time_s: (r.time_s * 10.0).round() / 10.0,
                    distance_m: r.distance_m.round(),
                    method: r.method,
                    road_time_s: leg.map(|l| (l.time_s * 10.0).round() / 10.0),
                    road_distance_m: leg.map(|l| l.distance_m.round()),
                    off_road: leg.map(|l| OffRoadLeg::from(l.off_road)),
                    off_road_lines: lines,
                    route,
                }
            })
            .collect();
        let unreachable: Vec<RecordRef> = unreachable
            .iter()
            .map(|&i| RecordRef {
                id: items[i].id,
                name: items[i].name.clone(),
            })
            .collect();
        let snapped_at = snapped.map(|(t, _)| SnapPoint {
            lon: t.lon,
            lat: t.lat,
            distance_m: (t.distance_m * 10.0).round() / 10.0,
        });
        (out, unreachable, snapped_at)
    })
    .await
    .map_err(join_err)?;
    let (method, note) = match (s.routing.is_some(), snapped_at.is_some()) {
        (true, true) => (
            Method::Road,
            format!(
                "按路网行车时间排序；离开道路的一段（事发点、驻地到最近道路的直线）按 {} km/h 计入",
                cfg.off_road_kmh
            ),
        ),
        (true, false) => (
            Method::Estimate,
            format!(
                "事发点附近 {} 米内没有可通行道路，{}",
                cfg.max_snap_m,
                estimate_note(&est)
            ),
        ),
        (false, _) => (
            Method::Estimate,
            format!("未加载路网，{}", estimate_note(&est)),
        ),
    };
    Ok(axum::Json(NearestResult {
        at: LonLat {
            lat: at[1],
            lon: at[0],
        },
        method,
        note,
        estimate: est,
        snapping: cfg.into(),
        snapped_at,
        considered,
        items: ranked,
        unreachable,
    }))
}

/// `GET /dispatch/nearest`: candidates ranked by travel time.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NearestResult {
    pub at: LonLat,
    pub method: Method,
    pub note: String,
    pub estimate: Estimate,
    pub snapping: Snapping,
    /// Where the point meets the road, and how far it is from it; null
    /// when no road is within the radius (everything is then estimated).
    pub snapped_at: Option<SnapPoint>,
    /// Records that met the need (before ranking and the limit).
    pub considered: usize,
    pub items: Vec<Candidate>,
    /// Records with no route to the point.
    pub unreachable: Vec<RecordRef>,
}

/// A WGS84 point.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LonLat {
    pub lat: f64,
    pub lon: f64,
}

/// The search radius and the off-road speed in force (`[snapping]`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Snapping {
    /// Points farther than this from every road are not snapped (metres).
    pub max_snap_m: f64,
    /// Speed of the off-road leg, km/h.
    pub off_road_kmh: f64,
}

impl From<SnapConfig> for Snapping {
    fn from(c: SnapConfig) -> Self {
        Snapping {
            max_snap_m: c.max_snap_m,
            off_road_kmh: c.off_road_kmh,
        }
    }
}

/// A point on the road and its snap distance (metres, to 0.1 m).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SnapPoint {
    pub lon: f64,
    pub lat: f64,
    pub distance_m: f64,
}

/// The off-road leg of a trip: from the start to its road (`from_m`, the
/// start's snap distance) and from the road to the end (`to_m`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct OffRoadLeg {
    pub from_m: f64,
    pub to_m: f64,
    pub distance_m: f64,
    /// Seconds, to 0.1 s.
    pub time_s: f64,
}

impl From<yingji_routing::OffRoad> for OffRoadLeg {
    fn from(o: yingji_routing::OffRoad) -> Self {
        let r = |x: f64| (x * 10.0).round() / 10.0;
        OffRoadLeg {
            from_m: r(o.from_m),
            to_m: r(o.to_m),
            distance_m: r(o.distance_m),
            time_s: r(o.time_s),
        }
    }
}

/// A registry record by id and name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecordRef {
    pub id: i64,
    pub name: String,
}

/// A resource that could be sent (its registry record, as the registry
/// shows it), with its travel time to the point.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Candidate {
    #[serde(flatten)]
    pub item: Item,
    /// Total seconds, to 0.1 s: by road, the road time plus the off-road leg.
    pub time_s: f64,
    /// Total metres, rounded.
    pub distance_m: f64,
    /// `road`: by the road graph; `estimate`: no road within the radius of
    /// this record (or of the point), straight line × detour factor.
    pub method: Method,
    /// By road: the time on the road alone (seconds, to 0.1 s).
    pub road_time_s: Option<f64>,
    /// By road: the length on the road alone (metres, rounded).
    pub road_distance_m: Option<f64>,
    /// By road: the off-road leg (the record's and the point's snap distances).
    pub off_road: Option<OffRoadLeg>,
    /// By road: the straight off-road lines `[[lon, lat] off the road, [lon, lat]
    /// on it]` (the record's base to its road, the road to the point).
    pub off_road_lines: Vec<[[f64; 2]; 2]>,
    /// `[lon, lat]` pairs on the road (a straight segment when estimated);
    /// null when routes were not asked for.
    pub route: Option<Vec<[f64; 2]>>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CoverageQuery {
    /// Kind of station: team | equipment | warehouse | shelter (default team).
    pub kind: Option<String>,
    /// Category of the stations (e.g. a team kind).
    pub category: Option<String>,
    /// Time limit in minutes (1–600, default 60).
    pub minutes: Option<f64>,
    /// Analyse this division (default: the user's jurisdiction).
    pub division: Option<String>,
    /// How many new sites to suggest among the settlements (0–20, default 0).
    pub sites: Option<usize>,
}

/// Report, sites, stations with no road within the radius, method, and each
/// station's snap distance (None: estimated, or no road within the radius).
type Analysis = (
    CoverageReport,
    Option<SiteSelection>,
    Vec<usize>,
    Method,
    Vec<Option<f64>>,
);

/// Coverage by road (the off-road legs of stations and settlements count;
/// stations with no road within the radius are set aside and reported) or
/// by the estimate.
fn analyse(
    ch: Option<&Ch>,
    cfg: SnapConfig,
    est: &Estimate,
    stations: &[[f64; 2]],
    demand: &[DemandPoint],
    limit_s: f64,
    k: usize,
) -> Result<Analysis, yingji_routing::Error> {
    let cands: Vec<[f64; 2]> = demand.iter().map(|d| [d.lon, d.lat]).collect();
    let Some(ch) = ch else {
        let r = coverage_estimate(stations, demand, limit_s, est);
        let sel = (k > 0).then(|| greedy_sites_estimate(stations, &cands, demand, k, limit_s, est));
        return Ok((
            r,
            sel,
            Vec::new(),
            Method::Estimate,
            vec![None; stations.len()],
        ));
    };
    let router = ch.router().with_snap(cfg);
    let params = CoverageParams {
        limit_s,
        max_snap_m: cfg.max_snap_m,
    };
    let snap_m: Vec<Option<f64>> = stations
        .iter()
        .map(|p| router.snap(p[0], p[1]).ok().map(|s| s.distance_m.round()))
        .collect();
    let (on, off): (Vec<usize>, Vec<usize>) =
        (0..stations.len()).partition(|&i| snap_m[i].is_some());
    let usable: Vec<[f64; 2]> = on.iter().map(|&i| stations[i]).collect();
    let mut r = router.coverage(&usable, demand, &params)?;
    // nearest_station indexes `usable`; map back to the caller's list.
    for n in r.nearest_station.iter_mut().flatten() {
        *n = on[*n];
    }
    let sel = if k > 0 {
        Some(router.greedy_sites(&usable, &cands, demand, k, &params)?)
    } else {
        None
    };
    Ok((r, sel, off, Method::Road, snap_m))
}

#[utoipa::path(get, path = "/api/v1/dispatch/coverage", tag = "dispatch", params(CoverageQuery),
    responses((status = 200, body = CoverageResult, description = "Covered population of the settlements within the time limit, per county, uncovered settlements, suggested sites"),
              (status = 422, body = crate::http::error::Problem)))]
async fn coverage(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<CoverageQuery>,
) -> Result<axum::Json<CoverageResult>, ApiError> {
    authorize(&p, Action::Read, "dispatch")?;
    let kind = q.kind.clone().unwrap_or_else(|| "team".into());
    if !STATIONS.contains(&kind.as_str()) {
        return Err(ApiError::from(
            FieldError::new("kind", format!("站点类型：{}", STATIONS.join(", ")))
                .code("not_an_option")
                .param("value", kind.clone())
                .param("options", STATIONS.join(", ")),
        ));
    }
    let minutes = q.minutes.unwrap_or(60.0);
    if !(minutes.is_finite() && (1.0..=600.0).contains(&minutes)) {
        return Err(ApiError::from(
            FieldError::new("minutes", "时限应在 1–600 分钟之间")
                .code("out_of_range")
                .param("min", 1)
                .param("max", 600),
        ));
    }
    let k = q.sites.unwrap_or(0);
    if k > 20 {
        return Err(ApiError::from(
            FieldError::new("sites", "建议新站点数应在 0–20 之间")
                .code("out_of_range")
                .param("min", 0)
                .param("max", 20),
        ));
    }
    let tree = s.tree();
    let division = match q.division.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => {
            let code = tree
                .resolve(d, &p.division)
                .map_err(|e| ApiError::from(FieldError::new("division", e).code("bad_division")))?;
            Some(code.prefix().to_string())
        }
        None => None,
    };
    let category = q.category.clone().filter(|c| !c.is_empty());
    let stations = records(&s, &p, &kind, category.as_deref(), None).await?;
    let settlements = records(&s, &p, "settlement", None, division.as_deref()).await?;
    if settlements.is_empty() {
        return Err(ApiError::from(
            FieldError::new(
                "division",
                "该范围内没有居民点人口数据：请先在“居民点人口”中导入",
            )
            .code("no_settlements"),
        ));
    }
    let demand: Vec<DemandPoint> = settlements
        .iter()
        .map(|i| DemandPoint {
            lon: i.lon,
            lat: i.lat,
            population: i
                .attrs
                .get("population")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
        })
        .collect();
    let points: Vec<[f64; 2]> = stations.iter().map(|i| [i.lon, i.lat]).collect();
    let est = s.config.dispatch;
    let cfg = s.config.snapping;
    let ch = s.routing.clone();
    let limit_s = minutes * 60.0;
    let d2 = demand.clone();
    let (report, selection, off_road, method, snap_m) = tokio::task::spawn_blocking(move || {
        analyse(ch.as_deref(), cfg, &est, &points, &d2, limit_s, k)
    })
    .await
    .map_err(join_err)?
    .map_err(|e| crate::routing_api::routing_error("kind", &e))?;

    let share = |c: f64, t: f64| if t > 0.0 { c / t } else { 0.0 };
    let mut by_county: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for (i, it) in settlements.iter().enumerate() {
        let county = it.division.get(..6).unwrap_or(&it.division).to_string();
        let e = by_county.entry(county).or_default();
        e.0 += demand[i].population;
        if report.time_s[i].is_some() {
            e.1 += demand[i].population;
        }
    }
    let settlements_out: Vec<CoveredSettlement> = settlements
        .iter()
        .enumerate()
        .map(|(i, it)| CoveredSettlement {
            id: it.id,
            name: it.name.clone(),
            division: it.division.clone(),
            division_name: it.division_name.clone(),
            lon: it.lon,
            lat: it.lat,
            population: demand[i].population,
            time_s: report.time_s[i].map(|t| t.round()),
            station: report.nearest_station[i].map(|n| stations[n].id),
        })
        .collect();
    let suggested: Vec<SuggestedSite> = selection
        .as_ref()
        .map(|sel| {
            sel.choices
                .iter()
                .map(|c| {
                    let it = &settlements[c.candidate];
                    SuggestedSite {
                        settlement: it.id,
                        name: it.name.clone(),
                        division_name: it.division_name.clone(),
                        lon: it.lon,
                        lat: it.lat,
                        added_population: c.added_population,
                        covered_population: c.covered_population,
                        share: share(c.covered_population, sel.total_population),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let note = match method {
        Method::Road => format!(
            "按路网行车时间计算；站点、居民点到最近道路的直线一段按 {} km/h 计入；{} 米内没有道路的站点不参与",
            cfg.off_road_kmh, cfg.max_snap_m
        ),
        Method::Estimate => format!("未加载路网，{}", estimate_note(&est)),
    };
    Ok(axum::Json(CoverageResult {
        method,
        note,
        estimate: est,
        snapping: cfg.into(),
        kind,
        category,
        minutes,
        total_population: report.total_population,
        covered_population: report.covered_population,
        share: share(report.covered_population, report.total_population),
        uncovered_count: report.uncovered.len(),
        stations: stations
            .iter()
            .zip(&snap_m)
            .map(|(i, m)| Station {
                id: i.id,
                name: i.name.clone(),
                lon: i.lon,
                lat: i.lat,
                division_name: i.division_name.clone(),
                snap_m: *m,
            })
            .collect(),
        off_road_stations: off_road
            .iter()
            .map(|&i| RecordRef {
                id: stations[i].id,
                name: stations[i].name.clone(),
            })
            .collect(),
        by_county: by_county
            .iter()
            .map(|(c, (t, cv))| CountyCoverage {
                code: c.clone(),
                name: tree.name(c),
                total: *t,
                covered: *cv,
                share: share(*cv, *t),
            })
            .collect(),
        settlements: settlements_out,
        suggested,
    }))
}

/// `GET /dispatch/coverage`: who the stations reach within the limit.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CoverageResult {
    pub method: Method,
    pub note: String,
    pub estimate: Estimate,
    pub snapping: Snapping,
    pub kind: String,
    pub category: Option<String>,
    pub minutes: f64,
    pub total_population: f64,
    pub covered_population: f64,
    /// covered ÷ total (0 when there is no population).
    pub share: f64,
    pub uncovered_count: usize,
    pub stations: Vec<Station>,
    /// Stations more than the snapping distance from a road (left out).
    pub off_road_stations: Vec<RecordRef>,
    pub by_county: Vec<CountyCoverage>,
    pub settlements: Vec<CoveredSettlement>,
    pub suggested: Vec<SuggestedSite>,
}

/// A station of a coverage analysis.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Station {
    pub id: i64,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub division_name: String,
    /// By road: the station's distance to its road (metres); null when
    /// estimated or when no road is within the radius.
    pub snap_m: Option<f64>,
}

/// Population covered in one county.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CountyCoverage {
    pub code: String,
    pub name: String,
    pub total: f64,
    pub covered: f64,
    pub share: f64,
}

/// A settlement with its travel time from the nearest station (null: not
/// reached within the limit).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CoveredSettlement {
    pub id: i64,
    pub name: String,
    pub division: String,
    pub division_name: String,
    pub lon: f64,
    pub lat: f64,
    pub population: f64,
    pub time_s: Option<f64>,
    /// Id of the nearest station.
    pub station: Option<i64>,
}

/// A suggested new site (a settlement) and the coverage with it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestedSite {
    pub settlement: i64,
    pub name: String,
    pub division_name: String,
    pub lon: f64,
    pub lat: f64,
    pub added_population: f64,
    pub covered_population: f64,
    pub share: f64,
}
