//! Upstream CAP alerts over HTTP, on both databases: read from an Atom feed
//! (linked and embedded alerts) and from a watched directory, stored once,
//! invalid ones kept with their problems, scoped by the divisions they name,
//! shown as a map layer, cancelled by an upstream Cancel, and relayed as a
//! local warning whose CAP references the original.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use yingji::upstream::SourceConfig;

const SENDER: &str = "sxqxt@cma.gov.cn";

fn cst(t: OffsetDateTime) -> String {
    t.to_offset(time::macros::offset!(+8))
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// A CAP 1.2 alert as the provincial meteorological office writes it.
fn alert(
    identifier: &str,
    msg_type: &str,
    event: &str,
    severity: &str,
    geocode: &str,
    at: (f64, f64),
    refs: &str,
) -> String {
    let (lon, lat) = at;
    let now = OffsetDateTime::now_utc();
    let refs = if refs.is_empty() {
        String::new()
    } else {
        format!("<references>{refs}</references>")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{SENDER}</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <expires>{expires}</expires>
    <senderName>山西省气象台</senderName>
    <headline>山西省气象台发布{event}预警</headline>
    <description>预计未来24小时大同市部分地区将出现强降水。</description>
    <instruction>注意防范城市内涝和山洪。</instruction>
    <area>
      <areaDesc>大同市局部</areaDesc>
      <circle>{lat:.5},{lon:.5} 0.5</circle>
      <geocode><valueName>行政区划代码</valueName><value>{geocode}</value></geocode>
    </area>
  </info>
</alert>"#,
        sent = cst(now),
        expires = cst(now + time::Duration::days(1)),
    )
}

/// Not CAP 1.2: no sender, a bad status, an open polygon.
const INVALID: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>bad-1</identifier>
  <sent>2026-11-29T08:00:00+08:00</sent>
  <status>Maybe</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info><category>Met</category><event>大风</event><urgency>Expected</urgency><severity>Minor</severity><certainty>Likely</certainty>
    <area><areaDesc>x</areaDesc><polygon>40.0,113.0 40.1,113.1 40.0,113.2 40.1,113.3</polygon></area></info>
</alert>"#;

type Files = Arc<Mutex<HashMap<String, String>>>;

/// A feed server: `/feed.atom` and `/cap/{name}` from `files`.
async fn feed_server(files: Files) -> String {
    use axum::extract::{Path, State};
    let app = axum::Router::new()
        .route(
            "/{*path}",
            axum::routing::get(|State(f): State<Files>, Path(p): Path<String>| async move {
                match f.lock().unwrap().get(&p) {
                    Some(body) => (axum::http::StatusCode::OK, body.clone()),
                    None => (axum::http::StatusCode::NOT_FOUND, String::new()),
                }
            }),
        )
        .with_state(files);
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    format!("http://{addr}")
}

fn atom(entries: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>山西省突发事件预警信息</title><id>urn:x</id><updated>2026-11-29T00:00:00Z</updated>{}</feed>"#,
        entries.join("")
    )
}

fn linked(n: usize, href: &str) -> String {
    format!(
        r#"<entry><id>urn:{n}</id><title>{n}</title><updated>2026-11-29T00:00:00Z</updated><link rel="alternate" type="text/html" href="/page/{n}"/><link rel="alternate" type="application/cap+xml" href="{href}"/></entry>"#
    )
}

fn embedded(n: usize, xml: &str) -> String {
    let body = xml.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    format!(
        r#"<entry><id>urn:{n}</id><title>{n}</title><updated>2026-11-29T00:00:00Z</updated><content type="application/xml">{body}</content></entry>"#
    )
}

async fn read(u: &User, source: &str) -> Value {
    let r = u
        .post(
            &format!("/api/v1/upstream-sources/{source}/read"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn list(u: &User) -> Vec<Value> {
    u.get("/api/v1/upstream-alerts")
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
}

fn ids_of(v: &[Value], f: impl Fn(&Value) -> bool) -> Vec<i64> {
    v.iter()
        .filter(|a| f(a))
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn feed_alerts_are_stored_once_scoped_cancelled_and_relayed_with_a_reference() {
    let files: Files = Default::default();
    let base = feed_server(files.clone()).await;
    for (n, backend) in backends().await.into_iter().enumerate() {
        let feed_path = format!("feed-{n}.atom");
        let url = format!("{base}/{feed_path}");
        let app = TestApp::start_with(backend, |c| {
            c.upstream.sources = vec![SourceConfig {
                name: "省气象台".into(),
                url: Some(url),
                dir: None,
                interval_s: 3600,
            }];
        })
        .await;
        let (lon, lat) = app.point_in("140213");
        let (ylon, ylat) = app.point_in("140215");
        let stamp = format!(
            "{}{}",
            app.backend,
            OffsetDateTime::now_utc().unix_timestamp_nanos()
        );
        let pc_id = format!("PC{stamp}");
        let pc_xml = alert(
            &pc_id,
            "Alert",
            "暴雨",
            "Severe",
            "140213000000",
            (lon, lat),
            "",
        );
        let yz_xml = alert(
            &format!("YZ{stamp}"),
            "Alert",
            "大风",
            "Minor",
            "140215000000",
            (ylon, ylat),
            "",
        );
        {
            let mut f = files.lock().unwrap();
            f.insert(format!("cap/{stamp}/pc.xml"), pc_xml.clone());
            f.insert(format!("cap/{stamp}/bad.xml"), INVALID.into());
            f.insert(
                feed_path.clone(),
                atom(&[
                    linked(1, &format!("cap/{stamp}/pc.xml")),
                    linked(2, &format!("/cap/{stamp}/bad.xml")),
                    embedded(3, &yz_xml),
                ]),
            );
        }
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        read(&cmd, "省气象台").await;
        let all = list(&cmd).await;
        assert_eq!(all.len(), 3, "{}: {all:?}", app.backend);
        // A second read stores nothing new.
        let again = read(&cmd, "省气象台").await;
        assert!(
            again["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["outcome"] == "duplicate"),
            "{again}"
        );
        assert_eq!(list(&cmd).await.len(), 3);

        // Invalid: kept, rejected, with element paths; visible city-wide.
        let bad = all
            .iter()
            .find(|a| a["state"] == "rejected")
            .expect("the invalid alert");
        let paths: Vec<&str> = bad["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap())
            .collect();
        assert!(paths.iter().any(|p| p.contains("sender")), "{paths:?}");
        assert!(paths.iter().any(|p| p.contains("polygon")), "{paths:?}");

        // Scope: each county sees its own and the city-wide, not the other's.
        let mine = |a: &Value, who: &str| a["identifier"].as_str().unwrap().starts_with(who);
        let pcs = list(&pc).await;
        assert!(
            pcs.iter().any(|a| mine(a, "PC")) && !pcs.iter().any(|a| mine(a, "YZ")),
            "{pcs:?}"
        );
        let yzs = list(&yz).await;
        assert!(yzs.iter().any(|a| mine(a, "YZ")) && !yzs.iter().any(|a| mine(a, "PC")));
        assert!(yzs.iter().any(|a| a["state"] == "rejected"));
        let pc_alert = ids_of(&pcs, |a| mine(a, "PC"))[0];
        assert_eq!(
            yz.get(&format!("/api/v1/upstream-alerts/{pc_alert}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            yz.post(
                &format!("/api/v1/upstream-alerts/{pc_alert}/relay"),
                &json!({})
            )
            .await
            .status(),
            404
        );

        // The original bytes, a summary, the map layer.
        let raw = pc
            .get(&format!("/api/v1/upstream-alerts/{pc_alert}/cap"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(raw, pc_xml);
        let d: Value = pc
            .get(&format!("/api/v1/upstream-alerts/{pc_alert}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["summary"]["level"], "orange");
        assert_eq!(d["summary"]["event"], "暴雨");
        assert_eq!(d["jurisdiction"], "140213");
        // The server says what may be done with it: an active alert is
        // relayed by who may write warnings, a rejected one by nobody.
        assert_eq!(d["allowed_events"], json!(["relay"]), "{d}");
        let rejected = yzs.iter().find(|a| a["state"] == "rejected").unwrap();
        assert_eq!(rejected["allowed_events"], json!([]), "{rejected}");
        let layer: Value = pc
            .get("/api/v1/upstream-alerts/layer")
            .await
            .json()
            .await
            .unwrap();
        let feats = layer["features"].as_array().unwrap();
        assert_eq!(feats.len(), 1, "only 平城区's active alert: {layer}");
        assert_eq!(feats[0]["geometry"]["type"], "Point");
        assert_eq!(feats[0]["properties"]["radius_m"], 500.0);

        // Relaying a rejected one is refused; the 平城区 one becomes a draft.
        let bad_id = bad["id"].as_i64().unwrap();
        assert_eq!(
            pc.post(
                &format!("/api/v1/upstream-alerts/{bad_id}/relay"),
                &json!({})
            )
            .await
            .status(),
            409
        );
        let r = pc
            .post(
                &format!("/api/v1/upstream-alerts/{pc_alert}/relay"),
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let w: Value = r.json().await.unwrap();
        assert_eq!(
            (
                w["hazard"].as_str(),
                w["level"].as_str(),
                w["state"].as_str()
            ),
            (Some("rainstorm"), Some("orange"), Some("draft")),
            "{w}"
        );
        assert!(w["description"].as_str().unwrap().contains(&pc_id));
        let wid = w["id"].as_i64().unwrap();
        for (u, v, kind) in [
            (&pc, 1, "submit"),
            (&cmd, 2, "approve"),
            (&cmd, 3, "publish"),
        ] {
            let r = u
                .post(
                    &format!("/api/v1/warnings/{wid}/events"),
                    &json!({ "version": v, "kind": kind }),
                )
                .await;
            assert_eq!(r.status(), 200, "{kind}: {}", r.text().await.unwrap());
        }
        let w: Value = pc
            .get(&format!("/api/v1/warnings/{wid}"))
            .await
            .json()
            .await
            .unwrap();
        let xml = reqwest::get(app.url(w["cap_url"].as_str().unwrap()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let doc = yingji_cap::parse(xml.as_bytes()).unwrap();
        assert_eq!(doc.alert.references.len(), 1, "{xml}");
        assert_eq!(doc.alert.references[0].identifier, pc_id);
        assert_eq!(doc.alert.references[0].sender, SENDER);
        let d: Value = pc
            .get(&format!("/api/v1/upstream-alerts/{pc_alert}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["relayed_as"], json!([wid]));

        // An upstream Cancel takes the original out of force.
        let sent = yingji_cap::parse(pc_xml.as_bytes()).unwrap().alert.sent;
        let cancel = alert(
            &format!("PCX{stamp}"),
            "Cancel",
            "暴雨",
            "Severe",
            "140213000000",
            (lon, lat),
            &format!("{SENDER},{pc_id},{sent}"),
        );
        {
            let mut f = files.lock().unwrap();
            f.insert(format!("cap/{stamp}/cancel.xml"), cancel);
            let feed = f[&feed_path].replace(
                "</feed>",
                &format!("{}</feed>", linked(4, &format!("cap/{stamp}/cancel.xml"))),
            );
            f.insert(feed_path.clone(), feed);
        }
        read(&cmd, "省气象台").await;
        let d: Value = pc
            .get(&format!("/api/v1/upstream-alerts/{pc_alert}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["state"], "cancelled");
        let active: Vec<Value> = pc
            .get("/api/v1/upstream-alerts?active=true")
            .await
            .json()
            .await
            .unwrap();
        assert!(active.is_empty(), "{active:?}");
        let cancelled: Value = pc
            .get(&format!("/api/v1/upstream-alerts/{pc_alert}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(cancelled["allowed_events"], json!([]), "{cancelled}");
        assert_eq!(
            pc.post(
                &format!("/api/v1/upstream-alerts/{pc_alert}/relay"),
                &json!({})
            )
            .await
            .status(),
            409
        );

        // The sources' status; observers may not trigger a read; a bad filter is named.
        let s: Value = cmd
            .get("/api/v1/upstream-sources")
            .await
            .json()
            .await
            .unwrap();
        assert!(s[0]["status"]["last_ok_at"].is_string(), "{s}");
        let obs = app.login("observer").await;
        assert_eq!(
            obs.post("/api/v1/upstream-sources/省气象台/read", &json!({}))
                .await
                .status(),
            403
        );
        let p: Value = pc
            .get("/api/v1/upstream-alerts?state=gone")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], "state");
    }
}

#[tokio::test]
async fn a_watched_directory_is_read_and_an_unreachable_feed_is_reported() {
    for backend in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let app = TestApp::start_with(backend, |c| {
            c.upstream.sources = vec![
                SourceConfig {
                    name: "inbox".into(),
                    url: None,
                    dir: Some(d),
                    interval_s: 3600,
                },
                SourceConfig {
                    name: "down".into(),
                    url: Some("http://127.0.0.1:9/feed.atom".into()),
                    dir: None,
                    interval_s: 3600,
                },
            ];
        })
        .await;
        let (lon, lat) = app.point_in("140213");
        std::fs::write(
            dir.path().join("a.xml"),
            alert(
                "A1",
                "Alert",
                "森林火险",
                "Moderate",
                "140213000000",
                (lon, lat),
                "",
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("b.CAP"), INVALID).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not an alert").unwrap();
        let cmd = app.login("commander").await;
        read(&cmd, "inbox").await;
        let all = list(&cmd).await;
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all
            .iter()
            .any(|a| a["state"] == "active" && a["summary"]["level"] == "yellow"));
        std::fs::write(
            dir.path().join("c.xml"),
            alert(
                "C1",
                "Alert",
                "地震速报",
                "Extreme",
                "140213000000",
                (lon, lat),
                "",
            ),
        )
        .unwrap();
        read(&cmd, "inbox").await;
        assert_eq!(list(&cmd).await.len(), 3);

        // A relay whose hazard cannot be guessed names the field.
        std::fs::write(
            dir.path().join("d.xml"),
            alert(
                "D1",
                "Alert",
                "空气质量",
                "Moderate",
                "140213000000",
                (lon, lat),
                "",
            ),
        )
        .unwrap();
        read(&cmd, "inbox").await;
        let d = list(&cmd)
            .await
            .into_iter()
            .find(|a| a["identifier"] == "D1")
            .unwrap();
        let r = cmd
            .post(
                &format!("/api/v1/upstream-alerts/{}/relay", d["id"]),
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "hazard");

        let r = cmd
            .post("/api/v1/upstream-sources/down/read", &json!({}))
            .await;
        assert_eq!(r.status(), 503);
        let s: Value = cmd
            .get("/api/v1/upstream-sources")
            .await
            .json()
            .await
            .unwrap();
        let down = s
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "down")
            .unwrap();
        assert!(down["status"]["last_error"].is_string(), "{down}");
    }
}
