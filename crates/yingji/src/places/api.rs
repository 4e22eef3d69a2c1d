//! `GET /api/v1/places?q=`: divisions with a boundary inside the reader's
//! jurisdiction, and the located registry records of every kind the reader
//! may read (each kind through `auth::authorize`, like its registry page).

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{rank, sort, Place};
use crate::auth::{authorize, Action, Principal};
use crate::error::FieldError;
use crate::http::{ApiError, Query};
use crate::registry::store::{self, Filter};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(places))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PlaceParams {
    /// Words of the name (or of the address or division).
    pub q: String,
    /// Places returned at most (default 20, at most 100).
    pub limit: Option<i64>,
}

/// Records read per kind at most before ranking.
const PER_KIND: i64 = 50;

#[utoipa::path(get, path = "/api/v1/places", tag = "places", params(PlaceParams),
    responses((status = 200, body = [Place], description = "Places whose name matches, best first"),
        (status = 422, body = crate::http::error::Problem)))]
pub(crate) async fn places(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<PlaceParams>,
) -> Result<axum::Json<Vec<Place>>, ApiError> {
    let text = q.q.trim();
    if text.is_empty() || text.chars().count() > 50 {
        return Err(FieldError::new("q", "请输入地名，最多 50 字")
            .code("required_max")
            .param("max", 50)
            .into());
    }
    let limit = usize::try_from(q.limit.unwrap_or(20).clamp(1, 100)).unwrap_or(20);
    let tree = s.tree();
    let mut out: Vec<Place> = Vec::new();
    if let Ok(scope) = authorize(&p, Action::Read, "divisions") {
        for d in tree.all() {
            let Ok(code) = crate::divisions::Code::parse(&d.code) else {
                continue;
            };
            // Only a division with a boundary of its own is a place.
            let own = tree.boundary_for(&code).is_some_and(|(c, _)| c == code);
            if !own || !scope.covers(&d.code, "") {
                continue;
            }
            let parent = d
                .parent
                .as_deref()
                .map(|c| tree.name(c))
                .unwrap_or_default();
            if rank(text, &d.name, "", &parent).is_none() {
                continue;
            }
            if let Some([lon, lat]) = tree.inner_point(&code) {
                out.push(Place {
                    kind: "division".into(),
                    id: None,
                    name: d.name.clone(),
                    division: d.code.clone(),
                    division_name: d.name.clone(),
                    address: parent,
                    lon,
                    lat,
                });
            }
        }
    }
    // The first word narrows the query; the rank checks the rest.
    let first = text.split_whitespace().next().unwrap_or(text).to_string();
    for spec in crate::resources::KINDS.iter().filter(|k| k.located) {
        let Ok(scope) = authorize(&p, Action::Read, &format!("registry.{}", spec.kind)) else {
            continue;
        };
        let f = Filter {
            q: Some(first.clone()),
            limit: PER_KIND,
            // Names and addresses only: never confirm a masked person.
            q_hidden: &["responsible"],
            ..Default::default()
        };
        let (_, items) = store::list(&s.db, &tree, spec.kind, &scope, &f).await?;
        out.extend(items.into_iter().filter_map(|i| {
            rank(text, &i.name, &i.address, &i.division_name)?;
            Some(Place {
                kind: i.kind,
                id: Some(i.id),
                name: i.name,
                division: i.division,
                division_name: i.division_name,
                address: i.address,
                lon: i.lon,
                lat: i.lat,
            })
        }));
    }
    sort(text, &mut out);
    out.truncate(limit);
    Ok(axum::Json(out))
}
