//! The 会商纪要 as a .docx: a minimal WordprocessingML package (ECMA-376
//! Part 1 — `[Content_Types].xml`, `_rels/.rels`, `word/document.xml`)
//! written with the `zip` crate, no template: the title, the session's
//! time, place and chair, the attendees (a table), the agenda, the
//! minutes and the decisions with the instruction each became. Text is
//! escaped ([`yingji_channels::xml_escape`]: `& < > " '`, characters XML 1.0
//! cannot carry dropped). Pure: the caller gives every text.

use crate::docx::Doc;

/// What the 会商纪要 says, as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Minutes {
    pub title: String,
    /// HS000012
    pub number: String,
    /// 关联事件 / 关联预警: its title.
    pub link: String,
    pub time: String,
    pub place: String,
    pub chair: String,
    /// (name, organisation · position, attendance)
    pub attendees: Vec<[String; 3]>,
    pub agenda: Vec<String>,
    pub minutes: String,
    /// (text, assignee, instruction)
    pub decisions: Vec<[String; 3]>,
    /// 印发: when and by whom this copy was made.
    pub made: String,
}

/// The minutes as a document.
fn doc(m: &Minutes) -> Doc {
    let mut d = Doc::new();
    d.title("会 商 纪 要")
        .centred(&m.title, 32, true)
        .centred(&m.number, 21, false)
        .field("关联", &m.link)
        .field("时间", &m.time)
        .field("地点", &m.place)
        .field("主持", &m.chair)
        .heading("一、参会单位和人员")
        .table(
            &[2600, 4600, 1600],
            &["名称", "单位 · 职务", "出席情况"],
            &m.attendees.iter().map(|a| a.to_vec()).collect::<Vec<_>>(),
        )
        .heading("二、会商议程");
    let agenda: Vec<String> = m
        .agenda
        .iter()
        .enumerate()
        .map(|(n, a)| format!("{}. {a}", n + 1))
        .collect();
    d.text(&agenda.join("\n"))
        .heading("三、会议纪要")
        .text(&m.minutes)
        .heading("四、会商决定");
    let decisions: Vec<String> = m
        .decisions
        .iter()
        .enumerate()
        .map(|(n, [t, assignee, instruction])| {
            let mut line = format!("{}. {t}", n + 1);
            if !assignee.is_empty() {
                line.push_str(&format!("（承办：{assignee}）"));
            }
            if !instruction.is_empty() {
                line.push_str(&format!("【{instruction}】"));
            }
            line
        })
        .collect();
    d.text(&decisions.join("\n")).small(&m.made);
    d
}

/// `word/document.xml` of the minutes.
#[cfg(test)]
pub fn document_xml(m: &Minutes) -> String {
    doc(m).xml()
}

/// The .docx package of the minutes.
pub fn write(m: &Minutes) -> Result<Vec<u8>, zip::result::ZipError> {
    doc(m).write()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::read::{parts, text_of};

    fn sample() -> Minutes {
        Minutes {
            title: "平城区煤矿透水 <救援> 会商 & 研判".into(),
            number: "HS000001".into(),
            link: "事件：煤矿透水事故".into(),
            time: "2026-12-07 09:00".into(),
            place: "市应急指挥中心 \"一号\" 会商室".into(),
            chair: "王指挥长".into(),
            attendees: vec![
                [
                    "市公安局".into(),
                    "大同市公安局 · 副局长".into(),
                    "出席".into(),
                ],
                ["李专家".into(), "".into(), "请假".into()],
            ],
            agenda: vec!["通报险情".into(), "研究救援方案".into()],
            minutes: "一、井下 12 人被困。\n\n二、排水能力不足\u{1}。".into(),
            decisions: vec![[
                "调派矿山救护队".into(),
                "市消防救援支队".into(),
                "已转指令 #7".into(),
            ]],
            made: "2026-12-07 11:00 印发".into(),
        }
    }

    #[test]
    fn the_package_unzips_is_well_formed_and_says_everything() {
        let bytes = write(&sample()).unwrap();
        let parts = parts(&bytes);
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        );
        for (name, xml) in &parts {
            text_of(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let doc = text_of(&parts[2].1).unwrap();
        for want in [
            "会 商 纪 要",
            "平城区煤矿透水 <救援> 会商 & 研判",
            "HS000001",
            "事件：煤矿透水事故",
            "2026-12-07 09:00",
            "市应急指挥中心 \"一号\" 会商室",
            "王指挥长",
            "市公安局",
            "大同市公安局 · 副局长",
            "请假",
            "1. 通报险情",
            "2. 研究救援方案",
            "一、井下 12 人被困。",
            "二、排水能力不足。",
            "1. 调派矿山救护队（承办：市消防救援支队）【已转指令 #7】",
        ] {
            assert!(doc.contains(want), "{want:?} not in {doc}");
        }
        // The main part is declared where the relationships point.
        assert!(parts[0].1.contains(r#"PartName="/word/document.xml""#));
        assert!(parts[1].1.contains(r#"Target="word/document.xml""#));
    }

    /// Empty sections say so instead of leaving a bare heading.
    #[test]
    fn empty_sections_read_none() {
        let doc = text_of(&document_xml(&Minutes::default())).unwrap();
        assert_eq!(doc.matches("（无）").count(), 4, "{doc}");
    }
}
