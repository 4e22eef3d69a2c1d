//! The preprocessed routing engine [`Ch`]: base graph + contraction hierarchy +
//! lazily built snapping index, and the query entry points.

use crate::contract::{self, ContractionParams, Hierarchy};
use crate::graph::EdgeId;
use crate::query::QueryState;
use crate::snap::SegIndex;
use crate::turns::{Chains, TurnGraph};
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
    /// Original edge: the chain arc's id ([`Chains`]); shortcut: edge index of the first half.
    pub a: u32,
    /// `NONE` for an original edge, else edge index of the second half.
    pub b: u32,
}

/// A contraction hierarchy over the turn-aware (edge-based) graph of a road
/// [`Graph`] ([`crate::turns`]), ready for queries: its nodes are chains of
/// the road graph's directed edges (runs without a choice, compressed), its
/// edges the allowed turns between chains.
///
/// Build with [`Ch::build`], store with [`Ch::save`], load with [`Ch::load`].
/// `Ch` is `Send + Sync`: share one instance (e.g. in an `Arc`) between
/// threads; per-query memory comes from an internal pool (about 40 bytes per base
/// node for each query running at the same time; up to 16 are kept).
pub struct Ch {
    pub(crate) graph: Graph,
    /// The edge-based graph the hierarchy contracts.
    pub(crate) turns: TurnGraph,
    /// The turn graph's chains: the hierarchy's nodes.
    pub(crate) chains: Chains,
    /// Rank of each chain (its position in the contraction order).
    pub(crate) rank: Vec<u32>,
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
            .field("turns", &self.turns.num_arcs())
            .field("chains", &self.chains.len())
            .field("ch_edges", &self.edges.len())
            .finish()
    }
}

impl Ch {
    /// Builds the turn-aware graph of `graph` (its restrictions, signals and
    /// [`Graph::turn_costs`]) and contracts it with default [`ContractionParams`].
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
        let turns = TurnGraph::build(graph);
        let chains = Chains::build(&turns, &graph.dist_dm);
        let c = &chains;
        let input = c
            .arc_tail
            .iter()
            .zip(&c.arc_head)
            .zip(c.arc_ms.iter().zip(&c.arc_dm))
            .map(|((&tail, &head), (&ms, &dm))| (tail, head, ms, dm));
        let h = contract::build(c.len(), input, params, &mut progress);
        // the turn data lives in `turns` now; the stored graph is the road
        // graph alone (as a loaded file has it)
        let mut road = graph.clone();
        road.signal = vec![false; road.num_nodes()];
        road.restrictions = Vec::new();
        road.local_ways = Vec::new();
        road.turn_costs = crate::profile::TurnCosts::none();
        Ch::from_parts(road, turns, chains, h)
    }

    pub(crate) fn from_parts(graph: Graph, turns: TurnGraph, chains: Chains, h: Hierarchy) -> Ch {
        let Hierarchy {
            rank,
            fwd_first,
            bwd_first,
            edges,
        } = h;
        let rev_edge = reverse_pairs(&graph);
        Ch {
            graph,
            turns,
            chains,
            rank,
            fwd_first,
            bwd_first,
            edges,
            rev_edge,
            index: OnceLock::new(),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// The base road graph (without the turn data it was built with: that
    /// is in the hierarchy's turns, see [`Ch::turn_time_ms`]).
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Time in milliseconds of driving base edge `to` after base edge
    /// `from` (its travel time plus the turn's cost), `None` when the turn
    /// is not allowed (restricted, a U-turn where others exist, or the
    /// edges do not meet).
    pub fn turn_time_ms(&self, from: EdgeId, to: EdgeId) -> Option<u32> {
        if from as usize >= self.turns.num_nodes() {
            return None;
        }
        let a = self.turns.find(from, to)?;
        Some(self.turns.time_ms[a as usize])
    }

    /// Number of allowed turns (edges of the edge-based graph).
    pub fn num_turns(&self) -> usize {
        self.turns.num_arcs()
    }

    /// Number of nodes of the hierarchy: chains of base edges without a
    /// choice between them (see [`crate::turns`]), at most the number of
    /// base edges.
    pub fn num_ch_nodes(&self) -> usize {
        self.chains.len()
    }

    /// Number of edges in the hierarchy (turns between chains plus shortcuts).
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

    /// Appends the base edges entered by hierarchy edge `e` in path order
    /// (each arc enters a whole chain).
    pub(crate) fn unpack(&self, e: u32, out: &mut Vec<EdgeId>) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            let ce = self.edges[e as usize];
            if ce.b == NONE {
                let d = self.chains.arc_head[ce.a as usize];
                out.extend_from_slice(self.chains.edges_of(d));
            } else {
                stack.push(ce.b);
                stack.push(ce.a);
            }
        }
    }

    pub(crate) fn take_state(&self) -> QueryState {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| QueryState::new(self.turns.num_nodes()))
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
