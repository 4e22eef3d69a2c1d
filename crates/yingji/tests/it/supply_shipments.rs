//! Shipments over HTTP, on both databases: a request's 出库 documents are
//! shipped — planned (the document approved), departed only once posted,
//! positions on the way, arrived, received with differences by the
//! receiving side (the requesting county, not the dispatching one);
//! another county neither reads nor changes them; the incident shows what
//! was requested, sent and received. A 调拨's shortfall is drafted as 报损
//! at the destination and, posted, leaves the ledger consistent.
use crate::common::*;
use crate::supply_requests::{event, item, later, qty, receive, step_doc, warehouse};
use serde_json::{json, Value};

async fn step(u: &User, sh: &Value, body: Value) -> (u16, Value) {
    let id = sh["id"].as_i64().unwrap();
    let mut b = body;
    b["version"] = sh["version"].clone();
    send(
        u.post(&format!("/api/v1/supplies/shipments/{id}/events"), &b)
            .await,
    )
    .await
}

async fn ship(u: &User, doc: i64) -> (u16, Value) {
    send(
        u.post(
            "/api/v1/supplies/shipments",
            &json!({ "doc_id": doc, "vehicle": "晋B12345", "carrier": "大同运输公司" }),
        )
        .await,
    )
    .await
}

/// A submitted request of `u`, accepted by the city: its documents.
async fn allocated(cmd: &User, u: &User, b: Value) -> (Value, Vec<Value>) {
    let (st, r) = send(u.post("/api/v1/supplies/requests", &b).await).await;
    assert_eq!(st, 201, "{r}");
    let (_, r) = event(u, &r, json!({ "kind": "submit" })).await;
    let id = r["id"].as_i64().unwrap();
    let (_, prop) = send(
        cmd.get(&format!("/api/v1/supplies/requests/{id}/proposal"))
            .await,
    )
    .await;
    let (st, r) = event(
        cmd,
        &r,
        json!({ "kind": "accept", "lines": prop["accept"] }),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let docs = r["documents"].as_array().unwrap().clone();
    (r, docs)
}

#[tokio::test]
async fn a_shipment_departs_once_posted_and_the_requester_receives_it_with_differences() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let wp = warehouse(&app, &admin, "平城区库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区库", "140215").await;
        receive(&admin, &cmd, wp, tent, 10).await;
        receive(&admin, &cmd, wy, tent, 100).await;
        let (lon, lat) = app.point_in("140213");
        let (st, inc) = send(
            pc.post(
                "/api/v1/incidents",
                &json!({ "title": "洪涝", "incident_type": "accident.production.coal_mine", "division": "140213",
                    "source": "phone", "reporter": "张伟", "reporter_phone": "13800138000", "lon": lon, "lat": lat,
                    "facts": { "deaths": 0, "trapped": 0 }, "description": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{inc}");
        let incident = inc["id"].as_i64().unwrap();
        let (r, docs) = allocated(
            &cmd,
            &pc,
            json!({ "source": "incident", "incident_id": incident, "place_kind": "point", "lon": lon, "lat": lat,
                "needed_by": later(), "lines": [{ "item_id": tent, "qty": 50 }] }),
        )
        .await;
        let request = r["id"].as_i64().unwrap();
        let doc_of = |w: i64| {
            docs.iter()
                .find(|d| d["warehouse_id"].as_i64() == Some(w))
                .unwrap()
                .clone()
        };
        let (dp, dy) = (doc_of(wp), doc_of(wy));

        // A draft is not shipped; another county's document is not found.
        let (st, p) = ship(&yz, dy["id"].as_i64().unwrap()).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("shipment_doc_not_shippable")),
            "{p}"
        );
        let (st, p) = ship(&yz, dp["id"].as_i64().unwrap()).await;
        assert_eq!((st, fields(&p)), (422, vec!["doc_id".to_string()]), "{p}");

        let (st, dy) = step_doc(&admin, &dy, "approve").await;
        assert_eq!(st, 200, "{dy}");
        // 云州 dispatches its warehouse's document; 平城 (the requester)
        // receives.
        let (st, sy) = ship(&yz, dy["id"].as_i64().unwrap()).await;
        assert_eq!(st, 201, "{sy}");
        assert_eq!(
            (
                sy["state"].as_str(),
                sy["request_id"].as_i64(),
                sy["to_division"].as_str()
            ),
            (Some("planned"), Some(request), Some("140213000000"))
        );
        assert_eq!(
            sy["lines"],
            json!([{ "item_id": tent, "sent": 40, "received": null, "reason": "", "note": "", "item_name": "救灾帐篷", "unit": "件" }])
        );
        assert_eq!(sy["allowed_events"], json!(["cancel"]), "not posted yet");
        let (st, p) = ship(&yz, dy["id"].as_i64().unwrap()).await;
        assert_eq!((st, p["code"].as_str()), (409, Some("shipment_exists")));
        let (st, p) = step(&yz, &sy, json!({ "kind": "depart" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("document_not_posted")),
            "{p}"
        );
        let (st, _) = step_doc(&cmd, &dy, "post").await;
        assert_eq!(st, 200);
        let (_, sy) = send(
            yz.get(&format!("/api/v1/supplies/shipments/{}", sy["id"]))
                .await,
        )
        .await;
        assert_eq!(sy["allowed_events"], json!(["depart", "cancel"]), "{sy}");
        // The receiving side does not dispatch.
        let (st, p) = step(&pc, &sy, json!({ "kind": "depart" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("shipment_by_dispatcher")),
            "{p}"
        );
        let (st, sy) = step(&yz, &sy, json!({ "kind": "depart" })).await;
        assert_eq!((st, sy["state"].as_str()), (200, Some("departed")), "{sy}");
        let (st, p) = step(
            &yz,
            &sy,
            json!({ "kind": "position", "lon": 113.4, "lat": 95.0 }),
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["lat".to_string()]), "{p}");
        let (st, sy) = step(
            &yz,
            &sy,
            json!({ "kind": "position", "lon": 113.4, "lat": 40.05 }),
        )
        .await;
        assert_eq!(st, 200, "{sy}");
        assert_eq!(
            (sy["lon"].as_f64(), sy["lat"].as_f64()),
            (Some(113.4), Some(40.05))
        );
        assert_eq!(sy["positions"].as_array().unwrap().len(), 1);
        let (st, sy) = step(&pc, &sy, json!({ "kind": "arrive" })).await;
        assert_eq!((st, sy["state"].as_str()), (200, Some("arrived")), "{sy}");
        // The dispatcher does not sign for it; a shortfall needs its reason.
        let (st, p) = step(&yz, &sy, json!({ "kind": "receive", "lines": [{ "item_id": tent, "received": 37, "reason": "damaged" }] })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("receipt_by_destination")),
            "{p}"
        );
        let (st, p) = step(
            &pc,
            &sy,
            json!({ "kind": "receive", "lines": [{ "item_id": tent, "received": 37 }] }),
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["lines[0].reason".to_string()]),
            "{p}"
        );
        let (st, p) = step(
            &pc,
            &sy,
            json!({ "kind": "receive", "lines": [{ "item_id": tent, "received": 41 }] }),
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["lines[0].received".to_string()]),
            "{p}"
        );
        let (st, sy) = step(&pc, &sy, json!({ "kind": "receive", "lines": [{ "item_id": tent, "received": 37, "reason": "damaged", "note": "雨淋" }] })).await;
        assert_eq!((st, sy["state"].as_str()), (200, Some("received")), "{sy}");
        assert_eq!(
            (
                sy["lines"][0]["received"].as_i64(),
                sy["lines"][0]["reason"].as_str(),
                sy["received_by"].as_str()
            ),
            (Some(37), Some("damaged"), Some("pingcheng"))
        );
        // A 出库 left the ledger when posted: the difference is noted only.
        assert_eq!(sy["writeoff_doc_id"], Value::Null);
        assert_eq!(qty(&cmd, wy, tent).await, 60);

        // 平城's own shipment: 云州 neither reads nor changes it.
        let (_, dp) = step_doc(&admin, &dp, "approve").await;
        let (st, sp) = ship(&pc, dp["id"].as_i64().unwrap()).await;
        assert_eq!(st, 201, "{sp}");
        let sid = sp["id"].as_i64().unwrap();
        let (st, _) = send(yz.get(&format!("/api/v1/supplies/shipments/{sid}")).await).await;
        assert_eq!(st, 404);
        let (st, _) = step(&yz, &sp, json!({ "kind": "cancel" })).await;
        assert_eq!(st, 404);
        let (_, l) = send(yz.get("/api/v1/supplies/shipments").await).await;
        assert_eq!(l["total"].as_i64(), Some(1), "云州 sees only its own: {l}");
        let (_, l) = send(
            pc.get(&format!("/api/v1/supplies/shipments?request_id={request}"))
                .await,
        )
        .await;
        assert_eq!(l["total"].as_i64(), Some(2), "{l}");

        // The incident: 50 requested, 40 sent (10 not posted), 37 received.
        let (st, f) = send(
            pc.get(&format!("/api/v1/supplies/flow?incident_id={incident}"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{f}");
        assert_eq!(
            f,
            json!([{ "item_id": tent, "item_name": "救灾帐篷", "unit": "件", "requested": 50, "sent": 40, "received": 37 }])
        );
        let (_, f) = send(
            yz.get(&format!("/api/v1/supplies/flow?incident_id={incident}"))
                .await,
        )
        .await;
        assert_eq!(f, json!([]), "another county's incident");

        let (_, j) = send(admin.get("/api/v1/journal?module=supplies&limit=200").await).await;
        let text = j.to_string();
        for kind in ["planned", "depart", "position", "arrive", "receive"] {
            assert!(text.contains(&format!("\"{kind}\"")), "{kind} journaled");
        }
    }
}

#[tokio::test]
async fn a_transfers_shortfall_is_drafted_as_a_writeoff_at_the_destination() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let wp = warehouse(&app, &admin, "平城区库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区库", "140215").await;
        receive(&admin, &cmd, wp, tent, 20).await;
        let (_, docs) = allocated(
            &cmd,
            &yz,
            json!({ "source": "county", "place_kind": "warehouse", "place_id": wy, "needed_by": later(),
                "lines": [{ "item_id": tent, "qty": 15 }] }),
        )
        .await;
        let (_, d) = step_doc(&admin, &docs[0], "approve").await;
        let (st, d) = step_doc(&cmd, &d, "post").await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(
            (qty(&cmd, wp, tent).await, qty(&cmd, wy, tent).await),
            (5, 15)
        );
        let (st, sh) = ship(&pc, d["id"].as_i64().unwrap()).await;
        assert_eq!(st, 201, "{sh}");
        assert_eq!(
            (
                sh["to_warehouse_id"].as_i64(),
                sh["destination"].as_str(),
                sh["to_division"].as_str()
            ),
            (Some(wy), Some("云州区库"), Some("140215000000"))
        );
        let (_, sh) = step(&pc, &sh, json!({ "kind": "depart" })).await;
        let (_, sh) = step(&pc, &sh, json!({ "kind": "arrive" })).await;
        let (st, sh) = step(&yz, &sh, json!({ "kind": "receive", "lines": [{ "item_id": tent, "received": 12, "reason": "lost" }] })).await;
        assert_eq!(st, 200, "{sh}");
        let w = sh["writeoff_doc_id"].as_i64().expect("报损 drafted");
        let (st, wd) = send(yz.get(&format!("/api/v1/supplies/documents/{w}")).await).await;
        assert_eq!(st, 200, "{wd}");
        assert_eq!(
            (
                wd["kind"].as_str(),
                wd["state"].as_str(),
                wd["reason"].as_str(),
                wd["warehouse_id"].as_i64()
            ),
            (Some("writeoff"), Some("draft"), Some("other"), Some(wy))
        );
        assert_eq!(wd["lines"][0]["qty"].as_i64(), Some(3));
        // Posted (approved by another), the destination holds what came.
        let (_, wd) = step_doc(&admin, &wd, "approve").await;
        let (st, _) = step_doc(&yz, &wd, "post").await;
        assert_eq!(st, 200);
        assert_eq!(qty(&cmd, wy, tent).await, 12);
        let (_, c) = send(admin.get("/api/v1/supplies/check").await).await;
        assert_eq!(c["ok"], true, "{c}");
    }
}
