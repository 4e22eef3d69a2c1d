//! Snapping that says what it did: the search radius, the snap distance of
//! each end in every answer, and the off-road leg (table tests on small
//! hand-made graphs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_routing::{
    Ch, CoverageParams, DemandPoint, Direction, Error, Graph, InputEdge, SnapConfig,
};

const LAT: f64 = 40.0;
/// Metres per degree of latitude near 40° N (WGS84), for placing test points.
const M_PER_DEG_LAT: f64 = 111_035.0;

fn north(m: f64) -> f64 {
    LAT + m / M_PER_DEG_LAT
}

/// Both directions of a road between `a` and `b` at `kmh`.
fn road(coords: &[[f64; 2]], a: u32, b: u32, kmh: f64, way: i64) -> [InputEdge; 2] {
    let (p, q) = (coords[a as usize], coords[b as usize]);
    let d = yingji_routing::distance_m(p[0], p[1], q[0], q[1]);
    let t = d / (kmh / 3.6);
    [
        InputEdge {
            from: a,
            to: b,
            time_s: t,
            distance_m: d,
            way_id: way,
        },
        InputEdge {
            from: b,
            to: a,
            time_s: t,
            distance_m: d,
            way_id: way,
        },
    ]
}

/// A straight east–west road along 40° N from 113.30 to 113.34 (four
/// segments at 36 km/h), and, far east, a short island road that is not
/// connected to it.
fn line_graph() -> Ch {
    let coords = [
        [113.30, LAT],
        [113.31, LAT],
        [113.32, LAT],
        [113.33, LAT],
        [113.34, LAT],
        [113.40, LAT],
        [113.401, LAT],
    ];
    let mut edges = Vec::new();
    for i in 0..4 {
        edges.extend(road(&coords, i, i + 1, 36.0, 1));
    }
    edges.extend(road(&coords, 5, 6, 36.0, 2));
    let g = Graph::from_edges(&coords, &edges)
        .unwrap()
        .largest_strongly_connected_component();
    Ch::build(&g, |_| {})
}

#[test]
fn snap_distance_and_radius() {
    let ch = line_graph();
    // (case, lon, lat, radius m, expected snap distance m or None = too far)
    let cases: &[(&str, f64, f64, f64, Option<f64>)] = &[
        ("on the road", 113.315, LAT, 1000.0, Some(0.0)),
        ("300 m north", 113.315, north(300.0), 1000.0, Some(300.0)),
        ("900 m north", 113.315, north(900.0), 1000.0, Some(900.0)),
        (
            "1500 m north, default radius",
            113.315,
            north(1500.0),
            1000.0,
            None,
        ),
        (
            "1500 m north, 2 km radius",
            113.315,
            north(1500.0),
            2000.0,
            Some(1500.0),
        ),
        (
            "300 m north, 100 m radius",
            113.315,
            north(300.0),
            100.0,
            None,
        ),
        // next to the island road (dropped: not strongly connected to the
        // main network): snapped to the main road's end, 5.1 km away, and
        // the answer says so (never a silent far snap)
        (
            "beside a dropped island",
            113.4005,
            LAT,
            6000.0,
            Some(5_166.0),
        ),
        ("beside a dropped island, 1 km", 113.4005, LAT, 1000.0, None),
    ];
    for &(case, lon, lat, radius, want) in cases {
        let r = ch.router().with_snap(SnapConfig {
            max_snap_m: radius,
            ..Default::default()
        });
        match (r.snap(lon, lat), want) {
            (Ok(s), Some(m)) => {
                assert!(
                    (s.distance_m - m).abs() <= 0.01 * m + 0.5,
                    "{case}: snap distance {} m, want {m}",
                    s.distance_m
                );
                assert_eq!(s.input, [lon, lat], "{case}");
                assert!(s.lat == LAT, "{case}: snapped onto the road");
            }
            (Err(Error::TooFarFromRoad { max_m, .. }), None) => {
                assert_eq!(max_m, radius, "{case}")
            }
            (got, _) => panic!("{case}: {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn route_reports_the_off_road_leg_of_each_end() {
    let ch = line_graph();
    // (case, start north m, end north m, off-road km/h)
    let cases: &[(&str, f64, f64, f64)] = &[
        ("both on the road", 0.0, 0.0, 15.0),
        ("start off the road", 500.0, 0.0, 15.0),
        ("end off the road", 0.0, 250.0, 15.0),
        ("both off the road", 600.0, 300.0, 15.0),
        ("both off, faster off-road", 600.0, 300.0, 30.0),
    ];
    for &(case, from_n, to_n, kmh) in cases {
        let r = ch.router().with_snap(SnapConfig {
            off_road_kmh: kmh,
            ..Default::default()
        });
        let a = r.snap(113.305, north(from_n)).unwrap();
        let b = r.snap(113.335, north(to_n)).unwrap();
        let rt = r.route(&a, &b).unwrap();
        let dj = r.route_dijkstra(&a, &b).unwrap();
        assert_eq!(rt, dj, "{case}: hierarchy equals Dijkstra");
        let o = rt.off_road;
        assert!(
            (o.from_m - from_n).abs() < 0.01 * from_n + 0.5,
            "{case}: {o:?}"
        );
        assert!((o.to_m - to_n).abs() < 0.01 * to_n + 0.5, "{case}: {o:?}");
        assert_eq!(o.distance_m, o.from_m + o.to_m, "{case}");
        let want_s = (from_n + to_n) / (kmh / 3.6);
        assert!(
            (o.time_s - want_s).abs() < 0.01 * want_s + 0.01,
            "{case}: {o:?}"
        );
        // the road part is the same whatever the off-road legs
        assert!(
            (rt.distance_m - 0.03 * 85_390.0).abs() < 30.0,
            "{case}: {rt:?}"
        );
        assert!(
            (rt.total_time_s - (rt.time_s + o.time_s)).abs() < 1e-9,
            "{case}"
        );
        assert!(
            (rt.total_distance_m - (rt.distance_m + o.distance_m)).abs() < 1e-9,
            "{case}"
        );
        // the geometry runs on the road; the off-road legs are the inputs
        assert_eq!(rt.geometry.first(), Some(&[a.lon, a.lat]), "{case}");
        assert_eq!(a.input, [113.305, north(from_n)], "{case}");
    }
}

#[test]
fn matrix_and_nearest_rank_by_total_time() {
    let ch = line_graph();
    let r = ch.router();
    let incident = r.snap(113.30, LAT).unwrap();
    // (candidate, lon, north m): B is nearer by road but 900 m off it
    // (216 s on foot); A is 1.7 km further by road (170 s at 36 km/h)
    let cands = [("A", 113.33, 0.0), ("B", 113.31, 900.0), ("C", 113.34, 0.0)];
    let snapped: Vec<_> = cands
        .iter()
        .map(|&(_, lon, n)| r.snap(lon, north(n)).unwrap())
        .collect();
    let near = r.nearest_k(&incident, &snapped, 3, Direction::ToOrigin);
    let order: Vec<&str> = near.iter().map(|n| cands[n.index].0).collect();
    assert_eq!(order, ["A", "B", "C"]);
    let b = near.iter().find(|n| cands[n.index].0 == "B").unwrap();
    assert!((b.off_road.from_m - 900.0).abs() < 10.0, "{b:?}");
    assert_eq!(b.off_road.to_m, 0.0);
    assert!((b.total_time_s - b.time_s - 216.0).abs() < 3.0, "{b:?}");
    let m = r.matrix(&snapped, std::slice::from_ref(&incident));
    for (i, n) in near.iter().enumerate() {
        let leg = m.get(n.index, 0).unwrap();
        assert_eq!(leg.total_time_s, near[i].total_time_s);
        assert_eq!(
            m.total_ms(n.index, 0),
            (leg.total_time_s * 1000.0).round() as u32
        );
    }
}

#[test]
fn isochrone_budget_starts_after_the_off_road_leg() {
    let ch = line_graph();
    let r = ch.router();
    // (case, source north m, limit s, nodes reached)
    let cases: &[(&str, f64, f64, usize)] = &[
        // 113.30 → 113.31 is 854 m = 85 s at 36 km/h
        ("on the road, 100 s", 0.0, 100.0, 2),
        ("on the road, 200 s", 0.0, 200.0, 3),
        ("400 m off (96 s), 100 s", 400.0, 100.0, 1),
        ("400 m off (96 s), 200 s", 400.0, 200.0, 2),
        ("600 m off (144 s), 100 s", 600.0, 100.0, 0),
    ];
    for &(case, n, limit, want) in cases {
        let s = r.snap(113.30, north(n)).unwrap();
        let iso = r.isochrone(&[s], limit).unwrap();
        assert_eq!(iso.nodes.len(), want, "{case}: {:?}", iso.times_s);
        assert_eq!(iso.source_snap_m.len(), 1);
        assert!((iso.source_snap_m[0] - n).abs() < 0.01 * n + 0.5, "{case}");
        let off = n / (15.0 / 3.6);
        assert!(
            (iso.source_off_road_s[0] - off).abs() < 0.01 * off + 0.01,
            "{case}"
        );
        assert!(iso
            .times_s
            .iter()
            .all(|&t| t >= iso.source_off_road_s[0] && t <= limit));
    }
}

#[test]
fn coverage_counts_the_off_road_legs() {
    let ch = line_graph();
    let r = ch.router();
    let station = [[113.30, LAT]];
    // (case, demand lon, north m, limit s, covered)
    let cases: &[(&str, f64, f64, f64, bool)] = &[
        ("on the road, 85 s away", 113.31, 0.0, 120.0, true),
        ("300 m off (72 s) + 85 s", 113.31, 300.0, 120.0, false),
        ("300 m off (72 s) + 85 s, 3 min", 113.31, 300.0, 180.0, true),
        ("beyond the radius", 113.31, 1500.0, 3600.0, false),
    ];
    for &(case, lon, n, limit, covered) in cases {
        let demand = [DemandPoint {
            lon,
            lat: north(n),
            population: 10.0,
        }];
        let p = CoverageParams {
            limit_s: limit,
            ..Default::default()
        };
        let rep = r.coverage(&station, &demand, &p).unwrap();
        assert_eq!(rep.covered_population == 10.0, covered, "{case}: {rep:?}");
    }
}

#[test]
fn snap_config_is_checked() {
    let ok = SnapConfig::default();
    assert_eq!((ok.max_snap_m, ok.off_road_kmh), (1000.0, 15.0));
    assert!(ok.check().is_ok());
    for (m, kmh) in [
        (-1.0, 15.0),
        (f64::NAN, 15.0),
        (60_000.0, 15.0),
        (1000.0, 0.0),
        (1000.0, f64::INFINITY),
        (1000.0, 500.0),
    ] {
        let c = SnapConfig {
            max_snap_m: m,
            off_road_kmh: kmh,
        };
        assert!(c.check().is_err(), "{m} m, {kmh} km/h");
    }
}
