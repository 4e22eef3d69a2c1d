//! Point-in-area throughput on the Datong city boundary:
//! `cargo run --release -p yingji-geo --example bench_contains`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use yingji_geo::{geojson, Area, PointIndex};

fn main() {
    let fc = include_str!("../tests/fixtures/datong.geojson");
    let v: serde_json::Value = serde_json::from_str(fc).expect("fixture");
    let city = v["features"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["properties"]["code"] == "140200"))
        .expect("city feature");
    let mp = geojson::from_value(city).expect("polygon");
    let vertices: usize = mp.0.iter().map(|p| p.exterior().0.len()).sum();
    let area = Area::MultiPolygon(mp);
    let b = area.bbox();
    let mut rng = SmallRng::seed_from_u64(1);
    let n = 1_000_000;
    let pts: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            (
                rng.random_range(b.min_lon..=b.max_lon),
                rng.random_range(b.min_lat..=b.max_lat),
            )
        })
        .collect();

    let t = Instant::now();
    let prepared = area.prepare();
    let prep = t.elapsed();
    let t = Instant::now();
    let inside = pts.iter().filter(|p| prepared.contains(p.0, p.1)).count();
    let fast = t.elapsed();
    let m = 20_000;
    let t = Instant::now();
    let slow_inside = pts[..m].iter().filter(|p| area.contains(p.0, p.1)).count();
    let slow = t.elapsed();
    println!("{vertices} vertices; prepare {prep:?}");
    println!(
        "PreparedArea::contains: {:.0} ns/point ({inside} of {n} inside)",
        fast.as_nanos() as f64 / n as f64
    );
    println!(
        "Area::contains (geo):   {:.0} ns/point ({slow_inside} of {m} inside)",
        slow.as_nanos() as f64 / m as f64
    );

    let t = Instant::now();
    let idx = PointIndex::new(pts.iter().enumerate().map(|(i, p)| (i, p.0, p.1)).collect());
    let build = t.elapsed();
    let t = Instant::now();
    let found = idx.in_area(&area).len();
    let query = t.elapsed();
    println!("PointIndex: build {build:?}, in_area {query:?} ({found} found)");
    let t = Instant::now();
    for p in &pts[..1000] {
        std::hint::black_box(idx.nearest(p.0, p.1, 10));
    }
    println!(
        "PointIndex::nearest(k=10): {:?} per query",
        t.elapsed() / 1000
    );
}
