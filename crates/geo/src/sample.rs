//! Uniform random points inside polygons (deterministic for a seeded RNG).
//!
//! "Uniform" means uniform over the Earth's surface, not over the lon/lat
//! plane: a member polygon is chosen with probability proportional to its
//! spherical area, and a candidate drawn in its bounding box is kept with
//! probability cos(lat) / max cos(lat) before the point-in-polygon test.
//! (At Datong's latitude the plain lon/lat version would over-sample the
//! north of a 1°-tall county by about 3 %.)
//!
//! [`random_point_in`] is the one-off form; [`Sampler`] prepares the polygon
//! once and is much faster for many points. For the same RNG state both
//! return the same point (barring points exactly on a boundary).
//!
//! Reproducibility: the sequence depends on this algorithm and on `rand`'s
//! `SmallRng` (which `rand` does not promise to keep stable across versions).

use geo::{BoundingRect, ChamberlainDuquetteArea, Contains, MultiPolygon, Point, Polygon};
use rand::Rng;

use crate::PreparedArea;

/// Attempts per point before giving up on rejection sampling (a polygon
/// filling less than 1/10 000 of its bounding box) and returning an interior point.
const MAX_TRIES: usize = 10_000;

/// What is needed to draw a point in one member polygon.
#[derive(Debug, Clone, Copy)]
struct Frame {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    /// max cos(lat) over the polygon's latitude range.
    cos_max: f64,
}

impl Frame {
    fn of(p: &Polygon<f64>) -> Option<Frame> {
        let r = p.bounding_rect()?;
        let (lo, hi) = (r.min().y, r.max().y);
        let cos_max = if lo <= 0.0 && hi >= 0.0 {
            1.0
        } else {
            lo.abs().min(hi.abs()).to_radians().cos()
        };
        Some(Frame {
            min_x: r.min().x,
            min_y: lo,
            max_x: r.max().x,
            max_y: hi,
            cos_max,
        })
    }
}

/// Pick a member by weight (one RNG draw), then rejection-sample in its frame
/// (three draws per attempt: x, y, and the cos(lat) acceptance variate).
fn draw(
    weights: &[f64],
    frames: &[Option<Frame>],
    rng: &mut impl Rng,
    inside: impl Fn(usize, f64, f64) -> bool,
) -> Option<(f64, f64)> {
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    let mut pick = rng.random_range(0.0..total);
    let mut idx = weights.len() - 1;
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            idx = i;
            break;
        }
        pick -= w;
    }
    let f = frames[idx]?;
    for _ in 0..MAX_TRIES {
        let x = rng.random_range(f.min_x..=f.max_x);
        let y = rng.random_range(f.min_y..=f.max_y);
        let u: f64 = rng.random();
        if u * f.cos_max <= y.to_radians().cos() && inside(idx, x, y) {
            return Some((x, y));
        }
    }
    None
}

fn weights_and_frames(mp: &MultiPolygon<f64>) -> (Vec<f64>, Vec<Option<Frame>>) {
    let weights =
        mp.0.iter()
            .map(|p| {
                let a = p.chamberlain_duquette_unsigned_area();
                if a.is_finite() {
                    a
                } else {
                    0.0
                }
            })
            .collect();
    let frames = mp.0.iter().map(Frame::of).collect();
    (weights, frames)
}

/// A point uniformly distributed (over the sphere) inside `mp`; see the
/// module docs. Deterministic for a seeded RNG such as
/// `rand::rngs::SmallRng::seed_from_u64(42)`.
///
/// Degenerate input (zero area, or a sliver that rejection sampling cannot
/// hit) yields [`interior_point`](crate::interior_point), or (0, 0) for an
/// empty multipolygon.
pub fn random_point_in(mp: &MultiPolygon<f64>, rng: &mut impl Rng) -> (f64, f64) {
    let (weights, frames) = weights_and_frames(mp);
    draw(&weights, &frames, rng, |i, x, y| {
        mp.0[i].contains(&Point::new(x, y))
    })
    .or_else(|| crate::interior_point(mp))
    .unwrap_or((0.0, 0.0))
}

/// A multipolygon prepared for drawing many uniform random points.
#[derive(Debug, Clone)]
pub struct Sampler {
    weights: Vec<f64>,
    frames: Vec<Option<Frame>>,
    prepared: Vec<PreparedArea>,
    fallback: (f64, f64),
}

impl Sampler {
    /// Prepare `mp`; `None` if it has no area to sample from.
    pub fn new(mp: &MultiPolygon<f64>) -> Option<Sampler> {
        let (weights, frames) = weights_and_frames(mp);
        if weights.iter().sum::<f64>() <= 0.0 {
            return None;
        }
        let prepared =
            mp.0.iter()
                .map(|p| PreparedArea::from_multipolygon(&MultiPolygon::new(vec![p.clone()])))
                .collect();
        Some(Sampler {
            weights,
            frames,
            prepared,
            fallback: crate::interior_point(mp)?,
        })
    }

    /// One point, as [`random_point_in`] would draw it from the same RNG state.
    pub fn sample(&self, rng: &mut impl Rng) -> (f64, f64) {
        draw(&self.weights, &self.frames, rng, |i, x, y| {
            self.prepared[i].contains(x, y)
        })
        .unwrap_or(self.fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    fn two_parts() -> MultiPolygon<f64> {
        crate::geojson::parse_multipolygon(
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[0,4],[0,0]]],[[[10,10],[11,10],[11,11],[10,11],[10,10]]]]}"#,
        )
        .unwrap()
    }

    #[test]
    fn points_fall_inside_and_are_deterministic() {
        let mp = two_parts();
        let mut rng = SmallRng::seed_from_u64(7);
        let pts: Vec<(f64, f64)> = (0..2000).map(|_| random_point_in(&mp, &mut rng)).collect();
        assert!(pts.iter().all(|&(x, y)| mp.contains(&Point::new(x, y))));
        // Weighted by area: the triangle (8 deg², near the equator) gets
        // ~8/9 of the points (slightly more: the square is at 10°N).
        let in_tri = pts.iter().filter(|p| p.0 < 5.0).count() as f64 / 2000.0;
        assert!((in_tri - 8.0 / 9.0).abs() < 0.03, "{in_tri}");
        let mut again = SmallRng::seed_from_u64(7);
        assert_eq!(random_point_in(&mp, &mut again), pts[0]);
    }

    #[test]
    fn sampler_matches_one_off_function() {
        let mp = two_parts();
        let s = Sampler::new(&mp).unwrap();
        let mut a = SmallRng::seed_from_u64(99);
        let mut b = SmallRng::seed_from_u64(99);
        for _ in 0..500 {
            assert_eq!(s.sample(&mut a), random_point_in(&mp, &mut b));
        }
    }

    #[test]
    fn uniform_over_the_sphere() {
        // A box from 0° to 60°N: surface area between latitudes is
        // proportional to the difference of sin(lat), so the share of points
        // below 30°N is sin 30° / sin 60° ≈ 0.577 (not 0.5).
        let mp = crate::geojson::parse_multipolygon(
            r#"{"type":"Polygon","coordinates":[[[100,0],[101,0],[101,60],[100,60],[100,0]]]}"#,
        )
        .unwrap();
        let s = Sampler::new(&mp).unwrap();
        let mut rng = SmallRng::seed_from_u64(1);
        let n = 20_000;
        let south = (0..n).filter(|_| s.sample(&mut rng).1 < 30.0).count() as f64 / n as f64;
        let want = 0.5 / (60f64.to_radians().sin());
        assert!((south - want).abs() < 0.015, "{south} vs {want}");
    }

    #[test]
    fn degenerate_input_falls_back() {
        let mut rng = SmallRng::seed_from_u64(3);
        assert_eq!(
            random_point_in(&MultiPolygon::new(vec![]), &mut rng),
            (0.0, 0.0)
        );
        assert!(Sampler::new(&MultiPolygon::new(vec![])).is_none());
        let flat = MultiPolygon::new(vec![Polygon::new(
            geo::LineString::from(vec![(0.0, 1.0), (2.0, 1.0), (1.0, 1.0), (0.0, 1.0)]),
            vec![],
        )]);
        let p = random_point_in(&flat, &mut rng);
        assert_eq!(p.1, 1.0);
    }
}
