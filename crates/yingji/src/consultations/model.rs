//! The records of consultations (调度会商), typed: times `UtcText`, the
//! agenda a JSON list, states enums bound as their text.

use serde::Serialize;

use super::{Attendance, ConsultState};
use crate::db::{text_enum, JsonText, UtcText};

text_enum!(ConsultState, ConsultState::as_str, ConsultState::parse);
text_enum!(Attendance, Attendance::as_str, Attendance::parse);

/// A consultation (会商) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Consultation {
    pub id: i64,
    /// The linked incident's or warning's division (jurisdiction).
    pub division: String,
    pub incident_id: Option<i64>,
    pub warning_id: Option<i64>,
    pub title: String,
    /// 地点 (the command hall, a video link …).
    pub place: String,
    /// 主持人
    pub chair: String,
    pub scheduled_at: UtcText,
    pub state: ConsultState,
    /// 议程, in order.
    #[schema(value_type = Vec<String>)]
    pub agenda: JsonText<Vec<String>>,
    /// 会议纪要 (the minutes' text).
    pub minutes: String,
    pub started_at: Option<UtcText>,
    pub closed_at: Option<UtcText>,
    pub cancel_reason: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// An invitee (参会单位或专家): a directory record as it was when invited.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = ConsultationInvitee)]
pub struct Invitee {
    pub id: i64,
    #[serde(skip)]
    pub consultation_id: i64,
    /// The registry kind (`contact`, `expert`, `team` …).
    pub kind: String,
    pub record_id: i64,
    pub name: String,
    pub organisation: String,
    pub position: String,
    pub division: String,
    pub attendance: Attendance,
    pub marked_at: Option<UtcText>,
    pub marked_by: String,
}

/// A decision (会商决定); `instruction_id` once it became an instruction.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = ConsultationDecision)]
pub struct Decision {
    pub id: i64,
    #[serde(skip)]
    pub consultation_id: i64,
    /// 1, 2, … in the order decided.
    pub seq: i64,
    pub text: String,
    /// department | team_kind | command | person; empty: not addressed.
    pub assignee_kind: String,
    pub assignee: String,
    /// The instruction's time limit in minutes.
    pub due_minutes: Option<i64>,
    pub instruction_id: Option<i64>,
    pub created_by: String,
    pub created_at: UtcText,
}
