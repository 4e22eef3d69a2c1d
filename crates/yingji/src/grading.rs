//! The grading vocabulary shared by incidents, plans and reports: an event
//! is 特别重大 / 重大 / 较大 / 一般 and the response to it is Ⅰ / Ⅱ / Ⅲ / Ⅳ,
//! one to one. [`Level`] is the response level the plans' criteria and an
//! incident's grade give; [`AccidentGrade`] is the accident grade of
//! 《生产安全事故报告和调查处理条例》 (493号令, the thresholds are in
//! `reports::grading`), and [`Level::from_accident_grade`] maps one onto the
//! other.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Response level Ⅰ–Ⅳ. Ⅰ is the highest: `Level::I > Level::IV`, so `max()`
/// picks the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ResponseLevel)]
#[serde(try_from = "String")]
pub enum Level {
    I,
    II,
    III,
    IV,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::I => "I",
            Level::II => "II",
            Level::III => "III",
            Level::IV => "IV",
        }
    }

    /// The Roman numeral as written in Chinese documents.
    pub fn numeral(self) -> &'static str {
        match self {
            Level::I => "Ⅰ",
            Level::II => "Ⅱ",
            Level::III => "Ⅲ",
            Level::IV => "Ⅳ",
        }
    }

    /// `Ⅰ级` … `Ⅳ级`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::I => "Ⅰ级",
            Level::II => "Ⅱ级",
            Level::III => "Ⅲ级",
            Level::IV => "Ⅳ级",
        }
    }

    /// Severity, 4 for Ⅰ down to 1 for Ⅳ.
    pub fn severity(self) -> u8 {
        match self {
            Level::I => 4,
            Level::II => 3,
            Level::III => 2,
            Level::IV => 1,
        }
    }

    /// Accepts `I`–`IV`, `1`–`4`, `Ⅰ`–`Ⅳ`, `一`–`四`, with an optional `级`
    /// or `级响应`.
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim();
        let s = s
            .strip_suffix("级响应")
            .or_else(|| s.strip_suffix('级'))
            .unwrap_or(s)
            .trim();
        Some(match s {
            "I" | "i" | "1" | "Ⅰ" | "一" => Level::I,
            "II" | "ii" | "2" | "Ⅱ" | "二" => Level::II,
            "III" | "iii" | "3" | "Ⅲ" | "三" => Level::III,
            "IV" | "iv" | "4" | "Ⅳ" | "四" => Level::IV,
            _ => return None,
        })
    }

    /// 493号令 accident grades map one to one: 特别重大 → Ⅰ … 一般 → Ⅳ.
    pub fn from_accident_grade(g: AccidentGrade) -> Level {
        match g {
            AccidentGrade::EspeciallyMajor => Level::I,
            AccidentGrade::Major => Level::II,
            AccidentGrade::Larger => Level::III,
            AccidentGrade::Ordinary => Level::IV,
        }
    }
}

impl Ord for Level {
    fn cmp(&self, other: &Self) -> Ordering {
        self.severity().cmp(&other.severity())
    }
}

impl PartialOrd for Level {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TryFrom<String> for Level {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Level::parse(&s).ok_or_else(|| {
            format!("响应级别应为 I、II、III 或 IV（也可写 1–4、Ⅰ–Ⅳ），而不是 {s:?}")
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// 事故等级, lowest to highest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AccidentGrade {
    /// 一般事故
    Ordinary,
    /// 较大事故
    Larger,
    /// 重大事故
    Major,
    /// 特别重大事故
    EspeciallyMajor,
}

impl AccidentGrade {
    pub fn label_zh(self) -> &'static str {
        match self {
            AccidentGrade::Ordinary => "一般事故",
            AccidentGrade::Larger => "较大事故",
            AccidentGrade::Major => "重大事故",
            AccidentGrade::EspeciallyMajor => "特别重大事故",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_parse_order_and_labels() {
        let table = [
            ("I", Some(Level::I)),
            ("1", Some(Level::I)),
            ("Ⅰ", Some(Level::I)),
            ("Ⅰ级", Some(Level::I)),
            ("II", Some(Level::II)),
            ("2", Some(Level::II)),
            ("Ⅱ", Some(Level::II)),
            ("III", Some(Level::III)),
            ("3", Some(Level::III)),
            ("Ⅲ级响应", Some(Level::III)),
            ("IV", Some(Level::IV)),
            ("4", Some(Level::IV)),
            (" Ⅳ ", Some(Level::IV)),
            ("四", Some(Level::IV)),
            ("V", None),
            ("0", None),
            ("5", None),
            ("", None),
            ("IIII", None),
        ];
        for (s, want) in table {
            assert_eq!(Level::parse(s), want, "{s:?}");
        }
        assert!(Level::I > Level::II && Level::II > Level::III && Level::III > Level::IV);
        let all = [Level::I, Level::II, Level::III, Level::IV];
        assert_eq!(all.into_iter().max(), Some(Level::I));
        let labels: Vec<&str> = all.iter().map(|l| l.label_zh()).collect();
        assert_eq!(labels, ["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级"]);
        let json: Level = serde_json::from_str("\"Ⅲ\"").expect("parses");
        assert_eq!(json, Level::III);
        assert_eq!(
            serde_json::to_string(&Level::III).expect("serialises"),
            "\"III\""
        );
        assert!(serde_json::from_str::<Level>("\"V\"").is_err());
        let table = [
            (AccidentGrade::EspeciallyMajor, Level::I),
            (AccidentGrade::Major, Level::II),
            (AccidentGrade::Larger, Level::III),
            (AccidentGrade::Ordinary, Level::IV),
        ];
        for (g, l) in table {
            assert_eq!(Level::from_accident_grade(g), l);
        }
    }
}
