//! The supervision module's records, typed: times are `UtcText` (a point
//! in time; stored as RFC 3339 text), days (`deadline`, `assessed_on`)
//! `YYYY-MM-DD` text, states, grades and levels enums bound as their text
//! (`db::text_enum!`), the assessment typed JSON. Each is read by
//! `#[derive(sqlx::FromRow)]`; a stored value that is not what its column
//! means is an error, never a default.

use serde::Serialize;

use super::{Assessment, HazardGrade, HazardSource, HazardState, RiskLevel};
use crate::db::{text_enum, JsonText, UtcText};

text_enum!(RiskLevel, RiskLevel::as_str, RiskLevel::parse);
text_enum!(HazardState, HazardState::as_str, HazardState::parse);
text_enum!(HazardGrade, HazardGrade::as_str, HazardGrade::parse);
text_enum!(HazardSource, HazardSource::as_str, HazardSource::parse);

/// A risk point (风险点) of an enterprise, with its assessment.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct RiskPoint {
    pub id: i64,
    /// The enterprise (a registry record of kind `enterprise`).
    pub enterprise_id: i64,
    /// The enterprise's division.
    pub division: String,
    #[serde(skip)]
    pub org: String,
    pub name: String,
    pub location: String,
    /// 危险有害因素
    pub hazard_factors: String,
    #[schema(value_type = Assessment)]
    pub assessment: JsonText<Assessment>,
    /// D (LEC) or R (matrix).
    pub score: f64,
    pub level: RiskLevel,
    /// 管控措施
    pub measures: String,
    /// YYYY-MM-DD
    pub assessed_on: String,
    /// YYYY-MM-DD: when it is to be reassessed.
    pub next_assessment_on: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A hidden hazard (隐患) and every step of its loop so far.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Hazard {
    pub id: i64,
    pub enterprise_id: i64,
    /// The enterprise's division.
    pub division: String,
    #[serde(skip)]
    pub org: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub source: HazardSource,
    /// None until confirmed (定级).
    pub grade: Option<HazardGrade>,
    pub state: HazardState,
    pub reported_by: String,
    pub reported_at: UtcText,
    pub confirmed_by: String,
    pub confirmed_at: Option<UtcText>,
    /// 整改措施
    pub measures: String,
    /// 整改资金 (元)
    pub funds_yuan: Option<i64>,
    /// 整改责任人
    pub responsible: String,
    /// 应急预案 / 安全措施
    pub contingency: String,
    /// 整改期限 YYYY-MM-DD (China time).
    pub deadline: Option<String>,
    /// The first instant the hazard is overdue (the deadline day's end).
    pub due_at: Option<UtcText>,
    /// 挂牌督办: the division code prefix of the level that listed it.
    pub listed_division: String,
    pub listed_by: String,
    pub listed_at: Option<UtcText>,
    pub listing_note: String,
    pub rectification_report: String,
    pub rectified_by: String,
    pub rectified_at: Option<UtcText>,
    pub verified_by: String,
    pub verified_at: Option<UtcText>,
    pub verification_note: String,
    /// How many times acceptance sent it back.
    pub returned_count: i64,
    pub return_reason: String,
    pub closed_by: String,
    pub closed_at: Option<UtcText>,
    /// How many times it was escalated (提级督办) for being overdue
    /// (`supervision::escalation`).
    pub escalations: i64,
    pub escalated_at: Option<UtcText>,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// What a report of a hazard says: the enterprise (its id, division and
/// org), the finding and who reported it.
pub struct Reported {
    pub enterprise_id: i64,
    pub division: String,
    pub org: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub source: HazardSource,
    pub reported_by: String,
}

impl Hazard {
    /// A hazard as it is first reported at `at`, before any step of its loop.
    pub fn reported(r: Reported, at: UtcText) -> Hazard {
        Hazard {
            id: 0,
            enterprise_id: r.enterprise_id,
            division: r.division,
            org: r.org,
            title: r.title,
            description: r.description,
            location: r.location,
            source: r.source,
            grade: None,
            state: HazardState::Reported,
            reported_by: r.reported_by,
            reported_at: at,
            confirmed_by: String::new(),
            confirmed_at: None,
            measures: String::new(),
            funds_yuan: None,
            responsible: String::new(),
            contingency: String::new(),
            deadline: None,
            due_at: None,
            listed_division: String::new(),
            listed_by: String::new(),
            listed_at: None,
            listing_note: String::new(),
            rectification_report: String::new(),
            rectified_by: String::new(),
            rectified_at: None,
            verified_by: String::new(),
            verified_at: None,
            verification_note: String::new(),
            returned_count: 0,
            return_reason: String::new(),
            closed_by: String::new(),
            closed_at: None,
            escalations: 0,
            escalated_at: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }
}

// ── second slice: major hazard sources and inspections ──────────────────

use super::checklists::{CheckItem, Checked};
use super::inspections::{DrawInput, Drawn, InspectionState};
use super::major::{Holding, MajorGrade, UnitKind};

text_enum!(UnitKind, UnitKind::as_str, UnitKind::parse);
text_enum!(MajorGrade, MajorGrade::as_str, MajorGrade::parse);
text_enum!(
    InspectionState,
    InspectionState::as_str,
    InspectionState::parse
);

/// An installation unit (生产单元 / 储存单元) of an enterprise, identified
/// and graded by GB 18218-2018 (`supervision::major::grade`) on every save.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct HazardUnit {
    pub id: i64,
    pub enterprise_id: i64,
    pub division: String,
    #[serde(skip)]
    pub org: String,
    pub name: String,
    pub unit_kind: UnitKind,
    /// The registry hazard source (kind `hazard_source`) this unit is;
    /// its level follows the grade.
    pub hazard_source_id: Option<i64>,
    #[schema(value_type = Vec<Holding>)]
    pub holdings: JsonText<Vec<Holding>>,
    /// People outside the plant within 500 m of its boundary (α, 表5).
    pub exposed_people: i64,
    /// S = Σ q/Q
    pub s_value: f64,
    /// R = α Σ β q/Q (0 when not a major hazard source).
    pub r_value: f64,
    /// None: not a major hazard source (S < 1).
    pub grade: Option<MajorGrade>,
    pub note: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A 双随机 draw as recorded: what it started from and what it gave.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct InspectionDraw {
    pub id: i64,
    /// The jurisdiction drawn from.
    pub division: String,
    pub title: String,
    /// The industry the enterprise pool was limited to ('' = all).
    pub industry: String,
    #[schema(value_type = DrawInput)]
    pub input: JsonText<DrawInput>,
    #[schema(value_type = Vec<Drawn>)]
    pub result: JsonText<Vec<Drawn>>,
    /// YYYY-MM-DD
    pub planned_on: String,
    pub drawn_by: String,
    pub drawn_at: UtcText,
}

/// An inspection (执法检查) of one enterprise by its inspectors.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    pub draw_id: Option<i64>,
    pub enterprise_id: i64,
    pub division: String,
    #[serde(skip)]
    pub org: String,
    #[schema(value_type = Vec<String>)]
    pub inspectors: JsonText<Vec<String>>,
    pub state: InspectionState,
    /// YYYY-MM-DD
    pub planned_on: String,
    pub started_at: Option<UtcText>,
    pub finished_at: Option<UtcText>,
    pub summary: String,
    /// The check list (检查表) it was filled against, and its items as
    /// filled (`supervision::checklists`).
    pub template_id: Option<i64>,
    #[schema(value_type = Vec<Checked>)]
    pub checks: JsonText<Vec<Checked>>,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A check list template (检查表) of one industry ('' = any), made by a
/// division for its subtree.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CheckTemplate {
    pub id: i64,
    /// The 12-digit code of the division that made it.
    pub division: String,
    pub industry: String,
    pub title: String,
    #[schema(value_type = Vec<CheckItem>)]
    pub items: JsonText<Vec<CheckItem>>,
    pub created_by: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A problem found by an inspection; it may become a hidden hazard.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Finding {
    pub id: i64,
    pub inspection_id: i64,
    pub enterprise_id: i64,
    pub division: String,
    #[serde(skip)]
    pub org: String,
    pub title: String,
    pub description: String,
    pub location: String,
    /// 法律依据
    pub basis: String,
    /// The hidden hazard made of it.
    pub hazard_id: Option<i64>,
    pub created_by: String,
    pub created_at: UtcText,
}
