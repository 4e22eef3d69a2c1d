//! Typed GeoJSON (RFC 7946, WGS84 `[lon, lat]`) for the map layers the API
//! answers: each module's layer is a `FeatureCollection` struct of its own
//! features, built from these parts so that the OpenAPI document (and the
//! web UI's generated types) describe it.

use serde::{Deserialize, Serialize};

/// `"type": "FeatureCollection"`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum FeatureCollectionTag {
    FeatureCollection,
}

/// `"type": "Feature"`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum FeatureTag {
    Feature,
}

/// `"type": "Point"`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum PointTag {
    Point,
}

/// `"type": "LineString"`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum LineStringTag {
    LineString,
}

/// A GeoJSON Point (WGS84 `[lon, lat]`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    pub kind: PointTag,
    pub coordinates: [f64; 2],
}

/// A GeoJSON geometry object (WGS84 `[lon, lat]` positions).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "coordinates")]
pub enum Geometry {
    Point([f64; 2]),
    LineString(Vec<[f64; 2]>),
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}
