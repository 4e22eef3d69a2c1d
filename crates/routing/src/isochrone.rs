//! Multi-source isochrones: every node reachable within a time limit from any
//! of several sources, and polygons around them.
//!
//! Reach: one Dijkstra on the turn-aware graph from the seeds of all sources
//! (closed roads skipped), bounded by the limit — exact, and linear in the
//! reached part of the network.
//!
//! Polygons (grid contouring): in a local equirectangular projection (metres)
//! the reached network is rasterised on a grid of `cell_m` cells — every reached
//! node, and points every `cell_m / 2` along each edge as far as it is driven
//! within the limit (partially driven edges up to the reachable fraction). Each
//! such point marks its cell *and the 8 cells around it*; the polygons are the
//! boundaries of the 4-connected regions of marked cells (outer rings
//! counter-clockwise, holes clockwise), traced edge by edge with collinear
//! vertices removed. Hence:
//!
//! * every reached node (and every reached road point) lies strictly inside a
//!   polygon, at least one cell from its boundary;
//! * the boundary lies at most `2 * cell_m * sqrt(2)` (≈ 283 m for the default
//!   100 m) beyond the reached roads, and gaps narrower than about 2 cells
//!   between reached roads are filled — the tolerance of the polygons.
//!
//! The grid is capped at [`IsochroneOptions::max_cells`] cells; for very large
//! areas the cell size grows (reported in [`Isochrone::cell_m`]).

use crate::graph::NodeId;
use crate::query::{bit, Seed};
use crate::router::limit_ms;
use crate::{Error, Result, Router, Snapped};
use geo::{LineString, MultiPolygon, Polygon};
use std::collections::HashMap;

/// Grid parameters for isochrone polygons.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct IsochroneOptions {
    /// Cell size in metres (default 100).
    pub cell_m: f64,
    /// Largest number of grid cells (default 16 million); the cell grows to respect it.
    pub max_cells: usize,
    /// Whether to compute polygons at all.
    pub polygons: bool,
}

impl Default for IsochroneOptions {
    fn default() -> Self {
        IsochroneOptions {
            cell_m: 100.0,
            max_cells: 16_000_000,
            polygons: true,
        }
    }
}

/// Result of [`Router::isochrone`].
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    pub limit_s: f64,
    /// Reached nodes, in order of travel time.
    pub nodes: Vec<NodeId>,
    /// Travel time (s) of each node in `nodes` from the nearest source.
    pub times_s: Vec<f64>,
    /// Polygons (lon/lat) containing every reached node.
    pub polygons: MultiPolygon<f64>,
    /// Cell size actually used for the polygons, metres.
    pub cell_m: f64,
    /// Snap distance of each source (metres), in the order given (sources
    /// made for another graph are left out).
    pub source_snap_m: Vec<f64>,
    /// Off-road time of each source (seconds): spent before the road, so
    /// it is taken from that source's budget.
    pub source_off_road_s: Vec<f64>,
}

const M_PER_DEG: f64 = 111_195.0;

impl Router<'_> {
    /// Isochrone with default [`IsochroneOptions`].
    pub fn isochrone(&self, sources: &[Snapped], limit_s: f64) -> Result<Isochrone> {
        self.isochrone_with(sources, limit_s, &IsochroneOptions::default())
    }

    /// Everything reachable within `limit_s` seconds from any source.
    pub fn isochrone_with(
        &self,
        sources: &[Snapped],
        limit_s: f64,
        opts: &IsochroneOptions,
    ) -> Result<Isochrone> {
        let limit = limit_ms(limit_s)?;
        if !(opts.cell_m.is_finite() && opts.cell_m > 0.0) || opts.max_cells < 16 {
            return Err(Error::InvalidArgument(format!(
                "isochrone cell size {} m / max cells {}",
                opts.cell_m, opts.max_cells
            )));
        }
        let ch = self.ch;
        let g = &ch.graph;
        let cb = self.closed_base();
        let fitting: Vec<Snapped> = sources.iter().filter(|s| s.fits(ch)).copied().collect();
        let sources = &fitting[..];
        // the off-road leg from each source to its road comes first
        let off_ms: Vec<u32> = sources
            .iter()
            .map(|s| self.snap.off_road_ms(s.distance_m))
            .collect();
        let seeds: Vec<Seed> = sources
            .iter()
            .zip(&off_ms)
            .flat_map(|(s, &off)| {
                s.source_seeds(ch, cb).into_iter().map(move |mut seed| {
                    seed.ms = seed.ms.saturating_add(off);
                    seed
                })
            })
            .collect();
        let mut nodes = Vec::new();
        let mut times = Vec::new();
        let mut st = ch.take_state();
        // a node's time is that of the first edge into it settled
        let mut seen = vec![false; g.num_nodes()];
        ch.base_search(&mut st, &seeds, cb, limit, |e, d, _| {
            let v = g.head[e as usize];
            if !std::mem::replace(&mut seen[v as usize], true) {
                nodes.push(v);
                times.push(crate::turns::real_ms(d));
            }
            true
        });
        ch.put_state(st);
        let mut iso = Isochrone {
            limit_s,
            times_s: times.iter().map(|&t| t as f64 / 1000.0).collect(),
            nodes,
            polygons: MultiPolygon::new(Vec::new()),
            cell_m: opts.cell_m,
            source_snap_m: sources.iter().map(|s| s.distance_m).collect(),
            source_off_road_s: off_ms.iter().map(|&t| t as f64 / 1000.0).collect(),
        };
        if !opts.polygons || (iso.nodes.is_empty() && sources.is_empty()) {
            return Ok(iso);
        }
        // reached road points: (lon, lat) pairs, as segments to sample
        let mut segs: Vec<([f64; 2], [f64; 2])> = Vec::new();
        for (s, &off) in sources.iter().zip(&off_ms) {
            if off <= limit {
                segs.push(([s.lon, s.lat], [s.lon, s.lat]));
            }
        }
        for (&v, &t) in iso.nodes.iter().zip(&times) {
            let p = g.coord(v);
            segs.push((p, p));
            for e in g.out_edges(v) {
                if bit(cb, e as usize) {
                    continue;
                }
                let w = g.time_ms[e as usize].max(1) as f64;
                let f = ((limit - t) as f64 / w).min(1.0);
                let q = g.coord(g.head[e as usize]);
                segs.push((p, [p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])]));
            }
        }
        // the snapped edges themselves, from the source point towards the seeds reached
        let reached: std::collections::HashSet<u32> = sources
            .iter()
            .flat_map(|s| {
                let (a, b) = g.endpoints(s.edge);
                [a, b]
            })
            .filter(|n| iso.nodes.contains(n))
            .collect();
        for (s, &off) in sources.iter().zip(&off_ms) {
            if off > limit {
                continue;
            }
            let (a, b) = g.endpoints(s.edge);
            for n in [a, b] {
                if reached.contains(&n) {
                    segs.push(([s.lon, s.lat], g.coord(n)));
                }
            }
        }
        let (polys, cell) = contour(&segs, opts.cell_m, opts.max_cells);
        iso.polygons = polys;
        iso.cell_m = cell;
        Ok(iso)
    }
}

/// Marks cells around points sampled along `segs` and traces the region boundaries.
pub(crate) fn contour(
    segs: &[([f64; 2], [f64; 2])],
    cell_m: f64,
    max_cells: usize,
) -> (MultiPolygon<f64>, f64) {
    if segs.is_empty() {
        return (MultiPolygon::new(Vec::new()), cell_m);
    }
    let lat0 = segs.iter().map(|s| s.0[1]).sum::<f64>() / segs.len() as f64;
    let kx = lat0.to_radians().cos().max(0.01) * M_PER_DEG;
    let ky = M_PER_DEG;
    let proj = |p: [f64; 2]| [p[0] * kx, p[1] * ky];
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for s in segs {
        for p in [proj(s.0), proj(s.1)] {
            minx = minx.min(p[0]);
            miny = miny.min(p[1]);
            maxx = maxx.max(p[0]);
            maxy = maxy.max(p[1]);
        }
    }
    let mut cell = cell_m;
    let dims = |c: f64| {
        (
            ((maxx - minx) / c).floor() as usize + 5,
            ((maxy - miny) / c).floor() as usize + 5,
        )
    };
    while {
        let (w, h) = dims(cell);
        (w as f64) * (h as f64) > max_cells as f64
    } {
        cell *= 1.5;
    }
    let (w, h) = dims(cell);
    // origin two cells below the minimum so dilation stays inside with a border
    let ox = minx - 2.0 * cell;
    let oy = miny - 2.0 * cell;
    let mut marked = vec![false; w * h];
    let mut mark = |x: f64, y: f64| {
        let i = ((x - ox) / cell).floor() as isize;
        let j = ((y - oy) / cell).floor() as isize;
        for dj in -1..=1 {
            for di in -1..=1 {
                let (ci, cj) = (i + di, j + dj);
                if ci > 0 && cj > 0 && (ci as usize) < w - 1 && (cj as usize) < h - 1 {
                    marked[cj as usize * w + ci as usize] = true;
                }
            }
        }
    };
    for s in segs {
        let (a, b) = (proj(s.0), proj(s.1));
        let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        let steps = (len / (cell / 2.0)).ceil().max(1.0) as usize;
        for k in 0..=steps {
            let t = k as f64 / steps as f64;
            mark(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
        }
    }
    let rings = trace(&marked, w, h);
    let unproj = |i: u32, j: u32| {
        geo::coord! { x: (ox + i as f64 * cell) / kx, y: (oy + j as f64 * cell) / ky }
    };
    let mut by_comp: HashMap<u32, Rings> = HashMap::new();
    for (comp, pts, area2) in rings {
        let mut coords: Vec<geo::Coord<f64>> = pts.iter().map(|&(i, j)| unproj(i, j)).collect();
        if let Some(&f) = coords.first() {
            coords.push(f);
        }
        let ls = LineString::new(coords);
        let entry = by_comp.entry(comp).or_default();
        if area2 > 0 {
            entry.0 = Some(ls);
        } else {
            entry.1.push(ls);
        }
    }
    let mut comps: Vec<_> = by_comp.into_iter().collect();
    comps.sort_by_key(|c| c.0);
    let polys = comps
        .into_iter()
        .filter_map(|(_, (outer, holes))| outer.map(|o| Polygon::new(o, holes)))
        .collect();
    (MultiPolygon::new(polys), cell)
}

/// Outer ring (if traced) and holes of one component.
type Rings = (Option<LineString<f64>>, Vec<LineString<f64>>);
/// (component, grid vertices, twice the signed area).
type Ring = (u32, Vec<(u32, u32)>, i64);

/// Boundary rings of the 4-connected regions of `marked` (a `w x h` grid whose
/// border row/column is never marked). Returns (component, vertices, 2*signed area).
fn trace(marked: &[bool], w: usize, h: usize) -> Vec<Ring> {
    // 4-connected component labels
    let mut comp = vec![u32::MAX; w * h];
    let mut ncomp = 0u32;
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !marked[start] || comp[start] != u32::MAX {
            continue;
        }
        comp[start] = ncomp;
        stack.push(start);
        while let Some(c) = stack.pop() {
            let (i, j) = (c % w, c / w);
            let mut nb = [usize::MAX; 4];
            if i > 0 {
                nb[0] = c - 1;
            }
            if i + 1 < w {
                nb[1] = c + 1;
            }
            if j > 0 {
                nb[2] = c - w;
            }
            if j + 1 < h {
                nb[3] = c + w;
            }
            for n in nb {
                if n != usize::MAX && marked[n] && comp[n] == u32::MAX {
                    comp[n] = ncomp;
                    stack.push(n);
                }
            }
        }
        ncomp += 1;
    }
    // directed boundary edges (interior on the left), by start vertex: bitmask of directions
    // 0: +x, 1: +y, 2: -x, 3: -y
    let vw = w + 1;
    let mut out: HashMap<u32, (u8, u8)> = HashMap::new(); // vertex -> (all dirs, unused dirs)
    let m = |i: usize, j: usize| marked[j * w + i];
    for j in 1..h - 1 {
        for i in 1..w - 1 {
            if !m(i, j) {
                continue;
            }
            let mut add = |vi: usize, vj: usize, d: u8| {
                let e = out.entry((vj * vw + vi) as u32).or_insert((0, 0));
                e.0 |= 1 << d;
                e.1 |= 1 << d;
            };
            if !m(i, j - 1) {
                add(i, j, 0);
            }
            if !m(i + 1, j) {
                add(i + 1, j, 1);
            }
            if !m(i, j + 1) {
                add(i + 1, j + 1, 2);
            }
            if !m(i - 1, j) {
                add(i, j + 1, 3);
            }
        }
    }
    let step = |v: u32, d: u8| -> u32 {
        match d {
            0 => v + 1,
            1 => v + vw as u32,
            2 => v - 1,
            _ => v - vw as u32,
        }
    };
    let mut starts: Vec<u32> = out.keys().copied().collect();
    starts.sort_unstable();
    let mut rings = Vec::new();
    for s in starts {
        while let Some(&(_, unused)) = out.get(&s) {
            if unused == 0 {
                break;
            }
            let d0 = unused.trailing_zeros() as u8;
            let (si, sj) = (s as usize % vw, s as usize / vw);
            let left_cell = match d0 {
                0 => (si, sj),
                1 => (si - 1, sj),
                2 => (si - 1, sj - 1),
                _ => (si, sj - 1),
            };
            let c = comp[left_cell.1 * w + left_cell.0];
            let mut pts: Vec<(u32, u32)> = Vec::new();
            let mut v = s;
            let mut d = d0;
            let mut area2: i64 = 0;
            loop {
                if let Some(e) = out.get_mut(&v) {
                    e.1 &= !(1 << d);
                }
                let nv = step(v, d);
                let (x0, y0) = ((v as usize % vw) as i64, (v as usize / vw) as i64);
                let (x1, y1) = ((nv as usize % vw) as i64, (nv as usize / vw) as i64);
                area2 += x0 * y1 - x1 * y0;
                // choose the next direction by the left-turn rule on all edges at nv
                let all = out.get(&nv).map_or(0, |e| e.0);
                let nd = [(d + 1) % 4, d, (d + 3) % 4]
                    .into_iter()
                    .find(|&c| all & (1 << c) != 0);
                let Some(nd) = nd else { break };
                if nd != d {
                    pts.push(((nv as usize % vw) as u32, (nv as usize / vw) as u32));
                }
                let unused = out.get(&nv).map_or(0, |e| e.1);
                if unused & (1 << nd) == 0 {
                    break; // back at the start edge
                }
                v = nv;
                d = nd;
            }
            if pts.len() >= 3 {
                rings.push((c, pts, area2));
            }
        }
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains};

    #[test]
    fn square_block_and_hole() {
        // a 5x5 block of cells with the centre missing, inside a 9x9 grid
        let (w, h) = (9, 9);
        let mut marked = vec![false; w * h];
        for j in 2..7 {
            for i in 2..7 {
                marked[j * w + i] = !(i == 4 && j == 4);
            }
        }
        let rings = trace(&marked, w, h);
        assert_eq!(rings.len(), 2);
        let outer: Vec<_> = rings.iter().filter(|r| r.2 > 0).collect();
        let holes: Vec<_> = rings.iter().filter(|r| r.2 < 0).collect();
        assert_eq!(outer.len(), 1);
        assert_eq!(holes.len(), 1);
        assert_eq!(outer[0].2, 2 * 25);
        assert_eq!(holes[0].2, -2);
        assert_eq!(outer[0].1.len(), 4);
    }

    #[test]
    fn diagonal_cells_are_separate() {
        let (w, h) = (6, 6);
        let mut marked = vec![false; w * h];
        marked[2 * w + 2] = true;
        marked[3 * w + 3] = true;
        let rings = trace(&marked, w, h);
        assert_eq!(rings.len(), 2);
        assert!(rings.iter().all(|r| r.2 == 2 && r.1.len() == 4));
    }

    #[test]
    fn contour_contains_points() {
        let segs = vec![
            ([8.5, 47.1], [8.5, 47.1]),
            ([8.51, 47.1], [8.53, 47.12]),
            ([8.6, 47.2], [8.6, 47.2]),
        ];
        let (mp, cell) = contour(&segs, 100.0, 1_000_000);
        assert_eq!(cell, 100.0);
        assert!(mp.unsigned_area() > 0.0);
        for p in [[8.5, 47.1], [8.52, 47.11], [8.6, 47.2], [8.53, 47.12]] {
            assert!(mp.contains(&geo::Point::new(p[0], p[1])), "{p:?}");
        }
        assert!(!mp.contains(&geo::Point::new(8.55, 47.15)));
    }
}
