//! HTTP routes of supplies requests: draft, list, read, the proposed
//! allocation, and the steps (submit, accept, fulfil, cancel). Every
//! request: parse → `auth::authorize(…, "supplies")` (the requesting
//! division's jurisdiction; allocating: `supplies.allocation`, the city) →
//! rules → one change with its journal entries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::model::{AllocationRow, Request, RequestLine};
use super::store::{self, Filter};
use super::{
    allowed_events, apply, check_accepted, check_request, propose, request_number, Candidate,
    Facts, NewRequest, Part, PlaceKind, ReqCommand, ReqState, Source, Unmet,
};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::db::{DbError, UtcText, Versioned};
use crate::dispatch::Method;
use crate::error::FieldError;
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;
use crate::supplies::api::{city, today, views, DocView};
use crate::supplies::store as ledger;
use crate::supplies::{Doc, DocKind, DocState, Held, Item, Line, Stock};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(get_proposal))
        .routes(routes!(request_event))
}

const MODULE: &str = "supplies";
/// Allocating from the warehouses (admins and commanders: the city).
const ALLOCATION: &str = "supplies.allocation";

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

fn not_found(name: &str, code: &'static str) -> FieldError {
    FieldError::new(name, "找不到该记录或不在您的管辖范围内").code(code)
}

async fn item_map(s: &AppState) -> Result<HashMap<i64, Item>, ApiError> {
    Ok(ledger::items(&s.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

/// A registry record of `kind` in the city of `scope`.
async fn record(
    s: &AppState,
    scope: &Scope,
    kind: &str,
    id: i64,
    name: &str,
) -> Result<crate::registry::Item, FieldError> {
    crate::registry::store::get(&s.db, &s.tree(), kind, id)
        .await
        .ok()
        .flatten()
        .filter(|w| w.division.starts_with(city(scope)))
        .ok_or_else(|| not_found(name, "record_not_found"))
}

/// The requesting division of a new request and, for an incident or a
/// shelter, its point: what the source says, inside the writer's scope.
async fn source_of(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    b: &NewRequest,
) -> Result<(String, Option<[f64; 2]>), FieldError> {
    match b.source {
        Source::Incident => {
            let id = b.incident_id.unwrap_or_default();
            let read = authorize(p, Action::Read, "incidents")
                .map_err(|_| not_found("incident_id", "incident_not_found"))?;
            let i = crate::incidents::store::get_incident(&s.db, id)
                .await
                .ok()
                .flatten()
                .filter(|i| read.covers(&i.division, "") && scope.covers(&i.division, ""))
                .ok_or_else(|| not_found("incident_id", "incident_not_found"))?;
            let at = i.lon.zip(i.lat).map(|(lon, lat)| [lon, lat]);
            Ok((i.division, at))
        }
        Source::Shelter => {
            let sh = record(
                s,
                scope,
                "shelter",
                b.shelter_id.unwrap_or_default(),
                "shelter_id",
            )
            .await?;
            if !scope.covers(&sh.division, "") {
                return Err(not_found("shelter_id", "record_not_found"));
            }
            Ok((sh.division, Some([sh.lon, sh.lat])))
        }
        Source::County => {
            let d = b
                .division
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| crate::divisions::Code::parse(d).map(|c| c.as_str().to_string()))
                .unwrap_or_else(|| Ok(p.division.as_str().to_string()))
                .map_err(|e| FieldError::new("division", e.to_string()).code("bad_division"))?;
            if !scope.covers(&d, "") {
                return Err(
                    FieldError::new("division", "不在您的管辖范围内").code("division_not_in_scope")
                );
            }
            Ok((d, None))
        }
    }
}

/// The delivery place: (point [lon, lat], id, division code, name).
async fn place_of(
    s: &AppState,
    scope: &Scope,
    b: &NewRequest,
    point: Option<[f64; 2]>,
) -> Result<([f64; 2], Option<i64>, String, String), FieldError> {
    match b.place_kind {
        PlaceKind::Point => point
            .map(|pt| (pt, None, String::new(), String::new()))
            .ok_or_else(|| FieldError::new("lat", "请在地图上选择送达地点").code("required")),
        PlaceKind::Shelter | PlaceKind::Warehouse => {
            let r = record(
                s,
                scope,
                b.place_kind.as_str(),
                b.place_id.unwrap_or_default(),
                "place_id",
            )
            .await?;
            Ok(([r.lon, r.lat], Some(r.id), r.division, r.name))
        }
        PlaceKind::Division => {
            let tree = s.tree();
            let raw = b.place_division.as_deref().unwrap_or_default().trim();
            let code = crate::divisions::Code::parse(raw)
                .ok()
                .filter(|c| c.as_str().starts_with(city(scope)) && tree.get(c).is_some())
                .ok_or_else(|| {
                    not_found("place_division", "division_not_found").param("code", raw)
                })?;
            let inner = || {
                use geo::InteriorPoint;
                let (c, mp) = tree.boundary_for(&code)?;
                (c == code).then_some(())?;
                mp.interior_point().map(|p| [p.x(), p.y()])
            };
            let pt = point.or_else(inner).ok_or_else(|| {
                FieldError::new("lat", "该区划没有边界，请在地图上选择送达地点")
                    .code("no_division_point")
            })?;
            Ok((
                pt,
                None,
                code.as_str().to_string(),
                tree.name(code.as_str()),
            ))
        }
    }
}

/// A request line as shown, with the item's name.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyRequestLineView)]
pub struct LineView {
    #[serde(flatten)]
    pub line: RequestLine,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
}

/// A request as listed.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyRequestView)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: Request,
    /// XQ000012 …
    pub number: String,
    pub state_zh: &'static str,
    pub division_name: String,
    /// submit | accept | fulfil | cancel
    pub allowed_events: Vec<&'static str>,
}

/// One accepted part as shown.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyAllocationView)]
pub struct AllocationView {
    #[serde(flatten)]
    pub row: AllocationRow,
    pub warehouse_name: String,
    pub item_name: String,
    pub unit: String,
}

/// A request with its lines, its accepted allocation and its documents.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyRequestDetail)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub view: RequestView,
    pub lines: Vec<LineView>,
    pub allocations: Vec<AllocationView>,
    pub documents: Vec<DocView>,
}

/// One page of requests.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyRequestPage)]
pub struct RequestPage {
    pub items: Vec<RequestView>,
    pub total: i64,
}

/// What the user may do with a request: allocate it (the city), and how
/// far its documents are.
async fn facts(s: &AppState, p: &Principal, r: &Request) -> Result<(Facts, Vec<Doc>), ApiError> {
    let docs = store::documents(&s.db, r.id).await?;
    Ok((
        Facts {
            allocates: authorize(p, Action::Write, ALLOCATION)
                .is_ok_and(|a| a.covers(&r.division, "")),
            docs: docs.len(),
            posted: docs.iter().filter(|d| d.state == DocState::Posted).count(),
        },
        docs,
    ))
}

fn view(s: &AppState, r: Request, writes: bool, f: Facts) -> RequestView {
    RequestView {
        number: request_number(r.id),
        state_zh: r.state.label_zh(),
        division_name: s.tree().name(&r.division),
        allowed_events: if writes {
            allowed_events(&r, f)
        } else {
            Vec::new()
        },
        request: r,
    }
}

/// The request if the user may `action` it: its division is in their
/// jurisdiction. Another jurisdiction's request does not exist for them.
async fn load(s: &AppState, p: &Principal, id: i64, action: Action) -> Result<Request, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get(&s.db, id)
        .await?
        .filter(|r| scope.covers(&r.division, ""))
        .ok_or(ApiError::NotFound)
}

async fn detail(s: &AppState, p: &Principal, r: Request) -> Result<RequestDetail, ApiError> {
    let items = item_map(s).await?;
    let lines = store::lines(&s.db, r.id).await?;
    let allocations = store::allocations(&s.db, r.id).await?;
    let (f, docs) = facts(s, p, &r).await?;
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&r.division, ""));
    let ws: HashMap<i64, String> = ledger::warehouses(&s.db, "")
        .await?
        .into_iter()
        .map(|(id, n, _)| (id, n))
        .collect();
    let doc_writes = authorize(p, Action::Write, MODULE).ok();
    let mut documents = Vec::new();
    for d in docs {
        let w = doc_writes
            .as_ref()
            .is_some_and(|o| o.covers(&d.division, ""));
        let readable = authorize(p, Action::Read, MODULE).is_ok();
        if readable {
            documents.extend(views(s, p, vec![d], w).await?);
        }
    }
    let name = |i: i64| {
        items
            .get(&i)
            .map(|x| (x.code.clone(), x.name.clone(), x.unit.clone()))
            .unwrap_or_default()
    };
    Ok(RequestDetail {
        lines: lines
            .into_iter()
            .map(|l| {
                let (item_code, item_name, unit) = name(l.item_id);
                LineView {
                    line: l,
                    item_code,
                    item_name,
                    unit,
                }
            })
            .collect(),
        allocations: allocations
            .into_iter()
            .map(|a| {
                let (_, item_name, unit) = name(a.item_id);
                AllocationView {
                    warehouse_name: ws.get(&a.warehouse_id).cloned().unwrap_or_default(),
                    item_name,
                    unit,
                    row: a,
                }
            })
            .collect(),
        documents,
        view: view(s, r, writes, f),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RequestParams {
    pub state: Option<ReqState>,
    pub incident_id: Option<i64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/supplies/requests", tag = "supplies", params(RequestParams),
    responses((status = 200, body = RequestPage, description = "Requests of the divisions in the user's jurisdiction, newest first")))]
pub async fn list_requests(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<RequestParams>,
) -> Result<axum::Json<RequestPage>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let (rows, total) = store::list(
        &s.db,
        &scope.prefix,
        &Filter {
            state: q.state,
            incident_id: q.incident_id,
            limit: q.limit.unwrap_or(50),
            offset: q.offset.unwrap_or(0),
        },
    )
    .await?;
    let writes = authorize(&p, Action::Write, MODULE).is_ok();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let (f, _) = facts(&s, &p, &r).await?;
        items.push(view(&s, r, writes, f));
    }
    Ok(axum::Json(RequestPage { items, total }))
}

#[utoipa::path(get, path = "/api/v1/supplies/requests/{id}", tag = "supplies",
    responses((status = 200, body = RequestDetail, description = "One request with its lines, accepted allocation and documents")))]
pub async fn get_request(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<RequestDetail>, ApiError> {
    let r = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, r).await?))
}

#[utoipa::path(post, path = "/api/v1/supplies/requests", tag = "supplies", request_body = NewRequest,
    responses((status = 201, body = RequestDetail, description = "Drafted"), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_request(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewRequest>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let items: BTreeSet<i64> = ledger::items(&s.db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let now = OffsetDateTime::now_utc();
    let checked = check_request(&b, &items, now);
    let mut errors = match &checked {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    let needs_source = match b.source {
        Source::Incident => b.incident_id.is_some(),
        Source::Shelter => b.shelter_id.is_some(),
        Source::County => true,
    };
    let source = if needs_source {
        source_of(&s, &p, &scope, &b)
            .await
            .map_err(|e| errors.push(e))
            .ok()
    } else {
        None
    };
    let point = checked.as_ref().ok().and_then(|c| c.point);
    let place = if errors.is_empty() {
        place_of(&s, &scope, &b, point)
            .await
            .map_err(|e| errors.push(e))
            .ok()
    } else {
        None
    };
    let (Ok(c), Some((division, _)), Some((pt, place_id, place_division, place_name))) =
        (checked, source, place)
    else {
        return Err(ApiError::Validation(errors));
    };
    let t = UtcText(now);
    let mut r = Request {
        id: 0,
        division,
        source: b.source,
        incident_id: b.incident_id.filter(|_| b.source == Source::Incident),
        shelter_id: b.shelter_id.filter(|_| b.source == Source::Shelter),
        place_kind: b.place_kind,
        place_id,
        place_division,
        place_name,
        lon: pt[0],
        lat: pt[1],
        needed_by: UtcText(c.needed_by),
        state: ReqState::Drafted,
        note: c.note,
        created_by: p.username.clone(),
        created_at: t,
        submitted_at: None,
        allocated_by: String::new(),
        allocated_at: None,
        closed_at: None,
        updated_at: t,
        version: 1,
    };
    let lines: Vec<RequestLine> = c
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| RequestLine {
            id: 0,
            request_id: 0,
            line_no: n as i64 + 1,
            item_id: l.item_id,
            qty: l.qty,
        })
        .collect();
    let mut tx = s.change().await?;
    r.id = store::insert(&mut tx, &r, &lines).await?;
    let payload = json!({
        "source": r.source, "incident_id": r.incident_id, "shelter_id": r.shelter_id,
        "place_kind": r.place_kind, "place_id": r.place_id, "place_division": r.place_division,
        "lon": r.lon, "lat": r.lat, "needed_by": r.needed_by,
        "lines": lines.iter().map(|l| json!({ "item_id": l.item_id, "qty": l.qty })).collect::<Vec<_>>(),
    });
    tx.commit(
        now,
        vec![entry(&p, &r.division, "request", r.id, "drafted", payload)],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, r).await?)).into_response())
}

// ── the proposal ──────────────────────────────────────────────────────

/// A part of the proposal as shown.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyProposalLine)]
pub struct ProposalLine {
    #[serde(flatten)]
    pub part: Part,
    pub warehouse_name: String,
    pub item_name: String,
    pub unit: String,
    pub batch_no: String,
    pub expires_on: Option<String>,
}

/// What stays unmet, as shown.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyUnmetView)]
pub struct UnmetView {
    #[serde(flatten)]
    pub unmet: Unmet,
    pub item_name: String,
    pub unit: String,
}

/// The quantities per warehouse and item to send back when accepting.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyAcceptLine)]
pub struct AcceptLine {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub qty: i64,
}

/// A proposed allocation of a submitted request: nothing has moved.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyProposal)]
pub struct ProposalView {
    pub lines: Vec<ProposalLine>,
    pub unmet: Vec<UnmetView>,
    /// Send these back with `accept`.
    pub accept: Vec<AcceptLine>,
    /// How travel times were estimated where no road graph answered
    /// (none: all by road).
    pub estimate_note: Option<String>,
    /// Warehouses with stock that no road joins to the place.
    pub unreachable: Vec<String>,
}

/// The proposal for `r` from the warehouses of `scope` (not the delivery
/// warehouse itself), with the warehouses' names.
async fn compute(
    s: &AppState,
    scope: &Scope,
    r: &Request,
) -> Result<(super::Proposal, ProposalView), ApiError> {
    let lines: Vec<(i64, i64)> = store::lines(&s.db, r.id)
        .await?
        .iter()
        .map(|l| (l.item_id, l.qty))
        .collect();
    let wanted: BTreeSet<i64> = lines.iter().map(|l| l.0).collect();
    let ws: Vec<(i64, String, [f64; 2])> = store::warehouse_points(&s.db, &scope.prefix)
        .await?
        .into_iter()
        .filter(|w| !(r.place_kind == PlaceKind::Warehouse && Some(w.0) == r.place_id))
        .collect();
    let rows = ledger::stock(&s.db, &scope.prefix, None, None).await?;
    let mut stock: Stock = BTreeMap::new();
    let mut batch_info: HashMap<i64, (String, Option<String>)> = HashMap::new();
    for row in rows.into_iter().filter(|x| wanted.contains(&x.item_id)) {
        batch_info.insert(row.batch_id, (row.batch_no.clone(), row.expires_on.clone()));
        stock
            .entry((row.warehouse_id, row.item_id))
            .or_default()
            .push(Held {
                batch_id: row.batch_id,
                expires_on: row.expires_on,
                qty: row.qty,
            });
    }
    let reserve = ledger::minimums(&s.db, &scope.prefix).await?;
    let est = s.config.dispatch;
    let cfg = s.config.snapping;
    let ch = s.routing.clone();
    let at = [r.lon, r.lat];
    let points: Vec<[f64; 2]> = ws.iter().map(|w| w.2).collect();
    let timed = tokio::task::spawn_blocking(move || {
        crate::dispatch::api::times(ch.as_deref(), cfg, &est, at, &points).0
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let candidates: Vec<Candidate> = ws
        .iter()
        .zip(&timed)
        .map(|(w, t)| Candidate {
            warehouse_id: w.0,
            time_s: t.map(|t| t.0),
            method: t.map_or(Method::Estimate, |t| t.2),
        })
        .collect();
    let proposal = propose(&lines, &candidates, &stock, &reserve, today());
    let items = item_map(s).await?;
    let names: HashMap<i64, &str> = ws.iter().map(|w| (w.0, w.1.as_str())).collect();
    let iname = |i: i64| {
        items
            .get(&i)
            .map(|x| (x.name.clone(), x.unit.clone()))
            .unwrap_or_default()
    };
    let uses_estimate = proposal.parts.iter().any(|p| p.method == Method::Estimate);
    let view = ProposalView {
        lines: proposal
            .parts
            .iter()
            .map(|p| {
                let (item_name, unit) = iname(p.item_id);
                let (batch_no, expires_on) =
                    batch_info.get(&p.batch_id).cloned().unwrap_or_default();
                ProposalLine {
                    warehouse_name: names
                        .get(&p.warehouse_id)
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    item_name,
                    unit,
                    batch_no,
                    expires_on,
                    part: p.clone(),
                }
            })
            .collect(),
        unmet: proposal
            .unmet
            .iter()
            .map(|u| {
                let (item_name, unit) = iname(u.item_id);
                UnmetView {
                    unmet: u.clone(),
                    item_name,
                    unit,
                }
            })
            .collect(),
        accept: proposal
            .totals()
            .into_iter()
            .map(|((warehouse_id, item_id), qty)| AcceptLine {
                warehouse_id,
                item_id,
                qty,
            })
            .collect(),
        estimate_note: uses_estimate.then(|| crate::dispatch::api::estimate_note(&est)),
        unreachable: candidates
            .iter()
            .filter(|c| c.time_s.is_none() && stock.keys().any(|k| k.0 == c.warehouse_id))
            .filter_map(|c| names.get(&c.warehouse_id).map(|x| x.to_string()))
            .collect(),
    };
    Ok((proposal, view))
}

#[utoipa::path(get, path = "/api/v1/supplies/requests/{id}/proposal", tag = "supplies",
    responses((status = 200, body = ProposalView, description = "The proposed allocation of a submitted request (the city); nothing moves"),
        (status = 409, body = crate::http::error::Problem, description = "The request is not submitted")))]
pub async fn get_proposal(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    let r = load(&s, &p, id, Action::Read).await?;
    let scope = authorize(&p, Action::Write, ALLOCATION)?;
    if r.state != ReqState::Submitted {
        return Err(ApiError::from(crate::supplies::RuleError::State(
            crate::error::Refusal::new(
                "supply_request_step_not_allowed",
                "只有已提交的申请可以调配",
            )
            .param("state", r.state.as_str())
            .param("event", "accept"),
        )));
    }
    Ok(axum::Json(compute(&s, &scope, &r).await?.1))
}

// ── steps ─────────────────────────────────────────────────────────────

command_body! {
    /// A step of a request: the version read and the step.
    #[schema(as = SupplyRequestEventBody)]
    pub struct RequestEventBody { command: ReqCommand }
}

fn drafted_doc(
    p: &Principal,
    r: &Request,
    w: &(i64, String),
    to: Option<(i64, String)>,
    now: OffsetDateTime,
) -> Doc {
    let t = UtcText(now);
    let kind = if to.is_some() {
        DocKind::Transfer
    } else {
        DocKind::Issue
    };
    Doc {
        id: 0,
        kind,
        reason: if to.is_some() {
            String::new()
        } else {
            "relief".into()
        },
        warehouse_id: w.0,
        division: w.1.clone(),
        to_warehouse_id: to.as_ref().map(|x| x.0),
        to_division: to.map(|x| x.1).unwrap_or_default(),
        reverses: None,
        state: DocState::Draft,
        note: format!("需求申请 {} 调配", request_number(r.id)),
        created_by: p.username.clone(),
        created_at: t,
        approved_by: String::new(),
        approved_at: None,
        posted_by: String::new(),
        posted_at: None,
        updated_at: t,
        version: 1,
    }
}

#[utoipa::path(post, path = "/api/v1/supplies/requests/{id}/events", tag = "supplies", request_body = RequestEventBody,
    responses((status = 200, body = RequestDetail, description = "The request after the step (accept: its documents drafted)"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, the step is not possible, or the proposal has changed (proposal_changed)")))]
pub async fn request_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<RequestEventBody>,
) -> Result<axum::Json<RequestDetail>, ApiError> {
    let r = load(&s, &p, id, Action::Write).await?;
    r.expect_version(b.version)?;
    let (f, docs) = facts(&s, &p, &r).await?;
    let now = OffsetDateTime::now_utc();
    let next = apply(r.clone(), &b.command, f, &p.username, now)?;
    // Read before the change: the proposal as it is now.
    let accepted = match &b.command {
        ReqCommand::Accept { lines } => {
            let scope = authorize(&p, Action::Write, ALLOCATION)?;
            let (proposal, _) = compute(&s, &scope, &r).await?;
            check_accepted(lines, &proposal)?;
            Some(proposal)
        }
        _ => None,
    };
    let ws: HashMap<i64, String> = ledger::warehouses(&s.db, "")
        .await?
        .into_iter()
        .map(|(id, _, d)| (id, d))
        .collect();
    let mut entries = Vec::new();
    let mut tx = s.change().await?;
    tx.save(&next).await?;
    let mut payload = json!({ "to": next.state });
    match (&b.command, accepted) {
        (ReqCommand::Accept { .. }, Some(proposal)) => {
            let to = match (r.place_kind, r.place_id) {
                (PlaceKind::Warehouse, Some(t)) => {
                    Some((t, ws.get(&t).cloned().unwrap_or_default()))
                }
                _ => None,
            };
            // One document per warehouse, nearest first.
            let mut order: Vec<i64> = Vec::new();
            for part in &proposal.parts {
                if !order.contains(&part.warehouse_id) {
                    order.push(part.warehouse_id);
                }
            }
            let mut made = Vec::new();
            for w in order {
                let parts: Vec<&Part> = proposal
                    .parts
                    .iter()
                    .filter(|x| x.warehouse_id == w)
                    .collect();
                let wdiv = ws.get(&w).cloned().unwrap_or_default();
                let mut d = drafted_doc(&p, &r, &(w, wdiv), to.clone(), now);
                let rows: Vec<Line> = parts
                    .iter()
                    .enumerate()
                    .map(|(n, x)| Line {
                        id: 0,
                        doc_id: 0,
                        line_no: n as i64 + 1,
                        item_id: x.item_id,
                        batch_id: Some(x.batch_id),
                        batch_no: String::new(),
                        supplier: String::new(),
                        produced_on: None,
                        expires_on: None,
                        qty: x.qty,
                    })
                    .collect();
                d.id = ledger::insert_doc(&mut tx, &d, &rows).await?;
                for x in &parts {
                    store::insert_allocation(
                        &mut tx,
                        &AllocationRow {
                            id: 0,
                            request_id: r.id,
                            doc_id: Some(d.id),
                            warehouse_id: w,
                            item_id: x.item_id,
                            batch_id: Some(x.batch_id),
                            qty: x.qty,
                            time_s: Some(x.time_s),
                            method: match x.method {
                                Method::Road => "road".into(),
                                Method::Estimate => "estimate".into(),
                            },
                        },
                    )
                    .await?;
                }
                entries.push(NewEntry::new(
                    &p.username,
                    MODULE,
                    &d.division,
                    "document",
                    d.id,
                    "drafted",
                    json!({ "kind": d.kind, "reason": d.reason, "warehouse_id": w, "to_warehouse_id": d.to_warehouse_id, "request_id": r.id,
                        "lines": rows.iter().map(|l| json!({ "item_id": l.item_id, "batch_id": l.batch_id, "qty": l.qty })).collect::<Vec<_>>() }),
                ));
                made.push(d.id);
            }
            payload["documents"] = json!(made);
            payload["unmet"] = json!(proposal.unmet);
        }
        (ReqCommand::Cancel {}, _) => {
            let mut deleted = Vec::new();
            for d in docs.iter().filter(|d| d.state != DocState::Posted) {
                if !ledger::delete_doc(&mut tx, d.id, d.version).await? {
                    return Err(DbError::Stale.into());
                }
                entries.push(NewEntry::new(
                    &p.username,
                    MODULE,
                    &d.division,
                    "document",
                    d.id,
                    "deleted",
                    json!({ "kind": d.kind, "state": d.state, "request_id": r.id }),
                ));
                deleted.push(d.id);
            }
            payload["deleted_documents"] = json!(deleted);
        }
        _ => {}
    }
    entries.insert(
        0,
        entry(
            &p,
            &r.division,
            "request",
            r.id,
            b.command.as_str(),
            payload,
        ),
    );
    tx.commit(now, entries).await?;
    let r = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, r).await?))
}
