use crate::common::*;
use serde_json::{json, Value};

fn gbk(text: &str) -> Vec<u8> {
    let (b, _, _) = encoding_rs::GBK.encode(text);
    b.into_owned()
}

#[tokio::test]
async fn gbk_csv_import_is_all_or_nothing() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let (lon, lat) = app.point_in("140213");
        let good = format!(
            "名称,行政区划,经度,纬度,负责人,联系电话,状态,队伍类型,人数,专长\n\
             平城区蓝天救援队,平城区,{lon},{lat},王伟,13912345678,可用,社会力量,60,山地搜救；水域救援\n\
             平城区电力抢修队,140213,{lon},{lat},李强,0352-2345678,,电力抢修,25,\n"
        );
        // One bad row (latitude 95) → nothing is written.
        let bad = format!("{good}平城区坏数据队,140213,{lon},95,,,,综合消防,10,\n");
        let r = u
            .upload("/api/v1/registries/team/import", "teams.csv", gbk(&bad))
            .await;
        assert_eq!(r.status(), 422, "{}", app.backend);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["key"], "validation");
        let e = &p["errors"][0];
        assert_eq!(e["row"], 4);
        assert_eq!(e["field"], "lat");
        // A stable code and its parameters, for the UI's translation.
        assert_eq!(e["code"], "out_of_range", "{p}");
        assert_eq!(e["params"]["max"].as_f64(), Some(90.0), "{p}");
        let list: Value = u.get("/api/v1/registries/team").await.json().await.unwrap();
        assert_eq!(list["total"], 0, "{}: nothing half-written", app.backend);

        let r = u
            .upload("/api/v1/registries/team/import", "teams.csv", gbk(&good))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(r.json::<Value>().await.unwrap()["imported"], 2);
        let list: Value = u
            .get("/api/v1/registries/team?q=蓝天")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1);
        let item = &list["items"][0];
        assert_eq!(item["division"], "140213000000");
        assert_eq!(item["attrs"]["team_kind"], "social");
        assert_eq!(
            item["attrs"]["specialities"],
            json!(["山地搜救", "水域救援"])
        );

        // Importing the same rows again: duplicates named by row.
        let r = u
            .upload("/api/v1/registries/team/import", "teams.csv", gbk(&good))
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"].as_array().unwrap().len(), 2);
        assert_eq!(p["errors"][1]["row"], 3);
        assert!(p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("已存在"));
        assert_eq!(p["errors"][0]["code"], "name_taken", "{p}");
        assert_eq!(p["errors"][0]["params"]["name"], "平城区蓝天救援队", "{p}");

        // Duplicates inside one file.
        let dup = format!("名称,行政区划,经度,纬度,队伍类型,人数\nA队,140213,{lon},{lat},综合消防,1\nA队,140213,{lon},{lat},综合消防,2\n");
        let p: Value = u
            .upload("/api/v1/registries/team/import", "d.csv", dup.into_bytes())
            .await
            .json()
            .await
            .unwrap();
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("第 2 行"),
            "{p}"
        );
        assert_eq!(p["errors"][0]["code"], "duplicate_row", "{p}");
        assert_eq!(p["errors"][0]["params"]["row"], 2, "{p}");

        // Rows outside the user's county are refused by row and field.
        let (lon2, lat2) = app.point_in("140215");
        let other = format!(
            "名称,行政区划,经度,纬度,队伍类型,人数\n越界队,140215,{lon2},{lat2},综合消防,5\n"
        );
        let p: Value = u
            .upload(
                "/api/v1/registries/team/import",
                "o.csv",
                other.into_bytes(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], "division");
        assert_eq!(p["errors"][0]["row"], 2);
        assert_eq!(p["errors"][0]["code"], "out_of_jurisdiction", "{p}");
    }
}

#[tokio::test]
async fn bad_files_get_clear_errors() {
    for app in apps().await {
        let u = app.login("admin").await;
        // Not text in any supported encoding.
        let r = u
            .upload(
                "/api/v1/registries/shelter/import",
                "x.csv",
                vec![0x81, 0x20, 0xFF, 0xFE, 0x00, 0x81],
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "file");
        assert_eq!(p["errors"][0]["code"], "unknown_encoding", "{p}");
        // Unknown and missing columns.
        let p: Value = u
            .upload(
                "/api/v1/registries/shelter/import",
                "x.csv",
                "名称,颜色\na,b\n".as_bytes().to_vec(),
            )
            .await
            .json()
            .await
            .unwrap();
        let msgs: Vec<String> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect();
        assert!(msgs.iter().any(|m| m.contains("未知列“颜色”")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("缺少必填列“场所类别”")),
            "{msgs:?}"
        );
        let got = codes(&p);
        assert!(got.contains(&"颜色:unknown_column".to_string()), "{got:?}");
        assert!(
            got.iter().any(|c| c.ends_with(":missing_column")),
            "{got:?}"
        );
        assert!(
            codes(&p).iter().any(|c| c.ends_with(":missing_column"))
                || codes(&p) == ["file:no_rows"],
            "{p}"
        );
        // A broken XLSX.
        let p: Value = u
            .upload(
                "/api/v1/registries/shelter/import",
                "x.xlsx",
                b"PK\x03\x04garbage".to_vec(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["errors"][0]["field"], "file");
        // (Oversized files: tests/import.rs, with a small `max_import_mb`.)
        // Shelter rules: class vs days, capacity vs area.
        let (lon, lat) = app.point_in("140213");
        let csv = format!("名称,行政区划,经度,纬度,场所类别,可安置天数,有效面积(平方米),容纳人数\nS1,140213,{lon},{lat},Ⅰ类,10,3000,100\nS2,140213,{lon},{lat},Ⅲ类,3,3000,2001\n");
        let p: Value = u
            .upload(
                "/api/v1/registries/shelter/import",
                "s.csv",
                csv.into_bytes(),
            )
            .await
            .json()
            .await
            .unwrap();
        let errs = p["errors"].as_array().unwrap();
        assert!(
            errs.iter()
                .any(|e| e["row"] == 2 && e["field"] == "duration_days"),
            "{p}"
        );
        assert!(
            errs.iter()
                .any(|e| e["row"] == 3 && e["field"] == "capacity"),
            "{p}"
        );
    }
}

#[tokio::test]
async fn create_update_conflict_delete_and_journal() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let r = u
            .post(
                "/api/v1/registries/shelter",
                &body(&app, "shelter", "平城区测试避难场所", "140213"),
            )
            .await;
        assert_eq!(r.status(), 201);
        let item: Value = r.json().await.unwrap();
        let id = item["id"].as_i64().unwrap();
        assert_eq!(
            item["attrs"]["capacity"], 2000,
            "derived at 1.5 m² per person"
        );
        assert_eq!(item["category"], "III");

        // Field errors name the field.
        let mut bad = body(&app, "shelter", "x", "140213");
        bad["lat"] = json!(95.0);
        bad["phone"] = json!("abc");
        let p: Value = u
            .post("/api/v1/registries/shelter", &bad)
            .await
            .json()
            .await
            .unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"lat") && fields.contains(&"phone"),
            "{fields:?}"
        );
        // Malformed JSON is a problem too.
        let r = u
            .client
            .post(app.url("/api/v1/registries/shelter"))
            .header("x-requested-with", "y")
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);

        // Two editors read version 1; the second save conflicts.
        let mut a = body(&app, "shelter", "平城区测试避难场所", "140213");
        a["version"] = json!(1);
        a["address"] = json!("第一位");
        assert_eq!(
            u.put(&format!("/api/v1/registries/shelter/{id}"), &a)
                .await
                .status(),
            200
        );
        a["address"] = json!("第二位");
        let r = u.put(&format!("/api/v1/registries/shelter/{id}"), &a).await;
        assert_eq!(r.status(), 409);
        assert_eq!(r.json::<Value>().await.unwrap()["key"], "conflict");
        let now: Value = u
            .get(&format!("/api/v1/registries/shelter/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(now["address"], "第一位");
        assert_eq!(now["version"], 2);
        // Through the one write path: a copy read before another save is
        // stale when saved, and writes nothing.
        let tree = app.state.tree();
        let store = |db| yingji::registry::store::get(db, &tree, "shelter", id);
        let mut stale = store(&app.state.db).await.unwrap().unwrap();
        stale.version = 1;
        stale.address = "过时的".into();
        let mut change = app.state.change().await.unwrap();
        let saved = change.save(&stale).await;
        assert!(
            matches!(saved, Err(yingji::db::DbError::Stale)),
            "{saved:?}"
        );
        drop(change);
        let kept = store(&app.state.db).await.unwrap().unwrap();
        assert_eq!((kept.address.as_str(), kept.version), ("第一位", 2));

        assert_eq!(
            u.delete(&format!("/api/v1/registries/shelter/{id}"))
                .await
                .status(),
            204
        );
        assert_eq!(
            u.get(&format!("/api/v1/registries/shelter/{id}"))
                .await
                .status(),
            404
        );

        let j: Value = u
            .get(&format!("/api/v1/journal?entity=shelter&id={id}"))
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            vec!["deleted", "updated", "created"],
            "{}",
            app.backend
        );
        assert_eq!(j[2]["actor"], "pingcheng");
        let r = yingji::journal::verify(&app.state.db).await.unwrap();
        assert!(r.ok(), "{:?}", r.problems);
    }
}

#[tokio::test]
async fn export_round_trips_through_import() {
    for app in apps().await {
        let u = app.login("admin").await;
        for i in 0..3 {
            let r = u
                .post(
                    "/api/v1/registries/team",
                    &body(&app, "team", &format!("导出测试队{i}"), "140213"),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        for fmt in ["csv", "xlsx"] {
            let r = u
                .get(&format!(
                    "/api/v1/registries/team/export?format={fmt}&q=导出"
                ))
                .await;
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.unwrap().to_vec();
            // Delete, then import the exported file back.
            let list: Value = u
                .get("/api/v1/registries/team?q=导出")
                .await
                .json()
                .await
                .unwrap();
            for it in list["items"].as_array().unwrap() {
                assert_eq!(
                    u.delete(&format!("/api/v1/registries/team/{}", it["id"]))
                        .await
                        .status(),
                    204
                );
            }
            let r = u
                .upload("/api/v1/registries/team/import", &format!("t.{fmt}"), bytes)
                .await;
            assert_eq!(
                r.status(),
                200,
                "{} {fmt}: {}",
                app.backend,
                r.text().await.unwrap()
            );
            let list: Value = u
                .get("/api/v1/registries/team?q=导出")
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(list["total"], 3);
            assert_eq!(list["items"][0]["attrs"]["team_kind"], "fire");
        }
        let t = u
            .get("/api/v1/registries/team/template?format=csv")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            t.trim_start_matches('\u{feff}')
                .starts_with("名称,行政区划,区划名称,经度,纬度"),
            "{t}"
        );
    }
}

#[tokio::test]
async fn live_feed_delivers_changes_in_scope_only() {
    use futures_util::StreamExt;
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let mut stream = pc
            .client
            .get(app.url("/api/v1/journal/stream"))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            yz.post(
                "/api/v1/registries/team",
                &body(&app, "team", "云州区不该看到", "140215")
            )
            .await
            .status(),
            201
        );
        assert_eq!(
            pc.post(
                "/api/v1/registries/team",
                &body(&app, "team", "平城区实时队", "140213")
            )
            .await
            .status(),
            201
        );
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while !text.contains("平城区实时队") {
            let chunk = tokio::time::timeout_at(deadline, stream.next())
                .await
                .expect("feed within 5 s")
                .unwrap()
                .unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(text.contains("event: journal"));
        assert!(
            !text.contains("云州区不该看到"),
            "{}: other county's change leaked",
            app.backend
        );
    }
}

#[tokio::test]
async fn schemas_divisions_openapi_and_health() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let s: Value = u.get("/api/v1/registries").await.json().await.unwrap();
        assert_eq!(s.as_array().unwrap().len(), 11);
        let team = s
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "team")
            .unwrap();
        let kinds = team["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "team_kind")
            .unwrap();
        assert_eq!(kinds["options"].as_array().unwrap().len(), 17);

        let root: Value = u.get("/api/v1/divisions").await.json().await.unwrap();
        assert_eq!(root[0]["name"], "平城区");
        let towns: Value = u
            .get("/api/v1/divisions?parent=140213")
            .await
            .json()
            .await
            .unwrap();
        assert!(towns.as_array().unwrap().len() >= 5);
        assert_eq!(u.get("/api/v1/divisions?parent=140215").await.status(), 403);
        let b: Value = u
            .get("/api/v1/divisions/boundaries")
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = b["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["平城区"]);
        let city = app.login("commander").await;
        let b: Value = city
            .get("/api/v1/divisions/boundaries")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(b["features"].as_array().unwrap().len(), 11);

        let o: Value = reqwest::get(app.url("/api/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(o["paths"]["/api/v1/registries/{kind}/import"].is_object());
        let h: Value = reqwest::get(app.url("/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(h["status"], "ok");
        let r = u.get("/api/v1/registries/dragons").await;
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = u.get("/api/v1/registries/team?bbox=1,2,3").await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["field"],
            "bbox"
        );
    }
}
