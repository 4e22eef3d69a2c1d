//! Spreadsheet files, safely, for every import and export path:
//!
//! - [`each_xlsx_row`] reads an XLSX sheet in bounded memory. Before anything
//!   is inflated, the zip's central directory is checked against
//!   [`XlsxLimits`] (total uncompressed size, compression ratio of each
//!   large entry; the `zip` crate refuses to inflate an entry past its
//!   declared size, so the declared sizes bound the work). Then cells are
//!   streamed row by row (calamine's cell reader) instead of building the
//!   sheet's bounding box — a single cell at `XFD1048576` would otherwise
//!   allocate the whole grid. The sheet's declared range and every cell are
//!   checked against the row and column limits.
//! - [`csv_text`] neutralises a CSV text cell against formula injection
//!   (OWASP "CSV injection"): every CSV export writes its text cells through it.

use std::borrow::Cow;
use std::io::Cursor;

use serde::Deserialize;

/// Limits on an XLSX file read by any import (`[xlsx]` in the configuration).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct XlsxLimits {
    /// Highest sheet row (1-based, the header included) a file may use.
    pub max_rows: u32,
    /// Highest sheet column (1-based: A = 1) a file may use.
    pub max_cols: u32,
    /// Largest total uncompressed size of the workbook's parts, in MB.
    pub max_inflated_mb: u64,
    /// Largest compression ratio of any part bigger than 1 MB.
    pub max_ratio: u64,
}

impl Default for XlsxLimits {
    fn default() -> Self {
        XlsxLimits {
            max_rows: 1_048_576,
            max_cols: 256,
            max_inflated_mb: 200,
            max_ratio: 100,
        }
    }
}

/// Parts at most this large are not held to the ratio limit (tiny XML
/// parts compress very well and cost nothing).
const RATIO_FLOOR: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("无法读取 XLSX 文件: {0}")]
    Unreadable(String),
    #[error("XLSX 文件没有工作表")]
    NoSheet,
    #[error("工作表过大：{rows} 行，超过上限 {limit} 行")]
    TooManyRows { rows: u64, limit: u32 },
    #[error("工作表过大：{cols} 列，超过上限 {limit} 列")]
    TooManyCols { cols: u64, limit: u32 },
    #[error("XLSX 文件解压后过大：超过 {mb} MB，上限 {limit} MB")]
    Inflated { mb: u64, limit: u64 },
    #[error("XLSX 文件压缩比异常：{part} 压缩比 {ratio}:1，超过上限 {limit}:1")]
    Ratio {
        part: String,
        ratio: u64,
        limit: u64,
    },
    #[error("XLSX 文件行顺序错误：第 {row} 行出现在第 {after} 行之后")]
    OutOfOrder { row: u64, after: u64 },
}

/// Check the zip's declared sizes before anything is inflated.
fn check_zip(bytes: &[u8], limits: &XlsxLimits) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    let max = limits.max_inflated_mb.saturating_mul(1024 * 1024);
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| SheetError::Unreadable(e.to_string()))?;
        let size = part.size();
        total = total.saturating_add(size);
        if total > max {
            return Err(SheetError::Inflated {
                mb: total / (1024 * 1024),
                limit: limits.max_inflated_mb,
            });
        }
        let ratio = size / part.compressed_size().max(1);
        if size > RATIO_FLOOR && ratio > limits.max_ratio {
            return Err(SheetError::Ratio {
                part: String::from_utf8_lossy(part.name_raw()).into_owned(),
                ratio,
                limit: limits.max_ratio,
            });
        }
    }
    Ok(())
}

/// Stream the first sheet's non-blank rows as (sheet row number, trimmed
/// cells from column A), in bounded memory (see the module notes). Integral
/// numbers read as integers ("80", not "80.0"). `f` returns false to stop.
/// Rows must come in sheet order (as every spreadsheet writes them).
pub fn each_xlsx_row(
    bytes: &[u8],
    limits: &XlsxLimits,
    mut f: impl FnMut(usize, &[&str]) -> bool,
) -> Result<(), SheetError> {
    use calamine::{Data, Reader};
    check_zip(bytes, limits)?;
    let unreadable = |e: calamine::XlsxError| SheetError::Unreadable(e.to_string());
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::NoSheet)?;
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    let within = |row: u32, col: u32| -> Result<(), SheetError> {
        let (rows, cols) = (u64::from(row) + 1, u64::from(col) + 1);
        if rows > u64::from(limits.max_rows) {
            return Err(SheetError::TooManyRows {
                rows,
                limit: limits.max_rows,
            });
        }
        if cols > u64::from(limits.max_cols) {
            return Err(SheetError::TooManyCols {
                cols,
                limit: limits.max_cols,
            });
        }
        Ok(())
    };
    let declared = cells.dimensions();
    within(declared.end.0, declared.end.1)?;

    let mut current: Option<u32> = None;
    let mut row: Vec<String> = Vec::new();
    // Hand a finished row to `f`; false: stop.
    let mut emit = |n: u32, row: &mut Vec<String>| -> bool {
        let go = if row.iter().all(String::is_empty) {
            true
        } else {
            let refs: Vec<&str> = row.iter().map(String::as_str).collect();
            f(n as usize + 1, &refs)
        };
        row.clear();
        go
    };
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        within(r, c)?;
        match current {
            Some(cur) if r < cur => {
                return Err(SheetError::OutOfOrder {
                    row: u64::from(r) + 1,
                    after: u64::from(cur) + 1,
                })
            }
            // A new row: the previous one is complete.
            Some(cur) if r > cur && !emit(cur, &mut row) => return Ok(()),
            _ => {}
        }
        current = Some(r);
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            other => other.to_string().trim().to_string(),
        };
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    if let Some(cur) = current {
        emit(cur, &mut row);
    }
    Ok(())
}

/// A text cell for a CSV export, neutralised against formula injection:
/// a value starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
/// leading `'` so a spreadsheet shows it as text instead of evaluating it.
/// Apply it to text cells only: numbers the program formats itself (a
/// longitude `-3.5`, a count) stay numbers. CSV imports undo it
/// ([`csv_untext`]), so an exported file imports back unchanged; for that a
/// value that already starts with `'`s and then one of those characters
/// gets one more `'` too.
pub fn csv_text(cell: &str) -> Cow<'_, str> {
    if formula_after_quotes(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`csv_text`], for CSV imports: one leading `'` before
/// (more `'`s and) a formula start is dropped; any other cell is unchanged.
pub fn csv_untext(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_after_quotes(rest) => rest,
        _ => cell,
    }
}

fn formula_after_quotes(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell of a written table: text (always a string cell, never a formula)
/// or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

/// A one-sheet XLSX workbook: a bold, frozen header row, then the rows.
/// Text is written with `write_string` (never a formula).
pub fn write_xlsx_table(sheet: &str, head: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(e)?;
    let bold = XFormat::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(e)?;
        ws.set_column_width(c as u16, 14).map_err(e)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = ((r + 1) as u32, c as u16);
            match cell {
                Cell::Text(t) => ws.write_string(r, c, t).map_err(e)?,
                Cell::Number(n) => ws.write_number(r, c, *n).map_err(e)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(e)?;
    wb.save_to_buffer().map_err(e)
}

/// An XLSX file as an HTTP download: `name` (ASCII) for old clients, `zh`
/// (RFC 5987 `filename*`) for the others.
pub fn xlsx_response(bytes: Vec<u8>, name: &str, zh: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(zh.as_bytes()).collect::<String>()
    );
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal workbook around one sheet's XML.
    pub(crate) fn workbook(sheet: &[u8]) -> Vec<u8> {
        let parts: [(&str, &[u8]); 5] = [
            ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
            ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            w.start_file(name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn sheet(dimension: &str, body: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{body}</sheetData></worksheet>"#
        )
        .into_bytes()
    }

    fn rows(bytes: &[u8], limits: &XlsxLimits) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
        let mut out = Vec::new();
        each_xlsx_row(bytes, limits, |n, cells| {
            out.push((n, cells.iter().map(|c| c.to_string()).collect()));
            true
        })?;
        Ok(out)
    }

    fn inline(cell: &str, text: &str) -> String {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn rows_stream_from_column_a_with_sheet_numbers() {
        let body = format!(
            r#"<row r="1">{}{}</row><row r="3">{}<c r="C3"><v>80</v></c><c r="D3"><v>1.5</v></c></row><row r="4"><c r="A4" s="1"/></row>"#,
            inline("B1", "名称"),
            inline("C1", "人数"),
            inline("B3", " 队 "),
        );
        let got = rows(
            &workbook(&sheet(r#"<dimension ref="B1:D4"/>"#, &body)),
            &XlsxLimits::default(),
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                (1, vec!["".into(), "名称".into(), "人数".into()]),
                (3, vec!["".into(), "队".into(), "80".into(), "1.5".into()]),
            ]
        );
    }

    #[test]
    fn hostile_sheets_are_refused_before_they_cost_memory() {
        let small = XlsxLimits {
            max_rows: 10,
            max_cols: 5,
            max_inflated_mb: 2,
            max_ratio: 100,
        };
        let header = format!("<row r=\"1\">{}</row>", inline("A1", "名称"));
        let far = format!(
            "{header}<row r=\"1048576\">{}</row>",
            inline("XFD1048576", "x")
        );
        let big_unique: String = (0..60_000)
            .map(|i| format!("<row r=\"2\"><c r=\"A2\"><v>{i}</v></c></row>"))
            .collect();
        let cases: Vec<(&str, Vec<u8>, XlsxLimits, SheetError)> = vec![
            (
                "a cell at XFD1048576 (no dimension)",
                workbook(&sheet("", &far)),
                XlsxLimits::default(),
                SheetError::TooManyCols {
                    cols: 16384,
                    limit: 256,
                },
            ),
            (
                "a declared range to XFD1048576",
                workbook(&sheet(r#"<dimension ref="A1:XFD1048576"/>"#, &header)),
                XlsxLimits::default(),
                SheetError::TooManyCols {
                    cols: 16384,
                    limit: 256,
                },
            ),
            (
                "a row beyond max_rows",
                workbook(&sheet(
                    "",
                    &format!("{header}<row r=\"11\">{}</row>", inline("A11", "x")),
                )),
                small,
                SheetError::TooManyRows {
                    rows: 11,
                    limit: 10,
                },
            ),
            (
                "a column beyond max_cols",
                workbook(&sheet(
                    "",
                    &format!("<row r=\"1\">{}</row>", inline("F1", "x")),
                )),
                small,
                SheetError::TooManyCols { cols: 6, limit: 5 },
            ),
            (
                "20 MB of blanks in 20 KB",
                workbook(&sheet("", &format!("{header}{}", " ".repeat(20 << 20)))),
                XlsxLimits::default(),
                SheetError::Ratio {
                    part: "xl/worksheets/sheet1.xml".into(),
                    ratio: 0, // checked by kind below
                    limit: 100,
                },
            ),
            (
                "more inflated bytes than max_inflated_mb",
                workbook(&sheet("", &format!("{header}{big_unique}"))),
                XlsxLimits {
                    max_inflated_mb: 1,
                    ..small
                },
                SheetError::Inflated { mb: 0, limit: 1 },
            ),
            (
                "rows out of order",
                workbook(&sheet(
                    "",
                    &format!(
                        "<row r=\"3\">{}</row><row r=\"2\">{}</row>",
                        inline("A3", "a"),
                        inline("A2", "b")
                    ),
                )),
                XlsxLimits::default(),
                SheetError::OutOfOrder { row: 2, after: 3 },
            ),
        ];
        for (what, bytes, limits, want) in cases {
            let started = std::time::Instant::now();
            let got = rows(&bytes, &limits).unwrap_err();
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{what}: took {:?}",
                started.elapsed()
            );
            match (&got, &want) {
                (SheetError::Ratio { ratio, .. }, SheetError::Ratio { .. }) => {
                    assert!(*ratio > 100, "{what}: {got}")
                }
                (SheetError::Inflated { .. }, SheetError::Inflated { .. }) => {}
                _ => assert_eq!(got, want, "{what}"),
            }
        }
    }

    #[test]
    fn a_part_inflating_past_its_declared_size_is_not_read() {
        // Lie in the zip: declare the sheet 200 bytes long while it inflates
        // to 4 MB. The zip crate stops at the declared size, so the limits
        // checked on the declared sizes hold.
        let body = format!(
            "<row r=\"1\">{}</row>{}",
            inline("A1", "名称"),
            " ".repeat(4 << 20)
        );
        let mut bytes = workbook(&sheet("", &body));
        let name = b"xl/worksheets/sheet1.xml";
        let mut patched = 0;
        // Local header (PK\3\4): size at 22; central header (PK\1\2): size at 24.
        for i in 0..bytes.len().saturating_sub(46) {
            let (sig, at, name_at) = match &bytes[i..i + 4] {
                b"PK\x03\x04" => ("local", 22, 30),
                b"PK\x01\x02" => ("central", 24, 46),
                _ => continue,
            };
            if bytes.get(i + name_at..i + name_at + name.len()) == Some(&name[..]) {
                bytes[i + at..i + at + 4].copy_from_slice(&200u32.to_le_bytes());
                patched += 1;
                let _ = sig;
            }
        }
        assert_eq!(patched, 2);
        let e = rows(&bytes, &XlsxLimits::default()).unwrap_err();
        assert!(matches!(e, SheetError::Unreadable(_)), "{e}");
    }

    #[test]
    fn csv_text_neutralises_formula_starts_only() {
        let cases = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("", ""),
            ("平城区", "平城区"),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
            ("'=x", "''=x"),
            ("''+x", "'''+x"),
            ("0352-1234567", "0352-1234567"),
        ];
        for (cell, want) in cases {
            assert_eq!(csv_text(cell), want, "{cell:?}");
            assert_eq!(csv_untext(&csv_text(cell)), cell, "{cell:?} round trip");
        }
        assert_eq!(csv_untext("'x"), "'x");
    }
}
