//! 预案备案: a published plan version is filed with the bodies the rules
//! name (《突发事件应急预案管理办法》(国办发〔2024〕5号) 第四章“审批、发布、
//! 备案”: e.g. a county government's overall plan with the government one
//! level up, a department's plan with the same-level government and the
//! department above, copied to the emergency-management department). The
//! platform records each filing — with whom, on which day, the receipt — as
//! a record of its own (`plan_filings`), added, never changed. Pure: the
//! day is a parameter.

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalogue::Plan;
use crate::db::UtcText;
use crate::error::{FieldError, Refusal};

/// A recorded filing (备案) of a plan version.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Filing {
    pub id: i64,
    pub code: String,
    pub revision: i64,
    /// 备案单位: the body it was filed with.
    pub filed_with: String,
    /// YYYY-MM-DD (Beijing time).
    pub filed_on: String,
    /// 备案回执 / 备案编号; empty until received.
    pub receipt: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: UtcText,
}

/// What a filing records (`POST /plans/{code}/versions/{n}/filings`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PlanFilingBody)]
pub struct FilingBody {
    pub filed_with: String,
    pub filed_on: String,
    #[serde(default)]
    pub receipt: String,
    #[serde(default)]
    pub note: String,
}

/// Why a filing is not recorded.
#[derive(Debug)]
pub enum FilingError {
    /// Only a published version is filed.
    State(Refusal),
    Input(Vec<FieldError>),
}

fn too_long(field: &str, v: &str, max: usize) -> Option<FieldError> {
    (v.chars().count() > max).then(|| {
        FieldError::new(field, format!("不能超过 {max} 个字"))
            .code("too_long")
            .param("max", max)
    })
}

/// Check a filing of `plan` (the stored version) on `today`: the version is
/// published; the body filed with is named; the day is a date between the
/// version's publication and today (both included); texts within bounds.
/// Returns the cleaned values.
pub fn check(plan: &Plan, b: &FilingBody, today: Date) -> Result<FilingBody, FilingError> {
    if !plan.is_published() {
        return Err(FilingError::State(
            Refusal::new("filing_of_draft", "只有已发布的预案版本才能备案")
                .param("code", plan.code.as_str())
                .param("version", plan.version.as_str()),
        ));
    }
    let mut errors = Vec::new();
    let filed_with = b.filed_with.trim().to_string();
    if filed_with.is_empty() {
        errors.push(FieldError::new("filed_with", "请填写备案单位").code("required"));
    }
    errors.extend(too_long("filed_with", &filed_with, 100));
    match crate::clock::parse_date(b.filed_on.trim()) {
        None => {
            errors.push(FieldError::new("filed_on", "日期格式应为 YYYY-MM-DD").code("not_a_date"))
        }
        Some(d) if d < plan.published_on => errors.push(
            FieldError::new("filed_on", "备案日期不能早于预案发布日期")
                .code("filed_before_published")
                .param("published_on", plan.published_on.to_string()),
        ),
        Some(d) if d > today => errors.push(
            FieldError::new("filed_on", "备案日期不能晚于今天")
                .code("in_future")
                .param("today", today.to_string()),
        ),
        Some(_) => {}
    }
    let receipt = b.receipt.trim().to_string();
    errors.extend(too_long("receipt", &receipt, 100));
    let note = b.note.trim().to_string();
    errors.extend(too_long("note", &note, 500));
    if errors.is_empty() {
        Ok(FilingBody {
            filed_with,
            filed_on: b.filed_on.trim().to_string(),
            receipt,
            note,
        })
    } else {
        Err(FilingError::Input(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::catalogue::PlanStatus;
    use time::macros::date;

    fn body(with: &str, on: &str) -> FilingBody {
        FilingBody {
            filed_with: with.into(),
            filed_on: on.into(),
            receipt: "备字〔2026〕12号".into(),
            note: String::new(),
        }
    }

    /// Filed between publication and today, both included, with a body
    /// named; a draft is not filed.
    #[test]
    fn a_filing_is_dated_between_publication_and_today() {
        let c = crate::plans::catalogue::Catalog::embedded().expect("catalogue");
        let mut p = c.plans[0].clone();
        p.status = PlanStatus::Published;
        p.published_on = date!(2026 - 03 - 01);
        let today = date!(2026 - 03 - 20);
        for (b, want) in [
            (body("山西省人民政府", "2026-03-01"), None),
            (body("山西省人民政府", "2026-03-20"), None),
            (
                body("山西省人民政府", "2026-02-28"),
                Some("filed_on:filed_before_published"),
            ),
            (
                body("山西省人民政府", "2026-03-21"),
                Some("filed_on:in_future"),
            ),
            (
                body("山西省人民政府", "3月1日"),
                Some("filed_on:not_a_date"),
            ),
            (body("  ", "2026-03-02"), Some("filed_with:required")),
            (
                body(&"局".repeat(101), "2026-03-02"),
                Some("filed_with:too_long"),
            ),
        ] {
            let got = match check(&p, &b, today) {
                Ok(_) => None,
                Err(FilingError::Input(e)) => Some(format!("{}:{}", e[0].field, e[0].code)),
                Err(FilingError::State(r)) => Some(r.code.to_string()),
            };
            assert_eq!(got.as_deref(), want, "{:?}", b.filed_on);
        }
        p.status = PlanStatus::Draft;
        assert!(matches!(
            check(&p, &body("山西省人民政府", "2026-03-02"), today),
            Err(FilingError::State(r)) if r.code == "filing_of_draft"
        ));
    }
}
