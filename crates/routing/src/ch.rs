//! The preprocessed routing engine [`Ch`]: base graph + contraction hierarchy +
//! lazily built snapping index, and the query entry points.

use crate::contract::{self, ContractionParams};
use crate::graph::EdgeId;
use crate::query::QueryState;
use crate::snap::SegIndex;
use crate::{Closures, Graph, Progress};
use std::sync::{Mutex, OnceLock};

pub(crate) const NONE: u32 = u32::MAX;

/// One edge of the hierarchy, stored at its lower-ranked endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChEdge {
    /// Rank of the higher-ranked endpoint.
    pub other: u32,
    pub time_ms: u32,
    pub dist_dm: u32,
    /// Original edge: the base edge id; shortcut: edge index of the first half.
    pub a: u32,
    /// `NONE` for an original edge, else edge index of the second half.
    pub b: u32,
}

/// A contraction hierarchy over a road [`Graph`], ready for queries.
///
/// Build with [`Ch::build`], store with [`Ch::save`], load with [`Ch::load`].
/// `Ch` is `Send + Sync`: share one instance (e.g. in an `Arc`) between
/// threads; per-query memory comes from an internal pool (about 40 bytes per
/// node for each query running at the same time; up to 16 are kept).
pub struct Ch {
    pub(crate) graph: Graph,
    /// Rank of each node (its position in the contraction order).
    pub(crate) rank: Vec<u32>,
    /// Node of each rank.
    pub(crate) order: Vec<u32>,
    /// Hierarchy edges by rank: forward `fwd_first[r]..fwd_first[r+1]`, backward likewise.
    pub(crate) fwd_first: Vec<u32>,
    pub(crate) bwd_first: Vec<u32>,
    pub(crate) edges: Vec<ChEdge>,
    /// For each base edge, a reverse edge over the same segment, or `NONE`.
    pub(crate) rev_edge: Vec<u32>,
    pub(crate) index: OnceLock<SegIndex>,
    pub(crate) pool: Mutex<Vec<QueryState>>,
}

impl std::fmt::Debug for Ch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ch")
            .field("nodes", &self.graph.num_nodes())
            .field("edges", &self.graph.num_edges())
            .field("ch_edges", &self.edges.len())
            .finish()
    }
}

impl Ch {
    /// Preprocesses `graph` with default [`ContractionParams`].
    /// `progress` receives [`crate::Stage::OrderNodes`], [`crate::Stage::Contract`]
    /// and [`crate::Stage::Finish`] with node counts.
    pub fn build(graph: &Graph, progress: impl FnMut(Progress)) -> Ch {
        Ch::build_with(graph, ContractionParams::default(), progress)
    }

    /// Preprocesses `graph` with explicit witness-search limits.
    pub fn build_with(
        graph: &Graph,
        params: ContractionParams,
        mut progress: impl FnMut(Progress),
    ) -> Ch {
        contract::build(graph.clone(), params, &mut progress)
    }

    pub(crate) fn from_parts(
        graph: Graph,
        rank: Vec<u32>,
        fwd_first: Vec<u32>,
        bwd_first: Vec<u32>,
        edges: Vec<ChEdge>,
    ) -> Ch {
        let rev_edge = reverse_pairs(&graph);
        let mut order = vec![0u32; rank.len()];
        for (v, &r) in rank.iter().enumerate() {
            order[r as usize] = v as u32;
        }
        Ch {
            graph,
            rank,
            order,
            fwd_first,
            bwd_first,
            edges,
            rev_edge,
            index: OnceLock::new(),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// The base road graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Number of edges in the hierarchy (original edges plus shortcuts).
    pub fn num_ch_edges(&self) -> usize {
        self.edges.len()
    }

    /// A query interface that ignores closures.
    pub fn router(&self) -> crate::Router<'_> {
        crate::Router {
            snap: Default::default(),
            ch: self,
            closures: None,
        }
    }

    /// A query interface that respects `closures` (made for this `Ch`).
    pub fn with_closures<'a>(&'a self, closures: &'a Closures) -> crate::Router<'a> {
        crate::Router {
            snap: Default::default(),
            ch: self,
            closures: Some(closures),
        }
    }

    /// Forward hierarchy edges of the node of rank `v`.
    pub(crate) fn fwd_range(&self, v: u32) -> std::ops::Range<usize> {
        self.fwd_first[v as usize] as usize..self.fwd_first[v as usize + 1] as usize
    }

    /// Backward hierarchy edges of the node of rank `v`.
    pub(crate) fn bwd_range(&self, v: u32) -> std::ops::Range<usize> {
        self.bwd_first[v as usize] as usize..self.bwd_first[v as usize + 1] as usize
    }

    /// Appends the base edges of hierarchy edge `e` in path order.
    pub(crate) fn unpack(&self, e: u32, out: &mut Vec<EdgeId>) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            let ce = self.edges[e as usize];
            if ce.b == NONE {
                out.push(ce.a);
            } else {
                stack.push(ce.b);
                stack.push(ce.a);
            }
        }
    }

    pub(crate) fn take_state(&self) -> QueryState {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| QueryState::new(self.graph.num_nodes()))
    }

    pub(crate) fn put_state(&self, s: QueryState) {
        if let Ok(mut p) = self.pool.lock() {
            if p.len() < 16 {
                p.push(s);
            }
        }
    }
}

/// For each edge `a -> b` some edge `b -> a` (the fastest), or `NONE`.
fn reverse_pairs(g: &Graph) -> Vec<u32> {
    (0..g.num_edges() as u32)
        .map(|e| {
            let (a, b) = g.endpoints(e);
            g.find_edge(b, a).unwrap_or(NONE)
        })
        .collect()
}
