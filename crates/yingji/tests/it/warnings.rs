//! The warning desk over HTTP, on both databases: targeting, drafts,
//! approval by another person, CAP publication, update, cancellation, the
//! public feed, jurisdictions.
use crate::common::*;
use serde_json::{json, Value};

pub(crate) async fn settlement(u: &User, name: &str, div: &str, lon: f64, lat: f64, pop: i64) {
    let r = u
        .post(
            "/api/v1/registries/settlement",
            &json!({ "name": name, "division": div, "lon": lon, "lat": lat,
                     "attrs": { "settlement_type": "village", "population": pop } }),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}: {}", r.text().await.unwrap());
}

fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!([
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d]
    ])
}

fn draft(area: Value) -> Value {
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(12))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    json!({
        "hazard": "rainstorm", "level": "orange",
        "description": "预计未来6小时降雨量将达50毫米以上，并伴有雷电。",
        "area": area, "area_desc": "平城区城区", "expires_at": expires,
    })
}

async fn step(u: &User, id: i64, version: i64, kind: &str) -> (u16, Value) {
    let r = u
        .post(
            &format!("/api/v1/warnings/{id}/events"),
            &json!({ "version": version, "kind": kind }),
        )
        .await;
    let st = r.status().as_u16();
    (st, r.json().await.unwrap())
}

async fn cap(app: &TestApp, w: &Value) -> String {
    let url = app.url(w["cap_url"].as_str().unwrap());
    let r = reqwest::get(url).await.unwrap(); // public: no login
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/cap+xml"));
    r.text().await.unwrap()
}

#[tokio::test]
async fn draft_approve_publish_update_cancel_as_cap() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let yz = app.login("yunzhou").await;
        let (lon, lat) = app.point_in("140213");
        settlement(&pc, "甲村", "140213", lon, lat, 1200).await;
        settlement(&pc, "乙村", "140213", lon + 0.003, lat, 800).await;
        settlement(&pc, "丙村", "140213", lon + 0.03, lat + 0.02, 500).await;
        let (ylon, ylat) = app.point_in("140215");
        settlement(&yz, "云州村", "140215", ylon, ylat, 9999).await;

        // Targeting before approval: the drawn square reaches 甲 and 乙 only.
        let area = json!({ "polygons": [square(lon + 0.0015, lat, 0.005)] });
        let r: Value = pc
            .post("/api/v1/warnings/targeting", &json!({ "area": area }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["population"], 2000, "{r}");
        assert_eq!(r["settlements"], 2);
        assert!(r["geocodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g.as_str().unwrap().len() == 12));
        // A circle and a division can be added; another county is refused.
        let r: Value = pc
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "divisions": ["140213"] } }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            r["population"], 2500,
            "the city's 云州村 is not Pingcheng's: {r}"
        );
        let p: Value = pc
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "divisions": ["140215"] } }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(codes(&p), ["area.divisions[0]:out_of_jurisdiction"], "{p}");

        // Bad drafts name every field.
        let r = pc
            .post(
                "/api/v1/warnings",
                &json!({ "hazard": "x", "level": "purple", "description": "", "area": {}, "area_desc": "", "expires_at": "2020-01-01T00:00:00+08:00" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in [
            "hazard",
            "level",
            "description",
            "area_desc",
            "expires_at",
            "area",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let mut got = codes(&p);
        got.sort();
        assert_eq!(
            got,
            [
                "area:area_required",
                "area_desc:required_max",
                "description:required_max",
                "expires_at:expires_in_past",
                "hazard:unknown_hazard",
                "level:not_allowed",
            ],
            "{p}"
        );

        // A draft by the Pingcheng operator.
        let r = pc.post("/api/v1/warnings", &draft(area.clone())).await;
        assert_eq!(r.status(), 201);
        let w: Value = r.json().await.unwrap();
        let id = w["id"].as_i64().unwrap();
        assert_eq!(w["state"], "draft");
        assert_eq!(w["reach"]["population"], 2000);
        assert!(
            w["instruction"].as_str().unwrap().contains("停课"),
            "default instruction of 橙色暴雨: {w}"
        );
        assert_eq!(
            yz.get(&format!("/api/v1/warnings/{id}")).await.status(),
            404
        );

        // Publishing before approval, approval by an operator, a stale version: refused.
        let (st, _) = step(&cmd, id, 1, "publish").await;
        assert_eq!(st, 409);
        let (st, w) = step(&pc, id, 1, "submit").await;
        assert_eq!(st, 200, "{w}");
        // What each may do now, from the server: the operator may send it
        // back, the commander approve or send it back.
        assert_eq!(w["allowed_events"], json!(["reject"]), "{w}");
        let by_cmd: Value = cmd
            .get(&format!("/api/v1/warnings/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            by_cmd["allowed_events"],
            json!(["approve", "reject"]),
            "{by_cmd}"
        );
        let (st, _) = step(&pc, id, 2, "approve").await;
        assert_eq!(st, 403);
        let (st, _) = step(&cmd, id, 1, "approve").await;
        assert_eq!(st, 409, "stale version");
        let (st, w) = step(&cmd, id, 2, "approve").await;
        assert_eq!(st, 200, "{w}");
        assert_eq!(w["approver"], "commander");
        let (st, w) = step(&cmd, id, 3, "publish").await;
        assert_eq!(st, 200, "{w}");
        assert_eq!(w["state"], "published");
        let ident = w["identifier"].as_str().unwrap().to_string();
        assert!(ident.starts_with("140213418000"), "{ident}");

        // The CAP is public, valid, bilingual, geocoded.
        let xml = cap(&app, &w).await;
        let report = yingji_cap::validate(xml.as_bytes());
        assert!(report.is_valid(), "{:?}", report.problems);
        let doc = yingji_cap::parse(xml.as_bytes()).unwrap();
        assert_eq!(doc.alert.identifier, ident);
        assert_eq!(doc.alert.infos.len(), 2);
        assert_eq!(doc.alert.infos[0].severity, yingji_cap::Severity::Severe);
        assert!(
            xml.contains("平城区应急管理局发布暴雨橙色预警信号"),
            "{xml}"
        );
        assert_eq!(doc.alert.infos[0].areas[0].polygons.len(), 1);

        // An author cannot approve their own warning.
        let r = cmd
            .post(
                "/api/v1/warnings",
                &draft(json!({ "divisions": ["140213"] })),
            )
            .await;
        let own: Value = r.json().await.unwrap();
        let oid = own["id"].as_i64().unwrap();
        let (st, _) = step(&cmd, oid, 1, "submit").await;
        assert_eq!(st, 200);
        let (st, p) = step(&cmd, oid, 2, "approve").await;
        assert_eq!(st, 409);
        assert!(
            p["detail"].as_str().unwrap().contains("审批人不能是起草人"),
            "{p}"
        );

        // Update: a new message that references the first; the first is superseded.
        let r = pc
            .post(&format!("/api/v1/warnings/{id}/revise"), &json!({}))
            .await;
        assert_eq!(r.status(), 201);
        let u: Value = r.json().await.unwrap();
        let uid = u["id"].as_i64().unwrap();
        assert_eq!(u["msg_type"], "Update");
        let mut body = draft(area.clone());
        body["version"] = json!(1);
        body["level"] = json!("red");
        let r = pc.put(&format!("/api/v1/warnings/{uid}"), &body).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        // The Update's preview already names the message it updates.
        let prev: Value = pc
            .get(&format!("/api/v1/warnings/{uid}/cap"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(prev["valid"], true, "{prev}");
        assert!(prev["xml"].as_str().unwrap().contains(&ident), "{prev}");
        assert!(
            prev["problems"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["code"] != "references-missing"),
            "{prev}"
        );
        for (who, v, k) in [
            (&pc, 2, "submit"),
            (&cmd, 3, "approve"),
            (&cmd, 4, "publish"),
        ] {
            let (st, p) = step(who, uid, v, k).await;
            assert_eq!(st, 200, "{k}: {p}");
        }
        let u: Value = pc
            .get(&format!("/api/v1/warnings/{uid}"))
            .await
            .json()
            .await
            .unwrap();
        let uxml = cap(&app, &u).await;
        let udoc = yingji_cap::parse(uxml.as_bytes()).unwrap();
        assert_eq!(udoc.alert.msg_type, yingji_cap::MsgType::Update);
        assert_eq!(udoc.alert.references[0].identifier, ident);
        assert_eq!(udoc.alert.infos[0].severity, yingji_cap::Severity::Extreme);
        let old: Value = pc
            .get(&format!("/api/v1/warnings/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(old["state"], "superseded");

        // Cancel (commander only): a Cancel message referencing the update.
        let uv = u["version"].as_i64().unwrap();
        let r = pc
            .post(
                &format!("/api/v1/warnings/{uid}/cancel"),
                &json!({ "version": uv, "reason": "降雨结束" }),
            )
            .await;
        assert_eq!(r.status(), 403);
        let r = cmd
            .post(
                &format!("/api/v1/warnings/{uid}/cancel"),
                &json!({ "version": uv, "reason": "降雨结束" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["cancelled"]["state"], "cancelled");
        let cxml = cap(&app, &c["cancel_message"]).await;
        let cdoc = yingji_cap::parse(cxml.as_bytes()).unwrap();
        assert_eq!(cdoc.alert.msg_type, yingji_cap::MsgType::Cancel);
        assert_eq!(cdoc.alert.references[0].identifier, udoc.alert.identifier);
        assert!(yingji_cap::validate(cxml.as_bytes()).is_valid());

        // The public Atom feed lists the three sent messages.
        let feed = reqwest::get(app.url("/api/v1/public/cap/feed.atom"))
            .await
            .unwrap();
        assert_eq!(feed.status(), 200);
        let text = feed.text().await.unwrap();
        for i in [&ident, &udoc.alert.identifier, &cdoc.alert.identifier] {
            assert!(text.contains(i.as_str()), "{i} in feed");
        }
        assert_eq!(
            reqwest::get(app.url("/api/v1/public/cap/nope.xml"))
                .await
                .unwrap()
                .status(),
            404
        );
        // Drafts are not public, and the journal verifies.
        let drafts = reqwest::get(app.url("/api/v1/warnings")).await.unwrap();
        assert_eq!(drafts.status(), 401);
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

/// What a webhook receiver got: (name, headers, body).
type Got = std::sync::Arc<std::sync::Mutex<Vec<(String, axum::http::HeaderMap, Vec<u8>)>>>;

/// Receivers: `ok` answers 200, `flaky` 503 the first time then 200, `bad` 400.
async fn receiver() -> (String, Got) {
    use axum::extract::{Path, State};
    let got: Got = Default::default();
    let app = axum::Router::new()
        .route(
            "/hook/{name}",
            axum::routing::post(
                |State(g): State<Got>,
                 Path(name): Path<String>,
                 headers: axum::http::HeaderMap,
                 body: axum::body::Bytes| async move {
                    let mut v = g.lock().unwrap();
                    let seen = v.iter().filter(|x| x.0 == name).count();
                    v.push((name.clone(), headers, body.to_vec()));
                    match (name.as_str(), seen) {
                        ("flaky", 0) => axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        ("bad", _) => axum::http::StatusCode::BAD_REQUEST,
                        _ => axum::http::StatusCode::OK,
                    }
                },
            ),
        )
        .with_state(got.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (format!("http://{addr}"), got)
}

async fn subscriber(u: &User, name: &str, div: &str, lon: f64, lat: f64, url: &str) -> i64 {
    let r = u
        .post(
            "/api/v1/registries/subscriber",
            &json!({ "name": name, "division": div, "lon": lon, "lat": lat,
                     "attrs": { "subscriber_type": "org", "webhook_url": url } }),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}: {}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn published_warnings_reach_subscribers_by_signed_webhook_with_retries_and_dead_letters() {
    let mut dbs = vec![None];
    if let Ok(base) = std::env::var("YINGJI_TEST_DATABASE_URL") {
        dbs.push(Some(fresh_pg_url(&base).await));
    }
    for db in dbs {
        let app = TestApp::start_with(db, |c| {
            c.warnings.webhook_secret = Some("platform-key".into());
            // The test receivers are on this machine (a bureau's own system).
            c.warnings.channels.webhook.allow =
                yingji_channels::AllowList::parse(["127.0.0.1"]).unwrap();
            c.warnings.worker_interval_ms = 100;
            c.warnings.channels.retry.base_ms = 50;
            c.warnings.channels.retry.cap_ms = 200;
            c.warnings.channels.retry.min_ms = 10;
            c.warnings.channels.retry.max_attempts = 3;
        })
        .await;
        let (base, got) = receiver().await;
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let yz = app.login("yunzhou").await;
        let (lon, lat) = app.point_in("140213");
        let ok = subscriber(
            &pc,
            "市第一中学",
            "140213",
            lon,
            lat,
            &format!("{base}/hook/ok"),
        )
        .await;
        subscriber(
            &pc,
            "某物业公司",
            "140213",
            lon + 0.001,
            lat,
            &format!("{base}/hook/flaky"),
        )
        .await;
        subscriber(
            &pc,
            "失效地址",
            "140213",
            lon,
            lat + 0.001,
            &format!("{base}/hook/bad"),
        )
        .await;
        subscriber(
            &pc,
            "范围外单位",
            "140213",
            lon + 0.03,
            lat + 0.02,
            &format!("{base}/hook/outside"),
        )
        .await;
        let (ylon, ylat) = app.point_in("140215");
        subscriber(
            &yz,
            "云州单位",
            "140215",
            ylon,
            ylat,
            &format!("{base}/hook/other"),
        )
        .await;

        let area = json!({ "polygons": [square(lon, lat, 0.005)] });
        let w: Value = pc
            .post("/api/v1/warnings", &draft(area))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(w["reach"]["subscribers"], 3, "{w}");
        let id = w["id"].as_i64().unwrap();
        for (who, v, k) in [
            (&pc, 1, "submit"),
            (&cmd, 2, "approve"),
            (&cmd, 3, "publish"),
        ] {
            let (st, p) = step(who, id, v, k).await;
            assert_eq!(st, 200, "{k}: {p}");
        }
        // The worker delivers; the flaky receiver gets it on the retry, the bad one is dead-lettered.
        let mut d = Value::Null;
        for _ in 0..100 {
            d = pc
                .get(&format!("/api/v1/warnings/{id}/deliveries"))
                .await
                .json()
                .await
                .unwrap();
            let c = &d["counts"]["webhook"];
            if c["delivered"] == 2 && c["dead"] == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(d["counts"]["webhook"]["delivered"], 2, "{d}");
        assert_eq!(d["counts"]["webhook"]["dead"], 1, "{d}");
        assert!(
            d["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["recipient"].get("secret").is_none()),
            "secrets are not shown"
        );
        // Recipients are personal data: the observer sees them masked.
        assert!(d["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["recipient"]["url"] == format!("{base}/hook/ok")));
        let od = app
            .login("observer")
            .await
            .get(&format!("/api/v1/warnings/{id}/deliveries"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!od.contains(&base), "{od}");
        assert!(od.contains("\"url\":\"h**\""), "{od}");
        let v = got.lock().unwrap().clone();
        let names: Vec<&str> = v.iter().map(|x| x.0.as_str()).collect();
        assert!(
            !names.contains(&"outside") && !names.contains(&"other"),
            "{names:?}"
        );
        assert_eq!(names.iter().filter(|n| **n == "flaky").count(), 2);
        // Signed with the subscriber's secret; the retry carries the same idempotency key.
        let (_, h, body) = v.iter().find(|x| x.0 == "ok").unwrap();
        let secret = yingji::warnings::jobs::webhook_secret("platform-key", ok);
        let sig = h["x-yingji-signature"].to_str().unwrap();
        assert!(yingji_channels::verify_signature(
            secret.as_bytes(),
            body,
            sig
        ));
        assert!(!yingji_channels::verify_signature(b"wrong", body, sig));
        assert!(yingji_cap::validate(body).is_valid());
        let keys: Vec<&str> = v
            .iter()
            .filter(|x| x.0 == "flaky")
            .map(|x| x.1["idempotency-key"].to_str().unwrap())
            .collect();
        assert_eq!(keys[0], keys[1]);
        assert_eq!(
            names.iter().filter(|n| **n == "bad").count(),
            1,
            "a 400 is not retried"
        );
    }
}

#[tokio::test]
async fn published_warnings_expire_on_their_own() {
    let app = TestApp::start_with(None, |c| c.warnings.worker_interval_ms = 100).await;
    let pc = app.login("pingcheng").await;
    let cmd = app.login("commander").await;
    let mut body = draft(json!({ "divisions": ["140213"] }));
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::seconds(3))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    body["expires_at"] = json!(expires);
    let w: Value = pc
        .post("/api/v1/warnings", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = w["id"].as_i64().unwrap();
    for (who, v, k) in [
        (&pc, 1, "submit"),
        (&cmd, 2, "approve"),
        (&cmd, 3, "publish"),
    ] {
        let (st, p) = step(who, id, v, k).await;
        assert_eq!(st, 200, "{k}: {p}");
    }
    let mut state = Value::Null;
    for _ in 0..80 {
        let w: Value = pc
            .get(&format!("/api/v1/warnings/{id}"))
            .await
            .json()
            .await
            .unwrap();
        state = w["state"].clone();
        if state == "expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "expired");
    // Expired warnings cannot be revised or cancelled.
    let r = pc
        .post(&format!("/api/v1/warnings/{id}/revise"), &json!({}))
        .await;
    assert_eq!(r.status(), 409);
}

async fn subscriber_with(
    u: &User,
    name: &str,
    div: &str,
    lon: f64,
    lat: f64,
    phone: &str,
    attrs: Value,
) -> i64 {
    let r = u
        .post(
            "/api/v1/registries/subscriber",
            &json!({ "name": name, "division": div, "lon": lon, "lat": lat, "phone": phone, "attrs": attrs }),
        )
        .await;
    assert_eq!(r.status(), 201, "{name}: {}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn targeting_lists_villages_and_subscribers_refuses_bad_shapes_and_coverage_is_measured() {
    let mut dbs = vec![None];
    if let Ok(base) = std::env::var("YINGJI_TEST_DATABASE_URL") {
        dbs.push(Some(fresh_pg_url(&base).await));
    }
    for db in dbs {
        let app = TestApp::start_with(db, |c| {
            c.warnings.webhook_secret = Some("platform-key".into());
            // The test receivers are on this machine (a bureau's own system).
            c.warnings.channels.webhook.allow =
                yingji_channels::AllowList::parse(["127.0.0.1"]).unwrap();
            c.warnings.worker_interval_ms = 100;
            c.warnings.channels.retry.base_ms = 20;
            c.warnings.channels.retry.cap_ms = 50;
            c.warnings.channels.retry.min_ms = 10;
            c.warnings.channels.retry.max_attempts = 2;
        })
        .await;
        let (base, _got) = receiver().await;
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let yz = app.login("yunzhou").await;
        let (lon, lat) = app.point_in("140213");
        settlement(&pc, "甲村", "140213", lon, lat, 1200).await;
        settlement(&pc, "乙村", "140213", lon + 0.003, lat, 800).await;
        settlement(&pc, "丙村", "140213", lon + 0.03, lat + 0.02, 500).await;
        subscriber_with(
            &pc,
            "市第一中学",
            "140213",
            lon,
            lat,
            "13800138000",
            json!({ "subscriber_type": "org", "email": "school@example.cn", "webhook_url": format!("{base}/hook/ok") }),
        )
        .await;
        subscriber_with(
            &pc,
            "张三",
            "140213",
            lon + 0.001,
            lat,
            "13900139000",
            json!({ "subscriber_type": "person" }),
        )
        .await;
        subscriber_with(
            &pc,
            "失效单位",
            "140213",
            lon,
            lat + 0.001,
            "",
            json!({ "subscriber_type": "org", "webhook_url": format!("{base}/hook/bad") }),
        )
        .await;
        subscriber_with(
            &pc,
            "范围外",
            "140213",
            lon + 0.03,
            lat + 0.02,
            "13700137000",
            json!({ "subscriber_type": "person" }),
        )
        .await;

        // The preview names the villages, their population and subscribers per channel.
        let area = json!({ "polygons": [square(lon + 0.0015, lat, 0.005)] });
        let r: Value = pc
            .post("/api/v1/warnings/targeting", &json!({ "area": area }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(r["population"], 2000, "{r}");
        let mut villages: Vec<(String, i64)> = r["villages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["population"].as_i64().unwrap(),
                )
            })
            .collect();
        villages.sort();
        assert_eq!(
            villages,
            [("乙村".to_string(), 800), ("甲村".to_string(), 1200)]
        );
        assert_eq!(r["villages"][0]["township"], "140213");
        assert_eq!(r["subscribers"], 3, "{r}");
        assert_eq!(
            r["subscribers_by_channel"],
            json!({ "sms": 2, "email": 1, "webhook": 2 }),
            "{r}"
        );
        assert_eq!(r["channels_configured"]["webhook"], true);
        assert_eq!(r["channels_configured"]["broadcast"], false);

        // A polygon that crosses itself: the ring, the crossing point and the two edges.
        let bowtie = json!([
            [lon, lat],
            [lon + 0.01, lat + 0.01],
            [lon + 0.01, lat],
            [lon, lat + 0.01]
        ]);
        let r = pc
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "polygons": [square(lon, lat, 0.002), bowtie] } }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "area.polygons[1]", "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("自相交"),
            "{p}"
        );
        assert_eq!(p["errors"][0]["code"], "polygon_self_intersects", "{p}");
        let at = &p["errors"][0]["at"];
        assert_eq!(at["type"], "GeometryCollection", "{p}");
        let x = at["geometries"][0]["coordinates"][0].as_f64().unwrap();
        assert!((x - (lon + 0.005)).abs() < 1e-6, "{p}");
        // Drafts are refused the same way.
        let r = pc
            .post("/api/v1/warnings", &draft(json!({ "polygons": [[[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01]]] })))
            .await;
        assert_eq!(r.status(), 422);

        // Shapes outside the jurisdiction: wholly (the ring), partly (the vertex), a circle's centre.
        let (ylon, ylat) = app.point_in("140215");
        let pingcheng = yingji::divisions::Code::parse("140213").unwrap();
        assert_eq!(
            app.state.tree().contains_point(&pingcheng, ylon, ylat),
            Some(false)
        );
        let r = pc
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "polygons": [square(ylon, ylat, 0.002)] } }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "area.polygons[0]", "{p}");
        assert_eq!(p["errors"][0]["at"]["type"], "LineString", "{p}");
        let r = pc
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "polygons": [[[lon, lat], [lon + 0.004, lat], [ylon, ylat]]],
                "circles": [{ "lon": ylon, "lat": ylat, "radius_m": 500.0 }] } }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["area.polygons[0][2]", "area.circles[0]"], "{p}");
        let codes: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["vertex_outside_jurisdiction", "circle_outside_jurisdiction"],
            "{p}"
        );
        assert_eq!(p["errors"][0]["params"]["vertex"], 3, "{p}");
        let x = p["errors"][0]["at"]["coordinates"][0].as_f64().unwrap();
        assert!((x - ylon).abs() < 1e-9, "{p}");
        // The city commander may draw in Yunzhou.
        let r = cmd
            .post(
                "/api/v1/warnings/targeting",
                &json!({ "area": { "polygons": [square(ylon, ylat, 0.002)] } }),
            )
            .await;
        assert_eq!(r.status(), 200);

        // Publish, then measure coverage.
        let w: Value = pc
            .post("/api/v1/warnings", &draft(area.clone()))
            .await
            .json()
            .await
            .unwrap();
        let id = w["id"].as_i64().unwrap();
        assert_eq!(w["reach"]["villages"].as_array().unwrap().len(), 2);
        let listed: Value = pc.get("/api/v1/warnings").await.json().await.unwrap();
        let row = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap();
        assert_eq!(row["reach"]["population"], 2000);
        assert!(
            row["reach"].get("villages").is_none(),
            "the list is kept small"
        );
        // Before sending: the CAP as it would go out, valid.
        let prev: Value = pc
            .get(&format!("/api/v1/warnings/{id}/cap"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(prev["sent"], false, "{prev}");
        assert_eq!(prev["valid"], true, "{prev}");
        assert!(yingji_cap::validate(prev["xml"].as_str().unwrap().as_bytes()).is_valid());
        let c: Value = pc
            .get(&format!("/api/v1/warnings/{id}/coverage"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(c["sent"], false);
        assert_eq!(c["targeted_population"], 2000, "{c}");
        assert_eq!(c["reached_population"], 0);
        for (who, v, k) in [
            (&pc, 1, "submit"),
            (&cmd, 2, "approve"),
            (&cmd, 3, "publish"),
        ] {
            let (st, p) = step(who, id, v, k).await;
            assert_eq!(st, 200, "{k}: {p}");
        }
        let mut c = Value::Null;
        for _ in 0..100 {
            c = pc
                .get(&format!("/api/v1/warnings/{id}/coverage"))
                .await
                .json()
                .await
                .unwrap();
            if c["channels"]["webhook"]["delivered"] == 1 && c["channels"]["webhook"]["dead"] == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // One webhook delivered and one dead: the failure blocks nothing.
        assert_eq!(
            c["channels"]["webhook"],
            json!({ "targeted": 2, "delivered": 1, "pending": 0, "dead": 1 }),
            "{c}"
        );
        assert_eq!(c["target_share"], 0.9);
        assert_eq!(c["targeted_population"], 2000);
        assert_eq!(
            c["reached_population"], 0,
            "no loudspeakers configured: {c}"
        );
        assert_eq!(c["met"], false);
        assert_eq!(c["broadcast_configured"], false);
        let row = &c["by_division"][0];
        assert_eq!(row["code"], "140213", "{c}");
        assert_eq!(row["name"], "平城区");
        assert_eq!(row["targeted_population"], 2000);
        assert_eq!(row["recipients"]["webhook"]["delivered"], 1);
        assert!(c["rule"].as_str().unwrap().contains("90%"));
        let sent: Value = pc
            .get(&format!("/api/v1/warnings/{id}/cap"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(sent["sent"], true);
        assert_eq!(sent["identifier"], c["identifier"]);

        // Another county's operator sees none of it.
        for path in ["coverage", "cap", "deliveries"] {
            assert_eq!(
                yz.get(&format!("/api/v1/warnings/{id}/{path}"))
                    .await
                    .status(),
                404,
                "{path}"
            );
        }
        assert_eq!(
            pc.get("/api/v1/warnings/999999/coverage").await.status(),
            404
        );
    }
}

#[tokio::test]
async fn a_warning_whose_expiry_passed_before_publication_is_refused_field_by_field() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let mut body = draft(json!({ "divisions": ["140213"] }));
        let expires = (time::OffsetDateTime::now_utc() + time::Duration::seconds(3))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        body["expires_at"] = json!(expires);
        let w: Value = pc
            .post("/api/v1/warnings", &body)
            .await
            .json()
            .await
            .unwrap();
        let id = w["id"].as_i64().unwrap();
        for (who, v, k) in [(&pc, 1, "submit"), (&cmd, 2, "approve")] {
            let (st, p) = step(who, id, v, k).await;
            assert_eq!(st, 200, "{k}: {p}");
        }
        // CAP times are whole seconds: wait until the expiry is a full second past.
        tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
        let prev: Value = pc
            .get(&format!("/api/v1/warnings/{id}/cap"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(prev["valid"], false, "{prev}");
        assert_eq!(prev["problems"][0]["field"], "expires_at", "{prev}");
        let (st, p) = step(&cmd, id, 3, "publish").await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], "expires_at", "{p}");
        assert_eq!(p["errors"][0]["cap_path"], "alert/info[0]/expires", "{p}");
        assert_eq!(p["errors"][0]["code"], "expires_in_past", "{p}");
        let w: Value = pc
            .get(&format!("/api/v1/warnings/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(w["state"], "approved", "nothing was sent");
        assert!(w["identifier"].is_null());
        // Back to the author, who fixes the expiry; it goes through.
        let r = cmd
            .post(
                &format!("/api/v1/warnings/{id}/events"),
                &json!({ "version": 3, "kind": "reject", "reason": "失效时间已过" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        let mut body = draft(json!({ "divisions": ["140213"] }));
        body["version"] = json!(4);
        let r = pc.put(&format!("/api/v1/warnings/{id}"), &body).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        for (who, v, k) in [
            (&pc, 5, "submit"),
            (&cmd, 6, "approve"),
            (&cmd, 7, "publish"),
        ] {
            let (st, p) = step(who, id, v, k).await;
            assert_eq!(st, 200, "{k}: {p}");
        }
    }
}
