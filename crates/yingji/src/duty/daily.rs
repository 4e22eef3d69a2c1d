//! 值班日报: a desk's day as a Word document — who was on duty (the shifts
//! that touch the day), the duty log in time order (a corrected entry says
//! which entry corrects it; nothing is left out), the handovers with their
//! open items, and the signature lines of the officer on duty and the
//! leader. Pure: the caller gives the records and the made-at text; times
//! print in Beijing time (`clock::format_local`, docs/rules.md).

use super::model::{LogEntry, Shift};
use crate::clock::format_local;
use crate::docx::Doc;

/// One log entry with the entries that correct it.
pub struct Entry<'a> {
    pub entry: &'a LogEntry,
    pub corrected_by: &'a [i64],
}

/// The 值班日报 of `unit` (the desk's division name) for `date`.
pub fn document(unit: &str, date: &str, shifts: &[Shift], log: &[Entry], made: &str) -> Doc {
    let mut d = Doc::new();
    d.title("值 班 日 报")
        .centred(&format!("{unit}应急管理值班室    {date}"), 24, false)
        .heading("一、值班人员");
    let people = |s: &Shift| {
        s.officers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let rows: Vec<Vec<String>> = shifts
        .iter()
        .map(|s| {
            vec![
                s.period.label_zh().to_string(),
                format!(
                    "{} 至 {}",
                    format_local(s.starts_at.0),
                    format_local(s.ends_at.0)
                ),
                s.leader
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                people(s),
                s.state.label_zh().to_string(),
            ]
        })
        .collect();
    d.table(
        &[900, 3600, 1300, 2200, 900],
        &["班次", "时间", "带班领导", "值班员", "状态"],
        &rows,
    )
    .heading("二、值班记录");
    let rows: Vec<Vec<String>> = log
        .iter()
        .map(|x| {
            let e = x.entry;
            let mut text = e.text.clone();
            if let Some(c) = e.corrects {
                text = format!("（更正第 {c} 条）{text}");
            }
            if !x.corrected_by.is_empty() {
                let by: Vec<String> = x
                    .corrected_by
                    .iter()
                    .map(|i| format!("第 {i} 条"))
                    .collect();
                text.push_str(&format!("（已被{}更正）", by.join("、")));
            }
            if let Some(i) = e.incident_id {
                text.push_str(&format!("（事件 #{i}）"));
            }
            vec![
                e.id.to_string(),
                format_local(e.at.0),
                e.kind.label_zh().to_string(),
                text,
                e.author_name.clone(),
            ]
        })
        .collect();
    d.table(
        &[700, 2600, 800, 4000, 1100],
        &["编号", "时间", "类别", "内容", "记录人"],
        &rows,
    )
    .heading("三、交接班和遗留事项");
    let mut handovers = Vec::new();
    for s in shifts.iter().filter(|s| s.handed_over_at.is_some()) {
        let at = s
            .handed_over_at
            .as_ref()
            .map(|t| format_local(t.0))
            .unwrap_or_default();
        let mut line = format!(
            "{}（{at}）：{}",
            s.period.label_zh(),
            s.handover_note.trim()
        );
        for (n, i) in s.open_items.iter().enumerate() {
            line.push_str(&format!("\n    遗留 {}. {}", n + 1, i.text));
        }
        handovers.push(line);
    }
    d.text(&handovers.join("\n"))
        .field("值班员（签字）", "")
        .field("带班领导（签字）", "")
        .small(made);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::read::{parts, text_of};
    use crate::duty::{LogKind, OpenItem, Period, Person, ShiftState};
    use time::macros::datetime;

    fn shift() -> Shift {
        let mut s = Shift::scheduled(
            "140213000000".into(),
            "pingcheng",
            datetime!(2026-07-01 00:00 UTC),
        );
        s.id = 1;
        s.date = "2026-07-01".into();
        s.period = Period::Day;
        s.starts_at = datetime!(2026-07-01 00:30 UTC).into();
        s.ends_at = datetime!(2026-07-01 09:30 UTC).into();
        s.leader = Some(Person {
            user_id: None,
            name: "王局长".into(),
            phone: String::new(),
        });
        s.officers = vec![Person {
            user_id: None,
            name: "李值班".into(),
            phone: String::new(),
        }];
        s.state = ShiftState::HandedOver;
        s.handover_note = "雨情平稳".into();
        s.handed_over_at = Some(datetime!(2026-07-01 09:30 UTC).into());
        s.open_items = vec![OpenItem {
            text: "跟踪御河水位".into(),
            incident_id: None,
        }];
        s
    }

    fn entry(id: i64, at: time::OffsetDateTime, text: &str, corrects: Option<i64>) -> LogEntry {
        LogEntry {
            id,
            division: "140213000000".into(),
            shift_id: Some(1),
            at: at.into(),
            kind: LogKind::Call,
            text: text.into(),
            incident_id: None,
            attachments: vec![],
            corrects,
            author: "pingcheng".into(),
            author_name: "李值班".into(),
            created_at: at.into(),
        }
    }

    /// The day's shifts, every entry with its correction, the handover and
    /// the signature lines; times in Beijing time, none in UTC.
    #[test]
    fn the_daily_report_says_the_day() {
        let a = entry(
            7,
            datetime!(2026-07-01 01:05 UTC),
            "群众来电：积水 <30cm> & 路滑",
            None,
        );
        let b = entry(8, datetime!(2026-07-01 01:20 UTC), "积水约50厘米", Some(7));
        let log = [
            Entry {
                entry: &a,
                corrected_by: &[8],
            },
            Entry {
                entry: &b,
                corrected_by: &[],
            },
        ];
        let bytes = document(
            "平城区",
            "2026-07-01",
            &[shift()],
            &log,
            "2026-07-01 18:00:00+08:00 由 pingcheng 导出",
        )
        .write()
        .unwrap();
        let p = parts(&bytes);
        let text = text_of(&p[2].1).unwrap();
        for want in [
            "值 班 日 报",
            "平城区应急管理值班室    2026-07-01",
            "白班",
            "2026-07-01 08:30:00+08:00 至 2026-07-01 17:30:00+08:00",
            "王局长",
            "李值班",
            "已交班",
            "2026-07-01 09:05:00+08:00",
            "群众来电：积水 <30cm> & 路滑（已被第 8 条更正）",
            "（更正第 7 条）积水约50厘米",
            "白班（2026-07-01 17:30:00+08:00）：雨情平稳",
            "遗留 1. 跟踪御河水位",
            "值班员（签字）：",
            "带班领导（签字）：",
        ] {
            assert!(text.contains(want), "{want:?} not in {text}");
        }
        assert!(!text.contains("Z"), "{text}");
    }

    /// A day without shifts or entries says so in each section.
    #[test]
    fn an_empty_day_reads_none() {
        let text = text_of(&document("平城区", "2026-07-02", &[], &[], "").xml()).unwrap();
        assert_eq!(text.matches("（无）").count(), 3, "{text}");
    }
}
