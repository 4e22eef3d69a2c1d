//! Helpers shared by the tests that build small OSM inputs.

/// Tags as the owned pairs [`yingji_routing::OsmNode`] and friends hold.
pub fn tags(t: &[(&str, &str)]) -> Vec<(String, String)> {
    t.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Longitude and latitude of the origin of the hand-made networks.
pub const X: f64 = 9.5;
pub const Y: f64 = 47.1;

/// A node `dx`, `dy` degrees from (`X`, `Y`) with tags `t`.
pub fn node(id: i64, dx: f64, dy: f64, t: &[(&str, &str)]) -> yingji_routing::OsmNode {
    yingji_routing::OsmNode {
        id,
        lon: X + dx,
        lat: Y + dy,
        tags: tags(t),
    }
}
