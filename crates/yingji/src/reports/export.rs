//! The statistical forms as files: 自然灾害情况统计快报表 (one row per
//! township and county, latest figures, with totals) and the two ledgers,
//! as XLSX laid out like the official forms, or CSV.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::figures::{Figures, FIELDS};
use super::{Disaster, Report, ReportKind};
use crate::sheet::csv_text;

/// Column headers of the quick-report form (after 单位 and 报告类型).
const UNITS: [&str; 16] = [
    "人次", "人", "人", "人", "人", "人", "公顷", "公顷", "户", "间", "户", "间", "户", "间",
    "万元", "万元",
];

/// The latest report of each (level, division), in form order: counties, then their townships.
pub fn latest_rows(reports: &[Report]) -> Vec<&Report> {
    let mut latest: std::collections::BTreeMap<(u8, &str), &Report> =
        std::collections::BTreeMap::new();
    for r in reports {
        let rank = match r.level.as_str() {
            "city" => 0,
            "county" => 1,
            _ => 2,
        };
        latest.insert((rank, r.division.as_str()), r);
    }
    let mut rows: Vec<&Report> = latest.into_values().collect();
    rows.sort_by(|a, b| {
        a.division
            .get(..6)
            .cmp(&b.division.get(..6))
            .then(a.level.cmp(&b.level).reverse())
            .then(a.division.cmp(&b.division))
    });
    rows
}

pub(super) fn kind_zh(k: ReportKind) -> &'static str {
    match k {
        ReportKind::Initial => "初报",
        ReportKind::Followup => "续报",
        ReportKind::Final => "核报",
        ReportKind::Direct => "直报",
        ReportKind::Forward => "审核上报",
    }
}

fn level_zh(l: &str) -> &'static str {
    match l {
        "township" => "乡镇",
        "county" => "县级",
        "city" => "市级",
        _ => "",
    }
}

/// A figure in the form's unit: money is stored in whole 元 and the forms
/// count it in 万元 (docs/rules.md, 自然灾害情况统计调查制度), so it is
/// divided here for display only.
fn num(f: &Figures, key: &str) -> f64 {
    if key.ends_with("_yuan") {
        f.get(key) / 10_000.0
    } else {
        f.get(key)
    }
}

pub fn quick_report_csv(d: &Disaster, reports: &[Report]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "灾害过程".to_string(),
        "单位".into(),
        "层级".into(),
        "报告类型".into(),
        "报送时间".into(),
    ];
    header.extend(
        FIELDS
            .iter()
            .zip(UNITS)
            .map(|((_, zh), u)| format!("{zh}({u})")),
    );
    w.write_record(&header).map_err(|e| e.to_string())?;
    for r in latest_rows(reports) {
        // Text cells neutralised against formula injection; figures stay numbers.
        let mut rec: Vec<String> = [
            d.name.as_str(),
            &r.division_name,
            level_zh(&r.level),
            kind_zh(r.kind),
            &crate::clock::format_local(r.submitted_at.0),
        ]
        .iter()
        .map(|t| csv_text(t).into_owned())
        .collect();
        rec.extend(FIELDS.iter().map(|(k, _)| num(&r.figures, k).to_string()));
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(w.into_inner().map_err(|e| e.to_string())?);
    Ok(out)
}

fn title(ws: &mut Worksheet, text: &str, cols: u16) -> Result<(), rust_xlsxwriter::XlsxError> {
    let f = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, cols - 1, text, &f)?;
    ws.set_row_height(0, 28)?;
    Ok(())
}

/// Under a ledger's title: each person and household once, by the unit
/// that collected it (县级、市级报告引用下级台账，不重复列出).
fn note(ws: &mut Worksheet, cols: u16) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.merge_range(
        1,
        0,
        1,
        cols - 1,
        "每人每户只列一次，由采集的单位列出；县级、市级报告引用下级台账，不重复列出。",
        &Format::new(),
    )?;
    Ok(())
}

/// 《自然灾害损失情况统计快报表》's header block (表号 … 有效期至) as one
/// line; a field not configured prints as a blank to fill in.
pub fn header_line(h: &super::deadlines::FormHeader) -> String {
    let v = |s: &str| {
        if s.trim().is_empty() {
            "＿＿＿＿".to_string()
        } else {
            s.trim().to_string()
        }
    };
    format!(
        "表    号：{}    制定机关：{}    批准机关：{}    批准文号：{}    有效期至：{}",
        v(&h.loss_form_number),
        v(&h.made_by),
        v(&h.approved_by),
        v(&h.approval_number),
        v(&h.valid_until)
    )
}

/// The signature footer: 单位负责人, 统计负责人 (blanks to sign), 填表人 (who
/// filed the latest report shown), 报出日期 (the day it was made, Beijing).
pub fn footer_line(filled_by: &str, date_local: &str) -> String {
    format!(
        "单位负责人：＿＿＿＿    统计负责人：＿＿＿＿    填表人：{filled_by}    报出日期：{date_local}"
    )
}

pub fn quick_report_xlsx(
    d: &Disaster,
    reports: &[Report],
    now_local: &str,
    form: &super::deadlines::FormHeader,
) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let total_f = Format::new().set_bold().set_border(FormatBorder::Thin);
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    {
        let ws = wb.add_worksheet().set_name("灾情快报表").map_err(e)?;
        let cols = 4 + FIELDS.len() as u16;
        title(ws, "自然灾害损失情况统计快报表", cols).map_err(e)?;
        ws.merge_range(1, 0, 1, cols - 1, &header_line(form), &Format::new())
            .map_err(e)?;
        let ty = super::DISASTER_TYPES
            .iter()
            .find(|(k, _)| *k == d.disaster_type)
            .map_or(d.disaster_type.as_str(), |(_, zh)| zh);
        ws.merge_range(
            2,
            0,
            2,
            cols - 1,
            &format!(
                "灾害过程：{}    灾害种类：{ty}    发生时间：{}    制表时间：{now_local}",
                d.name,
                crate::clock::format_local(d.onset.0)
            ),
            &Format::new(),
        )
        .map_err(e)?;
        for (c, h) in ["单位", "层级", "报告类型", "报送时间"].iter().enumerate() {
            ws.merge_range(3, c as u16, 4, c as u16, h, &head)
                .map_err(e)?;
        }
        for (i, ((_, zh), u)) in FIELDS.iter().zip(UNITS).enumerate() {
            let c = 4 + i as u16;
            ws.write_string_with_format(3, c, *zh, &head).map_err(e)?;
            ws.write_string_with_format(4, c, u, &head).map_err(e)?;
            ws.set_column_width(c, 11).map_err(e)?;
        }
        ws.set_row_height(3, 42).map_err(e)?;
        ws.set_column_width(0, 16).map_err(e)?;
        ws.set_column_width(3, 22).map_err(e)?;
        let rows = latest_rows(reports);
        let mut r = 5u32;
        let mut total = Figures::default();
        for rep in &rows {
            ws.write_string_with_format(r, 0, &rep.division_name, &cell)
                .map_err(e)?;
            ws.write_string_with_format(r, 1, level_zh(&rep.level), &cell)
                .map_err(e)?;
            ws.write_string_with_format(r, 2, kind_zh(rep.kind), &cell)
                .map_err(e)?;
            ws.write_string_with_format(
                r,
                3,
                crate::clock::format_local(rep.submitted_at.0),
                &cell,
            )
            .map_err(e)?;
            for (i, (k, _)) in FIELDS.iter().enumerate() {
                ws.write_number_with_format(r, 4 + i as u16, num(&rep.figures, k), &cell)
                    .map_err(e)?;
            }
            if rep.level == "county" {
                total = total.add(&rep.figures);
            }
            r += 1;
        }
        ws.merge_range(r, 0, r, 3, "合计（县级报告）", &total_f)
            .map_err(e)?;
        for (i, (k, _)) in FIELDS.iter().enumerate() {
            ws.write_number_with_format(r, 4 + i as u16, num(&total, k), &total_f)
                .map_err(e)?;
        }
        let filled_by = reports
            .last()
            .map(|x| x.submitted_by.as_str())
            .unwrap_or("");
        let date = now_local.get(..10).unwrap_or(now_local);
        ws.merge_range(
            r + 2,
            0,
            r + 2,
            cols - 1,
            &footer_line(filled_by, date),
            &Format::new(),
        )
        .map_err(e)?;
        ws.set_freeze_panes(5, 1).map_err(e)?;
    }
    {
        let ws = wb
            .add_worksheet()
            .set_name("因灾死亡失踪人口一览表")
            .map_err(e)?;
        let hs = [
            "序号",
            "填报单位",
            "姓名",
            "性别",
            "年龄",
            "状态",
            "户籍/住址",
            "致灾原因",
        ];
        title(ws, "因灾死亡失踪人口一览表", hs.len() as u16).map_err(e)?;
        for (c, h) in hs.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &head)
                .map_err(e)?;
            ws.set_column_width(c as u16, if c >= 6 { 24 } else { 12 })
                .map_err(e)?;
        }
        note(ws, hs.len() as u16).map_err(e)?;
        let mut r = 3u32;
        for (rep, people, _) in super::ledgers::listed_once(&latest_rows(reports)) {
            for c in people {
                let vals = [
                    (r - 2).to_string(),
                    rep.division_name.clone(),
                    c.name.clone(),
                    c.gender.clone(),
                    c.age.to_string(),
                    if c.status == "dead" {
                        "死亡".into()
                    } else {
                        "失踪".into()
                    },
                    c.address.clone(),
                    c.cause.clone(),
                ];
                for (i, v) in vals.iter().enumerate() {
                    ws.write_string_with_format(r, i as u16, v, &cell)
                        .map_err(e)?;
                }
                r += 1;
            }
        }
    }
    {
        let ws = wb
            .add_worksheet()
            .set_name("因灾倒塌损坏住房户一览表")
            .map_err(e)?;
        let hs = ["序号", "填报单位", "户主姓名", "损坏程度", "间数", "住址"];
        title(ws, "因灾倒塌损坏住房户一览表", hs.len() as u16).map_err(e)?;
        for (c, h) in hs.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &head)
                .map_err(e)?;
            ws.set_column_width(c as u16, if c == 5 { 30 } else { 12 })
                .map_err(e)?;
        }
        note(ws, hs.len() as u16).map_err(e)?;
        let mut r = 3u32;
        for (rep, _, homes) in super::ledgers::listed_once(&latest_rows(reports)) {
            for h in homes {
                let dmg = match h.damage.as_str() {
                    "collapsed" => "倒塌",
                    "severe" => "严重损坏",
                    _ => "一般损坏",
                };
                let vals = [
                    (r - 2).to_string(),
                    rep.division_name.clone(),
                    h.householder.clone(),
                    dmg.into(),
                    h.rooms.to_string(),
                    h.address.clone(),
                ];
                for (i, v) in vals.iter().enumerate() {
                    ws.write_string_with_format(r, i as u16, v, &cell)
                        .map_err(e)?;
                }
                r += 1;
            }
        }
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}
