//! Shipments (运输) of relief supplies: the stock of one 出库 or 调拨
//! document on its way from the warehouse to where it was sent — planned,
//! departed (only once the document is posted: the stock has left the
//! warehouse), positions reported on the way, arrived, and received: the
//! receiving side counts every item; what did not come names its reason
//! (损坏 damaged, 丢失 lost, 短少 short). For a 调拨 the ledger booked the
//! sent quantity into the destination warehouse when it was posted, so the
//! difference is drafted there as a 报损 document (approved and posted like
//! any other, never below zero); for a 出库 the stock already left the
//! ledger and the difference is noted on the shipment.
//!
//! Issue #17 (shipment → receipt with differences); the plan's 三.14
//! (运输和分发). Pure: no SQL, no HTTP, no clock reads.

pub mod api;
pub mod model;
pub mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::RuleError;
use crate::db::UtcText;
use crate::error::{text, FieldError, Refusal};
pub use model::{Position, ShipLine, Shipment};

/// Where a shipment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyShipmentState)]
pub enum ShipState {
    /// 待发运
    Planned,
    /// 在途
    Departed,
    /// 已到达
    Arrived,
    /// 已签收
    Received,
    /// 已取消 (before departure)
    Cancelled,
}

impl ShipState {
    pub const ALL: [ShipState; 5] = [
        ShipState::Planned,
        ShipState::Departed,
        ShipState::Arrived,
        ShipState::Received,
        ShipState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ShipState::Planned => "planned",
            ShipState::Departed => "departed",
            ShipState::Arrived => "arrived",
            ShipState::Received => "received",
            ShipState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<ShipState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ShipState::Planned => "待发运",
            ShipState::Departed => "在途",
            ShipState::Arrived => "已到达",
            ShipState::Received => "已签收",
            ShipState::Cancelled => "已取消",
        }
    }
}

/// Why less came than was sent.
pub const REASONS: [&str; 3] = ["damaged", "lost", "short"];

/// The number a shipment is known by (运输 YS).
pub fn shipment_number(id: i64) -> String {
    format!("YS{id:06}")
}

/// A new shipment (`POST /supplies/shipments`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyShipment)]
pub struct NewShipment {
    /// An approved or posted 出库 or 调拨 document.
    pub doc_id: i64,
    /// 车牌号
    #[serde(default)]
    pub vehicle: String,
    /// 承运单位
    #[serde(default)]
    pub carrier: String,
    #[serde(default)]
    pub note: String,
}

/// Whether a document can be shipped (发运): an approved or posted 出库 or
/// 调拨 without a shipment yet. The document view offers `ship` from this,
/// and planning a shipment checks it.
pub fn check_shippable(
    kind: super::DocKind,
    state: super::DocState,
    has_shipment: bool,
) -> Result<(), RuleError> {
    use super::{DocKind, DocState};
    if !matches!(kind, DocKind::Issue | DocKind::Transfer) || state == DocState::Draft {
        return Err(RuleError::State(
            Refusal::new(
                "shipment_doc_not_shippable",
                "只有已审核或已记账的出库单、调拨单可以发运",
            )
            .param("kind", kind.as_str())
            .param("state", state.as_str()),
        ));
    }
    if has_shipment {
        return Err(RuleError::State(Refusal::new(
            "shipment_exists",
            "该单据已安排运输",
        )));
    }
    Ok(())
}

/// The checked text fields of a new shipment: (vehicle, carrier, note).
pub fn check_new(b: &NewShipment) -> Result<(String, String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut t = |name: &str, v: &str, max: usize| {
        text(name, v, max, false)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let out = (
        t("vehicle", &b.vehicle, 20),
        t("carrier", &b.carrier, 100),
        t("note", &b.note, 1000),
    );
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// What came of an item (`receive`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyReceivedLine)]
pub struct Received {
    pub item_id: i64,
    pub received: i64,
    /// Required when less came than was sent: damaged | lost | short.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

/// A step of a shipment (`POST /supplies/shipments/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = SupplyShipmentCommand)]
pub enum ShipCommand {
    /// 发运 (the dispatching side; the document must be posted).
    Depart {},
    /// 位置更新 (the dispatching side, on the way): WGS84.
    Position { lon: f64, lat: f64 },
    /// 到达 (either side).
    Arrive {},
    /// 签收 (the receiving side): every item counted.
    Receive { lines: Vec<Received> },
    /// 取消 (the dispatching side, before departure).
    Cancel {},
}

impl ShipCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            ShipCommand::Depart {} => "depart",
            ShipCommand::Position { .. } => "position",
            ShipCommand::Arrive {} => "arrive",
            ShipCommand::Receive { .. } => "receive",
            ShipCommand::Cancel {} => "cancel",
        }
    }
}

/// What a step depends on besides the shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The user manages the source warehouse (dispatches).
    pub dispatches: bool,
    /// The user is on the receiving side.
    pub receives: bool,
    /// The shipment's document is posted (the stock has left).
    pub doc_posted: bool,
}

fn refuse(code: &'static str, zh: &str, s: &Shipment, step: &str) -> RuleError {
    RuleError::State(
        Refusal::new(code, zh)
            .param("state", s.state.as_str())
            .param("event", step),
    )
}

/// Apply a step to a shipment at `now` by `actor` knowing `facts`: the
/// shipment after it, or why not. The lines of a receipt are checked by
/// [`check_receipt`]; a position by [`check_position`].
pub fn apply(
    mut s: Shipment,
    cmd: &ShipCommand,
    facts: Facts,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Shipment, RuleError> {
    let t = UtcText(now);
    let step = cmd.as_str();
    let wrong = |s: &Shipment| {
        refuse(
            "shipment_step_not_allowed",
            &format!("运输{}，不能执行此步骤", s.state.label_zh()),
            s,
            step,
        )
    };
    let by_dispatcher =
        |s: &Shipment| refuse("shipment_by_dispatcher", "由调出仓库所属单位操作", s, step);
    match cmd {
        ShipCommand::Depart {} => {
            if s.state != ShipState::Planned {
                return Err(wrong(&s));
            }
            if !facts.dispatches {
                return Err(by_dispatcher(&s));
            }
            if !facts.doc_posted {
                return Err(refuse(
                    "document_not_posted",
                    "出库/调拨单记账后才能发运",
                    &s,
                    step,
                ));
            }
            s.state = ShipState::Departed;
            s.departed_at = Some(t);
        }
        ShipCommand::Position { lon, lat } => {
            if s.state != ShipState::Departed {
                return Err(wrong(&s));
            }
            if !facts.dispatches {
                return Err(by_dispatcher(&s));
            }
            s.lon = Some(*lon);
            s.lat = Some(*lat);
            s.position_at = Some(t);
        }
        ShipCommand::Arrive {} => {
            if s.state != ShipState::Departed {
                return Err(wrong(&s));
            }
            if !facts.dispatches && !facts.receives {
                return Err(by_dispatcher(&s));
            }
            s.state = ShipState::Arrived;
            s.arrived_at = Some(t);
        }
        ShipCommand::Receive { .. } => {
            if s.state != ShipState::Arrived {
                return Err(wrong(&s));
            }
            if !facts.receives {
                return Err(refuse("receipt_by_destination", "由接收方签收", &s, step));
            }
            s.state = ShipState::Received;
            s.received_at = Some(t);
            s.received_by = actor.to_string();
        }
        ShipCommand::Cancel {} => {
            if s.state != ShipState::Planned {
                return Err(wrong(&s));
            }
            if !facts.dispatches {
                return Err(by_dispatcher(&s));
            }
            s.state = ShipState::Cancelled;
        }
    }
    s.updated_at = t;
    Ok(s)
}

/// The steps possible on `s` for a user with `facts` (for the UI, asked of
/// the rules).
pub fn allowed_events(s: &Shipment, facts: Facts) -> Vec<&'static str> {
    [
        ShipCommand::Depart {},
        ShipCommand::Position { lon: 0.0, lat: 0.0 },
        ShipCommand::Arrive {},
        ShipCommand::Receive { lines: Vec::new() },
        ShipCommand::Cancel {},
    ]
    .iter()
    .filter(|c| apply(s.clone(), c, facts, "-", OffsetDateTime::UNIX_EPOCH).is_ok())
    .map(ShipCommand::as_str)
    .collect()
}

/// A reported position: a WGS84 point (`bad_point` otherwise).
pub fn check_position(lon: f64, lat: f64) -> Result<(), RuleError> {
    crate::route_cli::lon_lat(lat, lon)
        .map(|_| ())
        .ok_or_else(|| RuleError::Field(FieldError::new("lat", "坐标无效").code("bad_point")))
}

/// Check a receipt against what was sent: every item of the shipment
/// counted once, none that it does not carry, 0 ≤ received ≤ sent, and a
/// reason for any shortfall. The lines after it (in the shipment's order).
pub fn check_receipt(
    sent: &[ShipLine],
    got: &[Received],
) -> Result<Vec<ShipLine>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut by_item: BTreeMap<i64, (usize, &Received)> = BTreeMap::new();
    for (n, r) in got.iter().enumerate() {
        let at = |f: &str| format!("lines[{n}].{f}");
        let Some(line) = sent.iter().find(|l| l.item_id == r.item_id) else {
            errors.push(
                FieldError::new(at("item_id"), "该物资不在本次运输中").code("not_in_shipment"),
            );
            continue;
        };
        if by_item.insert(r.item_id, (n, r)).is_some() {
            errors.push(
                FieldError::new(at("item_id"), "同一物资重复填写")
                    .code("duplicate_row")
                    .param("row", n),
            );
            continue;
        }
        if !(0..=line.sent).contains(&r.received) {
            errors.push(
                FieldError::new(
                    at("received"),
                    format!("应在 0 到 {} 之间（发运数量）", line.sent),
                )
                .code("received_over_sent")
                .param("min", 0)
                .param("max", line.sent),
            );
        }
        let reason = r.reason.trim();
        if r.received < line.sent && !REASONS.contains(&reason) {
            errors.push(
                FieldError::new(at("reason"), "实收少于发运，请选择差异原因")
                    .code("required")
                    .param("allowed", REASONS.join(", ")),
            );
        }
        if r.received == line.sent && !reason.is_empty() {
            errors.push(
                FieldError::new(at("reason"), "实收与发运一致，无差异原因").code("no_difference"),
            );
        }
        if let Err(e) = text(&at("note"), &r.note, 200, false) {
            errors.push(e);
        }
    }
    for l in sent {
        if !by_item.contains_key(&l.item_id) {
            errors.push(
                FieldError::new("lines", "请逐项填写实收数量")
                    .code("item_not_counted")
                    .param("item_id", l.item_id),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(sent
        .iter()
        .map(|l| {
            let (_, r) = by_item[&l.item_id];
            ShipLine {
                received: Some(r.received),
                reason: r.reason.trim().to_string(),
                note: r.note.trim().to_string(),
                ..l.clone()
            }
        })
        .collect())
}

/// The 报损 lines for the differences of a received 调拨: per item, the
/// shortfall taken from the batches the transfer booked into the
/// destination (`into`: (item, batch, qty) in posting order), first batch
/// first. Empty when everything came.
pub fn writeoff_picks(lines: &[ShipLine], into: &[(i64, i64, i64)]) -> Vec<(i64, i64, i64)> {
    let mut out = Vec::new();
    for l in lines {
        let mut rest = l.sent - l.received.unwrap_or(l.sent);
        for &(item, batch, qty) in into.iter().filter(|x| x.0 == l.item_id) {
            if rest <= 0 {
                break;
            }
            let take = rest.min(qty);
            out.push((item, batch, take));
            rest -= take;
        }
    }
    out
}

/// The 报损 reason of a receipt's differences: damaged when every
/// shortfall was damage, other otherwise.
pub fn writeoff_reason(lines: &[ShipLine]) -> &'static str {
    let short: Vec<&ShipLine> = lines
        .iter()
        .filter(|l| l.received.is_some_and(|r| r < l.sent))
        .collect();
    if !short.is_empty() && short.iter().all(|l| l.reason == "damaged") {
        "damaged"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests;
