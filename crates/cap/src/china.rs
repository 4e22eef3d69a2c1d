//! Helpers for the Chinese national CAP profile.
//!
//! China's early-warning exchange format is a CAP 1.2 profile, GB/T
//! 35965.1-2018 《应急信息交互协议 第1部分：预警信息》, used by the National
//! Early Warning Release Centre (国家预警信息发布中心) and the CMA. This module
//! covers the parts a city bureau needs:
//!
//! - **Warning levels**: colour ↔ level ↔ CAP severity — 蓝 Ⅳ (一般) Minor,
//!   黄 Ⅲ (较重) Moderate, 橙 Ⅱ (严重) Severe, 红 Ⅰ (特别严重) Extreme
//!   ([`WarningLevel`]).
//! - **Division geocodes**: administrative divisions per GB/T 2260 (6 digits),
//!   extended to 12 digits to township (GB/T 10114) and village level as in the
//!   statistical division codes; written as `geocode` with `valueName`
//!   [`GEOCODE_VALUE_NAME`] (`"GB/T 2260"`) ([`DivisionCode`]).
//! - **Identifiers** per GB/T 35965.1 Annex A.1.1:
//!   `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N` — the issuing unit code (6-digit GB/T
//!   2260 division, 3-digit GB/T 4657 organisation code, 3-digit internal unit
//!   `000` by default, 2-digit extension `00`), the Beijing-time entry time and
//!   a one-digit sequence number (0–9) ([`identifier`], [`IssuerCode`]).
//! - **Bilingual info blocks**: one `zh-CN` and one `en-US` [`Info`] sharing
//!   codes, times and areas ([`bilingual`]).
//! - **Profile checks** on top of CAP validation ([`profile_problems`]).

use std::fmt;

use crate::datetime::DateTime;
use crate::model::{Alert, Info, Severity, ValuePair};
use crate::report::Problem;

/// `valueName` for division geocodes (GB/T 2260 administrative division codes).
pub const GEOCODE_VALUE_NAME: &str = "GB/T 2260";

/// Beijing time, UTC+08:00, in minutes; GB/T 35965.1 times are Beijing time.
pub const BEIJING_OFFSET_MINUTES: i16 = 480;

/// Errors of the Chinese-profile helpers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChinaError {
    /// Not a 6- or 12-digit administrative division code.
    #[error("{0:?} is not a 6- or 12-digit administrative division code")]
    DivisionCode(String),
    /// Not a 3-digit organisation code (GB/T 4657), or bad unit/extension codes.
    #[error("{0:?} is not a valid issuing unit code part")]
    IssuerCode(String),
    /// The sequence number is not 0–9.
    #[error("sequence number {0} is not 0–9")]
    Sequence(u8),
    /// Not of the form `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`.
    #[error("{0:?} is not a GB/T 35965.1 identifier (ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N)")]
    Identifier(String),
    /// Not a known warning colour or level.
    #[error("{0:?} is not a warning colour or level")]
    Level(String),
}

/// A warning level (预警级别): colour, Roman level and CAP severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningLevel {
    /// 蓝色 Ⅳ级 一般 — CAP `Minor`.
    Blue,
    /// 黄色 Ⅲ级 较重 — CAP `Moderate`.
    Yellow,
    /// 橙色 Ⅱ级 严重 — CAP `Severe`.
    Orange,
    /// 红色 Ⅰ级 特别严重 — CAP `Extreme`.
    Red,
}

impl WarningLevel {
    /// All levels, lowest first.
    pub const ALL: [WarningLevel; 4] = [
        WarningLevel::Blue,
        WarningLevel::Yellow,
        WarningLevel::Orange,
        WarningLevel::Red,
    ];

    /// The CAP severity of this level.
    pub fn severity(self) -> Severity {
        match self {
            WarningLevel::Blue => Severity::Minor,
            WarningLevel::Yellow => Severity::Moderate,
            WarningLevel::Orange => Severity::Severe,
            WarningLevel::Red => Severity::Extreme,
        }
    }

    /// The level of a CAP severity (`Unknown` has none).
    pub fn from_severity(s: Severity) -> Option<Self> {
        match s {
            Severity::Minor => Some(WarningLevel::Blue),
            Severity::Moderate => Some(WarningLevel::Yellow),
            Severity::Severe => Some(WarningLevel::Orange),
            Severity::Extreme => Some(WarningLevel::Red),
            Severity::Unknown => None,
        }
    }

    /// The level number: 4 (Blue) … 1 (Red).
    pub fn number(self) -> u8 {
        match self {
            WarningLevel::Blue => 4,
            WarningLevel::Yellow => 3,
            WarningLevel::Orange => 2,
            WarningLevel::Red => 1,
        }
    }

    /// The level from its number (1 = Red … 4 = Blue).
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            4 => Some(WarningLevel::Blue),
            3 => Some(WarningLevel::Yellow),
            2 => Some(WarningLevel::Orange),
            1 => Some(WarningLevel::Red),
            _ => None,
        }
    }

    /// Roman numeral (full-width form used in Chinese texts): `Ⅳ` … `Ⅰ`.
    pub fn roman(self) -> &'static str {
        match self {
            WarningLevel::Blue => "Ⅳ",
            WarningLevel::Yellow => "Ⅲ",
            WarningLevel::Orange => "Ⅱ",
            WarningLevel::Red => "Ⅰ",
        }
    }

    /// Colour in Chinese: `蓝色` … `红色`.
    pub fn colour_zh(self) -> &'static str {
        match self {
            WarningLevel::Blue => "蓝色",
            WarningLevel::Yellow => "黄色",
            WarningLevel::Orange => "橙色",
            WarningLevel::Red => "红色",
        }
    }

    /// Colour in English: `Blue` … `Red`.
    pub fn colour_en(self) -> &'static str {
        match self {
            WarningLevel::Blue => "Blue",
            WarningLevel::Yellow => "Yellow",
            WarningLevel::Orange => "Orange",
            WarningLevel::Red => "Red",
        }
    }

    /// Grade word: `一般`, `较重`, `严重`, `特别严重`.
    pub fn grade_zh(self) -> &'static str {
        match self {
            WarningLevel::Blue => "一般",
            WarningLevel::Yellow => "较重",
            WarningLevel::Orange => "严重",
            WarningLevel::Red => "特别严重",
        }
    }

    /// Two-digit level code as used in CMA warning-type codes (`01` Blue … `04` Red).
    pub fn code(self) -> &'static str {
        match self {
            WarningLevel::Blue => "01",
            WarningLevel::Yellow => "02",
            WarningLevel::Orange => "03",
            WarningLevel::Red => "04",
        }
    }

    /// Reads a colour or level in Chinese or English: `蓝`, `蓝色`, `blue`,
    /// `Ⅳ`, `IV`, `Ⅳ级`, `4`, `四级`, `一般`, `Minor` ….
    pub fn parse(s: &str) -> Result<Self, ChinaError> {
        let t = s.trim();
        let t = t.strip_suffix("预警").unwrap_or(t);
        let t = t.strip_suffix('级').unwrap_or(t);
        let lower = t.to_ascii_lowercase();
        let level = match lower.as_str() {
            "蓝" | "蓝色" | "blue" | "ⅳ" | "iv" | "4" | "四" | "一般" | "minor" => {
                WarningLevel::Blue
            }
            "黄" | "黄色" | "yellow" | "ⅲ" | "iii" | "3" | "三" | "较重" | "较大" | "moderate" => {
                WarningLevel::Yellow
            }
            "橙" | "橙色" | "orange" | "ⅱ" | "ii" | "2" | "二" | "严重" | "重大" | "severe" => {
                WarningLevel::Orange
            }
            "红" | "红色" | "red" | "ⅰ" | "i" | "1" | "一" | "特别严重" | "特别重大"
            | "extreme" => WarningLevel::Red,
            _ => match t {
                "Ⅳ" => WarningLevel::Blue,
                "Ⅲ" => WarningLevel::Yellow,
                "Ⅱ" => WarningLevel::Orange,
                "Ⅰ" => WarningLevel::Red,
                _ => return Err(ChinaError::Level(s.to_string())),
            },
        };
        Ok(level)
    }
}

impl fmt::Display for WarningLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}（{}级/{}）",
            self.colour_zh(),
            self.roman(),
            self.grade_zh()
        )
    }
}

/// How fine a division code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivisionLevel {
    /// 省级: province, autonomous region, municipality (`110000000000`).
    Province,
    /// 地级: prefecture-level city (`130100000000`).
    Prefecture,
    /// 县级: county, district (`110102000000`).
    County,
    /// 乡级: township, street (`110102001000`).
    Township,
    /// 村级: village, community (`110102001001`).
    Village,
}

/// A 12-digit administrative division code: 6 digits of GB/T 2260
/// (province 2, prefecture 2, county 2), 3 of township (GB/T 10114) and 3 of
/// village. Six-digit codes are widened with `000000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode([u8; 12]);

impl DivisionCode {
    /// Reads a 6- or 12-digit code; the province part must be 11–82 and
    /// digits after a zero level must be zero too (`110002…` is fine,
    /// `000102…` is not).
    pub fn parse(s: &str) -> Result<Self, ChinaError> {
        let t = s.trim();
        let bad = || ChinaError::DivisionCode(s.to_string());
        if !(t.len() == 6 || t.len() == 12) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mut d = [b'0'; 12];
        d[..t.len()].copy_from_slice(t.as_bytes());
        let province = (d[0] - b'0') * 10 + (d[1] - b'0');
        if !(11..=82).contains(&province) {
            return Err(bad());
        }
        Ok(DivisionCode(d))
    }

    /// The 12-digit code.
    pub fn as_str(&self) -> &str {
        // Always ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("000000000000")
    }

    /// The 6-digit GB/T 2260 county-level part.
    pub fn county_code(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The code of the containing province (`110000000000`).
    pub fn province(&self) -> DivisionCode {
        self.truncated(2)
    }

    /// The code of the containing prefecture (`110100000000`).
    pub fn prefecture(&self) -> DivisionCode {
        self.truncated(4)
    }

    /// The code of the containing county (`110102000000`).
    pub fn county(&self) -> DivisionCode {
        self.truncated(6)
    }

    fn truncated(&self, keep: usize) -> DivisionCode {
        let mut d = [b'0'; 12];
        d[..keep].copy_from_slice(&self.0[..keep]);
        DivisionCode(d)
    }

    /// How fine this code is (the last non-zero group).
    pub fn level(&self) -> DivisionLevel {
        let zero = |r: std::ops::Range<usize>| self.0[r].iter().all(|&b| b == b'0');
        if !zero(9..12) {
            DivisionLevel::Village
        } else if !zero(6..9) {
            DivisionLevel::Township
        } else if !zero(4..6) {
            DivisionLevel::County
        } else if !zero(2..4) {
            DivisionLevel::Prefecture
        } else {
            DivisionLevel::Province
        }
    }

    /// Whether `other` lies within (or is) this division.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        let keep = match self.level() {
            DivisionLevel::Province => 2,
            DivisionLevel::Prefecture => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        };
        self.0[..keep] == other.0[..keep]
    }

    /// The CAP geocode for this division (`valueName` `GB/T 2260`, 12-digit value).
    pub fn to_geocode(&self) -> ValuePair {
        ValuePair::new(GEOCODE_VALUE_NAME, self.as_str())
    }

    /// Reads a geocode whose `valueName` is [`GEOCODE_VALUE_NAME`]; `None` for other geocodes.
    pub fn from_geocode(g: &ValuePair) -> Option<Result<Self, ChinaError>> {
        is_division_value_name(&g.value_name).then(|| DivisionCode::parse(&g.value))
    }
}

fn is_division_value_name(n: &str) -> bool {
    let n: String = n.chars().filter(|c| !c.is_whitespace()).collect();
    n.eq_ignore_ascii_case("GB/T2260")
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The issuing unit code `ZZZZZZDDDUUUXX` (GB/T 35965.1 A.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssuerCode {
    /// 6-digit GB/T 2260 division code of the issuing unit.
    pub division: String,
    /// 3-digit organisation/industry code (GB/T 4657), e.g. `416` for the meteorological service.
    pub organisation: String,
    /// 3-digit internal secondary unit code, `000` by default.
    pub unit: String,
    /// 2-digit extension, `00` by default.
    pub extension: String,
}

impl IssuerCode {
    /// An issuing unit with default unit (`000`) and extension (`00`) codes.
    pub fn new(division: &str, organisation: &str) -> Result<Self, ChinaError> {
        Self::with_unit(division, organisation, "000", "00")
    }

    /// An issuing unit with every part given.
    pub fn with_unit(
        division: &str,
        organisation: &str,
        unit: &str,
        extension: &str,
    ) -> Result<Self, ChinaError> {
        // A 12-digit code is cut to its 6-digit GB/T 2260 part.
        let division = DivisionCode::parse(division)?.county_code().to_string();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        for (part, n) in [(organisation, 3), (unit, 3), (extension, 2)] {
            if !digits(part, n) {
                return Err(ChinaError::IssuerCode(part.to_string()));
            }
        }
        Ok(IssuerCode {
            division,
            organisation: organisation.to_string(),
            unit: unit.to_string(),
            extension: extension.to_string(),
        })
    }
}

impl fmt::Display for IssuerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}{}",
            self.division, self.organisation, self.unit, self.extension
        )
    }
}

/// The parts of a GB/T 35965.1 identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChinaIdentifier {
    /// The issuing unit.
    pub issuer: IssuerCode,
    /// The entry time, Beijing time.
    pub time: DateTime,
    /// The sequence number, 0–9.
    pub sequence: u8,
}

/// Builds an identifier `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N` from the issuing
/// unit, the entry time (converted to Beijing time) and a sequence number
/// 0–9 (for several messages of one unit in the same second).
pub fn identifier(
    issuer: &IssuerCode,
    time: &DateTime,
    sequence: u8,
) -> Result<String, ChinaError> {
    if sequence > 9 {
        return Err(ChinaError::Sequence(sequence));
    }
    let bj = to_beijing(time);
    Ok(format!("{issuer}_{}_{sequence}", bj.compact()))
}

/// Reads an identifier built by [`identifier`], or one without the
/// sequence number (`ZZZZZZDDDUUUXX_YYYYMMDDhhmmss`, 29 characters), read
/// as sequence 0. **Assumption** (docs/rules.md, "CAP interop"): alerts
/// relayed by the national platform carry identifiers of this shorter
/// form; they are accepted as of the profile, not flagged `cn-identifier`.
pub fn parse_identifier(s: &str) -> Result<ChinaIdentifier, ChinaError> {
    let bad = || ChinaError::Identifier(s.to_string());
    let b = s.as_bytes();
    let short = b.len() == 29;
    if !s.is_ascii() || !(short || b.len() == 31) || b[14] != b'_' || (!short && b[29] != b'_') {
        return Err(bad());
    }
    let issuer =
        IssuerCode::with_unit(&s[0..6], &s[6..9], &s[9..12], &s[12..14]).map_err(|_| bad())?;
    let t = &s[15..29];
    if !t.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| t[r].parse::<u16>().unwrap_or(u16::MAX);
    let narrow = |v: u16| u8::try_from(v).unwrap_or(u8::MAX);
    let time = DateTime::new(
        n(0..4),
        narrow(n(4..6)),
        narrow(n(6..8)),
        narrow(n(8..10)),
        narrow(n(10..12)),
        narrow(n(12..14)),
        BEIJING_OFFSET_MINUTES,
    )
    .map_err(|_| bad())?;
    let sequence = if short { 0 } else { b[30].wrapping_sub(b'0') };
    if sequence > 9 {
        return Err(bad());
    }
    Ok(ChinaIdentifier {
        issuer,
        time,
        sequence,
    })
}

/// The same instant in Beijing time (+08:00).
pub fn to_beijing(t: &DateTime) -> DateTime {
    t.with_offset(BEIJING_OFFSET_MINUTES).unwrap_or(*t)
}

/// Language-specific texts of one info block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InfoText {
    /// `event`, e.g. `暴雨` / `Rainstorm`.
    pub event: String,
    /// `headline`.
    pub headline: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `instruction`.
    pub instruction: Option<String>,
    /// `senderName`.
    pub sender_name: Option<String>,
    /// `areaDesc` of each area, in the order of the base info's areas (when
    /// shorter, the base descriptions are kept for the rest).
    pub area_descs: Vec<String>,
}

/// Two info blocks, `zh-CN` then `en-US`, sharing everything of `base`
/// (categories, urgency, severity, certainty, codes, times, parameters,
/// resources, areas) but the language-specific texts.
pub fn bilingual(base: &Info, zh: &InfoText, en: &InfoText) -> [Info; 2] {
    let make = |lang: &str, t: &InfoText| {
        let mut info = base.clone();
        info.language = Some(lang.to_string());
        info.event = t.event.clone();
        info.headline = t.headline.clone();
        info.description = t.description.clone();
        info.instruction = t.instruction.clone();
        if t.sender_name.is_some() {
            info.sender_name = t.sender_name.clone();
        }
        for (area, desc) in info.areas.iter_mut().zip(&t.area_descs) {
            area.area_desc = desc.clone();
        }
        info
    };
    [make("zh-CN", zh), make("en-US", en)]
}

/// Headline in the usual Chinese form: `{issuer}发布{event}{colour}预警信号`.
pub fn headline_zh(issuer: &str, event: &str, level: WarningLevel) -> String {
    format!("{issuer}发布{event}{}预警信号", level.colour_zh())
}

/// Checks the Chinese profile on top of CAP validation. Codes (all `cn-…`):
/// `cn-identifier` (not `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`, warning),
/// `cn-no-zh-info` (no `zh-CN` info block, error), `cn-severity` (severity
/// `Unknown`, which has no colour, error), `cn-geocode` (a `GB/T 2260`
/// geocode that is not a valid division code, error), `cn-no-geocode` (an
/// area without a division geocode, warning), `cn-not-beijing-time` (`sent`
/// not at +08:00, warning).
pub fn profile_problems(alert: &Alert) -> Vec<Problem> {
    let mut out = Vec::new();
    if parse_identifier(&alert.identifier).is_err() {
        out.push(Problem::warning(
            "alert/identifier",
            "cn-identifier",
            "identifier is not of the GB/T 35965.1 form ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N",
        ));
    }
    if alert.sent.offset_minutes != BEIJING_OFFSET_MINUTES {
        out.push(Problem::warning(
            "alert/sent",
            "cn-not-beijing-time",
            "sent is not in Beijing time (+08:00)",
        ));
    }
    if !alert.infos.is_empty() && alert.info_in("zh-CN").is_none() {
        out.push(Problem::error(
            "alert",
            "cn-no-zh-info",
            "no info block in zh-CN",
        ));
    }
    for (i, info) in alert.infos.iter().enumerate() {
        let ip = format!("alert/info[{i}]");
        if info.severity == Severity::Unknown {
            out.push(Problem::error(
                format!("{ip}/severity"),
                "cn-severity",
                "severity Unknown has no warning colour (蓝/黄/橙/红)",
            ));
        }
        for (j, area) in info.areas.iter().enumerate() {
            let ap = format!("{ip}/area[{j}]");
            let mut has_division = false;
            for (k, g) in area.geocodes.iter().enumerate() {
                match DivisionCode::from_geocode(g) {
                    Some(Ok(_)) => has_division = true,
                    Some(Err(e)) => out.push(Problem::error(
                        format!("{ap}/geocode[{k}]"),
                        "cn-geocode",
                        e.to_string(),
                    )),
                    None => {}
                }
            }
            if !has_division {
                out.push(Problem::warning(
                    &ap,
                    "cn-no-geocode",
                    "area has no GB/T 2260 division geocode",
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        for l in WarningLevel::ALL {
            assert_eq!(WarningLevel::from_severity(l.severity()), Some(l));
            assert_eq!(WarningLevel::from_number(l.number()), Some(l));
            assert_eq!(WarningLevel::parse(l.colour_zh()), Ok(l));
            assert_eq!(WarningLevel::parse(l.roman()), Ok(l));
            assert_eq!(WarningLevel::parse(l.colour_en()), Ok(l));
            assert_eq!(WarningLevel::parse(l.grade_zh()), Ok(l));
        }
        assert_eq!(WarningLevel::parse("蓝"), Ok(WarningLevel::Blue));
        assert_eq!(WarningLevel::parse("IV级"), Ok(WarningLevel::Blue));
        assert_eq!(WarningLevel::parse("Ⅰ级"), Ok(WarningLevel::Red));
        assert_eq!(WarningLevel::parse("红色预警"), Ok(WarningLevel::Red));
        assert!(WarningLevel::parse("紫").is_err());
        assert_eq!(WarningLevel::Red.to_string(), "红色（Ⅰ级/特别严重）");
        assert_eq!(WarningLevel::from_severity(Severity::Unknown), None);
    }

    #[test]
    fn divisions() {
        let c = DivisionCode::parse("110102").unwrap();
        assert_eq!(c.as_str(), "110102000000");
        assert_eq!(c.level(), DivisionLevel::County);
        assert_eq!(c.province().as_str(), "110000000000");
        assert_eq!(c.province().level(), DivisionLevel::Province);
        let v = DivisionCode::parse("110102001001").unwrap();
        assert_eq!(v.level(), DivisionLevel::Village);
        assert!(c.contains(&v));
        assert!(!v.contains(&c));
        assert_eq!(v.county(), c);
        assert!(DivisionCode::parse("1101").is_err());
        assert!(DivisionCode::parse("990000").is_err());
        assert!(DivisionCode::parse("11010200100a").is_err());
        let g = v.to_geocode();
        assert_eq!(g.value_name, "GB/T 2260");
        assert_eq!(DivisionCode::from_geocode(&g), Some(Ok(v)));
    }

    #[test]
    fn identifiers() {
        let issuer = IssuerCode::new("110102", "416").unwrap();
        let t = DateTime::parse("2024-07-29T07:31:26-00:00").unwrap();
        let id = identifier(&issuer, &t, 0).unwrap();
        assert_eq!(id, "11010241600000_20240729153126_0");
        assert_eq!(id.len(), 31);
        let p = parse_identifier(&id).unwrap();
        assert_eq!(p.issuer, issuer);
        assert_eq!(p.time.unix_seconds(), t.unix_seconds());
        assert_eq!(p.sequence, 0);
        assert!(identifier(&issuer, &t, 10).is_err());
        // The national platform's form without the sequence number.
        let p = parse_identifier("11010241600000_20240729153126").unwrap();
        assert_eq!(
            (p.issuer.to_string().as_str(), p.sequence),
            ("11010241600000", 0)
        );
        assert!(parse_identifier("11010241600000_2024072915312").is_err());
        assert!(parse_identifier("11010241600000_202407291531260").is_err());
        assert!(parse_identifier("11010241600000_20241329153126_0").is_err());
        assert!(IssuerCode::new("110102", "41").is_err());
        // Multi-byte characters never split a slice.
        assert!(parse_identifier("11010241600中_20240729153126_0").is_err());
    }
}
