use geo::{Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use proptest::prelude::*;

use super::*;
use crate::GeoError;

fn square_with_hole() -> MultiPolygon<f64> {
    crate::geojson::parse_multipolygon(
        r#"{"type":"Polygon","coordinates":[
            [[113,40],[114,40],[114,41],[113,41],[113,40]],
            [[113.4,40.4],[113.4,40.6],[113.6,40.6],[113.6,40.4],[113.4,40.4]]]}"#,
    )
    .unwrap()
}

/// Independent oracle: geo's exact predicates and the haversine distance.
fn oracle(polys: &[MultiPolygon<f64>], circles: &[Circle], x: f64, y: f64) -> Location {
    let p = Point::new(x, y);
    let mut best = Location::Outside;
    for mp in polys {
        for poly in &mp.0 {
            if poly.contains(&p) {
                return Location::Inside;
            }
            if poly.intersects(&p) {
                best = Location::Boundary;
            }
        }
    }
    for c in circles {
        let d = crate::haversine_m(c.lon, c.lat, x, y);
        if d < c.radius_m {
            return Location::Inside;
        }
        if d == c.radius_m {
            best = Location::Boundary;
        }
    }
    best
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v
}

fn brute(points: &[(u64, f64, f64)], area: &TargetArea) -> Vec<u64> {
    sorted(
        points
            .iter()
            .filter(|p| area.contains(p.1, p.2))
            .map(|p| p.0)
            .collect(),
    )
}

#[test]
fn locate_is_three_way_and_exact() {
    let a = TargetArea::from_multipolygon(&square_with_hole()).unwrap();
    for (x, y, want) in [
        (113.2, 40.2, Location::Inside),
        (113.0, 40.5, Location::Boundary), // on an edge
        (113.0, 40.0, Location::Boundary), // on a vertex
        (113.5, 41.0, Location::Boundary), // on the top edge
        (113.5, 40.5, Location::Outside),  // in the hole
        (113.4, 40.5, Location::Boundary), // on the hole's edge
        (113.6, 40.6, Location::Boundary), // on the hole's vertex
        (112.9, 40.5, Location::Outside),
        (114.0001, 40.5, Location::Outside),
        (f64::NAN, 40.5, Location::Outside),
        (113.5, f64::INFINITY, Location::Outside),
    ] {
        assert_eq!(a.locate(x, y), want, "{x},{y}");
        assert_eq!(
            a.contains(x, y),
            want != Location::Outside,
            "covers {x},{y}"
        );
        let strict = a.clone().with_predicate(Predicate::Contains);
        assert_eq!(
            strict.contains(x, y),
            want == Location::Inside,
            "contains {x},{y}"
        );
    }
}

#[test]
fn on_a_slanted_edge_exactly() {
    // A triangle whose hypotenuse passes exactly through representable
    // points (x + y = 1 with dyadic coordinates).
    let tri = MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]),
        vec![],
    )]);
    let a = TargetArea::from_multipolygon(&tri).unwrap();
    assert_eq!(a.locate(0.25, 0.75), Location::Boundary);
    assert_eq!(a.locate(0.5, 0.5), Location::Boundary);
    assert_eq!(a.locate(0.25, 0.7), Location::Inside);
    assert_eq!(a.locate(0.5, 0.5000000000000001), Location::Outside);
}

#[test]
fn union_of_polygon_and_circle_crossing_its_hole() {
    let mut a = TargetArea::new();
    a.add_multipolygon(&square_with_hole()).unwrap();
    // A 5 km circle centred in the hole (the hole is ~17 km × 22 km).
    a.add_circle(113.5, 40.5, 5_000.0).unwrap();
    assert_eq!(
        a.locate(113.5, 40.5),
        Location::Inside,
        "hole, but in the circle"
    );
    assert_eq!(
        a.locate(113.5, 40.58),
        Location::Outside,
        "hole, beyond the circle"
    );
    assert_eq!(a.locate(113.2, 40.2), Location::Inside);
    // A circle straddling the hole's edge: the hole's boundary inside the
    // circle is interior of the union.
    let mut b = TargetArea::new();
    b.add_multipolygon(&square_with_hole()).unwrap();
    b.add_circle(113.4, 40.5, 3_000.0).unwrap();
    assert_eq!(b.locate(113.4, 40.5), Location::Inside);
    assert_eq!(
        b.locate(113.4, 40.6),
        Location::Boundary,
        "hole vertex, far from the circle"
    );
    assert_eq!(a.polygon_count(), 1);
    assert_eq!(a.circles().len(), 1);
}

#[test]
fn circle_boundary_is_exactly_the_radius() {
    let (cx, cy) = (113.3, 40.08);
    let (px, py) = (113.31, 40.085);
    let r = crate::haversine_m(cx, cy, px, py);
    let a = TargetArea::from_circle(cx, cy, r).unwrap();
    assert_eq!(a.locate(px, py), Location::Boundary);
    assert!(a.contains(px, py));
    assert!(!a
        .clone()
        .with_predicate(Predicate::Contains)
        .contains(px, py));
    assert_eq!(a.locate(cx, cy), Location::Inside);
    let zero = TargetArea::from_circle(cx, cy, 0.0).unwrap();
    assert_eq!(zero.locate(cx, cy), Location::Boundary);
    assert_eq!(zero.locate(cx + 1e-9, cy), Location::Outside);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let mut a = TargetArea::new();
    let e = a.add_circle(113.0, 40.0, -1.0).unwrap_err();
    assert!(e.to_string().contains("radius"), "{e}");
    assert!(a.add_circle(113.0, 40.0, f64::NAN).is_err());
    assert!(a.add_circle(f64::NAN, 40.0, 10.0).is_err());
    assert!(a.add_circle(113.0, 95.0, 10.0).is_err());
    let bad = MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(0.0, 0.0), (1.0, f64::NAN), (0.0, 1.0), (0.0, 0.0)]),
        vec![],
    )]);
    assert!(matches!(
        a.add_multipolygon(&bad),
        Err(GeoError::BadCoordinate {
            polygon: 0,
            ring: 0,
            index: 1,
            ..
        })
    ));
    assert!(a.is_empty(), "nothing was added");
    assert!(a.bbox().is_empty());
    assert!(!a.contains(0.0, 0.0));
}

#[test]
fn from_areas_and_try_from() {
    let areas = [
        Area::MultiPolygon(square_with_hole()),
        Area::Circle {
            lon: 113.5,
            lat: 40.5,
            radius_m: 5_000.0,
        },
    ];
    let a = TargetArea::from_areas(&areas).unwrap();
    assert!(a.contains(113.5, 40.5));
    let c = TargetArea::try_from(&areas[1]).unwrap();
    assert!(c.contains(113.5, 40.5) && !c.contains(113.2, 40.2));
    let b = a.bbox();
    assert_eq!((b.min_lon, b.max_lat), (113.0, 41.0));
}

#[test]
fn degenerate_polygons_do_not_panic() {
    let flat = MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(0.0, 1.0), (2.0, 1.0), (1.0, 1.0), (0.0, 1.0)]),
        vec![],
    )]);
    let a = TargetArea::from_multipolygon(&flat).unwrap();
    assert_eq!(a.locate(1.5, 1.0), Location::Boundary);
    assert_eq!(a.locate(1.5, 1.1), Location::Outside);
    let set = PointSet::new(vec![(1, 1.5, 1.0), (2, 1.5, 1.1), (3, 3.0, 1.0)]);
    assert_eq!(set.ids_in(&a), vec![1]);
    let empty = TargetArea::from_multipolygon(&MultiPolygon::new(vec![])).unwrap();
    assert!(set.ids_in(&empty).is_empty());
    assert_eq!(set.count_in(&empty), 0);
    // A single repeated vertex: no edge at all.
    let dot = MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(1.5, 1.0), (1.5, 1.0), (1.5, 1.0)]),
        vec![],
    )]);
    let d = TargetArea::from_multipolygon(&dot).unwrap();
    assert_eq!(set.ids_in(&d), brute(&[(1, 1.5, 1.0), (2, 1.5, 1.1)], &d));
}

#[test]
fn point_sets_of_odd_shapes() {
    let area = TargetArea::from_multipolygon(&square_with_hole()).unwrap();
    let empty = PointSet::new(Vec::new());
    assert!(empty.is_empty() && empty.ids_in(&area).is_empty());
    assert!(empty.bbox().is_empty());
    // Non-finite points are dropped.
    let s = PointSet::new(vec![
        (1, f64::NAN, 40.0),
        (2, 113.2, f64::INFINITY),
        (3, 113.2, 40.2),
    ]);
    assert_eq!(s.len(), 1);
    assert_eq!(s.ids_in(&area), vec![3]);
    // All points at one place; on one meridian; on one parallel.
    let same: Vec<(u64, f64, f64)> = (0..50).map(|i| (i, 113.0, 40.5)).collect();
    assert_eq!(
        PointSet::new(same.clone()).count_in(&area),
        50,
        "on the west edge"
    );
    let meridian: Vec<(u64, f64, f64)> = (0..50)
        .map(|i| (i, 113.5, 39.9 + i as f64 * 0.03))
        .collect();
    let s = PointSet::new(meridian.clone());
    assert_eq!(sorted(s.ids_in(&area)), brute(&meridian, &area));
    let parallel: Vec<(u64, f64, f64)> = (0..50)
        .map(|i| (i, 112.9 + i as f64 * 0.03, 40.5))
        .collect();
    let s = PointSet::new(parallel.clone());
    assert_eq!(sorted(s.ids_in(&area)), brute(&parallel, &area));
    // An area far from every point.
    let far = TargetArea::from_circle(10.0, 10.0, 1000.0).unwrap();
    assert!(s.ids_in(&far).is_empty());
    assert_eq!(s.iter().count(), 50);
    assert!(s.memory_bytes() >= 50 * 24);
}

fn grid_points(n: usize) -> Vec<(u64, f64, f64)> {
    // A lattice that hits the square's edges, vertices and hole exactly.
    (0..n * n)
        .map(|i| {
            (
                i as u64,
                112.9 + (i % n) as f64 * (1.2 / (n - 1) as f64),
                39.9 + (i / n) as f64 * (1.2 / (n - 1) as f64),
            )
        })
        .collect()
}

#[test]
fn ids_in_matches_brute_force_on_a_lattice() {
    // Step 0.1: lands on every edge of the square and hole (up to rounding
    // of the lattice; exact hits and near misses are both good tests).
    let mut pts = grid_points(121);
    for v in square_with_hole().0[0]
        .exterior()
        .0
        .iter()
        .chain(square_with_hole().0[0].interiors()[0].0.iter())
    {
        pts.push((pts.len() as u64, v.x, v.y));
    }
    for ppc in [1, 4, 64] {
        let set = PointSet::with_points_per_cell(pts.clone(), ppc);
        for pred in [Predicate::Covers, Predicate::Contains] {
            let mut area = TargetArea::new().with_predicate(pred);
            area.add_multipolygon(&square_with_hole()).unwrap();
            let want = brute(&pts, &area);
            assert!(!want.is_empty());
            assert_eq!(sorted(set.ids_in(&area)), want, "ppc {ppc} {pred:?}");
            assert_eq!(set.count_in(&area), want.len());
            area.add_circle(113.5, 40.5, 9_000.0).unwrap();
            let want = brute(&pts, &area);
            assert_eq!(
                sorted(set.ids_in(&area)),
                want,
                "ppc {ppc} {pred:?} + circle"
            );
            assert_eq!(set.ids_in_par(&area, 2), set.ids_in(&area));
        }
    }
}

#[test]
fn parallel_equals_sequential_on_many_points() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
    let pts: Vec<(u64, f64, f64)> = (0..300_000)
        .map(|i| {
            (
                i,
                rng.random_range(112.5..114.5),
                rng.random_range(39.5..41.5),
            )
        })
        .collect();
    let set = PointSet::new(pts.clone());
    let mut area = TargetArea::new();
    area.add_multipolygon(&square_with_hole()).unwrap();
    area.add_circle(112.8, 39.8, 20_000.0).unwrap();
    let one = set.ids_in(&area);
    for t in [2, 3, 8] {
        assert_eq!(set.ids_in_par(&area, t), one, "{t} threads");
        assert_eq!(set.count_in_par(&area, t), one.len());
    }
    assert_eq!(sorted(one.clone()), brute(&pts, &area));
    // The fast path is taken: most points come from whole inside cells.
    let st = set.explain(&area);
    assert!(st.cells >= st.cells_inside + st.cells_partial);
    assert!(st.points_bulk > 4 * st.points_tested, "{st:?}");
    assert!(st.points_bulk <= one.len() && one.len() <= st.points_bulk + st.points_tested);
}

#[test]
fn big_circle_and_polar_circle() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(9);
    let pts: Vec<(u64, f64, f64)> = (0..20_000)
        .map(|i| {
            (
                i,
                rng.random_range(-180.0..180.0),
                rng.random_range(-90.0..90.0),
            )
        })
        .collect();
    let set = PointSet::new(pts.clone());
    for (lon, lat, r) in [
        (113.0, 40.0, 2_000_000.0),
        (0.0, 89.5, 500_000.0),
        (-170.0, -60.0, 3_000_000.0),
        (10.0, 0.0, 12_000_000.0),
    ] {
        let a = TargetArea::from_circle(lon, lat, r).unwrap();
        let want = brute(&pts, &a);
        assert!(!want.is_empty());
        assert_eq!(sorted(set.ids_in(&a)), want, "{lon},{lat} r={r}");
    }
}

#[test]
fn groups_and_divisions() {
    // Three villages: two inside the square, one in the hole.
    let villages = Divisions::new(vec![
        ("140212100201", 113.2, 40.2),
        ("140212100202", 113.8, 40.8),
        ("140212100204", 113.5, 40.5),
        ("no-location", f64::NAN, f64::NAN),
    ]);
    assert_eq!(villages.len(), 4);
    let area = TargetArea::from_multipolygon(&square_with_hole()).unwrap();
    assert_eq!(
        villages.inside(&area),
        vec![&"140212100201", &"140212100202"]
    );
    // Subscribers grouped by village index; village 2 (in the hole) has one
    // subscriber living just outside the hole; village 3 has one inside.
    let subs = PointSet::new_grouped(vec![
        (1, 113.21, 40.2, 0),
        (2, 113.22, 40.2, 0),
        (3, 112.5, 40.2, 0), // outside
        (4, 113.39, 40.5, 2),
        (5, 113.7, 40.7, 3),
        (6, 113.5, 40.5, 2), // in the hole
    ]);
    assert_eq!(subs.count_by_group(&area, 1), vec![(0, 2), (2, 1), (3, 1)]);
    assert_eq!(subs.count_by_group(&area, 2), subs.count_by_group(&area, 1));
    let reach = villages.reach(&area, &subs, 1);
    let got: Vec<(&str, bool, usize)> = reach
        .iter()
        .map(|r| (*r.code, r.representative_inside, r.reached))
        .collect();
    assert_eq!(
        got,
        vec![
            ("140212100201", true, 2),
            ("140212100202", true, 0),
            ("140212100204", false, 1),
            ("no-location", false, 1),
        ]
    );
    assert_eq!(reach[2].index, 2);
    // Ungrouped sets have no groups to count.
    assert!(PointSet::new(vec![(1, 113.2, 40.2)])
        .count_by_group(&area, 1)
        .is_empty());
    assert_eq!(
        area.filter_points(&[("a", 113.2, 40.2), ("b", 0.0, 0.0)]),
        vec![&"a"]
    );
}

#[test]
fn shareable_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<TargetArea>();
    check::<PointSet>();
    check::<Divisions<String>>();
}

/// A star polygon (simple for any radii) around (cx, cy), optionally with a
/// square hole well inside its inner radius.
fn star(cx: f64, cy: f64, n: usize, r1: f64, r2: f64, hole: bool, rot: f64) -> MultiPolygon<f64> {
    let mut pts: Vec<(f64, f64)> = (0..2 * n)
        .map(|i| {
            let t = rot + i as f64 * std::f64::consts::PI / n as f64;
            let r = if i % 2 == 0 { r1 } else { r2 };
            (cx + r * t.cos(), cy + r * t.sin())
        })
        .collect();
    pts.push(pts[0]);
    let holes = if hole {
        let h = r1.min(r2) * 0.4;
        vec![LineString::from(vec![
            (cx - h, cy - h),
            (cx + h, cy - h),
            (cx + h, cy + h),
            (cx - h, cy + h),
            (cx - h, cy - h),
        ])]
    } else {
        vec![]
    };
    MultiPolygon::new(vec![Polygon::new(pts.into(), holes)])
}

fn shape_strategy() -> impl Strategy<Value = (Vec<MultiPolygon<f64>>, Vec<Circle>)> {
    let star_s = (
        113.0f64..113.6,
        39.9f64..40.3,
        3usize..24,
        0.05f64..0.4,
        0.02f64..0.4,
        any::<bool>(),
        0.0f64..6.3,
    )
        .prop_map(|(cx, cy, n, r1, r2, hole, rot)| star(cx, cy, n, r1, r2, hole, rot));
    let circle_s = (113.0f64..113.6, 39.9f64..40.3, 0.0f64..30_000.0)
        .prop_map(|(lon, lat, radius_m)| Circle { lon, lat, radius_m });
    (
        proptest::collection::vec(star_s, 0..3),
        proptest::collection::vec(circle_s, 0..3),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `ids_in` (one and two threads, coarse and fine grids) equals the
    /// brute-force scan, and `locate` equals an independent oracle (geo's
    /// predicates, haversine), for random points and for points exactly on
    /// vertices, on axis-parallel hole edges and on circle boundaries.
    #[test]
    fn ids_in_equals_brute_force(
        (polys, circles) in shape_strategy(),
        random in proptest::collection::vec((112.5f64..114.1, 39.4f64..40.8), 0..400),
        on_edge in proptest::collection::vec(0.0f64..1.0, 0..40),
        on_circle in proptest::collection::vec(0.0f64..6.3, 0..20),
        ppc in prop_oneof![Just(1usize), Just(4usize), Just(32usize)],
        strict in any::<bool>(),
    ) {
        let mut pts: Vec<(f64, f64)> = random;
        for mp in &polys {
            for poly in &mp.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    pts.extend(ring.0.iter().map(|c| (c.x, c.y)));
                }
                // Points exactly on the (axis-parallel) hole edges.
                for hole in poly.interiors() {
                    let c: Vec<Coord<f64>> = hole.0.clone();
                    for &t in &on_edge {
                        pts.push((c[0].x + (c[1].x - c[0].x) * t, c[0].y)); // bottom edge
                        pts.push((c[1].x, c[1].y + (c[2].y - c[1].y) * t)); // right edge
                    }
                }
            }
        }
        for c in &circles {
            // Points near and (when the distance rounds so) exactly on the
            // circle; the exact-boundary case is in a unit test.
            let dlat = (c.radius_m / crate::EARTH_RADIUS_M).to_degrees();
            for &t in &on_circle {
                pts.push((c.lon + dlat * t.cos() / c.lat.to_radians().cos(), c.lat + dlat * t.sin()));
            }
        }
        let pts: Vec<(u64, f64, f64)> =
            pts.into_iter().enumerate().map(|(i, (x, y))| (i as u64, x, y)).collect();
        let pred = if strict { Predicate::Contains } else { Predicate::Covers };
        let mut area = TargetArea::new().with_predicate(pred);
        for mp in &polys {
            area.add_multipolygon(mp).unwrap();
        }
        for c in &circles {
            area.add_circle(c.lon, c.lat, c.radius_m).unwrap();
        }
        for p in &pts {
            prop_assert_eq!(area.locate(p.1, p.2), oracle(&polys, &circles, p.1, p.2), "{},{}", p.1, p.2);
        }
        let set = PointSet::with_points_per_cell(pts.clone(), ppc);
        let want = brute(&pts, &area);
        let got = set.ids_in(&area);
        prop_assert_eq!(sorted(got.clone()), want.clone());
        prop_assert_eq!(set.count_in(&area), want.len());
        prop_assert_eq!(set.ids_in_par(&area, 2), got);
    }
}

#[test]
fn polygons_touched_by_an_area() {
    let sq = |x0: f64, y0: f64, x1: f64, y1: f64| {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    };
    let divisions = vec![
        ("west", sq(113.0, 40.0, 113.5, 40.5)),
        ("east", sq(113.5, 40.0, 114.0, 40.5)), // shares an edge with west
        ("far", sq(115.0, 40.0, 115.5, 40.5)),
        ("hole", square_with_hole()),
    ];
    // A polygon inside "west" only touches "east" at its shared edge.
    let mut a = TargetArea::new();
    a.add_multipolygon(&sq(113.2, 40.2, 113.5, 40.3)).unwrap();
    assert_eq!(a.touched(&divisions), vec![&"west", &"east", &"hole"]);
    // A circle centred in the hole of "hole", smaller than the hole, does
    // not touch it; one reaching the hole's edge does.
    let small = TargetArea::from_circle(113.5, 40.5, 5_000.0).unwrap();
    assert_eq!(small.touched(&divisions), vec![&"west", &"east"]);
    // 113.5, 40.5 is on the west/east edge. The hole's edge at lon 113.6 is
    // 0.1° of longitude east: measure that distance and use it as radius.
    let d = crate::haversine_m(113.5, 40.5, 113.6, 40.5);
    let reach = TargetArea::from_circle(113.5, 40.5, d * (1.0 + 1e-9)).unwrap();
    assert!(reach.intersects_multipolygon(&divisions[3].1));
    let short = TargetArea::from_circle(113.5, 40.5, d * (1.0 - 1e-6)).unwrap();
    assert!(!short.intersects_multipolygon(&divisions[3].1));
    // A circle entirely inside a division touches it; one beside it (edge
    // between 113.5° and the circle's west extent) does not.
    let inside = TargetArea::from_circle(113.25, 40.25, 1_000.0).unwrap();
    assert_eq!(inside.touched(&divisions), vec![&"west", &"hole"]);
    let nan = sq(f64::NAN, 40.0, 113.5, 40.5);
    assert!(!a.intersects_multipolygon(&nan));
    assert!(!TargetArea::new().intersects_multipolygon(&divisions[0].1));
}
