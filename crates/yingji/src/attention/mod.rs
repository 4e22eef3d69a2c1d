//! What needs attention now (指挥长工作台): unverified reports, overdue
//! instructions, the 10-hour rescue clocks, dispatch orders and warnings
//! awaiting approval, plans due for evaluation and drills overdue — each
//! list ordered most urgent first.
//!
//! The rule is a pure function of what the store holds and the clock; the
//! API gathers the inputs within the caller's jurisdiction.

pub mod api;

use serde::Serialize;
use time::OffsetDateTime;

use crate::incidents::store::{Incident, Instruction, Order};
use crate::incidents::{
    instruction_overdue, rescue_clock, rescue_clock_applies, ClockStatus, DispatchState,
    IncidentState, RESCUE_LIMIT,
};
use crate::plans::{DrillStatus, ReviewStatus};
use crate::warnings::model::Warning;
use crate::warnings::WarningState;

/// Plans whose evaluation falls due within this many days are listed too.
pub const REVIEW_SOON_DAYS: i64 = 30;

/// One plan's review and drill status, as the catalogue gives it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanCheck {
    pub code: String,
    pub title: String,
    pub review: ReviewStatus,
    pub drill: DrillStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Unverified {
    pub incident_id: i64,
    pub title: String,
    pub division: String,
    pub received_at: String,
    /// Minutes since it was received.
    pub waiting_min: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverdueInstruction {
    pub instruction_id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub assignee_kind: String,
    pub assignee: String,
    pub task: String,
    pub due_at: String,
    pub overdue_min: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = AttentionClock)]
pub struct RescueClock {
    pub incident_id: i64,
    pub title: String,
    pub deadline: String,
    pub remaining_s: i64,
    pub status: ClockStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AwaitingApproval {
    /// `dispatch_order` or `warning`
    pub kind: &'static str,
    pub id: i64,
    /// The incident of a dispatch order.
    pub incident_id: Option<i64>,
    pub title: String,
    pub requested_by: String,
    pub since: String,
    pub waiting_min: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDue {
    pub code: String,
    pub title: String,
    /// `review_overdue`, `review_soon`, `drill_overdue` or `never_drilled`
    pub reason: &'static str,
    /// Days past due (negative: days left).
    pub days: i64,
}

/// A 重大事故隐患 still being rectified past its deadline, and the level
/// that supervises it now (escalated by `supervision::escalation`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OverdueHazard {
    pub hazard_id: i64,
    pub title: String,
    pub division_name: String,
    /// The division prefix of the supervising level (挂牌督办).
    pub supervising: String,
    pub supervising_name: String,
    /// How many times it was escalated.
    pub escalations: i64,
    pub due_at: String,
    pub overdue_days: i64,
}

/// The commander's list.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct Attention {
    pub unverified: Vec<Unverified>,
    pub overdue_instructions: Vec<OverdueInstruction>,
    pub clocks: Vec<RescueClock>,
    pub awaiting_approval: Vec<AwaitingApproval>,
    pub plans: Vec<PlanDue>,
    /// Overdue 重大事故隐患, most overdue first.
    pub hazards: Vec<OverdueHazard>,
}

impl Attention {
    /// Items in all lists.
    #[cfg(test)]
    pub fn total(&self) -> usize {
        self.unverified.len()
            + self.overdue_instructions.len()
            + self.clocks.len()
            + self.awaiting_approval.len()
            + self.plans.len()
            + self.hazards.len()
    }
}

/// The rule. `instructions` and `orders` are those of the active incidents;
/// `today` is the local (China) date of `now`.
pub fn attention(
    incidents: &[Incident],
    instructions: &[Instruction],
    orders: &[Order],
    warnings: &[Warning],
    plans: &[PlanCheck],
    now: OffsetDateTime,
    today: time::Date,
) -> Attention {
    let title_of = |id: i64| {
        incidents
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.title.clone())
            .unwrap_or_default()
    };
    let mut a = Attention::default();
    for i in incidents.iter().filter(|i| i.state.is_active()) {
        if i.state == IncidentState::Reported {
            a.unverified.push(Unverified {
                incident_id: i.id,
                title: i.title.clone(),
                division: i.division.clone(),
                received_at: i.received_at.text(),
                waiting_min: (now - i.received_at.0).whole_minutes(),
            });
        }
        // The clock runs only for incidents with 受灾人员
        // (`incidents::rescue_clock_applies`).
        if !rescue_clock_applies(&i.facts) {
            continue;
        }
        let onset = i.onset_at.0;
        let helped = i.helped_at.map(|t| t.0);
        let c = rescue_clock(onset, helped, now, RESCUE_LIMIT);
        // A clock is shown until help came in time.
        if c.status != ClockStatus::Met {
            a.clocks.push(RescueClock {
                incident_id: i.id,
                title: i.title.clone(),
                deadline: crate::clock::format_time(c.deadline),
                remaining_s: c.remaining_s,
                status: c.status,
            });
        }
    }
    a.unverified
        .sort_by_key(|u| std::cmp::Reverse(u.waiting_min));
    a.clocks.sort_by_key(|c| c.remaining_s);

    for x in instructions {
        let due = x.due_at.0;
        if instruction_overdue(due, x.state, now) {
            a.overdue_instructions.push(OverdueInstruction {
                instruction_id: x.id,
                incident_id: x.incident_id,
                incident_title: title_of(x.incident_id),
                assignee_kind: x.assignee_kind.clone(),
                assignee: x.assignee.clone(),
                task: x.task.clone(),
                due_at: x.due_at.text(),
                overdue_min: (now - due).whole_minutes(),
            });
        }
    }
    a.overdue_instructions
        .sort_by_key(|o| std::cmp::Reverse(o.overdue_min));

    for o in orders
        .iter()
        .filter(|o| o.state == DispatchState::Requested)
    {
        a.awaiting_approval.push(AwaitingApproval {
            kind: "dispatch_order",
            id: o.id,
            incident_id: Some(o.incident_id),
            title: o.resource_name.clone(),
            requested_by: o.requested_by.clone(),
            since: o.requested_at.text(),
            waiting_min: (now - o.requested_at.0).whole_minutes(),
        });
    }
    for w in warnings
        .iter()
        .filter(|w| w.state == WarningState::Submitted)
    {
        a.awaiting_approval.push(AwaitingApproval {
            kind: "warning",
            id: w.id,
            incident_id: None,
            title: if w.headline.is_empty() {
                w.area_desc.clone()
            } else {
                w.headline.clone()
            },
            requested_by: w.author.clone(),
            since: w.updated_at.text(),
            waiting_min: (now - w.updated_at.0).whole_minutes(),
        });
    }
    a.awaiting_approval
        .sort_by_key(|x| std::cmp::Reverse(x.waiting_min));

    for p in plans {
        let days_left = (p.review.due_on - today).whole_days();
        if p.review.overdue {
            a.plans
                .push(due(p, "review_overdue", p.review.overdue_days));
        } else if days_left <= REVIEW_SOON_DAYS {
            a.plans.push(due(p, "review_soon", -days_left));
        }
        if p.drill.never_drilled {
            a.plans.push(due(p, "never_drilled", 0));
        } else if p.drill.overdue {
            a.plans.push(due(p, "drill_overdue", p.drill.overdue_days));
        }
    }
    a.plans.sort_by_key(|x| std::cmp::Reverse(x.days));
    a
}

/// The overdue 重大 hazards of `hazards` at `now` (the rule of
/// `supervision::overdue`), most overdue first; `name` names a division
/// (code or prefix).
pub fn overdue_hazards(
    hazards: &[crate::supervision::Hazard],
    now: OffsetDateTime,
    name: impl Fn(&str) -> String,
) -> Vec<OverdueHazard> {
    use crate::supervision::{overdue, supervising_level, HazardGrade};
    let mut out: Vec<OverdueHazard> = hazards
        .iter()
        .filter(|h| h.grade == Some(HazardGrade::Major) && overdue(h.state, h.due_at, now))
        .filter_map(|h| {
            let due = h.due_at?;
            let supervising = supervising_level(h)?;
            Some(OverdueHazard {
                hazard_id: h.id,
                title: h.title.clone(),
                division_name: name(&h.division),
                supervising_name: name(&supervising),
                supervising,
                escalations: h.escalations,
                due_at: due.text(),
                overdue_days: (now - due.0).whole_days(),
            })
        })
        .collect();
    out.sort_by_key(|x| (std::cmp::Reverse(x.overdue_days), x.hazard_id));
    out
}

fn due(p: &PlanCheck, reason: &'static str, days: i64) -> PlanDue {
    PlanDue {
        code: p.code.clone(),
        title: p.title.clone(),
        reason,
        days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::InstructionState;
    use crate::plans::{Facts, Level};
    use time::macros::{date, datetime};
    use time::Duration;

    const NOW: OffsetDateTime = datetime!(2026-11-29 04:00 UTC);

    fn incident(
        id: i64,
        state: IncidentState,
        onset_h_ago: i64,
        helped_h_ago: Option<i64>,
    ) -> Incident {
        let at = |h: i64| crate::db::UtcText(NOW - Duration::hours(h));
        Incident {
            facts: Facts {
                affected_people: 40,
                ..Facts::default()
            },
            helped_at: helped_h_ago.map(at),
            created_by: "pingcheng".into(),
            updated_at: at(0),
            ..Incident::sample(
                id,
                "accident.production.coal_mine",
                NOW - Duration::hours(onset_h_ago),
                state,
            )
        }
    }

    fn instruction(
        id: i64,
        incident_id: i64,
        due_min: i64,
        state: InstructionState,
    ) -> Instruction {
        Instruction {
            id,
            incident_id,
            division: "140213000000".into(),
            assignee_kind: "department".into(),
            assignee: "yjj".into(),
            task: format!("任务{id}"),
            due_at: (NOW + Duration::minutes(due_min)).into(),
            state,
            issued_by: "commander".into(),
            issued_at: (NOW - Duration::hours(2)).into(),
            received_at: None,
            feedback: Default::default(),
            closed_at: None,
            version: 1,
        }
    }

    #[test]
    fn the_table() {
        let responding = IncidentState::Responding { level: Level::III };
        let incidents = [
            incident(1, IncidentState::Reported, 1, None),
            incident(2, IncidentState::Reported, 3, None),
            incident(3, responding, 9, None),    // 1 h left: warning
            incident(4, responding, 11, None),   // breached
            incident(5, responding, 2, Some(1)), // helped in time: not listed
            incident(6, IncidentState::Verified, 5, None), // running
            // Trapped miners but no 受灾人员: no clock (plan 二.(三)3).
            Incident {
                facts: Facts {
                    trapped: 3,
                    ..Facts::default()
                },
                ..incident(7, responding, 11, None)
            },
        ];
        let instructions = [
            instruction(10, 3, -30, InstructionState::Issued), // 30 min late
            instruction(11, 3, -90, InstructionState::Received), // 90 min late
            instruction(12, 3, 30, InstructionState::Issued),  // not yet due
            instruction(13, 4, -10, InstructionState::Accepted), // done: not listed
        ];
        let plans = [
            PlanCheck {
                code: "A".into(),
                title: "甲".into(),
                review: crate::plans::review_due_from(
                    date!(2023 - 11 - 01),
                    3,
                    date!(2026 - 11 - 29),
                ),
                drill: crate::plans::DrillStatus {
                    cycle_months: 12,
                    last_held_on: Some(date!(2026 - 06 - 01)),
                    due_on: Some(date!(2027 - 06 - 01)),
                    overdue: false,
                    overdue_days: 0,
                    never_drilled: false,
                    next_planned_on: None,
                },
            },
            PlanCheck {
                code: "B".into(),
                title: "乙".into(),
                review: crate::plans::review_due_from(
                    date!(2024 - 12 - 20),
                    2,
                    date!(2026 - 11 - 29),
                ),
                drill: crate::plans::DrillStatus {
                    cycle_months: 12,
                    last_held_on: None,
                    due_on: None,
                    overdue: false,
                    overdue_days: 0,
                    never_drilled: true,
                    next_planned_on: None,
                },
            },
            PlanCheck {
                code: "C".into(),
                title: "丙".into(),
                review: crate::plans::review_due_from(
                    date!(2025 - 01 - 01),
                    3,
                    date!(2026 - 11 - 29),
                ),
                drill: crate::plans::DrillStatus {
                    cycle_months: 12,
                    last_held_on: Some(date!(2025 - 01 - 01)),
                    due_on: Some(date!(2026 - 01 - 01)),
                    overdue: true,
                    overdue_days: 332,
                    never_drilled: false,
                    next_planned_on: None,
                },
            },
        ];
        let a = attention(
            &incidents,
            &instructions,
            &[],
            &[],
            &plans,
            NOW,
            date!(2026 - 11 - 29),
        );
        assert_eq!(
            a.unverified
                .iter()
                .map(|u| u.incident_id)
                .collect::<Vec<_>>(),
            [2, 1],
            "oldest first"
        );
        assert_eq!(a.unverified[0].waiting_min, 180);
        assert_eq!(
            a.clocks
                .iter()
                .map(|c| (c.incident_id, c.status))
                .collect::<Vec<_>>(),
            [
                (4, ClockStatus::Breached),
                (3, ClockStatus::Warning),
                (6, ClockStatus::Running),
                (2, ClockStatus::Running),
                (1, ClockStatus::Running)
            ],
            "least time left first; helped in time and incidents without 受灾人员 not listed"
        );
        assert_eq!(
            a.overdue_instructions
                .iter()
                .map(|o| (o.instruction_id, o.overdue_min))
                .collect::<Vec<_>>(),
            [(11, 90), (10, 30)]
        );
        assert_eq!(a.overdue_instructions[0].incident_title, "事件3");
        assert_eq!(
            a.plans
                .iter()
                .map(|p| (p.code.as_str(), p.reason, p.days))
                .collect::<Vec<_>>(),
            [
                ("C", "drill_overdue", 332),
                ("A", "review_overdue", 28),
                ("B", "never_drilled", 0),
                ("B", "review_soon", -21)
            ],
        );
        assert_eq!(a.total(), 2 + 5 + 2 + 4);
    }

    #[test]
    fn overdue_major_hazards_most_overdue_first() {
        use crate::supervision::{HazardGrade, HazardSource, HazardState, Reported};
        let h = |id: i64, grade, state, due_h_ago: i64, listed: &str| {
            let mut h = crate::supervision::Hazard::reported(
                Reported {
                    enterprise_id: 1,
                    division: "140214100000".into(),
                    org: "enterprise:1".into(),
                    title: format!("隐患{id}"),
                    description: String::new(),
                    location: String::new(),
                    source: HazardSource::Routine,
                    reported_by: "x".into(),
                },
                crate::db::UtcText(NOW - Duration::days(60)),
            );
            h.id = id;
            h.grade = Some(grade);
            h.state = state;
            h.due_at = Some(crate::db::UtcText(NOW - Duration::hours(due_h_ago)));
            h.listed_division = listed.into();
            h
        };
        let hs = [
            h(1, HazardGrade::Major, HazardState::Rectifying, 30, ""),
            h(
                2,
                HazardGrade::Major,
                HazardState::Rectifying,
                24 * 40,
                "1402",
            ),
            h(
                3,
                HazardGrade::General,
                HazardState::Rectifying,
                24 * 50,
                "",
            ), // 一般: no
            h(4, HazardGrade::Major, HazardState::Rectified, 24 * 50, ""), // reported done: no
            h(5, HazardGrade::Major, HazardState::Rectifying, -1, ""),     // not yet due: no
        ];
        let got = overdue_hazards(&hs, NOW, |d| format!("<{d}>"));
        assert_eq!(
            got.iter()
                .map(|x| (x.hazard_id, x.overdue_days, x.supervising.as_str()))
                .collect::<Vec<_>>(),
            [(2, 40, "1402"), (1, 1, "140214")]
        );
        assert_eq!(got[1].supervising_name, "<140214>");
        assert_eq!(got[1].division_name, "<140214100000>");
    }
}
