//! Check lists (检查表): templates of check items per industry, each item
//! with its legal basis, and an inspection filled against one — every item
//! passed, failed or not applicable; a failed item becomes a finding and a
//! hidden hazard in one step (`api_checklists.rs`).
//!
//! 《安全生产法》(2021) 第六十五条 (cited from memory) lets the departments 进入生产经营单位进行
//! 检查 and 对检查中发现的事故隐患，应当责令立即排除; the check items and
//! their basis are configuration (issue #16: "check lists per industry
//! (configurable items with their legal basis)"), not law written here.
//!
//! Pure: no SQL, no HTTP, no clock reads.

use serde::{Deserialize, Serialize};

use super::RuleError;
use crate::error::{text, FieldError, Refusal};

/// Items a template holds at most.
pub const MAX_ITEMS: usize = 200;

/// One check item: what is checked and against which clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckItem {
    pub text: String,
    /// 检查依据 (the clause).
    #[serde(default)]
    pub basis: String,
}

/// A template as entered (`POST`/`PUT /supervision/check-templates`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// Only when editing: the version read.
    pub version: Option<i64>,
    pub title: String,
    /// The enterprise industry (the enterprise registry's category) it is
    /// for; empty: any.
    #[serde(default)]
    pub industry: String,
    pub items: Vec<CheckItem>,
}

/// The checked template: title, industry, items — or every bad field,
/// named (`items[3].text`).
pub fn check_template(
    b: &TemplateBody,
) -> Result<(String, String, Vec<CheckItem>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let take = |r: Result<String, FieldError>, errors: &mut Vec<FieldError>| {
        r.unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        })
    };
    let title = take(text("title", &b.title, 100, true), &mut errors);
    let industry = take(text("industry", &b.industry, 50, false), &mut errors);
    if b.items.is_empty() || b.items.len() > MAX_ITEMS {
        errors.push(
            FieldError::new("items", format!("检查项应为 1–{MAX_ITEMS} 项"))
                .code("items_count")
                .param("min", 1)
                .param("max", MAX_ITEMS),
        );
    }
    let items = b
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| CheckItem {
            text: take(
                text(&format!("items[{i}].text"), &it.text, 500, true),
                &mut errors,
            ),
            basis: take(
                text(&format!("items[{i}].basis"), &it.basis, 500, false),
                &mut errors,
            ),
        })
        .collect();
    if errors.is_empty() {
        Ok((title, industry, items))
    } else {
        Err(errors)
    }
}

/// What an inspector found for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// 符合
    Pass,
    /// 不符合
    Fail,
    /// 不适用
    NotApplicable,
}

/// An item of an inspection's check list as filled (the template's text
/// and basis copied, so a later edit of the template does not change it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checked {
    pub text: String,
    pub basis: String,
    pub result: CheckResult,
    pub note: String,
    /// The finding and hidden hazard a failed item became.
    #[serde(default)]
    pub finding_id: Option<i64>,
    #[serde(default)]
    pub hazard_id: Option<i64>,
}

/// One answer, in the template's order.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub result: CheckResult,
    /// What was found (required for a failed item).
    #[serde(default)]
    pub note: String,
}

/// Fill `items` with `answers`. `before` is what the inspection holds for
/// the same template (empty for another or none): an item that already
/// became a hazard keeps it and must stay failed.
pub fn fill(
    items: &[CheckItem],
    answers: &[Answer],
    before: &[Checked],
) -> Result<Vec<Checked>, Vec<FieldError>> {
    if answers.len() != items.len() {
        return Err(vec![FieldError::new(
            "answers",
            format!("应逐项填写全部 {} 个检查项", items.len()),
        )
        .code("answers_count")
        .param("expected", items.len())]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, (it, a)) in items.iter().zip(answers).enumerate() {
        let note = match text(
            &format!("answers[{i}].note"),
            &a.note,
            1000,
            a.result == CheckResult::Fail,
        ) {
            Ok(n) => n,
            Err(e) => {
                errors.push(if e.code == "required" {
                    FieldError::new(format!("answers[{i}].note"), "不符合项须写明发现的问题")
                        .code("fail_needs_note")
                } else {
                    e
                });
                String::new()
            }
        };
        let prior = before.get(i).filter(|b| b.text == it.text);
        let (finding_id, hazard_id) = prior.map_or((None, None), |b| (b.finding_id, b.hazard_id));
        if let Some(h) = hazard_id {
            if a.result != CheckResult::Fail {
                errors.push(
                    FieldError::new(
                        format!("answers[{i}].result"),
                        "该项已转为隐患，不能改为符合",
                    )
                    .code("item_has_hazard")
                    .param("hazard_id", h),
                );
            }
        }
        out.push(Checked {
            text: it.text.clone(),
            basis: it.basis.clone(),
            result: a.result,
            note,
            finding_id,
            hazard_id,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Whether the list may be filled against another template: not once an
/// item became a hazard.
pub fn may_change_template(before: &[Checked]) -> Result<(), RuleError> {
    match before.iter().find_map(|c| c.hazard_id) {
        Some(h) => Err(RuleError::State(
            Refusal::new(
                "checklist_has_hazards",
                "检查表已有转为隐患的项，不能更换检查表",
            )
            .param("hazard_id", h),
        )),
        None => Ok(()),
    }
}

/// The failed item `n` that is to become a hazard, or why not.
pub fn may_item_hazard(checks: &[Checked], n: usize) -> Result<&Checked, RuleError> {
    let c = checks.get(n).ok_or_else(|| {
        RuleError::Field(
            FieldError::new("item", "没有该检查项")
                .code("no_such_item")
                .param("count", checks.len()),
        )
    })?;
    if c.result != CheckResult::Fail {
        return Err(RuleError::State(
            Refusal::new("item_not_failed", "只有不符合项才能转为隐患").param("item", n),
        ));
    }
    if let Some(h) = c.hazard_id {
        return Err(super::inspections::finding_has_hazard(h));
    }
    Ok(c)
}

/// Whether a template made at `template_division` serves a user at
/// `user_division` with scope `scope_prefix`: a level above theirs (or
/// their own) made it, or it lies inside their scope.
pub fn template_visible(template_division: &str, user_division: &str, scope_prefix: &str) -> bool {
    let above = crate::divisions::Code::parse(template_division)
        .is_ok_and(|c| user_division.starts_with(c.prefix()));
    above || template_division.starts_with(scope_prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckResult::*;

    fn item(t: &str) -> CheckItem {
        CheckItem {
            text: t.into(),
            basis: format!("{t}依据"),
        }
    }
    fn answer(result: CheckResult, note: &str) -> Answer {
        Answer {
            result,
            note: note.into(),
        }
    }

    #[test]
    fn templates_name_every_bad_field() {
        let b = TemplateBody {
            version: None,
            title: " ".into(),
            industry: String::new(),
            items: vec![
                item("a"),
                CheckItem {
                    text: " ".into(),
                    basis: "x".repeat(501),
                },
            ],
        };
        let e = check_template(&b).unwrap_err();
        let f: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            f,
            [
                ("title", "required"),
                ("items[1].text", "required"),
                ("items[1].basis", "too_long")
            ]
        );
        let none = TemplateBody {
            items: vec![],
            title: "煤矿".into(),
            ..b.clone()
        };
        assert_eq!(check_template(&none).unwrap_err()[0].code, "items_count");
        let many = TemplateBody {
            items: vec![item("a"); MAX_ITEMS + 1],
            title: "煤矿".into(),
            ..b.clone()
        };
        assert_eq!(check_template(&many).unwrap_err()[0].code, "items_count");
        let ok = TemplateBody {
            items: vec![item(" 瓦斯 ")],
            title: " 煤矿 ".into(),
            ..b
        };
        assert_eq!(check_template(&ok).unwrap().0, "煤矿");
        assert_eq!(check_template(&ok).unwrap().2[0].text, "瓦斯");
    }

    /// (answers, before, the fields refused with their codes)
    #[test]
    fn filling_a_list() {
        let items = [item("甲"), item("乙"), item("丙")];
        let done = |r: CheckResult, h: Option<i64>, t: &str| Checked {
            text: t.into(),
            basis: String::new(),
            result: r,
            note: "n".into(),
            finding_id: h,
            hazard_id: h,
        };
        type Row = (Vec<Answer>, Vec<Checked>, Vec<(&'static str, &'static str)>);
        let table: Vec<Row> = vec![
            (
                vec![
                    answer(Pass, ""),
                    answer(NotApplicable, ""),
                    answer(Fail, "缺失"),
                ],
                vec![],
                vec![],
            ),
            // Every item answered.
            (
                vec![answer(Pass, "")],
                vec![],
                vec![("answers", "answers_count")],
            ),
            // A failed item says what was found.
            (
                vec![answer(Pass, ""), answer(Fail, " "), answer(Pass, "")],
                vec![],
                vec![("answers[1].note", "fail_needs_note")],
            ),
            // An item that became a hazard stays failed …
            (
                vec![answer(Pass, ""), answer(Pass, ""), answer(Pass, "")],
                vec![done(Pass, None, "甲"), done(Fail, Some(9), "乙")],
                vec![("answers[1].result", "item_has_hazard")],
            ),
            // … and keeps its hazard when answered again.
            (
                vec![answer(Pass, ""), answer(Fail, "仍缺失"), answer(Pass, "")],
                vec![done(Pass, None, "甲"), done(Fail, Some(9), "乙")],
                vec![],
            ),
        ];
        for (i, (answers, before, want)) in table.into_iter().enumerate() {
            match fill(&items, &answers, &before) {
                Ok(out) => {
                    assert!(want.is_empty(), "row {i}");
                    assert_eq!(out.len(), 3);
                    assert_eq!(out[0].basis, "甲依据", "the basis is copied");
                    if !before.is_empty() {
                        assert_eq!(out[1].hazard_id, Some(9), "row {i}");
                    }
                }
                Err(e) => {
                    let got: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
                    assert_eq!(got, want, "row {i}");
                }
            }
        }
    }

    #[test]
    fn only_a_failed_item_without_a_hazard_becomes_one() {
        let c = |result, hazard_id| Checked {
            text: "t".into(),
            basis: String::new(),
            result,
            note: String::new(),
            finding_id: hazard_id,
            hazard_id,
        };
        let checks = [
            c(Pass, None),
            c(Fail, None),
            c(Fail, Some(4)),
            c(NotApplicable, None),
        ];
        let code = |n| match may_item_hazard(&checks, n) {
            Ok(_) => "ok".to_string(),
            Err(RuleError::State(r) | RuleError::Forbidden(r)) => r.code.to_string(),
            Err(RuleError::Field(f)) => f.code.to_string(),
        };
        assert_eq!(
            (0..5).map(code).collect::<Vec<_>>(),
            [
                "item_not_failed",
                "ok",
                "finding_has_hazard",
                "item_not_failed",
                "no_such_item"
            ]
        );
        assert!(may_change_template(&checks[..2]).is_ok());
        assert!(may_change_template(&checks).is_err());
    }

    #[test]
    fn templates_serve_their_subtree_and_are_seen_from_above() {
        // (made at, user at, user's scope, visible)
        let table = [
            ("140200000000", "140213000000", "140213", true), // the city's, for a county
            ("140213000000", "140213000000", "140213", true), // its own
            ("140215000000", "140213000000", "140213", false), // another county's
            ("140213000000", "140200000000", "1402", true),   // the city sees a county's
            ("130100000000", "140200000000", "1402", false),  // another province's
        ];
        for (made, user, scope, want) in table {
            assert_eq!(
                template_visible(made, user, scope),
                want,
                "{made} for {user}"
            );
        }
    }
}
