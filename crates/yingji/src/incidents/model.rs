//! The incident module's records, typed: times are `UtcText` (a point in
//! time; stored as RFC 3339 text), states are enums, the grade a `Level`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{DispatchState, IncidentState, InstructionState};
use crate::db::{text_enum, JsonText, UtcText};
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

#[cfg(test)]
impl Incident {
    /// An incident for rule tests: reported by phone in 平城区 at `at`
    /// (onset, receipt, creation), no point, no figures; tests change what
    /// they look at with struct update syntax.
    pub(crate) fn sample(
        id: i64,
        incident_type: &str,
        at: time::OffsetDateTime,
        state: IncidentState,
    ) -> Incident {
        Incident {
            id,
            title: format!("事件{id}"),
            incident_type: incident_type.into(),
            division: "140213000000".into(),
            lon: None,
            lat: None,
            address: String::new(),
            onset_at: at.into(),
            received_at: at.into(),
            source: "phone".into(),
            reporter: String::new(),
            reporter_phone: String::new(),
            facts: Facts::default(),
            description: String::new(),
            attachments: Vec::new(),
            state,
            grade: None,
            plan_code: String::new(),
            plan_revision: 0,
            helped_at: None,
            ended_at: None,
            created_by: "duty".into(),
            created_at: at.into(),
            updated_at: at.into(),
            version: 1,
        }
    }
}

/// A state by its serde name (the name `as_str` writes; the drift test in
/// `db::migrations` holds both to the database's check).
fn by_name<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(Value::String(s.to_string())).ok()
}

text_enum!(
    InstructionState,
    InstructionState::as_str,
    by_name::<InstructionState>
);
text_enum!(
    DispatchState,
    DispatchState::as_str,
    by_name::<DispatchState>
);

/// An instruction (指令) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Instruction {
    pub id: i64,
    pub incident_id: i64,
    pub division: String,
    pub assignee_kind: String,
    pub assignee: String,
    pub task: String,
    pub due_at: UtcText,
    pub state: InstructionState,
    pub issued_by: String,
    pub issued_at: UtcText,
    pub received_at: Option<UtcText>,
    /// Every feedback given.
    #[schema(value_type = Vec<InstructionFeedback>)]
    pub feedback: JsonText<Vec<InstructionFeedback>>,
    pub closed_at: Option<UtcText>,
    pub version: i64,
}

/// A dispatch order (调派) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub incident_id: i64,
    pub division: String,
    pub resource_kind: String,
    pub resource_id: i64,
    pub resource_name: String,
    pub state: DispatchState,
    pub requested_by: String,
    pub requested_at: UtcText,
    pub approved_by: String,
    /// Every step after the request.
    #[schema(value_type = Vec<DispatchStep>)]
    pub steps: JsonText<Vec<DispatchStep>>,
    pub version: i64,
}

/// One feedback on an instruction (stored as JSON in `Instruction.feedback`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InstructionFeedback {
    pub text: String,
    /// Attachment ids.
    pub photos: Vec<i64>,
    /// `[lon, lat]`.
    pub location: Option<[f64; 2]>,
    pub by: String,
    /// RFC 3339 (`clock::format_time`).
    pub at: String,
}

/// One step of a dispatch order after the request (stored as JSON in
/// `Order.steps`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DispatchStep {
    /// The order's state after the step.
    pub state: DispatchState,
    pub by: String,
    /// RFC 3339 (`clock::format_time`).
    pub at: String,
    /// Why it was cancelled.
    #[serde(default)]
    pub reason: Option<String>,
}
