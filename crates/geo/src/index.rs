//! An R-tree point index (rstar) for bbox, area and nearest queries.
//!
//! Points are stored as lon/lat degrees. Box and area queries are exact;
//! [`PointIndex::nearest`] ranks by true great-circle distance (it walks the
//! tree in degree order and stops only when a proven lower bound on the
//! remaining points' distance exceeds the k-th best found).

use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::{Area, BBox, PreparedArea, EARTH_RADIUS_M};

/// Points with a payload `T` (an id, a record, …).
pub struct PointIndex<T> {
    tree: RTree<GeomWithData<[f64; 2], T>>,
}

impl<T> Default for PointIndex<T> {
    fn default() -> Self {
        PointIndex { tree: RTree::new() }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for PointIndex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PointIndex")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

fn envelope(b: &BBox) -> AABB<[f64; 2]> {
    AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat])
}

impl<T> PointIndex<T> {
    /// Bulk-load `(payload, lon, lat)` triples (O(n log n)). Points with a
    /// NaN coordinate are dropped (they could never match a query).
    pub fn new(points: Vec<(T, f64, f64)>) -> Self {
        let items = points
            .into_iter()
            .filter(|(_, lon, lat)| !lon.is_nan() && !lat.is_nan())
            .map(|(t, lon, lat)| GeomWithData::new([lon, lat], t))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// Add one point (O(log n); bulk loading with [`new`](Self::new) gives a
    /// better tree).
    pub fn insert(&mut self, t: T, lon: f64, lat: f64) {
        if !lon.is_nan() && !lat.is_nan() {
            self.tree.insert(GeomWithData::new([lon, lat], t));
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Every point with its coordinates, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&T, f64, f64)> {
        self.tree
            .iter()
            .map(|g| (&g.data, g.geom()[0], g.geom()[1]))
    }

    /// Points inside the box (edges included).
    pub fn in_bbox(&self, b: &BBox) -> impl Iterator<Item = &T> {
        // An empty box has min > max, and rstar would normalise its corners
        // into "everything": take nothing from it instead.
        let take = if b.is_empty() { 0 } else { usize::MAX };
        self.tree
            .locate_in_envelope(&envelope(b))
            .take(take)
            .map(|g| &g.data)
    }

    /// Points inside the area (boundary included): bbox pre-filter in the
    /// tree, then an exact test against the prepared area.
    pub fn in_area(&self, a: &Area) -> Vec<&T> {
        self.in_prepared(&PreparedArea::new(a))
    }

    /// As [`in_area`](Self::in_area), for an area already prepared (reuse it
    /// when querying several indexes with one area).
    pub fn in_prepared(&self, a: &PreparedArea) -> Vec<&T> {
        let b = a.bbox();
        if b.is_empty() {
            return Vec::new();
        }
        self.tree
            .locate_in_envelope(&envelope(&b))
            .filter(|g| a.contains(g.geom()[0], g.geom()[1]))
            .map(|g| &g.data)
            .collect()
    }

    /// Points within `radius_m` metres of (lon, lat), nearest first, with
    /// their distance in metres.
    pub fn within(&self, lon: f64, lat: f64, radius_m: f64) -> Vec<(&T, f64)> {
        let b = Area::Circle { lon, lat, radius_m }.bbox();
        if b.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<(&T, f64)> = self
            .tree
            .locate_in_envelope(&envelope(&b))
            .map(|g| {
                (
                    &g.data,
                    crate::haversine_m(lon, lat, g.geom()[0], g.geom()[1]),
                )
            })
            .filter(|(_, d)| *d <= radius_m)
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1));
        out
    }

    /// The `k` nearest points by great-circle distance, nearest first, with
    /// that distance in metres. Exact (not an approximation in degrees).
    pub fn nearest(&self, lon: f64, lat: f64, k: usize) -> Vec<(&T, f64)> {
        let mut best: Vec<(&T, f64)> = Vec::with_capacity(k.min(1024) + 1);
        if k == 0 || lon.is_nan() || lat.is_nan() {
            return best;
        }
        let c = lat.to_radians().cos().abs();
        for g in self.tree.nearest_neighbor_iter(&[lon, lat]) {
            let [x, y] = *g.geom();
            if best.len() == k {
                let de = (x - lon).hypot(y - lat);
                if lower_bound_m(de, c) > best[k - 1].1 {
                    break; // every later point is at least this far
                }
            }
            let d = crate::haversine_m(lon, lat, x, y);
            if best.len() < k || d < best[k - 1].1 {
                let at = best.partition_point(|(_, e)| *e <= d);
                best.insert(at, (&g.data, d));
                best.truncate(k);
            }
        }
        best
    }
}

/// A lower bound on the great-circle distance (metres) to any point whose
/// planar distance in degrees from the query is at least `de_deg`, where
/// `c = |cos(query latitude)|`.
///
/// With offsets (Δλ, Δφ) in radians and d = √(Δλ² + Δφ²): the angular
/// distance is ≥ |Δφ|, and ≥ asin(c·|sin Δλ|) (the distance to the meridian
/// great circle through the point) ≥ c·sinc(d)·|Δλ| =: c'·|Δλ| for d ≤ π/2.
/// The smaller of the two maxima over the circle of radius d is d·c'/√(1+c'²).
fn lower_bound_m(de_deg: f64, c: f64) -> f64 {
    let d = de_deg.to_radians();
    if !(d > 0.0 && d < std::f64::consts::FRAC_PI_2) {
        return 0.0; // no useful bound: keep scanning
    }
    let cp = c * d.sin() / d;
    // Shave a relative 1e-9 off for rounding.
    EARTH_RADIUS_M * d * cp / (1.0 + cp * cp).sqrt() * (1.0 - 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grid() -> Vec<(usize, f64, f64)> {
        (0..400)
            .map(|i| {
                (
                    i,
                    113.0 + (i % 20) as f64 * 0.05,
                    40.0 + (i / 20) as f64 * 0.05,
                )
            })
            .collect()
    }

    #[test]
    fn queries_agree_with_brute_force() {
        let pts = grid();
        let idx = PointIndex::new(pts.clone());
        assert_eq!(idx.len(), 400);
        assert!(!idx.is_empty());
        let b = BBox::parse("113.1,40.1,113.3,40.3").unwrap();
        let mut got: Vec<usize> = idx.in_bbox(&b).copied().collect();
        got.sort();
        let want: Vec<usize> = pts
            .iter()
            .filter(|p| b.contains(p.1, p.2))
            .map(|p| p.0)
            .collect();
        assert_eq!(got, want);
        assert_eq!(want.len(), 25, "edges included");
        let a = Area::Circle {
            lon: 113.5,
            lat: 40.5,
            radius_m: 6000.0,
        };
        let mut got: Vec<usize> = idx.in_area(&a).into_iter().copied().collect();
        got.sort();
        let want: Vec<usize> = pts
            .iter()
            .filter(|p| a.contains(p.1, p.2))
            .map(|p| p.0)
            .collect();
        assert_eq!(got, want);
        assert!(!want.is_empty());
        let mut within: Vec<usize> = idx
            .within(113.5, 40.5, 6000.0)
            .iter()
            .map(|p| *p.0)
            .collect();
        within.sort();
        assert_eq!(within, want);
        let near = idx.nearest(113.51, 40.5, 3);
        assert_eq!(*near[0].0, 10 * 20 + 10);
        assert!(near[0].1 <= near[1].1 && near[1].1 <= near[2].1);
        assert!(idx.in_bbox(&BBox::EMPTY).next().is_none());
        assert!(idx.nearest(113.5, 40.5, 0).is_empty());
        assert_eq!(idx.nearest(113.5, 40.5, 1000).len(), 400);
    }

    #[test]
    fn in_area_with_polygon() {
        let idx = PointIndex::new(grid());
        let mp = crate::geojson::parse_multipolygon(
            r#"{"type":"Polygon","coordinates":[[[113.1,40.1],[113.3,40.1],[113.1,40.3],[113.1,40.1]]]}"#,
        )
        .unwrap();
        let a = Area::MultiPolygon(mp);
        let mut got: Vec<usize> = idx.in_area(&a).into_iter().copied().collect();
        got.sort();
        let want: Vec<usize> = grid()
            .into_iter()
            .filter(|p| a.contains(p.1, p.2))
            .map(|p| p.0)
            .collect();
        assert_eq!(got, want);
        // Triangle with legs of 4 grid steps: the corners and the legs are
        // in; grid points on the hypotenuse are a rounding error either side.
        assert!((12..=15).contains(&got.len()), "{got:?}");
        for corner in [2 * 20 + 2, 6 * 20 + 2, 2 * 20 + 6] {
            assert!(got.contains(&corner), "{corner}");
        }
    }

    #[test]
    fn nearest_is_by_metres_not_degrees() {
        // At 60°N a degree of longitude is half a degree of latitude: the
        // point 0.15° east (≈ 8.3 km) is nearer than the one 0.1° north
        // (≈ 11.1 km), though farther in degrees.
        let idx = PointIndex::new(vec![("north", 10.0, 60.1), ("east", 10.15, 60.0)]);
        let n = idx.nearest(10.0, 60.0, 1);
        assert_eq!(*n[0].0, "east");
        assert!((n[0].1 - 8_340.0).abs() < 100.0, "{}", n[0].1);
    }

    #[test]
    fn insert_and_iter() {
        let mut idx = PointIndex::default();
        idx.insert("a", 1.0, 2.0);
        idx.insert("nan", f64::NAN, 2.0);
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.iter().collect::<Vec<_>>(), vec![(&"a", 1.0, 2.0)]);
        assert_eq!(format!("{idx:?}"), "PointIndex { len: 1, .. }");
    }

    #[test]
    fn shareable_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<PointIndex<String>>();
        check::<PreparedArea>();
        check::<Area>();
    }

    proptest! {
        #[test]
        fn nearest_matches_brute_force(
            pts in proptest::collection::vec((70.0f64..140.0, -60.0f64..75.0), 1..150),
            q in (70.0f64..140.0, -60.0f64..75.0),
            k in 1usize..8,
        ) {
            let idx = PointIndex::new(pts.iter().enumerate().map(|(i, p)| (i, p.0, p.1)).collect());
            let got: Vec<f64> = idx.nearest(q.0, q.1, k).iter().map(|p| p.1).collect();
            let mut want: Vec<f64> = pts.iter().map(|p| crate::haversine_m(q.0, q.1, p.0, p.1)).collect();
            want.sort_by(f64::total_cmp);
            want.truncate(k);
            prop_assert_eq!(got, want);
        }
    }
}
