//! Spreadsheet files as an attack surface, on both databases: hostile XLSX
//! imports (a cell at XFD1048576, a sheet that inflates a thousandfold) are
//! refused quickly with a 422 naming the problem and the server keeps
//! answering; every CSV export neutralises formula-like text (`'=…`), XLSX
//! exports write such text as strings, and exported files import back
//! unchanged.
use crate::common::*;
use serde_json::{json, Value};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};

/// A minimal workbook (one sheet) around a sheet's `<sheetData>` rows.
fn workbook(dimension: &str, rows: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
    );
    let parts: [(&str, &[u8]); 5] = [
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
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

fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// Every worksheet XML of a workbook.
fn sheet_xml(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().unwrap().starts_with("xl/worksheets/") {
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            out.push(s);
        }
    }
    out
}

/// The 422 problem's first error message for an upload, and how long it took.
async fn refused(u: &User, path: &str, bytes: Vec<u8>) -> (String, Duration) {
    let started = Instant::now();
    let r = u.upload(path, "hostile.xlsx", bytes).await;
    let took = started.elapsed();
    assert_eq!(r.status(), 422, "{path}");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "file", "{p}");
    (
        p["errors"][0]["message"].as_str().unwrap().to_string(),
        took,
    )
}

#[tokio::test]
async fn hostile_xlsx_imports_are_refused_quickly_and_the_server_lives() {
    let header = format!("<row r=\"1\">{}</row>", cell("A1", "名称"));
    // One cell at the last column and row: the reader used to allocate the
    // whole grid between A1 and XFD1048576 and the process died.
    let far = workbook(
        "",
        &format!(
            "{header}<row r=\"1048576\">{}</row>",
            cell("XFD1048576", "x")
        ),
    );
    assert!(far.len() < 4096, "{} bytes", far.len());
    let declared = workbook(r#"<dimension ref="A1:XFD1048576"/>"#, &header);
    // 64 MB of blanks in about 64 KB.
    let inflating = workbook("", &format!("{header}{}", " ".repeat(64 << 20)));
    assert!(inflating.len() < 200_000, "{} bytes", inflating.len());
    for app in apps().await {
        let admin = app.login("admin").await;
        let city = app.login("commander").await;
        for (user, path, bytes, want) in [
            (
                &admin,
                "/api/v1/registries/team/import",
                far.clone(),
                "16384 列，超过上限 256 列",
            ),
            (
                &admin,
                "/api/v1/registries/enterprise/import",
                declared.clone(),
                "16384 列，超过上限 256 列",
            ),
            (
                &admin,
                "/api/v1/registries/subscriber/import",
                inflating.clone(),
                "压缩比",
            ),
            (
                &city,
                "/api/v1/statistics/import",
                far.clone(),
                "16384 列，超过上限 256 列",
            ),
            (
                &city,
                "/api/v1/statistics/import",
                inflating.clone(),
                "压缩比",
            ),
        ] {
            let (message, took) = refused(user, path, bytes).await;
            assert!(message.contains(want), "{} {path}: {message}", app.backend);
            assert!(took < Duration::from_secs(5), "{path}: {took:?}");
        }
        // Still answering, and a normal workbook still imports.
        assert_eq!(admin.get("/api/v1/registries/team").await.status(), 200);
        let (lon, lat) = app.point_in("140213");
        let ok = workbook(
            "",
            &format!(
                "<row r=\"1\">{}{}{}{}{}{}</row><row r=\"2\">{}{}<c r=\"C2\"><v>{lon}</v></c><c r=\"D2\"><v>{lat}</v></c>{}<c r=\"F2\"><v>12</v></c></row>",
                cell("A1", "名称"),
                cell("B1", "行政区划"),
                cell("C1", "经度"),
                cell("D1", "纬度"),
                cell("E1", "队伍类型"),
                cell("F1", "人数"),
                cell("A2", "流式读取测试队"),
                cell("B2", "140213"),
                cell("E2", "综合消防"),
            ),
        );
        let r = admin
            .upload("/api/v1/registries/team/import", "ok.xlsx", ok)
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let list: Value = admin
            .get("/api/v1/registries/team?q=流式读取")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"][0]["attrs"]["headcount"], 12, "{list}");
    }
}

#[tokio::test]
async fn configured_row_limit_is_named() {
    for b in backends().await {
        let app = TestApp::start_with(b, |c| c.xlsx.max_rows = 5).await;
        let admin = app.login("admin").await;
        let rows = format!(
            "<row r=\"1\">{}</row><row r=\"7\">{}</row>",
            cell("A1", "名称"),
            cell("A7", "x")
        );
        let (message, _) = refused(
            &admin,
            "/api/v1/registries/team/import",
            workbook("", &rows),
        )
        .await;
        assert!(message.contains("7 行，超过上限 5 行"), "{message}");
    }
}

const HOSTILE: [&str; 3] = ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)"];

/// The CSV records of a UTF-8 (BOM) export.
fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn registry_exports_neutralise_formulas_and_import_back() {
    for app in apps().await {
        let u = app.login("admin").await;
        for name in HOSTILE {
            let r = u
                .post(
                    "/api/v1/registries/team",
                    &body(&app, "team", name, "140213"),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        for fmt in ["csv", "xlsx"] {
            let r = u
                .get(&format!("/api/v1/registries/team/export?format={fmt}"))
                .await;
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.unwrap().to_vec();
            if fmt == "csv" {
                let recs = csv_records(&bytes);
                let lon = recs[0].iter().position(|h| h == "经度").unwrap();
                let mut names: Vec<&str> = recs[1..].iter().map(|r| r[0].as_str()).collect();
                names.sort();
                assert_eq!(names, ["'+1", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]);
                for r in &recs[1..] {
                    assert!(r[lon].parse::<f64>().is_ok(), "numbers stay: {r:?}");
                }
            } else {
                // Strings, never formulas.
                for xml in sheet_xml(&bytes) {
                    assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
                }
                use calamine::Reader;
                let mut wb: calamine::Xlsx<_> =
                    calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
                let name = wb.sheet_names()[0].clone();
                let range = wb.worksheet_range(&name).unwrap();
                let mut names: Vec<String> = range
                    .rows()
                    .skip(1)
                    .map(|r| match &r[0] {
                        calamine::Data::String(s) => s.clone(),
                        other => panic!("not a string cell: {other:?}"),
                    })
                    .collect();
                names.sort();
                assert_eq!(names, ["+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)"]);
            }
            // Delete, then import the exported file back: the names come back as they were.
            let list: Value = u.get("/api/v1/registries/team").await.json().await.unwrap();
            for it in list["items"].as_array().unwrap() {
                let r = u
                    .delete(&format!("/api/v1/registries/team/{}", it["id"]))
                    .await;
                assert_eq!(r.status(), 204);
            }
            let r = u
                .upload("/api/v1/registries/team/import", &format!("t.{fmt}"), bytes)
                .await;
            assert_eq!(r.status(), 200, "{fmt}: {}", r.text().await.unwrap());
            let list: Value = u.get("/api/v1/registries/team").await.json().await.unwrap();
            let mut names: Vec<&str> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|it| it["name"].as_str().unwrap())
                .collect();
            names.sort();
            assert_eq!(
                names,
                ["+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)"],
                "{fmt}"
            );
        }
    }
}

#[tokio::test]
async fn duty_log_and_report_exports_neutralise_formulas() {
    for app in apps().await {
        // Duty log: the entry's text.
        let pc = app.login("pingcheng").await;
        for text in HOSTILE {
            let r = pc
                .post("/api/v1/duty/log", &json!({ "kind": "call", "text": text }))
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        let r = pc.get("/api/v1/duty/log/export").await;
        assert_eq!(r.status(), 200);
        let recs = csv_records(&r.bytes().await.unwrap());
        assert_eq!(recs[0][3], "内容");
        let mut texts: Vec<&str> = recs[1..].iter().map(|r| r[3].as_str()).collect();
        texts.sort();
        assert_eq!(texts, ["'+1", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)"]);
        assert!(recs[1][0].parse::<i64>().is_ok(), "ids stay numbers");

        // The quick-report form: the disaster's name.
        let city = app.login("commander").await;
        let onset = time::OffsetDateTime::now_utc() - time::Duration::minutes(30);
        let r = city
            .post("/api/v1/disasters", &json!({ "name": HOSTILE[0], "disaster_type": "rainstorm", "onset": onset.format(&time::format_description::well_known::Rfc3339).unwrap(), "townships": ["140212100000"], "source": "alarm" }))
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let xr = app.login("xinrong").await;
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "township", "division": "140212100000", "figures": { "affected": 5, "direct_loss_yuan": 855_000, "agri_loss_yuan": 1 } })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = city
            .get(&format!("/api/v1/disasters/{id}/export?format=csv"))
            .await;
        assert_eq!(r.status(), 200);
        let recs = csv_records(&r.bytes().await.unwrap());
        assert_eq!(recs[1][0], "'=HYPERLINK(\"http://x\")", "{recs:?}");
        assert_eq!(recs[1][5], "5", "figures stay numbers");
        // Money is stored in 元; the form counts it in 万元.
        assert_eq!(recs[0][19], "直接经济损失(万元)", "{:?}", recs[0]);
        assert_eq!(
            (recs[1][19].as_str(), recs[1][20].as_str()),
            ("85.5", "0.0001")
        );
        let r = city
            .get(&format!("/api/v1/disasters/{id}/export?format=xlsx"))
            .await;
        assert_eq!(r.status(), 200);
        for xml in sheet_xml(&r.bytes().await.unwrap()) {
            assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
        }
    }
}
