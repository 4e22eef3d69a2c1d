//! 信息专报 of a natural disaster as a Word document, from the records: the
//! header (信息专报, the issuing unit, the date), the title, the situation in
//! words (when, where, what type; the figures of the highest level that
//! reported: the city's latest report, else the sum of the counties' latest,
//! else of the townships'), the figures by unit (the 快报表's latest rows),
//! the reports filed (time, unit, level, kind, flags) and the 报/送/签发
//! lines. Times print in Beijing time (`clock::format_local`). Pure.

use super::export::latest_rows;
use super::figures::Figures;
use super::{Disaster, Report, DISASTER_TYPES};
use crate::clock::format_local;
use crate::docx::Doc;

/// The figures the bulletin speaks of, and the level they come from.
pub fn headline(reports: &[Report]) -> Option<(&'static str, Figures)> {
    let rows = latest_rows(reports);
    for (level, zh) in [("city", "市级"), ("county", "县级"), ("township", "乡镇")] {
        let at: Vec<&&Report> = rows.iter().filter(|r| r.level == level).collect();
        if !at.is_empty() {
            let sum = at
                .iter()
                .fold(Figures::default(), |acc, r| acc.add(&r.figures));
            return Some((zh, sum));
        }
    }
    None
}

fn n(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The situation in one paragraph (the figures' wording of the 快报表).
pub fn situation(d: &Disaster, unit: &str, reports: &[Report]) -> String {
    let ty = DISASTER_TYPES
        .iter()
        .find(|(k, _)| *k == d.disaster_type)
        .map_or(d.disaster_type.as_str(), |(_, zh)| zh);
    let mut out = format!(
        "{}，{unit}发生{ty}灾害（{}）。",
        format_local(d.onset.0),
        d.name
    );
    match headline(reports) {
        None => out.push_str("灾情尚在核实，暂无报告。"),
        Some((level, f)) => {
            out.push_str(&format!(
                "据{level}报告，受灾人口 {} 人次，死亡 {} 人、失踪 {} 人、受伤 {} 人，紧急转移安置 {} 人，需紧急生活救助 {} 人；\
                 农作物受灾面积 {} 公顷，其中绝收 {} 公顷；倒塌房屋 {} 户 {} 间，严重损坏 {} 户 {} 间，一般损坏 {} 户 {} 间；\
                 直接经济损失 {} 万元，其中农业损失 {} 万元。",
                f.affected,
                f.dead,
                f.missing,
                f.injured,
                f.relocated,
                f.need_relief,
                n(f.crop_affected_ha),
                n(f.crop_failed_ha),
                f.collapsed_households,
                f.collapsed_rooms,
                f.severe_households,
                f.severe_rooms,
                f.damaged_households,
                f.damaged_rooms,
                n(f.direct_loss_yuan as f64 / 10_000.0),
                n(f.agri_loss_yuan as f64 / 10_000.0),
            ));
        }
    }
    if let Some(t) = &d.stable_at {
        out.push_str(&format!("{} 灾情已稳定。", format_local(t.0)));
    }
    out
}

fn level_zh(l: &str) -> &'static str {
    match l {
        "township" => "乡镇",
        "county" => "县级",
        "city" => "市级",
        _ => "",
    }
}

/// The 信息专报 document. `unit`: the issuing unit (the reader's division
/// name), `made`: when and by whom this copy was made.
pub fn document(d: &Disaster, unit: &str, area: &str, reports: &[Report], made: &str) -> Doc {
    let mut doc = Doc::new();
    doc.title("信 息 专 报")
        .centred(&format!("{unit}应急管理局    第 {} 号", d.id), 24, false)
        .centred(&format!("关于{}的情况报告", d.name), 32, true)
        .heading("一、基本情况")
        .text(&situation(d, area, reports))
        .heading("二、分单位灾情");
    let rows: Vec<Vec<String>> = latest_rows(reports)
        .iter()
        .map(|r| {
            vec![
                r.division_name.clone(),
                level_zh(&r.level).into(),
                r.figures.affected.to_string(),
                format!("{} / {}", r.figures.dead, r.figures.missing),
                r.figures.relocated.to_string(),
                format!(
                    "{} / {}",
                    r.figures.collapsed_households, r.figures.collapsed_rooms
                ),
                n(r.figures.direct_loss_yuan as f64 / 10_000.0),
            ]
        })
        .collect();
    doc.table(
        &[1700, 700, 1300, 1200, 1300, 1300, 1300],
        &[
            "单位",
            "层级",
            "受灾人口(人次)",
            "死亡/失踪(人)",
            "紧急转移安置(人)",
            "倒塌房屋(户/间)",
            "直接经济损失(万元)",
        ],
        &rows,
    )
    .heading("三、报告情况");
    let lines: Vec<String> = reports
        .iter()
        .map(|r| {
            let mut line = format!(
                "{} {}{} {}",
                format_local(r.submitted_at.0),
                r.division_name,
                level_zh(&r.level),
                super::export::kind_zh(r.kind)
            );
            if r.supersedes.is_some() {
                line.push_str("（更正）");
            }
            for f in &r.flags {
                line.push_str(&format!("；{f}"));
            }
            line
        })
        .collect();
    doc.text(&lines.join("\n"))
        .field("报", "市委、市政府值班室，省应急管理厅")
        .field("送", "市减灾委各成员单位")
        .field("签发", "")
        .small(made);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::read::{parts, text_of};
    use crate::reports::ReportKind;
    use time::macros::datetime;

    fn disaster() -> Disaster {
        Disaster {
            id: 3,
            name: "7·1 暴雨".into(),
            disaster_type: "rainstorm".into(),
            onset: datetime!(2026-06-30 18:00 UTC).into(), // 07-01 02:00 CST
            division: "140213000000".into(),
            townships: vec!["140213050000".into()],
            source: "intake".into(),
            stable_at: None,
            created_by: "t".into(),
            created_at: datetime!(2026-06-30 18:00 UTC).into(),
            version: 1,
        }
    }

    fn rep(id: i64, level: &str, division: &str, dead: i64, loss: i64) -> Report {
        Report {
            id,
            disaster_id: 3,
            kind: ReportKind::Initial,
            level: level.into(),
            division: division.into(),
            division_name: format!("单位{id}"),
            step_key: String::new(),
            figures: Figures {
                affected: 100,
                dead,
                direct_loss_yuan: loss,
                ..Default::default()
            },
            casualties: vec![],
            houses: vec![],
            ledger_refs: vec![],
            reason: String::new(),
            flags: vec!["台账尚未与数字一致".into()],
            supersedes: None,
            submitted_by: "t".into(),
            submitted_at: datetime!(2026-06-30 19:00 UTC).into(),
        }
    }

    /// The figures come from the highest level that reported; money in
    /// 万元; times in Beijing time across midnight.
    #[test]
    fn the_bulletin_speaks_of_the_highest_level_in_local_time() {
        let reports = [
            rep(1, "township", "140213050000", 1, 10_000),
            rep(2, "township", "140213051000", 2, 20_000),
        ];
        let (level, f) = headline(&reports).unwrap();
        assert_eq!((level, f.dead, f.direct_loss_yuan), ("乡镇", 3, 30_000));
        let mut with_county = reports.to_vec();
        with_county.push(rep(3, "county", "140213000000", 4, 1_234_500));
        let (level, f) = headline(&with_county).unwrap();
        assert_eq!((level, f.dead), ("县级", 4));
        assert!(headline(&[]).is_none());

        let bytes = document(&disaster(), "平城区", "平城区", &with_county, "made")
            .write()
            .unwrap();
        let text = text_of(&parts(&bytes)[2].1).unwrap();
        for want in [
            "信 息 专 报",
            "平城区应急管理局    第 3 号",
            "关于7·1 暴雨的情况报告",
            "2026-07-01 02:00:00+08:00，平城区发生暴雨灾害（7·1 暴雨）。",
            "据县级报告，受灾人口 100 人次，死亡 4 人",
            "直接经济损失 123.45 万元",
            "2026-07-01 03:00:00+08:00 单位1乡镇 初报；台账尚未与数字一致",
            "报：",
            "签发：",
        ] {
            assert!(text.contains(want), "{want:?} not in {text}");
        }
        assert!(!text.contains("Z"), "{text}");
    }
}
