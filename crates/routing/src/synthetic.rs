//! Generated road-like networks for tests and benchmarks.

use crate::graph::{distance_m, InputEdge};
use crate::Graph;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A jittered grid of about `nodes` nodes, ~200 m apart, around (116.4 E, 39.9 N):
/// local streets at 30 km/h, every 8th row/column an arterial at 60 km/h,
/// every 64th a highway at 100 km/h; 8% of local links missing, 5% one-way,
/// ±10% speed noise. Only the largest strongly connected component is kept.
/// Deterministic for a given `seed`.
pub fn road_grid(nodes: usize, seed: u64) -> Graph {
    let side = (nodes as f64).sqrt().ceil().max(2.0) as usize;
    let mut rng = SmallRng::seed_from_u64(seed);
    let step = 0.0018; // degrees, ~200 m in latitude
    let mut coords = Vec::with_capacity(side * side);
    for j in 0..side {
        for i in 0..side {
            let jx: f64 = rng.random_range(-0.3..0.3);
            let jy: f64 = rng.random_range(-0.3..0.3);
            coords.push([
                116.4 + (i as f64 + jx) * step * 1.3,
                39.9 + (j as f64 + jy) * step,
            ]);
        }
    }
    let id = |i: usize, j: usize| (j * side + i) as u32;
    let class = |k: usize| {
        if k.is_multiple_of(64) {
            100.0
        } else if k.is_multiple_of(8) {
            60.0
        } else {
            30.0
        }
    };
    let mut edges = Vec::with_capacity(side * side * 4);
    let mut way = 0i64;
    for j in 0..side {
        for i in 0..side {
            for (ni, nj, kmh) in [(i + 1, j, class(j)), (i, j + 1, class(i))] {
                if ni >= side || nj >= side {
                    continue;
                }
                let local = kmh < 50.0;
                if local && rng.random_bool(0.08) {
                    continue;
                }
                let (a, b) = (id(i, j), id(ni, nj));
                let (pa, pb) = (coords[a as usize], coords[b as usize]);
                let d = distance_m(pa[0], pa[1], pb[0], pb[1]);
                let speed = kmh * rng.random_range(0.9..1.1);
                let t = d / (speed / 3.6);
                way += 1;
                let oneway = local && rng.random_bool(0.05);
                let forward = rng.random_bool(0.5);
                if !oneway || forward {
                    edges.push(InputEdge {
                        from: a,
                        to: b,
                        time_s: t,
                        distance_m: d,
                        way_id: way,
                    });
                }
                if !oneway || !forward {
                    edges.push(InputEdge {
                        from: b,
                        to: a,
                        time_s: t,
                        distance_m: d,
                        way_id: way,
                    });
                }
            }
        }
    }
    match Graph::from_edges(&coords, &edges) {
        Ok(g) => g.largest_strongly_connected_component(),
        // unreachable: the generator only makes valid input
        Err(_) => Graph::from_raw(Vec::new(), Vec::new(), Vec::new()),
    }
}
