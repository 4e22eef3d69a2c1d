//! Matching an incident to the plans that cover it: the metrics and facts
//! an incident carries, the activation criteria of a response level, and
//! [`match_plans`], which proposes each fitting plan with its level and
//! reasons.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use time::Date;

use super::catalogue::{depth, input, type_within, Catalog, Plan, PlanError, PlanLevel, PlanType};
use super::drills::{drill_status, DrillStatus};
use super::review::{review_due, ReviewStatus};
use super::versions::plans_in_force;
use crate::divisions::Code;
use crate::grading::Level;
use crate::reports::grading::AccidentFacts;

// ── metrics and facts ──────────────────────────────────────────────────

/// The metrics an incident record carries (the only ones criteria may use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Deaths,
    Missing,
    /// 死亡（含失踪）: deaths + missing, one sum (derived; not a fact of its
    /// own). The plans whose grading says 含失踪 — 《国家地震应急预案》,
    /// 《国家突发地质灾害应急预案》, 《国家自然灾害救助应急预案》 (死亡和失踪),
    /// 《旅游安全管理办法》 — compare this sum, not two thresholds.
    DeadOrMissing,
    Trapped,
    /// 重伤 (including acute industrial poisoning).
    Injured,
    DirectLossYuan,
    AffectedPeople,
    RelocatedPeople,
    CollapsedHouses,
    BurnedAreaHa,
    FireDurationH,
    Magnitude,
    #[serde(rename = "rain_mm_24h")]
    RainMm24h,
    EvacuatedPeople,
    BlackoutHouseholds,
    /// 0/1 flag.
    HazmatLeak,
    /// 0/1 flag.
    CrossCounty,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Deaths => "deaths",
            Metric::Missing => "missing",
            Metric::DeadOrMissing => "dead_or_missing",
            Metric::Trapped => "trapped",
            Metric::Injured => "injured",
            Metric::DirectLossYuan => "direct_loss_yuan",
            Metric::AffectedPeople => "affected_people",
            Metric::RelocatedPeople => "relocated_people",
            Metric::CollapsedHouses => "collapsed_houses",
            Metric::BurnedAreaHa => "burned_area_ha",
            Metric::FireDurationH => "fire_duration_h",
            Metric::Magnitude => "magnitude",
            Metric::RainMm24h => "rain_mm_24h",
            Metric::EvacuatedPeople => "evacuated_people",
            Metric::BlackoutHouseholds => "blackout_households",
            Metric::HazmatLeak => "hazmat_leak",
            Metric::CrossCounty => "cross_county",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Metric::Deaths => "死亡",
            Metric::Missing => "失踪",
            Metric::DeadOrMissing => "死亡（含失踪）",
            Metric::Trapped => "被困",
            Metric::Injured => "重伤",
            Metric::DirectLossYuan => "直接经济损失",
            Metric::AffectedPeople => "涉及人数",
            Metric::RelocatedPeople => "紧急转移安置",
            Metric::CollapsedHouses => "倒塌和严重损坏房屋",
            Metric::BurnedAreaHa => "受害森林面积",
            Metric::FireDurationH => "持续燃烧未控制",
            Metric::Magnitude => "震级",
            Metric::RainMm24h => "24小时降雨量",
            Metric::EvacuatedPeople => "疏散撤离",
            Metric::BlackoutHouseholds => "停电",
            Metric::HazmatLeak => "危险化学品泄漏",
            Metric::CrossCounty => "跨县（区）",
        }
    }

    pub fn unit_zh(self) -> &'static str {
        match self {
            Metric::Deaths
            | Metric::Missing
            | Metric::DeadOrMissing
            | Metric::Trapped
            | Metric::Injured
            | Metric::AffectedPeople
            | Metric::RelocatedPeople
            | Metric::EvacuatedPeople => "人",
            Metric::DirectLossYuan => "元",
            Metric::CollapsedHouses => "间",
            Metric::BurnedAreaHa => "公顷",
            Metric::FireDurationH => "小时",
            Metric::Magnitude => "级",
            Metric::RainMm24h => "毫米",
            Metric::BlackoutHouseholds => "户",
            Metric::HazmatLeak | Metric::CrossCounty => "",
        }
    }

    /// 0/1 flags, only ever compared with `== 1`.
    pub fn is_flag(self) -> bool {
        matches!(self, Metric::HazmatLeak | Metric::CrossCounty)
    }
}

/// What is known about an incident, as the criteria read it. Unknown keys are
/// refused when deserialising, missing ones are 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Facts {
    pub deaths: u32,
    pub missing: u32,
    pub trapped: u32,
    /// 重伤
    pub injured: u32,
    pub direct_loss_yuan: u64,
    pub affected_people: u64,
    pub relocated_people: u64,
    pub collapsed_houses: u64,
    pub burned_area_ha: f64,
    pub fire_duration_h: f64,
    pub magnitude: f64,
    pub rain_mm_24h: f64,
    pub evacuated_people: u64,
    pub blackout_households: u64,
    pub hazmat_leak: bool,
    pub cross_county: bool,
}

impl Facts {
    pub fn get(&self, m: Metric) -> f64 {
        match m {
            Metric::Deaths => f64::from(self.deaths),
            Metric::Missing => f64::from(self.missing),
            Metric::DeadOrMissing => f64::from(self.deaths) + f64::from(self.missing),
            Metric::Trapped => f64::from(self.trapped),
            Metric::Injured => f64::from(self.injured),
            Metric::DirectLossYuan => self.direct_loss_yuan as f64,
            Metric::AffectedPeople => self.affected_people as f64,
            Metric::RelocatedPeople => self.relocated_people as f64,
            Metric::CollapsedHouses => self.collapsed_houses as f64,
            Metric::BurnedAreaHa => self.burned_area_ha,
            Metric::FireDurationH => self.fire_duration_h,
            Metric::Magnitude => self.magnitude,
            Metric::RainMm24h => self.rain_mm_24h,
            Metric::EvacuatedPeople => self.evacuated_people as f64,
            Metric::BlackoutHouseholds => self.blackout_households as f64,
            Metric::HazmatLeak => f64::from(u8::from(self.hazmat_leak)),
            Metric::CrossCounty => f64::from(u8::from(self.cross_county)),
        }
    }

    /// The measured (non-count) fields must be finite and ≥ 0; a magnitude
    /// above 10 is refused as a typing error.
    pub fn check(&self) -> Result<(), PlanError> {
        for m in [
            Metric::BurnedAreaHa,
            Metric::FireDurationH,
            Metric::Magnitude,
            Metric::RainMm24h,
        ] {
            let v = self.get(m);
            if !v.is_finite() || v < 0.0 {
                return Err(input(
                    m.as_str(),
                    format!("{}（{}）必须是不小于 0 的数", m.label_zh(), m.as_str()),
                )
                .code("not_non_negative")
                .param("value", v.to_string()));
            }
        }
        if self.magnitude > 10.0 {
            return Err(input("magnitude", "震级（magnitude）不能大于 10")
                .code("out_of_range")
                .param("min", 0)
                .param("max", 10));
        }
        Ok(())
    }

    /// The facts 493号令 grades on.
    pub fn accident(&self) -> AccidentFacts {
        AccidentFacts {
            deaths: self.deaths,
            missing: self.missing,
            serious_injuries: self.injured,
            direct_loss_yuan: self.direct_loss_yuan,
        }
    }
}

/// Comparison of a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Op {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "==")]
    Equal,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Equal => "==",
        }
    }
    /// As shown to people.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Equal => "=",
        }
    }
}

/// One activation criterion of a level: `metric op value`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    pub metric: Metric,
    pub op: Op,
    pub value: f64,
}

pub(super) fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn show(m: Metric, v: f64) -> String {
    if m == Metric::DirectLossYuan && v >= 10_000.0 {
        format!("{} 万元", num(v / 10_000.0))
    } else if m.unit_zh().is_empty() {
        num(v)
    } else {
        format!("{} {}", num(v), m.unit_zh())
    }
}

impl Criterion {
    pub fn met(&self, f: &Facts) -> bool {
        let v = f.get(self.metric);
        match self.op {
            Op::Ge => v >= self.value,
            Op::Gt => v > self.value,
            Op::Le => v <= self.value,
            Op::Lt => v < self.value,
            Op::Equal => v == self.value,
        }
    }

    /// The criterion with the incident's value, e.g. `死亡 4 人 ≥ 3 人`.
    pub fn describe(&self, f: &Facts) -> String {
        if self.metric.is_flag() && self.op == Op::Equal && self.value == 1.0 {
            return match self.metric {
                Metric::HazmatLeak => "发生危险化学品泄漏".to_string(),
                _ => "事件跨县（区）行政区域".to_string(),
            };
        }
        format!(
            "{} {} {} {}",
            self.metric.label_zh(),
            show(self.metric, f.get(self.metric)),
            self.op.symbol(),
            show(self.metric, self.value)
        )
    }
}

/// A plan proposed for an incident.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanMatch {
    pub code: String,
    pub title: String,
    pub plan_type: PlanType,
    pub version: String,
    pub revision: u32,
    pub owner: String,
    pub command: Option<String>,
    /// The highest level with a met criterion (None: no level's criteria
    /// are met; the commander may still decide).
    pub level: Option<Level>,
    /// The plan's name of that level, e.g. `Ⅲ级响应`.
    pub level_name: Option<String>,
    /// Why it matched: type, area, then each met criterion of the level.
    pub reasons: Vec<String>,
    /// The met criteria of the proposed level alone.
    pub met: Vec<String>,
    /// Depth of the plan's type that covers the incident (0: the overall
    /// plan by default).
    pub specificity: usize,
    pub review: ReviewStatus,
    pub drill: DrillStatus,
    /// Status flags for the commander (review or drill overdue, …).
    pub warnings: Vec<String>,
}

/// Propose the plans that fit an incident, each with its level and reasons.
///
/// A plan fits when it is the version in force on `on` ([`plans_in_force`]),
/// one of its types covers `incident_type` and one of its
/// divisions covers `division` (a 2–12 digit code). An incident type in no
/// category of the tree is covered only by an overall plan whose types cover
/// every category.
///
/// Order: the overall plan last; before it, the plans whose covering type is
/// deepest first (the plan written for 森林草原火灾 before the one for all
/// 自然灾害); then special, department, unit, on-site; then the higher
/// proposed level; then code.
pub fn match_plans(
    catalog: &Catalog,
    incident_type: &str,
    division: &str,
    facts: &Facts,
    on: Date,
) -> Result<Vec<PlanMatch>, PlanError> {
    let place = Code::parse(division).map_err(|e| PlanError::Division(e.to_string()))?;
    let incident_type = incident_type.trim();
    if incident_type.is_empty() {
        return Err(input("incident_type", "事件类型不能为空").code("required"));
    }
    let name = catalog.type_name(incident_type);
    let covers_all = |p: &Plan| {
        catalog
            .types
            .iter()
            .all(|t| p.incident_types.iter().any(|c| type_within(&t.code, c)))
    };
    let mut out = Vec::new();
    for plan in plans_in_force(&catalog.plans, on) {
        let by_type = plan
            .incident_types
            .iter()
            .filter(|t| type_within(incident_type, t))
            .max_by_key(|t| depth(t));
        let (specificity, type_reason) = match by_type {
            Some(t) if t == incident_type => {
                (depth(t), format!("事件类型“{name}”在预案适用范围内"))
            }
            Some(t) => (
                depth(t),
                format!("事件类型“{name}”属于预案适用类型“{}”", catalog.type_name(t)),
            ),
            None if plan.plan_type == PlanType::Overall && covers_all(plan) => (
                0,
                format!("总体应急预案适用于各类突发事件（“{name}”不在分类中）"),
            ),
            None => continue,
        };
        let Some(area) = plan
            .divisions
            .iter()
            .filter_map(|d| Code::parse(d).ok())
            .find(|d| place.is_within(d))
        else {
            continue;
        };
        let area_reason = if area == place {
            format!("事发地 {place} 为预案适用区域")
        } else {
            format!("事发地 {place} 位于预案适用区域 {area} 内")
        };

        let mut best: Option<(&PlanLevel, Vec<&Criterion>)> = None;
        for l in &plan.levels {
            let met = l.met(facts);
            if !met.is_empty() && best.as_ref().is_none_or(|(b, _)| l.level > b.level) {
                best = Some((l, met));
            }
        }
        let mut reasons = vec![type_reason, area_reason];
        let met: Vec<String> = match &best {
            Some((l, m)) => m
                .iter()
                .map(|c| format!("{}：{}", l.name, c.describe(facts)))
                .collect(),
            None => Vec::new(),
        };
        reasons.extend(met.iter().cloned());
        let level = best.as_ref().map(|(l, _)| l.level);
        if level.is_none() {
            reasons.push("未达到任何级别的启动条件，可由指挥长研判决定是否启动".to_string());
        }
        for l in plan.levels.iter().filter(|l| l.decision_only()) {
            if level.is_none_or(|b| l.level > b) {
                reasons.push(format!("{}无量化启动条件，由上级决定启动", l.name));
            }
        }

        let review = review_due(plan, on);
        let drill = drill_status(plan, &catalog.drills, on);
        let mut warnings = Vec::new();
        if review.overdue {
            warnings.push(format!(
                "预案逾期未评估 {} 天（应于 {} 前评估）",
                review.overdue_days, review.due_on
            ));
        }
        match (drill.overdue, drill.last_held_on) {
            (true, Some(last)) => warnings.push(format!(
                "预案逾期未演练 {} 天（上次演练 {last}，周期 {} 个月）",
                drill.overdue_days, drill.cycle_months
            )),
            (_, None) => warnings.push("预案尚无演练记录".to_string()),
            _ => {}
        }

        out.push(PlanMatch {
            code: plan.code.clone(),
            title: plan.title.clone(),
            plan_type: plan.plan_type,
            version: plan.version.clone(),
            revision: plan.revision,
            owner: plan.owner.clone(),
            command: plan.command.clone(),
            level,
            level_name: best.as_ref().map(|(l, _)| l.name.clone()),
            reasons,
            met,
            specificity,
            review,
            drill,
            warnings,
        });
    }
    out.sort_by_key(|m| {
        (
            m.plan_type == PlanType::Overall,
            Reverse(m.specificity),
            m.plan_type.rank(),
            Reverse(m.level),
            m.code.clone(),
        )
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::plans::catalogue::tests::catalog;
    use crate::plans::*;
    use time::macros::date;

    fn codes(m: &[PlanMatch]) -> Vec<&str> {
        m.iter().map(|x| x.code.as_str()).collect()
    }

    /// The metrics that are facts of their own (`dead_or_missing` is derived).
    const METRICS: [Metric; 16] = [
        Metric::Deaths,
        Metric::Missing,
        Metric::Trapped,
        Metric::Injured,
        Metric::DirectLossYuan,
        Metric::AffectedPeople,
        Metric::RelocatedPeople,
        Metric::CollapsedHouses,
        Metric::BurnedAreaHa,
        Metric::FireDurationH,
        Metric::Magnitude,
        Metric::RainMm24h,
        Metric::EvacuatedPeople,
        Metric::BlackoutHouseholds,
        Metric::HazmatLeak,
        Metric::CrossCounty,
    ];

    #[test]
    fn metrics_round_trip_and_facts_refuse_unknown_keys() {
        for m in METRICS {
            let json = serde_json::to_string(&m).expect("serialises");
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            let value = if m.is_flag() { "true" } else { "5" };
            let f: Facts = serde_json::from_str(&format!(r#"{{"{}":{value}}}"#, m.as_str()))
                .expect("a metric is a facts key");
            let want = if m.is_flag() { 1.0 } else { 5.0 };
            assert_eq!(f.get(m), want, "{}", m.as_str());
        }
        let f: Facts =
            serde_json::from_str(r#"{"deaths":4,"rain_mm_24h":120.5,"hazmat_leak":true}"#)
                .expect("known metrics");
        assert_eq!((f.deaths, f.rain_mm_24h, f.hazmat_leak), (4, 120.5, true));
        assert!(serde_json::from_str::<Facts>(r#"{"dead":4}"#).is_err());
        // The derived sum is a metric, never a fact one can send.
        assert!(serde_json::from_str::<Facts>(r#"{"dead_or_missing":4}"#).is_err());
        assert_eq!(
            serde_json::from_str::<Metric>("\"dead_or_missing\"").expect("a metric"),
            Metric::DeadOrMissing
        );
        let table = [
            (f64::NAN, 0.0, false),
            (-1.0, 0.0, false),
            (0.0, 12.0, false),
            (0.0, 6.5, true),
        ];
        for (burned_area_ha, magnitude, ok) in table {
            let f = Facts {
                burned_area_ha,
                magnitude,
                ..Facts::default()
            };
            assert_eq!(f.check().is_ok(), ok, "{f:?}");
        }
    }

    /// "死亡（含失踪）N 人以上" is one sum: any split of deaths and missing
    /// that reaches N meets it, and nothing below N does.
    #[test]
    fn dead_or_missing_is_one_sum() {
        let c = Criterion {
            metric: Metric::DeadOrMissing,
            op: Op::Ge,
            value: 10.0,
        };
        // (deaths, missing, met)
        let table = [
            (0, 0, false),
            (9, 0, false),
            (0, 9, false),
            (5, 4, false),
            (10, 0, true),
            (0, 10, true),
            (5, 5, true),
            (9, 1, true),
            (1, 9, true),
            (u32::MAX, u32::MAX, true),
        ];
        for (deaths, missing, want) in table {
            let f = Facts {
                deaths,
                missing,
                ..Facts::default()
            };
            assert_eq!(c.met(&f), want, "deaths {deaths} missing {missing}");
        }
        let f = Facts {
            deaths: 6,
            missing: 4,
            ..Facts::default()
        };
        assert_eq!(c.describe(&f), "死亡（含失踪） 10 人 ≥ 10 人");
    }

    #[test]
    fn criterion_boundaries_and_descriptions() {
        let c = |metric, op, value| Criterion { metric, op, value };
        let f = Facts {
            deaths: 3,
            burned_area_ha: 0.5,
            direct_loss_yuan: 12_000_000,
            cross_county: true,
            ..Facts::default()
        };
        let table = [
            (c(Metric::Deaths, Op::Ge, 3.0), true),
            (c(Metric::Deaths, Op::Ge, 4.0), false),
            (c(Metric::Deaths, Op::Gt, 3.0), false),
            (c(Metric::Deaths, Op::Gt, 2.0), true),
            (c(Metric::Deaths, Op::Le, 3.0), true),
            (c(Metric::Deaths, Op::Lt, 3.0), false),
            (c(Metric::Deaths, Op::Equal, 3.0), true),
            (c(Metric::BurnedAreaHa, Op::Gt, 0.0), true),
            (c(Metric::BurnedAreaHa, Op::Ge, 1.0), false),
            (c(Metric::CrossCounty, Op::Equal, 1.0), true),
            (c(Metric::HazmatLeak, Op::Equal, 1.0), false),
        ];
        for (crit, want) in table {
            assert_eq!(crit.met(&f), want, "{crit:?}");
        }
        assert_eq!(
            c(Metric::Deaths, Op::Ge, 3.0).describe(&f),
            "死亡 3 人 ≥ 3 人"
        );
        assert_eq!(
            c(Metric::DirectLossYuan, Op::Ge, 10_000_000.0).describe(&f),
            "直接经济损失 1200 万元 ≥ 1000 万元"
        );
        assert_eq!(
            c(Metric::BurnedAreaHa, Op::Gt, 0.0).describe(&f),
            "受害森林面积 0.5 公顷 > 0 公顷"
        );
        assert_eq!(
            c(Metric::CrossCounty, Op::Equal, 1.0).describe(&f),
            "事件跨县（区）行政区域"
        );
    }

    #[test]
    fn forest_fire_in_lingqiu_proposes_the_forest_fire_plan_then_the_overall_plan() {
        let c = catalog();
        let f = Facts {
            burned_area_ha: 150.0,
            ..Facts::default()
        };
        let m = match_plans(
            &c,
            "natural.wildfire.forest",
            "140224100000",
            &f,
            date!(2026 - 11 - 29),
        )
        .expect("matches");
        assert_eq!(
            codes(&m),
            ["DT-ZX-SLHZ", "DT-ZX-ZRZHJZ", "DT-BM-YLJY", "DT-ZT"]
        );
        let slhz = &m[0];
        assert_eq!(slhz.level, Some(Level::II));
        assert_eq!(slhz.level_name.as_deref(), Some("Ⅱ级响应"));
        assert_eq!(slhz.met, ["Ⅱ级响应：受害森林面积 150 公顷 ≥ 100 公顷"]);
        assert!(slhz.reasons[0].contains("森林火灾") && slhz.reasons[0].contains("森林草原火灾"));
        assert!(slhz.reasons[1].contains("140200000000"));
        let zt = m.last().expect("overall plan");
        assert_eq!(zt.level, None);
        assert!(zt.reasons.iter().any(|r| r.contains("未达到")));
        assert!(zt.warnings.iter().any(|w| w.contains("尚无演练")));
        // A lower area is Ⅲ, more than 1000 ha is Ⅰ.
        let level_for = |ha: f64| {
            let f = Facts {
                burned_area_ha: ha,
                ..Facts::default()
            };
            match_plans(
                &c,
                "natural.wildfire.forest",
                "140224",
                &f,
                date!(2026 - 11 - 29),
            )
            .expect("matches")[0]
                .level
        };
        let table = [
            (0.0, None),
            (0.01, Some(Level::IV)),
            (0.99, Some(Level::IV)),
            (1.0, Some(Level::III)),
            (99.99, Some(Level::III)),
            (100.0, Some(Level::II)),
            (999.9, Some(Level::II)),
            (1000.0, Some(Level::I)),
        ];
        for (ha, want) in table {
            assert_eq!(level_for(ha), want, "{ha} ha");
        }
    }

    #[test]
    fn coal_mine_accident_with_three_deaths_is_level_three() {
        let c = catalog();
        let f = Facts {
            deaths: 3,
            ..Facts::default()
        };
        let on = date!(2026 - 11 - 29);
        // In 平城区: the city coal-mine plan, not the 左云县 company's plans.
        let m = match_plans(&c, "accident.production.coal_mine", "140213000000", &f, on)
            .expect("matches");
        assert_eq!(codes(&m), ["DT-ZX-MK", "DT-BM-YLJY", "DT-ZT"]);
        assert_eq!(m[0].level, Some(Level::III));
        assert!(m[0].met.iter().any(|r| r == "Ⅲ级响应：死亡 3 人 ≥ 3 人"));
        assert_eq!(m[2].level, Some(Level::III));
        // In 左云县 the company's unit and on-site plans fit too (公司级 at one death).
        let m = match_plans(&c, "accident.production.coal_mine", "140226102000", &f, on)
            .expect("matches");
        assert_eq!(
            codes(&m),
            [
                "DT-ZX-MK",
                "DT-DW-MK01",
                "DT-XC-MK01-TS",
                "DT-BM-YLJY",
                "DT-ZT"
            ]
        );
        assert_eq!(m[1].level, Some(Level::I));
        assert_eq!(m[1].level_name.as_deref(), Some("Ⅰ级响应（公司级）"));
        // A sub-type the tree does not list is covered by its ancestors.
        let m = match_plans(
            &c,
            "accident.production.coal_mine.gas_outburst",
            "140213",
            &f,
            on,
        )
        .expect("matches");
        assert_eq!(m[0].code, "DT-ZX-MK");
    }

    #[test]
    fn unknown_and_uncovered_types() {
        let c = catalog();
        let on = date!(2026 - 11 - 29);
        let f = Facts::default();
        // A type in no category: only the overall plan, which covers every category.
        let m = match_plans(&c, "misc.ufo", "140200000000", &f, on).expect("matches");
        assert_eq!(codes(&m), ["DT-ZT"]);
        assert_eq!(m[0].specificity, 0);
        assert!(m[0].reasons[0].contains("不在分类中"));
        // A known type without its own plan: the plans of its category.
        let m = match_plans(&c, "natural.marine", "140200000000", &f, on).expect("matches");
        assert_eq!(codes(&m), ["DT-ZX-ZRZHJZ", "DT-BM-YLJY", "DT-ZT"]);
        // Outside the city: nothing.
        let m = match_plans(&c, "natural.wildfire", "140100000000", &f, on).expect("matches");
        assert!(m.is_empty());
        // A city-wide incident is not covered by a county's unit plan.
        let m = match_plans(&c, "accident.production.coal_mine", "1402", &f, on).expect("matches");
        assert!(!codes(&m).contains(&"DT-DW-MK01"));
        assert!(matches!(
            match_plans(&c, "natural.wildfire", "14x", &f, on),
            Err(PlanError::Division(_))
        ));
        assert!(matches!(
            match_plans(&c, " ", "1402", &f, on),
            Err(PlanError::Input {
                field: "incident_type",
                ..
            })
        ));
    }

    #[test]
    fn decision_only_levels_are_never_proposed() {
        let c = catalog();
        let f = Facts {
            deaths: 500,
            affected_people: 100_000,
            ..Facts::default()
        };
        let m = match_plans(
            &c,
            "public_health.food_safety",
            "140200000000",
            &f,
            date!(2026 - 11 - 29),
        )
        .expect("matches");
        let spaq = m
            .iter()
            .find(|x| x.code == "DT-ZX-SPAQ")
            .expect("food-safety plan");
        assert_eq!(spaq.level, Some(Level::II));
        assert!(spaq
            .reasons
            .iter()
            .any(|r| r.contains("Ⅰ级响应无量化启动条件")));
    }

    #[test]
    fn only_current_published_versions_match_and_flags_are_shown() {
        let mut c = catalog();
        let on = date!(2026 - 11 - 29);
        let f = Facts {
            deaths: 1,
            ..Facts::default()
        };
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let dzzh = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("geohazard plan");
        assert!(dzzh.review.overdue);
        assert!(dzzh.warnings.iter().any(|w| w.contains("逾期未评估")));

        let old = c.plan("DT-ZX-DZZH").expect("plan").clone();
        let revision = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into(), "risk_change".into()],
            reason: "评估发现风险点变化".into(),
        };
        let draft = old.revise(&revision, &c.triggers).expect("revises");
        c.plans.push(draft.clone());
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("still the old version");
        assert_eq!((x.revision, x.version.as_str()), (1, "2021版"));

        c.plans.push(draft.publish(on).expect("publishes"));
        let m = match_plans(&c, "natural.geological.landslide", "140224", &f, on).expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("the new version");
        assert_eq!((x.revision, x.version.as_str()), (2, "2026版"));
        assert!(!x.review.overdue);
        assert_eq!(m.iter().filter(|x| x.code == "DT-ZX-DZZH").count(), 1);
        // On an earlier day the old version was in force.
        let m = match_plans(
            &c,
            "natural.geological.landslide",
            "140224",
            &f,
            date!(2026 - 01 - 01),
        )
        .expect("matches");
        let x = m
            .iter()
            .find(|x| x.code == "DT-ZX-DZZH")
            .expect("the old version");
        assert_eq!(x.revision, 1);
    }
}
