//! Files in and out: CSV (UTF-8 with or without BOM, or GBK/GB18030 as Excel
//! saves it on a Chinese Windows) and XLSX, mapped to a kind's fields by
//! header (key, Chinese or English label).

use serde_json::{Map, Value};

use super::{cell_text, Dictionaries, FieldSpec, Item, KindSpec, DIVISION_NAME};
use crate::error::FieldError;
use crate::sheet::{csv_text, XlsxLimits};

/// A table read from a file: header and data rows (spreadsheet row numbers
/// start at 2 for the first data row).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    /// Guess from file name and content (XLSX is a zip: `PK\x03\x04`).
    pub fn sniff(name: &str, bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") || name.to_ascii_lowercase().ends_with(".xlsx") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// Decode CSV bytes: UTF-8 (BOM optional) or, if not valid UTF-8, GB18030
/// (a superset of GBK). Anything that decodes to replacement characters is refused.
pub fn decode_text(bytes: &[u8]) -> Result<String, FieldError> {
    decode(bytes).map(std::borrow::Cow::into_owned)
}

/// [`decode_text`] without copying a UTF-8 file.
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, FieldError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(FieldError::new(
            "file",
            "文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 XLSX",
        )
        .code("unknown_encoding"));
    }
    Ok(std::borrow::Cow::Owned(text.into_owned()))
}

pub fn read_table(name: &str, bytes: &[u8], limits: &XlsxLimits) -> Result<Table, FieldError> {
    let mut header = None;
    let mut rows = Vec::new();
    each_row(name, bytes, limits, |n, cells| {
        let cells = cells.iter().map(|c| c.to_string()).collect();
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((n, cells));
        }
        true
    })?;
    let header = header.ok_or_else(|| FieldError::new("file", "文件为空").code("file_empty"))?;
    Ok(Table { header, rows })
}

/// Stream a file's non-blank rows, header first, as (spreadsheet row
/// number, trimmed cells), without building a table: a million-row CSV is
/// read in one pass, an XLSX sheet in bounded memory within `limits`
/// ([`crate::sheet::each_xlsx_row`], the one XLSX reader). A CSV text cell
/// neutralised by an export (`'=…`, [`crate::sheet::csv_text`]) reads back
/// as it was. `f` returns false to stop early.
pub fn each_row(
    name: &str,
    bytes: &[u8],
    limits: &XlsxLimits,
    f: impl FnMut(usize, &[&str]) -> bool,
) -> Result<(), FieldError> {
    match Format::sniff(name, bytes) {
        Format::Csv => each_csv_row(&decode(bytes)?, f),
        Format::Xlsx => crate::sheet::each_xlsx_row(bytes, limits, f)
            .map_err(|e| FieldError::new("file", e.to_string()).code("bad_xlsx")),
    }
}

pub fn read_csv(text: &str) -> Result<Table, FieldError> {
    read_table("x.csv", text.as_bytes(), &XlsxLimits::default())
}

fn each_csv_row(text: &str, mut f: impl FnMut(usize, &[&str]) -> bool) -> Result<(), FieldError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    // Spreadsheet row = line of the record. The reader reports where it
    // started, before any blank lines it skipped; lines are counted
    // incrementally from the previous record (one pass over the text).
    let (mut counted_to, mut line) = (0usize, 1usize);
    let mut i = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(FieldError::new("file", format!("CSV 格式错误: {e}"))
                    .code("bad_csv")
                    .at_row(i + 1))
            }
        }
        i += 1;
        let start = rec
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(counted_to);
        let rest = text.get(start..).unwrap_or("");
        let blank = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
        let at = (start + blank).max(counted_to);
        line += text
            .as_bytes()
            .get(counted_to..at)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        counted_to = at;
        let cells: Vec<&str> = rec
            .iter()
            .map(|c| crate::sheet::csv_untext(c.trim()))
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if !f(line, &cells) {
            break;
        }
    }
    Ok(())
}

/// Data rows as (spreadsheet row number, field key → cell text).
pub type MappedRows = Vec<(usize, Map<String, Value>)>;

/// How a file's columns map onto a kind's fields (from its header row).
pub struct Columns<'s> {
    cols: Vec<Option<&'s FieldSpec>>,
}

impl<'s> Columns<'s> {
    /// Map a header onto a kind's fields. Unknown columns and missing
    /// required columns are errors; the division-name column is ignored.
    pub fn new(spec: &'s KindSpec, header: &[&str]) -> Result<Columns<'s>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut cols: Vec<Option<&FieldSpec>> = Vec::new();
        for h in header {
            let h2 = h.trim().trim_start_matches('\u{feff}');
            if h2 == DIVISION_NAME.0
                || h2 == DIVISION_NAME.1
                || h2.eq_ignore_ascii_case(DIVISION_NAME.2)
                || h2.is_empty()
            {
                cols.push(None);
                continue;
            }
            match spec.field_by_header(h2) {
                Some(f) => {
                    if cols.iter().flatten().any(|g| g.key == f.key) {
                        errors.push(
                            FieldError::new(f.key, format!("列“{h2}”重复"))
                                .code("duplicate_column")
                                .param("name", h2)
                                .at_row(1),
                        );
                    }
                    cols.push(Some(f));
                }
                None => {
                    errors.push(
                        FieldError::new(h2, format!("未知列“{h2}”"))
                            .code("unknown_column")
                            .param("name", h2)
                            .at_row(1),
                    );
                    cols.push(None);
                }
            }
        }
        for f in spec.all_fields().filter(|f| f.required) {
            if !cols.iter().flatten().any(|g| g.key == f.key) {
                errors.push(
                    FieldError::new(f.key, format!("缺少必填列“{}”", f.zh))
                        .code("missing_column")
                        .param("name", f.key)
                        .at_row(1),
                );
            }
        }
        if errors.is_empty() {
            Ok(Columns { cols })
        } else {
            Err(errors)
        }
    }

    /// One data row as field key → cell text.
    pub fn map(&self, cells: &[&str]) -> Map<String, Value> {
        let mut m = Map::new();
        for (f, v) in self.cols.iter().zip(cells) {
            if let Some(f) = f {
                m.insert(f.key.to_string(), Value::String((*v).to_string()));
            }
        }
        m
    }
}

/// Map a table's columns onto a kind's fields (see [`Columns::new`]).
pub fn map_rows(spec: &KindSpec, t: &Table) -> Result<MappedRows, Vec<FieldError>> {
    let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    let cols = Columns::new(spec, &header)?;
    Ok(t.rows
        .iter()
        .map(|(n, cells)| {
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            (*n, cols.map(&refs))
        })
        .collect())
}

/// Export columns: every field, plus the division name after the division code.
fn export_columns(spec: &KindSpec) -> Vec<(String, Option<&FieldSpec>, &'static str)> {
    let mut out = Vec::new();
    for f in spec.all_fields() {
        out.push((f.zh.to_string(), Some(f), f.key));
        if f.key == "division" {
            out.push((DIVISION_NAME.1.to_string(), None, DIVISION_NAME.0));
        }
    }
    out
}

/// A value exported as a number: a number in a field that is not a
/// choice list (whose cells show labels).
fn is_number(f: Option<&FieldSpec>, v: &Value) -> bool {
    matches!(
        (v, f.map(|f| f.ty)),
        (Value::Number(_), Some(ft))
            if !matches!(ft, super::FieldType::Enum(_) | super::FieldType::Dict(_))
    )
}

pub fn write_csv(spec: &KindSpec, items: &[Item], dicts: &Dictionaries) -> Result<Vec<u8>, String> {
    let cols = export_columns(spec);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cols.iter().map(|c| c.0.as_str()))
        .map_err(|e| e.to_string())?;
    for it in items {
        w.write_record(cols.iter().map(|(_, f, key)| {
            let v = it.value(key);
            let text = cell_text(*f, &v, dicts);
            // Typed numbers (a longitude -3.5) stay numbers; text is neutralised.
            if is_number(*f, &v) {
                text
            } else {
                csv_text(&text).into_owned()
            }
        }))
        .map_err(|e| e.to_string())?;
    }
    let mut out = b"\xEF\xBB\xBF".to_vec(); // BOM: Excel opens UTF-8 correctly
    out.extend(w.into_inner().map_err(|e| e.to_string())?);
    Ok(out)
}

pub fn write_xlsx(
    spec: &KindSpec,
    items: &[Item],
    dicts: &Dictionaries,
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let cols = export_columns(spec);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(spec.zh).map_err(|e| e.to_string())?;
    let bold = XFormat::new().set_bold();
    for (c, (label, _, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, label, &bold)
            .map_err(|e| e.to_string())?;
        ws.set_column_width(c as u16, 14)
            .map_err(|e| e.to_string())?;
    }
    for (r, it) in items.iter().enumerate() {
        for (c, (_, f, key)) in cols.iter().enumerate() {
            let v = it.value(key);
            let (row, col) = ((r + 1) as u32, c as u16);
            match &v {
                Value::Number(n) if is_number(*f, &v) => {
                    ws.write_number(row, col, n.as_f64().unwrap_or(0.0))
                        .map_err(|e| e.to_string())?;
                }
                // write_string: always a string cell, never a formula.
                _ => {
                    ws.write_string(row, col, cell_text(*f, &v, dicts))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    wb.save_to_buffer().map_err(|e| e.to_string())
}

/// A column of a fixed-layout import (a stock count, statistics): its key
/// and the headers it is known by.
pub struct FixedColumn {
    pub key: &'static str,
    /// The Chinese headers (the first is the one the messages name).
    pub zh: &'static [&'static str],
    pub en: &'static str,
    pub required: bool,
}

/// Map a header row onto fixed columns: for each column, the index of the
/// cell it is in. Headers in `ignored` are read past (the other columns of
/// a file this program exported); an unknown header, a column twice, or a
/// required one missing is an error of row 1 naming it.
pub fn fixed_columns(
    cols: &[FixedColumn],
    ignored: &[&str],
    header: &[&str],
) -> Result<Vec<Option<usize>>, Vec<FieldError>> {
    let mut idx = vec![None; cols.len()];
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if h.is_empty() || ignored.contains(&h) {
            continue;
        }
        match cols
            .iter()
            .position(|c| h == c.key || c.zh.contains(&h) || h.eq_ignore_ascii_case(c.en))
        {
            Some(c) if idx[c].is_some() => errors.push(
                FieldError::new(h, format!("列“{h}”重复"))
                    .code("duplicate_column")
                    .param("name", h.to_string())
                    .at_row(1),
            ),
            Some(c) => idx[c] = Some(i),
            None => errors.push(
                FieldError::new(h, format!("未知列“{h}”"))
                    .code("unknown_column")
                    .param("name", h.to_string())
                    .at_row(1),
            ),
        }
    }
    for (c, col) in cols.iter().enumerate() {
        if col.required && idx[c].is_none() {
            let zh = col.zh.first().copied().unwrap_or(col.key);
            errors.push(
                FieldError::new(col.key, format!("缺少必填列“{zh}”"))
                    .code("missing_column")
                    .param("name", zh)
                    .at_row(1),
            );
        }
    }
    if errors.is_empty() {
        Ok(idx)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_csv_from_excel_decodes() {
        let text = "名称,行政区划\n平城区消防救援大队,140213\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_ne!(gbk.as_ref(), text.as_bytes());
        assert_eq!(decode_text(&gbk).unwrap(), text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        assert_eq!(decode_text(&bom).unwrap(), text);
    }

    #[test]
    fn undecodable_bytes_are_refused() {
        let e = decode_text(&[0x81, 0x20, 0xFF, 0xFF, 0x30]).unwrap_err();
        assert_eq!(e.field, "file");
    }

    #[test]
    fn csv_rows_keep_spreadsheet_numbers() {
        let t = read_csv("a,b\n1,2\n\n3,4\n").unwrap();
        assert_eq!(t.header, vec!["a", "b"]);
        assert_eq!(
            t.rows,
            vec![
                (2, vec!["1".into(), "2".into()]),
                (4, vec!["3".into(), "4".into()])
            ]
        );
        assert!(read_csv("").is_err());
    }

    #[test]
    fn headers_map_by_key_or_label() {
        let spec = &crate::resources::TEAM;
        let t = read_csv("名称,division,Longitude,纬度,队伍类型,人数,区划名称\nA,140213,113.3,40.1,综合消防,10,平城区\n").unwrap();
        let rows = map_rows(spec, &t).unwrap();
        assert_eq!(rows[0].1["lon"], Value::String("113.3".into()));
        assert_eq!(rows[0].1["headcount"], Value::String("10".into()));
        assert!(!rows[0].1.contains_key("division_name"));
        let t = read_csv("名称,行政区划,经度,纬度,人数,颜色\nA,140213,113.3,40.1,10,红\n").unwrap();
        let e = map_rows(spec, &t).unwrap_err();
        assert!(
            e.iter().any(|e| e.message.contains("未知列“颜色”")),
            "{e:?}"
        );
        assert!(e.iter().any(|e| e.field == "team_kind"), "{e:?}");
    }

    #[test]
    fn csv_export_neutralises_text_but_not_numbers() {
        let spec = &crate::resources::TEAM;
        let item = Item {
            id: 1,
            kind: "team".into(),
            name: "-1+1".into(),
            division: "140214000000".into(),
            division_name: "云冈区".into(),
            lon: -3.5,
            lat: 40.05,
            address: "=1+1".into(),
            responsible: "@张三".into(),
            phone: "+86 352 1234567".into(),
            duty_phone: String::new(),
            status: "available".into(),
            category: "mine".into(),
            attrs: crate::db::JsonText(
                serde_json::from_str(r#"{"team_kind":"mine","headcount":-80}"#).unwrap(),
            ),
            version: 1,
            updated_at: crate::db::UtcText(time::macros::datetime!(2026-12-07 00:00 UTC)),
            org: String::new(),
        };
        let dicts = Dictionaries::new();
        let csv = write_csv(spec, std::slice::from_ref(&item), &dicts).unwrap();
        let t = read_table("x.csv", &csv, &XlsxLimits::default()).unwrap();
        let raw = String::from_utf8(csv).unwrap();
        for cell in [
            "'-1+1",
            "'=1+1",
            "'@张三",
            "'+86 352 1234567",
            ",-3.5,",
            ",-80",
        ] {
            assert!(raw.contains(cell), "{cell} in {raw}");
        }
        // Read back, the neutralised text is as it was.
        let rows = map_rows(spec, &t).unwrap();
        let r = &rows[0].1;
        assert_eq!(r["name"], Value::String("-1+1".into()));
        assert_eq!(r["address"], Value::String("=1+1".into()));
        assert_eq!(r["phone"], Value::String("+86 352 1234567".into()));
        assert_eq!(r["lon"], Value::String("-3.5".into()));
    }

    #[test]
    fn xlsx_round_trip() {
        let spec = &crate::resources::TEAM;
        let item = Item {
            id: 1,
            kind: "team".into(),
            name: "云冈矿山救护队".into(),
            division: "140214000000".into(),
            division_name: "云冈区".into(),
            lon: 113.1,
            lat: 40.05,
            address: String::new(),
            responsible: "张三".into(),
            phone: "0352-1234567".into(),
            duty_phone: String::new(),
            status: "available".into(),
            category: "mine".into(),
            attrs: crate::db::JsonText(
                serde_json::from_str(
                    r#"{"team_kind":"mine","headcount":80,"specialities":["井下救援","排水"]}"#,
                )
                .unwrap(),
            ),
            version: 1,
            updated_at: crate::db::UtcText(time::macros::datetime!(2026-12-07 00:00 UTC)),
            org: String::new(),
        };
        let dicts: Dictionaries = crate::resources::default_dictionaries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let bytes = write_xlsx(spec, std::slice::from_ref(&item), &dicts).unwrap();
        let t = read_table("x.xlsx", &bytes, &XlsxLimits::default()).unwrap();
        let rows = map_rows(spec, &t).unwrap();
        assert_eq!(rows[0].0, 2);
        let r = &rows[0].1;
        assert_eq!(r["name"], Value::String("云冈矿山救护队".into()));
        assert_eq!(r["team_kind"], Value::String("矿山救护".into()));
        assert_eq!(r["headcount"], Value::String("80".into()));
        assert_eq!(r["specialities"], Value::String("井下救援;排水".into()));
        let csv = write_csv(spec, &[item], &dicts).unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let t = read_table("x.csv", &csv, &XlsxLimits::default()).unwrap();
        assert_eq!(map_rows(spec, &t).unwrap()[0].1, *r);
    }
}
