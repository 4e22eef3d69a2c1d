//! Intake that places the call (issue #19): a place found by name, the
//! open incident a second call is about (重复来电), and the call added to
//! it as a 续报 — each scoped to the reader's jurisdiction.
use crate::common::*;
use serde_json::{json, Value};

const COAL: &str = "accident.production.coal_mine";

async fn places(u: &User, q: &str) -> (u16, Value) {
    send(u.get(&format!("/api/v1/places?q={}", urlencode(q))).await).await
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["kind"].as_str().unwrap(),
                p["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn a_place_is_found_by_name_within_the_jurisdiction() {
    for app in apps().await {
        let be = app.backend;
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        for (name, division) in [("塔山测试煤矿", "140213"), ("塔山测试洗煤厂", "140215")]
        {
            let mut b = body(&app, "enterprise", name, division);
            b["address"] = json!("塔山路 1 号");
            let r = admin.post("/api/v1/registries/enterprise", &b).await;
            assert_eq!(r.status(), 201, "{be}: {}", r.text().await.unwrap());
        }
        // The city sees both; each district only its own.
        let (st, all) = places(&admin, "塔山测试").await;
        assert_eq!(st, 200, "{be}: {all}");
        assert_eq!(names(&all).len(), 2, "{be}: {all}");
        let (_, mine) = places(&pc, "塔山测试").await;
        assert_eq!(names(&mine), ["enterprise:塔山测试煤矿"], "{be}");
        let (_, theirs) = places(&yz, "塔山测试").await;
        assert_eq!(names(&theirs), ["enterprise:塔山测试洗煤厂"], "{be}");
        // A place carries a point inside its division.
        let p = &mine[0];
        let (lon, lat) = (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
        assert_eq!(p["division"], "140213000000", "{be}");
        assert_eq!(app.point_in("140213"), (lon, lat), "{be}");
        // Several words: all must match (the second one in the name).
        let (_, two) = places(&admin, "塔山 洗煤").await;
        assert_eq!(names(&two), ["enterprise:塔山测试洗煤厂"], "{be}");
        // Divisions with a boundary are places; another district's are not
        // offered to a district.
        let (_, d) = places(&admin, "平城").await;
        assert!(
            names(&d).contains(&"division:平城区".to_string()),
            "{be}: {d}"
        );
        let (_, d) = places(&yz, "平城").await;
        assert!(
            !names(&d).iter().any(|n| n.starts_with("division:")),
            "{be}: {d}"
        );
        // An empty or overlong query names the field.
        let (st, p) = places(&pc, "  ").await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["q:required_max".to_string()]),
            "{be}"
        );
        let (st, _) = places(&pc, &"长".repeat(51)).await;
        assert_eq!(st, 422, "{be}");
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/places?q=%E5%B9%B3%E5%9F%8E"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{be}");
    }
}

#[tokio::test]
async fn a_second_call_is_offered_the_open_incident_and_added_to_it() {
    for app in apps().await {
        let be = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let admin = app.login("admin").await;
        let (lon, lat) = app.point_in("140213");
        let r = pc
            .post(
                "/api/v1/incidents",
                &json!({
                    "title": "煤矿透水", "incident_type": COAL, "division": "140213",
                    "lon": lon, "lat": lat, "source": "phone", "reporter": "张伟",
                    "reporter_phone": "13800138000",
                }),
            )
            .await;
        let (st, inc) = send(r).await;
        assert_eq!(st, 201, "{be}: {inc}");
        let id = inc["id"].as_i64().unwrap();
        assert!(
            inc["allowed_events"]
                .as_array()
                .unwrap()
                .contains(&json!("add_call")),
            "{be}: {inc}"
        );

        // A related type a few hundred metres away: offered, with the distance.
        let q = format!(
            "/api/v1/incidents/duplicates?incident_type=accident.production.chemical&division=140213&lon={}&lat={}",
            lon + 0.003,
            lat
        );
        let (st, d) = send(pc.get(&q).await).await;
        assert_eq!(st, 200, "{be}: {d}");
        assert_eq!(d.as_array().unwrap().len(), 1, "{be}: {d}");
        assert_eq!(d[0]["id"], id, "{be}");
        let m = d[0]["distance_m"].as_f64().unwrap();
        assert!((200.0..300.0).contains(&m), "{be}: {m}");
        // Another type, or the other district's reader: nothing.
        let (_, d) = send(
            pc.get(&format!(
                "/api/v1/incidents/duplicates?incident_type=accident.traffic.road&lon={lon}&lat={lat}"
            ))
            .await,
        )
        .await;
        assert_eq!(d, json!([]), "{be}");
        let (_, d) = send(yz.get(&q).await).await;
        assert_eq!(d, json!([]), "{be}: another district does not see it");
        // Half a point is refused, naming the field.
        let (st, p) = send(
            pc.get(&format!(
                "/api/v1/incidents/duplicates?incident_type={COAL}&lon={lon}"
            ))
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["lon:lon_lat_together".to_string()]),
            "{be}"
        );

        // The call is added to the unverified incident as a 续报.
        let call = json!({ "version": inc["version"], "reporter": "李娜", "reporter_phone": "13900139000",
            "note": "井口有人员被困，听到呼救", "lon": lon + 0.003, "lat": lat });
        // Not from the other district (it does not exist for them).
        let r = yz
            .post(&format!("/api/v1/incidents/{id}/calls"), &call)
            .await;
        assert_eq!(r.status(), 404, "{be}");
        let (st, after) = send(
            pc.post(&format!("/api/v1/incidents/{id}/calls"), &call)
                .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {after}");
        assert_eq!(
            after["version"],
            inc["version"].as_i64().unwrap() + 1,
            "{be}"
        );
        let tl = after["timeline"].as_array().unwrap();
        let last = tl.last().unwrap();
        assert_eq!(last["kind"], "call", "{be}: {last}");
        assert_eq!(last["payload"]["note"], "井口有人员被困，听到呼救", "{be}");
        assert_eq!(last["payload"]["reporter"], "李娜", "{be}");
        // A stale version is refused; an empty note names the field.
        let r = pc
            .post(&format!("/api/v1/incidents/{id}/calls"), &call)
            .await;
        assert_eq!(r.status(), 409, "{be}");
        let mut empty = call.clone();
        empty["version"] = after["version"].clone();
        empty["note"] = json!(" ");
        let (st, p) = send(
            pc.post(&format!("/api/v1/incidents/{id}/calls"), &empty)
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["note:required_max".to_string()]),
            "{be}"
        );

        // A 续报 corrects the place: inside the division only; the timeline
        // keeps where it was. (Verified first: a figures 续报 needs 核实.)
        let (st, v) = send(
            admin
                .post(
                    &format!("/api/v1/incidents/{id}/events"),
                    &json!({ "version": after["version"], "kind": "verify" }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {v}");
        let (olon, olat) = app.point_in("140215");
        let moved = |lon: f64, lat: f64, version: &Value| {
            json!({ "version": version, "facts": {}, "note": "位置更正：在井口东侧",
                "lon": lon, "lat": lat, "address": "井口东侧 300 米" })
        };
        let (st, p) = send(
            pc.put(
                &format!("/api/v1/incidents/{id}/facts"),
                &moved(olon, olat, &v["version"]),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["lat:point_outside_division".to_string()]),
            "{be}: {p}"
        );
        let (st, fixed) = send(
            pc.put(
                &format!("/api/v1/incidents/{id}/facts"),
                &moved(lon + 0.003, lat, &v["version"]),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {fixed}");
        assert_eq!(fixed["lon"].as_f64(), Some(lon + 0.003), "{be}");
        assert_eq!(fixed["address"], "井口东侧 300 米", "{be}");
        let last = fixed["timeline"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["kind"], "update", "{be}");
        assert_eq!(
            last["payload"]["place"]["before"]["lon"].as_f64(),
            Some(lon),
            "{be}: {last}"
        );
        assert_eq!(
            last["payload"]["place"]["after"]["lon"].as_f64(),
            Some(lon + 0.003),
            "{be}"
        );
        let after = fixed;

        // Once the response has ended, it is no longer offered, and
        // a call cannot be added.
        let (st, closed) = send(
            admin
                .post(
                    &format!("/api/v1/incidents/{id}/events"),
                    &json!({ "version": after["version"], "kind": "end_response", "reason": "已处置" }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {closed}");
        let (_, d) = send(pc.get(&q).await).await;
        assert_eq!(d, json!([]), "{be}");
        let mut late = call.clone();
        late["version"] = closed["version"].clone();
        let (st, p) = send(
            pc.post(&format!("/api/v1/incidents/{id}/calls"), &late)
                .await,
        )
        .await;
        assert_eq!(st, 409, "{be}: {p}");
        assert!(p.to_string().contains("not_open_for_calls"), "{be}: {p}");
    }
}

/// A point picked on the map: the deepest division of the reader's
/// jurisdiction that holds it; another county's reader is told it is
/// outside theirs; a coordinate out of range is named.
#[tokio::test]
async fn a_point_picked_on_the_map_is_placed_in_its_division() {
    for app in apps().await {
        let be = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let (lon, lat) = app.point_in("140213");
        let (st, d) = send(
            pc.get(&format!("/api/v1/divisions/at?lon={lon}&lat={lat}"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {d}");
        let code = d["code"].as_str().unwrap();
        assert!(code.starts_with("140213"), "{be}: {d}");
        assert_eq!(
            app.state.tree().contains_point(
                &yingji::divisions::Code::parse(code).unwrap(),
                lon,
                lat
            ),
            Some(true),
            "{be}: {d}"
        );
        let (st, p) = send(
            yz.get(&format!("/api/v1/divisions/at?lon={lon}&lat={lat}"))
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["lon:point_outside_jurisdiction".to_string()]),
            "{be}: {p}"
        );
        let (st, p) = send(pc.get("/api/v1/divisions/at?lon=200&lat=40").await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["lon:lon_lat_out_of_range".to_string()]),
            "{be}: {p}"
        );
        let (st, _) = send(pc.get("/api/v1/divisions/at?lon=abc&lat=40").await).await;
        assert_eq!(st, 422, "{be}");
    }
}
