//! 事故调查: the investigation of a production-safety accident and its legal
//! time limits, as a record on the write path and pure rules.
//!
//! - 《生产安全事故报告和调查处理条例》(国务院令第493号) 第二十九条: the
//!   investigation team submits its report within 60 days of the accident;
//!   in special cases the government in charge of the investigation approves
//!   one extension of at most 60 days ([`super::deadlines::investigation_due`]).
//! - 第三十二条: the government replies (批复) within 15 days of receiving the
//!   report for 重大、较大、一般事故, 30 days for 特别重大, which alone may be
//!   extended, by at most 30 days ([`super::deadlines::reply_due`]).
//! - 第二十七条第二款: "技术鉴定所需时间不计入事故调查期限" — the days of each
//!   technical appraisal recorded are added to the report's deadline.
//! - 第十九条: who is in charge — 特别重大 the State Council, 重大 the
//!   province, 较大 the city (设区的市), 一般 the county ([`government_zh`]).
//!
//! The record is opened (调查组成立), may be extended once (the days the
//! government approved, with the approval's basis), its report is submitted
//! (received by the government), the reply of a 特别重大 accident may be
//! extended once, and the government replies. Its state follows from what
//! was recorded; nothing recorded is changed afterwards.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::deadlines::{self, Limits};
use super::grading::AccidentGrade;
use crate::clock::{format_time, parse_time};
use crate::db::UtcText;
use crate::error::{FieldError, Refusal};

/// An accident's investigation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Investigation {
    pub id: i64,
    pub accident_id: i64,
    /// The accident's division (jurisdiction).
    pub division: String,
    /// 调查组成立.
    pub opened_at: UtcText,
    /// 调查组组长 (or the leading unit).
    pub team_lead: String,
    /// Technical appraisals (技术鉴定), whose days do not count.
    pub appraisals: Vec<Appraisal>,
    /// Days of the approved extension of the report (第二十九条), if any.
    pub extension_days: Option<i64>,
    /// The approval: which government, its document.
    pub extension_basis: String,
    pub extension_approved_at: Option<UtcText>,
    /// When the government received the investigation report.
    pub submitted_at: Option<UtcText>,
    /// Days of the approved extension of the reply (特别重大 only).
    pub reply_extension_days: Option<i64>,
    pub reply_extension_basis: String,
    /// 批复.
    pub replied_at: Option<UtcText>,
    /// 批复文号.
    pub reply_document: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub version: i64,
}

/// A technical appraisal (第二十七条): its days, what it was and when it
/// was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Appraisal {
    pub days: i64,
    pub basis: String,
    pub at: UtcText,
}

/// The most days one appraisal may be recorded with (input sanity, not a
/// legal limit: the law sets none).
pub const APPRAISAL_MAX_DAYS: i64 = 365;

/// Where an investigation stands (derived from what was recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationState {
    /// 调查中
    Open,
    /// 调查报告已提交，待批复
    Submitted,
    /// 已批复
    Replied,
}

impl Investigation {
    /// A new investigation of an accident (调查组成立 at `at`), nothing else
    /// recorded yet; `id` 0 until stored.
    pub fn open(
        accident_id: i64,
        division: &str,
        at: OffsetDateTime,
        team_lead: &str,
        by: &str,
        now: OffsetDateTime,
    ) -> Investigation {
        Investigation {
            id: 0,
            accident_id,
            division: division.into(),
            opened_at: UtcText(at),
            team_lead: team_lead.into(),
            appraisals: Vec::new(),
            extension_days: None,
            extension_basis: String::new(),
            extension_approved_at: None,
            submitted_at: None,
            reply_extension_days: None,
            reply_extension_basis: String::new(),
            replied_at: None,
            reply_document: String::new(),
            created_by: by.into(),
            created_at: UtcText(now),
            version: 1,
        }
    }

    pub fn state(&self) -> InvestigationState {
        match (self.submitted_at, self.replied_at) {
            (_, Some(_)) => InvestigationState::Replied,
            (Some(_), None) => InvestigationState::Submitted,
            (None, None) => InvestigationState::Open,
        }
    }

    /// Days of technical appraisal, all appraisals together.
    pub fn appraisal_days(&self) -> i64 {
        self.appraisals.iter().map(|a| a.days).sum()
    }

    /// What the deadlines of [`deadlines::accident_steps`] depend on.
    pub fn times(&self) -> deadlines::InvestigationTimes {
        deadlines::InvestigationTimes {
            extension_days: self.extension_days.unwrap_or(0),
            appraisal_days: self.appraisal_days(),
            submitted: self.submitted_at.map(|t| t.0),
            reply_extension_days: self.reply_extension_days.unwrap_or(0),
        }
    }
}

/// The government in charge of the investigation and its reply (493号令
/// 第十九条).
pub fn government_zh(grade: AccidentGrade) -> &'static str {
    match grade {
        AccidentGrade::EspeciallyMajor => "国务院",
        AccidentGrade::Major => "省级人民政府",
        AccidentGrade::Larger => "设区的市级人民政府",
        AccidentGrade::Ordinary => "县级人民政府",
    }
}

/// A step of an investigation (`POST /accidents/{id}/investigation/events`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InvestigationCommand {
    /// 技术鉴定: its days (1 to 365), which do not count (第二十七条第二款).
    Appraisal {
        days: i64,
        /// What was appraised and by whom.
        #[serde(default)]
        basis: String,
        #[serde(default)]
        at: Option<String>,
    },
    /// 延长调查期限: the days the government approved (1 to 60), once.
    Extend {
        days: i64,
        /// Who approved it and the document (e.g. 大同市人民政府 同政函〔2026〕12号).
        #[serde(default)]
        basis: String,
        /// When it was approved (RFC 3339); absent: now.
        #[serde(default)]
        at: Option<String>,
    },
    /// 提交调查报告: when the government received it; absent: now.
    Submit {
        #[serde(default)]
        at: Option<String>,
    },
    /// 延长批复时间 (特别重大 only, 1 to 30 days), once.
    ExtendReply {
        days: i64,
        #[serde(default)]
        basis: String,
        #[serde(default)]
        at: Option<String>,
    },
    /// 批复, with its document number.
    Reply {
        #[serde(default)]
        document: String,
        #[serde(default)]
        at: Option<String>,
    },
}

/// Every step's kind, in the order the page offers them.
pub const STEPS: [&str; 5] = ["appraisal", "extend", "submit", "extend_reply", "reply"];

impl InvestigationCommand {
    pub fn kind(&self) -> &'static str {
        match self {
            InvestigationCommand::Appraisal { .. } => "appraisal",
            InvestigationCommand::Extend { .. } => "extend",
            InvestigationCommand::Submit { .. } => "submit",
            InvestigationCommand::ExtendReply { .. } => "extend_reply",
            InvestigationCommand::Reply { .. } => "reply",
        }
    }
}

/// Why a step is refused.
#[derive(Debug, thiserror::Error)]
pub enum InvestigationError {
    /// The record's state does not allow it.
    #[error("{0}")]
    Refused(Refusal),
    /// Fields of the command are wrong.
    #[error("invalid command")]
    Invalid(Vec<FieldError>),
}

/// What the step is taken on.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub occurred: OffsetDateTime,
    pub grade: AccidentGrade,
    pub now: OffsetDateTime,
    pub limits: &'a Limits,
}

/// Whether `step` may be taken on `inv` of an accident of `grade` (the
/// rule [`apply`] and [`allowed_events`] share).
pub fn check_step(inv: &Investigation, step: &str, grade: AccidentGrade) -> Result<(), Refusal> {
    use InvestigationState as S;
    let state = inv.state();
    if state == S::Replied {
        return Err(Refusal::new(
            "investigation_replied",
            "调查报告已批复，调查已结案",
        ));
    }
    match step {
        "appraisal" | "extend" | "submit" if state == S::Submitted => Err(Refusal::new(
            "investigation_report_submitted",
            "调查报告已提交",
        )),
        "extend" if inv.extension_days.is_some() => Err(Refusal::new(
            "investigation_already_extended",
            "调查期限只能延长一次",
        )),
        "extend_reply" | "reply" if state == S::Open => Err(Refusal::new(
            "investigation_report_not_submitted",
            "调查报告尚未提交，不能批复",
        )),
        "extend_reply" if !deadlines::reply_extendable(grade) => Err(Refusal::new(
            "reply_extension_especially_major_only",
            "只有特别重大事故的批复时间可以延长（493号令第三十二条）",
        )
        .param("grade", grade.label_zh())),
        "extend_reply" if inv.reply_extension_days.is_some() => Err(Refusal::new(
            "reply_already_extended",
            "批复时间只能延长一次",
        )),
        _ => Ok(()),
    }
}

/// The steps a user may take now, asked of [`check_step`] itself (so the
/// page never copies the rules): `open` while there is no investigation,
/// nothing for a user who may not write accidents there.
pub fn allowed_events(
    inv: Option<&Investigation>,
    grade: AccidentGrade,
    may_write: bool,
) -> Vec<&'static str> {
    match (may_write, inv) {
        (false, _) => Vec::new(),
        (true, None) => vec!["open"],
        (true, Some(inv)) => STEPS
            .into_iter()
            .filter(|s| check_step(inv, s, grade).is_ok())
            .collect(),
    }
}

/// A time of a step: `at` (RFC 3339) or now; not before `after`, not in
/// the future (5 minutes of clock skew allowed).
pub fn step_time(
    at: Option<&str>,
    after: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, FieldError> {
    let t = match at {
        None => now,
        Some(s) => parse_time(s).ok_or_else(|| {
            FieldError::new(
                "at",
                format!("“{s}”不是带时区的时间（例如 2026-07-01T10:00:00+08:00）"),
            )
            .code("not_a_time")
        })?,
    };
    if t < after || t > now + time::Duration::minutes(5) {
        return Err(FieldError::new(
            "at",
            format!("时间应在 {} 之后、现在之前", format_time(after)),
        )
        .code("investigation_time_out_of_range")
        .param("after", UtcText(after).text()));
    }
    Ok(t)
}

fn required(field: &str, v: &str, what: &str) -> Option<FieldError> {
    v.trim()
        .is_empty()
        .then(|| FieldError::new(field, format!("{what}必填")).code("required"))
}

fn days_in(days: i64, max: i64) -> Option<FieldError> {
    (!(1..=max).contains(&days)).then(|| {
        FieldError::new("days", format!("天数应在 1 到 {max} 之间"))
            .code("out_of_range")
            .param("min", 1)
            .param("max", max)
    })
}

/// The time of a step (`at`, or now; after `after`, not in the future, and
/// not after `deadline` for an extension) with the other field problems
/// `found`: the time, or every problem at once.
fn checked(
    at: Option<&str>,
    after: OffsetDateTime,
    now: OffsetDateTime,
    deadline: Option<OffsetDateTime>,
    found: impl IntoIterator<Item = Option<FieldError>>,
) -> Result<OffsetDateTime, InvestigationError> {
    let mut errors: Vec<FieldError> = found.into_iter().flatten().collect();
    match step_time(at, after, now) {
        Err(e) => errors.push(e),
        Ok(t) => match deadline.filter(|due| t > *due) {
            Some(due) => errors.push(
                FieldError::new(
                    "at",
                    format!("期限已于 {} 届满，不能再延长", format_time(due)),
                )
                .code("extension_after_deadline")
                .param("due", UtcText(due).text()),
            ),
            None if errors.is_empty() => return Ok(t),
            None => {}
        },
    }
    Err(InvestigationError::Invalid(errors))
}

/// What a step changes: the record after it and the journal entry.
#[derive(Debug)]
pub struct Applied {
    pub investigation: Investigation,
    /// The journal entry's kind and payload.
    pub kind: &'static str,
    pub payload: Value,
}

/// The step `cmd` on `inv` (pure; the clock is `cx.now`).
pub fn apply(
    mut inv: Investigation,
    cmd: InvestigationCommand,
    cx: Context,
) -> Result<Applied, InvestigationError> {
    check_step(&inv, cmd.kind(), cx.grade).map_err(InvestigationError::Refused)?;
    let (l, now, occurred, grade) = (cx.limits, cx.now, cx.occurred, cx.grade);
    let opened = inv.opened_at.0;
    let received = inv.submitted_at.map_or(opened, |t| t.0);
    let appraisal = inv.appraisal_days();
    let extension = inv.extension_days.unwrap_or(0);
    let report_due = |ext, appraisal| deadlines::investigation_due(occurred, ext, appraisal, l);
    let reply_due = |ext| deadlines::reply_due(received, grade, ext, l);
    let basis_of = |basis: &str, what| required("basis", basis, what);
    let (kind, payload) = match cmd {
        InvestigationCommand::Appraisal { days, basis, at } => {
            let found = [
                days_in(days, APPRAISAL_MAX_DAYS),
                basis_of(&basis, "技术鉴定事项及单位"),
            ];
            let t = checked(at.as_deref(), opened, now, None, found)?;
            let basis = basis.trim().to_string();
            inv.appraisals.push(Appraisal {
                days,
                basis: basis.clone(),
                at: UtcText(t),
            });
            let due = report_due(extension, appraisal + days);
            (
                "appraisal_recorded",
                json!({ "days": days, "basis": basis, "at": UtcText(t), "due": UtcText(due) }),
            )
        }
        InvestigationCommand::Extend { days, basis, at } => {
            let found = [
                days_in(days, l.investigation_extension_days),
                basis_of(&basis, "批准机关及文号"),
            ];
            let t = checked(
                at.as_deref(),
                opened,
                now,
                Some(report_due(0, appraisal)),
                found,
            )?;
            inv.extension_days = Some(days);
            inv.extension_basis = basis.trim().into();
            inv.extension_approved_at = Some(UtcText(t));
            let due = report_due(days, appraisal);
            (
                "investigation_extended",
                json!({ "days": days, "basis": inv.extension_basis, "at": UtcText(t), "due": UtcText(due) }),
            )
        }
        InvestigationCommand::Submit { at } => {
            let t = checked(at.as_deref(), opened, now, None, [])?;
            let due = report_due(extension, appraisal);
            inv.submitted_at = Some(UtcText(t));
            let reply = deadlines::reply_due(t, grade, 0, l);
            (
                "investigation_submitted",
                json!({ "at": UtcText(t), "due": UtcText(due), "late": t > due, "reply_due": UtcText(reply) }),
            )
        }
        InvestigationCommand::ExtendReply { days, basis, at } => {
            let found = [
                days_in(days, l.reply_extension_days),
                basis_of(&basis, "批准机关及文号"),
            ];
            let t = checked(at.as_deref(), received, now, Some(reply_due(0)), found)?;
            inv.reply_extension_days = Some(days);
            inv.reply_extension_basis = basis.trim().into();
            (
                "reply_extended",
                json!({ "days": days, "basis": inv.reply_extension_basis, "at": UtcText(t), "due": UtcText(reply_due(days)) }),
            )
        }
        InvestigationCommand::Reply { document, at } => {
            let t = checked(
                at.as_deref(),
                received,
                now,
                None,
                [required("document", &document, "批复文号")],
            )?;
            let due = reply_due(inv.reply_extension_days.unwrap_or(0));
            inv.replied_at = Some(UtcText(t));
            inv.reply_document = document.trim().into();
            (
                "replied",
                json!({ "at": UtcText(t), "document": inv.reply_document, "due": UtcText(due), "late": t > due }),
            )
        }
    };
    Ok(Applied {
        investigation: inv,
        kind,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use AccidentGrade::*;

    fn opened() -> Investigation {
        let at = datetime!(2026-03-02 09:00 +8);
        Investigation {
            id: 1,
            ..Investigation::open(1, "140213000000", at, "张三", "t", at)
        }
    }

    fn cx(grade: AccidentGrade, now: OffsetDateTime) -> Context<'static> {
        static L: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();
        Context {
            occurred: datetime!(2026-03-01 08:00 +8),
            grade,
            now,
            limits: L.get_or_init(Limits::default),
        }
    }

    fn extend(days: i64, at: &str) -> InvestigationCommand {
        InvestigationCommand::Extend {
            days,
            basis: "大同市人民政府 同政函〔2026〕12号".into(),
            at: Some(at.into()),
        }
    }

    fn field_codes(r: Result<Applied, InvestigationError>) -> Vec<(String, &'static str)> {
        match r {
            Err(InvestigationError::Invalid(e)) => {
                e.into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => panic!("not a field error: {other:?}"),
        }
    }

    fn refusal(r: Result<Applied, InvestigationError>) -> &'static str {
        match r {
            Err(InvestigationError::Refused(r)) => r.code,
            other => panic!("not a refusal: {other:?}"),
        }
    }

    /// 第二十九条: an extension of 1 to 60 days, once, approved before the
    /// 60 days end (30 April 24:00 for an accident on 1 March).
    #[test]
    fn the_extension_is_what_was_approved_at_most_sixty_days_before_the_deadline() {
        let now = datetime!(2026-06-01 12:00 +8);
        // (days, approved at, accepted)
        let table = [
            (1, "2026-04-20T10:00:00+08:00", true),
            (60, "2026-04-20T10:00:00+08:00", true),
            (0, "2026-04-20T10:00:00+08:00", false),
            (61, "2026-04-20T10:00:00+08:00", false),
            (-1, "2026-04-20T10:00:00+08:00", false),
            (30, "2026-04-30T23:59:59+08:00", true),
            (30, "2026-05-01T00:00:00+08:00", true),
            (30, "2026-05-01T00:00:01+08:00", false),
            // Before the team was set up: not a time of this investigation.
            (30, "2026-03-02T08:59:59+08:00", false),
        ];
        for (days, at, ok) in table {
            let r = apply(opened(), extend(days, at), cx(Ordinary, now));
            assert_eq!(r.is_ok(), ok, "{days} at {at}: {r:?}");
        }
        let r = apply(
            opened(),
            extend(45, "2026-04-20T10:00:00+08:00"),
            cx(Ordinary, now),
        )
        .unwrap();
        assert_eq!(r.investigation.extension_days, Some(45));
        assert_eq!(r.kind, "investigation_extended");
        assert_eq!(
            r.payload["due"], "2026-06-14T16:00:00.000Z",
            "30 April + 45 days, 24:00"
        );
        assert_eq!(
            refusal(apply(
                r.investigation,
                extend(1, "2026-04-21T10:00:00+08:00"),
                cx(Ordinary, now)
            )),
            "investigation_already_extended"
        );
        assert_eq!(
            field_codes(apply(
                opened(),
                extend(61, "2026-05-01T00:00:01+08:00"),
                cx(Ordinary, now)
            )),
            [
                ("days".to_string(), "out_of_range"),
                ("at".to_string(), "extension_after_deadline")
            ]
        );
        let no_basis = InvestigationCommand::Extend {
            days: 10,
            basis: " ".into(),
            at: None,
        };
        assert_eq!(
            field_codes(apply(
                opened(),
                no_basis,
                cx(Ordinary, datetime!(2026-04-01 12:00 +8))
            )),
            [("basis".to_string(), "required")]
        );
        // A time in the future (beyond 5 minutes of skew) is refused.
        let future = InvestigationCommand::Submit {
            at: Some("2026-04-01T12:05:01+08:00".into()),
        };
        assert_eq!(
            field_codes(apply(
                opened(),
                future,
                cx(Ordinary, datetime!(2026-04-01 12:00 +8))
            )),
            [("at".to_string(), "investigation_time_out_of_range")]
        );
    }

    /// Open → submitted → replied; the reply of a 特别重大 accident alone may
    /// be extended (第三十二条), once, by 1 to 30 days.
    #[test]
    fn the_steps_in_order_and_what_each_state_allows() {
        let now = datetime!(2026-06-01 12:00 +8);
        let submit = |at: &str| InvestigationCommand::Submit {
            at: Some(at.into()),
        };
        let reply = InvestigationCommand::Reply {
            document: "同政函〔2026〕30号".into(),
            at: None,
        };
        let ext_reply = |days| InvestigationCommand::ExtendReply {
            days,
            basis: "国务院批准".into(),
            at: None,
        };
        // Nothing to reply to yet.
        assert_eq!(
            refusal(apply(opened(), reply.clone(), cx(Ordinary, now))),
            "investigation_report_not_submitted"
        );
        assert_eq!(
            allowed_events(Some(&opened()), Ordinary, true),
            ["appraisal", "extend", "submit"]
        );
        assert_eq!(allowed_events(None, Ordinary, true), ["open"]);
        assert!(allowed_events(Some(&opened()), Ordinary, false).is_empty());
        assert!(allowed_events(None, Ordinary, false).is_empty());
        let s = apply(
            opened(),
            submit("2026-05-10T15:00:00+08:00"),
            cx(Ordinary, now),
        )
        .unwrap();
        assert_eq!(s.payload["late"], true, "after 30 April 24:00");
        let on_time = apply(
            opened(),
            submit("2026-05-01T00:00:00+08:00"),
            cx(Ordinary, now),
        )
        .unwrap();
        assert_eq!(on_time.payload["late"], false, "at 30 April 24:00");
        assert_eq!(
            s.payload["reply_due"], "2026-05-25T16:00:00.000Z",
            "11–25 May"
        );
        let submitted = s.investigation;
        assert_eq!(submitted.state(), InvestigationState::Submitted);
        assert_eq!(allowed_events(Some(&submitted), Ordinary, true), ["reply"]);
        assert_eq!(
            allowed_events(Some(&submitted), EspeciallyMajor, true),
            ["extend_reply", "reply"]
        );
        assert_eq!(
            refusal(apply(
                submitted.clone(),
                submit("2026-05-11T15:00:00+08:00"),
                cx(Ordinary, now)
            )),
            "investigation_report_submitted"
        );
        assert_eq!(
            refusal(apply(
                submitted.clone(),
                extend(10, "2026-04-20T10:00:00+08:00"),
                cx(Ordinary, now)
            )),
            "investigation_report_submitted"
        );
        // (grade, days, outcome) of a reply extension, taken at 1 June (before 9 June).
        let table: [(AccidentGrade, i64, Result<(), &str>); 6] = [
            (Ordinary, 10, Err("reply_extension_especially_major_only")),
            (Larger, 10, Err("reply_extension_especially_major_only")),
            (Major, 10, Err("reply_extension_especially_major_only")),
            (EspeciallyMajor, 1, Ok(())),
            (EspeciallyMajor, 30, Ok(())),
            (EspeciallyMajor, 31, Err("out_of_range")),
        ];
        for (grade, days, want) in table {
            let got = match apply(submitted.clone(), ext_reply(days), cx(grade, now)) {
                Ok(_) => Ok(()),
                Err(InvestigationError::Refused(r)) => Err(r.code),
                Err(InvestigationError::Invalid(e)) => Err(e[0].code),
            };
            assert_eq!(got, want, "{grade:?} {days}");
        }
        let ext = apply(submitted.clone(), ext_reply(30), cx(EspeciallyMajor, now)).unwrap();
        assert_eq!(
            ext.payload["due"], "2026-07-09T16:00:00.000Z",
            "30 + 30 days: 9 July 24:00"
        );
        assert_eq!(
            refusal(apply(
                ext.investigation.clone(),
                ext_reply(5),
                cx(EspeciallyMajor, now)
            )),
            "reply_already_extended"
        );
        // A late reply says so; the replied record takes nothing more.
        let late = apply(submitted.clone(), reply.clone(), cx(Ordinary, now)).unwrap();
        assert_eq!(
            (late.kind, late.payload["late"].as_bool()),
            ("replied", Some(true))
        );
        let on_time = InvestigationCommand::Reply {
            document: "x".into(),
            at: Some("2026-05-26T00:00:00+08:00".into()),
        };
        assert_eq!(
            apply(submitted.clone(), on_time, cx(Ordinary, now))
                .unwrap()
                .payload["late"],
            false
        );
        let no_doc = InvestigationCommand::Reply {
            document: "".into(),
            at: None,
        };
        assert_eq!(
            field_codes(apply(submitted.clone(), no_doc, cx(Ordinary, now))),
            [("document".to_string(), "required")]
        );
        let before = InvestigationCommand::Reply {
            document: "x".into(),
            at: Some("2026-05-10T14:59:59+08:00".into()),
        };
        assert_eq!(
            field_codes(apply(submitted, before, cx(Ordinary, now))),
            [("at".to_string(), "investigation_time_out_of_range")]
        );
        let replied = late.investigation;
        assert_eq!(replied.state(), InvestigationState::Replied);
        assert!(allowed_events(Some(&replied), EspeciallyMajor, true).is_empty());
        for step in STEPS {
            assert_eq!(
                check_step(&replied, step, Ordinary).unwrap_err().code,
                "investigation_replied"
            );
        }
    }

    /// 第二十七条第二款: each appraisal's days are added to the deadline,
    /// also to the one an extension must be approved before.
    #[test]
    fn technical_appraisal_days_do_not_count() {
        let now = datetime!(2026-06-01 12:00 +8);
        let appraisal = |days| InvestigationCommand::Appraisal {
            days,
            basis: "支架失效原因鉴定（某检测中心）".into(),
            at: Some("2026-04-10T10:00:00+08:00".into()),
        };
        // (days, accepted)
        for (days, ok) in [
            (0, false),
            (1, true),
            (365, true),
            (366, false),
            (-1, false),
        ] {
            let r = apply(opened(), appraisal(days), cx(Ordinary, now));
            assert_eq!(r.is_ok(), ok, "{days}: {r:?}");
        }
        let a = apply(opened(), appraisal(10), cx(Ordinary, now)).unwrap();
        assert_eq!(
            (a.kind, a.payload["due"].as_str()),
            ("appraisal_recorded", Some("2026-05-10T16:00:00.000Z"))
        );
        let b = apply(a.investigation, appraisal(5), cx(Ordinary, now)).unwrap();
        assert_eq!(b.investigation.appraisal_days(), 15);
        assert_eq!(b.investigation.times().appraisal_days, 15);
        // Without the appraisal the extension on 5 May would be too late; with 15 days it is not.
        assert!(apply(
            opened(),
            extend(10, "2026-05-05T10:00:00+08:00"),
            cx(Ordinary, now)
        )
        .is_err());
        let e = apply(
            b.investigation,
            extend(10, "2026-05-05T10:00:00+08:00"),
            cx(Ordinary, now),
        )
        .unwrap();
        assert_eq!(
            e.payload["due"], "2026-05-25T16:00:00.000Z",
            "60 + 15 + 10 days"
        );
        let no_basis = InvestigationCommand::Appraisal {
            days: 3,
            basis: String::new(),
            at: None,
        };
        assert_eq!(
            field_codes(apply(opened(), no_basis, cx(Ordinary, now))),
            [("basis".to_string(), "required")]
        );
    }

    #[test]
    fn the_government_in_charge_by_grade() {
        let table = [
            (Ordinary, "县级人民政府"),
            (Larger, "设区的市级人民政府"),
            (Major, "省级人民政府"),
            (EspeciallyMajor, "国务院"),
        ];
        for (g, want) in table {
            assert_eq!(government_zh(g), want);
        }
    }
}
