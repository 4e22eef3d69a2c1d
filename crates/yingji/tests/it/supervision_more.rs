//! Supervision, continued, on both databases: overdue 重大事故隐患 escalated
//! one level by the job (journaled, on the attention list of the levels
//! that cover it and of nobody else), and the four-colour map scoped like
//! every other list.
use crate::common::*;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};
use yingji::db::UtcText;

async fn enterprise(app: &TestApp, admin: &User, name: &str, division: &str) -> i64 {
    let b = body(app, "enterprise", name, division);
    let r = admin.post("/api/v1/registries/enterprise", &b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn step(u: &User, id: i64, version: i64, cmd: Value) -> Value {
    let mut b = cmd;
    b["version"] = json!(version);
    let (st, v) = send(
        u.post(&format!("/api/v1/supervision/hazards/{id}/events"), &b)
            .await,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    v
}

/// A 重大 hazard of enterprise `e` being rectified, due tomorrow.
async fn major_rectifying(u: &User, e: i64, title: &str) -> i64 {
    let b = json!({ "enterprise_id": e, "title": title, "source": "routine" });
    let (st, h) = send(u.post("/api/v1/supervision/hazards", &b).await).await;
    assert_eq!(st, 201, "{h}");
    let id = h["id"].as_i64().unwrap();
    let h = step(u, id, 1, json!({ "kind": "confirm", "grade": "major" })).await;
    let tomorrow = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        + Duration::days(1);
    step(
        u,
        id,
        h["version"].as_i64().unwrap(),
        json!({ "kind": "rectify", "measures": "停产整改", "responsible": "李矿长", "deadline": tomorrow.to_string(), "funds_yuan": 50000, "contingency": "撤人" }),
    )
    .await;
    id
}

/// The deadline passed `days` ago (as the clock would have it).
async fn backdate(app: &TestApp, id: i64, days: i64) {
    let due = UtcText(OffsetDateTime::now_utc() - Duration::days(days));
    sqlx::query("UPDATE hazards SET due_at = $1 WHERE id = $2")
        .bind(due.text())
        .bind(id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

async fn attention_hazards(u: &User) -> Vec<i64> {
    let (st, a) = send(u.get("/api/v1/attention").await).await;
    assert_eq!(st, 200, "{a}");
    a["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hazard_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_overdue_major_hazard_escalates_one_level_and_needs_attention() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let a = enterprise(&app, &admin, "平城丁煤业有限公司", "140213").await;
        let other = enterprise(&app, &admin, "云州戊化工有限公司", "140215").await;
        let id = major_rectifying(&pc, a, "主井提升机制动失效").await;
        let theirs = major_rectifying(&yz, other, "液氨储罐区无泄漏报警").await;

        // Not yet overdue: nothing escalates, nothing needs attention.
        let now = OffsetDateTime::now_utc();
        let n = yingji::supervision::jobs::escalate_overdue(&app.state, now)
            .await
            .unwrap();
        assert_eq!(n, 0);
        assert_eq!(attention_hazards(&pc).await, Vec::<i64>::new());

        // Two days past its deadline: the county's hazard goes to the city.
        backdate(&app, id, 2).await;
        let n = yingji::supervision::jobs::escalate_overdue(&app.state, now)
            .await
            .unwrap();
        assert_eq!(n, 1);
        // Once: a second round at the same time does nothing.
        let n = yingji::supervision::jobs::escalate_overdue(&app.state, now)
            .await
            .unwrap();
        assert_eq!(n, 0);
        let (st, h) = send(pc.get(&format!("/api/v1/supervision/hazards/{id}")).await).await;
        assert_eq!(st, 200, "{h}");
        assert_eq!(
            (
                h["listed_division"].as_str(),
                h["listed_by"].as_str(),
                h["escalations"].as_i64(),
                h["overdue"].as_bool()
            ),
            (Some("1402"), Some("system"), Some(1), Some(true))
        );
        let last = h["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (
                last["kind"].as_str(),
                last["actor"].as_str(),
                last["payload"]["from"].as_str(),
                last["payload"]["to"].as_str()
            ),
            (Some("escalated"), Some("system"), Some("140213"), Some("1402"))
        );
        // Needs attention in the county and the city, not in another county.
        assert_eq!(attention_hazards(&pc).await, vec![id]);
        assert_eq!(attention_hazards(&cmd).await, vec![id]);
        assert_eq!(attention_hazards(&yz).await, Vec::<i64>::new());
        let (_, a) = send(cmd.get("/api/v1/attention").await).await;
        assert_eq!(a["hazards"][0]["supervising"], "1402");
        assert_eq!(a["hazards"][0]["overdue_days"], 2);
        // Another county neither reads nor changes it.
        let (st, _) = send(yz.get(&format!("/api/v1/supervision/hazards/{id}")).await).await;
        assert_eq!(st, 404);
        let v = h["version"].as_i64().unwrap();
        let (st, _) = send(
            yz.post(
                &format!("/api/v1/supervision/hazards/{id}/events"),
                &json!({ "version": v, "kind": "report_rectified", "report": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404);

        // The other county's hazard, not overdue, was not touched.
        let (_, t) = send(yz.get(&format!("/api/v1/supervision/hazards/{theirs}")).await).await;
        assert_eq!(
            (t["listed_division"].as_str(), t["escalations"].as_i64()),
            (Some(""), Some(0))
        );

        // Thirty days after the escalation, still overdue: the province
        // (and the other county's hazard, overdue by then, goes to the city).
        let later = now + Duration::days(30);
        let n = yingji::supervision::jobs::escalate_overdue(&app.state, later)
            .await
            .unwrap();
        assert_eq!(n, 2);
        let (_, h) = send(cmd.get(&format!("/api/v1/supervision/hazards/{id}")).await).await;
        assert_eq!(
            (h["listed_division"].as_str(), h["escalations"].as_i64()),
            (Some("14"), Some(2))
        );

        // Reported rectified: no longer overdue, off the list.
        let h = step(
            &pc,
            id,
            h["version"].as_i64().unwrap(),
            json!({ "kind": "report_rectified", "report": "已更换制动器" }),
        )
        .await;
        assert_eq!(h["overdue"], false);
        assert_eq!(attention_hazards(&pc).await, Vec::<i64>::new());
        let (_, t) = send(yz.get(&format!("/api/v1/supervision/hazards/{theirs}")).await).await;
        assert_eq!(t["listed_division"], "1402");
    }
}

async fn risk_point(u: &User, e: i64, l: i64, s: i64) {
    let (st, r) = send(
        u.post(
            "/api/v1/supervision/risk-points",
            &json!({ "enterprise_id": e, "name": format!("风险点{l}{s}"), "assessment": { "method": "matrix", "likelihood": l, "severity": s } }),
        )
        .await,
    )
    .await;
    assert_eq!(st, 201, "{r}");
}

async fn map(u: &User, q: &str) -> (u16, Value) {
    send(u.get(&format!("/api/v1/supervision/risk-map{q}")).await).await
}

fn colours(m: &Value) -> Vec<(i64, String)> {
    m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["enterprise_id"].as_i64().unwrap(),
                p["colour"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_four_colour_map_shows_each_enterprise_in_its_highest_colour_within_the_jurisdiction() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let a = enterprise(&app, &admin, "平城己煤业有限公司", "140213").await;
        let b = enterprise(&app, &admin, "平城庚商贸有限公司", "140213").await;
        let other = enterprise(&app, &admin, "云州辛冶金有限公司", "140215").await;
        app.add_user(
            "qiye_b2",
            yingji::auth::Role::Enterprise,
            "140213",
            &format!("enterprise:{b}"),
        )
        .await;
        let qb = app.login("qiye_b2").await;
        // A: 2 × 2 低 and 4 × 5 重大 → red; B: 3 × 3 一般 → yellow;
        // the other county's: 4 × 4 较大 → orange.
        risk_point(&pc, a, 2, 2).await;
        risk_point(&pc, a, 4, 5).await;
        risk_point(&qb, b, 3, 3).await;
        risk_point(&yz, other, 4, 4).await;

        let (st, m) = map(&pc, "").await;
        assert_eq!(st, 200, "{m}");
        assert_eq!(
            colours(&m),
            [(b, "yellow".to_string()), (a, "red".to_string())]
        );
        assert_eq!(m["items"][1]["points"], json!([1, 0, 0, 1]));
        assert_eq!((m["red"].as_i64(), m["yellow"].as_i64()), (Some(1), Some(1)));
        assert!(m["items"][1]["lon"].as_f64().is_some());
        // The city sees both counties; it can narrow to one.
        let (_, m) = map(&cmd, "").await;
        assert_eq!(colours(&m).len(), 3);
        let (_, m) = map(&cmd, "?division=140215").await;
        assert_eq!(colours(&m), [(other, "orange".to_string())]);
        // Another county sees only its own, and cannot ask for ours.
        let (_, m) = map(&yz, "").await;
        assert_eq!(colours(&m), [(other, "orange".to_string())]);
        let (st, p) = map(&yz, "?division=140213").await;
        assert_eq!(st, 422, "{p}");
        // An enterprise user sees only their own enterprise.
        let (_, m) = map(&qb, "").await;
        assert_eq!(colours(&m), [(b, "yellow".to_string())]);
        // Anonymous: 401.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/supervision/risk-map"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}
