//! Supervision's second slice over HTTP, on both databases: 重大危险源
//! graded by GB 18218-2018 (and the linked registry hazard source taking
//! the grade), 双随机 draws reproduced from their record, inspections with
//! findings becoming hidden hazards through the hazards' own create path,
//! the statistics table and its journaled XLSX export — and for each new
//! record kind, a user of another county reads and changes none of it.
use crate::common::*;
use serde_json::{json, Value};
use yingji::auth::Role;

async fn enterprise(
    app: &TestApp,
    admin: &User,
    name: &str,
    division: &str,
    industry: &str,
) -> i64 {
    let mut b = body(app, "enterprise", name, division);
    b["attrs"]["industry"] = json!(industry);
    let r = admin.post("/api/v1/registries/enterprise", &b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn unit(e: i64, name: &str, holdings: Value, people: i64) -> Value {
    json!({ "enterprise_id": e, "name": name, "unit_kind": "storage", "holdings": holdings, "exposed_people": people })
}

#[tokio::test]
async fn units_are_identified_and_graded_by_gb18218() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let chem = enterprise(&app, &admin, "平城氯碱化工有限公司", "140213", "hazmat").await;
        let mine = enterprise(&app, &admin, "平城丁煤业有限公司", "140213", "coal_mine").await;

        // The catalogue has table 1's chlorine at 5 t with β 4.
        let (st, cat) = send(pc.get("/api/v1/supervision/major-hazards/catalogue").await).await;
        assert_eq!(st, 200, "{cat}");
        let cl = cat["substances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "chlorine")
            .unwrap();
        assert_eq!(
            (cl["q_t"].as_f64(), cl["beta"].as_f64()),
            (Some(5.0), Some(4.0))
        );

        // A worksheet without saving: 液氯 50 t, 60 people → R = 60, 二级.
        let (st, w) = send(
            pc.post(
                "/api/v1/supervision/major-hazards/worksheet",
                &json!({ "holdings": [{ "substance": "chlorine", "q_t": 50 }], "exposed_people": 60 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{w}");
        assert_eq!(
            (w["r"].as_f64(), w["grade"].as_str()),
            (Some(60.0), Some("2"))
        );

        // Bad lines are named.
        let (st, p) = send(
            pc.post(
                "/api/v1/supervision/major-hazards",
                &unit(chem, " ", json!([{ "substance": "kryptonite", "q_t": 1 }, { "category": "W5.3", "q_t": -2 }]), 10),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        let f = fields(&p);
        for want in ["name", "holdings.0.substance", "holdings.1.q_t"] {
            assert!(f.contains(&want.to_string()), "{want}: {p}");
        }

        // A registry hazard source of the enterprise, hand-levelled 4.
        let mut hs = body(&app, "hazard_source", "氯气储罐区", "140213");
        hs["attrs"] =
            json!({ "hazard_class": "storage_tank", "level": "4", "enterprise_id": chem });
        let (st, hs) = send(pc.post("/api/v1/registries/hazard_source", &hs).await).await;
        assert_eq!(st, 201, "{hs}");
        let hs_id = hs["id"].as_i64().unwrap();

        // Chlorine 50 t, 60 people outside: 二级; the hazard source follows.
        let mut b = unit(
            chem,
            "液氯储罐区",
            json!([{ "substance": "chlorine", "q_t": 50 }]),
            60,
        );
        b["hazard_source_id"] = json!(hs_id);
        let (st, u) = send(pc.post("/api/v1/supervision/major-hazards", &b).await).await;
        assert_eq!(st, 201, "{u}");
        assert_eq!(
            (
                u["grade"].as_str(),
                u["r_value"].as_f64(),
                u["grade_zh"].as_str()
            ),
            (Some("2"), Some(60.0), Some("二级"))
        );
        assert_eq!(u["worksheet"]["lines"][0]["beta_source"], "表3");
        let (_, hs) = send(
            pc.get(&format!("/api/v1/registries/hazard_source/{hs_id}"))
                .await,
        )
        .await;
        assert_eq!(hs["attrs"]["level"], "2", "{hs}");

        // Regraded: 100 people → α 2, R = 80, still 二级; 130 t → R = 208, 一级.
        let id = u["id"].as_i64().unwrap();
        let mut e = b.clone();
        e["version"] = u["version"].clone();
        e["holdings"] = json!([{ "substance": "chlorine", "q_t": 130 }]);
        e["exposed_people"] = json!(100);
        let (st, u2) = send(
            pc.put(&format!("/api/v1/supervision/major-hazards/{id}"), &e)
                .await,
        )
        .await;
        assert_eq!(st, 200, "{u2}");
        assert_eq!(
            (u2["grade"].as_str(), u2["r_value"].as_f64()),
            (Some("1"), Some(208.0))
        );
        let (_, hs) = send(
            pc.get(&format!("/api/v1/registries/hazard_source/{hs_id}"))
                .await,
        )
        .await;
        assert_eq!(hs["attrs"]["level"], "1");
        // The same version again is stale.
        let st = pc
            .put(&format!("/api/v1/supervision/major-hazards/{id}"), &e)
            .await
            .status();
        assert_eq!(st, 409);

        // Below the threshold: not a major hazard source, no grade.
        let (st, small) = send(
            pc.post(
                "/api/v1/supervision/major-hazards",
                &unit(
                    chem,
                    "甲醇中间罐",
                    json!([{ "substance": "methanol", "q_t": 100 }]),
                    10,
                ),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{small}");
        assert_eq!(
            (small["grade"].clone(), small["s_value"].as_f64()),
            (Value::Null, Some(0.2))
        );

        // A mine's production unit is outside the standard; its explosives
        // magazine (storage) is not.
        let mut m = unit(
            mine,
            "采煤工作面",
            json!([{ "substance": "natural_gas", "q_t": 60 }]),
            0,
        );
        m["unit_kind"] = json!("production");
        let (st, r) = send(pc.post("/api/v1/supervision/major-hazards", &m).await).await;
        assert_eq!(
            (st, r["code"].as_str()),
            (409, Some("outside_gb18218")),
            "{r}"
        );
        let m = unit(
            mine,
            "井下炸药库",
            json!([{ "category": "W1.2", "name": "乳化炸药", "q_t": 2 }]),
            0,
        );
        let (st, r) = send(pc.post("/api/v1/supervision/major-hazards", &m).await).await;
        assert_eq!((st, r["grade"].as_str()), (201, Some("4")), "{r}");

        // Filters.
        let (_, list) = send(pc.get("/api/v1/supervision/major-hazards?major=true").await).await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
        let (_, list) = send(pc.get("/api/v1/supervision/major-hazards?grade=1").await).await;
        assert_eq!(list.as_array().unwrap().len(), 1);

        // Another county: not listed, not read, not changed, not created.
        let (_, list) = send(yz.get("/api/v1/supervision/major-hazards").await).await;
        assert!(list.as_array().unwrap().is_empty(), "{list}");
        assert_eq!(
            yz.get(&format!("/api/v1/supervision/major-hazards/{id}"))
                .await
                .status(),
            404
        );
        let mut e2 = e.clone();
        e2["version"] = u2["version"].clone();
        assert_eq!(
            yz.put(&format!("/api/v1/supervision/major-hazards/{id}"), &e2)
                .await
                .status(),
            404
        );
        let (st, p) = send(yz.post("/api/v1/supervision/major-hazards", &b).await).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(fields(&p), vec!["enterprise_id".to_string()]);
        let (_, d) = send(
            yz.get("/api/v1/supervision/major-hazards?division=140213")
                .await,
        )
        .await;
        assert_eq!(d["errors"][0]["code"], "out_of_jurisdiction", "{d}");

        // Journaled.
        let (_, j) = send(
            pc.get("/api/v1/journal?module=supervision&entity=hazard_unit")
                .await,
        )
        .await;
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"graded") && kinds.contains(&"regraded"),
            "{kinds:?}"
        );
    }
}

/// 平城 with `n` enterprises and operators insp1…insp4; 云州 with one
/// enterprise and its own operator.
async fn inspection_world(app: &TestApp, n: usize) -> Vec<i64> {
    let admin = app.login("admin").await;
    let mut ids = Vec::new();
    for k in 0..n {
        ids.push(enterprise(app, &admin, &format!("平城第{k}化工厂"), "140213", "hazmat").await);
    }
    enterprise(app, &admin, "云州某化工厂", "140215", "hazmat").await;
    for u in ["insp1", "insp2", "insp3"] {
        app.add_user(u, Role::Operator, "140213", "").await;
    }
    ids
}

#[tokio::test]
async fn a_draw_is_recorded_and_reproduced_and_its_inspections_find_hazards() {
    for app in apps().await {
        let ids = inspection_world(&app, 6).await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let commander = app.login("commander").await;

        // The pools: 平城's six enterprises only, and its four operators.
        let (st, pool) = send(pc.get("/api/v1/supervision/inspection-pool").await).await;
        assert_eq!(st, 200, "{pool}");
        let ents: Vec<i64> = pool["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(ents, ids);
        assert_eq!(
            pool["inspectors"],
            json!(["insp1", "insp2", "insp3", "pingcheng"])
        );

        // Too many asked for.
        let (st, p) = send(
            pc.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "x", "n": 7 }),
            )
            .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["n".to_string()]), "{p}");
        // A county cannot draw from another county.
        let (st, p) = send(
            yz.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "x", "n": 1, "division": "140213" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(p["errors"][0]["code"], "out_of_jurisdiction");
        // 云州 has one operator only: two inspectors cannot be drawn.
        let (st, p) = send(
            yz.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "x", "n": 1 }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("too_few_inspectors")),
            "{p}"
        );

        // The draw: three enterprises, two inspectors each, recorded.
        let (st, d) = send(
            pc.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "2026年第四季度双随机抽查", "n": 3, "planned_on": "2026-12-20" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{d}");
        assert_eq!(d["reproduced"], true);
        let seed = d["input"]["seed"].as_str().unwrap();
        assert_eq!(seed.len(), 32);
        let result = d["result"].as_array().unwrap();
        assert_eq!(result.len(), 3);
        let inspections = d["inspections"].as_array().unwrap();
        assert_eq!(inspections.len(), 3);
        for i in inspections {
            assert_eq!(i["state"], "planned");
            assert_eq!(i["planned_on"], "2026-12-20");
            assert!(ids.contains(&i["enterprise_id"].as_i64().unwrap()));
            assert_eq!(i["inspectors"].as_array().unwrap().len(), 2);
        }
        // Reproduced from the record alone, by the rule itself.
        let input: yingji::supervision::inspections::DrawInput =
            serde_json::from_value(d["input"].clone()).unwrap();
        let again = yingji::supervision::inspections::draw(&input).unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), d["result"]);
        let draw_id = d["id"].as_i64().unwrap();
        let (st, d2) = send(
            pc.get(&format!("/api/v1/supervision/inspection-draws/{draw_id}"))
                .await,
        )
        .await;
        assert_eq!((st, d2["reproduced"].clone()), (200, json!(true)));
        // Journaled with its input and result.
        let (_, j) = send(
            pc.get("/api/v1/journal?module=supervision&entity=inspection_draw")
                .await,
        )
        .await;
        let e = &j.as_array().unwrap()[0];
        assert_eq!(
            (e["kind"].as_str(), e["payload"]["input"]["seed"].as_str()),
            (Some("drawn"), Some(seed))
        );

        // The first inspection, by one of its inspectors.
        let first = &inspections[0];
        let iid = first["id"].as_i64().unwrap();
        let team: Vec<String> = first["inspectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let outsider = ["insp1", "insp2", "insp3", "pingcheng"]
            .into_iter()
            .find(|u| !team.contains(&u.to_string()))
            .unwrap();
        let other = app.login(outsider).await;
        let me = app.login(&team[0]).await;
        let ev = |v: &Value, cmd: Value| {
            let mut b = cmd;
            b["version"] = v["version"].clone();
            b
        };
        let (st, r) = send(
            other
                .post(
                    &format!("/api/v1/supervision/inspections/{iid}/events"),
                    &ev(first, json!({ "kind": "start" })),
                )
                .await,
        )
        .await;
        assert_eq!(
            (st, r["code"].as_str()),
            (403, Some("assigned_inspectors_only")),
            "{r}"
        );
        let (st, i) = send(
            me.post(
                &format!("/api/v1/supervision/inspections/{iid}/events"),
                &ev(first, json!({ "kind": "start" })),
            )
            .await,
        )
        .await;
        assert_eq!((st, i["state"].as_str()), (200, Some("in_progress")), "{i}");
        assert_eq!(i["allowed_events"], json!(["finish", "add_finding"]));

        // A finding, then a hazard made of it in one action.
        let (st, p) = send(
            me.post(
                &format!("/api/v1/supervision/inspections/{iid}/findings"),
                &json!({ "title": " " }),
            )
            .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["title".to_string()]));
        let (st, i2) = send(
            me.post(
                &format!("/api/v1/supervision/inspections/{iid}/findings"),
                &json!({ "title": "液氯储罐区可燃气体报警器失效", "location": "罐区", "basis": "GB 50493-2019 第3.0.1条" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{i2}");
        let fid = i2["findings"][0]["id"].as_i64().unwrap();
        let url = format!("/api/v1/supervision/inspections/{iid}/findings/{fid}/hazard");
        let (st, h) = send(me.post(&url, &json!({})).await).await;
        assert_eq!(st, 201, "{h}");
        assert_eq!(
            (h["state"].as_str(), h["source"].as_str()),
            (Some("reported"), Some("routine"))
        );
        assert_eq!(h["enterprise_id"], first["enterprise_id"]);
        assert!(h["description"].as_str().unwrap().contains("GB 50493-2019"));
        // It is in the hazard loop like any other: the list has it.
        let (_, hs) = send(pc.get("/api/v1/supervision/hazards").await).await;
        assert_eq!(hs["total"], 1);
        // Once only.
        let (st, r) = send(me.post(&url, &json!({})).await).await;
        assert_eq!(
            (st, r["code"].as_str()),
            (409, Some("finding_has_hazard")),
            "{r}"
        );
        let (_, i3) = send(
            me.get(&format!("/api/v1/supervision/inspections/{iid}"))
                .await,
        )
        .await;
        assert_eq!(i3["findings"][0]["hazard_id"], h["id"]);

        // Finished; nothing more is recorded on it.
        let (st, i4) = send(
            me.post(
                &format!("/api/v1/supervision/inspections/{iid}/events"),
                &ev(
                    &i3,
                    json!({ "kind": "finish", "summary": "发现问题1项，已转隐患" }),
                ),
            )
            .await,
        )
        .await;
        assert_eq!((st, i4["state"].as_str()), (200, Some("done")), "{i4}");
        let (st, r) = send(
            me.post(
                &format!("/api/v1/supervision/inspections/{iid}/findings"),
                &json!({ "title": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, r["code"].as_str()),
            (409, Some("inspection_step_not_allowed")),
            "{r}"
        );

        // The city commander sees it (a lead may act); the next draw keeps
        // the last inspectors away from that enterprise while others remain.
        let (st, _) = send(
            commander
                .get(&format!("/api/v1/supervision/inspections/{iid}"))
                .await,
        )
        .await;
        assert_eq!(st, 200);
        let (st, d3) = send(
            pc.post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "复查", "n": 6 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{d3}");
        let again = d3["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["enterprise_id"] == first["enterprise_id"])
            .unwrap();
        for u in again["inspectors"].as_array().unwrap() {
            assert!(
                !team.contains(&u.as_str().unwrap().to_string()),
                "{again} {team:?}"
            );
        }
        assert_eq!(
            d3["input"]["previous"][first["enterprise_id"].to_string()]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // Another county: no draws, no inspections, no findings, no steps.
        let (_, l) = send(yz.get("/api/v1/supervision/inspections").await).await;
        assert!(l.as_array().unwrap().is_empty(), "{l}");
        let (_, l) = send(yz.get("/api/v1/supervision/inspection-draws").await).await;
        assert!(l.as_array().unwrap().is_empty(), "{l}");
        assert_eq!(
            yz.get(&format!("/api/v1/supervision/inspection-draws/{draw_id}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            yz.get(&format!("/api/v1/supervision/inspections/{iid}"))
                .await
                .status(),
            404
        );
        let other_id = inspections[1]["id"].as_i64().unwrap();
        let st = yz
            .post(
                &format!("/api/v1/supervision/inspections/{other_id}/events"),
                &ev(&inspections[1], json!({ "kind": "start" })),
            )
            .await
            .status();
        assert_eq!(st, 404);
        assert_eq!(
            yz.post(
                &format!("/api/v1/supervision/inspections/{iid}/findings"),
                &json!({ "title": "x" })
            )
            .await
            .status(),
            404
        );
        assert_eq!(yz.post(&url, &json!({})).await.status(), 404);
        // An observer reads but does not act; a enterprise user may not draw.
        let obs = app.login("observer").await;
        let (_, oi) = send(
            obs.get(&format!("/api/v1/supervision/inspections/{other_id}"))
                .await,
        )
        .await;
        assert_eq!(oi["allowed_events"], json!([]));
        assert_eq!(
            obs.post(
                &format!("/api/v1/supervision/inspections/{other_id}/events"),
                &ev(&inspections[1], json!({ "kind": "start" }))
            )
            .await
            .status(),
            403
        );
        app.add_user(
            "qiye_x",
            Role::Enterprise,
            "140213",
            &format!("enterprise:{}", ids[0]),
        )
        .await;
        let qx = app.login("qiye_x").await;
        let st = qx
            .post(
                "/api/v1/supervision/inspection-draws",
                &json!({ "title": "x", "n": 1 }),
            )
            .await
            .status();
        assert_eq!(st, 403);
    }
}

#[tokio::test]
async fn statistics_by_division_and_the_journaled_export() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let a = enterprise(&app, &admin, "平城甲化工", "140213", "hazmat").await;
        enterprise(&app, &admin, "平城乙化工", "140213", "hazmat").await;
        let c = enterprise(&app, &admin, "云州丙化工", "140215", "hazmat").await;
        for (u, e, l) in [(&pc, a, 6), (&yz, c, 1)] {
            let (st, r) = send(
                u.post(
                    "/api/v1/supervision/risk-points",
                    &json!({ "enterprise_id": e, "name": "罐区", "assessment": { "method": "lec", "l": l, "e": 6, "c": 15 } }),
                )
                .await,
            )
            .await;
            assert_eq!(st, 201, "{r}");
        }
        let (st, _) = send(
            pc.post(
                "/api/v1/supervision/hazards",
                &json!({ "enterprise_id": a, "title": "阀门泄漏", "source": "routine" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201);
        let (st, _) = send(
            pc.post(
                "/api/v1/supervision/major-hazards",
                &unit(
                    a,
                    "液氨罐区",
                    json!([{ "substance": "ammonia", "q_t": 40 }]),
                    20,
                ),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201);

        // The city: one row per county.
        let (st, t) = send(admin.get("/api/v1/supervision/stats").await).await;
        assert_eq!(st, 200, "{t}");
        let rows = t["rows"].as_array().unwrap();
        let ping = rows
            .iter()
            .find(|r| r["division"] == "140213000000")
            .unwrap();
        assert_eq!(
            (
                ping["enterprises"].as_i64(),
                ping["red"].as_i64(),
                ping["unassessed"].as_i64()
            ),
            (Some(2), Some(1), Some(1)),
            "{ping}"
        );
        assert_eq!(
            (
                ping["hazards"]["reported"].as_i64(),
                ping["major_3"].as_i64()
            ),
            (Some(1), Some(0))
        );
        // Ammonia 40 t, 20 people: R = 1 × 2 × 4 = 8 → 四级.
        assert_eq!(ping["major_4"], 1);
        let yun = rows
            .iter()
            .find(|r| r["division"] == "140215000000")
            .unwrap();
        assert_eq!(
            (yun["enterprises"].as_i64(), yun["orange"].as_i64()),
            (Some(1), Some(0))
        );
        assert_eq!(t["total"]["enterprises"], 3);

        // A county sees its own townships only and cannot ask for another.
        let (_, t) = send(yz.get("/api/v1/supervision/stats").await).await;
        assert_eq!(t["total"]["enterprises"], 1, "{t}");
        assert_eq!(t["total"]["red"], 0);
        let (st, _) = send(yz.get("/api/v1/supervision/stats?division=140213").await).await;
        assert_eq!(st, 422);
        let st = yz
            .get("/api/v1/supervision/stats/export?division=140213")
            .await
            .status();
        assert_eq!(st, 422);

        // The export: an XLSX file, journaled.
        let r = pc.get("/api/v1/supervision/stats/export").await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let (_, j) = send(
            pc.get("/api/v1/journal?module=supervision&entity=stats")
                .await,
        )
        .await;
        let e = &j.as_array().unwrap()[0];
        assert_eq!(
            (e["kind"].as_str(), e["actor"].as_str()),
            (Some("exported"), Some("pingcheng"))
        );
    }
}

#[tokio::test]
async fn a_city_draw_sends_inspectors_across_counties_to_that_inspection_only() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let mut ping = Vec::new();
        for k in 0..3 {
            ping.push(
                enterprise(
                    &app,
                    &admin,
                    &format!("平城第{k}化工厂"),
                    "140213",
                    "hazmat",
                )
                .await,
            );
        }
        for k in 0..3 {
            enterprise(
                &app,
                &admin,
                &format!("云州第{k}化工厂"),
                "140215",
                "hazmat",
            )
            .await;
        }
        app.add_user("yz2", Role::Operator, "140215", "").await;
        let commander = app.login("commander").await;
        // The city's pool: every county operator of the city (and no one else).
        let (st, pool) = send(
            commander
                .get("/api/v1/supervision/inspection-pool?industry=hazmat")
                .await,
        )
        .await;
        assert_eq!(st, 200, "{pool}");
        assert_eq!(pool["inspectors"], json!(["pingcheng", "yunzhou", "yz2"]));
        let (st, d) = send(
            commander
                .post(
                    "/api/v1/supervision/inspection-draws",
                    &json!({ "title": "市级交叉检查", "n": 6, "industry": "hazmat" }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 201, "{d}");
        // 云州's operators on 平城's enterprises: with three inspectors and two
        // each, every 平城 inspection has one of them.
        let inspections = d["inspections"].as_array().unwrap();
        let crossed = inspections
            .iter()
            .find(|i| {
                ping.contains(&i["enterprise_id"].as_i64().unwrap())
                    && i["inspectors"].as_array().unwrap().contains(&json!("yz2"))
            })
            .or_else(|| {
                inspections.iter().find(|i| {
                    ping.contains(&i["enterprise_id"].as_i64().unwrap())
                        && i["inspectors"]
                            .as_array()
                            .unwrap()
                            .contains(&json!("yunzhou"))
                })
            })
            .unwrap();
        let who = if crossed["inspectors"]
            .as_array()
            .unwrap()
            .contains(&json!("yz2"))
        {
            "yz2"
        } else {
            "yunzhou"
        };
        let u = app.login(who).await;
        let id = crossed["id"].as_i64().unwrap();
        let (st, i) = send(
            u.get(&format!("/api/v1/supervision/inspections/{id}"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{i}");
        assert_eq!(i["allowed_events"], json!(["start"]));
        let mut b = json!({ "kind": "start" });
        b["version"] = i["version"].clone();
        let (st, i) = send(
            u.post(&format!("/api/v1/supervision/inspections/{id}/events"), &b)
                .await,
        )
        .await;
        assert_eq!((st, i["state"].as_str()), (200, Some("in_progress")), "{i}");
        // A 平城 inspection they were not drawn for stays out of reach, and so
        // do 平城's other records.
        let not_mine = inspections.iter().find(|x| {
            ping.contains(&x["enterprise_id"].as_i64().unwrap())
                && !x["inspectors"].as_array().unwrap().contains(&json!(who))
        });
        if let Some(x) = not_mine {
            assert_eq!(
                u.get(&format!("/api/v1/supervision/inspections/{}", x["id"]))
                    .await
                    .status(),
                404
            );
        }
        let (_, l) = send(
            u.get("/api/v1/supervision/inspections?division=140213")
                .await,
        )
        .await;
        assert_eq!(l["errors"][0]["code"], "out_of_jurisdiction", "{l}");
    }
}
