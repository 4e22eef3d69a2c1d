//! The warning module's records, typed: times are `UtcText` (a point in
//! time; stored as RFC 3339 text), the state an enum, the area typed JSON.

use serde::Serialize;
use serde_json::Value;

use super::{TargetSpec, WarningState};
use crate::db::UtcText;

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub id: i64,
    /// The CAP identifier, given on publication.
    pub identifier: Option<String>,
    pub hazard: String,
    /// blue | yellow | orange | red (`upstream::level_key`)
    #[schema(value_type = WarningColour)]
    pub level: String,
    /// Alert | Update | Cancel
    pub msg_type: String,
    /// The warning this one updates or cancels.
    pub refers_to: Option<i64>,
    pub headline: String,
    pub description: String,
    pub instruction: String,
    pub area: TargetSpec,
    pub area_desc: String,
    pub onset_at: Option<UtcText>,
    pub expires_at: UtcText,
    pub exercise: bool,
    /// The issuing jurisdiction.
    pub division: String,
    pub state: WarningState,
    pub author: String,
    pub approver: String,
    /// Last rejection or cancellation reason.
    pub note: String,
    /// Targeting figures when last computed.
    #[schema(value_type = Object)]
    pub reach: Value,
    #[serde(skip)]
    pub cap_xml: Option<String>,
    pub sent_at: Option<UtcText>,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// The four warning colours as `Warning.level` stores them (written by
/// `upstream::level_key` from the CAP severity or the draft's level). It
/// describes the stored text in the OpenAPI document, so the web UI's type
/// is the four names.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum WarningColour {
    Blue,
    Yellow,
    Orange,
    Red,
}

/// One delivery record (a row of the outbox).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub warning_id: i64,
    pub channel: String,
    /// The recipient with any webhook secret removed.
    #[schema(value_type = Object)]
    pub recipient: Value,
    pub division: String,
    pub state: String,
    pub attempts: i64,
    pub next_at: UtcText,
    /// The last attempt's HTTP status, if it got one.
    pub http_status: Option<i64>,
    /// The last attempt's outcome in short (`http_2xx`,
    /// `refused_private_address`, `timeout` …; empty before any attempt).
    pub reason: String,
    pub delivered_at: Option<UtcText>,
}
