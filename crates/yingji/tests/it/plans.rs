//! Digital plans over HTTP, on both databases: stored versions that never
//! change once published, revise → edit → publish with triggers, conflicts,
//! matching on the newly published version, evaluations, drills whose
//! problems become improvement items closed by someone else, and the
//! jurisdictions.
use crate::common::*;
use serde_json::{json, Value};
use yingji::db::Versioned;
use yingji::plans::store as pstore;
use yingji::plans::PlanStatus;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date()
}

/// The editable content of a version, as read.
fn content(v: &Value) -> Value {
    let mut out = json!({});
    for k in [
        "title",
        "owner",
        "command",
        "parent",
        "incident_types",
        "divisions",
        "review_years",
        "drill_cycle_months",
        "grading_basis",
        "levels",
    ] {
        out[k] = v[k].clone();
    }
    out
}

async fn step(u: &User, id: i64, version: i64, body: Value) -> (u16, Value) {
    let mut b = body;
    b["version"] = json!(version);
    send(u.post(&format!("/api/v1/incidents/{id}/events"), &b).await).await
}

fn forest_fire(ha: f64) -> Value {
    json!({
        "title": "森林火灾", "incident_type": "natural.wildfire.forest", "division": "140213",
        "source": "phone", "facts": { "burned_area_ha": ha },
    })
}

fn plan_of<'a>(i: &'a Value, code: &str) -> &'a Value {
    i["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {i}"))
}

#[tokio::test]
async fn published_versions_never_change_and_a_revision_is_edited_then_published() {
    for app in apps().await {
        let b = app.backend;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let obs = app.login("observer").await;

        // The catalogue is stored: the list keeps its contract and adds the status.
        let (st, list) = send(cmd.get("/api/v1/plans").await).await;
        assert_eq!(st, 200, "{b}");
        assert_eq!(list.as_array().unwrap().len(), 24, "{b}");
        let slhz = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == "DT-ZX-SLHZ")
            .unwrap();
        assert_eq!(slhz["status"], "in_force");
        assert_eq!(slhz["revision"], 1);
        assert!(slhz["review"]["due_on"].is_string() && slhz["drill"].is_object());

        // A published version is refused by the API …
        let (_, v1) = send(cmd.get("/api/v1/plans/DT-ZX-SLHZ/versions/1").await).await;
        assert_eq!(v1["status"], "in_force", "{b}: {v1}");
        let mut body = content(&v1);
        body["version"] = v1["lock_version"].clone();
        body["title"] = json!("改过的标题");
        let (st, p) = send(cmd.put("/api/v1/plans/DT-ZX-SLHZ/versions/1", &body).await).await;
        assert_eq!(st, 409, "{b}: {p}");
        assert_eq!(p["key"], "invalid_transition");
        assert!(p["detail"].as_str().unwrap().contains("已发布"), "{p}");
        // … and by the store itself, whatever the caller asks: a published
        // row is not written, at its own version, as a draft or published.
        let rows = pstore::versions(&app.state.db, "DT-ZX-SLHZ").await.unwrap();
        let mut changed = rows[0].clone();
        changed.plan.title = "改过的标题".into();
        let mut tx = app.state.db.begin().await.unwrap();
        assert!(
            !changed.write(&mut tx, changed.version).await.unwrap(),
            "{b}"
        );
        changed.plan.status = PlanStatus::Draft;
        assert!(
            !changed.write(&mut tx, changed.version).await.unwrap(),
            "{b}"
        );
        tx.commit_unjournaled().await.unwrap();
        let rows = pstore::versions(&app.state.db, "DT-ZX-SLHZ").await.unwrap();
        assert_eq!(rows[0].plan.title, v1["title"].as_str().unwrap());

        // Before the revision, 60 ha is a Ⅲ fire.
        let (st, i) = send(cmd.post("/api/v1/incidents", &forest_fire(60.0)).await).await;
        assert_eq!(st, 201, "{b}: {i}");
        let id = i["id"].as_i64().unwrap();
        assert_eq!(plan_of(&i, "DT-ZX-SLHZ")["level"], "III");

        // Revising needs known triggers and a reason; observers and a county cannot.
        let url = "/api/v1/plans/DT-ZX-SLHZ/revisions";
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "version": "2026版", "triggers": ["whim"], "reason": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(codes(&p), ["triggers:unknown_trigger"]);
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "version": "2026版", "triggers": ["law_change"], "reason": " " }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["reason:required".to_string()]),
            "{p}"
        );
        let ok = json!({ "version": "2026版", "triggers": ["law_change", "response_lessons"], "reason": "上位法修订，演练发现响应分级偏高" });
        let (st, _) = send(obs.post(url, &ok).await).await;
        assert_eq!(st, 403);
        let (st, _) = send(pc.post(url, &ok).await).await;
        assert_eq!(st, 403, "a county operator does not revise a city plan");
        let (st, v2) = send(cmd.post(url, &ok).await).await;
        assert_eq!(st, 201, "{b}: {v2}");
        assert_eq!(
            (v2["revision"].as_i64(), v2["status"].as_str()),
            (Some(2), Some("draft"))
        );
        assert_eq!(
            v2["revision_triggers"],
            json!(["law_change", "response_lessons"])
        );
        // One draft at a time.
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "version": "2027版", "triggers": ["law_change"], "reason": "再修订" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");

        // Edit the draft: the Ⅱ level now starts at 50 ha.
        let mut body = content(&v2);
        for l in body["levels"].as_array_mut().unwrap() {
            if l["level"] == "II" {
                for c in l["criteria"].as_array_mut().unwrap() {
                    if c["metric"] == "burned_area_ha" {
                        c["value"] = json!(50);
                    }
                }
                l["criteria_text"] = json!("受害森林面积50公顷以上");
            }
        }
        body["version"] = v2["lock_version"].clone();
        // Invalid content names every problem.
        let mut bad = body.clone();
        bad["owner"] = json!("nobody");
        bad["levels"][0]["tasks"][0]["within_minutes"] = json!(0);
        let (st, p) = send(cmd.put("/api/v1/plans/DT-ZX-SLHZ/versions/2", &bad).await).await;
        assert_eq!(st, 422, "{p}");
        let f = fields(&p);
        assert!(f.contains(&"owner".to_string()), "{f:?}");
        assert!(f.contains(&"levels.I.tasks[0]".to_string()), "{f:?}");
        // Each with its code and the values its message names, for the UI.
        let coded = |field: &str| {
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == field)
                .map(|e| (e["code"].clone(), e["params"].clone()))
        };
        assert_eq!(
            coded("owner"),
            Some((json!("department_not_found"), json!({ "code": "nobody" }))),
            "{p}"
        );
        assert_eq!(
            coded("levels.I.tasks[0]"),
            Some((json!("out_of_range"), json!({ "min": 1, "max": 10080 }))),
            "{p}"
        );
        let (st, e) = send(cmd.put("/api/v1/plans/DT-ZX-SLHZ/versions/2", &body).await).await;
        assert_eq!(st, 200, "{b}: {e}");
        assert_eq!(e["lock_version"], 2);
        // A stale edit is a conflict.
        let (st, p) = send(cmd.put("/api/v1/plans/DT-ZX-SLHZ/versions/2", &body).await).await;
        assert_eq!((st, p["key"].as_str()), (409, Some("conflict")), "{p}");
        // A version saved at a row version read before the edit is stale,
        // and nothing is written.
        let rows = pstore::versions(&app.state.db, "DT-ZX-SLHZ").await.unwrap();
        let mut old = rows[1].clone();
        old.version = 1;
        old.plan.title = "过时的编辑".into();
        let mut change = app.state.change().await.unwrap();
        let saved = change.save(&old).await;
        assert!(
            matches!(saved, Err(yingji::db::DbError::Stale)),
            "{b}: {saved:?}"
        );
        drop(change);
        let rows = pstore::versions(&app.state.db, "DT-ZX-SLHZ").await.unwrap();
        assert_eq!(
            (rows[1].version, rows[1].plan.title == "过时的编辑"),
            (2, false)
        );
        // The plan offers what its versions allow: the draft is edited and
        // published (by a commander), the version in force evaluated.
        let (_, d) = send(cmd.get("/api/v1/plans/DT-ZX-SLHZ").await).await;
        assert_eq!(
            d["allowed_events"],
            json!(["edit", "publish", "evaluate"]),
            "{d}"
        );
        let (_, d) = send(obs.get("/api/v1/plans/DT-ZX-SLHZ").await).await;
        assert_eq!(d["allowed_events"], json!([]), "{d}");

        // The draft does not match yet.
        let (_, i) = send(cmd.get(&format!("/api/v1/incidents/{id}")).await).await;
        assert_eq!(plan_of(&i, "DT-ZX-SLHZ")["revision"], 1);
        assert_eq!(plan_of(&i, "DT-ZX-SLHZ")["level"], "III");

        // Only a commander publishes; a stale version is a conflict.
        let (st, _) = send(
            pc.post(
                "/api/v1/plans/DT-ZX-SLHZ/versions/2/publish",
                &json!({ "version": 2 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 403);
        let (st, _) = send(
            cmd.post(
                "/api/v1/plans/DT-ZX-SLHZ/versions/2/publish",
                &json!({ "version": 1 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409);
        let (st, pb) = send(
            cmd.post(
                "/api/v1/plans/DT-ZX-SLHZ/versions/2/publish",
                &json!({ "version": 2 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{b}: {pb}");
        assert_eq!(pb["status"], "in_force");
        assert_eq!(pb["published_by"], "commander");
        let (st, _) = send(
            cmd.post(
                "/api/v1/plans/DT-ZX-SLHZ/versions/2/publish",
                &json!({ "version": 3 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "published once");

        // The old version is superseded and still readable, unchanged.
        let (_, old) = send(obs.get("/api/v1/plans/DT-ZX-SLHZ/versions/1").await).await;
        assert_eq!(old["status"], "superseded", "{old}");
        let ii = old["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["level"] == "II")
            .unwrap();
        assert!(ii["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["metric"] == "burned_area_ha" && c["value"] == 100.0));
        let (_, d) = send(obs.get("/api/v1/plans/DT-ZX-SLHZ").await).await;
        assert_eq!(d["current"]["revision"], 2);
        assert!(d["draft"].is_null());
        let vs: Vec<(i64, &str)> = d["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["revision"].as_i64().unwrap(),
                    v["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(vs, [(2, "in_force"), (1, "superseded")]);

        // Matching uses the newly published version: 60 ha is now Ⅱ.
        let (_, i) = send(cmd.get(&format!("/api/v1/incidents/{id}")).await).await;
        let m = plan_of(&i, "DT-ZX-SLHZ");
        assert_eq!(
            (m["revision"].as_i64(), m["level"].as_str()),
            (Some(2), Some("II")),
            "{b}"
        );

        // The response records the version it started under.
        let (st, i) = step(&cmd, id, 1, json!({ "kind": "verify" })).await;
        assert_eq!(st, 200, "{i}");
        let (st, i) = step(&cmd, id, 2, json!({ "kind": "grade" })).await;
        assert_eq!(
            (st, i["grade"].as_str()),
            (200, Some("II")),
            "graded on the new version: {i}"
        );
        let (st, i) = step(
            &cmd,
            id,
            3,
            json!({ "kind": "start_response", "level": "II", "plan": "DT-ZX-SLHZ" }),
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["plan_code"], "DT-ZX-SLHZ");
        assert_eq!(i["plan_revision"], 2);
        let (st, _) = step(
            &cmd,
            id,
            4,
            json!({ "kind": "end_response", "reason": "明火扑灭" }),
        )
        .await;
        assert_eq!(st, 200);

        // The after-action review records improvement items.
        let due = (today() + time::Duration::days(30)).to_string();
        let (st, p) = step(&cmd, id, 5, json!({ "kind": "review", "summary": "x", "improvements": [{ "title": "x", "owner_department": "nobody", "due_on": due }] })).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            codes(&p),
            ["improvements[0].owner_department:department_not_found"]
        );
        let (st, i) = step(&cmd, id, 5, json!({ "kind": "review", "summary": "扑救及时，但通信中断", "improvements": [{ "title": "配备卫星电话", "owner_department": "forestry", "due_on": due }] })).await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["state"], "reviewed");
        let (_, items) = send(
            cmd.get(&format!(
                "/api/v1/improvements?source=incident&source_id={id}"
            ))
            .await,
        )
        .await;
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), 1, "{b}");
        assert_eq!(items[0]["title"], "配备卫星电话");
        assert_eq!(items[0]["state"], "open");
        assert_eq!(items[0]["plan_code"], "DT-ZX-SLHZ");

        // Every step is in the journal.
        let (_, j) = send(
            cmd.get("/api/v1/journal?module=plans&entity=plan&id=DT-ZX-SLHZ")
                .await,
        )
        .await;
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in ["revised", "edited", "published"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
    }
}

#[tokio::test]
async fn evaluations_reset_the_review_clock() {
    for app in apps().await {
        let cmd = app.login("commander").await;
        let (_, list) = send(cmd.get("/api/v1/plans").await).await;
        let overdue = |l: &Value| {
            l.as_array()
                .unwrap()
                .iter()
                .find(|p| p["code"] == "DT-ZX-DZZH")
                .unwrap()["review"]["overdue"]
                .as_bool()
                .unwrap()
        };
        assert!(overdue(&list), "the demo geohazard plan is overdue");
        let url = "/api/v1/plans/DT-ZX-DZZH/evaluations";
        let tomorrow = (today() + time::Duration::days(1)).to_string();
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "evaluated_on": tomorrow, "conclusion": "adequate" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["evaluated_on:in_future".to_string()]),
            "{p}"
        );
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "evaluated_on": "2019-01-01", "conclusion": "maybe" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(codes(&p), ["conclusion:not_allowed"]);
        assert_eq!(p["errors"][0]["params"]["allowed"], "adequate, revise");
        let (st, e) = send(cmd.post(url, &json!({ "evaluated_on": today().to_string(), "conclusion": "adequate", "note": "风险点无变化" })).await).await;
        assert_eq!(st, 201, "{e}");
        assert_eq!(e["review"]["overdue"], false);
        let (_, list) = send(cmd.get("/api/v1/plans").await).await;
        assert!(!overdue(&list), "{}", app.backend);
        let (_, d) = send(cmd.get("/api/v1/plans/DT-ZX-DZZH").await).await;
        assert_eq!(d["evaluations"][0]["conclusion"], "adequate");
        assert_eq!(
            d["current"]["review"]["last_evaluated_on"],
            today().to_string()
        );
    }
}

#[tokio::test]
async fn drills_become_improvement_items_closed_by_someone_else() {
    for app in apps().await {
        let b = app.backend;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;

        // Seeded: 10 drills; the held ones' problems are improvement items.
        let (_, all) = send(cmd.get("/api/v1/drills").await).await;
        assert_eq!(all.as_array().unwrap().len(), 10, "{b}");
        let (_, items) = send(cmd.get("/api/v1/improvements?source=drill").await).await;
        assert!(!items.as_array().unwrap().is_empty());
        assert!(
            items
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["overdue"] == true),
            "old problems are overdue"
        );

        // 云州区's chemical company plans a drill of its unit plan.
        let planned = (today() + time::Duration::days(10)).to_string();
        let drill = json!({ "plan": "DT-DW-HG01", "title": "液氨泄漏桌面推演", "kind": "tabletop", "planned_on": planned, "participants": ["unit_chem", "fire_rescue"], "people": 20 });
        let (st, p) = send(pc.post("/api/v1/drills", &drill).await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["plan:published_plan_required".to_string()]),
            "平城 does not see 云州's plan: {p}"
        );
        let (st, p) = send(yz.post("/api/v1/drills", &json!({ "plan": "DT-DW-HG01", "title": "", "kind": "x", "planned_on": "soon", "participants": ["nobody"], "people": 0 })).await).await;
        assert_eq!(st, 422);
        assert_eq!(
            codes(&p),
            [
                "title:required_max",
                "kind:not_allowed",
                "planned_on:not_a_date",
                "participants[0]:department_not_found",
                "people:out_of_range"
            ],
            "{p}"
        );
        let f = fields(&p);
        for x in ["title", "kind", "planned_on", "participants[0]", "people"] {
            assert!(f.contains(&x.to_string()), "{x} in {f:?}");
        }
        let (st, d) = send(yz.post("/api/v1/drills", &drill).await).await;
        assert_eq!(st, 201, "{b}: {d}");
        let id = d["id"].as_i64().unwrap();
        assert_eq!(d["state"], "planned");
        assert_eq!(d["divisions"], json!(["140215000000"]));

        // Another county neither sees nor changes it.
        let (_, list) = send(pc.get("/api/v1/drills").await).await;
        assert!(list.as_array().unwrap().iter().all(|x| x["id"] != id));
        let mut edit = drill.clone();
        edit["version"] = json!(1);
        let (st, _) = send(pc.put(&format!("/api/v1/drills/{id}"), &edit).await).await;
        assert_eq!(st, 404);
        let (st, _) = send(
            pc.post(
                &format!("/api/v1/drills/{id}/events"),
                &json!({ "version": 1, "kind": "hold" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404);
        assert_eq!(pc.get("/api/v1/plans/DT-DW-HG01").await.status(), 404);
        let (st, _) = send(
            obs.post(
                &format!("/api/v1/drills/{id}/events"),
                &json!({ "version": 1, "kind": "hold" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 403);

        // Edit while planned; then hold it with a problem found.
        edit["title"] = json!("液氨储罐泄漏桌面推演");
        let (st, d) = send(yz.put(&format!("/api/v1/drills/{id}"), &edit).await).await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(
            d["allowed_events"],
            json!(["edit", "hold", "cancel"]),
            "{d}"
        );
        let ev = format!("/api/v1/drills/{id}/events");
        let tomorrow = (today() + time::Duration::days(1)).to_string();
        let (st, p) = send(
            yz.post(
                &ev,
                &json!({ "version": 2, "kind": "hold", "held_on": tomorrow }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["held_on:in_future".to_string()]),
            "{p}"
        );
        let (st, p) = send(
            yz.post(
                &ev,
                &json!({ "version": 2, "kind": "evaluate", "evaluation": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["key"].as_str()),
            (409, Some("invalid_transition")),
            "{p}"
        );
        let (st, d) = send(yz.post(&ev, &json!({ "version": 2, "kind": "hold", "people": 24, "problems": [{ "title": "应急广播不能覆盖罐区" }] })).await).await;
        assert_eq!(st, 200, "{b}: {d}");
        assert_eq!(d["state"], "held");
        assert_eq!(d["allowed_events"], json!(["evaluate"]), "{d}");
        assert_eq!(d["held_on"], today().to_string());
        let item_id = d["problems"][0]["improvement"].as_i64().unwrap();
        let (st, d) = send(
            yz.post(
                &ev,
                &json!({ "version": 3, "kind": "evaluate", "evaluation": "达到预期" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["state"], "evaluated");
        let (st, _) = send(yz.put(&format!("/api/v1/drills/{id}"), &json!({ "version": 4, "title": "x", "kind": "live", "planned_on": planned, "participants": ["unit_chem"], "people": 1 })).await).await;
        assert_eq!(st, 409, "a held drill is not edited");

        // The plan's drill clock and history come from the stored drills.
        let (_, pd) = send(yz.get("/api/v1/plans/DT-DW-HG01").await).await;
        assert_eq!(
            pd["current"]["drill"]["last_held_on"],
            today().to_string(),
            "{pd}"
        );
        assert_eq!(pd["current"]["drill"]["never_drilled"], false);
        assert!(pd["drill_history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["title"] == "液氨储罐泄漏桌面推演"));

        // The item: owned by the plan's owner, invisible to the other county.
        let (_, items) = send(
            yz.get(&format!("/api/v1/improvements?source=drill&source_id={id}"))
                .await,
        )
        .await;
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], item_id);
        assert_eq!(items[0]["owner_department"], "unit_chem");
        assert_eq!(items[0]["overdue"], false);
        assert_eq!(items[0]["allowed_events"], json!(["start"]));
        let (_, other) = send(pc.get("/api/v1/improvements").await).await;
        assert!(other.as_array().unwrap().iter().all(|x| x["id"] != item_id));
        let iev = format!("/api/v1/improvements/{item_id}/events");
        let (st, _) = send(
            pc.post(&iev, &json!({ "version": 1, "kind": "start" }))
                .await,
        )
        .await;
        assert_eq!(st, 404);

        // open → in progress → done → verified, not by the one who completed it.
        let (st, p) = send(
            yz.post(&iev, &json!({ "version": 1, "kind": "verify" }))
                .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");
        let (st, _) = send(
            yz.post(&iev, &json!({ "version": 1, "kind": "start" }))
                .await,
        )
        .await;
        assert_eq!(st, 200);
        let (st, p) = send(
            yz.post(&iev, &json!({ "version": 1, "kind": "complete" }))
                .await,
        )
        .await;
        assert_eq!((st, p["key"].as_str()), (409, Some("conflict")));
        let (st, x) = send(
            yz.post(&iev, &json!({ "version": 2, "kind": "complete" }))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(
            (x["state"].as_str(), x["done_by"].as_str()),
            (Some("done"), Some("yunzhou"))
        );
        let (st, p) = send(
            yz.post(&iev, &json!({ "version": 3, "kind": "verify" }))
                .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("他人"), "{p}");
        assert_eq!(p["code"], "no_self_verify", "{p}");
        assert_eq!(x["allowed_events"], json!(["reopen"]), "{x}");
        let (st, x) = send(
            cmd.post(&iev, &json!({ "version": 3, "kind": "verify" }))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(
            (x["state"].as_str(), x["verified_by"].as_str()),
            (Some("verified"), Some("commander"))
        );
    }
}

#[tokio::test]
async fn a_county_drafts_its_own_plan_which_other_counties_cannot_see() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let cmd = app.login("commander").await;
        let level = json!({
            "level": "IV", "name": "Ⅳ级响应", "criteria_text": "死亡1人以上",
            "criteria": [{ "metric": "deaths", "op": ">=", "value": 1 }],
            "commander": "区应急管理局局长",
            "tasks": [{ "assignee_kind": "department", "assignee": "emergency", "task": "赶赴现场", "within_minutes": 60 }],
        });
        let plan = json!({
            "code": "PC-ZX-CZ", "type": "special", "version": "2026版", "title": "平城区城镇燃气事故应急预案",
            "owner": "housing", "command": null, "parent": "DT-ZT",
            "incident_types": ["accident.public_facility.gas"], "divisions": ["140213000000"],
            "review_years": 3, "drill_cycle_months": 12, "levels": [level],
        });
        // Outside the jurisdiction, or an unknown division: named.
        let mut far = plan.clone();
        far["divisions"] = json!(["140215000000"]);
        let (st, p) = send(pc.post("/api/v1/plans", &far).await).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["divisions[0]".to_string()]),
            "{p}"
        );
        assert_eq!(codes(&p), ["divisions[0]:out_of_jurisdiction"]);
        let (st, p) = send(pc.post("/api/v1/plans", &plan).await).await;
        assert_eq!(st, 201, "{}: {p}", app.backend);
        assert_eq!(
            (p["status"].as_str(), p["revision"].as_i64()),
            (Some("draft"), Some(1))
        );
        let (st, p) = send(pc.post("/api/v1/plans", &plan).await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["code:duplicate_code".to_string()]),
            "duplicate code: {p}"
        );

        let (_, list) = send(pc.get("/api/v1/plans").await).await;
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "PC-ZX-CZ" && p["status"] == "draft"));
        let (_, list) = send(yz.get("/api/v1/plans").await).await;
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"] != "PC-ZX-CZ"));
        assert_eq!(yz.get("/api/v1/plans/PC-ZX-CZ").await.status(), 404);
        let mut body = content(&plan);
        body["version"] = json!(1);
        let (st, _) = send(yz.put("/api/v1/plans/PC-ZX-CZ/versions/1", &body).await).await;
        assert_eq!(st, 404);
        // The county edits its draft; the city publishes it.
        body["title"] = json!("平城区城镇燃气突发事件应急预案");
        let (st, e) = send(pc.put("/api/v1/plans/PC-ZX-CZ/versions/1", &body).await).await;
        assert_eq!(st, 200, "{e}");
        let (st, e) = send(
            cmd.post(
                "/api/v1/plans/PC-ZX-CZ/versions/1/publish",
                &json!({ "version": 2 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{e}");
        assert_eq!(e["status"], "in_force");

        // Reference lists for the UI.
        let (_, cmds) = send(pc.get("/api/v1/commands").await).await;
        assert_eq!(cmds.as_array().unwrap().len(), 20);
        assert!(cmds
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["name_en"].as_str().unwrap().is_empty()));
        let (_, depts) = send(pc.get("/api/v1/departments").await).await;
        assert!(depts
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "emergency" && d["short"] == "市应急管理局"));
        let (_, tr) = send(pc.get("/api/v1/revision-triggers").await).await;
        assert_eq!(tr.as_array().unwrap().len(), 8);
    }
}

/// A plan's detail reads its own improvement items, however many the other
/// plans have (it read the first 1,000 of all plans and kept its own).
#[tokio::test]
async fn a_plan_shows_its_items_whatever_the_other_plans_have() {
    for app in apps().await {
        let cmd = app.login("commander").await;
        // 1,001 items of another plan, all due before this plan's one.
        sqlx::query(
            "INSERT INTO improvements (source, source_id, plan_code, division, title, owner_department, due_on, \
             state, created_by, created_at, updated_at, version) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001) \
             SELECT 'drill', 0, 'DT-ZX-SLHZ', '140200000000', 'x', 'emergency', '2000-01-01', 'open', 't', \
             '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1 FROM n",
        )
        .execute(app.state.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO improvements (source, source_id, plan_code, division, title, owner_department, due_on, \
             state, created_by, created_at, updated_at, version) VALUES ('drill', 0, 'DT-ZX-DZZH', '140200000000', \
             '补充监测设备', 'emergency', '2099-01-01', 'open', 't', '2026-01-01T00:00:00.000Z', \
             '2026-01-01T00:00:00.000Z', 1)",
        )
        .execute(app.state.db.pool())
        .await
        .unwrap();
        let (st, d) = send(cmd.get("/api/v1/plans/DT-ZX-DZZH").await).await;
        assert_eq!(st, 200, "{d}");
        let titles: Vec<&str> = d["improvements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap())
            .collect();
        assert!(
            titles.contains(&"补充监测设备"),
            "{}: {titles:?}",
            app.backend
        );
        assert!(!titles.contains(&"x"), "{}: {titles:?}", app.backend);
    }
}

/// 预案备案 (issue #13): a published version's filing is recorded — with
/// whom, on which day, the receipt — and shown with the plan; a date before
/// publication or after today is refused by field; a draft is not filed; a
/// county cannot file the city's plan.
#[tokio::test]
async fn a_published_version_is_filed_and_the_filing_recorded() {
    for app in apps().await {
        let b = app.backend;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let url = "/api/v1/plans/DT-ZX-DZZH/versions/1/filings";
        let tomorrow = (today() + time::Duration::days(1)).to_string();
        let (st, p) = send(
            cmd.post(
                url,
                &json!({ "filed_with": "山西省人民政府", "filed_on": tomorrow }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["filed_on:in_future".to_string()]),
            "{b}: {p}"
        );
        let (st, p) = send(
            cmd.post(url, &json!({ "filed_with": " ", "filed_on": "1990-01-01" }))
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (
                422,
                vec![
                    "filed_with:required".to_string(),
                    "filed_on:filed_before_published".to_string()
                ]
            ),
            "{b}: {p}"
        );
        // Another jurisdiction: the city's plan is not 平城区's to file.
        let (st, _) = send(
            pc.post(
                url,
                &json!({ "filed_with": "山西省人民政府", "filed_on": today().to_string() }),
            )
            .await,
        )
        .await;
        assert!(st == 403 || st == 404, "{b}: {st}");
        let (st, f) = send(
            cmd.post(
                url,
                &json!({ "filed_with": "山西省人民政府", "filed_on": today().to_string(),
            "receipt": "晋应急备〔2026〕3号", "note": "抄送省应急管理厅" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {f}");
        assert_eq!(
            (f["revision"].as_i64(), f["recorded_by"].as_str()),
            (Some(1), Some("commander"))
        );
        let (_, d) = send(cmd.get("/api/v1/plans/DT-ZX-DZZH").await).await;
        assert_eq!(d["filings"][0]["receipt"], "晋应急备〔2026〕3号", "{b}");
        assert_eq!(d["filings"][0]["filed_with"], "山西省人民政府", "{b}");
        // A version that does not exist is not filed.
        let (st, _) = send(
            cmd.post(
                "/api/v1/plans/DT-ZX-DZZH/versions/99/filings",
                &json!({ "filed_with": "x", "filed_on": today().to_string() }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404, "{b}");
    }
}
