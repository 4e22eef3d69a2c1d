//! Tests on the real Liechtenstein extract committed in the repository
//! (`data/osm/`, © OpenStreetMap contributors, ODbL). A missing file fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;
use yingji_routing::*;

fn pbf() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/osm/liechtenstein-2024-03-04.osm.pbf")
}

fn ch() -> &'static Ch {
    static CH: OnceLock<Ch> = OnceLock::new();
    CH.get_or_init(|| {
        let p = pbf();
        assert!(p.exists(), "the OSM extract is missing: {}", p.display());
        let t = Instant::now();
        let mut stages = Vec::new();
        let g = Graph::from_osm_pbf(&p, &Profile::driving(), |pr| stages.push(pr.stage))
            .expect("import");
        assert!(stages.contains(&Stage::ReadWays) && stages.contains(&Stage::ReadNodes));
        eprintln!(
            "import: {} nodes {} edges in {:?}",
            g.num_nodes(),
            g.num_edges(),
            t.elapsed()
        );
        let t = Instant::now();
        let ch = Ch::build(&g, |_| {});
        eprintln!("ch: {} edges in {:?}", ch.num_ch_edges(), t.elapsed());
        ch
    })
}

const BBOX: [f64; 4] = [9.48, 47.05, 9.62, 47.27];

fn random_points(ch: &Ch, n: usize, seed: u64) -> Vec<Snapped> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let lon = rng.random_range(BBOX[0]..BBOX[2]);
        let lat = rng.random_range(BBOX[1]..BBOX[3]);
        if let Ok(s) = ch.snap(lon, lat) {
            out.push(s);
        }
    }
    out
}

#[test]
fn import_is_plausible() {
    let ch = ch();
    let g = ch.graph();
    assert!(g.num_nodes() > 10_000, "{}", g.num_nodes());
    assert!(g.num_edges() > g.num_nodes());
    // some one-way edges exist (motorways, roundabouts, oneway streets)
    let oneway = (0..g.num_edges() as u32)
        .filter(|&e| {
            let (a, b) = g.endpoints(e);
            !g.out_edges(b).any(|x| g.endpoints(x).1 == a)
        })
        .count();
    assert!(oneway > 100, "{oneway}");
    // turn restrictions and traffic signals are read, and the hierarchy is
    // over the turns (fewer than all edge pairs meeting at a node: U-turns
    // mid-road and restricted turns are left out)
    let restrictions = Graph::from_osm_pbf(pbf(), &Profile::driving(), |_| {})
        .unwrap()
        .num_restrictions();
    assert!(restrictions > 20, "{restrictions}");
    let pairs: usize = (0..g.num_edges() as u32)
        .map(|e| g.out_edges(g.endpoints(e).1).len())
        .sum();
    assert!(ch.num_turns() < pairs, "{} {pairs}", ch.num_turns());
    assert!(ch.num_turns() > g.num_edges());
    for v in 0..g.num_nodes() as u32 {
        let [lon, lat] = g.coord(v);
        assert!((9.4..9.7).contains(&lon) && (47.0..47.3).contains(&lat));
    }
}

#[test]
fn ch_equals_dijkstra_on_random_pairs() {
    let ch = ch();
    let pts = random_points(ch, 2000, 1);
    let r = ch.router();
    let mut found = 0;
    for pair in pts.chunks(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let c = r.route(a, b);
        let d = r.route_dijkstra(a, b);
        assert_eq!(
            c.as_ref().map(|x| x.time_s),
            d.as_ref().map(|x| x.time_s),
            "{a:?} {b:?}"
        );
        if let Some(c) = c {
            found += 1;
            // every turn on the way is allowed
            for w in c.edges.windows(2) {
                assert!(ch.turn_time_ms(w[0], w[1]).is_some(), "{w:?}");
            }
            assert!(c.distance_m > 0.0 || c.time_s == 0.0);
            assert!(c.geometry.len() >= 2 || c.time_s == 0.0);
            // the geometry's length is close to the reported distance
            let geo_len: f64 = c
                .geometry
                .windows(2)
                .map(|w| distance_m(w[0][0], w[0][1], w[1][0], w[1][1]))
                .sum();
            assert!(
                (geo_len - c.distance_m).abs() < 1.0 + c.distance_m * 0.001,
                "{geo_len} vs {}",
                c.distance_m
            );
        }
    }
    assert!(found > 950, "{found}");
    // node to node as well
    let mut rng = SmallRng::seed_from_u64(2);
    let n = ch.graph().num_nodes() as u32;
    for _ in 0..200 {
        let a = ch.node_location(rng.random_range(0..n)).unwrap();
        let b = ch.node_location(rng.random_range(0..n)).unwrap();
        let c = r.route(&a, &b).map(|x| x.time_s);
        let d = r.route_dijkstra(&a, &b).map(|x| x.time_s);
        assert_eq!(c, d);
        assert!(c.is_some(), "strongly connected graph");
    }
}

#[test]
fn matrix_and_nearest_agree_with_routes() {
    let ch = ch();
    let src = random_points(ch, 12, 3);
    let dst = random_points(ch, 25, 4);
    let m = ch.matrix(&src, &dst);
    for (i, s) in src.iter().enumerate() {
        for (j, t) in dst.iter().enumerate() {
            let r = ch.route(s, t);
            assert_eq!(m.time_s(i, j), r.as_ref().map(|r| r.time_s), "{i} {j}");
            if let (Some(leg), Some(r)) = (m.get(i, j), r) {
                assert!(
                    (leg.distance_m - r.distance_m).abs() < 0.5 + r.distance_m * 1e-6
                        || leg.time_s == r.time_s
                );
            }
        }
    }
    let row = ch.one_to_many(&src[0], &dst);
    for (j, l) in row.iter().enumerate() {
        assert_eq!(l.map(|l| l.time_s), m.time_s(0, j));
    }
    let near = ch.nearest_k(&dst[0], &src, 3, Direction::ToOrigin);
    assert_eq!(near.len(), 3);
    let mut all: Vec<(f64, usize)> = src
        .iter()
        .enumerate()
        // ranked by road time plus the off-road legs
        .filter_map(|(i, s)| ch.route(s, &dst[0]).map(|r| (r.total_time_s, i)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    assert_eq!(
        near.iter().map(|n| n.index).collect::<Vec<_>>(),
        all.iter().take(3).map(|x| x.1).collect::<Vec<_>>()
    );
}

#[test]
fn save_load_roundtrip_and_damage() {
    let ch = ch();
    let dir = std::env::temp_dir().join(format!("yjroute-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("li.yjroute");
    ch.save(&path).unwrap();
    let t = Instant::now();
    let loaded = Ch::load(&path).unwrap();
    eprintln!(
        "load: {:?} ({} bytes)",
        t.elapsed(),
        std::fs::metadata(&path).unwrap().len()
    );
    assert_eq!(loaded.graph(), ch.graph());
    let pts = random_points(ch, 40, 5);
    for p in pts.chunks(2) {
        let a = loaded.snap(p[0].lon, p[0].lat).unwrap();
        let b = loaded.snap(p[1].lon, p[1].lat).unwrap();
        assert_eq!(
            loaded.route(&a, &b).map(|r| r.time_s),
            ch.route(&p[0], &p[1]).map(|r| r.time_s)
        );
    }
    let bytes = std::fs::read(&path).unwrap();
    let bad = dir.join("bad.yjroute");
    // flipped byte in the payload
    let mut b = bytes.clone();
    let k = b.len() / 2;
    b[k] ^= 0x40;
    std::fs::write(&bad, &b).unwrap();
    assert!(matches!(Ch::load(&bad), Err(Error::Corrupt { .. })));
    // truncated
    std::fs::write(&bad, &bytes[..bytes.len() - 100]).unwrap();
    let e = Ch::load(&bad).unwrap_err();
    assert!(matches!(e, Error::Corrupt { .. }), "{e}");
    std::fs::write(&bad, &bytes[..10]).unwrap();
    assert!(matches!(Ch::load(&bad), Err(Error::Corrupt { .. })));
    // files of the node-based format (version 1) and of the uncompressed
    // turn graph (version 2) are refused: rebuild them
    assert_eq!(FORMAT_VERSION, 3);
    for old in [1u32, 2] {
        let mut b = bytes.clone();
        b[8..12].copy_from_slice(&old.to_le_bytes());
        std::fs::write(&bad, &b).unwrap();
        let e = Ch::load(&bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::VersionMismatch { found, expected: 3, .. } if found == old
            ),
            "{e}"
        );
        assert!(e.to_string().contains("rebuild"), "{e}");
    }
    // another version
    let mut b = bytes.clone();
    b[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(&bad, &b).unwrap();
    let e = Ch::load(&bad).unwrap_err();
    assert!(
        matches!(e, Error::VersionMismatch { found, .. } if found == FORMAT_VERSION + 1),
        "{e}"
    );
    assert!(e.to_string().contains("rebuild"));
    // not a graph file at all: the PBF itself
    assert!(matches!(Ch::load(pbf()), Err(Error::NotAGraphFile { .. })));
    assert!(matches!(
        Ch::load(dir.join("missing")),
        Err(Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn snapping_errors() {
    let ch = ch();
    // Zurich lake: far from any Liechtenstein road
    let e = ch.snap(8.6, 47.3).unwrap_err();
    assert!(matches!(e, Error::TooFarFromRoad { .. }), "{e}");
    assert!(matches!(
        ch.snap(f64::NAN, 47.0),
        Err(Error::InvalidCoordinate { .. })
    ));
    assert!(matches!(
        ch.snap(9.5, 95.0),
        Err(Error::InvalidCoordinate { .. })
    ));
    let s = ch.snap(9.5209, 47.1410).unwrap(); // Vaduz
    assert!(s.distance_m < 200.0);
}

#[test]
fn isochrone_contains_reached_nodes() {
    let ch = ch();
    use geo::Contains;
    let src = random_points(ch, 3, 6);
    let iso = ch.isochrone(&src, 300.0).unwrap();
    assert!(!iso.nodes.is_empty());
    assert!(iso.times_s.iter().all(|&t| t <= 300.0));
    for &v in &iso.nodes {
        let [lon, lat] = ch.graph().coord(v);
        assert!(
            iso.polygons.contains(&geo::Point::new(lon, lat)),
            "node {v} outside"
        );
    }
    // reached set equals "some source within 300 s" by routing
    let r = ch.router();
    let mut rng = SmallRng::seed_from_u64(7);
    let reached: std::collections::HashSet<u32> = iso.nodes.iter().copied().collect();
    for _ in 0..150 {
        let v = rng.random_range(0..ch.graph().num_nodes() as u32);
        let loc = ch.node_location(v).unwrap();
        let best = src
            .iter()
            .filter_map(|s| r.route(s, &loc))
            // the source's off-road leg comes out of the budget
            .map(|x| x.total_time_s)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(best <= 300.0, reached.contains(&v), "node {v}: {best}");
    }
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY, 1e9] {
        assert!(
            matches!(ch.isochrone(&src, bad), Err(Error::InvalidTimeLimit(_))),
            "{bad}"
        );
    }
}

#[test]
fn closures_are_respected_exactly() {
    let ch = ch();
    let mut c = Closures::new(ch);
    // a box in central Vaduz and the most used ways of some routes
    let n = c.close_bbox(ch, 9.515, 47.13, 9.53, 47.145).unwrap();
    assert!(n > 10);
    let pts = random_points(ch, 120, 8);
    let mut ways = Vec::new();
    for p in pts.chunks(2).take(10) {
        if let Some(r) = ch.route(&p[0], &p[1]) {
            if let Some(&e) = r.edges.get(r.edges.len() / 2) {
                ways.push(ch.graph().way_id(e));
            }
        }
    }
    for w in ways {
        c.close_way(ch, w).unwrap();
    }
    let r = ch.with_closures(&c);
    let mut longer = 0;
    let pts: Vec<Snapped> = pts
        .iter()
        .filter_map(|p| r.snap(p.lon, p.lat).ok())
        .collect();
    for p in pts.chunks(2) {
        if p.len() < 2 {
            break;
        }
        let a = r.route(&p[0], &p[1]);
        let b = r.route_dijkstra(&p[0], &p[1]);
        assert_eq!(a.as_ref().map(|x| x.time_s), b.as_ref().map(|x| x.time_s));
        if let Some(a) = a {
            assert!(a.edges.iter().all(|&e| !c.is_closed(e)));
            let free = ch
                .route(&p[0], &p[1])
                .map(|x| x.time_s)
                .unwrap_or(f64::INFINITY);
            assert!(a.time_s >= free);
            if a.time_s > free {
                longer += 1;
            }
        }
    }
    assert!(longer > 0, "closures changed no route");
    // matrix with closures equals Dijkstra
    let m = r.matrix(&pts[..8], &pts[8..20]);
    for i in 0..8 {
        for j in 0..12 {
            let d = r.route_dijkstra(&pts[i], &pts[8 + j]).map(|x| x.time_s);
            assert_eq!(m.time_s(i, j), d, "{i} {j}");
        }
    }
    // isochrone never crosses a closed edge: nothing inside the box is reached from outside... checked by times
    let iso = r.isochrone(&pts[..2], 600.0).unwrap();
    let free = ch.isochrone(&pts[..2], 600.0).unwrap();
    assert!(iso.nodes.len() <= free.nodes.len());
    // snapping avoids closed roads
    let s = r.snap(9.5225, 47.1375).unwrap();
    assert!(!c.is_closed(s.edge()));
}

#[test]
fn coverage_matches_brute_force() {
    let ch = ch();
    let r = ch.router();
    let stations: Vec<[f64; 2]> = random_points(ch, 3, 9)
        .iter()
        .map(|s| [s.lon, s.lat])
        .collect();
    let mut rng = SmallRng::seed_from_u64(10);
    let mut demand: Vec<DemandPoint> = random_points(ch, 40, 11)
        .iter()
        .map(|s| DemandPoint {
            lon: s.lon,
            lat: s.lat,
            population: rng.random_range(10.0..1000.0),
        })
        .collect();
    demand.push(DemandPoint {
        lon: 8.6,
        lat: 47.3,
        population: 500.0,
    }); // off-road
    let params = CoverageParams {
        limit_s: 420.0,
        ..Default::default()
    };
    let rep = r.coverage(&stations, &demand, &params).unwrap();
    let snapped: Vec<Snapped> = stations
        .iter()
        .map(|s| r.snap(s[0], s[1]).unwrap())
        .collect();
    let mut pop = 0.0;
    for (j, d) in demand.iter().enumerate() {
        let best = r.snap(d.lon, d.lat).ok().and_then(|t| {
            snapped
                .iter()
                .filter_map(|s| r.route_dijkstra(s, &t))
                .map(|x| x.time_s)
                .min_by(f64::total_cmp)
        });
        let covered = best.is_some_and(|b| b <= 420.0);
        assert_eq!(rep.covered.contains(&j), covered, "{j} {best:?}");
        if covered {
            pop += d.population;
            assert_eq!(rep.time_s[j], best);
        }
    }
    assert!((rep.covered_population - pop).abs() < 1e-6);
    assert_eq!(rep.off_road, vec![demand.len() - 1]);
    assert!(rep.uncovered.contains(&(demand.len() - 1)));
    assert!(rep.covered_population > 0.0 && rep.covered_population < rep.total_population);

    // greedy sites: brute-force greedy with Dijkstra
    let cands: Vec<[f64; 2]> = random_points(ch, 8, 12)
        .iter()
        .map(|s| [s.lon, s.lat])
        .collect();
    let sel = r
        .greedy_sites(&stations[..1], &cands, &demand, 3, &params)
        .unwrap();
    let cov = |site: &[f64; 2], d: &DemandPoint| {
        let s = r.snap(site[0], site[1]).unwrap();
        r.snap(d.lon, d.lat)
            .ok()
            .and_then(|t| r.route_dijkstra(&s, &t))
            .is_some_and(|x| x.time_s <= 420.0)
    };
    let mut covered: Vec<bool> = demand.iter().map(|d| cov(&stations[0], d)).collect();
    assert!(
        (sel.initial_covered_population
            - demand
                .iter()
                .zip(&covered)
                .filter(|x| *x.1)
                .map(|x| x.0.population)
                .sum::<f64>())
        .abs()
            < 1e-6
    );
    let sets: Vec<Vec<bool>> = cands
        .iter()
        .map(|c| demand.iter().map(|d| cov(c, d)).collect())
        .collect();
    let mut chosen = vec![];
    for _ in 0..3 {
        let mut best: Option<(f64, usize)> = None;
        for (i, s) in sets.iter().enumerate() {
            if chosen.contains(&i) {
                continue;
            }
            let g: f64 = (0..demand.len())
                .filter(|&j| s[j] && !covered[j])
                .map(|j| demand[j].population)
                .sum();
            if g > 0.0 && best.is_none_or(|(bg, _)| g > bg) {
                best = Some((g, i));
            }
        }
        let Some((g, i)) = best else { break };
        chosen.push(i);
        for j in 0..demand.len() {
            covered[j] |= sets[i][j];
        }
        let got = sel.choices[chosen.len() - 1];
        assert_eq!(got.candidate, i);
        assert!((got.added_population - g).abs() < 1e-6);
    }
    assert_eq!(sel.choices.len(), chosen.len());
}

/// The hierarchy contracts chains of segments without a choice between
/// them; routes starting, ending or both on one chain (ahead or behind)
/// stay equal to the turn-aware Dijkstra on the uncompressed graph, also
/// with a closure inside the chain.
#[test]
fn chains_compress_and_stay_exact_along_them() {
    let ch = ch();
    let g = ch.graph();
    // most segments are mid-road: far fewer hierarchy nodes than segments
    assert!(
        ch.num_ch_nodes() * 3 < g.num_edges(),
        "{} chains for {} segments",
        ch.num_ch_nodes(),
        g.num_edges()
    );
    let mid = |e: EdgeId| {
        let (a, b) = g.endpoints(e);
        let ([x1, y1], [x2, y2]) = (g.coord(a), g.coord(b));
        ((x1 + x2) / 2.0, (y1 + y2) / 2.0)
    };
    // runs of 3 segments, each with a single allowed turn into the next
    let only_next = |e: EdgeId| {
        let (_, v) = g.endpoints(e);
        let next: Vec<EdgeId> = g
            .out_edges(v)
            .filter(|&x| ch.turn_time_ms(e, x).is_some())
            .collect();
        (next.len() == 1).then(|| next[0])
    };
    let mut pairs = Vec::new();
    let mut middles = Vec::new();
    let mut e = 0;
    while pairs.len() < 150 && (e as usize) < g.num_edges() {
        if let Some(x) = only_next(e) {
            if let Some(y) = only_next(x) {
                let (ax, ay) = mid(e);
                let (bx, by) = mid(y);
                if let (Ok(a), Ok(b)) = (ch.snap(ax, ay), ch.snap(bx, by)) {
                    pairs.push((a, b));
                    middles.push(x);
                }
            }
        }
        e += 53;
    }
    assert!(pairs.len() >= 100, "{}", pairs.len());
    let r = ch.router();
    for (a, b) in &pairs {
        for (s, t) in [(a, b), (b, a)] {
            let c = r.route(s, t);
            let d = r.route_dijkstra(s, t);
            assert_eq!(c.as_ref().map(|x| x.time_s), d.as_ref().map(|x| x.time_s));
            let c = c.expect("connected");
            for w in c.edges.windows(2) {
                assert!(ch.turn_time_ms(w[0], w[1]).is_some(), "{w:?}");
            }
            let geo_len: f64 = c
                .geometry
                .windows(2)
                .map(|w| distance_m(w[0][0], w[0][1], w[1][0], w[1][1]))
                .sum();
            assert!((geo_len - c.distance_m).abs() < 1.0 + c.distance_m * 0.001);
        }
    }
    let pts: Vec<Snapped> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    // sources among the targets (pairs along one chain) and apart (targets
    // seeded at their own chain)
    let check_matrix =
        |r: &Router, sources: std::ops::Range<usize>, targets: std::ops::Range<usize>| {
            let m = r.matrix(&pts[sources.clone()], &pts[targets.clone()]);
            for (i, s) in pts[sources].iter().enumerate() {
                for (j, t) in pts[targets.clone()].iter().enumerate() {
                    let d = r.route_dijkstra(s, t).map(|x| x.time_s);
                    assert_eq!(m.time_s(i, j), d, "{i} {j}");
                }
            }
        };
    check_matrix(&r, 0..20, 0..20);
    check_matrix(&r, 0..20, 20..60);
    // closing the middle segment of every run
    let mut closed = Closures::new(ch);
    closed.close_edges(ch, &middles).unwrap();
    let r = ch.with_closures(&closed);
    let mut longer = 0;
    for (a, b) in &pairs {
        for (s, t) in [(a, b), (b, a)] {
            let c = r.route(s, t).map(|x| x.time_s);
            assert_eq!(c, r.route_dijkstra(s, t).map(|x| x.time_s));
            if c > ch.route(s, t).map(|x| x.time_s) {
                longer += 1;
            }
        }
    }
    assert!(longer > 20, "{longer}");
    check_matrix(&r, 0..20, 0..20);
    check_matrix(&r, 0..20, 20..60);
}
