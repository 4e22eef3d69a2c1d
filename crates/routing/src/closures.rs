//! Road closures without re-preprocessing.
//!
//! A [`Closures`] set marks base edges closed (by OSM way id, polygon,
//! bounding box or edge id) and derives which hierarchy edges contain a
//! closed base edge (a shortcut is closed when either half is; halves are
//! stored at lower-ranked nodes, so one pass in rank order suffices — linear
//! in the hierarchy size, milliseconds for a city).
//!
//! Queries through [`crate::Router`] made with [`Ch::with_closures`] stay exact:
//!
//! 1. snapping ignores closed segments, seeds never use a closed edge;
//! 2. a normal CH query gives a lower bound `L` (closures can only make
//!    paths longer); if its unpacked path uses no closed edge it is optimal;
//! 3. otherwise the CH query is rerun skipping closed hierarchy edges, which
//!    gives a valid path of length `U >= optimum`; if `U == L` it is optimal;
//! 4. otherwise (a needed shortcut was pruned by a witness through a closed
//!    road) an exact Dijkstra on the base graph without closed edges,
//!    bounded by `U`, answers.
//!
//! Matrices do the same per cell (step 4 is one bounded Dijkstra per source
//! row that has undecided cells). Isochrones and coverage searches run on the
//! base graph or the matrix and are exact too.

use crate::ch::{Ch, NONE};
use crate::graph::EdgeId;
use crate::{Error, Result};
use geo::{Intersects, Line, Polygon, Rect};

/// A set of closed roads for one [`Ch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closures {
    pub(crate) base: Vec<u64>,
    pub(crate) ch: Vec<u64>,
    n_base: usize,
    n_ch: usize,
    closed: usize,
}

fn words(n: usize) -> usize {
    n.div_ceil(64).max(1)
}

impl Closures {
    /// No road closed.
    pub fn new(ch: &Ch) -> Closures {
        Closures {
            base: vec![0; words(ch.graph.num_edges())],
            ch: vec![0; words(ch.edges.len())],
            n_base: ch.graph.num_edges(),
            n_ch: ch.edges.len(),
            closed: 0,
        }
    }

    fn check(&self, ch: &Ch) -> Result<()> {
        if self.n_base != ch.graph.num_edges() || self.n_ch != ch.edges.len() {
            return Err(Error::InvalidArgument(
                "closures were made for another graph".into(),
            ));
        }
        Ok(())
    }

    pub(crate) fn matches(&self, ch: &Ch) -> bool {
        self.check(ch).is_ok()
    }

    /// Number of closed base edges.
    pub fn num_closed(&self) -> usize {
        self.closed
    }

    /// Whether a base edge is closed.
    pub fn is_closed(&self, edge: EdgeId) -> bool {
        let i = edge as usize;
        i < self.n_base && self.base[i >> 6] >> (i & 63) & 1 == 1
    }

    fn set(&mut self, e: usize) -> bool {
        let m = 1u64 << (e & 63);
        if self.base[e >> 6] & m == 0 {
            self.base[e >> 6] |= m;
            self.closed += 1;
            true
        } else {
            false
        }
    }

    /// Closes the given base edges; returns how many were newly closed.
    pub fn close_edges(&mut self, ch: &Ch, edges: &[EdgeId]) -> Result<usize> {
        self.check(ch)?;
        let mut n = 0;
        for &e in edges {
            if e as usize >= self.n_base {
                return Err(Error::InvalidArgument(format!("no edge {e}")));
            }
            n += self.set(e as usize) as usize;
        }
        self.refresh(ch);
        Ok(n)
    }

    /// Closes every edge of an OSM way (both directions); returns how many edges were newly closed
    /// (0 if the way is not in the graph).
    pub fn close_way(&mut self, ch: &Ch, way_id: i64) -> Result<usize> {
        self.check(ch)?;
        let mut n = 0;
        for e in 0..self.n_base {
            if ch.graph.way[e] == way_id {
                n += self.set(e) as usize;
            }
        }
        self.refresh(ch);
        Ok(n)
    }

    /// Closes every edge whose segment touches the polygon (lon/lat).
    pub fn close_polygon(&mut self, ch: &Ch, polygon: &Polygon<f64>) -> Result<usize> {
        self.check(ch)?;
        let Some(bb) = geo::BoundingRect::bounding_rect(polygon) else {
            return Ok(0);
        };
        let g = &ch.graph;
        let idx = ch.seg_index();
        let env = [
            bb.min().x * idx.kx,
            bb.min().y,
            bb.max().x * idx.kx,
            bb.max().y,
        ];
        let mut hit = Vec::new();
        for e in idx.tree.intersecting(env) {
            let (a, b) = g.endpoints(e);
            let line = Line::new(
                geo::coord! { x: g.lon[a as usize], y: g.lat[a as usize] },
                geo::coord! { x: g.lon[b as usize], y: g.lat[b as usize] },
            );
            if line.intersects(polygon) {
                hit.push(e);
                let r = ch.rev_edge[e as usize];
                if r != NONE {
                    hit.push(r);
                }
            }
        }
        // parallel edges between the same nodes are not in the index: close them too
        let mut more = Vec::new();
        for &e in &hit {
            let (a, b) = g.endpoints(e);
            more.extend(g.out_edges(a).filter(|&x| g.head[x as usize] == b));
        }
        hit.extend(more);
        let mut n = 0;
        for e in hit {
            n += self.set(e as usize) as usize;
        }
        self.refresh(ch);
        Ok(n)
    }

    /// Closes every edge whose segment touches the box.
    pub fn close_bbox(
        &mut self,
        ch: &Ch,
        min_lon: f64,
        min_lat: f64,
        max_lon: f64,
        max_lat: f64,
    ) -> Result<usize> {
        if !(min_lon <= max_lon && min_lat <= max_lat)
            || [min_lon, min_lat, max_lon, max_lat]
                .iter()
                .any(|v| !v.is_finite())
        {
            return Err(Error::InvalidArgument(format!(
                "bad bounding box {min_lon},{min_lat},{max_lon},{max_lat}"
            )));
        }
        let r = Rect::new(
            geo::coord! { x: min_lon, y: min_lat },
            geo::coord! { x: max_lon, y: max_lat },
        );
        self.close_polygon(ch, &r.to_polygon())
    }

    /// Reopens everything.
    pub fn clear(&mut self) {
        self.base.fill(0);
        self.ch.fill(0);
        self.closed = 0;
    }

    /// Recomputes the closed flags of hierarchy edges.
    fn refresh(&mut self, ch: &Ch) {
        let n = ch.chains.len() as u32;
        self.ch.fill(0);
        let get = |bits: &[u64], i: usize| bits[i >> 6] >> (i & 63) & 1 == 1;
        // a chain is closed when one of its base edges is
        let chain_closed: Vec<bool> = (0..n)
            .map(|c| {
                ch.chains
                    .edges_of(c)
                    .iter()
                    .any(|&e| get(&self.base, e as usize))
            })
            .collect();
        for v in 0..n {
            for i in ch.fwd_range(v).chain(ch.bwd_range(v)) {
                let e = ch.edges[i];
                let c = if e.b == NONE {
                    // an arc is closed when the chain it enters is
                    chain_closed[ch.chains.arc_head[e.a as usize] as usize]
                } else {
                    get(&self.ch, e.a as usize) || get(&self.ch, e.b as usize)
                };
                if c {
                    self.ch[i >> 6] |= 1 << (i & 63);
                }
            }
        }
    }
}
