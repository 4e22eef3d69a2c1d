//! 第十条: who a department that received an accident report must notify,
//! by when, and 越级上报 (reporting past a level), as pure rules with the
//! clock as a parameter.
//!
//! 《生产安全事故报告和调查处理条例》(国务院令第493号) 第十条: "安全生产监督
//! 管理部门和负有安全生产监督管理职责的有关部门接到事故报告后，应当依照下列规定
//! 上报事故情况，并通知公安机关、劳动保障行政部门、工会和人民检察院 … 依照前款
//! 规定上报事故情况，应当同时报告本级人民政府 … 必要时，安全生产监督管理部门和
//! 负有安全生产监督管理职责的有关部门可以越级上报事故情况。" 第十一条: "每级
//! 上报的时间不得超过2小时" (the hand-on time, [`super::deadlines::Limits::accident_level_hours`]).
//!
//! 第十条 fixes no time for the notifications. **Assumption** (configurable,
//! [`super::deadlines::Limits::notify_hours`], default 2): they are owed
//! with the upward report — "同时报告本级人民政府", and 《生产安全事故信息
//! 报告和处置办法》(原安监总局令第21号) 第七条 "同时书面通知同级公安机关、劳动
//! 保障部门、工会、人民检察院" as remembered, not verified here — so within
//! the level's 2 hours from when it received the report.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::deadlines::{accident_chain, level_zh, Limits, Step};
use super::grading::AccidentGrade;
use crate::db::UtcText;
use crate::error::{FieldError, Refusal, RuleError};

/// Who a level notifies (第十条): its own government, then the four
/// departments named.
pub const PARTIES: &[(&str, &str)] = &[
    ("government", "本级人民政府"),
    ("police", "公安机关"),
    ("labour", "劳动保障行政部门"),
    ("union", "工会"),
    ("procuratorate", "人民检察院"),
];

/// The levels whose notifications the platform tracks: the departments
/// that work in it (county and city). The province's and the State
/// Council department's are theirs to keep (a platform choice).
pub const NOTIFYING_LEVELS: &[&str] = &["county", "city"];

/// One notification done: which level notified whom, when, recorded by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notification {
    pub level: String,
    pub party: String,
    pub at: UtcText,
    pub by: String,
    #[serde(default)]
    pub note: String,
}

/// A level reached by 越级上报 (第十条第三款), with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Skip {
    pub level: String,
    /// The levels passed over (still owed their own report).
    pub past: Vec<String>,
    pub reason: String,
}

fn party_zh(p: &str) -> &'static str {
    PARTIES
        .iter()
        .find(|(k, _)| *k == p)
        .map(|(_, zh)| *zh)
        .unwrap_or("")
}

/// The notifications owed: for each tracked level of the accident's chain
/// that has received the report, every party of [`PARTIES`], due
/// [`Limits::notify_hours`] after that level received it. Key
/// `notify:<level>:<party>`, owed `by` the level.
pub fn notification_steps(
    grade: AccidentGrade,
    received: &[(String, OffsetDateTime)],
    l: &Limits,
) -> Vec<Step> {
    let mut out = Vec::new();
    for level in accident_chain(grade)
        .iter()
        .filter(|lv| NOTIFYING_LEVELS.contains(lv))
    {
        let Some((_, at)) = received.iter().find(|(lv, _)| lv == level) else {
            continue;
        };
        for (party, zh) in PARTIES {
            out.push(Step {
                key: format!("notify:{level}:{party}"),
                label_zh: format!("{}通报{zh}（第十条）", level_zh(level)),
                by: (*level).to_string(),
                due: *at + Duration::hours(l.notify_hours),
            });
        }
    }
    out
}

/// Whether `level` may record a notification of `party` at `at`: the party
/// is one of [`PARTIES`], the level one the platform tracks in this
/// accident's chain, the level has received the report (not after `at`)
/// and has not notified this party yet.
pub fn check_notification(
    grade: AccidentGrade,
    received: &[(String, OffsetDateTime)],
    done: &[Notification],
    level: &str,
    party: &str,
    at: OffsetDateTime,
) -> Result<(), RuleError> {
    if !PARTIES.iter().any(|(k, _)| *k == party) {
        return Err(
            FieldError::new("party", format!("“{party}”不是第十条规定的通知对象"))
                .code("not_an_option")
                .param("value", party.to_string())
                .param(
                    "options",
                    PARTIES
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .into(),
        );
    }
    let chain = accident_chain(grade);
    if !NOTIFYING_LEVELS.contains(&level) || !chain.contains(&level) {
        let levels: Vec<&str> = chain
            .iter()
            .copied()
            .filter(|l| NOTIFYING_LEVELS.contains(l))
            .collect();
        return Err(
            FieldError::new("level", format!("“{level}”不是本事故须通报的层级"))
                .code("not_an_option")
                .param("value", level.to_string())
                .param("options", levels.join(", "))
                .into(),
        );
    }
    let Some((_, received_at)) = received.iter().find(|(lv, _)| lv == level) else {
        return Err(RuleError::State(
            Refusal::new(
                "level_not_received",
                format!("{}尚未接报，无须通报", level_zh(level)),
            )
            .param("level", level.to_string()),
        ));
    };
    if done.iter().any(|n| n.level == level && n.party == party) {
        return Err(RuleError::State(
            Refusal::new(
                "already_notified",
                format!("{}已通报{}", level_zh(level), party_zh(party)),
            )
            .param("level", level.to_string())
            .param("party", party.to_string()),
        ));
    }
    if at < *received_at {
        return Err(FieldError::new("at", "通报时间不能早于本级接报时间")
            .code("notified_before_received")
            .param("received", UtcText(*received_at).text())
            .into());
    }
    Ok(())
}

/// Whether `level` may receive the report now, and whether that passes over
/// levels (越级上报). In order (the level below has received it) it is an
/// ordinary hand-on; otherwise only with `skip` and a reason (493号令
/// 第十条第三款 "必要时 … 可以越级上报"), and the levels passed over still
/// owe their own report (their steps stay). Returns the levels passed over.
pub fn check_forward(
    grade: AccidentGrade,
    received: &[(String, OffsetDateTime)],
    level: &str,
    skip: bool,
    reason: &str,
) -> Result<Vec<String>, RuleError> {
    let chain = accident_chain(grade);
    let pos = match chain.iter().position(|l| *l == level) {
        Some(p) if p > 0 => p,
        _ => {
            return Err(
                FieldError::new("level", format!("应上报至：{}", chain[1..].join(" → ")))
                    .code("not_an_option")
                    .param("value", level.to_string())
                    .param("options", chain[1..].join(", "))
                    .into(),
            )
        }
    };
    let has = |l: &str| received.iter().any(|(x, _)| x == l);
    if has(level) {
        return Err(RuleError::State(
            Refusal::new(
                "level_already_received",
                format!("{}已接报", level_zh(level)),
            )
            .param("level", level.to_string()),
        ));
    }
    // The highest level that has it: a skip passes over what lies between.
    let Some(top) = chain.iter().rposition(|l| has(l)) else {
        return Err(RuleError::State(
            Refusal::new("level_not_received", "县级尚未接报").param("level", "county"),
        ));
    };
    if top > pos {
        // A higher level already has it; a lower one is filled in late.
        return Ok(Vec::new());
    }
    let past: Vec<String> = chain[top + 1..pos].iter().map(|s| s.to_string()).collect();
    if past.is_empty() {
        return Ok(past);
    }
    if !skip {
        return Err(FieldError::new(
            "level",
            format!(
                "须逐级上报：{}尚未接报；必要时可越级上报（493号令 第十条第三款）",
                level_zh(&past[0])
            ),
        )
        .code("forward_in_order")
        .param("level", past[0].clone())
        .into());
    }
    if reason.trim().is_empty() {
        return Err(FieldError::new("reason", "越级上报须说明理由")
            .code("required")
            .into());
    }
    Ok(past)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use AccidentGrade::*;

    fn rec(levels: &[(&str, OffsetDateTime)]) -> Vec<(String, OffsetDateTime)> {
        levels.iter().map(|(l, t)| (l.to_string(), *t)).collect()
    }

    /// 493号令 第十条: every level that received the report notifies its
    /// government, police, labour, union and procuratorate; due with its
    /// 2-hour hand-on (第十一条; the default, an assumption: 第十条 fixes no
    /// time). Only county and city are tracked.
    #[test]
    fn who_must_be_notified_and_by_when() {
        let l = Limits::default();
        let c = datetime!(2026-03-01 08:20 +8);
        let m = datetime!(2026-03-01 09:50 +8);
        let p = datetime!(2026-03-01 10:30 +8);
        // (grade, received, number of steps, first due per level)
        let table = [
            (Ordinary, rec(&[]), 0),
            (Ordinary, rec(&[("county", c)]), 5),
            (Ordinary, rec(&[("county", c), ("city", m)]), 10),
            // The province's own notifications are not tracked here.
            (
                Larger,
                rec(&[("county", c), ("city", m), ("province", p)]),
                10,
            ),
            // A city that got it by a skip (county missing is impossible,
            // but a city before the county's record is counted alone).
            (Major, rec(&[("city", m)]), 5),
            (EspeciallyMajor, rec(&[("county", c), ("province", p)]), 5),
        ];
        for (grade, received, n) in table {
            let s = notification_steps(grade, &received, &l);
            assert_eq!(s.len(), n, "{grade:?} {received:?}");
            for step in &s {
                let at = received.iter().find(|(lv, _)| *lv == step.by).unwrap().1;
                assert_eq!(step.due, at + Duration::hours(2), "{}", step.key);
                assert!(step.key.starts_with(&format!("notify:{}:", step.by)));
            }
        }
        let s = notification_steps(Ordinary, &rec(&[("county", c)]), &l);
        let keys: Vec<&str> = s.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "notify:county:government",
                "notify:county:police",
                "notify:county:labour",
                "notify:county:union",
                "notify:county:procuratorate"
            ]
        );
        assert_eq!(s[0].due, datetime!(2026-03-01 10:20 +8));
        assert_eq!(s[1].label_zh, "县级通报公安机关（第十条）");
        // Configured: 1 hour.
        let one = Limits {
            notify_hours: 1,
            ..l
        };
        assert_eq!(
            notification_steps(Ordinary, &rec(&[("county", c)]), &one)[0].due,
            datetime!(2026-03-01 09:20 +8)
        );
    }

    fn code(e: RuleError) -> String {
        match e {
            RuleError::Field(f) => format!("field:{}:{}", f.field, f.code),
            RuleError::State(r) => format!("state:{}", r.code),
            RuleError::Forbidden(r) => format!("forbidden:{}", r.code),
        }
    }

    #[test]
    fn recording_a_notification() {
        let c = datetime!(2026-03-01 08:20 +8);
        let received = rec(&[("county", c)]);
        let done = vec![Notification {
            level: "county".into(),
            party: "police".into(),
            at: UtcText(c),
            by: "u".into(),
            note: String::new(),
        }];
        // (level, party, at, outcome)
        let table = [
            ("county", "union", c, "ok"),
            ("county", "government", c + Duration::hours(3), "ok"),
            (
                "county",
                "union",
                c - Duration::seconds(1),
                "field:at:notified_before_received",
            ),
            ("county", "police", c, "state:already_notified"),
            ("county", "press", c, "field:party:not_an_option"),
            ("city", "union", c, "state:level_not_received"),
            ("province", "union", c, "field:level:not_an_option"),
            ("state", "union", c, "field:level:not_an_option"),
            ("", "union", c, "field:level:not_an_option"),
        ];
        for (level, party, at, want) in table {
            let got = check_notification(Ordinary, &received, &done, level, party, at)
                .map(|_| "ok".to_string())
                .unwrap_or_else(code);
            assert_eq!(got, want, "{level} {party} {at}");
        }
    }

    /// 第十条 逐级上报, and 第十条第三款 越级上报 "必要时": a level above the
    /// next is reached only with `skip` and a reason; the levels passed over
    /// are named (they still owe their report).
    #[test]
    fn forwarding_in_order_or_past_a_level() {
        let c = datetime!(2026-03-01 08:20 +8);
        let p = datetime!(2026-03-01 09:00 +8);
        // (grade, received, level, skip, reason, outcome)
        let table = [
            (Larger, rec(&[("county", c)]), "city", false, "", "ok:"),
            (Larger, rec(&[("county", c)]), "city", true, "急", "ok:"),
            (
                Larger,
                rec(&[("county", c)]),
                "province",
                false,
                "",
                "field:level:forward_in_order",
            ),
            (
                Larger,
                rec(&[("county", c)]),
                "province",
                true,
                "  ",
                "field:reason:required",
            ),
            (
                Larger,
                rec(&[("county", c)]),
                "province",
                true,
                "伤亡大，市级值班电话不通",
                "ok:city",
            ),
            (
                Major,
                rec(&[("county", c)]),
                "state",
                true,
                "重大",
                "ok:city,province",
            ),
            // The city filled in after the province got it by a skip.
            (
                Larger,
                rec(&[("county", c), ("province", p)]),
                "city",
                false,
                "",
                "ok:",
            ),
            (
                Ordinary,
                rec(&[("county", c)]),
                "province",
                true,
                "x",
                "field:level:not_an_option",
            ),
            (
                Ordinary,
                rec(&[("county", c)]),
                "county",
                false,
                "",
                "field:level:not_an_option",
            ),
            (
                Ordinary,
                rec(&[("county", c), ("city", p)]),
                "city",
                false,
                "",
                "state:level_already_received",
            ),
            (
                Ordinary,
                rec(&[]),
                "city",
                true,
                "x",
                "state:level_not_received",
            ),
        ];
        for (grade, received, level, skip, reason, want) in table {
            let got = check_forward(grade, &received, level, skip, reason)
                .map(|past| format!("ok:{}", past.join(",")))
                .unwrap_or_else(code);
            assert_eq!(got, want, "{grade:?} {received:?} → {level} skip={skip}");
        }
    }
}
