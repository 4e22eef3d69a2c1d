//! Every warning channel of the platform at once, on both databases: a
//! published warning reaches subscribers by SMS (an HTTP gateway), e-mail
//! (SMTP, with the CAP attached) and webhook, and the loudspeakers of each
//! township it touches by MQTT (the local Mosquitto); a recipient the SMS
//! gateway refuses is dead-lettered without holding up the others.
mod common;
use std::sync::{Arc, Mutex};

use common::*;
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
