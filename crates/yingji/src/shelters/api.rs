//! HTTP routes of shelters in operation: the shelters of the jurisdiction
//! with their occupancy, one shelter with its households, open (启用),
//! close, register a household in and out. Every request: parse →
//! `auth::authorize(…, "shelters")` (the shelter's division; the heads'
//! names and phones in clear only with `ReadPersonal`) → rules → one change
//! with its journal entries (personal data by reference).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::model::{Household, Opening};
use super::store;
use super::{
    check_close, check_household, check_in, check_open, check_out, occupancy, NewHousehold,
    Occupancy, Size, MODULE,
};
use crate::auth::{authorize, Action, Principal};
use crate::db::{UtcText, Versioned};
use crate::error::FieldError;
use crate::http::{ApiError, Json};
use crate::journal::{NewEntry, PERSONAL_KEY};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shelters))
        .routes(routes!(get_shelter))
        .routes(routes!(open_shelter))
        .routes(routes!(close_shelter))
        .routes(routes!(check_in_household))
        .routes(routes!(check_out_household))
}

fn size_of(item: &crate::registry::Item) -> Size {
    let num = |k: &str| item.attrs.get(k).and_then(Value::as_f64);
    Size {
        area_m2: num("area_m2").unwrap_or(0.0),
        capacity: num("capacity").map(|v| v as i64),
        served_population: num("served_population").map(|v| v as i64),
    }
}

/// A shelter with its opening and occupancy.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ShelterView)]
pub struct ShelterView {
    pub id: i64,
    pub name: String,
    pub division: String,
    pub division_name: String,
    pub lon: f64,
    pub lat: f64,
    /// 有效面积 (m²)
    pub area_m2: f64,
    pub served_population: Option<i64>,
    /// The opening now (none: not in operation).
    pub open: Option<Opening>,
    pub occupancy: Occupancy,
    /// The user may open, close and register households.
    pub writes: bool,
}

/// A shelter with the households of its opening now and its openings.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ShelterDetail)]
pub struct ShelterDetail {
    #[serde(flatten)]
    pub view: ShelterView,
    /// Of the opening now: still in first (names and phones masked without
    /// the right to read personal data).
    pub households: Vec<Household>,
    /// Newest first.
    pub openings: Vec<Opening>,
}

fn view(
    s: &AppState,
    p: &Principal,
    item: crate::registry::Item,
    open: Option<(Opening, i64, i64)>,
) -> ShelterView {
    let min = s.config.shelters.min_area_per_person_m2;
    let size = size_of(&item);
    let (households, people) = open.as_ref().map_or((0, 0), |o| (o.1, o.2));
    ShelterView {
        writes: authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&item.division, "")),
        id: item.id,
        name: item.name,
        division: item.division,
        division_name: item.division_name,
        lon: item.lon,
        lat: item.lat,
        area_m2: size.area_m2,
        served_population: size.served_population,
        open: open.map(|o| o.0),
        occupancy: occupancy(size, households, people, min),
    }
}

#[utoipa::path(get, path = "/api/v1/shelters", tag = "shelters",
    responses((status = 200, body = [ShelterView], description = "The shelters of the user's jurisdiction: opening, occupancy, free places, per-person area against GB 21734-2008 §5.4")))]
pub async fn list_shelters(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<ShelterView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let mut counts = store::open_counts(&s.db, &scope.prefix).await?;
    let items = store::shelters(&s.db, &s.tree(), &scope.prefix).await?;
    Ok(axum::Json(
        items
            .into_iter()
            .map(|i| {
                let open = counts.remove(&i.id);
                view(&s, &p, i, open)
            })
            .collect(),
    ))
}

/// The shelter if the user may `action` it; another jurisdiction's does not
/// exist for them.
async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<crate::registry::Item, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    crate::registry::store::get(&s.db, &s.tree(), "shelter", id)
        .await?
        .filter(|i| scope.covers(&i.division, ""))
        .ok_or(ApiError::NotFound)
}

fn masked(p: &Principal, mut hs: Vec<Household>) -> Vec<Household> {
    let clear = authorize(p, Action::ReadPersonal, MODULE).ok();
    for h in &mut hs {
        mask_unless(
            clear.as_ref(),
            &h.division,
            [&mut h.head_name, &mut h.phone],
        );
    }
    hs
}

/// Mask personal values of a record in `division` unless `clear` (the
/// reader's right to read personal data) covers it. Shelters' households
/// and the supplies distribution lists show names through this.
pub(crate) fn mask_unless<const N: usize>(
    clear: Option<&crate::auth::Scope>,
    division: &str,
    values: [&mut String; N],
) {
    if clear.is_some_and(|c| c.covers(division, "")) {
        return;
    }
    for v in values {
        if let Value::String(m) = crate::registry::mask(&Value::String(v.clone())) {
            *v = m;
        }
    }
}

async fn detail(
    s: &AppState,
    p: &Principal,
    item: crate::registry::Item,
) -> Result<ShelterDetail, ApiError> {
    let open = store::open_of(&s.db, item.id).await?;
    let households = match &open {
        Some(o) => store::households(&s.db, o.id).await?,
        None => Vec::new(),
    };
    let counts = in_now(&households);
    let openings = store::openings(&s.db, item.id).await?;
    Ok(ShelterDetail {
        view: view(s, p, item, open.map(|o| (o, counts.0, counts.1))),
        households: masked(p, households),
        openings,
    })
}

#[utoipa::path(get, path = "/api/v1/shelters/{id}", tag = "shelters",
    responses((status = 200, body = ShelterDetail, description = "One shelter with its households and openings")))]
pub async fn get_shelter(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<ShelterDetail>, ApiError> {
    let item = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, item).await?))
}

/// Opening a shelter (启用).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OpenShelterBody)]
pub struct OpenBody {
    /// The incident it is opened for.
    #[serde(default)]
    pub incident_id: Option<i64>,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/shelters/{id}/open", tag = "shelters", request_body = OpenBody,
    responses((status = 200, body = ShelterDetail, description = "Opened (启用)"),
        (status = 409, body = crate::http::error::Problem, description = "Already open")))]
pub async fn open_shelter(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<OpenBody>,
) -> Result<axum::Json<ShelterDetail>, ApiError> {
    let item = load(&s, &p, id, Action::Write).await?;
    let note = crate::error::text("note", &b.note, 500, false).map_err(ApiError::from)?;
    if let Some(i) = b.incident_id {
        let read = authorize(&p, Action::Read, "incidents")?;
        crate::incidents::store::get_incident(&s.db, i)
            .await?
            .filter(|x| read.covers(&x.division, ""))
            .ok_or_else(|| {
                ApiError::from(
                    FieldError::new("incident_id", "找不到该事件或不在您的管辖范围内")
                        .code("incident_not_found"),
                )
            })?;
    }
    check_open(store::open_of(&s.db, id).await?.as_ref())?;
    let now = OffsetDateTime::now_utc();
    let mut o = Opening {
        id: 0,
        shelter_id: id,
        division: item.division.clone(),
        incident_id: b.incident_id,
        opened_at: UtcText(now),
        opened_by: p.username.clone(),
        closed_at: None,
        closed_by: String::new(),
        note,
        version: 1,
    };
    let mut tx = s.change().await?;
    o.id = store::insert_opening(&mut tx, &o).await.map_err(|e| {
        if e.is_unique_violation() {
            ApiError::from(crate::error::RuleError::State(crate::error::Refusal::new(
                "shelter_already_open",
                "该避难场所已启用",
            )))
        } else {
            e.into()
        }
    })?;
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &item.division,
            "shelter",
            id,
            "opened",
            json!({ "opening_id": o.id, "incident_id": o.incident_id, "note": o.note }),
        )],
    )
    .await?;
    Ok(axum::Json(detail(&s, &p, item).await?))
}

/// The households still in an opening and their people (none when the
/// shelter is not open).
async fn inside(s: &AppState, open: Option<&Opening>) -> Result<(i64, i64), ApiError> {
    let Some(o) = open else {
        return Ok((0, 0));
    };
    Ok(in_now(&store::households(&s.db, o.id).await?))
}

/// Households not checked out, and their people.
fn in_now(hs: &[Household]) -> (i64, i64) {
    hs.iter()
        .filter(|h| h.checked_out_at.is_none())
        .fold((0, 0), |(n, people), h| (n + 1, people + h.members))
}

/// The version read of an opening or a household.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ShelterVersionBody)]
pub struct VersionBody {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/shelters/{id}/close", tag = "shelters", request_body = VersionBody,
    responses((status = 200, body = ShelterDetail, description = "Closed (the opening's version read)"),
        (status = 409, body = crate::http::error::Problem, description = "Not open, households still in, or stale")))]
pub async fn close_shelter(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<VersionBody>,
) -> Result<axum::Json<ShelterDetail>, ApiError> {
    let item = load(&s, &p, id, Action::Write).await?;
    let open = store::open_of(&s.db, id).await?;
    let (inside, _) = inside(&s, open.as_ref()).await?;
    check_close(open.as_ref(), inside)?;
    let Some(mut o) = open else {
        return Err(ApiError::NotFound);
    };
    o.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    o.closed_at = Some(UtcText(now));
    o.closed_by = p.username.clone();
    let mut tx = s.change().await?;
    tx.save(&o).await?;
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &item.division,
            "shelter",
            id,
            "closed",
            json!({ "opening_id": o.id }),
        )],
    )
    .await?;
    Ok(axum::Json(detail(&s, &p, item).await?))
}

#[utoipa::path(post, path = "/api/v1/shelters/{id}/households", tag = "shelters", request_body = NewHousehold,
    responses((status = 201, body = ShelterDetail, description = "Registered in"),
        (status = 409, body = crate::http::error::Problem, description = "Not open, or not enough free places"),
        (status = 422, body = crate::http::error::Problem, description = "A wrong field (a full ID number: id_last4_only)")))]
pub async fn check_in_household(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<NewHousehold>,
) -> Result<Response, ApiError> {
    let item = load(&s, &p, id, Action::Write).await?;
    let h = check_household(&b).map_err(ApiError::Validation)?;
    let open = store::open_of(&s.db, id).await?;
    let (households, people) = inside(&s, open.as_ref()).await?;
    let occ = occupancy(
        size_of(&item),
        households,
        people,
        s.config.shelters.min_area_per_person_m2,
    );
    check_in(open.as_ref(), &occ, h.members)?;
    let Some(o) = open else {
        return Err(ApiError::NotFound);
    };
    let now = OffsetDateTime::now_utc();
    let mut rec = Household {
        id: 0,
        opening_id: o.id,
        shelter_id: id,
        division: item.division.clone(),
        head_name: h.head_name,
        id_last4: h.id_last4,
        phone: h.phone,
        members: h.members,
        origin_village: h.origin_village,
        special_needs: h.special_needs,
        checked_in_at: UtcText(now),
        checked_in_by: p.username.clone(),
        checked_out_at: None,
        checked_out_by: String::new(),
        version: 1,
    };
    let mut payload = json!({ "shelter_id": id, "opening_id": o.id, "members": rec.members,
        "origin_village": rec.origin_village, "special_needs": rec.special_needs });
    payload[PERSONAL_KEY] =
        json!({ "head_name": rec.head_name, "id_last4": rec.id_last4, "phone": rec.phone });
    let mut tx = s.change().await?;
    // Registrations of one shelter go one after the other: the opening's
    // version moves with each, so two at once cannot both take the last
    // free places (the second is stale and tries again).
    let mut bumped = o.clone();
    bumped.closed_at = None;
    tx.save(&bumped).await?;
    rec.id = store::insert_household(&mut tx, &rec).await?;
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &item.division,
            "household",
            rec.id,
            "checked_in",
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, item).await?)).into_response())
}

#[utoipa::path(post, path = "/api/v1/shelters/households/{id}/out", tag = "shelters", request_body = VersionBody,
    responses((status = 200, body = ShelterDetail, description = "Registered out"),
        (status = 409, body = crate::http::error::Problem, description = "Already out, or stale")))]
pub async fn check_out_household(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<VersionBody>,
) -> Result<axum::Json<ShelterDetail>, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let mut h = store::household(&s.db, id)
        .await?
        .filter(|h| scope.covers(&h.division, ""))
        .ok_or(ApiError::NotFound)?;
    check_out(&h)?;
    h.expect_version(b.version)?;
    let item = load(&s, &p, h.shelter_id, Action::Write).await?;
    let now = OffsetDateTime::now_utc();
    h.checked_out_at = Some(UtcText(now));
    h.checked_out_by = p.username.clone();
    let mut tx = s.change().await?;
    tx.save(&h).await?;
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &item.division,
            "household",
            h.id,
            "checked_out",
            json!({ "shelter_id": h.shelter_id, "members": h.members }),
        )],
    )
    .await?;
    Ok(axum::Json(detail(&s, &p, item).await?))
}
