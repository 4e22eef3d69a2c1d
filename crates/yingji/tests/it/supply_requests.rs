//! Supplies requests over HTTP, on both databases: a county requests for an
//! incident; another county neither reads nor changes it; the city sees
//! the proposed allocation (nearest first by the straight-line estimate
//! with its note — the test apps have no road graph — a warehouse's
//! minimum kept, split across warehouses, the rest unmet) and accepts it:
//! the 出库 documents are drafted and nothing moves until they are
//! approved (not by their drafter) and posted; then the request is
//! fulfilled. A request to a warehouse becomes 调拨 and a cancelled one
//! takes its unposted documents with it.
use crate::common::*;
use serde_json::{json, Value};

pub(crate) async fn warehouse(app: &TestApp, admin: &User, name: &str, division: &str) -> i64 {
    let b = body(app, "warehouse", name, division);
    let r = admin.post("/api/v1/registries/warehouse", &b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub(crate) async fn item(admin: &User, code: &str, name: &str) -> i64 {
    let (st, v) = send(
        admin
            .post(
                "/api/v1/supplies/items",
                &json!({ "code": code, "name": name, "unit": "件" }),
            )
            .await,
    )
    .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().unwrap()
}

pub(crate) async fn step_doc(u: &User, d: &Value, kind: &str) -> (u16, Value) {
    let id = d["id"].as_i64().unwrap();
    send(
        u.post(
            &format!("/api/v1/supplies/documents/{id}/events"),
            &json!({ "kind": kind, "version": d["version"] }),
        )
        .await,
    )
    .await
}

/// A receipt of `qty` drafted by the city's admin, approved by the
/// commander, posted.
pub(crate) async fn receive(admin: &User, commander: &User, w: i64, item: i64, qty: i64) {
    let (st, d) = send(
        admin
            .post(
                "/api/v1/supplies/documents",
                &json!({ "kind": "receipt", "warehouse_id": w, "lines": [{ "item_id": item, "qty": qty }] }),
            )
            .await,
    )
    .await;
    assert_eq!(st, 201, "{d}");
    let (st, d) = step_doc(commander, &d, "approve").await;
    assert_eq!(st, 200, "{d}");
    let (st, d) = step_doc(admin, &d, "post").await;
    assert_eq!(st, 200, "{d}");
}

pub(crate) async fn event(u: &User, r: &Value, body: Value) -> (u16, Value) {
    let id = r["id"].as_i64().unwrap();
    let mut b = body;
    b["version"] = r["version"].clone();
    send(
        u.post(&format!("/api/v1/supplies/requests/{id}/events"), &b)
            .await,
    )
    .await
}

pub(crate) async fn qty(u: &User, w: i64, i: i64) -> i64 {
    let (_, v) = send(
        u.get(&format!(
            "/api/v1/supplies/stock?warehouse_id={w}&item_id={i}"
        ))
        .await,
    )
    .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["qty"].as_i64().unwrap())
        .sum()
}

pub(crate) fn later() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(6))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn a_county_requests_for_an_incident_and_the_city_allocates_by_road_time() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let quilt = item(&admin, "1020101", "棉被").await;
        let wp = warehouse(&app, &admin, "平城区库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区库", "140215").await;
        receive(&admin, &cmd, wp, tent, 10).await;
        receive(&admin, &cmd, wy, tent, 100).await;
        // 云州区 keeps 30 tents for itself (最低库存).
        let (st, _) = send(
            admin
                .put(
                    "/api/v1/supplies/minimums",
                    &json!({ "warehouse_id": wy, "item_id": tent, "min_qty": 30 }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 204);

        // An incident in 平城区.
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

        // Bad input names each field.
        let (st, p) = send(
            pc.post(
                "/api/v1/supplies/requests",
                &json!({ "source": "incident", "place_kind": "point", "needed_by": "soon",
                    "lines": [{ "item_id": tent, "qty": 0 }] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            fields(&p),
            vec!["incident_id", "needed_by", "lat", "lines[0].qty"]
        );
        // 云州区 cannot request for 平城's incident.
        let good = json!({ "source": "incident", "incident_id": incident, "place_kind": "point", "lon": lon, "lat": lat,
            "needed_by": later(), "note": "安置点急需", "lines": [{ "item_id": tent, "qty": 50 }, { "item_id": quilt, "qty": 5 }] });
        let (st, p) = send(yz.post("/api/v1/supplies/requests", &good).await).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["incident_id".to_string()]),
            "{p}"
        );

        let (st, r) = send(pc.post("/api/v1/supplies/requests", &good).await).await;
        assert_eq!(st, 201, "{r}");
        assert_eq!(
            (r["state"].as_str(), r["division"].as_str()),
            (Some("drafted"), Some("140213000000"))
        );
        assert_eq!(r["allowed_events"], json!(["submit", "cancel"]));
        let id = r["id"].as_i64().unwrap();

        // Another county neither reads nor changes it.
        let (st, _) = send(yz.get(&format!("/api/v1/supplies/requests/{id}")).await).await;
        assert_eq!(st, 404);
        let (st, _) = event(&yz, &r, json!({ "kind": "submit" })).await;
        assert_eq!(st, 404);
        let (st, l) = send(yz.get("/api/v1/supplies/requests").await).await;
        assert_eq!((st, l["total"].as_i64()), (200, Some(0)), "{l}");
        let (st, l) = send(
            pc.get(&format!("/api/v1/supplies/requests?incident_id={incident}"))
                .await,
        )
        .await;
        assert_eq!((st, l["total"].as_i64()), (200, Some(1)), "{l}");

        let (st, r) = event(&pc, &r, json!({ "kind": "submit" })).await;
        assert_eq!((st, r["state"].as_str()), (200, Some("submitted")), "{r}");
        // The county does not allocate.
        let (st, _) = send(
            pc.get(&format!("/api/v1/supplies/requests/{id}/proposal"))
                .await,
        )
        .await;
        assert_eq!(st, 403);
        let (st, p) = event(&pc, &r, json!({ "kind": "accept", "lines": [] })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("allocation_by_city")),
            "{p}"
        );

        // The city: 10 from 平城 (nearest), 40 from 云州 (70 above its
        // minimum), no quilts anywhere.
        let (st, prop) = send(
            cmd.get(&format!("/api/v1/supplies/requests/{id}/proposal"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{prop}");
        let got: Vec<(i64, i64, i64)> = prop["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["warehouse_id"].as_i64().unwrap(),
                    l["item_id"].as_i64().unwrap(),
                    l["qty"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, vec![(wp, tent, 10), (wy, tent, 40)], "{prop}");
        let t: Vec<f64> = prop["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["time_s"].as_f64().unwrap())
            .collect();
        assert!(t[0] < t[1], "nearest first: {t:?}");
        assert_eq!(prop["lines"][0]["method"], "estimate");
        assert!(
            prop["estimate_note"].as_str().unwrap().contains("绕行系数"),
            "{prop}"
        );
        assert_eq!(
            prop["unmet"],
            json!([{ "item_id": quilt, "qty": 5, "item_name": "棉被", "unit": "件" }])
        );
        let (_, r) = send(cmd.get(&format!("/api/v1/supplies/requests/{id}")).await).await;
        assert_eq!(r["allowed_events"], json!(["accept", "cancel"]), "{r}");

        // Accepting what was not proposed is refused; the proposal is taken.
        let (st, p) = event(&cmd, &r, json!({ "kind": "accept", "lines": [{ "warehouse_id": wy, "item_id": tent, "qty": 50 }] })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("proposal_changed")),
            "{p}"
        );
        let (st, r) = event(
            &cmd,
            &r,
            json!({ "kind": "accept", "lines": prop["accept"] }),
        )
        .await;
        assert_eq!((st, r["state"].as_str()), (200, Some("allocated")), "{r}");
        let docs = r["documents"].as_array().unwrap().clone();
        assert_eq!(docs.len(), 2, "{r}");
        assert!(docs
            .iter()
            .all(|d| d["kind"] == "issue" && d["state"] == "draft" && d["reason"] == "relief"));
        assert_eq!(r["allocations"].as_array().unwrap().len(), 2);
        // Nothing moved yet.
        assert_eq!(
            (qty(&cmd, wp, tent).await, qty(&cmd, wy, tent).await),
            (10, 100)
        );
        let (st, p) = event(&pc, &r, json!({ "kind": "fulfil" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("documents_not_posted")),
            "{p}"
        );

        // The commander drafted them: someone else approves; then posted.
        for d in &docs {
            let (st, p) = step_doc(&cmd, d, "approve").await;
            assert_eq!(
                (st, p["code"].as_str()),
                (409, Some("drafter_cannot_approve")),
                "{p}"
            );
            let (st, d) = step_doc(&admin, d, "approve").await;
            assert_eq!(st, 200, "{d}");
            let (st, d) = step_doc(&cmd, &d, "post").await;
            assert_eq!(st, 200, "{d}");
        }
        assert_eq!(
            (qty(&cmd, wp, tent).await, qty(&cmd, wy, tent).await),
            (0, 60)
        );
        let (_, r) = send(pc.get(&format!("/api/v1/supplies/requests/{id}")).await).await;
        assert_eq!(r["allowed_events"], json!(["fulfil"]), "{r}");
        let (st, r) = event(&pc, &r, json!({ "kind": "fulfil" })).await;
        assert_eq!((st, r["state"].as_str()), (200, Some("fulfilled")), "{r}");
        let (st, p) = event(&pc, &r, json!({ "kind": "cancel" })).await;
        assert_eq!(st, 409, "{p}");

        // Journaled; the ledger checks out.
        let (_, j) = send(admin.get("/api/v1/journal?module=supplies&limit=200").await).await;
        let text = j.to_string();
        for kind in ["submit", "accept", "fulfil"] {
            assert!(text.contains(&format!("\"{kind}\"")), "{kind} journaled");
        }
        let (_, c) = send(admin.get("/api/v1/supplies/check").await).await;
        assert_eq!(c["ok"], true, "{c}");
    }
}

#[tokio::test]
async fn to_a_warehouse_by_transfer_and_cancelled_with_its_drafts() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let yz = app.login("yunzhou").await;
        let pc = app.login("pingcheng").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let wp = warehouse(&app, &admin, "平城区库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区库", "140215").await;
        receive(&admin, &cmd, wp, tent, 20).await;
        receive(&admin, &cmd, wy, tent, 20).await;
        // 云州区 asks for 15 tents into its own warehouse: its own stock is
        // not a source; 平城 sends them by 调拨.
        let (st, r) = send(
            yz.post(
                "/api/v1/supplies/requests",
                &json!({ "source": "county", "place_kind": "warehouse", "place_id": wy, "needed_by": later(),
                    "lines": [{ "item_id": tent, "qty": 15 }] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{r}");
        assert_eq!(
            (r["division"].as_str(), r["place_name"].as_str()),
            (Some("140215000000"), Some("云州区库"))
        );
        let id = r["id"].as_i64().unwrap();
        let (st, _) = send(pc.get(&format!("/api/v1/supplies/requests/{id}")).await).await;
        assert_eq!(st, 404, "平城 does not read 云州's request");
        let (_, r) = event(&yz, &r, json!({ "kind": "submit" })).await;
        let (st, prop) = send(
            cmd.get(&format!("/api/v1/supplies/requests/{id}/proposal"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{prop}");
        assert_eq!(
            prop["accept"],
            json!([{ "warehouse_id": wp, "item_id": tent, "qty": 15 }])
        );
        let (st, r) = event(
            &cmd,
            &r,
            json!({ "kind": "accept", "lines": prop["accept"] }),
        )
        .await;
        assert_eq!(st, 200, "{r}");
        let d = &r["documents"][0];
        assert_eq!(
            (d["kind"].as_str(), d["to_warehouse_id"].as_i64()),
            (Some("transfer"), Some(wy))
        );
        let doc = d["id"].as_i64().unwrap();
        // The county cannot cancel an allocated request; the city can, and
        // the unposted document goes with it.
        let (st, p) = event(&yz, &r, json!({ "kind": "cancel" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("allocation_by_city")),
            "{p}"
        );
        let (st, r) = event(&cmd, &r, json!({ "kind": "cancel" })).await;
        assert_eq!((st, r["state"].as_str()), (200, Some("cancelled")), "{r}");
        assert_eq!(r["documents"], json!([]));
        let (st, _) = send(
            admin
                .get(&format!("/api/v1/supplies/documents/{doc}"))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        assert_eq!(qty(&cmd, wp, tent).await, 20);
    }
}
