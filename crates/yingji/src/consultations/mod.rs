//! 调度会商 — consultations (issue #19): a session linked to an incident or
//! a warning, with the departments and experts invited from the directory
//! (通讯录), its agenda, attendance, minutes and decisions; a decision of an
//! incident's consultation becomes one instruction of the incident (through
//! `incidents::api::issue_instruction`, the incident module's own way) and
//! remembers it; the minutes export as a .docx 会商纪要 ([`docx`]).
//!
//! The plan (大同市“十四五”应急体系规划, 四.5 应急指挥信息中心建设工程) asks
//! the command platform for 调度会商 and 应急决策 among its functions; the
//! session's steps below are this platform's reading of it (assumptions,
//! named in docs/rules.md).
//!
//! A session is scheduled → in_session → closed, or cancelled before it
//! starts. Rules here are pure: the clock is a parameter.

pub mod api;
pub mod docx;
pub mod model;
pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::db::{JsonText, UtcText};
use crate::error::{text, FieldError, Refusal, RuleError};
pub use model::{Consultation, Decision, Invitee};

pub const MODULE: &str = "consultations";

/// Why a step of a session is refused: a rule's refusal or field, or
/// several wrong fields at once (a form's).
#[derive(Debug, thiserror::Error)]
pub enum ConsultError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("{} 处填写有误", .0.len())]
    Fields(Vec<FieldError>),
}

impl From<FieldError> for ConsultError {
    fn from(e: FieldError) -> Self {
        ConsultError::Rule(RuleError::Field(e))
    }
}

/// Agenda items at most, and their length.
pub const MAX_AGENDA: usize = 50;
pub const MAX_ITEM: usize = 500;
/// Invitees of one session at most.
pub const MAX_INVITEES: usize = 200;
/// The minutes' length at most (characters).
pub const MAX_MINUTES: usize = 20_000;
/// Decisions of one session at most.
pub const MAX_DECISIONS: usize = 100;

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ConsultationState)]
pub enum ConsultState {
    /// 待召开
    Scheduled,
    /// 会商中
    InSession,
    /// 已结束
    Closed,
    /// 已取消
    Cancelled,
}

impl ConsultState {
    pub const ALL: [ConsultState; 4] = [
        ConsultState::Scheduled,
        ConsultState::InSession,
        ConsultState::Closed,
        ConsultState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ConsultState::Scheduled => "scheduled",
            ConsultState::InSession => "in_session",
            ConsultState::Closed => "closed",
            ConsultState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<ConsultState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ConsultState::Scheduled => "待召开",
            ConsultState::InSession => "会商中",
            ConsultState::Closed => "已结束",
            ConsultState::Cancelled => "已取消",
        }
    }
}

/// An invitee's attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// 已邀请 (not marked yet)
    Invited,
    /// 出席
    Present,
    /// 缺席
    Absent,
    /// 请假
    Excused,
}

impl Attendance {
    pub const ALL: [Attendance; 4] = [
        Attendance::Invited,
        Attendance::Present,
        Attendance::Absent,
        Attendance::Excused,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Invited => "invited",
            Attendance::Present => "present",
            Attendance::Absent => "absent",
            Attendance::Excused => "excused",
        }
    }
    pub fn parse(s: &str) -> Option<Attendance> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Attendance::Invited => "未签到",
            Attendance::Present => "出席",
            Attendance::Absent => "缺席",
            Attendance::Excused => "请假",
        }
    }
}

/// The number a session is known by (会商 HS).
pub fn number(id: i64) -> String {
    format!("HS{id:06}")
}

// ── a new session ─────────────────────────────────────────────────────

/// A new consultation (`POST /consultations`): linked to exactly one of an
/// incident or a warning.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewConsultation)]
pub struct NewConsultation {
    #[serde(default)]
    pub incident_id: Option<i64>,
    #[serde(default)]
    pub warning_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub chair: String,
    /// RFC 3339.
    pub scheduled_at: String,
    #[serde(default)]
    pub agenda: Vec<String>,
}

/// The checked fields of a session (new or edited).
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub title: String,
    pub place: String,
    pub chair: String,
    pub scheduled_at: OffsetDateTime,
}

/// Check a session's title, place, chair and time: every wrong field named.
pub fn check_head(
    title: &str,
    place: &str,
    chair: &str,
    scheduled_at: &str,
) -> Result<Head, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).ok();
    let title = keep(text("title", title, 200, true));
    let place = keep(text("place", place, 200, false));
    let chair = keep(text("chair", chair, 100, false));
    let at = crate::clock::parse_time(scheduled_at.trim());
    if at.is_none() {
        errors.push(FieldError::new("scheduled_at", "时间格式应为 RFC 3339").code("not_a_time"));
    }
    match (title, place, chair, at) {
        (Some(title), Some(place), Some(chair), Some(scheduled_at)) if errors.is_empty() => {
            Ok(Head {
                title,
                place,
                chair,
                scheduled_at,
            })
        }
        _ => Err(errors),
    }
}

/// The agenda's items, trimmed: at most [`MAX_AGENDA`], none empty, each
/// at most [`MAX_ITEM`] characters (`agenda[2]` names the bad one).
pub fn check_agenda(items: &[String]) -> Result<Vec<String>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if items.len() > MAX_AGENDA {
        errors.push(
            FieldError::new("agenda", format!("议程最多 {MAX_AGENDA} 项"))
                .code("too_many")
                .param("max", MAX_AGENDA),
        );
    }
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        match text(&format!("agenda[{n}]"), item, MAX_ITEM, true) {
            Ok(t) => out.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A new session from its checked fields, scheduled, by `actor` at `now`.
pub fn schedule(
    division: String,
    link: (Option<i64>, Option<i64>),
    head: Head,
    agenda: Vec<String>,
    actor: &str,
    now: OffsetDateTime,
) -> Consultation {
    Consultation {
        id: 0,
        division,
        incident_id: link.0,
        warning_id: link.1,
        title: head.title,
        place: head.place,
        chair: head.chair,
        scheduled_at: UtcText(head.scheduled_at),
        state: ConsultState::Scheduled,
        agenda: JsonText(agenda),
        minutes: String::new(),
        started_at: None,
        closed_at: None,
        cancel_reason: String::new(),
        created_by: actor.to_string(),
        created_at: UtcText(now),
        updated_at: UtcText(now),
        version: 1,
    }
}

// ── the session's steps ───────────────────────────────────────────────

/// A directory record to invite: its registry kind and id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ConsultationInviteRef)]
pub struct InviteRef {
    pub kind: String,
    pub id: i64,
}

/// A step of a session (`POST /consultations/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = ConsultationCommand)]
pub enum ConsultCommand {
    /// 开始会商.
    Start {},
    /// 结束会商: the minutes must be written; invitees not marked are
    /// recorded absent.
    Close {},
    /// 取消 (before it starts), with the reason.
    Cancel { reason: String },
    /// 修改 title, place, chair, time.
    Edit {
        title: String,
        #[serde(default)]
        place: String,
        #[serde(default)]
        chair: String,
        scheduled_at: String,
    },
    /// 邀请: directory records (contacts, experts, teams …).
    Invite { invitees: Vec<InviteRef> },
    /// 取消邀请 (not yet marked).
    Uninvite { invitee_id: i64 },
    /// 签到: present, absent or excused (only excused before the start).
    Attend {
        invitee_id: i64,
        attendance: Attendance,
    },
    /// 议程: the whole agenda, in order.
    Agenda { items: Vec<String> },
    /// 纪要: the minutes' text.
    Minutes { text: String },
    /// 决定: a decision, addressed (for an instruction) or not.
    Decide {
        text: String,
        /// department | team_kind | command | person (empty: not addressed).
        #[serde(default)]
        assignee_kind: String,
        #[serde(default)]
        assignee: String,
        /// The instruction's time limit (default 60 minutes).
        #[serde(default)]
        due_minutes: Option<i64>,
    },
}

/// The steps by name, as `allowed_events` lists them (`instruct` is a
/// decision's: 转为指令).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Start,
    Close,
    Cancel,
    Edit,
    Invite,
    Uninvite,
    Attend,
    Agenda,
    Minutes,
    Decide,
    Instruct,
}

impl Step {
    pub const ALL: [Step; 11] = [
        Step::Start,
        Step::Close,
        Step::Cancel,
        Step::Edit,
        Step::Invite,
        Step::Uninvite,
        Step::Attend,
        Step::Agenda,
        Step::Minutes,
        Step::Decide,
        Step::Instruct,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Close => "close",
            Step::Cancel => "cancel",
            Step::Edit => "edit",
            Step::Invite => "invite",
            Step::Uninvite => "uninvite",
            Step::Attend => "attend",
            Step::Agenda => "agenda",
            Step::Minutes => "minutes",
            Step::Decide => "decide",
            Step::Instruct => "instruct",
        }
    }
    /// The journal's name of the step (unique across modules: the audit
    /// log translates kinds by name alone).
    pub fn journal_kind(self) -> &'static str {
        match self {
            Step::Start => "consultation_started",
            Step::Close => "consultation_closed",
            Step::Cancel => "consultation_cancelled",
            Step::Edit => "consultation_edited",
            Step::Invite => "invitees_added",
            Step::Uninvite => "invitee_removed",
            Step::Attend => "attendance_marked",
            Step::Agenda => "agenda_set",
            Step::Minutes => "minutes_written",
            Step::Decide => "decision_recorded",
            Step::Instruct => "decision_instructed",
        }
    }
}

impl ConsultCommand {
    pub fn step(&self) -> Step {
        match self {
            ConsultCommand::Start {} => Step::Start,
            ConsultCommand::Close {} => Step::Close,
            ConsultCommand::Cancel { .. } => Step::Cancel,
            ConsultCommand::Edit { .. } => Step::Edit,
            ConsultCommand::Invite { .. } => Step::Invite,
            ConsultCommand::Uninvite { .. } => Step::Uninvite,
            ConsultCommand::Attend { .. } => Step::Attend,
            ConsultCommand::Agenda { .. } => Step::Agenda,
            ConsultCommand::Minutes { .. } => Step::Minutes,
            ConsultCommand::Decide { .. } => Step::Decide,
        }
    }
}

/// The state machine: whether `step` is possible in `state`.
/// - scheduled: start, cancel, edit, invite, uninvite, attend (excused
///   only, see [`apply`]), agenda;
/// - in session: close, edit, invite, uninvite, attend, agenda, minutes,
///   decide, instruct;
/// - closed: instruct (a decision taken may still become an instruction);
/// - cancelled: nothing.
pub fn step_allowed(state: ConsultState, step: Step) -> Result<(), RuleError> {
    use ConsultState as S;
    use Step::*;
    let ok = match state {
        S::Scheduled => matches!(
            step,
            Start | Cancel | Edit | Invite | Uninvite | Attend | Agenda
        ),
        S::InSession => !matches!(step, Start | Cancel),
        S::Closed => step == Instruct,
        S::Cancelled => false,
    };
    if ok {
        Ok(())
    } else {
        Err(RuleError::State(
            Refusal::new(
                "consultation_step_not_allowed",
                format!("会商{}，不能执行此操作", state.label_zh()),
            )
            .param("state", state.as_str())
            .param("event", step.as_str()),
        ))
    }
}

/// The steps possible on a session now (for the UI, asked of the rules);
/// `instruct` only where the session is an incident's.
pub fn allowed_events(c: &Consultation) -> Vec<&'static str> {
    Step::ALL
        .into_iter()
        .filter(|s| *s != Step::Instruct || c.incident_id.is_some())
        .filter(|s| step_allowed(c.state, *s).is_ok())
        .map(Step::as_str)
        .collect()
}

/// The attendance that may be marked in a session of `state`: before it
/// starts only 请假 (excused) or back to invited; 出席 and 缺席 once it has
/// started (会商开始后才能签到). The attend step checks it, and the session's
/// view offers exactly these.
pub fn attendance_allowed(state: ConsultState) -> Vec<Attendance> {
    Attendance::ALL
        .into_iter()
        .filter(|a| {
            state != ConsultState::Scheduled
                || matches!(a, Attendance::Excused | Attendance::Invited)
        })
        .collect()
}

/// An invitee as resolved from the directory (the API reads the record).
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvitee {
    pub kind: String,
    pub record_id: i64,
    pub name: String,
    pub organisation: String,
    pub position: String,
    pub division: String,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    pub seq: i64,
    pub text: String,
    pub assignee_kind: String,
    pub assignee: String,
    pub due_minutes: Option<i64>,
}

/// What a step does besides the session's own fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    Invite(Vec<NewInvitee>),
    Uninvite(i64),
    /// Invitees marked (id, attendance).
    Attend(Vec<(i64, Attendance)>),
    Decide(NewDecision),
}

/// A step applied: the session after it, what else changes, and what the
/// journal says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub consultation: Consultation,
    pub effect: Effect,
    pub payload: Value,
}

/// What a step reads besides the session: its invitees and decisions now,
/// and (for `invite`) the records the API resolved, in the command's order.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub invitees: &'a [Invitee],
    pub decisions: &'a [Decision],
    pub resolved: &'a [NewInvitee],
}

fn invitee<'a>(ctx: &Ctx<'a>, id: i64) -> Result<&'a Invitee, RuleError> {
    ctx.invitees.iter().find(|i| i.id == id).ok_or_else(|| {
        FieldError::new("invitee_id", "该参会人不在本次会商的邀请名单中")
            .code("invitee_not_found")
            .into()
    })
}

/// The instruction fields of a decision, checked by the incident module's
/// own check of a new instruction (one rule of what an instruction needs).
fn check_assignee(
    text: &str,
    assignee_kind: &str,
    assignee: &str,
    due_minutes: i64,
) -> Vec<FieldError> {
    crate::incidents::api::NewInstruction {
        assignee_kind: assignee_kind.to_string(),
        assignee: assignee.to_string(),
        task: text.to_string(),
        due_minutes,
    }
    .check()
    .into_iter()
    .filter(|e| e.field != "task")
    .collect()
}

fn refused(r: Refusal) -> ConsultError {
    ConsultError::Rule(RuleError::State(r))
}

/// The default time limit of a decision's instruction (minutes).
pub const DEFAULT_DUE_MINUTES: i64 = 60;

/// Apply a step to a session at `now` reading `ctx`: the session
/// after it and what else changes, or why not (the state machine first,
/// then the step's fields).
pub fn apply(
    mut c: Consultation,
    cmd: &ConsultCommand,
    ctx: Ctx,
    now: OffsetDateTime,
) -> Result<Applied, ConsultError> {
    step_allowed(c.state, cmd.step())?;
    let t = UtcText(now);
    let (effect, payload) = match cmd {
        ConsultCommand::Start {} => {
            c.state = ConsultState::InSession;
            c.started_at = Some(t);
            (Effect::None, json!({}))
        }
        ConsultCommand::Close {} => {
            if c.minutes.trim().is_empty() {
                return Err(refused(Refusal::new(
                    "minutes_required",
                    "请先填写会议纪要再结束会商",
                )));
            }
            let unmarked: Vec<(i64, Attendance)> = ctx
                .invitees
                .iter()
                .filter(|i| i.attendance == Attendance::Invited)
                .map(|i| (i.id, Attendance::Absent))
                .collect();
            c.state = ConsultState::Closed;
            c.closed_at = Some(t);
            let absent: Vec<i64> = unmarked.iter().map(|u| u.0).collect();
            (Effect::Attend(unmarked), json!({ "marked_absent": absent }))
        }
        ConsultCommand::Cancel { reason } => {
            let reason = text("reason", reason, 500, true)?;
            c.state = ConsultState::Cancelled;
            c.closed_at = Some(t);
            c.cancel_reason = reason.clone();
            (Effect::None, json!({ "reason": reason }))
        }
        ConsultCommand::Edit {
            title,
            place,
            chair,
            scheduled_at,
        } => {
            let h = check_head(title, place, chair, scheduled_at).map_err(ConsultError::Fields)?;
            c.title = h.title;
            c.place = h.place;
            c.chair = h.chair;
            c.scheduled_at = UtcText(h.scheduled_at);
            (
                Effect::None,
                json!({ "title": c.title, "place": c.place, "chair": c.chair, "scheduled_at": c.scheduled_at }),
            )
        }
        ConsultCommand::Invite { invitees } => {
            if invitees.is_empty() {
                return Err(FieldError::new("invitees", "请选择要邀请的单位或专家")
                    .code("required")
                    .into());
            }
            let mut errors = Vec::new();
            let mut new: Vec<NewInvitee> = Vec::new();
            for (n, r) in ctx.resolved.iter().enumerate() {
                let at = format!("invitees[{n}]");
                let dup_of_earlier = new
                    .iter()
                    .any(|x| x.kind == r.kind && x.record_id == r.record_id);
                if let Some(old) = ctx
                    .invitees
                    .iter()
                    .find(|i| i.kind == r.kind && i.record_id == r.record_id)
                {
                    errors.push(
                        FieldError::new(at, format!("{} 已在邀请名单中", old.name))
                            .code("already_invited")
                            .param("name", old.name.clone()),
                    );
                } else if dup_of_earlier {
                    errors.push(
                        FieldError::new(at, "重复选择")
                            .code("duplicate_row")
                            .param("row", n),
                    );
                } else {
                    new.push(r.clone());
                }
            }
            if ctx.invitees.len() + new.len() > MAX_INVITEES {
                errors.push(
                    FieldError::new("invitees", format!("每次会商最多邀请 {MAX_INVITEES} 个"))
                        .code("too_many")
                        .param("max", MAX_INVITEES),
                );
            }
            if !errors.is_empty() {
                return Err(ConsultError::Fields(errors));
            }
            let payload = json!({
                "invitees": new.iter().map(|i| json!({ "kind": i.kind, "id": i.record_id, "name": i.name })).collect::<Vec<_>>()
            });
            (Effect::Invite(new), payload)
        }
        ConsultCommand::Uninvite { invitee_id } => {
            let i = invitee(&ctx, *invitee_id)?;
            if i.attendance != Attendance::Invited {
                return Err(refused(
                    Refusal::new(
                        "invitee_already_marked",
                        format!("{} 已签到或请假，不能取消邀请", i.name),
                    )
                    .param("name", i.name.clone()),
                ));
            }
            (
                Effect::Uninvite(i.id),
                json!({ "invitee": i.id, "kind": i.kind, "record_id": i.record_id, "name": i.name }),
            )
        }
        ConsultCommand::Attend {
            invitee_id,
            attendance,
        } => {
            let i = invitee(&ctx, *invitee_id)?;
            if !attendance_allowed(c.state).contains(attendance) {
                return Err(refused(
                    Refusal::new("not_in_session", "会商开始后才能签到或记录缺席")
                        .param("attendance", attendance.as_str()),
                ));
            }
            (
                Effect::Attend(vec![(i.id, *attendance)]),
                json!({ "invitee": i.id, "name": i.name, "attendance": attendance.as_str() }),
            )
        }
        ConsultCommand::Agenda { items } => {
            let items = check_agenda(items).map_err(ConsultError::Fields)?;
            c.agenda = JsonText(items.clone());
            (Effect::None, json!({ "agenda": items }))
        }
        ConsultCommand::Minutes { text: m } => {
            let m = text("text", m, MAX_MINUTES, false)?;
            c.minutes = m;
            (Effect::None, json!({ "chars": c.minutes.chars().count() }))
        }
        ConsultCommand::Decide {
            text: t,
            assignee_kind,
            assignee,
            due_minutes,
        } => {
            let mut errors = Vec::new();
            let body = text("text", t, 1000, true)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            let addressed = !assignee_kind.trim().is_empty() || !assignee.trim().is_empty();
            if addressed {
                errors.extend(check_assignee(
                    &body,
                    assignee_kind.trim(),
                    assignee,
                    due_minutes.unwrap_or(DEFAULT_DUE_MINUTES),
                ));
            }
            if ctx.decisions.len() >= MAX_DECISIONS {
                errors.push(
                    FieldError::new("text", format!("每次会商最多 {MAX_DECISIONS} 项决定"))
                        .code("too_many")
                        .param("max", MAX_DECISIONS),
                );
            }
            if !errors.is_empty() {
                return Err(ConsultError::Fields(errors));
            }
            let seq = ctx.decisions.iter().map(|d| d.seq).max().unwrap_or(0) + 1;
            let d = NewDecision {
                seq,
                text: body,
                assignee_kind: if addressed {
                    assignee_kind.trim().to_string()
                } else {
                    String::new()
                },
                assignee: if addressed {
                    assignee.trim().to_string()
                } else {
                    String::new()
                },
                due_minutes: addressed.then_some(due_minutes.unwrap_or(DEFAULT_DUE_MINUTES)),
            };
            let payload = json!({ "seq": d.seq, "text": d.text, "assignee_kind": d.assignee_kind, "assignee": d.assignee, "due_minutes": d.due_minutes });
            (Effect::Decide(d), payload)
        }
    };
    c.updated_at = t;
    Ok(Applied {
        consultation: c,
        effect,
        payload,
    })
}

/// A decision turned into an instruction (转为指令) at `now`: the session
/// after it (its version moves, so two clicks cannot both issue) and the
/// instruction to issue, or why not — the session must allow it, be an
/// incident's, and the decision must be addressed and not yet an
/// instruction (the API answers a decision already turned with its
/// instruction, without a new one: the step is idempotent).
pub fn instruct(
    mut c: Consultation,
    d: &Decision,
    now: OffsetDateTime,
) -> Result<(Consultation, crate::incidents::api::NewInstruction), RuleError> {
    step_allowed(c.state, Step::Instruct)?;
    if c.incident_id.is_none() {
        return Err(RuleError::State(Refusal::new(
            "consultation_without_incident",
            "只有关联事件的会商决定可以转为指令",
        )));
    }
    if d.instruction_id.is_some() {
        return Err(RuleError::State(Refusal::new(
            "decision_already_instructed",
            "该决定已转为指令",
        )));
    }
    if d.assignee_kind.is_empty() || d.assignee.is_empty() {
        return Err(RuleError::State(Refusal::new(
            "decision_not_addressed",
            "该决定没有指定承办单位，不能转为指令",
        )));
    }
    c.updated_at = UtcText(now);
    Ok((
        c,
        crate::incidents::api::NewInstruction {
            assignee_kind: d.assignee_kind.clone(),
            assignee: d.assignee.clone(),
            task: d.text.clone(),
            due_minutes: d.due_minutes.unwrap_or(DEFAULT_DUE_MINUTES),
        },
    ))
}

#[cfg(test)]
mod tests;
