//! 地点搜索: find a place by name — a division with a boundary (county,
//! township), or a located registry record (village, enterprise, team,
//! shelter, warehouse, hazard source …) — to put an incident, a warning or
//! the map on it. The intake form and the map's search box both use it.
//!
//! Rules here are pure: a name's match against the words typed, and the
//! order of the results.

pub mod api;

use serde::Serialize;

/// A place found by name.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// `division` or the registry kind (`settlement`, `enterprise` …).
    pub kind: String,
    /// The registry record's id; none for a division.
    pub id: Option<i64>,
    pub name: String,
    /// The division it lies in (for a division: itself).
    pub division: String,
    pub division_name: String,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
}

/// How well `name` matches the words of `q` (lower is better): 0 the
/// whole name, 1 the name starts with the first word, 2 every word is in
/// the name, 3 every word is in the name, address or division; `None`:
/// not a match. Words are separated by spaces; case is ignored.
pub fn rank(q: &str, name: &str, address: &str, division_name: &str) -> Option<u8> {
    let q = q.trim().to_lowercase();
    let words: Vec<&str> = q.split_whitespace().collect();
    let first = words.first()?;
    let name = name.to_lowercase();
    if name == q {
        return Some(0);
    }
    if words.iter().all(|w| name.contains(w)) {
        return Some(if name.starts_with(first) { 1 } else { 2 });
    }
    let all = format!(
        "{name} {} {}",
        address.to_lowercase(),
        division_name.to_lowercase()
    );
    words.iter().all(|w| all.contains(w)).then_some(3)
}

/// Divisions before records at equal rank; then shorter names (the more
/// exact), then by name.
pub fn sort(q: &str, places: &mut [Place]) {
    let key = |p: &Place| {
        (
            rank(q, &p.name, &p.address, &p.division_name).unwrap_or(u8::MAX),
            p.kind != "division",
            p.name.chars().count(),
        )
    };
    places.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_table() {
        for (q, name, address, division, want) in [
            ("西韩岭村", "西韩岭村", "", "平城区", Some(0)),
            ("西韩岭", "西韩岭村", "", "平城区", Some(1)),
            ("韩岭", "西韩岭村", "", "平城区", Some(2)),
            ("平城 韩岭", "西韩岭村", "", "平城区", Some(3)),
            ("同煤 塔山", "同煤集团塔山煤矿", "", "左云县", Some(1)),
            ("塔山 同煤", "同煤集团塔山煤矿", "", "左云县", Some(2)),
            (
                "迎宾街",
                "大同市第一中学",
                "迎宾街 12 号",
                "平城区",
                Some(3),
            ),
            ("浑源", "西韩岭村", "", "平城区", None),
            ("   ", "西韩岭村", "", "平城区", None),
            ("ABC", "abc 仓库", "", "平城区", Some(1)),
        ] {
            assert_eq!(rank(q, name, address, division), want, "{q} in {name}");
        }
    }

    #[test]
    fn divisions_first_then_shorter_names() {
        let place = |kind: &str, name: &str| Place {
            kind: kind.into(),
            id: None,
            name: name.into(),
            division: String::new(),
            division_name: String::new(),
            address: String::new(),
            lon: 0.0,
            lat: 0.0,
        };
        let mut got = vec![
            place("enterprise", "浑源县凯通煤业"),
            place("settlement", "浑源村"),
            place("division", "浑源县"),
            place("shelter", "浑源县第一避难场所"),
            place("division", "浑源"),
        ];
        sort("浑源", &mut got);
        let names: Vec<&str> = got.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "浑源",
                "浑源县",
                "浑源村",
                "浑源县凯通煤业",
                "浑源县第一避难场所"
            ]
        );
    }
}
