//! Resolving a target area to the divisions (villages, townships) it
//! touches, with the number of points (subscribers, people) reached in each.
//!
//! Divisions below the county level usually come without boundaries (the
//! platform's `villages.csv` has codes and names only), so a division is
//! known here by one representative point: its centroid, the village
//! committee's location, or the mean of its subscribers' locations.

use super::{PointSet, TargetArea};

/// Divisions with one representative point each, indexed for area queries.
#[derive(Debug, Clone)]
pub struct Divisions<C> {
    codes: Vec<C>,
    /// Representative points; ids are indexes into `codes`.
    points: PointSet,
}

/// One division an area touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionReach<'a, C> {
    /// The division's code (as given to [`Divisions::new`]).
    pub code: &'a C,
    /// Its index in the input order.
    pub index: usize,
    /// Whether its representative point is targeted.
    pub representative_inside: bool,
    /// How many of its points (by group) are targeted.
    pub reached: usize,
}

impl<C> Divisions<C> {
    /// Divisions as `(code, lon, lat)` of their representative point. A
    /// division whose point is not finite is kept (it can still be reached
    /// through its points in [`reach`](Self::reach)) but is never inside.
    pub fn new(reps: impl IntoIterator<Item = (C, f64, f64)>) -> Divisions<C> {
        let mut codes = Vec::new();
        let mut pts = Vec::new();
        for (i, (c, lon, lat)) in reps.into_iter().enumerate() {
            codes.push(c);
            pts.push((i as u64, lon, lat));
        }
        Divisions {
            codes,
            points: PointSet::new(pts),
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The codes, in input order (index `i` is group `i` for
    /// [`reach`](Self::reach)).
    pub fn codes(&self) -> &[C] {
        &self.codes
    }

    /// Indexes (input order) of the divisions whose representative point is
    /// targeted, ascending.
    pub fn indexes_inside(&self, area: &TargetArea) -> Vec<usize> {
        let mut idx: Vec<usize> = self
            .points
            .ids_in(area)
            .into_iter()
            .map(|i| i as usize)
            .collect();
        idx.sort_unstable();
        idx
    }

    /// Codes of the divisions whose representative point is targeted, in
    /// input order.
    pub fn inside(&self, area: &TargetArea) -> Vec<&C> {
        self.indexes_inside(area)
            .into_iter()
            .filter_map(|i| self.codes.get(i))
            .collect()
    }

    /// The divisions the area touches: those whose representative point is
    /// targeted, and those with at least one targeted point in `points`,
    /// whose groups must be division indexes (input order) as built with
    /// [`PointSet::new_grouped`]. Sorted by index. Groups that are not an
    /// index of this set are ignored.
    ///
    /// A subscriber with a home division but no location of their own can
    /// be given the division's representative point: they are then reached
    /// exactly when that point is.
    pub fn reach(
        &self,
        area: &TargetArea,
        points: &PointSet,
        threads: usize,
    ) -> Vec<DivisionReach<'_, C>> {
        let inside = self.indexes_inside(area);
        let counts = points.count_by_group(area, threads);
        let mut out = Vec::with_capacity(inside.len().max(counts.len()));
        let (mut i, mut j) = (0, 0);
        loop {
            let a = inside.get(i).copied();
            let b = counts.get(j).map(|&(g, n)| (g as usize, n));
            let (index, rep, reached) = match (a, b) {
                (None, None) => break,
                (Some(x), Some((g, n))) if x == g => {
                    i += 1;
                    j += 1;
                    (x, true, n)
                }
                (Some(x), Some((g, _))) if x < g => {
                    i += 1;
                    (x, true, 0)
                }
                (Some(x), None) => {
                    i += 1;
                    (x, true, 0)
                }
                (_, Some((g, n))) => {
                    j += 1;
                    (g, false, n)
                }
            };
            if let Some(code) = self.codes.get(index) {
                out.push(DivisionReach {
                    code,
                    index,
                    representative_inside: rep,
                    reached,
                });
            }
        }
        out
    }
}
