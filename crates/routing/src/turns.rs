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
//!   not onto `to_way`;
//! - a U-turn (back to the node one came from) exists only where no other
//!   turn is left (dead ends, closed barriers, after restrictions), unless
//!   [`TurnCosts::u_turns_anywhere`]; it costs [`TurnCosts::u_turn_s`];
//! - at an intersection (three or more neighbouring nodes) a turn costs by
//!   its angle ([`TurnCosts::angle_costs`]), along a road nothing;
//! - passing a `highway=traffic_signals` node adds [`TurnCosts::signal_s`].
//!
//! With [`TurnCosts::none`] and no restrictions the answers equal those of
//! the node-based graph.

use crate::graph::{Graph, MAX_EDGE_MS};
use crate::profile::{secs_ms, TurnCosts};

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
                if r.only {
                    allowed.retain(|&x| to(x));
                } else {
                    allowed.retain(|&x| !to(x));
                }
            }
            let others = allowed.iter().any(|&x| g.head[x as usize] != u);
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
                head.push(x);
                time_ms.push(g.time_ms[x as usize].saturating_add(cost).min(MAX_EDGE_MS));
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
