//! What users ask of an incident, its instructions and dispatch orders, as
//! typed commands (`{"kind": …}` bodies), and the pure rules that turn a
//! command into what changes: the record after the step, the records it
//! creates, and what the journal says of it. Handlers only load, authorize,
//! call [`apply`] (or [`apply_instruction`], [`apply_order`]), save and
//! commit.
//!
//! Side fields (when an instruction was received, who approved an order,
//! when a response ended) are set here, after the state machine has allowed
//! the step — never before.

use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::model::{DispatchStep, InstructionFeedback};
use super::store::{Incident, Instruction, Order};
use super::{
    commander_event, instructions_from_plan, DispatchEvent, Event, InstructionEvent,
    InstructionState, Role,
};
use crate::clock::{format_time, CST};
use crate::error::{FieldError, Refusal, RuleError};
use crate::plans::store::Improvement;
use crate::plans::{match_plans, Catalog, ItemInput, Level, PlanError};

/// A step of an incident's life cycle (`POST /incidents/{id}/events`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum IncidentCommand {
    /// 核实属实.
    Verify {},
    /// 误报: closes a report not yet verified.
    MarkFalse {
        #[serde(default)]
        reason: String,
    },
    /// 定级 by the rules (the plan's criteria, 493号令 for accidents).
    Grade {},
    /// 启动响应 at `level` under `plan` (one of the matching plans).
    StartResponse {
        level: Level,
        #[serde(default)]
        plan: String,
    },
    /// 升级 / 降级.
    ChangeLevel {
        level: Level,
        #[serde(default)]
        reason: String,
    },
    /// 结束响应.
    EndResponse {
        #[serde(default)]
        reason: String,
    },
    /// 总结评估, with the improvement items (整改事项) it found.
    Review {
        #[serde(default)]
        summary: String,
        #[serde(default)]
        improvements: Vec<ItemInput>,
    },
}

impl IncidentCommand {
    pub fn kind(&self) -> &'static str {
        match self {
            IncidentCommand::Verify {} => "verify",
            IncidentCommand::MarkFalse { .. } => "mark_false",
            IncidentCommand::Grade {} => "grade",
            IncidentCommand::StartResponse { .. } => "start_response",
            IncidentCommand::ChangeLevel { .. } => "change_level",
            IncidentCommand::EndResponse { .. } => "end_response",
            IncidentCommand::Review { .. } => "review",
        }
    }
}

/// Who asks, and when.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub username: &'a str,
    /// A commander (or admin): decides the response.
    pub commander: bool,
    pub now: OffsetDateTime,
}

/// Why a command is refused.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Fields of the command are wrong.
    #[error("invalid command")]
    Invalid(Vec<FieldError>),
}

/// What a step of the life cycle changes.
#[derive(Debug)]
pub struct Applied {
    /// The incident after the step (to be saved at the version read).
    pub incident: Incident,
    /// Instructions the step issues (from the plan's task templates).
    pub instructions: Vec<Instruction>,
    /// Improvement items the review found.
    pub improvements: Vec<Improvement>,
    /// The journal entry's kind and payload.
    pub kind: &'static str,
    pub payload: Value,
}

/// The step `cmd` on `i`, by `actor`, with the plans of `catalog`.
pub fn apply(
    mut i: Incident,
    cmd: IncidentCommand,
    catalog: &Catalog,
    actor: Actor,
) -> Result<Applied, CommandError> {
    if let Some(what) = commander_event(cmd.kind()).filter(|_| !actor.commander) {
        return Err(RuleError::Forbidden(
            Refusal::new("commander_only", format!("{what}须由指挥长决定"))
                .param("event", cmd.kind()),
        )
        .into());
    }
    let now = actor.now;
    let today = now.to_offset(CST).date();
    let mut instructions = Vec::new();
    let mut improvements = Vec::new();
    let ev = match cmd {
        IncidentCommand::Verify {} => Event::Verify,
        IncidentCommand::MarkFalse { reason } => Event::MarkFalse { reason },
        IncidentCommand::Grade {} => Event::Grade {
            level: super::grade(catalog, &i.incident_type, &i.division, &i.facts, today)?.level,
        },
        IncidentCommand::StartResponse { level, plan } => {
            // The version in force today among the matching plans.
            let revision = match_plans(catalog, &i.incident_type, &i.division, &i.facts, today)?
                .iter()
                .find(|m| m.code == plan)
                .map(|m| m.revision);
            let found = catalog
                .plans
                .iter()
                .find(|x| x.code == plan && Some(x.revision) == revision)
                .ok_or_else(|| {
                    CommandError::Invalid(vec![FieldError::new("plan", "请选择适用于该事件的预案")
                        .code("not_matching_plan")])
                })?;
            for d in instructions_from_plan(found, level, now)? {
                instructions.push(Instruction {
                    id: 0,
                    incident_id: i.id,
                    division: i.division.clone(),
                    assignee_kind: d.assignee_kind.as_str().into(),
                    assignee: d.assignee,
                    task: d.task,
                    due_at: d.deadline.into(),
                    state: InstructionState::Issued,
                    issued_by: actor.username.into(),
                    issued_at: now.into(),
                    received_at: None,
                    feedback: Default::default(),
                    closed_at: None,
                    version: 1,
                });
            }
            i.plan_revision = i64::from(found.revision);
            Event::StartResponse { level, plan }
        }
        IncidentCommand::ChangeLevel { level, reason } => Event::ChangeLevel { level, reason },
        IncidentCommand::EndResponse { reason } => Event::EndResponse { reason },
        IncidentCommand::Review {
            summary,
            improvements: found,
        } => {
            let items =
                crate::plans::items_from(catalog, &found, "improvements", "emergency", today)
                    .map_err(CommandError::Invalid)?;
            improvements = crate::plans::new_items(
                actor.username,
                "incident",
                i.id,
                &i.plan_code,
                &i.division,
                items,
                now,
            );
            Event::Review { summary }
        }
    };
    let from = i.state;
    i.state = from.transition(&ev)?;
    match &ev {
        Event::Grade { level } => i.grade = *level,
        Event::StartResponse { plan, .. } => i.plan_code = plan.clone(),
        Event::EndResponse { .. } => i.ended_at = Some(now.into()),
        _ => {}
    }
    i.updated_at = now.into();
    let mut payload = json!({
        "from": from.as_str(), "to": i.state.as_str(), "event": ev, "why": ev.why(),
        "instructions": instructions.len(),
    });
    if let Event::StartResponse { .. } = ev {
        payload["plan_revision"] = json!(i.plan_revision);
    }
    if !improvements.is_empty() {
        payload["improvements"] = json!(improvements.len());
    }
    Ok(Applied {
        incident: i,
        instructions,
        improvements,
        kind: ev.as_str(),
        payload,
    })
}

// ── instructions ───────────────────────────────────────────────────────

/// The journal's name of an instruction step.
pub fn instruction_kind(e: &InstructionEvent) -> &'static str {
    match e {
        InstructionEvent::Receive {} => "instruction_received",
        InstructionEvent::Start {} => "instruction_started",
        InstructionEvent::Feedback { .. } => "instruction_feedback",
        InstructionEvent::Accept {} => "instruction_accepted",
        InstructionEvent::Return { .. } => "instruction_returned",
    }
}

/// The instruction after `ev` by `username` in `role`, and the journal
/// payload of the step.
pub fn apply_instruction(
    mut x: Instruction,
    ev: &InstructionEvent,
    role: Role,
    username: &str,
    now: OffsetDateTime,
) -> Result<(Instruction, Value), RuleError> {
    x.state = x.state.transition(ev, role)?;
    match ev {
        InstructionEvent::Receive {} => x.received_at = Some(now.into()),
        InstructionEvent::Feedback {
            text,
            photos,
            location,
        } => x.feedback.push(InstructionFeedback {
            text: text.clone(),
            photos: photos.clone(),
            location: *location,
            by: username.to_string(),
            at: format_time(now),
        }),
        InstructionEvent::Accept {} => x.closed_at = Some(now.into()),
        InstructionEvent::Start {} | InstructionEvent::Return { .. } => {}
    }
    let payload = json!({ "instruction": x.id, "event": ev, "state": x.state });
    Ok((x, payload))
}

/// Which instruction steps `role` may take now (asked of the state machine,
/// so the UI does not copy it).
pub fn instruction_allowed(state: InstructionState, role: Role) -> Vec<&'static str> {
    let samples = [
        InstructionEvent::Receive {},
        InstructionEvent::Start {},
        InstructionEvent::Feedback {
            text: "-".into(),
            photos: Vec::new(),
            location: None,
        },
        InstructionEvent::Accept {},
        InstructionEvent::Return { reason: "-".into() },
    ];
    samples
        .iter()
        .filter(|e| state.transition(e, role).is_ok())
        .map(InstructionEvent::as_str)
        .collect()
}

// ── dispatch orders ────────────────────────────────────────────────────

/// A step of a dispatch order (`POST /dispatch-orders/{id}/events`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderCommand {
    /// 批准 (a commander; not the requester).
    Approve {},
    /// 出发.
    Depart {},
    /// 到达.
    Arrive {},
    /// 返回 (from the scene, or recalled en route).
    Return {},
    /// 取消, with the reason.
    Cancel {
        #[serde(default)]
        reason: String,
    },
}

impl OrderCommand {
    fn event(self, approver: &str) -> DispatchEvent {
        match self {
            OrderCommand::Approve {} => DispatchEvent::Approve {
                approver: approver.into(),
            },
            OrderCommand::Depart {} => DispatchEvent::Depart,
            OrderCommand::Arrive {} => DispatchEvent::Arrive,
            OrderCommand::Return {} => DispatchEvent::Return,
            OrderCommand::Cancel { reason } => DispatchEvent::Cancel { reason },
        }
    }
}

/// Only a commander approves a dispatch (《大同市突发事件总体应急预案》: the
/// 指挥长 commits the forces).
fn approval_needs_commander(cmd: &OrderCommand, actor: &Actor) -> Result<(), RuleError> {
    if matches!(cmd, OrderCommand::Approve {}) && !actor.commander {
        return Err(RuleError::Forbidden(
            Refusal::new("commander_only", "调派须由指挥长批准").param("event", "approve"),
        ));
    }
    Ok(())
}

/// The order after `cmd` by `actor`, the registry status its resource takes,
/// and the journal payload.
pub fn apply_order(
    mut o: Order,
    cmd: OrderCommand,
    actor: Actor,
) -> Result<(Order, &'static str, Value), RuleError> {
    approval_needs_commander(&cmd, &actor)?;
    let ev = cmd.event(actor.username);
    o.state = o.state.transition(&ev, &o.requested_by, true)?;
    let reason = match &ev {
        DispatchEvent::Approve { approver } => {
            o.approved_by = approver.clone();
            None
        }
        DispatchEvent::Cancel { reason } => Some(reason.clone()),
        _ => None,
    };
    o.steps.push(DispatchStep {
        state: o.state,
        by: actor.username.to_string(),
        at: format_time(actor.now),
        reason,
    });
    let status = super::resource_status_for(o.state);
    let payload = json!({ "order": o.id, "resource": o.resource_name, "state": o.state, "resource_status": status });
    Ok((o, status, payload))
}

/// Which order steps `actor` may take now.
pub fn order_allowed(o: &Order, actor: &Actor) -> Vec<&'static str> {
    [
        OrderCommand::Approve {},
        OrderCommand::Depart {},
        OrderCommand::Arrive {},
        OrderCommand::Return {},
        OrderCommand::Cancel { reason: "-".into() },
    ]
    .into_iter()
    .filter(|cmd| approval_needs_commander(cmd, actor).is_ok())
    .map(|cmd| cmd.event(actor.username))
    .filter(|ev| o.state.transition(ev, &o.requested_by, true).is_ok())
    .map(|ev| ev.as_str())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::{DispatchState, IncidentState};
    use crate::plans::Facts;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-07-01 10:00 UTC);

    fn incident(state: IncidentState) -> Incident {
        Incident {
            title: "t".into(),
            division: "140226000000".into(),
            facts: Facts {
                deaths: 3,
                ..Facts::default()
            },
            created_by: "a".into(),
            version: 4,
            ..Incident::sample(7, "accident.production.coal_mine", NOW, state)
        }
    }

    fn actor(commander: bool) -> Actor<'static> {
        Actor {
            username: "duty",
            commander,
            now: NOW,
        }
    }

    fn catalog() -> Catalog {
        Catalog::embedded().expect("embedded catalogue is valid")
    }

    #[test]
    fn each_command_changes_what_its_step_says_and_nothing_before_the_rule_allows_it() {
        use IncidentState as S;
        let c = catalog();
        let l3 = S::Responding { level: Level::III };
        // (from, command, commander, state after or the refusal's kind)
        let table: Vec<(S, IncidentCommand, bool, Result<S, &str>)> = vec![
            (
                S::Reported,
                IncidentCommand::Verify {},
                false,
                Ok(S::Verified),
            ),
            (S::Verified, IncidentCommand::Verify {}, false, Err("state")),
            (
                S::Reported,
                IncidentCommand::MarkFalse {
                    reason: "重复来电".into(),
                },
                false,
                Ok(S::Dismissed),
            ),
            (
                S::Reported,
                IncidentCommand::MarkFalse { reason: " ".into() },
                false,
                Err("field"),
            ),
            (S::Verified, IncidentCommand::Grade {}, false, Ok(S::Graded)),
            (S::Reported, IncidentCommand::Grade {}, false, Err("state")),
            (
                S::Graded,
                IncidentCommand::ChangeLevel {
                    level: Level::II,
                    reason: "x".into(),
                },
                true,
                Err("state"),
            ),
            (
                l3,
                IncidentCommand::ChangeLevel {
                    level: Level::II,
                    reason: "扩大".into(),
                },
                true,
                Ok(S::Responding { level: Level::II }),
            ),
            (
                l3,
                IncidentCommand::ChangeLevel {
                    level: Level::II,
                    reason: "扩大".into(),
                },
                false,
                Err("forbidden"),
            ),
            (
                l3,
                IncidentCommand::EndResponse {
                    reason: "处置完毕".into(),
                },
                true,
                Ok(S::Ended),
            ),
            (
                l3,
                IncidentCommand::EndResponse {
                    reason: "处置完毕".into(),
                },
                false,
                Err("forbidden"),
            ),
            (
                S::Ended,
                IncidentCommand::Review {
                    summary: "总结".into(),
                    improvements: vec![],
                },
                false,
                Ok(S::Reviewed),
            ),
            (
                S::Graded,
                IncidentCommand::StartResponse {
                    level: Level::III,
                    plan: "no-such-plan".into(),
                },
                true,
                Err("invalid"),
            ),
        ];
        for (from, cmd, commander, want) in table {
            let name = format!("{from:?} {cmd:?} commander={commander}");
            let got = apply(incident(from), cmd, &c, actor(commander));
            match (got, want) {
                (Ok(done), Ok(to)) => {
                    assert_eq!(done.incident.state, to, "{name}");
                    assert_eq!(done.incident.updated_at, NOW.into(), "{name}");
                    assert_eq!(done.payload["to"], to.as_str(), "{name}");
                }
                (Err(e), Err(kind)) => {
                    let k = match e {
                        CommandError::Rule(RuleError::State(_)) => "state",
                        CommandError::Rule(RuleError::Field(_)) => "field",
                        CommandError::Rule(RuleError::Forbidden(_)) => "forbidden",
                        CommandError::Invalid(_) => "invalid",
                        CommandError::Plan(_) => "plan",
                    };
                    assert_eq!(k, kind, "{name}");
                }
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn side_fields_follow_the_step_they_belong_to() {
        let c = catalog();
        // Grade sets the grade (3 deaths in a coal mine: Ⅲ by 493号令).
        let g = apply(
            incident(IncidentState::Verified),
            IncidentCommand::Grade {},
            &c,
            actor(false),
        )
        .expect("grades");
        assert_eq!(g.incident.grade, Some(Level::III));
        // A refused grade leaves no grade behind (the rule decides first).
        let refused = apply(
            incident(IncidentState::Reported),
            IncidentCommand::Grade {},
            &c,
            actor(false),
        );
        assert!(refused.is_err());
        // End response stamps the end.
        let l = IncidentState::Responding { level: Level::III };
        let e = apply(
            incident(l),
            IncidentCommand::EndResponse {
                reason: "完毕".into(),
            },
            &c,
            actor(true),
        )
        .expect("ends");
        assert_eq!(e.incident.ended_at, Some(NOW.into()));
        // Starting under a matching plan issues its task templates and
        // records the revision in force.
        let mut graded = incident(IncidentState::Graded);
        graded.grade = Some(Level::III);
        let plans = match_plans(
            &c,
            &graded.incident_type,
            &graded.division,
            &graded.facts,
            NOW.date(),
        )
        .expect("matches");
        let plan = plans.first().expect("a coal-mine accident has a plan");
        let s = apply(
            graded,
            IncidentCommand::StartResponse {
                level: Level::III,
                plan: plan.code.clone(),
            },
            &c,
            actor(true),
        )
        .expect("starts");
        assert_eq!(s.incident.plan_code, plan.code);
        assert_eq!(s.incident.plan_revision, i64::from(plan.revision));
        assert!(!s.instructions.is_empty());
        assert!(s
            .instructions
            .iter()
            .all(|x| x.issued_by == "duty" && x.incident_id == 7));
        assert_eq!(s.payload["instructions"], s.instructions.len());
    }

    fn order(state: DispatchState) -> Order {
        Order {
            id: 1,
            incident_id: 7,
            division: "140226000000".into(),
            resource_kind: "team".into(),
            resource_id: 3,
            resource_name: "矿山救护队".into(),
            state,
            requested_by: "duty".into(),
            requested_at: NOW.into(),
            approved_by: String::new(),
            steps: Default::default(),
            version: 1,
        }
    }

    #[test]
    fn order_steps_and_what_each_actor_is_offered() {
        use DispatchState as D;
        let boss = Actor {
            username: "boss",
            ..actor(true)
        };
        // (state, actor, offered)
        let table: Vec<(D, Actor, Vec<&str>)> = vec![
            (D::Requested, boss, vec!["approve", "cancel"]),
            (D::Requested, actor(false), vec!["cancel"]),
            // The requester may not approve their own request.
            (D::Requested, actor(true), vec!["cancel"]),
            (D::Approved, actor(false), vec!["depart", "cancel"]),
            (D::Departed, actor(false), vec!["arrive", "return"]),
            (D::Arrived, actor(false), vec!["return"]),
            (D::Returned, boss, vec![]),
            (D::Cancelled, boss, vec![]),
        ];
        for (state, who, offered) in table {
            assert_eq!(
                order_allowed(&order(state), &who),
                offered,
                "{state:?} {}",
                who.username
            );
        }
        let (o, status, _) =
            apply_order(order(D::Requested), OrderCommand::Approve {}, boss).expect("approves");
        assert_eq!(
            (o.state, o.approved_by.as_str(), status),
            (D::Approved, "boss", "dispatched")
        );
        assert_eq!(o.steps.len(), 1);
        let refused = apply_order(order(D::Requested), OrderCommand::Approve {}, actor(false));
        assert!(matches!(refused, Err(RuleError::Forbidden(_))));
    }

    #[test]
    fn instruction_steps_set_their_times_and_offer_by_role() {
        let x = Instruction {
            id: 2,
            incident_id: 7,
            division: "140226000000".into(),
            assignee_kind: "department".into(),
            assignee: "dept.emergency".into(),
            task: "t".into(),
            due_at: NOW.into(),
            state: InstructionState::Issued,
            issued_by: "boss".into(),
            issued_at: NOW.into(),
            received_at: None,
            feedback: Default::default(),
            closed_at: None,
            version: 1,
        };
        let assignee = Role {
            assignee: true,
            issuer: false,
            commander: false,
        };
        let issuer = Role {
            assignee: false,
            issuer: true,
            commander: false,
        };
        assert_eq!(
            instruction_allowed(InstructionState::Issued, assignee),
            vec!["receive"]
        );
        assert_eq!(
            instruction_allowed(InstructionState::Issued, issuer),
            Vec::<&str>::new()
        );
        assert_eq!(
            instruction_allowed(InstructionState::FeedbackGiven, issuer),
            vec!["accept", "return"]
        );
        let (r, _) = apply_instruction(
            x.clone(),
            &InstructionEvent::Receive {},
            assignee,
            "op",
            NOW,
        )
        .expect("receives");
        assert_eq!(r.received_at, Some(NOW.into()));
        assert!(apply_instruction(x, &InstructionEvent::Receive {}, issuer, "boss", NOW).is_err());
    }
}
