//! Table tests of the profile on small hand-made OSM networks: a direct street
//! 1–2–3 (way 10) and a detour 1–4–5–3 (way 20); the case's tags go on the
//! direct street or on its middle node 2, and the test asks which way the
//! fastest route from node 1 to node 3 takes (and how long it takes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_routing::*;

mod common;
use common::{node, tags, X, Y};

/// (ways used from 1 to 3, time in s), or None when 3 is unreachable.
fn route(
    profile: &Profile,
    way10: &[(&str, &str)],
    node2: &[(&str, &str)],
) -> Option<(Vec<i64>, f64)> {
    let nodes = vec![
        node(1, 0.0, 0.0, &[]),
        node(2, 0.005, 0.0, node2),
        node(3, 0.01, 0.0, &[]),
        node(4, 0.0, 0.01, &[]),
        node(5, 0.01, 0.01, &[]),
    ];
    let mut t10 = vec![("highway", "residential")];
    for (k, v) in way10 {
        if let Some(e) = t10.iter_mut().find(|(t, _)| t == k) {
            e.1 = v;
        } else {
            t10.push((k, v));
        }
    }
    let ways = vec![
        OsmWay {
            id: 10,
            refs: vec![1, 2, 3],
            tags: tags(&t10),
        },
        OsmWay {
            id: 20,
            refs: vec![1, 4, 5, 3],
            tags: tags(&[("highway", "residential")]),
        },
    ];
    let g = Graph::from_osm_elements(&nodes, &ways, profile).unwrap();
    let ch = Ch::build(&g, |_| {});
    let r = ch.router();
    let a = r.snap(X, Y).unwrap();
    let b = r.snap(X + 0.01, Y).unwrap();
    let route = r.route(&a, &b)?;
    let mut used: Vec<i64> = route.edges.iter().map(|&e| g.way_id(e)).collect();
    used.dedup();
    Some((used, route.time_s))
}

const DIRECT: &[i64] = &[10];
const DETOUR: &[i64] = &[20];

fn car() -> Profile {
    Profile::driving()
}

fn emergency() -> Profile {
    Profile::emergency(1.2, 140.0)
}

#[test]
fn barriers_access_and_classes_choose_the_way() {
    type Tags = &'static [(&'static str, &'static str)];
    let cases: &[(&str, Profile, Tags, Tags, &[i64])] = &[
        ("plain street", car(), &[], &[], DIRECT),
        ("bollard", car(), &[], &[("barrier", "bollard")], DETOUR),
        ("block", car(), &[], &[("barrier", "block")], DETOUR),
        ("fence", car(), &[], &[("barrier", "fence")], DETOUR),
        ("gate", car(), &[], &[("barrier", "gate")], DETOUR),
        (
            "unknown barrier",
            car(),
            &[],
            &[("barrier", "jersey_barrier")],
            DETOUR,
        ),
        (
            "gate access=yes",
            car(),
            &[],
            &[("barrier", "gate"), ("access", "yes")],
            DIRECT,
        ),
        (
            "bollard motor_vehicle=yes",
            car(),
            &[],
            &[("barrier", "bollard"), ("motor_vehicle", "yes")],
            DIRECT,
        ),
        (
            "cattle grid",
            car(),
            &[],
            &[("barrier", "cattle_grid")],
            DIRECT,
        ),
        (
            "toll booth",
            car(),
            &[],
            &[("barrier", "toll_booth")],
            DIRECT,
        ),
        (
            "border control",
            car(),
            &[],
            &[("barrier", "border_control")],
            DIRECT,
        ),
        ("lift gate", car(), &[], &[("barrier", "lift_gate")], DIRECT),
        (
            "lift gate private",
            car(),
            &[],
            &[("barrier", "lift_gate"), ("access", "private")],
            DETOUR,
        ),
        ("entrance", car(), &[], &[("barrier", "entrance")], DIRECT),
        (
            "bollard emergency=yes, car",
            car(),
            &[],
            &[("barrier", "bollard"), ("emergency", "yes")],
            DETOUR,
        ),
        (
            "bollard emergency=yes, emergency",
            emergency(),
            &[],
            &[("barrier", "bollard"), ("emergency", "yes")],
            DIRECT,
        ),
        (
            "construction=yes",
            car(),
            &[("construction", "yes")],
            &[],
            DETOUR,
        ),
        (
            "construction=minor",
            car(),
            &[("construction", "minor")],
            &[],
            DIRECT,
        ),
        (
            "highway=construction",
            car(),
            &[("highway", "construction")],
            &[],
            DETOUR,
        ),
        ("track", car(), &[("highway", "track")], &[], DETOUR),
        (
            "track motor_vehicle=designated",
            car(),
            &[("highway", "track"), ("motor_vehicle", "designated")],
            &[],
            DIRECT,
        ),
        (
            "track motorcar=yes",
            car(),
            &[("highway", "track"), ("motorcar", "yes")],
            &[],
            DIRECT,
        ),
        (
            "track access=yes",
            car(),
            &[("highway", "track"), ("access", "yes")],
            &[],
            DIRECT,
        ),
        (
            "track access=agricultural",
            car(),
            &[("highway", "track"), ("access", "agricultural")],
            &[],
            DETOUR,
        ),
        (
            "track motor_vehicle=forestry",
            car(),
            &[("highway", "track"), ("motor_vehicle", "forestry")],
            &[],
            DETOUR,
        ),
        (
            "residential access=private",
            car(),
            &[("access", "private")],
            &[],
            DETOUR,
        ),
        (
            "access=no motor_vehicle=yes",
            car(),
            &[("access", "no"), ("motor_vehicle", "yes")],
            &[],
            DIRECT,
        ),
        (
            "bus-only street, car",
            car(),
            &[("access", "no"), ("bus", "yes")],
            &[],
            DETOUR,
        ),
        (
            "bus-only street, emergency",
            emergency(),
            &[("access", "no"), ("bus", "yes")],
            &[],
            DIRECT,
        ),
        (
            "busway, emergency",
            emergency(),
            &[
                ("highway", "service"),
                ("access", "no"),
                ("psv", "designated"),
            ],
            &[],
            DIRECT,
        ),
        (
            "access=no emergency=designated, car",
            car(),
            &[("access", "no"), ("emergency", "designated")],
            &[],
            DETOUR,
        ),
        (
            "access=no emergency=designated, emergency",
            emergency(),
            &[("access", "no"), ("emergency", "designated")],
            &[],
            DIRECT,
        ),
        (
            "emergency_access service, car",
            car(),
            &[("highway", "service"), ("service", "emergency_access")],
            &[],
            DETOUR,
        ),
        (
            "emergency_access service, emergency",
            emergency(),
            &[("highway", "service"), ("service", "emergency_access")],
            &[],
            DIRECT,
        ),
        ("footway", car(), &[("highway", "footway")], &[], DETOUR),
        ("road", car(), &[("highway", "road")], &[], DIRECT),
    ];
    for (name, profile, way, node, want) in cases {
        let got = route(profile, way, node).map(|(w, _)| w);
        assert_eq!(got.as_deref(), Some(*want), "{name}");
    }
}

#[test]
fn delays_speeds_and_ferries() {
    let base = route(&car(), &[], &[]).unwrap().1;
    for (barrier, delay) in [
        ("lift_gate", 15.0),
        ("toll_booth", 20.0),
        ("border_control", 60.0),
        ("cattle_grid", 5.0),
    ] {
        let t = route(&car(), &[], &[("barrier", barrier)]).unwrap().1;
        assert!((t - base - delay).abs() < 0.01, "{barrier}: {t} vs {base}");
    }
    // 1–3 is ~757 m; the detour ~2.98 km at 25 km/h = 429 s
    let time = |way: &[(&str, &str)], p: &Profile| route(p, way, &[]).unwrap().1;
    let at = |kmh: f64| 758.0 / (kmh / 3.6);
    let near = |got: f64, want: f64| (got - want).abs() / want < 0.01;
    assert!(near(base, at(25.0)), "{base}");
    // a list: the highest value, times the factor 0.8
    assert!(near(
        time(&[("highway", "primary"), ("maxspeed", "90;30;90")], &car()),
        at(72.0)
    ));
    assert!(near(
        time(&[("highway", "primary"), ("maxspeed", "30;60")], &car()),
        at(48.0)
    ));
    // zone tags when no number is tagged
    assert!(near(
        time(&[("maxspeed:type", "CN:urban")], &car()),
        at(40.0)
    ));
    assert!(near(time(&[("zone:maxspeed", "DE:30")], &car()), at(24.0)));
    assert!(near(
        time(&[("source:maxspeed", "CN:rural")], &car()),
        at(56.0)
    ));
    // service subtypes are slower
    assert!(near(time(&[("highway", "service")], &car()), at(15.0)));
    // at 5 km/h (546 s) the detour (429 s) wins
    assert_eq!(
        route(
            &car(),
            &[("highway", "service"), ("service", "parking_aisle")],
            &[]
        )
        .unwrap()
        .0,
        DETOUR
    );
    // at 5 km/h (546 s) the detour (429 s) wins
    assert_eq!(
        route(
            &car(),
            &[("highway", "service"), ("service", "driveway")],
            &[]
        )
        .unwrap()
        .0,
        DETOUR
    );
    // emergency: legal speed times 1.2, capped; class defaults scaled alike
    assert!(near(
        time(&[("highway", "primary"), ("maxspeed", "60")], &emergency()),
        at(72.0)
    ));
    assert!(near(
        time(&[("highway", "primary"), ("maxspeed", "130")], &emergency()),
        at(140.0)
    ));
    assert!(near(time(&[], &emergency()), at(25.0 * 1.5)));
    // ferries: tagged duration, else the ferry speed
    let ferry = [("highway", ""), ("route", "ferry"), ("duration", "00:02")];
    assert!(near(time(&ferry, &car()), 120.0));
    // without a duration at 5 km/h the ferry (545 s) loses to the detour
    let ferry = [("highway", ""), ("route", "ferry")];
    assert_eq!(route(&car(), &ferry, &[]).unwrap().0, DETOUR);
    let ferry = [
        ("highway", ""),
        ("route", "ferry"),
        ("duration", "1:00"),
        ("access", "no"),
    ];
    assert_eq!(route(&car(), &ferry, &[]).unwrap().0, DETOUR);
}
