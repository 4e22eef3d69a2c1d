//! The authorization matrix: role × own/other jurisdiction × read/write,
//! for every registry kind, on every backend.
use crate::common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_registry_endpoint_respects_jurisdiction() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let users = [
            app.login("commander").await,
            app.login("pingcheng").await,
            app.login("yunzhou").await,
            app.login("xinrong").await,
            app.login("observer").await,
        ];
        for kind in KINDS {
            // One record in 平城区 (140213), one in 云州区 (140215).
            let mut ids = Vec::new();
            for (div, name) in [("140213", "平城"), ("140215", "云州")] {
                let r = admin
                    .post(
                        &format!("/api/v1/registries/{kind}"),
                        &body(&app, kind, &format!("{name}{kind}"), div),
                    )
                    .await;
                assert_eq!(
                    r.status(),
                    201,
                    "{} admin creates {kind} in {div}: {}",
                    app.backend,
                    r.text().await.unwrap()
                );
                let v: Value = r.json().await.unwrap();
                ids.push(v["id"].as_i64().unwrap());
            }
            for u in &users {
                // (user, can read 平城, can read 云州, can write 平城, can write 云州)
                let (r_pc, r_yz, w_pc, w_yz) = match u.name.as_str() {
                    "commander" => (true, true, true, true),
                    "pingcheng" => (true, false, true, false),
                    "yunzhou" => (false, true, false, true),
                    "xinrong" => (false, false, false, false), // 新荣镇 reporter sees only 新荣镇
                    "observer" => (true, true, false, false),
                    _ => unreachable!(),
                };
                let list: Value = u
                    .get(&format!("/api/v1/registries/{kind}?limit=500"))
                    .await
                    .json()
                    .await
                    .unwrap();
                let seen: Vec<i64> = list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_i64().unwrap())
                    .collect();
                let ctx = format!("{} {} {kind}", app.backend, u.name);
                assert_eq!(seen.contains(&ids[0]), r_pc, "{ctx}: list 平城");
                assert_eq!(seen.contains(&ids[1]), r_yz, "{ctx}: list 云州");
                for (i, can) in [(0, r_pc), (1, r_yz)] {
                    let s = u
                        .get(&format!("/api/v1/registries/{kind}/{}", ids[i]))
                        .await
                        .status();
                    assert_eq!(s == 200, can, "{ctx}: get {i} → {s}");
                    if !can {
                        assert_eq!(s, 404, "{ctx}: other jurisdictions look absent");
                    }
                }
                let layer: Value = u
                    .get(&format!("/api/v1/registries/{kind}/layer"))
                    .await
                    .json()
                    .await
                    .unwrap();
                let on_map: Vec<i64> = layer["features"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["properties"]["id"].as_i64().unwrap())
                    .collect();
                assert_eq!(on_map.contains(&ids[1]), r_yz, "{ctx}: layer");
                let csv = u
                    .get(&format!("/api/v1/registries/{kind}/export?format=csv"))
                    .await
                    .text()
                    .await
                    .unwrap();
                // Subscribers' names are personal data: masked for the observer.
                let shown = if kind == "subscriber" && u.name == "observer" {
                    "云**".to_string()
                } else {
                    format!("云州{kind}")
                };
                assert_eq!(csv.contains(&shown), r_yz, "{ctx}: export");

                // Writes: update, create, delete in each jurisdiction.
                for (i, div, can) in [(0, "140213", w_pc), (1, "140215", w_yz)] {
                    let item: Value = admin
                        .get(&format!("/api/v1/registries/{kind}/{}", ids[i]))
                        .await
                        .json()
                        .await
                        .unwrap();
                    let mut b = body(&app, kind, item["name"].as_str().unwrap(), div);
                    b["version"] = item["version"].clone();
                    b["address"] = json!(format!("改 by {}", u.name));
                    let s = u
                        .put(&format!("/api/v1/registries/{kind}/{}", ids[i]), &b)
                        .await
                        .status();
                    assert_eq!(s == 200, can, "{ctx}: update {div} → {s}");
                    let s = u
                        .post(
                            &format!("/api/v1/registries/{kind}"),
                            &body(&app, kind, &format!("{}新建{kind}", u.name), div),
                        )
                        .await
                        .status();
                    assert_eq!(s == 201, can, "{ctx}: create in {div} → {s}");
                    if !can {
                        assert!(
                            s == 403 || s == 422,
                            "{ctx}: refused create is 403 or 422 naming division, got {s}"
                        );
                    }
                    let s = u
                        .upload(
                            &format!("/api/v1/registries/{kind}/import"),
                            "x.csv",
                            b"name\n".to_vec(),
                        )
                        .await
                        .status();
                    assert_ne!(s, 200, "{ctx}: import");
                }
                // Moving one's own record into another jurisdiction is refused.
                if w_pc && !w_yz {
                    let item: Value = u
                        .get(&format!("/api/v1/registries/{kind}/{}", ids[0]))
                        .await
                        .json()
                        .await
                        .unwrap();
                    let mut b = body(&app, kind, item["name"].as_str().unwrap(), "140215");
                    b["version"] = item["version"].clone();
                    let s = u
                        .put(&format!("/api/v1/registries/{kind}/{}", ids[0]), &b)
                        .await
                        .status();
                    assert!(
                        s == 403 || s == 422,
                        "{ctx}: move out of jurisdiction → {s}"
                    );
                }
                let other = if w_yz { None } else { Some(ids[1]) };
                if let Some(id) = other {
                    let s = u
                        .delete(&format!("/api/v1/registries/{kind}/{id}"))
                        .await
                        .status();
                    assert!(s == 403 || s == 404, "{ctx}: delete other → {s}");
                }
            }
            // The records still exist after all refused attempts.
            for id in &ids {
                assert_eq!(
                    admin
                        .get(&format!("/api/v1/registries/{kind}/{id}"))
                        .await
                        .status(),
                    200
                );
            }
        }
    }
}

#[tokio::test]
async fn enterprise_users_see_and_change_only_their_enterprise() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let mut ent_ids = Vec::new();
        for (name, code) in [
            ("甲化工有限公司", "91350100M000100Y43"),
            ("乙化工有限公司", "91140214MA0K1234XP"),
        ] {
            let mut b = body(&app, "enterprise", name, "140214");
            b["attrs"]["uscc"] = json!(code);
            let r = admin.post("/api/v1/registries/enterprise", &b).await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            ent_ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
        let mut hs = Vec::new();
        for (i, eid) in ent_ids.iter().enumerate() {
            let mut b = body(&app, "hazard_source", &format!("储罐区{i}"), "140214");
            b["attrs"]["enterprise_id"] = json!(eid);
            let r = admin.post("/api/v1/registries/hazard_source", &b).await;
            assert_eq!(r.status(), 201);
            hs.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
        app.add_user(
            "qiye",
            yingji::auth::Role::Enterprise,
            "140214",
            &format!("enterprise:{}", ent_ids[0]),
        )
        .await;
        let u = app.login("qiye").await;
        let list: Value = u
            .get("/api/v1/registries/hazard_source")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1, "{}", app.backend);
        assert_eq!(list["items"][0]["id"].as_i64(), Some(hs[0]));
        assert_eq!(
            u.get(&format!("/api/v1/registries/hazard_source/{}", hs[1]))
                .await
                .status(),
            404
        );
        assert_eq!(
            u.get(&format!("/api/v1/registries/enterprise/{}", ent_ids[1]))
                .await
                .status(),
            404
        );
        assert_eq!(
            u.get(&format!("/api/v1/registries/enterprise/{}", ent_ids[0]))
                .await
                .status(),
            200
        );
        // They may add a hazard source; it is bound to their enterprise whatever they claim.
        let mut b = body(&app, "hazard_source", "新增储罐", "140214");
        b["attrs"]["enterprise_id"] = json!(ent_ids[1]);
        let r = u.post("/api/v1/registries/hazard_source", &b).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["attrs"]["enterprise_id"].as_i64(), Some(ent_ids[0]));
        // They cannot create enterprises or touch shelters, nor read the journal.
        assert_eq!(
            u.post(
                "/api/v1/registries/enterprise",
                &body(&app, "enterprise", "丙", "140214")
            )
            .await
            .status(),
            403
        );
        assert_eq!(
            u.post(
                "/api/v1/registries/shelter",
                &body(&app, "shelter", "丙", "140214")
            )
            .await
            .status(),
            403
        );
        assert_eq!(u.get("/api/v1/journal").await.status(), 403);
    }
}

/// Personal data (contacts, subscribers' phones and e-mails): the enterprise
/// role cannot read the personal-data kinds at all and sees other kinds'
/// contacts masked; observers see them masked (in lists, detail, exports);
/// a county operator exports them in clear and the export is journaled
/// without the data.
#[tokio::test]
async fn personal_data_is_masked_and_its_export_journaled() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let mut ids = std::collections::HashMap::new();
        for kind in ["team", "expert", "subscriber", "shelter"] {
            let mut b = body(&app, kind, &format!("平城{kind}"), "140213");
            b["phone"] = json!("13812345678");
            b["duty_phone"] = json!("13987654321");
            b["responsible"] = json!("张三丰");
            let r = admin.post(&format!("/api/v1/registries/{kind}"), &b).await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            ids.insert(
                kind,
                r.json::<Value>().await.unwrap()["id"].as_i64().unwrap(),
            );
        }
        let clear = ["13812345678", "13987654321", "张三丰", "li@example.cn"];
        let no_clear = |ctx: &str, text: &str| {
            for c in clear {
                assert!(!text.contains(c), "{} {ctx}: {c} in {text}", app.backend);
            }
        };

        // The enterprise role: no subscriber, expert or settlement access at all …
        app.add_user(
            "qiye",
            yingji::auth::Role::Enterprise,
            "140213",
            "enterprise:999999",
        )
        .await;
        let ent = app.login("qiye").await;
        for kind in ["subscriber", "expert", "settlement"] {
            for path in [
                format!("/api/v1/registries/{kind}"),
                format!("/api/v1/registries/{kind}/export"),
                format!("/api/v1/registries/{kind}/export?format=xlsx"),
                format!("/api/v1/registries/{kind}/layer"),
                format!("/api/v1/registries/{kind}/{}", ids.get(kind).unwrap_or(&1)),
            ] {
                assert_eq!(ent.get(&path).await.status(), 403, "{} {path}", app.backend);
            }
        }
        let schemas: Value = ent.get("/api/v1/registries").await.json().await.unwrap();
        assert!(!schemas
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "subscriber"));
        // … and teams' contacts masked everywhere.
        let t = ent.get("/api/v1/registries/team").await;
        assert_eq!(t.status(), 200);
        let t: Value = t.json().await.unwrap();
        assert_eq!(t["items"][0]["phone"], "138****5678", "{}", app.backend);
        assert_eq!(t["items"][0]["duty_phone"], "139****4321");
        assert_eq!(t["items"][0]["responsible"], "张**");
        no_clear("enterprise team list", &t.to_string());
        let one = ent
            .get(&format!("/api/v1/registries/team/{}", ids["team"]))
            .await
            .text()
            .await
            .unwrap();
        no_clear("enterprise team detail", &one);
        let csv = ent
            .get("/api/v1/registries/team/export")
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("138****5678"), "{csv}");
        no_clear("enterprise team export", &csv);
        // Public shelters stay readable (their duty line is public).
        let sh: Value = ent
            .get("/api/v1/registries/shelter")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(sh["items"][0]["duty_phone"], "13987654321");
        assert_eq!(sh["items"][0]["phone"], "138****5678");

        // The observer reads subscribers and experts, masked, in lists,
        // detail, the map layer and exports; nothing of that is journaled.
        let obs = app.login("observer").await;
        let subs: Value = obs
            .get("/api/v1/registries/subscriber")
            .await
            .json()
            .await
            .unwrap();
        let s0 = &subs["items"][0];
        assert_eq!(s0["phone"], "138****5678", "{}", app.backend);
        assert_eq!(s0["attrs"]["email"], "l***@example.cn");
        assert_eq!(s0["name"], "平**");
        no_clear("observer subscriber list", &subs.to_string());
        for path in [
            format!("/api/v1/registries/subscriber/{}", ids["subscriber"]),
            format!("/api/v1/registries/expert/{}", ids["expert"]),
            "/api/v1/registries/expert".to_string(),
            "/api/v1/registries/subscriber/layer".to_string(),
            "/api/v1/registries/subscriber/export".to_string(),
        ] {
            let r = obs.get(&path).await;
            assert_eq!(r.status(), 200, "{path}");
            no_clear(&format!("observer {path}"), &r.text().await.unwrap());
        }
        let x = obs
            .get("/api/v1/registries/subscriber/export?format=xlsx")
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        {
            use calamine::Reader;
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(x)).unwrap();
            let name = wb.sheet_names()[0].clone();
            let sheet = wb.worksheet_range(&name).unwrap();
            for row in sheet.rows() {
                no_clear("observer subscriber xlsx", &format!("{row:?}"));
            }
        }
        let journal_exports = |j: &Value| -> Vec<Value> {
            j.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "exported_personal")
                .cloned()
                .collect()
        };
        let j: Value = admin
            .get("/api/v1/journal?entity=subscriber&limit=100")
            .await
            .json()
            .await
            .unwrap();
        assert!(journal_exports(&j).is_empty(), "masked exports: {j}");
        // A text search does not look in what the reader sees masked.
        for (who, q, n) in [
            (&obs, "张三丰", 0),
            (&obs, "平城team", 1),
            (&admin, "张三丰", 1),
        ] {
            let l: Value = who
                .get(&format!("/api/v1/registries/team?q={q}"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(l["total"], n, "{} {} q={q}", app.backend, who.name);
        }
        // The journal carries the records: masked for the observer too.
        for entity in ["subscriber", "team", "expert"] {
            let r = obs
                .get(&format!("/api/v1/journal?entity={entity}&limit=100"))
                .await;
            assert_eq!(r.status(), 200);
            let j: Value = r.json().await.unwrap();
            assert!(!j.as_array().unwrap().is_empty(), "{entity}");
            no_clear(&format!("observer journal {entity}"), &j.to_string());
        }
        let j = admin
            .get("/api/v1/journal?entity=team&limit=100")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            j.contains("13812345678"),
            "admin reads the journal in clear"
        );

        // The 平城区 operator keeps the registry: clear data, and its
        // export is journaled (who, which kind, how many rows; no data).
        let op = app.login("pingcheng").await;
        let subs: Value = op
            .get("/api/v1/registries/subscriber")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(subs["items"][0]["phone"], "13812345678");
        let csv = op
            .get("/api/v1/registries/subscriber/export")
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("13812345678") && csv.contains("li@example.cn"));
        let j: Value = admin
            .get("/api/v1/journal?entity=subscriber&limit=100")
            .await
            .json()
            .await
            .unwrap();
        let ex = journal_exports(&j);
        assert_eq!(ex.len(), 1, "{} {j}", app.backend);
        assert_eq!(ex[0]["actor"], "pingcheng");
        assert_eq!(ex[0]["module"], "registry");
        assert_eq!(ex[0]["payload"]["rows"], 1);
        assert_eq!(ex[0]["payload"]["format"], "csv");
        no_clear("journal entry", &ex[0].to_string());
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}
