//! Uniform random points inside polygons (deterministic for a seeded RNG).

use geo::{Area, BoundingRect, Contains, MultiPolygon, Point};
use rand::Rng;

/// A point uniformly distributed inside `mp`: a member polygon is chosen by
/// area, then points are drawn in its bounding box until one falls inside.
/// Falls back to an interior point for degenerate (zero-area) input.
pub fn random_point_in(mp: &MultiPolygon<f64>, rng: &mut impl Rng) -> (f64, f64) {
    let areas: Vec<f64> = mp.0.iter().map(|p| p.unsigned_area()).collect();
    let total: f64 = areas.iter().sum();
    if total <= 0.0 {
        return crate::interior_point(mp).unwrap_or((0.0, 0.0));
    }
    let mut pick = rng.random_range(0.0..total);
    let mut idx = 0;
    for (i, a) in areas.iter().enumerate() {
        if pick < *a {
            idx = i;
            break;
        }
        pick -= a;
        idx = i;
    }
    let poly = &mp.0[idx];
    let Some(r) = poly.bounding_rect() else {
        return crate::interior_point(mp).unwrap_or((0.0, 0.0));
    };
    for _ in 0..10_000 {
        let x = rng.random_range(r.min().x..=r.max().x);
        let y = rng.random_range(r.min().y..=r.max().y);
        if poly.contains(&Point::new(x, y)) {
            return (x, y);
        }
    }
    crate::interior_point(mp).unwrap_or((r.center().x, r.center().y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn points_fall_inside_and_are_deterministic() {
        let mp = crate::geojson::parse_multipolygon(
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[0,4],[0,0]]],[[[10,10],[11,10],[11,11],[10,11],[10,10]]]]}"#,
        )
        .unwrap();
        let mut rng = SmallRng::seed_from_u64(7);
        let pts: Vec<(f64, f64)> = (0..2000).map(|_| random_point_in(&mp, &mut rng)).collect();
        assert!(pts.iter().all(|&(x, y)| mp.contains(&Point::new(x, y))));
        // Area-weighted: the triangle (area 8) gets ~8/9 of the points.
        let in_tri = pts.iter().filter(|p| p.0 < 5.0).count() as f64 / 2000.0;
        assert!((in_tri - 8.0 / 9.0).abs() < 0.03, "{in_tri}");
        let mut again = SmallRng::seed_from_u64(7);
        assert_eq!(random_point_in(&mp, &mut again), pts[0]);
    }
}
