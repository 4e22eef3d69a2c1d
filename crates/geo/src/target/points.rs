//! [`PointSet`]: millions of `(id, lon, lat)` points in a compact uniform
//! grid, for "which of them are in this area" queries.
//!
//! # Layout
//!
//! Points are bulk-loaded with a counting sort into the cells of a uniform
//! lon/lat grid over their bounding box (about [`DEFAULT_POINTS_PER_CELL`]
//! points per cell on average), cells in row-major order: the ids, the
//! coordinates (`f64`, exact) and an optional group are three parallel
//! arrays, plus one offset per cell. That is 24 bytes per point (+4 with
//! groups) and about 2 more for the offsets; nothing per point is boxed.
//!
//! # Query
//!
//! For an area, the cells of its bounding box are first classified against
//! each member shape:
//!
//! - a polygon's edges are walked and every cell they come near is marked
//!   *partial*; each horizontal run of unmarked cells contains no boundary,
//!   so one exact test of one point decides the whole run: *inside* or
//!   *outside*;
//! - for a circle, the cells of each row fully inside the circle and those
//!   that may meet it are computed from the circle's longitude extent at the
//!   row's latitudes (with safety margins, and the inside run checked at its
//!   corners);
//!
//! Then the points of *inside* cells are taken without any test (a contiguous
//! slice copy per run of cells), the points of *partial* cells are tested
//! exactly with [`TargetArea::locate`], and *outside* cells are skipped. The
//! classification is conservative (a cell is only *inside* if no boundary
//! can be in it), so the answer is exactly the brute-force answer.
//!
//! Rows are independent: [`PointSet::ids_in_par`] splits them between
//! threads (`std::thread::scope`) by point count.

use std::ops::Range;

use super::{Location, TargetArea};
use crate::{BBox, EARTH_RADIUS_M};

/// Average points per grid cell chosen by [`PointSet::new`].
pub const DEFAULT_POINTS_PER_CELL: usize = 4;

/// Cap on the number of grid cells (16 Mi: 128 MiB of offsets).
const MAX_CELLS: usize = 1 << 24;

/// Below this many candidate points a query stays on one thread.
const PAR_MIN_POINTS: usize = 100_000;

const OUT: u8 = 0;
const PARTIAL: u8 = 1;
const IN: u8 = 2;

/// How a query went: see [`PointSet::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryStats {
    /// Grid cells in the area's bounding box.
    pub cells: usize,
    /// Cells entirely inside: their points were taken without a test.
    pub cells_inside: usize,
    /// Cells that may meet the boundary: their points were tested.
    pub cells_partial: usize,
    /// Points taken without a test.
    pub points_bulk: usize,
    /// Points tested exactly.
    pub points_tested: usize,
}

/// Points with `u64` ids, indexed for area queries. See the module docs.
#[derive(Debug, Clone)]
pub struct PointSet {
    ids: Vec<u64>,
    xy: Vec<[f64; 2]>,
    /// Dense group index per point (see [`PointSet::new_grouped`]).
    groups: Option<Vec<u32>>,
    /// Dense group index → the caller's group value.
    group_values: Vec<u32>,
    grid: Grid,
    /// `cell_start[c]..cell_start[c + 1]` are the points of cell `c`.
    cell_start: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Grid {
    min_x: f64,
    min_y: f64,
    dx: f64,
    dy: f64,
    inv_dx: f64,
    inv_dy: f64,
    nx: usize,
    ny: usize,
    /// Margin around a cell's nominal rectangle that certainly holds every
    /// point assigned to it despite rounding (orders of magnitude larger
    /// than the rounding error, orders smaller than a cell).
    pad_x: f64,
    pad_y: f64,
}

impl Grid {
    fn new(b: &BBox, cells: usize) -> Grid {
        let (w, h) = if b.is_empty() {
            (0.0, 0.0)
        } else {
            (b.max_lon - b.min_lon, b.max_lat - b.min_lat)
        };
        // Roughly square cells on the ground.
        let mid = if b.is_empty() {
            0.0
        } else {
            (b.min_lat + b.max_lat) / 2.0
        };
        let wg = w * mid.to_radians().cos().abs().max(0.01);
        let cells = cells.clamp(1, MAX_CELLS) as f64;
        let (nx, ny) = if wg > 0.0 && h > 0.0 {
            let nx = (cells * wg / h).sqrt().ceil().clamp(1.0, cells);
            let ny = (cells / nx).ceil().clamp(1.0, cells);
            (nx as usize, ny as usize)
        } else if wg > 0.0 {
            (cells as usize, 1)
        } else if h > 0.0 {
            (1, cells as usize)
        } else {
            (1, 1)
        };
        let dx = if w > 0.0 { w / nx as f64 } else { 1.0 };
        let dy = if h > 0.0 { h / ny as f64 } else { 1.0 };
        let (min_x, min_y) = if b.is_empty() {
            (0.0, 0.0)
        } else {
            (b.min_lon, b.min_lat)
        };
        let ulp_scale = 1e-12 * (min_x.abs() + min_y.abs() + w + h + 1.0);
        Grid {
            min_x,
            min_y,
            dx,
            dy,
            inv_dx: 1.0 / dx,
            inv_dy: 1.0 / dy,
            nx,
            ny,
            pad_x: dx * 1e-7 + ulp_scale,
            pad_y: dy * 1e-7 + ulp_scale,
        }
    }

    /// Column of `x` (clamped). Monotone non-decreasing in `x`.
    #[inline]
    fn col(&self, x: f64) -> usize {
        let t = ((x - self.min_x) * self.inv_dx).floor();
        if t >= 0.0 {
            (t as usize).min(self.nx - 1)
        } else {
            0
        }
    }

    #[inline]
    fn row(&self, y: f64) -> usize {
        let t = ((y - self.min_y) * self.inv_dy).floor();
        if t >= 0.0 {
            (t as usize).min(self.ny - 1)
        } else {
            0
        }
    }

    /// Padded x-range of column `i`: holds every point assigned to it.
    #[inline]
    fn col_range(&self, i: usize) -> (f64, f64) {
        (
            self.min_x + i as f64 * self.dx - self.pad_x,
            self.min_x + (i + 1) as f64 * self.dx + self.pad_x,
        )
    }

    #[inline]
    fn row_range(&self, j: usize) -> (f64, f64) {
        (
            self.min_y + j as f64 * self.dy - self.pad_y,
            self.min_y + (j + 1) as f64 * self.dy + self.pad_y,
        )
    }
}

/// The cells of a query: columns `cx0..=cx1`, rows `cy0..=cy1`.
#[derive(Debug, Clone, Copy)]
struct Window {
    cx0: usize,
    cx1: usize,
    cy0: usize,
    cy1: usize,
}

impl Window {
    fn w(&self) -> usize {
        self.cx1 - self.cx0 + 1
    }
    fn h(&self) -> usize {
        self.cy1 - self.cy0 + 1
    }
}

/// A classified window: one state byte per cell, row-major.
struct Plan {
    win: Window,
    states: Vec<u8>,
}

/// What a query does with the points it finds.
trait Sink {
    /// Every point of `range` (storage indexes) is targeted.
    fn all(&mut self, set: &PointSet, range: Range<usize>);
    /// Point `i` is targeted.
    fn one(&mut self, set: &PointSet, i: usize);
}

struct Ids(Vec<u64>);
impl Sink for Ids {
    #[inline]
    fn all(&mut self, set: &PointSet, range: Range<usize>) {
        self.0.extend_from_slice(&set.ids[range]);
    }
    #[inline]
    fn one(&mut self, set: &PointSet, i: usize) {
        self.0.push(set.ids[i]);
    }
}

/// Ids into a preallocated stretch (sized by an exact upper bound).
struct IdSlice<'a> {
    buf: &'a mut [u64],
    len: usize,
}
impl Sink for IdSlice<'_> {
    #[inline]
    fn all(&mut self, set: &PointSet, range: Range<usize>) {
        let n = range.len();
        self.buf[self.len..self.len + n].copy_from_slice(&set.ids[range]);
        self.len += n;
    }
    #[inline]
    fn one(&mut self, set: &PointSet, i: usize) {
        self.buf[self.len] = set.ids[i];
        self.len += 1;
    }
}

struct Count(usize);
impl Sink for Count {
    #[inline]
    fn all(&mut self, _: &PointSet, range: Range<usize>) {
        self.0 += range.len();
    }
    #[inline]
    fn one(&mut self, _: &PointSet, _: usize) {
        self.0 += 1;
    }
}

struct Groups<'a>(&'a [u32], Vec<usize>);
impl Sink for Groups<'_> {
    #[inline]
    fn all(&mut self, _: &PointSet, range: Range<usize>) {
        for &g in &self.0[range] {
            self.1[g as usize] += 1;
        }
    }
    #[inline]
    fn one(&mut self, _: &PointSet, i: usize) {
        self.1[self.0[i] as usize] += 1;
    }
}

impl PointSet {
    /// Bulk-load `(id, lon, lat)` points (O(n), counting sort). Points with
    /// a non-finite coordinate are dropped (they can match no area). Ids
    /// need not be unique: a duplicated id is reported once per point.
    pub fn new(points: impl IntoIterator<Item = (u64, f64, f64)>) -> PointSet {
        PointSet::with_points_per_cell(points, DEFAULT_POINTS_PER_CELL)
    }

    /// As [`new`](Self::new) with another average number of points per grid
    /// cell (a tuning knob: smaller cells classify more finely but cost more
    /// offsets and more cells to classify per query).
    pub fn with_points_per_cell(
        points: impl IntoIterator<Item = (u64, f64, f64)>,
        points_per_cell: usize,
    ) -> PointSet {
        PointSet::build(
            points.into_iter().map(|(id, x, y)| (id, x, y, 0)),
            points_per_cell,
            false,
        )
    }

    /// As [`new`](Self::new), each point with a group (for example the index
    /// of its home village), for [`count_by_group`](Self::count_by_group).
    pub fn new_grouped(points: impl IntoIterator<Item = (u64, f64, f64, u32)>) -> PointSet {
        PointSet::build(points, DEFAULT_POINTS_PER_CELL, true)
    }

    /// As [`new_grouped`](Self::new_grouped) with another average number of
    /// points per cell (see [`with_points_per_cell`](Self::with_points_per_cell)).
    pub fn new_grouped_with_points_per_cell(
        points: impl IntoIterator<Item = (u64, f64, f64, u32)>,
        points_per_cell: usize,
    ) -> PointSet {
        PointSet::build(points, points_per_cell, true)
    }

    fn build(
        points: impl IntoIterator<Item = (u64, f64, f64, u32)>,
        points_per_cell: usize,
        grouped: bool,
    ) -> PointSet {
        let input: Vec<(u64, f64, f64, u32)> = points
            .into_iter()
            .filter(|p| p.1.is_finite() && p.2.is_finite())
            .collect();
        let bbox = BBox::from_points(input.iter().map(|p| (p.1, p.2)));
        let n = input.len();
        let grid = Grid::new(&bbox, n / points_per_cell.max(1));
        let cells = grid.nx * grid.ny;
        let cell_of: Vec<u32> = input
            .iter()
            .map(|p| (grid.row(p.2) * grid.nx + grid.col(p.1)) as u32)
            .collect();
        let mut cell_start = vec![0usize; cells + 1];
        for &c in &cell_of {
            cell_start[c as usize + 1] += 1;
        }
        for i in 0..cells {
            cell_start[i + 1] += cell_start[i];
        }
        // Dense group indexes, in increasing order of the caller's values.
        let mut group_values: Vec<u32> = Vec::new();
        if grouped {
            group_values = input.iter().map(|p| p.3).collect();
            group_values.sort_unstable();
            group_values.dedup();
        }
        let mut next = cell_start.clone();
        let mut ids = vec![0u64; n];
        let mut xy = vec![[0.0f64; 2]; n];
        let mut groups = if grouped { vec![0u32; n] } else { Vec::new() };
        for (p, &c) in input.iter().zip(&cell_of) {
            let slot = &mut next[c as usize];
            ids[*slot] = p.0;
            xy[*slot] = [p.1, p.2];
            if grouped {
                // Present by construction; 0 is never wrong for memory safety.
                groups[*slot] = group_values.binary_search(&p.3).unwrap_or(0) as u32;
            }
            *slot += 1;
        }
        PointSet {
            ids,
            xy,
            groups: grouped.then_some(groups),
            group_values,
            grid,
            cell_start,
        }
    }

    /// Number of points stored.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The bounding box of the points.
    pub fn bbox(&self) -> BBox {
        BBox::from_points(self.xy.iter().map(|p| (p[0], p[1])))
    }

    /// Grid size, columns × rows.
    pub fn grid_dims(&self) -> (usize, usize) {
        (self.grid.nx, self.grid.ny)
    }

    /// Heap bytes held (ids, coordinates, groups, cell offsets).
    pub fn memory_bytes(&self) -> usize {
        self.ids.capacity() * 8
            + self.xy.capacity() * 16
            + self.groups.as_ref().map_or(0, |g| g.capacity() * 4)
            + self.group_values.capacity() * 4
            + self.cell_start.capacity() * std::mem::size_of::<usize>()
    }

    /// Every point as `(id, lon, lat)`, in storage (grid) order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, f64, f64)> + '_ {
        self.ids
            .iter()
            .zip(&self.xy)
            .map(|(&id, p)| (id, p[0], p[1]))
    }

    /// The ids of the targeted points (see [`TargetArea`] for the
    /// predicate), in storage order: grouped by grid cell, not sorted.
    pub fn ids_in(&self, area: &TargetArea) -> Vec<u64> {
        self.ids_in_par(area, 1)
    }

    /// How many points are targeted.
    pub fn count_in(&self, area: &TargetArea) -> usize {
        self.count_in_par(area, 1)
    }

    /// As [`ids_in`](Self::ids_in) on up to `threads` threads (same result,
    /// same order). Small queries stay on the calling thread.
    pub fn ids_in_par(&self, area: &TargetArea, threads: usize) -> Vec<u64> {
        let Some(plan) = self.plan(area) else {
            return Vec::new();
        };
        // Room for every point of the inside and partial cells of some rows:
        // an exact upper bound on what those rows can yield.
        let bound = |rows: &Range<usize>| -> usize {
            let w = plan.win.w();
            rows.clone()
                .map(|r| {
                    let base = (plan.win.cy0 + r) * self.grid.nx + plan.win.cx0;
                    plan.states[r * w..(r + 1) * w]
                        .iter()
                        .enumerate()
                        .filter(|(_, &s)| s != OUT)
                        .map(|(c, _)| self.cell_start[base + c + 1] - self.cell_start[base + c])
                        .sum::<usize>()
                })
                .sum()
        };
        let rows = self.split_rows(&plan, threads);
        if rows.len() == 1 {
            let cap = rows.first().map_or(0, &bound);
            let mut s = Ids(Vec::with_capacity(cap));
            self.run_rows(area, &plan, 0..plan.win.h(), &mut s);
            return s.0;
        }
        // Several threads write straight into their own stretch of one
        // buffer (zeroed lazily by the allocator, so its pages are first
        // touched by the thread that fills them); the gaps are then closed.
        let caps: Vec<usize> = rows.iter().map(bound).collect();
        let mut buf = vec![0u64; caps.iter().sum()];
        let lens: Vec<usize> = {
            let mut rest: &mut [u64] = &mut buf;
            let mut parts = Vec::with_capacity(rows.len());
            for (r, &cap) in rows.into_iter().zip(&caps) {
                let (mine, others) = rest.split_at_mut(cap);
                rest = others;
                parts.push((r, IdSlice { buf: mine, len: 0 }));
            }
            self.run_parts(area, &plan, parts)
                .iter()
                .map(|s| s.len)
                .collect()
        };
        let (mut write, mut start) = (0, 0);
        for (len, cap) in lens.into_iter().zip(caps) {
            buf.copy_within(start..start + len, write);
            write += len;
            start += cap;
        }
        buf.truncate(write);
        buf
    }

    /// As [`count_in`](Self::count_in) on up to `threads` threads.
    pub fn count_in_par(&self, area: &TargetArea, threads: usize) -> usize {
        let Some(plan) = self.plan(area) else {
            return 0;
        };
        self.run_split(area, &plan, threads, || Count(0))
            .iter()
            .map(|c| c.0)
            .sum()
    }

    /// Targeted points per group, as `(group, count)` in increasing group
    /// order, groups with no targeted point left out. Empty if the set was
    /// not built with [`new_grouped`](Self::new_grouped).
    pub fn count_by_group(&self, area: &TargetArea, threads: usize) -> Vec<(u32, usize)> {
        let Some(groups) = &self.groups else {
            return Vec::new();
        };
        let Some(plan) = self.plan(area) else {
            return Vec::new();
        };
        let k = self.group_values.len();
        let parts = self.run_split(area, &plan, threads, || Groups(groups, vec![0; k]));
        let mut total = vec![0usize; k];
        for p in parts {
            for (t, c) in total.iter_mut().zip(p.1) {
                *t += c;
            }
        }
        total
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(|(g, c)| (self.group_values[g], c))
            .collect()
    }

    /// How a query for `area` is answered: cells classified, points taken
    /// in bulk and points tested one by one (for tuning and benchmarks).
    pub fn explain(&self, area: &TargetArea) -> QueryStats {
        let Some(plan) = self.plan(area) else {
            return QueryStats::default();
        };
        let mut st = QueryStats {
            cells: plan.states.len(),
            ..QueryStats::default()
        };
        let w = plan.win.w();
        for (k, &s) in plan.states.iter().enumerate() {
            let (r, c) = (k / w, k % w);
            let cell = (plan.win.cy0 + r) * self.grid.nx + plan.win.cx0 + c;
            let n = self.cell_start[cell + 1] - self.cell_start[cell];
            match s {
                IN => {
                    st.cells_inside += 1;
                    st.points_bulk += n;
                }
                PARTIAL => {
                    st.cells_partial += 1;
                    st.points_tested += n;
                }
                _ => {}
            }
        }
        st
    }

    /// Classify the cells of the area's bounding box; `None` if no point
    /// can be targeted.
    fn plan(&self, area: &TargetArea) -> Option<Plan> {
        if self.is_empty() || area.is_empty() {
            return None;
        }
        let b = area.bbox();
        let g = &self.grid;
        let (gx0, _) = g.col_range(0);
        let (gy0, _) = g.row_range(0);
        let (_, gx_end) = g.col_range(g.nx - 1);
        let (_, gy_end) = g.row_range(g.ny - 1);
        if b.is_empty()
            || b.max_lon < gx0
            || b.min_lon > gx_end
            || b.max_lat < gy0
            || b.min_lat > gy_end
        {
            return None;
        }
        let win = Window {
            cx0: g.col(b.min_lon),
            cx1: g.col(b.max_lon),
            cy0: g.row(b.min_lat),
            cy1: g.row(b.max_lat),
        };
        let cells = win.w() * win.h();
        let mut states = vec![OUT; cells];
        let mut marks = Vec::new();
        for rings in area.rings() {
            self.classify_rings(rings, &win, &mut states, &mut marks);
        }
        for c in area.circles() {
            self.classify_circle(c, &win, &mut states);
        }
        Some(Plan { win, states })
    }

    fn classify_rings(
        &self,
        rings: &super::rings::Rings,
        win: &Window,
        states: &mut [u8],
        marks: &mut Vec<bool>,
    ) {
        let g = &self.grid;
        let rb = rings.bbox();
        if rb.is_empty() {
            return;
        }
        let (w, h) = (win.w(), win.h());
        marks.clear();
        marks.resize(w * h, false);
        // The window's extent, one cell wider all round: edge parts beyond
        // it cannot come near a window cell.
        let (x_lo, _) = g.col_range(win.cx0);
        let (_, x_hi) = g.col_range(win.cx1);
        let (y_lo, _) = g.row_range(win.cy0);
        let (_, y_hi) = g.row_range(win.cy1);
        let (rx0, rx1, ry0, ry1) = (x_lo - g.dx, x_hi + g.dx, y_lo - g.dy, y_hi + g.dy);
        let (px, py) = (2.0 * g.pad_x, 2.0 * g.pad_y);
        for e in rings.edges() {
            let (a, b) = (e.a, e.b);
            let (ddx, ddy) = (b.x - a.x, b.y - a.y);
            // Clip the parameter range to the widened window.
            let (mut t0, mut t1) = (0.0f64, 1.0f64);
            for (p, d, lo, hi) in [(a.x, ddx, rx0, rx1), (a.y, ddy, ry0, ry1)] {
                if d == 0.0 {
                    if p < lo || p > hi {
                        t1 = -1.0;
                    }
                } else {
                    let (ta, tb) = ((lo - p) / d, (hi - p) / d);
                    t0 = t0.max(ta.min(tb));
                    t1 = t1.min(ta.max(tb));
                }
            }
            if t0 > t1 || t0.is_nan() || t1.is_nan() {
                continue;
            }
            if t0 > 0.0 {
                t0 = (t0 - 1e-9).max(0.0);
            }
            if t1 < 1.0 {
                t1 = (t1 + 1e-9).min(1.0);
            }
            // Pieces of at most about one cell each way.
            let len = ((t1 - t0) * (ddx.abs() * g.inv_dx).max(ddy.abs() * g.inv_dy)).ceil();
            let k = if len.is_finite() && len >= 1.0 {
                (len as usize).min(1 << 24)
            } else {
                1
            };
            let point = |j: usize| -> (f64, f64) {
                if j == 0 && t0 == 0.0 {
                    (a.x, a.y)
                } else if j == k && t1 == 1.0 {
                    (b.x, b.y)
                } else {
                    let t = t0 + (t1 - t0) * (j as f64 / k as f64);
                    (a.x + ddx * t, a.y + ddy * t)
                }
            };
            let mut p = point(0);
            for j in 1..=k {
                let q = point(j);
                let (xlo, xhi) = (p.0.min(q.0) - px, p.0.max(q.0) + px);
                let (ylo, yhi) = (p.1.min(q.1) - py, p.1.max(q.1) + py);
                p = q;
                if xhi < x_lo || xlo > x_hi || yhi < y_lo || ylo > y_hi {
                    continue;
                }
                let (c0, c1) = (g.col(xlo).max(win.cx0), g.col(xhi).min(win.cx1));
                let (r0, r1) = (g.row(ylo).max(win.cy0), g.row(yhi).min(win.cy1));
                if c0 > c1 || r0 > r1 {
                    continue;
                }
                for r in r0..=r1 {
                    let base = (r - win.cy0) * w;
                    marks[base + c0 - win.cx0..=base + c1 - win.cx0].fill(true);
                }
            }
        }
        // Runs of unmarked cells hold no boundary point: one exact test of a
        // cell centre decides the run.
        for r in 0..h {
            let row = &marks[r * w..(r + 1) * w];
            let states = &mut states[r * w..(r + 1) * w];
            let (ylo, yhi) = g.row_range(win.cy0 + r);
            let yc = (ylo + yhi) / 2.0;
            let mut c = 0;
            while c < w {
                if row[c] {
                    states[c] = states[c].max(PARTIAL);
                    c += 1;
                    continue;
                }
                let mut e = c + 1;
                while e < w && !row[e] {
                    e += 1;
                }
                // Unmarked cells outside the polygon's box are outside.
                let (xlo, xhi) = g.col_range(win.cx0 + c);
                let xc = (xlo + xhi) / 2.0;
                let s = match rings.locate(xc, yc) {
                    Location::Inside => IN,
                    Location::Outside => OUT,
                    // Cannot happen (no boundary in the run); stay exact.
                    Location::Boundary => PARTIAL,
                };
                if s != OUT {
                    for st in &mut states[c..e] {
                        *st = (*st).max(s);
                    }
                }
                c = e;
            }
        }
    }

    fn classify_circle(&self, circle: &super::Circle, win: &Window, states: &mut [u8]) {
        let g = &self.grid;
        let w = win.w();
        let cb = circle.bbox();
        if cb.is_empty() {
            return;
        }
        let delta = circle.radius_m / EARTH_RADIUS_M; // angular radius
        let (phi_c, lam_c) = (circle.lat.to_radians(), circle.lon);
        let cos_d = delta.cos();
        let general = cb.min_lon <= -180.0
            || cb.max_lon >= 180.0
            || delta >= std::f64::consts::FRAC_PI_2
            || circle.lat.abs() >= 89.0;
        // Half-width in longitude (degrees) of the circle at latitude `phi`
        // (radians), or None if that parallel misses it. `bias` > 0 widens
        // (for the outer bound), < 0 narrows (inner bound).
        let half_width = |phi: f64, bias: f64| -> Option<f64> {
            let den = phi_c.cos() * phi.cos();
            if den <= 0.0 {
                return None;
            }
            let arg = (cos_d - phi_c.sin() * phi.sin()) / den - bias;
            if arg > 1.0 {
                None
            } else if arg <= -1.0 {
                Some(180.0)
            } else {
                Some(arg.acos().to_degrees())
            }
        };
        // Latitude (radians) of the circle's widest point.
        let s = phi_c.sin() / cos_d;
        let phi_star = if s.abs() <= 1.0 { s.asin() } else { phi_c };
        for r in 0..win.h() {
            let (ylo, yhi) = g.row_range(win.cy0 + r);
            let states = &mut states[r * w..(r + 1) * w];
            if yhi < cb.min_lat || ylo > cb.max_lat {
                continue;
            }
            if general {
                for (c, st) in states.iter_mut().enumerate() {
                    let (xlo, xhi) = g.col_range(win.cx0 + c);
                    if xhi >= cb.min_lon && xlo <= cb.max_lon {
                        *st = (*st).max(PARTIAL);
                    }
                }
                continue;
            }
            // Outer: the widest extent over the row's latitudes.
            let (lo, hi) = (ylo.to_radians(), yhi.to_radians());
            let widest = phi_star.clamp(lo, hi);
            let outer = match half_width(widest, 1e-12) {
                Some(hw) => hw * (1.0 + 1e-9) + 1e-9,
                // The row's nearest latitude to the widest point misses
                // the circle: only the tip can be near; keep a sliver.
                None => 1e-6,
            };
            // Inner: the narrowest extent (at an end of the range, the
            // width being unimodal in latitude).
            let inner = match (half_width(lo, -1e-12), half_width(hi, -1e-12)) {
                (Some(a), Some(b)) => Some(a.min(b) * (1.0 - 1e-9) - 1e-9),
                _ => None,
            };
            // This circle's own verdict per cell: the inside cells form one
            // run around the centre's column (`far` grows away from it).
            let own = |c: usize| -> u8 {
                let (xlo, xhi) = g.col_range(win.cx0 + c);
                let far = (xlo - lam_c).abs().max((xhi - lam_c).abs());
                let near = if xlo <= lam_c && lam_c <= xhi {
                    0.0
                } else {
                    (xlo - lam_c).abs().min((xhi - lam_c).abs())
                };
                if inner.is_some_and(|i| far <= i) {
                    IN
                } else if near <= outer {
                    PARTIAL
                } else {
                    OUT
                }
            };
            let mut verdicts: Vec<u8> = (0..w).map(own).collect();
            // Belt and braces: the inside run's end cells must have all four
            // corners strictly inside; otherwise the run degrades to partial.
            let first = verdicts.iter().position(|&v| v == IN);
            let last = verdicts.iter().rposition(|&v| v == IN);
            if let (Some(first), Some(last)) = (first, last) {
                let ok = [first, last].iter().all(|&c| {
                    let (xlo, xhi) = g.col_range(win.cx0 + c);
                    [(xlo, ylo), (xlo, yhi), (xhi, ylo), (xhi, yhi)]
                        .iter()
                        .all(|&(x, y)| {
                            crate::haversine_m(circle.lon, circle.lat, x, y)
                                < circle.radius_m * (1.0 - 1e-10)
                        })
                });
                if !ok {
                    for v in &mut verdicts[first..=last] {
                        *v = PARTIAL;
                    }
                }
            }
            for (st, v) in states.iter_mut().zip(verdicts) {
                *st = (*st).max(v);
            }
        }
    }

    /// Split the plan's rows into up to `threads` ranges of about equal
    /// point counts (one range for small queries).
    fn split_rows(&self, plan: &Plan, threads: usize) -> Vec<Range<usize>> {
        let h = plan.win.h();
        let threads = threads.clamp(1, h.max(1));
        // Points per row of the window, to split by work.
        let row_points: Vec<usize> = (0..h)
            .map(|r| {
                let base = (plan.win.cy0 + r) * self.grid.nx;
                self.cell_start[base + plan.win.cx1 + 1] - self.cell_start[base + plan.win.cx0]
            })
            .collect();
        let total: usize = row_points.iter().sum();
        if threads == 1 || total < PAR_MIN_POINTS {
            return std::iter::once(0..h).collect();
        }
        let mut bounds = vec![0usize];
        let mut acc = 0usize;
        let mut k = 1;
        for (r, n) in row_points.iter().enumerate() {
            acc += n;
            if k < threads && acc * threads >= total * k {
                bounds.push(r + 1);
                k += 1;
            }
        }
        bounds.push(h);
        bounds.dedup();
        bounds.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// Run each part's rows into its sink, the first on this thread and
    /// the others on scoped threads; sinks are returned in order.
    fn run_parts<S: Sink + Send>(
        &self,
        area: &TargetArea,
        plan: &Plan,
        parts: Vec<(Range<usize>, S)>,
    ) -> Vec<S> {
        let mut parts = parts.into_iter();
        let Some((rows0, mut first)) = parts.next() else {
            return Vec::new();
        };
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .map(|(rows, mut s)| {
                    scope.spawn(move || {
                        self.run_rows(area, plan, rows, &mut s);
                        s
                    })
                })
                .collect();
            self.run_rows(area, plan, rows0, &mut first);
            let mut out = vec![first];
            for hnd in handles {
                match hnd.join() {
                    Ok(s) => out.push(s),
                    // A panic in a worker is a bug here; re-raise it.
                    Err(e) => std::panic::resume_unwind(e),
                }
            }
            out
        })
    }

    /// Run the plan's rows in up to `threads` parts, each into a fresh sink.
    fn run_split<S: Sink + Send>(
        &self,
        area: &TargetArea,
        plan: &Plan,
        threads: usize,
        make: impl Fn() -> S,
    ) -> Vec<S> {
        let parts = self
            .split_rows(plan, threads)
            .into_iter()
            .map(|r| (r, make()))
            .collect();
        self.run_parts(area, plan, parts)
    }

    fn run_rows(&self, area: &TargetArea, plan: &Plan, rows: Range<usize>, sink: &mut impl Sink) {
        let win = &plan.win;
        let w = win.w();
        let pred = area.predicate();
        for r in rows {
            let states = &plan.states[r * w..(r + 1) * w];
            let base = (win.cy0 + r) * self.grid.nx + win.cx0;
            let mut c = 0;
            while c < w {
                let s = states[c];
                let mut e = c + 1;
                while e < w && states[e] == s {
                    e += 1;
                }
                let range = self.cell_start[base + c]..self.cell_start[base + e];
                match s {
                    IN => sink.all(self, range),
                    PARTIAL => {
                        for i in range {
                            let [x, y] = self.xy[i];
                            if pred.accepts(area.locate(x, y)) {
                                sink.one(self, i);
                            }
                        }
                    }
                    _ => {}
                }
                c = e;
            }
        }
    }
}
