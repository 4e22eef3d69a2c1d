//! The duty desk's records, typed: times are `UtcText` (a point in time;
//! stored as RFC 3339 text), the period and states are enums, crews and open
//! items typed JSON.

use serde::Serialize;

use super::{LogKind, OpenItem, Period, Person, ShiftState, Slot};
use crate::db::UtcText;

/// A shift as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Shift {
    pub id: i64,
    pub division: String,
    /// China-time date the shift starts on (YYYY-MM-DD).
    pub date: String,
    pub period: Period,
    pub starts_at: UtcText,
    pub ends_at: UtcText,
    pub leader: Option<Person>,
    pub officers: Vec<Person>,
    pub state: ShiftState,
    pub started_by: String,
    pub started_at: Option<UtcText>,
    pub handover_note: String,
    pub open_items: Vec<OpenItem>,
    pub handed_over_by: String,
    pub handed_over_at: Option<UtcText>,
    pub acknowledged_by: String,
    pub acknowledged_at: Option<UtcText>,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

impl Shift {
    /// A new shift of `division` created by `by` at `now`: scheduled, no one
    /// on it yet, nothing taken up; the caller sets its slot and crew.
    pub fn scheduled(division: String, by: &str, now: time::OffsetDateTime) -> Shift {
        let t = UtcText(now);
        Shift {
            id: 0,
            division,
            date: String::new(),
            period: Period::Day,
            starts_at: t,
            ends_at: t,
            leader: None,
            officers: Vec::new(),
            state: ShiftState::Scheduled,
            started_by: String::new(),
            started_at: None,
            handover_note: String::new(),
            open_items: Vec::new(),
            handed_over_by: String::new(),
            handed_over_at: None,
            acknowledged_by: String::new(),
            acknowledged_at: None,
            created_by: by.to_string(),
            created_at: t,
            updated_at: t,
            version: 1,
        }
    }

    /// The platform users on the shift.
    pub fn user_ids(&self) -> Vec<i64> {
        self.leader
            .iter()
            .chain(&self.officers)
            .filter_map(|p| p.user_id)
            .collect()
    }

    /// The part of the shift the overlap and takeover rules look at.
    pub fn slot(&self) -> Slot {
        Slot {
            id: self.id,
            start: self.starts_at.0,
            end: self.ends_at.0,
            leader: self.leader.is_some(),
            officers: !self.officers.is_empty(),
        }
    }
}

/// A duty-log entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LogEntry {
    pub id: i64,
    pub division: String,
    pub shift_id: Option<i64>,
    pub at: UtcText,
    pub kind: LogKind,
    pub text: String,
    pub incident_id: Option<i64>,
    pub attachments: Vec<i64>,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    pub author: String,
    pub author_name: String,
    pub created_at: UtcText,
}
