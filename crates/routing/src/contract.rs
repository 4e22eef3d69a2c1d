//! Contraction-hierarchy preprocessing.
//!
//! Nodes are contracted one by one in order of a priority kept in a lazy
//! min-heap: `priority = 2 * edge_difference + deleted_neighbours + level`,
//! where `edge_difference = shortcuts needed - edges removed`,
//! `deleted_neighbours` counts already contracted neighbours (spreads the
//! contraction evenly over the map) and `level` is the hierarchy depth below
//! the node. When a node is popped its priority is recomputed; if it is no
//! longer the smallest it goes back into the heap. After a contraction the
//! priorities of its neighbours are recomputed.
//!
//! Contracting `v` adds a shortcut `u -> x` of weight `w(u,v) + w(v,x)` for each
//! pair of remaining neighbours unless a *witness* path `u -> x` avoiding `v`
//! that is not longer exists. Witnesses are searched with a Dijkstra from `u`
//! bounded by the largest candidate weight and by a number of settled nodes
//! ([`ContractionParams`]); an unfinished search only adds unnecessary
//! shortcuts, never wrong ones, so limits trade preprocessing time against
//! query speed but never correctness.
//!
//! Every edge of the final hierarchy is stored at its lower-ranked endpoint
//! (hierarchy arrays are indexed by rank, so the few top nodes every search
//! reaches share cache lines):
//! "forward" edges `v -> x` and "backward" edges `u -> v` with `v` lower than
//! the other end. A shortcut records the two edges it replaces (both stored at
//! the contracted middle node), so paths unpack recursively to base edges.

use crate::ch::{ChEdge, NONE};
use crate::{Progress, Stage};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Limits of the witness searches; the defaults suit road networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractionParams {
    /// Settled-node limit of witness searches while computing priorities.
    pub simulate_settle_limit: usize,
    /// Settled-node limit of witness searches while contracting.
    pub contract_settle_limit: usize,
    /// Recompute the priorities of a contracted node's neighbours at once
    /// (otherwise only lazily when they reach the top of the queue).
    pub update_neighbours: bool,
}

impl Default for ContractionParams {
    /// Limits of 10 and 50 settled nodes: the hierarchy's nodes are chains
    /// of the turn graph (a road between two intersections, each
    /// direction), so a witness search settles far more road per node than
    /// on the node graph these limits were first chosen for (50 and 500).
    /// On Liechtenstein, 10/50 instead of 50/500 made the contraction about
    /// 2.5× faster for 2.5 % more hierarchy edges and unchanged query times
    /// (`docs/benchmarks.md`). Limits never change answers.
    fn default() -> Self {
        ContractionParams {
            simulate_settle_limit: 10,
            contract_settle_limit: 50,
            update_neighbours: true,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct DynEdge {
    node: u32,
    w: u32,
    d: u32,
    /// Original edge: base edge id and `b == NONE`; shortcut: temporary ids of the two halves.
    a: u32,
    b: u32,
}

struct Witness {
    dist: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
    /// `target[v] == round` marks the nodes a search still has to settle.
    target: Vec<u32>,
    round: u32,
}

impl Witness {
    fn new(n: usize) -> Self {
        Witness {
            dist: vec![u32::MAX; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            target: vec![0; n],
            round: 0,
        }
    }

    fn reset(&mut self) {
        for &t in &self.touched {
            self.dist[t as usize] = u32::MAX;
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// Dijkstra from `s` avoiding `avoid`, up to `max_w` or `limit` settled nodes,
    /// or until all `targets` are settled.
    fn run(
        &mut self,
        out: &[Vec<DynEdge>],
        s: u32,
        avoid: u32,
        targets: &[DynEdge],
        max_w: u32,
        limit: usize,
    ) {
        self.reset();
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.target.fill(0);
            self.round = 1;
        }
        let mut left = 0usize;
        for t in targets {
            if t.node != s && self.target[t.node as usize] != self.round {
                self.target[t.node as usize] = self.round;
                left += 1;
            }
        }
        self.dist[s as usize] = 0;
        self.touched.push(s);
        self.heap.push(Reverse((0, s)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist[v as usize] {
                continue;
            }
            if d > max_w || settled >= limit {
                break;
            }
            settled += 1;
            if self.target[v as usize] == self.round {
                left -= 1;
                if left == 0 {
                    break;
                }
            }
            for e in &out[v as usize] {
                if e.node == avoid {
                    continue;
                }
                let nd = d.saturating_add(e.w);
                let slot = &mut self.dist[e.node as usize];
                if nd < *slot && nd <= max_w {
                    if *slot == u32::MAX {
                        self.touched.push(e.node);
                    }
                    *slot = nd;
                    self.heap.push(Reverse((nd, e.node)));
                }
            }
        }
    }
}

struct State {
    out: Vec<Vec<DynEdge>>,
    inn: Vec<Vec<DynEdge>>,
    witness: Witness,
    scratch_in: Vec<DynEdge>,
    scratch_out: Vec<DynEdge>,
}

impl State {
    /// Calls `f(in_index, out_index)` for every shortcut contracting `v` needs.
    fn shortcuts(&mut self, v: u32, limit: usize, mut f: impl FnMut(usize, usize)) {
        self.scratch_in.clear();
        self.scratch_in.extend_from_slice(&self.inn[v as usize]);
        self.scratch_out.clear();
        self.scratch_out.extend_from_slice(&self.out[v as usize]);
        for (j, ie) in self.scratch_in.iter().enumerate() {
            let u = ie.node;
            let max_out = self
                .scratch_out
                .iter()
                .filter(|oe| oe.node != u)
                .map(|oe| oe.w)
                .max();
            let Some(max_out) = max_out else { continue };
            let max_w = ie.w.saturating_add(max_out);
            self.witness
                .run(&self.out, u, v, &self.scratch_out, max_w, limit);
            for (k, oe) in self.scratch_out.iter().enumerate() {
                if oe.node == u {
                    continue;
                }
                let via = ie.w.saturating_add(oe.w);
                if self.witness.dist[oe.node as usize] > via {
                    f(j, k);
                }
            }
        }
    }

    fn priority(&mut self, v: u32, limit: usize, deleted: u32, level: u32) -> i64 {
        let mut sc = 0i64;
        self.shortcuts(v, limit, |_, _| sc += 1);
        let removed = (self.inn[v as usize].len() + self.out[v as usize].len()) as i64;
        2 * (sc - removed) + deleted as i64 + level as i64
    }

    /// Adds `u -> x` or improves an existing edge.
    fn add_edge(&mut self, u: u32, x: u32, e: DynEdge) {
        if let Some(old) = self.out[u as usize].iter_mut().find(|o| o.node == x) {
            if old.w <= e.w {
                return;
            }
            *old = DynEdge { node: x, ..e };
            if let Some(o) = self.inn[x as usize].iter_mut().find(|o| o.node == u) {
                *o = DynEdge { node: u, ..e };
            }
            return;
        }
        self.out[u as usize].push(DynEdge { node: x, ..e });
        self.inn[x as usize].push(DynEdge { node: u, ..e });
    }
}

/// A finalised edge before the CSR layout: owner node, forward?, edge.
struct Final {
    owner: u32,
    fwd: bool,
    e: ChEdge,
}

/// The hierarchy before it is joined to its graph.
pub(crate) struct Hierarchy {
    pub rank: Vec<u32>,
    pub fwd_first: Vec<u32>,
    pub bwd_first: Vec<u32>,
    pub edges: Vec<ChEdge>,
}

/// Builds the hierarchy (see the module docs) over `n` nodes and the edges
/// `(tail, head, time_ms, dist_dm)`; an original hierarchy edge refers to
/// its input edge by position.
pub(crate) fn build(
    n: usize,
    input: impl Iterator<Item = (u32, u32, u32, u32)>,
    params: ContractionParams,
    progress: &mut dyn FnMut(Progress),
) -> Hierarchy {
    let mut st = State {
        out: vec![Vec::new(); n],
        inn: vec![Vec::new(); n],
        witness: Witness::new(n),
        scratch_in: Vec::new(),
        scratch_out: Vec::new(),
    };
    for (e, (a, b, w, d)) in input.enumerate() {
        if a == b {
            continue;
        }
        st.add_edge(
            a,
            b,
            DynEdge {
                node: b,
                w,
                d,
                a: e as u32,
                b: NONE,
            },
        );
    }

    let total = n as u64;
    progress(Progress {
        stage: Stage::OrderNodes,
        done: 0,
        total,
    });
    let mut deleted = vec![0u32; n];
    let mut level = vec![0u32; n];
    let mut prio = vec![0i64; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for v in 0..n as u32 {
        prio[v as usize] = st.priority(v, params.simulate_settle_limit, 0, 0);
        heap.push(Reverse((prio[v as usize], v)));
        if v % 16384 == 0 {
            progress(Progress {
                stage: Stage::OrderNodes,
                done: v as u64,
                total,
            });
        }
    }

    let mut contracted = vec![false; n];
    let mut rank = vec![0u32; n];
    let mut finals: Vec<Final> = Vec::new();
    let mut next_rank = 0u32;
    let mut new_shortcuts: Vec<(usize, usize)> = Vec::new();
    let mut in_ids: Vec<u32> = Vec::new();
    let mut out_ids: Vec<u32> = Vec::new();
    let mut neighbours: Vec<u32> = Vec::new();
    let step = (n / 200).max(1) as u32;
    while let Some(Reverse((p, v))) = heap.pop() {
        if contracted[v as usize] || p != prio[v as usize] {
            continue;
        }
        // lazy update
        let fresh = st.priority(
            v,
            params.simulate_settle_limit,
            deleted[v as usize],
            level[v as usize],
        );
        if fresh != p {
            prio[v as usize] = fresh;
            if let Some(Reverse((top, _))) = heap.peek() {
                if fresh > *top {
                    heap.push(Reverse((fresh, v)));
                    continue;
                }
            }
        }
        // contract v
        contracted[v as usize] = true;
        rank[v as usize] = next_rank;
        next_rank += 1;
        if next_rank.is_multiple_of(step) {
            progress(Progress {
                stage: Stage::Contract,
                done: next_rank as u64,
                total,
            });
        }
        in_ids.clear();
        out_ids.clear();
        for oe in &st.out[v as usize] {
            out_ids.push(finals.len() as u32);
            finals.push(Final {
                owner: v,
                fwd: true,
                e: ChEdge {
                    other: oe.node,
                    time_ms: oe.w,
                    dist_dm: oe.d,
                    a: oe.a,
                    b: oe.b,
                },
            });
        }
        for ie in &st.inn[v as usize] {
            in_ids.push(finals.len() as u32);
            finals.push(Final {
                owner: v,
                fwd: false,
                e: ChEdge {
                    other: ie.node,
                    time_ms: ie.w,
                    dist_dm: ie.d,
                    a: ie.a,
                    b: ie.b,
                },
            });
        }
        new_shortcuts.clear();
        st.shortcuts(v, params.contract_settle_limit, |j, k| {
            new_shortcuts.push((j, k))
        });
        let ins = std::mem::take(&mut st.inn[v as usize]);
        let outs = std::mem::take(&mut st.out[v as usize]);
        for ie in &ins {
            st.out[ie.node as usize].retain(|e| e.node != v);
        }
        for oe in &outs {
            st.inn[oe.node as usize].retain(|e| e.node != v);
        }
        for &(j, k) in &new_shortcuts {
            let (ie, oe) = (ins[j], outs[k]);
            st.add_edge(
                ie.node,
                oe.node,
                DynEdge {
                    node: oe.node,
                    w: ie.w.saturating_add(oe.w),
                    d: ie.d.saturating_add(oe.d),
                    a: in_ids[j],
                    b: out_ids[k],
                },
            );
        }
        neighbours.clear();
        neighbours.extend(ins.iter().map(|e| e.node));
        neighbours.extend(outs.iter().map(|e| e.node));
        neighbours.sort_unstable();
        neighbours.dedup();
        for &u in &neighbours {
            deleted[u as usize] += 1;
            level[u as usize] = level[u as usize].max(level[v as usize] + 1);
            if !params.update_neighbours {
                continue;
            }
            let np = st.priority(
                u,
                params.simulate_settle_limit,
                deleted[u as usize],
                level[u as usize],
            );
            if np != prio[u as usize] {
                prio[u as usize] = np;
                heap.push(Reverse((np, u)));
            }
        }
    }
    drop(st);
    progress(Progress {
        stage: Stage::Contract,
        done: total,
        total,
    });

    // CSR layout: forward edges grouped by owner, then backward edges grouped by owner.
    let mut fwd_first = vec![0u32; n + 1];
    let mut bwd_first = vec![0u32; n + 1];
    // hierarchy arrays are indexed by rank (high nodes together: cache-friendly searches)
    for f in finals.iter_mut() {
        f.owner = rank[f.owner as usize];
        f.e.other = rank[f.e.other as usize];
    }
    for f in &finals {
        if f.fwd {
            fwd_first[f.owner as usize + 1] += 1;
        } else {
            bwd_first[f.owner as usize + 1] += 1;
        }
    }
    for i in 0..n {
        fwd_first[i + 1] += fwd_first[i];
        bwd_first[i + 1] += bwd_first[i];
    }
    let nf = fwd_first[n];
    for x in bwd_first.iter_mut() {
        *x += nf;
    }
    let mut pos_f = fwd_first.clone();
    let mut pos_b = bwd_first.clone();
    let mut new_id = vec![0u32; finals.len()];
    for (i, f) in finals.iter().enumerate() {
        let p = if f.fwd { &mut pos_f } else { &mut pos_b };
        new_id[i] = p[f.owner as usize];
        p[f.owner as usize] += 1;
    }
    let mut edges = vec![
        ChEdge {
            other: 0,
            time_ms: 0,
            dist_dm: 0,
            a: 0,
            b: NONE
        };
        finals.len()
    ];
    for (i, f) in finals.iter().enumerate() {
        let mut e = f.e;
        if e.b != NONE {
            e.a = new_id[e.a as usize];
            e.b = new_id[e.b as usize];
        }
        edges[new_id[i] as usize] = e;
    }
    progress(Progress {
        stage: Stage::Finish,
        done: 1,
        total: 1,
    });
    Hierarchy {
        rank,
        fwd_first,
        bwd_first,
        edges,
    }
}
