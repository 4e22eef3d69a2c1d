//! Distribution to households with a signed list (发放登记, 签收) over HTTP,
//! on both databases: a list for 平城's open shelter (one registered
//! household, one typed in) drafts a 出库单 of the sums; nothing is signed
//! before the document is posted (through the ledger, 制单与审核分离);
//! posted, the stock has left and each household signs once; the 签收表
//! exports as XLSX; wrong households are named; 云州 neither reads, signs
//! nor drafts from 平城's warehouse or shelter; names are masked for an
//! observer.
use crate::common::*;
use crate::supply_requests::{item, qty, receive, step_doc, warehouse};
use serde_json::{json, Value};

async fn sign(u: &User, id: i64, h: &Value) -> (u16, Value) {
    send(
        u.post(
            &format!("/api/v1/supplies/distributions/{id}/sign"),
            &json!({ "household": h["id"], "version": h["version"] }),
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn a_signed_list_issues_the_stock_and_each_household_signs_once() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let w = warehouse(&app, &admin, "平城区救灾物资储备库", "140213").await;
        let wy = warehouse(&app, &admin, "云州区救灾物资储备库", "140215").await;
        let tent = item(&admin, "1010101", "救灾帐篷").await;
        let quilt = item(&admin, "1020101", "棉被").await;
        receive(&admin, &cmd, w, tent, 30).await;
        receive(&admin, &cmd, w, quilt, 50).await;
        let (lon, lat) = app.point_in("140213");
        let (st, sh) = send(
            admin
                .post(
                    "/api/v1/registries/shelter",
                    &json!({ "name": "平城区体育馆", "division": "140213", "lon": lon, "lat": lat,
                        "attrs": { "shelter_class": "III", "duration_days": 3, "area_m2": 3000.0, "capacity": 100 } }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 201, "{sh}");
        let shelter = sh["id"].as_i64().unwrap();
        let (st, o) = send(
            pc.post(&format!("/api/v1/shelters/{shelter}/open"), &json!({}))
                .await,
        )
        .await;
        assert!(st == 200 || st == 201, "{o}");
        let (st, d) = send(
            pc.post(
                &format!("/api/v1/shelters/{shelter}/households"),
                &json!({ "head_name": "王芳", "id_last4": "123x", "members": 4 }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{d}");
        let registered = d["households"][0]["id"].as_i64().unwrap();

        // Wrong households are named; nothing drafted.
        let (st, p) = send(
            pc.post(
                "/api/v1/supplies/distributions",
                &json!({ "warehouse_id": w, "shelter_id": shelter, "households": [
                    { "head_name": "张伟", "id_last4": "110101199001011234", "items": [{ "item_id": tent, "qty": 1 }] },
                    { "household_id": 999999, "items": [{ "item_id": quilt, "qty": 0 }] },
                ] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(
            fields(&p),
            vec![
                "households[0].id_last4",
                "households[1].household_id",
                "households[1].items[0].qty"
            ]
        );
        // 云州 drafts neither from 平城's warehouse nor for its shelter.
        let (st, p) = send(
            yz.post(
                "/api/v1/supplies/distributions",
                &json!({ "warehouse_id": w, "shelter_id": shelter, "households": [
                    { "head_name": "张伟", "id_last4": "5678", "items": [{ "item_id": tent, "qty": 1 }] }] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(fields(&p), vec!["warehouse_id", "shelter_id"]);

        // The list: a 出库单 of the sums, a draft.
        let (st, l) = send(
            pc.post(
                "/api/v1/supplies/distributions",
                &json!({ "warehouse_id": w, "shelter_id": shelter, "place": "平城区体育馆", "households": [
                    { "household_id": registered, "items": [{ "item_id": tent, "qty": 1 }, { "item_id": quilt, "qty": 4 }] },
                    { "head_name": "张伟", "id_last4": "5678", "members": 2, "items": [{ "item_id": quilt, "qty": 2 }] },
                ] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{l}");
        let id = l["doc_id"].as_i64().unwrap();
        assert_eq!(l["doc"]["kind"], "issue");
        assert_eq!(l["doc"]["reason"], "relief");
        assert_eq!(l["doc"]["state"], "draft");
        assert_eq!(l["opening_id"], o["open"]["id"], "{o}");
        let totals: Vec<(i64, i64)> = l["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["item_id"].as_i64().unwrap(), i["total"].as_i64().unwrap()))
            .collect();
        assert_eq!(totals, vec![(tent, 1), (quilt, 6)]);
        let hs = l["households"].as_array().unwrap().clone();
        assert_eq!(
            (
                hs[0]["head_name"].as_str(),
                hs[0]["id_last4"].as_str(),
                hs[0]["members"].as_i64()
            ),
            (Some("王芳"), Some("123X"), Some(4)),
            "taken from the registration"
        );
        assert_eq!(l["can_sign"], false);

        // No signature before the stock has left.
        let (st, p) = sign(&pc, id, &hs[0]).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("distribution_not_posted")),
            "{p}"
        );

        // Another county reads, signs, exports nothing.
        let (st, _) = send(
            yz.get(&format!("/api/v1/supplies/distributions/{id}"))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        let x = yz
            .get(&format!("/api/v1/supplies/distributions/{id}/export"))
            .await;
        assert_eq!(x.status(), 404);

        // Approved by the city, posted by the county: the stock leaves.
        let (_, doc) = send(pc.get(&format!("/api/v1/supplies/documents/{id}")).await).await;
        let (st, doc) = step_doc(&admin, &doc, "approve").await;
        assert_eq!(st, 200, "{doc}");
        let (st, doc) = step_doc(&pc, &doc, "post").await;
        assert_eq!(st, 200, "{doc}");
        assert_eq!(qty(&pc, w, tent).await, 29);
        assert_eq!(qty(&pc, w, quilt).await, 44);
        assert_eq!(qty(&pc, wy, quilt).await, 0);

        let (st, p) = sign(&yz, id, &hs[0]).await;
        assert_eq!(st, 404, "{p}");
        let (st, l) = sign(&pc, id, &hs[0]).await;
        assert_eq!(st, 200, "{l}");
        assert_eq!(l["signed"], 1);
        assert_eq!(l["households"][0]["signed_by"], "pingcheng");
        let (st, p) = sign(&pc, id, &l["households"][0]).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("already_signed")),
            "{p}"
        );
        let (st, p) = sign(&pc, id, &hs[1]).await;
        assert_eq!(st, 200, "{p}");

        // The 签收表.
        let x = pc
            .get(&format!("/api/v1/supplies/distributions/{id}/export"))
            .await;
        assert_eq!(x.status(), 200);
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(
            x.bytes().await.unwrap().to_vec(),
        ))
        .unwrap();
        let sheet = wb.worksheet_range("签收表").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[0][4], "救灾帐篷（件）");
        assert_eq!(
            &rows[1][..6],
            &["1", "王芳", "123X", "4", "1", "4"],
            "{rows:?}"
        );
        assert!(rows[1][6].ends_with("+08:00"), "{rows:?}");

        // An observer of the city reads it with the names masked.
        let (st, l) = send(
            obs.get(&format!("/api/v1/supplies/distributions/{id}"))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{l}");
        assert_ne!(l["households"][0]["head_name"], "王芳");

        // The ledger stays consistent.
        let (st, c) = send(admin.get("/api/v1/supplies/check").await).await;
        assert_eq!((st, &c["ok"]), (200, &Value::Bool(true)), "{c}");
    }
}
