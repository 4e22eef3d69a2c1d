//! The report chain of a production-safety accident after its first report,
//! by 《生产安全事故信息报告和处置办法》(原国家安全生产监督管理总局令第21号,
//! 2009): the 较大涉险事故 category (第二十六条), 续报 at least daily and
//! twice daily for 重大/特别重大, casualty changes the same day (第十一条),
//! the unit's hour counted from when its head learned of it (493号令
//! 第九条), the parallel chain of the sector department (负有安全生产监督管理
//! 职责的有关部门, 493号令 第九条、第十条), and the reports a city owes its own
//! duty offices (configuration). Pure: the clock is a parameter.
//!
//! Texts: 第十一条 ("较大涉险事故、一般事故、较大事故每日至少续报1次；重大事故、
//! 特别重大事故每日至少续报2次。自事故发生之日起30日内（道路交通、火灾事故自发生之日
//! 起7日内），事故造成的伤亡人数发生变化的，应于当日续报") and 第二十六条 (the six
//! kinds of 较大涉险事故) were checked against published reproductions of
//! the 办法; the rest is cited as remembered (see `docs/rules.md`).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

use super::deadlines::{accident_chain, level_zh, Limits, Step};
use super::grading::AccidentGrade;
use crate::clock::CST;
use crate::db::UtcText;
use crate::error::{FieldError, Refusal, RuleError};

/// What makes an accident a 较大涉险事故 (21号令 第二十六条), as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Danger {
    /// 涉险人数 (people put at risk).
    pub at_risk: u32,
    /// 被困人数.
    pub trapped: u32,
    /// 紧急疏散人数.
    pub evacuated: u32,
    /// 对环境造成严重污染 (人员密集场所、生活水源、农田、河流、水库、湖泊等).
    pub pollution: bool,
    /// 危及重要场所和设施安全 (电站、重要水利设施、危化品库、油气站和车站、码头、
    /// 港口、机场及其他人员密集场所等).
    pub key_site: bool,
}

/// 21号令 第二十六条: a 较大涉险事故 is one with (一) 涉险 10 人以上, (二) 3 人
/// 以上被困或者下落不明, (三) 紧急疏散 500 人以上, (四) severe pollution,
/// (五) danger to important places or facilities ((六) 其他 is the
/// department's judgement, not a rule). "以上" includes the bound. (二) is
/// read as one sum of the trapped and the missing (被困或者下落不明的人), as
/// 含失踪 is elsewhere. Returns the reasons met (empty: not one).
pub fn larger_danger_reasons(d: &Danger, missing: u32) -> Vec<String> {
    let mut out = Vec::new();
    if d.at_risk >= 10 {
        out.push(format!("涉险 {} 人（10 人以上）", d.at_risk));
    }
    let tm = u64::from(d.trapped) + u64::from(missing);
    if tm >= 3 {
        out.push(format!("被困或下落不明 {tm} 人（3 人以上）"));
    }
    if d.evacuated >= 500 {
        out.push(format!("紧急疏散 {} 人（500 人以上）", d.evacuated));
    }
    if d.pollution {
        out.push("对环境造成严重污染".into());
    }
    if d.key_site {
        out.push("危及重要场所和设施安全".into());
    }
    out
}

/// How many 续报 a day an accident owes (21号令 第十一条): 2 for 重大 and
/// 特别重大, 1 for 较大, 一般 and 较大涉险.
pub fn followups_per_day(grade: AccidentGrade) -> u8 {
    match grade {
        AccidentGrade::Major | AccidentGrade::EspeciallyMajor => 2,
        AccidentGrade::Larger | AccidentGrade::Ordinary => 1,
    }
}

/// One 续报 (or 补报) filed: never changed afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Followup {
    /// When it was filed.
    pub at: UtcText,
    pub by: String,
    /// Whether the dead, missing or seriously injured changed.
    pub casualties_changed: bool,
    /// When the change became known (default: when filed); the 续报 of a
    /// change is owed that day.
    #[serde(default)]
    pub learned_at: Option<UtcText>,
    pub reason: String,
}

fn day_start(d: Date) -> OffsetDateTime {
    d.with_time(Time::MIDNIGHT).assume_offset(CST)
}

fn end_of_day(d: Date) -> OffsetDateTime {
    day_start(d.next_day().unwrap_or(d))
}

/// A 续报 slot: the step and the instant from which a 续报 counts for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub step: Step,
    pub from: OffsetDateTime,
}

/// The daily 续报 slots (21号令 第十一条), from the day after the county
/// received the report (that day has its 初报), every day that has begun
/// by `now` and began before `until` (the handling ended, or —
/// **assumption** — the casualty window closed, whichever first). One a day due at 24:00;
/// two a day for 重大/特别重大: the first due at
/// [`Limits::accident_followup_split_hour`] (default 12:00), the second at
/// 24:00. **Assumption:** the 办法 says "每日至少", not by when in the day.
/// Keys `followup:<date>` and `followup:<date>:1` / `:2`.
pub fn followup_slots(
    grade: AccidentGrade,
    county_received: OffsetDateTime,
    until: OffsetDateTime,
    now: OffsetDateTime,
    l: &Limits,
) -> Vec<Slot> {
    let per = followups_per_day(grade);
    let mut out = Vec::new();
    let mut d = county_received.to_offset(CST).date().next_day();
    let split =
        Time::from_hms(l.accident_followup_split_hour.min(23), 0, 0).unwrap_or(Time::MIDNIGHT);
    while let Some(day) = d {
        // A day is owed once it has begun and the handling had not ended
        // by its start.
        if day_start(day) > now || day_start(day) >= until {
            break;
        }
        if per == 1 {
            out.push(Slot {
                step: Step {
                    key: format!("followup:{day}"),
                    label_zh: format!("{day} 事故续报（每日至少 1 次）"),
                    by: "county".into(),
                    due: end_of_day(day),
                },
                from: day_start(day),
            });
        } else {
            let mid = day.with_time(split).assume_offset(CST);
            out.push(Slot {
                step: Step {
                    key: format!("followup:{day}:1"),
                    label_zh: format!("{day} 第 1 次续报（每日至少 2 次）"),
                    by: "county".into(),
                    due: mid,
                },
                from: day_start(day),
            });
            out.push(Slot {
                step: Step {
                    key: format!("followup:{day}:2"),
                    label_zh: format!("{day} 第 2 次续报（每日至少 2 次）"),
                    by: "county".into(),
                    due: end_of_day(day),
                },
                from: mid,
            });
        }
        d = day.next_day();
    }
    out
}

/// The 续报 that answers a slot: the first filed at or after the slot
/// opened (on time if by its due time, else late).
pub fn slot_filed(slot: &Slot, followups: &[Followup]) -> Option<OffsetDateTime> {
    followups
        .iter()
        .map(|f| f.at.0)
        .filter(|t| *t >= slot.from)
        .min()
}

/// 第十一条 "伤亡人数发生变化的，应于当日续报": each 续报 that changed the
/// casualties is a step due at 24:00 of the day the change became known,
/// filed when it was filed. Key `change:<n>` (n from 1, in filing order).
pub fn change_steps(followups: &[Followup]) -> Vec<(Step, OffsetDateTime)> {
    followups
        .iter()
        .filter(|f| f.casualties_changed)
        .enumerate()
        .map(|(i, f)| {
            let learned = f.learned_at.map_or(f.at.0, |t| t.0);
            (
                Step {
                    key: format!("change:{}", i + 1),
                    label_zh: "伤亡人数变化当日续报（21号令 第十一条）".into(),
                    by: "county".into(),
                    due: end_of_day(learned.to_offset(CST).date()),
                },
                f.at.0,
            )
        })
        .collect()
}

/// When a change learnt at `learned` may be recorded as filed at `at`: not
/// after it was filed, not before the accident.
pub fn check_learned(
    learned: OffsetDateTime,
    occurred: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<(), FieldError> {
    if learned > at || learned < occurred {
        return Err(
            FieldError::new("learned_at", "获知时间应在事故发生之后、续报之前")
                .code("learned_out_of_range"),
        );
    }
    Ok(())
}

/// The department with a sector's safety supervision (负有安全生产监督管理职责
/// 的有关部门, 493号令 第九条、第十条) that an accident of this industry is also
/// reported to, beside the emergency-management department. **Assumption**
/// (the division of duties is each government's 三定 and 《安全生产法》 第十条;
/// no national table): the industries the emergency-management department
/// supervises itself (mines under the mine-safety inspectorate included,
/// 危险化学品, 烟花爆竹, 冶金, 建材, 商贸) have none here.
pub fn sector_department(industry: &str) -> Option<&'static str> {
    match industry {
        "construction" => Some("住房和城乡建设部门"),
        "road_traffic" => Some("公安机关交通管理部门、交通运输部门"),
        "fire" => Some("消防救援机构"),
        "power" => Some("电力安全监管部门（能源局）"),
        "railway" => Some("铁路监督管理机构"),
        "special_equipment" => Some("市场监督管理部门（特种设备安全监管）"),
        _ => None,
    }
}

/// The sector department's parallel chain: the unit reports to the county's
/// sector department within the unit's hour (from its head learning it,
/// 第九条), which hands it on level by level within 2 h each (第十条、第十一条),
/// to the same top level as the emergency-management chain. Keys
/// `sector:<level>`; empty when the industry has no sector department.
pub fn sector_steps(
    industry: &str,
    grade: AccidentGrade,
    unit_learned: OffsetDateTime,
    received: &[(String, OffsetDateTime)],
    l: &Limits,
) -> Vec<Step> {
    let Some(dept) = sector_department(industry) else {
        return Vec::new();
    };
    let chain = accident_chain(grade);
    let mut out = Vec::new();
    let mut prev = unit_learned + Duration::hours(l.accident_unit_hours);
    for (i, level) in chain.iter().enumerate() {
        let due = if i == 0 {
            prev
        } else {
            let got = received
                .iter()
                .find(|(lv, _)| lv == chain[i - 1])
                .map(|(_, t)| *t);
            got.unwrap_or(prev) + Duration::hours(l.accident_level_hours)
        };
        out.push(Step {
            key: format!("sector:{level}"),
            label_zh: if i == 0 {
                format!("事故单位报告县级{dept}")
            } else {
                format!("{dept}逐级上报至{}", level_zh(level))
            },
            by: if i == 0 {
                "unit".into()
            } else {
                format!("sector:{}", chain[i - 1])
            },
            due,
        });
        prev = due;
    }
    out
}

/// Whether the sector chain may record `level` as having received the
/// report now: the accident has a sector department, the level is in its
/// chain, not yet received, and (in order) the level below has it.
pub fn check_sector_receipt(
    industry: &str,
    grade: AccidentGrade,
    received: &[(String, OffsetDateTime)],
    level: &str,
) -> Result<(), RuleError> {
    if sector_department(industry).is_none() {
        return Err(RuleError::State(
            Refusal::new(
                "no_sector_department",
                "该行业事故由应急管理部门直接监管，无另行报告的行业部门",
            )
            .param("industry", industry.to_string()),
        ));
    }
    let chain = accident_chain(grade);
    let Some(pos) = chain.iter().position(|l| *l == level) else {
        return Err(
            FieldError::new("level", format!("应为：{}", chain.join(", ")))
                .code("not_an_option")
                .param("value", level.to_string())
                .param("options", chain.join(", "))
                .into(),
        );
    };
    if received.iter().any(|(l, _)| l == level) {
        return Err(RuleError::State(
            Refusal::new(
                "level_already_received",
                format!("{}行业部门已接报", level_zh(level)),
            )
            .param("level", level.to_string()),
        ));
    }
    if pos > 0 && !received.iter().any(|(l, _)| l == chain[pos - 1]) {
        return Err(FieldError::new(
            "level",
            format!("须逐级上报：{}行业部门尚未接报", level_zh(chain[pos - 1])),
        )
        .code("forward_in_order")
        .param("level", chain[pos - 1].to_string())
        .into());
    }
    Ok(())
}

/// A duty office the city's department reports an accident to, with its
/// limits (configuration, `[reports] duty_offices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyOffice {
    pub key: String,
    pub label_zh: String,
    /// 电话报告 within this many minutes of the city receiving the report.
    pub phone_minutes: i64,
    /// 书面报告 within this many minutes.
    pub written_minutes: i64,
}

/// **Assumption** (configuration; the national rules name none of these
/// limits, each city's 值班工作制度 does): the municipal party committee's
/// and government's duty offices (市委、市政府总值班室) and the provincial
/// department (省应急管理厅) get a phone report within 30 minutes and a
/// written one within 1 hour of the city department receiving it.
pub fn default_duty_offices() -> Vec<DutyOffice> {
    [
        ("party", "市委总值班室"),
        ("government", "市政府总值班室"),
        ("province_dept", "省应急管理厅"),
    ]
    .into_iter()
    .map(|(k, zh)| DutyOffice {
        key: k.into(),
        label_zh: zh.into(),
        phone_minutes: 30,
        written_minutes: 60,
    })
    .collect()
}

/// The report modes to a duty office.
pub const DUTY_MODES: &[(&str, &str)] = &[("phone", "电话报告"), ("written", "书面报告")];

/// One report to a duty office, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DutyReport {
    pub office: String,
    /// phone or written
    pub mode: String,
    pub at: UtcText,
    pub by: String,
    #[serde(default)]
    pub note: String,
}

/// The duty-office steps, owed by the city once it received the report:
/// `duty:<office>:phone` and `duty:<office>:written`.
pub fn duty_steps(city_received: Option<OffsetDateTime>, offices: &[DutyOffice]) -> Vec<Step> {
    let Some(at) = city_received else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for o in offices {
        for (mode, zh, mins) in [
            ("phone", "电话报告", o.phone_minutes),
            ("written", "书面报告", o.written_minutes),
        ] {
            if mins <= 0 {
                continue;
            }
            out.push(Step {
                key: format!("duty:{}:{mode}", o.key),
                label_zh: format!("市级{zh}{}", o.label_zh),
                by: "city".into(),
                due: at + Duration::minutes(mins),
            });
        }
    }
    out
}

/// Whether a report to a duty office may be recorded: a configured office,
/// a known mode, once each, not before the city received it.
pub fn check_duty_report(
    offices: &[DutyOffice],
    city_received: Option<OffsetDateTime>,
    done: &[DutyReport],
    office: &str,
    mode: &str,
    at: OffsetDateTime,
) -> Result<(), RuleError> {
    if !offices.iter().any(|o| o.key == office) {
        let keys: Vec<&str> = offices.iter().map(|o| o.key.as_str()).collect();
        return Err(
            FieldError::new("office", format!("“{office}”不是配置的值班机构"))
                .code("not_an_option")
                .param("value", office.to_string())
                .param("options", keys.join(", "))
                .into(),
        );
    }
    if !DUTY_MODES.iter().any(|(k, _)| *k == mode) {
        return Err(FieldError::new("mode", "应为 phone 或 written")
            .code("not_an_option")
            .param("value", mode.to_string())
            .param("options", "phone, written")
            .into());
    }
    let Some(received) = city_received else {
        return Err(RuleError::State(
            Refusal::new("level_not_received", "市级尚未接报").param("level", "city"),
        ));
    };
    if done.iter().any(|d| d.office == office && d.mode == mode) {
        return Err(RuleError::State(
            Refusal::new("already_reported", "已报告过")
                .param("office", office.to_string())
                .param("mode", mode.to_string()),
        ));
    }
    if at < received {
        return Err(FieldError::new("at", "报告时间不能早于市级接报时间")
            .code("notified_before_received")
            .param("received", UtcText(received).text())
            .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use AccidentGrade::*;

    /// 21号令 第二十六条, each kind at its bound; (二) as one sum.
    #[test]
    fn larger_danger_accidents_at_every_bound() {
        let d = |at_risk, trapped, evacuated| Danger {
            at_risk,
            trapped,
            evacuated,
            ..Danger::default()
        };
        // (danger, missing, is 较大涉险)
        let table = [
            (d(0, 0, 0), 0, false),
            (d(9, 0, 0), 0, false),
            (d(10, 0, 0), 0, true),
            (d(0, 2, 0), 0, false),
            (d(0, 3, 0), 0, true),
            (d(0, 0, 0), 3, true),
            (d(0, 0, 0), 2, false),
            (d(0, 2, 0), 1, true),
            (d(0, 0, 499), 0, false),
            (d(0, 0, 500), 0, true),
            (
                Danger {
                    pollution: true,
                    ..Danger::default()
                },
                0,
                true,
            ),
            (
                Danger {
                    key_site: true,
                    ..Danger::default()
                },
                0,
                true,
            ),
            (d(u32::MAX, u32::MAX, 0), u32::MAX, true),
        ];
        for (danger, missing, want) in table {
            assert_eq!(
                !larger_danger_reasons(&danger, missing).is_empty(),
                want,
                "{danger:?} missing {missing}"
            );
        }
        assert_eq!(
            larger_danger_reasons(&d(10, 2, 500), 1),
            [
                "涉险 10 人（10 人以上）",
                "被困或下落不明 3 人（3 人以上）",
                "紧急疏散 500 人（500 人以上）"
            ]
        );
    }

    /// 21号令 第十一条: daily from the day after the county's receipt, twice
    /// a day for 重大/特别重大; ends with the handling (or the window).
    #[test]
    fn followups_once_or_twice_a_day() {
        let l = Limits::default();
        let rec = datetime!(2026-03-01 22:30 +8);
        // (grade, until, now, keys and dues)
        type Row = (
            AccidentGrade,
            OffsetDateTime,
            OffsetDateTime,
            Vec<(&'static str, OffsetDateTime)>,
        );
        let table: [Row; 5] = [
            // The day of receipt owes none.
            (
                Ordinary,
                datetime!(2026-04-01 00:00 +8),
                datetime!(2026-03-01 23:59 +8),
                vec![],
            ),
            // 00:00 of the next day: the first slot exists, due at its 24:00.
            (
                Larger,
                datetime!(2026-04-01 00:00 +8),
                datetime!(2026-03-02 00:00 +8),
                vec![("followup:2026-03-02", datetime!(2026-03-03 00:00 +8))],
            ),
            (
                Major,
                datetime!(2026-04-01 00:00 +8),
                datetime!(2026-03-02 08:00 +8),
                vec![
                    ("followup:2026-03-02:1", datetime!(2026-03-02 12:00 +8)),
                    ("followup:2026-03-02:2", datetime!(2026-03-03 00:00 +8)),
                ],
            ),
            // Ended on 3 March: nothing after.
            (
                Ordinary,
                datetime!(2026-03-03 09:00 +8),
                datetime!(2026-03-10 08:00 +8),
                vec![
                    ("followup:2026-03-02", datetime!(2026-03-03 00:00 +8)),
                    ("followup:2026-03-03", datetime!(2026-03-04 00:00 +8)),
                ],
            ),
            // Ended at 00:00 on 2 March: that day owes none.
            (
                EspeciallyMajor,
                datetime!(2026-03-02 00:00 +8),
                datetime!(2026-03-03 12:00 +8),
                vec![],
            ),
        ];
        for (grade, until, now, want) in table {
            let got: Vec<(String, OffsetDateTime)> = followup_slots(grade, rec, until, now, &l)
                .into_iter()
                .map(|s| (s.step.key, s.step.due))
                .collect();
            let want: Vec<(String, OffsetDateTime)> =
                want.into_iter().map(|(k, d)| (k.to_string(), d)).collect();
            assert_eq!(got, want, "{grade:?} until {until} now {now}");
        }
        let utc = followup_slots(
            Ordinary,
            datetime!(2026-03-01 23:00 UTC),
            datetime!(2026-04-01 00:00 +8),
            datetime!(2026-03-03 01:00 +8),
            &l,
        );
        assert_eq!(utc.len(), 1);
        assert_eq!(utc[0].step.key, "followup:2026-03-03");
        // Configured: the first of two by 09:00.
        let nine = Limits {
            accident_followup_split_hour: 9,
            ..Limits::default()
        };
        let s = followup_slots(
            Major,
            rec,
            datetime!(2026-04-01 00:00 +8),
            datetime!(2026-03-02 08:00 +8),
            &nine,
        );
        assert_eq!(s[0].step.due, datetime!(2026-03-02 09:00 +8));
        assert_eq!(s[1].from, datetime!(2026-03-02 09:00 +8));
    }

    fn fu(at: OffsetDateTime, changed: bool, learned: Option<OffsetDateTime>) -> Followup {
        Followup {
            at: UtcText(at),
            by: "u".into(),
            casualties_changed: changed,
            learned_at: learned.map(UtcText),
            reason: "x".into(),
        }
    }

    /// A slot is answered by the first 续报 after it opened; at its due time
    /// on time, a second later late.
    #[test]
    fn a_followup_answers_the_slot_it_falls_in() {
        let l = Limits::default();
        let rec = datetime!(2026-03-01 10:00 +8);
        let now = datetime!(2026-03-03 12:00 +8);
        let slots = followup_slots(Major, rec, datetime!(2026-04-01 00:00 +8), now, &l);
        let first = &slots[0];
        // (filed, outcome for 2 March's first slot)
        let table = [
            (datetime!(2026-03-01 23:59 +8), None),
            (datetime!(2026-03-02 00:00 +8), Some(true)),
            (datetime!(2026-03-02 12:00 +8), Some(true)),
            (datetime!(2026-03-02 12:00:01 +8), Some(false)),
        ];
        for (at, want) in table {
            let got = slot_filed(first, &[fu(at, false, None)]).map(|t| t <= first.step.due);
            assert_eq!(got, want, "{at}");
        }
    }

    /// 第十一条 "应于当日续报": due at 24:00 of the day the change became known.
    #[test]
    fn a_casualty_change_is_reported_the_same_day() {
        // (learned, filed, on time)
        let table = [
            (None, datetime!(2026-03-05 23:59 +8), true),
            (
                Some(datetime!(2026-03-05 08:00 +8)),
                datetime!(2026-03-06 00:00 +8),
                true,
            ),
            (
                Some(datetime!(2026-03-05 08:00 +8)),
                datetime!(2026-03-06 00:00:01 +8),
                false,
            ),
            // Learned 23:30 UTC = 07:30 the next Beijing day.
            (
                Some(datetime!(2026-03-04 23:30 UTC)),
                datetime!(2026-03-05 20:00 +8),
                true,
            ),
        ];
        for (learned, filed, want) in table {
            let steps = change_steps(&[fu(filed, true, learned)]);
            assert_eq!(steps.len(), 1);
            let (s, at) = &steps[0];
            assert_eq!(s.key, "change:1");
            assert_eq!(*at <= s.due, want, "{learned:?} {filed}");
        }
        // A 续报 that changed nothing owes no same-day step.
        assert!(change_steps(&[fu(datetime!(2026-03-05 08:00 +8), false, None)]).is_empty());
        let occurred = datetime!(2026-03-01 08:00 +8);
        let at = datetime!(2026-03-05 08:00 +8);
        assert!(check_learned(at, occurred, at).is_ok());
        assert!(check_learned(occurred, occurred, at).is_ok());
        assert!(check_learned(at + Duration::seconds(1), occurred, at).is_err());
        assert!(check_learned(occurred - Duration::seconds(1), occurred, at).is_err());
    }

    /// 493号令 第九条: the unit's hour runs from when its head learned of
    /// it; the sector department's chain runs beside the emergency
    /// department's, 2 h a level.
    #[test]
    fn the_sector_departments_chain() {
        let l = Limits::default();
        let learned = datetime!(2026-03-01 08:40 +8);
        let c = datetime!(2026-03-01 09:10 +8);
        let rec = |v: &[(&str, OffsetDateTime)]| -> Vec<(String, OffsetDateTime)> {
            v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
        };
        // (industry, grade, received, keys with dues)
        let s = sector_steps("construction", Larger, learned, &rec(&[("county", c)]), &l);
        let got: Vec<(&str, OffsetDateTime)> = s.iter().map(|s| (s.key.as_str(), s.due)).collect();
        assert_eq!(
            got,
            [
                ("sector:county", datetime!(2026-03-01 09:40 +8)),
                ("sector:city", datetime!(2026-03-01 11:10 +8)),
                ("sector:province", datetime!(2026-03-01 13:10 +8)),
            ]
        );
        assert_eq!(s[0].by, "unit");
        assert_eq!(s[1].by, "sector:county");
        assert!(sector_steps("coal_mine", Larger, learned, &[], &l).is_empty());
        assert_eq!(
            sector_steps("road_traffic", Major, learned, &[], &l).len(),
            4
        );
        // (industry, received, level, outcome)
        let table = [
            ("construction", rec(&[]), "county", "ok"),
            (
                "construction",
                rec(&[]),
                "city",
                "field:level:forward_in_order",
            ),
            ("construction", rec(&[("county", c)]), "city", "ok"),
            (
                "construction",
                rec(&[("county", c)]),
                "county",
                "state:level_already_received",
            ),
            (
                "construction",
                rec(&[]),
                "state",
                "field:level:not_an_option",
            ),
            ("hazmat", rec(&[]), "county", "state:no_sector_department"),
        ];
        for (industry, received, level, want) in table {
            let got = match check_sector_receipt(industry, Larger, &received, level) {
                Ok(()) => "ok".to_string(),
                Err(RuleError::Field(f)) => format!("field:{}:{}", f.field, f.code),
                Err(RuleError::State(r)) => format!("state:{}", r.code),
                Err(RuleError::Forbidden(r)) => format!("forbidden:{}", r.code),
            };
            assert_eq!(got, want, "{industry} {level}");
        }
    }

    /// The city's duty offices (configuration; defaults phone 30 min,
    /// written 1 h from the city's receipt).
    #[test]
    fn duty_offices_by_phone_and_in_writing() {
        let offices = default_duty_offices();
        let m = datetime!(2026-03-01 10:00 +8);
        assert!(duty_steps(None, &offices).is_empty());
        let s = duty_steps(Some(m), &offices);
        assert_eq!(s.len(), 6);
        assert_eq!(s[0].key, "duty:party:phone");
        assert_eq!(s[0].due, datetime!(2026-03-01 10:30 +8));
        assert_eq!(s[1].key, "duty:party:written");
        assert_eq!(s[1].due, datetime!(2026-03-01 11:00 +8));
        assert_eq!(s[4].label_zh, "市级电话报告省应急管理厅");
        // A limit of 0 turns that report off.
        let off = vec![DutyOffice {
            phone_minutes: 0,
            ..offices[0].clone()
        }];
        assert_eq!(duty_steps(Some(m), &off).len(), 1);
        let done = vec![DutyReport {
            office: "party".into(),
            mode: "phone".into(),
            at: UtcText(m),
            by: "u".into(),
            note: String::new(),
        }];
        let code = |r: Result<(), RuleError>| match r {
            Ok(()) => "ok".to_string(),
            Err(RuleError::Field(f)) => format!("field:{}:{}", f.field, f.code),
            Err(RuleError::State(r)) => format!("state:{}", r.code),
            Err(RuleError::Forbidden(r)) => format!("forbidden:{}", r.code),
        };
        // (city received, office, mode, at, outcome)
        let table = [
            (Some(m), "party", "written", m, "ok"),
            (Some(m), "party", "phone", m, "state:already_reported"),
            (
                Some(m),
                "government",
                "phone",
                m - Duration::seconds(1),
                "field:at:notified_before_received",
            ),
            (Some(m), "press", "phone", m, "field:office:not_an_option"),
            (Some(m), "party", "fax", m, "field:mode:not_an_option"),
            (None, "party", "written", m, "state:level_not_received"),
        ];
        for (rec, office, mode, at, want) in table {
            assert_eq!(
                code(check_duty_report(&offices, rec, &done, office, mode, at)),
                want,
                "{office} {mode}"
            );
        }
    }
}
