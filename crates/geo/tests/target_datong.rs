//! Warning targeting on the real Datong boundaries (the simplified fixture of
//! `tests/datong.rs`, converted to WGS84): subscribers sampled in every
//! county, areas drawn from counties and circles, checked against a
//! brute-force scan and against the counties the points were drawn in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use geo::MultiPolygon;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use yingji_geo::sample::Sampler;
use yingji_geo::target::{Divisions, Predicate};
use yingji_geo::{coord, geojson, PointSet, TargetArea};

const FIXTURE: &str = include_str!("fixtures/datong.geojson");

fn counties() -> BTreeMap<String, MultiPolygon<f64>> {
    let fc: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["code"] != "140200")
        .map(|f| {
            let code = f["properties"]["code"].as_str().unwrap().to_string();
            let gcj = geojson::from_value(f).unwrap();
            (code, geojson::map_coords(&gcj, coord::gcj02_to_wgs84))
        })
        .collect()
}

/// 3,000 points per county, grouped by county index; every 100th exactly on
/// a vertex of its county.
fn subscribers(c: &BTreeMap<String, MultiPolygon<f64>>) -> Vec<(u64, f64, f64, u32)> {
    let mut out = Vec::new();
    for (gi, mp) in c.values().enumerate() {
        let s = Sampler::new(mp).unwrap();
        let verts: Vec<_> = mp.0[0].exterior().0.clone();
        let mut rng = SmallRng::seed_from_u64(gi as u64);
        for k in 0..3000 {
            let (x, y) = if k % 100 == 0 {
                let v = verts[k / 100 % verts.len()];
                (v.x, v.y)
            } else {
                s.sample(&mut rng)
            };
            out.push((out.len() as u64, x, y, gi as u32));
        }
    }
    out
}

#[test]
fn counties_reach_their_own_subscribers_exactly() {
    let c = counties();
    let pts = subscribers(&c);
    let set = PointSet::new_grouped(pts.clone());
    assert_eq!(set.len(), 30_000);
    for (gi, (code, mp)) in c.iter().enumerate() {
        for pred in [Predicate::Covers, Predicate::Contains] {
            let area = TargetArea::from_multipolygon(mp)
                .unwrap()
                .with_predicate(pred);
            let mut got = set.ids_in_par(&area, 2);
            got.sort_unstable();
            let want: Vec<u64> = pts
                .iter()
                .filter(|p| area.contains(p.1, p.2))
                .map(|p| p.0)
                .collect();
            assert_eq!(got, want, "{code} {pred:?}");
            // Every point drawn strictly inside this county is reached, and
            // the 30 on its vertices too unless the predicate is strict.
            let own = set
                .count_by_group(&area, 1)
                .into_iter()
                .find(|(g, _)| *g == gi as u32)
                .map_or(0, |(_, n)| n);
            match pred {
                Predicate::Covers => assert_eq!(own, 3000, "{code}"),
                Predicate::Contains => assert_eq!(own, 2970, "{code}"),
            }
        }
    }
}

#[test]
fn a_circle_on_a_county_border_touches_both_counties() {
    let c = counties();
    let pts = subscribers(&c);
    let set = PointSet::new_grouped(pts);
    // A 15 km circle on the 平城区 / 云冈区 border area west of the centre.
    let mut area = TargetArea::new();
    area.add_circle(113.22, 40.06, 15_000.0).unwrap();
    let codes: Vec<&String> = c.keys().collect();
    let reached: Vec<&str> = set
        .count_by_group(&area, 1)
        .iter()
        .map(|(g, _)| codes[*g as usize].as_str())
        .collect();
    assert!(
        reached.contains(&"140213") && reached.contains(&"140214"),
        "{reached:?}"
    );
    // Villages known by one point each: the county seats as stand-ins.
    let villages = Divisions::new(vec![
        ("平城区", 113.30, 40.08),
        ("云冈区", 113.15, 40.00),
        ("灵丘县", 114.23, 39.44),
    ]);
    assert_eq!(villages.inside(&area), vec![&"平城区", &"云冈区"]);
}
