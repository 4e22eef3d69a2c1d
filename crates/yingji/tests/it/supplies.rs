//! Relief supplies over HTTP, on both databases: the catalogue, a receipt
//! drafted, approved and posted, issues first-expiry-first-out, refusals
//! (not enough stock, a posted document deleted), reversal, alerts, the
//! consistency check; jurisdiction (another county neither reads drafts
//! nor approves nor posts, and sees the stock only as available by
//! request); and 50 concurrent clients posting issues and transfers
//! against the same items that lose no posting and never oversell.
use crate::common::*;
use serde_json::{json, Value};

async fn warehouse(app: &TestApp, admin: &User, name: &str, division: &str) -> i64 {
    let b = body(app, "warehouse", name, division);
    let r = admin.post("/api/v1/registries/warehouse", &b).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn item(admin: &User, code: &str, name: &str, shelf: Option<i64>) -> i64 {
    let (st, v) = send(
        admin
            .post(
                "/api/v1/supplies/items",
                &json!({ "code": code, "name": name, "unit": "顶", "shelf_life_days": shelf }),
            )
            .await,
    )
    .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().unwrap()
}

async fn draft(u: &User, b: Value) -> (u16, Value) {
    send(u.post("/api/v1/supplies/documents", &b).await).await
}

async fn step(u: &User, d: &Value, kind: &str) -> (u16, Value) {
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

/// Drafted by `u`, approved by `checker` (the drafter may not approve:
/// 制单与审核分离) and posted by `u`; the posted document.
async fn posted(u: &User, checker: &User, b: Value) -> Value {
    let (st, d) = draft(u, b).await;
    assert_eq!(st, 201, "{d}");
    let (st, d) = step(checker, &d, "approve").await;
    assert_eq!(st, 200, "{d}");
    let (st, d) = step(u, &d, "post").await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["state"], "posted");
    d
}

async fn stock(u: &User, q: &str) -> Vec<Value> {
    let (st, v) = send(u.get(&format!("/api/v1/supplies/stock{q}")).await).await;
    assert_eq!(st, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn total(rows: &[Value], w: i64, i: i64) -> i64 {
    rows.iter()
        .filter(|r| r["warehouse_id"] == w && r["item_id"] == i)
        .map(|r| r["qty"].as_i64().unwrap())
        .sum()
}

async fn check_ok(admin: &User) -> Value {
    let (st, c) = send(admin.get("/api/v1/supplies/check").await).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["ok"], true, "{c}");
    c
}

#[tokio::test]
async fn a_receipt_then_issues_first_expiry_first_with_reversal_and_alerts() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;

        // The catalogue: the city keeps it; a bad code is named.
        let (st, p) = send(
            admin
                .post(
                    "/api/v1/supplies/items",
                    &json!({ "code": "4010101", "name": " ", "unit": "顶" }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(fields(&p), vec!["code", "name"]);
        let (st, _) = send(
            pc.post(
                "/api/v1/supplies/items",
                &json!({ "code": "1010101", "name": "帐篷", "unit": "顶" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 403, "a county operator does not keep the catalogue");
        let tent = item(&admin, "1010101", "救灾帐篷", None).await;
        let quilt = item(&admin, "1020101", "棉被", Some(1095)).await;
        let (st, p) = send(
            admin
                .post(
                    "/api/v1/supplies/items",
                    &json!({ "code": "1010101", "name": "x", "unit": "顶" }),
                )
                .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["code".to_string()]));

        let w = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;

        // A draft with bad lines names each.
        let (st, p) = draft(
            &pc,
            json!({ "kind": "receipt", "warehouse_id": w, "lines": [{ "item_id": tent, "qty": 0 }, { "item_id": 999, "qty": 1 }] }),
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(fields(&p), vec!["lines[0].qty", "lines[1].item_id"]);

        // 入库: two batches of quilts (one expiring soon) and tents.
        let soon = (time::OffsetDateTime::now_utc().date() + time::Duration::days(10)).to_string();
        let d = posted(
            &pc,
            &admin,
            json!({ "kind": "receipt", "reason": "donation", "warehouse_id": w, "lines": [
                { "item_id": quilt, "qty": 30, "batch_no": "Q-LATE", "produced_on": "2026-06-01", "supplier": "大同纺织" },
                { "item_id": quilt, "qty": 20, "batch_no": "Q-SOON", "expires_on": soon },
                { "item_id": tent, "qty": 10 }
            ] }),
        )
        .await;
        assert_eq!(
            d["lines"][0]["expires_on"], "2029-05-31",
            "production + shelf life"
        );
        assert_eq!(
            d["postings"].as_array().unwrap().len(),
            6,
            "two sides per line"
        );
        let rows = stock(&pc, &format!("?warehouse_id={w}")).await;
        assert_eq!((total(&rows, w, quilt), total(&rows, w, tent)), (50, 10));
        assert!(rows.iter().all(|r| r["own"] == true));
        // The same rows as an XLSX file.
        let r = pc.get("/api/v1/supplies/stock/export").await;
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");

        // A posted document is never deleted, nor stepped again.
        let id = d["id"].as_i64().unwrap();
        let (st, p) = send(
            pc.delete(&format!(
                "/api/v1/supplies/documents/{id}?version={}",
                d["version"]
            ))
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("posted_never_deleted")),
            "{p}"
        );
        let (st, p) = step(&pc, &d, "post").await;
        assert_eq!(st, 409, "{p}");

        // 出库 of 25 quilts without a batch: the 20 expiring soon first.
        let out = posted(
            &pc,
            &admin,
            json!({ "kind": "issue", "reason": "relief", "warehouse_id": w, "lines": [{ "item_id": quilt, "qty": 25 }] }),
        )
        .await;
        let moved: Vec<(String, i64)> = out["postings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["warehouse_id"] == w)
            .map(|p| {
                (
                    p["account"].as_str().unwrap().to_string(),
                    p["delta"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            moved,
            vec![
                (format!("warehouse:{w}"), -20),
                (format!("warehouse:{w}"), -5)
            ]
        );
        let rows = stock(&pc, &format!("?item_id={quilt}")).await;
        assert_eq!(rows.len(), 1, "the early batch is gone: {rows:?}");
        assert_eq!(
            (rows[0]["batch_no"].as_str(), rows[0]["qty"].as_i64()),
            (Some("Q-LATE"), Some(25))
        );

        // Not enough: refused at posting, nothing moves.
        let (st, d2) = draft(&pc, json!({ "kind": "issue", "warehouse_id": w, "lines": [{ "item_id": tent, "qty": 11 }] })).await;
        assert_eq!(st, 201);
        let (_, d2) = step(&admin, &d2, "approve").await;
        let (st, p) = step(&pc, &d2, "post").await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("insufficient_stock")),
            "{p}"
        );
        assert_eq!(total(&stock(&pc, "").await, w, tent), 10);
        // …and the unposted document can be deleted.
        let id2 = d2["id"].as_i64().unwrap();
        let (st, _) = send(
            pc.delete(&format!(
                "/api/v1/supplies/documents/{id2}?version={}",
                d2["version"]
            ))
            .await,
        )
        .await;
        assert_eq!(st, 204);
        let (st, _) = send(pc.get(&format!("/api/v1/supplies/documents/{id2}")).await).await;
        assert_eq!(st, 404);

        // Reverse the issue: a reversing document, approved and posted.
        let oid = out["id"].as_i64().unwrap();
        let (st, r) = send(
            pc.post(
                &format!("/api/v1/supplies/documents/{oid}/reverse"),
                &json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{r}");
        assert_eq!(
            (r["kind"].as_str(), r["reverses"].as_i64()),
            (Some("reversal"), Some(oid))
        );
        let (st, p) = send(
            pc.post(
                &format!("/api/v1/supplies/documents/{oid}/reverse"),
                &json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("already_reversed")),
            "{p}"
        );
        let (_, r) = step(&admin, &r, "approve").await;
        let (st, r) = step(&pc, &r, "post").await;
        assert_eq!(st, 200, "{r}");
        assert_eq!(total(&stock(&pc, "").await, w, quilt), 50);

        // 盘点 of the late batch: 28 found of 30, the difference posted.
        let rows = stock(&pc, &format!("?item_id={quilt}")).await;
        let late = rows.iter().find(|r| r["batch_no"] == "Q-LATE").unwrap()["batch_id"]
            .as_i64()
            .unwrap();
        let c = posted(&pc, &admin, json!({ "kind": "count", "warehouse_id": w, "lines": [{ "item_id": quilt, "batch_id": late, "qty": 28 }] })).await;
        let diff: Vec<i64> = c["postings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["warehouse_id"] == w)
            .map(|p| p["delta"].as_i64().unwrap())
            .collect();
        assert_eq!(diff, vec![-2]);

        // Alerts: the soon batch is near expiry; a minimum above the stock.
        let (st, _) = send(
            pc.put(
                "/api/v1/supplies/minimums",
                &json!({ "warehouse_id": w, "item_id": tent, "min_qty": 50 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 204);
        let (st, a) = send(pc.get("/api/v1/supplies/alerts?days=30").await).await;
        assert_eq!(st, 200, "{a}");
        let kinds: Vec<(&str, i64)> = a
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["kind"].as_str().unwrap(), x["item_id"].as_i64().unwrap()))
            .collect();
        assert!(kinds.contains(&("near_expiry", quilt)), "{a}");
        assert!(kinds.contains(&("below_minimum", tent)), "{a}");

        // Every step journaled; the ledger checks out.
        let (st, j) = send(admin.get("/api/v1/journal?module=supplies&limit=200").await).await;
        assert_eq!(st, 200, "{j}");
        let text = j.to_string();
        for kind in ["drafted", "approve", "post", "deleted", "minimum_set"] {
            assert!(text.contains(&format!("\"{kind}\"")), "{kind} journaled");
        }
        let c = check_ok(&admin).await;
        assert!(c["postings"].as_i64().unwrap() >= 12);
        let (st, _) = send(pc.get("/api/v1/supplies/check").await).await;
        assert_eq!(st, 403, "the check is for administrators");
    }
}

#[tokio::test]
async fn another_county_neither_reads_drafts_nor_approves_nor_posts() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let tent = item(&admin, "1010101", "救灾帐篷", None).await;
        let wp = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区救灾物资储备库", "140215").await;
        posted(&pc, &admin, json!({ "kind": "receipt", "warehouse_id": wp, "lines": [{ "item_id": tent, "qty": 40 }] })).await;
        let (st, d) = draft(&pc, json!({ "kind": "issue", "warehouse_id": wp, "lines": [{ "item_id": tent, "qty": 5 }] })).await;
        assert_eq!(st, 201);
        let id = d["id"].as_i64().unwrap();

        // 云州区: no draft in 平城's warehouse, no reading, approving,
        // posting, deleting or reversing of its documents.
        let (st, p) = draft(&yz, json!({ "kind": "issue", "warehouse_id": wp, "lines": [{ "item_id": tent, "qty": 5 }] })).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["warehouse_id".to_string()]),
            "{p}"
        );
        let (st, _) = send(yz.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        assert_eq!(st, 404);
        for kind in ["approve", "post"] {
            let (st, _) = step(&yz, &d, kind).await;
            assert_eq!(st, 404, "{kind}");
        }
        let (st, _) = send(
            yz.delete(&format!("/api/v1/supplies/documents/{id}?version=1"))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        let (st, l) = send(yz.get("/api/v1/supplies/documents").await).await;
        assert_eq!((st, l["total"].as_i64()), (200, Some(0)), "{l}");
        let (st, _) = send(
            yz.put(
                "/api/v1/supplies/minimums",
                &json!({ "warehouse_id": wp, "item_id": tent, "min_qty": 1 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422);
        // …but sees the city's stock, as available by request.
        let rows = stock(&yz, "").await;
        assert_eq!(total(&rows, wp, tent), 40);
        assert!(rows.iter().all(|r| r["own"] == false), "{rows:?}");
        let (_, ws) = send(yz.get("/api/v1/supplies/warehouses").await).await;
        let own: Vec<(i64, bool)> = ws
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w["id"].as_i64().unwrap(), w["own"].as_bool().unwrap()))
            .collect();
        assert!(
            own.contains(&(wp, false)) && own.contains(&(wy, true)),
            "{ws}"
        );
        // An observer reads, never writes.
        let (st, _) = send(obs.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        assert_eq!(st, 200);
        let (st, _) = step(&obs, &d, "approve").await;
        assert_eq!(st, 403);
        // The draft is untouched. Its drafter may not approve it (制单与
        // 审核分离): the city does, then 平城 posts it.
        let (st, p) = step(&pc, &d, "approve").await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("drafter_cannot_approve")),
            "{p}"
        );
        let (_, v) = send(pc.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        assert_eq!(v["allowed_events"], json!(["delete"]), "{v}");
        let (_, v) = send(admin.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        assert_eq!(v["allowed_events"], json!(["approve", "delete"]), "{v}");
        let (st, d) = step(&admin, &d, "approve").await;
        assert_eq!(st, 200, "{d}");
        let (st, _) = step(&pc, &d, "post").await;
        assert_eq!(st, 200);
        assert_eq!(total(&stock(&pc, "").await, wp, tent), 35);
    }
}

#[tokio::test]
async fn fifty_clients_posting_at_once_lose_nothing_and_never_oversell() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let tent = item(&admin, "1010101", "救灾帐篷", None).await;
        let quilt = item(&admin, "1020101", "棉被", None).await;
        let w1 = warehouse(&app, &admin, "平城区一号库", "140213").await;
        let w2 = warehouse(&app, &admin, "平城区二号库", "140213").await;
        for w in [w1, w2] {
            posted(&pc, &admin, json!({ "kind": "receipt", "warehouse_id": w, "lines": [
                { "item_id": tent, "qty": 30, "batch_no": "T1" }, { "item_id": tent, "qty": 30, "batch_no": format!("T2-{w}") },
                { "item_id": quilt, "qty": 40 }
            ] })).await;
        }
        // Drafted and approved first, then all posted at once: issues from
        // both warehouses, transfers both ways, of both items.
        let mut approved = Vec::new();
        for n in 0..50 {
            let (from, to) = if n % 2 == 0 { (w1, w2) } else { (w2, w1) };
            let b = match n % 4 {
                0 | 1 => {
                    json!({ "kind": "issue", "warehouse_id": from, "lines": [{ "item_id": tent, "qty": 7 }, { "item_id": quilt, "qty": 2 }] })
                }
                _ => {
                    json!({ "kind": "transfer", "warehouse_id": from, "to_warehouse_id": to, "lines": [{ "item_id": tent, "qty": 9 }, { "item_id": quilt, "qty": 3 }] })
                }
            };
            let (st, d) = draft(&pc, b).await;
            assert_eq!(st, 201, "{d}");
            let (st, d) = step(&admin, &d, "approve").await;
            assert_eq!(st, 200, "{d}");
            approved.push(d);
        }
        let mut tasks = Vec::new();
        for d in approved {
            let client = pc.client.clone();
            let base = pc.base.clone();
            tasks.push(tokio::spawn(async move {
                let id = d["id"].as_i64().unwrap();
                let r = client
                    .post(format!("{base}/api/v1/supplies/documents/{id}/events"))
                    .header("x-requested-with", "yingji")
                    .json(&json!({ "kind": "post", "version": d["version"] }))
                    .send()
                    .await
                    .unwrap();
                let st = r.status().as_u16();
                let v: Value = r.json().await.unwrap();
                (d["kind"].as_str().unwrap().to_string(), st, v)
            }));
        }
        let (mut issued_ok, mut posted_ok, mut refused) = (0, 0, 0);
        for t in tasks {
            let (kind, st, v) = t.await.unwrap();
            match st {
                200 => {
                    posted_ok += 1;
                    if kind == "issue" {
                        issued_ok += 1;
                    }
                }
                409 => {
                    assert_eq!(v["code"], "insufficient_stock", "{v}");
                    refused += 1;
                }
                _ => panic!("{}: {st} {v}", app.backend),
            }
        }
        assert_eq!(posted_ok + refused, 50);
        assert!(
            refused > 0 && issued_ok > 0,
            "{}: the stock runs out part way ({posted_ok} posted)",
            app.backend
        );
        // Every 200 is a posted document with its postings; nothing else moved.
        let (_, l) = send(
            pc.get("/api/v1/supplies/documents?state=posted&limit=500")
                .await,
        )
        .await;
        assert_eq!(l["total"].as_i64(), Some(2 + posted_ok), "{}", app.backend);
        let rows = stock(&pc, "").await;
        let tents = total(&rows, w1, tent) + total(&rows, w2, tent);
        let quilts = total(&rows, w1, quilt) + total(&rows, w2, quilt);
        assert_eq!(
            (tents, quilts),
            (120 - 7 * issued_ok, 80 - 2 * issued_ok),
            "{}",
            app.backend
        );
        assert!(rows.iter().all(|r| r["qty"].as_i64().unwrap() >= 0));
        check_ok(&admin).await;
    }
}
