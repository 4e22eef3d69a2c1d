//! Every file the platform exports (XLSX, CSV, DOCX) prints times in Beijing
//! time, never a UTC `Z` string (issue #13; docs/rules.md "Exported times are
//! Beijing time with the offset"). The endpoints are taken from the OpenAPI
//! document, so a new export endpoint fails this test until it is scanned
//! here with data that has times in it.
use std::io::Read;

use crate::common::*;
use crate::supply_requests::{item, receive, warehouse};
use serde_json::{json, Value};

/// The text of a file: CSV as is; XLSX and DOCX, every XML part of the zip.
fn file_text(bytes: &[u8]) -> String {
    if !bytes.starts_with(b"PK") {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.ends_with(".xml") && !name.starts_with("docProps/") {
            f.read_to_string(&mut out).unwrap();
        }
    }
    out
}

/// A UTC time string: `…HH:MM[:SS[.fff]]Z`, or an ISO date-time with `Z`.
fn z_times(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices('Z') {
        // Look back for "HH:MM" ending right before the Z (seconds and
        // fractions allowed).
        let mut j = i;
        while j > 0 && (b[j - 1].is_ascii_digit() || b[j - 1] == b'.' || b[j - 1] == b':') {
            j -= 1;
        }
        let t = &text[j..i];
        if t.len() >= 5 && t.contains(':') && t.as_bytes()[0].is_ascii_digit() {
            out.push(text[j.saturating_sub(11)..=i].to_string());
        }
    }
    out
}

#[test]
fn the_scan_finds_utc_strings_and_passes_local_ones() {
    for (text, found) in [
        ("2026-07-01T02:00:00Z", true),
        ("2026-07-01T02:00:00.123Z", true),
        ("报送 2026-07-01 02:00Z", true),
        ("2026-07-01 10:00:00+08:00", false),
        ("ZIP Zone 10:00 Z", false),
        ("<w:t>Z</w:t>", false),
    ] {
        assert_eq!(!z_times(text).is_empty(), found, "{text}");
    }
}

/// Every GET path of the OpenAPI document that downloads a file.
fn export_paths() -> Vec<String> {
    let doc: Value = serde_json::from_str(&yingji::server::openapi_json().unwrap()).unwrap();
    let mut out: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, ops)| {
            ops.get("get").is_some()
                && (p.ends_with("/export") || p.ends_with(".docx") || p.ends_with(".xlsx"))
        })
        .map(|(p, _)| p.clone())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn no_export_prints_a_utc_time() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        let iso = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        // A disaster with a township and a county report (times: onset, 报送).
        let (st, d) = send(
            cmd.post(
                "/api/v1/disasters",
                &json!({ "name": "导出检查暴雨", "disaster_type": "rainstorm",
            "onset": iso(now - time::Duration::hours(1)), "townships": ["140213050000"] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {d}");
        let did = d["id"].as_i64().unwrap();
        // An accident with its times (occurred, learned, received): the 事故快报.
        let (st, acc) = send(
            pc.post(
                "/api/v1/accidents",
                &json!({ "name": "导出测试事故", "industry": "construction", "division": "140213",
                    "occurred_at": iso(now - time::Duration::hours(3)),
                    "unit_learned_at": iso(now - time::Duration::hours(3)),
                    "received_at": iso(now - time::Duration::hours(2)),
                    "deaths": 1, "serious_injuries": 0, "direct_loss_yuan": 0 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {acc}");
        let aid = acc["id"].as_i64().unwrap();
        for (level, division) in [("township", "140213050000"), ("county", "140213000000")] {
            let (st, r) = send(
                cmd.post(
                    &format!("/api/v1/disasters/{did}/reports"),
                    &json!({ "kind": "initial", "level": level, "division": division,
                "figures": { "affected": 10, "dead": 1 } }),
                )
                .await,
            )
            .await;
            assert_eq!(st, 201, "{b}: {r}");
        }
        // A duty-log entry (time).
        let (st, e) = send(
            pc.post(
                "/api/v1/duty/log",
                &json!({ "kind": "call", "text": "群众来电：积水" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {e}");
        // A stock card with postings (times).
        let w = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        receive(&admin, &cmd, w, tent, 5).await;
        // A consultation (scheduled time, the minutes' made-at line).
        let (st, i) = send(
            pc.post(
                "/api/v1/incidents",
                &json!({ "title": "导出检查事件", "incident_type": "accident.production.coal_mine", "division": "140213",
                    "source": "phone", "reporter": "张伟", "reporter_phone": "13800138000",
                    "facts": { "deaths": 0, "trapped": 1 }, "description": "井下透水" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {i}");
        let (st, c) = send(
            pc.post(
                "/api/v1/consultations",
                &json!({ "incident_id": i["id"], "title": "导出检查会商", "scheduled_at": iso(now + time::Duration::hours(1)) }),
            )
            .await,
        )
        .await;
        let cid = if st == 201 { c["id"].as_i64() } else { None };
        // A distribution list (签收表) of a shelter (times: made, signed).
        let (lon, lat) = app.point_in("140213");
        let (st, sh) = send(
            admin
                .post(
                    "/api/v1/registries/shelter",
                    &json!({ "name": "导出检查体育馆", "division": "140213", "lon": lon, "lat": lat,
                        "attrs": { "shelter_class": "III", "duration_days": 3, "area_m2": 3000.0, "capacity": 100 } }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {sh}");
        let shelter = sh["id"].as_i64().unwrap();
        let (st, o) = send(
            pc.post(&format!("/api/v1/shelters/{shelter}/open"), &json!({}))
                .await,
        )
        .await;
        assert!(st == 200 || st == 201, "{b}: {o}");
        let (st, l) = send(
            pc.post(
                "/api/v1/supplies/distributions",
                &json!({ "warehouse_id": w, "shelter_id": shelter, "place": "导出检查体育馆", "households": [
                    { "head_name": "张伟", "id_last4": "5678", "members": 2, "items": [{ "item_id": tent, "qty": 1 }] }] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {l}");
        let list = l["doc_id"].as_i64().unwrap();
        let day = (now + time::Duration::hours(8)).date();
        let mut scanned = Vec::new();
        for path in export_paths() {
            let urls: Vec<String> = match path.as_str() {
                "/api/v1/disasters/{id}/export" => vec![
                    format!("/api/v1/disasters/{did}/export?format=xlsx"),
                    format!("/api/v1/disasters/{did}/export?format=csv"),
                ],
                "/api/v1/duty/log/export" => vec!["/api/v1/duty/log/export".into()],
                "/api/v1/indicators/export" => vec![
                    "/api/v1/indicators/export?format=xlsx".into(),
                    "/api/v1/indicators/export?format=csv".into(),
                ],
                "/api/v1/registries/{kind}/export" => vec![
                    "/api/v1/registries/warehouse/export?format=csv".into(),
                    "/api/v1/registries/warehouse/export?format=xlsx".into(),
                ],
                "/api/v1/supervision/stats/export" => vec!["/api/v1/supervision/stats/export".into()],
                "/api/v1/supplies/card/export" => vec![format!(
                    "/api/v1/supplies/card/export?warehouse_id={w}&item_id={tent}&from={day}&to={day}"
                )],
                "/api/v1/supplies/stock/export" => vec!["/api/v1/supplies/stock/export".into()],
                "/api/v1/supplies/distributions/{id}/export" => {
                    vec![format!("/api/v1/supplies/distributions/{list}/export")]
                }
                "/api/v1/consultations/{id}/minutes.docx" => match cid {
                    Some(id) => vec![format!("/api/v1/consultations/{id}/minutes.docx")],
                    None => panic!("{b}: the consultation was not created: {c}"),
                },
                "/api/v1/disasters/{id}/bulletin.docx" => {
                    vec![format!("/api/v1/disasters/{did}/bulletin.docx")]
                }
                "/api/v1/accidents/{id}/bulletin.docx" => {
                    vec![format!("/api/v1/accidents/{aid}/bulletin.docx")]
                }
                "/api/v1/duty/daily.docx" => {
                    vec![format!("/api/v1/duty/daily.docx?date={day}")]
                }
                other => panic!("{other}: a new export endpoint; scan it here with data that has times"),
            };
            for url in urls {
                let user = if url.contains("/duty/")
                    || url.contains("/consultations/")
                    || url.contains("/distributions/")
                {
                    &pc
                } else {
                    &cmd
                };
                let r = user.get(&url).await;
                assert_eq!(r.status(), 200, "{b} {url}");
                let text = file_text(&r.bytes().await.unwrap());
                assert!(!text.is_empty(), "{b} {url}");
                let z = z_times(&text);
                assert!(z.is_empty(), "{b} {url}: UTC times {z:?}");
                scanned.push(url);
            }
        }
        // Another county reads neither 平城区's 值班日报 nor its 信息专报.
        let yz = app.login("yunzhou").await;
        let (st, p) = send(
            yz.get(&format!(
                "/api/v1/duty/daily.docx?division=140213&date={day}"
            ))
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["division:out_of_jurisdiction".to_string()]),
            "{b}"
        );
        // The 值班日报 says the entry, in Beijing time.
        let r = pc.get(&format!("/api/v1/duty/daily.docx?date={day}")).await;
        let text = file_text(&r.bytes().await.unwrap());
        assert!(
            text.contains("群众来电：积水") && text.contains("+08:00"),
            "{b}: {text}"
        );
        // The files that carry times do print them, in Beijing time.
        let r = cmd
            .get(&format!("/api/v1/disasters/{did}/export?format=csv"))
            .await;
        assert!(r.text().await.unwrap().contains("+08:00"), "{b}");
        assert!(scanned.len() >= 10, "{b}: {scanned:?}");
    }
}
