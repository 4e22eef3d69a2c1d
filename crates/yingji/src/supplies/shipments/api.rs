//! HTTP routes of shipments: create one for a 出库/调拨 document, list,
//! read, the steps (depart, position, arrive, receive, cancel), and what
//! an incident's requests asked for, sent and received. Every request:
//! parse → `auth::authorize(…, "supplies")` (a shipment belongs to both
//! sides: the source warehouse's division dispatches, the receiving
//! division receives; anyone else does not see it) → rules → one change
//! with its journal entries.

use std::collections::{BTreeMap, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use super::model::{Position, ShipLine, Shipment};
use super::store::{self, Filter};
use super::{
    allowed_events, apply, check_new, check_position, check_receipt, shipment_number,
    writeoff_picks, writeoff_reason, Facts, NewShipment, ShipCommand, ShipState,
};
use crate::auth::{authorize, Action, Principal};
use crate::db::{UtcText, Versioned};
use crate::error::{FieldError, Refusal};
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;
use crate::supplies::store as ledger;
use crate::supplies::{doc_number, Doc, DocKind, DocState, Item, Line, RuleError};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_shipments, create_shipment))
        .routes(routes!(get_shipment))
        .routes(routes!(shipment_event))
        .routes(routes!(incident_flow))
}

const MODULE: &str = "supplies";

async fn item_map(s: &AppState) -> Result<HashMap<i64, Item>, ApiError> {
    Ok(ledger::items(&s.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

/// What the user may do with a shipment: dispatch (the source warehouse's
/// jurisdiction), receive (the receiving division's), and whether its
/// document is posted.
async fn facts(s: &AppState, p: &Principal, sh: &Shipment) -> Result<Facts, ApiError> {
    let w = authorize(p, Action::Write, MODULE).ok();
    let doc = ledger::get_doc(&s.db, sh.doc_id).await?;
    Ok(Facts {
        dispatches: w.as_ref().is_some_and(|w| w.covers(&sh.division, "")),
        receives: w.as_ref().is_some_and(|w| w.covers(&sh.to_division, "")),
        doc_posted: doc.is_some_and(|d| d.state == DocState::Posted),
    })
}

/// The shipment if the user may `action` it: from or to a division in
/// their jurisdiction. Another jurisdiction's shipment does not exist for
/// them.
async fn load(s: &AppState, p: &Principal, id: i64, action: Action) -> Result<Shipment, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get(&s.db, id)
        .await?
        .filter(|x| scope.covers(&x.division, "") || scope.covers(&x.to_division, ""))
        .ok_or(ApiError::NotFound)
}

/// A shipment as listed.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyShipmentView)]
pub struct ShipmentView {
    #[serde(flatten)]
    pub shipment: Shipment,
    /// YS000012 …
    pub number: String,
    pub state_zh: &'static str,
    /// The document's number (CK…/DB…).
    pub doc_number: String,
    pub from_warehouse_name: String,
    /// depart | position | arrive | receive | cancel
    pub allowed_events: Vec<&'static str>,
}

/// A line as shown.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyShipmentLineView)]
pub struct ShipLineView {
    #[serde(flatten)]
    pub line: ShipLine,
    pub item_name: String,
    pub unit: String,
}

/// A shipment with its lines and positions.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyShipmentDetail)]
pub struct ShipmentDetail {
    #[serde(flatten)]
    pub view: ShipmentView,
    pub lines: Vec<ShipLineView>,
    pub positions: Vec<Position>,
}

/// One page of shipments.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyShipmentPage)]
pub struct ShipmentPage {
    pub items: Vec<ShipmentView>,
    pub total: i64,
}

async fn view(s: &AppState, p: &Principal, sh: Shipment) -> Result<ShipmentView, ApiError> {
    let f = facts(s, p, &sh).await?;
    let doc = ledger::get_doc(&s.db, sh.doc_id).await?;
    let ws: HashMap<i64, String> = ledger::warehouses(&s.db, "")
        .await?
        .into_iter()
        .map(|(id, n, _)| (id, n))
        .collect();
    Ok(ShipmentView {
        number: shipment_number(sh.id),
        state_zh: sh.state.label_zh(),
        doc_number: doc.map(|d| doc_number(d.kind, d.id)).unwrap_or_default(),
        from_warehouse_name: ws.get(&sh.from_warehouse_id).cloned().unwrap_or_default(),
        allowed_events: allowed_events(&sh, f),
        shipment: sh,
    })
}

async fn detail(s: &AppState, p: &Principal, sh: Shipment) -> Result<ShipmentDetail, ApiError> {
    let items = item_map(s).await?;
    let lines = store::lines(&s.db, sh.id).await?;
    let positions = store::positions(&s.db, sh.id).await?;
    Ok(ShipmentDetail {
        lines: lines
            .into_iter()
            .map(|l| {
                let i = items.get(&l.item_id);
                ShipLineView {
                    item_name: i.map(|i| i.name.clone()).unwrap_or_default(),
                    unit: i.map(|i| i.unit.clone()).unwrap_or_default(),
                    line: l,
                }
            })
            .collect(),
        positions,
        view: view(s, p, sh).await?,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ShipmentParams {
    pub state: Option<ShipState>,
    pub request_id: Option<i64>,
    /// The shipment of one document.
    pub doc_id: Option<i64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supplies/shipments", tag = "supplies", params(ShipmentParams),
    responses((status = 200, body = ShipmentPage, description = "Shipments from or to the user's jurisdiction, newest first")))]
pub async fn list_shipments(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ShipmentParams>,
) -> Result<axum::Json<ShipmentPage>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let (rows, total) = store::list(
        &s.db,
        &scope.prefix,
        &Filter {
            state: q.state,
            request_id: q.request_id,
            doc_id: q.doc_id,
            limit: q.limit.unwrap_or(50),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for sh in rows {
        items.push(view(&s, &p, sh).await?);
    }
    Ok(axum::Json(ShipmentPage { items, total }))
}

#[utoipa::path(get, path = "/api/v1/supplies/shipments/{id}", tag = "supplies",
    responses((status = 200, body = ShipmentDetail, description = "One shipment with its lines and positions")))]
pub async fn get_shipment(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<ShipmentDetail>, ApiError> {
    let sh = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, sh).await?))
}

/// The receiving side and the destination of a document's shipment:
/// (to_division, to_warehouse_id, name, point). A 调拨 goes to its
/// destination warehouse; a request's 出库 to the request's place and
/// division; any other 出库 stays with the issuing division.
async fn destination(
    s: &AppState,
    d: &Doc,
    request: Option<i64>,
) -> Result<(String, Option<i64>, String, Option<[f64; 2]>), ApiError> {
    if let Some(to) = d.to_warehouse_id {
        let w = crate::registry::store::get(&s.db, &s.tree(), "warehouse", to).await?;
        return Ok((
            d.to_division.clone(),
            Some(to),
            w.as_ref().map(|w| w.name.clone()).unwrap_or_default(),
            w.map(|w| [w.lon, w.lat]),
        ));
    }
    if let Some(r) = match request {
        Some(id) => crate::supplies::requests::store::get(&s.db, id).await?,
        None => None,
    } {
        return Ok((r.division, None, r.place_name, Some([r.lon, r.lat])));
    }
    Ok((d.division.clone(), None, String::new(), None))
}

#[utoipa::path(post, path = "/api/v1/supplies/shipments", tag = "supplies", request_body = NewShipment,
    responses((status = 201, body = ShipmentDetail, description = "Planned"), (status = 422, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem, description = "The document already has a shipment, or is not an approved or posted 出库/调拨")))]
pub async fn create_shipment(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewShipment>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let (vehicle, carrier, note) = check_new(&b).map_err(ApiError::Validation)?;
    let d = ledger::get_doc(&s.db, b.doc_id)
        .await?
        .filter(|d| scope.covers(&d.division, ""))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("doc_id", "找不到该单据或不在您的管辖范围内")
                    .code("supply_doc_not_found"),
            )
        })?;
    super::check_shippable(d.kind, d.state, store::by_doc(&s.db, d.id).await?.is_some())?;
    let request_id = store::request_of_doc(&s.db, d.id).await?;
    let (to_division, to_warehouse_id, dest, point) = destination(&s, &d, request_id).await?;
    let mut sent: BTreeMap<i64, i64> = BTreeMap::new();
    for l in ledger::lines(&s.db, d.id).await? {
        *sent.entry(l.item_id).or_default() += l.qty;
    }
    let lines: Vec<ShipLine> = sent
        .into_iter()
        .map(|(item_id, sent)| ShipLine {
            id: 0,
            shipment_id: 0,
            item_id,
            sent,
            received: None,
            reason: String::new(),
            note: String::new(),
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let mut sh = Shipment {
        id: 0,
        doc_id: d.id,
        request_id,
        division: d.division.clone(),
        to_division,
        from_warehouse_id: d.warehouse_id,
        to_warehouse_id,
        destination: dest,
        dest_lon: point.map(|x| x[0]),
        dest_lat: point.map(|x| x[1]),
        vehicle,
        carrier,
        state: ShipState::Planned,
        lon: None,
        lat: None,
        position_at: None,
        departed_at: None,
        arrived_at: None,
        received_at: None,
        received_by: String::new(),
        writeoff_doc_id: None,
        note,
        created_by: p.username.clone(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let mut tx = s.change().await?;
    sh.id = store::insert(&mut tx, &sh, &lines).await.map_err(|e| {
        if e.is_unique_violation() {
            ApiError::from(RuleError::State(Refusal::new(
                "shipment_exists",
                "该单据已安排运输",
            )))
        } else {
            e.into()
        }
    })?;
    let payload = json!({
        "doc_id": sh.doc_id, "request_id": sh.request_id, "to_division": sh.to_division,
        "vehicle": sh.vehicle, "carrier": sh.carrier,
        "lines": lines.iter().map(|l| json!({ "item_id": l.item_id, "sent": l.sent })).collect::<Vec<_>>(),
    });
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &sh.division,
            "shipment",
            sh.id,
            "planned",
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, sh).await?)).into_response())
}

command_body! {
    /// A step of a shipment: the version read and the step.
    #[schema(as = SupplyShipmentEventBody)]
    pub struct ShipmentEventBody { command: ShipCommand }
}

#[utoipa::path(post, path = "/api/v1/supplies/shipments/{id}/events", tag = "supplies", request_body = ShipmentEventBody,
    responses((status = 200, body = ShipmentDetail, description = "The shipment after the step (receive: the differences recorded; for a 调拨, a 报损 document drafted at the destination)"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is not possible"),
        (status = 422, body = crate::http::error::Problem, description = "A position or a received quantity is wrong")))]
pub async fn shipment_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ShipmentEventBody>,
) -> Result<axum::Json<ShipmentDetail>, ApiError> {
    let sh = load(&s, &p, id, Action::Write).await?;
    sh.expect_version(b.version)?;
    let f = facts(&s, &p, &sh).await?;
    let now = OffsetDateTime::now_utc();
    let mut next = apply(sh.clone(), &b.command, f, &p.username, now)?;
    let mut payload = json!({ "to": next.state });
    let received = match &b.command {
        ShipCommand::Receive { lines } => {
            let sent = store::lines(&s.db, id).await?;
            let got = check_receipt(&sent, lines).map_err(ApiError::Validation)?;
            payload["lines"] = json!(got
                .iter()
                .map(|l| json!({ "item_id": l.item_id, "sent": l.sent, "received": l.received, "reason": l.reason }))
                .collect::<Vec<_>>());
            Some(got)
        }
        ShipCommand::Position { lon, lat } => {
            check_position(*lon, *lat)?;
            payload["lon"] = json!(lon);
            payload["lat"] = json!(lat);
            None
        }
        _ => None,
    };
    let mut entries = Vec::new();
    let mut tx = s.change().await?;
    if let Some(got) = &received {
        store::set_received(&mut tx, got).await?;
        // A 调拨 booked the sent quantity into the destination when it was
        // posted: what did not come is drafted there as 报损.
        if let Some(to) = sh.to_warehouse_id {
            let into = store::booked_into(&mut tx, sh.doc_id, to).await?;
            let picks = writeoff_picks(got, &into);
            if !picks.is_empty() {
                let t = UtcText(now);
                let mut w = Doc {
                    id: 0,
                    kind: DocKind::Writeoff,
                    reason: writeoff_reason(got).to_string(),
                    warehouse_id: to,
                    division: sh.to_division.clone(),
                    to_warehouse_id: None,
                    to_division: String::new(),
                    reverses: None,
                    state: DocState::Draft,
                    note: format!("运输 {} 签收差异", shipment_number(sh.id)),
                    created_by: p.username.clone(),
                    created_at: t,
                    approved_by: String::new(),
                    approved_at: None,
                    posted_by: String::new(),
                    posted_at: None,
                    updated_at: t,
                    version: 1,
                };
                let rows: Vec<Line> = picks
                    .iter()
                    .enumerate()
                    .map(|(n, (item, batch, qty))| Line {
                        id: 0,
                        doc_id: 0,
                        line_no: n as i64 + 1,
                        item_id: *item,
                        batch_id: Some(*batch),
                        batch_no: String::new(),
                        supplier: String::new(),
                        produced_on: None,
                        expires_on: None,
                        qty: *qty,
                    })
                    .collect();
                w.id = ledger::insert_doc(&mut tx, &w, &rows).await?;
                next.writeoff_doc_id = Some(w.id);
                payload["writeoff_doc_id"] = json!(w.id);
                entries.push(NewEntry::new(
                    &p.username,
                    MODULE,
                    &w.division,
                    "document",
                    w.id,
                    "drafted",
                    json!({ "kind": w.kind, "reason": w.reason, "warehouse_id": to, "shipment_id": sh.id,
                        "lines": rows.iter().map(|l| json!({ "item_id": l.item_id, "batch_id": l.batch_id, "qty": l.qty })).collect::<Vec<_>>() }),
                ));
            }
        }
    }
    if let ShipCommand::Position { lon, lat } = &b.command {
        store::insert_position(
            &mut tx,
            &Position {
                id: 0,
                shipment_id: sh.id,
                lon: *lon,
                lat: *lat,
                at: UtcText(now),
                reported_by: p.username.clone(),
            },
        )
        .await?;
    }
    tx.save(&next).await?;
    entries.insert(
        0,
        NewEntry::new(
            &p.username,
            MODULE,
            &sh.division,
            "shipment",
            sh.id,
            b.command.as_str(),
            payload,
        ),
    );
    tx.commit(now, entries).await?;
    let sh = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, sh).await?))
}

/// What an incident's requests asked for, sent and received, per item.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyFlowRow)]
pub struct FlowRow {
    pub item_id: i64,
    pub item_name: String,
    pub unit: String,
    /// Asked for by the incident's requests (not cancelled).
    pub requested: i64,
    /// Sent: in their posted 出库/调拨 documents.
    pub sent: i64,
    /// Received: counted at the destination of their shipments.
    pub received: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FlowParams {
    pub incident_id: i64,
}

#[utoipa::path(get, path = "/api/v1/supplies/flow", tag = "supplies", params(FlowParams),
    responses((status = 200, body = [FlowRow], description = "Per item: requested, sent and received for an incident's requests in the user's jurisdiction")))]
pub async fn incident_flow(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<FlowParams>,
) -> Result<axum::Json<Vec<FlowRow>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let items = item_map(&s).await?;
    let rows = store::incident_flow(&s.db, q.incident_id, &scope.prefix).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(item_id, requested, sent, received)| {
                let i = items.get(&item_id);
                FlowRow {
                    item_id,
                    item_name: i.map(|i| i.name.clone()).unwrap_or_default(),
                    unit: i.map(|i| i.unit.clone()).unwrap_or_default(),
                    requested,
                    sent,
                    received,
                }
            })
            .collect(),
    ))
}
