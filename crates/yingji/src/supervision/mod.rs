//! Supervision (监督管理): enterprises' risk points graded in four colours
//! (LEC or a 5×5 risk matrix) and the hidden-hazard (隐患) closed loop:
//! report → grading (一般/重大) → rectification with a deadline and a
//! responsible person → 挂牌督办 of 重大事故隐患 by the supervising level →
//! rectification report → acceptance (验收) → 销号.
//!
//! Beside it: 重大危险源 identified and graded by GB 18218-2018
//! ([`major`]), inspections by 双随机 ([`inspections`]) and the county/city
//! statistics ([`stats`]).
//!
//! Pure: no SQL, no HTTP, no clock reads (times are parameters).

pub mod api;
pub mod api_checklists;
pub mod api_inspections;
pub mod api_major;
pub mod api_map;
pub mod api_stats;
pub mod checklists;
pub mod inspections;
pub mod jobs;
pub mod major;
pub mod model;
pub mod stats;
pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::clock::CST;
use crate::db::UtcText;
pub use crate::error::RuleError;
use crate::error::{text, FieldError, Refusal};
pub use model::{Finding, Hazard, HazardUnit, Inspection, InspectionDraw, Reported, RiskPoint};

// ── risk points: four colours ──────────────────────────────────────────

/// The four risk levels and their colours (四色: 红橙黄蓝), 国务院安委会办公室
/// 《标本兼治遏制重特大事故工作指南》(安委办〔2016〕3号) and 《关于实施遏制重特大
/// 事故工作指南构建双重预防机制的意见》(安委办〔2016〕11号): 重大风险 red,
/// 较大风险 orange, 一般风险 yellow, 低风险 blue. Ordered low → major, so
/// the highest of several is their `max`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 低风险 (蓝)
    Low,
    /// 一般风险 (黄)
    General,
    /// 较大风险 (橙)
    Significant,
    /// 重大风险 (红)
    Major,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Low,
        RiskLevel::General,
        RiskLevel::Significant,
        RiskLevel::Major,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::General => "general",
            RiskLevel::Significant => "significant",
            RiskLevel::Major => "major",
        }
    }
    pub fn parse(s: &str) -> Option<RiskLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
    pub fn colour(self) -> &'static str {
        match self {
            RiskLevel::Low => "blue",
            RiskLevel::General => "yellow",
            RiskLevel::Significant => "orange",
            RiskLevel::Major => "red",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RiskLevel::Low => "低风险",
            RiskLevel::General => "一般风险",
            RiskLevel::Significant => "较大风险",
            RiskLevel::Major => "重大风险",
        }
    }
}

/// LEC (作业条件危险性评价法, Graham & Kinney, "Practical risk analysis for
/// safety management", 1976; the Chinese tables as in 《安全评价》, 国家安全
/// 生产监督管理局, 2005): L, the likelihood of an accident.
/// Values in tenths, with their meaning.
pub const LEC_L: [(i64, &str); 7] = [
    (100, "完全可以预料"),
    (60, "相当可能"),
    (30, "可能，但不经常"),
    (10, "可能性小，完全意外"),
    (5, "很不可能，可以设想"),
    (2, "极不可能"),
    (1, "实际不可能"),
];
/// LEC: E, how often people are exposed to the hazard (tenths).
pub const LEC_E: [(i64, &str); 6] = [
    (100, "连续暴露"),
    (60, "每天工作时间内暴露"),
    (30, "每周一次或偶然暴露"),
    (20, "每月一次暴露"),
    (10, "每年几次暴露"),
    (5, "非常罕见地暴露"),
];
/// LEC: C, the consequences (whole numbers).
pub const LEC_C: [(i64, &str); 6] = [
    (100, "大灾难，许多人死亡"),
    (40, "灾难，数人死亡"),
    (15, "非常严重，一人死亡"),
    (7, "严重，重伤"),
    (3, "重大，致残"),
    (1, "引人注目，需要救护"),
];

/// The level of D = L × E × C, given in hundredths (so that the band
/// boundaries compare exactly): D > 320 重大 (red), 160 < D ≤ 320 较大
/// (orange), 70 < D ≤ 160 一般 (yellow), D ≤ 70 低 (blue). The bands are
/// Graham–Kinney's (>320 极其危险, 160–320 高度危险, 70–160 显著危险) with
/// the last two (20–70 一般危险, <20 稍有危险) joined as 低风险, as the
/// four-colour grading of DB37/T 2882-2016《安全生产风险分级管控体系通则》
/// (表 A) does; a boundary value belongs to the lower band.
pub fn lec_level(d_hundredths: i64) -> RiskLevel {
    if d_hundredths > 32_000 {
        RiskLevel::Major
    } else if d_hundredths > 16_000 {
        RiskLevel::Significant
    } else if d_hundredths > 7_000 {
        RiskLevel::General
    } else {
        RiskLevel::Low
    }
}

/// The level of R = L × S of the 5 × 5 risk matrix (L likelihood, S
/// severity, each 1–5): R ≥ 20 重大, 15–16 较大, 9–12 一般, R ≤ 8 低
/// (DB37/T 2882-2016 表 A.3's risk matrix, its two lowest classes joined
/// as 低风险).
pub fn matrix_level(r: i64) -> RiskLevel {
    if r >= 20 {
        RiskLevel::Major
    } else if r >= 15 {
        RiskLevel::Significant
    } else if r >= 9 {
        RiskLevel::General
    } else {
        RiskLevel::Low
    }
}

/// How a risk point was assessed (tagged by `method`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Assessment {
    /// D = L × E × C with the values of the LEC tables.
    Lec { l: f64, e: f64, c: f64 },
    /// R = L × S of the 5 × 5 matrix.
    Matrix { likelihood: i64, severity: i64 },
}

/// A value of an LEC table given as a number: its table entry (tenths or
/// whole), or the field error naming the allowed values.
fn lec_value(name: &str, v: f64, table: &[(i64, &str)], scale: f64) -> Result<i64, FieldError> {
    table
        .iter()
        .map(|(t, _)| *t)
        .find(|t| ((*t as f64) / scale - v).abs() < 1e-9)
        .ok_or_else(|| {
            let allowed: Vec<String> = table
                .iter()
                .map(|(t, _)| format!("{}", (*t as f64) / scale))
                .collect();
            FieldError::new(name, format!("取值应为 {} 之一", allowed.join("、")))
                .code("not_allowed")
                .param("allowed", allowed.join(", "))
        })
}

impl Assessment {
    /// The score (D or R) and its level, or the field that is wrong.
    pub fn grade(&self) -> Result<(f64, RiskLevel), FieldError> {
        match *self {
            Assessment::Lec { l, e, c } => {
                let l = lec_value("assessment.l", l, &LEC_L, 10.0)?;
                let e = lec_value("assessment.e", e, &LEC_E, 10.0)?;
                let c = lec_value("assessment.c", c, &LEC_C, 1.0)?;
                let d = l * e * c; // hundredths
                Ok((d as f64 / 100.0, lec_level(d)))
            }
            Assessment::Matrix {
                likelihood,
                severity,
            } => {
                for (name, v) in [
                    ("assessment.likelihood", likelihood),
                    ("assessment.severity", severity),
                ] {
                    if !(1..=5).contains(&v) {
                        return Err(FieldError::new(name, "取值应为 1–5")
                            .code("out_of_range")
                            .param("min", 1)
                            .param("max", 5));
                    }
                }
                let r = likelihood * severity;
                Ok((r as f64, matrix_level(r)))
            }
        }
    }
}

/// An enterprise's level: the highest of its risk points (none: no colour).
pub fn enterprise_level(points: impl IntoIterator<Item = RiskLevel>) -> Option<RiskLevel> {
    points.into_iter().max()
}

/// How often a risk point is reassessed at most: once a year (安委办〔2016〕
/// 11号 asks for regular reassessment; the year is this platform's default,
/// a later date may be entered).
pub const REASSESS_EVERY_DAYS: i64 = 365;

// ── hidden hazards: the closed loop ────────────────────────────────────

/// Where a hidden hazard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardState {
    /// 已上报
    Reported,
    /// 已确认定级
    Confirmed,
    /// 整改中
    Rectifying,
    /// 已整改（待验收）
    Rectified,
    /// 已验收（待销号）
    Verified,
    /// 已销号
    Closed,
}

impl HazardState {
    pub const ALL: [HazardState; 6] = [
        HazardState::Reported,
        HazardState::Confirmed,
        HazardState::Rectifying,
        HazardState::Rectified,
        HazardState::Verified,
        HazardState::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            HazardState::Reported => "reported",
            HazardState::Confirmed => "confirmed",
            HazardState::Rectifying => "rectifying",
            HazardState::Rectified => "rectified",
            HazardState::Verified => "verified",
            HazardState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<HazardState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            HazardState::Reported => "已上报",
            HazardState::Confirmed => "已定级",
            HazardState::Rectifying => "整改中",
            HazardState::Rectified => "待验收",
            HazardState::Verified => "待销号",
            HazardState::Closed => "已销号",
        }
    }
}

/// 一般事故隐患 or 重大事故隐患: 《安全生产事故隐患排查治理暂行规定》
/// (国家安全生产监督管理总局令第16号) 第三条 — 一般: 危害和整改难度较小，发现
/// 后能够立即整改排除; 重大: 危害和整改难度较大，应当全部或者局部停产停业，并
/// 经过一定时间整改治理方能排除，或者因外部因素影响致使生产经营单位自身难以排除.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardGrade {
    /// 一般事故隐患
    General,
    /// 重大事故隐患
    Major,
}

impl HazardGrade {
    pub const ALL: [HazardGrade; 2] = [HazardGrade::General, HazardGrade::Major];
    pub fn as_str(self) -> &'static str {
        match self {
            HazardGrade::General => "general",
            HazardGrade::Major => "major",
        }
    }
    pub fn parse(s: &str) -> Option<HazardGrade> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            HazardGrade::General => "一般隐患",
            HazardGrade::Major => "重大隐患",
        }
    }
}

/// Where a hazard was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardSource {
    /// 企业自查
    SelfCheck,
    /// 日常检查
    Routine,
    /// 专项检查
    Special,
    /// 季节性/节假日前检查
    Seasonal,
    /// 复工复产检查
    Resumption,
    /// 专家诊断
    Expert,
    /// 群众举报 (12350)
    PublicReport,
}

impl HazardSource {
    pub const ALL: [HazardSource; 7] = [
        HazardSource::SelfCheck,
        HazardSource::Routine,
        HazardSource::Special,
        HazardSource::Seasonal,
        HazardSource::Resumption,
        HazardSource::Expert,
        HazardSource::PublicReport,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            HazardSource::SelfCheck => "self_check",
            HazardSource::Routine => "routine",
            HazardSource::Special => "special",
            HazardSource::Seasonal => "seasonal",
            HazardSource::Resumption => "resumption",
            HazardSource::Expert => "expert",
            HazardSource::PublicReport => "public_report",
        }
    }
    pub fn parse(s: &str) -> Option<HazardSource> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A step of a hazard's loop (`POST /supervision/hazards/{id}/events`,
/// tagged by `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HazardCommand {
    /// 确认定级: 一般 or 重大 (by the supervising department).
    Confirm { grade: HazardGrade },
    /// 限期整改: the plan — measures, responsible person, deadline; for a
    /// 重大 hazard also funds and the contingency plan (the “five in place”).
    Rectify {
        measures: String,
        responsible: String,
        /// YYYY-MM-DD (China time); the hazard is overdue after that day.
        deadline: String,
        #[serde(default)]
        funds_yuan: Option<i64>,
        #[serde(default)]
        contingency: String,
    },
    /// 挂牌督办: a 重大 hazard listed for supervision by the actor's level.
    List {
        #[serde(default)]
        note: String,
    },
    /// 整改报告: the rectification is done.
    ReportRectified { report: String },
    /// 验收不通过: back to rectification, with the reason.
    Return { reason: String },
    /// 验收: accepted on site, by someone other than who rectified it.
    Accept {
        #[serde(default)]
        note: String,
    },
    /// 销号
    Close {},
}

impl HazardCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            HazardCommand::Confirm { .. } => "confirm",
            HazardCommand::Rectify { .. } => "rectify",
            HazardCommand::List { .. } => "list",
            HazardCommand::ReportRectified { .. } => "report_rectified",
            HazardCommand::Return { .. } => "return",
            HazardCommand::Accept { .. } => "accept",
            HazardCommand::Close {} => "close",
        }
    }
}

/// Who takes a step (the caller decides from the principal and the hazard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    /// An enterprise user of the hazard's own enterprise (self-reporting).
    pub enterprise: bool,
    /// A writer of a supervising department covering the hazard.
    pub supervisor: bool,
    /// The actor's division code prefix (the level that lists, or closes).
    pub level: String,
}

/// The end of a deadline day (China time): the first instant the hazard is
/// overdue.
pub fn due_at(deadline: Date) -> OffsetDateTime {
    (deadline + Duration::days(1))
        .with_time(Time::MIDNIGHT)
        .assume_offset(CST)
}

/// Overdue: still being rectified when the deadline day has ended.
pub fn overdue(state: HazardState, due: Option<UtcText>, now: OffsetDateTime) -> bool {
    state == HazardState::Rectifying && due.is_some_and(|d| now >= d.0)
}

/// An overdue 重大 hazard escalates again every this many days while it
/// stays overdue (assumption, see [`escalation`]).
pub const ESCALATE_EVERY_DAYS: i64 = 30;

/// The actor of the steps the platform takes by itself (the journal's who).
pub const SYSTEM: &str = "system";

/// One escalation (提级督办) of an overdue hazard: the supervising level
/// before and after (division code prefixes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub from: String,
    pub to: String,
    /// Whole days past the deadline day.
    pub overdue_days: i64,
    /// Which escalation this is (1 for the first).
    pub step: i64,
}

/// The level that supervises `h` now: the level that listed it (挂牌督办),
/// else the county of its enterprise (the department that confirmed it).
pub fn supervising_level(h: &Hazard) -> Option<String> {
    if !h.listed_division.is_empty() {
        return Some(h.listed_division.clone());
    }
    let code = crate::divisions::Code::parse(&h.division).ok()?;
    let county = code.county().unwrap_or(code);
    Some(county.prefix().to_string())
}

/// Whether an overdue hazard escalates at `now`, and to which level.
///
/// 《中华人民共和国安全生产法》(2021) 第四十一条 makes the departments keep a
/// 重大事故隐患治理督办制度 (and 《安全生产事故隐患排查治理暂行规定》, 总局令
/// 第16号, has them supervise the 治理 of 重大事故隐患 — which article was not
/// checked against the text here); neither sets a rule for a deadline that
/// passes. This platform's rule (an
/// **assumption**, as issue #16 asks: "escalating one level when overdue",
/// the 提级督办 of provincial 挂牌督办 rules): a 重大 hazard still being
/// rectified after its deadline day is supervised by the level above the
/// one that supervised it (county → city → province), at once and again
/// [`ESCALATE_EVERY_DAYS`] after each escalation while it stays overdue,
/// until the province — one level at a time, so a scan that did not run
/// for months does not jump two levels. A 一般 hazard does not escalate
/// (it stays on the overdue list).
pub fn escalation(h: &Hazard, now: OffsetDateTime) -> Option<Escalation> {
    if h.grade != Some(HazardGrade::Major) || !overdue(h.state, h.due_at, now) {
        return None;
    }
    let due = h.due_at?.0;
    let next = match h.escalated_at {
        Some(last) if h.escalations > 0 => last.0 + Duration::days(ESCALATE_EVERY_DAYS),
        _ => due,
    };
    if now < next {
        return None;
    }
    let overdue_days = (now - due).whole_days();
    let from = supervising_level(h)?;
    let to = crate::divisions::Code::parse(&from)
        .ok()?
        .parent()?
        .prefix()
        .to_string();
    Some(Escalation {
        from,
        to,
        overdue_days,
        step: h.escalations + 1,
    })
}

/// `h` escalated by `e` at `now`: listed (挂牌督办) at the level above, by
/// the platform when nobody had listed it; and what the journal says.
pub fn escalate(mut h: Hazard, e: &Escalation, now: OffsetDateTime) -> (Hazard, Value) {
    let t = UtcText(now);
    if h.listed_division.is_empty() {
        h.listed_by = SYSTEM.into();
        h.listed_at = Some(t);
        h.listing_note = "逾期未完成整改，提级挂牌督办".into();
    }
    h.listed_division = e.to.clone();
    h.escalations = e.step;
    h.escalated_at = Some(t);
    h.updated_at = t;
    let payload = json!({ "from": e.from, "to": e.to, "overdue_days": e.overdue_days, "step": e.step, "due_at": h.due_at, "deadline": h.deadline });
    (h, payload)
}

fn supervisors_only(kind: &str) -> RuleError {
    RuleError::Forbidden(
        Refusal::new("supervisors_only", "此步骤须由负有监管职责的部门办理").param("event", kind),
    )
}

fn wrong_state(h: &Hazard, kind: &str) -> RuleError {
    RuleError::State(
        Refusal::new(
            "hazard_step_not_allowed",
            format!("隐患{}，不能执行此步骤", h.state.label_zh()),
        )
        .param("state", h.state.as_str())
        .param("event", kind),
    )
}

/// Apply `cmd` to `h` for `actor` at `now`: the hazard after the step and
/// what the journal says of it, or why not. Asks the state machine first,
/// then checks the step's fields, then sets them.
pub fn apply(
    mut h: Hazard,
    cmd: &HazardCommand,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(Hazard, Value), RuleError> {
    use HazardCommand as C;
    use HazardState as S;
    let kind = cmd.as_str();
    if !(actor.enterprise || actor.supervisor) {
        return Err(supervisors_only(kind));
    }
    let t = UtcText(now);
    let from = h.state;
    let payload = match cmd {
        C::Confirm { grade } => {
            if !actor.supervisor {
                return Err(supervisors_only(kind));
            }
            if h.state != S::Reported {
                return Err(wrong_state(&h, kind));
            }
            h.grade = Some(*grade);
            h.state = S::Confirmed;
            h.confirmed_by = actor.username.clone();
            h.confirmed_at = Some(t);
            json!({ "grade": grade })
        }
        C::Rectify {
            measures,
            responsible,
            deadline,
            funds_yuan,
            contingency,
        } => {
            if h.state != S::Confirmed {
                return Err(wrong_state(&h, kind));
            }
            let measures = text("measures", measures, 4000, true)?;
            let responsible = text("responsible", responsible, 50, true)?;
            let day = crate::clock::parse_date(deadline.trim()).ok_or_else(|| {
                FieldError::new("deadline", "日期应为 YYYY-MM-DD").code("not_a_date")
            })?;
            let today = now.to_offset(CST).date();
            if day < today {
                return Err(FieldError::new("deadline", "整改期限不能早于今天")
                    .code("deadline_past")
                    .into());
            }
            if day > today + Duration::days(730) {
                return Err(FieldError::new("deadline", "整改期限最长两年")
                    .code("deadline_too_far")
                    .param("max_days", 730)
                    .into());
            }
            if let Some(f) = funds_yuan {
                if *f < 0 {
                    return Err(FieldError::new("funds_yuan", "不能为负数")
                        .code("negative")
                        .into());
                }
            }
            let contingency = text("contingency", contingency, 4000, false)?;
            // 重大事故隐患治理方案: 目标和任务、方法和措施、经费和物资、负责
            // 治理的机构和人员、时限和要求、安全措施和应急预案 — 《安全生产事故
            // 隐患排查治理暂行规定》第十五条 (the “five in place”: 措施、资金、
            // 时限、责任人、预案).
            if h.grade == Some(HazardGrade::Major) {
                if funds_yuan.is_none() {
                    return Err(FieldError::new("funds_yuan", "重大隐患须落实整改资金")
                        .code("major_needs_funds")
                        .into());
                }
                if contingency.is_empty() {
                    return Err(
                        FieldError::new("contingency", "重大隐患须有应急预案（安全措施）")
                            .code("major_needs_contingency")
                            .into(),
                    );
                }
            }
            h.measures = measures;
            h.responsible = responsible;
            h.deadline = Some(date_text(day));
            h.due_at = Some(due_at(day).into());
            h.funds_yuan = *funds_yuan;
            h.contingency = contingency;
            h.state = S::Rectifying;
            json!({ "measures": h.measures, "responsible": h.responsible, "deadline": h.deadline, "funds_yuan": h.funds_yuan, "contingency": h.contingency })
        }
        C::List { note } => {
            if !actor.supervisor {
                return Err(supervisors_only(kind));
            }
            if h.grade != Some(HazardGrade::Major) {
                return Err(RuleError::State(Refusal::new(
                    "list_major_only",
                    "只有重大事故隐患挂牌督办",
                )));
            }
            if !h.listed_division.is_empty() {
                return Err(RuleError::State(
                    Refusal::new("already_listed", "该隐患已挂牌督办")
                        .param("division", h.listed_division.clone()),
                ));
            }
            if matches!(h.state, S::Reported | S::Closed) {
                return Err(wrong_state(&h, kind));
            }
            let note = text("note", note, 1000, false)?;
            h.listed_division = actor.level.clone();
            h.listed_by = actor.username.clone();
            h.listed_at = Some(t);
            h.listing_note = note;
            json!({ "division": h.listed_division, "note": h.listing_note })
        }
        C::ReportRectified { report } => {
            if h.state != S::Rectifying {
                return Err(wrong_state(&h, kind));
            }
            h.rectification_report = text("report", report, 4000, true)?;
            h.rectified_by = actor.username.clone();
            h.rectified_at = Some(t);
            h.state = S::Rectified;
            json!({ "report": h.rectification_report, "overdue": now >= h.due_at.map_or(now + Duration::days(1), |d| d.0) })
        }
        C::Return { reason } => {
            if !actor.supervisor {
                return Err(supervisors_only(kind));
            }
            if h.state != S::Rectified {
                return Err(wrong_state(&h, kind));
            }
            h.return_reason = text("reason", reason, 1000, true)?;
            h.returned_count += 1;
            h.state = S::Rectifying;
            json!({ "reason": h.return_reason })
        }
        C::Accept { note } => {
            if !actor.supervisor {
                return Err(supervisors_only(kind));
            }
            if h.state != S::Rectified {
                return Err(wrong_state(&h, kind));
            }
            // 销号 needs the verification of someone other than the one
            // who rectified it (issue #16).
            if h.rectified_by == actor.username {
                return Err(RuleError::State(Refusal::new(
                    "no_self_verify",
                    "整改人不能自己验收",
                )));
            }
            h.verification_note = text("note", note, 1000, false)?;
            h.verified_by = actor.username.clone();
            h.verified_at = Some(t);
            h.state = S::Verified;
            json!({ "note": h.verification_note })
        }
        C::Close {} => {
            if !actor.supervisor {
                return Err(supervisors_only(kind));
            }
            if h.state != S::Verified {
                return Err(wrong_state(&h, kind));
            }
            // A listed hazard is closed by the level that listed it (or a
            // higher one): 安全生产法 第四十一条 (重大事故隐患治理督办制度).
            if !h.listed_division.is_empty() && !h.listed_division.starts_with(&actor.level) {
                return Err(RuleError::Forbidden(
                    Refusal::new("listing_level_closes", "挂牌督办的隐患须由挂牌单位销号")
                        .param("division", h.listed_division.clone()),
                ));
            }
            h.closed_by = actor.username.clone();
            h.closed_at = Some(t);
            h.state = S::Closed;
            json!({})
        }
    };
    h.updated_at = t;
    let mut payload = payload;
    if let Value::Object(m) = &mut payload {
        m.insert("from".into(), from.as_str().into());
        m.insert("to".into(), h.state.as_str().into());
    }
    Ok((h, payload))
}

fn date_text(d: Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// The steps `actor` may take on `h` at `now`, asked of [`apply`] with a
/// valid sample of each command (so the UI does not copy the rules).
pub fn hazard_allowed(h: &Hazard, actor: &Actor, now: OffsetDateTime) -> Vec<&'static str> {
    let tomorrow = date_text(now.to_offset(CST).date() + Duration::days(1));
    let samples = [
        HazardCommand::Confirm {
            grade: HazardGrade::General,
        },
        HazardCommand::Rectify {
            measures: "-".into(),
            responsible: "-".into(),
            deadline: tomorrow,
            funds_yuan: Some(0),
            contingency: "-".into(),
        },
        HazardCommand::List {
            note: String::new(),
        },
        HazardCommand::ReportRectified { report: "-".into() },
        HazardCommand::Return { reason: "-".into() },
        HazardCommand::Accept {
            note: String::new(),
        },
        HazardCommand::Close {},
    ];
    samples
        .iter()
        .filter(|c| apply(h.clone(), c, actor, now).is_ok())
        .map(HazardCommand::as_str)
        .collect()
}

/// A new hazard as reported (`POST /supervision/hazards`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHazard {
    pub enterprise_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub location: String,
    /// Where it was found; an enterprise user's report is always 企业自查.
    pub source: Option<HazardSource>,
}

/// The checked fields of a report: title, description, location, source.
pub fn check_report(
    b: &NewHazard,
    enterprise: bool,
) -> Result<(String, String, String, HazardSource), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<String, FieldError>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let title = take(text("title", &b.title, 200, true));
    let description = take(text("description", &b.description, 4000, false));
    let location = take(text("location", &b.location, 200, false));
    let source = if enterprise {
        HazardSource::SelfCheck
    } else {
        match b.source {
            Some(s) => s,
            None => {
                errors.push(FieldError::new("source", "请选择隐患来源").code("required"));
                HazardSource::Routine
            }
        }
    };
    if errors.is_empty() {
        Ok((title, description, location, source))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn lec_bands_at_every_boundary() {
        // (D in hundredths, level)
        let table = [
            (0, RiskLevel::Low),
            (2_000, RiskLevel::Low),
            (7_000, RiskLevel::Low),
            (7_001, RiskLevel::General),
            (16_000, RiskLevel::General),
            (16_001, RiskLevel::Significant),
            (32_000, RiskLevel::Significant),
            (32_001, RiskLevel::Major),
            (1_000_000, RiskLevel::Major),
        ];
        for (d, level) in table {
            assert_eq!(lec_level(d), level, "D = {}", d as f64 / 100.0);
        }
    }

    #[test]
    fn lec_assessments_from_the_tables() {
        let lec = |l, e, c| Assessment::Lec { l, e, c }.grade();
        // (L, E, C, D, level)
        let table = [
            (1.0, 10.0, 7.0, 70.0, RiskLevel::Low), // exactly 70: low
            (3.0, 6.0, 7.0, 126.0, RiskLevel::General),
            (3.0, 6.0, 15.0, 270.0, RiskLevel::Significant),
            (6.0, 6.0, 15.0, 540.0, RiskLevel::Major),
            (10.0, 10.0, 100.0, 10_000.0, RiskLevel::Major),
            (0.1, 0.5, 1.0, 0.05, RiskLevel::Low),
            (0.5, 6.0, 40.0, 120.0, RiskLevel::General),
            (1.0, 6.0, 40.0, 240.0, RiskLevel::Significant),
            (3.0, 2.0, 40.0, 240.0, RiskLevel::Significant),
            (1.0, 3.0, 100.0, 300.0, RiskLevel::Significant),
            (6.0, 3.0, 15.0, 270.0, RiskLevel::Significant),
            (6.0, 1.0, 15.0, 90.0, RiskLevel::General),
            (0.2, 10.0, 40.0, 80.0, RiskLevel::General),
        ];
        for (l, e, c, d, level) in table {
            assert_eq!(lec(l, e, c), Ok((d, level)), "{l} × {e} × {c}");
        }
        // Values outside the tables are refused with the field named.
        for (l, e, c, f) in [
            (2.0, 6.0, 7.0, "assessment.l"),
            (3.0, 4.0, 7.0, "assessment.e"),
            (3.0, 6.0, 8.0, "assessment.c"),
            (-1.0, 6.0, 7.0, "assessment.l"),
        ] {
            assert_eq!(lec(l, e, c).unwrap_err().field, f);
        }
    }

    #[test]
    fn matrix_bands_at_every_boundary() {
        let table = [
            (1, RiskLevel::Low),
            (8, RiskLevel::Low),
            (9, RiskLevel::General),
            (14, RiskLevel::General),
            (15, RiskLevel::Significant),
            (19, RiskLevel::Significant),
            (20, RiskLevel::Major),
            (25, RiskLevel::Major),
        ];
        for (r, level) in table {
            assert_eq!(matrix_level(r), level, "R = {r}");
        }
        let m = |likelihood, severity| {
            Assessment::Matrix {
                likelihood,
                severity,
            }
            .grade()
        };
        assert_eq!(m(2, 4), Ok((8.0, RiskLevel::Low)));
        assert_eq!(m(3, 3), Ok((9.0, RiskLevel::General)));
        assert_eq!(m(3, 4), Ok((12.0, RiskLevel::General)));
        assert_eq!(m(3, 5), Ok((15.0, RiskLevel::Significant)));
        assert_eq!(m(4, 4), Ok((16.0, RiskLevel::Significant)));
        assert_eq!(m(4, 5), Ok((20.0, RiskLevel::Major)));
        assert_eq!(m(0, 3).unwrap_err().field, "assessment.likelihood");
        assert_eq!(m(3, 6).unwrap_err().field, "assessment.severity");
    }

    #[test]
    fn an_enterprise_takes_the_colour_of_its_highest_risk() {
        use RiskLevel::*;
        assert_eq!(enterprise_level([]), None);
        assert_eq!(enterprise_level([Low, Low]), Some(Low));
        assert_eq!(
            enterprise_level([Low, Significant, General]),
            Some(Significant)
        );
        assert_eq!(enterprise_level([Major, Low]), Some(Major));
        let colours: Vec<_> = RiskLevel::ALL.iter().map(|l| l.colour()).collect();
        assert_eq!(colours, ["blue", "yellow", "orange", "red"]);
    }

    fn hazard(state: HazardState, grade: Option<HazardGrade>) -> Hazard {
        let t = UtcText(datetime!(2026-12-01 02:00 UTC));
        let mut h = Hazard::reported(
            Reported {
                enterprise_id: 7,
                division: "140214100000".into(),
                org: "enterprise:7".into(),
                title: "配电室无绝缘垫".into(),
                description: String::new(),
                location: String::new(),
                source: HazardSource::Routine,
                reported_by: "inspector".into(),
            },
            t,
        );
        h.id = 1;
        h.grade = grade;
        h.state = state;
        h.rectified_by = "qiye".into();
        h
    }

    fn county() -> Actor {
        Actor {
            username: "yungang".into(),
            enterprise: false,
            supervisor: true,
            level: "140214".into(),
        }
    }
    fn city() -> Actor {
        Actor {
            username: "commander".into(),
            enterprise: false,
            supervisor: true,
            level: "1402".into(),
        }
    }
    fn firm() -> Actor {
        Actor {
            username: "qiye".into(),
            enterprise: true,
            supervisor: false,
            level: "140214".into(),
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-12-07 02:00 UTC);

    /// (state, grade, actor, allowed steps): the whole state machine with
    /// its role rules, as `allowed_events` shows it.
    #[test]
    fn state_machine_by_state_and_role() {
        use HazardGrade::{General, Major};
        use HazardState as S;
        let mut listed = hazard(S::Verified, Some(Major));
        listed.listed_division = "1402".into();
        let table: Vec<(Hazard, Actor, Vec<&str>)> = vec![
            (hazard(S::Reported, None), county(), vec!["confirm"]),
            (hazard(S::Reported, None), firm(), vec![]),
            (
                hazard(S::Confirmed, Some(General)),
                county(),
                vec!["rectify"],
            ),
            (hazard(S::Confirmed, Some(General)), firm(), vec!["rectify"]),
            (
                hazard(S::Confirmed, Some(Major)),
                county(),
                vec!["rectify", "list"],
            ),
            (hazard(S::Confirmed, Some(Major)), firm(), vec!["rectify"]),
            (
                hazard(S::Rectifying, Some(General)),
                county(),
                vec!["report_rectified"],
            ),
            (
                hazard(S::Rectifying, Some(General)),
                firm(),
                vec!["report_rectified"],
            ),
            // rectified by qiye: the county may accept or return it.
            (
                hazard(S::Rectified, Some(General)),
                county(),
                vec!["return", "accept"],
            ),
            (hazard(S::Rectified, Some(General)), firm(), vec![]),
            (
                hazard(S::Rectified, Some(Major)),
                county(),
                vec!["list", "return", "accept"],
            ),
            (hazard(S::Verified, Some(General)), county(), vec!["close"]),
            (hazard(S::Verified, Some(General)), firm(), vec![]),
            // listed by the city: only the city closes it.
            (listed.clone(), county(), vec![]),
            (listed, city(), vec!["close"]),
            (hazard(S::Closed, Some(Major)), city(), vec![]),
            (hazard(S::Closed, Some(General)), firm(), vec![]),
        ];
        for (h, actor, want) in table {
            assert_eq!(
                hazard_allowed(&h, &actor, NOW),
                want,
                "{:?} {:?} {}",
                h.state,
                h.grade,
                actor.username
            );
        }
    }

    #[test]
    fn refusals_carry_codes() {
        use HazardGrade::{General, Major};
        use HazardState as S;
        let code = |r: Result<(Hazard, Value), RuleError>| match r {
            Err(RuleError::State(r) | RuleError::Forbidden(r)) => r.code,
            Err(RuleError::Field(f)) => f.code,
            Ok(_) => "ok",
        };
        let confirm = HazardCommand::Confirm { grade: Major };
        assert_eq!(
            code(apply(hazard(S::Reported, None), &confirm, &firm(), NOW)),
            "supervisors_only"
        );
        assert_eq!(
            code(apply(
                hazard(S::Confirmed, Some(General)),
                &confirm,
                &county(),
                NOW
            )),
            "hazard_step_not_allowed"
        );
        let list = HazardCommand::List {
            note: String::new(),
        };
        assert_eq!(
            code(apply(
                hazard(S::Confirmed, Some(General)),
                &list,
                &county(),
                NOW
            )),
            "list_major_only"
        );
        let mut listed = hazard(S::Rectifying, Some(Major));
        listed.listed_division = "140214".into();
        assert_eq!(code(apply(listed, &list, &city(), NOW)), "already_listed");
        // The one who rectified may not accept.
        let mut h = hazard(S::Rectified, Some(General));
        h.rectified_by = "yungang".into();
        let accept = HazardCommand::Accept {
            note: String::new(),
        };
        assert_eq!(code(apply(h, &accept, &county(), NOW)), "no_self_verify");
        let mut h = hazard(S::Verified, Some(Major));
        h.listed_division = "1402".into();
        assert_eq!(
            code(apply(h, &HazardCommand::Close {}, &county(), NOW)),
            "listing_level_closes"
        );
        // Neither enterprise nor supervisor (a reporter, an observer).
        let nobody = Actor {
            username: "x".into(),
            enterprise: false,
            supervisor: false,
            level: "140214".into(),
        };
        assert_eq!(
            code(apply(hazard(S::Reported, None), &confirm, &nobody, NOW)),
            "supervisors_only"
        );
    }

    #[test]
    fn a_major_hazard_needs_the_five_in_place() {
        use HazardState as S;
        let plan = |funds_yuan, contingency: &str, deadline: &str| HazardCommand::Rectify {
            measures: "更换防爆电气".into(),
            responsible: "张矿长".into(),
            deadline: deadline.into(),
            funds_yuan,
            contingency: contingency.into(),
        };
        let major = hazard(S::Confirmed, Some(HazardGrade::Major));
        let general = hazard(S::Confirmed, Some(HazardGrade::General));
        let field_of = |r: Result<(Hazard, Value), RuleError>| match r {
            Err(RuleError::Field(f)) => (f.field, f.code),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of(apply(
                major.clone(),
                &plan(None, "预案", "2026-12-31"),
                &firm(),
                NOW
            )),
            ("funds_yuan".to_string(), "major_needs_funds")
        );
        assert_eq!(
            field_of(apply(
                major.clone(),
                &plan(Some(5), " ", "2026-12-31"),
                &firm(),
                NOW
            )),
            ("contingency".to_string(), "major_needs_contingency")
        );
        assert_eq!(
            field_of(apply(
                major.clone(),
                &plan(Some(5), "预案", "2026-12-06"),
                &firm(),
                NOW
            )),
            ("deadline".to_string(), "deadline_past")
        );
        assert_eq!(
            field_of(apply(
                major.clone(),
                &plan(Some(5), "预案", "12/31/2026"),
                &firm(),
                NOW
            )),
            ("deadline".to_string(), "not_a_date")
        );
        assert_eq!(
            field_of(apply(
                major.clone(),
                &plan(Some(-1), "预案", "2026-12-31"),
                &firm(),
                NOW
            )),
            ("funds_yuan".to_string(), "negative")
        );
        // A general hazard needs measures, a person and a deadline only;
        // today is still allowed.
        let (h, _) = apply(general, &plan(None, "", "2026-12-07"), &firm(), NOW).unwrap();
        assert_eq!(h.state, S::Rectifying);
        assert_eq!(h.deadline.as_deref(), Some("2026-12-07"));
        // due at the end of the day, China time (16:00 UTC).
        assert_eq!(h.due_at, Some(UtcText(datetime!(2026-12-07 16:00 UTC))));
        let (h, p) = apply(
            major,
            &plan(Some(80_000), "停产撤人预案", "2026-12-31"),
            &firm(),
            NOW,
        )
        .unwrap();
        assert_eq!(h.funds_yuan, Some(80_000));
        assert_eq!(p["from"], "confirmed");
        assert_eq!(p["to"], "rectifying");
    }

    #[test]
    fn overdue_is_a_function_of_the_clock() {
        use HazardState as S;
        let due = Some(UtcText(datetime!(2026-12-07 16:00 UTC)));
        // (state, due, now, overdue)
        let table = [
            (
                S::Rectifying,
                due,
                datetime!(2026-12-07 15:59:59 UTC),
                false,
            ),
            (S::Rectifying, due, datetime!(2026-12-07 16:00 UTC), true),
            (S::Rectifying, due, datetime!(2027-01-01 00:00 UTC), true),
            (S::Rectified, due, datetime!(2027-01-01 00:00 UTC), false),
            (S::Closed, due, datetime!(2027-01-01 00:00 UTC), false),
            (S::Confirmed, None, datetime!(2027-01-01 00:00 UTC), false),
            (S::Rectifying, None, datetime!(2027-01-01 00:00 UTC), false),
        ];
        for (state, due, now, want) in table {
            assert_eq!(overdue(state, due, now), want, "{state:?} {now}");
        }
    }

    #[test]
    fn the_whole_loop_returns_and_keeps_its_history() {
        use HazardState as S;
        let mut h = hazard(S::Reported, None);
        h.rectified_by = String::new();
        let steps: Vec<(HazardCommand, Actor, S)> = vec![
            (
                HazardCommand::Confirm {
                    grade: HazardGrade::Major,
                },
                county(),
                S::Confirmed,
            ),
            (
                HazardCommand::Rectify {
                    measures: "加固".into(),
                    responsible: "李四".into(),
                    deadline: "2026-12-20".into(),
                    funds_yuan: Some(10_000),
                    contingency: "撤人".into(),
                },
                firm(),
                S::Rectifying,
            ),
            (
                HazardCommand::List {
                    note: "市级挂牌".into(),
                },
                city(),
                S::Rectifying,
            ),
            (
                HazardCommand::ReportRectified {
                    report: "已加固".into(),
                },
                firm(),
                S::Rectified,
            ),
            (
                HazardCommand::Return {
                    reason: "未复测".into(),
                },
                county(),
                S::Rectifying,
            ),
            (
                HazardCommand::ReportRectified {
                    report: "已复测".into(),
                },
                firm(),
                S::Rectified,
            ),
            (
                HazardCommand::Accept {
                    note: "现场验收合格".into(),
                },
                county(),
                S::Verified,
            ),
            (HazardCommand::Close {}, city(), S::Closed),
        ];
        for (cmd, actor, want) in steps {
            let (next, _) = apply(h, &cmd, &actor, NOW).unwrap();
            assert_eq!(next.state, want, "{}", cmd.as_str());
            h = next;
        }
        assert_eq!(h.returned_count, 1);
        assert_eq!(h.return_reason, "未复测");
        assert_eq!(h.listed_division, "1402");
        assert_eq!(h.verified_by, "yungang");
        assert_eq!(h.closed_by, "commander");
    }

    #[test]
    fn reports_name_their_bad_fields() {
        let b = NewHazard {
            enterprise_id: 1,
            title: " ".into(),
            description: String::new(),
            location: "x".repeat(201),
            source: None,
        };
        let errs = check_report(&b, false).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "location", "source"]);
        // An enterprise's own report is always 企业自查.
        let b = NewHazard {
            title: "消防通道堵塞".into(),
            location: String::new(),
            source: Some(HazardSource::Expert),
            ..b
        };
        assert_eq!(check_report(&b, true).unwrap().3, HazardSource::SelfCheck);
        assert_eq!(check_report(&b, false).unwrap().3, HazardSource::Expert);
    }

    /// (grade, state, listed at, escalations so far, hours after the
    /// deadline day ended, the escalation owed: (from, to, step)): the
    /// clock is a parameter.
    #[test]
    fn overdue_major_hazards_escalate_one_level_at_a_time() {
        use HazardGrade::{General, Major};
        use HazardState as S;
        // 2026-12-07 ends at 2026-12-07 16:00 UTC (00:00 +08:00 next day).
        let due = datetime!(2026-12-07 16:00 UTC);
        let at = |h: i64| due + Duration::hours(h);
        type Row = (
            Option<HazardGrade>,
            HazardState,
            &'static str,
            i64,
            i64,
            Option<(&'static str, &'static str, i64)>,
        );
        let table: [Row; 13] = [
            // Not yet overdue: the deadline day has not ended.
            (Some(Major), S::Rectifying, "", 0, -1, None),
            // The first instant past the deadline day: county → city.
            (
                Some(Major),
                S::Rectifying,
                "",
                0,
                0,
                Some(("140214", "1402", 1)),
            ),
            // Listed by the county: the city takes it over.
            (
                Some(Major),
                S::Rectifying,
                "140214",
                0,
                5,
                Some(("140214", "1402", 1)),
            ),
            // Escalated once already: nothing more within 30 days …
            (Some(Major), S::Rectifying, "1402", 1, 24 * 30 - 1, None),
            // … then the province.
            (
                Some(Major),
                S::Rectifying,
                "1402",
                1,
                24 * 30,
                Some(("1402", "14", 2)),
            ),
            // Listed by the township: the county.
            (
                Some(Major),
                S::Rectifying,
                "140214100",
                0,
                1,
                Some(("140214100", "140214", 1)),
            ),
            // At the province nothing is above.
            (Some(Major), S::Rectifying, "14", 2, 24 * 90, None),
            // A 一般 hazard stays on the overdue list only.
            (Some(General), S::Rectifying, "", 0, 24 * 60, None),
            // Reported rectified, accepted or closed: not overdue.
            (Some(Major), S::Rectified, "140214", 0, 24, None),
            (Some(Major), S::Verified, "140214", 0, 24, None),
            (Some(Major), S::Closed, "140214", 0, 24, None),
            // Sent back by acceptance after the deadline: rectifying again, overdue.
            (
                Some(Major),
                S::Rectifying,
                "140214",
                0,
                24 * 3,
                Some(("140214", "1402", 1)),
            ),
            // 65 days late and never escalated (the scan did not run): one
            // level now, the next 30 days later.
            (
                Some(Major),
                S::Rectifying,
                "140214",
                0,
                24 * 65,
                Some(("140214", "1402", 1)),
            ),
        ];
        for (i, (grade, state, listed, done, hours, want)) in table.into_iter().enumerate() {
            let mut h = hazard(state, grade);
            h.due_at = Some(UtcText(due));
            h.listed_division = listed.into();
            h.escalations = done;
            if done > 0 {
                h.escalated_at = Some(UtcText(due));
            }
            let got = escalation(&h, at(hours));
            assert_eq!(
                got.as_ref()
                    .map(|e| (e.from.as_str(), e.to.as_str(), e.step)),
                want,
                "row {i}"
            );
            if let Some(e) = got {
                assert_eq!(e.overdue_days, hours / 24, "row {i}");
                let (after, payload) = escalate(h.clone(), &e, at(hours));
                assert_eq!(after.listed_division, e.to);
                assert_eq!(after.escalations, e.step);
                assert_eq!(after.state, h.state, "the loop's state does not move");
                assert_eq!(payload["to"], e.to.as_str());
                // Escalated, it owes nothing more at the same instant.
                assert_eq!(escalation(&after, at(hours)), None, "row {i}");
                let later = at(hours) + Duration::days(ESCALATE_EVERY_DAYS);
                if e.to.len() > 2 {
                    assert_eq!(
                        escalation(&after, later).map(|x| x.step),
                        Some(e.step + 1),
                        "row {i}"
                    );
                }
                if listed.is_empty() {
                    assert_eq!(after.listed_by, SYSTEM);
                } else {
                    assert_eq!(after.listed_by, h.listed_by);
                }
            }
        }
    }

    #[test]
    fn the_escalated_level_closes_it() {
        // Escalated to the city, the county can no longer close it.
        let mut h = hazard(HazardState::Rectifying, Some(HazardGrade::Major));
        h.due_at = Some(UtcText(datetime!(2026-12-01 16:00 UTC)));
        let e = escalation(&h, NOW).unwrap();
        let (mut h, _) = escalate(h, &e, NOW);
        h.state = HazardState::Verified;
        assert!(!hazard_allowed(&h, &county(), NOW).contains(&"close"));
        assert!(hazard_allowed(&h, &city(), NOW).contains(&"close"));
    }
}
