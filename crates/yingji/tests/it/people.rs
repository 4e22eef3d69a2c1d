//! People, not logins (issue #19): names and positions readers may see, and
//! the audit log filtered by person and by Beijing day.
use crate::common::*;
use serde_json::{json, Value};
use yingji::auth::Role;

fn usernames(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn people_are_named_within_the_jurisdiction_and_above() {
    for app in apps().await {
        let be = app.backend;
        app.add_user("qiye", Role::Enterprise, "140213", "enterprise:1")
            .await;
        let pc = app.login("pingcheng").await;
        let (st, v) = send(pc.get("/api/v1/people").await).await;
        assert_eq!(st, 200, "{be}: {v}");
        let names = usernames(&v);
        for who in ["admin", "commander", "observer", "pingcheng"] {
            assert!(names.contains(&who.to_string()), "{be}: {who} in {names:?}");
        }
        // Another county's desk and another county's township are not shown.
        for who in ["yunzhou", "xinrong"] {
            assert!(
                !names.contains(&who.to_string()),
                "{be}: {who} not in {names:?}"
            );
        }
        let me = v
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["username"] == "pingcheng")
            .unwrap();
        assert_eq!(me["division_name"], "平城区", "{be}: {me}");
        assert!(me["position"].is_string(), "{be}: {me}");
        assert!(
            me.get("role").is_none() && me.get("active").is_none(),
            "{be}: {me}"
        );
        // The city sees every desk.
        let cmd = app.login("commander").await;
        let (_, v) = send(cmd.get("/api/v1/people").await).await;
        let names = usernames(&v);
        assert!(
            names.contains(&"yunzhou".to_string()) && names.contains(&"xinrong".to_string()),
            "{be}: {names:?}"
        );
        // The enterprise role reads no one's name.
        let q = app.login("qiye").await;
        assert_eq!(q.get("/api/v1/people").await.status(), 403, "{be}");
        let anon = reqwest::Client::new()
            .get(app.url("/api/v1/people"))
            .send()
            .await
            .unwrap();
        assert_eq!(anon.status(), 401, "{be}");
    }
}

#[tokio::test]
async fn the_audit_log_filters_by_person_and_beijing_day() {
    for app in apps().await {
        let be = app.backend;
        let pc = app.login("pingcheng").await;
        let r = pc
            .post("/api/v1/registries/contact", &json!({
                "name": "审计测试联络员", "division": "140213", "phone": "0352-2024567",
                "attrs": { "group": "township", "organisation": "新建街道办事处", "position": "值班主任", "mobile": "13912345678" }
            }))
            .await;
        assert_eq!(r.status(), 201, "{be}: {}", r.text().await.unwrap());
        let today = time::OffsetDateTime::now_utc()
            .to_offset(yingji::clock::CST)
            .date();
        let day =
            |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        let (t, tomorrow) = (day(today), day(today.next_day().unwrap()));

        let (st, v) = send(
            pc.get(&format!("/api/v1/journal?actor=pingcheng&from={t}&to={t}"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{be}: {v}");
        let rows = v.as_array().unwrap();
        assert!(!rows.is_empty(), "{be}: today's entries of pingcheng");
        assert!(rows.iter().all(|e| e["actor"] == "pingcheng"), "{be}: {v}");
        // Nothing of pingcheng's tomorrow, nothing of it under another name.
        let (_, v) = send(
            pc.get(&format!("/api/v1/journal?actor=pingcheng&from={tomorrow}"))
                .await,
        )
        .await;
        assert_eq!(v.as_array().unwrap().len(), 0, "{be}: {v}");
        let (_, v) = send(pc.get("/api/v1/journal?actor=commander").await).await;
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .all(|e| e["actor"] == "commander"),
            "{be}: {v}"
        );
        // Another county's reader does not see pingcheng's entries, even by name.
        let yz = app.login("yunzhou").await;
        let (_, v) = send(yz.get("/api/v1/journal?actor=pingcheng").await).await;
        assert_eq!(v.as_array().unwrap().len(), 0, "{be}: {v}");
        // Bad days are named.
        let (st, p) = send(pc.get("/api/v1/journal?from=2026-13-01").await).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["from".to_string()]),
            "{be}: {p}"
        );
        let (st, p) = send(
            pc.get(&format!("/api/v1/journal?from={tomorrow}&to={t}"))
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["to:to_before_from".to_string()]),
            "{be}: {p}"
        );
    }
}
