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

/// The pieces every document is written with (runs, paragraphs, tables,
/// the package); [`Doc`] strings them together.
pub mod parts;

use parts::{para, run};

/// The MIME type of a .docx file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

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
        self.body.push_str(&parts::heading(t));
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
        self.body.push_str(&parts::field(label, value));
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
        self.body.push_str(&parts::table(widths, header, rows));
        self
    }

    /// `word/document.xml`.
    pub fn xml(&self) -> String {
        parts::document(&self.body)
    }

    /// The .docx package.
    pub fn write(&self) -> Result<Vec<u8>, zip::result::ZipError> {
        parts::package(&self.xml())
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
