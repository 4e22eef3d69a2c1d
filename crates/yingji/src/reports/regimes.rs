//! Which law grades an accident. 《生产安全事故报告和调查处理条例》(国务院令
//! 第493号) 第四十五条: "特别重大事故以下等级事故的报告和调查处理，有关法律、行政
//! 法规或者国务院另有规定的，依照其规定" — railway accidents are graded by
//! 《铁路交通事故应急救援和调查处理条例》(国务院令第501号) 第十条至第十三条, and
//! special-equipment accidents by 《特种设备安全监察条例》(国务院令第549号修订)
//! 第六十一条至第六十四条. The accident's industry decides the regime
//! ([`regime_for`]), never a free switch.
//!
//! Both regimes share 493号令's casualty and loss bounds (3 / 10 / 30 dead,
//! 10 / 50 / 100 seriously injured, 1000 万 / 5000 万 / 1 亿元), so those are
//! [`super::grading::grade_accident`]'s; each adds its own criteria, and the
//! highest grade any criterion reaches wins. The dead are counted with the
//! missing in every regime (**assumption** for 501号令 and the 条例, which
//! do not say; 493号令 第十二条 does, and it is the safe reading).

use serde::{Deserialize, Serialize};

use super::grading::{grade_accident, AccidentFacts, AccidentGrade};

/// The law an accident is graded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// 《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条
    Order493,
    /// 《铁路交通事故应急救援和调查处理条例》(国务院令第501号) 第十条至第十三条
    Railway501,
    /// 《特种设备安全监察条例》 第六十一条至第六十四条
    SpecialEquipment,
}

impl Regime {
    pub fn label_zh(self) -> &'static str {
        match self {
            Regime::Order493 => "《生产安全事故报告和调查处理条例》第三条",
            Regime::Railway501 => "《铁路交通事故应急救援和调查处理条例》第十条至第十三条",
            Regime::SpecialEquipment => "《特种设备安全监察条例》第六十一条至第六十四条",
        }
    }
}

/// The regime of an accident of this industry (493号令 第四十五条).
pub fn regime_for(industry: &str) -> Regime {
    match industry {
        "railway" => Regime::Railway501,
        "special_equipment" => Regime::SpecialEquipment,
        _ => Regime::Order493,
    }
}

/// The facts the other regimes grade on besides casualties and loss. Every
/// field defaults to "none"; a field of another regime is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RegimeFacts {
    /// Railway: 客运列车脱轨辆数.
    pub passenger_cars_derailed: u32,
    /// Railway: 货运列车脱轨辆数.
    pub freight_cars_derailed: u32,
    /// Railway: the line is a 繁忙干线.
    pub busy_trunk: bool,
    /// Railway: hours the line's traffic was interrupted (中断行车).
    pub interruption_hours: u32,
    /// Special equipment: 600 兆瓦以上锅炉爆炸.
    pub boiler_600mw_exploded: bool,
    /// Special equipment: hours a ≥ 600 MW boiler was out of service by a
    /// safety fault (因安全故障中断运行).
    pub boiler_600mw_outage_hours: u32,
    /// Special equipment: 锅炉、压力容器、压力管道爆炸.
    pub pressure_explosion: bool,
    /// Special equipment: people relocated (转移) after a toxic leak from a
    /// pressure vessel or pipe.
    pub toxic_leak_relocated: u32,
    /// Special equipment: 起重机械整体倾覆.
    pub crane_overturned: bool,
    /// Special equipment: 起重机械主要受力结构件折断或者起升机构坠落.
    pub crane_structure_failed: bool,
    /// Special equipment: what people were stranded in: `ropeway` (客运索道),
    /// `ride` (大型游乐设施), `elevator` (电梯轿厢) or empty.
    pub stranded_in: StrandedIn,
    /// Special equipment: people stranded.
    pub stranded_people: u32,
    /// Special equipment: minutes they were stranded (3.5 h = 210).
    pub stranded_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StrandedIn {
    #[default]
    None,
    Ropeway,
    Ride,
    Elevator,
}

use AccidentGrade::*;

/// The railway criteria of 501号令 besides casualties and loss, each with
/// the grade it reaches. "以上" includes the bound, "以下" excludes it.
fn railway(r: &RegimeFacts) -> Vec<(AccidentGrade, String)> {
    let mut out = Vec::new();
    let (p, f, h) = (
        r.passenger_cars_derailed,
        r.freight_cars_derailed,
        r.interruption_hours,
    );
    // 第十条 特别重大: 繁忙干线客运列车脱轨导致列车连续运行中断48小时以上;
    // 繁忙干线货运列车脱轨导致列车连续运行中断72小时以上.
    if r.busy_trunk && p > 0 && h >= 48 {
        out.push((
            EspeciallyMajor,
            format!("繁忙干线客运列车脱轨，中断行车 {h} 小时（48 小时以上）"),
        ));
    }
    if r.busy_trunk && f > 0 && h >= 72 {
        out.push((
            EspeciallyMajor,
            format!("繁忙干线货运列车脱轨，中断行车 {h} 小时（72 小时以上）"),
        ));
    }
    // 第十一条 重大: 客运列车脱轨18辆以上; 货运列车脱轨60辆以上; 客运列车
    // 脱轨2辆以上18辆以下 / 货运列车脱轨6辆以上60辆以下，并中断繁忙干线行车
    // 24小时以上或者中断其他线路行车48小时以上.
    if p >= 18 {
        out.push((Major, format!("客运列车脱轨 {p} 辆（18 辆以上）")));
    }
    if f >= 60 {
        out.push((Major, format!("货运列车脱轨 {f} 辆（60 辆以上）")));
    }
    let long = if r.busy_trunk { h >= 24 } else { h >= 48 };
    if long && ((2..18).contains(&p) || (6..60).contains(&f)) {
        out.push((
            Major,
            format!(
                "列车脱轨并中断{}行车 {h} 小时（{} 小时以上）",
                if r.busy_trunk {
                    "繁忙干线"
                } else {
                    "其他线路"
                },
                if r.busy_trunk { 24 } else { 48 }
            ),
        ));
    }
    // 第十二条 较大: 客运列车脱轨2辆以上18辆以下; 货运列车脱轨6辆以上60辆
    // 以下; 中断繁忙干线行车6小时以上; 中断其他线路行车10小时以上.
    if (2..18).contains(&p) {
        out.push((Larger, format!("客运列车脱轨 {p} 辆（2 辆以上）")));
    }
    if (6..60).contains(&f) {
        out.push((Larger, format!("货运列车脱轨 {f} 辆（6 辆以上）")));
    }
    if r.busy_trunk && h >= 6 {
        out.push((Larger, format!("中断繁忙干线行车 {h} 小时（6 小时以上）")));
    }
    if !r.busy_trunk && h >= 10 {
        out.push((Larger, format!("中断其他线路行车 {h} 小时（10 小时以上）")));
    }
    out
}

/// The special-equipment criteria of the 条例 besides casualties and loss.
fn special_equipment(r: &RegimeFacts) -> Vec<(AccidentGrade, String)> {
    let mut out = Vec::new();
    let t = r.toxic_leak_relocated;
    let (n, m) = (r.stranded_people, r.stranded_minutes);
    let aerial = matches!(r.stranded_in, StrandedIn::Ropeway | StrandedIn::Ride);
    // 第六十一条 特别重大: 600兆瓦以上锅炉爆炸; 有毒介质泄漏造成15万人以上
    // 转移; 客运索道、大型游乐设施高空滞留100人以上并且时间在48小时以上.
    if r.boiler_600mw_exploded {
        out.push((EspeciallyMajor, "600 兆瓦以上锅炉爆炸".to_string()));
    }
    if t >= 150_000 {
        out.push((
            EspeciallyMajor,
            format!("有毒介质泄漏，转移 {t} 人（15 万人以上）"),
        ));
    }
    if aerial && n >= 100 && m >= 48 * 60 {
        out.push((
            EspeciallyMajor,
            format!("高空滞留 {n} 人 {m} 分钟（100 人以上、48 小时以上）"),
        ));
    }
    // 第六十二条 重大: 600兆瓦以上锅炉因安全故障中断运行240小时以上; 转移5万人
    // 以上15万人以下; 高空滞留100人以上并且时间在24小时以上48小时以下.
    if r.boiler_600mw_outage_hours >= 240 {
        out.push((
            Major,
            format!(
                "600 兆瓦以上锅炉中断运行 {} 小时（240 小时以上）",
                r.boiler_600mw_outage_hours
            ),
        ));
    }
    if (50_000..150_000).contains(&t) {
        out.push((Major, format!("有毒介质泄漏，转移 {t} 人（5 万人以上）")));
    }
    if aerial && n >= 100 && (24 * 60..48 * 60).contains(&m) {
        out.push((
            Major,
            format!("高空滞留 {n} 人 {m} 分钟（100 人以上、24 小时以上）"),
        ));
    }
    // 第六十三条 较大: 锅炉、压力容器、压力管道爆炸; 转移1万人以上5万人以下;
    // 起重机械整体倾覆; 客运索道、大型游乐设施高空滞留人员12小时以上.
    if r.pressure_explosion {
        out.push((Larger, "锅炉、压力容器、压力管道爆炸".to_string()));
    }
    if (10_000..50_000).contains(&t) {
        out.push((Larger, format!("有毒介质泄漏，转移 {t} 人（1 万人以上）")));
    }
    if r.crane_overturned {
        out.push((Larger, "起重机械整体倾覆".to_string()));
    }
    if aerial && n > 0 && m >= 12 * 60 {
        out.push((Larger, format!("高空滞留人员 {m} 分钟（12 小时以上）")));
    }
    // 第六十四条 一般 (named so the reasons say why it is an accident at
    // all): 转移500人以上1万人以下; 电梯轿厢滞留人员2小时以上; 起重机械主要
    // 受力结构件折断或者起升机构坠落; 客运索道高空滞留3.5小时以上; 大型游乐
    // 设施高空滞留1小时以上.
    if (500..10_000).contains(&t) {
        out.push((Ordinary, format!("有毒介质泄漏，转移 {t} 人（500 人以上）")));
    }
    if r.stranded_in == StrandedIn::Elevator && n > 0 && m >= 120 {
        out.push((Ordinary, format!("电梯轿厢滞留人员 {m} 分钟（2 小时以上）")));
    }
    if r.crane_structure_failed {
        out.push((
            Ordinary,
            "起重机械主要受力结构件折断或者起升机构坠落".to_string(),
        ));
    }
    if r.stranded_in == StrandedIn::Ropeway && n > 0 && (210..12 * 60).contains(&m) {
        out.push((
            Ordinary,
            format!("客运索道高空滞留人员 {m} 分钟（3.5 小时以上）"),
        ));
    }
    if r.stranded_in == StrandedIn::Ride && n > 0 && (60..12 * 60).contains(&m) {
        out.push((
            Ordinary,
            format!("大型游乐设施高空滞留人员 {m} 分钟（1 小时以上）"),
        ));
    }
    out
}

/// The grade by the regime of `industry`, with the reasons of the deciding
/// criteria (casualties and loss by 493号令's bounds, shared by all three).
pub fn grade_by_regime(
    industry: &str,
    f: &AccidentFacts,
    r: &RegimeFacts,
) -> (AccidentGrade, Vec<String>) {
    let (base, base_reasons) = grade_accident(f);
    let extra = match regime_for(industry) {
        Regime::Order493 => Vec::new(),
        Regime::Railway501 => railway(r),
        Regime::SpecialEquipment => special_equipment(r),
    };
    let grade = extra.iter().map(|(g, _)| *g).fold(base, AccidentGrade::max);
    let mut reasons: Vec<String> = if base == grade && grade > Ordinary {
        base_reasons.clone()
    } else {
        Vec::new()
    };
    reasons.extend(
        extra
            .into_iter()
            .filter(|(g, _)| *g == grade)
            .map(|(g, why)| format!("{why}，达到{}标准", g.label_zh())),
    );
    if reasons.is_empty() {
        reasons = base_reasons;
    }
    (grade, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rail(p: u32, f: u32, busy: bool, h: u32) -> AccidentGrade {
        let r = RegimeFacts {
            passenger_cars_derailed: p,
            freight_cars_derailed: f,
            busy_trunk: busy,
            interruption_hours: h,
            ..RegimeFacts::default()
        };
        grade_by_regime("railway", &AccidentFacts::default(), &r).0
    }

    /// 国务院令第501号 第十条至第十三条 at every bound.
    #[test]
    fn railway_accidents_by_order_501() {
        // (passenger cars, freight cars, busy trunk, hours, grade)
        let table = [
            (0, 0, false, 0, Ordinary),
            // 第十二条: 客运列车脱轨 2 辆以上; 货运 6 辆以上.
            (1, 0, false, 0, Ordinary),
            (2, 0, false, 0, Larger),
            (17, 0, false, 0, Larger),
            (0, 5, false, 0, Ordinary),
            (0, 6, false, 0, Larger),
            (0, 59, false, 0, Larger),
            // 中断繁忙干线 6 h 以上, 其他线路 10 h 以上.
            (0, 0, true, 5, Ordinary),
            (0, 0, true, 6, Larger),
            (0, 0, false, 9, Ordinary),
            (0, 0, false, 10, Larger),
            // 第十一条: 客运 18 辆以上; 货运 60 辆以上.
            (18, 0, false, 0, Major),
            (0, 60, false, 0, Major),
            // 脱轨 2–17 / 6–59 辆并中断繁忙干线 24 h 或其他线路 48 h 以上.
            (2, 0, true, 23, Larger),
            (2, 0, true, 24, Major),
            (0, 6, false, 47, Larger),
            (0, 6, false, 48, Major),
            (1, 0, true, 24, Larger),
            // 第十条: 繁忙干线客运脱轨中断 48 h 以上; 货运 72 h 以上.
            (1, 0, true, 47, Larger),
            (1, 0, true, 48, EspeciallyMajor),
            (0, 1, true, 71, Larger),
            (0, 1, true, 72, EspeciallyMajor),
            // Not a busy trunk: 48 h of a passenger train is 重大 at most.
            (2, 0, false, 72, Major),
        ];
        for (p, f, busy, h, want) in table {
            assert_eq!(rail(p, f, busy, h), want, "p {p} f {f} busy {busy} h {h}");
        }
        // Casualties by the shared bounds; the highest criterion wins.
        let f = AccidentFacts {
            deaths: 10,
            ..AccidentFacts::default()
        };
        assert_eq!(
            grade_by_regime("railway", &f, &RegimeFacts::default()).0,
            Major
        );
        let (g, why) = grade_by_regime(
            "railway",
            &AccidentFacts {
                deaths: 3,
                ..AccidentFacts::default()
            },
            &RegimeFacts {
                passenger_cars_derailed: 18,
                ..RegimeFacts::default()
            },
        );
        assert_eq!(
            (g, why),
            (
                Major,
                vec!["客运列车脱轨 18 辆（18 辆以上），达到重大事故标准".to_string()]
            )
        );
    }

    fn se(r: RegimeFacts) -> AccidentGrade {
        grade_by_regime("special_equipment", &AccidentFacts::default(), &r).0
    }

    /// 《特种设备安全监察条例》 第六十一条至第六十四条 at every bound.
    #[test]
    fn special_equipment_accidents_by_articles_61_to_64() {
        let d = RegimeFacts::default();
        let strand = |k, n, m| RegimeFacts {
            stranded_in: k,
            stranded_people: n,
            stranded_minutes: m,
            ..d
        };
        let leak = |t| RegimeFacts {
            toxic_leak_relocated: t,
            ..d
        };
        use StrandedIn::*;
        let table = [
            (d, Ordinary),
            (
                RegimeFacts {
                    boiler_600mw_exploded: true,
                    ..d
                },
                EspeciallyMajor,
            ),
            (
                RegimeFacts {
                    boiler_600mw_outage_hours: 239,
                    ..d
                },
                Ordinary,
            ),
            (
                RegimeFacts {
                    boiler_600mw_outage_hours: 240,
                    ..d
                },
                Major,
            ),
            (
                RegimeFacts {
                    pressure_explosion: true,
                    ..d
                },
                Larger,
            ),
            (
                RegimeFacts {
                    crane_overturned: true,
                    ..d
                },
                Larger,
            ),
            (
                RegimeFacts {
                    crane_structure_failed: true,
                    ..d
                },
                Ordinary,
            ),
            (leak(9_999), Ordinary),
            (leak(10_000), Larger),
            (leak(49_999), Larger),
            (leak(50_000), Major),
            (leak(149_999), Major),
            (leak(150_000), EspeciallyMajor),
            // 高空滞留: 12 h 以上 较大; 100 人以上 24 h 重大, 48 h 特别重大.
            (strand(Ropeway, 5, 719), Ordinary),
            (strand(Ropeway, 5, 720), Larger),
            (strand(Ride, 99, 2880), Larger),
            (strand(Ride, 100, 1439), Larger),
            (strand(Ride, 100, 1440), Major),
            (strand(Ropeway, 100, 2879), Major),
            (strand(Ropeway, 100, 2880), EspeciallyMajor),
            // An elevator is not 高空滞留: 2 h is 一般 whatever its length.
            (strand(Elevator, 100, 3000), Ordinary),
        ];
        for (r, want) in table {
            assert_eq!(se(r), want, "{r:?}");
        }
        // 第六十四条's 一般 criteria name why it is an accident at all.
        for (r, why) in [
            (strand(Ropeway, 1, 210), "客运索道高空滞留人员 210 分钟"),
            (strand(Ride, 1, 60), "大型游乐设施高空滞留人员 60 分钟"),
            (strand(Elevator, 1, 120), "电梯轿厢滞留人员 120 分钟"),
            (leak(500), "转移 500 人"),
        ] {
            let (g, reasons) = grade_by_regime("special_equipment", &AccidentFacts::default(), &r);
            assert_eq!(g, Ordinary);
            assert!(reasons.iter().any(|x| x.contains(why)), "{reasons:?}");
        }
        for (r, why) in [
            (strand(Ropeway, 1, 209), "未达到"),
            (strand(Ride, 1, 59), "未达到"),
            (strand(Elevator, 1, 119), "未达到"),
            (leak(499), "未达到"),
        ] {
            let (_, reasons) = grade_by_regime("special_equipment", &AccidentFacts::default(), &r);
            assert!(reasons[0].contains(why), "{r:?} {reasons:?}");
        }
    }

    /// 493号令 第四十五条: the industry picks the regime; another regime's
    /// facts do not grade a 493号令 accident.
    #[test]
    fn the_industry_picks_the_regime() {
        assert_eq!(regime_for("railway"), Regime::Railway501);
        assert_eq!(regime_for("special_equipment"), Regime::SpecialEquipment);
        assert_eq!(regime_for("coal_mine"), Regime::Order493);
        let r = RegimeFacts {
            passenger_cars_derailed: 20,
            pressure_explosion: true,
            ..RegimeFacts::default()
        };
        assert_eq!(
            grade_by_regime("construction", &AccidentFacts::default(), &r).0,
            Ordinary
        );
        assert_eq!(
            grade_by_regime("railway", &AccidentFacts::default(), &r).0,
            Major
        );
        assert_eq!(
            grade_by_regime("special_equipment", &AccidentFacts::default(), &r).0,
            Larger
        );
    }
}
