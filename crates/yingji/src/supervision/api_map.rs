//! `GET /api/v1/supervision/risk-map`: the four-colour map (四色图) — each
//! enterprise with assessed risk points at its position, in the colour of
//! its highest risk (`supervision::enterprise_level`), with the count of
//! its points of each level. Risk points have no position of their own
//! (a `location` text): they are shown at their enterprise.

use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::api::{division_param, MODULE};
use super::store::{self, Scoped};
use super::{enterprise_level, RiskLevel};
use crate::auth::{authorize, Action, Principal};
use crate::http::{ApiError, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(risk_map))
}

/// An enterprise on the four-colour map.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RiskMapPoint {
    pub enterprise_id: i64,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The highest level of its risk points.
    pub level: RiskLevel,
    /// red | orange | yellow | blue
    pub colour: &'static str,
    /// Its risk points by level: major, significant, general, low.
    pub points: [i64; 4],
}

/// The map: enterprises, most dangerous last (drawn on top), and how many
/// enterprises are of each colour (red, orange, yellow, blue).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RiskMap {
    pub items: Vec<RiskMapPoint>,
    pub red: i64,
    pub orange: i64,
    pub yellow: i64,
    pub blue: i64,
}

/// The map of `(enterprise, name, lon, lat, level, count)` rows (several
/// per enterprise, one per level). Pure.
pub fn fold(rows: Vec<(i64, String, f64, f64, RiskLevel, i64)>) -> RiskMap {
    let mut by: BTreeMap<i64, (RiskMapPoint, Vec<RiskLevel>)> = BTreeMap::new();
    for (id, name, lon, lat, level, n) in rows {
        let e = by.entry(id).or_insert_with(|| {
            (
                RiskMapPoint {
                    enterprise_id: id,
                    name,
                    lon,
                    lat,
                    level,
                    colour: "",
                    points: [0; 4],
                },
                Vec::new(),
            )
        });
        let slot = match level {
            RiskLevel::Major => 0,
            RiskLevel::Significant => 1,
            RiskLevel::General => 2,
            RiskLevel::Low => 3,
        };
        e.0.points[slot] += n;
        e.1.push(level);
    }
    let mut map = RiskMap {
        items: Vec::new(),
        red: 0,
        orange: 0,
        yellow: 0,
        blue: 0,
    };
    for (_, (mut p, levels)) in by {
        let Some(level) = enterprise_level(levels) else {
            continue;
        };
        p.level = level;
        p.colour = level.colour();
        *match level {
            RiskLevel::Major => &mut map.red,
            RiskLevel::Significant => &mut map.orange,
            RiskLevel::General => &mut map.yellow,
            RiskLevel::Low => &mut map.blue,
        } += 1;
        map.items.push(p);
    }
    map.items.sort_by_key(|p| (p.level, p.enterprise_id));
    map
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RiskMapParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/supervision/risk-map", tag = "supervision", params(RiskMapParams),
    responses((status = 200, body = RiskMap, description = "The four-colour map: enterprises in the jurisdiction (an enterprise user: their own) in the colour of their highest risk")))]
async fn risk_map(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RiskMapParams>,
) -> Result<axum::Json<RiskMap>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let rows = store::risk_map(
        &s.db,
        &Scoped {
            prefix: d.prefix(),
            org: scope.org.as_deref(),
        },
    )
    .await?;
    Ok(axum::Json(fold(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RiskLevel::*;

    #[test]
    fn an_enterprise_is_drawn_in_its_highest_colour() {
        let row = |id: i64, level, n| (id, format!("企业{id}"), 113.0, 40.0, level, n);
        let map = fold(vec![
            row(1, Low, 3),
            row(1, Major, 1),
            row(2, General, 2),
            row(3, Low, 5),
            row(4, Significant, 1),
            row(4, General, 4),
        ]);
        let got: Vec<_> = map
            .items
            .iter()
            .map(|p| (p.enterprise_id, p.colour, p.points))
            .collect();
        assert_eq!(
            got,
            [
                (3, "blue", [0, 0, 0, 5]),
                (2, "yellow", [0, 0, 2, 0]),
                (4, "orange", [0, 1, 4, 0]),
                (1, "red", [1, 0, 0, 3]),
            ],
            "most dangerous last, drawn on top"
        );
        assert_eq!((map.red, map.orange, map.yellow, map.blue), (1, 1, 1, 1));
        assert_eq!(fold(vec![]).items, vec![]);
    }
}
