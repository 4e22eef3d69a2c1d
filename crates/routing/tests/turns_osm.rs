//! Table tests of the turn-aware graph on a small hand-made OSM network:
//!
//! ```text
//!   N(2) ------------- NE(5)
//!    |  way 20           |  way 30 (E-NE-N)
//!    |                   |
//!   W(1) --- C(0) -M(6)--- E(3)
//!     way 10      way 11 (C-M-E)
//! ```
//!
//! (N sits above C.) A trip from the middle of W–C to the middle of C–N
//! turns left at C; when that turn is forbidden the route goes on to E and
//! round by NE and N (ways 10, 11, 30, 20) — unless U-turns were allowed
//! anywhere, then it turns back at the shape point M just past C (ways 10,
//! 11, 20). The tests ask which ways the fastest route uses and its time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use yingji_routing::*;

mod common;
use common::{node, tags, X, Y};

const D: f64 = 0.005;

fn way(id: i64, refs: &[i64]) -> OsmWay {
    OsmWay {
        id,
        refs: refs.to_vec(),
        tags: tags(&[("highway", "residential")]),
    }
}

fn restriction(t: &[(&str, &str)], from: i64, via: i64, to: i64) -> OsmRelation {
    OsmRelation {
        id: 900,
        members: vec![
            (OsmMemberType::Way, from, "from".into()),
            (OsmMemberType::Node, via, "via".into()),
            (OsmMemberType::Way, to, "to".into()),
        ],
        tags: tags(t),
    }
}

/// (ways used, time in s) from the middle of W–C to the middle of C–N.
fn route(profile: &Profile, rels: &[OsmRelation], centre: &[(&str, &str)]) -> (Vec<i64>, f64) {
    let nodes = vec![
        node(0, 0.0, 0.0, centre),
        node(1, -D, 0.0, &[]),
        node(2, 0.0, D, &[]),
        node(3, D, 0.0, &[]),
        node(5, D, D, &[]),
        node(6, D / 10.0, 0.0, &[]),
    ];
    let ways = vec![
        way(10, &[1, 0]),
        way(11, &[0, 6, 3]),
        way(20, &[0, 2]),
        way(30, &[3, 5, 2]),
    ];
    let g = Graph::from_osm_elements_with_relations(&nodes, &ways, rels, profile).unwrap();
    let ch = Ch::build(&g, |_| {});
    let r = ch.router();
    let a = r.snap(X - D / 2.0, Y).unwrap();
    let b = r.snap(X, Y + D / 2.0).unwrap();
    let route = r.route(&a, &b).expect("reachable");
    let dij = r.route_dijkstra(&a, &b).expect("reachable");
    assert_eq!(route.time_s, dij.time_s);
    let g = ch.graph();
    let mut used = vec![g.way_id(a.edge())];
    used.extend(route.edges.iter().map(|&e| g.way_id(e)));
    used.push(g.way_id(b.edge()));
    used.dedup();
    (used, route.time_s)
}

const LEFT: &[i64] = &[10, 20];
const AROUND: &[i64] = &[10, 11, 30, 20];
const TURN_BACK: &[i64] = &[10, 11, 20];

fn car() -> Profile {
    Profile::driving()
}

fn u_turns_anywhere() -> Profile {
    let mut p = Profile::driving();
    p.turns.u_turns_anywhere = true;
    p
}

#[test]
fn restrictions_choose_the_route() {
    let r = |t: &[(&str, &str)], from, to| vec![restriction(t, from, 0, to)];
    let ty = ("type", "restriction");
    let cases: Vec<(&str, Profile, Vec<OsmRelation>, &[i64])> = vec![
        ("no restriction", car(), vec![], LEFT),
        (
            "no_left_turn",
            car(),
            r(&[ty, ("restriction", "no_left_turn")], 10, 20),
            AROUND,
        ),
        (
            "only_straight_on",
            car(),
            r(&[ty, ("restriction", "only_straight_on")], 10, 11),
            AROUND,
        ),
        (
            "only_left_turn",
            car(),
            r(&[ty, ("restriction", "only_left_turn")], 10, 20),
            LEFT,
        ),
        (
            // to a way the car cannot take (here none: way 99 is, say, a
            // footway): not for cars, ignored instead of trapping them
            "only_straight_on onto a way not in the graph",
            car(),
            r(&[ty, ("restriction", "only_straight_on")], 10, 99),
            LEFT,
        ),
        (
            "no_straight_on (other turn)",
            car(),
            r(&[ty, ("restriction", "no_straight_on")], 10, 11),
            LEFT,
        ),
        (
            "no_left_turn except=motorcar",
            car(),
            r(
                &[ty, ("restriction", "no_left_turn"), ("except", "motorcar")],
                10,
                20,
            ),
            LEFT,
        ),
        (
            "restriction:hgv only",
            car(),
            r(&[ty, ("restriction:hgv", "no_left_turn")], 10, 20),
            LEFT,
        ),
        (
            "restriction:motorcar",
            car(),
            r(&[ty, ("restriction:motorcar", "no_left_turn")], 10, 20),
            AROUND,
        ),
        (
            "not type=restriction",
            car(),
            r(&[("restriction", "no_left_turn")], 10, 20),
            LEFT,
        ),
        (
            "no_left_turn except=emergency, emergency",
            Profile::emergency(1.2, 140.0),
            r(
                &[ty, ("restriction", "no_left_turn"), ("except", "emergency")],
                10,
                20,
            ),
            LEFT,
        ),
        (
            "no_left_turn except=emergency, car",
            car(),
            r(
                &[ty, ("restriction", "no_left_turn"), ("except", "emergency")],
                10,
                20,
            ),
            AROUND,
        ),
        (
            "no_left_turn, U-turns anywhere: back at M",
            u_turns_anywhere(),
            r(&[ty, ("restriction", "no_left_turn")], 10, 20),
            TURN_BACK,
        ),
        (
            "no_left_turn, U-turns anywhere but no_u_turn at M and E",
            u_turns_anywhere(),
            vec![
                restriction(&[ty, ("restriction", "no_left_turn")], 10, 0, 20),
                restriction(&[ty, ("restriction", "no_u_turn")], 11, 6, 11),
                restriction(&[ty, ("restriction", "no_u_turn")], 11, 3, 11),
            ],
            AROUND,
        ),
    ];
    for (name, profile, rels, want) in cases {
        let (got, _) = route(&profile, &rels, &[]);
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn turn_and_signal_costs_add_up() {
    let mut free = car();
    free.turns = TurnCosts::none();
    let (_, base) = route(&free, &[], &[]);
    let (_, left) = route(&car(), &[], &[]);
    // a left turn by 90°: 5.4 s
    assert!((left - base - 5.4).abs() < 0.002, "{left} {base}");
    let signals = [("highway", "traffic_signals")];
    let (_, sig) = route(&car(), &[], &signals);
    assert!((sig - left - 2.0).abs() < 0.002, "{sig} {left}");
    let mut slow = car();
    slow.turns.signal_s = 30.0;
    let (ways, sig) = route(&slow, &[], &signals);
    assert!((sig - left - 30.0).abs() < 0.002, "{sig} {left}");
    assert_eq!(ways, LEFT, "every way passes the signal at C");
    // a left turn costing more than the loop (~1.3 km, ~190 s) is avoided
    let mut p = car();
    p.turns.angle_costs = vec![[30.0, 0.0, 0.0], [180.0, 0.0, 300.0]];
    assert_eq!(route(&p, &[], &[]).0, AROUND);
}

/// A random grid of two-way and one-way streets (one way per segment),
/// random signals and random `no_*`/`only_*` restrictions.
fn grid_strategy() -> impl Strategy<Value = (Vec<OsmNode>, Vec<OsmWay>, Vec<OsmRelation>)> {
    let k = 5usize;
    let segs = 2 * k * (k - 1);
    (
        proptest::collection::vec(0u8..6, segs),
        proptest::collection::vec(any::<bool>(), k * k),
        proptest::collection::vec((0usize..k * k, 0usize..4, 0usize..4, any::<bool>()), 0..12),
    )
        .prop_map(move |(kinds, signals, rels)| {
            let id = |i: usize, j: usize| (i * k + j) as i64;
            let nodes: Vec<OsmNode> = (0..k * k)
                .map(|v| OsmNode {
                    id: v as i64,
                    lon: X + (v % k) as f64 * 0.002 + ((v * 7) % 5) as f64 * 0.0001,
                    lat: Y + (v / k) as f64 * 0.002,
                    tags: if signals[v] && v % 3 == 0 {
                        tags(&[("highway", "traffic_signals")])
                    } else {
                        Vec::new()
                    },
                })
                .collect();
            let mut ways = Vec::new();
            let mut pairs = Vec::new();
            for i in 0..k {
                for j in 0..k {
                    if j + 1 < k {
                        pairs.push((id(i, j), id(i, j + 1)));
                    }
                    if i + 1 < k {
                        pairs.push((id(i, j), id(i + 1, j)));
                    }
                }
            }
            for (n, (&(a, b), &kind)) in pairs.iter().zip(&kinds).enumerate() {
                let class = if kind == 1 { "primary" } else { "residential" };
                let mut t = vec![("highway", class)];
                if kind == 0 {
                    t.push(("oneway", "yes"));
                }
                ways.push(OsmWay {
                    id: 100 + n as i64,
                    refs: vec![a, b],
                    tags: tags(&t),
                });
            }
            let ty = ("type", "restriction");
            let relations = rels
                .iter()
                .filter_map(|&(via, f, t, only)| {
                    let at: Vec<i64> = ways
                        .iter()
                        .filter(|w| w.refs.contains(&(via as i64)))
                        .map(|w| w.id)
                        .collect();
                    if at.is_empty() {
                        return None;
                    }
                    let (from, to) = (*at.get(f % at.len())?, *at.get(t % at.len())?);
                    let value = if only {
                        "only_straight_on"
                    } else {
                        "no_left_turn"
                    };
                    Some(restriction(
                        &[ty, ("restriction", value)],
                        from,
                        via as i64,
                        to,
                    ))
                })
                .collect();
            (nodes, ways, relations)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The hierarchy answers exactly as the turn-aware Dijkstra, and no
    /// answer uses a forbidden turn.
    #[test]
    fn ch_equals_turn_aware_dijkstra((nodes, ways, rels) in grid_strategy(), seed in any::<u64>()) {
        let Ok(g) = Graph::from_osm_elements_with_relations(&nodes, &ways, &rels, &car()) else {
            return Ok(());
        };
        let ch = Ch::build(&g, |_| {});
        let r = ch.router();
        let n = ch.graph().num_nodes() as u64;
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 33) % n) as u32
        };
        for _ in 0..30 {
            let (Some(a), Some(b)) = (ch.node_location(next()), ch.node_location(next())) else {
                continue;
            };
            let c = r.route(&a, &b);
            let d = r.route_dijkstra(&a, &b);
            prop_assert_eq!(c.as_ref().map(|x| x.time_s), d.as_ref().map(|x| x.time_s));
            if let Some(c) = c {
                for w in c.edges.windows(2) {
                    prop_assert!(ch.turn_time_ms(w[0], w[1]).is_some(), "forbidden turn {:?}", w);
                }
            }
        }
        // a matrix agrees with the routes
        let pts: Vec<Snapped> = (0..6).filter_map(|_| ch.node_location(next())).collect();
        let m = r.matrix(&pts, &pts);
        for (i, a) in pts.iter().enumerate() {
            for (j, b) in pts.iter().enumerate() {
                prop_assert_eq!(m.time_s(i, j), r.route(a, b).map(|x| x.time_s));
            }
        }
    }
}

/// A street open to local traffic only (`motor_vehicle=destination`) on
/// top of a detour:
///
/// ```text
///   1 ---- 2 ---- 3     way 40 (destination only)
///   |             |
///   a  way 41     b  way 43
///   |             |
///   4 ----------- 5     way 42
/// ```
///
/// From `a` (just below 1) to `b` (just below 3) the car goes round by 4
/// and 5 although the top is shorter; to the middle of the top street it
/// goes in, and the time it reports is the real driving time (equal to
/// that of the same path with the street open to all, and to the matrix).
#[test]
fn destination_only_ways_carry_no_through_traffic() {
    let nodes = vec![
        node(1, 0.0, 0.0, &[]),
        node(2, D, 0.0, &[]),
        node(3, 2.0 * D, 0.0, &[]),
        node(4, 0.0, -2.0 * D, &[]),
        node(5, 2.0 * D, -2.0 * D, &[]),
    ];
    let mut top = way(40, &[1, 2, 3]);
    top.tags
        .push(("motor_vehicle".into(), "destination".into()));
    let ways = vec![top, way(41, &[1, 4]), way(42, &[4, 5]), way(43, &[5, 3])];
    let open_all = Profile {
        local_access: Vec::new(),
        ..Profile::driving()
    };
    // (ways used, time in s, matrix time in s)
    let run = |profile: &Profile, to: (f64, f64)| {
        let g = Graph::from_osm_elements(&nodes, &ways, profile).unwrap();
        let ch = Ch::build(&g, |_| {});
        let r = ch.router();
        let a = r.snap(X, Y - 0.2 * D).unwrap();
        let b = r.snap(X + to.0, Y + to.1).unwrap();
        let route = r.route(&a, &b).expect("reachable");
        let dij = r.route_dijkstra(&a, &b).expect("reachable");
        assert_eq!(route.time_s, dij.time_s);
        assert_eq!(route.distance_m, dij.distance_m);
        let m = r.matrix(&[a], &[b]).get(0, 0).expect("reachable");
        let g = ch.graph();
        let mut used = vec![g.way_id(a.edge())];
        used.extend(route.edges.iter().map(|&e| g.way_id(e)));
        used.push(g.way_id(b.edge()));
        used.dedup();
        (used, route.time_s, m.time_s)
    };
    let through = (2.0 * D, -0.2 * D);
    let (used, t, mt) = run(&Profile::driving(), through);
    assert_eq!(used, [41, 42, 43]);
    assert_eq!(t, mt);
    let (used, t_open, _) = run(&open_all, through);
    assert_eq!(used, [41, 40, 43]);
    assert!(t_open < t / 2.0, "{t_open} {t}");
    // the emergency profile drives through (on duty, 第五十三条)
    let (used, _, _) = run(&Profile::emergency(1.2, 120.0), through);
    assert_eq!(used, [41, 40, 43]);
    // into the street: allowed, the real time
    let inside = (D * 0.5, 0.0);
    let (used, t, mt) = run(&Profile::driving(), inside);
    assert_eq!(used, [41, 40]);
    let (used_open, t_open, _) = run(&open_all, inside);
    assert_eq!(used_open, used);
    assert_eq!(t, t_open);
    assert_eq!(t, mt);
    assert!(t < 120.0, "{t}");
}
