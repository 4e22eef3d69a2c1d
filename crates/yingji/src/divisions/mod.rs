//! 行政区划: the jurisdiction tree 省 → 市 → 县/区 → 乡/镇/街道 → 村/社区.
//!
//! Codes are the 12-digit statistical codes (统计用区划代码); the first six
//! digits are the GB/T 2260 code. A code's level follows from which digits
//! are zero, and a division's subtree is every code that starts with its
//! significant prefix (2, 4, 6, 9 or 12 digits) — which is how jurisdiction
//! scoping works everywhere.

pub mod api;
pub mod import;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("区划代码必须是 2、4、6、9 或 12 位数字: {0:?}")]
    Malformed(String),
}

/// Administrative level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    City,
    County,
    Township,
    Village,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "province" => Level::Province,
            "city" => Level::City,
            "county" => Level::County,
            "township" => Level::Township,
            "village" => Level::Village,
            _ => return None,
        })
    }
    /// Digits that identify a division of this level.
    pub fn prefix_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Province => "省",
            Level::City => "市",
            Level::County => "县/区",
            Level::Township => "乡/镇/街道",
            Level::Village => "村/社区",
        }
    }
}

/// A 12-digit division code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    /// Accepts 2, 4, 6, 9 or 12 digits (shorter forms are zero-padded).
    pub fn parse(s: &str) -> Result<Code, CodeError> {
        let s = s.trim();
        if !matches!(s.len(), 2 | 4 | 6 | 9 | 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Malformed(s.to_string()));
        }
        if s.starts_with("00") {
            return Err(CodeError::Malformed(s.to_string()));
        }
        Ok(Code(format!("{s:0<12}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        let zero = |from: usize| self.0.as_bytes()[from..].iter().all(|&b| b == b'0');
        if zero(2) {
            Level::Province
        } else if zero(4) {
            Level::City
        } else if zero(6) {
            Level::County
        } else if zero(9) {
            Level::Township
        } else {
            Level::Village
        }
    }

    /// The significant prefix: every code in this division's subtree starts with it.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().prefix_len()]
    }

    /// The parent by code structure (None for a province).
    pub fn parent(&self) -> Option<Code> {
        let keep = match self.level() {
            Level::Province => return None,
            Level::City => 2,
            Level::County => 4,
            Level::Township => 6,
            Level::Village => 9,
        };
        Some(Code(format!("{:0<12}", &self.0[..keep])))
    }

    /// True when `self` is `other` or lies below it.
    pub fn is_within(&self, other: &Code) -> bool {
        self.0.starts_with(other.prefix())
    }

    /// The county-level code containing this one (itself for a county).
    pub fn county(&self) -> Option<Code> {
        (self.level() >= Level::County).then(|| Code(format!("{:0<12}", &self.0[..6])))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One division as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
}

/// The whole tree in memory, with prepared boundaries, for validation and
/// name lookups. Rebuilt after an import.
#[derive(Default)]
pub struct Tree {
    by_code: HashMap<Code, Division>,
    children: HashMap<Code, Vec<Code>>,
    boundaries: HashMap<Code, Arc<geo::MultiPolygon<f64>>>,
}

/// How far outside a boundary a point may lie and still count as inside:
/// published boundaries are simplified, and a site on the border line is real.
pub const BOUNDARY_TOLERANCE_M: f64 = 1000.0;

impl Tree {
    pub fn new(divisions: Vec<Division>, boundaries: Vec<(Code, geo::MultiPolygon<f64>)>) -> Tree {
        let mut t = Tree::default();
        for d in divisions {
            let Ok(code) = Code::parse(&d.code) else {
                continue;
            };
            if let Some(p) = d.parent.as_deref().and_then(|p| Code::parse(p).ok()) {
                t.children.entry(p).or_default().push(code.clone());
            }
            t.by_code.insert(code, d);
        }
        for v in t.children.values_mut() {
            v.sort();
        }
        for (c, mp) in boundaries {
            t.boundaries.insert(c, Arc::new(mp));
        }
        t
    }

    pub fn get(&self, code: &Code) -> Option<&Division> {
        self.by_code.get(code)
    }

    pub fn name(&self, code: &str) -> String {
        Code::parse(code)
            .ok()
            .and_then(|c| self.by_code.get(&c))
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    pub fn children(&self, code: &Code) -> Vec<&Division> {
        self.children
            .get(code)
            .map(|v| v.iter().filter_map(|c| self.by_code.get(c)).collect())
            .unwrap_or_default()
    }

    /// The top divisions: those whose parent is not in the tree.
    pub fn roots(&self) -> Vec<&Division> {
        let mut r: Vec<&Division> = self
            .by_code
            .values()
            .filter(|d| {
                d.parent
                    .as_deref()
                    .and_then(|p| Code::parse(p).ok())
                    .is_none_or(|p| !self.by_code.contains_key(&p))
            })
            .collect();
        r.sort_by(|a, b| a.code.cmp(&b.code));
        r
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Resolve user input: a code (any accepted length) or an exact name that
    /// is unique within `scope`.
    pub fn resolve(&self, input: &str, scope: &Code) -> Result<Code, String> {
        let input = input.trim();
        if input.bytes().all(|b| b.is_ascii_digit()) && !input.is_empty() {
            let code = Code::parse(input).map_err(|e| e.to_string())?;
            return if self.by_code.contains_key(&code) {
                Ok(code)
            } else {
                Err(format!("区划代码 {code} 不存在"))
            };
        }
        let mut hits = self
            .by_code
            .iter()
            .filter(|(c, d)| d.name == input && c.is_within(scope))
            .map(|(c, _)| c.clone());
        match (hits.next(), hits.next()) {
            (Some(c), None) => Ok(c),
            (Some(_), Some(_)) => Err(format!("区划名称“{input}”不唯一，请填写区划代码")),
            (None, _) => Err(format!("找不到区划“{input}”")),
        }
    }

    /// The nearest boundary at or above `code` (a village is checked against its county).
    pub fn boundary_for(&self, code: &Code) -> Option<(Code, Arc<geo::MultiPolygon<f64>>)> {
        let mut c = Some(code.clone());
        while let Some(cur) = c {
            if let Some(b) = self.boundaries.get(&cur) {
                return Some((cur, b.clone()));
            }
            c = cur.parent();
        }
        None
    }

    /// A point inside the division (of the nearest boundary at or above
    /// it): where a record that is not a place is put.
    pub fn inner_point(&self, code: &Code) -> Option<[f64; 2]> {
        use geo::InteriorPoint;
        let (_, mp) = self.boundary_for(code)?;
        let p = mp.interior_point()?;
        Some([(p.x() * 1e6).round() / 1e6, (p.y() * 1e6).round() / 1e6])
    }

    /// Whether a WGS84 point lies in the division (within the tolerance).
    /// `None` when no boundary is known for it or its ancestors.
    pub fn contains_point(&self, code: &Code, lon: f64, lat: f64) -> Option<bool> {
        use geo::{Closest, ClosestPoint, Contains, Distance, Haversine};
        let (_, mp) = self.boundary_for(code)?;
        let p = geo::Point::new(lon, lat);
        if mp.contains(&p) {
            return Some(true);
        }
        let near = match mp.closest_point(&p) {
            Closest::Intersection(q) | Closest::SinglePoint(q) => Haversine.distance(p, q),
            Closest::Indeterminate => f64::INFINITY,
        };
        Some(near <= BOUNDARY_TOLERANCE_M)
    }

    /// The deepest division within `scope` whose own boundary holds the
    /// point (strictly: no tolerance, so a point on a shared border is not
    /// given to the neighbour): where a point picked on the map is.
    pub fn locate(&self, scope: &Code, lon: f64, lat: f64) -> Option<&Division> {
        use geo::Contains;
        let p = geo::Point::new(lon, lat);
        self.boundaries
            .iter()
            .filter(|(c, mp)| c.is_within(scope) && mp.contains(&p))
            .max_by_key(|(c, _)| (c.level(), c.as_str().to_string()))
            .and_then(|(c, _)| self.by_code.get(c))
    }

    /// Every division, in no order.
    pub fn all(&self) -> impl Iterator<Item = &Division> {
        self.by_code.values()
    }

    pub fn boundaries(&self) -> impl Iterator<Item = (&Code, &Arc<geo::MultiPolygon<f64>>)> {
        self.boundaries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_levels_and_prefixes() {
        let cases = [
            ("14", Level::Province, "14"),
            ("1402", Level::City, "1402"),
            ("140200", Level::City, "1402"),
            ("140213", Level::County, "140213"),
            ("140212100", Level::Township, "140212100"),
            ("140212100201", Level::Village, "140212100201"),
            ("140200000000", Level::City, "1402"),
        ];
        for (input, level, prefix) in cases {
            let c = Code::parse(input).unwrap();
            assert_eq!(c.level(), level, "{input}");
            assert_eq!(c.prefix(), prefix, "{input}");
            assert_eq!(c.as_str().len(), 12);
        }
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "1",
            "140",
            "14021",
            "1402121",
            "14021210020",
            "14021x",
            "1402121002011",
            "000000",
        ] {
            assert!(Code::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parents_and_subtrees() {
        let v = Code::parse("140212100201").unwrap();
        assert_eq!(v.parent().unwrap().as_str(), "140212100000");
        assert_eq!(
            v.parent().unwrap().parent().unwrap().as_str(),
            "140212000000"
        );
        assert_eq!(v.county().unwrap().as_str(), "140212000000");
        let city = Code::parse("140200").unwrap();
        let county = Code::parse("140213").unwrap();
        let other = Code::parse("140215").unwrap();
        assert!(v.is_within(&city));
        assert!(county.is_within(&city));
        assert!(county.is_within(&county));
        assert!(!other.is_within(&county));
        assert!(!city.is_within(&county));
        assert!(Code::parse("14").unwrap().parent().is_none());
    }

    fn tree() -> Tree {
        let d = |code: &str, name: &str, level: Level, parent: Option<&str>| Division {
            code: Code::parse(code).unwrap().to_string(),
            name: name.into(),
            level,
            parent: parent.map(|p| Code::parse(p).unwrap().to_string()),
        };
        let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (113.0, 40.0),
                (113.5, 40.0),
                (113.5, 40.5),
                (113.0, 40.5),
                (113.0, 40.0),
            ]),
            vec![],
        )]);
        Tree::new(
            vec![
                d("1402", "大同市", Level::City, Some("14")),
                d("140213", "平城区", Level::County, Some("1402")),
                d("140213001", "新建街道", Level::Township, Some("140213")),
                d("140215", "云州区", Level::County, Some("1402")),
                d("140215100", "新建街道", Level::Township, Some("140215")),
            ],
            vec![(Code::parse("140213").unwrap(), square)],
        )
    }

    #[test]
    fn resolve_by_code_or_unique_name() {
        let t = tree();
        let city = Code::parse("1402").unwrap();
        assert_eq!(t.resolve("平城区", &city).unwrap().as_str(), "140213000000");
        assert_eq!(t.resolve("140213", &city).unwrap().as_str(), "140213000000");
        assert!(t.resolve("新建街道", &city).unwrap_err().contains("不唯一"));
        let pc = Code::parse("140213").unwrap();
        assert_eq!(t.resolve("新建街道", &pc).unwrap().as_str(), "140213001000");
        assert!(t.resolve("140299", &city).unwrap_err().contains("不存在"));
        assert!(t.resolve("火星", &city).unwrap_err().contains("找不到"));
    }

    #[test]
    fn points_are_checked_against_the_nearest_boundary() {
        let t = tree();
        let town = Code::parse("140213001").unwrap();
        assert_eq!(t.contains_point(&town, 113.2, 40.2), Some(true));
        // 500 m outside the edge: within tolerance.
        assert_eq!(t.contains_point(&town, 113.5059, 40.2), Some(true));
        assert_eq!(t.contains_point(&town, 114.0, 40.2), Some(false));
        assert_eq!(
            t.contains_point(&Code::parse("140215").unwrap(), 114.0, 40.2),
            None
        );
    }
}
