//! Snapping coordinates to the nearest routable road segment.
//!
//! A static packed R-tree (Hilbert-sorted, flatbush-style) holds one entry per road segment (a two-way road is one
//! entry for both directions) in scaled coordinates `(lon * cos(lat0), lat)`,
//! `lat0` being the graph's mean latitude, so planar distances are nearly
//! proportional to metres. The nearest open segment is taken, the point is
//! projected on it, and the distance is measured on the WGS84 ellipsoid ([`crate::graph::distance_m`]).
//! The index is built on first use (one sort, ~0.2 s per million segments)
//! so that loading a graph file stays fast; [`Ch::prepare_snapping`] builds it
//! ahead of time.

use crate::ch::{Ch, NONE};
use crate::graph::{distance_m, valid_coord, EdgeId, NodeId};
use crate::query::{bit, Seed};
use crate::spatial::{seg_dist2, PackedRTree};
use crate::{Error, Result};

/// Default maximum distance from a coordinate to the road it is snapped to.
pub const DEFAULT_MAX_SNAP_M: f64 = 1000.0;
/// Default speed of the off-road leg between a point and its road (km/h):
/// a vehicle on a farm track or a crew on foot with gear, rural-dispatch practice.
pub const DEFAULT_OFF_ROAD_KMH: f64 = 15.0;
/// Largest accepted search radius (50 km).
pub const MAX_SNAP_RADIUS_M: f64 = 50_000.0;

/// How points are placed on the road network: the search radius, and the
/// speed of the off-road leg from the point to its road (and from the road
/// to the destination point), which every answer reports separately and
/// adds to its total.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnapConfig {
    /// Points farther than this from every road are not snapped (metres; default 1000).
    pub max_snap_m: f64,
    /// Speed of the off-road leg in km/h (default 15).
    pub off_road_kmh: f64,
}

impl Default for SnapConfig {
    fn default() -> Self {
        SnapConfig {
            max_snap_m: DEFAULT_MAX_SNAP_M,
            off_road_kmh: DEFAULT_OFF_ROAD_KMH,
        }
    }
}

impl SnapConfig {
    /// Errors on a radius outside 0–[`MAX_SNAP_RADIUS_M`] or a speed outside 1–100 km/h.
    pub fn check(&self) -> Result<()> {
        if !(self.max_snap_m.is_finite() && (0.0..=MAX_SNAP_RADIUS_M).contains(&self.max_snap_m)) {
            return Err(Error::InvalidArgument(format!(
                "snap radius {} m (0–{MAX_SNAP_RADIUS_M} m)",
                self.max_snap_m
            )));
        }
        if !(self.off_road_kmh.is_finite() && (1.0..=100.0).contains(&self.off_road_kmh)) {
            return Err(Error::InvalidArgument(format!(
                "off-road speed {} km/h (1–100 km/h)",
                self.off_road_kmh
            )));
        }
        Ok(())
    }

    /// Off-road time in milliseconds for `m` metres (rounded like edge times).
    pub(crate) fn off_road_ms(&self, m: f64) -> u32 {
        let kmh = if self.off_road_kmh.is_finite() && self.off_road_kmh > 0.0 {
            self.off_road_kmh
        } else {
            DEFAULT_OFF_ROAD_KMH
        };
        let ms = (m.max(0.0) / (kmh / 3.6) * 1000.0).round();
        ms.min(crate::graph::MAX_EDGE_MS as f64) as u32
    }

    /// The off-road leg of a trip from `from` to `to`: the straight lines from
    /// the start point to its road and from the road to the end point.
    pub fn off_road(&self, from: &Snapped, to: &Snapped) -> OffRoad {
        OffRoad::new(self, from.distance_m, to.distance_m)
    }
}

/// The part of a trip off the road: from the start point to where it meets
/// the road (`from_m`, the start's snap distance) and from where it leaves
/// the road to the end point (`to_m`), at [`SnapConfig::off_road_kmh`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OffRoad {
    /// Snap distance of the start point, metres.
    pub from_m: f64,
    /// Snap distance of the end point, metres.
    pub to_m: f64,
    /// `from_m + to_m`.
    pub distance_m: f64,
    /// Time of the off-road leg, seconds (millisecond resolution).
    pub time_s: f64,
}

impl OffRoad {
    pub(crate) fn new(cfg: &SnapConfig, from_m: f64, to_m: f64) -> OffRoad {
        let ms = cfg.off_road_ms(from_m) + cfg.off_road_ms(to_m);
        OffRoad {
            from_m,
            to_m,
            distance_m: from_m + to_m,
            time_s: ms as f64 / 1000.0,
        }
    }
}
const M_PER_DEG: f64 = 111_195.0;

pub(crate) struct SegIndex {
    pub tree: PackedRTree,
    pub kx: f64,
}

impl SegIndex {
    pub(crate) fn build(ch: &Ch) -> SegIndex {
        let g = &ch.graph;
        let n = g.num_nodes().max(1) as f64;
        let lat0 = g.lat.iter().sum::<f64>() / n;
        let kx = lat0.to_radians().cos().max(0.01);
        let items = (0..g.num_edges() as u32)
            .filter(|&e| {
                let r = ch.rev_edge[e as usize];
                // one entry per segment: skip the higher id of a mutual pair
                !(r != NONE && ch.rev_edge[r as usize] == e && r < e)
            })
            .map(|e| {
                let (a, b) = g.endpoints(e);
                let (ax, ay) = (g.lon[a as usize] * kx, g.lat[a as usize]);
                let (bx, by) = (g.lon[b as usize] * kx, g.lat[b as usize]);
                (e, [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)])
            })
            .collect();
        SegIndex {
            tree: PackedRTree::build(items),
            kx,
        }
    }

    /// Squared scaled distance from `p` to base edge `e`.
    pub(crate) fn dist2(&self, g: &crate::Graph, p: [f64; 2], e: u32) -> f64 {
        let (a, b) = g.endpoints(e);
        seg_dist2(
            p,
            [g.lon[a as usize] * self.kx, g.lat[a as usize]],
            [g.lon[b as usize] * self.kx, g.lat[b as usize]],
        )
    }
}

/// A coordinate placed on the road network: on edge `a -> b` at a fraction of its length.
/// Only meaningful for the [`Ch`] that made it (with another one it reaches nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapped {
    /// Longitude of the point on the road.
    pub lon: f64,
    /// Latitude of the point on the road.
    pub lat: f64,
    /// Distance in metres from the input coordinate to the road (the snap distance).
    pub distance_m: f64,
    /// The input coordinate `[lon, lat]` (the off-road leg runs from it to `lon`, `lat`).
    pub input: [f64; 2],
    pub(crate) edge: EdgeId,
    pub(crate) rev: EdgeId,
    pub(crate) frac: f64,
}

impl Snapped {
    /// The base edge the point lies on.
    pub fn edge(&self) -> EdgeId {
        self.edge
    }

    /// Position along the edge, 0 at its tail, 1 at its head.
    pub fn fraction(&self) -> f64 {
        self.frac
    }

    fn part(x: u32, f: f64) -> u32 {
        (x as f64 * f).round() as u32
    }

    /// Whether this location can belong to `ch` (a `Snapped` made for another
    /// graph yields no seeds instead of a panic).
    pub(crate) fn fits(&self, ch: &Ch) -> bool {
        let m = ch.graph.num_edges();
        (self.edge as usize) < m
            && (self.rev == NONE || (self.rev as usize) < m)
            && (0.0..=1.0).contains(&self.frac)
    }

    /// Where a search leaving this point starts: the rest of its edge, or
    /// of the reverse edge; at a node, every edge into that node (so the
    /// search leaves it in any allowed direction).
    pub(crate) fn source_seeds(&self, ch: &Ch, closed: Option<&[u64]>) -> Vec<Seed> {
        if !self.fits(ch) {
            return Vec::new();
        }
        let g = &ch.graph;
        let (a, b) = g.endpoints(self.edge);
        let e = self.edge as usize;
        let mut s = Vec::with_capacity(4);
        if !bit(closed, e) {
            s.push(Seed {
                node: self.edge,
                ms: Self::part(g.time_ms[e], 1.0 - self.frac),
                dm: Self::part(g.dist_dm[e], 1.0 - self.frac),
            });
        }
        if self.rev != NONE && !bit(closed, self.rev as usize) {
            let r = self.rev as usize;
            s.push(Seed {
                node: self.rev,
                ms: Self::part(g.time_ms[r], self.frac),
                dm: Self::part(g.dist_dm[r], self.frac),
            });
        }
        if self.frac <= 0.0 {
            at_node(ch, a, closed, &mut s);
        } else if self.frac >= 1.0 {
            at_node(ch, b, closed, &mut s);
        }
        s
    }

    /// Where a search arriving at this point ends: every edge with an
    /// allowed turn into this point's edge (seeded with the turn's cost and
    /// the part of the edge up to the point), likewise for the reverse
    /// edge; at a node, every edge into that node.
    pub(crate) fn target_seeds(&self, ch: &Ch, closed: Option<&[u64]>) -> Vec<Seed> {
        if !self.fits(ch) {
            return Vec::new();
        }
        let g = &ch.graph;
        let (a, b) = g.endpoints(self.edge);
        let mut s = Vec::with_capacity(8);
        let mut into = |x: u32, f: f64| {
            if bit(closed, x as usize) {
                return;
            }
            let (ms, dm) = (g.time_ms[x as usize], g.dist_dm[x as usize]);
            for p in g.in_edges(g.tail[x as usize]) {
                if bit(closed, p as usize) {
                    continue;
                }
                if let Some(t) = ch.turns.find(p, x) {
                    let turn = ch.turns.time_ms[t as usize].saturating_sub(ms);
                    s.push(Seed {
                        node: p,
                        ms: turn.saturating_add(Self::part(ms, f)),
                        dm: Self::part(dm, f),
                    });
                }
            }
        };
        into(self.edge, self.frac);
        if self.rev != NONE {
            into(self.rev, 1.0 - self.frac);
        }
        if self.frac <= 0.0 {
            at_node(ch, a, closed, &mut s);
        } else if self.frac >= 1.0 {
            at_node(ch, b, closed, &mut s);
        }
        s
    }

    /// Time and length when `to` lies ahead on the same segment (no node in between).
    pub(crate) fn direct_to(
        &self,
        to: &Snapped,
        ch: &Ch,
        closed: Option<&[u64]>,
    ) -> Option<(u32, u32)> {
        if self.edge != to.edge || !self.fits(ch) || !to.fits(ch) {
            return None;
        }
        let g = &ch.graph;
        if to.frac >= self.frac && !bit(closed, self.edge as usize) {
            let e = self.edge as usize;
            let f = to.frac - self.frac;
            return Some((Self::part(g.time_ms[e], f), Self::part(g.dist_dm[e], f)));
        }
        if to.frac <= self.frac && self.rev != NONE && !bit(closed, self.rev as usize) {
            let r = self.rev as usize;
            let f = self.frac - to.frac;
            return Some((Self::part(g.time_ms[r], f), Self::part(g.dist_dm[r], f)));
        }
        None
    }
}

/// Seeds for a point exactly at node `v`: every open edge into `v`, at 0.
fn at_node(ch: &Ch, v: NodeId, closed: Option<&[u64]>, s: &mut Vec<Seed>) {
    for q in ch.graph.in_edges(v) {
        if !bit(closed, q as usize) {
            s.push(Seed {
                node: q,
                ms: 0,
                dm: 0,
            });
        }
    }
}

impl Ch {
    pub(crate) fn seg_index(&self) -> &SegIndex {
        self.index.get_or_init(|| SegIndex::build(self))
    }

    /// Builds the snapping index now instead of on the first snap (e.g. right
    /// after [`Ch::load`], or in a background thread: `Ch` is `Sync`).
    pub fn prepare_snapping(&self) {
        let _ = self.seg_index();
    }

    /// A location exactly at a graph node (`None` if the node has no edge or does not exist).
    pub fn node_location(&self, node: NodeId) -> Option<Snapped> {
        let g = &self.graph;
        if node as usize >= g.num_nodes() {
            return None;
        }
        let [lon, lat] = g.coord(node);
        if let Some(e) = g.out_edges(node).next() {
            return Some(Snapped {
                lon,
                lat,
                distance_m: 0.0,
                input: [lon, lat],
                edge: e,
                rev: self.rev_edge[e as usize],
                frac: 0.0,
            });
        }
        let e = g.in_edges(node).next()?;
        Some(Snapped {
            lon,
            lat,
            distance_m: 0.0,
            input: [lon, lat],
            edge: e,
            rev: self.rev_edge[e as usize],
            frac: 1.0,
        })
    }

    /// Snaps to the nearest segment that is not closed (in either direction) within `max_m`.
    pub(crate) fn snap_impl(
        &self,
        lon: f64,
        lat: f64,
        max_m: f64,
        closed: Option<&[u64]>,
    ) -> Result<Snapped> {
        if !valid_coord(lon, lat) {
            return Err(Error::InvalidCoordinate { lon, lat });
        }
        if !(max_m.is_finite() && (0.0..=MAX_SNAP_RADIUS_M).contains(&max_m)) {
            return Err(Error::InvalidArgument(format!(
                "max snap distance {max_m} m"
            )));
        }
        let far = || Error::TooFarFromRoad { lon, lat, max_m };
        let idx = self.seg_index();
        let g = &self.graph;
        let q = [lon * idx.kx, lat];
        let kq = lat.to_radians().cos().max(0.01);
        for (e, d2) in idx.tree.nearest(q, |e| idx.dist2(g, q, e)) {
            if d2.sqrt() * M_PER_DEG > 2.0 * max_m + 10.0 {
                break;
            }
            let r = self.rev_edge[e as usize];
            let fwd_open = !bit(closed, e as usize);
            let rev_open = r != NONE && !bit(closed, r as usize);
            if !fwd_open && !rev_open {
                continue;
            }
            let (a, b) = g.endpoints(e);
            let (ax, ay) = (g.lon[a as usize] * kq, g.lat[a as usize]);
            let (bx, by) = (g.lon[b as usize] * kq, g.lat[b as usize]);
            let (px, py) = (lon * kq, lat);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let slon = g.lon[a as usize] + t * (g.lon[b as usize] - g.lon[a as usize]);
            let slat = g.lat[a as usize] + t * (g.lat[b as usize] - g.lat[a as usize]);
            let dist = distance_m(lon, lat, slon, slat);
            if dist > max_m {
                return Err(far());
            }
            // a one-way segment open only backwards: describe it from the open edge
            let (edge, rev, frac) = if fwd_open { (e, r, t) } else { (r, e, 1.0 - t) };
            return Ok(Snapped {
                lon: slon,
                lat: slat,
                distance_m: dist,
                input: [lon, lat],
                edge,
                rev,
                frac,
            });
        }
        Err(far())
    }
}
