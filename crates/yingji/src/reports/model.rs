//! The reporting module's records, typed: times are `UtcText` (a point in
//! time; stored as RFC 3339 text), the report kind and accident grade enums,
//! JSON columns typed values.

use serde::Serialize;

use super::figures::{CasualtyRow, Figures, HouseRow};
use super::grading::AccidentGrade;
use super::ReportKind;
use crate::db::UtcText;

/// A disaster process.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Disaster {
    pub id: i64,
    pub name: String,
    pub disaster_type: String,
    pub onset: UtcText,
    pub division: String,
    pub townships: Vec<String>,
    pub source: String,
    pub stable_at: Option<UtcText>,
    pub created_by: String,
    pub created_at: UtcText,
    pub version: i64,
}

/// A submitted report (never changed; a correction supersedes it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub disaster_id: i64,
    pub kind: ReportKind,
    pub level: String,
    pub division: String,
    /// Not stored: the division's name from the current tree.
    pub division_name: String,
    pub step_key: String,
    pub figures: Figures,
    pub casualties: Vec<CasualtyRow>,
    pub houses: Vec<HouseRow>,
    /// Not stored: the reports whose ledgers this one references instead
    /// of repeating their rows (a county its townships', a city its
    /// counties'; `ledgers::refs_for`).
    pub ledger_refs: Vec<i64>,
    pub reason: String,
    pub flags: Vec<String>,
    pub supersedes: Option<i64>,
    pub submitted_by: String,
    pub submitted_at: UtcText,
}

/// A production-safety accident.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accident {
    pub id: i64,
    pub name: String,
    pub industry: String,
    pub division: String,
    pub occurred_at: UtcText,
    /// A road-traffic or fire accident (7-day casualty window): derived
    /// from `industry` (`deadlines::is_road_or_fire`), never set apart.
    pub road_or_fire: bool,
    pub deaths: i64,
    /// 下落不明人数 (493号令 第十二条); graded with `deaths`.
    pub missing: i64,
    pub serious_injuries: i64,
    pub direct_loss_yuan: i64,
    pub grade: AccidentGrade,
    /// Not stored: the grade's Chinese name.
    pub grade_zh: String,
    /// (level, received at)
    pub received: Vec<(String, UtcText)>,
    /// Levels reached by 越级上报 (493号令 第十条第三款), with why.
    pub skips: Vec<super::notify::Skip>,
    /// 第十条 notifications done (who notified whom, when).
    pub notifications: Vec<super::notify::Notification>,
    pub description: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub version: i64,
}
