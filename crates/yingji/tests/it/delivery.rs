//! Every warning channel of the platform at once, on both databases: a
//! published warning reaches subscribers by SMS (an HTTP gateway), e-mail
//! (SMTP, with the CAP attached) and webhook, and the loudspeakers of each
//! township it touches by MQTT (the local Mosquitto); a recipient the SMS
//! gateway refuses is dead-lettered without holding up the others.
use std::sync::{Arc, Mutex};

use crate::common::*;
use serde_json::{json, Value};
use yingji_channels::testing::fake_smtp;

type Sms = Arc<Mutex<Vec<Value>>>;

/// An SMS gateway: `{"code":"0"}` except for numbers ending 44 (`isv.MOBILE_NUMBER_ILLEGAL`).
async fn sms_gateway() -> (String, Sms) {
    use axum::extract::State;
    let got: Sms = Default::default();
    let app = axum::Router::new()
        // A webhook receiver that takes 6 s to answer.
        .route(
            "/slow",
            axum::routing::post(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(6)).await;
                "ok"
            }),
        )
        .route(
            "/sms",
            axum::routing::post(
                |State(g): State<Sms>, axum::Json(body): axum::Json<Value>| async move {
                    let bad = body["phone"].as_str().unwrap_or("").ends_with("44");
                    g.lock().unwrap().push(body);
                    axum::Json(if bad {
                        json!({ "code": "isv.MOBILE_NUMBER_ILLEGAL", "msg": "非法手机号" })
                    } else {
                        json!({ "code": "0", "msg": "OK" })
                    })
                },
            ),
        )
        .with_state(got.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (format!("http://{addr}/sms"), got)
}

async fn mosquitto_up() -> bool {
    tokio::net::TcpStream::connect("127.0.0.1:1883")
        .await
        .is_ok()
}

#[tokio::test]
async fn sms_email_webhook_and_broadcast_deliver_and_a_refused_number_is_dead_lettered() {
    assert!(
        mosquitto_up().await,
        "the MQTT tests need Mosquitto on 127.0.0.1:1883 (.ci/run starts it)"
    );
    let (sms_url, sms) = sms_gateway().await;
    let slow = sms_url.replace("/sms", "/slow");
    let (smtp, mails) = fake_smtp().await;
    for db in backends().await {
        let (sms_url, smtp_port) = (sms_url.clone(), smtp.port());
        let app = TestApp::start_with(db, move |c| {
            c.warnings.worker_interval_ms = 100;
            c.warnings.channels.retry.base_ms = 50;
            c.warnings.channels.retry.cap_ms = 200;
            c.warnings.channels.retry.min_ms = 10;
            c.warnings.channels.retry.max_attempts = 3;
            // The test receivers are on this machine, as a bureau's own systems would be allowed.
            c.warnings.channels.webhook.allow =
                yingji_channels::AllowList::parse(["127.0.0.1"]).unwrap();
            c.warnings.channels.sms = Some(
                serde_json::from_value(json!({
                    "url": sms_url, "sign": "大同应急",
                    "body": { "format": "json", "template": { "phone": "{phone}", "content": "{text}" } },
                    "success": { "pointer": "/code", "equals": "0" }
                }))
                .unwrap(),
            );
            c.warnings.channels.email = Some(
                serde_json::from_value(json!({
                    "host": "127.0.0.1", "port": smtp_port, "tls": "none",
                    "from": "大同市应急管理局 <yjj@yingji.example.cn>"
                }))
                .unwrap(),
            );
            c.warnings.channels.broadcast = Some(
                serde_json::from_value(json!({ "host": "127.0.0.1", "port": 1883, "topic_prefix": format!("yingji-test/{}", std::process::id()) }))
                .unwrap(),
            );
        })
        .await;
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let (lon, lat) = app.point_in("140213");
        let stamp = format!(
            "{}{}",
            app.backend,
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 100_000
        );
        // Numbers of their own per backend (the fake gateway serves both runs).
        let n = if app.backend == "sqlite" { 1 } else { 2 };
        let phone_ok = format!("139000{n}0011");
        let phone_bad = format!("139000{n}0044");
        // First in line: a subscriber whose webhook answers slowly.
        let r = pc
            .post(
                "/api/v1/registries/subscriber",
                &json!({ "name": format!("慢单位{stamp}"), "division": "140213", "lon": lon, "lat": lat,
                         "attrs": { "subscriber_type": "org", "webhook_url": slow } }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        for (name, phone, email) in [
            (
                format!("居民甲{stamp}"),
                phone_ok.clone(),
                format!("jia{stamp}@example.cn"),
            ),
            (format!("居民乙{stamp}"), phone_bad.clone(), String::new()),
        ] {
            let r = pc
                .post(
                    "/api/v1/registries/subscriber",
                    &json!({ "name": name, "division": "140213", "lon": lon, "lat": lat, "phone": phone,
                             "attrs": { "subscriber_type": "person", "email": email } }),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        // A settlement of a 平城区 township inside the area: its township's loudspeakers are reached.
        let towns: Vec<Value> = pc
            .get("/api/v1/divisions?parent=140213000000")
            .await
            .json()
            .await
            .unwrap();
        let town = towns[0]["code"].as_str().unwrap().to_string();
        let r = pc
            .post(
                "/api/v1/registries/settlement",
                &json!({ "name": format!("某村{stamp}"), "division": town, "lon": lon, "lat": lat,
                         "attrs": { "settlement_type": "village", "population": 800 } }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(6))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let d = 0.004;
        let area = json!({ "polygons": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]] });
        let w: Value = pc
            .post(
                "/api/v1/warnings",
                &json!({ "hazard": "rainstorm", "level": "yellow", "description": "预计6小时内降雨量将达50毫米以上。",
                         "area": area, "area_desc": "平城区局部", "expires_at": expires }),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = w["id"].as_i64().unwrap();
        for (u, v, k) in [
            (&pc, 1, "submit"),
            (&cmd, 2, "approve"),
            (&cmd, 3, "publish"),
        ] {
            let r = u
                .post(
                    &format!("/api/v1/warnings/{id}/events"),
                    &json!({ "version": v, "kind": k }),
                )
                .await;
            assert_eq!(r.status(), 200, "{k}: {}", r.text().await.unwrap());
        }
        // Deliveries go out side by side: the slow webhook holds up no one.
        let published = std::time::Instant::now();
        let mut d = Value::Null;
        for _ in 0..150 {
            d = pc
                .get(&format!("/api/v1/warnings/{id}/deliveries"))
                .await
                .json()
                .await
                .unwrap();
            let c = &d["counts"];
            if c["sms"]["delivered"] == 1
                && c["sms"]["dead"] == 1
                && c["email"]["delivered"] == 1
                && c["broadcast"]["delivered"].as_i64().unwrap_or(0) >= 1
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let c = &d["counts"];
        assert!(
            published.elapsed() < std::time::Duration::from_secs(5),
            "the others did not wait for the slow webhook: {:?}",
            published.elapsed()
        );
        assert_eq!(
            c["webhook"]["delivered"].as_i64().unwrap_or(0),
            0,
            "still on its way: {d}"
        );
        assert_eq!(c["sms"]["delivered"], 1, "{}: {d}", app.backend);
        assert_eq!(c["sms"]["dead"], 1, "the refused number: {d}");
        assert_eq!(c["email"]["delivered"], 1, "{d}");
        assert!(
            c["broadcast"]["delivered"].as_i64().unwrap_or(0) >= 1,
            "the township loudspeakers: {d}"
        );
        assert_eq!(c["broadcast"]["dead"].as_i64().unwrap_or(0), 0, "{d}");

        // What the gateway and the mail server got.
        let texts: Vec<Value> = sms
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m["phone"] == phone_ok.as_str())
            .cloned()
            .collect();
        assert_eq!(texts.len(), 1, "delivered once: {texts:?}");
        let text = texts[0]["content"].as_str().unwrap();
        assert!(
            text.starts_with("【大同应急】") && text.contains("暴雨"),
            "{text}"
        );
        let refused = sms
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m["phone"] == phone_bad.as_str())
            .count();
        assert_eq!(refused, 1, "a permanent refusal is not retried");
        let mail = mails
            .lock()
            .unwrap()
            .iter()
            .find(|m| m.rcpt.iter().any(|r| r.contains(&format!("jia{stamp}@"))))
            .cloned()
            .expect("the e-mail");
        assert!(
            mail.data.contains("application/cap+xml"),
            "the CAP is attached"
        );
    }
}

/// A receiver on `ip` that counts requests and answers 500 with a body that
/// must never show anywhere.
async fn secret_receiver(ip: &str) -> (std::net::SocketAddr, Arc<Mutex<usize>>) {
    use axum::extract::State;
    let n: Arc<Mutex<usize>> = Default::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(|State(n): State<Arc<Mutex<usize>>>| async move {
                *n.lock().unwrap() += 1;
                (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL-SECRET-TOKEN ami-0abcdef iam/security-credentials",
                )
            }),
        )
        .with_state(n.clone());
    let l = tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (addr, n)
}

#[tokio::test]
async fn webhooks_to_private_addresses_are_refused_and_no_reply_text_is_shown() {
    // 127.0.0.1: not allow-listed (reached through the name `localhost`).
    let (private, private_hits) = secret_receiver("127.0.0.1").await;
    // 127.0.0.2: allow-listed (the bureau's own system), answers 500.
    let (own, own_hits) = secret_receiver("127.0.0.2").await;
    for db in backends().await {
        let app = TestApp::start_with(db, |c| {
            c.warnings.worker_interval_ms = 100;
            c.warnings.channels.retry.base_ms = 50;
            c.warnings.channels.retry.cap_ms = 100;
            c.warnings.channels.retry.min_ms = 10;
            c.warnings.channels.retry.max_attempts = 2;
            c.warnings.channels.webhook.allow =
                yingji_channels::AllowList::parse(["127.0.0.2"]).unwrap();
        })
        .await;
        let b = app.backend;
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let (lon, lat) = app.point_in("140213");
        let sub = |name: &str, url: &str| {
            json!({ "name": name, "division": "140213", "lon": lon, "lat": lat,
                    "attrs": { "subscriber_type": "org", "webhook_url": url } })
        };

        // At input: literal private addresses and other schemes are refused, naming the field.
        for url in [
            format!("http://127.0.0.1:{}/hook", private.port()),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://[::1]/hook".to_string(),
            "http://10.0.0.8/hook".to_string(),
            "http://100.64.0.1/hook".to_string(),
            "http://[fd00::1]/hook".to_string(),
            "http://[::ffff:127.0.0.1]/hook".to_string(),
            "file:///etc/passwd".to_string(),
            "gopher://example.cn/".to_string(),
        ] {
            let r = pc
                .post("/api/v1/registries/subscriber", &sub("内网单位", &url))
                .await;
            assert_eq!(r.status(), 422, "{b}: {url}");
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], "webhook_url", "{b}: {url}: {p}");
        }
        // …and in a file import, with the row named.
        let csv = format!(
            "名称,行政区划,经度,纬度,联系电话,订阅者类型,电子邮箱,接收地址(Webhook)\n甲,140213,{lon},{lat},13800138000,单位,,https://hooks.example.cn/a\n乙,140213,{lon},{lat},13800138001,单位,,http://192.168.1.10/hook\n"
        );
        let admin = app.login("admin").await;
        let r = admin
            .upload(
                "/api/v1/registries/subscriber/import",
                "s.csv",
                csv.into_bytes(),
            )
            .await;
        assert_eq!(r.status(), 422, "{b}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["row"], 3, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "webhook_url", "{b}: {p}");

        // A host name passes input (it is checked when resolved); the allow-listed address too.
        for (name, url) in [
            (
                "本机名单位",
                format!("http://localhost:{}/hook", private.port()),
            ),
            (
                "本单位系统",
                format!("http://127.0.0.2:{}/hook", own.port()),
            ),
        ] {
            let r = pc
                .post("/api/v1/registries/subscriber", &sub(name, &url))
                .await;
            assert_eq!(r.status(), 201, "{b}: {}", r.text().await.unwrap());
        }

        let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(6))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let d = 0.004;
        let area = json!({ "polygons": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]] });
        let w: Value = pc
            .post(
                "/api/v1/warnings",
                &json!({ "hazard": "rainstorm", "level": "yellow", "description": "预计6小时内降雨量将达50毫米以上。",
                         "area": area, "area_desc": "平城区局部", "expires_at": expires }),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = w["id"].as_i64().unwrap();
        for (u, v, k) in [
            (&pc, 1, "submit"),
            (&cmd, 2, "approve"),
            (&cmd, 3, "publish"),
        ] {
            let r = u
                .post(
                    &format!("/api/v1/warnings/{id}/events"),
                    &json!({ "version": v, "kind": k }),
                )
                .await;
            assert_eq!(r.status(), 200, "{k}: {}", r.text().await.unwrap());
        }
        let mut text = String::new();
        let mut d = Value::Null;
        for _ in 0..100 {
            let r = pc.get(&format!("/api/v1/warnings/{id}/deliveries")).await;
            text = r.text().await.unwrap();
            d = serde_json::from_str(&text).unwrap();
            if d["counts"]["webhook"]["dead"] == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(d["counts"]["webhook"]["dead"], 2, "{b}: {d}");
        let hooks: Vec<&Value> = d["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["channel"] == "webhook")
            .collect();
        let by_url = |part: &str| {
            *hooks
                .iter()
                .find(|x| x["recipient"]["url"].as_str().unwrap().contains(part))
                .unwrap_or_else(|| panic!("{part}: {d}"))
        };
        // The name resolving to 127.0.0.1: refused at once, nothing sent.
        let refused = by_url("localhost");
        assert_eq!(refused["state"], "dead", "{b}: {refused}");
        assert_eq!(
            refused["reason"], "refused_private_address",
            "{b}: {refused}"
        );
        assert_eq!(refused["http_status"], Value::Null, "{b}: {refused}");
        assert_eq!(
            refused["attempts"], 1,
            "{b}: a permanent failure: {refused}"
        );
        assert_eq!(
            *private_hits.lock().unwrap(),
            0,
            "{b}: no request reached 127.0.0.1"
        );
        // The allowed system answered 500: its status is kept, never its words.
        let own_row = by_url("127.0.0.2");
        assert_eq!(own_row["reason"], "http_5xx", "{b}: {own_row}");
        assert_eq!(own_row["http_status"], 500, "{b}: {own_row}");
        assert!(*own_hits.lock().unwrap() >= 2, "{b}: retried once");
        for row in &hooks {
            assert!(row.get("last_error").is_none(), "{b}: {row}");
            assert!(row["recipient"].get("secret").is_none(), "{b}: {row}");
        }
        assert!(
            !text.contains("INTERNAL-SECRET-TOKEN") && !text.contains("security-credentials"),
            "{b}: the receiver's reply is not shown: {text}"
        );
        // Nor stored anywhere in the record.
        let stored: Vec<(String, String)> =
            sqlx::query_as("SELECT last_error, reason FROM deliveries WHERE channel = 'webhook'")
                .fetch_all(app.state.db.pool())
                .await
                .unwrap();
        for (last_error, _) in &stored {
            assert!(!last_error.contains("SECRET"), "{b}: {stored:?}");
        }
    }
}
