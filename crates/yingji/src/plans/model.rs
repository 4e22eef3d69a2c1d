//! The plans module's stored records, typed: times are `UtcText` (a point
//! in time; stored as RFC 3339 text), states and kinds enums bound as their
//! text (`db::text_enum!`), JSON lists read through `JsonText`. Each is read
//! by `#[derive(sqlx::FromRow)]`; a stored value that is not what its column
//! means is an error, never a default. Days (`planned_on`, `due_on`, …)
//! stay `YYYY-MM-DD` text, read by the rules with `store::parse_date`.

use serde::{Deserialize, Serialize};

use super::{Conclusion, Drill, DrillKind, DrillState, ImprovementState, Plan, PlanStatus};
use crate::db::{text_enum, DbError, JsonText, UtcText};

text_enum!(DrillState, DrillState::as_str, DrillState::parse);
text_enum!(
    ImprovementState,
    ImprovementState::as_str,
    ImprovementState::parse
);
text_enum!(Conclusion, Conclusion::as_str, Conclusion::parse);
text_enum!(DrillKind, drill_kind_text, parse_drill_kind);
text_enum!(PlanStatus, plan_status_text, parse_plan_status);

pub fn drill_kind_text(k: DrillKind) -> &'static str {
    match k {
        DrillKind::Tabletop => "tabletop",
        DrillKind::Live => "live",
        DrillKind::DoubleBlind => "double_blind",
    }
}

pub fn parse_drill_kind(s: &str) -> Option<DrillKind> {
    Some(match s {
        "tabletop" => DrillKind::Tabletop,
        "live" => DrillKind::Live,
        "double_blind" => DrillKind::DoubleBlind,
        _ => return None,
    })
}

pub fn plan_status_text(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Published => "published",
    }
}

fn parse_plan_status(s: &str) -> Option<PlanStatus> {
    match s {
        "draft" => Some(PlanStatus::Draft),
        "published" => Some(PlanStatus::Published),
        _ => None,
    }
}

fn corrupt(table: &'static str, detail: impl ToString) -> DbError {
    DbError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

/// Who drafted and who published a stored plan version, and when: the
/// `plan_versions` columns beside the plan's body, listed once — read from
/// the row, kept by the stored version, and shown as they are by the API's
/// views of a version.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct VersionStamp {
    pub created_by: String,
    pub created_at: UtcText,
    /// Empty until published.
    pub published_by: String,
    pub published_at: Option<UtcText>,
    pub updated_at: UtcText,
}

/// One stored version of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanVersion {
    pub id: i64,
    pub plan: Plan,
    #[serde(flatten)]
    pub stamp: VersionStamp,
    /// Row version for optimistic concurrency.
    pub version: i64,
}

/// A `plan_versions` row: the plan's body, with the columns that are the
/// authority on its code, revision and status.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct VersionRow {
    id: i64,
    code: String,
    revision: i64,
    status: PlanStatus,
    body: JsonText<Plan>,
    #[sqlx(flatten)]
    stamp: VersionStamp,
    version: i64,
}

impl TryFrom<VersionRow> for PlanVersion {
    type Error = DbError;
    fn try_from(r: VersionRow) -> Result<PlanVersion, DbError> {
        let mut plan = r.body.0;
        plan.status = r.status;
        plan.code = r.code;
        plan.revision = u32::try_from(r.revision).map_err(|e| corrupt("plan_versions", e))?;
        Ok(PlanVersion {
            id: r.id,
            plan,
            stamp: r.stamp,
            version: r.version,
        })
    }
}

/// A recorded evaluation (评估) of a plan version.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Evaluation {
    pub id: i64,
    pub code: String,
    pub revision: i64,
    pub evaluated_on: String,
    pub conclusion: Conclusion,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: UtcText,
}

/// A problem a drill found, and the improvement item it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DrillProblem {
    pub title: String,
    pub improvement: Option<i64>,
}

/// A stored drill.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct StoredDrill {
    pub id: i64,
    #[sqlx(rename = "plan_code")]
    pub plan: String,
    pub title: String,
    pub kind: DrillKind,
    pub state: DrillState,
    pub planned_on: String,
    pub held_on: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub divisions: JsonText<Vec<String>>,
    #[schema(value_type = Vec<String>)]
    pub participants: JsonText<Vec<String>>,
    pub people: i64,
    pub evaluation: String,
    #[schema(value_type = Vec<DrillProblem>)]
    pub problems: JsonText<Vec<DrillProblem>>,
    /// Why it was cancelled.
    pub note: String,
    pub source: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

impl StoredDrill {
    /// As the rules read it (the drill cycle counts held drills only).
    pub fn as_drill(&self) -> Result<Drill, DbError> {
        let day = |s: &str| {
            super::store::parse_date(s).ok_or_else(|| corrupt("drills", format!("date {s:?}")))
        };
        Ok(Drill {
            plan: self.plan.clone(),
            title: self.title.clone(),
            kind: self.kind,
            planned_on: day(&self.planned_on)?,
            held_on: self.held_on.as_deref().map(day).transpose()?,
            divisions: self.divisions.0.clone(),
            participants: self.participants.0.clone(),
            people: u32::try_from(self.people).unwrap_or(0),
            evaluation: Some(self.evaluation.clone()).filter(|e| !e.is_empty()),
            problems: self.problems.iter().map(|p| p.title.clone()).collect(),
            source: self.source.clone(),
        })
    }
}

/// A stored improvement item (整改事项).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Improvement {
    pub id: i64,
    /// `drill` or `incident`.
    pub source: String,
    pub source_id: i64,
    pub plan_code: String,
    pub division: String,
    pub title: String,
    pub owner_department: String,
    pub due_on: String,
    pub state: ImprovementState,
    pub created_by: String,
    pub created_at: UtcText,
    pub done_by: String,
    pub done_at: Option<UtcText>,
    pub verified_by: String,
    pub verified_at: Option<UtcText>,
    pub updated_at: UtcText,
    pub version: i64,
}
