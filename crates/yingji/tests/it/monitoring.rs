//! Monitoring over HTTP, on both databases: devices and their tokens,
//! sensors on monitoring points, the ingest endpoint (duplicates dropped,
//! the time window, malformed payloads counted), the rules raising one
//! alarm per sensor and rule, the alarm's life with an incident opened from
//! it, escalation and silence with the clock as a parameter, and the
//! jurisdictions: another county neither reads nor changes any of it, and
//! a device cannot write another device's sensors. Then MQTT end to end
//! against the local Mosquitto, across a restart of the consumer.
use crate::common::*;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

fn rfc(t: OffsetDateTime) -> String {
    yingji::clock::format_time(t)
}

async fn point(app: &TestApp, admin: &User, name: &str, division: &str) -> i64 {
    let b = body(app, "monitoring_point", name, division);
    let (st, v) = send(admin.post("/api/v1/registries/monitoring_point", &b).await).await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().unwrap()
}

async fn device(u: &User, name: &str, division: &str) -> (i64, String) {
    let (st, v) = send(
        u.post(
            "/api/v1/monitoring/devices",
            &json!({ "name": name, "division": division }),
        )
        .await,
    )
    .await;
    assert_eq!(st, 201, "{v}");
    (
        v["id"].as_i64().unwrap(),
        v["token"].as_str().unwrap().to_string(),
    )
}

async fn sensor(u: &User, point: i64, device: i64, code: &str, kind: &str) -> Value {
    let (st, v) = send(
        u.post(
            "/api/v1/monitoring/sensors",
            &json!({ "point_id": point, "device_id": device, "code": code, "name": format!("{code} 传感器"), "kind": kind, "interval_secs": 60, "range_min": 0.0, "range_max": 100.0 }),
        )
        .await,
    )
    .await;
    assert_eq!(st, 201, "{v}");
    v
}

async fn post_readings(app: &TestApp, token: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/monitoring/ingest"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    send(r).await
}

fn reading(sensor: i64, at: OffsetDateTime, value: f64) -> Value {
    json!({ "sensor_id": sensor, "at": rfc(at), "value": value })
}

async fn alarms(u: &User, q: &str) -> Vec<Value> {
    let (st, v) = send(u.get(&format!("/api/v1/monitoring/alarms{q}")).await).await;
    assert_eq!(st, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn step(u: &User, id: i64, version: i64, cmd: Value) -> (u16, Value) {
    let mut b = cmd;
    b["version"] = json!(version);
    send(
        u.post(&format!("/api/v1/monitoring/alarms/{id}/events"), &b)
            .await,
    )
    .await
}

#[tokio::test]
async fn readings_raise_alarms_that_are_acknowledged_and_become_incidents() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let p_a = point(&app, &admin, "平城甲矿瓦斯监测点", "140213").await;
        let p_b = point(&app, &admin, "云州水位监测点", "140215").await;
        let (d_a, tok_a) = device(&pc, "平城RTU-1", "140213").await;
        let (d_b, tok_b) = device(&yz, "云州RTU-1", "140215").await;

        // Another county can use neither the point nor the device.
        let (st, v) = send(
            yz.post(
                "/api/v1/monitoring/sensors",
                &json!({ "point_id": p_a, "device_id": d_b, "code": "x", "name": "x", "kind": "gas", "interval_secs": 60 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{b}: {v}");
        assert_eq!(fields(&v), vec!["point_id"], "{b}");
        let (st, v) = send(
            yz.post(
                "/api/v1/monitoring/sensors",
                &json!({ "point_id": p_b, "device_id": d_a, "code": "x", "name": "x", "kind": "gas", "interval_secs": 60 }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, fields(&v)),
            (422, vec!["device_id".to_string()]),
            "{b}: {v}"
        );
        // Bad fields are named.
        let (st, v) = send(
            pc.post(
                "/api/v1/monitoring/sensors",
                &json!({ "point_id": p_a, "device_id": d_a, "code": "a b", "name": "", "kind": "gas", "interval_secs": 0, "rules": { "rate": { "max_per_minute": -1 } } }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{b}: {v}");
        let f = fields(&v);
        for want in ["code", "name", "interval_secs", "rules.rate.max_per_minute"] {
            assert!(f.contains(&want.to_string()), "{b}: {want}: {v}");
        }

        let gas = sensor(&pc, p_a, d_a, "ch4-1", "gas").await;
        let s_a = gas["id"].as_i64().unwrap();
        assert_eq!(gas["effective_rules"]["threshold"]["high"], 1.0, "{b}");
        assert_eq!(gas["topic"], format!("yingji/140213000000/{p_a}/ch4-1"));
        let water = sensor(&yz, p_b, d_b, "wl-1", "water_level").await;
        let s_b = water["id"].as_i64().unwrap();

        // Without a token, or with a wrong one: 401.
        let (st, _) = post_readings(&app, "nope", "{}").await;
        assert_eq!(st, 401, "{b}");

        // A batch: two good readings, a duplicate, one from the future, one
        // too old, another device's sensor, an unreadable one.
        let now = OffsetDateTime::now_utc();
        let batch = json!({ "readings": [
            reading(s_a, now - Duration::seconds(120), 0.5),
            reading(s_a, now - Duration::seconds(60), 1.2),
            reading(s_a, now - Duration::seconds(120), 0.7),
            reading(s_a, now + Duration::hours(1), 0.1),
            reading(s_a, now - Duration::hours(100), 0.1),
            reading(s_b, now - Duration::seconds(60), 3.0),
            { "sensor_id": "x", "value": 1 },
        ]});
        let (st, v) = post_readings(&app, &tok_a, &batch.to_string()).await;
        assert_eq!(st, 200, "{b}: {v}");
        assert_eq!(
            (
                &v["accepted"],
                &v["duplicates"],
                &v["refused_future"],
                &v["refused_past"],
                &v["refused_other"],
                &v["malformed"],
                &v["alarm_events"]
            ),
            (
                &json!(2),
                &json!(1),
                &json!(1),
                &json!(1),
                &json!(1),
                &json!(1),
                &json!(1)
            ),
            "{b}: {v}"
        );
        // The device of 云州 cannot write 平城's sensor either.
        let (st, v) = post_readings(
            &app,
            &tok_b,
            &json!({ "readings": [reading(s_a, now - Duration::seconds(30), 9.0)] }).to_string(),
        )
        .await;
        assert_eq!((st, &v["refused_other"]), (200, &json!(1)), "{b}: {v}");
        assert_eq!(
            yingji::monitoring::store::reading_count(&app.state.db, s_a)
                .await
                .unwrap(),
            2,
            "{b}"
        );
        // A payload that is not a batch: 422, counted on the device.
        let (st, v) = post_readings(&app, &tok_a, "not json").await;
        assert_eq!(
            (st, fields(&v)),
            (422, vec!["readings".to_string()]),
            "{b}: {v}"
        );
        let (_, devs) = send(pc.get("/api/v1/monitoring/devices").await).await;
        let dev = devs
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == d_a)
            .unwrap();
        assert_eq!(
            (&dev["malformed"], &dev["accepted"]),
            (&json!(2), &json!(2)),
            "{b}: {dev}"
        );
        assert!(
            dev["last_error"].as_str().unwrap().contains("body"),
            "{b}: {dev}"
        );
        assert!(dev.get("token_hash").is_none());
        // 云州 sees neither the device nor the sensor.
        let (_, devs) = send(yz.get("/api/v1/monitoring/devices").await).await;
        assert!(
            devs.as_array().unwrap().iter().all(|d| d["id"] != d_a),
            "{b}"
        );
        let (_, ss) = send(yz.get("/api/v1/monitoring/sensors").await).await;
        assert!(ss.as_array().unwrap().iter().all(|x| x["id"] != s_a), "{b}");
        let (st, _) = send(yz.get(&format!("/api/v1/monitoring/sensors/{s_a}")).await).await;
        assert_eq!(st, 404, "{b}");

        // One alarm; more readings above the limit raise no second one.
        let (st, _) = post_readings(
            &app,
            &tok_a,
            &json!({ "readings": [reading(s_a, now - Duration::seconds(30), 1.5), reading(s_a, now - Duration::seconds(20), 1.4)] }).to_string(),
        )
        .await;
        assert_eq!(st, 200);
        let list = alarms(&pc, "?active=true").await;
        assert_eq!(list.len(), 1, "{b}: {list:?}");
        let a = &list[0];
        let id = a["id"].as_i64().unwrap();
        assert_eq!(
            (&a["rule"], &a["state"], &a["value"]),
            (&json!("threshold"), &json!("raised"), &json!(1.2)),
            "{b}"
        );
        assert_eq!(
            a["allowed_events"],
            json!(["acknowledge", "resolve", "false_alarm", "open_incident"])
        );
        // Where it is, for the map: the monitoring point's position.
        let (_, pt) = send(
            pc.get(&format!("/api/v1/registries/monitoring_point/{p_a}"))
                .await,
        )
        .await;
        assert_eq!((&a["lon"], &a["lat"]), (&pt["lon"], &pt["lat"]), "{pt}");
        assert!(a["lon"].is_f64(), "{a}");
        let (_, ss) = send(pc.get("/api/v1/monitoring/sensors").await).await;
        let me = ss
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == s_a)
            .unwrap()
            .clone();
        assert_eq!(
            (&me["status"], &me["last_value"]),
            (&json!("alarm"), &json!(1.4)),
            "{b}: {me}"
        );

        // 云州 neither sees nor acknowledges it.
        assert!(alarms(&yz, "").await.is_empty(), "{b}");
        let (st, _) = send(yz.get(&format!("/api/v1/monitoring/alarms/{id}")).await).await;
        assert_eq!(st, 404, "{b}");
        let (st, _) = step(&yz, id, 1, json!({ "kind": "acknowledge" })).await;
        assert_eq!(st, 404, "{b}");
        // An observer reads but does not act.
        let obs = app.login("observer").await;
        assert_eq!(alarms(&obs, "").await.len(), 1);
        let (st, _) = step(&obs, id, 1, json!({ "kind": "acknowledge" })).await;
        assert_eq!(st, 403, "{b}");

        // Acknowledged, once.
        let (st, v) = step(
            &pc,
            id,
            a["version"].as_i64().unwrap(),
            json!({ "kind": "acknowledge", "note": "已通知企业" }),
        )
        .await;
        assert_eq!((st, &v["state"]), (200, &json!("acknowledged")), "{b}: {v}");
        let version = v["version"].as_i64().unwrap();
        let (st, p) = step(&pc, id, version, json!({ "kind": "acknowledge" })).await;
        assert_eq!(
            (st, &p["code"]),
            (409, &json!("alarm_step_not_allowed")),
            "{b}: {p}"
        );
        let (st, _) = step(&pc, id, version - 1, json!({ "kind": "resolve" })).await;
        assert_eq!(st, 409, "{b}: stale");

        // It becomes an incident, prefilled from the point (系统告警).
        let (st, o) = send(
            pc.post(
                &format!("/api/v1/monitoring/alarms/{id}/incident"),
                &json!({ "version": version }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {o}");
        let inc = o["incident_id"].as_i64().unwrap();
        let (st, i) = send(pc.get(&format!("/api/v1/incidents/{inc}")).await).await;
        assert_eq!(st, 200, "{b}: {i}");
        assert_eq!(
            (&i["source"], &i["division"], &i["incident_type"]),
            (
                &json!("system"),
                &json!("140213000000"),
                &json!("accident.production.coal_mine")
            ),
            "{b}: {i}"
        );
        assert!(
            i["title"].as_str().unwrap().contains("平城甲矿瓦斯监测点"),
            "{b}: {i}"
        );
        let version = o["alarm"]["version"].as_i64().unwrap();
        let (st, _) = send(
            pc.post(
                &format!("/api/v1/monitoring/alarms/{id}/incident"),
                &json!({ "version": version }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "{b}: only one incident");
        let (st, v) = step(
            &pc,
            id,
            version,
            json!({ "kind": "resolve", "note": "通风后恢复" }),
        )
        .await;
        assert_eq!((st, &v["state"]), (200, &json!("resolved")), "{b}: {v}");

        // Back below (the rule clears), above again: a new alarm, which is
        // a false alarm — with its reason.
        post_readings(&app, &tok_a, &json!({ "readings": [reading(s_a, now - Duration::seconds(10), 0.3), reading(s_a, now - Duration::seconds(5), 1.1)] }).to_string()).await;
        let list = alarms(&pc, "?active=true").await;
        assert_eq!(list.len(), 1, "{b}: {list:?}");
        let id2 = list[0]["id"].as_i64().unwrap();
        assert_ne!(id2, id);
        let (st, p) = step(
            &pc,
            id2,
            1,
            json!({ "kind": "false_alarm", "reason": "  " }),
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["reason".to_string()]),
            "{b}: {p}"
        );
        let (st, v) = step(
            &pc,
            id2,
            1,
            json!({ "kind": "false_alarm", "reason": "传感器标定" }),
        )
        .await;
        assert_eq!(
            (st, &v["state"], &v["resolution_note"]),
            (200, &json!("false_alarm"), &json!("传感器标定")),
            "{b}: {v}"
        );

        // Every step of the first alarm is in the journal.
        let steps = yingji::journal::list(
            &app.state.db,
            &yingji::journal::ListFilter {
                module: Some("monitoring".into()),
                entity: Some("alarm".into()),
                entity_id: Some(id.to_string()),
                limit: 100,
                ascending: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let kinds: Vec<&str> = steps.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["raised", "acknowledge", "incident_opened", "resolve"],
            "{b}"
        );
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());

        // The series: raw over an hour, with the threshold line.
        let (st, s) = send(
            pc.get(&format!(
                "/api/v1/monitoring/sensors/{s_a}/series?from={}",
                urlenc(&rfc(now - Duration::hours(1)))
            ))
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {s}");
        assert_eq!(
            (
                &s["resolution"],
                &s["high"],
                s["points"].as_array().unwrap().len()
            ),
            (&json!("raw"), &json!(1.0), 6),
            "{b}: {s}"
        );
        let (st, s) = send(
            pc.get(&format!(
                "/api/v1/monitoring/sensors/{s_a}/series?from={}",
                urlenc(&rfc(now - Duration::days(2)))
            ))
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {s}");
        assert_eq!(s["resolution"], "1m", "{b}");
        let n: i64 = s["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["n"].as_i64().unwrap())
            .sum();
        assert_eq!(n, 6, "{b}: every reading in a minute's roll-up: {s}");
        let (st, _) = send(
            yz.get(&format!("/api/v1/monitoring/sensors/{s_a}/series"))
                .await,
        )
        .await;
        assert_eq!(st, 404, "{b}");
    }
}

fn urlenc(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn silence_and_escalation_follow_the_clock() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let p = point(&app, &admin, "平城雨量站", "140213").await;
        let (d, tok) = device(&pc, "雨量RTU", "140213").await;
        let x = sensor(&pc, p, d, "rain-1", "rainfall").await;
        let id = x["id"].as_i64().unwrap();
        let now = OffsetDateTime::now_utc();
        post_readings(
            &app,
            &tok,
            &json!({ "readings": [reading(id, now, 1.0)] }).to_string(),
        )
        .await;
        let st = &app.state;
        // Two intervals without a reading: nothing; three: silent.
        let n = yingji::monitoring::store::tick(&st.db, &st.feed, now + Duration::seconds(150))
            .await
            .unwrap();
        assert_eq!(n, 0, "{b}");
        let n = yingji::monitoring::store::tick(&st.db, &st.feed, now + Duration::seconds(181))
            .await
            .unwrap();
        assert_eq!(n, 1, "{b}");
        let n = yingji::monitoring::store::tick(&st.db, &st.feed, now + Duration::seconds(400))
            .await
            .unwrap();
        assert_eq!(n, 0, "{b}: once");
        let list = alarms(&pc, "?active=true").await;
        assert_eq!(
            (list.len(), &list[0]["rule"]),
            (1, &json!("silence")),
            "{b}"
        );
        let (_, ss) = send(pc.get(&format!("/api/v1/monitoring/sensors/{id}")).await).await;
        assert_eq!(ss["status"], "silent", "{b}");
        // Nobody acknowledged it: one level up after 15 minutes, two after 30.
        let raised = yingji::clock::parse_time(list[0]["raised_at"].as_str().unwrap()).unwrap();
        let esc = |m: i64| yingji::monitoring::jobs::escalate(st, raised + Duration::minutes(m));
        assert_eq!(esc(14).await.unwrap(), 0, "{b}");
        assert_eq!(esc(15).await.unwrap(), 1, "{b}");
        assert_eq!(esc(16).await.unwrap(), 0, "{b}");
        assert_eq!(esc(31).await.unwrap(), 1, "{b}");
        assert_eq!(esc(120).await.unwrap(), 0, "{b}: at most two levels");
        let list = alarms(&pc, "?active=true").await;
        assert_eq!(list[0]["escalation_level"], 2, "{b}");
        // A reading clears the condition; the alarm stays until resolved.
        post_readings(
            &app,
            &tok,
            &json!({ "readings": [reading(id, now + Duration::seconds(1), 2.0)] }).to_string(),
        )
        .await;
        let list = alarms(&pc, "?active=true").await;
        assert!(list[0]["cleared_at"].is_string(), "{b}: {list:?}");
    }
}

// ── MQTT ───────────────────────────────────────────────────────────────

async fn mosquitto_up() -> bool {
    tokio::net::TcpStream::connect("127.0.0.1:1883")
        .await
        .is_ok()
}

/// Publish `messages` (topic, payload) with QoS 1 and wait for every PUBACK.
async fn publish<P: Into<Vec<u8>>>(messages: Vec<(String, P)>) {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
    let id = format!("pub-{}", rand_id());
    let mut o = MqttOptions::new(id, "127.0.0.1", 1883);
    o.set_keep_alive(std::time::Duration::from_secs(10));
    let (client, mut events) = AsyncClient::new(o, messages.len() + 16);
    let n = messages.len();
    for (t, p) in messages {
        client.publish(t, QoS::AtLeastOnce, false, p).await.unwrap();
    }
    let mut acked = 0;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while acked < n {
        let ev = tokio::time::timeout_at(deadline, events.poll())
            .await
            .expect("PUBACKs in time")
            .expect("broker");
        if let Event::Incoming(Packet::PubAck(_)) = ev {
            acked += 1;
        }
    }
    client.disconnect().await.ok();
}

fn rand_id() -> String {
    use rand::Rng;
    format!("{:012x}", rand::rng().random::<u64>() & 0xffff_ffff_ffff)
}

async fn count_until(app: &TestApp, sensor: i64, want: i64) -> i64 {
    let mut n = 0;
    for _ in 0..100 {
        n = yingji::monitoring::store::reading_count(&app.state.db, sensor)
            .await
            .unwrap();
        if n >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    n
}

#[tokio::test]
async fn mqtt_readings_published_across_a_restart_are_stored_exactly_once() {
    assert!(
        mosquitto_up().await,
        "the MQTT tests need Mosquitto on 127.0.0.1:1883 (.ci/run starts it)"
    );
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let p = point(&app, &admin, "平城尾矿库", "140213").await;
        let (d, _) = device(&pc, "尾矿库网关", "140213").await;
        let x = sensor(&pc, p, d, "level-1", "tailings_level").await;
        let id = x["id"].as_i64().unwrap();
        // A topic root of this run's own, so parallel tests do not meet.
        let root = format!("t{}", rand_id());
        let topic = x["topic"].as_str().unwrap().replacen("yingji", &root, 1);
        assert_eq!(topic, format!("{root}/140213000000/{p}/level-1"));
        let mut st = app.state.clone();
        let mut config = (*st.config).clone();
        config.monitoring.mqtt_url = Some("mqtt://127.0.0.1:1883".into());
        config.monitoring.mqtt_client_id = format!("yingji-{root}");
        config.monitoring.mqtt_topic = format!("{root}/+/+/+");
        st.config = std::sync::Arc::new(config);

        let t0 = OffsetDateTime::now_utc() - Duration::minutes(30);
        let msg = |i: i64| {
            (
                topic.clone(),
                json!({ "at": rfc(t0 + Duration::seconds(i)), "value": 10.0 + (i as f64) / 100.0 })
                    .to_string(),
            )
        };
        // Running: 50 readings stored.
        let consumer = yingji::monitoring::mqtt::spawn(st.clone());
        tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
        publish((0..50).map(msg).collect()).await;
        assert_eq!(count_until(&app, id, 50).await, 50, "{b}");
        // 50 more, and the consumer stops in the middle of them; 50 while
        // it is away, 10 of them again, one unreadable.
        let burst = tokio::spawn(publish((50..100).map(msg).collect()));
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        consumer.abort();
        let _ = consumer.await;
        burst.await.unwrap();
        let mut away: Vec<(String, String)> = (100..150).map(msg).collect();
        away.extend((0..10).map(msg));
        away.push((topic.clone(), "{not json".into()));
        publish(away).await;
        // One reading in the compact binary form (0xB1, ms, value), and a
        // binary payload cut short: counted malformed.
        let mut bin = vec![0xB1u8];
        let at = t0 + Duration::seconds(150);
        bin.extend(((at.unix_timestamp_nanos() / 1_000_000) as i64).to_le_bytes());
        bin.extend(11.5f64.to_le_bytes());
        let cut = bin[..12].to_vec();
        publish(vec![(topic.clone(), bin), (topic.clone(), cut)]).await;
        // Back: every reading exactly once.
        let consumer = yingji::monitoring::mqtt::spawn(st.clone());
        assert_eq!(count_until(&app, id, 151).await, 151, "{b}");
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        assert_eq!(
            yingji::monitoring::store::reading_count(&app.state.db, id)
                .await
                .unwrap(),
            151,
            "{b}: nothing twice"
        );
        let dev = yingji::monitoring::store::get_device(&app.state.db, d)
            .await
            .unwrap()
            .unwrap();
        assert!(dev.duplicates >= 10, "{b}: {dev:?}");
        assert_eq!((dev.accepted, dev.malformed), (151, 2), "{b}: {dev:?}");
        assert!(dev.last_error.contains("16-byte records"), "{b}: {dev:?}");
        consumer.abort();
    }
}

// ── the whole process killed, and two nodes sharing one stream ─────────

/// A `yingji serve` child process consuming MQTT; SIGKILLed when dropped.
struct Consumer(ServeChild);

impl Consumer {
    /// Serve the database of `app` (its SQLite file or its PostgreSQL
    /// schema) with the MQTT consumer `client_id` on `filter`.
    fn start(app: &TestApp, name: &str, client_id: &str, filter: &str) -> Consumer {
        let c = &app.state.config;
        let database = c
            .database_url
            .as_ref()
            .map(|u| format!("database_url = {u:?}\n"))
            .unwrap_or_default();
        let config = format!(
            "data_dir = {data:?}\n{database}\n[monitoring]\nmqtt_url = \"mqtt://127.0.0.1:1883\"\nmqtt_client_id = {client_id:?}\nmqtt_topic = {filter:?}\nbatch = 50\n\n[cluster]\nnode_id = {name:?}\n",
            data = c.data_dir.display().to_string(),
        );
        Consumer(ServeChild::start(
            &c.data_dir,
            name,
            &config,
            "warn,yingji::monitoring::mqtt=debug",
        ))
    }

    async fn ready(&self) {
        self.0.ready().await
    }

    fn log_text(&self) -> String {
        self.0.log_text()
    }

    /// Batches this node stored and acknowledged (its debug log).
    fn batches(&self) -> usize {
        self.log_text()
            .matches("monitoring: batch stored and acknowledged")
            .count()
    }

    fn kill(&mut self) {
        self.0.kill()
    }
}

/// Readings stored of `sensor`, the sum of its 1-minute and of its 1-hour
/// roll-ups' counts.
async fn stored(app: &TestApp, sensor: i64) -> (i64, i64, i64) {
    use sqlx::Row;
    let db = &app.state.db;
    let n = yingji::monitoring::store::reading_count(db, sensor)
        .await
        .unwrap();
    let mut sums = [0i64; 2];
    for (i, table) in ["sensor_readings_1m", "sensor_readings_1h"]
        .iter()
        .enumerate()
    {
        let r = sqlx::query(&format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS s FROM {table} WHERE sensor_id = $1"
        ))
        .bind(sensor)
        .fetch_one(db.pool())
        .await
        .unwrap();
        sums[i] = r.get("s");
    }
    (n, sums[0], sums[1])
}

/// Wait until `sensor` has `want` readings (up to 3 minutes: a debug build
/// on a loaded machine).
async fn stored_until(app: &TestApp, sensor: i64, want: i64) -> i64 {
    let started = std::time::Instant::now();
    loop {
        let n = yingji::monitoring::store::reading_count(&app.state.db, sensor)
            .await
            .unwrap();
        if n >= want || started.elapsed() > std::time::Duration::from_secs(180) {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A point, a device and a sensor in 平城区 for a stream of `root`: the
/// sensor's id, its device's id and its topic under `root`.
async fn stream_sensor(app: &TestApp, root: &str) -> (i64, i64, String) {
    let admin = app.login("admin").await;
    let pc = app.login("pingcheng").await;
    let p = point(app, &admin, &format!("{root} 瓦斯监测点"), "140213").await;
    let (d, _) = device(&pc, &format!("{root} 网关"), "140213").await;
    let x = sensor(&pc, p, d, "ch4-1", "temperature").await;
    let topic = x["topic"].as_str().unwrap().replacen("yingji", root, 1);
    (x["id"].as_i64().unwrap(), d, topic)
}

/// `n` readings from `first` on, one a second, 50 minutes back.
fn stream(topic: &str, first: i64, n: i64) -> Vec<(String, String)> {
    let t0 = OffsetDateTime::now_utc() - Duration::minutes(50);
    (first..first + n)
        .map(|i| {
            (
                topic.to_string(),
                json!({ "at": rfc(t0 + Duration::seconds(i)), "value": 20.0 + (i % 50) as f64 / 10.0 })
                    .to_string(),
            )
        })
        .collect()
}

/// The reading `at` 0 is stored: the consumer is subscribed.
async fn subscribed(app: &TestApp, sensor: i64, topic: &str, b: &str) {
    publish(stream(topic, 0, 1)).await;
    assert_eq!(stored_until(app, sensor, 1).await, 1, "{b}: not subscribed");
}

#[tokio::test]
async fn a_killed_process_loses_and_repeats_no_acknowledged_reading() {
    assert!(
        mosquitto_up().await,
        "the MQTT tests need Mosquitto on 127.0.0.1:1883 (.ci/run starts it)"
    );
    for app in apps().await {
        let b = app.backend;
        let root = format!("k{}", rand_id());
        let (id, d, topic) = stream_sensor(&app, &root).await;
        let client = format!("yingji-{root}");
        let filter = format!("{root}/+/+/+");
        let mut node = Consumer::start(&app, "kill-a", &client, &filter);
        node.ready().await;
        subscribed(&app, id, &topic, b).await;
        // 900 readings, acknowledged by the broker as the publisher goes;
        // the whole process is killed once 150 are stored. (Under 1,000:
        // Mosquitto's default `max_queued_messages` drops what a session
        // has queued beyond it — see docs/operations.md.)
        const N: i64 = 900;
        let burst = tokio::spawn(publish(stream(&topic, 1, N)));
        let started = std::time::Instant::now();
        let at_kill = loop {
            let n = yingji::monitoring::store::reading_count(&app.state.db, id)
                .await
                .unwrap();
            if n > 150 {
                node.kill();
                break n;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "{b}: the stream was not consumed:\n{}",
                node.log_text()
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        };
        burst.await.unwrap();
        assert!(at_kill < N + 1, "{b}: killed after the stream was stored");
        // Everything the broker took is stored once the same session is back.
        let node = Consumer::start(&app, "kill-a2", &client, &filter);
        node.ready().await;
        assert_eq!(
            stored_until(&app, id, N + 1).await,
            N + 1,
            "{b}: {at_kill} at the kill\n{}",
            node.log_text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let dev = yingji::monitoring::store::get_device(&app.state.db, d)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored(&app, id).await,
            (N + 1, N + 1, N + 1),
            "{b}: readings, 1-minute and 1-hour roll-ups each count every reading once"
        );
        assert_eq!(dev.accepted, N + 1, "{b}: {dev:?}");
        eprintln!(
            "{b}: killed with {at_kill} stored; {} delivered again and dropped",
            dev.duplicates
        );
    }
}

#[tokio::test]
async fn two_nodes_share_one_stream_without_loss_or_double_storage() {
    assert!(
        mosquitto_up().await,
        "the MQTT tests need Mosquitto on 127.0.0.1:1883 (.ci/run starts it)"
    );
    for app in apps().await {
        let b = app.backend;
        let root = format!("s{}", rand_id());
        let (id, d, topic) = stream_sensor(&app, &root).await;
        // One group: the broker gives each message to one of the two.
        let filter = format!("$share/yingji-{root}/{root}/+/+/+");
        let mut a = Consumer::start(&app, "share-a", &format!("yingji-{root}-a"), &filter);
        let c = Consumer::start(&app, "share-b", &format!("yingji-{root}-b"), &filter);
        a.ready().await;
        c.ready().await;
        subscribed(&app, id, &topic, b).await;
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        // Under Mosquitto's default queue of 1,000 a session.
        const N: i64 = 900;
        publish(stream(&topic, 1, N)).await;
        assert_eq!(stored_until(&app, id, N + 1).await, N + 1, "{b}");
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        let dev = yingji::monitoring::store::get_device(&app.state.db, d)
            .await
            .unwrap()
            .unwrap();
        // No message went to both: nothing was even offered twice.
        assert_eq!((dev.accepted, dev.duplicates), (N + 1, 0), "{b}: {dev:?}");
        assert_eq!(stored(&app, id).await, (N + 1, N + 1, N + 1), "{b}");
        assert!(
            a.batches() > 0 && c.batches() > 0,
            "{b}: both nodes stored batches ({} and {})",
            a.batches(),
            c.batches()
        );
        // One node killed in the middle of a second stream and restarted:
        // the other carries on, and what the broker kept for the dead one
        // is stored once when it is back.
        let burst = tokio::spawn(publish(stream(&topic, N + 1, N)));
        let started = std::time::Instant::now();
        loop {
            let n = yingji::monitoring::store::reading_count(&app.state.db, id)
                .await
                .unwrap();
            if n > N + 150 {
                a.kill();
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "{b}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        burst.await.unwrap();
        let a2 = Consumer::start(&app, "share-a2", &format!("yingji-{root}-a"), &filter);
        a2.ready().await;
        assert_eq!(
            stored_until(&app, id, 2 * N + 1).await,
            2 * N + 1,
            "{b}:\n{}",
            a2.log_text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        let dev = yingji::monitoring::store::get_device(&app.state.db, d)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dev.accepted, 2 * N + 1, "{b}: {dev:?}");
        assert_eq!(
            stored(&app, id).await,
            (2 * N + 1, 2 * N + 1, 2 * N + 1),
            "{b}"
        );
    }
}

/// A compact binary HTTP batch: 0xB2, then (sensor id, ms, value) records.
fn binary_batch(records: &[(i64, OffsetDateTime, f64)]) -> Vec<u8> {
    let mut out = vec![0xB2u8];
    for (id, at, v) in records {
        out.extend(id.to_le_bytes());
        out.extend(((at.unix_timestamp_nanos() / 1_000_000) as i64).to_le_bytes());
        out.extend(v.to_le_bytes());
    }
    out
}

async fn post_binary(app: &TestApp, token: &str, body: Vec<u8>) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/monitoring/ingest"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/vnd.yingji.readings")
        .body(body)
        .send()
        .await
        .unwrap();
    send(r).await
}

#[tokio::test]
async fn devices_binary_payloads_combinations_and_the_rule_preview() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let p = point(&app, &admin, "平城煤矿采煤工作面", "140213").await;
        let (d, token) = device(&pc, "工作面分站", "140213").await;
        let gas = sensor(&pc, p, d, "ch4-1", "gas").await;
        let gas_id = gas["id"].as_i64().unwrap();
        let wind = sensor(&pc, p, d, "wind-1", "temperature").await;
        let wind_id = wind["id"].as_i64().unwrap();
        let now = OffsetDateTime::now_utc();

        // Device forms: rename, and a new token that replaces the old one;
        // another county sees neither.
        let list: Value = pc
            .get("/api/v1/monitoring/devices")
            .await
            .json()
            .await
            .unwrap();
        let dev = list
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == d)
            .unwrap()
            .clone();
        let (st, v) = send(
            yz.put(
                &format!("/api/v1/monitoring/devices/{d}"),
                &json!({ "version": dev["version"], "name": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404, "{b}: {v}");
        let (st, v) = send(
            yz.post(
                &format!("/api/v1/monitoring/devices/{d}/token"),
                &json!({ "version": dev["version"] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404, "{b}: {v}");
        let (st, v) = send(
            pc.put(
                &format!("/api/v1/monitoring/devices/{d}"),
                &json!({ "version": dev["version"], "name": "1号工作面分站" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, v["name"].as_str()),
            (200, Some("1号工作面分站")),
            "{b}: {v}"
        );
        let (st, v) = send(
            pc.post(
                &format!("/api/v1/monitoring/devices/{d}/token"),
                &json!({ "version": dev["version"] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "{b}: a stale version: {v}");
        let (st, v) = send(
            pc.post(
                &format!("/api/v1/monitoring/devices/{d}/token"),
                &json!({ "version": 2 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {v}");
        let new_token = v["token"].as_str().unwrap().to_string();
        assert_ne!(new_token, token);
        let one = json!({ "readings": [reading(wind_id, now - Duration::minutes(200), 2.0)] })
            .to_string();
        assert_eq!(
            post_readings(&app, &token, &one).await.0,
            401,
            "{b}: the old token"
        );
        assert_eq!(post_readings(&app, &new_token, &one).await.0, 200, "{b}");
        let token = new_token;

        // Combination: gas ≥ 0.8 and the wind sensor ≤ 0.25 within 2 min.
        let combo = json!({ "combination": { "all": [ { "at_least": 0.8 }, { "sensor": "wind-1", "at_most": 0.25 } ], "max_age_secs": 120 } });
        let mut body = json!({ "version": gas["version"], "point_id": p, "device_id": d, "code": "ch4-1", "name": "甲烷", "kind": "gas", "interval_secs": 60, "range_min": 0.0, "range_max": 100.0 });
        body["rules"] = json!({ "combination": { "all": [ { "at_least": 0.8 }, { "sensor": "nope", "at_most": 0.25 } ] } });
        let (st, v) = send(
            pc.put(&format!("/api/v1/monitoring/sensors/{gas_id}"), &body)
                .await,
        )
        .await;
        assert_eq!(st, 422, "{b}: {v}");
        assert_eq!(
            codes(&v),
            vec!["rules.combination.all[1].sensor:unknown_sensor"],
            "{b}: {v}"
        );
        // The preview of the rule before saving it: a day of stored
        // readings in the compact binary form (wind stopped for 20 min,
        // gas at 0.9 for 10 min of it), two malformed payloads counted.
        let t0 = now - Duration::hours(3);
        let mut recs = Vec::new();
        for m in 0..120 {
            let at = t0 + Duration::minutes(m);
            recs.push((
                wind_id,
                at - Duration::seconds(5),
                if (40..60).contains(&m) { 0.1 } else { 2.0 },
            ));
            recs.push((gas_id, at, if (50..60).contains(&m) { 0.9 } else { 0.3 }));
        }
        let (st, v) = post_binary(&app, &token, binary_batch(&recs)).await;
        assert_eq!((st, v["accepted"].as_i64()), (200, Some(240)), "{b}: {v}");
        for bad in [
            vec![0xB2u8, 1, 2, 3],
            binary_batch(&recs[..1])[..20].to_vec(),
        ] {
            let (st, v) = post_binary(&app, &token, bad).await;
            assert_eq!(st, 422, "{b}: {v}");
        }
        let dev = yingji::monitoring::store::get_device(&app.state.db, d)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dev.malformed, 2, "{b}: {dev:?}");
        assert!(dev.last_error.contains("24-byte records"), "{b}: {dev:?}");
        let (st, v) = send(
            pc.post(
                &format!("/api/v1/monitoring/sensors/{gas_id}/preview"),
                &json!({ "rules": combo, "to": rfc(now) }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {v}");
        let events: Vec<(String, String)> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["rule"] != "silence")
            .map(|e| {
                (
                    e["rule"].as_str().unwrap().to_string(),
                    e["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            events,
            vec![
                ("combination".to_string(), "raised".to_string()),
                ("combination".to_string(), "cleared".to_string()),
            ],
            "{b}: {v}"
        );
        assert_eq!(v["readings"], 120, "{b}");
        // Nothing written by the preview; another county may not preview;
        // an observer neither.
        assert!(
            alarms(&pc, &format!("?sensor_id={gas_id}"))
                .await
                .is_empty(),
            "{b}"
        );
        let (st, _) = send(
            yz.post(
                &format!("/api/v1/monitoring/sensors/{gas_id}/preview"),
                &json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404, "{b}");
        let obs = app.login("observer").await;
        let (st, _) = send(
            obs.post(
                &format!("/api/v1/monitoring/sensors/{gas_id}/preview"),
                &json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(st, 403, "{b}");
        // Saved, the rule raises on live readings.
        body["rules"] = combo;
        let (st, v) = send(
            pc.put(&format!("/api/v1/monitoring/sensors/{gas_id}"), &body)
                .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {v}");
        let late = now - Duration::minutes(30);
        post_readings(
            &app,
            &token,
            &json!({ "readings": [reading(wind_id, late, 0.0)] }).to_string(),
        )
        .await;
        post_readings(
            &app,
            &token,
            &json!({ "readings": [reading(gas_id, late + Duration::seconds(30), 1.1)] })
                .to_string(),
        )
        .await;
        let list = alarms(&pc, &format!("?sensor_id={gas_id}&active=true")).await;
        let rules: Vec<&str> = list.iter().map(|a| a["rule"].as_str().unwrap()).collect();
        assert!(rules.contains(&"combination"), "{b}: {list:?}");

        // A week's chart comes from the 1-hour roll-ups, counting every
        // reading once.
        let (st, v) = send(
            pc.get(&format!(
                "/api/v1/monitoring/sensors/{gas_id}/series?from={}&to={}",
                urlenc(&rfc(now - Duration::days(7))),
                urlenc(&rfc(now))
            ))
            .await,
        )
        .await;
        assert_eq!(
            (st, v["resolution"].as_str()),
            (200, Some("1h")),
            "{b}: {v}"
        );
        let n: i64 = v["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["n"].as_i64().unwrap())
            .sum();
        assert_eq!(n, 121, "{b}: {v}");
    }
}
