//! 数字预案 (digital emergency plans): the catalogue the command-and-rescue
//! module works from — the incident-type tree, the “1+19” commands, the
//! departments, the plans (总体 / 专项 / 部门 / 单位 / 现场处置方案) with their
//! response levels, activation criteria and task templates, the drills and the
//! revision triggers — and the rules on it: plan matching, the review and
//! drill cycles, and immutable plan versions.
//!
//! Pure rules: no SQL, no HTTP, no clock (the day is a parameter). The demo
//! catalogue in `data/plans/` is embedded and validated by
//! [`Catalog::embedded`]; its conventions (`data/plans/README.md`) are the
//! rules here:
//!
//! - A type code covers itself and all its descendants. Codes are dotted and
//!   every child's code extends its parent's by one segment (the catalogue
//!   checks this), so “is `a` in the subtree of `b`” is a whole-segment
//!   prefix test ([`type_within`]) that also works for a sub-type the tree
//!   does not list yet.
//! - A division covers every code that starts with its significant prefix
//!   ([`Code::is_within`]): the city plan `140200000000` covers `1402…`.
//! - A level activates when **any** of its criteria is met; when several
//!   activate, the highest wins; a level without criteria is started only by
//!   decision and never proposed.
//! - Ⅰ is the highest level: `Level::I > Level::IV`.
//! - A published version never changes: a revision is a new version
//!   ([`Plan::revise`]) that is published in its turn ([`Plan::publish`]).

pub mod api;
pub mod store;

use std::cmp::{Ordering, Reverse};
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, Month};

use crate::divisions::Code;
use crate::reports::grading::{AccidentFacts, AccidentGrade};

time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

/// File names of the catalogue (errors name them).
pub const TYPES_FILE: &str = "incident-types.json";
pub const COMMANDS_FILE: &str = "commands.json";
pub const DEPARTMENTS_FILE: &str = "departments.json";
pub const PLANS_FILE: &str = "plans.json";
pub const DRILLS_FILE: &str = "drills.json";
pub const TRIGGERS_FILE: &str = "revision-triggers.json";

/// A plan is evaluated at least every this many years.
pub const MAX_REVIEW_YEARS: u8 = 3;

// ── errors ─────────────────────────────────────────────────────────────

/// One problem in the catalogue, naming the file and the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub entry: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.entry, self.message)
    }
}

fn join_problems(p: &[Problem]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The catalogue is invalid; every problem names its file and entry.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
    /// A malformed division code.
    #[error("{0}")]
    Division(String),
    /// Bad input, naming the field.
    #[error("{field}: {message}")]
    Input {
        field: &'static str,
        message: String,
    },
    /// A revision trigger that is not in the catalogue.
    #[error("未知的预案修订情形代码 {0:?}")]
    UnknownTrigger(String),
    /// A published version was about to change.
    #[error("预案 {code}（{version}）已发布，已发布的版本不可修改，请修订为新版本")]
    Immutable { code: String, version: String },
    /// The version is in the wrong state for the operation.
    #[error("{0}")]
    State(String),
}

impl PlanError {
    /// A stable English key for the API.
    pub fn key(&self) -> &'static str {
        match self {
            PlanError::Invalid(_) => "invalid_catalog",
            PlanError::Division(_) => "invalid_division",
            PlanError::Input { .. } => "invalid_field",
            PlanError::UnknownTrigger(_) => "unknown_trigger",
            PlanError::Immutable { .. } => "immutable_version",
            PlanError::State(_) => "invalid_state",
        }
    }
}

fn input(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError::Input {
        field,
        message: message.into(),
    }
}

// ── levels ─────────────────────────────────────────────────────────────

/// Response level Ⅰ–Ⅳ. Ⅰ is the highest: `Level::I > Level::IV`, so `max()`
/// picks the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ResponseLevel)]
#[serde(try_from = "String")]
pub enum Level {
    I,
    II,
    III,
    IV,
}

impl Level {
    /// Highest first.
    pub const ALL: [Level; 4] = [Level::I, Level::II, Level::III, Level::IV];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::I => "I",
            Level::II => "II",
            Level::III => "III",
            Level::IV => "IV",
        }
    }

    /// The Roman numeral as written in Chinese documents.
    pub fn numeral(self) -> &'static str {
        match self {
            Level::I => "Ⅰ",
            Level::II => "Ⅱ",
            Level::III => "Ⅲ",
            Level::IV => "Ⅳ",
        }
    }

    /// `Ⅰ级` … `Ⅳ级`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::I => "Ⅰ级",
            Level::II => "Ⅱ级",
            Level::III => "Ⅲ级",
            Level::IV => "Ⅳ级",
        }
    }

    /// The incident grade the level answers: 特别重大 / 重大 / 较大 / 一般.
    pub fn grade_zh(self) -> &'static str {
        match self {
            Level::I => "特别重大",
            Level::II => "重大",
            Level::III => "较大",
            Level::IV => "一般",
        }
    }

    /// Severity, 4 for Ⅰ down to 1 for Ⅳ.
    pub fn severity(self) -> u8 {
        match self {
            Level::I => 4,
            Level::II => 3,
            Level::III => 2,
            Level::IV => 1,
        }
    }

    /// Accepts `I`–`IV`, `1`–`4`, `Ⅰ`–`Ⅳ`, `一`–`四`, with an optional `级`
    /// or `级响应`.
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim();
        let s = s
            .strip_suffix("级响应")
            .or_else(|| s.strip_suffix('级'))
            .unwrap_or(s)
            .trim();
        Some(match s {
            "I" | "i" | "1" | "Ⅰ" | "一" => Level::I,
            "II" | "ii" | "2" | "Ⅱ" | "二" => Level::II,
            "III" | "iii" | "3" | "Ⅲ" | "三" => Level::III,
            "IV" | "iv" | "4" | "Ⅳ" | "四" => Level::IV,
            _ => return None,
        })
    }

    /// 493号令 accident grades map one to one: 特别重大 → Ⅰ … 一般 → Ⅳ.
    pub fn from_accident_grade(g: AccidentGrade) -> Level {
        match g {
            AccidentGrade::EspeciallyMajor => Level::I,
            AccidentGrade::Major => Level::II,
            AccidentGrade::Larger => Level::III,
            AccidentGrade::Ordinary => Level::IV,
        }
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> Ordering {
        self.severity().cmp(&other.severity())
    }
}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TryFrom<String> for Level {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Level::parse(&s).ok_or_else(|| {
            format!("响应级别应为 I、II、III 或 IV（也可写 1–4、Ⅰ–Ⅳ），而不是 {s:?}")
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

// ── metrics and facts ──────────────────────────────────────────────────

/// The metrics an incident record carries (the only ones criteria may use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Deaths,
    Missing,
    Trapped,
    /// 重伤 (including acute industrial poisoning).
    Injured,
    DirectLossYuan,
    AffectedPeople,
    RelocatedPeople,
    CollapsedHouses,
    BurnedAreaHa,
    FireDurationH,
    Magnitude,
    #[serde(rename = "rain_mm_24h")]
    RainMm24h,
    EvacuatedPeople,
    BlackoutHouseholds,
    /// 0/1 flag.
    HazmatLeak,
    /// 0/1 flag.
    CrossCounty,
}

impl Metric {
    pub const ALL: [Metric; 16] = [
        Metric::Deaths,
        Metric::Missing,
        Metric::Trapped,
        Metric::Injured,
        Metric::DirectLossYuan,
        Metric::AffectedPeople,
        Metric::RelocatedPeople,
        Metric::CollapsedHouses,
        Metric::BurnedAreaHa,
        Metric::FireDurationH,
        Metric::Magnitude,
        Metric::RainMm24h,
        Metric::EvacuatedPeople,
        Metric::BlackoutHouseholds,
        Metric::HazmatLeak,
        Metric::CrossCounty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Deaths => "deaths",
            Metric::Missing => "missing",
            Metric::Trapped => "trapped",
            Metric::Injured => "injured",
            Metric::DirectLossYuan => "direct_loss_yuan",
            Metric::AffectedPeople => "affected_people",
            Metric::RelocatedPeople => "relocated_people",
            Metric::CollapsedHouses => "collapsed_houses",
            Metric::BurnedAreaHa => "burned_area_ha",
            Metric::FireDurationH => "fire_duration_h",
            Metric::Magnitude => "magnitude",
            Metric::RainMm24h => "rain_mm_24h",
            Metric::EvacuatedPeople => "evacuated_people",
            Metric::BlackoutHouseholds => "blackout_households",
            Metric::HazmatLeak => "hazmat_leak",
            Metric::CrossCounty => "cross_county",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Metric::Deaths => "死亡",
            Metric::Missing => "失踪",
            Metric::Trapped => "被困",
            Metric::Injured => "重伤",
            Metric::DirectLossYuan => "直接经济损失",
            Metric::AffectedPeople => "涉及人数",
            Metric::RelocatedPeople => "紧急转移安置",
            Metric::CollapsedHouses => "倒塌和严重损坏房屋",
            Metric::BurnedAreaHa => "受害森林面积",
            Metric::FireDurationH => "持续燃烧未控制",
            Metric::Magnitude => "震级",
            Metric::RainMm24h => "24小时降雨量",
            Metric::EvacuatedPeople => "疏散撤离",
            Metric::BlackoutHouseholds => "停电",
            Metric::HazmatLeak => "危险化学品泄漏",
            Metric::CrossCounty => "跨县（区）",
        }
    }

    pub fn unit_zh(self) -> &'static str {
        match self {
            Metric::Deaths
            | Metric::Missing
            | Metric::Trapped
            | Metric::Injured
            | Metric::AffectedPeople
            | Metric::RelocatedPeople
            | Metric::EvacuatedPeople => "人",
            Metric::DirectLossYuan => "元",
            Metric::CollapsedHouses => "间",
            Metric::BurnedAreaHa => "公顷",
            Metric::FireDurationH => "小时",
            Metric::Magnitude => "级",
            Metric::RainMm24h => "毫米",
            Metric::BlackoutHouseholds => "户",
            Metric::HazmatLeak | Metric::CrossCounty => "",
        }
    }

    /// 0/1 flags, only ever compared with `== 1`.
    pub fn is_flag(self) -> bool {
        matches!(self, Metric::HazmatLeak | Metric::CrossCounty)
    }

    /// Whole numbers (people, rooms, households, yuan).
    pub fn is_count(self) -> bool {
        !self.is_flag()
            && !matches!(
                self,
                Metric::BurnedAreaHa
                    | Metric::FireDurationH
                    | Metric::Magnitude
                    | Metric::RainMm24h
            )
    }
}

/// What is known about an incident, as the criteria read it. Unknown keys are
/// refused when deserialising, missing ones are 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Facts {
    pub deaths: u32,
    pub missing: u32,
    pub trapped: u32,
    /// 重伤
    pub injured: u32,
    pub direct_loss_yuan: u64,
    pub affected_people: u64,
    pub relocated_people: u64,
    pub collapsed_houses: u64,
    pub burned_area_ha: f64,
    pub fire_duration_h: f64,
    pub magnitude: f64,
    pub rain_mm_24h: f64,
    pub evacuated_people: u64,
    pub blackout_households: u64,
    pub hazmat_leak: bool,
    pub cross_county: bool,
}

impl Facts {
    pub fn get(&self, m: Metric) -> f64 {
        match m {
            Metric::Deaths => f64::from(self.deaths),
            Metric::Missing => f64::from(self.missing),
            Metric::Trapped => f64::from(self.trapped),
            Metric::Injured => f64::from(self.injured),
            Metric::DirectLossYuan => self.direct_loss_yuan as f64,
            Metric::AffectedPeople => self.affected_people as f64,
            Metric::RelocatedPeople => self.relocated_people as f64,
            Metric::CollapsedHouses => self.collapsed_houses as f64,
            Metric::BurnedAreaHa => self.burned_area_ha,
            Metric::FireDurationH => self.fire_duration_h,
            Metric::Magnitude => self.magnitude,
            Metric::RainMm24h => self.rain_mm_24h,
            Metric::EvacuatedPeople => self.evacuated_people as f64,
            Metric::BlackoutHouseholds => self.blackout_households as f64,
            Metric::HazmatLeak => f64::from(u8::from(self.hazmat_leak)),
            Metric::CrossCounty => f64::from(u8::from(self.cross_county)),
        }
    }

    /// Set one metric; counts must be whole numbers ≥ 0, flags 0 or 1.
    pub fn set(&mut self, m: Metric, v: f64) -> Result<(), PlanError> {
        let field = m.as_str();
        let bad = |msg: &str| PlanError::Input {
            field: m.as_str(),
            message: format!("{}（{field}）{msg}", m.label_zh()),
        };
        if !v.is_finite() || v < 0.0 {
            return Err(bad("必须是不小于 0 的数"));
        }
        if m.is_flag() && v != 0.0 && v != 1.0 {
            return Err(bad("只能是 0 或 1"));
        }
        if m.is_count() && v.fract() != 0.0 {
            return Err(bad("必须是整数"));
        }
        let small = |v: f64| -> Result<u32, PlanError> {
            if v > f64::from(u32::MAX) {
                Err(bad("过大"))
            } else {
                Ok(v as u32)
            }
        };
        match m {
            Metric::Deaths => self.deaths = small(v)?,
            Metric::Missing => self.missing = small(v)?,
            Metric::Trapped => self.trapped = small(v)?,
            Metric::Injured => self.injured = small(v)?,
            Metric::DirectLossYuan => self.direct_loss_yuan = v as u64,
            Metric::AffectedPeople => self.affected_people = v as u64,
            Metric::RelocatedPeople => self.relocated_people = v as u64,
            Metric::CollapsedHouses => self.collapsed_houses = v as u64,
            Metric::BurnedAreaHa => self.burned_area_ha = v,
            Metric::FireDurationH => self.fire_duration_h = v,
            Metric::Magnitude => self.magnitude = v,
            Metric::RainMm24h => self.rain_mm_24h = v,
            Metric::EvacuatedPeople => self.evacuated_people = v as u64,
            Metric::BlackoutHouseholds => self.blackout_households = v as u64,
            Metric::HazmatLeak => self.hazmat_leak = v == 1.0,
            Metric::CrossCounty => self.cross_county = v == 1.0,
        }
        Ok(())
    }

    /// The measured (non-count) fields must be finite and ≥ 0; a magnitude
    /// above 10 is refused as a typing error.
    pub fn check(&self) -> Result<(), PlanError> {
        for m in [
            Metric::BurnedAreaHa,
            Metric::FireDurationH,
            Metric::Magnitude,
            Metric::RainMm24h,
        ] {
            let v = self.get(m);
            if !v.is_finite() || v < 0.0 {
                return Err(PlanError::Input {
                    field: m.as_str(),
                    message: format!("{}（{}）必须是不小于 0 的数", m.label_zh(), m.as_str()),
                });
            }
        }
        if self.magnitude > 10.0 {
            return Err(input("magnitude", "震级（magnitude）不能大于 10"));
        }
        Ok(())
    }

    /// The facts 493号令 grades on.
    pub fn accident(&self) -> AccidentFacts {
        AccidentFacts {
            deaths: self.deaths,
            serious_injuries: self.injured,
            direct_loss_yuan: self.direct_loss_yuan,
        }
    }
}

/// Comparison of a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Op {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "==")]
    Equal,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Equal => "==",
        }
    }
    /// As shown to people.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Equal => "=",
        }
    }
}

/// One activation criterion of a level: `metric op value`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    pub metric: Metric,
    pub op: Op,
    pub value: f64,
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn show(m: Metric, v: f64) -> String {
    if m == Metric::DirectLossYuan && v >= 10_000.0 {
        format!("{} 万元", num(v / 10_000.0))
    } else if m.unit_zh().is_empty() {
        num(v)
    } else {
        format!("{} {}", num(v), m.unit_zh())
    }
}

impl Criterion {
    pub fn met(&self, f: &Facts) -> bool {
        let v = f.get(self.metric);
        match self.op {
            Op::Ge => v >= self.value,
            Op::Gt => v > self.value,
            Op::Le => v <= self.value,
            Op::Lt => v < self.value,
            Op::Equal => v == self.value,
        }
    }

    /// The criterion with the incident's value, e.g. `死亡 4 人 ≥ 3 人`.
    pub fn describe(&self, f: &Facts) -> String {
        if self.metric.is_flag() && self.op == Op::Equal && self.value == 1.0 {
            return match self.metric {
                Metric::HazmatLeak => "发生危险化学品泄漏".to_string(),
                _ => "事件跨县（区）行政区域".to_string(),
            };
        }
        format!(
            "{} {} {} {}",
            self.metric.label_zh(),
            show(self.metric, f.get(self.metric)),
            self.op.symbol(),
            show(self.metric, self.value)
        )
    }

    /// The threshold as written in the plan, e.g. `死亡 ≥ 3 人`.
    pub fn text(&self) -> String {
        format!(
            "{} {} {}",
            self.metric.label_zh(),
            self.op.symbol(),
            show(self.metric, self.value)
        )
    }
}

// ── the catalogue's records ────────────────────────────────────────────

/// How a type is graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grading {
    /// By 《生产安全事故报告和调查处理条例》 (493号令), see `reports::grading`.
    ProductionSafety,
    /// By the criteria of the plan that covers it.
    Plan,
}

/// A node of the incident-type tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub grading: Grading,
    #[serde(default)]
    #[schema(no_recursion)]
    pub children: Vec<IncidentType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    General,
    Special,
}

/// A command (指挥部) of the “1+19” structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PlanCommand)]
pub struct Command {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub kind: CommandKind,
    pub commander: String,
    /// Department code of the command's office.
    pub office: String,
    /// Department codes.
    pub members: Vec<String>,
    pub incident_types: Vec<String>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    Government,
    Party,
    Vertical,
    Enterprise,
    Military,
    Organisation,
    Unit,
}

/// A body that owns plans or receives tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub short: String,
    pub name_en: String,
    pub kind: DepartmentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 总体 / 专项 / 部门 / 单位 / 现场处置方案.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    Overall,
    Special,
    Department,
    Unit,
    Onsite,
}

impl PlanType {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanType::Overall => "overall",
            PlanType::Special => "special",
            PlanType::Department => "department",
            PlanType::Unit => "unit",
            PlanType::Onsite => "onsite",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            PlanType::Overall => "总体应急预案",
            PlanType::Special => "专项应急预案",
            PlanType::Department => "部门应急预案",
            PlanType::Unit => "单位应急预案",
            PlanType::Onsite => "现场处置方案",
        }
    }
    /// Order among matches of equal specificity: special, department,
    /// unit, on-site, and the overall plan last.
    fn rank(self) -> u8 {
        match self {
            PlanType::Special => 0,
            PlanType::Department => 1,
            PlanType::Unit => 2,
            PlanType::Onsite => 3,
            PlanType::Overall => 4,
        }
    }
}

/// Who a task template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeKind {
    /// A command code (`cmd.…`).
    Command,
    /// A department code.
    Department,
    /// One of the platform's team kinds (resources dictionary `team_kind`).
    TeamKind,
}

impl AssigneeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssigneeKind::Command => "command",
            AssigneeKind::Department => "department",
            AssigneeKind::TeamKind => "team_kind",
        }
    }
}

/// A task a level starts; it becomes an instruction when the response starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskTemplate {
    pub assignee_kind: AssigneeKind,
    pub assignee: String,
    pub task: String,
    /// Due this many minutes after the response starts.
    pub within_minutes: u32,
}

/// A response level of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanLevel {
    pub level: Level,
    pub name: String,
    /// Authoritative wording; `criteria` is its structured reading.
    pub criteria_text: String,
    /// Any one met activates the level; empty: started only by decision.
    pub criteria: Vec<Criterion>,
    pub commander: String,
    pub tasks: Vec<TaskTemplate>,
}

impl PlanLevel {
    /// The criteria the facts meet.
    pub fn met<'a>(&'a self, f: &Facts) -> Vec<&'a Criterion> {
        self.criteria.iter().filter(|c| c.met(f)).collect()
    }
    /// Started only by a decision, never proposed.
    pub fn decision_only(&self) -> bool {
        self.criteria.is_empty()
    }
}

/// Draft (editable) or published (never changes again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    #[default]
    Published,
}

fn first_revision() -> u32 {
    1
}

/// One version of a plan. The demo data holds the current, published
/// version of each plan (`revision` 1, `status` published by default); a
/// revision is a new value with the same code and the next `revision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub code: String,
    pub title: String,
    #[serde(rename = "type")]
    pub plan_type: PlanType,
    /// Department code.
    pub owner: String,
    /// Command code.
    pub command: Option<String>,
    /// Plan code it sits under.
    pub parent: Option<String>,
    pub incident_types: Vec<String>,
    /// 12-digit division codes.
    pub divisions: Vec<String>,
    /// The version label, e.g. `2022版`.
    pub version: String,
    #[serde(with = "iso_date")]
    pub published_on: Date,
    #[serde(with = "iso_date")]
    pub last_evaluated_on: Date,
    pub review_years: u8,
    pub drill_cycle_months: u16,
    pub grading_basis: String,
    pub source: String,
    /// Listed from Ⅰ down.
    pub levels: Vec<PlanLevel>,
    /// Version number within the code, from 1.
    #[serde(default = "first_revision")]
    pub revision: u32,
    #[serde(default)]
    pub status: PlanStatus,
    /// Revision-trigger codes that caused this version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revision_triggers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_reason: Option<String>,
}

/// What a revision records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// New version label, e.g. `2026版`.
    pub version: String,
    /// Revision-trigger codes (at least one).
    pub triggers: Vec<String>,
    pub reason: String,
}

impl Plan {
    pub fn level(&self, level: Level) -> Option<&PlanLevel> {
        self.levels.iter().find(|l| l.level == level)
    }

    pub fn is_published(&self) -> bool {
        self.status == PlanStatus::Published
    }

    /// Refuses any change to a published version.
    pub fn ensure_editable(&self) -> Result<(), PlanError> {
        if self.is_published() {
            Err(PlanError::Immutable {
                code: self.code.clone(),
                version: self.version.clone(),
            })
        } else {
            Ok(())
        }
    }

    /// A new draft version from this published one; `self` is unchanged.
    /// The triggers must be codes of `known`.
    pub fn revise(&self, r: &Revision, known: &[RevisionTrigger]) -> Result<Plan, PlanError> {
        if !self.is_published() {
            return Err(PlanError::State(format!(
                "预案 {}（{}）是尚未发布的草稿，可直接修改，无需修订",
                self.code, self.version
            )));
        }
        let version = r.version.trim();
        if version.is_empty() {
            return Err(input("version", "新版本号不能为空"));
        }
        if version == self.version {
            return Err(input(
                "version",
                format!("新版本号不能与当前版本（{}）相同", self.version),
            ));
        }
        if r.reason.trim().is_empty() {
            return Err(input("reason", "修订须说明理由"));
        }
        check_triggers(&r.triggers, known)?;
        let mut next = self.clone();
        next.version = version.to_string();
        next.revision = self.revision.saturating_add(1);
        next.status = PlanStatus::Draft;
        next.revision_triggers = r.triggers.clone();
        next.revision_reason = Some(r.reason.trim().to_string());
        Ok(next)
    }

    /// Publish a draft on `on`: it is then immutable. Publishing a revised
    /// version restarts its evaluation cycle.
    pub fn publish(mut self, on: Date) -> Result<Plan, PlanError> {
        if self.is_published() {
            return Err(PlanError::State(format!(
                "预案 {}（{}）已经发布",
                self.code, self.version
            )));
        }
        self.status = PlanStatus::Published;
        self.published_on = on;
        self.last_evaluated_on = on;
        Ok(self)
    }
}

/// 桌面推演 / 实战演练 / 双盲演练.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DrillKind {
    Tabletop,
    Live,
    DoubleBlind,
}

impl DrillKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            DrillKind::Tabletop => "桌面推演",
            DrillKind::Live => "实战演练",
            DrillKind::DoubleBlind => "双盲演练",
        }
    }
}

/// A planned or held drill (演练).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    /// Plan code.
    pub plan: String,
    pub title: String,
    pub kind: DrillKind,
    #[serde(with = "iso_date")]
    pub planned_on: Date,
    /// None while not yet held.
    #[serde(default, with = "iso_date::option")]
    pub held_on: Option<Date>,
    pub divisions: Vec<String>,
    /// Department codes.
    pub participants: Vec<String>,
    pub people: u32,
    pub evaluation: Option<String>,
    /// Problems found; each becomes an improvement item.
    #[serde(default)]
    pub problems: Vec<String>,
    pub source: String,
}

/// A situation in which a plan must be revised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevisionTrigger {
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
    pub basis: String,
}

/// Every code must be a known trigger; at least one is required.
pub fn check_triggers(codes: &[String], known: &[RevisionTrigger]) -> Result<(), PlanError> {
    if codes.is_empty() {
        return Err(input("triggers", "修订须记录至少一项修订情形"));
    }
    for c in codes {
        if !known.iter().any(|k| k.code == *c) {
            return Err(PlanError::UnknownTrigger(c.clone()));
        }
    }
    Ok(())
}

// ── types and divisions ────────────────────────────────────────────────

/// Is type `a` the type `b` or in its subtree (whole dotted segments)?
pub fn type_within(a: &str, b: &str) -> bool {
    a == b || (a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'.')
}

fn depth(code: &str) -> usize {
    code.split('.').count()
}

fn walk<'a>(nodes: &'a [IncidentType], out: &mut Vec<&'a IncidentType>) {
    for n in nodes {
        out.push(n);
        walk(&n.children, out);
    }
}

// ── catalogue ──────────────────────────────────────────────────────────

/// The JSON texts of a catalogue.
#[derive(Debug, Clone, Copy)]
pub struct CatalogJson<'a> {
    pub types: &'a str,
    pub commands: &'a str,
    pub departments: &'a str,
    pub plans: &'a str,
    pub drills: &'a str,
    pub triggers: &'a str,
}

impl CatalogJson<'static> {
    /// The Datong demo catalogue, `data/plans/`.
    pub const EMBEDDED: CatalogJson<'static> = CatalogJson {
        types: include_str!("../../../../data/plans/incident-types.json"),
        commands: include_str!("../../../../data/plans/commands.json"),
        departments: include_str!("../../../../data/plans/departments.json"),
        plans: include_str!("../../../../data/plans/plans.json"),
        drills: include_str!("../../../../data/plans/drills.json"),
        triggers: include_str!("../../../../data/plans/revision-triggers.json"),
    };
}

/// Everything the plan rules work from.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Catalog {
    pub types: Vec<IncidentType>,
    pub commands: Vec<Command>,
    pub departments: Vec<Department>,
    /// Every version held (the demo data: one published version per plan).
    pub plans: Vec<Plan>,
    pub drills: Vec<Drill>,
    pub triggers: Vec<RevisionTrigger>,
}

fn entry_name(v: &Value, i: usize) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match (s("code"), s("title")) {
        (Some(c), _) => c,
        (None, Some(t)) => format!("#{i} {t}"),
        (None, None) => format!("#{i}"),
    }
}

fn parse_list<T: DeserializeOwned>(file: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<T> {
    let mut add = |entry: String, message: String| {
        problems.push(Problem {
            file: file.to_string(),
            entry,
            message,
        })
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            add("(file)".into(), format!("invalid JSON: {e}"));
            return Vec::new();
        }
    };
    let Value::Array(items) = value else {
        add("(file)".into(), "top level must be an array".into());
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        let entry = entry_name(&v, i);
        match serde_json::from_value::<T>(v) {
            Ok(x) => out.push(x),
            Err(e) => add(entry, e.to_string()),
        }
    }
    out
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, file: &str, entry: &str, message: impl Into<String>) {
        self.0.push(Problem {
            file: file.to_string(),
            entry: entry.to_string(),
            message: message.into(),
        });
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

fn twelve_digit(code: &str) -> Result<Code, String> {
    if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("division {code:?} is not a 12-digit code"));
    }
    Code::parse(code).map_err(|e| e.to_string())
}

/// The lower bound a criterion puts on its metric (for `>=` and `>`).
fn lower_bound(c: &Criterion) -> Option<f64> {
    match c.op {
        Op::Ge => Some(c.value),
        Op::Gt => Some(c.value + 1e-9),
        _ => None,
    }
}

fn team_kinds() -> HashSet<String> {
    crate::resources::default_dictionaries()
        .into_iter()
        .find(|(k, _)| *k == "team_kind")
        .map(|(_, opts)| opts.into_iter().map(|o| o.value).collect())
        .unwrap_or_default()
}

/// The embedded catalogue, parsed and validated once. Its types, commands,
/// departments and triggers are fixed; its plans and drills only seed the
/// database (afterwards the stored versions are the truth).
pub fn embedded() -> Result<&'static Catalog, PlanError> {
    static CATALOG: std::sync::OnceLock<Result<Catalog, PlanError>> = std::sync::OnceLock::new();
    CATALOG
        .get_or_init(Catalog::embedded)
        .as_ref()
        .map_err(Clone::clone)
}

impl Catalog {
    /// The embedded demo catalogue (`data/plans/`), validated.
    pub fn embedded() -> Result<Catalog, PlanError> {
        Catalog::from_json(&CatalogJson::EMBEDDED)
    }

    /// Parse and validate; every problem names its file and entry.
    pub fn from_json(src: &CatalogJson<'_>) -> Result<Catalog, PlanError> {
        let mut problems = Vec::new();
        let catalog = Catalog {
            types: parse_list(TYPES_FILE, src.types, &mut problems),
            commands: parse_list(COMMANDS_FILE, src.commands, &mut problems),
            departments: parse_list(DEPARTMENTS_FILE, src.departments, &mut problems),
            plans: parse_list(PLANS_FILE, src.plans, &mut problems),
            drills: parse_list(DRILLS_FILE, src.drills, &mut problems),
            triggers: parse_list(TRIGGERS_FILE, src.triggers, &mut problems),
        };
        if problems.is_empty() {
            problems = catalog.validate();
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(PlanError::Invalid(problems))
        }
    }

    /// Referential and rule checks of the whole catalogue.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems(Vec::new());

        // Types: dotted slugs, each child one segment below its parent.
        fn check_types(
            nodes: &[IncidentType],
            parent: Option<&str>,
            seen: &mut HashSet<String>,
            p: &mut Problems,
        ) {
            for n in nodes {
                let e = n.code.as_str();
                if !is_slug(e) {
                    p.add(TYPES_FILE, e, "code must be a dotted lower-case slug");
                }
                match parent {
                    Some(pc) if !(type_within(e, pc) && depth(e) == depth(pc) + 1) => p.add(
                        TYPES_FILE,
                        e,
                        format!("code must add exactly one segment to its parent's ({pc})"),
                    ),
                    None if e.contains('.') => p.add(TYPES_FILE, e, "a category code has no dot"),
                    _ => {}
                }
                if !seen.insert(n.code.clone()) {
                    p.add(TYPES_FILE, e, "duplicate code");
                }
                if n.name_zh.trim().is_empty() {
                    p.add(TYPES_FILE, e, "missing name_zh");
                }
                check_types(&n.children, Some(e), seen, p);
            }
        }
        let mut type_codes = HashSet::new();
        check_types(&self.types, None, &mut type_codes, &mut p);

        let mut depts = HashSet::new();
        for d in &self.departments {
            if d.code.trim().is_empty() {
                p.add(DEPARTMENTS_FILE, "(no code)", "missing code");
            } else if !depts.insert(d.code.as_str()) {
                p.add(DEPARTMENTS_FILE, &d.code, "duplicate code");
            }
        }

        let mut cmds = HashSet::new();
        for c in &self.commands {
            let e = c.code.as_str();
            if !cmds.insert(e) {
                p.add(COMMANDS_FILE, e, "duplicate code");
            }
            if c.name_en.trim().is_empty() {
                p.add(COMMANDS_FILE, e, "missing name_en");
            }
            if !depts.contains(c.office.as_str()) {
                p.add(
                    COMMANDS_FILE,
                    e,
                    format!("office {:?} is not a department", c.office),
                );
            }
            for m in &c.members {
                if !depts.contains(m.as_str()) {
                    p.add(
                        COMMANDS_FILE,
                        e,
                        format!("member {m:?} is not a department"),
                    );
                }
            }
            if !c.members.contains(&c.office) {
                p.add(COMMANDS_FILE, e, "the office's department must be a member");
            }
            for t in &c.incident_types {
                if !type_codes.contains(t) {
                    p.add(
                        COMMANDS_FILE,
                        e,
                        format!("incident type {t:?} does not exist"),
                    );
                }
            }
        }

        let mut versions = HashSet::new();
        for plan in &self.plans {
            if !versions.insert((plan.code.as_str(), plan.revision)) {
                p.add(
                    PLANS_FILE,
                    &plan.code,
                    format!("duplicate code and revision {}", plan.revision),
                );
            }
            p.0.extend(self.check_plan(plan));
        }

        let plans: HashMap<&str, &Plan> = self.plans.iter().map(|x| (x.code.as_str(), x)).collect();
        for (i, d) in self.drills.iter().enumerate() {
            let e = format!("#{i} {}", d.title);
            let plan = plans.get(d.plan.as_str());
            if plan.is_none() {
                p.add(DRILLS_FILE, &e, format!("plan {:?} does not exist", d.plan));
            }
            if d.divisions.is_empty() {
                p.add(DRILLS_FILE, &e, "divisions must be a non-empty array");
            }
            for code in &d.divisions {
                match twelve_digit(code) {
                    Err(m) => p.add(DRILLS_FILE, &e, m),
                    Ok(c) => {
                        if let Some(plan) = plan {
                            let inside = plan
                                .divisions
                                .iter()
                                .filter_map(|a| Code::parse(a).ok())
                                .any(|a| c.is_within(&a));
                            if !inside {
                                p.add(
                                    DRILLS_FILE,
                                    &e,
                                    format!(
                                        "division {code} is outside plan {}'s divisions",
                                        plan.code
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            if d.participants.is_empty() {
                p.add(DRILLS_FILE, &e, "participants must be a non-empty array");
            }
            for x in &d.participants {
                if !depts.contains(x.as_str()) {
                    p.add(
                        DRILLS_FILE,
                        &e,
                        format!("participant {x:?} is not a department"),
                    );
                }
            }
            if d.held_on.is_none() && (d.evaluation.is_some() || !d.problems.is_empty()) {
                p.add(
                    DRILLS_FILE,
                    &e,
                    "a drill not yet held has no evaluation and no problems",
                );
            }
            if d.people == 0 {
                p.add(DRILLS_FILE, &e, "people must be a positive integer");
            }
        }

        let mut triggers = HashSet::new();
        for t in &self.triggers {
            if !is_slug(&t.code) || t.code.contains('.') {
                p.add(TRIGGERS_FILE, &t.code, "code must be a lower-case slug");
            }
            if !triggers.insert(t.code.as_str()) {
                p.add(TRIGGERS_FILE, &t.code, "duplicate code");
            }
            if t.text_zh.trim().is_empty() {
                p.add(TRIGGERS_FILE, &t.code, "missing text_zh");
            }
        }
        p.0
    }

    /// The checks of one plan version against the catalogue (also run
    /// before a draft is published).
    pub fn check_plan(&self, plan: &Plan) -> Vec<Problem> {
        let mut p = Problems(Vec::new());
        let e = plan.code.as_str();
        let dept = |c: &str| self.departments.iter().any(|d| d.code == c);
        let command = |c: &str| self.commands.iter().any(|x| x.code == c);
        if e.trim().is_empty() {
            p.add(PLANS_FILE, "(no code)", "missing code");
        }
        if plan.title.trim().is_empty() {
            p.add(PLANS_FILE, e, "missing title");
        }
        if !dept(&plan.owner) {
            p.add(
                PLANS_FILE,
                e,
                format!("owner {:?} is not a department", plan.owner),
            );
        }
        if let Some(c) = &plan.command {
            if !command(c) {
                p.add(
                    PLANS_FILE,
                    e,
                    format!("command {c:?} is neither null nor a command"),
                );
            }
        }
        match &plan.parent {
            Some(x) if x == &plan.code => p.add(PLANS_FILE, e, "a plan cannot be its own parent"),
            Some(x) if !self.plans.iter().any(|q| q.code == *x) => p.add(
                PLANS_FILE,
                e,
                format!("parent {x:?} is neither null nor a plan"),
            ),
            None if plan.plan_type == PlanType::Onsite => p.add(
                PLANS_FILE,
                e,
                "an on-site plan's parent must be a unit plan",
            ),
            Some(_) if plan.plan_type == PlanType::Overall => {
                p.add(PLANS_FILE, e, "the overall plan has no parent")
            }
            _ => {}
        }
        if plan.incident_types.is_empty() {
            p.add(PLANS_FILE, e, "incident_types must be a non-empty array");
        }
        for t in &plan.incident_types {
            if self.type_node(t).is_none() {
                p.add(PLANS_FILE, e, format!("incident type {t:?} does not exist"));
            }
        }
        if plan.divisions.is_empty() {
            p.add(PLANS_FILE, e, "divisions must be a non-empty array");
        }
        for d in &plan.divisions {
            if let Err(m) = twelve_digit(d) {
                p.add(PLANS_FILE, e, m);
            }
        }
        if plan.version.trim().is_empty() {
            p.add(PLANS_FILE, e, "missing version");
        }
        if plan.last_evaluated_on < plan.published_on {
            p.add(PLANS_FILE, e, "last_evaluated_on is before published_on");
        }
        if !(1..=MAX_REVIEW_YEARS).contains(&plan.review_years) {
            p.add(
                PLANS_FILE,
                e,
                "review_years must be an integer from 1 to 3 (evaluate at least every 3 years)",
            );
        }
        if !(1..=60).contains(&plan.drill_cycle_months) {
            p.add(
                PLANS_FILE,
                e,
                "drill_cycle_months must be an integer from 1 to 60",
            );
        }
        if plan.levels.is_empty() {
            p.add(PLANS_FILE, e, "levels must be a non-empty array");
        }
        let kinds = team_kinds();
        for (i, l) in plan.levels.iter().enumerate() {
            let le = format!("{e} level {}", l.level.as_str());
            if i > 0 && l.level >= plan.levels[i - 1].level {
                p.add(
                    PLANS_FILE,
                    &le,
                    "levels must be unique and listed from the highest (I) down",
                );
            }
            if l.name.trim().is_empty() {
                p.add(PLANS_FILE, &le, "missing name");
            }
            if l.commander.trim().is_empty() {
                p.add(PLANS_FILE, &le, "missing commander");
            }
            for (j, c) in l.criteria.iter().enumerate() {
                let ce = format!("{le} criteria[{j}]");
                if !c.value.is_finite() || c.value < 0.0 {
                    p.add(PLANS_FILE, &ce, "value must be a finite number ≥ 0");
                }
                if c.metric.is_flag() && !(c.op == Op::Equal && c.value == 1.0) {
                    p.add(
                        PLANS_FILE,
                        &ce,
                        format!("{} is a 0/1 flag: use == 1", c.metric.as_str()),
                    );
                }
            }
            if l.tasks.is_empty() {
                p.add(PLANS_FILE, &le, "a level needs at least one task");
            }
            for (j, t) in l.tasks.iter().enumerate() {
                let te = format!("{le} tasks[{j}]");
                let ok = match t.assignee_kind {
                    AssigneeKind::Command => command(&t.assignee),
                    AssigneeKind::Department => dept(&t.assignee),
                    AssigneeKind::TeamKind => kinds.contains(&t.assignee),
                };
                if !ok {
                    p.add(
                        PLANS_FILE,
                        &te,
                        format!(
                            "{} {:?} does not exist",
                            t.assignee_kind.as_str(),
                            t.assignee
                        ),
                    );
                }
                if t.task.trim().is_empty() {
                    p.add(PLANS_FILE, &te, "missing task");
                }
                if !(1..=10_080).contains(&t.within_minutes) {
                    p.add(
                        PLANS_FILE,
                        &te,
                        "within_minutes must be an integer from 1 to 10080",
                    );
                }
            }
        }
        // Thresholds never fall as the level rises.
        for pair in plan.levels.windows(2) {
            let (hi, lo) = (&pair[0], &pair[1]);
            for ch in &hi.criteria {
                let Some(bh) = lower_bound(ch) else { continue };
                for cl in lo.criteria.iter().filter(|c| c.metric == ch.metric) {
                    if lower_bound(cl).is_some_and(|bl| bh < bl) {
                        p.add(
                            PLANS_FILE,
                            &format!("{e} level {}", hi.level.as_str()),
                            format!(
                                "{} {} {} is below level {}'s {} {}",
                                ch.metric.as_str(),
                                ch.op.as_str(),
                                num(ch.value),
                                lo.level.as_str(),
                                cl.op.as_str(),
                                num(cl.value)
                            ),
                        );
                    }
                }
            }
        }
        p.0
    }

    /// Every node of the type tree, depth first.
    pub fn all_types(&self) -> Vec<&IncidentType> {
        let mut out = Vec::new();
        walk(&self.types, &mut out);
        out
    }

    pub fn type_node(&self, code: &str) -> Option<&IncidentType> {
        self.all_types().into_iter().find(|t| t.code == code)
    }

    /// The Chinese name of a type (the code itself when it is unknown).
    pub fn type_name(&self, code: &str) -> String {
        self.type_node(code)
            .map_or_else(|| code.to_string(), |t| t.name_zh.clone())
    }

    /// How a type is graded: its own node's rule, or that of its nearest
    /// known ancestor for a sub-type the tree does not list.
    pub fn grading_of(&self, code: &str) -> Option<Grading> {
        let mut c = code;
        loop {
            if let Some(t) = self.type_node(c) {
                return Some(t.grading);
            }
            c = &c[..c.rfind('.')?];
        }
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    pub fn command(&self, code: &str) -> Option<&Command> {
        self.commands.iter().find(|c| c.code == code)
    }

    pub fn trigger(&self, code: &str) -> Option<&RevisionTrigger> {
        self.triggers.iter().find(|t| t.code == code)
    }

    /// The current (highest published) version of each plan.
    pub fn current_plans(&self) -> Vec<&Plan> {
        current_plans(&self.plans)
    }

    /// The current version of one plan.
    pub fn plan(&self, code: &str) -> Option<&Plan> {
        self.current_plans().into_iter().find(|p| p.code == code)
    }

    /// The plan's drills, oldest first (held date, or planned date while not held).
    pub fn drill_history(&self, plan_code: &str) -> Vec<&Drill> {
        drill_history(&self.drills, plan_code)
    }

    /// Current plans overdue for evaluation on `on`.
    pub fn review_overdue(&self, on: Date) -> Vec<(&Plan, ReviewStatus)> {
        self.current_plans()
            .into_iter()
            .map(|p| (p, review_due(p, on)))
            .filter(|(_, s)| s.overdue)
            .collect()
    }

    /// Current plans overdue for a drill on `on` (plans never drilled are
    /// flagged by [`DrillStatus::never_drilled`], not here).
    pub fn drill_overdue(&self, on: Date) -> Vec<(&Plan, DrillStatus)> {
        self.current_plans()
            .into_iter()
            .map(|p| (p, drill_status(p, &self.drills, on)))
            .filter(|(_, s)| s.overdue)
            .collect()
    }
}

/// The current (highest published revision) version of each plan code, in
/// input order. Drafts are never current.
pub fn current_plans(plans: &[Plan]) -> Vec<&Plan> {
    latest(plans, |p| p.is_published())
}

/// The version of each plan in force on `on`: the highest published
/// revision published on or before that day.
pub fn plans_in_force(plans: &[Plan], on: Date) -> Vec<&Plan> {
    latest(plans, |p| p.is_published() && p.published_on <= on)
}

fn latest(plans: &[Plan], keep: impl Fn(&Plan) -> bool) -> Vec<&Plan> {
    let mut best: HashMap<&str, u32> = HashMap::new();
    for p in plans.iter().filter(|p| keep(p)) {
        let r = best.entry(p.code.as_str()).or_insert(p.revision);
        *r = (*r).max(p.revision);
    }
    plans
        .iter()
        .filter(|p| keep(p) && best.get(p.code.as_str()) == Some(&p.revision))
        .collect()
}

// ── review and drill cycles ────────────────────────────────────────────

/// `d` plus `months`, the day clamped to the end of a shorter month
/// (2024-02-29 + 12 months = 2025-02-28).
pub fn add_months(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months;
    let year = total.div_euclid(12);
    let month = u8::try_from(total.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// When a plan is next due for evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewStatus {
    #[serde(with = "iso_date")]
    #[schema(value_type = String)]
    pub last_evaluated_on: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String)]
    pub due_on: Date,
    /// Due before `on` (a plan due today is not yet overdue).
    pub overdue: bool,
    /// Days past `due_on`, 0 when not overdue.
    pub overdue_days: i64,
}

/// `last_evaluated_on + review_years` (at most 3 years).
pub fn review_due(plan: &Plan, on: Date) -> ReviewStatus {
    review_due_from(plan.last_evaluated_on, plan.review_years, on)
}

/// The same from a later evaluation date the store knows of.
pub fn review_due_from(last_evaluated_on: Date, review_years: u8, on: Date) -> ReviewStatus {
    let years = review_years.clamp(1, MAX_REVIEW_YEARS);
    let due_on = add_months(last_evaluated_on, 12 * i32::from(years));
    let days = (on - due_on).whole_days();
    ReviewStatus {
        last_evaluated_on,
        due_on,
        overdue: days > 0,
        overdue_days: days.max(0),
    }
}

/// A plan's drill cycle on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DrillStatus {
    pub cycle_months: u16,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub last_held_on: Option<Date>,
    /// Last held + cycle; None when never drilled.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Date>,
    pub overdue: bool,
    pub overdue_days: i64,
    /// No drill held on or before `on`.
    pub never_drilled: bool,
    /// The earliest drill planned and not yet held.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>)]
    pub next_planned_on: Option<Date>,
}

/// Drill cycle status: overdue when the last held drill plus
/// `drill_cycle_months` is before `on`.
pub fn drill_status(plan: &Plan, drills: &[Drill], on: Date) -> DrillStatus {
    let mine = drills.iter().filter(|d| d.plan == plan.code);
    let last_held_on = mine
        .clone()
        .filter_map(|d| d.held_on)
        .filter(|h| *h <= on)
        .max();
    let next_planned_on = mine
        .filter(|d| d.held_on.is_none())
        .map(|d| d.planned_on)
        .min();
    let due_on = last_held_on.map(|h| add_months(h, i32::from(plan.drill_cycle_months)));
    let days = due_on.map_or(0, |d| (on - d).whole_days());
    DrillStatus {
        cycle_months: plan.drill_cycle_months,
        last_held_on,
        due_on,
        overdue: days > 0,
        overdue_days: days.max(0),
        never_drilled: last_held_on.is_none(),
        next_planned_on,
    }
}

/// A plan's drills, oldest first.
pub fn drill_history<'a>(drills: &'a [Drill], plan_code: &str) -> Vec<&'a Drill> {
    let mut out: Vec<&Drill> = drills.iter().filter(|d| d.plan == plan_code).collect();
    out.sort_by_key(|d| d.held_on.unwrap_or(d.planned_on));
    out
}

// ── plan matching ──────────────────────────────────────────────────────

/// A plan proposed for an incident.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanMatch {
    pub code: String,
    pub title: String,
    pub plan_type: PlanType,
    pub version: String,
    pub revision: u32,
    pub owner: String,
    pub command: Option<String>,
    /// The highest level with a met criterion (None: no level's criteria
    /// are met; the commander may still decide).
    pub level: Option<Level>,
    /// The plan's name of that level, e.g. `Ⅲ级响应`.
    pub level_name: Option<String>,
    /// Why it matched: type, area, then each met criterion of the level.
    pub reasons: Vec<String>,
    /// The met criteria of the proposed level alone.
    pub met: Vec<String>,
    /// Depth of the plan's type that covers the incident (0: the overall
    /// plan by default).
    pub specificity: usize,
    pub review: ReviewStatus,
    pub drill: DrillStatus,
    /// Status flags for the commander (review or drill overdue, …).
    pub warnings: Vec<String>,
}

/// Propose the plans that fit an incident, each with its level and reasons.
///
/// A plan fits when it is the version in force on `on` ([`plans_in_force`]),
/// one of its types covers `incident_type` and one of its
/// divisions covers `division` (a 2–12 digit code). An incident type in no
/// category of the tree is covered only by an overall plan whose types cover
/// every category.
///
/// Order: the overall plan last; before it, the plans whose covering type is
/// deepest first (the plan written for 森林草原火灾 before the one for all
/// 自然灾害); then special, department, unit, on-site; then the higher
/// proposed level; then code.
pub fn match_plans(
    catalog: &Catalog,
    incident_type: &str,
    division: &str,
    facts: &Facts,
    on: Date,
) -> Result<Vec<PlanMatch>, PlanError> {
    let place = Code::parse(division).map_err(|e| PlanError::Division(e.to_string()))?;
    let incident_type = incident_type.trim();
    if incident_type.is_empty() {
        return Err(input("incident_type", "事件类型不能为空"));
    }
    let name = catalog.type_name(incident_type);
    let covers_all = |p: &Plan| {
        catalog
            .types
            .iter()
            .all(|t| p.incident_types.iter().any(|c| type_within(&t.code, c)))
    };
    let mut out = Vec::new();
    for plan in plans_in_force(&catalog.plans, on) {
        let by_type = plan
            .incident_types
            .iter()
            .filter(|t| type_within(incident_type, t))
            .max_by_key(|t| depth(t));
        let (specificity, type_reason) = match by_type {
            Some(t) if t == incident_type => {
                (depth(t), format!("事件类型“{name}”在预案适用范围内"))
            }
            Some(t) => (
                depth(t),
                format!("事件类型“{name}”属于预案适用类型“{}”", catalog.type_name(t)),
            ),
            None if plan.plan_type == PlanType::Overall && covers_all(plan) => (
                0,
                format!("总体应急预案适用于各类突发事件（“{name}”不在分类中）"),
            ),
            None => continue,
        };
        let Some(area) = plan
            .divisions
            .iter()
            .filter_map(|d| Code::parse(d).ok())
            .find(|d| place.is_within(d))
        else {
            continue;
        };
        let area_reason = if area == place {
            format!("事发地 {place} 为预案适用区域")
        } else {
            format!("事发地 {place} 位于预案适用区域 {area} 内")
        };

        let mut best: Option<(&PlanLevel, Vec<&Criterion>)> = None;
        for l in &plan.levels {
            let met = l.met(facts);
            if !met.is_empty() && best.as_ref().is_none_or(|(b, _)| l.level > b.level) {
                best = Some((l, met));
            }
        }
        let mut reasons = vec![type_reason, area_reason];
        let met: Vec<String> = match &best {
            Some((l, m)) => m
                .iter()
                .map(|c| format!("{}：{}", l.name, c.describe(facts)))
                .collect(),
            None => Vec::new(),
        };
        reasons.extend(met.iter().cloned());
        let level = best.as_ref().map(|(l, _)| l.level);
        if level.is_none() {
            reasons.push("未达到任何级别的启动条件，可由指挥长研判决定是否启动".to_string());
        }
        for l in plan.levels.iter().filter(|l| l.decision_only()) {
            if level.is_none_or(|b| l.level > b) {
                reasons.push(format!("{}无量化启动条件，由上级决定启动", l.name));
            }
        }

        let review = review_due(plan, on);
        let drill = drill_status(plan, &catalog.drills, on);
        let mut warnings = Vec::new();
        if review.overdue {
            warnings.push(format!(
                "预案逾期未评估 {} 天（应于 {} 前评估）",
                review.overdue_days, review.due_on
            ));
        }
        match (drill.overdue, drill.last_held_on) {
            (true, Some(last)) => warnings.push(format!(
                "预案逾期未演练 {} 天（上次演练 {last}，周期 {} 个月）",
                drill.overdue_days, drill.cycle_months
            )),
            (_, None) => warnings.push("预案尚无演练记录".to_string()),
            _ => {}
        }

        out.push(PlanMatch {
            code: plan.code.clone(),
            title: plan.title.clone(),
            plan_type: plan.plan_type,
            version: plan.version.clone(),
            revision: plan.revision,
            owner: plan.owner.clone(),
            command: plan.command.clone(),
            level,
            level_name: best.as_ref().map(|(l, _)| l.name.clone()),
            reasons,
            met,
            specificity,
            review,
            drill,
            warnings,
        });
    }
    out.sort_by_key(|m| {
        (
            m.plan_type == PlanType::Overall,
            Reverse(m.specificity),
            m.plan_type.rank(),
            Reverse(m.level),
            m.code.clone(),
        )
    });
    Ok(out)
}

// ── stored versions, evaluations, drills and improvement items ─────────

/// Where a stored version stands: a draft being edited, the version in
/// force, or an older published version (superseded, still readable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    InForce,
    Superseded,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InForce => "in_force",
            VersionState::Superseded => "superseded",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            VersionState::Draft => "草稿",
            VersionState::InForce => "现行有效",
            VersionState::Superseded => "已废止",
        }
    }
}

/// The state of `plan` among all versions of its code (`all` may hold
/// other codes too): the highest published revision is in force.
pub fn version_state(plan: &Plan, all: &[Plan]) -> VersionState {
    if !plan.is_published() {
        return VersionState::Draft;
    }
    let newer = all
        .iter()
        .any(|p| p.code == plan.code && p.is_published() && p.revision > plan.revision);
    if newer {
        VersionState::Superseded
    } else {
        VersionState::InForce
    }
}

/// The version a revision starts from: the current published version of
/// `code`, when no draft of it is open (one draft at a time).
pub fn revisable<'a>(code: &str, all: &'a [Plan]) -> Result<&'a Plan, PlanError> {
    if let Some(d) = all.iter().find(|p| p.code == code && !p.is_published()) {
        return Err(PlanError::State(format!(
            "预案 {code} 已有未发布的草稿（第 {} 版 {}），请先编辑发布该草稿",
            d.revision, d.version
        )));
    }
    current_plans(all)
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| PlanError::State(format!("预案 {code} 尚无已发布的版本，不能修订")))
}

/// 评估结论: the plan still fits, or it must be revised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// 继续适用
    Adequate,
    /// 需要修订
    Revise,
}

impl Conclusion {
    pub fn parse(s: &str) -> Option<Conclusion> {
        match s {
            "adequate" => Some(Conclusion::Adequate),
            "revise" => Some(Conclusion::Revise),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Adequate => "adequate",
            Conclusion::Revise => "revise",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Conclusion::Adequate => "继续适用",
            Conclusion::Revise => "需要修订",
        }
    }
}

/// An evaluation may not be dated in the future nor before the evaluated
/// version was published.
pub fn check_evaluation(plan: &Plan, evaluated_on: Date, today: Date) -> Result<(), PlanError> {
    if !plan.is_published() {
        return Err(PlanError::State("草稿尚未发布，不能评估".into()));
    }
    if evaluated_on > today {
        return Err(input("evaluated_on", "评估日期不能晚于今天"));
    }
    if evaluated_on < plan.published_on {
        return Err(input(
            "evaluated_on",
            format!("评估日期不能早于该版本的发布日期 {}", plan.published_on),
        ));
    }
    Ok(())
}

/// The plan as the review clock reads it: its last evaluation is the later
/// of the version's own date and the evaluations recorded since.
pub fn with_evaluations(mut plan: Plan, evaluated: &[Date]) -> Plan {
    if let Some(last) = evaluated
        .iter()
        .copied()
        .filter(|d| *d >= plan.published_on)
        .max()
    {
        plan.last_evaluated_on = plan.last_evaluated_on.max(last);
    }
    plan
}

/// 计划 → 已实施 → 已评估 (or cancelled before it is held).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DrillState {
    Planned,
    Held,
    Evaluated,
    Cancelled,
}

impl DrillState {
    pub fn parse(s: &str) -> Option<DrillState> {
        Some(match s {
            "planned" => DrillState::Planned,
            "held" => DrillState::Held,
            "evaluated" => DrillState::Evaluated,
            "cancelled" => DrillState::Cancelled,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DrillState::Planned => "planned",
            DrillState::Held => "held",
            DrillState::Evaluated => "evaluated",
            DrillState::Cancelled => "cancelled",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            DrillState::Planned => "计划中",
            DrillState::Held => "已实施",
            DrillState::Evaluated => "已评估",
            DrillState::Cancelled => "已取消",
        }
    }
    /// The state a catalogue drill is stored in.
    pub fn of(d: &Drill) -> DrillState {
        match (d.held_on, &d.evaluation) {
            (None, _) => DrillState::Planned,
            (Some(_), None) => DrillState::Held,
            (Some(_), Some(_)) => DrillState::Evaluated,
        }
    }
}

/// A step of a drill.
#[derive(Debug, Clone, PartialEq)]
pub enum DrillEvent {
    /// 实施: held on a day (not in the future) with people and participants.
    Hold {
        held_on: Date,
        people: u32,
        participants: usize,
    },
    /// 评估: the evaluation opinion.
    Evaluate {
        evaluation: String,
    },
    Cancel {
        reason: String,
    },
}

impl DrillState {
    /// The next state, or why the step is refused.
    pub fn transition(self, ev: &DrillEvent, today: Date) -> Result<DrillState, PlanError> {
        use DrillState as S;
        match (self, ev) {
            (
                S::Planned,
                DrillEvent::Hold {
                    held_on,
                    people,
                    participants,
                },
            ) => {
                if *held_on > today {
                    Err(input("held_on", "实施日期不能晚于今天"))
                } else if *people == 0 {
                    Err(input("people", "参演人数须大于 0"))
                } else if *participants == 0 {
                    Err(input("participants", "须至少有一个参演单位"))
                } else {
                    Ok(S::Held)
                }
            }
            (S::Held, DrillEvent::Evaluate { evaluation }) => {
                if evaluation.trim().is_empty() {
                    Err(input("evaluation", "评估意见不能为空"))
                } else {
                    Ok(S::Evaluated)
                }
            }
            (S::Planned, DrillEvent::Cancel { reason }) => {
                if reason.trim().is_empty() {
                    Err(input("reason", "取消须说明理由"))
                } else {
                    Ok(S::Cancelled)
                }
            }
            (s, ev) => {
                let what = match ev {
                    DrillEvent::Hold { .. } => "实施",
                    DrillEvent::Evaluate { .. } => "评估",
                    DrillEvent::Cancel { .. } => "取消",
                };
                Err(PlanError::State(format!(
                    "演练{}，不能{what}",
                    s.label_zh()
                )))
            }
        }
    }
}

/// 整改事项: open → in progress → done → verified (by someone else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImprovementState {
    Open,
    InProgress,
    Done,
    Verified,
}

impl ImprovementState {
    pub fn parse(s: &str) -> Option<ImprovementState> {
        Some(match s {
            "open" => ImprovementState::Open,
            "in_progress" => ImprovementState::InProgress,
            "done" => ImprovementState::Done,
            "verified" => ImprovementState::Verified,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ImprovementState::Open => "open",
            ImprovementState::InProgress => "in_progress",
            ImprovementState::Done => "done",
            ImprovementState::Verified => "verified",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ImprovementState::Open => "待整改",
            ImprovementState::InProgress => "整改中",
            ImprovementState::Done => "已完成待验证",
            ImprovementState::Verified => "已验证销号",
        }
    }
}

/// A step of an improvement item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImprovementEvent {
    Start,
    Complete,
    /// Verification (销号), never by the person who completed it.
    Verify,
    /// Verification refused: back to work.
    Reopen,
}

impl ImprovementEvent {
    pub fn parse(s: &str) -> Option<ImprovementEvent> {
        Some(match s {
            "start" => ImprovementEvent::Start,
            "complete" => ImprovementEvent::Complete,
            "verify" => ImprovementEvent::Verify,
            "reopen" => ImprovementEvent::Reopen,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ImprovementEvent::Start => "start",
            ImprovementEvent::Complete => "complete",
            ImprovementEvent::Verify => "verify",
            ImprovementEvent::Reopen => "reopen",
        }
    }
}

impl ImprovementState {
    /// The next state; `actor` takes the step, `done_by` completed the item.
    pub fn transition(
        self,
        ev: ImprovementEvent,
        actor: &str,
        done_by: &str,
    ) -> Result<ImprovementState, PlanError> {
        use ImprovementEvent as E;
        use ImprovementState as S;
        match (self, ev) {
            (S::Open, E::Start) => Ok(S::InProgress),
            (S::InProgress, E::Complete) => Ok(S::Done),
            (S::Done, E::Verify) if actor == done_by => Err(PlanError::State(
                "整改完成人不能自己验证销号，须由他人验证".into(),
            )),
            (S::Done, E::Verify) => Ok(S::Verified),
            (S::Done, E::Reopen) => Ok(S::InProgress),
            (s, e) => Err(PlanError::State(format!(
                "整改事项{}，不能执行“{}”",
                s.label_zh(),
                e.as_str()
            ))),
        }
    }

    /// Closed items are never overdue.
    pub fn is_closed(self) -> bool {
        matches!(self, ImprovementState::Done | ImprovementState::Verified)
    }
}

/// Overdue when not yet done after `due_on`: (overdue, days past due).
pub fn improvement_overdue(due_on: Date, state: ImprovementState, on: Date) -> (bool, i64) {
    let days = (on - due_on).whole_days();
    if state.is_closed() || days <= 0 {
        (false, 0)
    } else {
        (true, days)
    }
}

/// The default time to fix a problem a drill found: 3 months.
pub fn default_due(from: Date) -> Date {
    add_months(from, 3)
}

/// A new improvement item's fields, checked against the catalogue.
pub fn check_improvement(
    catalog: &Catalog,
    title: &str,
    owner_department: &str,
    due_on: Date,
    today: Date,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if title.trim().is_empty() || title.chars().count() > 500 {
        out.push(("title", "整改事项必填，最多 500 字".to_string()));
    }
    if catalog.department(owner_department).is_none() {
        out.push((
            "owner_department",
            format!("责任单位“{owner_department}”不存在"),
        ));
    }
    if due_on < today {
        out.push(("due_on", "整改期限不能早于今天".to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn catalog() -> Catalog {
        Catalog::embedded().expect("embedded catalogue is valid")
    }

    fn codes(m: &[PlanMatch]) -> Vec<&str> {
        m.iter().map(|x| x.code.as_str()).collect()
    }

    #[test]
    fn embedded_catalogue_loads_with_the_documented_counts() {
        let c = catalog();
        assert_eq!(c.types.len(), 4);
        assert_eq!(c.all_types().len(), 77);
        assert_eq!(c.commands.len(), 20);
        assert_eq!(c.departments.len(), 31);
        assert_eq!(c.plans.len(), 24);
        assert_eq!(c.plans.iter().map(|p| p.levels.len()).sum::<usize>(), 87);
        assert_eq!(
            c.plans
                .iter()
                .flat_map(|p| &p.levels)
                .map(|l| l.tasks.len())
                .sum::<usize>(),
            453
        );
        assert_eq!(c.drills.len(), 10);
        assert_eq!(c.triggers.len(), 8);
        let count = |t: PlanType| c.plans.iter().filter(|p| p.plan_type == t).count();
        let by_type = [
            (PlanType::Overall, 1),
            (PlanType::Special, 15),
            (PlanType::Department, 4),
            (PlanType::Unit, 2),
            (PlanType::Onsite, 2),
        ];
        for (t, n) in by_type {
            assert_eq!(count(t), n, "{}", t.label_zh());
        }
        assert!(c.plans.iter().all(|p| p.is_published() && p.revision == 1));
    }

    #[test]
    fn level_parse_order_and_labels() {
        let table = [
            ("I", Some(Level::I)),
            ("1", Some(Level::I)),
            ("Ⅰ", Some(Level::I)),
            ("Ⅰ级", Some(Level::I)),
            ("II", Some(Level::II)),
            ("2", Some(Level::II)),
            ("Ⅱ", Some(Level::II)),
            ("III", Some(Level::III)),
            ("3", Some(Level::III)),
            ("Ⅲ级响应", Some(Level::III)),
            ("IV", Some(Level::IV)),
            ("4", Some(Level::IV)),
            (" Ⅳ ", Some(Level::IV)),
            ("四", Some(Level::IV)),
            ("V", None),
            ("0", None),
            ("5", None),
            ("", None),
            ("IIII", None),
        ];
        for (s, want) in table {
            assert_eq!(Level::parse(s), want, "{s:?}");
        }
        assert!(Level::I > Level::II && Level::II > Level::III && Level::III > Level::IV);
        assert_eq!(Level::ALL.into_iter().max(), Some(Level::I));
        let labels: Vec<&str> = Level::ALL.iter().map(|l| l.label_zh()).collect();
        assert_eq!(labels, ["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级"]);
        let json: Level = serde_json::from_str("\"Ⅲ\"").expect("parses");
        assert_eq!(json, Level::III);
        assert_eq!(
            serde_json::to_string(&Level::III).expect("serialises"),
            "\"III\""
        );
        assert!(serde_json::from_str::<Level>("\"V\"").is_err());
        let table = [
            (AccidentGrade::EspeciallyMajor, Level::I),
            (AccidentGrade::Major, Level::II),
            (AccidentGrade::Larger, Level::III),
            (AccidentGrade::Ordinary, Level::IV),
        ];
        for (g, l) in table {
            assert_eq!(Level::from_accident_grade(g), l);
        }
    }

    #[test]
    fn metrics_round_trip_and_facts_refuse_unknown_keys() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            let json = serde_json::to_string(&m).expect("serialises");
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            let mut f = Facts::default();
            let v = if m == Metric::Magnitude { 5.0 } else { 1.0 };
            f.set(m, v).expect("valid value");
            assert_eq!(f.get(m), v, "{}", m.as_str());
        }
        let f: Facts =
            serde_json::from_str(r#"{"deaths":4,"rain_mm_24h":120.5,"hazmat_leak":true}"#)
                .expect("known metrics");
        assert_eq!((f.deaths, f.rain_mm_24h, f.hazmat_leak), (4, 120.5, true));
        assert!(serde_json::from_str::<Facts>(r#"{"dead":4}"#).is_err());
        let mut f = Facts::default();
        let bad = [
            (Metric::Deaths, -1.0),
            (Metric::Deaths, 2.5),
            (Metric::HazmatLeak, 2.0),
            (Metric::BurnedAreaHa, f64::NAN),
            (Metric::Deaths, 1e12),
        ];
        for (m, v) in bad {
            assert!(f.set(m, v).is_err(), "{} = {v}", m.as_str());
        }
        f.magnitude = 12.0;
        assert!(f.check().is_err());
        f.magnitude = 6.5;
        assert!(f.check().is_ok());
    }

    #[test]
    fn criterion_boundaries_and_descriptions() {
        let c = |metric, op, value| Criterion { metric, op, value };
        let f = Facts {
            deaths: 3,
            burned_area_ha: 0.5,
            direct_loss_yuan: 12_000_000,
            cross_county: true,
            ..Facts::default()
        };
        let table = [
            (c(Metric::Deaths, Op::Ge, 3.0), true),
            (c(Metric::Deaths, Op::Ge, 4.0), false),
            (c(Metric::Deaths, Op::Gt, 3.0), false),
            (c(Metric::Deaths, Op::Gt, 2.0), true),
            (c(Metric::Deaths, Op::Le, 3.0), true),
            (c(Metric::Deaths, Op::Lt, 3.0), false),
            (c(Metric::Deaths, Op::Equal, 3.0), true),
            (c(Metric::BurnedAreaHa, Op::Gt, 0.0), true),
            (c(Metric::BurnedAreaHa, Op::Ge, 1.0), false),
            (c(Metric::CrossCounty, Op::Equal, 1.0), true),
            (c(Metric::HazmatLeak, Op::Equal, 1.0), false),
        ];
        for (crit, want) in table {
            assert_eq!(crit.met(&f), want, "{}", crit.text());
        }
        assert_eq!(
            c(Metric::Deaths, Op::Ge, 3.0).describe(&f),
            "死亡 3 人 ≥ 3 人"
        );
        assert_eq!(
            c(Metric::DirectLossYuan, Op::Ge, 10_000_000.0).describe(&f),
            "直接经济损失 1200 万元 ≥ 1000 万元"
        );
        assert_eq!(
            c(Metric::BurnedAreaHa, Op::Gt, 0.0).describe(&f),
            "受害森林面积 0.5 公顷 > 0 公顷"
        );
        assert_eq!(
            c(Metric::CrossCounty, Op::Equal, 1.0).describe(&f),
            "事件跨县（区）行政区域"
        );
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        let table = [
            (date!(2022 - 05 - 20), 36, date!(2025 - 05 - 20)),
            (date!(2024 - 02 - 29), 12, date!(2025 - 02 - 28)),
            (date!(2024 - 02 - 29), 48, date!(2028 - 02 - 29)),
            (date!(2026 - 01 - 31), 1, date!(2026 - 02 - 28)),
            (date!(2026 - 12 - 15), 1, date!(2027 - 01 - 15)),
            (date!(2026 - 03 - 31), -1, date!(2026 - 02 - 28)),
            (date!(2020 - 07 - 28), 24, date!(2022 - 07 - 28)),
            (date!(2026 - 06 - 30), 0, date!(2026 - 06 - 30)),
        ];
        for (d, m, want) in table {
            assert_eq!(add_months(d, m), want, "{d} + {m}");
        }
    }

    #[test]
    fn review_overdue_on_the_documented_day() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let mut overdue: Vec<&str> = c
            .review_overdue(on)
            .iter()
            .map(|(p, _)| p.code.as_str())
            .collect();
        overdue.sort_unstable();
        assert_eq!(overdue, ["DT-BM-LY", "DT-ZX-DLJT", "DT-ZX-DZZH"]);
        let dzzh = c.plan("DT-ZX-DZZH").expect("plan");
        let s = review_due(dzzh, on);
        assert_eq!(s.due_on, date!(2025 - 05 - 20));
        assert_eq!(s.overdue_days, (on - date!(2025 - 05 - 20)).whole_days());
        // Boundaries: due today is not overdue, the day after is one day over.
        let last = date!(2023 - 11 - 29);
        let table = [
            (date!(2026 - 11 - 28), false, 0),
            (date!(2026 - 11 - 29), false, 0),
            (date!(2026 - 11 - 30), true, 1),
            (date!(2027 - 11 - 30), true, 366),
        ];
        for (on, overdue, days) in table {
            let s = review_due_from(last, 3, on);
            assert_eq!((s.overdue, s.overdue_days), (overdue, days), "{on}");
        }
        // More than 3 years is capped at 3; 1 year is honoured.
        assert_eq!(review_due_from(last, 5, on).due_on, date!(2026 - 11 - 29));
        assert_eq!(review_due_from(last, 1, on).due_on, date!(2024 - 11 - 29));
    }

    #[test]
    fn drill_overdue_on_the_documented_day() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let overdue: Vec<&str> = c
            .drill_overdue(on)
            .iter()
            .map(|(p, _)| p.code.as_str())
            .collect();
        assert_eq!(overdue, ["DT-ZX-WHP"]);
        let whp = c.plan("DT-ZX-WHP").expect("plan");
        let s = drill_status(whp, &c.drills, on);
        assert_eq!(s.last_held_on, Some(date!(2020 - 07 - 28)));
        assert_eq!(s.due_on, Some(date!(2022 - 07 - 28)));
        let never = c
            .current_plans()
            .into_iter()
            .filter(|p| drill_status(p, &c.drills, on).never_drilled)
            .count();
        assert_eq!(never, 18);
        // Planned but not held: never drilled, next planned date known.
        let gr = drill_status(c.plan("DT-ZX-GR").expect("plan"), &c.drills, on);
        assert!(gr.never_drilled && !gr.overdue);
        assert_eq!(gr.next_planned_on, Some(date!(2026 - 12 - 10)));
        // History is per plan, oldest first.
        let dz: Vec<Date> = c
            .drill_history("DT-ZX-DZ")
            .iter()
            .filter_map(|d| d.held_on)
            .collect();
        assert_eq!(dz, [date!(2020 - 09 - 27), date!(2024 - 05 - 10)]);
        // The on-site plan drilled 2026-10-15 on a 6-month cycle: due 2027-04-15.
        let ts = drill_status(c.plan("DT-XC-MK01-TS").expect("plan"), &c.drills, on);
        assert_eq!(ts.due_on, Some(date!(2027 - 04 - 15)));
        let later = drill_status(
            c.plan("DT-XC-MK01-TS").expect("plan"),
            &c.drills,
            date!(2027 - 04 - 16),
        );
        assert_eq!((later.overdue, later.overdue_days), (true, 1));
    }

    #[test]
    fn forest_fire_in_lingqiu_proposes_the_forest_fire_plan_then_the_overall_plan() {
        let c = catalog();
        let f = Facts {
            burned_area_ha: 150.0,
            ..Facts::default()
        };
        let m = match_plans(
            &c,
            "natural.wildfire.forest",
            "140224100000",
            &f,
            date!(2026 - 11 - 29),
        )
        .expect("matches");
        assert_eq!(
            codes(&m),
            ["DT-ZX-SLHZ", "DT-ZX-ZRZHJZ", "DT-BM-YLJY", "DT-ZT"]
        );
        let slhz = &m[0];
        assert_eq!(slhz.level, Some(Level::II));
        assert_eq!(slhz.level_name.as_deref(), Some("Ⅱ级响应"));
        assert_eq!(slhz.met, ["Ⅱ级响应：受害森林面积 150 公顷 ≥ 100 公顷"]);
        assert!(slhz.reasons[0].contains("森林火灾") && slhz.reasons[0].contains("森林草原火灾"));
        assert!(slhz.reasons[1].contains("140200000000"));
        let zt = m.last().expect("overall plan");
        assert_eq!(zt.level, None);
        assert!(zt.reasons.iter().any(|r| r.contains("未达到")));
        assert!(zt.warnings.iter().any(|w| w.contains("尚无演练")));
        // A lower area is Ⅲ, more than 1000 ha is Ⅰ.
        let level_for = |ha: f64| {
            let f = Facts {
                burned_area_ha: ha,
                ..Facts::default()
            };
            match_plans(
                &c,
                "natural.wildfire.forest",
                "140224",
                &f,
                date!(2026 - 11 - 29),
            )
            .expect("matches")[0]
                .level
        };
        let table = [
            (0.0, None),
            (0.01, Some(Level::IV)),
            (0.99, Some(Level::IV)),
            (1.0, Some(Level::III)),
            (99.99, Some(Level::III)),
            (100.0, Some(Level::II)),
            (999.9, Some(Level::II)),
            (1000.0, Some(Level::I)),
        ];
        for (ha, want) in table {
            assert_eq!(level_for(ha), want, "{ha} ha");
        }
    }

    #[test]
    fn coal_mine_accident_with_three_deaths_is_level_three() {
        let c = catalog();
        let f = Facts {
            deaths: 3,
            ..Facts::default()
        };
        let on = date!(2026 - 11 - 29);
        // In 平城区: the city coal-mine plan, not the 左云县 company's plans.
        let m = match_plans(&c, "accident.production.coal_mine", "140213000000", &f, on)
            .expect("matches");
        assert_eq!(codes(&m), ["DT-ZX-MK", "DT-BM-YLJY", "DT-ZT"]);
        assert_eq!(m[0].level, Some(Level::III));
        assert!(m[0].met.iter().any(|r| r == "Ⅲ级响应：死亡 3 人 ≥ 3 人"));
        assert_eq!(m[2].level, Some(Level::III));
        // In 左云县 the company's unit and on-site plans fit too (公司级 at one death).
        let m = match_plans(&c, "accident.production.coal_mine", "140226102000", &f, on)
            .expect("matches");
        assert_eq!(
            codes(&m),
            [
                "DT-ZX-MK",
                "DT-DW-MK01",
                "DT-XC-MK01-TS",
                "DT-BM-YLJY",
                "DT-ZT"
            ]
        );
        assert_eq!(m[1].level, Some(Level::I));
        assert_eq!(m[1].level_name.as_deref(), Some("Ⅰ级响应（公司级）"));
        // A sub-type the tree does not list is covered by its ancestors.
        let m = match_plans(
            &c,
            "accident.production.coal_mine.gas_outburst",
            "140213",
            &f,
            on,
        )
        .expect("matches");
        assert_eq!(m[0].code, "DT-ZX-MK");
    }

    #[test]
    fn unknown_and_uncovered_types() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let f = Facts::default();
        // A type in no category: only the overall plan, which covers every category.
        let m = match_plans(&c, "misc.ufo", "140200000000", &f, on).expect("matches");
        assert_eq!(codes(&m), ["DT-ZT"]);
        assert_eq!(m[0].specificity, 0);
        assert!(m[0].reasons[0].contains("不在分类中"));
        // A known type without its own plan: the plans of its category.
        let m = match_plans(&c, "natural.marine", "140200000000", &f, on).expect("matches");
        assert_eq!(codes(&m), ["DT-ZX-ZRZHJZ", "DT-BM-YLJY", "DT-ZT"]);
        // Outside the city: nothing.
        let m = match_plans(&c, "natural.wildfire", "140100000000", &f, on).expect("matches");
        assert!(m.is_empty());
        // A city-wide incident is not covered by a county's unit plan.
        let m = match_plans(&c, "accident.production.coal_mine", "1402", &f, on).expect("matches");
        assert!(!codes(&m).contains(&"DT-DW-MK01"));
        assert!(matches!(
            match_plans(&c, "natural.wildfire", "14x", &f, on),
            Err(PlanError::Division(_))
        ));
        assert!(matches!(
            match_plans(&c, " ", "1402", &f, on),
            Err(PlanError::Input {
                field: "incident_type",
                ..
            })
        ));
    }

    #[test]
    fn decision_only_levels_are_never_proposed() {
        let c = catalog();
        let f = Facts {
            deaths: 500,
            affected_people: 100_000,
            ..Facts::default()
        };
        let m = match_plans(
            &c,
            "public_health.food_safety",
            "140200000000",
            &f,
            date!(2026 - 11 - 29),
        )
        .expect("matches");
        let spaq = m
            .iter()
            .find(|x| x.code == "DT-ZX-SPAQ")
            .expect("food-safety plan");
        assert_eq!(spaq.level, Some(Level::II));
        assert!(spaq
            .reasons
            .iter()
            .any(|r| r.contains("Ⅰ级响应无量化启动条件")));
    }

    #[test]
    fn only_current_published_versions_match_and_flags_are_shown() {
        let mut c = catalog();
        let on = date!(2026 - 11 - 29);
        let f = Facts {
            deaths: 1,
            ..Facts::default()
        };
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let dzzh = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("geohazard plan");
        assert!(dzzh.review.overdue);
        assert!(dzzh.warnings.iter().any(|w| w.contains("逾期未评估")));

        let old = c.plan("DT-ZX-DZZH").expect("plan").clone();
        let revision = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into(), "risk_change".into()],
            reason: "评估发现风险点变化".into(),
        };
        let draft = old.revise(&revision, &c.triggers).expect("revises");
        c.plans.push(draft.clone());
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("still the old version");
        assert_eq!((x.revision, x.version.as_str()), (1, "2021版"));

        c.plans.push(draft.publish(on).expect("publishes"));
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("the new version");
        assert_eq!((x.revision, x.version.as_str()), (2, "2026版"));
        assert!(!x.review.overdue);
        assert_eq!(m.iter().filter(|x| x.code == "DT-ZX-DZZH").count(), 1);
        // On an earlier day the old version was in force.
        let m = match_plans(
            &c,
            "natural.geological.landslide",
            "140224",
            &f,
            date!(2026 - 01 - 01),
        )
        .expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("the old version");
        assert_eq!(x.revision, 1);
    }

    #[test]
    fn versions_are_immutable_and_revisions_record_triggers() {
        let c = catalog();
        let plan = c.plan("DT-ZX-MK").expect("plan");
        assert!(matches!(
            plan.ensure_editable(),
            Err(PlanError::Immutable { .. })
        ));
        let ok = Revision {
            version: "2026版".into(),
            triggers: vec!["law_change".into()],
            reason: "上位法修订".into(),
        };
        let next = plan.revise(&ok, &c.triggers).expect("revises");
        assert_eq!((next.revision, next.status), (2, PlanStatus::Draft));
        assert_eq!(next.revision_triggers, ["law_change"]);
        assert!(next.ensure_editable().is_ok());
        assert_eq!(plan.revision, 1, "the published version is unchanged");
        assert_eq!(plan.version, "2023版");
        let table: Vec<(Revision, &str)> = vec![
            (
                Revision {
                    triggers: vec![],
                    ..ok.clone()
                },
                "invalid_field",
            ),
            (
                Revision {
                    triggers: vec!["whim".into()],
                    ..ok.clone()
                },
                "unknown_trigger",
            ),
            (
                Revision {
                    version: "2023版".into(),
                    ..ok.clone()
                },
                "invalid_field",
            ),
            (
                Revision {
                    reason: " ".into(),
                    ..ok.clone()
                },
                "invalid_field",
            ),
        ];
        for (r, key) in table {
            let e = plan.revise(&r, &c.triggers).expect_err("refused");
            assert_eq!(e.key(), key, "{r:?}");
        }
        assert_eq!(
            next.revise(&ok, &c.triggers).expect_err("draft").key(),
            "invalid_state"
        );
        let published = next.publish(date!(2026 - 12 - 01)).expect("publishes");
        assert_eq!(published.published_on, date!(2026 - 12 - 01));
        assert_eq!(
            published
                .clone()
                .publish(date!(2026 - 12 - 02))
                .expect_err("again")
                .key(),
            "invalid_state"
        );
        // All eight triggers are recordable.
        let all: Vec<String> = c.triggers.iter().map(|t| t.code.clone()).collect();
        assert!(check_triggers(&all, &c.triggers).is_ok());
        // A published plan passes the publication checks.
        assert!(c.check_plan(&published).is_empty());
    }

    #[test]
    fn validation_names_the_file_and_entry() {
        let base = CatalogJson::EMBEDDED;
        let bad_plans = base
            .plans
            .replacen("\"owner\": \"emergency\"", "\"owner\": \"nobody\"", 1);
        let bad_metric = base
            .plans
            .replacen("\"metric\": \"deaths\"", "\"metric\": \"dead\"", 1);
        let bad_drills =
            base.drills
                .replacen("\"plan\": \"DT-ZX-WHP\"", "\"plan\": \"DT-NONE\"", 1);
        let bad_division = base.plans.replacen("140226000000", "140226", 1);
        let bad_task =
            base.plans
                .replacen("\"assignee\": \"fire\"", "\"assignee\": \"wizards\"", 1);
        let table: Vec<(CatalogJson, &str)> = vec![
            (
                CatalogJson {
                    plans: &bad_plans,
                    ..base
                },
                "plans.json: DT-ZT: owner \"nobody\" is not a department",
            ),
            (
                CatalogJson {
                    plans: &bad_metric,
                    ..base
                },
                "plans.json: DT-ZT: unknown variant `dead`",
            ),
            (
                CatalogJson {
                    drills: &bad_drills,
                    ..base
                },
                "drills.json: #0 2020年大同市危险化学品泄漏事故应急演练: plan \"DT-NONE\" does not exist",
            ),
            (
                CatalogJson {
                    plans: &bad_division,
                    ..base
                },
                "plans.json: DT-DW-MK01: division \"140226\" is not a 12-digit code",
            ),
            (
                CatalogJson {
                    plans: &bad_task,
                    ..base
                },
                "team_kind \"wizards\" does not exist",
            ),
            (
                CatalogJson {
                    triggers: "{}",
                    ..base
                },
                "revision-triggers.json: (file): top level must be an array",
            ),
            (
                CatalogJson {
                    types: "[",
                    ..base
                },
                "incident-types.json: (file): invalid JSON",
            ),
        ];
        for (src, want) in table {
            let e = Catalog::from_json(&src).expect_err("invalid");
            assert_eq!(e.key(), "invalid_catalog");
            assert!(e.to_string().contains(want), "{e} lacks {want}");
        }
    }

    #[test]
    fn version_states_and_one_draft_at_a_time() {
        let c = catalog();
        let v1 = c.plan("DT-ZX-DZ").expect("plan").clone();
        let r = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into()],
            reason: "评估后修订".into(),
        };
        let v2 = v1.revise(&r, &c.triggers).expect("revises");
        let mut all = vec![v1.clone(), v2.clone()];
        assert_eq!(version_state(&v1, &all), VersionState::InForce);
        assert_eq!(version_state(&v2, &all), VersionState::Draft);
        // A draft is open: no second revision.
        assert_eq!(
            revisable("DT-ZX-DZ", &all).expect_err("draft open").key(),
            "invalid_state"
        );
        let p2 = v2.publish(date!(2026 - 12 - 01)).expect("publishes");
        all[1] = p2.clone();
        assert_eq!(version_state(&v1, &all), VersionState::Superseded);
        assert_eq!(version_state(&p2, &all), VersionState::InForce);
        assert_eq!(revisable("DT-ZX-DZ", &all).expect("revisable").revision, 2);
        // Other codes do not count; a plan never published cannot be revised.
        assert_eq!(
            version_state(&v1, std::slice::from_ref(&v1)),
            VersionState::InForce
        );
        let mut new = v1.clone();
        new.code = "NEW".into();
        new.status = PlanStatus::Draft;
        assert_eq!(
            revisable("NEW", &[new]).expect_err("no version").key(),
            "invalid_state"
        );
    }

    #[test]
    fn evaluations_are_dated_between_publication_and_today_and_reset_the_clock() {
        let c = catalog();
        let p = c.plan("DT-ZX-DZZH").expect("plan").clone();
        let today = date!(2026 - 11 - 29);
        let table = [
            (today, None),
            (p.published_on, None),
            (date!(2026 - 11 - 30), Some("evaluated_on")),
            (
                p.published_on - time::Duration::days(1),
                Some("evaluated_on"),
            ),
        ];
        for (on, want) in table {
            let got = check_evaluation(&p, on, today).err().map(|e| match e {
                PlanError::Input { field, .. } => field,
                _ => "other",
            });
            assert_eq!(got, want, "{on}");
        }
        let mut draft = p.clone();
        draft.status = PlanStatus::Draft;
        assert_eq!(
            check_evaluation(&draft, today, today)
                .expect_err("draft")
                .key(),
            "invalid_state"
        );
        assert!(review_due(&p, today).overdue);
        let evaluated =
            with_evaluations(p.clone(), &[date!(2026 - 11 - 01), date!(2019 - 01 - 01)]);
        assert_eq!(evaluated.last_evaluated_on, date!(2026 - 11 - 01));
        assert!(!review_due(&evaluated, today).overdue);
        // An evaluation before the version was published does not count.
        let old = with_evaluations(p.clone(), &[p.published_on - time::Duration::days(1)]);
        assert_eq!(old.last_evaluated_on, p.last_evaluated_on);
    }

    #[test]
    fn drill_life_cycle() {
        use DrillState as S;
        let today = date!(2026 - 11 - 29);
        let hold = |d: Date, people: u32, participants: usize| DrillEvent::Hold {
            held_on: d,
            people,
            participants,
        };
        let eval = |e: &str| DrillEvent::Evaluate {
            evaluation: e.into(),
        };
        let cancel = |r: &str| DrillEvent::Cancel { reason: r.into() };
        let table: Vec<(S, DrillEvent, Result<S, &str>)> = vec![
            (S::Planned, hold(today, 10, 2), Ok(S::Held)),
            (
                S::Planned,
                hold(date!(2026 - 11 - 30), 10, 2),
                Err("held_on"),
            ),
            (S::Planned, hold(today, 0, 2), Err("people")),
            (S::Planned, hold(today, 10, 0), Err("participants")),
            (S::Held, eval("达到目的"), Ok(S::Evaluated)),
            (S::Held, eval(" "), Err("evaluation")),
            (S::Planned, eval("x"), Err("state")),
            (S::Evaluated, hold(today, 1, 1), Err("state")),
            (S::Planned, cancel("天气"), Ok(S::Cancelled)),
            (S::Planned, cancel(""), Err("reason")),
            (S::Held, cancel("x"), Err("state")),
            (S::Cancelled, hold(today, 1, 1), Err("state")),
        ];
        for (from, ev, want) in table {
            let got = from.transition(&ev, today).map_err(|e| match e {
                PlanError::Input { field, .. } => field,
                _ => "state",
            });
            assert_eq!(got, want, "{from:?} {ev:?}");
        }
        for d in &catalog().drills {
            let s = DrillState::of(d);
            assert_eq!(s == DrillState::Planned, d.held_on.is_none(), "{}", d.title);
            assert_eq!(DrillState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn improvement_items_close_only_when_someone_else_verifies() {
        use ImprovementEvent as E;
        use ImprovementState as S;
        let table = [
            (S::Open, E::Start, "a", "", Some(S::InProgress)),
            (S::InProgress, E::Complete, "a", "", Some(S::Done)),
            (S::Done, E::Verify, "b", "a", Some(S::Verified)),
            (S::Done, E::Verify, "a", "a", None),
            (S::Done, E::Reopen, "b", "a", Some(S::InProgress)),
            (S::Open, E::Complete, "a", "", None),
            (S::Open, E::Verify, "b", "", None),
            (S::Verified, E::Reopen, "b", "a", None),
            (S::InProgress, E::Start, "a", "", None),
        ];
        for (from, ev, actor, done_by, want) in table {
            let got = from.transition(ev, actor, done_by);
            assert_eq!(
                got.as_ref().ok().copied(),
                want,
                "{from:?} {ev:?} by {actor}"
            );
            if let Err(e) = got {
                assert_eq!(e.key(), "invalid_state");
            }
        }
        let e = S::Done
            .transition(E::Verify, "a", "a")
            .expect_err("same user");
        assert!(e.to_string().contains("他人"), "{e}");
        for s in [S::Open, S::InProgress, S::Done, S::Verified] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        for e in [E::Start, E::Complete, E::Verify, E::Reopen] {
            assert_eq!(E::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn improvement_overdue_and_checks() {
        use ImprovementState as S;
        let due = date!(2026 - 11 - 29);
        let table = [
            (S::Open, date!(2026 - 11 - 29), (false, 0)),
            (S::Open, date!(2026 - 11 - 30), (true, 1)),
            (S::InProgress, date!(2026 - 12 - 09), (true, 10)),
            (S::Done, date!(2026 - 12 - 09), (false, 0)),
            (S::Verified, date!(2027 - 12 - 09), (false, 0)),
        ];
        for (s, on, want) in table {
            assert_eq!(improvement_overdue(due, s, on), want, "{s:?} {on}");
        }
        assert_eq!(default_due(date!(2026 - 11 - 30)), date!(2027 - 02 - 28));
        let c = catalog();
        let today = date!(2026 - 11 - 29);
        assert!(check_improvement(&c, "补充通信设备", "emergency", today, today).is_empty());
        let fields: Vec<&str> = check_improvement(&c, " ", "nobody", date!(2026 - 11 - 28), today)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["title", "owner_department", "due_on"]);
    }
}
