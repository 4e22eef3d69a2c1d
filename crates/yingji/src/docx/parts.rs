//! The pieces of a minimal WordprocessingML (.docx) document, ECMA-376 Part 1 —
//! `[Content_Types].xml`, `_rels/.rels`, `word/document.xml` — written with
//! the `zip` crate, no template. Text is escaped
//! ([`yingji_channels::xml_escape`]: `& < > " '`, characters XML 1.0 cannot
//! carry dropped). Pure: the caller gives every text.

use std::io::Write;

use yingji_channels::xml_escape as esc;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A run of text: `size` in half-points, bold or not, in 仿宋 (East Asian)
/// and Times New Roman.
pub fn run(text: &str, size: u32, bold: bool) -> String {
    format!(
        r#"<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋"/>{}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        if bold { "<w:b/>" } else { "" },
        esc(text)
    )
}

pub fn para(runs: &str, centred: bool) -> String {
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
pub fn text(t: &str) -> String {
    para(&run(t, 24, false), false)
}

/// A section heading (四号, 14 pt, bold).
pub fn heading(t: &str) -> String {
    para(&run(t, 28, true), false)
}

/// A label and its value on one line.
pub fn field(label: &str, value: &str) -> String {
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
pub fn table<R: AsRef<[String]>>(widths: &[u32], header: &[&str], rows: &[R]) -> String {
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
        for (w, t) in widths.iter().zip(r.as_ref()) {
            out.push_str(&cell(*w, t, false));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// `word/document.xml` around a body of paragraphs and tables (A4, 2.54 cm
/// margins).
pub fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    )
}

/// The .docx package of a `word/document.xml`.
pub fn package(document_xml: &str) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/document.xml", document_xml),
    ] {
        zw.start_file(name, opts)?;
        zw.write_all(body.as_bytes())?;
    }
    Ok(zw.finish()?.into_inner())
}

/// A .docx as an HTTP attachment named `file_name` (ASCII).
pub fn attachment(bytes: Vec<u8>, file_name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, super::MIME.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Test helpers (the same as [`super::read`]).
#[cfg(test)]
pub use super::read as testing;
