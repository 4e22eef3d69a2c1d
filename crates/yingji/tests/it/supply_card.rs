//! The stock card (物资台账卡) over HTTP, on both databases: every posting
//! of a warehouse's item in time order with the running balance, the
//! opening balance of a period, one batch alone, the XLSX export; another
//! county can read neither; bad days are named.
use crate::common::*;
use crate::supply_requests::{item, receive, step_doc, warehouse};
use serde_json::{json, Value};

fn today() -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date()
}

async fn card(u: &User, q: &str) -> (u16, Value) {
    send(u.get(&format!("/api/v1/supplies/card{q}")).await).await
}

/// An issue of `qty` drafted and posted by `u`, approved by `checker`.
pub(crate) async fn issue(u: &User, checker: &User, w: i64, item: i64, qty: i64) -> Value {
    let (st, d) = send(
        u.post(
            "/api/v1/supplies/documents",
            &json!({ "kind": "issue", "warehouse_id": w, "note": "发放", "lines": [{ "item_id": item, "qty": qty }] }),
        )
        .await,
    )
    .await;
    assert_eq!(st, 201, "{d}");
    let (st, d) = step_doc(checker, &d, "approve").await;
    assert_eq!(st, 200, "{d}");
    let (st, d) = step_doc(u, &d, "post").await;
    assert_eq!(st, 200, "{d}");
    d
}

#[tokio::test]
async fn the_card_lists_every_posting_with_the_running_balance() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let w = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        receive(&admin, &cmd, w, tent, 30).await;
        receive(&admin, &cmd, w, tent, 10).await;
        let d = issue(&pc, &admin, w, tent, 12).await;

        let day = today();
        let q = format!("?warehouse_id={w}&item_id={tent}&from={day}&to={day}");
        let (st, c) = card(&pc, &q).await;
        assert_eq!(st, 200, "{c}");
        let lines = c["lines"].as_array().unwrap();
        let got: Vec<(i64, i64, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l["received"].as_i64().unwrap(),
                    l["issued"].as_i64().unwrap(),
                    l["balance"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, vec![(30, 0, 30), (10, 0, 40), (0, 12, 28)], "{c}");
        assert_eq!(
            c["totals"],
            json!({ "opening": 0, "received": 40, "issued": 12, "closing": 28 })
        );
        let number = lines[2]["doc_number"].as_str().unwrap();
        assert_eq!(number, format!("CK{:06}", d["id"].as_i64().unwrap()));
        assert_eq!(lines[2]["note"], "发放");
        assert_eq!(c["from"], day.to_string());

        // A period after today: everything is the opening balance.
        let next = day + time::Duration::days(1);
        let (st, c) = card(
            &pc,
            &format!("?warehouse_id={w}&item_id={tent}&from={next}&to={next}"),
        )
        .await;
        assert_eq!(st, 200, "{c}");
        assert_eq!(
            c["totals"],
            json!({ "opening": 28, "received": 0, "issued": 0, "closing": 28 })
        );
        assert_eq!(c["lines"], json!([]));

        // One batch alone: the first receipt's batch (first expiry first
        // took the issue from the older batch, both without expiry).
        let b = lines[0]["batch_id"].as_i64().unwrap();
        let (st, c) = card(&pc, &format!("{q}&batch_id={b}")).await;
        assert_eq!(st, 200, "{c}");
        let sum: i64 = c["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["received"].as_i64().unwrap() - l["issued"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, c["totals"]["closing"].as_i64().unwrap());
        assert_eq!(c["batch_no"], lines[0]["batch_no"]);

        // The city reads it too; the XLSX has the opening row, the
        // postings and the totals row.
        let (st, _) = card(&cmd, &q).await;
        assert_eq!(st, 200);
        let x = pc.get(&format!("/api/v1/supplies/card/export{q}")).await;
        assert_eq!(x.status(), 200);
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(
            x.bytes().await.unwrap().to_vec(),
        ))
        .unwrap();
        let sheet = wb.worksheet_range("台账卡").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 1 + 1 + 3 + 1, "{rows:?}");
        assert!(rows[1][2].starts_with("期初结存"), "{rows:?}");
        assert_eq!(rows[4][1], number);
        assert_eq!((rows[4][5].as_str(), rows[4][6].as_str()), ("12", "28"));
        assert_eq!((rows[5][4].as_str(), rows[5][6].as_str()), ("40", "28"));

        // Another county: the warehouse does not exist for its card.
        let (st, _) = card(&yz, &q).await;
        assert_eq!(st, 404);
        let x = yz.get(&format!("/api/v1/supplies/card/export{q}")).await;
        assert_eq!(x.status(), 404);

        // Bad input is named.
        let (st, p) = card(
            &pc,
            &format!("?warehouse_id={w}&item_id={tent}&from=2026/1/1&to={day}"),
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["from".to_string()]), "{p}");
        let (st, p) = card(&pc, &format!("?warehouse_id={w}&item_id=99999")).await;
        assert_eq!((st, fields(&p)), (422, vec!["item_id".to_string()]), "{p}");
        let (st, p) = card(
            &pc,
            &format!("?warehouse_id={w}&item_id={tent}&batch_id=99999"),
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["batch_id".to_string()]), "{p}");
    }
}
