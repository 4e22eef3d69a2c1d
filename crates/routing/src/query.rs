//! CH queries: bidirectional upward Dijkstra with stall-on-demand for one
//! pair, bucket-based many-to-many for matrices.
//!
//! The turn-aware graph's nodes are base edges ([`crate::turns`]); a search
//! distance at base edge `e` is the time to the end of `e`. Query endpoints
//! are *seed* sets over base edges: a snapped
//! point on edge `e = a -> b` at fraction `f` starts at `e` with the time
//! of the rest of `e` (and at the reverse edge with `f` of its time when
//! the road is two-way); as a target it is reached from every edge `p`
//! with an allowed turn into `e` (seeded with the turn's cost plus `f` of
//! `e`), or likewise into the reverse edge. A point exactly at a node
//! (`f` 0 or 1) starts from, and is reached by, every edge into the node.
//!
//! The hierarchy's nodes are chains of base edges (`Chains` in
//! [`crate::turns`]), a distance at a chain is the time to the end of its
//! last edge. A source seed at base edge `p` starts at `p`'s chain with the
//! rest of the chain added; a target seed at `q` is, when `q` ends its
//! chain, that chain, else every chain with an arc into `q`'s chain, with
//! the arc's time up to the end of `q` (never negative). A path between two
//! seeds on the same chain, forward along it, is taken directly.
//!
//! Many-to-many (Knopp et al.): an upward backward search from every target
//! leaves `(target, distance)` entries in buckets at the nodes it settles;
//! an upward forward search from every source then scans the buckets of the
//! nodes it settles: `d(s,t) = min over v of d_up(s,v) + d_down(v,t)`.

use crate::ch::{Ch, NONE};
use crate::graph::EdgeId;
use crate::turns::real_ms;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A search start/end: node plus time (ms) and length (dm) already spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seed {
    /// A base edge (a node of the turn-aware graph).
    pub node: u32,
    pub ms: u32,
    pub dm: u32,
}

#[inline]
pub(crate) fn bit(bits: Option<&[u64]>, i: usize) -> bool {
    match bits {
        Some(b) => b[i >> 6] >> (i & 63) & 1 == 1,
        None => false,
    }
}

pub(crate) struct Dir {
    pub dist: Vec<u32>,
    pub dd: Vec<u32>,
    pub pred_node: Vec<u32>,
    pub pred_edge: Vec<u32>,
    pub stamp: Vec<u32>,
    pub heap: BinaryHeap<Reverse<(u32, u32)>>,
}

impl Dir {
    fn new(n: usize) -> Self {
        Dir {
            dist: vec![u32::MAX; n],
            dd: vec![0; n],
            pred_node: vec![NONE; n],
            pred_edge: vec![NONE; n],
            stamp: vec![0; n],
            heap: BinaryHeap::new(),
        }
    }

    #[inline]
    pub fn get(&self, v: u32, cur: u32) -> u32 {
        if self.stamp[v as usize] == cur {
            self.dist[v as usize]
        } else {
            u32::MAX
        }
    }

    /// Sets `v` if `d` improves it; returns whether it did.
    #[inline]
    pub fn relax(&mut self, v: u32, d: u32, dd: u32, pn: u32, pe: u32, cur: u32) -> bool {
        let i = v as usize;
        if self.stamp[i] != cur || d < self.dist[i] {
            self.stamp[i] = cur;
            self.dist[i] = d;
            self.dd[i] = dd;
            self.pred_node[i] = pn;
            self.pred_edge[i] = pe;
            self.heap.push(Reverse((d, v)));
            true
        } else {
            false
        }
    }
}

/// Reusable per-query memory (pooled in [`Ch`]).
pub(crate) struct QueryState {
    pub f: Dir,
    pub b: Dir,
    pub cur: u32,
}

impl QueryState {
    pub fn new(n: usize) -> Self {
        QueryState {
            f: Dir::new(n),
            b: Dir::new(n),
            cur: 0,
        }
    }

    pub fn next(&mut self) {
        if self.cur >= u32::MAX - 1 {
            self.f.stamp.fill(0);
            self.b.stamp.fill(0);
            self.cur = 0;
        }
        self.cur += 1;
        self.f.heap.clear();
        self.b.heap.clear();
    }
}

/// A seed on the hierarchy: a chain (not its rank), the time and length
/// spent, and the base edge of the [`Seed`] it stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainSeed {
    pub chain: u32,
    pub ms: u32,
    pub dm: u32,
    pub origin: u32,
}

/// Closed hierarchy edges and closed base edges (both bitsets).
pub(crate) type ClosedSets<'a> = Option<(&'a [u64], &'a [u64])>;

/// Result of a CH point-to-point query.
pub(crate) struct PathResult {
    pub time_ms: u32,
    pub dist_dm: u32,
    /// Base edges of the path between the seeds, in order.
    pub edges: Vec<EdgeId>,
    /// Base node where the path starts (the end of the seed edge).
    pub first: u32,
}

impl Ch {
    /// Hierarchy seeds of source seeds; with `closed` (base edges), those
    /// whose chain has a closed edge after the seed's are left out.
    pub(crate) fn up_seeds(&self, src: &[Seed], closed: Option<&[u64]>) -> Vec<ChainSeed> {
        let c = &self.chains;
        src.iter()
            .filter(|s| {
                closed.is_none() || !c.after(s.node).iter().any(|&e| bit(closed, e as usize))
            })
            .map(|s| ChainSeed {
                chain: c.of[s.node as usize],
                ms: s.ms.saturating_add(c.after_ms[s.node as usize]),
                dm: s.dm.saturating_add(c.after_dm[s.node as usize]),
                origin: s.node,
            })
            .collect()
    }

    /// Hierarchy seeds of target seeds (for a backward search); with
    /// `closed`, those whose chain has a closed edge up to the seed's are
    /// left out.
    pub(crate) fn down_seeds(&self, dst: &[Seed], closed: Option<&[u64]>) -> Vec<ChainSeed> {
        let c = &self.chains;
        let mut out = Vec::with_capacity(dst.len() * 2);
        for t in dst {
            let q = t.node as usize;
            let d = c.of[q];
            if c.is_last(t.node) {
                out.push(ChainSeed {
                    chain: d,
                    ms: t.ms,
                    dm: t.dm,
                    origin: t.node,
                });
                continue;
            }
            if closed.is_some() && c.up_to(t.node).iter().any(|&e| bit(closed, e as usize)) {
                continue;
            }
            for &a in c.arcs_into(d) {
                let a = a as usize;
                out.push(ChainSeed {
                    chain: c.arc_tail[a],
                    ms: (c.arc_ms[a] - c.after_ms[q]).saturating_add(t.ms),
                    dm: (c.arc_dm[a] - c.after_dm[q]).saturating_add(t.dm),
                    origin: t.node,
                });
            }
        }
        out
    }

    /// Hierarchy seeds of target seeds for the buckets of a matrix, all
    /// shifted by the returned `(ms, dm)` (subtract it from every time and
    /// length found). A target seed in the middle of a chain that no
    /// source starts on is seeded at its own chain with the time from its
    /// end to the chain's end taken off (the shift keeps that from going
    /// negative): every path to the end of such a chain runs through the
    /// whole chain, so through the target. This spares the searches from
    /// every chain with an arc into it.
    fn down_seeds_shifted(
        &self,
        dst: &[Seed],
        closed: Option<&[u64]>,
        source_chains: &[u32],
    ) -> (Vec<ChainSeed>, u32, u32) {
        let c = &self.chains;
        let own = |q: u32| !c.is_last(q) && source_chains.binary_search(&c.of[q as usize]).is_err();
        let (mut sm, mut sd) = (0u32, 0u32);
        for t in dst.iter().filter(|t| own(t.node)) {
            sm = sm.max(c.after_ms[t.node as usize]);
            sd = sd.max(c.after_dm[t.node as usize]);
        }
        let (mut own_seeds, mut others) = (Vec::new(), Vec::new());
        for t in dst {
            if own(t.node) {
                if closed.is_some() && c.up_to(t.node).iter().any(|&e| bit(closed, e as usize)) {
                    continue;
                }
                let q = t.node as usize;
                own_seeds.push(ChainSeed {
                    chain: c.of[q],
                    ms: (sm - c.after_ms[q]).saturating_add(t.ms),
                    dm: (sd - c.after_dm[q]).saturating_add(t.dm),
                    origin: t.node,
                });
            } else {
                others.push(*t);
            }
        }
        let mut seeds = self.down_seeds(&others, closed);
        for s in &mut seeds {
            s.ms = s.ms.saturating_add(sm);
            s.dm = s.dm.saturating_add(sd);
        }
        seeds.extend(own_seeds);
        (seeds, sm, sd)
    }

    /// The best way from a source seed to a target seed along one chain
    /// (the target's edge at or after the source's): `(time, length,
    /// source edge, target edge)`; with `closed`, only over open edges.
    fn in_chain(
        &self,
        src: &[Seed],
        dst: &[Seed],
        closed: Option<&[u64]>,
    ) -> Option<(u32, u32, u32, u32)> {
        let mut best: Option<(u32, u32, u32, u32)> = None;
        for s in src {
            for t in dst {
                if let Some((ms, dm)) = self.along(s, t, closed) {
                    if best.is_none_or(|b| ms < b.0) {
                        best = Some((ms, dm, s.node, t.node));
                    }
                }
            }
        }
        best
    }

    /// Time and length from source seed `s` to target seed `t` along their
    /// common chain, if `t`'s edge is `s`'s or after it (and open).
    #[inline]
    pub(crate) fn along(&self, s: &Seed, t: &Seed, closed: Option<&[u64]>) -> Option<(u32, u32)> {
        let c = &self.chains;
        let (p, q) = (s.node as usize, t.node as usize);
        if c.of[p] != c.of[q] || c.pos[q] < c.pos[p] {
            return None;
        }
        if closed.is_some()
            && c.edges[c.pos[p] as usize + 1..=c.pos[q] as usize]
                .iter()
                .any(|&e| bit(closed, e as usize))
        {
            return None;
        }
        let ms =
            s.ms.saturating_add(c.after_ms[p] - c.after_ms[q])
                .saturating_add(t.ms);
        let dm =
            s.dm.saturating_add(c.after_dm[p] - c.after_dm[q])
                .saturating_add(t.dm);
        Some((ms, dm))
    }

    /// Shortest path between seed sets in the hierarchy; with `closed`,
    /// skipping closed hierarchy edges and seeds over closed base edges.
    pub(crate) fn ch_path(
        &self,
        src: &[Seed],
        dst: &[Seed],
        closed: ClosedSets<'_>,
    ) -> Option<PathResult> {
        let mut st = self.take_state();
        let r = self.ch_path_in(&mut st, src, dst, closed);
        self.put_state(st);
        r
    }

    fn ch_path_in(
        &self,
        st: &mut QueryState,
        src: &[Seed],
        dst: &[Seed],
        closed_sets: ClosedSets<'_>,
    ) -> Option<PathResult> {
        let (closed, closed_base) = (closed_sets.map(|c| c.0), closed_sets.map(|c| c.1));
        st.next();
        let cur = st.cur;
        // a seed's pred_node is the base edge it stands for
        for s in self.up_seeds(src, closed_base) {
            st.f.relax(self.rank[s.chain as usize], s.ms, s.dm, s.origin, NONE, cur);
        }
        for t in self.down_seeds(dst, closed_base) {
            st.b.relax(self.rank[t.chain as usize], t.ms, t.dm, t.origin, NONE, cur);
        }
        let direct = self.in_chain(src, dst, closed_base);
        let mut best = direct.map_or(u32::MAX, |d| d.0);
        let mut meet = NONE;
        loop {
            let fmin = st.f.heap.peek().map_or(u32::MAX, |r| r.0 .0);
            let bmin = st.b.heap.peek().map_or(u32::MAX, |r| r.0 .0);
            if fmin >= best && bmin >= best {
                break;
            }
            let forward = fmin <= bmin;
            let (this, other) = if forward {
                (&mut st.f, &st.b)
            } else {
                (&mut st.b, &st.f)
            };
            let Some(Reverse((d, v))) = this.heap.pop() else {
                break;
            };
            if d > this.dist[v as usize] {
                continue;
            }
            let od = other.get(v, cur);
            if od != u32::MAX {
                let cand = d.saturating_add(od);
                if cand < best {
                    best = cand;
                    meet = v;
                }
            }
            // stall-on-demand: v is reached cheaper from a higher node
            let (down, up) = if forward {
                (self.bwd_range(v), self.fwd_range(v))
            } else {
                (self.fwd_range(v), self.bwd_range(v))
            };
            let stalled = down.into_iter().any(|i| {
                let e = &self.edges[i];
                !bit(closed, i) && this.get(e.other, cur).saturating_add(e.time_ms) < d
            });
            if stalled {
                continue;
            }
            let dd = this.dd[v as usize];
            for i in up {
                if bit(closed, i) {
                    continue;
                }
                let e = &self.edges[i];
                let nd = d.saturating_add(e.time_ms);
                if nd < best {
                    this.relax(e.other, nd, dd.saturating_add(e.dist_dm), v, i as u32, cur);
                }
            }
        }
        if meet == NONE {
            let (time_ms, dist_dm, p, q) = direct?;
            let c = &self.chains;
            let edges =
                c.edges[c.pos[p as usize] as usize + 1..=c.pos[q as usize] as usize].to_vec();
            return Some(PathResult {
                time_ms,
                dist_dm,
                edges,
                first: self.graph.head[p as usize],
            });
        }
        let dist_dm = st.f.dd[meet as usize].saturating_add(st.b.dd[meet as usize]);
        let mut up = Vec::new();
        let mut x = meet;
        while st.f.pred_edge[x as usize] != NONE {
            up.push(st.f.pred_edge[x as usize]);
            x = st.f.pred_node[x as usize];
        }
        let origin = st.f.pred_node[x as usize];
        let first = self.graph.head[origin as usize];
        let mut edges = self.chains.after(origin).to_vec();
        for &e in up.iter().rev() {
            self.unpack(e, &mut edges);
        }
        x = meet;
        while st.b.pred_edge[x as usize] != NONE {
            self.unpack(st.b.pred_edge[x as usize], &mut edges);
            x = st.b.pred_node[x as usize];
        }
        let origin = st.b.pred_node[x as usize];
        if !self.chains.is_last(origin) {
            edges.extend_from_slice(self.chains.up_to(origin));
        }
        Some(PathResult {
            time_ms: best,
            dist_dm,
            edges,
            first,
        })
    }

    /// Full upward search from `seeds` (forward or backward) with stall-on-demand,
    /// pruned at `limit`; calls `visit(rank, time, dist)` for every settled, unstalled node.
    fn upward(
        &self,
        st: &mut QueryState,
        seeds: &[ChainSeed],
        forward: bool,
        closed: Option<&[u64]>,
        limit: u32,
        mut visit: impl FnMut(u32, u32, u32),
    ) {
        st.next();
        let cur = st.cur;
        let this = &mut st.f;
        for s in seeds {
            if real_ms(s.ms) <= limit {
                this.relax(self.rank[s.chain as usize], s.ms, s.dm, NONE, NONE, cur);
            }
        }
        while let Some(Reverse((d, v))) = this.heap.pop() {
            if d > this.dist[v as usize] {
                continue;
            }
            let (down, up) = if forward {
                (self.bwd_range(v), self.fwd_range(v))
            } else {
                (self.fwd_range(v), self.bwd_range(v))
            };
            let stalled = down.into_iter().any(|i| {
                let e = &self.edges[i];
                !bit(closed, i) && this.get(e.other, cur).saturating_add(e.time_ms) < d
            });
            if stalled {
                continue;
            }
            let dd = this.dd[v as usize];
            visit(v, d, dd);
            for i in up {
                if bit(closed, i) {
                    continue;
                }
                let e = &self.edges[i];
                let nd = d.saturating_add(e.time_ms);
                if real_ms(nd) <= limit {
                    this.relax(e.other, nd, dd.saturating_add(e.dist_dm), v, i as u32, cur);
                }
            }
        }
    }

    /// Travel times (ms) and lengths (dm) for all pairs, row-major by source;
    /// `u32::MAX` where unreachable or beyond `limit`. With `closed`, closed
    /// hierarchy edges and seeds over closed base edges are skipped.
    pub(crate) fn ch_matrix(
        &self,
        sources: &[Vec<Seed>],
        targets: &[Vec<Seed>],
        closed_sets: ClosedSets<'_>,
        limit: u32,
    ) -> (Vec<u32>, Vec<u32>) {
        let (closed, closed_base) = (closed_sets.map(|c| c.0), closed_sets.map(|c| c.1));
        let nt = targets.len();
        let mut times = vec![u32::MAX; sources.len() * nt];
        let mut dists = vec![u32::MAX; sources.len() * nt];
        if sources.is_empty() || nt == 0 {
            return (times, dists);
        }
        let mut st = self.take_state();
        // (node, target, time, dist); times and lengths shifted by `shift[target]`
        let mut buckets: Vec<(u32, u32, u32, u32)> = Vec::new();
        let mut shift = Vec::with_capacity(nt);
        // chains sources start on (sorted)
        let mut source_chains: Vec<u32> = sources
            .iter()
            .flatten()
            .map(|s| self.chains.of[s.node as usize])
            .collect();
        source_chains.sort_unstable();
        source_chains.dedup();
        // target seeds on those chains, for pairs along one chain: (chain, target, seed)
        let mut on_chain: Vec<(u32, u32, Seed)> = Vec::new();
        for (j, t) in targets.iter().enumerate() {
            for s in t {
                let c = self.chains.of[s.node as usize];
                if source_chains.binary_search(&c).is_ok() {
                    on_chain.push((c, j as u32, *s));
                }
            }
            let (seeds, sm, sd) = self.down_seeds_shifted(t, closed_base, &source_chains);
            shift.push((sm, sd));
            let lim = limit.saturating_add(sm);
            self.upward(&mut st, &seeds, false, closed, lim, |v, d, dd| {
                buckets.push((v, j as u32, d, dd))
            });
        }
        on_chain.sort_unstable_by_key(|x| x.0);
        // buckets by rank (CSR)
        buckets.sort_unstable_by_key(|b| b.0);
        let mut bucket_first = vec![0u32; self.chains.len() + 1];
        for b in &buckets {
            bucket_first[b.0 as usize + 1] += 1;
        }
        for i in 0..self.chains.len() {
            bucket_first[i + 1] += bucket_first[i];
        }
        for (i, s) in sources.iter().enumerate() {
            let row_t = &mut times[i * nt..(i + 1) * nt];
            let row_d = &mut dists[i * nt..(i + 1) * nt];
            for a in s {
                let c = self.chains.of[a.node as usize];
                let start = on_chain.partition_point(|x| x.0 < c);
                for (_, j, b) in on_chain[start..].iter().take_while(|x| x.0 == c) {
                    if let Some((t, d)) = self.along(a, b, closed_base) {
                        let j = *j as usize;
                        if t < row_t[j] && real_ms(t) <= limit {
                            row_t[j] = t;
                            row_d[j] = d;
                        }
                    }
                }
            }
            let seeds = self.up_seeds(s, closed_base);
            self.upward(&mut st, &seeds, true, closed, limit, |v, d, dd| {
                let r = bucket_first[v as usize] as usize..bucket_first[v as usize + 1] as usize;
                for &(_, j, bt, bd) in &buckets[r] {
                    let (sm, sd) = shift[j as usize];
                    let t = d.saturating_add(bt).saturating_sub(sm);
                    if t < row_t[j as usize] && real_ms(t) <= limit {
                        row_t[j as usize] = t;
                        row_d[j as usize] = dd.saturating_add(bd).saturating_sub(sd);
                    }
                }
            });
        }
        self.put_state(st);
        (times, dists)
    }
}
