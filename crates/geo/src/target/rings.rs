//! A multipolygon prepared for exact three-way point location: its edges
//! bucketed into horizontal bands (so a test looks at the few edges of one
//! band), crossing parity per member, robust orientation for on-edge tests.

use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, MultiPolygon};

use super::Location;
use crate::BBox;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub(crate) a: Coord<f64>,
    pub(crate) b: Coord<f64>,
    /// Member polygon; a band's segments are grouped by it.
    poly: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Rings {
    bbox: BBox,
    min_y: f64,
    /// Bands per degree.
    scale: f64,
    /// `offsets[i]..offsets[i + 1]` indexes `segs` for band `i`.
    offsets: Vec<u32>,
    segs: Vec<Seg>,
    /// Every non-degenerate edge once, in ring order.
    edges: Vec<Seg>,
}

impl Rings {
    /// Prepare `mp` (coordinates are assumed finite; the caller checks).
    pub(crate) fn new(mp: &MultiPolygon<f64>) -> Rings {
        let bbox = mp.bounding_rect().map_or(BBox::EMPTY, |r| BBox {
            min_lon: r.min().x,
            min_lat: r.min().y,
            max_lon: r.max().x,
            max_lat: r.max().y,
        });
        let mut edges: Vec<Seg> = Vec::new();
        for (pi, poly) in mp.0.iter().enumerate() {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    if w[0] != w[1] {
                        edges.push(Seg {
                            a: w[0],
                            b: w[1],
                            poly: u32::try_from(pi).unwrap_or(u32::MAX),
                        });
                    }
                }
                // An unclosed ring (geo closes rings it builds, but a caller
                // may assemble one by hand): close it here.
                if let (Some(f), Some(l)) = (ring.0.first(), ring.0.last()) {
                    if f != l {
                        edges.push(Seg {
                            a: *l,
                            b: *f,
                            poly: u32::try_from(pi).unwrap_or(u32::MAX),
                        });
                    }
                }
            }
        }
        let height = bbox.max_lat - bbox.min_lat;
        // About four bands per edge: few segments per band, small tables.
        let n = (4 * edges.len()).clamp(1, 1 << 18);
        let scale = if height > 0.0 && height.is_finite() {
            n as f64 / height
        } else {
            0.0
        };
        let mut r = Rings {
            bbox,
            min_y: if bbox.is_empty() { 0.0 } else { bbox.min_lat },
            scale,
            offsets: vec![0; n + 1],
            segs: Vec::new(),
            edges,
        };
        // Counting pass, then fill (compressed rows). Edges are visited in
        // polygon order, so each band's segments stay grouped by polygon.
        let mut counts = vec![0u32; n + 1];
        for e in &r.edges {
            let (lo, hi) = r.span(e);
            for c in &mut counts[lo + 1..=hi + 1] {
                *c += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        r.offsets = counts;
        let mut next: Vec<u32> = r.offsets[..n].to_vec();
        let total = r.offsets[n] as usize;
        let mut segs = Vec::with_capacity(total);
        segs.resize(
            total,
            Seg {
                a: Coord::zero(),
                b: Coord::zero(),
                poly: 0,
            },
        );
        for e in &r.edges {
            let (lo, hi) = r.span(e);
            for slot in &mut next[lo..=hi] {
                segs[*slot as usize] = *e;
                *slot += 1;
            }
        }
        r.segs = segs;
        r
    }

    pub(crate) fn bbox(&self) -> BBox {
        self.bbox
    }

    pub(crate) fn edges(&self) -> &[Seg] {
        &self.edges
    }

    fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The band of a latitude. Monotone in `y`, so an edge whose y-range
    /// holds `y` is always registered in `band(y)`. (NaN maps to band 0,
    /// harmlessly: every comparison with NaN is false.)
    #[inline]
    fn band(&self, y: f64) -> usize {
        (((y - self.min_y) * self.scale) as usize).min(self.n() - 1)
    }

    fn span(&self, e: &Seg) -> (usize, usize) {
        (self.band(e.a.y.min(e.b.y)), self.band(e.a.y.max(e.b.y)))
    }

    /// Exact location of `(x, y)`: `Inside` if in the interior of any member.
    #[inline]
    pub(crate) fn locate(&self, x: f64, y: f64) -> Location {
        if !self.bbox.contains(x, y) {
            return Location::Outside;
        }
        let p = Coord { x, y };
        let b = self.band(y);
        let segs = &self.segs[self.offsets[b] as usize..self.offsets[b + 1] as usize];
        let mut current = u32::MAX;
        let mut inside = false;
        let mut skip = false;
        let mut boundary = false;
        for s in segs {
            if s.poly != current {
                if inside {
                    return Location::Inside;
                }
                current = s.poly;
                skip = false;
            }
            if skip {
                continue;
            }
            let (a, b) = (s.a, s.b);
            // An edge wholly left of p can neither be crossed by the ray to
            // the right nor hold p.
            if x > a.x.max(b.x) {
                continue;
            }
            let on_edge = if (a.y > y) != (b.y > y) {
                // The edge straddles the horizontal line through p
                // (half-open, so a vertex is counted once).
                if x < a.x.min(b.x) {
                    // Wholly right of p: crossed, and p is not on it.
                    inside = !inside;
                    false
                } else {
                    let o = RobustKernel::orient2d(a, b, p);
                    if o == Orientation::Collinear {
                        true
                    } else {
                        if (o == Orientation::CounterClockwise) == (b.y > a.y) {
                            inside = !inside; // crossing to the right of p
                        }
                        false
                    }
                }
            } else {
                a == p
                    || b == p
                    || (a.y == y && b.y == y && (a.x.min(b.x)..=a.x.max(b.x)).contains(&x))
            };
            if on_edge {
                // On this member's boundary: it cannot make p interior.
                boundary = true;
                inside = false;
                skip = true;
            }
        }
        if inside {
            Location::Inside
        } else if boundary {
            Location::Boundary
        } else {
            Location::Outside
        }
    }
}
