//! The two ledgers (因灾死亡失踪人口一览表, 因灾倒塌损坏住房户一览表) up the
//! chain: a county report **references** the ledgers of its townships'
//! latest reports instead of repeating every person and household, and a
//! city report those of its counties' (or, for a county that has not
//! reported, its townships'). 《自然灾害情况统计调查制度》 (应急管理部):
//! the 台账 is kept where the figures are collected (乡镇 and 县) and
//! reported up with the 核报; each person and household is listed once, by
//! the unit that collected it (docs/rules.md, "Ledgers referenced, not
//! repeated").
//!
//! Reports are never changed (a correction supersedes), so which reports a
//! report references is a function of the reports filed before it: the
//! latest report of each division one level down with a smaller id. It is
//! derived on load ([`fill_refs`]), never stored.

use super::figures::{CasualtyRow, HouseRow};
use super::Report;
use crate::error::FieldError;

/// The level one below `level` (the one whose ledgers it references).
fn child_level(level: &str) -> Option<&'static str> {
    match level {
        "county" => Some("township"),
        "city" => Some("county"),
        _ => None,
    }
}

/// The ids of the reports whose ledgers a report of `level` at `division`
/// references, given the reports filed before it (`earlier`, in id order):
/// a county, the latest report of each of its townships; a city, the latest
/// report of each of its counties, and the latest township reports of a
/// county that has not reported itself. A township references nothing.
pub fn refs_for(earlier: &[Report], level: &str, division: &str) -> Vec<i64> {
    let Some(child) = child_level(level) else {
        return Vec::new();
    };
    // County codes share the first 6 digits with their townships; a city
    // the first 4 with its counties.
    let prefix = match level {
        "county" => division.get(..6),
        _ => division.get(..4),
    }
    .unwrap_or(division);
    let latest = |lvl: &str| {
        let mut by: std::collections::BTreeMap<&str, &Report> = std::collections::BTreeMap::new();
        for r in earlier
            .iter()
            .filter(|r| r.level == lvl && r.division.starts_with(prefix))
        {
            by.insert(r.division.as_str(), r); // id order: the later wins
        }
        by
    };
    let children = latest(child);
    let mut ids: Vec<i64> = children.values().map(|r| r.id).collect();
    if level == "city" {
        let reported: Vec<&str> = children.keys().filter_map(|d| d.get(..6)).collect();
        ids.extend(
            latest("township")
                .into_iter()
                .filter(|(d, _)| !d.get(..6).is_some_and(|c| reported.contains(&c)))
                .map(|(_, r)| r.id),
        );
    }
    ids.sort_unstable();
    ids
}

/// Set every report's `ledger_refs` from the reports before it (`reports`
/// in id order, as the store loads them).
pub fn fill_refs(reports: &mut [Report]) {
    for i in 0..reports.len() {
        let refs = refs_for(&reports[..i], &reports[i].level, &reports[i].division);
        reports[i].ledger_refs = refs;
    }
}

fn person_key(c: &CasualtyRow) -> (String, &str, String) {
    (
        c.name.trim().to_string(),
        c.status.as_str(),
        c.address.trim().to_string(),
    )
}

fn house_key(h: &HouseRow) -> (String, &str, String) {
    (
        h.householder.trim().to_string(),
        h.damage.as_str(),
        h.address.trim().to_string(),
    )
}

/// The referenced ledger of a report: the rows of its references, each
/// with the unit that listed it (its own rows and, recursively, theirs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Referenced {
    pub casualties: Vec<(String, CasualtyRow)>,
    pub houses: Vec<(String, HouseRow)>,
}

/// The rows a report's references list (a county's townships; a city's
/// counties and, through them, their townships), by unit name.
pub fn referenced(all: &[Report], refs: &[i64]) -> Referenced {
    let mut out = Referenced::default();
    for id in refs {
        if let Some(r) = all.iter().find(|r| r.id == *id) {
            let (c, h) = own_rows(all, r);
            out.casualties
                .extend(c.into_iter().map(|c| (r.division_name.clone(), c.clone())));
            out.houses
                .extend(h.into_iter().map(|h| (r.division_name.clone(), h.clone())));
            let deeper = referenced(all, &r.ledger_refs);
            out.casualties.extend(deeper.casualties);
            out.houses.extend(deeper.houses);
        }
    }
    out
}

/// The rows a report lists itself: its rows less those its references list
/// already (reports filed before this rule repeated their townships' rows;
/// they are shown once).
pub fn own_rows<'a>(all: &[Report], r: &'a Report) -> (Vec<&'a CasualtyRow>, Vec<&'a HouseRow>) {
    let refd = referenced(all, &r.ledger_refs);
    let people: std::collections::HashSet<_> =
        refd.casualties.iter().map(|(_, c)| person_key(c)).collect();
    let homes: std::collections::HashSet<_> =
        refd.houses.iter().map(|(_, h)| house_key(h)).collect();
    (
        r.casualties
            .iter()
            .filter(|c| !people.contains(&person_key(c)))
            .collect(),
        r.houses
            .iter()
            .filter(|h| !homes.contains(&house_key(h)))
            .collect(),
    )
}

/// A report with the ledger rows it lists itself (not its lower levels').
type OwnRows<'a> = (&'a Report, Vec<&'a CasualtyRow>, Vec<&'a HouseRow>);

/// The ledger rows of the latest reports (`rows`: the export's latest
/// report per unit), each person and household once, listed by the unit
/// nearest to where it was collected: a township's rows all; a county's
/// unless one of its townships lists the same row; a city's unless one of
/// its counties or townships does. Returned in `rows`' order.
pub fn listed_once<'a>(
    rows: &[&'a Report],
) -> Vec<(&'a Report, Vec<&'a CasualtyRow>, Vec<&'a HouseRow>)> {
    let rank = |l: &str| match l {
        "township" => 0,
        "county" => 1,
        _ => 2,
    };
    let scope = |r: &Report| -> String {
        let n = match r.level.as_str() {
            "township" | "county" => 6,
            _ => 4,
        };
        r.division.get(..n).unwrap_or(&r.division).to_string()
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|i| rank(&rows[*i].level));
    let mut people: Vec<(String, (String, &str, String))> = Vec::new();
    let mut homes: Vec<(String, (String, &str, String))> = Vec::new();
    let mut out: Vec<Option<OwnRows<'_>>> = vec![None; rows.len()];
    for i in order {
        let r = rows[i];
        let sc = scope(r);
        let c: Vec<&CasualtyRow> = r
            .casualties
            .iter()
            .filter(|c| {
                !people
                    .iter()
                    .any(|(d, k)| d.starts_with(&sc) && *k == person_key(c))
            })
            .collect();
        let h: Vec<&HouseRow> = r
            .houses
            .iter()
            .filter(|h| {
                !homes
                    .iter()
                    .any(|(d, k)| d.starts_with(&sc) && *k == house_key(h))
            })
            .collect();
        people.extend(c.iter().map(|c| (r.division.clone(), person_key(c))));
        homes.extend(h.iter().map(|h| (r.division.clone(), house_key(h))));
        out[i] = Some((r, c, h));
    }
    out.into_iter().flatten().collect()
}

/// A new report's own rows that repeat a referenced row (same name, status
/// and address; same householder, damage and address): refused by row,
/// naming the unit whose ledger lists it already (`ledger_row_repeated`).
pub fn repeated_rows(
    refd: &Referenced,
    casualties: &[CasualtyRow],
    houses: &[HouseRow],
) -> Vec<FieldError> {
    let mut e = Vec::new();
    for (i, c) in casualties.iter().enumerate() {
        if let Some((unit, _)) = refd
            .casualties
            .iter()
            .find(|(_, x)| person_key(x) == person_key(c))
        {
            e.push(
                FieldError::new(
                    format!("casualties[{i}].name"),
                    format!("{} 已列在{unit}的台账中，无需重复填报", c.name.trim()),
                )
                .code("ledger_row_repeated")
                .param("name", c.name.trim().to_string())
                .param("unit", unit.clone()),
            );
        }
    }
    for (i, h) in houses.iter().enumerate() {
        if let Some((unit, _)) = refd
            .houses
            .iter()
            .find(|(_, x)| house_key(x) == house_key(h))
        {
            e.push(
                FieldError::new(
                    format!("houses[{i}].householder"),
                    format!(
                        "{} 已列在{unit}的台账中，无需重复填报",
                        h.householder.trim()
                    ),
                )
                .code("ledger_row_repeated")
                .param("name", h.householder.trim().to_string())
                .param("unit", unit.clone()),
            );
        }
    }
    e
}

/// The whole ledger a report stands for: its own rows and the referenced
/// ones (what its counts are checked against).
pub fn whole(
    refd: &Referenced,
    casualties: &[CasualtyRow],
    houses: &[HouseRow],
) -> (Vec<CasualtyRow>, Vec<HouseRow>) {
    let mut c: Vec<CasualtyRow> = refd.casualties.iter().map(|(_, c)| c.clone()).collect();
    c.extend(casualties.iter().cloned());
    let mut h: Vec<HouseRow> = refd.houses.iter().map(|(_, h)| h.clone()).collect();
    h.extend(houses.iter().cloned());
    (c, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::figures::Figures;
    use crate::reports::ReportKind;

    fn person(name: &str) -> CasualtyRow {
        CasualtyRow {
            name: name.into(),
            status: "dead".into(),
            gender: "男".into(),
            age: 50,
            address: format!("{name}家"),
            cause: "洪水".into(),
        }
    }

    fn rep(id: i64, level: &str, division: &str, people: &[&str]) -> Report {
        Report {
            id,
            disaster_id: 1,
            kind: ReportKind::Initial,
            level: level.into(),
            division: division.into(),
            division_name: format!("单位{division}"),
            step_key: String::new(),
            figures: Figures::default(),
            casualties: people.iter().map(|n| person(n)).collect(),
            houses: vec![],
            ledger_refs: vec![],
            reason: String::new(),
            flags: vec![],
            supersedes: None,
            submitted_by: "t".into(),
            submitted_at: time::macros::datetime!(2026-07-01 02:00 UTC).into(),
        }
    }

    /// 《自然灾害情况统计调查制度》: each person is listed once, by the
    /// unit that collected it; the county references its townships' latest
    /// reports filed before it, the city its counties' (or the townships of
    /// a county that has not reported).
    #[test]
    fn references_are_the_latest_reports_one_level_down_filed_before() {
        let mut all = vec![
            rep(1, "township", "140212100000", &["甲"]),
            rep(2, "township", "140212101000", &["乙"]),
            rep(3, "township", "140212100000", &["甲", "丙"]), // supersedes 1
            rep(4, "county", "140212000000", &["丁"]),
            rep(5, "township", "140212101000", &["乙", "戊"]), // after the county
            rep(6, "township", "140213050000", &["己"]),       // another county
            rep(7, "township", "140215100000", &["庚"]),       // a county without report
            rep(8, "county", "140213000000", &[]),
            rep(9, "city", "140200000000", &[]),
            rep(10, "township", "140221100000", &["辛"]), // after the city
        ];
        fill_refs(&mut all);
        let refs: Vec<(i64, Vec<i64>)> =
            all.iter().map(|r| (r.id, r.ledger_refs.clone())).collect();
        assert_eq!(
            refs,
            vec![
                (1, vec![]),
                (2, vec![]),
                (3, vec![]),
                (4, vec![2, 3]),
                (5, vec![]),
                (6, vec![]),
                (7, vec![]),
                (8, vec![6]),
                // 云州区 (140215) has no county report: its township directly.
                (9, vec![4, 7, 8]),
                (10, vec![]),
            ]
        );
        // The city's whole ledger: every person once.
        let city = &all[8];
        let r = referenced(&all, &city.ledger_refs);
        let mut names: Vec<&str> = r.casualties.iter().map(|(_, c)| c.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, vec!["丁", "丙", "乙", "己", "庚", "甲"]);
        // No one is listed twice.
        let mut dedup = names.clone();
        dedup.dedup();
        assert_eq!(dedup, names);
    }

    /// A county row that repeats a township's row is refused by row, naming
    /// the township; a person of the same name elsewhere is not a repeat.
    #[test]
    fn a_repeated_row_is_refused_and_a_namesake_is_not() {
        let mut all = vec![
            rep(1, "township", "140212100000", &["甲"]),
            rep(2, "county", "140212000000", &[]),
        ];
        fill_refs(&mut all);
        let refd = referenced(&all, &all[1].ledger_refs);
        let same = person("甲");
        let namesake = CasualtyRow {
            address: "别处".into(),
            ..person("甲")
        };
        let missing = CasualtyRow {
            status: "missing".into(),
            ..person("甲")
        };
        for (rows, want) in [
            (vec![same.clone()], vec!["casualties[0].name"]),
            (vec![namesake.clone()], vec![]),
            (vec![missing], vec![]),
            (vec![namesake, same], vec!["casualties[1].name"]),
        ] {
            let e = repeated_rows(&refd, &rows, &[]);
            let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, want, "{rows:?}");
            assert!(e.iter().all(|e| e.code == "ledger_row_repeated"));
        }
        let (c, _) = whole(&refd, &[person("乙")], &[]);
        assert_eq!(c.len(), 2);
    }

    /// Reports filed before the rule repeated their townships' rows: the
    /// export lists each person once, by the township.
    #[test]
    fn older_repeated_rows_are_shown_once() {
        let mut all = vec![
            rep(1, "township", "140212100000", &["甲"]),
            rep(2, "county", "140212000000", &["甲", "乙"]),
        ];
        fill_refs(&mut all);
        let (own, _) = own_rows(&all, &all[1]);
        let names: Vec<&str> = own.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["乙"]);
    }

    /// The export lists each person once, by the township that collected
    /// it, whatever the county or the city repeated; a county's own person
    /// stays with the county.
    #[test]
    fn the_export_lists_each_person_once() {
        let mut all = vec![
            rep(1, "township", "140212100000", &["甲"]),
            rep(2, "county", "140212000000", &["甲", "乙"]),
            rep(3, "township", "140213050000", &["甲"]), // a namesake elsewhere
            rep(4, "city", "140200000000", &["甲", "乙", "丙"]),
        ];
        fill_refs(&mut all);
        let rows: Vec<&Report> = all.iter().collect();
        let listed: Vec<(i64, Vec<&str>)> = listed_once(&rows)
            .into_iter()
            .map(|(r, c, _)| (r.id, c.iter().map(|c| c.name.as_str()).collect()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (1, vec!["甲"]),
                (2, vec!["乙"]),
                (3, vec!["甲"]),
                (4, vec!["丙"])
            ]
        );
    }
}
