//! Query interface: [`Router`] (optionally with closures) and its result types.

use crate::ch::Ch;
use crate::graph::EdgeId;
use crate::query::{bit, PathResult, Seed};
use crate::snap::{OffRoad, SnapConfig};
use crate::{Closures, Error, Result, Snapped};

/// Longest accepted time limit (7 days) for isochrones, matrices and coverage.
pub const MAX_TIME_LIMIT_S: f64 = 7.0 * 86_400.0;

/// Checks a time limit and converts it to milliseconds.
pub(crate) fn limit_ms(limit_s: f64) -> Result<u32> {
    if !(limit_s.is_finite() && limit_s > 0.0 && limit_s <= MAX_TIME_LIMIT_S) {
        return Err(Error::InvalidTimeLimit(limit_s));
    }
    Ok((limit_s * 1000.0).round() as u32)
}

/// A route between two snapped points.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Route {
    /// Travel time on the road in seconds (millisecond resolution).
    pub time_s: f64,
    /// Length on the road in metres.
    pub distance_m: f64,
    /// The off-road leg at each end (the snap distances), reported separately.
    pub off_road: OffRoad,
    /// Road time plus off-road time, seconds.
    pub total_time_s: f64,
    /// Road length plus off-road length, metres.
    pub total_distance_m: f64,
    /// `[lon, lat]` points from the start point on the road to the end point on the road.
    pub geometry: Vec<[f64; 2]>,
    /// Base edges driven over completely, in order (the partial first and last edges are not listed).
    pub edges: Vec<EdgeId>,
}

/// Travel time and length of one origin–destination pair.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Leg {
    /// Time on the road, seconds.
    pub time_s: f64,
    /// Length on the road, metres.
    pub distance_m: f64,
    /// The off-road leg at each end.
    pub off_road: OffRoad,
    /// Road time plus off-road time, seconds.
    pub total_time_s: f64,
}

impl Leg {
    /// From a search weight (its driving time, [`crate::turns::real_ms`]).
    pub(crate) fn new(road_ms: u32, road_dm: u32, off_road: OffRoad) -> Leg {
        let time_s = crate::turns::real_ms(road_ms) as f64 / 1000.0;
        Leg {
            time_s,
            distance_m: road_dm as f64 / 10.0,
            off_road,
            total_time_s: time_s + off_road.time_s,
        }
    }
}

/// A travel-time matrix (row = source, column = target). Times are on the
/// road; [`Matrix::get`] adds each end's off-road leg.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub(crate) times_ms: Vec<u32>,
    pub(crate) dists_dm: Vec<u32>,
    /// Snap distance of each source and target (metres).
    pub(crate) src_snap_m: Vec<f64>,
    pub(crate) dst_snap_m: Vec<f64>,
    pub(crate) snap: SnapConfig,
}

impl Matrix {
    /// The leg `sources[row] -> targets[col]`, `None` if unreachable (or beyond the limit).
    pub fn get(&self, row: usize, col: usize) -> Option<Leg> {
        if row >= self.rows || col >= self.cols {
            return None;
        }
        let i = row * self.cols + col;
        (self.times_ms[i] != u32::MAX).then(|| {
            let off = OffRoad::new(&self.snap, self.src_snap_m[row], self.dst_snap_m[col]);
            Leg::new(self.times_ms[i], self.dists_dm[i], off)
        })
    }

    /// Road time plus the off-road legs, in milliseconds; `u32::MAX` if unreachable.
    pub fn total_ms(&self, row: usize, col: usize) -> u32 {
        let t = self.time_ms(row, col);
        if t == u32::MAX {
            return t;
        }
        t.saturating_add(self.snap.off_road_ms(self.src_snap_m[row]))
            .saturating_add(self.snap.off_road_ms(self.dst_snap_m[col]))
    }

    /// Travel time in seconds, `None` if unreachable.
    pub fn time_s(&self, row: usize, col: usize) -> Option<f64> {
        self.get(row, col).map(|l| l.time_s)
    }

    /// Travel time in milliseconds, `u32::MAX` if unreachable.
    pub fn time_ms(&self, row: usize, col: usize) -> u32 {
        if row >= self.rows || col >= self.cols {
            return u32::MAX;
        }
        self.times_ms[row * self.cols + col]
    }
}

/// Direction of travel for [`Router::nearest_k`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// From the origin to the candidates.
    FromOrigin,
    /// From the candidates to the origin (dispatching teams to an incident).
    ToOrigin,
}

/// One result of [`Router::nearest_k`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Nearest {
    /// Index into the candidate list.
    pub index: usize,
    /// Time on the road, seconds.
    pub time_s: f64,
    /// Length on the road, metres.
    pub distance_m: f64,
    /// The off-road leg at each end (in the direction of travel).
    pub off_road: OffRoad,
    /// Road time plus off-road time: the ranking key.
    pub total_time_s: f64,
}

/// Queries on a [`Ch`], with or without [`Closures`], with a [`SnapConfig`]
/// (search radius, off-road speed). Cheap to create and `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct Router<'a> {
    pub(crate) ch: &'a Ch,
    pub(crate) closures: Option<&'a Closures>,
    pub(crate) snap: SnapConfig,
}

impl<'a> Router<'a> {
    pub(crate) fn closed_base(&self) -> Option<&'a [u64]> {
        self.closures
            .filter(|c| c.num_closed() > 0 && c.matches(self.ch))
            .map(|c| &c.base[..])
    }

    fn closed_ch(&self) -> Option<&'a [u64]> {
        self.closures
            .filter(|c| c.num_closed() > 0 && c.matches(self.ch))
            .map(|c| &c.ch[..])
    }

    /// The hierarchy this router queries.
    pub fn ch(&self) -> &'a Ch {
        self.ch
    }

    /// The same router with another search radius and off-road speed.
    pub fn with_snap(self, snap: SnapConfig) -> Self {
        Router { snap, ..self }
    }

    /// The search radius and off-road speed in use.
    pub fn snap_config(&self) -> SnapConfig {
        self.snap
    }

    /// Snaps to the nearest open road within the configured radius
    /// ([`SnapConfig::max_snap_m`], default [`crate::DEFAULT_MAX_SNAP_M`]).
    pub fn snap(&self, lon: f64, lat: f64) -> Result<Snapped> {
        self.snap_within(lon, lat, self.snap.max_snap_m)
    }

    /// Snaps to the nearest open road within `max_m` metres.
    pub fn snap_within(&self, lon: f64, lat: f64, max_m: f64) -> Result<Snapped> {
        self.ch.snap_impl(lon, lat, max_m, self.closed_base())
    }

    fn path_route(&self, from: &Snapped, to: &Snapped, p: PathResult) -> Route {
        let g = &self.ch.graph;
        let mut geometry = Vec::with_capacity(p.edges.len() + 3);
        let mut push = |c: [f64; 2]| {
            if geometry.last() != Some(&c) {
                geometry.push(c);
            }
        };
        push([from.lon, from.lat]);
        push(g.coord(p.first));
        for &e in &p.edges {
            push(g.coord(g.head[e as usize]));
        }
        push([to.lon, to.lat]);
        self.make_route(from, to, p.time_ms, p.dist_dm, geometry, p.edges)
    }

    fn make_route(
        &self,
        from: &Snapped,
        to: &Snapped,
        ms: u32,
        dm: u32,
        geometry: Vec<[f64; 2]>,
        edges: Vec<EdgeId>,
    ) -> Route {
        let off_road = self.snap.off_road(from, to);
        let leg = Leg::new(ms, dm, off_road);
        Route {
            time_s: leg.time_s,
            distance_m: leg.distance_m,
            off_road,
            total_time_s: leg.total_time_s,
            total_distance_m: leg.distance_m + off_road.distance_m,
            geometry,
            edges,
        }
    }

    fn direct_route(&self, from: &Snapped, to: &Snapped, t: u32, d: u32) -> Route {
        let mut geometry = vec![[from.lon, from.lat]];
        if [to.lon, to.lat] != geometry[0] {
            geometry.push([to.lon, to.lat]);
        }
        self.make_route(from, to, t, d, geometry, Vec::new())
    }

    /// Fastest route, `None` if the target cannot be reached. Respects closures exactly
    /// (see [`crate::closures`]).
    pub fn route(&self, from: &Snapped, to: &Snapped) -> Option<Route> {
        let cb = self.closed_base();
        let src = from.source_seeds(self.ch, cb);
        let dst = to.target_seeds(self.ch, cb);
        let direct = from.direct_to(to, self.ch, cb);
        let lower = self.ch.ch_path(&src, &dst, None);
        let exact = match (cb, lower) {
            (_, None) => None,
            (None, Some(p)) => Some(p),
            (Some(c), Some(p)) => {
                if p.edges.iter().all(|&e| !bit(Some(c), e as usize)) {
                    Some(p)
                } else if direct.is_some_and(|(t, _)| t <= p.time_ms) {
                    None // the direct piece wins anyway
                } else {
                    let upper = self.ch.ch_path(&src, &dst, self.closed_ch().zip(cb));
                    match upper {
                        Some(u) if u.time_ms == p.time_ms => Some(u),
                        other => {
                            let bound = other.as_ref().map_or(u32::MAX, |u| u.time_ms);
                            self.ch.dijkstra_path(&src, &dst, Some(c), bound)
                        }
                    }
                }
            }
        };
        match (exact, direct) {
            (Some(p), Some((t, d))) if t <= p.time_ms => Some(self.direct_route(from, to, t, d)),
            (None, Some((t, d))) => Some(self.direct_route(from, to, t, d)),
            (Some(p), _) => Some(self.path_route(from, to, p)),
            (None, None) => None,
        }
    }

    /// The same as [`Router::route`] computed by plain Dijkstra on the turn-aware graph
    /// (the reference for tests; slow on large graphs).
    pub fn route_dijkstra(&self, from: &Snapped, to: &Snapped) -> Option<Route> {
        let cb = self.closed_base();
        let src = from.source_seeds(self.ch, cb);
        let dst = to.target_seeds(self.ch, cb);
        let direct = from.direct_to(to, self.ch, cb);
        let p = self.ch.dijkstra_path(&src, &dst, cb, u32::MAX);
        match (p, direct) {
            (Some(p), Some((t, d))) if t <= p.time_ms => Some(self.direct_route(from, to, t, d)),
            (None, Some((t, d))) => Some(self.direct_route(from, to, t, d)),
            (Some(p), _) => Some(self.path_route(from, to, p)),
            (None, None) => None,
        }
    }

    /// Legs from one source to many targets.
    pub fn one_to_many(&self, from: &Snapped, targets: &[Snapped]) -> Vec<Option<Leg>> {
        let m = self.matrix(std::slice::from_ref(from), targets);
        (0..targets.len()).map(|j| m.get(0, j)).collect()
    }

    /// Full matrix (bucket-based many-to-many on the hierarchy).
    pub fn matrix(&self, sources: &[Snapped], targets: &[Snapped]) -> Matrix {
        self.matrix_ms(sources, targets, u32::MAX)
    }

    /// Matrix where legs longer than `limit_s` are reported as unreachable
    /// (faster: searches stop at the limit).
    pub fn matrix_within(
        &self,
        sources: &[Snapped],
        targets: &[Snapped],
        limit_s: f64,
    ) -> Result<Matrix> {
        Ok(self.matrix_ms(sources, targets, limit_ms(limit_s)?))
    }

    pub(crate) fn matrix_ms(&self, sources: &[Snapped], targets: &[Snapped], limit: u32) -> Matrix {
        let ch = self.ch;
        let cb = self.closed_base();
        let ss: Vec<Vec<Seed>> = sources.iter().map(|s| s.source_seeds(ch, cb)).collect();
        let ts: Vec<Vec<Seed>> = targets.iter().map(|t| t.target_seeds(ch, cb)).collect();
        let nt = targets.len();
        // same-segment pairs
        let mut by_edge: std::collections::HashMap<u32, Vec<usize>> =
            std::collections::HashMap::new();
        for (j, t) in targets.iter().enumerate() {
            by_edge.entry(t.edge).or_default().push(j);
        }
        let apply_direct = |times: &mut [u32], dists: &mut [u32]| {
            for (i, s) in sources.iter().enumerate() {
                for &j in by_edge.get(&s.edge).into_iter().flatten() {
                    if let Some((t, d)) = s.direct_to(&targets[j], ch, cb) {
                        let k = i * nt + j;
                        if t < times[k] && crate::turns::real_ms(t) <= limit {
                            times[k] = t;
                            dists[k] = d;
                        }
                    }
                }
            }
        };
        let (mut lt, mut ld) = ch.ch_matrix(&ss, &ts, None, limit);
        apply_direct(&mut lt, &mut ld);
        if let Some(c) = cb {
            let (mut ut, mut ud) = ch.ch_matrix(&ss, &ts, self.closed_ch().zip(cb), limit);
            apply_direct(&mut ut, &mut ud);
            for i in 0..sources.len() {
                let undecided: Vec<usize> = (0..nt)
                    .filter(|&j| ut[i * nt + j] != lt[i * nt + j])
                    .collect();
                if !undecided.is_empty() {
                    let bound = undecided
                        .iter()
                        .map(|&j| ut[i * nt + j])
                        .max()
                        .unwrap_or(limit)
                        .min(limit);
                    let tseeds: Vec<&[Seed]> = undecided.iter().map(|&j| &ts[j][..]).collect();
                    let exact = ch.dijkstra_row(&ss[i], &tseeds, Some(c), bound);
                    for (&j, (t, d)) in undecided.iter().zip(exact) {
                        // the exact answer may be a same-segment piece already in `ut`
                        if t < ut[i * nt + j] {
                            ut[i * nt + j] = t;
                            ud[i * nt + j] = d;
                        }
                    }
                }
            }
            lt = ut;
            ld = ud;
        }
        // weights to driving times
        for t in &mut lt {
            *t = crate::turns::real_ms(*t);
        }
        Matrix {
            rows: sources.len(),
            cols: nt,
            times_ms: lt,
            dists_dm: ld,
            src_snap_m: sources.iter().map(|s| s.distance_m).collect(),
            dst_snap_m: targets.iter().map(|t| t.distance_m).collect(),
            snap: self.snap,
        }
    }

    /// The `k` candidates with the shortest total travel time (road plus the
    /// off-road legs; ascending; ties by index), leaving out unreachable ones.
    pub fn nearest_k(
        &self,
        origin: &Snapped,
        candidates: &[Snapped],
        k: usize,
        direction: Direction,
    ) -> Vec<Nearest> {
        let (m, by_row) = match direction {
            Direction::FromOrigin => (self.matrix(std::slice::from_ref(origin), candidates), false),
            Direction::ToOrigin => (self.matrix(candidates, std::slice::from_ref(origin)), true),
        };
        let mut v: Vec<Nearest> = (0..candidates.len())
            .filter_map(|i| {
                let leg = if by_row { m.get(i, 0) } else { m.get(0, i) };
                leg.map(|l| Nearest {
                    index: i,
                    time_s: l.time_s,
                    distance_m: l.distance_m,
                    off_road: l.off_road,
                    total_time_s: l.total_time_s,
                })
            })
            .collect();
        v.sort_by(|a, b| {
            a.total_time_s
                .total_cmp(&b.total_time_s)
                .then(a.index.cmp(&b.index))
        });
        v.truncate(k);
        v
    }
}
