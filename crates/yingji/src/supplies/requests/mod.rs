//! Supplies requests (需求申请) and their allocation by road: a request
//! from an incident, a county or a shelter names items, quantities, the
//! delivery place and when it is needed; it is drafted, submitted,
//! allocated (a proposed allocation accepted: the ledger documents that will
//! move the stock are drafted) and then fulfilled, or cancelled.
//!
//! The proposed allocation ([`propose`]) fills each line from the
//! warehouses with stock, nearest first by road time, never below a
//! warehouse's minimum reserve, never from expired batches, split across
//! warehouses when one is not enough, and says what stays unmet. Travel
//! times and the day are parameters: nothing here reads a clock, the
//! database or the road graph.
//!
//! Issue #17 ("requests and allocation"); the plan's 三.14 (运输和分发) and
//! 三.23–25.

pub mod api;
pub mod model;
pub mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::{fefo, Held, RuleError, MAX_QTY};
use crate::db::UtcText;
use crate::dispatch::Method;
use crate::error::text;
use crate::error::{FieldError, Refusal};
pub use model::{AllocationRow, Request, RequestLine};

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyRequestSource)]
pub enum Source {
    /// For an incident (事件): the request belongs to the incident's division.
    Incident,
    /// A county (or township) for itself.
    County,
    /// A shelter (避难场所) for its evacuees.
    Shelter,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Incident, Source::County, Source::Shelter];
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Incident => "incident",
            Source::County => "county",
            Source::Shelter => "shelter",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where the supplies go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyPlaceKind)]
pub enum PlaceKind {
    /// A point on the map (`lat`, `lon`).
    Point,
    /// A shelter (registry record `place_id`).
    Shelter,
    /// A division (`place_division`): its point, or the given one.
    Division,
    /// A warehouse (registry record `place_id`): the documents are 调拨.
    Warehouse,
}

impl PlaceKind {
    pub const ALL: [PlaceKind; 4] = [
        PlaceKind::Point,
        PlaceKind::Shelter,
        PlaceKind::Division,
        PlaceKind::Warehouse,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Point => "point",
            PlaceKind::Shelter => "shelter",
            PlaceKind::Division => "division",
            PlaceKind::Warehouse => "warehouse",
        }
    }
    pub fn parse(s: &str) -> Option<PlaceKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyRequestState)]
pub enum ReqState {
    /// 草稿
    Drafted,
    /// 已提交: waiting for allocation.
    Submitted,
    /// 已调配: the proposal accepted, its documents drafted.
    Allocated,
    /// 已完成: every document posted, the requester confirmed.
    Fulfilled,
    /// 已取消
    Cancelled,
}

impl ReqState {
    pub const ALL: [ReqState; 5] = [
        ReqState::Drafted,
        ReqState::Submitted,
        ReqState::Allocated,
        ReqState::Fulfilled,
        ReqState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReqState::Drafted => "drafted",
            ReqState::Submitted => "submitted",
            ReqState::Allocated => "allocated",
            ReqState::Fulfilled => "fulfilled",
            ReqState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<ReqState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ReqState::Drafted => "草稿",
            ReqState::Submitted => "已提交",
            ReqState::Allocated => "已调配",
            ReqState::Fulfilled => "已完成",
            ReqState::Cancelled => "已取消",
        }
    }
}

/// The number a request is known by (需求 XQ).
pub fn request_number(id: i64) -> String {
    format!("XQ{id:06}")
}

/// A line as the user gives it.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyRequestLineInput)]
pub struct LineInput {
    pub item_id: i64,
    pub qty: i64,
}

/// A new request (`POST /supplies/requests`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyRequest)]
pub struct NewRequest {
    pub source: Source,
    /// source = incident
    #[serde(default)]
    pub incident_id: Option<i64>,
    /// source = shelter
    #[serde(default)]
    pub shelter_id: Option<i64>,
    /// source = county: the requesting division (default: the user's).
    #[serde(default)]
    pub division: Option<String>,
    pub place_kind: PlaceKind,
    /// place_kind = shelter | warehouse: the registry record.
    #[serde(default)]
    pub place_id: Option<i64>,
    /// place_kind = division: the division code.
    #[serde(default)]
    pub place_division: Option<String>,
    /// place_kind = point (required) or division (optional): WGS84.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// RFC 3339.
    pub needed_by: String,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<LineInput>,
}

/// The checked fields of a new request that do not need the database.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub needed_by: OffsetDateTime,
    pub note: String,
    pub point: Option<[f64; 2]>,
    pub lines: Vec<LineInput>,
}

/// Check a new request against the catalogue (`items`) at `now`: every
/// wrong field named. The records it names (incident, shelter, warehouse,
/// division) are checked by the API, which reads them.
pub fn check_request(
    b: &NewRequest,
    items: &std::collections::BTreeSet<i64>,
    now: OffsetDateTime,
) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    match (b.source, b.incident_id, b.shelter_id) {
        (Source::Incident, None, _) => {
            errors.push(FieldError::new("incident_id", "请选择事件").code("required"))
        }
        (Source::Shelter, _, None) => {
            errors.push(FieldError::new("shelter_id", "请选择避难场所").code("required"))
        }
        _ => {}
    }
    let needed_by = match crate::clock::parse_time(b.needed_by.trim()) {
        None => {
            errors.push(FieldError::new("needed_by", "时间格式应为 RFC 3339").code("not_a_time"));
            None
        }
        Some(t) if t < now => {
            errors.push(FieldError::new("needed_by", "需要时间不能早于现在").code("in_the_past"));
            None
        }
        Some(t) => Some(t),
    };
    let point = match (b.lat, b.lon) {
        (Some(lat), Some(lon)) => {
            if crate::route_cli::lon_lat(lat, lon).is_none() {
                errors.push(FieldError::new("lat", "坐标无效").code("bad_point"));
            }
            Some([lon, lat])
        }
        (None, None) => None,
        (None, Some(_)) => {
            errors.push(FieldError::new("lat", "请同时填写经纬度").code("required"));
            None
        }
        (Some(_), None) => {
            errors.push(FieldError::new("lon", "请同时填写经纬度").code("required"));
            None
        }
    };
    match b.place_kind {
        PlaceKind::Point if point.is_none() && b.lat.is_none() && b.lon.is_none() => {
            errors.push(FieldError::new("lat", "请在地图上选择送达地点").code("required"))
        }
        PlaceKind::Shelter | PlaceKind::Warehouse if b.place_id.is_none() => {
            errors.push(FieldError::new("place_id", "请选择送达地点").code("required"))
        }
        PlaceKind::Division
            if b.place_division
                .as_deref()
                .is_none_or(|d| d.trim().is_empty()) =>
        {
            errors.push(FieldError::new("place_division", "请选择送达区划").code("required"))
        }
        _ => {}
    }
    let note = text("note", &b.note, 1000, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if b.lines.is_empty() {
        errors.push(FieldError::new("lines", "请至少填写一行").code("required"));
    }
    if b.lines.len() > 100 {
        errors.push(
            FieldError::new("lines", "最多 100 行")
                .code("too_many")
                .param("max", 100),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (n, l) in b.lines.iter().enumerate() {
        let at = |f: &str| format!("lines[{n}].{f}");
        if !items.contains(&l.item_id) {
            errors
                .push(FieldError::new(at("item_id"), "找不到该物资").code("supply_item_not_found"));
        } else if !seen.insert(l.item_id) {
            errors.push(
                FieldError::new(at("item_id"), "同一物资重复填写")
                    .code("duplicate_row")
                    .param("row", n),
            );
        }
        if !(1..=MAX_QTY).contains(&l.qty) {
            errors.push(
                FieldError::new(at("qty"), format!("应在 1 到 {MAX_QTY} 之间"))
                    .code("out_of_range")
                    .param("min", 1)
                    .param("max", MAX_QTY),
            );
        }
    }
    match needed_by {
        Some(needed_by) if errors.is_empty() => Ok(Checked {
            needed_by,
            note,
            point,
            lines: b.lines.clone(),
        }),
        _ => Err(errors),
    }
}

// ── the proposed allocation ───────────────────────────────────────────

/// A warehouse that may supply, with its travel time to the delivery
/// place (`None`: no road joins them; it is not used).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub warehouse_id: i64,
    pub time_s: Option<f64>,
    pub method: Method,
}

/// One part of a line: so much of an item from a warehouse's batch.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SupplyAllocationPart)]
pub struct Part {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub batch_id: i64,
    pub qty: i64,
    /// Travel time from the warehouse to the place, seconds.
    pub time_s: f64,
    pub method: Method,
}

/// What a line could not get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = SupplyUnmet)]
pub struct Unmet {
    pub item_id: i64,
    pub qty: i64,
}

/// A proposed allocation: the parts, nearest warehouse first within each
/// line, and what stays unmet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Proposal {
    pub parts: Vec<Part>,
    pub unmet: Vec<Unmet>,
}

impl Proposal {
    /// The quantity of each (warehouse, item): what accepting compares.
    pub fn totals(&self) -> BTreeMap<(i64, i64), i64> {
        let mut out = BTreeMap::new();
        for p in &self.parts {
            *out.entry((p.warehouse_id, p.item_id)).or_default() += p.qty;
        }
        out
    }
}

/// Fill each line of `lines` (item, qty) from the `candidates`, nearest
/// first by travel time (ties: the lower warehouse id), reading `stock`
/// (per (warehouse, item) the batches held) on `today`:
/// - a warehouse gives at most what it holds in batches not expired on
///   `today` above its minimum reserve `reserve[(warehouse, item)]`
///   (最低库存: the stock below it stays for the warehouse's own area);
/// - within a warehouse the batches expiring first go first (FEFO);
/// - a warehouse without a travel time (no road) gives nothing;
/// - what no warehouse can give is unmet.
///
/// Lines are filled in order, each against what the earlier ones took.
pub fn propose(
    lines: &[(i64, i64)],
    candidates: &[Candidate],
    stock: &super::Stock,
    reserve: &BTreeMap<(i64, i64), i64>,
    today: Date,
) -> Proposal {
    let mut order: Vec<(&Candidate, f64)> = candidates
        .iter()
        .filter_map(|c| c.time_s.filter(|t| t.is_finite()).map(|t| (c, t)))
        .collect();
    order.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then(a.0.warehouse_id.cmp(&b.0.warehouse_id))
    });
    let mut left = stock.clone();
    let mut out = Proposal::default();
    for &(item, qty) in lines {
        let mut rest = qty;
        for (c, t) in &order {
            if rest == 0 {
                break;
            }
            let Some(held) = left.get_mut(&(c.warehouse_id, item)) else {
                continue;
            };
            let usable: Vec<Held> = held
                .iter()
                .filter(|h| {
                    h.qty > 0
                        && super::expiry(h.expires_on.as_deref(), today, 0)
                            != super::Expiry::Expired
                })
                .cloned()
                .collect();
            let have: i64 = usable.iter().map(|h| h.qty).sum();
            let min = reserve.get(&(c.warehouse_id, item)).copied().unwrap_or(0);
            let take = rest.min((have - min).max(0));
            if take == 0 {
                continue;
            }
            let Some(picks) = fefo(&usable, take) else {
                continue;
            };
            for (batch_id, q) in picks {
                if let Some(h) = held.iter_mut().find(|h| h.batch_id == batch_id) {
                    h.qty -= q;
                }
                out.parts.push(Part {
                    warehouse_id: c.warehouse_id,
                    item_id: item,
                    batch_id,
                    qty: q,
                    time_s: *t,
                    method: c.method,
                });
            }
            rest -= take;
        }
        if rest > 0 {
            out.unmet.push(Unmet {
                item_id: item,
                qty: rest,
            });
        }
    }
    out
}

// ── the request's state machine ───────────────────────────────────────

/// A step of a request (`POST /supplies/requests/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = SupplyRequestCommand)]
pub enum ReqCommand {
    /// 提交 (the requester).
    Submit {},
    /// 接受调配方案 (the city): the quantities per warehouse and item of the
    /// proposal the user saw; refused when the proposal has changed since.
    Accept { lines: Vec<Accepted> },
    /// 确认完成 (every document posted).
    Fulfil {},
    /// 取消 (before any document is posted; its unposted documents are
    /// deleted with it).
    Cancel {},
}

/// One (warehouse, item, quantity) of an accepted proposal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyAcceptedLine)]
pub struct Accepted {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub qty: i64,
}

impl ReqCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReqCommand::Submit {} => "submit",
            ReqCommand::Accept { .. } => "accept",
            ReqCommand::Fulfil {} => "fulfil",
            ReqCommand::Cancel {} => "cancel",
        }
    }
}

/// What a step depends on besides the request: who asks and where its
/// documents are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The user allocates (`supplies.allocation`: the city).
    pub allocates: bool,
    /// The request's documents and how many of them are posted.
    pub docs: usize,
    pub posted: usize,
}

fn refuse(code: &'static str, zh: &str, r: &Request, step: &str) -> RuleError {
    RuleError::State(
        Refusal::new(code, zh)
            .param("state", r.state.as_str())
            .param("event", step),
    )
}

/// Apply a step to a request at `now` by `actor` knowing `facts`: the
/// request after it, or why not.
pub fn apply(
    mut r: Request,
    cmd: &ReqCommand,
    facts: Facts,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Request, RuleError> {
    let t = UtcText(now);
    let step = cmd.as_str();
    let wrong = |r: &Request| {
        refuse(
            "supply_request_step_not_allowed",
            &format!("申请{}，不能执行此步骤", r.state.label_zh()),
            r,
            step,
        )
    };
    match cmd {
        ReqCommand::Submit {} => {
            if r.state != ReqState::Drafted {
                return Err(wrong(&r));
            }
            r.state = ReqState::Submitted;
            r.submitted_at = Some(t);
        }
        ReqCommand::Accept { .. } => {
            if r.state != ReqState::Submitted {
                return Err(wrong(&r));
            }
            if !facts.allocates {
                return Err(refuse(
                    "allocation_by_city",
                    "调配由市级（有调配权限的用户）执行",
                    &r,
                    step,
                ));
            }
            r.state = ReqState::Allocated;
            r.allocated_by = actor.to_string();
            r.allocated_at = Some(t);
        }
        ReqCommand::Fulfil {} => {
            if r.state != ReqState::Allocated {
                return Err(wrong(&r));
            }
            if facts.docs == 0 || facts.posted < facts.docs {
                return Err(RuleError::State(
                    Refusal::new("documents_not_posted", "调拨/出库单尚未全部记账")
                        .param("docs", facts.docs as i64)
                        .param("posted", facts.posted as i64),
                ));
            }
            r.state = ReqState::Fulfilled;
            r.closed_at = Some(t);
        }
        ReqCommand::Cancel {} => match r.state {
            ReqState::Drafted | ReqState::Submitted => {
                r.state = ReqState::Cancelled;
                r.closed_at = Some(t);
            }
            ReqState::Allocated => {
                if !facts.allocates {
                    return Err(refuse(
                        "allocation_by_city",
                        "已调配的申请由市级取消",
                        &r,
                        step,
                    ));
                }
                if facts.posted > 0 {
                    return Err(RuleError::State(
                        Refusal::new("documents_posted", "已有单据记账，不能取消（请冲销）")
                            .param("posted", facts.posted as i64),
                    ));
                }
                r.state = ReqState::Cancelled;
                r.closed_at = Some(t);
            }
            ReqState::Fulfilled | ReqState::Cancelled => return Err(wrong(&r)),
        },
    }
    r.updated_at = t;
    Ok(r)
}

/// The steps possible on `r` for a user with `facts` (for the UI, asked
/// of the rules).
pub fn allowed_events(r: &Request, facts: Facts) -> Vec<&'static str> {
    [
        ReqCommand::Submit {},
        ReqCommand::Accept { lines: Vec::new() },
        ReqCommand::Fulfil {},
        ReqCommand::Cancel {},
    ]
    .iter()
    .filter(|c| apply(r.clone(), c, facts, "-", OffsetDateTime::UNIX_EPOCH).is_ok())
    .map(ReqCommand::as_str)
    .collect()
}

/// Whether the quantities a user accepted are the proposal's now
/// (`proposal_changed` otherwise: the stock or the roads moved since).
pub fn check_accepted(accepted: &[Accepted], now: &Proposal) -> Result<(), RuleError> {
    let mut sent: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for a in accepted {
        *sent.entry((a.warehouse_id, a.item_id)).or_default() += a.qty;
    }
    if sent != now.totals() {
        return Err(RuleError::State(Refusal::new(
            "proposal_changed",
            "库存或路况已变化，调配方案已更新，请重新查看后再接受",
        )));
    }
    if now.parts.is_empty() {
        return Err(RuleError::State(Refusal::new(
            "nothing_to_allocate",
            "没有可调配的库存",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
