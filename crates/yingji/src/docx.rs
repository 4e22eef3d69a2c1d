//! A minimal WordprocessingML (.docx) writer shared by every Word document
//! the platform prints (会商纪要, 信息专报, 值班日报, …): a package of three
//! parts (ECMA-376 Part 1 — `[Content_Types].xml`, `_rels/.rels`,
//! `word/document.xml`) written with the `zip` crate, no template. Text is
//! escaped ([`yingji_channels::xml_escape`]: `& < > " '`, characters XML 1.0
//! cannot carry dropped). Fonts: 仿宋 (East Asian) and Times New Roman; A4
//! with 2.54 cm margins.
//!
//! The API is a small builder: [`Doc::title`], [`Doc::centred`],
//! [`Doc::heading`], [`Doc::text`], [`Doc::field`], [`Doc::table`],
//! [`Doc::small`], then [`Doc::write`]. Pure: the caller gives every text
//! (times already in Beijing time, `clock::format_local`).

/// The lower-level pieces the 事故快报 writes with (to be folded into
/// [`Doc`]: two writers of the same XML for now).
pub mod parts;

use std::io::Write;

use yingji_channels::xml_escape as esc;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The MIME type of a .docx file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A run of text: `size` in half-points, bold or not.
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

/// A document being written.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    body: String,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }

    /// The document's title (二号, 22 pt, bold, centred).
    pub fn title(&mut self, t: &str) -> &mut Doc {
        self.centred(t, 44, true)
    }

    /// A centred line, `size` in half-points.
    pub fn centred(&mut self, t: &str, size: u32, bold: bool) -> &mut Doc {
        self.body.push_str(&para(&run(t, size, bold), true));
        self
    }

    /// A section heading (四号, 14 pt, bold).
    pub fn heading(&mut self, t: &str) -> &mut Doc {
        self.body.push_str(&para(&run(t, 28, true), false));
        self
    }

    /// Body text (小四, 12 pt): one paragraph per non-blank line; "（无）"
    /// when there is none.
    pub fn text(&mut self, t: &str) -> &mut Doc {
        let mut any = false;
        for line in t.lines().filter(|l| !l.trim().is_empty()) {
            self.body.push_str(&para(&run(line, 24, false), false));
            any = true;
        }
        if !any {
            self.body.push_str(&para(&run("（无）", 24, false), false));
        }
        self
    }

    /// A label and its value on one line.
    pub fn field(&mut self, label: &str, value: &str) -> &mut Doc {
        self.body.push_str(&para(
            &format!(
                "{}{}",
                run(&format!("{label}："), 24, true),
                run(value, 24, false)
            ),
            false,
        ));
        self
    }

    /// Small print (五号, 10.5 pt), e.g. who made this copy and when.
    pub fn small(&mut self, t: &str) -> &mut Doc {
        self.body.push_str(&para(&run(t, 21, false), false));
        self
    }

    /// A bordered table: a bold header row and the rows, column widths in
    /// twentieths of a point; "（无）" when there are no rows.
    pub fn table<R: AsRef<[String]>>(
        &mut self,
        widths: &[u32],
        header: &[&str],
        rows: &[R],
    ) -> &mut Doc {
        if rows.is_empty() {
            return self.text("");
        }
        let border = |side: &str| {
            format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#)
        };
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
        let out = &mut self.body;
        out.push_str(&format!(
            r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr><w:tblGrid>{}</w:tblGrid>"#,
            widths
                .iter()
                .map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#))
                .collect::<String>()
        ));
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
        self
    }

    /// `word/document.xml`.
    pub fn xml(&self) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
            self.body
        )
    }

    /// The .docx package.
    pub fn write(&self) -> Result<Vec<u8>, zip::result::ZipError> {
        let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", RELS.to_string()),
            ("word/document.xml", self.xml()),
        ] {
            zw.start_file(name, opts)?;
            zw.write_all(body.as_bytes())?;
        }
        Ok(zw.finish()?.into_inner())
    }
}

/// An HTTP response carrying a .docx: `name` ASCII for old clients, `zh`
/// the Chinese file name (RFC 5987).
pub fn response(bytes: Vec<u8>, name: &str, zh: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(zh.as_bytes()).collect::<String>()
    );
    (
        [
            (header::CONTENT_TYPE, MIME.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// Test helpers: the parts of a package and the text of a well-formed part.
#[cfg(test)]
pub mod read {
    use quick_xml::events::Event;
    use std::io::Read;

    /// The parts of a package, by name.
    pub fn parts(bytes: &[u8]) -> Vec<(String, String)> {
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
    pub fn text_of(xml: &str) -> Result<String, String> {
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
}
