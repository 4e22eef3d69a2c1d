//! The 会商纪要 as a .docx: a minimal WordprocessingML package (ECMA-376
//! Part 1 — `[Content_Types].xml`, `_rels/.rels`, `word/document.xml`)
//! written with the `zip` crate, no template: the title, the session's
//! time, place and chair, the attendees (a table), the agenda, the
//! minutes and the decisions with the instruction each became. Text is
//! escaped ([`yingji_channels::xml_escape`]: `& < > " '`, characters XML 1.0
//! cannot carry dropped). Pure: the caller gives every text.

use std::io::Write;

use yingji_channels::xml_escape as esc;

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

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A run of text: `size` in half-points, bold or not, in 仿宋 (East Asian)
/// and Times New Roman.
fn run(text: &str, size: u32, bold: bool) -> String {
    format!(
        r#"<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋"/>{}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        if bold { "<w:b/>" } else { "" },
        esc(text)
    )
}

fn para(runs: &str, centred: bool) -> String {
    format!(
        r#"<w:p><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/>{}</w:pPr>{runs}</w:p>"#,
        if centred {
            r#"<w:jc w:val="center"/>"#
        } else {
            ""
        }
    )
}

/// Body text (小四, 12 pt).
fn text(t: &str) -> String {
    para(&run(t, 24, false), false)
}

/// A section heading (四号, 14 pt, bold).
fn heading(t: &str) -> String {
    para(&run(t, 28, true), false)
}

/// A label and its value on one line.
fn field(label: &str, value: &str) -> String {
    para(
        &format!(
            "{}{}",
            run(&format!("{label}："), 24, true),
            run(value, 24, false)
        ),
        false,
    )
}

/// A bordered table: a bold header row and the rows, column widths in
/// twentieths of a point.
fn table(widths: &[u32], header: &[&str], rows: &[[String; 3]]) -> String {
    let border =
        |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#);
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let cell = |w: u32, t: &str, bold: bool| {
        format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{}</w:p></w:tc>"#,
            run(t, 24, bold)
        )
    };
    let mut out = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr><w:tblGrid>{}</w:tblGrid>"#,
        widths
            .iter()
            .map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#))
            .collect::<String>()
    );
    out.push_str("<w:tr>");
    for (w, h) in widths.iter().zip(header) {
        out.push_str(&cell(*w, h, true));
    }
    out.push_str("</w:tr>");
    for r in rows {
        out.push_str("<w:tr>");
        for (w, t) in widths.iter().zip(r) {
            out.push_str(&cell(*w, t, false));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
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
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

/// The .docx package of the minutes.
pub fn write(m: &Minutes) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", RELS.to_string()),
        ("word/document.xml", document_xml(m)),
    ] {
        zw.start_file(name, opts)?;
        zw.write_all(body.as_bytes())?;
    }
    Ok(zw.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use std::io::Read;

    /// The parts of a package, by name.
    fn parts(bytes: &[u8]) -> Vec<(String, String)> {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                (f.name().unwrap().to_string(), s)
            })
            .collect()
    }

    /// The text of a well-formed XML document (every start matched by its
    /// end, entities known), or the parser's complaint.
    fn text_of(xml: &str) -> Result<String, String> {
        let mut r = quick_xml::Reader::from_str(xml);
        r.config_mut().check_end_names = true;
        let mut out = String::new();
        let mut depth = 0i32;
        loop {
            match r.read_event().map_err(|e| e.to_string())? {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Text(t) => out.push_str(&t.xml10_content()),
                Event::GeneralRef(g) => out.push(match &*g {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "apos" => '\'',
                    "quot" => '"',
                    _ => return Err(format!("unknown entity {g:?}")),
                }),
                Event::Eof => break,
                _ => {}
            }
        }
        if depth != 0 {
            return Err(format!("unclosed elements: {depth}"));
        }
        Ok(out)
    }

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
