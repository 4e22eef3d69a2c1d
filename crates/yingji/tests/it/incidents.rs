//! Command and rescue over HTTP, on both databases: intake, the life cycle
//! with the proposed grade and plans, instructions from task templates,
//! dispatch orders with resource status, the rescue clock, jurisdictions.
use crate::common::*;
use serde_json::{json, Value};

const COAL: &str = "accident.production.coal_mine";

async fn intake(u: &User, body: Value) -> (u16, Value) {
    let r = u.post("/api/v1/incidents", &body).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn coal_mine(division: &str, deaths: u32) -> Value {
    json!({
        "title": "煤矿透水事故", "incident_type": COAL, "division": division,
        "source": "phone", "reporter": "张伟", "reporter_phone": "13800138000",
        "facts": { "deaths": deaths, "trapped": 12 }, "description": "井下透水，12人被困",
    })
}

async fn step(u: &User, id: i64, version: i64, body: Value) -> (u16, Value) {
    let mut b = body;
    b["version"] = json!(version);
    let r = u.post(&format!("/api/v1/incidents/{id}/events"), &b).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn problem(p: &Value) -> Vec<(String, String)> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_string(),
                        e["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn commands_are_typed_and_name_what_is_wrong() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let (st, i) = intake(&pc, coal_mine("140213", 3)).await;
        assert_eq!(st, 201, "{i}");
        let id = i["id"].as_i64().unwrap();
        // (body, the field named, its code)
        let table = [
            (json!({ "kind": "fly" }), "kind", "unknown_kind"),
            (
                json!({ "kind": "change_level", "reason": "x" }),
                "level",
                "required",
            ),
            // A bad value inside a tagged command: serde reads tagged enums
            // through a buffer that loses the path, so the body is named.
            (
                json!({ "kind": "change_level", "level": "V", "reason": "x" }),
                "body",
                "bad_value",
            ),
            (
                json!({ "kind": "verify", "note": "x" }),
                "note",
                "unknown_field",
            ),
        ];
        for (body, field, code) in table {
            let (st, p) = step(&pc, id, 1, body.clone()).await;
            assert_eq!(st, 422, "{body}: {p}");
            assert_eq!(
                problem(&p),
                vec![(field.to_string(), code.to_string())],
                "{body}: {p}"
            );
        }
        // A bad instruction event names the nested field.
        let r = pc
            .post(
                "/api/v1/instructions/999999/events",
                &json!({ "version": 1, "event": { "kind": "nap" } }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(
            problem(&p),
            vec![("event.kind".to_string(), "unknown_kind".to_string())],
            "{p}"
        );
        // Bad facts answer the plan rule's code and params, on the fact.
        let mut bad = coal_mine("140213", 1);
        bad["facts"]["magnitude"] = json!(11);
        let (st, p) = intake(&pc, bad).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            problem(&p),
            vec![("facts.magnitude".to_string(), "out_of_range".to_string())],
            "{p}"
        );
        assert_eq!(
            p["errors"][0]["params"],
            json!({ "min": 0, "max": 10 }),
            "{p}"
        );
        let r = pc
            .put(
                &format!("/api/v1/incidents/{id}/facts"),
                &json!({ "version": 1, "facts": { "magnitude": -1.0 }, "note": "x" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(
            problem(&p),
            vec![(
                "facts.magnitude".to_string(),
                "not_non_negative".to_string()
            )],
            "{p}"
        );
        // Nothing was changed by the refused commands.
        let (st, i) = step(&pc, id, 1, json!({ "kind": "verify" })).await;
        assert_eq!((st, i["state"].as_str()), (200, Some("verified")), "{i}");
        // A refused step carries a code and its values for the UI, besides
        // the Chinese detail.
        let (st, p) = step(&pc, id, 2, json!({ "kind": "verify" })).await;
        assert_eq!(st, 409, "{p}");
        assert_eq!(p["key"], "invalid_transition");
        assert_eq!(p["code"], "already_verified", "{p}");
        assert_eq!(p["params"], json!({ "event": "verify" }), "{p}");
        assert_eq!(p["detail"], "事件已核实，不能重复核实");
        let (st, p) = step(&pc, id, 2, json!({ "kind": "end_response", "reason": "x" })).await;
        assert_eq!(st, 403, "{p}");
        assert_eq!(p["key"], "forbidden");
        assert_eq!(p["code"], "commander_only", "{p}");
        assert_eq!(p["params"], json!({ "event": "end_response" }), "{p}");
        // A plain 403 has no code.
        let obs = app.login("observer").await;
        let (st, p) = step(&obs, id, 2, json!({ "kind": "verify" })).await;
        assert_eq!(st, 403, "{p}");
        assert!(p.get("code").is_none(), "{p}");
    }
}

#[tokio::test]
async fn intake_grade_respond_instruct_dispatch_and_close() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let cmd = app.login("commander").await;
        let yz = app.login("yunzhou").await;

        // Bad intake names every field.
        let (st, p) = intake(
            &pc,
            json!({ "title": "", "incident_type": "nope", "division": "140215", "source": "fax" }),
        )
        .await;
        assert_eq!(st, 422, "{p}");
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in ["title", "incident_type", "source", "division"] {
            assert!(fields.contains(&f), "{f} in {p}");
        }

        // A coal-mine accident with 3 dead: 493号令 gives 较大 → Ⅲ, and the coal plan fits.
        // 40 villagers evacuated above the flooded mine: 受灾人员, so the
        // 10-hour clock runs (plan 二.(三)3).
        let mut body = coal_mine("140213", 3);
        body["facts"]["evacuated_people"] = json!(40);
        let (st, i) = intake(&pc, body).await;
        assert_eq!(st, 201, "{i}");
        let id = i["id"].as_i64().unwrap();
        assert_eq!(i["state"], "reported");
        assert_eq!(i["proposed_grade"]["level"], "III", "{i}");
        assert_eq!(i["proposed_grade"]["basis"]["kind"], "production_safety");
        let plans: Vec<&str> = i["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap())
            .collect();
        assert_eq!(plans.first(), Some(&"DT-ZX-MK"), "{plans:?}");
        assert_eq!(plans.last(), Some(&"DT-ZT"), "{plans:?}");
        assert!(
            !plans.contains(&"DT-DW-MK01"),
            "a 左云 enterprise's plan does not fit 平城"
        );
        assert!(!i["plans"][0]["reasons"].as_array().unwrap().is_empty());
        assert_eq!(i["clock"]["status"], "running", "{i}");
        // The server says what the user may do now; the UI shows only that.
        assert_eq!(
            i["allowed_events"],
            json!([
                "verify",
                "mark_false",
                "helped",
                "add_call",
                "issue_instruction",
                "dispatch"
            ]),
            "{i}"
        );

        // Another county neither sees nor acts on it.
        assert_eq!(
            yz.get(&format!("/api/v1/incidents/{id}")).await.status(),
            404
        );
        let (st, _) = step(&yz, id, 1, json!({ "kind": "verify" })).await;
        assert_eq!(st, 404);
        let list: Value = yz.get("/api/v1/incidents").await.json().await.unwrap();
        assert!(list.as_array().unwrap().iter().all(|x| x["id"] != id));
        let list: Value = cmd
            .get("/api/v1/incidents?active=true")
            .await
            .json()
            .await
            .unwrap();
        assert!(list.as_array().unwrap().iter().any(|x| x["id"] == id));

        // Impossible steps are refused with the reason.
        let (st, p) = step(&pc, id, 1, json!({ "kind": "end_response", "reason": "x" })).await;
        assert!(st == 409 || st == 403, "{st} {p}");
        let (st, p) = step(&pc, id, 1, json!({ "kind": "review", "summary": "x" })).await;
        assert_eq!(st, 409, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("未核实"), "{p}");

        // verify → grade.
        let (st, i) = step(&pc, id, 1, json!({ "kind": "verify" })).await;
        assert_eq!(st, 200, "{i}");
        // A stale version is a conflict, not a lost update.
        let (st, p) = step(&pc, id, 1, json!({ "kind": "grade" })).await;
        assert_eq!(st, 409, "{p}");
        assert_eq!(p["key"], "conflict");
        let (st, i) = step(&pc, id, 2, json!({ "kind": "grade" })).await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["grade"], "III");
        let events = |v: &Value| -> Vec<String> {
            v["allowed_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_string())
                .collect()
        };
        assert!(!events(&i).contains(&"start_response".to_string()), "{i}");
        assert!(events(&i).contains(&"update".to_string()), "{i}");
        let by_cmd: Value = cmd
            .get(&format!("/api/v1/incidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            events(&by_cmd).contains(&"start_response".to_string()),
            "{by_cmd}"
        );
        let by_obs: Value = app
            .login("observer")
            .await
            .get(&format!("/api/v1/incidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(by_obs["allowed_events"], json!([]), "{by_obs}");

        // Only a commander starts a response; the plan's tasks become instructions.
        let (st, p) = step(
            &pc,
            id,
            3,
            json!({ "kind": "start_response", "level": "III", "plan": "DT-ZX-MK" }),
        )
        .await;
        assert_eq!(st, 403, "{p}");
        let (st, p) = step(
            &cmd,
            id,
            3,
            json!({ "kind": "start_response", "level": "III", "plan": "DT-ZX-SLHZ" }),
        )
        .await;
        assert_eq!(st, 422, "a forest-fire plan does not fit: {p}");
        let (st, i) = step(
            &cmd,
            id,
            3,
            json!({ "kind": "start_response", "level": "Ⅲ", "plan": "DT-ZX-MK" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["state"], "responding");
        assert_eq!(i["response_level"], "III");
        let ins = i["instructions"].as_array().unwrap();
        assert!(ins.len() >= 4, "{i}");
        assert!(ins
            .iter()
            .all(|x| x["state"] == "issued" && x["issued_by"] == "commander"));

        // 续报: new figures; the proposed grade follows (10 dead → 重大 → Ⅱ).
        let r = pc
            .put(
                &format!("/api/v1/incidents/{id}/facts"),
                &json!({ "version": 4, "facts": { "deaths": 10, "trapped": 2, "evacuated_people": 40 }, "note": "又发现7名遇难者" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        let i: Value = r.json().await.unwrap();
        assert_eq!(i["proposed_grade"]["level"], "II", "{i}");
        // Escalate with a reason.
        let (st, i) = step(
            &cmd,
            id,
            5,
            json!({ "kind": "change_level", "level": "II", "reason": "死亡人数升至10人" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["response_level"], "II");

        // An instruction: received, feedback with a location, accepted.
        let first = &i["instructions"][0];
        let (xid, xv) = (
            first["id"].as_i64().unwrap(),
            first["version"].as_i64().unwrap(),
        );
        let url = format!("/api/v1/instructions/{xid}/events");
        let r = pc
            .post(
                &url,
                &json!({ "version": xv, "event": { "kind": "receive" } }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let (lon, lat) = app.point_in("140213");
        let r = pc
            .post(&url, &json!({ "version": xv + 1, "event": { "kind": "feedback", "text": "已到达现场", "photos": [], "location": [lon, lat] } }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = yz
            .post(
                &url,
                &json!({ "version": xv + 2, "event": { "kind": "accept" } }),
            )
            .await;
        assert_eq!(r.status(), 404, "another county cannot accept");
        let r = cmd
            .post(
                &url,
                &json!({ "version": xv + 2, "event": { "kind": "accept" } }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let x: Value = r.json().await.unwrap();
        assert_eq!(x["state"], "accepted");
        assert_eq!(x["feedback"][0]["text"], "已到达现场");

        // Dispatch a team: approve (not one's own request), depart; it is not offered twice.
        let (tl, ta) = app.point_in("140213");
        let team: Value = pc
            .post(
                "/api/v1/registries/team",
                &json!({ "name": "平城矿山救护队", "division": "140213", "lon": tl, "lat": ta, "attrs": { "team_kind": "mine", "headcount": 30 } }),
            )
            .await
            .json()
            .await
            .unwrap();
        let tid = team["id"].as_i64().unwrap();
        let r = cmd
            .post(
                &format!("/api/v1/incidents/{id}/dispatch"),
                &json!({ "resource_kind": "team", "resource_id": tid }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let o: Value = r.json().await.unwrap();
        let oid = o["id"].as_i64().unwrap();
        let ourl = format!("/api/v1/dispatch-orders/{oid}/events");
        let r = cmd
            .post(&ourl, &json!({ "version": 1, "kind": "approve" }))
            .await;
        assert_eq!(
            r.status(),
            403,
            "no approving one's own request: {}",
            r.text().await.unwrap()
        );
        // Cancel that one; the operator requests, the commander approves.
        let r = cmd
            .post(
                &ourl,
                &json!({ "version": 1, "kind": "cancel", "reason": "改由县里申请" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = pc
            .post(
                &format!("/api/v1/incidents/{id}/dispatch"),
                &json!({ "resource_kind": "team", "resource_id": tid }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let oid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let ourl = format!("/api/v1/dispatch-orders/{oid}/events");
        let r = pc
            .post(
                &format!("/api/v1/incidents/{id}/dispatch"),
                &json!({ "resource_kind": "team", "resource_id": tid }),
            )
            .await;
        assert_eq!(r.status(), 409, "an open order already holds the team");
        // What each may do to the order now, from the server.
        let offered = |d: &Value| {
            d["dispatch_orders"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == oid)
                .unwrap()["allowed_events"]
                .clone()
        };
        let by_pc: Value = pc
            .get(&format!("/api/v1/incidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let by_cmd: Value = cmd
            .get(&format!("/api/v1/incidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(offered(&by_pc), json!(["cancel"]), "{by_pc}");
        assert_eq!(offered(&by_cmd), json!(["approve", "cancel"]), "{by_cmd}");
        let r = pc
            .post(&ourl, &json!({ "version": 1, "kind": "approve" }))
            .await;
        assert_eq!(r.status(), 403, "operators do not approve");
        let r = cmd
            .post(&ourl, &json!({ "version": 1, "kind": "approve" }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let t: Value = pc
            .get(&format!("/api/v1/registries/team/{tid}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(t["status"], "dispatched");
        let (lon, lat) = app.point_in("140213");
        let near: Value = pc
            .get(&format!(
                "/api/v1/dispatch/nearest?at={lat},{lon}&kind=team&category=mine"
            ))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            near["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["id"] != tid),
            "{near}"
        );
        for (v, k) in [(2, "depart"), (3, "arrive"), (4, "return")] {
            let r = pc.post(&ourl, &json!({ "version": v, "kind": k })).await;
            assert_eq!(r.status(), 200, "{k}: {}", r.text().await.unwrap());
        }
        let t: Value = pc
            .get(&format!("/api/v1/registries/team/{tid}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(t["status"], "available");

        // Help reached the people: the clock stops; end the response, review.
        let r = pc
            .post(
                &format!("/api/v1/incidents/{id}/helped"),
                &json!({ "version": 6 }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let i: Value = r.json().await.unwrap();
        assert_eq!(i["clock"]["status"], "met", "{i}");
        let (st, p) = step(
            &pc,
            id,
            7,
            json!({ "kind": "end_response", "reason": "救援结束" }),
        )
        .await;
        assert_eq!(st, 403, "{p}");
        let (st, i) = step(
            &cmd,
            id,
            7,
            json!({ "kind": "end_response", "reason": "被困人员全部救出" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        let (st, i) = step(
            &pc,
            id,
            8,
            json!({ "kind": "review", "summary": "排水能力不足，需补充大功率水泵" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["state"], "reviewed");
        // The timeline holds every step, in order, with who did it.
        let kinds: Vec<&str> = i["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in [
            "reported",
            "verify",
            "grade",
            "start_response",
            "update",
            "change_level",
            "instruction_received",
            "instruction_feedback",
            "instruction_accepted",
            "dispatch_requested",
            "dispatch_step",
            "helped",
            "end_response",
            "review",
        ] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        assert_eq!(kinds[0], "reported");
        assert_eq!(*kinds.last().unwrap(), "review");
        // Closed: nothing more happens.
        let (st, _) = step(&cmd, id, 9, json!({ "kind": "verify" })).await;
        assert_eq!(st, 409);
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

#[tokio::test]
async fn rescue_clock_breaches_after_ten_hours_and_false_reports_close() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let onset = (time::OffsetDateTime::now_utc() - time::Duration::hours(11))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        // Trapped miners alone: no 受灾人员, so no clock (plan 二.(三)3) and no
        // `helped` step.
        let mut body = coal_mine("140213", 0);
        body["onset_at"] = json!(onset);
        let (st, i) = intake(&pc, body.clone()).await;
        assert_eq!(st, 201, "{i}");
        assert_eq!(
            (
                i["clock"]["applies"].as_bool(),
                i["clock"]["active"].as_bool()
            ),
            (Some(false), Some(false)),
            "{i}"
        );
        let d: Value = pc
            .get(&format!("/api/v1/incidents/{}", i["id"]))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            !d["allowed_events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "helped"),
            "{d}"
        );
        // With 30 people evacuated from the villages above the mine it runs.
        body["facts"]["evacuated_people"] = json!(30);
        let (st, i) = intake(&pc, body).await;
        assert_eq!(st, 201, "{i}");
        assert_eq!(i["clock"]["applies"], true, "{i}");
        assert_eq!(i["clock"]["status"], "breached", "{i}");
        assert!(i["clock"]["remaining_s"].as_i64().unwrap() < 0);
        // A future onset is refused; so is a point outside the division.
        let mut body = coal_mine("140213", 0);
        body["onset_at"] = json!("2099-01-01T00:00:00+08:00");
        let (st, p) = intake(&pc, body).await;
        assert_eq!(st, 422);
        assert_eq!(p["errors"][0]["field"], "onset_at");
        let (lon, lat) = app.point_in("140215");
        let mut body = coal_mine("140213", 0);
        body["lon"] = json!(lon);
        body["lat"] = json!(lat);
        let (st, p) = intake(&pc, body).await;
        assert_eq!(st, 422);
        assert_eq!(p["errors"][0]["field"], "lat", "{p}");
        // 误报 closes an unverified report; it cannot be verified afterwards.
        let id = i["id"].as_i64().unwrap();
        let (st, i) = step(
            &pc,
            id,
            1,
            json!({ "kind": "mark_false", "reason": "重复报告" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["state"], "dismissed");
        let (st, _) = step(&pc, id, 2, json!({ "kind": "verify" })).await;
        assert_eq!(st, 409);
        // Observers read but do not write; reporters do not record incidents.
        let obs = app.login("observer").await;
        assert_eq!(
            obs.get(&format!("/api/v1/incidents/{id}")).await.status(),
            200
        );
        let (st, _) = intake(&obs, coal_mine("140213", 0)).await;
        assert_eq!(st, 403);
        let rep = app.login("xinrong").await;
        let (st, _) = intake(&rep, coal_mine("140212100", 0)).await;
        assert_eq!(st, 403);
        // Catalogue endpoints.
        let types: Value = pc.get("/api/v1/incident-types").await.json().await.unwrap();
        assert_eq!(types.as_array().unwrap().len(), 4);
        let plans: Value = pc.get("/api/v1/plans").await.json().await.unwrap();
        let overdue: Vec<&str> = plans
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["review"]["overdue"] == true)
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert!(overdue.contains(&"DT-ZX-DZZH"), "{overdue:?}");
    }
}
