//! The demo's supervision data: risk points for every enterprise, assessed
//! by LEC with values from the tables, and hidden hazards in every state of
//! the loop, taken through the same rule (`supervision::apply`) a user's
//! steps go through, at times in the past so that some are overdue. The
//! generator is seeded, so the same week gives the same data.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::DemoError;
use crate::db::{JsonText, Tx, UtcText};
use crate::journal::NewEntry;
use crate::supervision::inspections::{self, DrawInput, InspectionState};
use crate::supervision::major::{self, UnitKind};
use crate::supervision::{
    self, store, Actor, Assessment, Hazard, HazardCommand, HazardGrade, HazardSource, HazardState,
    HazardUnit, Inspection, InspectionDraw, Reported, RiskPoint,
};

/// (industry, risk point, hazard factors, control measures, L, E, C): the
/// usual risk points of each industry with a plausible LEC assessment.
const RISK_POINTS: &[(&str, &str, &str, &str, f64, f64, f64)] = &[
    (
        "coal_mine",
        "综采工作面",
        "瓦斯积聚、煤尘、顶板来压",
        "瓦斯抽采与监测监控，支架初撑力管理",
        3.0,
        6.0,
        40.0,
    ),
    (
        "coal_mine",
        "主斜井带式输送机",
        "皮带撕裂、火灾、卷入",
        "沿线防护、烟雾及温度保护",
        3.0,
        6.0,
        7.0,
    ),
    (
        "coal_mine",
        "井下中央变电所",
        "触电、电气火灾",
        "两回路供电，绝缘监测",
        1.0,
        6.0,
        15.0,
    ),
    (
        "coal_mine",
        "掘进工作面",
        "冒顶、透水、瓦斯",
        "有掘必探，先探后掘",
        3.0,
        6.0,
        15.0,
    ),
    (
        "coal_mine",
        "地面储煤场",
        "自燃、车辆伤害",
        "测温巡检，分区堆放",
        1.0,
        3.0,
        7.0,
    ),
    (
        "non_coal_mine",
        "露天采场边坡",
        "滑坡、坍塌",
        "边坡在线监测，台阶宽度控制",
        3.0,
        6.0,
        15.0,
    ),
    (
        "non_coal_mine",
        "爆破器材库",
        "爆炸",
        "双人双锁，视频监控",
        0.5,
        6.0,
        100.0,
    ),
    (
        "non_coal_mine",
        "破碎车间",
        "机械伤害、粉尘",
        "联锁停机，除尘",
        3.0,
        6.0,
        3.0,
    ),
    (
        "non_coal_mine",
        "尾矿库",
        "溃坝、漫顶",
        "坝体位移与浸润线监测",
        1.0,
        10.0,
        40.0,
    ),
    (
        "hazmat",
        "液氨储罐区",
        "泄漏、中毒、爆炸",
        "紧急切断、有毒气体报警、围堰",
        1.0,
        10.0,
        40.0,
    ),
    (
        "hazmat",
        "甲醇装车站台",
        "火灾、爆炸、静电",
        "静电接地、鹤管密闭装车",
        3.0,
        3.0,
        15.0,
    ),
    (
        "hazmat",
        "合成工段",
        "超温超压、泄漏",
        "SIS 联锁、DCS 报警",
        1.0,
        10.0,
        15.0,
    ),
    (
        "hazmat",
        "危废暂存间",
        "泄漏、火灾",
        "分类存放、防渗",
        1.0,
        3.0,
        7.0,
    ),
    (
        "metallurgy",
        "高炉炉前",
        "喷溅、灼烫、煤气中毒",
        "炉前防护、一氧化碳报警",
        3.0,
        6.0,
        15.0,
    ),
    (
        "metallurgy",
        "转炉煤气柜",
        "煤气泄漏、爆炸",
        "柜位监测、区域一氧化碳报警",
        1.0,
        10.0,
        40.0,
    ),
    (
        "metallurgy",
        "铁水吊运区",
        "吊物坠落、灼烫",
        "冶金起重机双制动、专人指挥",
        1.0,
        6.0,
        40.0,
    ),
    (
        "metallurgy",
        "轧钢车间",
        "机械伤害",
        "防护罩、联锁",
        3.0,
        6.0,
        3.0,
    ),
    (
        "building_materials",
        "水泥窑尾预热器",
        "高温物料喷出、灼烫",
        "清堵作业票，防护服",
        3.0,
        3.0,
        15.0,
    ),
    (
        "building_materials",
        "煤磨及煤粉仓",
        "煤粉爆炸",
        "CO 监测、防爆阀、惰化",
        1.0,
        6.0,
        15.0,
    ),
    (
        "building_materials",
        "原料堆棚",
        "车辆伤害、坍塌",
        "限速、分区",
        1.0,
        6.0,
        3.0,
    ),
    (
        "power",
        "锅炉及制粉系统",
        "煤粉爆炸、锅炉爆管",
        "防爆门、炉膛压力保护",
        1.0,
        10.0,
        15.0,
    ),
    (
        "power",
        "升压站",
        "触电、火灾",
        "五防闭锁、红外测温",
        1.0,
        6.0,
        15.0,
    ),
    (
        "power",
        "风机/光伏场区检修",
        "高处坠落、触电",
        "双钩安全带，停电验电挂牌",
        3.0,
        3.0,
        7.0,
    ),
    (
        "power",
        "燃油及氢气站",
        "泄漏、爆炸",
        "氢气浓度报警，防静电",
        0.5,
        10.0,
        40.0,
    ),
    (
        "trade",
        "营业大厅",
        "火灾、人员疏散",
        "消防设施维保，疏散通道畅通",
        1.0,
        10.0,
        15.0,
    ),
    (
        "trade",
        "冷库",
        "氨泄漏、冻伤",
        "氨气报警、应急排风",
        0.5,
        6.0,
        15.0,
    ),
    (
        "trade",
        "货物装卸区",
        "车辆伤害、物体打击",
        "人车分流",
        1.0,
        6.0,
        3.0,
    ),
];

/// (industry, hazard, where, may be 重大): typical findings.
const HAZARDS: &[(&str, &str, &str, bool)] = &[
    (
        "coal_mine",
        "回风巷瓦斯传感器超期未标校",
        "3号煤回风巷",
        false,
    ),
    ("coal_mine", "采空区密闭墙漏风", "8102 采空区", true),
    (
        "coal_mine",
        "局部通风机未实现双风机双电源",
        "2105 掘进面",
        true,
    ),
    ("coal_mine", "主斜井皮带跑偏保护失效", "主斜井", false),
    ("coal_mine", "井下消防材料库器材不足", "井底车场", false),
    ("non_coal_mine", "边坡台阶宽度不足", "北帮 1420 平台", true),
    (
        "non_coal_mine",
        "爆破器材库避雷设施检测过期",
        "爆破器材库",
        false,
    ),
    ("non_coal_mine", "尾矿库排洪设施淤堵", "尾矿库排洪井", true),
    ("non_coal_mine", "破碎机皮带轮防护罩缺失", "粗碎车间", false),
    ("hazmat", "液氨储罐紧急切断阀未投用", "液氨罐区", true),
    ("hazmat", "装车鹤管静电接地报警器损坏", "甲醇装车站", false),
    ("hazmat", "可燃气体报警器未接入 DCS", "合成工段", false),
    ("hazmat", "特殊作业票证填写不全", "检修现场", false),
    (
        "metallurgy",
        "煤气柜区域一氧化碳报警器失效",
        "转炉煤气柜",
        true,
    ),
    ("metallurgy", "铁水吊运起重机制动器磨损", "炼钢跨", true),
    ("metallurgy", "高炉炉前作业人员未穿防护服", "1号高炉", false),
    ("metallurgy", "轧机安全联锁被短接", "棒材生产线", false),
    (
        "building_materials",
        "煤粉仓一氧化碳监测仪故障",
        "煤磨",
        false,
    ),
    (
        "building_materials",
        "预热器清堵未办理作业票",
        "窑尾",
        false,
    ),
    (
        "building_materials",
        "原料库顶棚钢结构锈蚀",
        "原料堆棚",
        true,
    ),
    ("power", "升压站主变油位计失效", "110kV 升压站", false),
    ("power", "氢气站防爆电气不合格", "制氢站", true),
    ("power", "检修作业高处安全带挂点缺失", "风机检修平台", false),
    ("trade", "安全出口被货物堵塞", "一层东侧", false),
    ("trade", "消防喷淋系统末端压力不足", "地下车库", false),
    ("trade", "冷库氨气报警器未定期检测", "冷库机房", false),
];

/// The demo's county operators, by county (they supervise there).
fn county_user(county: &str) -> &'static str {
    match county {
        "140212" => "xinrongqu",
        "140213" => "pingcheng",
        "140214" => "yungang",
        "140215" => "yunzhou",
        "140221" => "yanggao",
        "140222" => "tianzhen",
        "140223" => "guangling",
        "140224" => "lingqiu",
        "140225" => "hunyuan",
        "140226" => "zuoyun",
        _ => "duty",
    }
}

fn date_text(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Where a demo hazard is to end, in turn.
const TARGETS: [(HazardState, bool); 8] = [
    (HazardState::Reported, false),
    (HazardState::Confirmed, false),
    (HazardState::Rectifying, false),
    (HazardState::Rectifying, true), // overdue
    (HazardState::Rectified, false),
    (HazardState::Verified, false),
    (HazardState::Closed, false),
    (HazardState::Closed, false),
];

/// Risk points and hazards for the demo's enterprises: `(id, name, county,
/// industry)`. Returns the journal entries of what it wrote.
pub async fn generate(
    tx: &mut Tx,
    now: OffsetDateTime,
    enterprises: &[(i64, &str, &str, &str)],
    qiye_enterprise: i64,
) -> Result<Vec<NewEntry>, DemoError> {
    let mut rng = SmallRng::seed_from_u64(super::SEED ^ 0x5u64);
    let mut entries = Vec::new();
    let today = now.to_offset(crate::clock::CST).date();
    let mut turn = 0usize;
    for &(eid, _name, county, industry) in enterprises {
        let org = format!("enterprise:{eid}");
        let division = crate::divisions::Code::parse(county)
            .map_err(|e| DemoError::Other(e.to_string()))?
            .to_string();
        // Risk points: those of the industry, each assessed up to a year ago.
        let points: Vec<_> = RISK_POINTS.iter().filter(|r| r.0 == industry).collect();
        let n = points.len().min(2 + rng.random_range(0..3usize));
        for (name, factors, measures, l, e, c) in points
            .iter()
            .take(n)
            .map(|r| (r.1, r.2, r.3, r.4, r.5, r.6))
        {
            // Well-kept enterprises have a lower likelihood.
            let l = if rng.random_bool(0.3) && l > 1.0 {
                1.0
            } else {
                l
            };
            let assessment = Assessment::Lec { l, e, c };
            let (score, level) = assessment
                .grade()
                .map_err(|e| DemoError::Other(e.to_string()))?;
            let assessed = today - Duration::days(rng.random_range(20..400));
            let t = UtcText(now);
            let mut r = RiskPoint {
                id: 0,
                enterprise_id: eid,
                division: division.clone(),
                org: org.clone(),
                name: name.to_string(),
                location: String::new(),
                hazard_factors: factors.to_string(),
                assessment: JsonText(assessment),
                score,
                level,
                measures: measures.to_string(),
                assessed_on: date_text(assessed),
                next_assessment_on: date_text(
                    assessed + Duration::days(supervision::REASSESS_EVERY_DAYS),
                ),
                created_by: county_user(county).into(),
                created_at: t,
                updated_at: t,
                version: 1,
            };
            r.id = store::insert_risk_point(tx, &r).await?;
            entries.push(NewEntry {
                actor: r.created_by.clone(),
                jurisdiction: division.clone(),
                module: "supervision",
                entity: "risk_point".into(),
                entity_id: r.id.to_string(),
                kind: "assessed",
                payload: json!({ "enterprise_id": eid, "name": r.name, "assessment": r.assessment, "score": score, "level": level }),
            });
        }

        // Hazards: one or two per enterprise, in turn through every state.
        let found: Vec<_> = HAZARDS.iter().filter(|h| h.0 == industry).collect();
        if found.is_empty() {
            continue;
        }
        let count = 1 + rng.random_range(0..2usize);
        for k in 0..count {
            let (_, title, location, may_be_major) = found[(turn + k) % found.len()];
            let (target, late) = TARGETS[turn % TARGETS.len()];
            turn += 1;
            let major = *may_be_major && rng.random_bool(0.6);
            let supervisor = Actor {
                username: county_user(county).into(),
                enterprise: false,
                supervisor: true,
                level: county.into(),
            };
            let city = Actor {
                username: "commander".into(),
                enterprise: false,
                supervisor: true,
                level: "1402".into(),
            };
            let firm = Actor {
                username: if eid == qiye_enterprise {
                    "qiye".into()
                } else {
                    org.clone()
                },
                enterprise: true,
                supervisor: false,
                level: county.into(),
            };
            // How long ago it was reported: long enough for its steps.
            let age = match (target, late) {
                (HazardState::Reported, _) => rng.random_range(0..3),
                (HazardState::Confirmed, _) => rng.random_range(2..6),
                (HazardState::Rectifying, false) => rng.random_range(3..10),
                (HazardState::Rectifying, true) => rng.random_range(30..60),
                (HazardState::Rectified, _) => rng.random_range(12..25),
                (HazardState::Verified, _) => rng.random_range(15..30),
                (HazardState::Closed, _) => rng.random_range(30..120),
            };
            let t0 = now - Duration::days(age) - Duration::hours(rng.random_range(0..8));
            let self_check = rng.random_bool(0.4);
            let mut h = Hazard::reported(
                Reported {
                    enterprise_id: eid,
                    division: division.clone(),
                    org: org.clone(),
                    title: title.to_string(),
                    description: String::new(),
                    location: location.to_string(),
                    source: if self_check {
                        HazardSource::SelfCheck
                    } else {
                        [
                            HazardSource::Routine,
                            HazardSource::Special,
                            HazardSource::Seasonal,
                            HazardSource::Expert,
                        ][rng.random_range(0..4)]
                    },
                    reported_by: if self_check {
                        firm.username.clone()
                    } else {
                        supervisor.username.clone()
                    },
                },
                t0.into(),
            );
            h.id = store::insert_hazard(tx, &h).await?;
            let mut log = vec![(
                h.reported_by.clone(),
                "reported",
                json!({ "enterprise_id": eid, "title": h.title, "location": h.location, "source": h.source, "to": "reported", "at": h.reported_at }),
            )];
            // The steps towards the target, each at its own time.
            let grade = if major {
                HazardGrade::Major
            } else {
                HazardGrade::General
            };
            let deadline_days = if late {
                10
            } else {
                20 + rng.random_range(0..20)
            };
            let listed_by_city = major && rng.random_bool(0.5);
            let mut steps: Vec<(i64, &Actor, HazardCommand)> = vec![
                (1, &supervisor, HazardCommand::Confirm { grade }),
                (
                    2,
                    &firm,
                    HazardCommand::Rectify {
                        measures: format!("针对“{title}”制定整改方案并组织实施"),
                        responsible: "安全副总经理".into(),
                        deadline: date_text(
                            (t0 + Duration::days(2)).to_offset(crate::clock::CST).date()
                                + Duration::days(deadline_days),
                        ),
                        funds_yuan: major.then_some(rng.random_range(5..50) * 10_000),
                        contingency: if major {
                            "局部停产，撤出危险区域人员，设置警戒".into()
                        } else {
                            String::new()
                        },
                    },
                ),
            ];
            if major {
                steps.push((
                    3,
                    if listed_by_city { &city } else { &supervisor },
                    HazardCommand::List {
                        note: if listed_by_city {
                            "市安委会挂牌督办".into()
                        } else {
                            "县级挂牌督办".into()
                        },
                    },
                ));
            }
            steps.extend([
                (
                    10,
                    &firm,
                    HazardCommand::ReportRectified {
                        report: "已按方案整改完毕，附整改前后照片".into(),
                    },
                ),
                (
                    12,
                    &supervisor,
                    HazardCommand::Accept {
                        note: "现场验收合格".into(),
                    },
                ),
                (
                    13,
                    if listed_by_city { &city } else { &supervisor },
                    HazardCommand::Close {},
                ),
            ]);
            for (day, actor, cmd) in steps {
                if h.state == target {
                    break;
                }
                // A listing does not move the state; skip it before grading.
                let at = t0 + Duration::days(day);
                let (next, mut payload) = supervision::apply(h.clone(), &cmd, actor, at)
                    .map_err(|e| DemoError::Other(format!("demo hazard {title}: {e}")))?;
                payload["at"] = json!(UtcText(at));
                log.push((actor.username.clone(), cmd.as_str(), payload));
                h = next;
            }
            if h.state != HazardState::Reported {
                store::update_hazard(tx, &h, 1).await?;
            }
            for (actor, kind, payload) in log {
                entries.push(NewEntry {
                    actor,
                    jurisdiction: division.clone(),
                    module: "supervision",
                    entity: "hazard".into(),
                    entity_id: h.id.to_string(),
                    kind,
                    payload,
                });
            }
        }
    }
    Ok(entries)
}

/// A hazard source of the demo that GB 18218 grades: its installation
/// unit is made from it and linked to it.
pub struct DemoUnit<'a> {
    pub enterprise_id: i64,
    pub county: &'a str,
    pub name: &'static str,
    pub production: bool,
    pub held: &'static [super::data::Held],
    pub people: i64,
    pub hazard_source_id: i64,
}

/// The installation units of the demo's chemical hazard sources (each
/// linked to its registry record, whose level the demo set from the same
/// rule), graded by `major::grade`, and the city's 双随机 plan: 8 of the hazardous-chemical
/// enterprises and 2 of the city's operators each, drawn by the rule from a
/// seed derived from the demo's seed (recorded like any draw, so the page
/// shows it reproduced). Returns the journal entries.
pub async fn major_and_inspections(
    tx: &mut Tx,
    now: OffsetDateTime,
    enterprises: &[(i64, &str, &str, &str)],
    units: &[DemoUnit<'_>],
    operators: &[&str],
) -> Result<Vec<NewEntry>, DemoError> {
    let mut entries = Vec::new();
    let t = UtcText(now);
    for du in units {
        let (eid, county, name, people) = (du.enterprise_id, du.county, du.name, du.people);
        let kind = if du.production {
            UnitKind::Production
        } else {
            UnitKind::Storage
        };
        let holdings = super::data::holdings(du.held);
        let sheet = major::grade(&holdings, people)
            .map_err(|e| DemoError::Other(format!("demo unit {name}: {e:?}")))?;
        let division = crate::divisions::Code::parse(county)
            .map_err(|e| DemoError::Other(e.to_string()))?
            .to_string();
        let mut u = HazardUnit {
            id: 0,
            enterprise_id: eid,
            division: division.clone(),
            org: format!("enterprise:{eid}"),
            name: name.to_string(),
            unit_kind: kind,
            hazard_source_id: Some(du.hazard_source_id),
            holdings: JsonText(holdings),
            exposed_people: people,
            s_value: sheet.s,
            r_value: sheet.r,
            grade: sheet.grade,
            note: String::new(),
            created_by: county_user(county).into(),
            created_at: t,
            updated_at: t,
            version: 1,
        };
        u.id = store::insert_unit(tx, &u).await?;
        entries.push(NewEntry {
            actor: u.created_by.clone(),
            jurisdiction: division,
            module: "supervision",
            entity: "hazard_unit".into(),
            entity_id: u.id.to_string(),
            kind: "graded",
            payload: json!({ "name": u.name, "holdings": u.holdings, "exposed_people": people, "s": u.s_value, "r": u.r_value, "grade": u.grade }),
        });
    }

    // The plan: the city draws from its hazardous-chemical enterprises.
    let mut pool: Vec<i64> = enterprises
        .iter()
        .filter(|e| e.3 == "hazmat")
        .map(|e| e.0)
        .collect();
    pool.sort_unstable();
    let mut inspectors: Vec<String> = operators.iter().map(|u| u.to_string()).collect();
    inspectors.sort();
    let input = DrawInput {
        seed: format!("{:016x}", super::SEED),
        n: pool.len().min(8),
        enterprises: pool,
        inspectors,
        per: 2,
        previous: Default::default(),
    };
    let result = inspections::draw(&input).map_err(|e| DemoError::Other(e.to_string()))?;
    let planned = now.to_offset(crate::clock::CST).date() + Duration::days(14);
    let mut d = InspectionDraw {
        id: 0,
        division: "140200000000".into(),
        title: "危险化学品企业双随机抽查（市级）".into(),
        industry: "hazmat".into(),
        input: JsonText(input),
        result: JsonText(result),
        planned_on: date_text(planned),
        drawn_by: "commander".into(),
        drawn_at: t,
    };
    d.id = store::insert_draw(tx, &d).await?;
    entries.push(NewEntry {
        actor: "commander".into(),
        jurisdiction: d.division.clone(),
        module: "supervision",
        entity: "inspection_draw".into(),
        entity_id: d.id.to_string(),
        kind: "drawn",
        payload: json!({ "title": d.title, "industry": d.industry, "input": d.input, "result": d.result, "planned_on": d.planned_on }),
    });
    for x in &d.result.0 {
        let Some(&(eid, _, county, _)) = enterprises.iter().find(|e| e.0 == x.enterprise_id) else {
            continue;
        };
        let division = crate::divisions::Code::parse(county)
            .map_err(|e| DemoError::Other(e.to_string()))?
            .to_string();
        let mut i = Inspection {
            id: 0,
            draw_id: Some(d.id),
            enterprise_id: eid,
            division: division.clone(),
            org: format!("enterprise:{eid}"),
            inspectors: JsonText(x.inspectors.clone()),
            state: InspectionState::Planned,
            planned_on: d.planned_on.clone(),
            started_at: None,
            finished_at: None,
            summary: String::new(),
            template_id: None,
            checks: JsonText(Vec::new()),
            created_by: "commander".into(),
            created_at: t,
            updated_at: t,
            version: 1,
        };
        i.id = store::insert_inspection(tx, &i).await?;
        entries.push(NewEntry {
            actor: "commander".into(),
            jurisdiction: division,
            module: "supervision",
            entity: "inspection".into(),
            entity_id: i.id.to_string(),
            kind: "planned",
            payload: json!({ "draw_id": d.id, "enterprise_id": eid, "inspectors": i.inspectors, "planned_on": i.planned_on }),
        });
    }
    Ok(entries)
}
