//! The monitoring module's records, typed: times are `UtcText` (RFC 3339
//! text), kinds, rules and states enums bound as their text
//! (`db::text_enum!`), rule sets and rule state typed JSON. Read by
//! `#[derive(sqlx::FromRow)]`; a stored value that is not what its column
//! means is an error, never a default.

use serde::Serialize;

use super::{AlarmState, RuleKind, RuleSet, RuleState, SensorKind};
use crate::db::{text_enum, JsonText, UtcText};

text_enum!(SensorKind, SensorKind::as_str, SensorKind::parse);
text_enum!(AlarmState, AlarmState::as_str, AlarmState::parse);
text_enum!(RuleKind, RuleKind::as_str, RuleKind::parse);

/// A device (a data logger, an RTU, a gateway) that sends the readings of
/// its sensors with its own token. Only the token's SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub division: String,
    #[serde(skip)]
    pub token_hash: String,
    /// Readings stored.
    pub accepted: i64,
    /// Readings dropped as duplicates (same sensor, same time).
    pub duplicates: i64,
    /// Readings refused: time beyond the allowed clock skew ahead.
    pub refused_future: i64,
    /// Readings refused: time older than the allowed past.
    pub refused_past: i64,
    /// Readings refused: value not a number or outside the sensor's range,
    /// or naming a sensor that is not this device's.
    pub refused_other: i64,
    /// Payloads that could not be read at all.
    pub malformed: i64,
    /// What was wrong with the last malformed payload.
    pub last_error: String,
    pub last_seen_at: Option<UtcText>,
    pub created_by: String,
    pub created_at: UtcText,
    pub version: i64,
}

/// A sensor on a monitoring point (a registry record of kind
/// `monitoring_point`), read through one device.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Sensor {
    pub id: i64,
    /// The monitoring point (registry `monitoring_point`).
    pub point_id: i64,
    pub device_id: i64,
    /// The monitoring point's division.
    pub division: String,
    /// Short code, unique on its point: the last part of its MQTT topic.
    pub code: String,
    pub name: String,
    pub kind: SensorKind,
    pub unit: String,
    pub range_min: Option<f64>,
    pub range_max: Option<f64>,
    /// Sampling interval in seconds.
    pub interval_secs: i64,
    /// This sensor's rules over its kind's defaults.
    #[schema(value_type = RuleSet)]
    pub rules: JsonText<RuleSet>,
    #[serde(skip)]
    pub rule_state: JsonText<RuleState>,
    pub last_value: Option<f64>,
    pub last_at: Option<UtcText>,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

impl Sensor {
    /// The rules in force: the kind's defaults under this sensor's own.
    pub fn effective_rules(&self) -> RuleSet {
        self.kind.default_rules().over(&self.rules.0)
    }
}

/// An alarm raised by a rule of a sensor.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Alarm {
    pub id: i64,
    pub sensor_id: i64,
    pub point_id: i64,
    pub division: String,
    pub rule: RuleKind,
    pub state: AlarmState,
    /// The reading that raised it (none for silence).
    pub value: Option<f64>,
    /// The limit it passed.
    pub limit_value: Option<f64>,
    pub message: String,
    pub raised_at: UtcText,
    /// When the rule's condition was back to normal (the alarm stays until
    /// someone resolves it).
    pub cleared_at: Option<UtcText>,
    pub acknowledged_by: String,
    pub acknowledged_at: Option<UtcText>,
    pub resolved_by: String,
    pub resolved_at: Option<UtcText>,
    /// The note of a resolution, or the reason of a false alarm.
    pub resolution_note: String,
    /// 0: the duty room of the sensor's division; each step one level up.
    pub escalation_level: i64,
    pub escalated_at: Option<UtcText>,
    /// The incident it opened.
    pub incident_id: Option<i64>,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}
