//! Validity checks for polygons, e.g. warning areas drawn by a user.
//!
//! [`validate_polygon`] reports the *first* problem it finds, with where it
//! is, so that a form can show "the outline crosses itself near (…)":
//!
//! - a coordinate that is NaN, infinite or outside ±180 / ±90;
//! - a ring that is not closed, has fewer than 3 distinct positions, or has
//!   zero area (all positions on one line);
//! - a ring that touches or crosses itself (including a "spike" that doubles
//!   back along its own edge) — [`GeoError::SelfIntersection`] with the
//!   point and the two edge numbers;
//! - rings of one polygon that cross or share an edge, and holes outside
//!   their exterior ring or inside one another;
//! - member polygons of a multipolygon that overlap (sharing a border is fine).
//!
//! Repeated consecutive positions (a double click) are tolerated. Rings may
//! touch each other at single points. Orientation (clockwise or not) is not
//! checked: GeoJSON's right-hand rule is a "should", and every reader here
//! ignores it.
//!
//! Note that [`geo::Polygon::new`] closes rings itself, so an unclosed ring
//! can only be seen in raw input: [`validate_rings`] takes raw vertex lists
//! and reports it, as does [`geojson::parse_multipolygon`](crate::geojson::parse_multipolygon)
//! ("ring is not closed"); [`parse_valid`] parses GeoJSON and validates.
//!
//! The edge-pair search is a sweep over edges sorted by longitude, so it
//! stays fast for boundaries with tens of thousands of vertices.

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{BoundingRect, Coord, InteriorPoint, Line, LineString, MultiPolygon, Polygon};

use crate::{BBox, GeoError, PreparedArea};

/// Parse areal GeoJSON (see [`crate::geojson::parse_multipolygon`]) and
/// check it with [`validate_polygon`].
pub fn parse_valid(text: &str) -> Result<MultiPolygon<f64>, GeoError> {
    let mp = crate::geojson::parse_multipolygon(text)?;
    validate_polygon(&mp)?;
    Ok(mp)
}

/// Build and check one polygon from raw rings (exterior first, then holes),
/// e.g. vertex lists from a drawing tool. Unlike [`validate_polygon`], this
/// sees the rings as given, so it can report [`GeoError::NotClosed`] (the
/// first position must be repeated at the end) and counts positions before
/// any closing. Returns the polygon (as a one-member multipolygon) if valid.
pub fn validate_rings(rings: &[Vec<(f64, f64)>]) -> Result<MultiPolygon<f64>, GeoError> {
    if rings.is_empty() {
        return Err(GeoError::Empty);
    }
    let mut ls = Vec::with_capacity(rings.len());
    for (ri, r) in rings.iter().enumerate() {
        let line = LineString::from(r.clone());
        // Coordinates first (so NaN is not reported as "not closed"), then closure.
        clean_ring(&line, 0, ri)?;
        ls.push(line);
    }
    let mut it = ls.into_iter();
    let exterior = it.next().ok_or(GeoError::Empty)?;
    let mp = MultiPolygon::new(vec![Polygon::new(exterior, it.collect())]);
    validate_polygon(&mp)?;
    Ok(mp)
}

/// A ring reduced to its distinct consecutive vertices, remembering each
/// vertex's index in the original ring (for error messages).
struct Ring {
    pts: Vec<Coord<f64>>,
    orig: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Edge {
    poly: usize,
    ring: usize,
    /// Edge number within the cleaned ring.
    k: usize,
    /// Number of edges of the cleaned ring.
    n: usize,
    line: Line<f64>,
    min_x: f64,
    max_x: f64,
}

fn clean_ring(ls: &LineString<f64>, poly: usize, ring: usize) -> Result<Ring, GeoError> {
    for (index, c) in ls.0.iter().enumerate() {
        if !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0) {
            return Err(GeoError::BadCoordinate {
                polygon: poly,
                ring,
                index,
                lon: c.x,
                lat: c.y,
            });
        }
    }
    if !ls.0.is_empty() && ls.0.first() != ls.0.last() {
        return Err(GeoError::NotClosed {
            polygon: poly,
            ring,
        });
    }
    let mut r = Ring {
        pts: Vec::with_capacity(ls.0.len()),
        orig: Vec::with_capacity(ls.0.len()),
    };
    for (i, c) in ls.0.iter().enumerate() {
        if r.pts.last() == Some(c) {
            // A repeat: the edge leaving this vertex starts at the last copy.
            if let Some(o) = r.orig.last_mut() {
                *o = i;
            }
        } else {
            r.pts.push(*c);
            r.orig.push(i);
        }
    }
    let distinct = r.pts.len().saturating_sub(1);
    if distinct < 3 {
        return Err(GeoError::TooFewPoints {
            polygon: poly,
            ring,
            distinct,
        });
    }
    let p0 = r.pts[0];
    let p1 = r.pts[1];
    if r.pts[2..].iter().all(|p| robust_orient(p0, p1, *p) == 0.0) {
        return Err(GeoError::ZeroArea {
            polygon: poly,
            ring,
        });
    }
    Ok(r)
}

fn robust_orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
    match RobustKernel::orient2d(a, b, c) {
        Orientation::CounterClockwise => 1.0,
        Orientation::Clockwise => -1.0,
        Orientation::Collinear => 0.0,
    }
}

fn point_of(i: &LineIntersection<f64>) -> Coord<f64> {
    match i {
        LineIntersection::SinglePoint { intersection, .. } => *intersection,
        LineIntersection::Collinear { intersection } => intersection.start,
    }
}

/// Check a (multi)polygon for the problems listed in the [module docs](self).
/// `Ok(())` means it is a valid OGC (multi)polygon, up to rings touching at
/// single points and shared borders between members.
pub fn validate_polygon(mp: &MultiPolygon<f64>) -> Result<(), GeoError> {
    if mp.0.is_empty() {
        return Err(GeoError::Empty);
    }
    let mut rings: Vec<Vec<Ring>> = Vec::with_capacity(mp.0.len());
    for (pi, p) in mp.0.iter().enumerate() {
        let mut rs = Vec::with_capacity(1 + p.interiors().len());
        for (ri, ls) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            rs.push(clean_ring(ls, pi, ri)?);
        }
        rings.push(rs);
    }

    check_edges(&rings)?;

    // Containment: holes inside their shell and not inside each other.
    for (pi, p) in mp.0.iter().enumerate() {
        if p.interiors().is_empty() {
            continue;
        }
        let shell = PreparedArea::from_multipolygon(&MultiPolygon::new(vec![Polygon::new(
            p.exterior().clone(),
            vec![],
        )]));
        let holes: Vec<Polygon<f64>> = p
            .interiors()
            .iter()
            .map(|h| Polygon::new(h.clone(), vec![]))
            .collect();
        for (hi, h) in holes.iter().enumerate() {
            let Some(ip) = h.interior_point() else {
                continue;
            };
            if !shell.contains(ip.x(), ip.y()) {
                return Err(GeoError::HoleOutside {
                    polygon: pi,
                    ring: hi + 1,
                });
            }
            for (hj, other) in holes.iter().enumerate() {
                if hj != hi
                    && bbox_of(other).contains(ip.x(), ip.y())
                    && PreparedArea::from_multipolygon(&MultiPolygon::new(vec![other.clone()]))
                        .contains(ip.x(), ip.y())
                {
                    return Err(GeoError::HolesOverlap {
                        polygon: pi,
                        ring_a: hi.min(hj) + 1,
                        ring_b: hi.max(hj) + 1,
                    });
                }
            }
        }
    }

    // Members: one strictly inside (or on) another overlaps it, even when
    // no edges cross (nesting, or crossings only through shared vertices).
    if mp.0.len() > 1 {
        let boxes: Vec<BBox> = mp.0.iter().map(bbox_of).collect();
        let inner: Vec<Option<Coord<f64>>> =
            mp.0.iter()
                .map(|p| p.interior_point().map(|p| p.0))
                .collect();
        let mut prepared: Vec<Option<PreparedArea>> = vec![None; mp.0.len()];
        for i in 0..mp.0.len() {
            for (j, ip) in inner.iter().enumerate() {
                let Some(ip) = *ip else { continue };
                if i == j || !boxes[i].contains(ip.x, ip.y) {
                    continue;
                }
                let pa = prepared[i].get_or_insert_with(|| {
                    PreparedArea::from_multipolygon(&MultiPolygon::new(vec![mp.0[i].clone()]))
                });
                if pa.contains(ip.x, ip.y) {
                    return Err(GeoError::PolygonsOverlap {
                        polygon_a: i.min(j),
                        polygon_b: i.max(j),
                        lon: ip.x,
                        lat: ip.y,
                    });
                }
            }
        }
    }
    Ok(())
}

fn bbox_of(p: &Polygon<f64>) -> BBox {
    p.bounding_rect().map_or(BBox::EMPTY, |r| BBox {
        min_lon: r.min().x,
        min_lat: r.min().y,
        max_lon: r.max().x,
        max_lat: r.max().y,
    })
}

/// Every pair of edges whose boxes overlap, found by a sweep in x.
fn check_edges(rings: &[Vec<Ring>]) -> Result<(), GeoError> {
    let mut edges: Vec<Edge> = Vec::new();
    for (pi, rs) in rings.iter().enumerate() {
        for (ri, r) in rs.iter().enumerate() {
            let n = r.pts.len() - 1;
            for k in 0..n {
                let (a, b) = (r.pts[k], r.pts[k + 1]);
                edges.push(Edge {
                    poly: pi,
                    ring: ri,
                    k,
                    n,
                    line: Line::new(a, b),
                    min_x: a.x.min(b.x),
                    max_x: a.x.max(b.x),
                });
            }
        }
    }
    edges.sort_by(|a, b| a.min_x.total_cmp(&b.min_x));
    for (i, e) in edges.iter().enumerate() {
        let (e_lo, e_hi) = (
            e.line.start.y.min(e.line.end.y),
            e.line.start.y.max(e.line.end.y),
        );
        for f in &edges[i + 1..] {
            if f.min_x > e.max_x {
                break;
            }
            let (f_lo, f_hi) = (
                f.line.start.y.min(f.line.end.y),
                f.line.start.y.max(f.line.end.y),
            );
            if f_lo > e_hi || f_hi < e_lo {
                continue;
            }
            let Some(x) = line_intersection(e.line, f.line) else {
                continue;
            };
            check_pair(rings, e, f, &x)?;
        }
    }
    Ok(())
}

fn check_pair(
    rings: &[Vec<Ring>],
    e: &Edge,
    f: &Edge,
    x: &LineIntersection<f64>,
) -> Result<(), GeoError> {
    let at = point_of(x);
    if e.poly == f.poly && e.ring == f.ring {
        let (lo, hi) = if e.k < f.k { (e, f) } else { (f, e) };
        let adjacent = hi.k == lo.k + 1 || (lo.k == 0 && hi.k == lo.n - 1);
        // Adjacent edges meet at their shared vertex; anything more (they
        // run back along each other) is a spike.
        let bad = !adjacent || matches!(x, LineIntersection::Collinear { .. });
        if !bad {
            return Ok(());
        }
        let at = match x {
            // For a spike, report the tip rather than the shared vertex.
            LineIntersection::Collinear { intersection } if adjacent => {
                let shared = if hi.k == lo.k + 1 {
                    lo.line.end
                } else {
                    lo.line.start
                };
                if intersection.start == shared {
                    intersection.end
                } else {
                    intersection.start
                }
            }
            _ => at,
        };
        let orig = &rings[e.poly][e.ring].orig;
        return Err(GeoError::SelfIntersection {
            polygon: e.poly,
            ring: e.ring,
            edge_a: orig[lo.k],
            edge_b: orig[hi.k],
            lon: at.x,
            lat: at.y,
        });
    }
    let crossing = match x {
        LineIntersection::SinglePoint { is_proper, .. } => *is_proper,
        LineIntersection::Collinear { intersection } => intersection.start != intersection.end,
    };
    if e.poly == f.poly {
        if crossing {
            return Err(GeoError::RingsCross {
                polygon: e.poly,
                ring_a: e.ring.min(f.ring),
                ring_b: e.ring.max(f.ring),
                lon: at.x,
                lat: at.y,
            });
        }
    } else if matches!(
        x,
        LineIntersection::SinglePoint {
            is_proper: true,
            ..
        }
    ) {
        // Members may share borders (collinear) and touch, but not cross.
        return Err(GeoError::PolygonsOverlap {
            polygon_a: e.poly.min(f.poly),
            polygon_b: e.poly.max(f.poly),
            lon: at.x,
            lat: at.y,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(rings: &[&[(f64, f64)]]) -> MultiPolygon<f64> {
        let mut it = rings.iter().map(|r| LineString::from(r.to_vec()));
        let ext = it.next().unwrap();
        MultiPolygon::new(vec![Polygon::new(ext, it.collect())])
    }

    const SQUARE: &[(f64, f64)] = &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];

    #[test]
    fn valid_shapes_pass() {
        validate_polygon(&poly(&[SQUARE])).unwrap();
        // With a hole, and with a double-clicked vertex.
        validate_polygon(&poly(&[
            &[
                (0.0, 0.0),
                (4.0, 0.0),
                (4.0, 0.0),
                (4.0, 4.0),
                (0.0, 4.0),
                (0.0, 0.0),
            ],
            &[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)],
        ]))
        .unwrap();
        // A triangle, clockwise.
        validate_polygon(&poly(&[&[(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)]])).unwrap();
        // A hole touching the shell at one vertex.
        validate_polygon(&poly(&[
            SQUARE,
            &[(0.0, 2.0), (1.0, 3.0), (1.0, 1.0), (0.0, 2.0)],
        ]))
        .unwrap();
        // Two members sharing a border.
        let mut two = poly(&[SQUARE]);
        two.0.push(Polygon::new(
            LineString::from(vec![
                (4.0, 0.0),
                (8.0, 0.0),
                (8.0, 4.0),
                (4.0, 4.0),
                (4.0, 0.0),
            ]),
            vec![],
        ));
        validate_polygon(&two).unwrap();
        // A concave (C-shaped) outline.
        validate_polygon(&poly(&[&[
            (0.0, 0.0),
            (3.0, 0.0),
            (3.0, 1.0),
            (1.0, 1.0),
            (1.0, 2.0),
            (3.0, 2.0),
            (3.0, 3.0),
            (0.0, 3.0),
            (0.0, 0.0),
        ]]))
        .unwrap();
    }

    #[test]
    fn bow_tie_reports_where() {
        // 0:(0,0)→(2,2)  1:(2,2)→(2,0)  2:(2,0)→(0,2)  3:(0,2)→(0,0)
        let e = validate_polygon(&poly(&[&[
            (0.0, 0.0),
            (2.0, 2.0),
            (2.0, 0.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]]))
        .unwrap_err();
        assert_eq!(
            e,
            GeoError::SelfIntersection {
                polygon: 0,
                ring: 0,
                edge_a: 0,
                edge_b: 2,
                lon: 1.0,
                lat: 1.0
            }
        );
        assert!(e
            .to_string()
            .contains("self-intersection at (1.0000000, 1.0000000)"));
    }

    #[test]
    fn self_touching_ring_and_spike() {
        // A ring that comes back to touch one of its own edges at (2, 0).
        let e = validate_polygon(&poly(&[&[
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (2.0, 0.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ]]))
        .unwrap_err();
        assert!(
            matches!(e, GeoError::SelfIntersection { lon, lat, .. } if lon == 2.0 && lat == 0.0),
            "{e}"
        );
        // A spike: out to (6, 2) and straight back.
        let e = validate_polygon(&poly(&[&[
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 2.0),
            (6.0, 2.0),
            (4.0, 2.0),
            (4.0, 4.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ]]))
        .unwrap_err();
        assert!(matches!(e, GeoError::SelfIntersection { .. }), "{e}");
        // The edge numbers refer to the caller's positions even after a
        // repeated vertex was skipped.
        let e = validate_polygon(&poly(&[&[
            (0.0, 0.0),
            (0.0, 0.0),
            (2.0, 2.0),
            (2.0, 0.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]]))
        .unwrap_err();
        assert!(
            matches!(
                e,
                GeoError::SelfIntersection {
                    edge_a: 1,
                    edge_b: 3,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn too_few_and_degenerate() {
        let e = validate_polygon(&poly(&[&[(0.0, 0.0), (1.0, 1.0), (0.0, 0.0)]])).unwrap_err();
        assert_eq!(
            e,
            GeoError::TooFewPoints {
                polygon: 0,
                ring: 0,
                distinct: 2
            }
        );
        let e = validate_polygon(&poly(&[&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 0.0)]]))
            .unwrap_err();
        assert_eq!(
            e,
            GeoError::ZeroArea {
                polygon: 0,
                ring: 0
            }
        );
        let e = validate_polygon(&poly(&[&[(0.0, 0.0), (1.0, 91.0), (2.0, 0.0), (0.0, 0.0)]]))
            .unwrap_err();
        assert!(matches!(e, GeoError::BadCoordinate { index: 1, .. }), "{e}");
        assert_eq!(
            validate_polygon(&MultiPolygon::new(vec![])),
            Err(GeoError::Empty)
        );
    }

    #[test]
    fn unclosed_rings_are_reported_by_the_parser() {
        let e = parse_valid(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
        let e =
            parse_valid(r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#)
                .unwrap_err();
        assert!(e.to_string().contains("self-intersection"), "{e}");
        parse_valid(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#)
            .unwrap();
    }

    #[test]
    fn raw_rings() {
        let closed = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)];
        assert_eq!(
            validate_rings(std::slice::from_ref(&closed))
                .unwrap()
                .0
                .len(),
            1
        );
        let open = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        assert_eq!(
            validate_rings(&[open]),
            Err(GeoError::NotClosed {
                polygon: 0,
                ring: 0
            })
        );
        let hole_open = vec![(0.2, 0.1), (0.8, 0.1), (0.8, 0.7)];
        assert_eq!(
            validate_rings(&[closed.clone(), hole_open]),
            Err(GeoError::NotClosed {
                polygon: 0,
                ring: 1
            })
        );
        let e = validate_rings(&[vec![(0.0, 0.0), (f64::NAN, 0.0), (1.0, 1.0), (0.0, 0.0)]])
            .unwrap_err();
        assert!(e.to_string().contains("position 1"), "{e}");
        assert_eq!(
            validate_rings(&[vec![(0.0, 0.0), (1.0, 1.0), (0.0, 0.0)]]),
            Err(GeoError::TooFewPoints {
                polygon: 0,
                ring: 0,
                distinct: 2
            })
        );
        assert_eq!(validate_rings(&[]), Err(GeoError::Empty));
        let bow = vec![(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)];
        assert!(matches!(
            validate_rings(&[bow]),
            Err(GeoError::SelfIntersection { .. })
        ));
    }

    #[test]
    fn holes() {
        // Hole crossing the shell.
        let e = validate_polygon(&poly(&[
            SQUARE,
            &[(3.0, 1.0), (5.0, 1.0), (5.0, 2.0), (3.0, 2.0), (3.0, 1.0)],
        ]))
        .unwrap_err();
        assert!(
            matches!(e, GeoError::RingsCross { ring_a: 0, ring_b: 1, lon, .. } if lon == 4.0),
            "{e}"
        );
        // Hole entirely outside.
        let e = validate_polygon(&poly(&[
            SQUARE,
            &[(5.0, 1.0), (6.0, 1.0), (6.0, 2.0), (5.0, 1.0)],
        ]))
        .unwrap_err();
        assert_eq!(
            e,
            GeoError::HoleOutside {
                polygon: 0,
                ring: 1
            }
        );
        // Hole inside another hole.
        let e = validate_polygon(&poly(&[
            SQUARE,
            &[(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0), (1.0, 1.0)],
            &[(1.5, 1.5), (2.5, 1.5), (2.5, 2.5), (1.5, 1.5)],
        ]))
        .unwrap_err();
        assert_eq!(
            e,
            GeoError::HolesOverlap {
                polygon: 0,
                ring_a: 1,
                ring_b: 2
            }
        );
    }

    #[test]
    fn overlapping_members() {
        let mut mp = poly(&[SQUARE]);
        mp.0.push(Polygon::new(
            LineString::from(vec![
                (2.0, 2.0),
                (6.0, 2.0),
                (6.0, 6.0),
                (2.0, 6.0),
                (2.0, 2.0),
            ]),
            vec![],
        ));
        let e = validate_polygon(&mp).unwrap_err();
        assert!(
            matches!(
                e,
                GeoError::PolygonsOverlap {
                    polygon_a: 0,
                    polygon_b: 1,
                    ..
                }
            ),
            "{e}"
        );
        // Nested without crossing edges.
        let mut mp = poly(&[SQUARE]);
        mp.0.push(Polygon::new(
            LineString::from(vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 1.0)]),
            vec![],
        ));
        let e = validate_polygon(&mp).unwrap_err();
        assert!(matches!(e, GeoError::PolygonsOverlap { .. }), "{e}");
    }

    proptest::proptest! {
        /// On random rings (general position, so no touching subtleties) the
        /// verdict matches geo's own OGC validity check.
        #[test]
        fn agrees_with_geo_validation(
            pts in proptest::collection::vec((0.0f64..10.0, 0.0f64..10.0), 3..9),
        ) {
            use geo::Validation;
            let mut ring = pts.clone();
            ring.push(pts[0]);
            let mp = poly(&[&ring]);
            proptest::prop_assert_eq!(validate_polygon(&mp).is_ok(), mp.is_valid(), "{:?}", ring);
        }

        /// Star-shaped rings (vertices sorted by angle around a centre) are simple.
        #[test]
        fn star_shapes_are_valid(
            radii in proptest::collection::vec(0.1f64..1.0, 3..64),
        ) {
            let n = radii.len();
            let mut ring: Vec<(f64, f64)> = radii
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    (113.0 + r * t.cos(), 40.0 + r * t.sin())
                })
                .collect();
            ring.push(ring[0]);
            proptest::prop_assert!(validate_polygon(&poly(&[&ring])).is_ok());
        }
    }

    #[test]
    fn many_vertices_is_fast() {
        // A 20 000-vertex circle validates quickly (sweep, not all pairs).
        let n = 20_000;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                (113.0 + t.cos(), 40.0 + t.sin())
            })
            .collect();
        pts.push(pts[0]);
        let start = std::time::Instant::now();
        validate_polygon(&poly(&[&pts])).unwrap();
        assert!(start.elapsed().as_secs_f64() < 5.0);
    }
}
