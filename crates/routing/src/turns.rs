//! The edge-based (turn-aware) graph the hierarchy is built on.
//!
//! Every directed road segment (base edge) of the [`Graph`] is a node here;
//! every allowed turn `p -> x` (from segment `p` into segment `x` at the
//! node where `p` ends) is an arc weighted by `x`'s travel time plus the
//! turn's cost. A search distance at segment `x` is thus the time to reach
//! the *end* of `x`, turn costs included.
//!
//! Which turns exist and what they cost:
//! - turn restrictions with a via node: from a segment of `from_way` into
//!   the via node, `no_*` removes the turns onto `to_way` (when `from_way ==
//!   to_way`, `no_u_turn`, only the turn back), `only_*` removes every turn
//!   not onto `to_way` (and is ignored where `to_way` cannot be driven from
//!   the via node);
//! - a U-turn (back to the node one came from) exists only where no other
//!   turn is left (dead ends, closed barriers, after restrictions), unless
//!   [`TurnCosts::u_turns_anywhere`]; it costs [`TurnCosts::u_turn_s`];
//! - at an intersection (three or more neighbouring nodes) a turn costs by
//!   its angle ([`TurnCosts::angle_costs`]), along a road nothing;
//! - passing a `highway=traffic_signals` node adds [`TurnCosts::signal_s`];
//! - a turn from a way open to all into a way open to local traffic only
//!   ([`crate::Profile::local_access`]: `motor_vehicle=destination`, …)
//!   adds [`LOCAL_ENTRY_MS`] to the search weight, not to the time: every
//!   weight is `entries × 2^30 + time`, so searches prefer the fewest
//!   entries into such ways and then the shortest time (a route goes in
//!   only when its start or end is inside, or nothing else joins the
//!   ends — OSRM's car profile does the same with its turn weights), and
//!   [`real_ms`] gives the time back. Times stay below 2^30 ms (12.4 days;
//!   one edge is at most [`MAX_EDGE_MS`]); a path with four or more
//!   entries saturates and counts as unreachable.
//!
//! With [`TurnCosts::none`] and no restrictions the answers equal those of
//! the node-based graph.
//!
//! Before contraction, chains of segments without a choice between them
//! are compressed into one node each (`Chains`).

use crate::graph::{Graph, MAX_EDGE_MS};
use crate::profile::{secs_ms, TurnCosts};

/// Search weight of entering a way open to local traffic only from one
/// open to all (see the module documentation).
pub(crate) const LOCAL_ENTRY_MS: u32 = 1 << 30;

/// The driving time (ms) of a search weight: the weight without its
/// [`LOCAL_ENTRY_MS`] entries (`u32::MAX`, unreachable, stays).
#[inline]
pub(crate) fn real_ms(w: u32) -> u32 {
    if w == u32::MAX {
        w
    } else {
        w & (LOCAL_ENTRY_MS - 1)
    }
}

/// Turns as a CSR adjacency over base edges: the turns out of base edge `p`
/// are `first_out[p]..first_out[p + 1]`, each leading to base edge
/// `head[a]` at `time_ms[a]` (the segment's time plus the turn cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TurnGraph {
    pub first_out: Vec<u32>,
    pub head: Vec<u32>,
    pub time_ms: Vec<u32>,
}

impl TurnGraph {
    /// Number of nodes (the base graph's edges).
    pub fn num_nodes(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of turns.
    pub fn num_arcs(&self) -> usize {
        self.head.len()
    }

    /// Turns out of base edge `p`.
    #[inline]
    pub fn out(&self, p: u32) -> std::ops::Range<u32> {
        self.first_out[p as usize]..self.first_out[p as usize + 1]
    }

    /// The turn `p -> x`, if allowed.
    pub fn find(&self, p: u32, x: u32) -> Option<u32> {
        self.out(p).find(|&a| self.head[a as usize] == x)
    }

    /// Builds the turns of `g` with its restrictions, signals and turn costs.
    pub fn build(g: &Graph) -> TurnGraph {
        let tc: &TurnCosts = &g.turn_costs;
        let n = g.num_nodes();
        let m = g.num_edges();
        // distinct neighbours of each node: 3 or more make an intersection
        let mut intersection = vec![false; n];
        let mut nb: Vec<u32> = Vec::new();
        for (v, slot) in intersection.iter_mut().enumerate() {
            nb.clear();
            nb.extend(g.out_edges(v as u32).map(|e| g.head[e as usize]));
            nb.extend(g.in_edges(v as u32).map(|e| g.tail[e as usize]));
            nb.sort_unstable();
            nb.dedup();
            *slot = nb.len() >= 3;
        }
        // restrictions grouped by via node
        let mut by_via = g.restrictions.clone();
        by_via.sort_unstable_by_key(|r| r.via);
        let signal_ms = secs_ms(tc.signal_s);
        let u_turn_ms = secs_ms(tc.u_turn_s);
        let mut first_out = Vec::with_capacity(m + 1);
        let mut head = Vec::with_capacity(m * 2);
        let mut time_ms = Vec::with_capacity(m * 2);
        let mut allowed: Vec<u32> = Vec::new();
        let local = |e: u32| g.local_ways.binary_search(&g.way[e as usize]).is_ok();
        first_out.push(0u32);
        for p in 0..m as u32 {
            let (u, v) = g.endpoints(p);
            let way = g.way[p as usize];
            let start = by_via.partition_point(|r| r.via < v);
            let rs = by_via[start..]
                .iter()
                .take_while(|r| r.via == v)
                .filter(|r| r.from_way == way);
            allowed.clear();
            allowed.extend(g.out_edges(v));
            for r in rs {
                let to = |x: u32| {
                    g.way[x as usize] == r.to_way
                        && (r.from_way != r.to_way || (g.head[x as usize] == u) != r.only)
                };
                if r.only && !g.out_edges(v).any(to) {
                    // `only_*` onto a way this vehicle cannot take (not in
                    // the graph: `motor_vehicle=no`, a footway): the
                    // restriction is not for it, as OSRM drops one it
                    // cannot resolve; obeying it would trap every car
                    continue;
                }
                if r.only {
                    allowed.retain(|&x| to(x));
                } else {
                    allowed.retain(|&x| !to(x));
                }
            }
            let others = allowed.iter().any(|&x| g.head[x as usize] != u);
            let from_open = !g.local_ways.is_empty() && !local(p);
            for &x in &allowed {
                let w = g.head[x as usize];
                let cost = if w == u {
                    if others && !tc.u_turns_anywhere {
                        continue;
                    }
                    u_turn_ms
                } else if intersection[v as usize] {
                    let (deg, right) = turn_angle(g, u, v, w);
                    tc.angle_ms(deg, right)
                } else {
                    0
                };
                let cost = cost.saturating_add(if g.signal[v as usize] { signal_ms } else { 0 });
                let entry = if from_open && local(x) {
                    LOCAL_ENTRY_MS
                } else {
                    0
                };
                head.push(x);
                time_ms.push(g.time_ms[x as usize].saturating_add(cost).min(MAX_EDGE_MS) + entry);
            }
            first_out.push(head.len() as u32);
        }
        TurnGraph {
            first_out,
            head,
            time_ms,
        }
    }
}

/// Chains of base edges compressed into one node of the hierarchy.
///
/// Where a base edge `p` has exactly one allowed turn, into `x`, and `x`
/// can be entered from `p` only, any path through either goes through
/// both: `p` and `x` belong to the same chain. Along a road between two
/// intersections (nodes with two neighbours, no restriction making a
/// choice there) every segment is linked this way, in each direction; a
/// chain ends where a driver has a choice or where one can arrive from
/// elsewhere. This is the graph compression of OSRM's preprocessing, done
/// on the turn graph: the turn costs inside a chain (a signal, say) are
/// simply summed, so shortest paths stay exact, and every base edge keeps
/// its id (snapping, geometry, closures and the reference Dijkstra work on
/// base edges as before).
///
/// A hierarchy search distance at chain `c` is the time to the end of its
/// last base edge. The arc `c -> d` costs the turn from `c`'s last edge
/// into `d`'s first plus the turns along `d` (so the whole of `d`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chains {
    /// Chain of each base edge.
    pub of: Vec<u32>,
    /// Position of each base edge in `edges`.
    pub pos: Vec<u32>,
    /// Base edges of chain `c` in driving order: `edges[first[c]..first[c + 1]]`.
    pub first: Vec<u32>,
    pub edges: Vec<u32>,
    /// Time (ms) and length (dm) from the end of base edge `p` to the end
    /// of its chain.
    pub after_ms: Vec<u32>,
    pub after_dm: Vec<u32>,
    /// Arcs between chains (grouped by tail chain).
    pub arc_tail: Vec<u32>,
    pub arc_head: Vec<u32>,
    pub arc_ms: Vec<u32>,
    pub arc_dm: Vec<u32>,
    /// Arcs into chain `d`: `in_arcs[in_first[d]..in_first[d + 1]]` (arc ids).
    pub in_first: Vec<u32>,
    pub in_arcs: Vec<u32>,
}

impl Chains {
    /// Number of chains (nodes of the hierarchy).
    pub fn len(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    /// Base edges of chain `c` in order.
    #[inline]
    pub fn edges_of(&self, c: u32) -> &[u32] {
        &self.edges[self.first[c as usize] as usize..self.first[c as usize + 1] as usize]
    }

    /// Whether `p` is the last base edge of its chain.
    #[inline]
    pub fn is_last(&self, p: u32) -> bool {
        self.pos[p as usize] + 1 == self.first[self.of[p as usize] as usize + 1]
    }

    /// Base edges of `p`'s chain after `p`.
    #[inline]
    pub fn after(&self, p: u32) -> &[u32] {
        let c = self.of[p as usize] as usize;
        &self.edges[self.pos[p as usize] as usize + 1..self.first[c + 1] as usize]
    }

    /// Base edges of `p`'s chain up to `p` (included).
    #[inline]
    pub fn up_to(&self, p: u32) -> &[u32] {
        let c = self.of[p as usize] as usize;
        &self.edges[self.first[c] as usize..=self.pos[p as usize] as usize]
    }

    /// Arcs into chain `d`.
    #[inline]
    pub fn arcs_into(&self, d: u32) -> &[u32] {
        &self.in_arcs[self.in_first[d as usize] as usize..self.in_first[d as usize + 1] as usize]
    }

    /// Compresses the turn graph `t` of a road graph with base lengths
    /// `dist_dm` (deterministic: a loaded file gets the same chains).
    pub fn build(t: &TurnGraph, dist_dm: &[u32]) -> Chains {
        let m = t.num_nodes();
        let mut indeg = vec![0u32; m];
        for &x in &t.head {
            indeg[x as usize] += 1;
        }
        // next[p]: the base edge linked after p (its only turn, into an
        // edge entered from p only), as a turn id
        let link = |p: usize| -> Option<u32> {
            let r = t.out(p as u32);
            if r.len() != 1 {
                return None;
            }
            let x = t.head[r.start as usize];
            (indeg[x as usize] == 1 && x as usize != p).then_some(r.start)
        };
        let mut has_pred = vec![false; m];
        for p in 0..m {
            if let Some(a) = link(p) {
                has_pred[t.head[a as usize] as usize] = true;
            }
        }
        let mut of = vec![NO_CHAIN; m];
        let mut pos = vec![0u32; m];
        let mut first = vec![0u32];
        let mut edges = Vec::with_capacity(m);
        let mut after_ms = vec![0u32; m];
        let mut after_dm = vec![0u32; m];
        // turn times along the chain being walked (inner[i]: into edge i)
        let mut inner: Vec<u32> = Vec::new();
        // chain starts first, then whatever is left (edges on pure cycles)
        let starts = (0..m)
            .filter(|&p| !has_pred[p])
            .chain((0..m).filter(|&p| has_pred[p]));
        for s in starts {
            if of[s] != NO_CHAIN {
                continue;
            }
            let c = (first.len() - 1) as u32;
            let begin = edges.len();
            inner.clear();
            let (mut p, mut total_ms, mut total_dm) = (s, 0u32, dist_dm[s]);
            loop {
                of[p] = c;
                pos[p] = edges.len() as u32;
                edges.push(p as u32);
                let Some(a) = link(p) else { break };
                let x = t.head[a as usize] as usize;
                let (w, d) = (t.time_ms[a as usize], dist_dm[x]);
                // stop on a cycle, and keep sums far from overflow
                if of[x] != NO_CHAIN
                    || total_ms.saturating_add(w) > MAX_EDGE_MS
                    || total_dm.saturating_add(d) > MAX_EDGE_MS
                {
                    break;
                }
                total_ms += w;
                total_dm += d;
                inner.push(w);
                p = x;
            }
            // suffix sums: after_ms of the i-th edge is the sum of the turns after it
            let (mut ms, mut dm) = (0u32, 0u32);
            for i in (begin..edges.len()).rev() {
                let e = edges[i] as usize;
                after_ms[e] = ms;
                after_dm[e] = dm;
                if i > begin {
                    ms += inner[i - begin - 1];
                    dm += dist_dm[e];
                }
            }
            first.push(edges.len() as u32);
        }
        let k = first.len() - 1;
        let (mut arc_tail, mut arc_head) = (Vec::new(), Vec::new());
        let (mut arc_ms, mut arc_dm) = (Vec::new(), Vec::new());
        for c in 0..k {
            let last = edges[first[c + 1] as usize - 1];
            for a in t.out(last) {
                let x = t.head[a as usize];
                // a turn out of a chain's end always enters a chain's start
                debug_assert_eq!(pos[x as usize], first[of[x as usize] as usize]);
                arc_tail.push(c as u32);
                arc_head.push(of[x as usize]);
                arc_ms.push(t.time_ms[a as usize].saturating_add(after_ms[x as usize]));
                arc_dm.push(dist_dm[x as usize].saturating_add(after_dm[x as usize]));
            }
        }
        let (in_first, in_arcs) = crate::graph::reverse_index(k, &arc_head);
        Chains {
            of,
            pos,
            first,
            edges,
            after_ms,
            after_dm,
            arc_tail,
            arc_head,
            arc_ms,
            arc_dm,
            in_first,
            in_arcs,
        }
    }
}

const NO_CHAIN: u32 = u32::MAX;

/// Deviation from straight on (degrees, 0..=180) of the turn `u -> v -> w`,
/// and whether it turns right.
fn turn_angle(g: &Graph, u: u32, v: u32, w: u32) -> (f64, bool) {
    let [ux, uy] = g.coord(u);
    let [vx, vy] = g.coord(v);
    let [wx, wy] = g.coord(w);
    let k = vy.to_radians().cos();
    let (ax, ay) = ((vx - ux) * k, vy - uy);
    let (bx, by) = ((wx - vx) * k, wy - vy);
    let cross = ax * by - ay * bx;
    let dot = ax * bx + ay * by;
    let deg = cross.atan2(dot).to_degrees();
    (deg.abs(), cross < 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::e;

    /// A cross: centre 0, arms 1 (west), 2 (north), 3 (east), 4 (south), all two-way.
    fn cross(costs: TurnCosts) -> Graph {
        let coords = [
            [0.0, 0.0],
            [-0.01, 0.0],
            [0.0, 0.01],
            [0.01, 0.0],
            [0.0, -0.01],
        ];
        let mut edges = Vec::new();
        for a in 1..=4 {
            edges.push(e(a, 0));
            edges.push(e(0, a));
        }
        Graph::from_edges(&coords, &edges)
            .unwrap()
            .with_turn_costs(costs)
    }

    #[test]
    fn angles_and_sides() {
        let g = cross(TurnCosts::driving());
        // from the west going east: straight on to 3, left to 2, right to 4
        let (d, _) = turn_angle(&g, 1, 0, 3);
        assert!(d < 1.0);
        let (d, right) = turn_angle(&g, 1, 0, 2);
        assert!((d - 90.0).abs() < 1.0 && !right);
        let (d, right) = turn_angle(&g, 1, 0, 4);
        assert!((d - 90.0).abs() < 1.0 && right);
    }

    #[test]
    fn chains_of_a_cross_with_two_segment_arms() {
        // centre 0; arm k: 0 - (2k-1) - 2k, all two-way, dead ends at 2k
        let mut coords = vec![[0.0, 0.0]];
        let mut edges = Vec::new();
        for (k, (dx, dy)) in [(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, -1.0)]
            .into_iter()
            .enumerate()
        {
            let (a, b) = (2 * k as u32 + 1, 2 * k as u32 + 2);
            coords.push([0.01 * dx, 0.01 * dy]);
            coords.push([0.02 * dx, 0.02 * dy]);
            for (u, v) in [(0, a), (a, b)] {
                edges.push(e(u, v));
                edges.push(e(v, u));
            }
        }
        let g = Graph::from_edges(&coords, &edges)
            .unwrap()
            .with_turn_costs(TurnCosts::driving());
        let t = TurnGraph::build(&g);
        let c = Chains::build(&t, &g.dist_dm);
        // out along an arm, U-turn at its end, back: one chain per arm
        assert_eq!(c.len(), 4);
        assert_eq!(c.arc_head.len(), 12);
        let arm = c.edges_of(c.of[g.find_edge(0, 1).unwrap() as usize]);
        let ids: Vec<(u32, u32)> = arm.iter().map(|&x| g.endpoints(x)).collect();
        assert_eq!(ids, [(0, 1), (1, 2), (2, 1), (1, 0)]);
        // 1 s per segment plus 20 s for the U-turn
        let p = g.find_edge(0, 1).unwrap();
        assert_eq!(c.after_ms[p as usize], 23_000);
        assert_eq!(c.after_dm[p as usize], 300);
        assert!(c.is_last(g.find_edge(1, 0).unwrap()));
        // into the arm from the west: the turn (left 5.4 s + 1 s) and the rest
        let into = c.arcs_into(c.of[p as usize]);
        assert_eq!(into.len(), 3);
        assert!(into.iter().all(|&a| c.arc_dm[a as usize] == 400));
        // a plain ring is one chain, its arc back into itself
        let ring = Graph::from_edges(
            &[[0.0, 0.0], [0.01, 0.0], [0.0, 0.01]],
            &[e(0, 1), e(1, 2), e(2, 0)],
        )
        .unwrap();
        let t = TurnGraph::build(&ring);
        let c = Chains::build(&t, &ring.dist_dm);
        assert_eq!(c.len(), 1);
        assert_eq!(c.arc_head, [0]);
        assert_eq!(c.arc_ms, [3000]);
    }

    #[test]
    fn costs_and_u_turns_at_a_cross() {
        let g = cross(TurnCosts::driving());
        let t = TurnGraph::build(&g);
        let p = g.find_edge(1, 0).unwrap();
        let to = |n: u32| g.find_edge(0, n).unwrap();
        // no U-turn back to 1 at an intersection; left 5.4 s, right 2.1 s
        assert_eq!(t.find(p, to(1)), None);
        assert_eq!(t.time_ms[t.find(p, to(3)).unwrap() as usize], 1000);
        assert_eq!(t.time_ms[t.find(p, to(2)).unwrap() as usize], 6400);
        assert_eq!(t.time_ms[t.find(p, to(4)).unwrap() as usize], 3100);
        // at the dead end 1 the U-turn is allowed at 20 s
        let q = g.find_edge(0, 1).unwrap();
        assert_eq!(t.time_ms[t.find(q, p).unwrap() as usize], 21_000);
        // without costs everything is allowed at the segment's time
        let t = TurnGraph::build(&cross(TurnCosts::none()));
        assert_eq!(t.num_arcs(), 4 * 4 + 4);
        assert!(t.time_ms.iter().all(|&x| x == 1000));
    }
}
