//! The records of shipments, typed: times `UtcText`, the state and the
//! difference reason enums bound as their text.

use serde::Serialize;

use super::ShipState;
use crate::db::{text_enum, UtcText};

text_enum!(ShipState, ShipState::as_str, ShipState::parse);

/// A shipment (运输单 YS…): one document's stock on its way.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyShipment)]
pub struct Shipment {
    pub id: i64,
    /// The 出库 or 调拨 document it carries.
    pub doc_id: i64,
    /// The request the document was allocated for, if any.
    pub request_id: Option<i64>,
    /// The source warehouse's division (who dispatches).
    pub division: String,
    /// The receiving side's division (who receives).
    pub to_division: String,
    pub from_warehouse_id: i64,
    /// A 调拨's destination warehouse.
    pub to_warehouse_id: Option<i64>,
    /// The destination's name.
    pub destination: String,
    pub dest_lon: Option<f64>,
    pub dest_lat: Option<f64>,
    /// 车牌号
    pub vehicle: String,
    /// 承运单位
    pub carrier: String,
    pub state: ShipState,
    /// The last reported position.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub position_at: Option<UtcText>,
    pub departed_at: Option<UtcText>,
    pub arrived_at: Option<UtcText>,
    pub received_at: Option<UtcText>,
    pub received_by: String,
    /// The 报损 document drafted for the differences of a received 调拨.
    pub writeoff_doc_id: Option<i64>,
    pub note: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// What a shipment carries of an item, and what came.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyShipmentLine)]
pub struct ShipLine {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub shipment_id: i64,
    pub item_id: i64,
    pub sent: i64,
    /// None until received.
    pub received: Option<i64>,
    /// '' | damaged | lost | short
    pub reason: String,
    pub note: String,
}

/// A position reported on the way.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyShipmentPosition)]
pub struct Position {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub shipment_id: i64,
    pub lon: f64,
    pub lat: f64,
    pub at: UtcText,
    pub reported_by: String,
}
