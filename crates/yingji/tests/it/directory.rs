//! 通讯录: one search over the registries' phones, scoped and masked as the
//! registries are (issue #19).
use crate::common::*;
use serde_json::{json, Value};
use yingji::auth::Role;

async fn contact(u: &User, name: &str, division: &str, extra: Value) -> reqwest::Response {
    let mut body = json!({
        "name": name, "division": division, "phone": "0352-2024567",
        "attrs": { "group": "township", "organisation": "新建街道办事处", "position": "值班主任", "mobile": "13912345678" }
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    u.post("/api/v1/registries/contact", &body).await
}

async fn search(u: &User, q: &str) -> Value {
    let r = u
        .get(&format!("/api/v1/directory?q={}", urlencode(q)))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn names(d: &Value) -> Vec<String> {
    d["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_directory_is_scoped_and_masked_like_the_registries() {
    for app in apps().await {
        let be = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        // A contact is not a place: no coordinates needed, put inside its
        // division.
        let r = contact(&pc, "平城联络员甲", "140213", json!({})).await;
        assert_eq!(r.status(), 201, "{be}: {}", r.text().await.unwrap());
        let made: Value = r.json().await.unwrap();
        let (lon, lat) = (made["lon"].as_f64().unwrap(), made["lat"].as_f64().unwrap());
        assert_eq!(
            app.state.tree().contains_point(
                &yingji::divisions::Code::parse("140213").unwrap(),
                lon,
                lat
            ),
            Some(true),
            "{be}: placed inside 平城区 ({lon}, {lat})"
        );
        // Half a coordinate is refused, naming the missing half.
        let r = contact(&pc, "平城联络员乙", "140213", json!({ "lon": 113.3 })).await;
        assert_eq!(r.status(), 422, "{be}");
        let p: Value = r.json().await.unwrap();
        assert!(p.to_string().contains("\"lat\""), "{be}: {p}");
        let r = contact(&yz, "云州联络员", "140215", json!({})).await;
        assert_eq!(r.status(), 201, "{be}");

        // The district officer: their own contact, mobile in clear; not
        // the other district's.
        let d = search(&pc, "联络员").await;
        assert_eq!(names(&d), vec!["平城联络员甲"], "{be}: {d}");
        let phones = &d["entries"][0]["phones"];
        assert_eq!(phones[1]["line"], "mobile", "{be}");
        assert_eq!(phones[1]["number"], "13912345678", "{be}");
        assert_eq!(phones[1]["masked"], false, "{be}");
        // Words must all match; a number finds its entry.
        assert_eq!(
            names(&search(&pc, "新建街道 值班主任").await),
            vec!["平城联络员甲"],
            "{be}"
        );
        assert!(
            names(&search(&pc, "新建街道 消防").await).is_empty(),
            "{be}"
        );
        assert_eq!(
            names(&search(&pc, "2024567").await),
            vec!["平城联络员甲"],
            "{be}"
        );
        // Teams of the district are in it too, under their kind.
        let r = pc
            .post(
                "/api/v1/registries/team",
                &json!({
                    "name": "平城应急救援队", "division": "140213", "lon": lon, "lat": lat,
                    "responsible": "李队长", "phone": "13900000001",
                    "attrs": { "team_kind": sample_dict(&app, "team_kind").await, "headcount": 20 }
                }),
            )
            .await;
        assert_eq!(r.status(), 201, "{be}: {}", r.text().await.unwrap());
        let d = search(&pc, "平城应急救援队").await;
        assert_eq!(d["entries"][0]["kind"], "team", "{be}: {d}");
        assert_eq!(d["entries"][0]["person"], "李队长", "{be}: {d}");

        // The city observer: both contacts, the mobiles masked (the office
        // line is a public line).
        let obs = app.login("observer").await;
        let d = search(&obs, "联络员").await;
        let mut n = names(&d);
        n.sort();
        assert_eq!(n, vec!["云州联络员", "平城联络员甲"], "{be}: {d}");
        for e in d["entries"].as_array().unwrap() {
            let mobile = e["phones"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["line"] == "mobile")
                .unwrap();
            assert_eq!(mobile["masked"], true, "{be}: {e}");
            assert!(
                !mobile["number"].as_str().unwrap().contains("12345"),
                "{be}: {e}"
            );
            let office = &e["phones"][0];
            assert_eq!(
                (office["line"].as_str(), office["masked"].as_bool()),
                (Some("office"), Some(false)),
                "{be}"
            );
        }
        // A masked number is not searchable in clear.
        assert!(names(&search(&obs, "13912345678").await).is_empty(), "{be}");

        // By group: only contacts of that group.
        let r = obs.get("/api/v1/directory?group=command").await;
        let d: Value = r.json().await.unwrap();
        assert!(names(&d).is_empty(), "{be}: {d}");

        // An enterprise user: no contacts (a personal-data kind), no
        // experts, no villages.
        app.add_user("ent-dir", Role::Enterprise, "140213", "enterprise:1")
            .await;
        let ent = app.login("ent-dir").await;
        let d: Value = ent.get("/api/v1/directory").await.json().await.unwrap();
        for e in d["entries"].as_array().unwrap() {
            let k = e["kind"].as_str().unwrap();
            assert!(
                !["contact", "expert", "settlement"].contains(&k),
                "{be}: {e}"
            );
        }
        assert_eq!(
            anon(&app)
                .get(app.url("/api/v1/directory"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
}

async fn sample_dict(app: &TestApp, name: &str) -> String {
    let d = yingji::registry::store::load_dictionaries(&app.state.db)
        .await
        .unwrap();
    d[name][0].value.clone()
}

fn anon(_: &TestApp) -> reqwest::Client {
    reqwest::Client::new()
}
