//! The demo's road network: the coarse real network of Datong's main roads
//! (`data/datong/roads/`, © OpenStreetMap contributors, ODbL), embedded in
//! the binary and built into a graph file at every demo start (a fraction
//! of a second), so dispatch and isochrones go by road from the first start.
//!
//! Main roads only: most villages and many incidents are kilometres from
//! them, so the demo snaps within [`MAX_SNAP_M`] and costs the straight
//! off-road leg at the configured off-road speed (shown apart).

use std::io::Cursor;
use std::path::PathBuf;

use yingji_routing::{Ch, Graph, Profile};

use crate::config::Config;

/// The OSM PBF extract (13.6 KB).
pub const PBF: &[u8] =
    include_bytes!("../../../../data/datong/roads/datong-highways-coarse.osm.pbf");
/// The graph file written in the data directory.
pub const FILE: &str = "datong-main-roads.yjroute";
/// The demo's search radius: with main roads only, a village 15 km from
/// the nearest one is common in the mountain counties.
pub const MAX_SNAP_M: f64 = 20_000.0;
/// Attribution required by the ODbL, shown next to the demo's maps.
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors (ODbL)";

/// Imports the embedded extract and builds its contraction hierarchy.
pub fn build() -> Result<Ch, yingji_routing::Error> {
    let g = Graph::from_osm_pbf_reader(Cursor::new(PBF), &Profile::driving(), |_| {})?;
    Ok(Ch::build(&g, |_| {}))
}

/// Prepares `config` for the demo: unless a graph is configured, builds
/// the embedded network into `<data_dir>/FILE` and routes on it, with the
/// demo's search radius (unless one is configured) and the map's note
/// that the network has main roads only. Returns the file written.
pub fn configure(config: &mut Config) -> Result<Option<PathBuf>, yingji_routing::Error> {
    if config.routing_graph.is_some() {
        return Ok(None);
    }
    let path = config.data_dir.join(FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            yingji_routing::Error::InvalidArgument(format!("{}: {e}", dir.display()))
        })?;
    }
    build()?.save(&path)?;
    config.routing_graph = Some(path.clone());
    if config.snapping == yingji_routing::SnapConfig::default() {
        config.snapping.max_snap_m = MAX_SNAP_M;
    }
    config.map.roads_main_only = true;
    config.map.roads_attribution = Some(ATTRIBUTION.into());
    Ok(Some(path))
}
