//! HTTP routes of supplies: the catalogue, the stock, documents and their
//! steps, alerts, and the consistency check. Every request: parse →
//! `auth::authorize(…, "supplies")` (documents: the jurisdiction of the
//! warehouse; stock: the whole city read-only, marked available-by-request
//! outside one's own jurisdiction) → rules → one change with its journal
//! entries.

use std::collections::{BTreeMap, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::store::{self, CheckReport, DocFilter, PostError};
use super::{
    allowed, apply, below_minimum, check_approver, check_delete, check_doc, check_item,
    check_reverse, doc_number, expiry, Doc, DocCommand, DocKind, DocState, Expiry, Item, ItemFacts,
    Line, NewDoc, NewItem, Posting, RuleError, NEAR_EXPIRY_DAYS,
};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::clock::CST;
use crate::db::{DbError, UtcText, Versioned};
use crate::error::FieldError;
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items, create_item))
        .routes(routes!(list_warehouses))
        .routes(routes!(list_stock))
        .routes(routes!(export_stock))
        .routes(routes!(set_minimum))
        .routes(routes!(list_alerts))
        .routes(routes!(check))
        .routes(routes!(list_documents, create_document))
        .routes(routes!(get_document, delete_document))
        .routes(routes!(document_event))
        .routes(routes!(reverse_document))
        .merge(super::card::api::routes())
        .merge(super::stocktake::api::routes())
        .merge(super::distributions::api::routes())
        .merge(super::requests::api::routes())
        .merge(super::shipments::api::routes())
}

pub(crate) const MODULE: &str = "supplies";
const CATALOGUE: &str = "supplies.catalogue";

fn posting(e: PostError) -> ApiError {
    match e {
        PostError::Rule(r) => r.into(),
        PostError::Db(d) => d.into(),
    }
}

fn entry(
    p: &Principal,
    division: &str,
    entity: &str,
    id: i64,
    kind: &'static str,
    payload: Value,
) -> NewEntry {
    NewEntry::new(&p.username, MODULE, division, entity, id, kind, payload)
}

/// The city a user belongs to (the first four digits): whose stock they
/// see, available by request outside their own jurisdiction.
pub(crate) fn city(scope: &Scope) -> &str {
    let n = scope.prefix.len().min(4);
    &scope.prefix[..n]
}

/// A warehouse (a registry record) inside `scope`; another jurisdiction's
/// does not exist for the writer.
pub(crate) async fn warehouse(
    s: &AppState,
    scope: &Scope,
    id: i64,
    name: &str,
) -> Result<crate::registry::Item, ApiError> {
    crate::registry::store::get(&s.db, &s.tree(), "warehouse", id)
        .await?
        .filter(|w| scope.covers(&w.division, ""))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new(name, "找不到该仓库或不在您的管辖范围内")
                    .code("warehouse_not_found"),
            )
        })
}

// ── catalogue ──────────────────────────────────────────────────────────

#[utoipa::path(get, path = "/api/v1/supplies/items", tag = "supplies",
    responses((status = 200, body = [Item], description = "The item catalogue, by GB/T 38565-2020 code")))]
pub async fn list_items(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Item>>, ApiError> {
    authorize(&p, Action::Read, CATALOGUE)?;
    Ok(axum::Json(store::items(&s.db).await?))
}

#[utoipa::path(post, path = "/api/v1/supplies/items", tag = "supplies", request_body = NewItem,
    responses((status = 201, body = Item, description = "Added to the catalogue"), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_item(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewItem>,
) -> Result<Response, ApiError> {
    authorize(&p, Action::Write, CATALOGUE)?;
    let (i, cat) = check_item(&b).map_err(ApiError::Validation)?;
    if store::item_by_code(&s.db, &i.code).await?.is_some() {
        return Err(FieldError::new("code", "该代码已在目录中")
            .code("duplicate_code")
            .into());
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let id = store::insert_item(&mut tx, &i, cat, now.into()).await?;
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            p.division.as_str(),
            "item",
            id,
            "created",
            json!({ "code": i.code, "name": i.name, "unit": i.unit, "category": cat.as_str() }),
        )],
    )
    .await?;
    let item = store::item_by_code(&s.db, &i.code)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, axum::Json(item)).into_response())
}

// ── warehouses and stock ───────────────────────────────────────────────

/// A warehouse the user sees stock of.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyWarehouse)]
pub struct WarehouseView {
    pub id: i64,
    pub name: String,
    pub division: String,
    pub division_name: String,
    /// In the user's jurisdiction: they manage its documents. Otherwise its
    /// stock is available by request (申请调用) only.
    pub own: bool,
}

#[utoipa::path(get, path = "/api/v1/supplies/warehouses", tag = "supplies",
    responses((status = 200, body = [WarehouseView], description = "The city's warehouses, own ones marked")))]
pub async fn list_warehouses(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<WarehouseView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let own = authorize(&p, Action::Write, MODULE).ok();
    let tree = s.tree();
    let ws = store::warehouses(&s.db, city(&scope)).await?;
    Ok(axum::Json(
        ws.into_iter()
            .map(|(id, name, division)| WarehouseView {
                id,
                name,
                division_name: tree.name(&division),
                own: own.as_ref().is_some_and(|o| o.covers(&division, "")),
                division,
            })
            .collect(),
    ))
}

/// A batch held in a warehouse.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyStock)]
pub struct StockView {
    pub warehouse_id: i64,
    pub warehouse_name: String,
    pub item_id: i64,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
    pub batch_id: i64,
    pub batch_no: String,
    pub supplier: String,
    pub produced_on: Option<String>,
    pub expires_on: Option<String>,
    pub qty: i64,
    pub expiry: Expiry,
    /// The warehouse is in the user's jurisdiction; otherwise the stock is
    /// available by request.
    pub own: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StockParams {
    pub warehouse_id: Option<i64>,
    pub item_id: Option<i64>,
    /// Near-expiry window in days (default 30).
    pub days: Option<i64>,
}

pub(crate) fn today() -> time::Date {
    OffsetDateTime::now_utc().to_offset(CST).date()
}

async fn names(
    s: &AppState,
    prefix: &str,
) -> Result<(HashMap<i64, (String, String)>, HashMap<i64, Item>), ApiError> {
    let ws = store::warehouses(&s.db, prefix)
        .await?
        .into_iter()
        .map(|(id, n, d)| (id, (n, d)))
        .collect();
    let items = store::items(&s.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok((ws, items))
}

async fn stock_views(
    s: &AppState,
    p: &Principal,
    q: &StockParams,
) -> Result<Vec<StockView>, ApiError> {
    let scope = authorize(p, Action::Read, MODULE)?;
    let own = authorize(p, Action::Write, MODULE).ok();
    let prefix = city(&scope);
    let rows = store::stock(&s.db, prefix, q.warehouse_id, q.item_id).await?;
    let (ws, items) = names(s, prefix).await?;
    let days = q.days.unwrap_or(NEAR_EXPIRY_DAYS).clamp(0, 3650);
    let today = today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (wname, wdiv) = ws.get(&r.warehouse_id).cloned().unwrap_or_default();
            let item = items.get(&r.item_id);
            StockView {
                warehouse_name: wname,
                own: own.as_ref().is_some_and(|o| o.covers(&wdiv, "")),
                item_code: item.map(|i| i.code.clone()).unwrap_or_default(),
                item_name: item.map(|i| i.name.clone()).unwrap_or_default(),
                unit: item.map(|i| i.unit.clone()).unwrap_or_default(),
                expiry: expiry(r.expires_on.as_deref(), today, days),
                warehouse_id: r.warehouse_id,
                item_id: r.item_id,
                batch_id: r.batch_id,
                batch_no: r.batch_no,
                supplier: r.supplier,
                produced_on: r.produced_on,
                expires_on: r.expires_on,
                qty: r.qty,
            }
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/supplies/stock", tag = "supplies", params(StockParams),
    responses((status = 200, body = [StockView], description = "Stock by warehouse, item and batch (first expiry first) in the city")))]
pub async fn list_stock(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StockParams>,
) -> Result<axum::Json<Vec<StockView>>, ApiError> {
    Ok(axum::Json(stock_views(&s, &p, &q).await?))
}

/// The stock as an XLSX workbook (库存表): one row per warehouse, item and
/// batch, the same rows as `GET /supplies/stock`.
fn stock_xlsx(rows: &[StockView]) -> Result<Vec<u8>, String> {
    use crate::sheet::Cell;
    let head = [
        "仓库",
        "物资代码",
        "物资名称",
        "单位",
        "批次",
        "供货单位",
        "生产日期",
        "有效期至",
        "数量",
        "可申请调用",
    ];
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|v| {
            vec![
                v.warehouse_name.as_str().into(),
                v.item_code.as_str().into(),
                v.item_name.as_str().into(),
                v.unit.as_str().into(),
                v.batch_no.as_str().into(),
                v.supplier.as_str().into(),
                v.produced_on.as_deref().unwrap_or("").into(),
                v.expires_on.as_deref().unwrap_or("").into(),
                v.qty.into(),
                if v.own { "" } else { "是" }.into(),
            ]
        })
        .collect();
    crate::sheet::write_xlsx_table("库存", &head, &rows)
}

#[utoipa::path(get, path = "/api/v1/supplies/stock/export", tag = "supplies", params(StockParams),
    responses((status = 200, description = "The stock as an XLSX file (库存表)")))]
pub async fn export_stock(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StockParams>,
) -> Result<Response, ApiError> {
    let rows = stock_views(&s, &p, &q).await?;
    let bytes = stock_xlsx(&rows).map_err(ApiError::Internal)?;
    Ok(crate::sheet::xlsx_response(
        bytes,
        "stock.xlsx",
        "库存表.xlsx",
    ))
}

/// The minimum stock of an item in a warehouse (最低库存).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyMinimum)]
pub struct MinimumBody {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub min_qty: i64,
}

#[utoipa::path(put, path = "/api/v1/supplies/minimums", tag = "supplies", request_body = MinimumBody,
    responses((status = 204, description = "Set"), (status = 422, body = crate::http::error::Problem)))]
pub async fn set_minimum(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<MinimumBody>,
) -> Result<StatusCode, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let w = warehouse(&s, &scope, b.warehouse_id, "warehouse_id").await?;
    if !store::items(&s.db).await?.iter().any(|i| i.id == b.item_id) {
        return Err(FieldError::new("item_id", "找不到该物资")
            .code("supply_item_not_found")
            .into());
    }
    if !(0..=super::MAX_QTY).contains(&b.min_qty) {
        return Err(FieldError::new("min_qty", "应在 0 到 100000000 之间")
            .code("out_of_range")
            .param("min", 0)
            .param("max", super::MAX_QTY)
            .into());
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    store::set_minimum(&mut tx, w.id, b.item_id, b.min_qty, now.into()).await?;
    tx.commit(
        now,
        vec![entry(
            &p,
            &w.division,
            "minimum",
            w.id,
            "minimum_set",
            json!({ "item_id": b.item_id, "min_qty": b.min_qty }),
        )],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An alert: an item below its minimum in a warehouse, or a batch expired
/// or near expiry.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyAlert)]
pub struct Alert {
    /// below_minimum | near_expiry | expired
    pub kind: &'static str,
    pub warehouse_id: i64,
    pub warehouse_name: String,
    pub item_id: i64,
    pub item_name: String,
    pub unit: String,
    pub qty: i64,
    /// below_minimum: the minimum.
    pub min_qty: Option<i64>,
    pub batch_id: Option<i64>,
    pub batch_no: Option<String>,
    pub expires_on: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AlertParams {
    /// Near-expiry window in days (default 30).
    pub days: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supplies/alerts", tag = "supplies", params(AlertParams),
    responses((status = 200, body = [Alert], description = "Below-minimum stock and expired or near-expiry batches in the user's jurisdiction")))]
pub async fn list_alerts(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AlertParams>,
) -> Result<axum::Json<Vec<Alert>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let prefix = scope.prefix.as_str();
    let days = q.days.unwrap_or(NEAR_EXPIRY_DAYS).clamp(0, 3650);
    let rows = store::stock(&s.db, prefix, None, None).await?;
    let mins = store::minimums(&s.db, prefix).await?;
    let (ws, items) = names(&s, prefix).await?;
    let today = today();
    let mut totals: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut out = Vec::new();
    let wname = |w: i64| ws.get(&w).map(|x| x.0.clone()).unwrap_or_default();
    let iname = |i: i64| {
        items
            .get(&i)
            .map(|x| (x.name.clone(), x.unit.clone()))
            .unwrap_or_default()
    };
    for r in &rows {
        *totals.entry((r.warehouse_id, r.item_id)).or_default() += r.qty;
        let kind = match expiry(r.expires_on.as_deref(), today, days) {
            Expiry::Expired => "expired",
            Expiry::Near => "near_expiry",
            Expiry::Ok => continue,
        };
        let (item_name, unit) = iname(r.item_id);
        out.push(Alert {
            kind,
            warehouse_id: r.warehouse_id,
            warehouse_name: wname(r.warehouse_id),
            item_id: r.item_id,
            item_name,
            unit,
            qty: r.qty,
            min_qty: None,
            batch_id: Some(r.batch_id),
            batch_no: Some(r.batch_no.clone()),
            expires_on: r.expires_on.clone(),
        });
    }
    for ((w, i), min) in mins {
        let qty = totals.get(&(w, i)).copied().unwrap_or(0);
        if below_minimum(qty, min) {
            let (item_name, unit) = iname(i);
            out.push(Alert {
                kind: "below_minimum",
                warehouse_id: w,
                warehouse_name: wname(w),
                item_id: i,
                item_name,
                unit,
                qty,
                min_qty: Some(min),
                batch_id: None,
                batch_no: None,
                expires_on: None,
            });
        }
    }
    Ok(axum::Json(out))
}

#[utoipa::path(get, path = "/api/v1/supplies/check", tag = "supplies",
    responses((status = 200, body = CheckReport, description = "Balances re-derived from the postings and compared with the balance table (administrators)")))]
pub async fn check(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<CheckReport>, ApiError> {
    authorize(&p, Action::Admin, MODULE)?;
    Ok(axum::Json(store::check(&s.db).await?))
}

// ── documents ──────────────────────────────────────────────────────────

/// A document line as shown, with the item's name.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyLineView)]
pub struct LineView {
    #[serde(flatten)]
    pub line: Line,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
}

/// A document as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyDocView)]
pub struct DocView {
    #[serde(flatten)]
    pub doc: Doc,
    /// RK000012 …
    pub number: String,
    pub kind_zh: &'static str,
    pub state_zh: &'static str,
    pub warehouse_name: String,
    pub to_warehouse_name: String,
    /// approve | post | delete | reverse | ship (发运: plan its shipment)
    pub allowed_events: Vec<&'static str>,
    /// The reversing document, when one was drafted.
    pub reversed_by: Option<i64>,
}

/// A document with its lines and postings.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyDocDetail)]
pub struct DocDetail {
    #[serde(flatten)]
    pub view: DocView,
    pub lines: Vec<LineView>,
    pub postings: Vec<Posting>,
}

/// One page of documents.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyDocPage)]
pub struct DocPage {
    pub items: Vec<DocView>,
    pub total: i64,
}

/// Documents as shown to `p` (`writes`: they may change them; the steps
/// offered leave out approving one's own draft when the rule says so).
pub(crate) async fn views(
    s: &AppState,
    p: &Principal,
    docs: Vec<Doc>,
    writes: bool,
) -> Result<Vec<DocView>, ApiError> {
    let separate = s.config.supplies.separate_approver;
    let ws: HashMap<i64, String> = store::warehouses(&s.db, "")
        .await?
        .into_iter()
        .map(|(id, n, _)| (id, n))
        .collect();
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let reversed_by = if d.state == DocState::Posted {
            store::reversal_of(&s.db, d.id).await?.map(|r| r.id)
        } else {
            None
        };
        let mut allowed_events = if writes { allowed(&d) } else { Vec::new() };
        allowed_events.retain(|e| {
            *e != "approve"
                || check_approver(&d, &DocCommand::Approve {}, &p.username, separate).is_ok()
        });
        if writes && check_reverse(&d, reversed_by.is_some()).is_ok() {
            allowed_events.push("reverse");
        }
        // 发运: asked of the rule (the shipment looked up only when the
        // document could otherwise ship).
        if writes
            && super::shipments::check_shippable(d.kind, d.state, false).is_ok()
            && super::shipments::store::by_doc(&s.db, d.id)
                .await?
                .is_none()
        {
            allowed_events.push("ship");
        }
        out.push(DocView {
            number: doc_number(d.kind, d.id),
            kind_zh: d.kind.label_zh(),
            state_zh: d.state.label_zh(),
            warehouse_name: ws.get(&d.warehouse_id).cloned().unwrap_or_default(),
            to_warehouse_name: d
                .to_warehouse_id
                .and_then(|t| ws.get(&t).cloned())
                .unwrap_or_default(),
            allowed_events,
            reversed_by,
            doc: d,
        });
    }
    Ok(out)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DocParams {
    pub kind: Option<DocKind>,
    pub state: Option<DocState>,
    pub warehouse_id: Option<i64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supplies/documents", tag = "supplies", params(DocParams),
    responses((status = 200, body = DocPage, description = "Documents of the warehouses in the user's jurisdiction, newest first")))]
pub async fn list_documents(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DocParams>,
) -> Result<axum::Json<DocPage>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let (items, total) = store::docs(
        &s.db,
        &scope.prefix,
        &DocFilter {
            kind: q.kind,
            state: q.state,
            warehouse_id: q.warehouse_id,
            limit: q.limit.unwrap_or(50),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    let writes = authorize(&p, Action::Write, MODULE).is_ok();
    Ok(axum::Json(DocPage {
        items: views(&s, &p, items, writes).await?,
        total,
    }))
}

/// The document if the user may `action` it: its warehouse is in their
/// jurisdiction. Another jurisdiction's document does not exist for them.
pub(crate) async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<Doc, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_doc(&s.db, id)
        .await?
        .filter(|d| scope.covers(&d.division, ""))
        .ok_or(ApiError::NotFound)
}

async fn detail(s: &AppState, p: &Principal, d: Doc) -> Result<DocDetail, ApiError> {
    let lines = store::lines(&s.db, d.id).await?;
    let postings = store::postings(&s.db, d.id).await?;
    let items: HashMap<i64, Item> = store::items(&s.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&d.division, ""));
    let view = views(s, p, vec![d], writes)
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(DocDetail {
        view,
        lines: lines
            .into_iter()
            .map(|l| {
                let i = items.get(&l.item_id);
                LineView {
                    item_code: i.map(|i| i.code.clone()).unwrap_or_default(),
                    item_name: i.map(|i| i.name.clone()).unwrap_or_default(),
                    unit: i.map(|i| i.unit.clone()).unwrap_or_default(),
                    line: l,
                }
            })
            .collect(),
        postings,
    })
}

#[utoipa::path(get, path = "/api/v1/supplies/documents/{id}", tag = "supplies",
    responses((status = 200, body = DocDetail, description = "One document with its lines and postings")))]
pub async fn get_document(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<DocDetail>, ApiError> {
    let d = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, d).await?))
}

#[utoipa::path(post, path = "/api/v1/supplies/documents", tag = "supplies", request_body = NewDoc,
    responses((status = 201, body = DocDetail, description = "Drafted"), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_document(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDoc>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let facts: BTreeMap<i64, ItemFacts> = store::items(&s.db)
        .await?
        .into_iter()
        .map(|i| {
            (
                i.id,
                ItemFacts {
                    shelf_life_days: i.shelf_life_days,
                },
            )
        })
        .collect();
    let checked = check_doc(&b, &facts);
    let w = warehouse(&s, &scope, b.warehouse_id, "warehouse_id").await;
    // The destination of a transfer may be any warehouse of the city.
    let to = match b.to_warehouse_id {
        Some(t) => Some(
            crate::registry::store::get(&s.db, &s.tree(), "warehouse", t)
                .await?
                .filter(|x| x.division.starts_with(city(&scope)))
                .ok_or_else(|| {
                    FieldError::new("to_warehouse_id", "找不到该仓库").code("warehouse_not_found")
                }),
        ),
        None => None,
    };
    let mut errors = match &checked {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    if let Err(ApiError::Validation(e)) = &w {
        errors.extend(e.iter().cloned());
    }
    if let Some(Err(e)) = &to {
        errors.push(e.clone());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (reason, note, lines) = checked.map_err(ApiError::Validation)?;
    let w = w?;
    let to = to.transpose().map_err(ApiError::from)?;
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let mut d = Doc::draft(b.kind, &reason, (w.id, &w.division), note, &p.username, t);
    d.to_warehouse_id = to.as_ref().map(|x| x.id);
    d.to_division = to.as_ref().map(|x| x.division.clone()).unwrap_or_default();
    let rows: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| Line {
            id: 0,
            doc_id: 0,
            line_no: n as i64 + 1,
            item_id: l.item_id,
            batch_id: l.batch_id,
            batch_no: l.batch_no.clone(),
            supplier: l.supplier.clone(),
            produced_on: l.produced_on.clone(),
            expires_on: l.expires_on.clone(),
            qty: l.qty,
        })
        .collect();
    let mut tx = s.change().await?;
    d.id = store::insert_doc(&mut tx, &d, &rows).await?;
    let payload = json!({
        "kind": d.kind, "reason": d.reason, "warehouse_id": d.warehouse_id, "to_warehouse_id": d.to_warehouse_id,
        "lines": rows.iter().map(|l| json!({ "item_id": l.item_id, "batch_id": l.batch_id, "batch_no": l.batch_no, "qty": l.qty, "expires_on": l.expires_on })).collect::<Vec<_>>(),
    });
    tx.commit(
        now,
        vec![entry(&p, &d.division, "document", d.id, "drafted", payload)],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, d).await?)).into_response())
}

command_body! {
    /// A step of a document: the version read and the step.
    #[schema(as = SupplyDocEventBody)]
    pub struct DocEventBody { command: DocCommand }
}

#[utoipa::path(post, path = "/api/v1/supplies/documents/{id}/events", tag = "supplies", request_body = DocEventBody,
    responses((status = 200, body = DocDetail, description = "The document after the step (posted: the stock has moved)"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, the step is not possible, or not enough stock (insufficient_stock)")))]
pub async fn document_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DocEventBody>,
) -> Result<axum::Json<DocDetail>, ApiError> {
    let d = load(&s, &p, id, Action::Write).await?;
    d.expect_version(b.version)?;
    check_approver(
        &d,
        &b.command,
        &p.username,
        s.config.supplies.separate_approver,
    )?;
    let now = OffsetDateTime::now_utc();
    let d = apply(d, &b.command, &p.username, now)?;
    let lines = store::lines(&s.db, id).await?;
    // PostgreSQL may end one of two postings that wait on each other
    // (deadlock_detected) or a serialization failure: nothing was written,
    // so the step is taken again, a few times.
    let mut tries = 0;
    loop {
        match commit_step(&s, &p, &d, &b.command, &lines, now).await {
            Ok(()) => break,
            Err(PostError::Db(e)) if retryable(&e) && tries < 8 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(10 * tries)).await;
            }
            Err(e) => return Err(posting(e)),
        }
    }
    let d = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, d).await?))
}

/// A deadlock or serialization failure: the transaction was rolled back and
/// may be tried again (SQLSTATE 40P01, 40001).
fn retryable(e: &DbError) -> bool {
    matches!(e, DbError::Sqlx(sqlx::Error::Database(d))
        if matches!(d.code().as_deref(), Some("40P01") | Some("40001")))
}

/// One attempt at a step: the document saved at the version read, the
/// stock moved when it is posted, the journal entry, in one transaction.
async fn commit_step(
    s: &AppState,
    p: &Principal,
    d: &Doc,
    cmd: &DocCommand,
    lines: &[Line],
    now: OffsetDateTime,
) -> Result<(), PostError> {
    let mut tx = s.change().await?;
    tx.save(d).await?;
    let mut payload = json!({ "to": d.state });
    if d.state == DocState::Posted {
        let moves = store::post(&mut tx, s.db.backend(), d, lines, UtcText(now)).await?;
        payload["postings"] = moves
            .iter()
            .map(|m| json!({ "account": m.account.key(), "item_id": m.item_id, "batch_id": m.batch_id, "delta": m.delta }))
            .collect();
    }
    tx.commit(
        now,
        vec![entry(
            p,
            &d.division,
            "document",
            d.id,
            cmd.as_str(),
            payload,
        )],
    )
    .await?;
    Ok(())
}

/// The version read of a document to delete or reverse.
#[derive(Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct VersionParams {
    pub version: i64,
}

#[utoipa::path(delete, path = "/api/v1/supplies/documents/{id}", tag = "supplies", params(VersionParams),
    responses((status = 204, description = "Deleted (an unposted document)"), (status = 409, body = crate::http::error::Problem, description = "Posted documents are never deleted")))]
pub async fn delete_document(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Query(q): Query<VersionParams>,
) -> Result<StatusCode, ApiError> {
    let d = load(&s, &p, id, Action::Write).await?;
    check_delete(&d)?;
    d.expect_version(q.version)?;
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    if !store::delete_doc(&mut tx, id, q.version).await? {
        return Err(DbError::Stale.into());
    }
    tx.commit(
        now,
        vec![entry(
            &p,
            &d.division,
            "document",
            d.id,
            "deleted",
            json!({ "kind": d.kind, "state": d.state }),
        )],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/supplies/documents/{id}/reverse", tag = "supplies",
    responses((status = 201, body = DocDetail, description = "A reversing document drafted (approve and post it to reverse)"),
        (status = 409, body = crate::http::error::Problem, description = "Not posted, a reversal itself, or already reversed")))]
pub async fn reverse_document(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = load(&s, &p, id, Action::Write).await?;
    let already = store::reversal_of(&s.db, id).await?.is_some();
    check_reverse(&d, already)?;
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let mut r = Doc {
        id: 0,
        kind: DocKind::Reversal,
        reason: String::new(),
        reverses: Some(d.id),
        state: DocState::Draft,
        note: format!("冲销 {}", doc_number(d.kind, d.id)),
        created_by: p.username.clone(),
        created_at: t,
        approved_by: String::new(),
        approved_at: None,
        posted_by: String::new(),
        posted_at: None,
        updated_at: t,
        version: 1,
        ..d.clone()
    };
    let lines: Vec<Line> = store::lines(&s.db, id).await?;
    let mut tx = s.change().await?;
    r.id = store::insert_doc(&mut tx, &r, &lines).await.map_err(|e| {
        if e.is_unique_violation() {
            ApiError::from(RuleError::State(crate::error::Refusal::new(
                "already_reversed",
                "该单据已有冲销单",
            )))
        } else {
            e.into()
        }
    })?;
    tx.commit(
        now,
        vec![entry(
            &p,
            &r.division,
            "document",
            r.id,
            "drafted",
            json!({ "kind": r.kind, "reverses": d.id }),
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, r).await?)).into_response())
}
