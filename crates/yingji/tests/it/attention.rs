//! The commander's list over HTTP, on both databases: what each user sees is
//! their jurisdiction's, and it follows the records.
use crate::common::*;
use serde_json::{json, Value};

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn attention_lists_the_jurisdictions_unverified_reports_clocks_and_approvals() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let onset = rfc3339(time::OffsetDateTime::now_utc() - time::Duration::hours(11));
        let r = pc
            .post(
                "/api/v1/incidents",
                &json!({ "title": "平城区煤矿冒顶", "incident_type": "accident.production.coal_mine",
                         "division": "140213", "source": "phone", "onset_at": onset, "facts": { "trapped": 2, "evacuated_people": 30 } }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let i: Value = r.json().await.unwrap();
        let id = i["id"].as_i64().unwrap();

        let a: Value = pc.get("/api/v1/attention").await.json().await.unwrap();
        assert_eq!(a["unverified"][0]["incident_id"], id, "{a}");
        // Waiting since it was received (now), whatever the onset.
        assert!(
            a["unverified"][0]["waiting_min"].as_i64().unwrap() < 5,
            "{a}"
        );
        let clock = a["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["incident_id"] == id)
            .unwrap();
        assert_eq!(clock["status"], "breached", "onset 11 h ago: {clock}");

        // Another county sees none of it; the city sees it.
        let a: Value = yz.get("/api/v1/attention").await.json().await.unwrap();
        assert!(a["unverified"].as_array().unwrap().is_empty(), "{a}");
        assert!(a["clocks"].as_array().unwrap().is_empty());
        let a: Value = cmd.get("/api/v1/attention").await.json().await.unwrap();
        assert!(a["unverified"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["incident_id"] == id));
        // The city sees the plans due (the demo catalogue's city plans).
        assert!(a["plans"].is_array());

        // Verified: no longer unverified.
        let r = pc
            .post(
                &format!("/api/v1/incidents/{id}/events"),
                &json!({ "version": i["version"], "kind": "verify" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        let a: Value = pc.get("/api/v1/attention").await.json().await.unwrap();
        assert!(a["unverified"].as_array().unwrap().is_empty());

        // A submitted warning waits for the city's approval.
        let (lon, lat) = app.point_in("140213");
        let expires = rfc3339(time::OffsetDateTime::now_utc() + time::Duration::hours(6));
        let r = pc
            .post(
                "/api/v1/warnings",
                &json!({ "hazard": "gale", "level": "blue", "description": "大风", "area_desc": "平城区",
                         "area": { "circles": [{ "lon": lon, "lat": lat, "radius_m": 300.0 }] }, "expires_at": expires }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let w: Value = r.json().await.unwrap();
        let wid = w["id"].as_i64().unwrap();
        let r = pc
            .post(
                &format!("/api/v1/warnings/{wid}/events"),
                &json!({ "version": 1, "kind": "submit" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        let a: Value = cmd.get("/api/v1/attention").await.json().await.unwrap();
        let w = a["awaiting_approval"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["kind"] == "warning")
            .unwrap();
        assert_eq!(w["id"], wid);
        let a: Value = yz.get("/api/v1/attention").await.json().await.unwrap();
        assert!(a["awaiting_approval"].as_array().unwrap().is_empty(), "{a}");
    }
}
