//! yingji-routing: a road-network routing engine (no knowledge of the yingji
//! platform).
//!
//! Pipeline:
//!
//! 1. **Import** an OpenStreetMap extract into a driving [`Graph`]
//!    ([`Graph::from_osm_pbf`], rules in [`profile`]): routable `highway`
//!    classes with default speeds, `maxspeed` tags, one-way rules, access
//!    restrictions; only the largest strongly connected component is kept.
//!    Turn restrictions (`type=restriction` relations with a via node) and
//!    `highway=traffic_signals` nodes are read too.
//! 2. **Preprocess**: build the turn-aware (edge-based) graph — each directed
//!    segment a node, each allowed turn an arc weighted by the next
//!    segment's time plus the turn's cost ([`turns`], costs in
//!    [`profile::TurnCosts`]) — compress its chains (runs of segments
//!    without a choice between them, as along a road between two
//!    intersections: one hierarchy node each, costs summed, so answers stay
//!    exact) and contract them into a contraction
//!    hierarchy ([`Ch::build`], algorithm in
//!    [`contract`]); store it in one checksummed, versioned file
//!    ([`Ch::save`] / [`Ch::load`], format in [`io`]).
//! 3. **Query** through a [`Router`] ([`Ch::router`], or
//!    [`Ch::with_closures`] to respect [`Closures`]):
//!    [`Router::snap`] a coordinate to the nearest road (within the radius of
//!    its [`SnapConfig`]; the answer carries the snap distance), then
//!    [`Router::route`] (time, distance, geometry), [`Router::one_to_many`],
//!    [`Router::matrix`] (bucket many-to-many, [`query`]),
//!    [`Router::nearest_k`], [`Router::isochrone`] (nodes and polygons,
//!    [`isochrone`]), [`Router::coverage`] and [`Router::greedy_sites`]
//!    ([`coverage`]).
//!
//! Every answer carries the snap distance of each end and the **off-road
//! leg** (point to road and road to point at [`SnapConfig::off_road_kmh`]),
//! reported separately ([`OffRoad`]) and added to the total; rankings and
//! coverage use the totals. Snapping is onto the kept (largest strongly
//! connected) component only, so every snapped pair has a route.
//!
//! Not modelled (yet): restrictions over a via *way*, conditional
//! restrictions, time-dependent speeds. Closures are handled exactly at
//! query time without re-preprocessing.
//!
//! Travel times are integer milliseconds internally: hierarchy and Dijkstra
//! answers are identical, not merely close. Lengths are integer decimetres.
//!
//! ```no_run
//! use yingji_routing::{Ch, Graph, Profile};
//! # fn main() -> yingji_routing::Result<()> {
//! let graph = Graph::from_osm_pbf("region.osm.pbf", &Profile::driving(), |_| {})?;
//! let ch = Ch::build(&graph, |_| {});
//! ch.save("region.yjroute")?;
//! let ch = Ch::load("region.yjroute")?;
//! let r = ch.router();
//! let (a, b) = (r.snap(9.52, 47.14)?, r.snap(9.51, 47.17)?);
//! if let Some(route) = r.route(&a, &b) {
//!     println!("{} s, {} m, {} points", route.time_s, route.distance_m, route.geometry.len());
//! }
//! # Ok(()) }
//! ```

pub mod ch;
pub mod closures;
pub mod contract;
pub mod coverage;
mod dijkstra;
mod error;
pub mod graph;
pub mod io;
pub mod isochrone;
mod osm;
pub mod profile;
pub mod query;
pub mod router;
pub mod snap;
mod spatial;
pub mod synthetic;
pub mod turns;

pub use ch::Ch;
pub use closures::Closures;
pub use contract::ContractionParams;
pub use coverage::{
    greedy_max_cover, CoverageParams, CoverageReport, DemandPoint, SiteChoice, SiteSelection,
};
pub use error::{Error, Result};
pub use graph::{distance_m, haversine_m, EdgeId, Graph, InputEdge, NodeId};
pub use io::FORMAT_VERSION;
pub use isochrone::{Isochrone, IsochroneOptions};
pub use osm::{OsmMemberType, OsmNode, OsmRelation, OsmWay};
pub use profile::{Profile, TurnCosts};
pub use router::{Direction, Leg, Matrix, Nearest, Route, Router, MAX_TIME_LIMIT_S};
pub use snap::{
    OffRoad, SnapConfig, Snapped, DEFAULT_MAX_SNAP_M, DEFAULT_OFF_ROAD_KMH, MAX_SNAP_RADIUS_M,
};

/// Stage of a long-running operation, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Stage {
    /// Import pass 1 (`done`/`total` in bytes of the file).
    ReadWays,
    /// Import pass 2 (bytes).
    ReadNodes,
    /// Building edges (ways).
    BuildGraph,
    /// Initial node priorities (nodes).
    OrderNodes,
    /// Contraction (nodes contracted).
    Contract,
    /// Final layout.
    Finish,
}

impl Stage {
    /// Short English label, e.g. for a progress bar.
    pub fn label(self) -> &'static str {
        match self {
            Stage::ReadWays => "reading ways",
            Stage::ReadNodes => "reading nodes",
            Stage::BuildGraph => "building graph",
            Stage::OrderNodes => "ordering nodes",
            Stage::Contract => "contracting",
            Stage::Finish => "finishing",
        }
    }

    /// Whether `done`/`total` count bytes of the input file (else items).
    pub fn counts_bytes(self) -> bool {
        matches!(self, Stage::ReadWays | Stage::ReadNodes)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Progress report passed to callbacks: `done` out of `total` units of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

impl Ch {
    /// Snaps with [`DEFAULT_MAX_SNAP_M`], ignoring closures (see [`Router::snap`]).
    pub fn snap(&self, lon: f64, lat: f64) -> Result<Snapped> {
        self.router().snap(lon, lat)
    }

    /// Fastest route ignoring closures (see [`Router::route`]).
    pub fn route(&self, from: &Snapped, to: &Snapped) -> Option<Route> {
        self.router().route(from, to)
    }

    /// See [`Router::one_to_many`].
    pub fn one_to_many(&self, from: &Snapped, targets: &[Snapped]) -> Vec<Option<Leg>> {
        self.router().one_to_many(from, targets)
    }

    /// See [`Router::matrix`].
    pub fn matrix(&self, sources: &[Snapped], targets: &[Snapped]) -> Matrix {
        self.router().matrix(sources, targets)
    }

    /// See [`Router::isochrone`].
    pub fn isochrone(&self, sources: &[Snapped], limit_s: f64) -> Result<Isochrone> {
        self.router().isochrone(sources, limit_s)
    }

    /// See [`Router::nearest_k`].
    pub fn nearest_k(
        &self,
        origin: &Snapped,
        candidates: &[Snapped],
        k: usize,
        direction: Direction,
    ) -> Vec<Nearest> {
        self.router().nearest_k(origin, candidates, k, direction)
    }
}
