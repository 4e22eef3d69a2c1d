//! Property tests on generated graphs: the hierarchy answers exactly like Dijkstra.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use yingji_routing::*;

fn graph_strategy() -> impl Strategy<Value = Graph> {
    (2usize..40).prop_flat_map(|n| {
        let coords = proptest::collection::vec((9.0f64..9.1, 47.0f64..47.1), n);
        let edges = proptest::collection::vec(
            (0..n as u32, 0..n as u32, 1u32..2000, any::<bool>()),
            0..n * 3,
        );
        (coords, edges).prop_map(|(coords, edges)| {
            let coords: Vec<[f64; 2]> = coords.into_iter().map(|(x, y)| [x, y]).collect();
            let mut input = Vec::new();
            for (i, (a, b, ms, both)) in edges.into_iter().enumerate() {
                let e = InputEdge {
                    from: a,
                    to: b,
                    time_s: ms as f64 / 1000.0,
                    distance_m: ms as f64 / 100.0,
                    way_id: i as i64 % 7,
                };
                input.push(e);
                if both {
                    input.push(InputEdge {
                        from: b,
                        to: a,
                        ..e
                    });
                }
            }
            Graph::from_edges(&coords, &input).expect("valid generated graph")
        })
    })
}

fn check_all_pairs(ch: &Ch, closures: Option<&Closures>) {
    let r = match closures {
        Some(c) => ch.with_closures(c),
        None => ch.router(),
    };
    let n = ch.graph().num_nodes() as u32;
    let locs: Vec<Snapped> = (0..n).filter_map(|v| ch.node_location(v)).collect();
    for a in &locs {
        for b in &locs {
            let c = r.route(a, b).map(|x| x.time_s);
            let d = r.route_dijkstra(a, b).map(|x| x.time_s);
            assert_eq!(c, d, "{a:?} -> {b:?}");
        }
    }
    let m = r.matrix(&locs, &locs);
    for (i, a) in locs.iter().enumerate() {
        for (j, b) in locs.iter().enumerate() {
            assert_eq!(
                m.time_s(i, j),
                r.route_dijkstra(a, b).map(|x| x.time_s),
                "matrix {i} {j}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ch_equals_dijkstra(g in graph_strategy(), tiny in any::<bool>()) {
        let params = if tiny {
            // tiny witness searches: many superfluous shortcuts, still exact
            ContractionParams { simulate_settle_limit: 1, contract_settle_limit: 2, update_neighbours: false }
        } else {
            ContractionParams::default()
        };
        let ch = Ch::build_with(&g, params, |_| {});
        check_all_pairs(&ch, None);
        // file round trip answers the same
        let back = Ch::from_bytes(&ch.to_bytes(), std::path::Path::new("mem")).expect("roundtrip");
        prop_assert_eq!(back.graph(), ch.graph());
        check_all_pairs(&back, None);
    }

    #[test]
    fn closures_stay_exact(g in graph_strategy(), ways in proptest::collection::vec(0i64..7, 0..3), seed in any::<u64>()) {
        let ch = Ch::build(&g, |_| {});
        let mut c = Closures::new(&ch);
        for w in ways {
            c.close_way(&ch, w).expect("same graph");
        }
        let m = ch.graph().num_edges() as u32;
        if m > 0 {
            let e = (seed % m as u64) as u32;
            c.close_edges(&ch, &[e]).expect("edge exists");
        }
        check_all_pairs(&ch, Some(&c));
    }
}

#[test]
fn road_grid_ch_equals_dijkstra_on_snapped_points() {
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};
    let g = synthetic::road_grid(3000, 42);
    assert!(g.num_nodes() > 2500);
    let ch = Ch::build(&g, |_| {});
    let mut rng = SmallRng::seed_from_u64(1);
    let mut pts = Vec::new();
    while pts.len() < 200 {
        let lon = 116.4 + rng.random_range(0.0..0.12);
        let lat = 39.9 + rng.random_range(0.0..0.09);
        if let Ok(s) = ch.snap(lon, lat) {
            pts.push(s);
        }
    }
    let r = ch.router();
    for p in pts.chunks(2) {
        let c = r.route(&p[0], &p[1]).map(|x| x.time_s);
        assert_eq!(c, r.route_dijkstra(&p[0], &p[1]).map(|x| x.time_s));
        assert!(c.is_some());
    }
    // same-segment pairs
    let a = pts[0];
    let g2 = ch.graph();
    let (t, h) = g2.endpoints(a.edge());
    let mid = [
        (g2.coord(t)[0] + g2.coord(h)[0]) / 2.0,
        (g2.coord(t)[1] + g2.coord(h)[1]) / 2.0,
    ];
    let b = ch.snap(mid[0], mid[1]).unwrap();
    assert_eq!(
        r.route(&a, &b).map(|x| x.time_s),
        r.route_dijkstra(&a, &b).map(|x| x.time_s)
    );
    assert_eq!(
        r.route(&b, &a).map(|x| x.time_s),
        r.route_dijkstra(&b, &a).map(|x| x.time_s)
    );
    let m = r.matrix(&[a, b], &[a, b]);
    assert_eq!(m.time_s(0, 0), Some(0.0));
    assert_eq!(m.time_s(0, 1), r.route_dijkstra(&a, &b).map(|x| x.time_s));
}

#[test]
fn empty_and_tiny_graphs_do_not_panic() {
    let g = Graph::from_edges(&[], &[]).unwrap();
    let ch = Ch::build(&g, |_| {});
    assert!(matches!(
        ch.snap(9.0, 47.0),
        Err(Error::TooFarFromRoad { .. })
    ));
    assert!(ch.node_location(0).is_none());
    let back = Ch::from_bytes(&ch.to_bytes(), std::path::Path::new("mem")).unwrap();
    assert_eq!(back.graph().num_nodes(), 0);
    let iso = ch.isochrone(&[], 60.0).unwrap();
    assert!(iso.nodes.is_empty() && iso.polygons.0.is_empty());
    let m = ch.matrix(&[], &[]);
    assert_eq!((m.rows, m.cols), (0, 0));
}

#[test]
fn ch_is_shareable_and_foreign_locations_are_harmless() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Ch>();
    assert_send_sync::<Closures>();
    let big = Ch::build(&synthetic::road_grid(900, 5), |_| {});
    let small = Ch::build(&synthetic::road_grid(16, 6), |_| {});
    let far = big
        .node_location(big.graph().num_nodes() as u32 - 1)
        .unwrap();
    let near = small.node_location(0).unwrap();
    assert!(small.route(&far, &near).is_none());
    assert!(small.matrix(&[far], &[near]).get(0, 0).is_none());
    assert!(small.isochrone(&[far], 60.0).unwrap().nodes.is_empty());
    // threads share one Ch
    let ch = std::sync::Arc::new(big);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let ch = ch.clone();
            std::thread::spawn(move || {
                let a = ch.node_location(i).unwrap();
                let b = ch.node_location(800 - i).unwrap();
                ch.route(&a, &b).map(|r| r.time_s)
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let got = h.join().unwrap();
        let a = ch.node_location(i as u32).unwrap();
        let b = ch.node_location(800 - i as u32).unwrap();
        assert_eq!(got, ch.router().route_dijkstra(&a, &b).map(|r| r.time_s));
    }
}
