//! 灾情管理: natural-disaster reports (初报/续报/核报) up the 村→乡→县→市
//! chain and production-safety accident reports, with the legal deadlines
//! that enforce themselves.
//!
//! Rules live in pure submodules: [`grading`] (493号令 accident grades),
//! [`deadlines`] (every time limit, configurable, with a working-day
//! calendar) and [`figures`] (indicator validation and consistency rules).

pub mod bulletin;
pub mod cadence;
pub mod deadlines;
pub mod figures;
pub mod grading;
pub mod intake;
pub mod investigation;
pub mod ledgers;
pub mod notify;
pub mod regimes;

pub mod api;
pub mod api_investigation;
pub mod api_unit;
pub mod export;
pub mod info_bulletin;
pub mod jobs;
pub mod model;
pub mod store;

use serde::{Deserialize, Serialize};

use crate::db::UtcText;

use self::deadlines::{Calendar, Limits, Status, Step};
pub use self::model::{Accident, Disaster, Report};

/// 灾种.
pub const DISASTER_TYPES: &[(&str, &str)] = &[
    ("rainstorm", "暴雨"),
    ("flood", "洪涝"),
    ("drought", "干旱"),
    ("wind_hail", "风雹"),
    ("frost", "低温冷冻"),
    ("snow", "雪灾"),
    ("earthquake", "地震"),
    ("geohazard", "地质灾害"),
    ("forest_fire", "森林火灾"),
    ("other", "其他"),
];

/// 事故行业 (the keys the accident form offers). `road_traffic` and `fire`
/// are the 道路交通事故 and 火灾事故 of 493号令 第十三条 (7-day casualty
/// window, `deadlines::ROAD_OR_FIRE_INDUSTRIES`).
pub const INDUSTRIES: &[(&str, &str)] = &[
    ("coal_mine", "煤矿"),
    ("non_coal_mine", "非煤矿山"),
    ("hazmat", "危险化学品"),
    ("fireworks", "烟花爆竹"),
    ("metallurgy", "冶金"),
    ("building_materials", "建材"),
    ("construction", "建筑施工"),
    ("road_traffic", "道路交通"),
    ("fire", "火灾"),
    ("trade", "商贸"),
    ("industry_trade", "工贸"),
    ("power", "电力"),
    // Graded by 国务院令第501号 (493号令 第四十五条, `regimes`).
    ("railway", "铁路交通"),
    // Graded by 《特种设备安全监察条例》 第六十一条至第六十四条.
    ("special_equipment", "特种设备"),
    ("other", "其他"),
];

/// Where a disaster first became known (a disaster known from another
/// source with no report by its due time is 漏报).
pub const SOURCES: &[(&str, &str)] = &[
    ("report", "基层上报"),
    ("intake", "值班接报"),
    ("alarm", "监测报警"),
    ("warning", "预警信息"),
    ("superior", "上级通报"),
];

/// 报告类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 初报
    Initial,
    /// 续报
    Followup,
    /// 核报
    Final,
    /// 直报 (≥ 10 dead or missing)
    Direct,
    /// 市级审核上报
    Forward,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Initial => "initial",
            ReportKind::Followup => "followup",
            ReportKind::Final => "final",
            ReportKind::Direct => "direct",
            ReportKind::Forward => "forward",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            ReportKind::Initial,
            ReportKind::Followup,
            ReportKind::Final,
            ReportKind::Direct,
            ReportKind::Forward,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A step with its status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepStatus {
    pub key: String,
    pub label_zh: String,
    pub by: String,
    pub due: UtcText,
    pub submitted_at: Option<UtcText>,
    pub status: Status,
    pub status_zh: String,
}

/// Keep only the reports a reader with `scope` may see: those filed by a
/// division inside the reader's jurisdiction subtree. Reports carry the
/// ledgers (names, ages, addresses of the dead and missing; householders),
/// so a county or township user of a disaster that spans counties sees
/// neither another county's reports nor the city's (which may gather every
/// county's ledger); the city sees all. The disaster's steps and per-county
/// aggregates (figures only) stay whole. Every path that shows reports —
/// detail, 快报表 and ledgers in XLSX/CSV — filters through here.
pub fn retain_visible(reports: &mut Vec<Report>, scope: &crate::auth::Scope) {
    reports.retain(|r| r.division.starts_with(&scope.prefix));
}

/// The county-level code of each township in the disaster.
pub fn counties_of(townships: &[String]) -> Vec<String> {
    let mut out: Vec<String> = townships
        .iter()
        .filter_map(|t| t.get(..6))
        .map(|c| format!("{c}000000"))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What the natural-disaster relief plan's criteria read of a report's
/// figures: 死亡（含失踪）, 紧急转移安置或需紧急生活救助 (the larger of the
/// two), 倒塌和严重损坏房屋 (rooms), 受灾人口 and the direct loss.
pub fn plan_facts(f: &figures::Figures) -> crate::plans::Facts {
    let count = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    let people = |n: i64| n.max(0) as u64;
    crate::plans::Facts {
        deaths: count(f.dead),
        missing: count(f.missing),
        affected_people: people(f.affected),
        relocated_people: people(f.relocated.max(f.need_relief)),
        collapsed_houses: people(f.collapsed_rooms + f.severe_rooms),
        direct_loss_yuan: people(f.direct_loss_yuan),
        ..Default::default()
    }
}

/// The level of a disaster after each of its reports, in time order: the
/// highest level of `plan` whose criteria the figures meet, the figures
/// being the larger of the latest city report, the sum of the latest county
/// reports and the sum of the latest township reports (pure).
pub fn level_timeline(
    reports: &[Report],
    plan: &crate::plans::Plan,
) -> Vec<(time::OffsetDateTime, Option<crate::grading::Level>)> {
    use std::collections::BTreeMap;
    let mut order: Vec<&Report> = reports.iter().collect();
    order.sort_by_key(|r| (r.submitted_at.0, r.id));
    let mut latest: BTreeMap<(&str, &str), figures::Figures> = BTreeMap::new();
    let level_of = |f: &figures::Figures| {
        let facts = plan_facts(f);
        plan.levels
            .iter()
            .filter(|lv| !lv.met(&facts).is_empty())
            .map(|lv| lv.level)
            .max()
    };
    let mut out = Vec::new();
    for r in order {
        latest.insert((r.level.as_str(), r.division.as_str()), r.figures);
        let level = ["township", "county", "city"]
            .into_iter()
            .filter_map(|lv| {
                let sum = latest
                    .iter()
                    .filter(|((l2, _), _)| *l2 == lv)
                    .fold(figures::Figures::default(), |acc, (_, f)| acc.add(f));
                level_of(&sum)
            })
            .max();
        out.push((r.submitted_at.0, level));
    }
    out
}

/// Since when the disaster owes daily 续报 (`deadlines::daily_followups_from`),
/// its level read with the plan named in `l.followup_level_plan` (the
/// embedded catalogue's version in force). Without that plan, every
/// disaster owes them.
fn daily_from(d: &Disaster, reports: &[Report], l: &Limits) -> Option<time::OffsetDateTime> {
    let onset = d.onset.0;
    let plan = crate::plans::embedded()
        .ok()
        .and_then(|c| c.plan(&l.followup_level_plan));
    match plan {
        Some(plan) if l.followup_daily_min_level.is_some() => {
            deadlines::daily_followups_from(onset, &level_timeline(reports, plan), l)
        }
        _ => Some(onset),
    }
}

/// 灾情稳定: from `at` on, the disaster owes its 核报 (《自然灾害情况统计调查
/// 制度》: the verified report follows once the disaster is stable). A
/// disaster becomes stable once; the time is not moved afterwards, since
/// the deadlines already count from it. Returns the disaster to save and
/// the journal payload.
pub fn mark_stable(
    mut d: Disaster,
    at: time::OffsetDateTime,
) -> Result<(Disaster, serde_json::Value), crate::error::Refusal> {
    if let Some(since) = d.stable_at {
        return Err(crate::error::Refusal::new(
            "already_stable",
            format!("灾情已于 {} 标记为稳定", crate::clock::format_time(since.0)),
        )
        .param("at", crate::clock::format_time(since.0)));
    }
    d.stable_at = Some(crate::db::UtcText(at));
    Ok((d, serde_json::json!({ "at": crate::db::UtcText(at) })))
}

/// Every step a disaster owes, with status, from its reports (pure).
pub fn disaster_status(
    d: &Disaster,
    reports: &[Report],
    now: time::OffsetDateTime,
    l: &Limits,
    cal: &Calendar,
) -> Vec<StepStatus> {
    let onset = d.onset.0;
    let stable = d.stable_at.map(|t| t.0);
    let drought = d.disaster_type == "drought";
    let daily_followups_from = daily_from(d, reports, l);
    let mut steps: Vec<Step> = Vec::new();
    let mut first_initial: Option<time::OffsetDateTime> = None;
    for county in counties_of(&d.townships) {
        let mine: Vec<&Report> = reports
            .iter()
            .filter(|r| r.level == "county" && r.division == county)
            .collect();
        let initial_at = mine
            .iter()
            .filter(|r| r.kind == ReportKind::Initial)
            .map(|r| r.submitted_at.0)
            .min();
        if let Some(t) = initial_at {
            first_initial = Some(first_initial.map_or(t, |f: time::OffsetDateTime| f.min(t)));
        }
        // The direct report's clock: the first report of this county or one
        // of its townships that shows the figures calling for it.
        let prefix = county.get(..6).unwrap_or_default();
        let learnt: Vec<_> = reports
            .iter()
            .filter(|r| {
                matches!(r.level.as_str(), "county" | "township") && r.division.starts_with(prefix)
            })
            .map(|r| {
                (
                    r.submitted_at.0,
                    r.level.as_str(),
                    r.division.as_str(),
                    r.figures,
                )
            })
            .collect();
        let facts = deadlines::DisasterFacts {
            onset,
            drought,
            county_initial_at: None,
            direct_from: deadlines::direct_report_from(&learnt, l),
            stable_at: stable,
            daily_followups_from,
        };
        for mut s in deadlines::disaster_steps(&facts, now, l, cal)
            .into_iter()
            .filter(|s| s.by == "county")
        {
            s.key = format!("{county}:{}", s.key);
            s.by = county.clone();
            steps.push(s);
        }
    }
    for t in &d.townships {
        steps.push(Step {
            key: format!("{t}:initial"),
            label_zh: "乡镇初报".into(),
            by: t.clone(),
            due: onset + time::Duration::hours(l.township_initial_hours),
        });
    }
    let city_facts = deadlines::DisasterFacts {
        onset,
        drought,
        county_initial_at: first_initial,
        direct_from: None,
        stable_at: stable,
        daily_followups_from,
    };
    for s in deadlines::disaster_steps(&city_facts, now, l, cal)
        .into_iter()
        .filter(|s| s.by == "city")
    {
        steps.push(s);
    }
    steps.sort_by_key(|s| s.due);
    steps
        .into_iter()
        .map(|s| {
            let sub = reports
                .iter()
                .filter(|r| r.step_key == s.key)
                .map(|r| r.submitted_at.0)
                .min();
            let st = deadlines::status(s.due, sub, now, l);
            StepStatus {
                key: s.key,
                label_zh: s.label_zh,
                by: s.by,
                due: s.due.into(),
                submitted_at: sub.map(UtcText),
                status: st,
                status_zh: st.label_zh().into(),
            }
        })
        .collect()
}

/// Which step a new county/city report satisfies (pure; decided at submission).
pub fn step_for(
    d: &Disaster,
    reports: &[Report],
    kind: ReportKind,
    (level, division): (&str, &str),
    at: time::OffsetDateTime,
    l: &Limits,
    cal: &Calendar,
) -> String {
    // Look a day ahead so tomorrow's 续报 step exists for an evening report.
    let steps = disaster_status(d, reports, at + time::Duration::days(1), l, cal);
    let open = |prefix: &str| -> Option<String> {
        steps
            .iter()
            .filter(|s| s.key.starts_with(prefix) && s.submitted_at.is_none())
            .filter(|s| s.due.0 <= at + time::Duration::hours(24))
            .map(|s| s.key.clone())
            .next()
    };
    let extra = format!("extra:{}", crate::clock::format_time(at));
    match (level, kind) {
        ("township", ReportKind::Initial) | ("county", ReportKind::Initial) => {
            format!("{division}:initial")
        }
        ("county", ReportKind::Direct) => format!("{division}:direct"),
        ("county", ReportKind::Final) => format!("{division}:final"),
        ("county", ReportKind::Followup) => open(&format!("{division}:followup:")).unwrap_or(extra),
        ("city", ReportKind::Forward) => "forward".into(),
        ("city", ReportKind::Followup) => open("followup-city:").unwrap_or(extra),
        _ => extra,
    }
}

/// Every step an accident owes, with status: the report chain (the unit's
/// hour from when its head learned of it), the sector department's chain,
/// the casualty window, the investigation report and, once it is
/// submitted, the government's reply, the 第十条 notifications of each
/// level that received it, the province's 电话快报, the daily 续报 and the
/// same-day 续报 of casualty changes (21号令 第十一条), and the city's
/// reports to its duty offices (pure).
pub fn accident_status(
    a: &Accident,
    inv: Option<&investigation::Investigation>,
    now: time::OffsetDateTime,
    l: &Limits,
) -> Vec<StepStatus> {
    let occurred = a.occurred_at.0;
    let received: Vec<(String, time::OffsetDateTime)> =
        a.received.iter().map(|(lv, t)| (lv.clone(), t.0)).collect();
    let sector: Vec<(String, time::OffsetDateTime)> = a
        .sector_received
        .iter()
        .map(|(lv, t)| (lv.clone(), t.0))
        .collect();
    let unit_learned = a.unit_learned_at.map(|t| t.0);
    let f = deadlines::AccidentFactsTime {
        occurred,
        unit_learned,
        grade: a.grade,
        road_or_fire: deadlines::is_road_or_fire(&a.industry),
        received: received.clone(),
        investigation: inv.map(|i| i.times()).unwrap_or_default(),
    };
    let mut steps: Vec<(deadlines::Step, Option<time::OffsetDateTime>)> = Vec::new();
    let mut plain = deadlines::accident_steps(&f, l);
    // 第十条: each level that received it notifies its government and the
    // four departments (`notify`).
    plain.extend(notify::notification_steps(a.grade, &received, l));
    plain.extend(cadence::sector_steps(
        &a.industry,
        a.grade,
        unit_learned.unwrap_or(occurred),
        &sector,
        l,
    ));
    let city = received
        .iter()
        .find(|(lv, _)| lv == "city")
        .map(|(_, t)| *t);
    plain.extend(cadence::duty_steps(city, &l.duty_offices));
    for s in plain {
        let sub = match s.key.strip_prefix("report:") {
            Some(lv) => received.iter().find(|(l2, _)| l2 == lv).map(|(_, t)| *t),
            None if s.key == "investigation" => inv.and_then(|i| i.submitted_at).map(|t| t.0),
            None if s.key == "reply" => inv.and_then(|i| i.replied_at).map(|t| t.0),
            // 电话快报: done when the province has it, however it came.
            None if s.key.starts_with("phone:province") => received
                .iter()
                .find(|(l2, _)| l2 == "province")
                .map(|(_, t)| *t),
            None if s.key.starts_with("sector:") => s
                .key
                .strip_prefix("sector:")
                .and_then(|lv| sector.iter().find(|(l2, _)| l2 == lv))
                .map(|(_, t)| *t),
            None if s.key.starts_with("duty:") => {
                let mut parts = s.key.splitn(3, ':').skip(1);
                let (office, mode) = (parts.next(), parts.next());
                a.duty_reports
                    .iter()
                    .find(|d| Some(d.office.as_str()) == office && Some(d.mode.as_str()) == mode)
                    .map(|d| d.at.0)
            }
            None => s.key.strip_prefix("notify:").and_then(|rest| {
                let (lv, party) = rest.split_once(':')?;
                a.notifications
                    .iter()
                    .find(|n| n.level == lv && n.party == party)
                    .map(|n| n.at.0)
            }),
        };
        steps.push((s, sub));
    }
    // 21号令 第十一条: daily 续报 from the day after the county received it
    // until the handling ended (or the casualty window closed), and the
    // same-day 续报 of each casualty change.
    if let Some((_, county)) = received.iter().find(|(lv, _)| lv == "county") {
        let window = deadlines::casualty_window_end(occurred, &a.industry, l);
        let until = a.settled_at.map_or(window, |t| t.0.min(window));
        for slot in cadence::followup_slots(a.grade, *county, until, now, l) {
            let sub = cadence::slot_filed(&slot, &a.followups);
            steps.push((slot.step, sub));
        }
    }
    for (s, at) in cadence::change_steps(&a.followups) {
        steps.push((s, Some(at)));
    }
    steps
        .into_iter()
        .map(|(s, sub)| {
            // The supplement window is not a report: it is pending until it closes.
            let st = if s.key == "supplement-window" {
                if now > s.due {
                    Status::OnTime
                } else {
                    Status::Pending
                }
            } else {
                deadlines::status(s.due, sub, now, l)
            };
            StepStatus {
                key: s.key,
                label_zh: s.label_zh,
                by: s.by,
                due: s.due.into(),
                submitted_at: sub.map(UtcText),
                status: st,
                status_zh: st.label_zh().into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
