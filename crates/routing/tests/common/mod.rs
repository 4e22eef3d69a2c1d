//! Helpers shared by the tests that build small OSM inputs.

/// Tags as the owned pairs [`yingji_routing::OsmNode`] and friends hold.
pub fn tags(t: &[(&str, &str)]) -> Vec<(String, String)> {
    t.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
