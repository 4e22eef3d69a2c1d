//! The 会商纪要 as a .docx (the shared writer, [`crate::docx`]): the title,
//! the session's time, place and chair, the attendees (a table), the
//! agenda, the minutes and the decisions with the instruction each became.
//! Pure: the caller gives every text.

use crate::docx::{field, heading, para, run, table, text};

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

/// `word/document.xml` of the minutes.
pub fn document_xml(m: &Minutes) -> String {
    let mut body = String::new();
    body.push_str(&para(&run("会 商 纪 要", 44, true), true));
    body.push_str(&para(&run(&m.title, 32, true), true));
    body.push_str(&para(&run(&m.number, 21, false), true));
    body.push_str(&field("关联", &m.link));
    body.push_str(&field("时间", &m.time));
    body.push_str(&field("地点", &m.place));
    body.push_str(&field("主持", &m.chair));
    body.push_str(&heading("一、参会单位和人员"));
    if m.attendees.is_empty() {
        body.push_str(&text("（无）"));
    } else {
        body.push_str(&table(
            &[2600, 4600, 1600],
            &["名称", "单位 · 职务", "出席情况"],
            &m.attendees,
        ));
    }
    body.push_str(&heading("二、会商议程"));
    if m.agenda.is_empty() {
        body.push_str(&text("（无）"));
    }
    for (n, a) in m.agenda.iter().enumerate() {
        body.push_str(&text(&format!("{}. {a}", n + 1)));
    }
    body.push_str(&heading("三、会议纪要"));
    let mut any = false;
    for line in m.minutes.lines().filter(|l| !l.trim().is_empty()) {
        body.push_str(&text(line));
        any = true;
    }
    if !any {
        body.push_str(&text("（无）"));
    }
    body.push_str(&heading("四、会商决定"));
    if m.decisions.is_empty() {
        body.push_str(&text("（无）"));
    }
    for (n, [t, assignee, instruction]) in m.decisions.iter().enumerate() {
        let mut line = format!("{}. {t}", n + 1);
        if !assignee.is_empty() {
            line.push_str(&format!("（承办：{assignee}）"));
        }
        if !instruction.is_empty() {
            line.push_str(&format!("【{instruction}】"));
        }
        body.push_str(&text(&line));
    }
    body.push_str(&para(&run(&m.made, 21, false), false));
    crate::docx::document(&body)
}

/// The .docx package of the minutes.
pub fn write(m: &Minutes) -> Result<Vec<u8>, zip::result::ZipError> {
    crate::docx::package(&document_xml(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docx::testing::{parts, text_of};

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
