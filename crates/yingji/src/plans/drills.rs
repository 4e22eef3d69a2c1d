//! Drills (演练): the planned and held drills of a plan, its drill cycle
//! ([`drill_status`]) and a drill's life (planned → held → evaluated, or
//! cancelled).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::Date;

use super::catalogue::{input, iso_date, Catalog, Plan, PlanError};
use super::improvements::{items_from, new_items, ItemInput};
use super::model::{DrillProblem, Improvement, StoredDrill};
use super::review::add_months;
use super::{Actor, StepError};
use crate::db::{JsonText, UtcText};
use crate::divisions::{Code, Tree};
use crate::error::{FieldError, Refusal};

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
                    Err(input("held_on", "实施日期不能晚于今天").code("in_future"))
                } else if *people == 0 {
                    Err(input("people", "参演人数须大于 0").code("not_positive"))
                } else if *participants == 0 {
                    Err(input("participants", "须至少有一个参演单位").code("participants_required"))
                } else {
                    Ok(S::Held)
                }
            }
            (S::Held, DrillEvent::Evaluate { evaluation }) => {
                if evaluation.trim().is_empty() {
                    Err(input("evaluation", "评估意见不能为空").code("required"))
                } else {
                    Ok(S::Evaluated)
                }
            }
            (S::Planned, DrillEvent::Cancel { reason }) => {
                if reason.trim().is_empty() {
                    Err(input("reason", "取消须说明理由").code("required"))
                } else {
                    Ok(S::Cancelled)
                }
            }
            (s, _) => Err(PlanError::State(s.refusal())),
        }
    }

    /// Why no step (or not this one) is possible in this state.
    fn refusal(self) -> Refusal {
        match self {
            DrillState::Planned => Refusal::new("drill_not_held", "演练尚未实施，不能评估"),
            DrillState::Held => Refusal::new("drill_held", "演练已实施，不能再实施或取消，请评估"),
            DrillState::Evaluated => Refusal::new("drill_evaluated", "演练已评估，不能再变更"),
            DrillState::Cancelled => Refusal::new("drill_cancelled", "演练已取消"),
        }
    }
}

/// A planned drill (also the body of an edit, with `version`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillBody {
    pub version: Option<i64>,
    /// Plan code (not changed by an edit).
    pub plan: Option<String>,
    pub title: String,
    /// tabletop 桌面推演 | live 实战演练 | double_blind 双盲演练
    pub kind: String,
    /// YYYY-MM-DD
    pub planned_on: String,
    /// 12-digit codes; default: the plan's.
    #[serde(default)]
    pub divisions: Vec<String>,
    /// Department codes.
    pub participants: Vec<String>,
    /// People planned to take part.
    pub people: i64,
}

impl StoredDrill {
    /// A new drill of `plan`, planned by `actor` (its fields set by
    /// [`schedule_drill`]; not stored yet).
    pub fn planned(plan: &str, actor: &Actor) -> StoredDrill {
        let at = UtcText(actor.now);
        StoredDrill {
            id: 0,
            plan: plan.into(),
            title: String::new(),
            kind: DrillKind::Tabletop,
            state: DrillState::Planned,
            planned_on: String::new(),
            held_on: None,
            divisions: JsonText(Vec::new()),
            participants: JsonText(Vec::new()),
            people: 0,
            evaluation: String::new(),
            problems: JsonText(Vec::new()),
            note: String::new(),
            source: "platform".into(),
            created_by: actor.username.into(),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }
}

/// Plan (or re-plan, while still planned) drill `d` of `plan` as `b` says:
/// its divisions (default the plan's) exist in `tree`, lie in the plan's
/// area and in the jurisdiction `prefix`; its participants are departments
/// of `catalog`; 1 to 1,000,000 people. Every wrong field is named. Returns
/// the drill to store and the journal payload.
pub fn schedule_drill(
    mut d: StoredDrill,
    b: &DrillBody,
    plan: &Plan,
    catalog: &Catalog,
    tree: &Tree,
    prefix: &str,
    actor: &Actor,
) -> Result<(StoredDrill, Value), StepError> {
    if d.state != DrillState::Planned {
        return Err(PlanError::State(
            Refusal::new(
                "drill_not_editable",
                format!("演练{}，只有计划中的演练可以修改", d.state.label_zh()),
            )
            .param("state", d.state.as_str()),
        )
        .into());
    }
    let mut errors = Vec::new();
    if b.title.trim().is_empty() || b.title.chars().count() > 200 {
        errors.push(
            FieldError::new("title", "必填，最多 200 字")
                .code("required_max")
                .param("max", 200),
        );
    }
    let kind = super::model::parse_drill_kind(&b.kind);
    if kind.is_none() {
        errors.push(
            FieldError::new(
                "kind",
                "演练形式应为 tabletop（桌面推演）、live（实战演练）或 double_blind（双盲演练）",
            )
            .code("not_allowed")
            .param("allowed", "tabletop, live, double_blind"),
        );
    }
    let planned = crate::clock::parse_date(&b.planned_on);
    if planned.is_none() {
        errors.push(FieldError::new("planned_on", "日期格式应为 YYYY-MM-DD").code("not_a_date"));
    }
    let divisions = if b.divisions.is_empty() {
        plan.divisions.clone()
    } else {
        b.divisions.clone()
    };
    for (i, x) in divisions.iter().enumerate() {
        let f = format!("divisions[{i}]");
        match Code::parse(x) {
            Err(e) => errors.push(FieldError::new(f, e.to_string()).code("bad_division")),
            Ok(code) if tree.get(&code).is_none() => errors.push(
                FieldError::new(f, format!("区划 {x} 不存在"))
                    .code("division_not_found")
                    .param("code", x.as_str()),
            ),
            Ok(code) => {
                let inside = plan
                    .divisions
                    .iter()
                    .filter_map(|a| Code::parse(a).ok())
                    .any(|a| code.is_within(&a));
                if !inside {
                    errors
                        .push(FieldError::new(f, "不在预案的适用区域内").code("outside_plan_area"));
                } else if !x.starts_with(prefix) {
                    errors
                        .push(FieldError::new(f, "不在您的管辖范围内").code("out_of_jurisdiction"));
                }
            }
        }
    }
    if b.participants.is_empty() {
        errors.push(
            FieldError::new("participants", "须至少有一个参演单位").code("participants_required"),
        );
    }
    for (i, x) in b.participants.iter().enumerate() {
        if catalog.department(x).is_none() {
            errors.push(
                FieldError::new(format!("participants[{i}]"), format!("单位“{x}”不存在"))
                    .code("department_not_found")
                    .param("code", x.as_str()),
            );
        }
    }
    if !(1..=1_000_000).contains(&b.people) {
        errors.push(
            FieldError::new("people", "参演人数应为 1 至 1000000")
                .code("out_of_range")
                .param("min", 1)
                .param("max", 1_000_000),
        );
    }
    let (Some(kind), Some(planned), true) = (kind, planned, errors.is_empty()) else {
        return Err(StepError::Invalid(errors));
    };
    d.title = b.title.trim().to_string();
    d.kind = kind;
    d.planned_on = super::store::format_date(planned);
    d.divisions = JsonText(divisions);
    d.participants = JsonText(b.participants.clone());
    d.people = b.people;
    d.updated_at = UtcText(actor.now);
    let payload = json!({ "plan": d.plan, "title": d.title, "planned_on": d.planned_on });
    Ok((d, payload))
}

/// A step a user asks of a drill (`POST /drills/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DrillCommand {
    /// 实施: held on a day (YYYY-MM-DD, default today) with the people and
    /// participants who took part (default the planned ones); each problem
    /// found becomes an improvement item.
    Hold {
        #[serde(default)]
        held_on: Option<String>,
        #[serde(default)]
        people: Option<i64>,
        #[serde(default)]
        participants: Option<Vec<String>>,
        #[serde(default)]
        problems: Vec<ItemInput>,
    },
    /// 评估: the evaluation opinion, and problems found.
    Evaluate {
        #[serde(default)]
        evaluation: String,
        #[serde(default)]
        problems: Vec<ItemInput>,
    },
    /// 取消 while planned, with the reason.
    Cancel {
        #[serde(default)]
        reason: String,
    },
}

impl DrillCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            DrillCommand::Hold { .. } => "hold",
            DrillCommand::Evaluate { .. } => "evaluate",
            DrillCommand::Cancel { .. } => "cancel",
        }
    }
}

/// What a step of a drill changes: the drill (to be saved at the version
/// read), the improvement items its problems become (to be inserted, then
/// linked with [`DrillStep::link`]), and what the journal says of it.
#[derive(Debug)]
pub struct DrillStep {
    pub drill: StoredDrill,
    pub improvements: Vec<Improvement>,
    pub kind: &'static str,
    pub payload: Value,
}

impl DrillStep {
    /// Once the items are stored (with their ids): the drill names each
    /// problem's item, and so does the journal.
    pub fn link(&mut self) {
        for i in &self.improvements {
            self.drill.problems.push(DrillProblem {
                title: i.title.clone(),
                improvement: Some(i.id),
            });
        }
        self.payload["improvements"] = self.improvements.iter().map(|i| i.id).collect();
    }
}

/// The step `cmd` on the stored drill `d` by `actor`: the state machine
/// decides first ([`DrillState::transition`], the day being `actor.now`'s),
/// then the step's fields are set and its problems become items owned by
/// the plan's department, due in three months unless given.
pub fn apply_drill(
    mut d: StoredDrill,
    cmd: DrillCommand,
    catalog: &Catalog,
    actor: Actor,
) -> Result<DrillStep, StepError> {
    let today = actor.today();
    let bad_date = |field: &str| {
        StepError::Invalid(vec![
            FieldError::new(field, "日期格式应为 YYYY-MM-DD").code("not_a_date")
        ])
    };
    let (ev, problems) = match &cmd {
        DrillCommand::Hold {
            held_on,
            people,
            participants,
            problems,
        } => {
            let held_on = match held_on.as_deref().map(str::trim) {
                None | Some("") => today,
                Some(x) => crate::clock::parse_date(x).ok_or_else(|| bad_date("held_on"))?,
            };
            let participants = participants.as_ref().unwrap_or(&d.participants.0);
            if let Some(i) = participants
                .iter()
                .position(|x| catalog.department(x).is_none())
            {
                return Err(StepError::Invalid(vec![FieldError::new(
                    format!("participants[{i}]"),
                    format!("单位“{}”不存在", participants[i]),
                )
                .code("department_not_found")
                .param("code", participants[i].as_str())]));
            }
            let ev = DrillEvent::Hold {
                held_on,
                people: u32::try_from(people.unwrap_or(d.people)).unwrap_or(0),
                participants: participants.len(),
            };
            (ev, problems.as_slice())
        }
        DrillCommand::Evaluate {
            evaluation,
            problems,
        } => {
            if evaluation.chars().count() > 2000 {
                return Err(StepError::Invalid(vec![FieldError::too_long(
                    "evaluation",
                    2000,
                )]));
            }
            let ev = DrillEvent::Evaluate {
                evaluation: evaluation.clone(),
            };
            (ev, problems.as_slice())
        }
        DrillCommand::Cancel { reason } => (
            DrillEvent::Cancel {
                reason: reason.clone(),
            },
            &[][..],
        ),
    };
    let from = d.state;
    d.state = from.transition(&ev, today)?;
    let owner = catalog
        .plans
        .iter()
        .rev()
        .find(|x| x.code == d.plan)
        .map(|x| x.owner.clone())
        .unwrap_or_default();
    let found =
        items_from(catalog, problems, "problems", &owner, today).map_err(StepError::Invalid)?;
    let (kind, note) = match cmd {
        DrillCommand::Hold {
            people,
            participants,
            ..
        } => {
            if let DrillEvent::Hold { held_on, .. } = ev {
                d.held_on = Some(super::store::format_date(held_on));
            }
            if let Some(n) = people {
                d.people = n;
            }
            if let Some(ps) = participants {
                d.participants = JsonText(ps);
            }
            ("drill_held", None)
        }
        DrillCommand::Evaluate { evaluation, .. } => {
            d.evaluation = evaluation.trim().to_string();
            ("drill_evaluated", None)
        }
        DrillCommand::Cancel { reason } => {
            d.note = reason.trim().to_string();
            ("drill_cancelled", Some(d.note.clone()))
        }
    };
    d.updated_at = UtcText(actor.now);
    let division = d.divisions.first().cloned().unwrap_or_default();
    let improvements = new_items(
        actor.username,
        "drill",
        d.id,
        &d.plan,
        &division,
        found,
        actor.now,
    );
    let payload = json!({ "from": from.as_str(), "to": d.state.as_str(), "plan": d.plan, "held_on": d.held_on, "reason": note, "improvements": [] });
    Ok(DrillStep {
        drill: d,
        improvements,
        kind,
        payload,
    })
}

/// What `actor` may do to the drill now: `edit` while planned, and the
/// steps the state machine allows. Empty for who may not write it.
pub fn drill_allowed(d: &StoredDrill, actor: &Actor) -> Vec<&'static str> {
    if !actor.may_write {
        return Vec::new();
    }
    let today = actor.today();
    let samples = [
        DrillEvent::Hold {
            held_on: today,
            people: 1,
            participants: 1,
        },
        DrillEvent::Evaluate {
            evaluation: "-".into(),
        },
        DrillEvent::Cancel { reason: "-".into() },
    ];
    let mut out = Vec::new();
    if d.state == DrillState::Planned {
        out.push("edit");
    }
    for ev in &samples {
        if d.state.transition(ev, today).is_ok() {
            out.push(ev.as_str());
        }
    }
    out
}

impl DrillEvent {
    pub fn as_str(&self) -> &'static str {
        match self {
            DrillEvent::Hold { .. } => "hold",
            DrillEvent::Evaluate { .. } => "evaluate",
            DrillEvent::Cancel { .. } => "cancel",
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
    use crate::plans::store::StoredDrill;
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

    fn stored(state: DrillState) -> StoredDrill {
        let at = crate::db::UtcText(time::macros::datetime!(2026-11-01 00:00 UTC));
        StoredDrill {
            id: 7,
            plan: "DT-ZX-MK".into(),
            title: "矿山事故桌面推演".into(),
            kind: DrillKind::Tabletop,
            state,
            planned_on: "2026-11-20".into(),
            held_on: None,
            divisions: crate::db::JsonText(vec!["140200000000".into()]),
            participants: crate::db::JsonText(vec!["emergency".into()]),
            people: 20,
            evaluation: String::new(),
            problems: crate::db::JsonText(Vec::new()),
            note: String::new(),
            source: "platform".into(),
            created_by: "a".into(),
            created_at: at,
            updated_at: at,
            version: 3,
        }
    }

    fn actor(may_write: bool) -> Actor<'static> {
        Actor {
            username: "yz",
            commander: false,
            may_write,
            // 2026-11-29 in CST.
            now: time::macros::datetime!(2026-11-29 02:00 UTC),
        }
    }

    #[test]
    fn the_steps_offered_follow_the_drill_machine() {
        use DrillState as S;
        let table: Vec<(S, bool, Vec<&str>)> = vec![
            (S::Planned, true, vec!["edit", "hold", "cancel"]),
            (S::Planned, false, vec![]),
            (S::Held, true, vec!["evaluate"]),
            (S::Evaluated, true, vec![]),
            (S::Cancelled, true, vec![]),
        ];
        for (state, may_write, offered) in table {
            assert_eq!(
                drill_allowed(&stored(state), &actor(may_write)),
                offered,
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_drill_step_applies_after_the_machine_allows_it() {
        use DrillState as S;
        let c = catalog();
        let hold = |held_on: Option<&str>, problems: Vec<&str>| DrillCommand::Hold {
            held_on: held_on.map(Into::into),
            people: Some(24),
            participants: None,
            problems: problems
                .into_iter()
                .map(|t| ItemInput {
                    title: t.into(),
                    owner_department: None,
                    due_on: None,
                })
                .collect(),
        };
        let evaluate = |e: &str| DrillCommand::Evaluate {
            evaluation: e.into(),
            problems: Vec::new(),
        };
        let cancel = |r: &str| DrillCommand::Cancel { reason: r.into() };
        // (from, command, the state after or the error: a field or a refusal code)
        let table: Vec<(S, DrillCommand, Result<S, &str>)> = vec![
            (S::Planned, hold(None, vec![]), Ok(S::Held)),
            (S::Planned, hold(Some("2026-11-30"), vec![]), Err("held_on")),
            (S::Planned, hold(Some("soon"), vec![]), Err("held_on")),
            (S::Planned, hold(None, vec![" "]), Err("problems[0].title")),
            (S::Held, hold(None, vec![]), Err("drill_held")),
            (S::Held, evaluate("达到预期"), Ok(S::Evaluated)),
            (S::Held, evaluate(" "), Err("evaluation")),
            (S::Planned, evaluate("x"), Err("drill_not_held")),
            (S::Evaluated, evaluate("x"), Err("drill_evaluated")),
            (S::Planned, cancel("天气"), Ok(S::Cancelled)),
            (S::Planned, cancel(""), Err("reason")),
            (S::Held, cancel("x"), Err("drill_held")),
            (S::Cancelled, hold(None, vec![]), Err("drill_cancelled")),
        ];
        for (from, cmd, want) in table {
            let what = format!("{from:?} {cmd:?}");
            let got = apply_drill(stored(from), cmd, &c, actor(true))
                .map(|step| step.drill.state)
                .map_err(|e| match e {
                    StepError::Invalid(fs) => fs[0].field.clone(),
                    StepError::Plan(PlanError::Input { field, .. }) => field.to_string(),
                    StepError::Plan(e) => {
                        e.refusal().map(|r| r.code.to_string()).unwrap_or_default()
                    }
                });
            assert_eq!(got, want.map_err(String::from), "{what}");
        }
        // Holding sets the day, the people and an item per problem, due in
        // three months and owned by the plan's department; the journal and
        // the drill name each item once it is stored.
        let mut step = apply_drill(
            stored(S::Planned),
            hold(None, vec!["广播盲区"]),
            &c,
            actor(true),
        )
        .expect("holds");
        assert_eq!(step.kind, "drill_held");
        assert_eq!(step.drill.held_on.as_deref(), Some("2026-11-29"));
        assert_eq!(
            (step.drill.people, step.drill.updated_at.0),
            (24, actor(true).now)
        );
        let owner = c.plan("DT-ZX-MK").expect("plan").owner.clone();
        assert_eq!(step.improvements.len(), 1);
        let item = &step.improvements[0];
        assert_eq!(
            (item.due_on.as_str(), &item.owner_department),
            ("2027-02-28", &owner)
        );
        step.improvements[0].id = 41;
        step.link();
        assert_eq!(step.payload["improvements"], serde_json::json!([41]));
        assert_eq!(step.drill.problems[0].improvement, Some(41));
        let step =
            apply_drill(stored(S::Planned), cancel(" 天气 "), &c, actor(true)).expect("cancels");
        assert_eq!(
            (step.drill.note.as_str(), step.kind),
            ("天气", "drill_cancelled")
        );
        assert_eq!(step.payload["to"], "cancelled");
    }
}
