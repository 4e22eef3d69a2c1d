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
