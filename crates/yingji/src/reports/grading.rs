//! Grading of production-safety accidents by 《生产安全事故报告和调查处理条例》
//! (国务院令第493号) 第三条. "以上" includes the bound, "以下" excludes it; the
//! highest grade any criterion reaches wins.
//!
//! The death criterion counts the dead **and the missing** (下落不明): 第十二条
//! counts the casualties of an accident "包括下落不明的人数", and
//! 《生产安全事故统计调查制度》 counts a person still missing at the end of the
//! 30-day (road traffic and fire: 7-day) window of 第十三条 as dead, so the
//! grade is taken on 死亡（含下落不明）. The window itself is
//! [`super::deadlines::casualty_window_end`].

use serde::{Deserialize, Serialize};

pub use crate::grading::AccidentGrade;

/// What the grade is decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccidentFacts {
    pub deaths: u32,
    /// 下落不明 (493号令 第十二条); graded together with `deaths`.
    #[serde(default)]
    pub missing: u32,
    /// 重伤 (including acute industrial poisoning)
    pub serious_injuries: u32,
    /// 直接经济损失, yuan
    pub direct_loss_yuan: u64,
}

/// Thresholds (lower bounds, inclusive) for 较大 / 重大 / 特别重大.
const DEATHS: [u64; 3] = [3, 10, 30];
const INJURIES: [u64; 3] = [10, 50, 100];
const LOSS_YUAN: [u64; 3] = [10_000_000, 50_000_000, 100_000_000];

fn level(value: u64, bounds: [u64; 3]) -> AccidentGrade {
    if value >= bounds[2] {
        AccidentGrade::EspeciallyMajor
    } else if value >= bounds[1] {
        AccidentGrade::Major
    } else if value >= bounds[0] {
        AccidentGrade::Larger
    } else {
        AccidentGrade::Ordinary
    }
}

impl AccidentFacts {
    /// 死亡（含下落不明）: what the death criterion of 第三条 compares.
    pub fn dead_or_missing(&self) -> u64 {
        u64::from(self.deaths) + u64::from(self.missing)
    }
}

/// The grade and, for each criterion that decides it, the reason.
pub fn grade_accident(f: &AccidentFacts) -> (AccidentGrade, Vec<String>) {
    let dead = if f.missing > 0 {
        format!(
            "死亡（含下落不明）{} 人（死亡 {}、下落不明 {}）",
            f.dead_or_missing(),
            f.deaths,
            f.missing
        )
    } else {
        format!("死亡 {} 人", f.deaths)
    };
    let by = [
        (level(f.dead_or_missing(), DEATHS), dead),
        (
            level(f.serious_injuries.into(), INJURIES),
            format!("重伤 {} 人", f.serious_injuries),
        ),
        (
            level(f.direct_loss_yuan, LOSS_YUAN),
            format!(
                "直接经济损失 {:.0} 万元",
                f.direct_loss_yuan as f64 / 10_000.0
            ),
        ),
    ];
    let grade = by
        .iter()
        .map(|(g, _)| *g)
        .max()
        .unwrap_or(AccidentGrade::Ordinary);
    let reasons = by
        .into_iter()
        .filter(|(g, _)| *g == grade && grade > AccidentGrade::Ordinary)
        .map(|(g, r)| format!("{r}，达到{}标准", g.label_zh()))
        .collect::<Vec<_>>();
    let reasons = if reasons.is_empty() {
        vec!["各项指标均未达到较大事故标准".to_string()]
    } else {
        reasons
    };
    (grade, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccidentGrade::*;

    fn g(deaths: u32, inj: u32, loss: u64) -> AccidentGrade {
        grade_accident(&AccidentFacts {
            deaths,
            missing: 0,
            serious_injuries: inj,
            direct_loss_yuan: loss,
        })
        .0
    }

    /// 493号令 第三条 with 第十二条: the death thresholds compare dead +
    /// missing, one sum; each boundary is hit by any split of it.
    #[test]
    fn the_missing_count_with_the_dead() {
        let gm = |deaths, missing| {
            grade_accident(&AccidentFacts {
                deaths,
                missing,
                ..AccidentFacts::default()
            })
            .0
        };
        // (deaths, missing, grade)
        let table = [
            (0, 0, Ordinary),
            (0, 2, Ordinary),
            (1, 1, Ordinary),
            (2, 1, Larger),
            (0, 3, Larger),
            (1, 2, Larger),
            (5, 4, Larger),
            (9, 0, Larger),
            (0, 9, Larger),
            (9, 1, Major),
            (0, 10, Major),
            (3, 7, Major),
            (20, 9, Major),
            (29, 1, EspeciallyMajor),
            (0, 30, EspeciallyMajor),
            (15, 15, EspeciallyMajor),
        ];
        for (d, m, want) in table {
            assert_eq!(gm(d, m), want, "deaths {d} missing {m}");
        }
        // No overflow at the extremes.
        assert_eq!(gm(u32::MAX, u32::MAX), EspeciallyMajor);
        let (_, reasons) = grade_accident(&AccidentFacts {
            deaths: 2,
            missing: 1,
            ..AccidentFacts::default()
        });
        assert_eq!(
            reasons,
            ["死亡（含下落不明）3 人（死亡 2、下落不明 1），达到较大事故标准"]
        );
    }

    #[test]
    fn every_boundary() {
        // (deaths, serious injuries, loss yuan, grade)
        let table = [
            (0, 0, 0, Ordinary),
            (2, 9, 9_999_999, Ordinary),
            (3, 0, 0, Larger),
            (9, 0, 0, Larger),
            (10, 0, 0, Major),
            (29, 0, 0, Major),
            (30, 0, 0, EspeciallyMajor),
            (0, 10, 0, Larger),
            (0, 49, 0, Larger),
            (0, 50, 0, Major),
            (0, 99, 0, Major),
            (0, 100, 0, EspeciallyMajor),
            (0, 0, 10_000_000, Larger),
            (0, 0, 49_999_999, Larger),
            (0, 0, 50_000_000, Major),
            (0, 0, 99_999_999, Major),
            (0, 0, 100_000_000, EspeciallyMajor),
            // The highest criterion wins.
            (1, 0, 60_000_000, Major),
            (3, 50, 0, Major),
            (30, 1, 1, EspeciallyMajor),
        ];
        for (d, i, l, want) in table {
            assert_eq!(g(d, i, l), want, "deaths {d} injuries {i} loss {l}");
        }
    }

    #[test]
    fn reasons_name_the_deciding_criteria() {
        let (grade, reasons) = grade_accident(&AccidentFacts {
            deaths: 3,
            missing: 0,
            serious_injuries: 12,
            direct_loss_yuan: 0,
        });
        assert_eq!(grade, Larger);
        assert_eq!(reasons.len(), 2);
        assert!(reasons[0].contains("死亡 3 人") && reasons[0].contains("较大事故"));
        let (_, r) = grade_accident(&AccidentFacts::default());
        assert!(r[0].contains("未达到"));
    }
}
