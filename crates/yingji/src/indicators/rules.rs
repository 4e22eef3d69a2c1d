//! The six core indicators of the plan (专栏1), computed from yearly facts
//! against the 2019 baseline. Pure functions; the store gathers the facts.

use serde::{Deserialize, Serialize};

/// Facts of one division in one year.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct YearFacts {
    pub year: i32,
    /// 地区生产总值, 亿元
    pub gdp_yi: Option<f64>,
    /// 常住人口
    pub population: Option<f64>,
    /// 原煤产量, 万吨
    pub raw_coal_wt: Option<f64>,
    /// 生产安全事故死亡人数
    pub safety_deaths: f64,
    /// 其中煤矿事故死亡人数
    pub coal_deaths: f64,
    /// 因自然灾害死亡失踪人数
    pub disaster_dead_missing: f64,
    /// 受灾人次
    pub affected: f64,
    /// 自然灾害直接经济损失, whole 元
    pub disaster_loss_yuan: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    NoData,
}

/// One indicator for one year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Value {
    pub key: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub year: i32,
    pub value: Option<f64>,
    pub unit: &'static str,
    /// The target as a number in the same unit (for the chart's target line).
    pub target: Option<f64>,
    pub target_text: &'static str,
    pub verdict: Verdict,
}

pub const BASE_YEAR: i32 = 2019;
pub const PERIOD_START: i32 = 2021;
/// The year the plan's targets are for (“十四五”: 2021–2025).
pub const TARGET_YEAR: i32 = 2025;

/// The share of the baseline a relative target allows in `year`, for a
/// target of “较2019年下降 `cut_pct`%” by [`TARGET_YEAR`]: years before it
/// are judged against the path to the target, not the final target
/// (issue #13). **Assumption** (docs/rules.md “Indicators”): the path is
/// linear from the 2019 baseline (share 1) to 2025 (share 1 − cut); the
/// plan (大同市“十四五”应急管理体系规划 专栏1) states only the 2025 figure.
/// From 2025 on, the final target; the baseline year itself, share 1.
pub fn path_share(year: i32, cut_pct: u32) -> f64 {
    let span = f64::from(TARGET_YEAR - BASE_YEAR);
    let done = f64::from(year.clamp(BASE_YEAR, TARGET_YEAR) - BASE_YEAR);
    1.0 - f64::from(cut_pct) / 100.0 * done / span
}

fn ratio(a: f64, b: Option<f64>) -> Option<f64> {
    b.filter(|b| *b > 0.0).map(|b| a / b)
}

fn verdict(v: Option<f64>, target: Option<f64>) -> Verdict {
    match (v, target) {
        (Some(v), Some(t)) if v <= t + 1e-12 => Verdict::Met,
        (Some(_), Some(_)) => Verdict::NotMet,
        _ => Verdict::NoData,
    }
}

/// Mean of a per-year rate over the plan period up to `year` (the plan's
/// "年均" indicators).
fn period_mean(
    years: &[YearFacts],
    year: i32,
    rate: impl Fn(&YearFacts) -> Option<f64>,
) -> Option<f64> {
    let vals: Vec<f64> = years
        .iter()
        .filter(|y| y.year >= PERIOD_START && y.year <= year)
        .filter_map(&rate)
        .collect();
    (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
}

/// All six indicators for `year`, given every year's facts (including 2019).
pub fn compute(years: &[YearFacts], year: i32) -> Vec<Value> {
    let base = years.iter().find(|y| y.year == BASE_YEAR);
    let cur = years.iter().find(|y| y.year == year);
    let mut out = Vec::new();

    let deaths = cur.map(|c| c.safety_deaths);
    let t1 = base.map(|b| b.safety_deaths * path_share(year, 15));
    out.push(Value {
        key: "safety_deaths",
        label_zh: "生产安全事故死亡人数",
        label_en: "Production-safety deaths",
        year,
        value: deaths,
        unit: "人",
        target: t1,
        target_text: "较2019年下降15%",
        verdict: verdict(deaths, t1),
    });

    let per_gdp = |y: &YearFacts| ratio(y.safety_deaths, y.gdp_yi);
    let v2 = cur.and_then(per_gdp);
    let t2 = base.and_then(per_gdp).map(|b| b * path_share(year, 33));
    out.push(Value {
        key: "deaths_per_gdp",
        label_zh: "亿元地区生产总值生产安全事故死亡率",
        label_en: "Deaths per 100 million yuan of GDP",
        year,
        value: v2,
        unit: "人/亿元",
        target: t2,
        target_text: "较2019年下降33%",
        verdict: verdict(v2, t2),
    });

    let coal = |y: &YearFacts| ratio(y.coal_deaths, y.raw_coal_wt.map(|w| w / 100.0));
    let v3 = cur.and_then(coal);
    out.push(Value {
        key: "coal_deaths_per_mt",
        label_zh: "煤矿百万吨死亡率",
        label_en: "Coal-mine deaths per million tonnes",
        year,
        value: v3,
        unit: "人/百万吨",
        target: Some(0.04),
        target_text: "<0.04",
        verdict: verdict(v3, Some(0.04 - 1e-9)),
    });

    let v4 = period_mean(years, year, |y| {
        ratio(y.disaster_dead_missing * 1e6, y.population)
    });
    out.push(Value {
        key: "disaster_deaths_per_million",
        label_zh: "年均每百万人口因自然灾害死亡率",
        label_en: "Natural-disaster deaths per million people (annual mean)",
        year,
        value: v4,
        unit: "人/百万人",
        target: Some(0.75),
        target_text: "<0.75",
        verdict: verdict(v4, Some(0.75 - 1e-9)),
    });

    let v5 = period_mean(years, year, |y| ratio(y.affected * 1e5, y.population));
    out.push(Value {
        key: "affected_per_100k",
        label_zh: "年均每十万人受灾人次",
        label_en: "Affected person-times per 100,000 people (annual mean)",
        year,
        value: v5,
        unit: "人次/十万人",
        target: Some(20_000.0),
        target_text: "<20000",
        verdict: verdict(v5, Some(20_000.0 - 1e-9)),
    });

    let v6 = period_mean(years, year, |y| {
        // 1 亿元 = 100,000,000 元.
        ratio(y.disaster_loss_yuan as f64, y.gdp_yi.map(|g| g * 1e8)).map(|r| r * 100.0)
    });
    out.push(Value {
        key: "loss_share_of_gdp",
        label_zh: "年均因自然灾害直接经济损失占地区生产总值比例",
        label_en: "Direct disaster loss as a share of GDP (annual mean)",
        year,
        value: v6,
        unit: "%",
        target: Some(0.8),
        target_text: "<0.8%",
        verdict: verdict(v6, Some(0.8 - 1e-12)),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(year: i32, deaths: f64) -> YearFacts {
        YearFacts {
            year,
            gdp_yi: Some(1000.0),
            population: Some(3_000_000.0),
            raw_coal_wt: Some(5000.0),
            safety_deaths: deaths,
            coal_deaths: 1.0,
            disaster_dead_missing: 2.0,
            affected: 300_000.0,
            disaster_loss_yuan: 500_000_000,
        }
    }

    #[test]
    fn six_indicators_against_the_baseline() {
        let years = [y(2019, 100.0), y(2021, 96.0), y(2022, 85.0), y(2025, 85.0)];
        let v = compute(&years, 2022);
        assert_eq!(v.len(), 6);
        // 2022 is judged on the path: 100 × (1 − 15% × 3/6) = 92.5.
        assert!((v[0].target.unwrap() - 92.5).abs() < 1e-9);
        assert_eq!((v[0].value, v[0].verdict), (Some(85.0), Verdict::Met));
        // 2021: 100 × (1 − 15% × 2/6) = 95; 96 misses it.
        assert!((compute(&years, 2021)[0].target.unwrap() - 95.0).abs() < 1e-9);
        assert_eq!(compute(&years, 2021)[0].verdict, Verdict::NotMet);
        // 2025: the final target, 85 ≤ 100 × 0.85 met exactly at the bound.
        let fin = &compute(&years, 2025)[0];
        assert!((fin.target.unwrap() - 85.0).abs() < 1e-9);
        assert_eq!(fin.verdict, Verdict::Met);
        // 0.085 deaths per 亿元 vs 0.1 × (1 − 33% × 3/6) = 0.0835.
        assert_eq!(v[1].verdict, Verdict::NotMet);
        // 1 death / 50 million tonnes = 0.02.
        assert!((v[2].value.unwrap() - 0.02).abs() < 1e-12);
        assert_eq!(v[2].verdict, Verdict::Met);
        // 2 / 3 million × 1e6 = 0.667 per million (mean of 2021–2022).
        assert!((v[3].value.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(v[3].verdict, Verdict::Met);
        // 300,000 / 3,000,000 × 1e5 = 10,000.
        assert!((v[4].value.unwrap() - 10_000.0).abs() < 1e-6);
        // 5 亿元 (500,000,000 元) / 1000 亿元 = 0.5 %.
        assert!((v[5].value.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(v[5].verdict, Verdict::Met);
    }

    /// The path to a 2025 target (docs/rules.md “Indicators”): the
    /// baseline year and before at the baseline, linear to 2025, the final
    /// target from 2025 on.
    #[test]
    fn the_path_to_the_target() {
        for (year, cut, want) in [
            (2018, 15, 1.0),
            (2019, 15, 1.0),
            (2020, 15, 0.975),
            (2022, 15, 0.925),
            (2024, 15, 0.875),
            (2025, 15, 0.85),
            (2026, 15, 0.85),
            (2022, 33, 0.835),
            (2025, 33, 0.67),
        ] {
            assert!(
                (path_share(year, cut) - want).abs() < 1e-12,
                "{year} {cut}: {}",
                path_share(year, cut)
            );
        }
    }

    #[test]
    fn strict_targets_and_missing_data() {
        // Exactly 0.04 is not "< 0.04".
        let mut f = y(2021, 10.0);
        f.coal_deaths = 2.0; // 2 / 50 Mt = 0.04
        assert_eq!(compute(&[f], 2021)[2].verdict, Verdict::NotMet);
        // No 2019 baseline: the relative targets have no data.
        assert_eq!(compute(&[y(2021, 1.0)], 2021)[0].verdict, Verdict::NoData);
        let none = YearFacts {
            year: 2021,
            ..Default::default()
        };
        let v = compute(&[none], 2021);
        assert_eq!(v[1].verdict, Verdict::NoData);
        assert_eq!(v[3].verdict, Verdict::NoData);
    }
}
