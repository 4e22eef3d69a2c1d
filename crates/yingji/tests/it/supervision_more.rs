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
            (
                Some("escalated"),
                Some("system"),
                Some("140213"),
                Some("1402")
            )
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
        let (_, t) = send(
            yz.get(&format!("/api/v1/supervision/hazards/{theirs}"))
                .await,
        )
        .await;
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
        let (_, t) = send(
            yz.get(&format!("/api/v1/supervision/hazards/{theirs}"))
                .await,
        )
        .await;
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
        assert_eq!(
            (m["red"].as_i64(), m["yellow"].as_i64()),
            (Some(1), Some(1))
        );
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

#[tokio::test]
async fn a_check_list_is_filled_and_a_failed_item_becomes_a_hazard_in_one_step() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let e = enterprise(&app, &admin, "平城壬煤业有限公司", "140213").await;
        for u in ["jc_a", "jc_b"] {
            app.add_user(u, yingji::auth::Role::Operator, "140213", "")
                .await;
        }
        app.add_user(
            "qiye_r",
            yingji::auth::Role::Enterprise,
            "140213",
            &format!("enterprise:{e}"),
        )
        .await;
        let qr = app.login("qiye_r").await;

        // The city's template (for coal mines) and a county's own.
        let tpl = json!({ "title": "煤矿安全检查表", "industry": "coal_mine", "items": [
            { "text": "矿井有两个以上能行人的安全出口", "basis": "《煤矿安全规程》第八十八条" },
            { "text": "主要通风机有备用", "basis": "《煤矿安全规程》第一百五十八条" },
            { "text": "瓦斯检查员持证上岗", "basis": "" }
        ] });
        // Every bad field named; an enterprise user makes none.
        let (st, p) = send(
            cmd.post(
                "/api/v1/supervision/check-templates",
                &json!({ "title": " ", "items": [{ "text": "" }] }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["title".to_string(), "items[0].text".to_string()]),
            "{p}"
        );
        let (st, _) = send(qr.post("/api/v1/supervision/check-templates", &tpl).await).await;
        assert_eq!(st, 403);
        let (st, t) = send(cmd.post("/api/v1/supervision/check-templates", &tpl).await).await;
        assert_eq!(st, 201, "{t}");
        let tid = t["id"].as_i64().unwrap();
        let (st, own) = send(
            yz.post(
                "/api/v1/supervision/check-templates",
                &json!({ "title": "云州检查表", "items": [{ "text": "x" }] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{own}");
        let yz_tid = own["id"].as_i64().unwrap();
        // 平城 sees the city's, not 云州's; the city sees both.
        let ids = |v: &Value| -> Vec<i64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect()
        };
        let (_, l) = send(pc.get("/api/v1/supervision/check-templates").await).await;
        assert_eq!(ids(&l), vec![tid]);
        let (_, l) = send(
            pc.get("/api/v1/supervision/check-templates?industry=hazardous_chemicals")
                .await,
        )
        .await;
        assert_eq!(ids(&l), Vec::<i64>::new(), "another industry's");
        let (_, l) = send(cmd.get("/api/v1/supervision/check-templates").await).await;
        assert_eq!(ids(&l).len(), 2);
        let (st, _) = send(
            pc.get(&format!("/api/v1/supervision/check-templates/{yz_tid}"))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        // A county reads the city's template but does not change it.
        let mut edit = tpl.clone();
        edit["version"] = json!(1);
        let (st, _) = send(
            pc.put(&format!("/api/v1/supervision/check-templates/{tid}"), &edit)
                .await,
        )
        .await;
        assert_eq!(st, 404);

        // An inspection drawn in 平城, started by the commander (a lead).
        let (st, d) = send(
            pc.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "检查表抽查", "n": 1 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{d}");
        let i = d["inspections"][0].clone();
        let iid = i["id"].as_i64().unwrap();
        let url = format!("/api/v1/supervision/inspections/{iid}/checks");
        let answers = json!([
            { "result": "pass" },
            { "result": "fail", "note": "备用主扇电机拆除待修" },
            { "result": "not_applicable" }
        ]);
        // Not on site yet.
        let (st, p) = send(
            cmd.put(
                &url,
                &json!({ "version": i["version"], "template_id": tid, "answers": answers }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("inspection_step_not_allowed")),
            "{p}"
        );
        let (st, i) = send(
            cmd.post(
                &format!("/api/v1/supervision/inspections/{iid}/events"),
                &json!({ "version": i["version"], "kind": "start" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{i}");
        // Every item answered; a failed one says what was found.
        let (st, p) = send(
            cmd.put(&url, &json!({ "version": i["version"], "template_id": tid, "answers": [{ "result": "pass" }] }))
                .await,
        )
        .await;
        assert_eq!(
            (st, p["errors"][0]["code"].as_str()),
            (422, Some("answers_count")),
            "{p}"
        );
        let (st, p) = send(
            cmd.put(&url, &json!({ "version": i["version"], "template_id": tid, "answers": [{ "result": "pass" }, { "result": "fail" }, { "result": "pass" }] }))
                .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["answers[1].note".to_string()]),
            "{p}"
        );
        // Another county's template is not there for 平城's inspection.
        let (st, p) = send(
            cmd.put(
                &url,
                &json!({ "version": i["version"], "template_id": 999_999, "answers": answers }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["errors"][0]["code"].as_str()),
            (422, Some("template_not_found")),
            "{p}"
        );
        let (st, i) = send(
            cmd.put(
                &url,
                &json!({ "version": i["version"], "template_id": tid, "answers": answers }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["template_id"], tid);
        assert_eq!(i["checks"][1]["result"], "fail");
        assert_eq!(i["checks"][1]["basis"], "《煤矿安全规程》第一百五十八条");

        // Another county neither reads nor fills it, nor makes hazards of it.
        let (st, _) = send(
            yz.get(&format!("/api/v1/supervision/inspections/{iid}"))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        let (st, _) = send(
            yz.put(&url, &json!({ "version": i["version"], "template_id": yz_tid, "answers": [{ "result": "pass" }] }))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        let hz = |n: usize| format!("/api/v1/supervision/inspections/{iid}/checks/{n}/hazard");
        let (st, _) = send(yz.post(&hz(1), &json!({})).await).await;
        assert_eq!(st, 404);

        // A passed item is no hazard; the failed one becomes one in one step.
        let (st, p) = send(cmd.post(&hz(0), &json!({})).await).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("item_not_failed")),
            "{p}"
        );
        let (st, h) = send(cmd.post(&hz(1), &json!({})).await).await;
        assert_eq!(st, 201, "{h}");
        assert_eq!(
            (
                h["title"].as_str(),
                h["state"].as_str(),
                h["source"].as_str(),
                h["enterprise_id"].as_i64()
            ),
            (
                Some("主要通风机有备用"),
                Some("reported"),
                Some("routine"),
                Some(e)
            )
        );
        assert!(h["description"]
            .as_str()
            .unwrap()
            .contains("第一百五十八条"));
        let (st, p) = send(cmd.post(&hz(1), &json!({})).await).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("finding_has_hazard")),
            "{p}"
        );
        let (_, i) = send(
            cmd.get(&format!("/api/v1/supervision/inspections/{iid}"))
                .await,
        )
        .await;
        assert_eq!(i["checks"][1]["hazard_id"], h["id"]);
        assert_eq!(i["findings"][0]["hazard_id"], h["id"]);
        // The item stays failed: it cannot be answered as passed now.
        let (st, p) = send(
            cmd.put(&url, &json!({ "version": i["version"], "template_id": tid, "answers": [{ "result": "pass" }, { "result": "pass" }, { "result": "pass" }] }))
                .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["answers[1].result".to_string()]),
            "{p}"
        );
        // Journaled: filled, the finding, the hazard, the link.
        let (_, j) = send(
            cmd.get(&format!(
                "/api/v1/journal?module=supervision&entity=inspection&entity_id={iid}"
            ))
            .await,
        )
        .await;
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in ["checked", "finding", "finding_to_hazard", "check_to_hazard"] {
            assert!(kinds.contains(&k), "{k}: {kinds:?}");
        }
    }
}
