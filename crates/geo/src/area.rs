//! Target areas, bounding boxes, and prepared areas for fast point tests.
//!
//! - [`BBox`]: a lon/lat box, parsed from `minLon,minLat,maxLon,maxLat`.
//! - [`Area`]: a multipolygon or a circle (centre + radius in metres).
//! - [`PreparedArea`]: an [`Area`] pre-indexed for many
//!   [`contains`](PreparedArea::contains) calls. The polygon edges are
//!   bucketed into horizontal bands, so a test looks at only the few edges of
//!   one band instead of every vertex: typically well under a microsecond per
//!   point for a county boundary with thousands of vertices. Orientation tests
//!   use robust (exact) predicates, so a point exactly on an edge or vertex is
//!   reliably reported as inside, consistent with [`Area::contains`].
//!
//! The antimeridian is not handled (boxes and circles do not wrap); nothing
//! in China comes near it.

use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Point};

use crate::{GeoError, EARTH_RADIUS_M};

/// A lon/lat bounding box (degrees, WGS84 or whatever datum the data is in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// The empty box: contains nothing, intersects nothing; the bbox of an
    /// empty multipolygon. Its bounds are infinite (min = +∞, max = −∞).
    pub const EMPTY: BBox = BBox {
        min_lon: f64::INFINITY,
        min_lat: f64::INFINITY,
        max_lon: f64::NEG_INFINITY,
        max_lat: f64::NEG_INFINITY,
    };

    /// Parse `minLon,minLat,maxLon,maxLat` (spaces allowed). Rejects wrong
    /// arity, non-numbers, NaN/∞, min > max, and values outside lon ±180 /
    /// lat ±90, with a message saying which.
    pub fn parse(s: &str) -> Result<BBox, GeoError> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(GeoError::BBox(format!(
                "expected 4 comma-separated numbers, got {}",
                parts.len()
            )));
        }
        const NAMES: [&str; 4] = ["minLon", "minLat", "maxLon", "maxLat"];
        let mut n = [0.0; 4];
        for (i, p) in parts.iter().enumerate() {
            n[i] = p
                .parse::<f64>()
                .map_err(|_| GeoError::BBox(format!("{} {p:?} is not a number", NAMES[i])))?;
            if !n[i].is_finite() {
                return Err(GeoError::BBox(format!("{} {p:?} is not finite", NAMES[i])));
            }
        }
        let b = BBox {
            min_lon: n[0],
            min_lat: n[1],
            max_lon: n[2],
            max_lat: n[3],
        };
        if b.min_lon < -180.0 || b.max_lon > 180.0 || b.min_lon > 180.0 || b.max_lon < -180.0 {
            return Err(GeoError::BBox(
                "longitude out of range (must be within ±180)".into(),
            ));
        }
        if b.min_lat < -90.0 || b.max_lat > 90.0 || b.min_lat > 90.0 || b.max_lat < -90.0 {
            return Err(GeoError::BBox(
                "latitude out of range (must be within ±90)".into(),
            ));
        }
        if b.min_lon > b.max_lon {
            return Err(GeoError::BBox(format!(
                "minLon {} is greater than maxLon {}",
                b.min_lon, b.max_lon
            )));
        }
        if b.min_lat > b.max_lat {
            return Err(GeoError::BBox(format!(
                "minLat {} is greater than maxLat {}",
                b.min_lat, b.max_lat
            )));
        }
        Ok(b)
    }

    /// The smallest box holding all the points ([`BBox::EMPTY`] for none).
    pub fn from_points(points: impl IntoIterator<Item = (f64, f64)>) -> BBox {
        points.into_iter().fold(BBox::EMPTY, |b, (x, y)| BBox {
            min_lon: b.min_lon.min(x),
            min_lat: b.min_lat.min(y),
            max_lon: b.max_lon.max(x),
            max_lat: b.max_lat.max(y),
        })
    }

    /// Whether the box contains nothing (min > max on either axis).
    pub fn is_empty(&self) -> bool {
        !(self.min_lon <= self.max_lon && self.min_lat <= self.max_lat)
    }

    /// Whether the point is in the box (edges included; NaN never is).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.min_lon <= lon && lon <= self.max_lon && self.min_lat <= lat && lat <= self.max_lat
    }

    /// Whether the boxes share at least one point (touching counts).
    pub fn intersects(&self, o: &BBox) -> bool {
        self.min_lon <= o.max_lon
            && o.min_lon <= self.max_lon
            && self.min_lat <= o.max_lat
            && o.min_lat <= self.max_lat
    }

    /// The centre of the box.
    pub fn center(&self) -> (f64, f64) {
        (
            (self.min_lon + self.max_lon) / 2.0,
            (self.min_lat + self.max_lat) / 2.0,
        )
    }

    fn of_mp(mp: &MultiPolygon<f64>) -> BBox {
        mp.bounding_rect().map_or(BBox::EMPTY, |r| BBox {
            min_lon: r.min().x,
            min_lat: r.min().y,
            max_lon: r.max().x,
            max_lat: r.max().y,
        })
    }
}

impl std::fmt::Display for BBox {
    /// The `minLon,minLat,maxLon,maxLat` form that [`BBox::parse`] reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.min_lon, self.min_lat, self.max_lon, self.max_lat
        )
    }
}

/// An area: polygons, or a circle (centre lon/lat and radius in metres).
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    MultiPolygon(MultiPolygon<f64>),
    Circle { lon: f64, lat: f64, radius_m: f64 },
}

impl Area {
    /// Whether the point is inside (the boundary counts as inside). For many
    /// tests against one area, [`prepare`](Area::prepare) it first.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match self {
            Area::MultiPolygon(mp) => mp.intersects(&Point::new(lon, lat)),
            Area::Circle {
                lon: cx,
                lat: cy,
                radius_m,
            } => crate::haversine_m(*cx, *cy, lon, lat) <= *radius_m,
        }
    }

    /// The bounding box; [`BBox::EMPTY`] for an empty multipolygon. A
    /// circle's box is exact on the sphere (it touches the circle), widened
    /// to all longitudes when the circle reaches a pole.
    pub fn bbox(&self) -> BBox {
        match self {
            Area::MultiPolygon(mp) => BBox::of_mp(mp),
            Area::Circle { lon, lat, radius_m } => circle_bbox(*lon, *lat, *radius_m),
        }
    }

    /// Index the area for fast repeated [`PreparedArea::contains`] calls.
    pub fn prepare(&self) -> PreparedArea {
        PreparedArea::new(self)
    }
}

fn circle_bbox(lon: f64, lat: f64, radius_m: f64) -> BBox {
    if radius_m.is_nan() || radius_m < 0.0 {
        return BBox::EMPTY;
    }
    let delta = radius_m / EARTH_RADIUS_M; // angular radius, radians
                                           // A hair of slack so that points exactly on the circle, whose haversine
                                           // distance rounds to ≤ r, are never cut off by the box.
    let pad = 1e-9;
    let dlat = delta.to_degrees() + pad;
    let (min_lat, max_lat) = (lat - dlat, lat + dlat);
    if max_lat >= 90.0 || min_lat <= -90.0 || delta >= std::f64::consts::FRAC_PI_2 {
        return BBox {
            min_lon: -180.0,
            min_lat: min_lat.max(-90.0),
            max_lon: 180.0,
            max_lat: max_lat.min(90.0),
        };
    }
    // The widest longitude extent of a spherical cap (touches the circle at
    // a latitude slightly poleward of the centre).
    let s = delta.sin() / lat.to_radians().cos();
    let dlon = if s >= 1.0 {
        180.0
    } else {
        s.asin().to_degrees() + pad
    };
    BBox {
        min_lon: (lon - dlon).max(-180.0),
        min_lat,
        max_lon: (lon + dlon).min(180.0),
        max_lat,
    }
}

/// An [`Area`] prepared for millions of [`contains`](PreparedArea::contains)
/// calls: bbox pre-check, then only the polygon edges of one horizontal band.
///
/// Semantics equal [`Area::contains`]: boundary points are inside; a point
/// is inside a multipolygon if it is inside *any* member (so overlapping
/// members, e.g. a union of counties, behave as their union); holes exclude.
#[derive(Debug, Clone)]
pub struct PreparedArea {
    bbox: BBox,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    Polygons(Bands),
    Circle { lon: f64, lat: f64, radius_m: f64 },
}

#[derive(Debug, Clone, Copy)]
struct Seg {
    a: Coord<f64>,
    b: Coord<f64>,
    /// Member polygon; a band's segments are grouped by it.
    poly: u32,
}

#[derive(Debug, Clone)]
struct Bands {
    min_y: f64,
    /// Bands per degree.
    scale: f64,
    /// `offsets[i]..offsets[i + 1]` indexes `segs` for band `i`.
    offsets: Vec<u32>,
    segs: Vec<Seg>,
}

impl Bands {
    fn new(mp: &MultiPolygon<f64>, bbox: &BBox) -> Bands {
        let mut edges: Vec<Seg> = Vec::new();
        for (pi, poly) in mp.0.iter().enumerate() {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    if w[0] != w[1] {
                        edges.push(Seg {
                            a: w[0],
                            b: w[1],
                            poly: pi as u32,
                        });
                    }
                }
            }
        }
        let height = bbox.max_lat - bbox.min_lat;
        let n = edges.len().clamp(1, 1 << 16);
        let scale = if height > 0.0 && height.is_finite() {
            n as f64 / height
        } else {
            0.0
        };
        let mut bands = Bands {
            min_y: bbox.min_lat,
            scale,
            offsets: vec![0; n + 1],
            segs: Vec::new(),
        };
        // Counting pass, then fill (compressed rows). Edges are visited in
        // polygon order, so each band's segments stay grouped by polygon.
        for e in &edges {
            let (lo, hi) = bands.span(e);
            for c in &mut bands.offsets[lo + 1..=hi + 1] {
                *c += 1;
            }
        }
        for i in 0..n {
            bands.offsets[i + 1] += bands.offsets[i];
        }
        let mut next: Vec<u32> = bands.offsets[..n].to_vec();
        bands.segs = vec![
            edges.first().copied().unwrap_or(Seg {
                a: Coord::zero(),
                b: Coord::zero(),
                poly: 0
            });
            bands.offsets[n] as usize
        ];
        for e in &edges {
            let (lo, hi) = bands.span(e);
            for slot in &mut next[lo..=hi] {
                bands.segs[*slot as usize] = *e;
                *slot += 1;
            }
        }
        bands
    }

    fn n(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The band of a latitude. Monotone in `y`, so an edge whose y-range
    /// holds `y` is always registered in `band(y)`.
    #[inline]
    fn band(&self, y: f64) -> usize {
        (((y - self.min_y) * self.scale) as usize).min(self.n() - 1)
    }

    fn span(&self, e: &Seg) -> (usize, usize) {
        (self.band(e.a.y.min(e.b.y)), self.band(e.a.y.max(e.b.y)))
    }

    fn contains(&self, p: Coord<f64>) -> bool {
        let b = self.band(p.y);
        let segs = &self.segs[self.offsets[b] as usize..self.offsets[b + 1] as usize];
        let mut current = u32::MAX;
        let mut inside = false;
        for s in segs {
            if s.poly != current {
                if inside {
                    return true;
                }
                current = s.poly;
            }
            let (a, b) = (s.a, s.b);
            if (a.y > p.y) != (b.y > p.y) {
                // The edge straddles the horizontal line through p
                // (half-open, so a vertex is counted once).
                let o = RobustKernel::orient2d(a, b, p);
                if o == Orientation::Collinear {
                    return true; // on the edge
                }
                let upward = b.y > a.y;
                if (o == Orientation::CounterClockwise) == upward {
                    inside = !inside; // crossing to the right of p
                }
            } else if a == p || b == p {
                return true; // on a vertex
            } else if a.y == p.y && b.y == p.y && (a.x.min(b.x)..=a.x.max(b.x)).contains(&p.x) {
                return true; // on a horizontal edge
            }
        }
        inside
    }
}

impl PreparedArea {
    /// Prepare an area (O(n log n) for n vertices; circles are trivial).
    pub fn new(area: &Area) -> PreparedArea {
        match area {
            Area::MultiPolygon(mp) => PreparedArea::from_multipolygon(mp),
            Area::Circle { lon, lat, radius_m } => PreparedArea {
                bbox: circle_bbox(*lon, *lat, *radius_m),
                shape: Shape::Circle {
                    lon: *lon,
                    lat: *lat,
                    radius_m: *radius_m,
                },
            },
        }
    }

    /// Prepare a multipolygon.
    pub fn from_multipolygon(mp: &MultiPolygon<f64>) -> PreparedArea {
        let bbox = BBox::of_mp(mp);
        PreparedArea {
            bbox,
            shape: Shape::Polygons(Bands::new(mp, &bbox)),
        }
    }

    /// The bounding box of the area.
    pub fn bbox(&self) -> BBox {
        self.bbox
    }

    /// Whether the point is inside (boundary included), as [`Area::contains`].
    #[inline]
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if !self.bbox.contains(lon, lat) {
            return false;
        }
        match &self.shape {
            Shape::Polygons(bands) => bands.contains(Coord { x: lon, y: lat }),
            Shape::Circle {
                lon: cx,
                lat: cy,
                radius_m,
            } => crate::haversine_m(*cx, *cy, lon, lat) <= *radius_m,
        }
    }
}

impl From<&Area> for PreparedArea {
    fn from(a: &Area) -> Self {
        PreparedArea::new(a)
    }
}

impl From<&MultiPolygon<f64>> for PreparedArea {
    fn from(mp: &MultiPolygon<f64>) -> Self {
        PreparedArea::from_multipolygon(mp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn square_with_hole() -> MultiPolygon<f64> {
        crate::geojson::parse_multipolygon(
            r#"{"type":"Polygon","coordinates":[
                [[113,40],[114,40],[114,41],[113,41],[113,40]],
                [[113.4,40.4],[113.4,40.6],[113.6,40.6],[113.6,40.4],[113.4,40.4]]]}"#,
        )
        .unwrap()
    }

    #[test]
    fn bbox_parse() {
        let b = BBox::parse("113,39.5, 114.5,41").unwrap();
        assert_eq!(
            b,
            BBox {
                min_lon: 113.0,
                min_lat: 39.5,
                max_lon: 114.5,
                max_lat: 41.0
            }
        );
        assert_eq!(BBox::parse(&b.to_string()).unwrap(), b);
        assert!(b.contains(113.5, 40.0));
        assert!(b.contains(113.0, 41.0), "edges count");
        assert!(!b.contains(112.0, 40.0));
        assert!(!b.contains(f64::NAN, 40.0));
        assert!(b.intersects(&BBox::parse("114,40,115,42").unwrap()));
        assert!(b.intersects(&BBox::parse("114.5,41,115,42").unwrap()));
        assert!(!b.intersects(&BBox::parse("115,40,116,42").unwrap()));
        assert!(BBox::parse("0,0,0,0").is_ok(), "a point box is fine");
    }

    #[test]
    fn bbox_parse_errors_say_what() {
        for (bad, needle) in [
            ("1,2,3", "got 3"),
            ("", "got 1"),
            ("a,1,2,3", "minLon \"a\" is not a number"),
            ("1,2,3,x", "maxLat \"x\""),
            ("0,0,NaN,1", "maxLon \"NaN\" is not finite"),
            ("0,0,inf,1", "not finite"),
            ("3,0,1,1", "minLon 3 is greater than maxLon 1"),
            ("0,2,1,1", "minLat 2 is greater than maxLat 1"),
            ("0,0,200,1", "longitude out of range"),
            ("0,-91,1,1", "latitude out of range"),
        ] {
            let e = BBox::parse(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad:?}: {e}");
            assert!(e.starts_with("bbox must be minLon,minLat,maxLon,maxLat"));
        }
    }

    #[test]
    fn empty_bbox() {
        let e = Area::MultiPolygon(MultiPolygon::new(vec![])).bbox();
        assert!(e.is_empty());
        assert!(!e.contains(0.0, 0.0));
        assert!(!e.intersects(&BBox::parse("-180,-90,180,90").unwrap()));
        assert_eq!(BBox::from_points([]), BBox::EMPTY);
        let b = BBox::from_points([(1.0, 2.0), (-1.0, 5.0)]);
        assert_eq!(b, BBox::parse("-1,2,1,5").unwrap());
        assert!(!b.is_empty());
        assert_eq!(b.center(), (0.0, 3.5));
    }

    #[test]
    fn areas_contain_points() {
        let a = Area::MultiPolygon(square_with_hole());
        let p = a.prepare();
        for (x, y, want) in [
            (113.2, 40.2, true),
            (113.0, 40.5, true),  // on an edge
            (113.0, 40.0, true),  // on a vertex
            (113.5, 41.0, true),  // on the top edge
            (113.5, 40.5, false), // in the hole
            (113.4, 40.5, true),  // on the hole's edge
            (113.6, 40.6, true),  // on the hole's vertex
            (112.9, 40.5, false), // left
            (114.0001, 40.5, false),
            (113.5, 41.0001, false),
            (f64::NAN, 40.5, false),
        ] {
            assert_eq!(a.contains(x, y), want, "Area {x},{y}");
            assert_eq!(p.contains(x, y), want, "Prepared {x},{y}");
        }
        assert_eq!(p.bbox(), BBox::parse("113,40,114,41").unwrap());
    }

    #[test]
    fn overlapping_members_are_a_union() {
        // Two overlapping squares: even-odd over all rings would call the
        // overlap "outside"; per-member tests must not.
        let mp = crate::geojson::parse_multipolygon(
            r#"{"type":"MultiPolygon","coordinates":[
                [[[0,0],[2,0],[2,2],[0,2],[0,0]]],
                [[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}"#,
        )
        .unwrap();
        let p = PreparedArea::from_multipolygon(&mp);
        assert!(p.contains(1.5, 1.5));
        assert!(p.contains(0.5, 0.5) && p.contains(2.5, 2.5));
        assert!(!p.contains(2.5, 0.5));
    }

    #[test]
    fn circles() {
        let c = Area::Circle {
            lon: 113.3,
            lat: 40.08,
            radius_m: 1000.0,
        };
        let p = c.prepare();
        assert!(c.contains(113.305, 40.08) && p.contains(113.305, 40.08));
        assert!(!c.contains(113.32, 40.08) && !p.contains(113.32, 40.08));
        // The box touches the circle: the four extreme points are inside
        // both, and a little further out is outside the box.
        let b = c.bbox();
        let dlat = 1000.0 / EARTH_RADIUS_M.to_radians();
        for (x, y) in [(113.3, 40.08 + dlat), (113.3, 40.08 - dlat)] {
            assert!(b.contains(x, y));
        }
        assert!(!b.contains(113.3, 40.08 + dlat * 1.001));
        let east = b.max_lon;
        assert!((crate::haversine_m(113.3, 40.08, east, 40.08) - 1000.0).abs() < 1.0);
        // A circle around the pole spans all longitudes.
        let polar = Area::Circle {
            lon: 0.0,
            lat: 89.9,
            radius_m: 50_000.0,
        };
        let pb = polar.bbox();
        assert_eq!((pb.min_lon, pb.max_lon, pb.max_lat), (-180.0, 180.0, 90.0));
        assert!(polar.prepare().contains(179.0, 89.95));
        assert!(Area::Circle {
            lon: 0.0,
            lat: 0.0,
            radius_m: -1.0
        }
        .bbox()
        .is_empty());
    }

    #[test]
    fn degenerate_polygons_do_not_panic() {
        // Zero-height polygon (all on one parallel) and a single-member empty.
        let flat = MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![(0.0, 1.0), (2.0, 1.0), (1.0, 1.0), (0.0, 1.0)]),
            vec![],
        )]);
        let p = PreparedArea::from_multipolygon(&flat);
        assert!(p.contains(1.5, 1.0), "on its boundary");
        assert!(!p.contains(1.5, 1.1));
        let empty = PreparedArea::from_multipolygon(&MultiPolygon::new(vec![]));
        assert!(!empty.contains(0.0, 0.0));
    }

    fn star(n: usize, r1: f64, r2: f64) -> MultiPolygon<f64> {
        let mut pts: Vec<(f64, f64)> = (0..2 * n)
            .map(|i| {
                let t = i as f64 * std::f64::consts::PI / n as f64;
                let r = if i % 2 == 0 { r1 } else { r2 };
                (113.5 + r * t.cos(), 40.0 + r * t.sin())
            })
            .collect();
        pts.push(pts[0]);
        MultiPolygon::new(vec![geo::Polygon::new(pts.into(), vec![])])
    }

    proptest! {
        /// The banded test agrees with geo's exact `Intersects` everywhere,
        /// including on vertices (where sample points are snapped to).
        #[test]
        fn prepared_agrees_with_geo(
            n in 3usize..40,
            r2 in 0.05f64..0.9,
            pts in proptest::collection::vec((112.4f64..114.6, 38.9f64..41.1, any::<bool>()), 1..200),
        ) {
            let mp = star(n, 1.0, r2);
            let a = Area::MultiPolygon(mp.clone());
            let p = a.prepare();
            let verts: Vec<Coord<f64>> = mp.0[0].exterior().0.clone();
            for (i, (x, y, snap)) in pts.into_iter().enumerate() {
                let (x, y) = if snap { let v = verts[i % verts.len()]; (v.x, v.y) } else { (x, y) };
                prop_assert_eq!(p.contains(x, y), a.contains(x, y), "{},{}", x, y);
            }
        }
    }
}
