//! The records of supplies requests, typed: times `UtcText`, source, place
//! kind and state enums bound as their text.

use serde::Serialize;

use super::{PlaceKind, ReqState, Source};
use crate::db::{text_enum, UtcText};

text_enum!(Source, Source::as_str, Source::parse);
text_enum!(PlaceKind, PlaceKind::as_str, PlaceKind::parse);
text_enum!(ReqState, ReqState::as_str, ReqState::parse);

/// A supplies request (需求申请).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyRequest)]
pub struct Request {
    pub id: i64,
    /// The requesting division (jurisdiction: who sees and changes it).
    pub division: String,
    pub source: Source,
    pub incident_id: Option<i64>,
    pub shelter_id: Option<i64>,
    pub place_kind: PlaceKind,
    /// place_kind shelter | warehouse: the registry record.
    pub place_id: Option<i64>,
    /// place_kind division: its code.
    pub place_division: String,
    /// The place's name as it was when requested.
    pub place_name: String,
    /// The delivery point (WGS84) travel times are measured to.
    pub lon: f64,
    pub lat: f64,
    pub needed_by: UtcText,
    pub state: ReqState,
    pub note: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub submitted_at: Option<UtcText>,
    pub allocated_by: String,
    pub allocated_at: Option<UtcText>,
    pub closed_at: Option<UtcText>,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A line of a request: an item and the quantity asked for.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyRequestLine)]
pub struct RequestLine {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub request_id: i64,
    pub line_no: i64,
    pub item_id: i64,
    pub qty: i64,
}

/// One accepted part of an allocation and the document it went into.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyAllocationRow)]
pub struct AllocationRow {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub request_id: i64,
    pub doc_id: Option<i64>,
    pub warehouse_id: i64,
    pub item_id: i64,
    pub batch_id: Option<i64>,
    pub qty: i64,
    pub time_s: Option<f64>,
    /// road | estimate
    pub method: String,
}
