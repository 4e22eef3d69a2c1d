//! 指挥救援 (command and rescue): the rules of an incident's life, and of
//! what hangs off it.
//!
//! - The life cycle: 接报 reported → 核实 verified → 定级 graded → 启动响应
//!   responding at Ⅰ–Ⅳ (续报, 升级/降级 while it lasts) → 结束响应 ended → 总结评估
//!   reviewed. A false report (误报) closes it from reported. [`IncidentState::transition`]
//!   refuses the impossible with the reason, in Chinese.
//! - Grading ([`grade`]): production-safety accidents by 493号令 (the
//!   existing [`crate::reports::grading`]), everything else by the criteria of
//!   the plan that covers it ([`crate::plans::match_plans`]).
//! - The rescue clock ([`rescue_clock`]): affected people helped within 10
//!   hours of onset.
//! - Instructions (指令) with read receipt, feedback and acceptance; dispatch
//!   orders with the resource status they imply. The improvement items
//!   (整改事项) a review finds follow the plans module's rule
//!   ([`crate::plans::ImprovementState`]).
//!
//! Pure rules: no SQL, no HTTP, no clock (time is a parameter). Who did a
//! step, when and why is recorded with the journal by the API.

pub mod api;
pub mod commands;
pub mod duplicates;
pub mod model;
pub mod store;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::error::{FieldError, Refusal, RuleError};
use crate::plans::{self, AssigneeKind, Catalog, Facts, Grading, Level, Plan, PlanError, PlanType};
use crate::reports::grading::grade_accident;

// ── errors ──────────────────────────────────────────────────────────────

// Rules refuse with the one `crate::error::RuleError`: the state does not
// allow the event (409), a field is wrong (422), this actor may not (403).

fn required(value: &str, name: &'static str, message: &str) -> Result<(), RuleError> {
    if value.trim().is_empty() {
        Err(FieldError::new(name, message).code("required").into())
    } else {
        Ok(())
    }
}

// ── incident life cycle ────────────────────────────────────────────────

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IncidentState {
    /// 已接报
    Reported,
    /// 已核实
    Verified,
    /// 已定级
    Graded,
    /// 响应中
    Responding { level: Level },
    /// 响应已结束
    Ended,
    /// 已总结评估（关闭）
    Reviewed,
    /// 误报（关闭）
    Dismissed,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Reported => "reported",
            IncidentState::Verified => "verified",
            IncidentState::Graded => "graded",
            IncidentState::Responding { .. } => "responding",
            IncidentState::Ended => "ended",
            IncidentState::Reviewed => "reviewed",
            IncidentState::Dismissed => "dismissed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IncidentState::Reported => "已接报",
            IncidentState::Verified => "已核实",
            IncidentState::Graded => "已定级",
            IncidentState::Responding { .. } => "响应中",
            IncidentState::Ended => "响应已结束",
            IncidentState::Reviewed => "已总结评估",
            IncidentState::Dismissed => "误报",
        }
    }

    /// The response level while responding.
    pub fn level(self) -> Option<Level> {
        match self {
            IncidentState::Responding { level } => Some(level),
            _ => None,
        }
    }

    /// Not yet ended: the rescue clock is shown.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            IncidentState::Reported
                | IncidentState::Verified
                | IncidentState::Graded
                | IncidentState::Responding { .. }
        )
    }

    /// Nothing more can happen.
    pub fn is_closed(self) -> bool {
        matches!(self, IncidentState::Reviewed | IncidentState::Dismissed)
    }

    /// From the stored columns (`state`, `level`).
    pub fn from_parts(state: &str, level: Option<Level>) -> Option<IncidentState> {
        Some(match (state, level) {
            ("reported", _) => IncidentState::Reported,
            ("verified", _) => IncidentState::Verified,
            ("graded", _) => IncidentState::Graded,
            ("responding", Some(level)) => IncidentState::Responding { level },
            ("ended", _) => IncidentState::Ended,
            ("reviewed", _) => IncidentState::Reviewed,
            ("dismissed", _) => IncidentState::Dismissed,
            _ => return None,
        })
    }
}

/// What can happen to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// 核实属实.
    Verify,
    /// 误报 / 不实: closes a report that is not yet verified.
    MarkFalse { reason: String },
    /// 定级 (again while it develops); `level` None: below every grade.
    Grade { level: Option<Level> },
    /// 启动响应 under a plan.
    StartResponse { level: Level, plan: String },
    /// 续报.
    Update { note: String },
    /// 升级 / 降级.
    ChangeLevel { level: Level, reason: String },
    /// 结束响应 (or 结束处置 when no response was started).
    EndResponse { reason: String },
    /// 总结评估.
    Review { summary: String },
}

impl Event {
    pub fn as_str(&self) -> &'static str {
        match self {
            Event::Verify => "verify",
            Event::MarkFalse { .. } => "mark_false",
            Event::Grade { .. } => "grade",
            Event::StartResponse { .. } => "start_response",
            Event::Update { .. } => "update",
            Event::ChangeLevel { .. } => "change_level",
            Event::EndResponse { .. } => "end_response",
            Event::Review { .. } => "review",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Event::Verify => "核实",
            Event::MarkFalse { .. } => "标记为误报",
            Event::Grade { .. } => "定级",
            Event::StartResponse { .. } => "启动响应",
            Event::Update { .. } => "续报",
            Event::ChangeLevel { .. } => "调整响应级别",
            Event::EndResponse { .. } => "结束响应",
            Event::Review { .. } => "总结评估",
        }
    }

    /// The why it carries, if any.
    pub fn why(&self) -> Option<&str> {
        match self {
            Event::MarkFalse { reason }
            | Event::ChangeLevel { reason, .. }
            | Event::EndResponse { reason } => Some(reason),
            Event::Update { note } => Some(note),
            Event::Review { summary } => Some(summary),
            Event::StartResponse { plan, .. } => Some(plan),
            Event::Verify | Event::Grade { .. } => None,
        }
    }
}

impl IncidentState {
    /// The state after `event`, or why it cannot happen.
    pub fn transition(self, event: &Event) -> Result<IncidentState, RuleError> {
        use Event as E;
        use IncidentState as S;
        let refuse = |refusal: Refusal| RuleError::State(refusal.param("event", event.as_str()));
        let what = event.label_zh();
        match (self, event) {
            (S::Dismissed, _) => Err(refuse(Refusal::new(
                "closed_as_false",
                format!("事件已作为误报关闭，不能{what}"),
            ))),
            (S::Reviewed, _) => Err(refuse(Refusal::new(
                "closed_after_review",
                format!("事件已总结评估并关闭，不能{what}"),
            ))),

            (S::Reported, E::Verify) => Ok(S::Verified),
            (_, E::Verify) => Err(refuse(Refusal::new(
                "already_verified",
                "事件已核实，不能重复核实",
            ))),

            (S::Reported, E::MarkFalse { reason }) => {
                required(reason, "reason", "标记为误报须说明理由")?;
                Ok(S::Dismissed)
            }
            (_, E::MarkFalse { .. }) => Err(refuse(Refusal::new(
                "verified_not_false",
                "已核实的事件不能标记为误报",
            ))),

            (S::Reported, _) => Err(refuse(Refusal::new(
                "not_verified_yet",
                format!("未核实的事件不能{what}"),
            ))),

            (S::Verified | S::Graded, E::Grade { .. }) => Ok(S::Graded),
            (S::Responding { level }, E::Grade { .. }) => Ok(S::Responding { level }),
            (S::Ended, E::Grade { .. }) => Err(refuse(Refusal::new(
                "response_ended",
                "响应已结束，不能再定级",
            ))),

            (S::Graded, E::StartResponse { level, plan }) => {
                required(plan, "plan", "启动响应须指明依据的预案")?;
                Ok(S::Responding { level: *level })
            }
            (S::Verified, E::StartResponse { .. }) => Err(refuse(Refusal::new(
                "not_graded_yet",
                "未定级的事件不能启动响应",
            ))),
            (S::Responding { level }, E::StartResponse { .. }) => Err(refuse(
                Refusal::new(
                    "already_responding",
                    format!("事件已在{}响应中，调整级别请升级或降级", level.label_zh()),
                )
                .param("level", level.numeral()),
            )),
            (S::Ended, E::StartResponse { .. }) => Err(refuse(Refusal::new(
                "response_ended",
                "响应已结束，不能再次启动响应",
            ))),

            (S::Verified | S::Graded | S::Responding { .. }, E::Update { note }) => {
                required(note, "note", "续报内容不能为空")?;
                Ok(self)
            }
            (S::Ended, E::Update { .. }) => Err(refuse(Refusal::new(
                "response_ended_add_to_review",
                "响应已结束，不能续报，请在总结评估中补充",
            ))),

            (S::Responding { level: current }, E::ChangeLevel { level, reason }) => {
                required(reason, "reason", "调整响应级别须说明理由")?;
                if *level == current {
                    return Err(FieldError::new(
                        "level",
                        format!("新级别与当前响应级别（{}）相同", current.label_zh()),
                    )
                    .code("same_level")
                    .param("level", current.numeral())
                    .into());
                }
                Ok(S::Responding { level: *level })
            }
            (S::Verified | S::Graded, E::ChangeLevel { .. }) => Err(refuse(Refusal::new(
                "not_responding_yet",
                "尚未启动响应，不能调整响应级别",
            ))),
            (S::Ended, E::ChangeLevel { .. }) => Err(refuse(Refusal::new(
                "response_ended",
                "响应已结束，不能调整响应级别",
            ))),

            (S::Verified | S::Graded | S::Responding { .. }, E::EndResponse { reason }) => {
                required(reason, "reason", "结束响应须说明理由")?;
                Ok(S::Ended)
            }
            (S::Ended, E::EndResponse { .. }) => {
                Err(refuse(Refusal::new("response_ended", "响应已经结束")))
            }

            (S::Ended, E::Review { summary }) => {
                required(summary, "summary", "总结评估内容不能为空")?;
                Ok(S::Reviewed)
            }
            (S::Verified | S::Graded | S::Responding { .. }, E::Review { .. }) => Err(refuse(
                Refusal::new("review_after_end", "响应结束后才能总结评估"),
            )),
        }
    }
}

/// Events only a commander (or admin) decides: 启动响应, 调整响应级别,
/// 结束响应 (《大同市突发事件总体应急预案》: the 指挥长 decides the response).
/// (event kind, what the refusal names).
pub const COMMANDER_EVENTS: &[(&str, &str)] = &[
    ("start_response", "启动响应"),
    ("change_level", "调整响应级别"),
    ("end_response", "结束响应"),
];

/// What a non-commander is refused for `kind`, if it is a commander's event.
pub fn commander_event(kind: &str) -> Option<&'static str> {
    COMMANDER_EVENTS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, what)| *what)
}

/// What a user may do to an incident now, asked of the rules themselves
/// (so the UI never copies them): the life-cycle events the state machine
/// allows from `state` (one sample of each event, every level for those
/// that carry one), commander-only events only for commanders, and the
/// steps the handlers allow on an active incident (`helped` while the
/// rescue clock runs, `issue_instruction`, `dispatch`). Empty for a user
/// who may not write incidents there.
pub fn allowed_events(
    state: IncidentState,
    helped: bool,
    may_write: bool,
    commander: bool,
) -> Vec<&'static str> {
    if !may_write {
        return Vec::new();
    }
    let text = || "-".to_string();
    let mut samples = vec![
        Event::Verify,
        Event::MarkFalse { reason: text() },
        Event::Grade { level: None },
        Event::Update { note: text() },
        Event::EndResponse { reason: text() },
        Event::Review { summary: text() },
    ];
    for level in [Level::I, Level::II, Level::III, Level::IV] {
        samples.push(Event::StartResponse {
            level,
            plan: text(),
        });
        samples.push(Event::ChangeLevel {
            level,
            reason: text(),
        });
    }
    let mut out: Vec<&'static str> = Vec::new();
    for e in &samples {
        let name = e.as_str();
        if out.contains(&name) || (!commander && commander_event(name).is_some()) {
            continue;
        }
        if state.transition(e).is_ok() {
            out.push(name);
        }
    }
    if state.is_active() {
        if !helped {
            out.push("helped");
        }
        out.extend(["add_call", "issue_instruction", "dispatch"]);
    }
    out
}

/// 重复来电: a further call can be added to an incident while it is open,
/// verified or not (a second caller helps verify it); after the response
/// ended it belongs in the review.
pub fn may_add_call(state: IncidentState) -> Result<(), RuleError> {
    if state.is_active() {
        return Ok(());
    }
    Err(RuleError::State(
        Refusal::new(
            "not_open_for_calls",
            "事件已结束，不能再添加来电，请在总结评估中补充",
        )
        .param("event", "add_call"),
    ))
}

// ── grading ────────────────────────────────────────────────────────────

/// What a grade rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GradeBasis {
    /// 《生产安全事故报告和调查处理条例》 (国务院令第493号) 第三条.
    ProductionSafety,
    /// The criteria of this plan.
    Plan { code: String, title: String },
    /// No plan covers the type and area: grade by decision.
    Unmatched,
}

/// An incident's grade, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ProposedGrade)]
pub struct Grade {
    /// None: below every grade of the plan (or no plan).
    pub level: Option<Level>,
    pub basis: GradeBasis,
    pub reasons: Vec<String>,
}

/// Grade an incident: production-safety types (type-tree `grading:
/// production_safety`) by 493号令 — 特别重大/重大/较大/一般 → Ⅰ/Ⅱ/Ⅲ/Ⅳ, the
/// highest criterion wins; every other type by the first special or overall
/// plan in [`plans::match_plans`] order whose criteria give a level.
/// Department, unit and on-site plans grade their own response, not the
/// incident, so they are not used.
pub fn grade(
    catalog: &Catalog,
    incident_type: &str,
    division: &str,
    facts: &Facts,
    on: Date,
) -> Result<Grade, PlanError> {
    if catalog.grading_of(incident_type.trim()) == Some(Grading::ProductionSafety) {
        let (g, why) = grade_accident(&facts.accident());
        let level = Level::from_accident_grade(g);
        let mut reasons =
            vec!["依据《生产安全事故报告和调查处理条例》（国务院令第493号）第三条".to_string()];
        reasons.extend(why);
        reasons.push(format!("{}，对应{}", g.label_zh(), level.label_zh()));
        return Ok(Grade {
            level: Some(level),
            basis: GradeBasis::ProductionSafety,
            reasons,
        });
    }
    let matches = plans::match_plans(catalog, incident_type, division, facts, on)?;
    let grading: Vec<_> = matches
        .iter()
        .filter(|m| matches!(m.plan_type, PlanType::Special | PlanType::Overall))
        .collect();
    let basis = |m: &plans::PlanMatch| GradeBasis::Plan {
        code: m.code.clone(),
        title: m.title.clone(),
    };
    if let Some(m) = grading.iter().find(|m| m.level.is_some()) {
        let mut reasons = vec![format!("依据《{}》分级标准", m.title)];
        reasons.extend(m.met.iter().cloned());
        return Ok(Grade {
            level: m.level,
            basis: basis(m),
            reasons,
        });
    }
    Ok(match grading.first() {
        Some(m) => Grade {
            level: None,
            basis: basis(m),
            reasons: vec![format!("未达到《{}》任何级别的分级标准", m.title)],
        },
        None => Grade {
            level: None,
            basis: GradeBasis::Unmatched,
            reasons: vec!["没有覆盖该事件类型和区域的预案，请研判定级".to_string()],
        },
    })
}

// ── the rescue clock ───────────────────────────────────────────────────

/// Affected people are to be helped within this time of onset.
pub const RESCUE_LIMIT: Duration = Duration::hours(10);

/// Whether the 10-hour rescue clock runs for an incident with these facts.
/// 大同市“十四五”应急体系规划 二.(三)3: "灾害事故发生后受灾人员 10 小时内得到
/// 有效救助" — a target for 受灾人员 (people affected, relocated or
/// evacuated, who need shelter, food and water), so the clock runs only for
/// an incident that has some; an incident with only dead, injured or trapped
/// people (rescue, not relief) has none.
pub fn rescue_clock_applies(f: &crate::plans::Facts) -> bool {
    f.affected_people > 0 || f.relocated_people > 0 || f.evacuated_people > 0
}
/// The clock warns in the last hour.
pub const WARNING_WINDOW: Duration = Duration::hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Not yet helped, more than an hour left.
    Running,
    /// Not yet helped, an hour or less left (the deadline itself included).
    Warning,
    /// Helped by the deadline.
    Met,
    /// Past the deadline without help, or helped late.
    Breached,
}

impl ClockStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ClockStatus::Running => "计时中",
            ClockStatus::Warning => "即将超时",
            ClockStatus::Met => "已按时救助",
            ClockStatus::Breached => "已超时",
        }
    }
}

/// The rescue clock of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clock {
    #[serde(with = "time::serde::rfc3339")]
    pub onset: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub helped_at: Option<OffsetDateTime>,
    /// Seconds from now (or from when help came) to the deadline; negative when late.
    pub remaining_s: i64,
    pub status: ClockStatus,
}

/// The clock on `now`. Help recorded after `now` is not yet counted.
pub fn rescue_clock(
    onset: OffsetDateTime,
    helped_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
    limit: Duration,
) -> Clock {
    let deadline = onset + limit;
    let helped_at = helped_at.filter(|h| *h <= now);
    let remaining = deadline - helped_at.unwrap_or(now);
    let status = match helped_at {
        Some(_) if remaining.is_negative() => ClockStatus::Breached,
        Some(_) => ClockStatus::Met,
        None if remaining.is_negative() => ClockStatus::Breached,
        None if remaining <= WARNING_WINDOW => ClockStatus::Warning,
        None => ClockStatus::Running,
    };
    Clock {
        onset,
        deadline,
        helped_at,
        remaining_s: remaining.whole_seconds(),
        status,
    }
}

// ── instructions ───────────────────────────────────────────────────────

/// An instruction (指令) to a department, team or person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstructionState {
    /// 已下达
    Issued,
    /// 已签收 (read receipt)
    Received,
    /// 办理中
    InProgress,
    /// 已反馈
    FeedbackGiven,
    /// 已办结
    Accepted,
    /// 已退回 (to be done again)
    Returned,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InstructionEvent {
    /// 签收.
    Receive {},
    /// 开始办理 (also after a return).
    Start {},
    /// 反馈: text, photos (attachment ids), `[lon, lat]`. Allowed once
    /// received, and again to add to an earlier feedback.
    Feedback {
        text: String,
        #[serde(default)]
        photos: Vec<i64>,
        #[serde(default)]
        location: Option<[f64; 2]>,
    },
    /// 审核通过.
    Accept {},
    /// 退回.
    Return { reason: String },
}

/// The actor's relation to the instruction (the caller decides from the
/// user's department, team and role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Role {
    /// The assignee, or acting for it.
    pub assignee: bool,
    /// Issued the instruction.
    pub issuer: bool,
    /// The incident's commander.
    pub commander: bool,
}

impl InstructionEvent {
    /// The step's name (`kind` on the wire).
    pub fn as_str(&self) -> &'static str {
        match self {
            InstructionEvent::Receive {} => "receive",
            InstructionEvent::Start {} => "start",
            InstructionEvent::Feedback { .. } => "feedback",
            InstructionEvent::Accept {} => "accept",
            InstructionEvent::Return { .. } => "return",
        }
    }
}

impl InstructionState {
    pub fn as_str(self) -> &'static str {
        match self {
            InstructionState::Issued => "issued",
            InstructionState::Received => "received",
            InstructionState::InProgress => "in_progress",
            InstructionState::FeedbackGiven => "feedback_given",
            InstructionState::Accepted => "accepted",
            InstructionState::Returned => "returned",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            InstructionState::Issued => "已下达",
            InstructionState::Received => "已签收",
            InstructionState::InProgress => "办理中",
            InstructionState::FeedbackGiven => "已反馈",
            InstructionState::Accepted => "已办结",
            InstructionState::Returned => "已退回",
        }
    }

    /// Still waiting for the assignee.
    pub fn awaits_assignee(self) -> bool {
        matches!(
            self,
            InstructionState::Issued
                | InstructionState::Received
                | InstructionState::InProgress
                | InstructionState::Returned
        )
    }

    /// The state after `event` by an actor in `role`, or why not.
    pub fn transition(
        self,
        event: &InstructionEvent,
        role: Role,
    ) -> Result<InstructionState, RuleError> {
        use InstructionEvent as E;
        use InstructionState as S;
        let refuse = RuleError::State;
        let assignee = || {
            if role.assignee {
                Ok(())
            } else {
                Err(RuleError::Forbidden(Refusal::new(
                    "assignee_only",
                    "只有接收指令的单位或人员可以签收、办理和反馈",
                )))
            }
        };
        let reviewer = || {
            if role.issuer || role.commander {
                Ok(())
            } else {
                Err(RuleError::Forbidden(Refusal::new(
                    "issuer_or_commander_only",
                    "只有下达指令的人或指挥长可以审核指令",
                )))
            }
        };
        match (self, event) {
            (S::Accepted, _) => Err(refuse(Refusal::new("instruction_done", "指令已办结"))),

            (S::Issued, E::Receive {}) => {
                assignee()?;
                Ok(S::Received)
            }
            (_, E::Receive {}) => Err(refuse(Refusal::new("instruction_received", "指令已签收"))),

            (S::Received | S::Returned, E::Start {}) => {
                assignee()?;
                Ok(S::InProgress)
            }
            (S::Issued, E::Start {}) => Err(refuse(Refusal::new(
                "instruction_not_received",
                "指令尚未签收，不能开始办理",
            ))),
            (S::InProgress, E::Start {}) => Err(refuse(Refusal::new(
                "instruction_in_progress",
                "指令已在办理中",
            ))),
            (S::FeedbackGiven, E::Start {}) => Err(refuse(Refusal::new(
                "instruction_awaits_review",
                "指令已反馈，等待审核",
            ))),

            (
                S::Received | S::InProgress | S::Returned | S::FeedbackGiven,
                E::Feedback {
                    text,
                    photos,
                    location,
                },
            ) => {
                assignee()?;
                required(text, "text", "反馈内容不能为空")?;
                if photos.len() > 20 {
                    return Err(FieldError::new("photos", "一次反馈最多 20 张照片")
                        .code("too_many")
                        .param("max", 20)
                        .into());
                }
                if photos
                    .iter()
                    .enumerate()
                    .any(|(n, p)| photos[..n].contains(p))
                {
                    return Err(FieldError::new("photos", "照片重复")
                        .code("duplicate_photo")
                        .into());
                }
                if let Some([lon, lat]) = location {
                    let ok = lon.is_finite()
                        && lat.is_finite()
                        && (-180.0..=180.0).contains(lon)
                        && (-90.0..=90.0).contains(lat);
                    if !ok {
                        return Err(FieldError::new(
                            "location",
                            "位置应为 [经度, 纬度]，经度 −180–180，纬度 −90–90",
                        )
                        .code("not_a_location")
                        .into());
                    }
                }
                Ok(S::FeedbackGiven)
            }
            (S::Issued, E::Feedback { .. }) => Err(refuse(Refusal::new(
                "instruction_not_received",
                "指令尚未签收，不能反馈",
            ))),

            (S::FeedbackGiven, E::Accept {}) => {
                reviewer()?;
                Ok(S::Accepted)
            }
            (S::FeedbackGiven, E::Return { reason }) => {
                reviewer()?;
                required(reason, "reason", "退回指令须说明理由")?;
                Ok(S::Returned)
            }
            (_, E::Accept {} | E::Return { .. }) => Err(refuse(Refusal::new(
                "instruction_no_feedback_yet",
                "指令尚未反馈，不能审核",
            ))),
        }
    }
}

/// Past its deadline while the assignee still owes it.
pub fn instruction_overdue(
    deadline: OffsetDateTime,
    state: InstructionState,
    now: OffsetDateTime,
) -> bool {
    state.awaits_assignee() && now > deadline
}

/// An instruction made from a plan's task template, to be issued when the
/// commander confirms the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionDraft {
    pub plan: String,
    pub level: Level,
    pub assignee_kind: AssigneeKind,
    pub assignee: String,
    pub task: String,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
}

/// The task templates of `plan` at `level` as instructions, each due
/// `within_minutes` after `confirmed_at`.
pub fn instructions_from_plan(
    plan: &Plan,
    level: Level,
    confirmed_at: OffsetDateTime,
) -> Result<Vec<InstructionDraft>, RuleError> {
    if !plan.is_published() {
        return Err(FieldError::new(
            "plan",
            format!(
                "预案 {}（{}）尚未发布，不能据以启动响应",
                plan.code, plan.version
            ),
        )
        .code("plan_not_published")
        .param("plan", plan.code.clone())
        .param("version", plan.version.clone())
        .into());
    }
    let Some(l) = plan.level(level) else {
        return Err(FieldError::new(
            "level",
            format!("预案《{}》没有{}响应", plan.title, level.label_zh()),
        )
        .code("plan_has_no_level")
        .param("plan", plan.title.clone())
        .param("level", level.numeral())
        .into());
    };
    Ok(l.tasks
        .iter()
        .map(|t| InstructionDraft {
            plan: plan.code.clone(),
            level,
            assignee_kind: t.assignee_kind,
            assignee: t.assignee.clone(),
            task: t.task.clone(),
            deadline: confirmed_at + Duration::minutes(i64::from(t.within_minutes)),
        })
        .collect())
}

// ── dispatch orders ────────────────────────────────────────────────────

/// A dispatch order for a team, equipment or supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispatchState {
    /// 已申请
    Requested,
    /// 已批准
    Approved,
    /// 已出发
    Departed,
    /// 已到达
    Arrived,
    /// 已返回
    Returned,
    /// 已取消
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DispatchEvent {
    Approve {
        approver: String,
    },
    Depart,
    Arrive,
    /// 返回 (from the scene, or recalled en route).
    Return,
    Cancel {
        reason: String,
    },
}

impl DispatchEvent {
    /// The step's name (its `kind`, in refusals and `allowed_events`).
    pub fn as_str(&self) -> &'static str {
        match self {
            DispatchEvent::Approve { .. } => "approve",
            DispatchEvent::Depart => "depart",
            DispatchEvent::Arrive => "arrive",
            DispatchEvent::Return => "return",
            DispatchEvent::Cancel { .. } => "cancel",
        }
    }
}

impl DispatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            DispatchState::Requested => "requested",
            DispatchState::Approved => "approved",
            DispatchState::Departed => "departed",
            DispatchState::Arrived => "arrived",
            DispatchState::Returned => "returned",
            DispatchState::Cancelled => "cancelled",
        }
    }

    /// The state after `event`. With `forbid_self_approval`, the requester
    /// may not approve their own request.
    pub fn transition(
        self,
        event: &DispatchEvent,
        requester: &str,
        forbid_self_approval: bool,
    ) -> Result<DispatchState, RuleError> {
        use DispatchEvent as E;
        use DispatchState as S;
        let refuse = RuleError::State;
        match (self, event) {
            (S::Returned, _) => Err(refuse(Refusal::new(
                "order_returned",
                "调派已结束（已返回）",
            ))),
            (S::Cancelled, _) => Err(refuse(Refusal::new("order_cancelled", "调派已取消"))),

            (S::Requested, E::Approve { approver }) => {
                required(approver, "approver", "审批人不能为空")?;
                if forbid_self_approval && approver.trim() == requester.trim() {
                    return Err(RuleError::Forbidden(Refusal::new(
                        "no_self_approval",
                        "不能审批自己提出的调派申请",
                    )));
                }
                Ok(S::Approved)
            }
            (_, E::Approve { .. }) => Err(refuse(Refusal::new("order_approved", "调派申请已审批"))),

            (S::Approved, E::Depart) => Ok(S::Departed),
            (S::Requested, E::Depart) => Err(refuse(Refusal::new(
                "order_not_approved",
                "调派申请尚未审批，不能出发",
            ))),
            (S::Departed | S::Arrived, E::Depart) => {
                Err(refuse(Refusal::new("order_departed", "已经出发")))
            }

            (S::Departed, E::Arrive) => Ok(S::Arrived),
            (S::Requested | S::Approved, E::Arrive) => Err(refuse(Refusal::new(
                "order_not_departed",
                "尚未出发，不能到达",
            ))),
            (S::Arrived, E::Arrive) => Err(refuse(Refusal::new("order_arrived", "已经到达"))),

            (S::Departed | S::Arrived, E::Return) => Ok(S::Returned),
            (S::Requested | S::Approved, E::Return) => Err(refuse(Refusal::new(
                "order_not_departed_cancel",
                "尚未出发，不能返回；不再需要请取消",
            ))),

            (S::Requested | S::Approved, E::Cancel { reason }) => {
                required(reason, "reason", "取消调派须说明理由")?;
                Ok(S::Cancelled)
            }
            (S::Departed | S::Arrived, E::Cancel { .. }) => Err(refuse(Refusal::new(
                "order_departed_recall",
                "已经出发，不能取消；请召回（返回）",
            ))),
        }
    }
}

/// The registry status a resource has while its order is in `state`:
/// committed from approval until it returns, so it is not offered twice.
pub fn resource_status_for(state: DispatchState) -> &'static str {
    match state {
        DispatchState::Approved | DispatchState::Departed | DispatchState::Arrived => "dispatched",
        DispatchState::Requested | DispatchState::Returned | DispatchState::Cancelled => {
            "available"
        }
    }
}

/// A resource may be requested or approved only while available.
pub fn ensure_dispatchable(resource_status: &str) -> Result<(), RuleError> {
    match resource_status {
        "available" => Ok(()),
        "dispatched" => Err(FieldError::new("resource", "该资源已被调派，不能重复调派")
            .code("resource_dispatched")
            .into()),
        "maintenance" => Err(FieldError::new("resource", "该资源正在维护，不能调派")
            .code("resource_in_maintenance")
            .into()),
        other => Err(
            FieldError::new("resource", format!("该资源状态为 {other:?}，不能调派"))
                .code("resource_unavailable")
                .param("status", other)
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn catalog() -> Catalog {
        Catalog::embedded().expect("embedded catalogue is valid")
    }

    /// The variant, for assertions.
    trait Key {
        fn key(&self) -> &'static str;
    }
    impl Key for RuleError {
        fn key(&self) -> &'static str {
            match self {
                RuleError::State(_) => "invalid_transition",
                RuleError::Field(_) => "invalid_field",
                RuleError::Forbidden(_) => "forbidden",
            }
        }
    }

    // ── life cycle ──

    #[test]
    fn incident_transition_matrix() {
        use Event as E;
        use IncidentState as S;
        let r3 = S::Responding { level: Level::III };
        let states = [
            S::Reported,
            S::Verified,
            S::Graded,
            r3,
            S::Ended,
            S::Reviewed,
            S::Dismissed,
        ];
        let events = [
            E::Verify,
            E::MarkFalse {
                reason: "经核查无此事".into(),
            },
            E::Grade {
                level: Some(Level::III),
            },
            E::StartResponse {
                level: Level::II,
                plan: "DT-ZX-SLHZ".into(),
            },
            E::Update {
                note: "过火面积扩大".into(),
            },
            E::ChangeLevel {
                level: Level::II,
                reason: "火势蔓延".into(),
            },
            E::EndResponse {
                reason: "明火扑灭".into(),
            },
            E::Review {
                summary: "总结".into(),
            },
        ];
        type Want = Result<S, &'static str>;
        let ok = |s: S| -> Want { Ok(s) };
        let r2 = S::Responding { level: Level::II };
        // Rows: states as above; columns: events as above.
        let want: [[Want; 8]; 7] = [
            // Reported
            [
                ok(S::Verified),
                ok(S::Dismissed),
                Err("未核实的事件不能定级"),
                Err("未核实的事件不能启动响应"),
                Err("未核实的事件不能续报"),
                Err("未核实的事件不能调整响应级别"),
                Err("未核实的事件不能结束响应"),
                Err("未核实的事件不能总结评估"),
            ],
            // Verified
            [
                Err("事件已核实，不能重复核实"),
                Err("已核实的事件不能标记为误报"),
                ok(S::Graded),
                Err("未定级的事件不能启动响应"),
                ok(S::Verified),
                Err("尚未启动响应，不能调整响应级别"),
                ok(S::Ended),
                Err("响应结束后才能总结评估"),
            ],
            // Graded
            [
                Err("事件已核实，不能重复核实"),
                Err("已核实的事件不能标记为误报"),
                ok(S::Graded),
                ok(r2),
                ok(S::Graded),
                Err("尚未启动响应，不能调整响应级别"),
                ok(S::Ended),
                Err("响应结束后才能总结评估"),
            ],
            // Responding Ⅲ
            [
                Err("事件已核实，不能重复核实"),
                Err("已核实的事件不能标记为误报"),
                ok(r3),
                Err("事件已在Ⅲ级响应中，调整级别请升级或降级"),
                ok(r3),
                ok(r2),
                ok(S::Ended),
                Err("响应结束后才能总结评估"),
            ],
            // Ended
            [
                Err("事件已核实，不能重复核实"),
                Err("已核实的事件不能标记为误报"),
                Err("响应已结束，不能再定级"),
                Err("响应已结束，不能再次启动响应"),
                Err("响应已结束，不能续报，请在总结评估中补充"),
                Err("响应已结束，不能调整响应级别"),
                Err("响应已经结束"),
                ok(S::Reviewed),
            ],
            // Reviewed
            [
                Err("事件已总结评估并关闭，不能核实"),
                Err("事件已总结评估并关闭，不能标记为误报"),
                Err("事件已总结评估并关闭，不能定级"),
                Err("事件已总结评估并关闭，不能启动响应"),
                Err("事件已总结评估并关闭，不能续报"),
                Err("事件已总结评估并关闭，不能调整响应级别"),
                Err("事件已总结评估并关闭，不能结束响应"),
                Err("事件已总结评估并关闭，不能总结评估"),
            ],
            // Dismissed
            [
                Err("事件已作为误报关闭，不能核实"),
                Err("事件已作为误报关闭，不能标记为误报"),
                Err("事件已作为误报关闭，不能定级"),
                Err("事件已作为误报关闭，不能启动响应"),
                Err("事件已作为误报关闭，不能续报"),
                Err("事件已作为误报关闭，不能调整响应级别"),
                Err("事件已作为误报关闭，不能结束响应"),
                Err("事件已作为误报关闭，不能总结评估"),
            ],
        ];
        for (i, s) in states.iter().enumerate() {
            for (j, e) in events.iter().enumerate() {
                let got = s.transition(e);
                match (&got, &want[i][j]) {
                    (Ok(g), Ok(w)) => assert_eq!(g, w, "{s:?} × {e:?}"),
                    (Err(g), Err(w)) => {
                        assert_eq!(g.to_string(), *w, "{s:?} × {e:?}");
                        assert_eq!(g.key(), "invalid_transition", "{s:?} × {e:?}");
                    }
                    _ => panic!("{s:?} × {e:?}: got {got:?}, want {:?}", want[i][j]),
                }
            }
        }
    }

    #[test]
    fn incident_fields_are_required() {
        use Event as E;
        use IncidentState as S;
        let r3 = S::Responding { level: Level::III };
        let table = [
            (S::Reported, E::MarkFalse { reason: " ".into() }, "reason"),
            (
                S::Graded,
                E::StartResponse {
                    level: Level::IV,
                    plan: String::new(),
                },
                "plan",
            ),
            (
                S::Graded,
                E::Update {
                    note: String::new(),
                },
                "note",
            ),
            (
                r3,
                E::ChangeLevel {
                    level: Level::I,
                    reason: String::new(),
                },
                "reason",
            ),
            (
                r3,
                E::ChangeLevel {
                    level: Level::III,
                    reason: "核实".into(),
                },
                "level",
            ),
            (
                r3,
                E::EndResponse {
                    reason: String::new(),
                },
                "reason",
            ),
            (
                S::Ended,
                E::Review {
                    summary: String::new(),
                },
                "summary",
            ),
        ];
        for (s, e, want) in table {
            match s.transition(&e) {
                Err(RuleError::Field(e)) => assert_eq!(e.field, want, "{s:?} × {e:?}"),
                other => panic!("{s:?} × {e:?}: {other:?}"),
            }
        }
        // Escalation and de-escalation.
        let up = r3
            .transition(&E::ChangeLevel {
                level: Level::I,
                reason: "死亡人数上升".into(),
            })
            .expect("escalates");
        assert_eq!(up.level(), Some(Level::I));
    }

    #[test]
    fn states_round_trip() {
        for st in [
            IncidentState::Reported,
            IncidentState::Verified,
            IncidentState::Graded,
            IncidentState::Responding { level: Level::IV },
            IncidentState::Ended,
            IncidentState::Reviewed,
            IncidentState::Dismissed,
        ] {
            assert_eq!(IncidentState::from_parts(st.as_str(), st.level()), Some(st));
            let json = serde_json::to_string(&st).expect("serialises");
            let back: IncidentState = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, st);
            assert_eq!(
                st.is_active(),
                !st.is_closed() && st != IncidentState::Ended
            );
        }
        assert_eq!(IncidentState::from_parts("responding", None), None);
        let e: Event = serde_json::from_str(r#"{"kind":"change_level","level":"Ⅰ","reason":"x"}"#)
            .expect("parses");
        assert_eq!(
            e,
            Event::ChangeLevel {
                level: Level::I,
                reason: "x".into()
            }
        );
    }

    // ── grading ──

    #[test]
    fn production_safety_grading_every_493_boundary() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let g = |deaths: u32, injured: u32, loss: u64| {
            let f = Facts {
                deaths,
                injured,
                direct_loss_yuan: loss,
                ..Facts::default()
            };
            grade(&c, "accident.production.coal_mine", "140226000000", &f, on).expect("grades")
        };
        use Level::*;
        // (deaths, serious injuries, direct loss yuan, level)
        let table = [
            (0, 0, 0, IV),
            (2, 0, 0, IV),
            (3, 0, 0, III),
            (9, 0, 0, III),
            (10, 0, 0, II),
            (29, 0, 0, II),
            (30, 0, 0, I),
            (0, 9, 0, IV),
            (0, 10, 0, III),
            (0, 49, 0, III),
            (0, 50, 0, II),
            (0, 99, 0, II),
            (0, 100, 0, I),
            (0, 0, 9_999_999, IV),
            (0, 0, 10_000_000, III),
            (0, 0, 49_999_999, III),
            (0, 0, 50_000_000, II),
            (0, 0, 99_999_999, II),
            (0, 0, 100_000_000, I),
            // The highest grade met wins.
            (2, 9, 9_999_999, IV),
            (1, 0, 60_000_000, II),
            (3, 50, 0, II),
            (9, 49, 100_000_000, I),
            (30, 1, 1, I),
        ];
        for (d, i, l, want) in table {
            let got = g(d, i, l);
            assert_eq!(got.level, Some(want), "deaths {d} injuries {i} loss {l}");
            assert_eq!(got.basis, GradeBasis::ProductionSafety);
        }
        let three = g(3, 0, 0);
        assert!(three.reasons[0].contains("国务院令第493号"));
        assert!(three.reasons.iter().any(|r| r.contains("死亡 3 人")));
        assert!(three
            .reasons
            .iter()
            .any(|r| r.contains("较大事故，对应Ⅲ级")));
        // Road traffic is production-safety graded too; so is an unlisted sub-type.
        let f = Facts {
            deaths: 10,
            ..Facts::default()
        };
        for t in [
            "accident.traffic.road",
            "accident.production.hazmat.pipeline",
        ] {
            let got = grade(&c, t, "140213", &f, on).expect("grades");
            assert_eq!(
                (got.level, got.basis),
                (Some(II), GradeBasis::ProductionSafety),
                "{t}"
            );
        }
    }

    #[test]
    fn other_types_are_graded_by_plan_criteria() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let g = |t: &str, f: Facts| grade(&c, t, "140224000000", &f, on).expect("grades");
        let fire = g(
            "natural.wildfire.forest",
            Facts {
                burned_area_ha: 150.0,
                ..Facts::default()
            },
        );
        assert_eq!(fire.level, Some(Level::II));
        assert!(matches!(&fire.basis, GradeBasis::Plan { code, .. } if code == "DT-ZX-SLHZ"));
        assert!(fire
            .reasons
            .iter()
            .any(|r| r.contains("受害森林面积 150 公顷 ≥ 100 公顷")));
        let table = [
            (4.9, Some(Level::IV)),
            (5.0, Some(Level::III)),
            (5.9, Some(Level::III)),
            (6.0, Some(Level::II)),
            (7.0, Some(Level::I)),
            (3.9, None),
        ];
        for (m, want) in table {
            let got = g(
                "natural.earthquake",
                Facts {
                    magnitude: m,
                    ..Facts::default()
                },
            );
            assert_eq!(got.level, want, "M{m}");
            assert!(matches!(&got.basis, GradeBasis::Plan { code, .. } if code == "DT-ZX-DZ"));
        }
        // Civil aviation has no special plan: the overall plan grades it, not
        // the medical-rescue department plan.
        let air = g(
            "accident.traffic.civil_aviation",
            Facts {
                deaths: 12,
                ..Facts::default()
            },
        );
        assert_eq!(air.level, Some(Level::II));
        assert!(matches!(&air.basis, GradeBasis::Plan { code, .. } if code == "DT-ZT"));
        // Outside every plan's area.
        let none = grade(
            &c,
            "natural.earthquake",
            "140100000000",
            &Facts::default(),
            on,
        )
        .expect("grades");
        assert_eq!((none.level, none.basis), (None, GradeBasis::Unmatched));
    }

    // ── rescue clock ──

    #[test]
    fn the_rescue_clock_runs_only_for_affected_displaced_or_evacuated_people() {
        let f = |affected_people, relocated_people, evacuated_people| Facts {
            affected_people,
            relocated_people,
            evacuated_people,
            ..Facts::default()
        };
        // (facts, runs)
        let table = [
            (Facts::default(), false),
            (
                Facts {
                    deaths: 3,
                    missing: 2,
                    injured: 10,
                    trapped: 12,
                    direct_loss_yuan: 1_000_000,
                    ..Facts::default()
                },
                false,
            ),
            (f(1, 0, 0), true),
            (f(0, 1, 0), true),
            (f(0, 0, 1), true),
            (f(500, 120, 0), true),
        ];
        for (facts, want) in table {
            assert_eq!(rescue_clock_applies(&facts), want, "{facts:?}");
        }
    }

    #[test]
    fn rescue_clock_boundaries() {
        let onset = datetime!(2026-07-01 08:00 +8);
        let h = |hours: i64, minutes: i64, seconds: i64| {
            onset + Duration::hours(hours) + Duration::minutes(minutes) + Duration::seconds(seconds)
        };
        use ClockStatus::*;
        // (helped at, now, status, remaining seconds)
        let table = [
            (None, h(0, 0, 0), Running, 36_000),
            (None, h(8, 59, 59), Running, 3_601),
            (None, h(9, 0, 0), Warning, 3_600),
            (None, h(9, 59, 59), Warning, 1),
            (None, h(10, 0, 0), Warning, 0),
            (None, h(10, 0, 1), Breached, -1),
            (None, h(30, 0, 0), Breached, -72_000),
            (Some(h(3, 0, 0)), h(5, 0, 0), Met, 25_200),
            (Some(h(10, 0, 0)), h(12, 0, 0), Met, 0),
            (Some(h(10, 0, 1)), h(12, 0, 0), Breached, -1),
            // Help recorded later than now does not count yet.
            (Some(h(6, 0, 0)), h(5, 0, 0), Running, 18_000),
        ];
        for (helped, now, status, remaining) in table {
            let c = rescue_clock(onset, helped, now, RESCUE_LIMIT);
            assert_eq!(
                (c.status, c.remaining_s),
                (status, remaining),
                "helped {helped:?} now {now}"
            );
            assert_eq!(c.deadline, h(10, 0, 0));
        }
        let short = rescue_clock(onset, None, h(1, 30, 0), Duration::hours(2));
        assert_eq!((short.status, short.remaining_s), (Warning, 1_800));
    }

    // ── instructions ──

    #[test]
    fn instruction_transition_matrix() {
        use InstructionEvent as E;
        use InstructionState as S;
        let states = [
            S::Issued,
            S::Received,
            S::InProgress,
            S::FeedbackGiven,
            S::Accepted,
            S::Returned,
        ];
        let events = [
            E::Receive {},
            E::Start {},
            E::Feedback {
                text: "已到达现场，开始扑救".into(),
                photos: vec![1],
                location: Some([114.29, 39.44]),
            },
            E::Accept {},
            E::Return {
                reason: "反馈不完整".into(),
            },
        ];
        // Everyone may act here: the matrix is about states.
        let all = Role {
            assignee: true,
            issuer: true,
            commander: true,
        };
        type Want = Result<S, &'static str>;
        let ok = |s: S| -> Want { Ok(s) };
        let want: [[Want; 5]; 6] = [
            // Issued
            [
                ok(S::Received),
                Err("指令尚未签收，不能开始办理"),
                Err("指令尚未签收，不能反馈"),
                Err("指令尚未反馈，不能审核"),
                Err("指令尚未反馈，不能审核"),
            ],
            // Received
            [
                Err("指令已签收"),
                ok(S::InProgress),
                ok(S::FeedbackGiven),
                Err("指令尚未反馈，不能审核"),
                Err("指令尚未反馈，不能审核"),
            ],
            // InProgress
            [
                Err("指令已签收"),
                Err("指令已在办理中"),
                ok(S::FeedbackGiven),
                Err("指令尚未反馈，不能审核"),
                Err("指令尚未反馈，不能审核"),
            ],
            // FeedbackGiven
            [
                Err("指令已签收"),
                Err("指令已反馈，等待审核"),
                ok(S::FeedbackGiven),
                ok(S::Accepted),
                ok(S::Returned),
            ],
            // Accepted
            [
                Err("指令已办结"),
                Err("指令已办结"),
                Err("指令已办结"),
                Err("指令已办结"),
                Err("指令已办结"),
            ],
            // Returned
            [
                Err("指令已签收"),
                ok(S::InProgress),
                ok(S::FeedbackGiven),
                Err("指令尚未反馈，不能审核"),
                Err("指令尚未反馈，不能审核"),
            ],
        ];
        for (i, s) in states.iter().enumerate() {
            for (j, e) in events.iter().enumerate() {
                let got = s.transition(e, all);
                match (&got, &want[i][j]) {
                    (Ok(g), Ok(w)) => assert_eq!(g, w, "{s:?} × {e:?}"),
                    (Err(g), Err(w)) => assert_eq!(g.to_string(), *w, "{s:?} × {e:?}"),
                    _ => panic!("{s:?} × {e:?}: got {got:?}, want {:?}", want[i][j]),
                }
            }
        }
    }

    #[test]
    fn instruction_roles_and_fields() {
        use InstructionEvent as E;
        use InstructionState as S;
        let assignee = Role {
            assignee: true,
            ..Role::default()
        };
        let issuer = Role {
            issuer: true,
            ..Role::default()
        };
        let commander = Role {
            commander: true,
            ..Role::default()
        };
        let feedback = |text: &str, location: Option<[f64; 2]>| E::Feedback {
            text: text.into(),
            photos: vec![],
            location,
        };
        let ret = E::Return {
            reason: "补充照片".into(),
        };
        // (state, event, role, key or new state)
        let table: Vec<(S, E, Role, Result<S, &str>)> = vec![
            (S::Issued, E::Receive {}, assignee, Ok(S::Received)),
            (S::Issued, E::Receive {}, issuer, Err("forbidden")),
            (S::Received, E::Start {}, commander, Err("forbidden")),
            (
                S::InProgress,
                feedback("完成", None),
                issuer,
                Err("forbidden"),
            ),
            (
                S::InProgress,
                feedback(" ", None),
                assignee,
                Err("invalid_field"),
            ),
            (
                S::InProgress,
                feedback("完成", Some([200.0, 40.0])),
                assignee,
                Err("invalid_field"),
            ),
            (
                S::InProgress,
                feedback("完成", Some([f64::NAN, 40.0])),
                assignee,
                Err("invalid_field"),
            ),
            (
                S::InProgress,
                feedback("完成", Some([113.3, 40.1])),
                assignee,
                Ok(S::FeedbackGiven),
            ),
            (S::FeedbackGiven, E::Accept {}, assignee, Err("forbidden")),
            (S::FeedbackGiven, E::Accept {}, issuer, Ok(S::Accepted)),
            (S::FeedbackGiven, E::Accept {}, commander, Ok(S::Accepted)),
            (S::FeedbackGiven, ret.clone(), assignee, Err("forbidden")),
            (S::FeedbackGiven, ret, commander, Ok(S::Returned)),
            (
                S::FeedbackGiven,
                E::Return {
                    reason: String::new(),
                },
                issuer,
                Err("invalid_field"),
            ),
        ];
        for (s, e, role, want) in table {
            let got = s.transition(&e, role);
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{s:?} × {e:?} by {role:?}"),
                (Err(g), Err(w)) => assert_eq!(g.key(), w, "{s:?} × {e:?} by {role:?}"),
                (got, want) => panic!("{s:?} × {e:?} by {role:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn overdue_instructions() {
        use InstructionState as S;
        let deadline = datetime!(2026-07-01 10:00 +8);
        let before = deadline - Duration::seconds(1);
        let after = deadline + Duration::seconds(1);
        let table = [
            (S::Issued, before, false),
            (S::Issued, deadline, false),
            (S::Issued, after, true),
            (S::Received, after, true),
            (S::InProgress, after, true),
            (S::Returned, after, true),
            (S::FeedbackGiven, after, false),
            (S::Accepted, after, false),
        ];
        for (s, now, want) in table {
            assert_eq!(
                instruction_overdue(deadline, s, now),
                want,
                "{s:?} at {now}"
            );
        }
    }

    #[test]
    fn plan_tasks_become_instructions() {
        let c = catalog();
        let at = datetime!(2026-03-01 14:00 +8);
        let plan = c.plan("DT-ZX-SLHZ").expect("plan");
        let drafts = instructions_from_plan(plan, Level::II, at).expect("drafts");
        let tasks = &plan.level(Level::II).expect("level").tasks;
        assert_eq!(drafts.len(), tasks.len());
        for (d, t) in drafts.iter().zip(tasks) {
            assert_eq!(
                d.deadline,
                at + Duration::minutes(i64::from(t.within_minutes))
            );
            assert_eq!(
                (d.assignee.as_str(), d.level),
                (t.assignee.as_str(), Level::II)
            );
        }
        let outage = c.plan("DT-ZX-DMJTD").expect("plan");
        let e = instructions_from_plan(outage, Level::I, at).expect_err("no level I");
        assert!(e.to_string().contains("没有Ⅰ级响应"), "{e}");
        let mut draft = plan.clone();
        draft.status = plans::PlanStatus::Draft;
        assert!(instructions_from_plan(&draft, Level::II, at).is_err());
    }

    // ── dispatch ──

    #[test]
    fn dispatch_transition_matrix() {
        use DispatchEvent as E;
        use DispatchState as S;
        let states = [
            S::Requested,
            S::Approved,
            S::Departed,
            S::Arrived,
            S::Returned,
            S::Cancelled,
        ];
        let events = [
            E::Approve {
                approver: "李四".into(),
            },
            E::Depart,
            E::Arrive,
            E::Return,
            E::Cancel {
                reason: "险情解除".into(),
            },
        ];
        type Want = Result<S, &'static str>;
        let ok = |s: S| -> Want { Ok(s) };
        let want: [[Want; 5]; 6] = [
            // Requested
            [
                ok(S::Approved),
                Err("调派申请尚未审批，不能出发"),
                Err("尚未出发，不能到达"),
                Err("尚未出发，不能返回；不再需要请取消"),
                ok(S::Cancelled),
            ],
            // Approved
            [
                Err("调派申请已审批"),
                ok(S::Departed),
                Err("尚未出发，不能到达"),
                Err("尚未出发，不能返回；不再需要请取消"),
                ok(S::Cancelled),
            ],
            // Departed
            [
                Err("调派申请已审批"),
                Err("已经出发"),
                ok(S::Arrived),
                ok(S::Returned),
                Err("已经出发，不能取消；请召回（返回）"),
            ],
            // Arrived
            [
                Err("调派申请已审批"),
                Err("已经出发"),
                Err("已经到达"),
                ok(S::Returned),
                Err("已经出发，不能取消；请召回（返回）"),
            ],
            // Returned
            [
                Err("调派已结束（已返回）"),
                Err("调派已结束（已返回）"),
                Err("调派已结束（已返回）"),
                Err("调派已结束（已返回）"),
                Err("调派已结束（已返回）"),
            ],
            // Cancelled
            [
                Err("调派已取消"),
                Err("调派已取消"),
                Err("调派已取消"),
                Err("调派已取消"),
                Err("调派已取消"),
            ],
        ];
        for (i, s) in states.iter().enumerate() {
            for (j, e) in events.iter().enumerate() {
                let got = s.transition(e, "张三", true);
                match (&got, &want[i][j]) {
                    (Ok(g), Ok(w)) => assert_eq!(g, w, "{s:?} × {e:?}"),
                    (Err(g), Err(w)) => assert_eq!(g.to_string(), *w, "{s:?} × {e:?}"),
                    _ => panic!("{s:?} × {e:?}: got {got:?}, want {:?}", want[i][j]),
                }
            }
        }
    }

    #[test]
    fn self_approval_and_resource_status() {
        use DispatchState as S;
        let own = DispatchEvent::Approve {
            approver: "张三".into(),
        };
        let e = S::Requested
            .transition(&own, "张三", true)
            .expect_err("refused");
        assert_eq!(
            (e.key(), e.to_string().as_str()),
            ("forbidden", "不能审批自己提出的调派申请")
        );
        assert_eq!(
            S::Requested.transition(&own, "张三", false),
            Ok(S::Approved)
        );
        let nobody = DispatchEvent::Approve {
            approver: " ".into(),
        };
        assert_eq!(
            S::Requested
                .transition(&nobody, "张三", false)
                .expect_err("refused")
                .key(),
            "invalid_field"
        );
        let cancel = DispatchEvent::Cancel {
            reason: String::new(),
        };
        assert!(S::Approved.transition(&cancel, "张三", true).is_err());
        let table = [
            (S::Requested, "available"),
            (S::Approved, "dispatched"),
            (S::Departed, "dispatched"),
            (S::Arrived, "dispatched"),
            (S::Returned, "available"),
            (S::Cancelled, "available"),
        ];
        for (s, want) in table {
            assert_eq!(resource_status_for(s), want, "{s:?}");
        }
        let table = [
            ("available", true),
            ("dispatched", false),
            ("maintenance", false),
            ("lost", false),
        ];
        for (status, ok) in table {
            assert_eq!(ensure_dispatchable(status).is_ok(), ok, "{status}");
        }
    }

    #[test]
    fn allowed_events_follow_the_state_machine_and_the_role() {
        use IncidentState as S;
        let r = S::Responding { level: Level::III };
        // (state, helped, may write, commander) → allowed, in order
        let table: &[(IncidentState, bool, bool, bool, &[&str])] = &[
            (
                S::Reported,
                false,
                true,
                false,
                &[
                    "verify",
                    "mark_false",
                    "helped",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (
                S::Verified,
                false,
                true,
                true,
                &[
                    "grade",
                    "update",
                    "end_response",
                    "helped",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (
                S::Graded,
                true,
                true,
                true,
                &[
                    "grade",
                    "update",
                    "end_response",
                    "start_response",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (
                S::Graded,
                true,
                true,
                false,
                &[
                    "grade",
                    "update",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (
                r,
                true,
                true,
                true,
                &[
                    "grade",
                    "update",
                    "end_response",
                    "change_level",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (
                r,
                false,
                true,
                false,
                &[
                    "grade",
                    "update",
                    "helped",
                    "add_call",
                    "issue_instruction",
                    "dispatch",
                ],
            ),
            (S::Ended, true, true, true, &["review"]),
            (S::Reviewed, true, true, true, &[]),
            (S::Dismissed, false, true, true, &[]),
            (S::Graded, false, false, true, &[]),
        ];
        for (state, helped, write, cmdr, want) in table {
            assert_eq!(
                allowed_events(*state, *helped, *write, *cmdr),
                want.to_vec(),
                "{state:?} helped={helped} write={write} commander={cmdr}"
            );
        }
    }
}
