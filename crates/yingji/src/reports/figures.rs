//! 灾情指标: the figures of a natural-disaster report, their validation and
//! the consistency rules between reports, ledgers and levels.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// One report's figures (cumulative for the disaster process).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Figures {
    /// 受灾人口 (人次)
    pub affected: i64,
    /// 死亡人口
    pub dead: i64,
    /// 失踪人口
    pub missing: i64,
    /// 受伤人口
    pub injured: i64,
    /// 紧急转移安置人口
    pub relocated: i64,
    /// 需紧急生活救助人口
    pub need_relief: i64,
    /// 农作物受灾面积 (公顷)
    pub crop_affected_ha: f64,
    /// 农作物绝收面积 (公顷)
    pub crop_failed_ha: f64,
    /// 倒塌房屋 (户 / 间)
    pub collapsed_households: i64,
    pub collapsed_rooms: i64,
    /// 严重损坏房屋 (户 / 间)
    pub severe_households: i64,
    pub severe_rooms: i64,
    /// 一般损坏房屋 (户 / 间)
    pub damaged_households: i64,
    pub damaged_rooms: i64,
    /// 直接经济损失, in whole 元 (money is integer 元 everywhere; the forms
    /// show 万元 by dividing, see docs/rules.md)
    pub direct_loss_yuan: i64,
    /// 其中农业损失, in whole 元
    pub agri_loss_yuan: i64,
}

/// (key, 中文名, whether it is cumulative and may not decrease)
pub const FIELDS: &[(&str, &str)] = &[
    ("affected", "受灾人口"),
    ("dead", "死亡人口"),
    ("missing", "失踪人口"),
    ("injured", "受伤人口"),
    ("relocated", "紧急转移安置人口"),
    ("need_relief", "需紧急生活救助人口"),
    ("crop_affected_ha", "农作物受灾面积"),
    ("crop_failed_ha", "农作物绝收面积"),
    ("collapsed_households", "倒塌房屋户数"),
    ("collapsed_rooms", "倒塌房屋间数"),
    ("severe_households", "严重损坏房屋户数"),
    ("severe_rooms", "严重损坏房屋间数"),
    ("damaged_households", "一般损坏房屋户数"),
    ("damaged_rooms", "一般损坏房屋间数"),
    ("direct_loss_yuan", "直接经济损失"),
    ("agri_loss_yuan", "农业损失"),
];

impl Figures {
    /// Every figure by key, as f64 (for generic rules and tables).
    pub fn get(&self, key: &str) -> f64 {
        match key {
            "affected" => self.affected as f64,
            "dead" => self.dead as f64,
            "missing" => self.missing as f64,
            "injured" => self.injured as f64,
            "relocated" => self.relocated as f64,
            "need_relief" => self.need_relief as f64,
            "crop_affected_ha" => self.crop_affected_ha,
            "crop_failed_ha" => self.crop_failed_ha,
            "collapsed_households" => self.collapsed_households as f64,
            "collapsed_rooms" => self.collapsed_rooms as f64,
            "severe_households" => self.severe_households as f64,
            "severe_rooms" => self.severe_rooms as f64,
            "damaged_households" => self.damaged_households as f64,
            "damaged_rooms" => self.damaged_rooms as f64,
            "direct_loss_yuan" => self.direct_loss_yuan as f64,
            "agri_loss_yuan" => self.agri_loss_yuan as f64,
            _ => 0.0,
        }
    }

    pub fn dead_missing(&self) -> i64 {
        self.dead + self.missing
    }

    /// Sum (aggregation of townships into a county, counties into the city).
    pub fn add(&self, o: &Figures) -> Figures {
        Figures {
            affected: self.affected + o.affected,
            dead: self.dead + o.dead,
            missing: self.missing + o.missing,
            injured: self.injured + o.injured,
            relocated: self.relocated + o.relocated,
            need_relief: self.need_relief + o.need_relief,
            crop_affected_ha: self.crop_affected_ha + o.crop_affected_ha,
            crop_failed_ha: self.crop_failed_ha + o.crop_failed_ha,
            collapsed_households: self.collapsed_households + o.collapsed_households,
            collapsed_rooms: self.collapsed_rooms + o.collapsed_rooms,
            severe_households: self.severe_households + o.severe_households,
            severe_rooms: self.severe_rooms + o.severe_rooms,
            damaged_households: self.damaged_households + o.damaged_households,
            damaged_rooms: self.damaged_rooms + o.damaged_rooms,
            direct_loss_yuan: self.direct_loss_yuan + o.direct_loss_yuan,
            agri_loss_yuan: self.agri_loss_yuan + o.agri_loss_yuan,
        }
    }
}

/// 因灾死亡失踪人口一览表 row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasualtyRow {
    pub name: String,
    /// `dead` or `missing`
    pub status: String,
    pub gender: String,
    pub age: i64,
    pub address: String,
    pub cause: String,
}

/// 因灾倒塌损坏住房户一览表 row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseRow {
    pub householder: String,
    /// `collapsed`, `severe` or `damaged`
    pub damage: String,
    pub rooms: i64,
    pub address: String,
}

/// Plain validity of one report's figures and ledger rows: no negatives,
/// parts within wholes, rows filled in. Whether the ledgers agree with the
/// counts depends on the kind of report: [`check_ledgers`].
pub fn validate(f: &Figures, casualties: &[CasualtyRow], houses: &[HouseRow]) -> Vec<FieldError> {
    let mut e = Vec::new();
    for (k, zh) in FIELDS {
        let v = f.get(k);
        if !v.is_finite() {
            e.push(
                FieldError::new(*k, format!("{zh}应为数字，收到“{v}”"))
                    .code("not_number")
                    .param("value", v.to_string()),
            );
        } else if v < 0.0 {
            e.push(FieldError::new(*k, format!("{zh}不能为负数")).code("negative"));
        }
    }
    if f.crop_failed_ha > f.crop_affected_ha {
        e.push(
            FieldError::new("crop_failed_ha", "绝收面积不能大于受灾面积")
                .code("crop_failed_gt_affected"),
        );
    }
    if f.agri_loss_yuan > f.direct_loss_yuan {
        e.push(
            FieldError::new("agri_loss_yuan", "农业损失不能大于直接经济损失")
                .code("agri_loss_gt_direct"),
        );
    }
    for (h, r, zh) in [
        (f.collapsed_households, f.collapsed_rooms, "倒塌"),
        (f.severe_households, f.severe_rooms, "严重损坏"),
        (f.damaged_households, f.damaged_rooms, "一般损坏"),
    ] {
        if r < h {
            e.push(
                FieldError::new(
                    format!("{}_rooms", key_of(zh)),
                    format!("{zh}房屋间数不能少于户数"),
                )
                .code("rooms_below_households")
                .param("rooms", r)
                .param("households", h),
            );
        }
    }
    // Upper bounds: 《自然灾害情况统计调查制度》 counts 紧急转移安置人口 and
    // 需紧急生活救助人口 among the 受灾人口, so neither may exceed it.
    for (k, v, zh, code) in [
        (
            "relocated",
            f.relocated,
            "紧急转移安置人口",
            "relocated_gt_affected",
        ),
        (
            "need_relief",
            f.need_relief,
            "需紧急生活救助人口",
            "need_relief_gt_affected",
        ),
    ] {
        if v > f.affected {
            e.push(
                FieldError::new(k, format!("{zh} {v} 不能大于受灾人口 {}", f.affected))
                    .code(code)
                    .param("value", v)
                    .param("affected", f.affected),
            );
        }
    }
    if f.dead + f.missing + f.injured > f.affected && f.affected > 0 {
        e.push(
            FieldError::new("affected", "受灾人口应包含死亡、失踪和受伤人口")
                .code("affected_below_casualties"),
        );
    }
    for (i, c) in casualties.iter().enumerate() {
        if c.name.trim().is_empty() {
            e.push(FieldError::new(format!("casualties[{i}].name"), "姓名必填").code("required"));
        }
        if !matches!(c.status.as_str(), "dead" | "missing") {
            e.push(
                FieldError::new(
                    format!("casualties[{i}].status"),
                    "应为 dead（死亡）或 missing（失踪）",
                )
                .code("not_an_option")
                .param("value", c.status.clone())
                .param("options", "dead, missing"),
            );
        }
        if !(0..=150).contains(&c.age) {
            e.push(
                FieldError::new(format!("casualties[{i}].age"), "年龄应在 0–150")
                    .code("out_of_range")
                    .param("min", 0)
                    .param("max", 150),
            );
        }
    }
    for (i, h) in houses.iter().enumerate() {
        if !matches!(h.damage.as_str(), "collapsed" | "severe" | "damaged") {
            e.push(
                FieldError::new(
                    format!("houses[{i}].damage"),
                    "应为 collapsed、severe 或 damaged",
                )
                .code("not_an_option")
                .param("value", h.damage.clone())
                .param("options", "collapsed, severe, damaged"),
            );
        }
        if h.householder.trim().is_empty() {
            e.push(
                FieldError::new(format!("houses[{i}].householder"), "户主姓名必填")
                    .code("required"),
            );
        }
        if h.rooms < 1 {
            e.push(
                FieldError::new(format!("houses[{i}].rooms"), "间数至少为 1")
                    .code("at_least")
                    .param("min", 1),
            );
        }
    }
    e
}

/// Whether the ledgers (因灾死亡失踪人口一览表, 因灾倒塌损坏住房户一览表) must
/// agree with the counts in a report of this kind: at 核报 only. An 初报
/// within the hour carries rough numbers and a 续报 a situation still
/// moving; the ledgers are due with the 核报 (《自然灾害情况统计调查制度》:
/// 核报 with the 台账 of 因灾死亡失踪人员 and 倒塌损坏住房户).
pub fn ledgers_required(kind: super::ReportKind) -> bool {
    kind == super::ReportKind::Final
}

/// The ledgers against the counts: a refusal at 核报
/// ([`ledgers_required`]), else one warning for the report's flags that the
/// ledgers will be due at 核报. Returns `(errors, warning)`.
pub fn check_ledgers(
    kind: super::ReportKind,
    f: &Figures,
    casualties: &[CasualtyRow],
    houses: &[HouseRow],
) -> (Vec<FieldError>, Option<String>) {
    let mismatches = ledger_mismatches(f, casualties, houses);
    if mismatches.is_empty() {
        (Vec::new(), None)
    } else if ledgers_required(kind) {
        (mismatches, None)
    } else {
        let what: Vec<&str> = mismatches
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>();
        (
            Vec::new(),
            Some(format!(
                "台账尚未与数字一致，核报时须补齐（{}）",
                what.join("；")
            )),
        )
    }
}

/// Where the ledgers disagree with the counts (dead, missing, collapsed and
/// severely damaged households), by field.
pub fn ledger_mismatches(
    f: &Figures,
    casualties: &[CasualtyRow],
    houses: &[HouseRow],
) -> Vec<FieldError> {
    let mut e = Vec::new();
    let count = |s: &str| casualties.iter().filter(|c| c.status == s).count() as i64;
    for (status, counted, zh, code) in [
        ("dead", f.dead, "死亡", "ledger_dead_mismatch"),
        ("missing", f.missing, "失踪", "ledger_missing_mismatch"),
    ] {
        let listed = count(status);
        if listed != counted {
            e.push(
                FieldError::new(
                    "casualties",
                    format!("死亡失踪人口一览表中{zh} {listed} 人，与{zh}人口 {counted} 不符"),
                )
                .code(code)
                .param("listed", listed)
                .param("count", counted),
            );
        }
    }
    for (damage, households, zh) in [
        ("collapsed", f.collapsed_households, "倒塌"),
        ("severe", f.severe_households, "严重损坏"),
    ] {
        let n = houses.iter().filter(|h| h.damage == damage).count() as i64;
        if n != households {
            e.push(
                FieldError::new(
                    "houses",
                    format!("倒塌损坏住房户一览表中{zh} {n} 户，与{zh}房屋户数 {households} 不符"),
                )
                .code("ledger_houses_mismatch")
                .param("damage", damage)
                .param("listed", n)
                .param("count", households),
            );
        }
    }
    e
}

fn key_of(zh: &str) -> &'static str {
    match zh {
        "倒塌" => "collapsed",
        "严重损坏" => "severe",
        _ => "damaged",
    }
}

/// A 续报 may not lower a cumulative figure unless a reason is given.
pub fn check_not_lower(prev: &Figures, next: &Figures, reason: Option<&str>) -> Vec<FieldError> {
    if reason.is_some_and(|r| !r.trim().is_empty()) {
        return Vec::new();
    }
    FIELDS
        .iter()
        .filter(|(k, _)| next.get(k) < prev.get(k))
        .map(|(k, zh)| {
            FieldError::new(
                *k,
                format!(
                    "{zh}由 {} 减少为 {}：核减须填写说明",
                    prev.get(k),
                    next.get(k)
                ),
            )
            .code("lowered_without_reason")
            .param("prev", prev.get(k))
            .param("next", next.get(k))
        })
        .collect()
}

/// After aggregation a child may not exceed its parent.
pub fn check_children_within(parent: &Figures, children_sum: &Figures) -> Vec<FieldError> {
    FIELDS
        .iter()
        .filter(|(k, _)| children_sum.get(k) > parent.get(k) + 1e-9)
        .map(|(k, zh)| {
            FieldError::new(
                *k,
                format!(
                    "下级合计{zh} {} 超过本级 {}",
                    children_sum.get(k),
                    parent.get(k)
                ),
            )
            .code("children_exceed_parent")
            .param("sum", children_sum.get(k))
            .param("value", parent.get(k))
        })
        .collect()
}

/// A 核报 that differs from the last 续报 by more than `share` (e.g. 0.2) in
/// any figure is flagged for review. Returns the figures that differ.
pub fn final_differs(last_followup: &Figures, fin: &Figures, share: f64) -> Vec<String> {
    FIELDS
        .iter()
        .filter(|(k, _)| {
            let (a, b) = (last_followup.get(k), fin.get(k));
            let base = a.abs().max(1.0);
            (b - a).abs() / base > share
        })
        .map(|(k, zh)| {
            format!(
                "{zh}（{k}）: 续报 {} → 核报 {}",
                last_followup.get(k),
                fin.get(k)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Figures {
        Figures {
            affected: 1200,
            dead: 1,
            missing: 1,
            injured: 5,
            relocated: 300,
            collapsed_households: 2,
            collapsed_rooms: 5,
            severe_households: 1,
            severe_rooms: 2,
            direct_loss_yuan: 8_500_000,
            agri_loss_yuan: 3_000_000,
            crop_affected_ha: 120.0,
            crop_failed_ha: 10.0,
            ..Default::default()
        }
    }

    fn ledgers() -> (Vec<CasualtyRow>, Vec<HouseRow>) {
        let c = |s: &str| CasualtyRow {
            name: "张三".into(),
            status: s.into(),
            gender: "男".into(),
            age: 60,
            address: "新荣镇".into(),
            cause: "洪水".into(),
        };
        let h = |d: &str| HouseRow {
            householder: "李四".into(),
            damage: d.into(),
            rooms: 2,
            address: "新荣镇".into(),
        };
        (
            vec![c("dead"), c("missing")],
            vec![h("collapsed"), h("collapsed"), h("severe")],
        )
    }

    #[test]
    fn a_consistent_report_passes() {
        let (c, h) = ledgers();
        assert_eq!(validate(&f(), &c, &h), vec![]);
    }

    #[test]
    fn inconsistencies_name_the_field() {
        let (c, h) = ledgers();
        let cases: Vec<(Figures, &str)> = vec![
            (Figures { dead: -1, ..f() }, "dead"),
            (
                Figures {
                    crop_failed_ha: 200.0,
                    ..f()
                },
                "crop_failed_ha",
            ),
            (
                Figures {
                    agri_loss_yuan: 9_000_000,
                    ..f()
                },
                "agri_loss_yuan",
            ),
            (
                Figures {
                    collapsed_rooms: 1,
                    ..f()
                },
                "collapsed_rooms",
            ),
            (Figures { affected: 3, ..f() }, "affected"),
            (
                Figures {
                    direct_loss_yuan: -1,
                    ..f()
                },
                "direct_loss_yuan",
            ),
            (
                Figures {
                    crop_affected_ha: f64::NAN,
                    ..f()
                },
                "crop_affected_ha",
            ),
        ];
        for (fig, field) in cases {
            let e = validate(&fig, &c, &h);
            assert!(e.iter().any(|e| e.field == field), "{field}: {e:?}");
        }
        let mut bad = c.clone();
        bad[0].age = 200;
        assert!(validate(&f(), &bad, &h)
            .iter()
            .any(|e| e.field == "casualties[0].age"));
    }

    /// 紧急转移安置 and 需紧急生活救助 are part of 受灾人口 (《自然灾害情况统计
    /// 调查制度》): each may equal it, never exceed it; the error names the
    /// field and carries a code.
    #[test]
    fn relocated_and_need_relief_stay_within_the_affected() {
        let (c, h) = ledgers();
        // (affected, relocated, need_relief, fields refused)
        let table: [(i64, i64, i64, &[&str]); 8] = [
            (1200, 0, 0, &[]),
            (1200, 1200, 1200, &[]),
            (1200, 1201, 0, &["relocated"]),
            (1200, 0, 1201, &["need_relief"]),
            (1200, 1201, 1201, &["relocated", "need_relief"]),
            (1200, 1199, 1200, &[]),
            (0, 1, 0, &["relocated"]),
            (0, 0, 1, &["need_relief"]),
        ];
        for (affected, relocated, need_relief, want) in table {
            let fig = Figures {
                affected,
                relocated,
                need_relief,
                dead: if affected > 0 { 1 } else { 0 },
                missing: if affected > 0 { 1 } else { 0 },
                injured: if affected > 0 { 5 } else { 0 },
                ..f()
            };
            let (c, h) = if affected > 0 {
                (c.clone(), h.clone())
            } else {
                (vec![], h.clone())
            };
            let errors = validate(&fig, &c, &h);
            let got: Vec<&str> = errors
                .iter()
                .filter(|e| e.code.ends_with("_gt_affected"))
                .map(|e| e.field.as_str())
                .collect();
            assert_eq!(
                got, want,
                "affected {affected} relocated {relocated} need_relief {need_relief}"
            );
        }
        let e = validate(
            &Figures {
                relocated: 1300,
                ..f()
            },
            &c,
            &h,
        );
        let r = e.iter().find(|e| e.field == "relocated").expect("refused");
        assert_eq!(r.code, "relocated_gt_affected");
        assert_eq!(r.params["value"], 1300);
        assert_eq!(r.params["affected"], 1200);
    }

    /// Ledgers are due at 核报, not before: an 初报 (or 续报, 直报, 审核上报)
    /// whose ledgers do not match its counts is accepted with a warning; a
    /// 核报 is refused, naming the ledger.
    #[test]
    fn ledgers_are_required_at_the_final_report_only() {
        use super::super::ReportKind::*;
        let (c, h) = ledgers();
        let rough = Figures {
            dead: 3,
            collapsed_households: 5,
            collapsed_rooms: 9,
            ..f()
        };
        // (kind, figures, casualties, houses, refused fields, warned)
        let table = [
            (Initial, rough, vec![], vec![], vec![], true),
            (Followup, rough, vec![], vec![], vec![], true),
            (Direct, rough, vec![], vec![], vec![], true),
            (Forward, rough, c.clone(), h.clone(), vec![], true),
            (
                Final,
                rough,
                vec![],
                vec![],
                vec!["casualties", "casualties", "houses", "houses"],
                false,
            ),
            (
                Final,
                rough,
                c.clone(),
                h.clone(),
                vec!["casualties", "houses"],
                false,
            ),
            // Matching ledgers: nothing to say at any kind.
            (Initial, f(), c.clone(), h.clone(), vec![], false),
            (Final, f(), c.clone(), h.clone(), vec![], false),
            // No casualties and no collapsed houses: no ledger needed.
            (Final, Figures::default(), vec![], vec![], vec![], false),
        ];
        for (kind, fig, cas, houses, refused, warned) in table {
            let (errors, warning) = check_ledgers(kind, &fig, &cas, &houses);
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, refused, "{kind:?} {fig:?}");
            assert_eq!(warning.is_some(), warned, "{kind:?} {fig:?}: {warning:?}");
            if let Some(w) = warning {
                assert!(w.contains("核报时须补齐"), "{w}");
            }
        }
        assert!(ledgers_required(Final));
        assert!(!ledgers_required(Initial) && !ledgers_required(Followup));
    }

    #[test]
    fn followups_do_not_lower_without_reason() {
        let lower = Figures {
            relocated: 250,
            ..f()
        };
        let e = check_not_lower(&f(), &lower, None);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "relocated");
        assert!(check_not_lower(&f(), &lower, Some("重复统计核减 50 人")).is_empty());
        assert!(check_not_lower(&f(), &lower, Some("  ")).len() == 1);
        assert!(check_not_lower(
            &f(),
            &Figures {
                relocated: 400,
                ..f()
            },
            None
        )
        .is_empty());
    }

    #[test]
    fn aggregation_and_children() {
        let a = f();
        let sum = a.add(&a);
        assert_eq!(sum.affected, 2400);
        assert_eq!(sum.direct_loss_yuan, 17_000_000);
        assert!(check_children_within(&sum, &a).is_empty());
        let e = check_children_within(&a, &sum);
        assert!(e.iter().any(|e| e.field == "affected"));
    }

    #[test]
    fn final_reports_far_from_the_last_followup_are_flagged() {
        let fin = Figures {
            direct_loss_yuan: 11_000_000,
            ..f()
        }; // +29 %
        assert_eq!(final_differs(&f(), &fin, 0.2).len(), 1);
        assert!(final_differs(
            &f(),
            &Figures {
                direct_loss_yuan: 10_000_000,
                ..f()
            },
            0.2
        )
        .is_empty()); // +17.6 %
                      // Small absolute numbers: 0 → 1 counts against a base of 1.
        assert_eq!(
            final_differs(
                &Figures { dead: 0, ..f() },
                &Figures { dead: 1, ..f() },
                0.2
            )
            .len(),
            1
        );
    }
}
