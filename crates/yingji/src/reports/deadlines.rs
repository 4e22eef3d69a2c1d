//! Legal time limits of disaster and accident reporting, as pure functions
//! of the facts and a clock. Every limit is configuration ([`Limits`]) with
//! the national defaults, so a province's own rule can replace it.
//!
//! Natural disasters (《自然灾害情况统计调查制度》): each affected township's
//! figures to the county within 1 h (configurable); the county's 初报 within
//! 2 h of the disaster; the city reviews and forwards within 2 h of receipt;
//! ≥ 10 dead or missing (or mass house collapse) → the county also reports
//! directly to the province and the Ministry at once, from when any level
//! (a township's included) first reported it; 续报 daily while the situation is unstable (county by 09:00 with data
//! to 24:00 the day before, city by 10:00), every 10 days for drought; 核报
//! within N working days after the situation stabilises.
//!
//! Production-safety accidents (国务院令第493号): the unit to the county
//! department within 1 h; each level upward within 2 h, up to the city for
//! 一般, the province for 较大, the State Council department for 重大/特别重大;
//! supplementary reports when casualties change within 30 days (7 for road
//! traffic and fire, by the accident's industry: [`casualty_window_end`]);
//! the investigation report within 60 days, extendable once by at most 60
//! (第二十九条, [`investigation_due`]); the government's reply within 15
//! days of receiving it, 30 (+ at most 30) for 特别重大 (第三十二条,
//! [`reply_due`]).
//!
//! Periods counted in days follow 《中华人民共和国民法典》 第二百零一条 (the
//! day the period starts is not counted; it runs from the next day) and
//! 第二百零三条第二款 (the last day ends at 24:00), in Beijing time
//! ([`period_end`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use super::grading::AccidentGrade;

use crate::clock::CST;
use crate::grading::Level;

/// Configurable time limits (defaults: the national rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Township figures to the county after onset.
    pub township_initial_hours: i64,
    pub initial_hours: i64,
    pub forward_hours: i64,
    /// Dead + missing at or above which the county reports directly upward
    /// (《自然灾害情况统计调查制度》: 死亡失踪 10 人以上).
    pub direct_report_threshold: u32,
    /// Collapsed rooms (倒塌房屋间数) at or above which the county reports
    /// directly too ("房屋大量倒塌"). **Assumption**: the system names no
    /// number; default 1000 rooms, 0 to count only the dead and missing.
    pub direct_report_collapsed_rooms: u32,
    /// "At once": minutes allowed for the direct report, from the moment any
    /// level (the township included) first reported figures that call for it.
    pub direct_report_minutes: i64,
    /// Daily 续报 are owed only by disasters at or above this level
    /// (《自然灾害情况统计调查制度》: 重大、特别重大 disasters report daily until
    /// the situation is stable). `None`: every disaster, as before. Default
    /// Ⅱ (重大).
    pub followup_daily_min_level: Option<Level>,
    /// The plan whose response levels grade a natural disaster for the rule
    /// above (default the city's 自然灾害救助应急预案, DT-ZX-ZRZHJZ). When no
    /// plan of that code is known every disaster owes daily 续报.
    pub followup_level_plan: String,
    /// Local times of the daily 续报 deadlines (county, city).
    pub followup_county: (u8, u8),
    pub followup_city: (u8, u8),
    pub drought_followup_days: i64,
    /// 核报: working days after the situation stabilises.
    pub final_working_days: i64,
    pub accident_unit_hours: i64,
    pub accident_level_hours: i64,
    /// 493号令 第十条: the notifications of a level that received the report
    /// (its government, police, labour, union, procuratorate) are owed
    /// within this many hours of receipt. **Assumption**: the law fixes no
    /// time; default 2, the level's hand-on time (第十一条), as they go
    /// "同时" with the upward report (`notify::notification_steps`).
    pub notify_hours: i64,
    /// 《生产安全事故信息报告和处置办法》(原安监总局令第21号) 第八条、第九条
    /// (as remembered, not verified here — an **assumption**): for a 较大
    /// accident or above, the county department that received the report
    /// phones the province (电话快报) within 1 hour, besides 逐级上报.
    /// Hours; 0 turns the step off.
    pub province_phone_hours: i64,
    /// 21号令 第十一条: 重大/特别重大 accidents owe two 续报 a day; the first
    /// is due by this local hour, the second by 24:00 (**assumption**: the
    /// 办法 says "每日至少续报2次", not by when). Default 12.
    pub accident_followup_split_hour: u8,
    /// The duty offices the city department reports an accident to, with
    /// their phone and written limits (**assumption**, configuration:
    /// 市委、市政府总值班室 and 省应急管理厅, 30 minutes by phone, 1 hour in
    /// writing; `cadence::default_duty_offices`).
    pub duty_offices: Vec<super::cadence::DutyOffice>,
    pub supplement_days: i64,
    pub supplement_days_road_fire: i64,
    /// 493号令 第二十九条: the investigation report within 60 days of the
    /// accident; an approved extension of at most 60 days, once.
    pub investigation_days: i64,
    pub investigation_extension_days: i64,
    /// 493号令 第三十二条: the government replies (批复) within 15 days of
    /// receiving the report (重大、较大、一般事故); 特别重大: 30 days,
    /// extendable in special cases by at most 30.
    pub reply_days: i64,
    pub reply_days_especially_major: i64,
    pub reply_extension_days: i64,
    /// How long before a deadline it counts as "due soon".
    pub due_soon_minutes: i64,
    /// Share by which a 核报 may differ from the last 续报 before it is flagged for review.
    pub final_review_share: f64,
    /// The header block of the statistical forms (`[reports.form]`).
    pub form: FormHeader,
}

/// The header block every statistical form of 《自然灾害情况统计调查制度》
/// carries (表号, 制定机关, 批准机关, 批准文号, 有效期至), as configuration:
/// **assumption** — the 表号, 批准文号 and 有效期至 of the system in force
/// were not checked here, so they default to empty (the form prints a blank
/// for the bureau to fill) and the two bodies to 应急管理部 (制定) and
/// 国家统计局 (批准), who make and approve departmental statistical surveys
/// (《统计法》第十七条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormHeader {
    /// 表号 of 自然灾害损失情况统计快报表.
    pub loss_form_number: String,
    pub made_by: String,
    pub approved_by: String,
    pub approval_number: String,
    pub valid_until: String,
}

impl Default for FormHeader {
    fn default() -> Self {
        FormHeader {
            loss_form_number: String::new(),
            made_by: "应急管理部".into(),
            approved_by: "国家统计局".into(),
            approval_number: String::new(),
            valid_until: String::new(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            township_initial_hours: 1,
            initial_hours: 2,
            forward_hours: 2,
            direct_report_threshold: 10,
            direct_report_collapsed_rooms: 1000,
            direct_report_minutes: 0,
            followup_daily_min_level: Some(Level::II),
            followup_level_plan: "DT-ZX-ZRZHJZ".into(),
            followup_county: (9, 0),
            followup_city: (10, 0),
            drought_followup_days: 10,
            final_working_days: 5,
            accident_unit_hours: 1,
            accident_level_hours: 2,
            notify_hours: 2,
            province_phone_hours: 1,
            accident_followup_split_hour: 12,
            duty_offices: super::cadence::default_duty_offices(),
            supplement_days: 30,
            supplement_days_road_fire: 7,
            investigation_days: 60,
            investigation_extension_days: 60,
            reply_days: 15,
            reply_days_especially_major: 30,
            reply_extension_days: 30,
            due_soon_minutes: 30,
            final_review_share: 0.2,
            form: FormHeader::default(),
        }
    }
}

/// Holidays and make-up working days (调休), from configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub holidays: BTreeSet<Date>,
    pub workdays: BTreeSet<Date>,
}

impl Calendar {
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The end (24:00 local) of the n-th working day after the local date of `from`.
    pub fn add_working_days(&self, from: OffsetDateTime, n: i64) -> OffsetDateTime {
        let mut d = from.to_offset(CST).date();
        let mut left = n;
        while left > 0 {
            d = d.next_day().unwrap_or(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        end_of_day(d)
    }
}

fn end_of_day(d: Date) -> OffsetDateTime {
    d.next_day()
        .unwrap_or(d)
        .with_time(Time::MIDNIGHT)
        .assume_offset(CST)
}

fn at_local(d: Date, (h, m): (u8, u8)) -> OffsetDateTime {
    let t = Time::from_hms(h, m, 0).unwrap_or(Time::MIDNIGHT);
    d.with_time(t).assume_offset(CST)
}

/// A report that must exist by a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Stable key, e.g. `initial`, `forward`, `direct`, `followup:2026-07-02`, `final`.
    pub key: String,
    pub label_zh: String,
    /// Which level owes it: `county`, `city`, `unit`, `province`, …
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due: OffsetDateTime,
}

/// What is known about a natural-disaster process.
#[derive(Debug, Clone, PartialEq)]
pub struct DisasterFacts {
    pub onset: OffsetDateTime,
    pub drought: bool,
    /// When the county's 初报 reached the city (starts the city's clock).
    pub county_initial_at: Option<OffsetDateTime>,
    /// When any level first reported figures that call for the direct
    /// report ([`direct_report_required`], [`direct_report_from`]); `None`:
    /// not (yet) owed.
    pub direct_from: Option<OffsetDateTime>,
    /// When the situation was declared stable (ends 续报, starts 核报).
    pub stable_at: Option<OffsetDateTime>,
    /// Since when daily 续报 are owed ([`daily_followups_from`]); `None`: not
    /// owed (a small local event). Drought's 10-day 续报 do not depend on it.
    pub daily_followups_from: Option<OffsetDateTime>,
}

/// Whether a disaster of `level` owes daily 续报 (《自然灾害情况统计调查制度》:
/// 重大、特别重大 until stable; the lowest such level is
/// [`Limits::followup_daily_min_level`], `None` meaning every disaster).
pub fn daily_followups_required(level: Option<Level>, l: &Limits) -> bool {
    match l.followup_daily_min_level {
        None => true,
        Some(min) => level.is_some_and(|lv| lv >= min),
    }
}

/// Since when daily 续报 are owed: the first moment of `timeline` — the
/// disaster's level after each report, in time order — at which
/// [`daily_followups_required`]; `onset` when every disaster owes them.
pub fn daily_followups_from(
    onset: OffsetDateTime,
    timeline: &[(OffsetDateTime, Option<Level>)],
    l: &Limits,
) -> Option<OffsetDateTime> {
    if l.followup_daily_min_level.is_none() {
        return Some(onset);
    }
    timeline
        .iter()
        .find(|(_, level)| daily_followups_required(*level, l))
        .map(|(at, _)| *at)
}

/// Whether a county's figures call for the direct report of 《自然灾害情况
/// 统计调查制度》: dead + missing (one sum, "死亡失踪") ≥
/// [`Limits::direct_report_threshold`], or collapsed rooms ≥
/// [`Limits::direct_report_collapsed_rooms`] (房屋大量倒塌; an assumption).
pub fn direct_report_required(f: &super::figures::Figures, l: &Limits) -> bool {
    f.dead_missing() >= i64::from(l.direct_report_threshold)
        || (l.direct_report_collapsed_rooms > 0
            && f.collapsed_rooms >= i64::from(l.direct_report_collapsed_rooms))
}

/// When the direct report's clock starts for one county: the first report,
/// at any level of that county (a township's included), after which the
/// county's figures — the larger, figure by figure, of its latest county
/// report and the sum of its townships' latest — call for it
/// ([`direct_report_required`]). The issue (#13) reads the system so: the
/// clock starts when any level first learns it, not when the county
/// reports. `reports` are (submitted, level, division, figures) of that
/// county's divisions, in any order.
pub fn direct_report_from(
    reports: &[(OffsetDateTime, &str, &str, super::figures::Figures)],
    l: &Limits,
) -> Option<OffsetDateTime> {
    use std::collections::BTreeMap;
    let mut order: Vec<_> = reports.iter().collect();
    order.sort_by_key(|r| r.0);
    let mut county: Option<super::figures::Figures> = None;
    let mut townships: BTreeMap<&str, super::figures::Figures> = BTreeMap::new();
    for (at, level, division, f) in order {
        match *level {
            "county" => county = Some(*f),
            "township" => {
                townships.insert(division, *f);
            }
            _ => continue,
        }
        let sum = townships
            .values()
            .fold(super::figures::Figures::default(), |a, f| a.add(f));
        let c = county.unwrap_or_default();
        let seen = super::figures::Figures {
            dead: c.dead_missing().max(sum.dead_missing()),
            collapsed_rooms: c.collapsed_rooms.max(sum.collapsed_rooms),
            ..Default::default()
        };
        if direct_report_required(&seen, l) {
            return Some(*at);
        }
    }
    None
}

/// The reports a disaster requires, up to `now`.
pub fn disaster_steps(
    f: &DisasterFacts,
    now: OffsetDateTime,
    l: &Limits,
    cal: &Calendar,
) -> Vec<Step> {
    let mut out = vec![Step {
        key: "initial".into(),
        label_zh: "县级初报".into(),
        by: "county".into(),
        due: f.onset + Duration::hours(l.initial_hours),
    }];
    if let Some(r) = f.county_initial_at {
        out.push(Step {
            key: "forward".into(),
            label_zh: "市级审核上报".into(),
            by: "city".into(),
            due: r + Duration::hours(l.forward_hours),
        });
    }
    if let Some(at) = f.direct_from {
        out.push(Step {
            key: "direct".into(),
            label_zh: format!(
                "死亡失踪 {} 人以上或房屋大量倒塌，县级直报省级和应急管理部",
                l.direct_report_threshold
            ),
            by: "county".into(),
            due: at + Duration::minutes(l.direct_report_minutes),
        });
    }
    // 续报 until the situation is stable (or until now).
    let until = f.stable_at.unwrap_or(now).to_offset(CST).date();
    let onset_day = f.onset.to_offset(CST).date();
    if f.drought {
        let mut k = 1;
        loop {
            let d = onset_day + Duration::days(l.drought_followup_days * k);
            if d > until {
                break;
            }
            out.push(Step {
                key: format!("followup:{d}"),
                label_zh: format!("{d} 旱情续报"),
                by: "county".into(),
                due: at_local(d, l.followup_county),
            });
            k += 1;
        }
    } else if let Some(from) = f.daily_followups_from {
        // The first 续报 is due the day after daily 续报 became owed (the
        // onset, or the report that made the disaster 重大).
        let start = from.max(f.onset).to_offset(CST).date();
        let mut d = start.next_day();
        while let Some(day) = d {
            if day > until {
                break;
            }
            out.push(Step {
                key: format!("followup:{day}"),
                label_zh: format!("{day} 县级续报"),
                by: "county".into(),
                due: at_local(day, l.followup_county),
            });
            out.push(Step {
                key: format!("followup-city:{day}"),
                label_zh: format!("{day} 市级续报"),
                by: "city".into(),
                due: at_local(day, l.followup_city),
            });
            d = day.next_day();
        }
    }
    if let Some(s) = f.stable_at {
        out.push(Step {
            key: "final".into(),
            label_zh: "县级核报".into(),
            by: "county".into(),
            due: cal.add_working_days(s, l.final_working_days),
        });
    }
    out
}

/// The industries whose accidents are 道路交通事故 or 火灾事故 (493号令 第十三条:
/// 7 days instead of 30). The industry decides, never a free switch.
pub const ROAD_OR_FIRE_INDUSTRIES: &[&str] = &["road_traffic", "fire"];

/// Whether an accident of this industry is a road-traffic or fire accident.
pub fn is_road_or_fire(industry: &str) -> bool {
    ROAD_OR_FIRE_INDUSTRIES.contains(&industry)
}

/// The end of a period of `days` calendar days that starts at `start`:
/// 《民法典》 第二百零一条 — the start day is not counted, the period runs
/// from the next day; 第二百零三条第二款 — the last day ends at 24:00. Days
/// are Beijing days ([`CST`]), whatever the offset of `start`. The returned
/// instant is 24:00 of the last day (00:00 of the day after); an instant
/// equal to it still belongs to the period.
///
/// 第二百零三条第一款 (a last day that is a statutory holiday moves to the
/// next working day) is for time limits of an act; the casualty window is
/// the period in which a fact (a death, a person still missing) counts, so
/// it is not applied here.
pub fn period_end(start: OffsetDateTime, days: i64) -> OffsetDateTime {
    let first = start.to_offset(CST).date();
    let last = first
        .checked_add(Duration::days(days.max(0)))
        .unwrap_or(Date::MAX);
    end_of_day(last)
}

/// Days of the casualty window of 493号令 第十三条 for an accident of this
/// industry: 7 for road traffic and fire, 30 otherwise (the numbers are
/// [`Limits`], the choice the industry's).
pub fn casualty_window_days(industry: &str, l: &Limits) -> i64 {
    if is_road_or_fire(industry) {
        l.supplement_days_road_fire
    } else {
        l.supplement_days
    }
}

/// When the casualty window of 493号令 第十三条 closes: "自事故发生之日起30日内
/// （道路交通事故、火灾事故自发生之日起7日内），事故造成的伤亡人数发生变化的，应当及时
/// 补报", counted by [`period_end`]. A change of the dead or the missing
/// after it is recorded but no longer changes the grade.
pub fn casualty_window_end(occurred: OffsetDateTime, industry: &str, l: &Limits) -> OffsetDateTime {
    period_end(occurred, casualty_window_days(industry, l))
}

/// Whether a change of casualties learnt at `at` still counts (the clock is
/// a parameter).
pub fn in_casualty_window(
    occurred: OffsetDateTime,
    industry: &str,
    at: OffsetDateTime,
    l: &Limits,
) -> bool {
    at <= casualty_window_end(occurred, industry, l)
}

/// The casualties the grade is taken on after a 补报 at `at`: inside the
/// window the new counts; after it the dead, the missing and the seriously
/// injured stay as they were when the window closed (第十三条 speaks of
/// 伤亡人数: deaths, missing and injuries), while the direct loss, which
/// 第十三条 does not limit, is the new one. `(old, new)` are
/// `(deaths, missing, serious_injuries)`.
pub fn counted_casualties(
    old: (i64, i64, i64),
    new: (i64, i64, i64),
    in_window: bool,
) -> (i64, i64, i64) {
    if in_window {
        new
    } else {
        old
    }
}

/// The highest level an accident of this grade must reach (493号令 第十条).
pub fn accident_chain(grade: AccidentGrade) -> &'static [&'static str] {
    match grade {
        AccidentGrade::Ordinary => &["county", "city"],
        AccidentGrade::Larger => &["county", "city", "province"],
        AccidentGrade::Major | AccidentGrade::EspeciallyMajor => {
            &["county", "city", "province", "state"]
        }
    }
}

/// A level of the accident chain in Chinese.
pub(super) fn level_zh(l: &str) -> &'static str {
    match l {
        "county" => "县级",
        "city" => "市级",
        "province" => "省级",
        "state" => "国务院有关部门",
        _ => "",
    }
}

/// What is known about an accident.
#[derive(Debug, Clone, PartialEq)]
pub struct AccidentFactsTime {
    pub occurred: OffsetDateTime,
    /// When the unit's head learned of it (493号令 第九条: the unit's hour
    /// runs from then); `None`: the time it occurred.
    pub unit_learned: Option<OffsetDateTime>,
    pub grade: AccidentGrade,
    /// Road-traffic and fire accidents have a 7-day supplement window.
    pub road_or_fire: bool,
    /// When each level received the report: (level, time), in chain order.
    pub received: Vec<(String, OffsetDateTime)>,
    /// The investigation's extensions and when its report was received.
    pub investigation: InvestigationTimes,
}

/// What the deadlines of an accident investigation depend on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InvestigationTimes {
    /// Days of the approved extension of the report (第二十九条), 0 if none.
    pub extension_days: i64,
    /// Days of technical appraisal, which do not count (第二十七条第二款).
    pub appraisal_days: i64,
    /// When the government received the investigation report.
    pub submitted: Option<OffsetDateTime>,
    /// Days of the approved extension of the reply (第三十二条), 0 if none.
    pub reply_extension_days: i64,
}

/// When the investigation report is due: 493号令 第二十九条 "事故调查组应当
/// 自事故发生之日起60日内提交事故调查报告；特殊情况下，经负责事故调查的人民政府
/// 批准，提交事故调查报告的期限可以适当延长，但延长的期限最长不超过60日", the
/// days counted by [`period_end`] (the day of the accident not counted, the
/// last day ending at 24:00). The extension is what was approved, never
/// more than [`Limits::investigation_extension_days`]; the days of technical
/// appraisal are added, 第二十七条第二款 "技术鉴定所需时间不计入事故调查期限".
pub fn investigation_due(
    occurred: OffsetDateTime,
    extension_days: i64,
    appraisal_days: i64,
    l: &Limits,
) -> OffsetDateTime {
    let ext = extension_days.clamp(0, l.investigation_extension_days);
    period_end(occurred, l.investigation_days + ext + appraisal_days.max(0))
}

/// Days the government has to reply to the investigation report (493号令
/// 第三十二条): 15 for 重大、较大、一般事故, 30 for 特别重大.
pub fn reply_days(grade: AccidentGrade, l: &Limits) -> i64 {
    match grade {
        AccidentGrade::EspeciallyMajor => l.reply_days_especially_major,
        _ => l.reply_days,
    }
}

/// Whether the reply may be extended (第三十二条: only for 特别重大事故, "特殊
/// 情况下，批复时间可以适当延长，但延长的时间最长不超过30日").
pub fn reply_extendable(grade: AccidentGrade) -> bool {
    grade == AccidentGrade::EspeciallyMajor
}

/// When the reply is due: "自收到事故调查报告之日起" [`reply_days`] days,
/// counted by [`period_end`] from the day the report was received, plus an
/// approved extension of a 特别重大 accident's reply (at most
/// [`Limits::reply_extension_days`]; none for the other grades).
pub fn reply_due(
    received: OffsetDateTime,
    grade: AccidentGrade,
    reply_extension_days: i64,
    l: &Limits,
) -> OffsetDateTime {
    let ext = if reply_extendable(grade) {
        reply_extension_days.clamp(0, l.reply_extension_days)
    } else {
        0
    };
    period_end(received, reply_days(grade, l) + ext)
}

/// The 电话快报 to the province of a 较大 accident or above (21号令 第八条、
/// 第九条: "县级、市级安全生产监督管理部门 … 接到事故报告后 … 应当在1小时内先用
/// 电话快报省级安全生产监督管理部门，随后补报文字报告"; see
/// [`Limits::province_phone_hours`]): owed by the county and by the city,
/// each [`Limits::province_phone_hours`] after it received the report; done
/// when the province has it (by this call, a 越级上报, or the chain in
/// time). Keys `phone:province` (county) and `phone:province:city`. None
/// below 较大, before the level has it, or when configured off.
pub fn province_phone_steps(
    grade: AccidentGrade,
    received: &[(String, OffsetDateTime)],
    l: &Limits,
) -> Vec<Step> {
    if grade == AccidentGrade::Ordinary || l.province_phone_hours <= 0 {
        return Vec::new();
    }
    [
        ("county", "phone:province"),
        ("city", "phone:province:city"),
    ]
    .into_iter()
    .filter_map(|(level, key)| {
        let (_, at) = received.iter().find(|(lv, _)| lv == level)?;
        Some(Step {
            key: key.into(),
            label_zh: format!("{}电话快报省级（21号令）", level_zh(level)),
            by: level.into(),
            due: *at + Duration::hours(l.province_phone_hours),
        })
    })
    .collect()
}

/// The reports an accident requires.
pub fn accident_steps(f: &AccidentFactsTime, l: &Limits) -> Vec<Step> {
    let mut out = Vec::new();
    // 493号令 第九条: "单位负责人接到报告后，应当于1小时内 … 报告".
    let mut prev = f.unit_learned.unwrap_or(f.occurred) + Duration::hours(l.accident_unit_hours);
    let mut prev_actual: Option<OffsetDateTime> = None;
    for (i, level) in accident_chain(f.grade).iter().enumerate() {
        let due = if i == 0 {
            prev
        } else {
            // Each level has 2 h from when it received the report (or from
            // when it should have, if the level below was late in silence).
            prev_actual.unwrap_or(prev) + Duration::hours(l.accident_level_hours)
        };
        out.push(Step {
            key: format!("report:{level}"),
            label_zh: if i == 0 {
                "事故单位报告县级".into()
            } else {
                format!("逐级上报至{}", level_zh(level))
            },
            by: if i == 0 {
                "unit".into()
            } else {
                accident_chain(f.grade)[i - 1].to_string()
            },
            due,
        });
        prev = due;
        prev_actual = f
            .received
            .iter()
            .find(|(lv, _)| lv == level)
            .map(|(_, t)| *t);
    }
    let days = if f.road_or_fire {
        l.supplement_days_road_fire
    } else {
        l.supplement_days
    };
    out.push(Step {
        key: "supplement-window".into(),
        label_zh: format!("伤亡人数变化补报期限（{days} 日）"),
        by: "county".into(),
        due: period_end(f.occurred, days),
    });
    let inv = f.investigation;
    out.push(Step {
        key: "investigation".into(),
        label_zh: "事故调查报告".into(),
        by: "investigation".into(),
        due: investigation_due(f.occurred, inv.extension_days, inv.appraisal_days, l),
    });
    if let Some(received) = inv.submitted {
        out.push(Step {
            key: "reply".into(),
            label_zh: "人民政府批复调查报告".into(),
            by: "government".into(),
            due: reply_due(received, f.grade, inv.reply_extension_days, l),
        });
    }
    out.extend(province_phone_steps(f.grade, &f.received, l));
    out
}

/// 报送状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 按时
    OnTime,
    /// 待报 (not yet due)
    Pending,
    /// 即将到期
    DueSoon,
    /// 迟报: submitted after the deadline
    Late,
    /// 漏报: not submitted and past the deadline
    Missing,
}

impl Status {
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::OnTime => "按时",
            Status::Pending => "待报",
            Status::DueSoon => "即将到期",
            Status::Late => "迟报",
            Status::Missing => "漏报",
        }
    }
}

/// The status of a step given when (if ever) it was submitted. A submission
/// exactly at the deadline is on time.
pub fn status(
    due: OffsetDateTime,
    submitted: Option<OffsetDateTime>,
    now: OffsetDateTime,
    l: &Limits,
) -> Status {
    match submitted {
        Some(t) if t <= due => Status::OnTime,
        Some(_) => Status::Late,
        None if now > due => Status::Missing,
        None if due - now <= Duration::minutes(l.due_soon_minutes) => Status::DueSoon,
        None => Status::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn l() -> Limits {
        Limits::default()
    }

    /// A time of a table row: `2026-03-01 08:00[:ss] +8` (Beijing) or `… UTC`.
    fn at(s: &str) -> OffsetDateTime {
        let (local, zone) = s.rsplit_once(' ').expect("a zone");
        let fmt: &[time::format_description::BorrowedFormatItem<'_>] = if local.len() == 16 {
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]")
        } else {
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")
        };
        let t = time::PrimitiveDateTime::parse(local, fmt).expect("a table time");
        match zone {
            "+8" => t.assume_offset(CST),
            "UTC" => t.assume_utc(),
            other => panic!("zone {other}"),
        }
    }

    #[test]
    fn status_boundaries() {
        let due = datetime!(2026-07-01 12:00 +8);
        let table = [
            (
                Some(datetime!(2026-07-01 12:00 +8)),
                datetime!(2026-07-01 13:00 +8),
                Status::OnTime,
            ), // exactly 2 h
            (
                Some(datetime!(2026-07-01 12:00:01 +8)),
                datetime!(2026-07-01 13:00 +8),
                Status::Late,
            ),
            (None, datetime!(2026-07-01 12:00 +8), Status::DueSoon),
            (None, datetime!(2026-07-01 12:00:01 +8), Status::Missing),
            (None, datetime!(2026-07-01 11:30 +8), Status::DueSoon),
            (None, datetime!(2026-07-01 11:29:59 +8), Status::Pending),
        ];
        for (sub, now, want) in table {
            assert_eq!(status(due, sub, now, &l()), want, "{sub:?} at {now}");
        }
    }

    fn facts(onset: OffsetDateTime) -> DisasterFacts {
        DisasterFacts {
            onset,
            drought: false,
            county_initial_at: None,
            direct_from: None,
            stable_at: None,
            daily_followups_from: Some(onset),
        }
    }

    /// Daily 续报 only for 重大 and 特别重大 (default), from the day after the
    /// disaster became one; a small local event owes none and is never 漏报.
    #[test]
    fn daily_followups_only_at_the_required_levels() {
        let l = l();
        // (level, required with the default Ⅱ)
        let table = [
            (None, false),
            (Some(Level::IV), false),
            (Some(Level::III), false),
            (Some(Level::II), true),
            (Some(Level::I), true),
        ];
        for (level, want) in table {
            assert_eq!(daily_followups_required(level, &l), want, "{level:?}");
            let every = Limits {
                followup_daily_min_level: None,
                ..l.clone()
            };
            assert!(daily_followups_required(level, &every), "{level:?}");
            let from_iii = Limits {
                followup_daily_min_level: Some(Level::III),
                ..l.clone()
            };
            assert_eq!(
                daily_followups_required(level, &from_iii),
                level.is_some_and(|x| x >= Level::III)
            );
        }
        let onset = datetime!(2026-07-01 10:00 +8);
        let timeline = [
            (datetime!(2026-07-01 11:00 +8), Some(Level::IV)),
            (datetime!(2026-07-02 15:00 +8), Some(Level::III)),
            (datetime!(2026-07-03 16:00 +8), Some(Level::II)),
            (datetime!(2026-07-04 09:00 +8), Some(Level::I)),
        ];
        assert_eq!(
            daily_followups_from(onset, &timeline, &l),
            Some(datetime!(2026-07-03 16:00 +8))
        );
        assert_eq!(daily_followups_from(onset, &timeline[..2], &l), None);
        let every = Limits {
            followup_daily_min_level: None,
            ..l.clone()
        };
        assert_eq!(daily_followups_from(onset, &[], &every), Some(onset));
        // The steps: none for a small event; from 4 July for one that
        // became 重大 on 3 July at 16:00.
        let now = datetime!(2026-07-06 12:00 +8);
        let small = DisasterFacts {
            daily_followups_from: None,
            ..facts(onset)
        };
        let steps = disaster_steps(&small, now, &l, &Calendar::default());
        assert!(
            !steps.iter().any(|s| s.key.starts_with("followup")),
            "{steps:?}"
        );
        let major = DisasterFacts {
            daily_followups_from: Some(datetime!(2026-07-03 16:00 +8)),
            ..facts(onset)
        };
        let keys: Vec<String> = disaster_steps(&major, now, &l, &Calendar::default())
            .into_iter()
            .filter(|s| s.key.starts_with("followup:"))
            .map(|s| s.key)
            .collect();
        assert_eq!(
            keys,
            [
                "followup:2026-07-04",
                "followup:2026-07-05",
                "followup:2026-07-06"
            ]
        );
        // Drought keeps its 10-day 续报 whatever the level.
        let drought = DisasterFacts {
            drought: true,
            daily_followups_from: None,
            ..facts(datetime!(2026-05-01 08:00 +8))
        };
        let n = disaster_steps(
            &drought,
            datetime!(2026-05-25 00:00 +8),
            &l,
            &Calendar::default(),
        )
        .iter()
        .filter(|s| s.key.starts_with("followup"))
        .count();
        assert_eq!(n, 2);
    }

    fn fig(dead: i64, missing: i64, rooms: i64) -> crate::reports::figures::Figures {
        crate::reports::figures::Figures {
            dead,
            missing,
            collapsed_rooms: rooms,
            ..Default::default()
        }
    }

    /// 《自然灾害情况统计调查制度》: 死亡失踪 10 人以上 (one sum, "≥") or 房屋
    /// 大量倒塌 (1000 rooms, an assumption) call for the direct report; its
    /// clock starts with the first report at any level of the county that
    /// shows it — a township's included.
    #[test]
    fn the_direct_report_clock_starts_when_any_level_first_learns_it() {
        let l = l();
        // (dead, missing, collapsed rooms, required)
        let table = [
            (9, 0, 0, false),
            (10, 0, 0, true),
            (0, 10, 0, true),
            (6, 4, 0, true),
            (5, 4, 999, false),
            (0, 0, 1000, true),
            (0, 0, 999, false),
        ];
        for (d, m, r, want) in table {
            assert_eq!(
                direct_report_required(&fig(d, m, r), &l),
                want,
                "{d}+{m}, {r}"
            );
        }
        let rooms_off = Limits {
            direct_report_collapsed_rooms: 0,
            ..l.clone()
        };
        assert!(!direct_report_required(&fig(0, 0, 5000), &rooms_off));

        let t = |h: u8, m: u8| {
            time::Date::from_calendar_date(2026, time::Month::July, 1)
                .unwrap()
                .with_hms(h, m, 0)
                .unwrap()
                .assume_offset(CST)
        };
        // (reports (time, level, division, figures), clock start)
        type R = (
            OffsetDateTime,
            &'static str,
            &'static str,
            crate::reports::figures::Figures,
        );
        let cases: [(Vec<R>, Option<OffsetDateTime>); 7] = [
            (vec![], None),
            (
                vec![(t(10, 0), "county", "140212000000", fig(9, 0, 0))],
                None,
            ),
            // Two townships, 6 + 4: known at the second township's report,
            // before the county has said anything.
            (
                vec![
                    (t(10, 0), "township", "140212100000", fig(6, 0, 0)),
                    (t(10, 20), "township", "140212101000", fig(0, 4, 0)),
                    (t(11, 0), "county", "140212000000", fig(10, 0, 0)),
                ],
                Some(t(10, 20)),
            ),
            // A township's later, lower figure replaces its earlier one.
            (
                vec![
                    (t(10, 0), "township", "140212100000", fig(6, 0, 0)),
                    (t(10, 10), "township", "140212100000", fig(2, 0, 0)),
                    (t(10, 20), "township", "140212101000", fig(0, 4, 0)),
                ],
                None,
            ),
            // The county's own report, given in any order.
            (
                vec![
                    (t(12, 0), "county", "140212000000", fig(12, 0, 0)),
                    (t(9, 0), "county", "140212000000", fig(3, 0, 0)),
                ],
                Some(t(12, 0)),
            ),
            // Collapsed rooms from a township.
            (
                vec![(t(8, 30), "township", "140212100000", fig(0, 0, 1000))],
                Some(t(8, 30)),
            ),
            // A city report is not the county's learning.
            (vec![(t(8, 0), "city", "140200000000", fig(30, 0, 0))], None),
        ];
        for (reports, want) in cases {
            assert_eq!(direct_report_from(&reports, &l), want, "{reports:?}");
        }
    }

    #[test]
    fn initial_forward_and_direct_reports() {
        let onset = datetime!(2026-07-01 10:00 +8);
        let mut f = facts(onset);
        let steps = disaster_steps(&f, onset, &l(), &Calendar::default());
        assert_eq!(steps[0].key, "initial");
        assert_eq!(steps[0].due, datetime!(2026-07-01 12:00 +8));
        assert_eq!(steps.len(), 1);
        f.county_initial_at = Some(datetime!(2026-07-01 11:30 +8));
        let steps = disaster_steps(&f, onset, &l(), &Calendar::default());
        assert_eq!(steps[1].key, "forward");
        assert_eq!(steps[1].due, datetime!(2026-07-01 13:30 +8));
        assert!(
            !steps.iter().any(|s| s.key == "direct"),
            "not called for: no direct report"
        );
        f.direct_from = Some(datetime!(2026-07-01 11:00 +8));
        let steps = disaster_steps(&f, onset, &l(), &Calendar::default());
        let d = steps.iter().find(|s| s.key == "direct").unwrap();
        assert_eq!(d.due, datetime!(2026-07-01 11:00 +8), "exactly 10: at once");
    }

    #[test]
    fn daily_followups_until_stable_across_midnight() {
        // Onset 23:30 local on 1 July: the first 续报 is due 09:00 on 2 July.
        let onset = datetime!(2026-07-01 23:30 +8);
        let mut f = facts(onset);
        f.stable_at = Some(datetime!(2026-07-03 15:00 +8));
        let steps = disaster_steps(
            &f,
            datetime!(2026-07-10 00:00 +8),
            &l(),
            &Calendar::default(),
        );
        let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "initial",
                "followup:2026-07-02",
                "followup-city:2026-07-02",
                "followup:2026-07-03",
                "followup-city:2026-07-03",
                "final"
            ]
        );
        assert_eq!(
            steps[0].due,
            datetime!(2026-07-02 01:30 +8),
            "2 h crosses midnight"
        );
        assert_eq!(steps[1].due, datetime!(2026-07-02 09:00 +8));
        assert_eq!(steps[2].due, datetime!(2026-07-02 10:00 +8));
        // An onset stored in UTC is still judged in local days.
        let utc = datetime!(2026-07-01 15:30 UTC); // = 23:30 CST
        assert_eq!(
            disaster_steps(
                &facts(utc),
                datetime!(2026-07-02 09:30 +8),
                &l(),
                &Calendar::default()
            )[1]
            .key,
            "followup:2026-07-02"
        );
    }

    #[test]
    fn drought_followups_every_ten_days() {
        let f = DisasterFacts {
            drought: true,
            ..facts(datetime!(2026-05-01 08:00 +8))
        };
        let steps = disaster_steps(
            &f,
            datetime!(2026-05-25 00:00 +8),
            &l(),
            &Calendar::default(),
        );
        let keys: Vec<&str> = steps
            .iter()
            .filter(|s| s.key.starts_with("followup"))
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(keys, vec!["followup:2026-05-11", "followup:2026-05-21"]);
    }

    #[test]
    fn final_report_counts_working_days_with_holidays() {
        let mut cal = Calendar::default();
        // National Day 2026: 1–7 October off, Saturday 10 October worked (调休).
        for d in 1..=7 {
            cal.holidays
                .insert(Date::from_calendar_date(2026, time::Month::October, d).unwrap());
        }
        cal.workdays.insert(date!(2026 - 10 - 10));
        assert!(!cal.is_working_day(date!(2026 - 10 - 05)));
        assert!(cal.is_working_day(date!(2026 - 10 - 10)));
        assert!(!cal.is_working_day(date!(2026 - 10 - 11)));
        // Stable on Wednesday 30 Sept: 5 working days are 8, 9, 10, 12, 13 Oct → due end of 13 Oct.
        let due = cal.add_working_days(datetime!(2026-09-30 16:00 +8), 5);
        assert_eq!(due, datetime!(2026-10-14 00:00 +8));
        // Without holidays: Thu 1, Fri 2, Mon 5, Tue 6, Wed 7.
        assert_eq!(
            Calendar::default().add_working_days(datetime!(2026-09-30 16:00 +8), 5),
            datetime!(2026-10-08 00:00 +8)
        );
    }

    #[test]
    fn accident_chains_by_grade() {
        let t = datetime!(2026-03-01 08:00 +8);
        let f = AccidentFactsTime {
            occurred: t,
            unit_learned: None,
            grade: AccidentGrade::Ordinary,
            road_or_fire: false,
            received: vec![],
            investigation: InvestigationTimes::default(),
        };
        let s = accident_steps(&f, &l());
        let keys: Vec<&str> = s.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "report:county",
                "report:city",
                "supplement-window",
                "investigation"
            ]
        );
        assert_eq!(s[0].due, datetime!(2026-03-01 09:00 +8));
        assert_eq!(s[1].due, datetime!(2026-03-01 11:00 +8));
        // 30 days from 1 March (not counted): 2–31 March, ending at 24:00.
        assert_eq!(s[2].due, datetime!(2026-04-01 00:00 +8));
        // 60 days from 1 March (not counted): 2 March – 30 April, to 24:00.
        assert_eq!(s[3].due, datetime!(2026-05-01 00:00 +8));
        // The county received it at 08:20: the city's 2 h run from then.
        let f2 = AccidentFactsTime {
            received: vec![("county".into(), datetime!(2026-03-01 08:20 +8))],
            ..f.clone()
        };
        assert_eq!(
            accident_steps(&f2, &l())[1].due,
            datetime!(2026-03-01 10:20 +8)
        );
        // 493号令 第九条: the unit's hour runs from when its head learned of
        // it (45 minutes after it happened), at the hour exactly on time.
        let f3 = AccidentFactsTime {
            unit_learned: Some(datetime!(2026-03-01 08:45 +8)),
            ..f.clone()
        };
        let s3 = accident_steps(&f3, &l());
        assert_eq!(s3[0].due, datetime!(2026-03-01 09:45 +8));
        assert_eq!(
            status(
                s3[0].due,
                Some(datetime!(2026-03-01 09:45 +8)),
                s3[0].due,
                &l()
            ),
            Status::OnTime
        );
        assert_eq!(
            status(
                s3[0].due,
                Some(datetime!(2026-03-01 09:45:01 +8)),
                s3[0].due,
                &l()
            ),
            Status::Late
        );
        let major = AccidentFactsTime {
            grade: AccidentGrade::Major,
            road_or_fire: true,
            investigation: InvestigationTimes {
                extension_days: 60,
                appraisal_days: 0,
                submitted: Some(datetime!(2026-06-20 10:00 +8)),
                reply_extension_days: 30,
            },
            ..f.clone()
        };
        let s = accident_steps(&major, &l());
        assert_eq!(s.iter().filter(|s| s.key.starts_with("report:")).count(), 4);
        assert_eq!(
            s[4].due,
            datetime!(2026-03-09 00:00 +8),
            "7 days for road/fire: 2–8 March, to 24:00"
        );
        assert_eq!(s[5].due, datetime!(2026-06-30 00:00 +8), "60 + 60 days");
        // 重大: 15 days from the report's receipt; no extension of the reply.
        assert_eq!(
            (s[6].key.as_str(), s[6].by.as_str()),
            ("reply", "government")
        );
        assert_eq!(s[6].due, datetime!(2026-07-06 00:00 +8));
        assert!(!accident_steps(&f, &l()).iter().any(|s| s.key == "reply"));

        assert_eq!(
            accident_chain(AccidentGrade::Larger).last(),
            Some(&"province")
        );
    }

    /// 21号令 第八条、第九条 (an assumption, configurable): a 较大 accident or
    /// above is phoned to the province within 1 hour of the county's receipt.
    #[test]
    fn larger_accidents_are_phoned_to_the_province_within_the_hour() {
        use AccidentGrade::*;
        let c = datetime!(2026-03-01 08:20 +8);
        let county = vec![("county".to_string(), c)];
        // (grade, received, due)
        let table = [
            (Ordinary, county.clone(), None),
            (Larger, county.clone(), Some(datetime!(2026-03-01 09:20 +8))),
            (Major, county.clone(), Some(datetime!(2026-03-01 09:20 +8))),
            (
                EspeciallyMajor,
                county.clone(),
                Some(datetime!(2026-03-01 09:20 +8)),
            ),
            (Larger, vec![], None),
        ];
        for (grade, received, want) in table {
            let got = province_phone_steps(grade, &received, &l())
                .first()
                .map(|s| s.due);
            assert_eq!(got, want, "{grade:?} {received:?}");
        }
        let off = Limits {
            province_phone_hours: 0,
            ..l()
        };
        assert!(province_phone_steps(Larger, &county, &off).is_empty());
        // The city phones too, within its hour of receipt (第八条 "县级、市级").
        let both = vec![
            ("county".to_string(), c),
            ("city".to_string(), datetime!(2026-03-01 09:50 +8)),
        ];
        let s = province_phone_steps(Major, &both, &l());
        let got: Vec<(&str, &str, OffsetDateTime)> = s
            .iter()
            .map(|s| (s.key.as_str(), s.by.as_str(), s.due))
            .collect();
        assert_eq!(
            got,
            [
                ("phone:province", "county", datetime!(2026-03-01 09:20 +8)),
                (
                    "phone:province:city",
                    "city",
                    datetime!(2026-03-01 10:50 +8)
                )
            ]
        );
        assert_eq!(s[1].label_zh, "市级电话快报省级（21号令）");
        let f = AccidentFactsTime {
            occurred: datetime!(2026-03-01 08:00 +8),
            unit_learned: None,
            grade: Larger,
            road_or_fire: false,
            received: county,
            investigation: InvestigationTimes::default(),
        };
        let s = accident_steps(&f, &l());
        assert_eq!(
            s.last().map(|s| (s.key.as_str(), s.by.as_str())),
            Some(("phone:province", "county"))
        );
    }

    /// 493号令 第二十九条 with 《民法典》 第二百零一条/第二百零三条: the report
    /// is due 60 days after the day of the accident (not counted), at 24:00
    /// Beijing time, plus the approved extension, never more than 60.
    #[test]
    fn the_investigation_report_is_due_sixty_days_plus_the_approved_extension() {
        // (occurred, approved extension, days of technical appraisal, due)
        let table = [
            // 2 March – 30 April are the 60 days.
            ("2026-03-01 08:00 +8", 0, 0, "2026-05-01 00:00 +8"),
            ("2026-03-01 23:59 +8", 0, 0, "2026-05-01 00:00 +8"),
            ("2026-03-02 00:01 +8", 0, 0, "2026-05-02 00:00 +8"),
            // 16:30 UTC on 1 March is 00:30 on 2 March in Beijing.
            ("2026-03-01 16:30 UTC", 0, 0, "2026-05-02 00:00 +8"),
            ("2026-03-01 15:59 UTC", 0, 0, "2026-05-01 00:00 +8"),
            // The extension adds the days approved: 1, 30, at most 60.
            ("2026-03-01 08:00 +8", 1, 0, "2026-05-02 00:00 +8"),
            ("2026-03-01 08:00 +8", 30, 0, "2026-05-31 00:00 +8"),
            ("2026-03-01 08:00 +8", 60, 0, "2026-06-30 00:00 +8"),
            ("2026-03-01 08:00 +8", 61, 0, "2026-06-30 00:00 +8"),
            ("2026-03-01 08:00 +8", -3, 0, "2026-05-01 00:00 +8"),
            // Technical appraisal does not count (第二十七条第二款), on top.
            ("2026-03-01 08:00 +8", 0, 10, "2026-05-11 00:00 +8"),
            ("2026-03-01 08:00 +8", 60, 10, "2026-07-10 00:00 +8"),
            ("2026-03-01 08:00 +8", 0, -10, "2026-05-01 00:00 +8"),
            // Across a leap day: 2028-01-10 + 60 days → 10 March.
            ("2028-01-10 09:00 +8", 0, 0, "2028-03-11 00:00 +8"),
        ];
        for (occurred, ext, appraisal, want) in table {
            let due = investigation_due(at(occurred), ext, appraisal, &l());
            assert_eq!(due, at(want), "{occurred} +{ext} +{appraisal}");
        }
        // A report received at the deadline is on time; a second later, late.
        let due = investigation_due(at("2026-03-01 08:00 +8"), 0, 0, &l());
        let now = at("2026-06-01 00:00 +8");
        let on_time = status(due, Some(at("2026-05-01 00:00 +8")), now, &l());
        let late = status(due, Some(at("2026-05-01 00:00:01 +8")), now, &l());
        assert_eq!((on_time, late), (Status::OnTime, Status::Late));
    }

    /// 493号令 第三十二条: the government replies within 15 days of receiving
    /// the report (重大、较大、一般事故); 特别重大 within 30, extendable by at
    /// most 30; the day of receipt is not counted (《民法典》 第二百零一条).
    #[test]
    fn the_reply_is_due_fifteen_days_or_thirty_for_especially_major() {
        use AccidentGrade::*;
        // (received, grade, approved reply extension, due)
        let table = [
            // 11–25 May are the 15 days.
            ("2026-05-10 15:00 +8", Ordinary, 0, "2026-05-26 00:00 +8"),
            ("2026-05-10 15:00 +8", Larger, 0, "2026-05-26 00:00 +8"),
            ("2026-05-10 15:00 +8", Major, 0, "2026-05-26 00:00 +8"),
            ("2026-05-10 16:30 UTC", Major, 0, "2026-05-27 00:00 +8"),
            // No extension below 特别重大, whatever is sent.
            ("2026-05-10 15:00 +8", Major, 10, "2026-05-26 00:00 +8"),
            ("2026-05-10 15:00 +8", Ordinary, 30, "2026-05-26 00:00 +8"),
            // 特别重大: 11 May – 9 June, then at most 30 more.
            (
                "2026-05-10 15:00 +8",
                EspeciallyMajor,
                0,
                "2026-06-10 00:00 +8",
            ),
            (
                "2026-05-10 15:00 +8",
                EspeciallyMajor,
                1,
                "2026-06-11 00:00 +8",
            ),
            (
                "2026-05-10 15:00 +8",
                EspeciallyMajor,
                30,
                "2026-07-10 00:00 +8",
            ),
            (
                "2026-05-10 15:00 +8",
                EspeciallyMajor,
                31,
                "2026-07-10 00:00 +8",
            ),
        ];
        for (received, grade, ext, want) in table {
            assert_eq!(
                reply_due(at(received), grade, ext, &l()),
                at(want),
                "{received} {grade:?} +{ext}"
            );
        }
        let extendable: Vec<bool> = [Ordinary, Larger, Major, EspeciallyMajor]
            .into_iter()
            .map(reply_extendable)
            .collect();
        assert_eq!(extendable, [false, false, false, true]);
    }

    /// 《民法典》 第二百零一条/第二百零三条 with 493号令 第十三条: the start day
    /// is not counted, the last day ends at 24:00 Beijing time; 7 days for
    /// road traffic and fire (by industry), 30 otherwise.
    #[test]
    fn the_casualty_window_counts_calendar_days_to_midnight() {
        // (occurred, industry, at, in the window)
        let table = [
            // Coal mine, 1 March 08:00: days 2–31 March; ends 31 March 24:00.
            (
                "2026-03-01 08:00 +8",
                "coal_mine",
                "2026-03-31 08:00 +8",
                true,
            ),
            (
                "2026-03-01 08:00 +8",
                "coal_mine",
                "2026-03-31 23:59:59 +8",
                true,
            ),
            (
                "2026-04-01 00:00 +8",
                "coal_mine",
                "2026-05-01 00:00 +8",
                true,
            ),
            (
                "2026-03-01 08:00 +8",
                "coal_mine",
                "2026-04-01 00:00 +8",
                true,
            ),
            (
                "2026-03-01 08:00 +8",
                "coal_mine",
                "2026-04-01 00:00:01 +8",
                false,
            ),
            // The same instant written in UTC.
            (
                "2026-03-01 00:00 UTC",
                "coal_mine",
                "2026-03-31 16:00 UTC",
                true,
            ),
            (
                "2026-03-01 00:00 UTC",
                "coal_mine",
                "2026-03-31 16:00:01 UTC",
                false,
            ),
            // Just before midnight: the start day is the day it happened in
            // Beijing, so 23:59 on 1 March still starts counting on 2 March.
            (
                "2026-03-01 23:59 +8",
                "hazmat",
                "2026-03-31 23:59:59 +8",
                true,
            ),
            (
                "2026-03-01 23:59 +8",
                "hazmat",
                "2026-04-01 00:00:01 +8",
                false,
            ),
            // Just after midnight: a day later than 23:59 the evening before.
            (
                "2026-03-02 00:01 +8",
                "hazmat",
                "2026-04-01 23:59:59 +8",
                true,
            ),
            (
                "2026-03-02 00:01 +8",
                "hazmat",
                "2026-04-02 00:00:01 +8",
                false,
            ),
            // 16:30 UTC on 1 March is 00:30 on 2 March in Beijing.
            (
                "2026-03-01 16:30 UTC",
                "hazmat",
                "2026-04-01 23:00 +8",
                true,
            ),
            // Road traffic and fire: 7 days, 2–8 March.
            (
                "2026-03-01 08:00 +8",
                "road_traffic",
                "2026-03-08 23:59:59 +8",
                true,
            ),
            (
                "2026-03-01 08:00 +8",
                "road_traffic",
                "2026-03-09 00:00 +8",
                true,
            ),
            (
                "2026-03-01 08:00 +8",
                "road_traffic",
                "2026-03-09 00:00:01 +8",
                false,
            ),
            (
                "2026-03-01 08:00 +8",
                "fire",
                "2026-03-09 00:00:01 +8",
                false,
            ),
            ("2026-03-01 08:00 +8", "fire", "2026-03-08 12:00 +8", true),
            // Any other industry has 30 days, whatever else is said.
            (
                "2026-03-01 08:00 +8",
                "construction",
                "2026-03-09 00:00:01 +8",
                true,
            ),
            // Across a month end and a leap day: 2028-02-15 + 30 days → 16 March.
            (
                "2028-02-15 10:00 +8",
                "other",
                "2028-03-16 23:59:59 +8",
                true,
            ),
            (
                "2028-02-15 10:00 +8",
                "other",
                "2028-03-17 00:00:01 +8",
                false,
            ),
        ];
        for (occurred, industry, change, want) in table {
            let (occurred, change) = (at(occurred), at(change));
            assert_eq!(
                in_casualty_window(occurred, industry, change, &l()),
                want,
                "{industry} occurred {occurred}, change at {change}"
            );
        }
        assert_eq!(
            casualty_window_end(datetime!(2026-03-01 08:00 +8), "fire", &l()),
            datetime!(2026-03-09 00:00 +8)
        );
        assert!(is_road_or_fire("road_traffic") && is_road_or_fire("fire"));
        assert!(!is_road_or_fire("coal_mine") && !is_road_or_fire("Fire"));
        // A period of 0 days ends with the start day; a negative one too.
        assert_eq!(
            period_end(datetime!(2026-03-01 08:00 +8), 0),
            datetime!(2026-03-02 00:00 +8)
        );
        assert_eq!(
            period_end(datetime!(2026-03-01 08:00 +8), -5),
            datetime!(2026-03-02 00:00 +8)
        );
        // After the window the dead, missing and injured stay; inside they change.
        assert_eq!(counted_casualties((3, 1, 2), (5, 0, 4), true), (5, 0, 4));
        assert_eq!(counted_casualties((3, 1, 2), (5, 0, 4), false), (3, 1, 2));
    }
}
