//! HTTP routes of 重大危险源 (GB 18218-2018): the catalogue, a worksheet
//! computed without saving, and installation units per enterprise graded
//! on every save. A unit linked to a registry hazard source sets that
//! record's level (the registry's hand-picked level is kept only for what
//! the standard does not cover: mines, tailings ponds, pipelines).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::api::{division_param, enterprise, entry, MODULE};
use super::major::{
    self, alpha10, ChemicalCategory, Holding, MajorGrade, Substance, UnitKind, Worksheet,
};
use super::store::{self, Scoped, UnitFilter};
use super::HazardUnit;
use crate::auth::{authorize, Action, Principal, Scope};
use crate::db::{JsonText, Versioned};
use crate::error::{text, FieldError};
use crate::http::{ApiError, Json, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalogue))
        .routes(routes!(worksheet))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, edit_unit))
}

/// α of 表5 as shown: the lowest head count of each band and its α.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AlphaBand {
    pub from_people: i64,
    pub alpha: f64,
}

/// What the forms choose from: GB 18218-2018 表1 (the substances kept
/// here), 表2 with 表4's β, and 表5.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MajorCatalogue {
    pub standard: &'static str,
    pub substances: Vec<SubstanceView>,
    pub categories: Vec<CategoryView>,
    pub alpha: Vec<AlphaBand>,
    /// What the standard does not cover (第1章).
    pub out_of_scope_zh: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SubstanceView {
    #[serde(flatten)]
    pub substance: Substance,
    pub beta: f64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    #[serde(flatten)]
    pub category: ChemicalCategory,
    pub beta: f64,
}

const OUT_OF_SCOPE: &str = "GB 18218-2018 第1章：本标准不适用于核设施、军事设施、采矿业（涉及危险化学品的加工工艺及储存活动除外）、危险化学品的厂外运输（含管道）、海上石油天然气开采。矿山、尾矿库、长输管道不按本标准辨识分级，仍按企业风险管理。";

#[utoipa::path(get, path = "/api/v1/supervision/major-hazards/catalogue", tag = "supervision",
    responses((status = 200, body = MajorCatalogue, description = "GB 18218-2018 tables 1, 2, 4 and 5 as kept here")))]
async fn catalogue(p: Principal) -> Result<axum::Json<MajorCatalogue>, ApiError> {
    authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(MajorCatalogue {
        standard: "GB 18218-2018《危险化学品重大危险源辨识》",
        substances: major::SUBSTANCES
            .iter()
            .map(|s| SubstanceView {
                substance: *s,
                beta: s.beta2 as f64 / 2.0,
            })
            .collect(),
        categories: major::CATEGORIES
            .iter()
            .map(|c| CategoryView {
                category: *c,
                beta: c.beta2 as f64 / 2.0,
            })
            .collect(),
        alpha: [0, 1, 30, 50, 100]
            .into_iter()
            .map(|n| AlphaBand {
                from_people: n,
                alpha: alpha10(n) as f64 / 10.0,
            })
            .collect(),
        out_of_scope_zh: OUT_OF_SCOPE,
    }))
}

/// Holdings and people, to compute a worksheet.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorksheetBody {
    pub holdings: Vec<Holding>,
    pub exposed_people: i64,
}

#[utoipa::path(post, path = "/api/v1/supervision/major-hazards/worksheet", tag = "supervision", request_body = WorksheetBody,
    responses((status = 200, body = Worksheet, description = "S, R and the grade, not saved"), (status = 422, body = crate::http::error::Problem)))]
async fn worksheet(
    p: Principal,
    Json(b): Json<WorksheetBody>,
) -> Result<axum::Json<Worksheet>, ApiError> {
    authorize(&p, Action::Read, MODULE)?;
    major::grade(&b.holdings, b.exposed_people)
        .map(axum::Json)
        .map_err(ApiError::Validation)
}

/// A unit as the API shows it, with its worksheet.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitView {
    #[serde(flatten)]
    pub unit: HazardUnit,
    pub enterprise_name: String,
    pub division_name: String,
    /// 一级 … 四级, or '' when not a major hazard source.
    pub grade_zh: &'static str,
    pub worksheet: Option<Worksheet>,
}

async fn views(s: &AppState, us: Vec<HazardUnit>) -> Result<Vec<UnitView>, ApiError> {
    let mut ids: Vec<i64> = us.iter().map(|u| u.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::enterprise_names(&s.db, &ids).await?;
    let tree = s.tree();
    Ok(us
        .into_iter()
        .map(|u| UnitView {
            enterprise_name: names.get(&u.enterprise_id).cloned().unwrap_or_default(),
            division_name: tree.name(&u.division),
            grade_zh: u.grade.map_or("", MajorGrade::label_zh),
            worksheet: major::grade(&u.holdings, u.exposed_people).ok(),
            unit: u,
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// Division code (default: the user's own).
    pub division: Option<String>,
    pub enterprise_id: Option<i64>,
    pub grade: Option<MajorGrade>,
    /// Only major hazard sources (true) or only units below the threshold.
    pub major: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/supervision/major-hazards", tag = "supervision", params(UnitParams),
    responses((status = 200, body = [UnitView], description = "Installation units in the jurisdiction, highest R first")))]
async fn list_units(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<UnitParams>,
) -> Result<axum::Json<Vec<UnitView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let us = store::units(
        &s.db,
        &Scoped {
            prefix: d.prefix(),
            org: scope.org.as_deref(),
        },
        &UnitFilter {
            enterprise_id: q.enterprise_id,
            grade: q.grade,
            major: q.major,
        },
    )
    .await?;
    Ok(axum::Json(views(&s, us).await?))
}

async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<HazardUnit, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_unit(&s.db, id)
        .await?
        .filter(|u| scope.covers(&u.division, &u.org))
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/supervision/major-hazards/{id}", tag = "supervision",
    responses((status = 200, body = UnitView, description = "One unit with its worksheet")))]
async fn get_unit(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<UnitView>, ApiError> {
    let u = load(&s, &p, id, Action::Read).await?;
    views(&s, vec![u])
        .await?
        .pop()
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// An installation unit as entered.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    /// Only when editing: the version read.
    pub version: Option<i64>,
    /// The enterprise (not changed by an edit).
    pub enterprise_id: i64,
    pub name: String,
    pub unit_kind: UnitKind,
    /// A registry hazard source of the same enterprise whose level the
    /// grade sets.
    pub hazard_source_id: Option<i64>,
    pub holdings: Vec<Holding>,
    /// People outside the plant within 500 m of its boundary.
    pub exposed_people: i64,
    #[serde(default)]
    pub note: String,
}

struct Checked {
    name: String,
    note: String,
    sheet: Worksheet,
}

fn check(b: &UnitBody) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let name = text("name", &b.name, 100, true).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let note = text("note", &b.note, 1000, false).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let sheet = match major::grade(&b.holdings, b.exposed_people) {
        Ok(w) => Some(w),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    match sheet {
        Some(sheet) if errors.is_empty() => Ok(Checked { name, note, sheet }),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn out_of_scope(r: crate::error::Refusal) -> ApiError {
    ApiError::Refused(r)
}

/// The registry hazard source a unit is linked to: of the same enterprise,
/// in the scope, of a class the standard covers.
async fn hazard_source(
    s: &AppState,
    scope: &Scope,
    enterprise_id: i64,
    id: i64,
) -> Result<crate::registry::Item, ApiError> {
    let not_found = || {
        ApiError::from(
            FieldError::new("hazard_source_id", "找不到该企业的这个危险源")
                .code("hazard_source_not_found"),
        )
    };
    let item = crate::registry::store::get(&s.db, &s.tree(), "hazard_source", id)
        .await?
        .filter(|h| scope.covers(&h.division, &h.org))
        .ok_or_else(not_found)?;
    if item.attrs.get("enterprise_id").and_then(Value::as_i64) != Some(enterprise_id) {
        return Err(not_found());
    }
    let class = item
        .attrs
        .get("hazard_class")
        .and_then(Value::as_str)
        .unwrap_or("");
    if major::OUTSIDE_CLASSES.contains(&class) {
        return Err(out_of_scope(
            crate::error::Refusal::new(
                "outside_gb18218",
                "尾矿库、长输管道、矿井不按 GB 18218-2018 辨识分级",
            )
            .param("class", class.to_string()),
        ));
    }
    Ok(item)
}

/// Set the linked hazard source's level to the unit's grade, in `tx`,
/// through the registry (which journals it).
async fn sync_level(
    s: &AppState,
    tx: &mut crate::journal::Change,
    p: &Principal,
    u: &HazardUnit,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let Some(id) = u.hazard_source_id else {
        return Ok(());
    };
    let level = u.grade.map_or("none", MajorGrade::as_str);
    let basis = json!({ "by": "GB 18218-2018", "unit_id": u.id, "r": u.r_value });
    crate::registry::store::set_hazard_level(tx, &s.tree(), id, level, &p.username, basis, now)
        .await?;
    Ok(())
}

fn apply_sheet(u: &mut HazardUnit, c: Checked, b: UnitBody) {
    u.name = c.name;
    u.note = c.note;
    u.unit_kind = b.unit_kind;
    u.hazard_source_id = b.hazard_source_id;
    u.holdings = JsonText(b.holdings);
    u.exposed_people = b.exposed_people;
    u.s_value = c.sheet.s;
    u.r_value = c.sheet.r;
    u.grade = c.sheet.grade;
}

fn payload(u: &HazardUnit) -> Value {
    json!({ "name": u.name, "unit_kind": u.unit_kind, "holdings": u.holdings, "exposed_people": u.exposed_people,
        "s": u.s_value, "r": u.r_value, "grade": u.grade, "hazard_source_id": u.hazard_source_id })
}

#[utoipa::path(post, path = "/api/v1/supervision/major-hazards", tag = "supervision", request_body = UnitBody,
    responses((status = 201, body = UnitView, description = "Identified and graded"), (status = 409, body = crate::http::error::Problem, description = "Outside GB 18218"), (status = 422, body = crate::http::error::Problem)))]
async fn create_unit(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<UnitBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let e = enterprise(&s, &scope, b.enterprise_id).await?;
    if let Some(r) = major::in_scope(&e.category, b.unit_kind) {
        return Err(out_of_scope(r));
    }
    let c = check(&b)?;
    if let Some(id) = b.hazard_source_id {
        hazard_source(&s, &scope, e.id, id).await?;
    }
    let now = OffsetDateTime::now_utc();
    let mut u = HazardUnit {
        id: 0,
        enterprise_id: e.id,
        division: e.division.clone(),
        org: e.org.clone(),
        name: String::new(),
        unit_kind: b.unit_kind,
        hazard_source_id: None,
        holdings: JsonText(Vec::new()),
        exposed_people: 0,
        s_value: 0.0,
        r_value: 0.0,
        grade: None,
        note: String::new(),
        created_by: p.username.clone(),
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    };
    apply_sheet(&mut u, c, b);
    let mut tx = s.change().await?;
    u.id = store::insert_unit(&mut tx, &u).await?;
    let entries = vec![entry(
        &p,
        &u.division,
        "hazard_unit",
        u.id,
        "graded",
        payload(&u),
    )];
    sync_level(&s, &mut tx, &p, &u, now).await?;
    tx.commit(now, entries).await?;
    let v = views(&s, vec![u]).await?;
    Ok((StatusCode::CREATED, axum::Json(v.into_iter().next())).into_response())
}

#[utoipa::path(put, path = "/api/v1/supervision/major-hazards/{id}", tag = "supervision", request_body = UnitBody,
    responses((status = 200, body = UnitView, description = "Regraded"), (status = 409, body = crate::http::error::Problem, description = "Stale version or outside GB 18218")))]
async fn edit_unit(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<UnitBody>,
) -> Result<axum::Json<UnitView>, ApiError> {
    let mut u = load(&s, &p, id, Action::Write).await?;
    let scope = authorize(&p, Action::Write, MODULE)?;
    u.expect_sent(b.version)?;
    let e = enterprise(&s, &scope, u.enterprise_id).await?;
    if let Some(r) = major::in_scope(&e.category, b.unit_kind) {
        return Err(out_of_scope(r));
    }
    let c = check(&b)?;
    if let Some(h) = b.hazard_source_id {
        hazard_source(&s, &scope, e.id, h).await?;
    }
    let now = OffsetDateTime::now_utc();
    let before = payload(&u);
    apply_sheet(&mut u, c, b);
    u.updated_at = now.into();
    let mut tx = s.change().await?;
    tx.save(&u).await?;
    let entries = vec![entry(
        &p,
        &u.division,
        "hazard_unit",
        u.id,
        "regraded",
        json!({ "before": before, "after": payload(&u) }),
    )];
    sync_level(&s, &mut tx, &p, &u, now).await?;
    tx.commit(now, entries).await?;
    let u = load(&s, &p, id, Action::Read).await?;
    views(&s, vec![u])
        .await?
        .pop()
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}
