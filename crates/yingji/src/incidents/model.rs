//! The incident module's records, typed: times are `UtcText` (a point in
//! time; stored as RFC 3339 text), states are enums, the grade a `Level`.

use serde::Serialize;

use super::IncidentState;
use crate::db::UtcText;
use crate::plans::{Facts, Level};

/// An incident as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub incident_type: String,
    pub division: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address: String,
    pub onset_at: UtcText,
    pub received_at: UtcText,
    pub source: String,
    pub reporter: String,
    pub reporter_phone: String,
    pub facts: Facts,
    pub description: String,
    /// Attachment ids (photos, documents) taken at intake.
    pub attachments: Vec<i64>,
    #[serde(flatten)]
    pub state: IncidentState,
    /// The grade set by the last `grade` event.
    pub grade: Option<Level>,
    pub plan_code: String,
    /// The revision of `plan_code` the response started under (0: none).
    pub plan_revision: i64,
    pub helped_at: Option<UtcText>,
    pub ended_at: Option<UtcText>,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}
