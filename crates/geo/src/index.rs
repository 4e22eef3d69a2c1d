//! An R-tree point index (rstar) for bbox, area and nearest queries.

use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::{Area, BBox};

/// Points with a payload `T`.
pub struct PointIndex<T> {
    tree: RTree<GeomWithData<[f64; 2], T>>,
}

impl<T> PointIndex<T> {
    /// Bulk-load (O(n log n)).
    pub fn new(points: Vec<(T, f64, f64)>) -> Self {
        let items = points
            .into_iter()
            .map(|(t, lon, lat)| GeomWithData::new([lon, lat], t))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(items),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    pub fn in_bbox(&self, b: &BBox) -> impl Iterator<Item = &T> {
        let env = AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]);
        self.tree.locate_in_envelope(&env).map(|g| &g.data)
    }

    /// Points inside the area (bbox pre-filter, then exact test).
    pub fn in_area(&self, a: &Area) -> Vec<&T> {
        let Some(b) = a.bbox() else { return Vec::new() };
        let env = AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat]);
        self.tree
            .locate_in_envelope(&env)
            .filter(|g| a.contains(g.geom()[0], g.geom()[1]))
            .map(|g| &g.data)
            .collect()
    }

    /// The `k` nearest points with their great-circle distance in metres.
    /// (Candidates are ranked in degrees with the longitude scaled by
    /// cos(latitude), then measured exactly.)
    pub fn nearest(&self, lon: f64, lat: f64, k: usize) -> Vec<(&T, f64)> {
        let mut out: Vec<(&T, f64)> = self
            .tree
            .nearest_neighbor_iter(&[lon, lat])
            .take(k.saturating_mul(3).max(k + 8))
            .map(|g| {
                (
                    &g.data,
                    crate::haversine_m(lon, lat, g.geom()[0], g.geom()[1]),
                )
            })
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1));
        out.truncate(k);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_agree_with_brute_force() {
        let pts: Vec<(usize, f64, f64)> = (0..400)
            .map(|i| {
                (
                    i,
                    113.0 + (i % 20) as f64 * 0.05,
                    40.0 + (i / 20) as f64 * 0.05,
                )
            })
            .collect();
        let idx = PointIndex::new(pts.clone());
        assert_eq!(idx.len(), 400);
        let b = BBox::parse("113.1,40.1,113.3,40.3").unwrap();
        let mut got: Vec<usize> = idx.in_bbox(&b).copied().collect();
        got.sort();
        let want: Vec<usize> = pts
            .iter()
            .filter(|p| b.contains(p.1, p.2))
            .map(|p| p.0)
            .collect();
        assert_eq!(got, want);
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
        let near = idx.nearest(113.51, 40.5, 3);
        assert_eq!(*near[0].0, 10 * 20 + 10);
        assert!(near[0].1 < near[1].1 + 1e-9);
    }
}
