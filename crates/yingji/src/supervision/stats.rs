//! The supervision statistics of a county or the city (issue #16,
//! “Statistics”): per division one level down, enterprises by colour (the
//! highest level of their risk points), hidden hazards by state and grade,
//! overdue rectifications, and major hazard sources by grade — and the
//! same table as an XLSX file. Pure: the counts come in, the table and
//! the file go out.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{HazardState, RiskLevel};

/// The length of the code prefix of the divisions one level below a
/// division whose prefix is `len` long (city 4 → counties 6 → townships 9
/// → villages 12).
pub fn child_len(len: usize) -> usize {
    match len {
        0..=2 => 4,
        3..=4 => 6,
        5..=6 => 9,
        _ => 12,
    }
}

/// One row of the table (one division, or the total).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatsRow {
    /// The 12-digit code ('' for the total).
    pub division: String,
    pub division_name: String,
    pub enterprises: i64,
    /// Enterprises by colour: red, orange, yellow, blue, and not assessed.
    pub red: i64,
    pub orange: i64,
    pub yellow: i64,
    pub blue: i64,
    pub unassessed: i64,
    /// Hidden hazards by state (`HazardState::as_str`).
    pub hazards: BTreeMap<String, i64>,
    pub hazards_general: i64,
    pub hazards_major: i64,
    /// Being rectified past the deadline day.
    pub overdue: i64,
    /// Major hazard sources by grade: 一级 … 四级.
    pub major_1: i64,
    pub major_2: i64,
    pub major_3: i64,
    pub major_4: i64,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatsTable {
    pub division: String,
    pub division_name: String,
    pub rows: Vec<StatsRow>,
    pub total: StatsRow,
}

/// The counts the store gives (each `(division prefix, key, n)`).
#[derive(Debug, Default)]
pub struct Counts {
    pub enterprises: Vec<(String, String, i64)>,
    /// `(division, enterprise id, level)` of every risk point.
    pub risk_levels: Vec<(String, i64, RiskLevel)>,
    pub hazards_by_state: Vec<(String, String, i64)>,
    pub hazards_by_grade: Vec<(String, String, i64)>,
    pub overdue: Vec<(String, String, i64)>,
    pub units_by_grade: Vec<(String, String, i64)>,
}

/// Build the table: one row per division present in any count (cut to
/// `len`), in code order, and the total. An enterprise's colour is the
/// highest level of its risk points (`enterprise_level`); enterprises with
/// none are `unassessed`.
pub fn table(
    division: &str,
    division_name: &str,
    len: usize,
    c: &Counts,
    name: impl Fn(&str) -> String,
) -> StatsTable {
    let mut rows: BTreeMap<String, StatsRow> = BTreeMap::new();
    let key = |d: &str| -> String {
        let cut: String = d.chars().take(len).collect();
        format!("{cut:0<12}")
    };
    fn slot(rows: &mut BTreeMap<String, StatsRow>, k: String) -> &mut StatsRow {
        rows.entry(k.clone()).or_insert_with(|| StatsRow {
            division: k,
            ..Default::default()
        })
    }
    macro_rules! row {
        ($d:expr) => {
            slot(&mut rows, key(&$d[..]))
        };
    }
    for (d, _, n) in &c.enterprises {
        row!(d).enterprises += n;
    }
    let mut highest: HashMap<i64, (String, RiskLevel)> = HashMap::new();
    for (d, e, l) in &c.risk_levels {
        let slot = highest.entry(*e).or_insert((d.clone(), *l));
        slot.1 = slot.1.max(*l);
    }
    let mut coloured: HashMap<String, i64> = HashMap::new();
    for (d, l) in highest.values() {
        let r = row!(d);
        match l {
            RiskLevel::Major => r.red += 1,
            RiskLevel::Significant => r.orange += 1,
            RiskLevel::General => r.yellow += 1,
            RiskLevel::Low => r.blue += 1,
        }
        *coloured.entry(key(&d[..])).or_default() += 1;
    }
    for (d, k, n) in &c.hazards_by_state {
        if HazardState::parse(k).is_some() {
            *row!(d).hazards.entry(k.clone()).or_default() += n;
        }
    }
    for (d, k, n) in &c.hazards_by_grade {
        match k.as_str() {
            "general" => row!(d).hazards_general += n,
            "major" => row!(d).hazards_major += n,
            _ => {}
        }
    }
    for (d, _, n) in &c.overdue {
        row!(d).overdue += n;
    }
    for (d, k, n) in &c.units_by_grade {
        let r = row!(d);
        match k.as_str() {
            "1" => r.major_1 += n,
            "2" => r.major_2 += n,
            "3" => r.major_3 += n,
            "4" => r.major_4 += n,
            _ => {}
        }
    }
    let mut total = StatsRow {
        division_name: "合计".into(),
        ..Default::default()
    };
    let rows: Vec<StatsRow> = rows
        .into_values()
        .map(|mut r| {
            r.unassessed = (r.enterprises - coloured.get(&r.division).copied().unwrap_or(0)).max(0);
            r.division_name = name(&r.division);
            total.enterprises += r.enterprises;
            total.red += r.red;
            total.orange += r.orange;
            total.yellow += r.yellow;
            total.blue += r.blue;
            total.unassessed += r.unassessed;
            for (k, n) in &r.hazards {
                *total.hazards.entry(k.clone()).or_default() += n;
            }
            total.hazards_general += r.hazards_general;
            total.hazards_major += r.hazards_major;
            total.overdue += r.overdue;
            total.major_1 += r.major_1;
            total.major_2 += r.major_2;
            total.major_3 += r.major_3;
            total.major_4 += r.major_4;
            r
        })
        .collect();
    StatsTable {
        division: division.to_string(),
        division_name: division_name.to_string(),
        rows,
        total,
    }
}

/// The header of the table (zh), one column per cell of a row.
pub const HEADER: [&str; 20] = [
    "行政区划",
    "企业数",
    "红",
    "橙",
    "黄",
    "蓝",
    "未评估",
    "隐患·已上报",
    "隐患·已定级",
    "隐患·整改中",
    "隐患·待验收",
    "隐患·待销号",
    "隐患·已销号",
    "一般隐患",
    "重大隐患",
    "逾期未整改",
    "重大危险源·一级",
    "二级",
    "三级",
    "四级",
];

fn cells(r: &StatsRow) -> Vec<i64> {
    let mut v = vec![
        r.enterprises,
        r.red,
        r.orange,
        r.yellow,
        r.blue,
        r.unassessed,
    ];
    v.extend(
        HazardState::ALL
            .iter()
            .map(|s| r.hazards.get(s.as_str()).copied().unwrap_or(0)),
    );
    v.extend([
        r.hazards_general,
        r.hazards_major,
        r.overdue,
        r.major_1,
        r.major_2,
        r.major_3,
        r.major_4,
    ]);
    v
}

/// The table as an XLSX workbook (title, as-of note, header, rows, total).
pub fn xlsx(t: &StatsTable, as_of: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("监督管理统计")?;
    let cols = HEADER.len() as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    ws.merge_range(
        0,
        0,
        0,
        cols - 1,
        &format!("{}安全生产监督管理统计表", t.division_name),
        &title,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        cols - 1,
        &format!("统计时间：{as_of}（北京时间）。企业颜色取其风险点最高等级；重大危险源按 GB 18218-2018 分级。"),
        &Format::new(),
    )?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, if c == 0 { 22 } else { 9 })?;
    }
    let all = t.rows.iter().chain(std::iter::once(&t.total));
    for (i, r) in all.enumerate() {
        let row = 3 + i as u32;
        let f = if i == t.rows.len() { &bold } else { &cell };
        ws.write_string_with_format(row, 0, &r.division_name, f)?;
        for (c, n) in cells(r).into_iter().enumerate() {
            ws.write_number_with_format(row, 1 + c as u16, n as f64, f)?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(d: &str, k: &str, n: i64) -> (String, String, i64) {
        (d.into(), k.into(), n)
    }

    #[test]
    fn child_levels() {
        for (len, child) in [(2, 4), (4, 6), (6, 9), (9, 12), (12, 12)] {
            assert_eq!(child_len(len), child);
        }
    }

    #[test]
    fn the_table_counts_each_enterprise_once_by_its_highest_colour() {
        let c = Counts {
            enterprises: vec![s("140213", "", 3), s("140215", "", 2)],
            risk_levels: vec![
                ("140213000000".into(), 1, RiskLevel::Low),
                ("140213000000".into(), 1, RiskLevel::Major),
                ("140213000000".into(), 2, RiskLevel::General),
                ("140215000000".into(), 7, RiskLevel::Significant),
            ],
            hazards_by_state: vec![
                s("140213", "reported", 2),
                s("140213", "closed", 1),
                s("140215", "rectifying", 4),
            ],
            hazards_by_grade: vec![
                s("140213", "", 2),
                s("140213", "major", 1),
                s("140215", "general", 4),
            ],
            overdue: vec![s("140215", "", 3)],
            units_by_grade: vec![s("140213", "2", 1), s("140213", "", 5), s("140215", "4", 2)],
        };
        let t = table("140200000000", "大同市", 6, &c, |d| {
            format!("N{}", &d[..6])
        });
        assert_eq!(t.rows.len(), 2);
        let a = &t.rows[0];
        assert_eq!(
            (a.division.as_str(), a.division_name.as_str()),
            ("140213000000", "N140213")
        );
        assert_eq!(
            (
                a.enterprises,
                a.red,
                a.orange,
                a.yellow,
                a.blue,
                a.unassessed
            ),
            (3, 1, 0, 1, 0, 1)
        );
        assert_eq!(
            (a.hazards["reported"], a.hazards["closed"], a.hazards_major),
            (2, 1, 1)
        );
        assert_eq!((a.major_2, a.major_4), (1, 0));
        let b = &t.rows[1];
        assert_eq!(
            (
                b.orange,
                b.unassessed,
                b.overdue,
                b.major_4,
                b.hazards_general
            ),
            (1, 1, 3, 2, 4)
        );
        assert_eq!(
            (t.total.enterprises, t.total.unassessed, t.total.overdue),
            (5, 2, 3)
        );
        assert_eq!(cells(&t.total).len() + 1, HEADER.len());
        let bytes = xlsx(&t, "2026-12-07 12:00").unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
