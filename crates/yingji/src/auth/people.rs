//! 人员: who did what, by name and position, never by login (issue #19:
//! people, not logins). `GET /api/v1/people` lists the users whose names a
//! reader may see; the UI shows `display_name（position）` wherever a record
//! names its author, approver or actor.

use axum::extract::State;
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{authorize, store, Action, Principal};
use crate::divisions::Code;
use crate::http::ApiError;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(people))
}

/// A user as others see them: no role, no state, no contact details.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub username: String,
    pub display_name: String,
    /// 职务; may be empty.
    pub position: String,
    pub division: String,
    pub division_name: String,
}

/// Whose names a reader sees: the users of their own jurisdiction and of
/// the levels above it (a city commander acts in every county), never a
/// neighbouring county's or township's.
pub fn visible(reader: &Code, user: &Code) -> bool {
    user.is_within(reader) || reader.is_within(user)
}

#[utoipa::path(get, path = "/api/v1/people", tag = "auth",
    responses((status = 200, body = [PersonView], description = "Users whose names the reader may see: their jurisdiction and the levels above it")))]
async fn people(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<PersonView>>, ApiError> {
    authorize(&p, Action::Read, "people")?;
    let tree = s.tree();
    let out = store::list(&s.db, "")
        .await?
        .into_iter()
        .filter(|u| Code::parse(&u.division).is_ok_and(|c| visible(&p.division, &c)))
        .map(|u| PersonView {
            division_name: tree.name(&u.division),
            username: u.username,
            display_name: u.display_name,
            position: u.position,
            division: u.division,
        })
        .collect();
    Ok(axum::Json(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_their_jurisdiction_and_the_levels_above() {
        let c = |s: &str| Code::parse(s).unwrap();
        let rows = [
            // reader, user, visible
            ("140213", "140213", true),              // own county
            ("140213", "140213001000", true),        // a township of it
            ("140213", "140200", true),              // the city above
            ("140213", "140000", true),              // the province above
            ("140213", "140214", false),             // the neighbouring county
            ("140213", "140214001000", false),       // a township of the neighbour
            ("140213001000", "140213", true),        // a township reader: its county
            ("140213001000", "140213002000", false), // the next township
            ("140200", "140226", true),              // the city sees every county
        ];
        for (reader, user, want) in rows {
            assert_eq!(visible(&c(reader), &c(user)), want, "{reader} → {user}");
        }
    }
}
