//! The review cycle: a plan is evaluated at least every
//! [`MAX_REVIEW_YEARS`] years; an evaluation concludes that it still fits or
//! must be revised, and restarts the clock.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use serde_json::{json, Value};

use super::catalogue::{input, iso_date, Plan, PlanError};
use super::model::Evaluation;
use super::{Actor, StepError};
use crate::db::UtcText;
use crate::error::{FieldError, Refusal};

/// A plan is evaluated at least every this many years.
pub const MAX_REVIEW_YEARS: u8 = 3;

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
}

/// An evaluation may not be dated in the future nor before the evaluated
/// version was published.
pub fn check_evaluation(plan: &Plan, evaluated_on: Date, today: Date) -> Result<(), PlanError> {
    if !plan.is_published() {
        return Err(PlanError::State(Refusal::new(
            "draft_not_evaluable",
            "草稿尚未发布，不能评估",
        )));
    }
    if evaluated_on > today {
        return Err(input("evaluated_on", "评估日期不能晚于今天").code("in_future"));
    }
    if evaluated_on < plan.published_on {
        return Err(input(
            "evaluated_on",
            format!("评估日期不能早于该版本的发布日期 {}", plan.published_on),
        )
        .code("before_published")
        .param("published_on", plan.published_on.to_string()));
    }
    Ok(())
}

/// An evaluation of plan `code`'s version in force (`current`; none
/// before one is published) by `actor`: the day (YYYY-MM-DD, not in the
/// future nor before the version was published), the conclusion
/// (`adequate` | `revise`) and a note of at most 2,000 characters. Returns
/// the evaluation to insert and the journal payload.
pub fn evaluation(
    code: &str,
    current: Option<&Plan>,
    evaluated_on: &str,
    conclusion: &str,
    note: &str,
    actor: &Actor,
) -> Result<(Evaluation, Value), StepError> {
    let current = current.ok_or_else(|| {
        PlanError::State(
            Refusal::new(
                "not_published_no_evaluation",
                "预案尚无已发布的版本，不能评估",
            )
            .param("code", code),
        )
    })?;
    let date = crate::clock::parse_date(evaluated_on);
    let parsed = Conclusion::parse(conclusion);
    let mut errors = Vec::new();
    if date.is_none() {
        errors.push(FieldError::new("evaluated_on", "日期格式应为 YYYY-MM-DD").code("not_a_date"));
    }
    if parsed.is_none() {
        errors.push(
            FieldError::new(
                "conclusion",
                "评估结论应为 adequate（继续适用）或 revise（需要修订）",
            )
            .code("not_allowed")
            .param("allowed", "adequate, revise"),
        );
    }
    if note.chars().count() > 2000 {
        errors.push(FieldError::too_long("note", 2000));
    }
    let (Some(date), Some(conclusion), true) = (date, parsed, errors.is_empty()) else {
        return Err(StepError::Invalid(errors));
    };
    check_evaluation(current, date, actor.today())?;
    let e = Evaluation {
        id: 0,
        code: code.into(),
        revision: i64::from(current.revision),
        evaluated_on: date.to_string(),
        conclusion,
        note: note.trim().to_string(),
        recorded_by: actor.username.into(),
        recorded_at: UtcText(actor.now),
    };
    let payload = json!({ "revision": e.revision, "evaluated_on": e.evaluated_on, "conclusion": conclusion.as_str() });
    Ok((e, payload))
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

#[cfg(test)]
mod tests {
    use crate::plans::catalogue::tests::catalog;
    use time::Date;

    impl Catalog {
        /// Current plans overdue for evaluation on `on`.
        fn review_overdue(&self, on: Date) -> Vec<(&Plan, ReviewStatus)> {
            self.current_plans()
                .into_iter()
                .map(|p| (p, review_due(p, on)))
                .filter(|(_, s)| s.overdue)
                .collect()
        }
    }
    use crate::plans::*;
    use time::macros::date;

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
}
