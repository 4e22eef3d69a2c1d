//! Improvement items (整改事项) found by drills and reviews: open → in
//! progress → done → verified by someone other than who completed it.

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalogue::{Catalog, PlanError};
use super::review::add_months;
use crate::error::FieldError;

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
            errors.push(FieldError::new(
                format!("{field}[{i}].due_on"),
                "日期格式应为 YYYY-MM-DD",
            ));
            continue;
        };
        let problems = check_improvement(c, &x.title, &dept, due, on);
        if problems.is_empty() {
            out.push((x.title.trim().to_string(), dept, due));
        }
        for (f, m) in problems {
            errors.push(FieldError::new(format!("{field}[{i}].{f}"), m));
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
) -> Vec<super::store::Improvement> {
    let at = crate::db::UtcText(now);
    items
        .into_iter()
        .map(|(title, dept, due)| super::store::Improvement {
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
