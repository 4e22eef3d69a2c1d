//! OSM import (crates/routing): arbitrary bytes as an `.osm.pbf` extract must
//! give a graph or an error, never a panic, hang or unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yingji_routing::{Graph, Profile};

fuzz_target!(|data: &[u8]| {
    let profile = Profile::driving();
    if let Ok(g) = Graph::from_osm_pbf_reader(std::io::Cursor::new(data), &profile, |_| {}) {
        assert!(g.num_edges() > 0);
    }
});
