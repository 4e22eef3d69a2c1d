//! The base road graph: nodes with WGS84 coordinates and directed edges with a
//! travel time (integer milliseconds, so sums are exact and CH and Dijkstra agree
//! to the millisecond), a length (integer decimetres) and the OSM way id.
//!
//! Edges are stored as a forward adjacency array (CSR, grouped by tail node)
//! with a reverse index (edge ids grouped by head node). Every OSM node of a
//! routable way becomes a graph node, so every edge is a straight segment.

use crate::{Error, Result};

/// Index of a node in a [`Graph`].
pub type NodeId = u32;
/// Index of a directed edge in a [`Graph`].
pub type EdgeId = u32;

/// Largest travel time of one edge (about 11.6 days), so path sums stay far from `u32::MAX`.
pub(crate) const MAX_EDGE_MS: u32 = 1_000_000_000;

/// One directed edge given to [`Graph::from_edges`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputEdge {
    pub from: NodeId,
    pub to: NodeId,
    /// Travel time in seconds (stored rounded to the millisecond, at least 1 ms).
    pub time_s: f64,
    /// Length in metres.
    pub distance_m: f64,
    /// OSM way id (or any id used to close roads with [`crate::Closures::close_way`]).
    pub way_id: i64,
}

/// A directed road graph. Build it with [`Graph::from_osm_pbf`] or [`Graph::from_edges`].
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub(crate) lon: Vec<f64>,
    pub(crate) lat: Vec<f64>,
    pub(crate) first_out: Vec<u32>,
    pub(crate) tail: Vec<u32>,
    pub(crate) head: Vec<u32>,
    pub(crate) time_ms: Vec<u32>,
    pub(crate) dist_dm: Vec<u32>,
    pub(crate) way: Vec<i64>,
    pub(crate) first_in: Vec<u32>,
    pub(crate) in_edges: Vec<u32>,
    /// Per node: a `highway=traffic_signals` node (import only; not stored in graph files).
    pub(crate) signal: Vec<bool>,
    /// Turn restrictions over a via node (import only; not stored in graph files).
    pub(crate) restrictions: Vec<Restriction>,
    /// Ids of the ways open to local traffic only, sorted (import only; the
    /// turn graph stores what they cost).
    pub(crate) local_ways: Vec<i64>,
    /// Turn costs of the profile (import only; not stored in graph files).
    pub(crate) turn_costs: crate::profile::TurnCosts,
}

/// An OSM turn restriction with a via node, by way ids: from `from_way`
/// into `via`, `no_*` forbids continuing on `to_way`, `only_*` forbids
/// everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Restriction {
    pub from_way: i64,
    pub via: NodeId,
    pub to_way: i64,
    pub only: bool,
}

pub(crate) fn valid_coord(lon: f64, lat: f64) -> bool {
    lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat)
}

/// Distance in metres on the WGS84 ellipsoid. Below 20 km (every road edge,
/// every snap) the plane tangent at the mid-latitude with the ellipsoid's
/// meridional (M) and prime-vertical (N) radii of curvature — relative error
/// below 1e-5 there, at any latitude; beyond, Karney's geodesic (`geo`'s
/// `Geodesic`, exact to nanometres).
pub fn distance_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_223_563;
    const E2: f64 = F * (2.0 - F);
    let phi = ((lat1 + lat2) / 2.0).to_radians();
    let w2 = 1.0 - E2 * phi.sin().powi(2);
    let n = A / w2.sqrt();
    let m = A * (1.0 - E2) / (w2 * w2.sqrt());
    let mut dl = lon2 - lon1;
    if dl > 180.0 {
        dl -= 360.0;
    } else if dl < -180.0 {
        dl += 360.0;
    }
    let dy = m * (lat2 - lat1).to_radians();
    let dx = n * phi.cos() * dl.to_radians();
    let d = dx.hypot(dy);
    if d < 20_000.0 {
        return d;
    }
    use geo::{Distance, Geodesic, Point};
    Geodesic.distance(Point::new(lon1, lat1), Point::new(lon2, lat2))
}

/// Great-circle distance in metres (haversine, mean earth radius): up to
/// 0.5 % off the ellipsoid; road lengths use [`distance_m`].
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

impl Graph {
    /// Builds a graph from coordinates `[lon, lat]` and directed edges.
    /// Errors on out-of-range node ids, invalid coordinates, or negative/non-finite times or lengths.
    pub fn from_edges(coords: &[[f64; 2]], edges: &[InputEdge]) -> Result<Graph> {
        if coords.len() >= u32::MAX as usize || edges.len() >= u32::MAX as usize {
            return Err(Error::InvalidGraph("too many nodes or edges".into()));
        }
        for (i, c) in coords.iter().enumerate() {
            if !valid_coord(c[0], c[1]) {
                return Err(Error::InvalidGraph(format!(
                    "node {i} has invalid coordinate {c:?}"
                )));
            }
        }
        let n = coords.len() as u32;
        let mut raw = Vec::with_capacity(edges.len());
        for (i, e) in edges.iter().enumerate() {
            if e.from >= n || e.to >= n {
                return Err(Error::InvalidGraph(format!(
                    "edge {i} refers to node {} but there are {n} nodes",
                    e.from.max(e.to)
                )));
            }
            let ms = e.time_s * 1000.0;
            if !(ms.is_finite() && ms >= 0.0 && ms <= MAX_EDGE_MS as f64) {
                return Err(Error::InvalidGraph(format!(
                    "edge {i} has invalid travel time {} s",
                    e.time_s
                )));
            }
            let dm = e.distance_m * 10.0;
            if !(dm.is_finite() && dm >= 0.0 && dm <= MAX_EDGE_MS as f64) {
                return Err(Error::InvalidGraph(format!(
                    "edge {i} has invalid length {} m",
                    e.distance_m
                )));
            }
            raw.push(RawEdge {
                from: e.from,
                to: e.to,
                time_ms: (ms.round() as u32).max(1),
                dist_dm: dm.round() as u32,
                way: e.way_id,
            });
        }
        let lon = coords.iter().map(|c| c[0]).collect();
        let lat = coords.iter().map(|c| c[1]).collect();
        Ok(Graph::from_raw(lon, lat, raw))
    }

    /// Builds the CSR arrays. Self-loops are dropped; edges keep their input order within a tail.
    pub(crate) fn from_raw(lon: Vec<f64>, lat: Vec<f64>, mut raw: Vec<RawEdge>) -> Graph {
        let n = lon.len();
        raw.retain(|e| e.from != e.to);
        raw.sort_by_key(|e| e.from);
        let mut first_out = vec![0u32; n + 1];
        for e in &raw {
            first_out[e.from as usize + 1] += 1;
        }
        for i in 0..n {
            first_out[i + 1] += first_out[i];
        }
        let tail: Vec<u32> = raw.iter().map(|e| e.from).collect();
        let head: Vec<u32> = raw.iter().map(|e| e.to).collect();
        let time_ms = raw.iter().map(|e| e.time_ms).collect();
        let dist_dm = raw.iter().map(|e| e.dist_dm).collect();
        let way = raw.iter().map(|e| e.way).collect();
        let (first_in, in_edges) = reverse_index(n, &head);
        Graph {
            lon,
            lat,
            first_out,
            tail,
            head,
            time_ms,
            dist_dm,
            way,
            first_in,
            in_edges,
            signal: vec![false; n],
            restrictions: Vec::new(),
            local_ways: Vec::new(),
            turn_costs: crate::profile::TurnCosts::none(),
        }
    }

    /// Number of turn restrictions (with a via node) read at import.
    pub fn num_restrictions(&self) -> usize {
        self.restrictions.len()
    }

    /// Number of `highway=traffic_signals` nodes read at import.
    pub fn num_signals(&self) -> usize {
        self.signal.iter().filter(|&&s| s).count()
    }

    /// The turn costs the hierarchy will be built with (the profile's at
    /// import, [`crate::profile::TurnCosts::none`] for [`Graph::from_edges`]).
    pub fn turn_costs(&self) -> &crate::profile::TurnCosts {
        &self.turn_costs
    }

    /// The same graph built with other turn costs.
    pub fn with_turn_costs(mut self, costs: crate::profile::TurnCosts) -> Graph {
        self.turn_costs = costs;
        self
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.lon.len()
    }

    /// Number of directed edges.
    pub fn num_edges(&self) -> usize {
        self.head.len()
    }

    /// `[lon, lat]` of a node. Panics if `node` is out of range.
    pub fn coord(&self, node: NodeId) -> [f64; 2] {
        [self.lon[node as usize], self.lat[node as usize]]
    }

    /// Edge ids leaving `node`.
    pub fn out_edges(&self, node: NodeId) -> std::ops::Range<EdgeId> {
        self.first_out[node as usize]..self.first_out[node as usize + 1]
    }

    /// Edge ids entering `node`.
    pub fn in_edges(&self, node: NodeId) -> impl Iterator<Item = EdgeId> + '_ {
        let r = self.first_in[node as usize] as usize..self.first_in[node as usize + 1] as usize;
        self.in_edges[r].iter().copied()
    }

    /// `(tail, head)` of an edge.
    pub fn endpoints(&self, edge: EdgeId) -> (NodeId, NodeId) {
        (self.tail[edge as usize], self.head[edge as usize])
    }

    /// Travel time of an edge in milliseconds.
    pub fn edge_time_ms(&self, edge: EdgeId) -> u32 {
        self.time_ms[edge as usize]
    }

    /// Length of an edge in metres.
    pub fn edge_distance_m(&self, edge: EdgeId) -> f64 {
        self.dist_dm[edge as usize] as f64 / 10.0
    }

    /// OSM way id of an edge.
    pub fn way_id(&self, edge: EdgeId) -> i64 {
        self.way[edge as usize]
    }

    /// The fastest edge `from -> to`, if any.
    pub(crate) fn find_edge(&self, from: NodeId, to: NodeId) -> Option<EdgeId> {
        self.out_edges(from)
            .filter(|&e| self.head[e as usize] == to)
            .min_by_key(|&e| self.time_ms[e as usize])
    }

    /// The subgraph induced by the largest strongly connected component
    /// (nodes renumbered in their old order). Nodes outside it cannot be reached
    /// from, or cannot reach, most of the network (islands, broken one-ways).
    pub fn largest_strongly_connected_component(&self) -> Graph {
        let comp = self.scc();
        let ncomp = comp.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
        let mut size = vec![0usize; ncomp];
        for &c in &comp {
            size[c as usize] += 1;
        }
        let Some(best) = (0..ncomp).max_by_key(|&c| (size[c], std::cmp::Reverse(c))) else {
            return self.clone();
        };
        let keep: Vec<bool> = comp.iter().map(|&c| c as usize == best).collect();
        self.induced(&keep)
    }

    /// The subgraph of the nodes with `keep[v]`, renumbered in order.
    pub(crate) fn induced(&self, keep: &[bool]) -> Graph {
        let mut new_id = vec![u32::MAX; self.num_nodes()];
        let mut lon = Vec::new();
        let mut lat = Vec::new();
        for v in 0..self.num_nodes() {
            if keep[v] {
                new_id[v] = lon.len() as u32;
                lon.push(self.lon[v]);
                lat.push(self.lat[v]);
            }
        }
        let mut raw = Vec::new();
        for e in 0..self.num_edges() {
            let (a, b) = (new_id[self.tail[e] as usize], new_id[self.head[e] as usize]);
            if a != u32::MAX && b != u32::MAX {
                raw.push(RawEdge {
                    from: a,
                    to: b,
                    time_ms: self.time_ms[e],
                    dist_dm: self.dist_dm[e],
                    way: self.way[e],
                });
            }
        }
        let mut g = Graph::from_raw(lon, lat, raw);
        for (&id, &signal) in new_id.iter().zip(&self.signal) {
            if id != u32::MAX {
                g.signal[id as usize] = signal;
            }
        }
        g.restrictions = self
            .restrictions
            .iter()
            .filter_map(|r| {
                let via = new_id[r.via as usize];
                (via != u32::MAX).then_some(Restriction { via, ..*r })
            })
            .collect();
        g.turn_costs = self.turn_costs.clone();
        g.local_ways = self.local_ways.clone();
        g
    }

    /// Strongly connected component of every node (iterative Tarjan).
    pub(crate) fn scc(&self) -> Vec<u32> {
        let n = self.num_nodes();
        const UNSEEN: u32 = u32::MAX;
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut comp = vec![UNSEEN; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut call: Vec<(u32, u32)> = Vec::new(); // (node, next edge)
        let mut next_index = 0u32;
        let mut ncomp = 0u32;
        for root in 0..n as u32 {
            if index[root as usize] != UNSEEN {
                continue;
            }
            call.push((root, self.first_out[root as usize]));
            index[root as usize] = next_index;
            low[root as usize] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            while let Some(&mut (v, ref mut ei)) = call.last_mut() {
                let end = self.first_out[v as usize + 1];
                if *ei < end {
                    let w = self.head[*ei as usize];
                    *ei += 1;
                    if index[w as usize] == UNSEEN {
                        index[w as usize] = next_index;
                        low[w as usize] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w as usize] = true;
                        call.push((w, self.first_out[w as usize]));
                    } else if on_stack[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                } else {
                    call.pop();
                    if let Some(&(u, _)) = call.last() {
                        low[u as usize] = low[u as usize].min(low[v as usize]);
                    }
                    if low[v as usize] == index[v as usize] {
                        while let Some(w) = stack.pop() {
                            on_stack[w as usize] = false;
                            comp[w as usize] = ncomp;
                            if w == v {
                                break;
                            }
                        }
                        ncomp += 1;
                    }
                }
            }
        }
        comp
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RawEdge {
    pub from: u32,
    pub to: u32,
    pub time_ms: u32,
    pub dist_dm: u32,
    pub way: i64,
}

/// For CSR `head` array: (first_in, edge ids grouped by head).
pub(crate) fn reverse_index(n: usize, head: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut first_in = vec![0u32; n + 1];
    for &h in head {
        first_in[h as usize + 1] += 1;
    }
    for i in 0..n {
        first_in[i + 1] += first_in[i];
    }
    let mut pos = first_in.clone();
    let mut in_edges = vec![0u32; head.len()];
    for (e, &h) in head.iter().enumerate() {
        in_edges[pos[h as usize] as usize] = e as u32;
        pos[h as usize] += 1;
    }
    (first_in, in_edges)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A test edge of 1 s and 10 m.
    pub(crate) fn e(from: u32, to: u32) -> InputEdge {
        InputEdge {
            from,
            to,
            time_s: 1.0,
            distance_m: 10.0,
            way_id: 7,
        }
    }

    #[test]
    fn scc_keeps_cycle() {
        let coords = vec![[0.0, 0.0]; 6];
        // cycle 0-1-2, 3 reachable only, 4<->5 separate
        let g = Graph::from_edges(
            &coords,
            &[e(0, 1), e(1, 2), e(2, 0), e(2, 3), e(4, 5), e(5, 4)],
        )
        .unwrap();
        let s = g.largest_strongly_connected_component();
        assert_eq!(s.num_nodes(), 3);
        assert_eq!(s.num_edges(), 3);
    }

    #[test]
    fn bad_edges_rejected() {
        let coords = vec![[0.0, 0.0]; 2];
        assert!(Graph::from_edges(&coords, &[e(0, 2)]).is_err());
        let mut x = e(0, 1);
        x.time_s = f64::NAN;
        assert!(Graph::from_edges(&coords, &[x]).is_err());
        assert!(Graph::from_edges(&[[200.0, 0.0]], &[]).is_err());
    }

    #[test]
    fn ellipsoidal_distance_matches_karney() {
        use geo::{Distance, Geodesic, Point};
        // short (edges, snaps) and long lines at 0°, 40°, 60°, 80° and near the pole
        for lat in [0.0f64, 40.0, 60.0, 80.0, 89.5, -45.0] {
            for (dlon, dlat) in [
                (0.0001, 0.0),
                (0.0, 0.0001),
                (0.003, 0.002),
                (0.05, 0.0),
                (0.0, 0.1),
                (0.12, 0.1),
                (1.0, 0.5),
                (10.0, 3.0),
            ] {
                let (lon1, lat1) = (10.0, lat);
                let (lon2, lat2) = (10.0 + dlon, (lat + dlat).min(90.0));
                let want = Geodesic.distance(Point::new(lon1, lat1), Point::new(lon2, lat2));
                let got = distance_m(lon1, lat1, lon2, lat2);
                assert!(
                    ((got - want) / want).abs() < 1e-4,
                    "lat {lat} +({dlon},{dlat}): {got} vs {want}"
                );
            }
        }
        // known values: one degree of latitude at the equator 110,574.4 m
        // (meridian arc); one degree of longitude on the equator 111,319.5 m
        let near = |got: f64, want: f64| ((got - want) / want).abs() < 1e-5;
        assert!(near(distance_m(0.0, -0.5, 0.0, 0.5), 110_574.4));
        assert!(near(distance_m(0.0, 0.0, 1.0, 0.0), 111_319.5));
        // across the antimeridian
        assert!(near(distance_m(179.99, 0.0, -179.99, 0.0), 2_226.4));
    }

    #[test]
    fn haversine_one_degree() {
        let d = haversine_m(0.0, 0.0, 0.0, 1.0);
        assert!((d - 111_195.0).abs() < 10.0);
    }
}
