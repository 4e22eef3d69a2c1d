//! Divisions over HTTP: children for cascaders, boundaries for the map.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{store, Code, Division};
use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::geojson::{FeatureCollectionTag, FeatureTag, Geometry};
use crate::http::{ApiError, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(children))
        .routes(routes!(boundaries))
        .routes(routes!(at))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ChildrenParams {
    /// Parent code; without it, the user's own jurisdiction root.
    pub parent: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/divisions", tag = "divisions", params(ChildrenParams), responses((status = 200, body = [Division])))]
async fn children(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ChildrenParams>,
) -> Result<axum::Json<Vec<Division>>, ApiError> {
    let scope = authorize(&p, Action::Read, "divisions")?;
    let tree = s.tree();
    let Some(parent) = q.parent.as_deref().filter(|x| !x.is_empty()) else {
        return Ok(axum::Json(
            tree.get(&p.division).cloned().into_iter().collect(),
        ));
    };
    let parent = Code::parse(parent).map_err(|e| {
        ApiError::from(FieldError::new("parent", e.to_string()).code("bad_division"))
    })?;
    // Ancestors of the jurisdiction are not browsable below it.
    if !parent.is_within(&p.division) {
        return Err(ApiError::Forbidden);
    }
    let out = tree
        .children(&parent)
        .into_iter()
        .filter(|d| d.code.starts_with(&scope.prefix))
        .cloned()
        .collect();
    Ok(axum::Json(out))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AtParams {
    pub lon: f64,
    pub lat: f64,
}

/// The deepest division of the reader's jurisdiction with a boundary that
/// holds a point (a point picked on the map: the intake's division).
#[utoipa::path(get, path = "/api/v1/divisions/at", tag = "divisions", params(AtParams),
    responses((status = 200, body = Division), (status = 422, body = crate::http::error::Problem, description = "Not a coordinate, or not inside the jurisdiction")))]
async fn at(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AtParams>,
) -> Result<axum::Json<Division>, ApiError> {
    authorize(&p, Action::Read, "divisions")?;
    for (field, v, max) in [("lon", q.lon, 180.0), ("lat", q.lat, 90.0)] {
        if !(-max..=max).contains(&v) {
            return Err(
                FieldError::new(field, "经度应在 -180 到 180 之间、纬度在 -90 到 90 之间")
                    .code("lon_lat_out_of_range")
                    .into(),
            );
        }
    }
    let tree = s.tree();
    tree.locate(&p.division, q.lon, q.lat)
        .cloned()
        .map(axum::Json)
        .ok_or_else(|| {
            FieldError::new("lon", "该点不在您的管辖范围内")
                .code("point_outside_jurisdiction")
                .into()
        })
}

#[utoipa::path(get, path = "/api/v1/divisions/boundaries", tag = "divisions",
    responses((status = 200, body = BoundaryLayer, description = "GeoJSON FeatureCollection (WGS84) of the boundaries in the user's jurisdiction")))]
async fn boundaries(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<BoundaryLayer>, ApiError> {
    let scope = authorize(&p, Action::Read, "divisions")?;
    // The user's own boundary (even above county level) plus everything below it.
    let own = p.division.as_str().to_string();
    let mut rows = store::boundaries(&s.db, &scope.prefix).await?;
    rows.retain(|(d, _)| d.code.starts_with(&scope.prefix) || d.code == own);
    let mut features = Vec::new();
    for (d, geometry) in rows {
        let geometry: Geometry =
            serde_json::from_str(&geometry).map_err(|e| ApiError::Internal(e.to_string()))?;
        features.push(BoundaryFeature {
            kind: FeatureTag::Feature,
            geometry,
            properties: BoundaryProps {
                code: d.code,
                name: d.name,
                level: d.level.as_str().into(),
            },
        });
    }
    Ok(axum::Json(BoundaryLayer {
        kind: FeatureCollectionTag::FeatureCollection,
        features,
    }))
}

/// `GET /divisions/boundaries`: a GeoJSON FeatureCollection of boundaries.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BoundaryLayer {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<BoundaryFeature>,
}

/// One division's boundary (a MultiPolygon as stored).
#[derive(Serialize, utoipa::ToSchema)]
pub struct BoundaryFeature {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    pub geometry: Geometry,
    pub properties: BoundaryProps,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoundaryProps {
    pub code: String,
    pub name: String,
    /// province | city | county | township | village
    pub level: String,
}
