//! HTTP routes of every registry kind: parse → authorize → validate → store
//! + journal in one transaction → respond.

use crate::db::Versioned;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{
    io, store, validate_with, Aids, Ctx, Dictionaries, FieldType, ImportJournal, Item, KindSpec,
    Opt, Valid,
};
use crate::auth::{authorize, Action, Principal, Role, Scope};
use crate::error::FieldError;
use crate::http::geojson::{FeatureCollectionTag, FeatureTag, PointGeometry, PointTag};
use crate::http::{ApiError, Json, Query};
use crate::journal::{self, NewEntry};
use crate::resources;
use crate::state::AppState;

/// `max_import`: the largest import file in bytes (`max_import_mb`).
pub fn routes(max_import: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schemas))
        .routes(routes!(list, create))
        .routes(routes!(layer))
        .routes(routes!(export))
        .routes(routes!(template))
        .routes(routes!(import).layer(DefaultBodyLimit::max(max_import + 64 * 1024)))
        .routes(routes!(get_one, update, remove))
        .routes(routes!(counts))
}

fn module(spec: &KindSpec) -> String {
    format!("registry.{}", spec.kind)
}

/// The text search of a reader who sees some of the records masked does
/// not look in the personal-data columns.
fn searchable(p: &Principal, spec: &KindSpec, read: &Scope, mut f: store::Filter) -> store::Filter {
    let clear = authorize(p, Action::ReadPersonal, &module(spec)).ok();
    if clear.as_ref() != Some(read) {
        f.q_hidden = spec.personal;
    }
    f
}

/// One record as `p` may see it (personal data masked without the right).
fn shown(p: &Principal, spec: &KindSpec, item: Item) -> Item {
    let mut one = [item];
    super::redact_for(p, spec, &mut one);
    let [item] = one;
    item
}

fn spec_of(kind: &str) -> Result<&'static KindSpec, ApiError> {
    resources::kind(kind).ok_or(ApiError::NotFound)
}

/// One field as the UI renders it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldSchema {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub required: bool,
    pub common: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<Opt>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Schema {
    pub kind: String,
    pub label_zh: String,
    pub label_en: String,
    pub fields: Vec<FieldSchema>,
    /// Records are places with a map layer (false: contacts).
    pub located: bool,
}

fn schema_of(spec: &KindSpec, dicts: &Dictionaries) -> Schema {
    let fields = spec
        .all_fields()
        .map(|f| {
            let (ty, options, min, max) = match f.ty {
                FieldType::Text { .. } => ("text", None, None, None),
                FieldType::Int { min, max } => ("int", None, Some(min as f64), Some(max as f64)),
                FieldType::Float { min, max } => ("float", None, Some(min), Some(max)),
                FieldType::Enum(opts) => (
                    "enum",
                    Some(
                        opts.iter()
                            .map(|(v, zh, en)| Opt {
                                value: (*v).into(),
                                label_zh: (*zh).into(),
                                label_en: (*en).into(),
                            })
                            .collect(),
                    ),
                    None,
                    None,
                ),
                FieldType::Dict(d) => (
                    "enum",
                    Some(dicts.get(d).cloned().unwrap_or_default()),
                    None,
                    None,
                ),
                FieldType::Phone => ("phone", None, None, None),
                FieldType::Division => ("division", None, None, None),
                FieldType::Lon => ("lon", None, Some(-180.0), Some(180.0)),
                FieldType::Lat => ("lat", None, Some(-90.0), Some(90.0)),
                FieldType::List => ("list", None, None, None),
            };
            FieldSchema {
                key: f.key.into(),
                label_zh: f.zh.into(),
                label_en: f.en.into(),
                type_: ty.into(),
                required: f.required,
                common: super::COMMON.iter().any(|c| c.key == f.key),
                options,
                min,
                max,
            }
        })
        .collect();
    Schema {
        kind: spec.kind.into(),
        label_zh: spec.zh.into(),
        label_en: spec.en.into(),
        fields,
        located: spec.located,
    }
}

#[utoipa::path(get, path = "/api/v1/registries", tag = "registries", responses((status = 200, body = [Schema])))]
async fn schemas(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Schema>>, ApiError> {
    let dicts = store::load_dictionaries(&s.db).await?;
    let out = resources::KINDS
        .iter()
        .filter(|k| authorize(&p, Action::Read, &module(k)).is_ok())
        .map(|k| schema_of(k, &dicts))
        .collect();
    Ok(axum::Json(out))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ListParams {
    /// Division code: only records in its subtree.
    pub division: Option<String>,
    /// Text in name, address or person in charge.
    pub q: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// minLon,minLat,maxLon,maxLat
    pub bbox: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ListParams {
    fn filter(&self, max_limit: i64) -> Result<store::Filter, ApiError> {
        let division = match self
            .division
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => Some(
                crate::divisions::Code::parse(d)
                    .map_err(|e| ApiError::field("division", "bad_division", e.to_string()))?
                    .prefix()
                    .to_string(),
            ),
            None => None,
        };
        let bbox = match self.bbox.as_deref().filter(|b| !b.is_empty()) {
            Some(b) => {
                let bb = yingji_geo::area::BBox::parse(b)
                    .map_err(|e| ApiError::field("bbox", "bad_bbox", e.to_string()))?;
                Some([bb.min_lon, bb.min_lat, bb.max_lon, bb.max_lat])
            }
            None => None,
        };
        let nonempty = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        Ok(store::Filter {
            division,
            q: nonempty(&self.q),
            category: nonempty(&self.category),
            status: nonempty(&self.status),
            bbox,
            limit: self.limit.unwrap_or(50).clamp(1, max_limit),
            offset: self.offset.unwrap_or(0).max(0),
            q_hidden: &[],
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Page {
    pub total: i64,
    pub items: Vec<Item>,
}

#[utoipa::path(get, path = "/api/v1/registries/{kind}", tag = "registries", params(("kind" = String, Path), ListParams),
    responses((status = 200, body = Page), (status = 403, body = crate::http::error::Problem)))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Page>, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Read, &module(spec))?;
    let f = searchable(&p, spec, &scope, q.filter(500)?);
    let (total, mut items) = store::list(&s.db, &s.tree(), spec.kind, &scope, &f).await?;
    super::redact_for(&p, spec, &mut items);
    Ok(axum::Json(Page { total, items }))
}

#[utoipa::path(get, path = "/api/v1/registries/{kind}/{id}", tag = "registries", params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 404, body = crate::http::error::Problem)))]
async fn get_one(
    State(s): State<AppState>,
    p: Principal,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<axum::Json<Item>, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Read, &module(spec))?;
    let item = store::get(&s.db, &s.tree(), spec.kind, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Outside the scope looks the same as absent: no probing of other jurisdictions.
    if !scope.covers(&item.division, &item.org) {
        return Err(ApiError::NotFound);
    }
    Ok(axum::Json(shown(&p, spec, item)))
}

/// The org that owns a record written by `p` (enterprise records own themselves).
fn owner_org(spec: &KindSpec, p: &Principal, v: &Valid, scope: &Scope) -> String {
    if let Some(org) = &scope.org {
        return org.clone();
    }
    match spec.kind {
        "hazard_source" => v
            .attrs
            .get("enterprise_id")
            .and_then(Value::as_i64)
            .map(|id| format!("enterprise:{id}"))
            .unwrap_or_default(),
        _ => {
            let _ = p;
            String::new()
        }
    }
}

fn prepare(
    spec: &KindSpec,
    p: &Principal,
    scope: &Scope,
    input: &Map<String, Value>,
    s: &AppState,
    dicts: &Dictionaries,
) -> Result<Valid, Vec<FieldError>> {
    let allow = &s.config.warnings.channels.webhook.allow;
    prepare_with(spec, p, scope, input, &s.tree(), dicts, allow, None)
}

#[allow(clippy::too_many_arguments)]
fn prepare_with(
    spec: &KindSpec,
    p: &Principal,
    scope: &Scope,
    input: &Map<String, Value>,
    tree: &crate::divisions::Tree,
    dicts: &Dictionaries,
    webhook_allow: &yingji_channels::AllowList,
    aids: Option<&Aids>,
) -> Result<Valid, Vec<FieldError>> {
    let ctx = Ctx {
        tree,
        dicts,
        scope,
        scope_code: &p.division,
        webhook_allow,
    };
    let mut v = validate_with(spec, input, &ctx, aids)?;
    if p.role == Role::Enterprise && spec.kind == "hazard_source" {
        if let Some(id) = p
            .org
            .strip_prefix("enterprise:")
            .and_then(|i| i.parse::<i64>().ok())
        {
            v.attrs.insert("enterprise_id".into(), Value::from(id));
        }
    }
    Ok(v)
}

fn entry(
    p: &Principal,
    spec: &KindSpec,
    id: i64,
    division: &str,
    kind: &'static str,
    mut payload: Value,
) -> NewEntry {
    by_reference(spec, &mut payload);
    NewEntry::new(
        &p.username,
        "registry",
        division,
        spec.kind,
        id,
        kind,
        payload,
    )
}

/// Hand the kind's personal fields to the journal by reference
/// (`journal::PERSONAL_KEY`), so that deleting the record can erase them
/// from the journal too without breaking its hash chain.
fn by_reference(spec: &KindSpec, payload: &mut Value) {
    let Value::Object(m) = payload else {
        return;
    };
    let mut personal = Map::new();
    let mut attrs = Map::new();
    for key in spec.personal {
        if let Some(v) = m.remove(*key) {
            personal.insert((*key).to_string(), v);
        }
        if let Some(Value::Object(a)) = m.get_mut("attrs") {
            if let Some(v) = a.remove(*key) {
                attrs.insert((*key).to_string(), v);
            }
        }
    }
    if !attrs.is_empty() {
        personal.insert("attrs".into(), Value::Object(attrs));
    }
    if !personal.is_empty() {
        m.insert(journal::PERSONAL_KEY.into(), Value::Object(personal));
    }
}

fn item_payload(v: &Valid) -> Value {
    serde_json::json!({
        "name": v.name, "division": v.division, "lon": v.lon, "lat": v.lat, "address": v.address,
        "responsible": v.responsible, "phone": v.phone, "duty_phone": v.duty_phone, "status": v.status, "attrs": v.attrs,
    })
}

#[utoipa::path(post, path = "/api/v1/registries/{kind}", tag = "registries", params(("kind" = String, Path)), request_body = Object,
    responses((status = 201, body = Item), (status = 422, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Write, &module(spec))?;
    if spec.kind == "enterprise" && scope.org.is_some() {
        return Err(ApiError::Forbidden); // enterprise users cannot create other enterprises
    }
    let dicts = store::load_dictionaries(&s.db).await?;
    let v = prepare(spec, &p, &scope, &super::flatten_body(body), &s, &dicts)
        .map_err(ApiError::Validation)?;
    let org = owner_org(spec, &p, &v, &scope);
    if !scope.covers(v.division.as_str(), &org) {
        return Err(ApiError::Forbidden);
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let id = store::insert(&mut tx, spec.kind, &v, &org, now).await?;
    if spec.kind == "enterprise" {
        store::set_org(&mut tx, id, &format!("enterprise:{id}")).await?;
    }
    tx.journal(
        now,
        vec![entry(
            &p,
            spec,
            id,
            v.division.as_str(),
            "created",
            item_payload(&v),
        )],
    )
    .await?;
    let item = store::get_tx(&mut tx, &s.tree(), spec.kind, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit(now, vec![]).await?;
    Ok((StatusCode::CREATED, axum::Json(shown(&p, spec, item))).into_response())
}

#[utoipa::path(put, path = "/api/v1/registries/{kind}/{id}", tag = "registries", params(("kind" = String, Path), ("id" = i64, Path)), request_body = Object,
    responses((status = 200, body = Item), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn update(
    State(s): State<AppState>,
    p: Principal,
    Path((kind, id)): Path<(String, i64)>,
    Json(body): Json<Map<String, Value>>,
) -> Result<axum::Json<Item>, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Write, &module(spec))?;
    let version = body
        .get("version")
        .and_then(Value::as_i64)
        .ok_or(crate::db::SentVersion::Missing)?;
    let dicts = store::load_dictionaries(&s.db).await?;
    let v = prepare(spec, &p, &scope, &super::flatten_body(body), &s, &dicts)
        .map_err(ApiError::Validation)?;
    let now = time::OffsetDateTime::now_utc();
    let tree = s.tree();
    let mut tx = s.change().await?;
    let old = store::get_tx(&mut tx, &tree, spec.kind, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !scope.covers(&old.division, &old.org) {
        return Err(ApiError::NotFound);
    }
    let org = if spec.kind == "enterprise" {
        old.org.clone()
    } else {
        owner_org(spec, &p, &v, &scope)
    };
    if !scope.covers(v.division.as_str(), &org) {
        return Err(ApiError::Forbidden);
    }
    old.expect_version(version)?;
    let previous = old.version;
    tx.save(&old.edited(&v, org, now)).await?;
    let mut payload = item_payload(&v);
    payload["previous_version"] = Value::from(previous);
    tx.journal(
        now,
        vec![entry(&p, spec, id, v.division.as_str(), "updated", payload)],
    )
    .await?;
    let item = store::get_tx(&mut tx, &tree, spec.kind, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    tx.commit(now, vec![]).await?;
    Ok(axum::Json(shown(&p, spec, item)))
}

#[utoipa::path(delete, path = "/api/v1/registries/{kind}/{id}", tag = "registries", params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
async fn remove(
    State(s): State<AppState>,
    p: Principal,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Write, &module(spec))?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let old = store::get_tx(&mut tx, &s.tree(), spec.kind, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !scope.covers(&old.division, &old.org) {
        return Err(ApiError::NotFound);
    }
    if spec.kind == "enterprise" && scope.org.is_some() {
        return Err(ApiError::Forbidden);
    }
    store::delete(&mut tx, spec.kind, id).await?;
    let payload = serde_json::to_value(&old).unwrap_or(Value::Null);
    tx.journal(
        now,
        vec![entry(&p, spec, id, &old.division, "deleted", payload)],
    )
    .await?;
    // What the journal holds of the record's personal data goes with it.
    journal::forget_personal(&mut tx, "registry", spec.kind, &id.to_string()).await?;
    tx.commit(now, vec![]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/registries/{kind}/layer", tag = "registries", params(("kind" = String, Path), ListParams),
    responses((status = 200, body = RegistryLayer, description = "GeoJSON FeatureCollection of points (WGS84)")))]
async fn layer(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<RegistryLayer>, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Read, &module(spec))?;
    let mut f = searchable(&p, spec, &scope, q.filter(100_000)?);
    f.limit = q.limit.unwrap_or(20_000).clamp(1, 100_000);
    let (_, mut items) = store::list(&s.db, &s.tree(), spec.kind, &scope, &f).await?;
    super::redact_for(&p, spec, &mut items);
    let features = items
        .iter()
        .map(|it| RegistryPoint {
            kind: FeatureTag::Feature,
            geometry: PointGeometry {
                kind: PointTag::Point,
                coordinates: [it.lon, it.lat],
            },
            properties: RegistryPointProps {
                id: it.id,
                kind: it.kind.clone(),
                name: it.name.clone(),
                category: it.category.clone(),
                status: it.status.clone(),
                division: it.division.clone(),
                division_name: it.division_name.clone(),
            },
        })
        .collect();
    Ok(axum::Json(RegistryLayer {
        kind: FeatureCollectionTag::FeatureCollection,
        features,
    }))
}

/// `GET /registries/{kind}/layer`: a GeoJSON FeatureCollection of points.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistryLayer {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<RegistryPoint>,
}

/// A registry record as a GeoJSON Feature.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistryPoint {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    pub geometry: PointGeometry,
    pub properties: RegistryPointProps,
}

/// What a map point carries of its record.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistryPointProps {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub category: String,
    pub status: String,
    pub division: String,
    pub division_name: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FormatParams {
    /// csv (default) or xlsx
    pub format: Option<String>,
}

fn file_response(spec: &KindSpec, format: io::Format, bytes: Vec<u8>, suffix: &str) -> Response {
    let (mime, ext) = match format {
        io::Format::Csv => ("text/csv; charset=utf-8", "csv"),
        io::Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name = format!("{}{suffix}.{ext}", spec.kind);
    let zh = format!("{}{suffix}.{ext}", spec.zh);
    let disposition = format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(zh.as_bytes()).collect::<String>()
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn format_param(f: &Option<String>) -> Result<io::Format, ApiError> {
    match f.as_deref() {
        None | Some("") => Ok(io::Format::Csv),
        Some(x) => io::Format::parse(x).ok_or_else(|| {
            FieldError::new("format", "应为 csv 或 xlsx")
                .code("not_an_option")
                .param("value", x)
                .param("options", "csv, xlsx")
                .into()
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/registries/{kind}/export", tag = "registries", params(("kind" = String, Path), FormatParams, ListParams),
    responses((status = 200, description = "CSV (UTF-8 with BOM) or XLSX file")))]
async fn export(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    Query(fp): Query<FormatParams>,
    Query(q): Query<ListParams>,
) -> Result<Response, ApiError> {
    let spec = spec_of(&kind)?;
    let scope = authorize(&p, Action::Read, &module(spec))?;
    let format = format_param(&fp.format)?;
    let mut f = searchable(&p, spec, &scope, q.filter(1_000_000)?);
    f.limit = q.limit.unwrap_or(1_000_000).clamp(1, 1_000_000);
    let (_, mut items) = store::list(&s.db, &s.tree(), spec.kind, &scope, &f).await?;
    // Personal data leaves in clear only with its own right; such an export
    // is journaled (who, which kind, how many rows — never the data).
    let clear = super::redact_with(&p, spec, Action::ExportPersonal, &mut items);
    let dicts = store::load_dictionaries(&s.db).await?;
    let bytes = match format {
        io::Format::Csv => io::write_csv(spec, &items, &dicts),
        io::Format::Xlsx => io::write_xlsx(spec, &items, &dicts),
    }
    .map_err(ApiError::Internal)?;
    if clear > 0 {
        let now = time::OffsetDateTime::now_utc();
        let tx = s.change().await?;
        tx.commit(
            now,
            vec![NewEntry {
                actor: p.username.clone(),
                jurisdiction: p.division.as_str().to_string(),
                module: "registry",
                entity: spec.kind.to_string(),
                entity_id: "export".into(),
                kind: "exported_personal",
                payload: serde_json::json!({
                    "format": match format { io::Format::Csv => "csv", io::Format::Xlsx => "xlsx" },
                    "rows": items.len(),
                    "rows_with_personal_data": clear,
                    "personal_fields": spec.personal,
                    "filter": {
                        "division": f.division, "q": f.q, "category": f.category,
                        "status": f.status, "bbox": f.bbox,
                    },
                }),
            }],
        )
        .await?;
    }
    Ok(file_response(spec, format, bytes, ""))
}

#[utoipa::path(get, path = "/api/v1/registries/{kind}/template", tag = "registries", params(("kind" = String, Path), FormatParams),
    responses((status = 200, description = "An empty file with the header row")))]
async fn template(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    Query(q): Query<FormatParams>,
) -> Result<Response, ApiError> {
    let spec = spec_of(&kind)?;
    authorize(&p, Action::Read, &module(spec))?;
    let format = format_param(&q.format)?;
    let dicts = store::load_dictionaries(&s.db).await?;
    let bytes = match format {
        io::Format::Csv => io::write_csv(spec, &[], &dicts),
        io::Format::Xlsx => io::write_xlsx(spec, &[], &dicts),
    }
    .map_err(ApiError::Internal)?;
    Ok(file_response(spec, format, bytes, "-模板"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

/// A refused import lists at most this many problems (and counts them all).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Problems of a file: the first [`MAX_REPORTED_ERRORS`] and the total.
#[derive(Default)]
pub(crate) struct Problems {
    list: Vec<FieldError>,
    total: usize,
}

impl Problems {
    pub(crate) fn push(&mut self, e: FieldError) {
        self.total += 1;
        if self.list.len() < MAX_REPORTED_ERRORS {
            self.list.push(e);
        }
    }
    pub(crate) fn into_error(self) -> ApiError {
        if self.total > self.list.len() {
            ApiError::ValidationTruncated {
                errors: self.list,
                total: self.total,
            }
        } else {
            ApiError::Validation(self.list)
        }
    }
}

/// A file that passed validation: its rows, their (division, name) keys
/// with the row each came from, and the file's SHA-256.
pub struct Checked {
    rows: Vec<(usize, Valid)>,
    keys: HashMap<(String, String), usize>,
    sha256: String,
}

/// One pass over the file: map columns, validate every row (divisions
/// resolved once per distinct text, points tested against prepared
/// boundaries), find duplicates inside the file. CPU work: run it off the
/// async threads. Public for the fuzz target `registry_import` (fuzz/): it is
/// everything an import does before the database.
#[allow(clippy::too_many_arguments)]
pub fn check_file(
    spec: &'static KindSpec,
    p: &Principal,
    scope: &Scope,
    tree: &crate::divisions::Tree,
    dicts: &Dictionaries,
    webhook_allow: &yingji_channels::AllowList,
    file_name: &str,
    bytes: &[u8],
    limits: &crate::sheet::XlsxLimits,
) -> Result<Checked, ApiError> {
    use sha2::Digest;
    let aids = Aids::default();
    let mut cols: Option<io::Columns> = None;
    let mut header_errors = None;
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    let mut keys: HashMap<(String, String), usize> = HashMap::new();
    io::each_row(file_name, bytes, limits, |row, cells| {
        let Some(c) = &cols else {
            match io::Columns::new(spec, cells) {
                Ok(c) => {
                    cols = Some(c);
                    return true;
                }
                Err(e) => {
                    header_errors = Some(e);
                    return false;
                }
            }
        };
        let m = c.map(cells);
        match prepare_with(spec, p, scope, &m, tree, dicts, webhook_allow, Some(&aids)) {
            Ok(v) => match keys.entry((v.division.as_str().to_string(), v.name.clone())) {
                std::collections::hash_map::Entry::Occupied(first) => problems.push(
                    FieldError::new(
                        "name",
                        format!("与第 {} 行重复（同一区划下同名）", first.get()),
                    )
                    .code("duplicate_row")
                    .param("row", *first.get())
                    .at_row(row),
                ),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(row);
                    if problems.total == 0 {
                        rows.push((row, v));
                    }
                }
            },
            Err(es) => {
                for e in es {
                    problems.push(e.at_row(row));
                }
            }
        }
        true
    })
    .map_err(|e| ApiError::Validation(vec![e]))?;
    if let Some(e) = header_errors {
        return Err(ApiError::Validation(e));
    }
    if cols.is_none() {
        return Err(FieldError::new("file", "文件为空")
            .code("file_empty")
            .into());
    }
    if problems.total > 0 {
        return Err(problems.into_error());
    }
    if rows.is_empty() {
        return Err(FieldError::new("file", "文件中没有数据行")
            .code("no_rows")
            .into());
    }
    Ok(Checked {
        rows,
        keys,
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
    })
}

/// Validate every row, then write all of them in one transaction — or none.
/// One path for every kind and size: rows are validated in one pass,
/// duplicates looked up in batches and written with multi-row INSERTs; the
/// journal gets one entry per record, or one for the file
/// ([`ImportJournal::PerFile`]).
pub async fn import_rows(
    s: &AppState,
    p: &Principal,
    spec: &'static KindSpec,
    file_name: &str,
    bytes: Bytes,
) -> Result<usize, ApiError> {
    let scope = authorize(p, Action::Write, &module(spec))?;
    if spec.kind == "enterprise" && scope.org.is_some() {
        return Err(ApiError::Forbidden);
    }
    let dicts = store::load_dictionaries(&s.db).await?;
    let started = std::time::Instant::now();
    let checked = {
        let (p, scope, tree, name, bytes, config) = (
            p.clone(),
            scope.clone(),
            s.tree(),
            file_name.to_string(),
            bytes.clone(),
            s.config.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let allow = &config.warnings.channels.webhook.allow;
            check_file(
                spec,
                &p,
                &scope,
                &tree,
                &dicts,
                allow,
                &name,
                &bytes,
                &config.xlsx,
            )
        })
        .await
        .map_err(|e| ApiError::Internal(format!("import check: {e}")))??
    };
    let checked_at = started.elapsed();
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let existing = store::existing_keys(&mut tx, spec.kind, &checked.keys).await?;
    if !existing.is_empty() {
        let by_row: HashMap<usize, &Valid> = checked.rows.iter().map(|(r, v)| (*r, v)).collect();
        let mut problems = Problems::default();
        for row in existing {
            let name = by_row.get(&row).map(|v| v.name.as_str()).unwrap_or("");
            problems.push(
                FieldError::new("name", format!("“{name}”在该区划下已存在"))
                    .code("name_taken")
                    .param("name", name)
                    .at_row(row),
            );
        }
        return Err(problems.into_error());
    }
    let orgs: Vec<String> = checked
        .rows
        .iter()
        .map(|(_, v)| owner_org(spec, p, v, &scope))
        .collect();
    let batch: Vec<(&Valid, &str)> = checked
        .rows
        .iter()
        .zip(&orgs)
        .map(|((_, v), o)| (v, o.as_str()))
        .collect();
    let ids = store::insert_many(&mut tx, s.db.backend(), spec.kind, &batch, now).await?;
    let entries = match spec.import_journal {
        ImportJournal::PerRecord => {
            let mut entries = Vec::with_capacity(ids.len());
            for ((_, v), id) in checked.rows.iter().zip(&ids) {
                if spec.kind == "enterprise" {
                    store::set_org(&mut tx, *id, &format!("enterprise:{id}")).await?;
                }
                let mut payload = item_payload(v);
                payload["source"] = Value::String(format!("import:{file_name}"));
                entries.push(entry(
                    p,
                    spec,
                    *id,
                    v.division.as_str(),
                    "imported",
                    payload,
                ));
            }
            entries
        }
        ImportJournal::PerFile => {
            let first = ids.iter().min().copied().unwrap_or(0);
            let last = ids.iter().max().copied().unwrap_or(0);
            vec![NewEntry {
                actor: p.username.clone(),
                jurisdiction: p.division.as_str().to_string(),
                module: "registry",
                entity: spec.kind.to_string(),
                entity_id: format!("{first}-{last}"),
                kind: "imported",
                payload: serde_json::json!({
                    "file": file_name,
                    "sha256": checked.sha256,
                    "bytes": bytes.len(),
                    "rows": ids.len(),
                    "first_id": first,
                    "last_id": last,
                    "importer": p.username,
                    "importer_name": p.display_name,
                }),
            }]
        }
    };
    tx.journal(now, entries).await?;
    let written_at = started.elapsed();
    tx.commit(now, vec![]).await?;
    tracing::info!(
        kind = spec.kind,
        rows = ids.len(),
        file = file_name,
        read_and_validated_ms = checked_at.as_millis() as u64,
        written_ms = (written_at - checked_at).as_millis() as u64,
        committed_ms = started.elapsed().as_millis() as u64,
        "registry import"
    );
    Ok(ids.len())
}

#[utoipa::path(post, path = "/api/v1/registries/{kind}/import", tag = "registries", params(("kind" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "field `file`: CSV (UTF-8 or GBK) or XLSX"),
    responses((status = 200, body = ImportResult), (status = 422, body = crate::http::error::Problem), (status = 413, body = crate::http::error::Problem)))]
async fn import(
    State(s): State<AppState>,
    p: Principal,
    Path(kind): Path<String>,
    mut mp: Multipart,
) -> Result<axum::Json<ImportResult>, ApiError> {
    let spec = spec_of(&kind)?;
    authorize(&p, Action::Write, &module(spec))?;
    let (name, bytes) = upload(&mut mp, s.config.max_import_mb).await?;
    let imported = import_rows(&s, &p, spec, &name, bytes).await?;
    Ok(axum::Json(ImportResult { imported }))
}

/// The file of an import form (field `file`): its name and bytes, at most
/// `limit` MB (413 beyond). Every import reads its upload through this.
pub(crate) async fn upload(mp: &mut Multipart, limit: usize) -> Result<(String, Bytes), ApiError> {
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.csv").to_string();
            let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
            if bytes.len() > limit * 1024 * 1024 {
                return Err(ApiError::TooLarge { limit_mb: limit });
            }
            file = Some((name, bytes));
        }
    }
    file.ok_or_else(|| ApiError::field("file", "required", "请选择要导入的文件（表单字段 file）"))
}

fn multipart_error(e: axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit_mb: limit }
    } else {
        ApiError::field(
            "file",
            "upload_failed",
            format!("上传失败: {}", e.body_text()),
        )
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub label_zh: String,
    pub label_en: String,
    pub count: i64,
}

#[utoipa::path(get, path = "/api/v1/registries/stats/counts", tag = "registries", responses((status = 200, body = [KindCount])))]
async fn counts(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<KindCount>>, ApiError> {
    let mut out = Vec::new();
    for spec in resources::KINDS {
        let Ok(scope) = authorize(&p, Action::Read, &module(spec)) else {
            continue;
        };
        let f = store::Filter {
            limit: 1,
            ..Default::default()
        };
        let (total, _) = store::list(&s.db, &s.tree(), spec.kind, &scope, &f).await?;
        out.push(KindCount {
            kind: spec.kind.into(),
            label_zh: spec.zh.into(),
            label_en: spec.en.into(),
            count: total,
        });
    }
    Ok(axum::Json(out))
}
