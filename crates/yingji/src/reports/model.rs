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
    /// When the unit's head learned of it (493号令 第九条: the unit's hour
    /// runs from then); `None`: when it occurred.
    pub unit_learned_at: Option<UtcText>,
    /// 较大涉险 facts as reported (21号令 第二十六条).
    pub danger: super::cadence::Danger,
    /// Not stored: why it is a 较大涉险事故 (empty: it is not).
    pub larger_danger: Vec<String>,
    /// Not stored: the sector department also reported to (from the
    /// industry, `cadence::sector_department`).
    pub sector_department: Option<String>,
    /// (level, received at) of the sector department's chain.
    pub sector_received: Vec<(String, UtcText)>,
    /// Every 续报 filed (21号令 第十一条), never changed.
    pub followups: Vec<super::cadence::Followup>,
    /// What a railway or special-equipment accident is graded on besides
    /// casualties and loss (`regimes`).
    pub regime_facts: super::regimes::RegimeFacts,
    /// Not stored: the law it is graded by (from the industry).
    pub regime: super::regimes::Regime,
    /// When the handling ended (daily 续报 end).
    pub settled_at: Option<UtcText>,
    /// Reports to the city's duty offices (configuration).
    pub duty_reports: Vec<super::cadence::DutyReport>,
    /// The incident whose intake opened it (one intake).
    pub incident_id: Option<i64>,
    /// The 生产安全事故快报's fields (`bulletin`).
    pub bulletin: super::bulletin::Bulletin,
    /// The enterprise whose user filed it (双报告), if one did.
    pub enterprise_id: Option<i64>,
    pub created_by: String,
    pub created_at: UtcText,
    pub version: i64,
}

impl Accident {
    /// Fill the fields derived from the stored ones.
    pub fn derive(mut self) -> Self {
        self.larger_danger = super::cadence::larger_danger_reasons(
            &self.danger,
            u32::try_from(self.missing.max(0)).unwrap_or(u32::MAX),
        );
        self.regime = super::regimes::regime_for(&self.industry);
        self.sector_department =
            super::cadence::sector_department(&self.industry).map(String::from);
        self
    }
}
