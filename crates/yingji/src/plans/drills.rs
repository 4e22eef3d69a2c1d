//! Drills (演练): the planned and held drills of a plan, its drill cycle
//! ([`drill_status`]) and a drill's life (planned → held → evaluated, or
//! cancelled).

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalogue::{input, iso_date, Plan, PlanError};
use super::review::add_months;

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

#[cfg(test)]
mod tests {
    use crate::plans::catalogue::tests::catalog;

    impl Catalog {
        /// The plan's drills, oldest first (held date, or planned date while not held).
        fn drill_history(&self, plan_code: &str) -> Vec<&Drill> {
            drill_history(&self.drills, plan_code)
        }

        /// Current plans overdue for a drill on `on` (plans never drilled are
        /// flagged by [`DrillStatus::never_drilled`], not here).
        fn drill_overdue(&self, on: Date) -> Vec<(&Plan, DrillStatus)> {
            self.current_plans()
                .into_iter()
                .map(|p| (p, drill_status(p, &self.drills, on)))
                .filter(|(_, s)| s.overdue)
                .collect()
        }
    }
    use crate::plans::*;
    use time::macros::date;
    use time::Date;

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
}
