//! Improvement items (整改事项) found by drills and reviews: open → in
//! progress → done → verified by someone other than who completed it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::Date;

use super::catalogue::{Catalog, PlanError};
use super::model::Improvement;
use super::review::add_months;
use super::Actor;
use crate::db::UtcText;
use crate::error::{FieldError, Refusal};

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

/// A step of an improvement item, as the state machine reads it.
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
    pub fn as_str(self) -> &'static str {
        match self {
            ImprovementEvent::Start => "start",
            ImprovementEvent::Complete => "complete",
            ImprovementEvent::Verify => "verify",
            ImprovementEvent::Reopen => "reopen",
        }
    }
}

/// A step a user asks of an improvement item (`POST
/// /improvements/{id}/events`, tagged by `kind`), with an optional note
/// for the journal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ImprovementCommand {
    /// 开始整改.
    Start {
        #[serde(default)]
        note: Option<String>,
    },
    /// 完成整改.
    Complete {
        #[serde(default)]
        note: Option<String>,
    },
    /// 验证销号, by someone other than who completed it.
    Verify {
        #[serde(default)]
        note: Option<String>,
    },
    /// 验证不通过, back to work.
    Reopen {
        #[serde(default)]
        note: Option<String>,
    },
}

impl ImprovementCommand {
    pub fn event(&self) -> ImprovementEvent {
        match self {
            ImprovementCommand::Start { .. } => ImprovementEvent::Start,
            ImprovementCommand::Complete { .. } => ImprovementEvent::Complete,
            ImprovementCommand::Verify { .. } => ImprovementEvent::Verify,
            ImprovementCommand::Reopen { .. } => ImprovementEvent::Reopen,
        }
    }
    fn note(&self) -> Option<&str> {
        match self {
            ImprovementCommand::Start { note }
            | ImprovementCommand::Complete { note }
            | ImprovementCommand::Verify { note }
            | ImprovementCommand::Reopen { note } => note.as_deref(),
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
            // 整改“销号”须由他人验证: whoever completed an item does not
            // close it (docs/rules.md, 整改事项).
            (S::Done, E::Verify) if actor == done_by => Err(PlanError::State(Refusal::new(
                "no_self_verify",
                "整改完成人不能自己验证销号，须由他人验证",
            ))),
            (S::Done, E::Verify) => Ok(S::Verified),
            (S::Done, E::Reopen) => Ok(S::InProgress),
            (s, e) => Err(PlanError::State(s.refusal().param("event", e.as_str()))),
        }
    }

    /// Why a step is refused in this state.
    fn refusal(self) -> Refusal {
        match self {
            ImprovementState::Open => {
                Refusal::new("improvement_not_started", "整改事项待整改，须先开始整改")
            }
            ImprovementState::InProgress => {
                Refusal::new("improvement_in_progress", "整改事项整改中，完成后才能验证")
            }
            ImprovementState::Done => {
                Refusal::new("improvement_done", "整改事项已完成，等待验证销号")
            }
            ImprovementState::Verified => {
                Refusal::new("improvement_verified", "整改事项已验证销号，不能再变更")
            }
        }
    }

    /// Closed items are never overdue.
    pub fn is_closed(self) -> bool {
        matches!(self, ImprovementState::Done | ImprovementState::Verified)
    }
}

/// The step `cmd` on item `i` by `actor`: the state machine decides
/// first, then who completed or verified it and when are set. Returns the
/// item to save, the journal kind and its payload.
pub fn apply_improvement(
    mut i: Improvement,
    cmd: &ImprovementCommand,
    actor: Actor,
) -> Result<(Improvement, &'static str, Value), PlanError> {
    let ev = cmd.event();
    let from = i.state;
    i.state = from.transition(ev, actor.username, &i.done_by)?;
    let at = UtcText(actor.now);
    match ev {
        ImprovementEvent::Complete => {
            i.done_by = actor.username.into();
            i.done_at = Some(at);
        }
        ImprovementEvent::Verify => {
            i.verified_by = actor.username.into();
            i.verified_at = Some(at);
        }
        ImprovementEvent::Start | ImprovementEvent::Reopen => {}
    }
    i.updated_at = at;
    let payload = json!({ "from": from.as_str(), "to": i.state.as_str(), "note": cmd.note() });
    Ok((i, ev.as_str(), payload))
}

/// What `actor` may do to the item now (asked of the state machine, so
/// the UI does not copy it): whoever completed it is not offered `verify`.
pub fn improvement_allowed(i: &Improvement, actor: &Actor) -> Vec<&'static str> {
    if !actor.may_write {
        return Vec::new();
    }
    use ImprovementEvent as E;
    [E::Start, E::Complete, E::Verify, E::Reopen]
        .into_iter()
        .filter(|e| i.state.transition(*e, actor.username, &i.done_by).is_ok())
        .map(E::as_str)
        .collect()
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
) -> Vec<FieldError> {
    let mut out = Vec::new();
    if title.trim().is_empty() || title.chars().count() > 500 {
        out.push(
            FieldError::new("title", "整改事项必填，最多 500 字")
                .code("required_max")
                .param("max", 500),
        );
    }
    if catalog.department(owner_department).is_none() {
        out.push(
            FieldError::new(
                "owner_department",
                format!("责任单位“{owner_department}”不存在"),
            )
            .code("department_not_found")
            .param("code", owner_department),
        );
    }
    if due_on < today {
        out.push(FieldError::new("due_on", "整改期限不能早于今天").code("due_in_past"));
    }
    out
}

/// A problem found, to become an improvement item.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub title: String,
    /// Department code; default the plan's owner.
    #[serde(default)]
    pub owner_department: Option<String>,
    /// YYYY-MM-DD; default 3 months from today.
    #[serde(default)]
    pub due_on: Option<String>,
}

/// Validate improvement inputs into items (every problem named as
/// `{field}[i].…`); `owner` is the default responsible department.
pub fn items_from(
    c: &Catalog,
    inputs: &[ItemInput],
    field: &str,
    owner: &str,
    on: Date,
) -> Result<Vec<(String, String, Date)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, x) in inputs.iter().enumerate() {
        let dept = x
            .owner_department
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .unwrap_or(owner)
            .to_string();
        let due = match x.due_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => Some(default_due(on)),
            Some(d) => crate::clock::parse_date(d),
        };
        let Some(due) = due else {
            errors.push(
                FieldError::new(format!("{field}[{i}].due_on"), "日期格式应为 YYYY-MM-DD")
                    .code("not_a_date"),
            );
            continue;
        };
        let problems = check_improvement(c, &x.title, &dept, due, on);
        if problems.is_empty() {
            out.push((x.title.trim().to_string(), dept, due));
        }
        for mut e in problems {
            e.field = format!("{field}[{i}].{}", e.field);
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Improvement items to insert for a source record.
pub fn new_items(
    created_by: &str,
    source: &str,
    source_id: i64,
    plan_code: &str,
    division: &str,
    items: Vec<(String, String, Date)>,
    now: time::OffsetDateTime,
) -> Vec<Improvement> {
    let at = crate::db::UtcText(now);
    items
        .into_iter()
        .map(|(title, dept, due)| Improvement {
            id: 0,
            source: source.into(),
            source_id,
            plan_code: plan_code.into(),
            division: division.into(),
            title,
            owner_department: dept,
            due_on: super::store::format_date(due),
            state: ImprovementState::Open,
            created_by: created_by.into(),
            created_at: at,
            done_by: String::new(),
            done_at: None,
            verified_by: String::new(),
            verified_at: None,
            updated_at: at,
            version: 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::plans::catalogue::tests::catalog;
    use crate::plans::store::Improvement;
    use crate::plans::*;
    use time::macros::date;

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
        assert_eq!(e.refusal().map(|r| r.code), Some("no_self_verify"));
        for s in [S::Open, S::InProgress, S::Done, S::Verified] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    fn item(state: ImprovementState, done_by: &str) -> Improvement {
        let at = crate::db::UtcText(time::macros::datetime!(2026-11-01 00:00 UTC));
        Improvement {
            id: 5,
            source: "drill".into(),
            source_id: 7,
            plan_code: "DT-ZX-MK".into(),
            division: "140200000000".into(),
            title: "补充通信设备".into(),
            owner_department: "emergency".into(),
            due_on: "2027-01-01".into(),
            state,
            created_by: "a".into(),
            created_at: at,
            done_by: done_by.into(),
            done_at: None,
            verified_by: String::new(),
            verified_at: None,
            updated_at: at,
            version: 2,
        }
    }

    fn actor(username: &str, may_write: bool) -> Actor<'_> {
        Actor {
            username,
            commander: false,
            may_write,
            now: time::macros::datetime!(2026-11-29 02:00 UTC),
        }
    }

    #[test]
    fn the_steps_offered_follow_the_item_machine() {
        use ImprovementState as S;
        // (state, completed by, actor, may write, offered)
        let table: Vec<(S, &str, &str, bool, Vec<&str>)> = vec![
            (S::Open, "", "a", true, vec!["start"]),
            (S::Open, "", "a", false, vec![]),
            (S::InProgress, "", "a", true, vec!["complete"]),
            (S::Done, "a", "b", true, vec!["verify", "reopen"]),
            // Whoever completed it is not offered the verification.
            (S::Done, "a", "a", true, vec!["reopen"]),
            (S::Verified, "a", "b", true, vec![]),
        ];
        for (state, done_by, who, may_write, offered) in table {
            assert_eq!(
                improvement_allowed(&item(state, done_by), &actor(who, may_write)),
                offered,
                "{state:?} by {who}"
            );
        }
    }

    #[test]
    fn an_item_step_records_who_and_when_after_the_machine_allows_it() {
        use ImprovementCommand as C;
        use ImprovementState as S;
        let now = actor("a", true).now;
        let (i, kind, payload) = apply_improvement(
            item(S::InProgress, ""),
            &C::Complete {
                note: Some("已配备".into()),
            },
            actor("a", true),
        )
        .expect("completes");
        assert_eq!(
            (i.state, kind, i.done_by.as_str()),
            (S::Done, "complete", "a")
        );
        assert_eq!((i.done_at.map(|t| t.0), i.updated_at.0), (Some(now), now));
        assert_eq!(
            payload,
            serde_json::json!({ "from": "in_progress", "to": "done", "note": "已配备" })
        );
        let e = apply_improvement(i.clone(), &C::Verify { note: None }, actor("a", true))
            .expect_err("not by who completed it");
        assert_eq!(e.refusal().map(|r| r.code), Some("no_self_verify"));
        let (v, kind, _) =
            apply_improvement(i, &C::Verify { note: None }, actor("b", true)).expect("verifies");
        assert_eq!(
            (v.state, kind, v.verified_by.as_str()),
            (S::Verified, "verify", "b")
        );
        assert_eq!(v.verified_at.map(|t| t.0), Some(now));
        // A refused step sets nothing and names why by a code.
        let table = [
            (
                S::Open,
                C::Complete { note: None },
                "improvement_not_started",
            ),
            (
                S::InProgress,
                C::Verify { note: None },
                "improvement_in_progress",
            ),
            (S::Done, C::Start { note: None }, "improvement_done"),
            (
                S::Verified,
                C::Reopen { note: None },
                "improvement_verified",
            ),
        ];
        for (state, cmd, code) in table {
            let e =
                apply_improvement(item(state, "x"), &cmd, actor("b", true)).expect_err("refused");
            assert_eq!(e.refusal().map(|r| r.code), Some(code), "{state:?} {cmd:?}");
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
        let fields: Vec<(String, &str)> =
            check_improvement(&c, " ", "nobody", date!(2026 - 11 - 28), today)
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect();
        assert_eq!(
            fields,
            [
                ("title".to_string(), "required_max"),
                ("owner_department".to_string(), "department_not_found"),
                ("due_on".to_string(), "due_in_past")
            ]
        );
    }
}
