//! Plain Dijkstra on the turn-aware graph ([`crate::turns`]; nodes are base
//! edges, arcs allowed turns): the reference the hierarchy is tested
//! against, the exact fallback for queries with road closures, and the
//! search behind isochrones.

use crate::ch::{Ch, NONE};
use crate::query::{bit, PathResult, QueryState, Seed};
use crate::turns::real_ms;
use std::cmp::Reverse;

impl Ch {
    /// Runs a forward Dijkstra from `src` on the turn-aware graph, skipping
    /// closed base edges, settling base edges up to time `limit`; calls
    /// `visit(edge, time, dist)` on every settled base edge (time to its
    /// end). Leaves the search in `st.f`.
    pub(crate) fn base_search(
        &self,
        st: &mut QueryState,
        src: &[Seed],
        closed: Option<&[u64]>,
        limit: u32,
        mut visit: impl FnMut(u32, u32, u32) -> bool,
    ) {
        let g = &self.graph;
        let t = &self.turns;
        st.next();
        let cur = st.cur;
        let this = &mut st.f;
        for s in src {
            if real_ms(s.ms) <= limit {
                this.relax(s.node, s.ms, s.dm, NONE, NONE, cur);
            }
        }
        while let Some(Reverse((d, v))) = this.heap.pop() {
            if d > this.dist[v as usize] {
                continue;
            }
            let dd = this.dd[v as usize];
            if !visit(v, d, dd) {
                break;
            }
            for a in t.out(v) {
                let x = t.head[a as usize];
                if bit(closed, x as usize) {
                    continue;
                }
                let nd = d.saturating_add(t.time_ms[a as usize]);
                if real_ms(nd) <= limit {
                    this.relax(x, nd, dd.saturating_add(g.dist_dm[x as usize]), v, a, cur);
                }
            }
        }
    }

    /// Shortest path between seed sets on the turn-aware graph (closed base
    /// edges skipped), considering only paths up to `limit`.
    pub(crate) fn dijkstra_path(
        &self,
        src: &[Seed],
        dst: &[Seed],
        closed: Option<&[u64]>,
        limit: u32,
    ) -> Option<PathResult> {
        let mut st = self.take_state();
        let mut best = u32::MAX;
        let mut best_dd = 0;
        let mut best_node = NONE;
        self.base_search(&mut st, src, closed, limit, |v, d, dd| {
            if d >= best {
                return false;
            }
            for t in dst.iter().filter(|t| t.node == v) {
                let c = d.saturating_add(t.ms);
                if c < best && real_ms(c) <= limit {
                    best = c;
                    best_dd = dd.saturating_add(t.dm);
                    best_node = v;
                }
            }
            true
        });
        let r = (best_node != NONE).then(|| {
            let mut edges = Vec::new();
            let mut x = best_node;
            while st.f.pred_edge[x as usize] != NONE {
                edges.push(x);
                x = st.f.pred_node[x as usize];
            }
            edges.reverse();
            PathResult {
                time_ms: best,
                dist_dm: best_dd,
                edges,
                first: self.graph.head[x as usize],
            }
        });
        self.put_state(st);
        r
    }

    /// Exact times/lengths from `src` to each target on the turn-aware graph
    /// (`u32::MAX` where unreachable or beyond `limit`).
    pub(crate) fn dijkstra_row(
        &self,
        src: &[Seed],
        targets: &[&[Seed]],
        closed: Option<&[u64]>,
        limit: u32,
    ) -> Vec<(u32, u32)> {
        let mut st = self.take_state();
        self.base_search(&mut st, src, closed, limit, |_, _, _| true);
        let cur = st.cur;
        let row = targets
            .iter()
            .map(|t| {
                let mut best = (u32::MAX, u32::MAX);
                for s in t.iter() {
                    let d = st.f.get(s.node, cur);
                    if d != u32::MAX {
                        let c = d.saturating_add(s.ms);
                        if c < best.0 && real_ms(c) <= limit {
                            best = (c, st.f.dd[s.node as usize].saturating_add(s.dm));
                        }
                    }
                }
                best
            })
            .collect();
        self.put_state(st);
        row
    }
}
