//! Supervision over HTTP, on both databases: risk points and the
//! enterprise's colour, the hidden-hazard loop from a self-report to 销号
//! (journaled, with its refusals), the filters (overdue among them), and
//! the jurisdictions: another county, and another enterprise of the same
//! county, neither read nor change any of it.
use crate::common::*;
use serde_json::{json, Value};

async fn enterprise(app: &TestApp, admin: &User, name: &str, division: &str) -> i64 {
    let b = body(app, "enterprise", name, division);
    let r = admin.post("/api/v1/registries/enterprise", &b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn step(u: &User, id: i64, version: i64, cmd: Value) -> (u16, Value) {
    let mut b = cmd;
    b["version"] = json!(version);
    send(
        u.post(&format!("/api/v1/supervision/hazards/{id}/events"), &b)
            .await,
    )
    .await
}

fn ok(st: u16, v: &Value) -> i64 {
    assert_eq!(st, 200, "{v}");
    v["version"].as_i64().unwrap()
}

fn tomorrow() -> String {
    let d = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        + time::Duration::days(1);
    d.to_string()
}

async fn report(u: &User, e: i64, title: &str) -> i64 {
    let b = json!({ "enterprise_id": e, "title": title, "source": "routine" });
    let (st, h) = send(u.post("/api/v1/supervision/hazards", &b).await).await;
    assert_eq!(st, 201, "{h}");
    h["id"].as_i64().unwrap()
}

async fn get(u: &User, q: &str) -> Value {
    let (st, v) = send(u.get(&format!("/api/v1/supervision/hazards{q}")).await).await;
    assert_eq!(st, 200, "{q}: {v}");
    v
}

struct World {
    a: i64,
    b: i64,
    other: i64,
}

/// Enterprises A and B in 平城区, one in 云州区, and users of A and B.
async fn world(app: &TestApp) -> World {
    let admin = app.login("admin").await;
    let a = enterprise(app, &admin, "平城甲煤业有限公司", "140213").await;
    let b = enterprise(app, &admin, "平城乙化工有限公司", "140213").await;
    let other = enterprise(app, &admin, "云州丙冶金有限公司", "140215").await;
    app.add_user(
        "qiye_a",
        yingji::auth::Role::Enterprise,
        "140213",
        &format!("enterprise:{a}"),
    )
    .await;
    app.add_user(
        "qiye_b",
        yingji::auth::Role::Enterprise,
        "140213",
        &format!("enterprise:{b}"),
    )
    .await;
    World { a, b, other }
}

#[tokio::test]
async fn risk_points_give_the_enterprise_its_colour() {
    for app in apps().await {
        let w = world(&app).await;
        let qa = app.login("qiye_a").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;

        // Every bad field is named.
        let (st, p) = send(
            qa.post(
                "/api/v1/supervision/risk-points",
                &json!({ "enterprise_id": w.a, "name": " ", "assessment": { "method": "lec", "l": 2, "e": 6, "c": 7 }, "next_assessment_on": "2020-01-01" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        let f = fields(&p);
        for want in ["name", "assessment.l", "next_assessment_on"] {
            assert!(f.contains(&want.to_string()), "{want}: {p}");
        }

        // LEC 3 × 6 × 7 = 126 一般 (yellow); matrix 4 × 4 = 16 较大 (orange).
        let (st, r1) = send(
            qa.post(
                "/api/v1/supervision/risk-points",
                &json!({ "enterprise_id": w.a, "name": "综采工作面", "assessment": { "method": "lec", "l": 3, "e": 6, "c": 7 }, "measures": "瓦斯监测" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{r1}");
        assert_eq!(
            (r1["score"].as_f64(), r1["colour"].as_str()),
            (Some(126.0), Some("yellow"))
        );
        let (st, r2) = send(
            pc.post(
                "/api/v1/supervision/risk-points",
                &json!({ "enterprise_id": w.a, "name": "主斜井提升", "assessment": { "method": "matrix", "likelihood": 4, "severity": 4 } }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{r2}");
        assert_eq!(r2["level"], "significant");
        let (st, risk) = send(
            pc.get(&format!("/api/v1/supervision/enterprises/{}/risk", w.a))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{risk}");
        assert_eq!(risk["colour"], "orange");
        assert_eq!(risk["points"].as_array().unwrap().len(), 2);

        // Reassessed upwards: LEC 6 × 6 × 15 = 540 重大, the enterprise turns red.
        let id = r1["id"].as_i64().unwrap();
        let edit = json!({ "version": r1["version"], "enterprise_id": w.a, "name": "综采工作面", "assessment": { "method": "lec", "l": 6, "e": 6, "c": 15 } });
        let (st, r) = send(
            qa.put(&format!("/api/v1/supervision/risk-points/{id}"), &edit)
                .await,
        )
        .await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["colour"], "red");
        // The same version again is stale.
        let st = qa
            .put(&format!("/api/v1/supervision/risk-points/{id}"), &edit)
            .await
            .status();
        assert_eq!(st, 409);
        // Without the version read: 422, coded.
        let mut unversioned = edit.clone();
        unversioned.as_object_mut().unwrap().remove("version");
        let (st, p) = send(
            qa.put(
                &format!("/api/v1/supervision/risk-points/{id}"),
                &unversioned,
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            (fields(&p), p["errors"][0]["code"].as_str()),
            (vec!["version".to_string()], Some("version_required")),
            "{p}"
        );
        let (_, risk) = send(
            obs.get(&format!("/api/v1/supervision/enterprises/{}/risk", w.a))
                .await,
        )
        .await;
        assert_eq!(risk["colour"], "red");

        // Another county, another enterprise: not found, not listed, not changed.
        let qb = app.login("qiye_b").await;
        for u in [&yz, &qb] {
            let st = u
                .get(&format!("/api/v1/supervision/risk-points/{id}"))
                .await
                .status();
            assert_eq!(st, 404, "{}", u.name);
            let st = u
                .get(&format!("/api/v1/supervision/enterprises/{}/risk", w.a))
                .await
                .status();
            assert_eq!(st, 404, "{}", u.name);
            let mut e = edit.clone();
            e["version"] = r["version"].clone();
            let st = u
                .put(&format!("/api/v1/supervision/risk-points/{id}"), &e)
                .await
                .status();
            assert_eq!(st, 404, "{}", u.name);
            let (_, list) = send(u.get("/api/v1/supervision/risk-points").await).await;
            assert_eq!(list.as_array().unwrap().len(), 0, "{}: {list}", u.name);
            let (st, p) = send(
                u.post(
                    "/api/v1/supervision/risk-points",
                    &json!({ "enterprise_id": w.a, "name": "x", "assessment": { "method": "matrix", "likelihood": 1, "severity": 1 } }),
                )
                .await,
            )
            .await;
            assert_eq!(
                (st, fields(&p)),
                (422, vec!["enterprise_id".to_string()]),
                "{}",
                u.name
            );
        }
        // An enterprise user cannot act for another enterprise of its county,
        // nor for one elsewhere.
        let (st, _) = send(
            qa.post(
                "/api/v1/supervision/risk-points",
                &json!({ "enterprise_id": w.other, "name": "x", "assessment": { "method": "matrix", "likelihood": 1, "severity": 1 } }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422);
        // The observer reads but does not write.
        let st = obs
            .post(
                "/api/v1/supervision/risk-points",
                &json!({ "enterprise_id": w.a, "name": "x", "assessment": { "method": "matrix", "likelihood": 1, "severity": 1 } }),
            )
            .await
            .status();
        assert_eq!(st, 403);
        // The city sees all; a county list filtered by level.
        let cmd = app.login("commander").await;
        let (_, all) = send(cmd.get("/api/v1/supervision/risk-points?level=major").await).await;
        assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
        let _ = w.b;
    }
}

#[tokio::test]
async fn a_self_reported_major_hazard_goes_round_the_loop_to_closing() {
    for app in apps().await {
        let w = world(&app).await;
        let qa = app.login("qiye_a").await;
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;

        // The enterprise reports its own hazard (always 企业自查).
        let (st, h) = send(
            qa.post(
                "/api/v1/supervision/hazards",
                &json!({ "enterprise_id": w.a, "title": "主通风机备用电源失效", "location": "主扇房", "source": "expert" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        assert_eq!(
            (h["state"].as_str(), h["source"].as_str()),
            (Some("reported"), Some("self_check"))
        );
        assert_eq!(
            h["allowed_events"],
            json!([]),
            "the enterprise does not grade"
        );

        // The enterprise may not grade it; the county does.
        let (st, p) = step(&qa, id, 1, json!({ "kind": "confirm", "grade": "major" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (403, Some("supervisors_only")),
            "{p}"
        );
        let (st, h) = step(&pc, id, 1, json!({ "kind": "confirm", "grade": "major" })).await;
        let v = ok(st, &h);
        assert_eq!(h["allowed_events"], json!(["rectify", "list"]));

        // A stale version is refused.
        let (st, _) = step(&pc, id, 1, json!({ "kind": "list" })).await;
        assert_eq!(st, 409);
        // 重大: the five in place.
        let (st, p) = step(
            &qa,
            id,
            v,
            json!({ "kind": "rectify", "measures": "更换备用电源", "responsible": "王矿长", "deadline": tomorrow() }),
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["funds_yuan".to_string()]),
            "{p}"
        );
        let (st, h) = step(
            &qa,
            id,
            v,
            json!({ "kind": "rectify", "measures": "更换备用电源", "responsible": "王矿长", "deadline": tomorrow(), "funds_yuan": 120000, "contingency": "停产撤人，双回路供电" }),
        )
        .await;
        let v = ok(st, &h);
        assert_eq!(h["state"], "rectifying");
        assert_eq!(h["overdue"], false);

        // 挂牌督办 by the city.
        let (st, h) = step(
            &cmd,
            id,
            v,
            json!({ "kind": "list", "note": "市级挂牌督办" }),
        )
        .await;
        let v = ok(st, &h);
        assert_eq!(h["listed_division"], "1402");
        let (st, p) = step(&pc, id, v, json!({ "kind": "list" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("already_listed")),
            "{p}"
        );

        // Rectified, returned once, rectified again.
        let (st, h) = step(
            &qa,
            id,
            v,
            json!({ "kind": "report_rectified", "report": "已更换" }),
        )
        .await;
        let v = ok(st, &h);
        let (st, h) = step(
            &pc,
            id,
            v,
            json!({ "kind": "return", "reason": "未做带载试验" }),
        )
        .await;
        let v = ok(st, &h);
        assert_eq!(
            (h["state"].as_str(), h["returned_count"].as_i64()),
            (Some("rectifying"), Some(1))
        );
        let (st, h) = step(
            &qa,
            id,
            v,
            json!({ "kind": "report_rectified", "report": "带载试验合格" }),
        )
        .await;
        let v = ok(st, &h);
        // The enterprise cannot accept its own work.
        let (st, p) = step(&qa, id, v, json!({ "kind": "accept" })).await;
        assert_eq!((st, p["code"].as_str()), (403, Some("supervisors_only")));
        let (st, h) = step(
            &pc,
            id,
            v,
            json!({ "kind": "accept", "note": "现场验收合格" }),
        )
        .await;
        let v = ok(st, &h);
        // Listed by the city: the county cannot close it.
        let (st, p) = step(&pc, id, v, json!({ "kind": "close" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (403, Some("listing_level_closes")),
            "{p}"
        );
        let (_, h) = send(pc.get(&format!("/api/v1/supervision/hazards/{id}")).await).await;
        assert_eq!(h["allowed_events"], json!([]));
        let (st, h) = step(&cmd, id, v, json!({ "kind": "close" })).await;
        ok(st, &h);
        assert_eq!(h["state"], "closed");

        // Every step is in the timeline, in order, with who took it.
        let kinds: Vec<&str> = h["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "reported",
                "confirm",
                "rectify",
                "list",
                "report_rectified",
                "return",
                "report_rectified",
                "accept",
                "close"
            ]
        );
        let actors: Vec<&str> = h["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["actor"].as_str().unwrap())
            .collect();
        assert_eq!(actors[0], "qiye_a");
        assert_eq!(actors[8], "commander");
        // Closed stays: nothing more can happen.
        let (st, p) = step(
            &cmd,
            id,
            h["version"].as_i64().unwrap(),
            json!({ "kind": "close" }),
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("hazard_step_not_allowed"))
        );
        // Unknown kinds and fields are named.
        let (st, p) = step(&cmd, id, 1, json!({ "kind": "delete" })).await;
        assert_eq!(st, 422, "{p}");
    }
}

#[tokio::test]
async fn hazards_are_filtered_and_scoped_to_the_jurisdiction_and_the_enterprise() {
    for app in apps().await {
        let w = world(&app).await;
        let qa = app.login("qiye_a").await;
        let qb = app.login("qiye_b").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let obs = app.login("observer").await;
        let rep = app.login("xinrong").await;

        let ha = report(&pc, w.a, "甲：配电室无绝缘垫").await;
        let hb = report(&pc, w.b, "乙：储罐区静电接地缺失").await;
        let hy = report(&yz, w.other, "丙：煤气柜泄漏报警失效").await;

        // ha: general, being rectified with a deadline already past (set in
        // the database, as the clock would have it).
        let (st, h) = step(&pc, ha, 1, json!({ "kind": "confirm", "grade": "general" })).await;
        let v = ok(st, &h);
        let (st, h) = step(
            &pc,
            ha,
            v,
            json!({ "kind": "rectify", "measures": "铺设绝缘垫", "responsible": "李电工", "deadline": tomorrow() }),
        )
        .await;
        ok(st, &h);
        sqlx::query("UPDATE hazards SET due_at = '2026-01-02T16:00:00.000Z', deadline = '2026-01-02' WHERE id = $1")
            .bind(ha)
            .execute(app.state.db.pool())
            .await
            .unwrap();
        // hb: major, confirmed.
        let (st, h) = step(&pc, hb, 1, json!({ "kind": "confirm", "grade": "major" })).await;
        ok(st, &h);

        let ids = |v: &Value| -> Vec<i64> {
            let mut x: Vec<i64> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_i64().unwrap())
                .collect();
            x.sort_unstable();
            x
        };
        // City sees all; counties their own; enterprises their own.
        assert_eq!(ids(&get(&cmd, "").await), vec![ha, hb, hy]);
        assert_eq!(ids(&get(&pc, "").await), vec![ha, hb]);
        assert_eq!(ids(&get(&yz, "").await), vec![hy]);
        assert_eq!(ids(&get(&qa, "").await), vec![ha]);
        assert_eq!(ids(&get(&qb, "").await), vec![hb]);
        assert_eq!(ids(&get(&obs, "").await), vec![ha, hb, hy]);
        // Filters.
        let overdue = get(&cmd, "?overdue=true").await;
        assert_eq!(ids(&overdue), vec![ha]);
        assert_eq!(overdue["items"][0]["overdue"], true);
        assert_eq!(ids(&get(&cmd, "?grade=major").await), vec![hb]);
        assert_eq!(ids(&get(&cmd, "?state=reported").await), vec![hy]);
        assert_eq!(ids(&get(&cmd, "?division=140215").await), vec![hy]);
        assert_eq!(
            ids(&get(&cmd, &format!("?enterprise_id={}", w.b)).await),
            vec![hb]
        );
        assert_eq!(ids(&get(&cmd, "?listed=true").await), Vec::<i64>::new());
        let page = get(&cmd, "?limit=1").await;
        assert_eq!(
            (
                page["items"].as_array().unwrap().len(),
                page["total"].as_i64()
            ),
            (1, Some(3))
        );
        // A bad filter is named; a county cannot list another county.
        // (the query extractor names `query`, its message the parameter)
        let (st, p) = send(cmd.get("/api/v1/supervision/hazards?state=lost").await).await;
        assert_eq!(st, 422, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("state"), "{p}");
        let (st, p) = send(pc.get("/api/v1/supervision/hazards?division=140215").await).await;
        assert_eq!((st, fields(&p)), (422, vec!["division".to_string()]), "{p}");

        // Another county, another enterprise: not found, not changed.
        for (u, id) in [(&yz, ha), (&qb, ha), (&qa, hb), (&pc, hy), (&qa, hy)] {
            let st = u
                .get(&format!("/api/v1/supervision/hazards/{id}"))
                .await
                .status();
            assert_eq!(st, 404, "{} reads {id}", u.name);
            let (st, _) = step(u, id, 1, json!({ "kind": "confirm", "grade": "general" })).await;
            assert_eq!(st, 404, "{} changes {id}", u.name);
            let (st, _) = step(
                u,
                id,
                2,
                json!({ "kind": "report_rectified", "report": "x" }),
            )
            .await;
            assert_eq!(st, 404, "{} changes {id}", u.name);
        }
        // Nor report for an enterprise outside.
        for (u, e) in [(&yz, w.a), (&qa, w.b), (&pc, w.other)] {
            let (st, p) = send(
                u.post(
                    "/api/v1/supervision/hazards",
                    &json!({ "enterprise_id": e, "title": "x", "source": "routine" }),
                )
                .await,
            )
            .await;
            assert_eq!(
                (st, fields(&p)),
                (422, vec!["enterprise_id".to_string()]),
                "{}",
                u.name
            );
        }
        // Read-only roles do not write.
        for u in [&obs, &rep] {
            let (st, _) = step(u, hy, 1, json!({ "kind": "confirm", "grade": "general" })).await;
            assert_eq!(st, 403, "{}", u.name);
        }
        // Nothing was changed by the refused attempts.
        let (_, h) = send(cmd.get(&format!("/api/v1/supervision/hazards/{hy}")).await).await;
        assert_eq!(
            (h["state"].as_str(), h["version"].as_i64()),
            (Some("reported"), Some(1))
        );
    }
}
