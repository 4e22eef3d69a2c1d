//! Stock-count import (盘点导入) over HTTP, on both databases: a CSV drafts
//! one 盘点单 per warehouse which, approved and posted, books the
//! differences (new batches made); the stock export (XLSX) reads back as a
//! count with no difference; a wrong file drafts nothing and names each
//! row and column; another county can neither count nor read the drafts.
use crate::common::*;
use crate::supply_requests::{item, qty, receive, step_doc, warehouse};
use serde_json::Value;

async fn import(u: &User, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    send(
        u.upload("/api/v1/supplies/documents/import", name, bytes)
            .await,
    )
    .await
}

fn problems(p: &Value) -> Vec<(i64, String, String)> {
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn doc_total(u: &User) -> i64 {
    let (_, v) = send(u.get("/api/v1/supplies/documents?kind=count").await).await;
    v["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_count_file_drafts_one_count_per_warehouse_all_or_nothing() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let w = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;
        let w2 = warehouse(&app, &admin, "平城区第二储备点", "140213").await;
        let wy = warehouse(&app, &admin, "云州区救灾物资储备库", "140215").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let quilt = item(&admin, "1020101", "棉被").await;
        receive(&admin, &cmd, w, tent, 30).await;

        // A wrong file: nothing drafted, every cell named.
        let bad = "仓库,物资代码,批次,数量\n\
                   平城区救灾物资储备库,1010101,,x\n\
                   云州区救灾物资储备库,1010101,,3\n\
                   平城区救灾物资储备库,9999999,,3\n";
        let (st, p) = import(&pc, "count.csv", bad.as_bytes().to_vec()).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            problems(&p),
            vec![
                (2, "qty".into(), "out_of_range".into()),
                (3, "warehouse".into(), "warehouse_not_found".into()),
                (4, "item_code".into(), "supply_item_not_found".into()),
            ]
        );
        assert_eq!(doc_total(&pc).await, 0);

        // Another county cannot count 平城's warehouse.
        let csv = format!(
            "仓库,物资代码,批次,数量,供货单位,生产日期,有效期至\n\
             平城区救灾物资储备库,1010101,,27,,,\n\
             平城区救灾物资储备库,1020101,Q-NEW,15,大同纺织,2026-06-01,\n\
             {w2},1020101,,4,,,\n"
        );
        let (st, p) = import(&yz, "count.csv", csv.clone().into_bytes()).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            problems(&p),
            vec![
                (2, "warehouse".into(), "warehouse_not_found".into()),
                (3, "warehouse".into(), "warehouse_not_found".into()),
                (4, "warehouse".into(), "warehouse_not_found".into()),
            ]
        );

        // 平城区 counts: a 盘点单 per warehouse, drafts (nothing moved).
        let (st, r) = import(&pc, "count.csv", csv.into_bytes()).await;
        assert_eq!(st, 201, "{r}");
        assert_eq!(r["rows"], 3);
        let docs = r["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 2, "{r}");
        assert!(docs
            .iter()
            .all(|d| d["kind"] == "count" && d["state"] == "draft"));
        assert_eq!(qty(&pc, w, tent).await, 30);
        let id = docs[0]["id"].as_i64().unwrap();
        let (st, _) = send(yz.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        assert_eq!(st, 404, "another county does not read the drafts");

        // Approved by the city, posted by the county: the counted stock.
        for d in docs {
            let (st, d) = step_doc(&admin, d, "approve").await;
            assert_eq!(st, 200, "{d}");
            let (st, p) = step_doc(&yz, &d, "post").await;
            assert_eq!(st, 404, "{p}");
            let (st, d) = step_doc(&pc, &d, "post").await;
            assert_eq!(st, 200, "{d}");
        }
        assert_eq!(qty(&pc, w, tent).await, 27);
        assert_eq!(qty(&pc, w, quilt).await, 15);
        assert_eq!(qty(&pc, w2, quilt).await, 4);
        assert_eq!(qty(&yz, wy, tent).await, 0);

        // The stock export reads back: a count with no difference.
        let x = pc
            .get(&format!("/api/v1/supplies/stock/export?warehouse_id={w}"))
            .await;
        assert_eq!(x.status(), 200);
        let (st, r) = import(&pc, "库存表.xlsx", x.bytes().await.unwrap().to_vec()).await;
        assert_eq!(st, 201, "{r}");
        let d = &r["documents"][0];
        let (_, d) = step_doc(&admin, d, "approve").await;
        let (st, d) = step_doc(&pc, &d, "post").await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["postings"], serde_json::json!([]), "{d}");
        assert_eq!(qty(&pc, w, tent).await, 27);
        let (st, c) = send(admin.get("/api/v1/supplies/check").await).await;
        assert_eq!((st, &c["ok"]), (200, &Value::Bool(true)), "{c}");
    }
}
