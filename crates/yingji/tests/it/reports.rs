//! Disaster reporting over HTTP on both databases: three townships, one on
//! time, one late, one missing → the right statuses, flags and aggregates;
//! deadlines recorded once in the journal; jurisdiction enforced.
use crate::common::*;
use serde_json::{json, Value};

fn t(dt: time::OffsetDateTime) -> String {
    yingji::clock::format_time(dt)
}

#[tokio::test]
async fn three_townships_one_late_one_missing() {
    for app in apps().await {
        let county = app.login("pingcheng").await; // 平城区 operator
                                                   // Three townships of 新荣区 would be out of 平城区's reach: use the city commander to open it.
        let city = app.login("commander").await;
        let now = time::OffsetDateTime::now_utc();
        let onset = now - time::Duration::minutes(150);
        let towns = ["140212100000", "140212101000", "140212102000"]; // 新荣镇, 古店镇, 花园屯乡
        let r = city
            .post("/api/v1/disasters", &json!({ "name": "新荣区暴雨", "disaster_type": "rainstorm", "onset": t(onset), "townships": towns, "source": "alarm" }))
            .await;
        assert_eq!(
            r.status(),
            201,
            "{}: {}",
            app.backend,
            r.text().await.unwrap()
        );
        let d: Value = r.json().await.unwrap();
        let id = d["id"].as_i64().unwrap();
        assert_eq!(d["division"], "140212000000");

        // 平城区 cannot see a 新荣区 disaster.
        assert_eq!(
            county
                .get(&format!("/api/v1/disasters/{id}"))
                .await
                .status(),
            404
        );

        // The 新荣镇 reporter reports now (late: due onset + 1 h).
        let xr = app.login("xinrong").await;
        let fig = json!({ "affected": 500, "relocated": 120, "direct_loss_yuan": 3000000, "crop_affected_ha": 40.0 });
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "township", "division": towns[0], "figures": fig })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        // ... but not for a neighbouring township.
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "township", "division": towns[1], "figures": fig })).await;
        assert_eq!(r.status(), 403);
        // Bad figures name the field.
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "followup", "level": "township", "division": towns[0], "figures": { "affected": -3 } })).await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "affected"),
            "{p}"
        );
        // 紧急转移安置 / 需紧急生活救助 cannot exceed 受灾人口: named by field and code.
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "followup", "level": "township", "division": towns[0], "figures": { "affected": 500, "relocated": 501, "need_relief": 600, "direct_loss_yuan": 3000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        for (field, code) in [
            ("relocated", "relocated_gt_affected"),
            ("need_relief", "need_relief_gt_affected"),
        ] {
            assert!(
                p["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{field}: {p}"
            );
        }
        // Money is whole 元: a fraction or a negative amount is refused with a code.
        for (loss, code) in [(json!(8500.5), "not_integer"), (json!(-1), "negative")] {
            let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "followup", "level": "township", "division": towns[0], "figures": { "affected": 500, "relocated": 120, "crop_affected_ha": 40.0, "direct_loss_yuan": loss } })).await;
            assert_eq!(r.status(), 422);
            let p: Value = r.json().await.unwrap();
            assert!(
                p["errors"].as_array().unwrap().iter().any(|e| e["field"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("direct_loss_yuan"))
                    && e["code"] == code),
                "{loss}: {p}"
            );
        }
        // A 续报 that lowers a cumulative figure needs a reason.
        let r = xr.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "followup", "level": "township", "division": towns[0], "figures": { "affected": 400, "relocated": 120, "direct_loss_yuan": 3000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("核减须填写说明"));

        // 古店镇 reported on time (written as it was 30 minutes after onset).
        {
            let tree = app.state.tree();
            let mut tx = app.state.db.begin().await.unwrap();
            let rep = yingji::reports::Report {
                id: 0,
                disaster_id: id,
                kind: yingji::reports::ReportKind::Initial,
                level: "township".into(),
                division: towns[1].into(),
                division_name: tree.name(towns[1]),
                step_key: format!("{}:initial", towns[1]),
                figures: serde_json::from_value(
                    json!({ "affected": 200, "relocated": 30, "direct_loss_yuan": 1000000 }),
                )
                .unwrap(),
                casualties: vec![],
                houses: vec![],
                ledger_refs: vec![],
                reason: String::new(),
                flags: vec![],
                supersedes: None,
                submitted_by: "gudian".into(),
                submitted_at: (onset + time::Duration::minutes(30)).into(),
            };
            yingji::reports::store::insert_report(&mut tx, &rep)
                .await
                .unwrap();
            tx.commit_unjournaled().await.unwrap();
        }

        let detail: Value = city
            .get(&format!("/api/v1/disasters/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let status = |key: &str| {
            detail["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["key"] == key)
                .map(|s| s["status"].as_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            status(&format!("{}:initial", towns[0])),
            "late",
            "{}",
            app.backend
        );
        assert_eq!(status(&format!("{}:initial", towns[1])), "on_time");
        assert_eq!(status(&format!("{}:initial", towns[2])), "missing");
        assert_eq!(
            status("140212000000:initial"),
            "missing",
            "county 初报 due onset + 2 h"
        );
        let agg = &detail["aggregates"][0];
        assert_eq!(agg["townships_reported"], 2);
        assert_eq!(agg["townships_total"], 3);
        assert_eq!(agg["figures"]["affected"], 700);
        assert_eq!(agg["figures"]["direct_loss_yuan"], 4_000_000);

        // The county may not report less than its townships sum to.
        let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "county", "division": "140212000000", "figures": { "affected": 600, "relocated": 150, "direct_loss_yuan": 4000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("下级合计"));
        let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "county", "division": "140212000000", "figures": { "affected": 700, "relocated": 150, "direct_loss_yuan": 4000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let rep: Value = r.json().await.unwrap();
        assert_eq!(rep["step_key"], "140212000000:initial");

        // Supervisor's page lists the late and missing steps.
        let o: Value = city
            .get("/api/v1/reports/overdue")
            .await
            .json()
            .await
            .unwrap();
        let keys: Vec<String> = o
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                format!(
                    "{}:{}",
                    x["key"].as_str().unwrap(),
                    x["status"].as_str().unwrap()
                )
            })
            .collect();
        assert!(
            keys.contains(&format!("{}:initial:missing", towns[2])),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"140212000000:initial:late".to_string()),
            "{keys:?}"
        );

        // The monitor records each once, forever.
        let n = yingji::reports::jobs::scan(&app.state, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        assert!(n >= 3, "{n}");
        assert_eq!(
            yingji::reports::jobs::scan(&app.state, time::OffsetDateTime::now_utc())
                .await
                .unwrap(),
            0
        );
        let j: Value = city
            .get(&format!(
                "/api/v1/journal?entity=disaster&id={id}&limit=100"
            ))
            .await
            .json()
            .await
            .unwrap();
        let missing: Vec<&Value> = j
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "deadline_missing")
            .collect();
        assert!(missing
            .iter()
            .any(|e| e["payload"]["step"] == format!("{}:initial", towns[2])));
        assert!(missing.iter().all(|e| e["actor"] == "system"));

        // A submitted report cannot be deleted; a correction supersedes it and keeps both.
        let first_id = rep["id"].as_i64().unwrap();
        let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "county", "division": "140212000000", "supersedes": first_id, "figures": { "affected": 720, "relocated": 150, "direct_loss_yuan": 4000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 422, "correction needs a reason");
        let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "county", "division": "140212000000", "supersedes": first_id, "reason": "补录花园屯乡 20 人", "figures": { "affected": 720, "relocated": 150, "direct_loss_yuan": 4000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 201);
        let detail: Value = city
            .get(&format!("/api/v1/disasters/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let county_reports: Vec<&Value> = detail["reports"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "county")
            .collect();
        assert_eq!(county_reports.len(), 2);
        assert_eq!(county_reports[1]["supersedes"].as_i64(), Some(first_id));
        assert_eq!(county_reports[1]["submitted_by"], "commander");
        // Stable → a 核报 far from the last 续报 is flagged for review (and becomes the latest).
        let version = detail["disaster"]["version"].as_i64().unwrap();
        let stable = format!("/api/v1/disasters/{id}/stable");
        // A stale version is a conflict; stable once, then refused with a code.
        let r = city.post(&stable, &json!({ "version": version - 1 })).await;
        assert_eq!(r.status(), 409);
        assert_eq!(r.json::<Value>().await.unwrap()["key"], "conflict");
        let r = city.post(&stable, &json!({ "version": version })).await;
        assert_eq!(r.status(), 200);
        let d: Value = r.json().await.unwrap();
        assert_eq!(d["version"].as_i64(), Some(version + 1), "{d}");
        assert!(d["stable_at"].is_string(), "{d}");
        let r = city.post(&stable, &json!({ "version": version + 1 })).await;
        assert_eq!(r.status(), 409);
        let p: Value = r.json().await.unwrap();
        assert_eq!(
            (p["key"].as_str(), p["code"].as_str()),
            (Some("invalid_transition"), Some("already_stable")),
            "{p}"
        );
        // Saved at a version read before: stale, nothing written.
        let mut old = yingji::reports::store::get_disaster(&app.state.db, id)
            .await
            .unwrap()
            .unwrap();
        old.version = version;
        old.stable_at = None;
        let mut change = app.state.change().await.unwrap();
        let saved = change.save(&old).await;
        assert!(
            matches!(saved, Err(yingji::db::DbError::Stale)),
            "{saved:?}"
        );
        drop(change);
        let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "final", "level": "county", "division": "140212000000", "figures": { "affected": 1000, "relocated": 150, "direct_loss_yuan": 4000000, "crop_affected_ha": 40.0 } })).await;
        assert_eq!(r.status(), 201);
        let fin: Value = r.json().await.unwrap();
        assert!(
            fin["flags"][0].as_str().unwrap().contains("受灾人口"),
            "{fin}"
        );
        assert_eq!(fin["step_key"], "140212000000:final");
        // The forms as files.
        let x = city
            .get(&format!("/api/v1/disasters/{id}/export?format=xlsx"))
            .await;
        assert_eq!(x.status(), 200);
        let bytes = x.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec![
                "灾情快报表",
                "因灾死亡失踪人口一览表",
                "因灾倒塌损坏住房户一览表"
            ]
        );
        let sheet = wb.worksheet_range("灾情快报表").unwrap();
        assert_eq!(
            sheet.get_value((0, 0)).unwrap().to_string(),
            "自然灾害损失情况统计快报表"
        );
        // The header block and the signature footer of the form.
        let header = sheet.get_value((1, 0)).unwrap().to_string();
        for part in [
            "表    号：",
            "制定机关：应急管理部",
            "批准机关：国家统计局",
            "批准文号：",
            "有效期至：",
        ] {
            assert!(header.contains(part), "{part} in {header}");
        }
        assert!(sheet
            .get_value((2, 0))
            .unwrap()
            .to_string()
            .contains("灾害种类：暴雨"));
        let footer = sheet
            .rows()
            .find(|r| r[0].to_string().starts_with("单位负责人"))
            .expect("signature footer")[0]
            .to_string();
        for part in ["统计负责人：", "填表人：", "报出日期："] {
            assert!(footer.contains(part), "{part} in {footer}");
        }
        let xinrong = sheet.rows().find(|r| r[0] == "新荣镇").expect("新荣镇 row");
        assert_eq!(xinrong[4].to_string(), "500");
        let total = sheet
            .rows()
            .find(|r| r[0].to_string().starts_with("合计"))
            .expect("total row");
        assert_eq!(total[4].to_string(), "1000", "latest county report");
        let csv = city
            .get(&format!("/api/v1/disasters/{id}/export?format=csv"))
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("新荣镇") && csv.contains("受灾人口(人次)"));
        // Times in Beijing time with the offset, never UTC `Z` (issue #13).
        let times: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(4))
            .collect();
        assert!(!times.is_empty(), "{csv}");
        for t in times {
            assert!(t.ends_with("+08:00") && !t.contains('Z'), "{t}");
            assert!(
                yingji::clock::parse_time(&t.replacen(' ', "T", 1)).is_some(),
                "{t}"
            );
        }
        let head = sheet.get_value((2, 0)).unwrap().to_string();
        assert!(head.contains("+08:00") && !head.contains('Z'), "{head}");
        let when = sheet.rows().find(|r| r[0] == "新荣镇").unwrap()[3].to_string();
        assert!(when.ends_with("+08:00"), "{when}");
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

#[tokio::test]
async fn accidents_are_graded_and_forwarded_level_by_level() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        let body = json!({ "name": "某化工厂爆炸", "industry": "hazmat", "division": "140213", "occurred_at": t(now - time::Duration::minutes(30)), "deaths": 3, "serious_injuries": 2, "direct_loss_yuan": 5_000_000 });
        let r = u.post("/api/v1/accidents", &body).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["grade"], "larger");
        let id = a["id"].as_i64().unwrap();
        // Not straight to the province.
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/forward"),
                &json!({ "version": 1, "level": "province" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/forward"),
                &json!({ "version": 1, "level": "city" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        // 补报: a death later makes it … still 较大 at 4; 10 makes it 重大.
        let r = u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 2, "deaths": 10, "serious_injuries": 2, "direct_loss_yuan": 5_000_000, "reason": "伤员救治无效" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["accident"]["grade"], "major");
        let keys: Vec<&str> = d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["key"].as_str().unwrap())
            .collect();
        assert!(keys.contains(&"report:state"), "{keys:?}");
        // 下落不明 count with the dead (493号令 第十二条): 9 dead + 1 missing
        // (sent without `missing`, it keeps the stored count) is still 重大.
        assert_eq!(d["accident"]["missing"], 0);
        let r = u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 3, "deaths": 9, "missing": 1, "serious_injuries": 2, "direct_loss_yuan": 5_000_000, "reason": "一人确认为下落不明" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(
            (a["grade"].as_str(), a["missing"].as_i64()),
            (Some("major"), Some(1))
        );
        let r = u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 4, "deaths": 9, "serious_injuries": 2, "direct_loss_yuan": 5_000_000, "reason": "核实" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(
            (a["grade"].as_str(), a["missing"].as_i64()),
            (Some("major"), Some(1))
        );
        let r = u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 5, "deaths": 9, "missing": -1, "serious_injuries": 2, "direct_loss_yuan": 5_000_000, "reason": "x" })).await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "missing" && e["code"] == "negative"),
            "{p}"
        );
        // Created with missing: 2 dead + 1 missing is 较大.
        let r = u.post("/api/v1/accidents", &json!({ "name": "某矿透水", "industry": "coal_mine", "division": "140213", "occurred_at": t(now - time::Duration::minutes(20)), "deaths": 2, "missing": 1, "serious_injuries": 0, "direct_loss_yuan": 0 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let b: Value = r.json().await.unwrap();
        assert_eq!(
            (b["grade"].as_str(), b["missing"].as_i64()),
            (Some("larger"), Some(1))
        );
        // Stale version conflicts; negative numbers are refused; other counties cannot see it.
        assert_eq!(u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 2, "deaths": 11, "serious_injuries": 2, "direct_loss_yuan": 0, "reason": "x" })).await.status(), 409);
        let r = u.put(&format!("/api/v1/accidents/{id}"), &json!({ "version": 5, "deaths": -1, "serious_injuries": 2, "direct_loss_yuan": 0, "reason": "x" })).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            app.login("yunzhou")
                .await
                .get(&format!("/api/v1/accidents/{id}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            app.login("xinrong")
                .await
                .post("/api/v1/accidents", &body)
                .await
                .status(),
            403
        );
        // The industry decides road traffic / fire (493号令 第十三条); a free
        // switch that disagrees, or an unknown industry, is refused by field.
        for (body, field, code) in [
            (
                json!({ "name": "x", "industry": "coal_mine", "road_or_fire": true, "division": "140213", "occurred_at": t(now), "deaths": 0, "serious_injuries": 0, "direct_loss_yuan": 0 }),
                "road_or_fire",
                "road_or_fire_by_industry",
            ),
            (
                json!({ "name": "x", "industry": "mining", "division": "140213", "occurred_at": t(now), "deaths": 0, "serious_injuries": 0, "direct_loss_yuan": 0 }),
                "industry",
                "not_an_option",
            ),
        ] {
            let r = u.post("/api/v1/accidents", &body).await;
            assert_eq!(r.status(), 422);
            let p: Value = r.json().await.unwrap();
            assert!(
                p["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{p}"
            );
        }
        // A road accident 10 days ago: its 7-day window (《民法典》 days, to
        // 24:00) has closed, so a later death is recorded, not counted.
        let r = u.post("/api/v1/accidents", &json!({ "name": "某路口交通事故", "industry": "road_traffic", "road_or_fire": true, "division": "140213", "occurred_at": t(now - time::Duration::days(10)), "deaths": 2, "serious_injuries": 0, "direct_loss_yuan": 0 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let road: Value = r.json().await.unwrap();
        assert_eq!(
            (road["grade"].as_str(), road["road_or_fire"].as_bool()),
            (Some("ordinary"), Some(true))
        );
        let rid = road["id"].as_i64().unwrap();
        let r = u.put(&format!("/api/v1/accidents/{rid}"), &json!({ "version": 1, "deaths": 3, "serious_injuries": 0, "direct_loss_yuan": 20_000, "reason": "伤员第 9 日死亡" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let road: Value = r.json().await.unwrap();
        assert_eq!(
            (road["deaths"].as_i64(), road["grade"].as_str()),
            (Some(2), Some("ordinary")),
            "{road}"
        );
        assert_eq!(
            road["direct_loss_yuan"], 20_000,
            "the loss is not limited by the window"
        );
        // The same 10 days ago in a chemical plant is inside its 30 days.
        let r = u.post("/api/v1/accidents", &json!({ "name": "某厂中毒", "industry": "hazmat", "division": "140213", "occurred_at": t(now - time::Duration::days(10)), "deaths": 2, "serious_injuries": 0, "direct_loss_yuan": 0 })).await;
        let chem: Value = r.json().await.unwrap();
        let cid = chem["id"].as_i64().unwrap();
        let r = u.put(&format!("/api/v1/accidents/{cid}"), &json!({ "version": 1, "deaths": 3, "serious_injuries": 0, "direct_loss_yuan": 0, "reason": "伤员第 9 日死亡" })).await;
        let chem: Value = r.json().await.unwrap();
        assert_eq!(
            (chem["deaths"].as_i64(), chem["grade"].as_str()),
            (Some(3), Some("larger")),
            "{chem}"
        );
    }
}

/// A 409 refusal's code.
async fn refused(r: reqwest::Response) -> String {
    let (status, p) = send(r).await;
    assert_eq!(status, 409, "{p}");
    p["code"].as_str().unwrap_or_default().to_string()
}

/// 493号令 第十条 over HTTP: the county and the city that received the
/// report owe notifications to their government, police, labour, union and
/// procuratorate (steps, in the overdue list once late); each is recorded
/// once, not before the level received it; 越级上报 needs a reason, is
/// recorded with the levels passed over, which still owe their report; and
/// another county can neither record nor see any of it.
#[tokio::test]
async fn notifications_of_article_ten_and_skip_level_reports() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        let r = u.post("/api/v1/accidents", &json!({ "name": "某厂坍塌", "industry": "construction", "division": "140213", "occurred_at": t(now - time::Duration::hours(4)), "received_at": t(now - time::Duration::hours(3)), "deaths": 3, "serious_injuries": 0, "direct_loss_yuan": 0 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["grade"], "larger");
        let id = a["id"].as_i64().unwrap();
        let steps = |d: &Value| -> Vec<(String, String)> {
            d["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["key"].as_str().unwrap().to_string(),
                        s["status"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let d: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let s = steps(&d);
        // Received 3 h ago, 2 h to notify: every county notification is 漏报.
        for party in ["government", "police", "labour", "union", "procuratorate"] {
            assert!(
                s.contains(&(format!("notify:county:{party}"), "missing".into())),
                "{s:?}"
            );
        }
        assert!(
            !s.iter().any(|(k, _)| k.starts_with("notify:city")),
            "{s:?}"
        );
        let overdue: Value = u.get("/api/v1/reports/overdue").await.json().await.unwrap();
        assert!(
            overdue
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == id && o["key"] == "notify:county:police"),
            "{overdue}"
        );
        // Recorded: the police 1 h after receipt (on time).
        let at = t(now - time::Duration::hours(2));
        let r = u.post(&format!("/api/v1/accidents/{id}/notifications"), &json!({ "version": 1, "level": "county", "party": "police", "at": at, "note": "电话通知值班室" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["notifications"][0]["party"], "police");
        assert_eq!(a["notifications"][0]["by"], "pingcheng");
        // Twice: refused; before the receipt: refused by field; an unknown
        // party or a level that has not received it: refused.
        for (level, code) in [
            ("county", "already_notified"),
            ("city", "level_not_received"),
        ] {
            let body = json!({ "version": 2, "level": level, "party": "police" });
            let r = u
                .post(&format!("/api/v1/accidents/{id}/notifications"), &body)
                .await;
            assert_eq!(refused(r).await, code, "{level}");
        }
        for (body, field, code) in [
            (
                json!({ "version": 2, "level": "county", "party": "union", "at": t(now - time::Duration::minutes(190)) }),
                "at",
                "notified_before_received",
            ),
            (
                json!({ "version": 2, "level": "county", "party": "press" }),
                "party",
                "not_an_option",
            ),
            (
                json!({ "version": 2, "level": "province", "party": "union" }),
                "level",
                "not_an_option",
            ),
            (
                json!({ "version": 2, "level": "county", "party": "union", "at": t(now + time::Duration::hours(1)) }),
                "at",
                "investigation_time_out_of_range",
            ),
        ] {
            let r = u
                .post(&format!("/api/v1/accidents/{id}/notifications"), &body)
                .await;
            assert_eq!(r.status(), 422, "{body}");
            let p: Value = r.json().await.unwrap();
            assert!(
                p["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{p}"
            );
        }
        let d: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(steps(&d).contains(&("notify:county:police".into(), "on_time".into())));
        // 越级上报 to the province: without a reason, refused; with one,
        // recorded; the city still owes its report.
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/forward"),
                &json!({ "version": 2, "level": "province", "skip_level": true }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = u.post(&format!("/api/v1/accidents/{id}/forward"), &json!({ "version": 2, "level": "province", "skip_level": true, "reason": "市级值班电话无人接听" })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["skips"][0]["past"], json!(["city"]));
        let d: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let s = steps(&d);
        assert!(
            s.contains(&("report:province".into(), "on_time".into())),
            "{s:?}"
        );
        assert!(
            s.contains(&("report:city".into(), "missing".into())),
            "{s:?}"
        );
        // 21号令: the province by phone within the county's hour: 3 h late.
        assert!(
            s.contains(&("phone:province".into(), "late".into())),
            "{s:?}"
        );
        // The city, filled in afterwards, owes its notifications from then.
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/forward"),
                &json!({ "version": 3, "level": "city" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            steps(&d).contains(&("notify:city:procuratorate".into(), "pending".into())),
            "{:?}",
            steps(&d)
        );
        // Another county: not found, and nothing recorded.
        let other = app.login("yunzhou").await;
        assert_eq!(
            other
                .post(
                    &format!("/api/v1/accidents/{id}/notifications"),
                    &json!({ "version": 4, "level": "county", "party": "union" })
                )
                .await
                .status(),
            404
        );
        assert_eq!(
            other
                .post(
                    &format!("/api/v1/accidents/{id}/forward"),
                    &json!({ "version": 4, "level": "state", "skip_level": true, "reason": "x" })
                )
                .await
                .status(),
            404
        );
        let a: Value = u
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(a["accident"]["version"], 4);
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

/// 493号令 第二十九条 and 第三十二条 over HTTP: the investigation is opened,
/// extended once by the days approved, its report submitted and replied;
/// the deadlines are steps of the accident (overdue shown), every step is
/// journaled, and another county can neither read nor change it.
#[tokio::test]
async fn an_accident_investigation_with_its_deadlines() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        // 70 days ago: the 60 days have run out.
        let occurred = now - time::Duration::days(70);
        let r = u.post("/api/v1/accidents", &json!({ "name": "某建筑工地坍塌", "industry": "construction", "division": "140213", "occurred_at": t(occurred), "deaths": 1, "serious_injuries": 0, "direct_loss_yuan": 0 })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let path = format!("/api/v1/accidents/{id}");
        let events = format!("/api/v1/accidents/{id}/investigation/events");
        let step = |d: &Value, key: &str| -> Value {
            d["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["key"] == key)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let d = u.get(&path).await.json::<Value>().await.unwrap();
        assert_eq!(
            d["investigation"]["allowed_events"],
            json!(["open"]),
            "{}",
            app.backend
        );
        assert_eq!(d["investigation"]["government_zh"], "县级人民政府");
        let due =
            yingji::reports::deadlines::investigation_due(occurred, 0, 0, &Default::default());
        assert_eq!(step(&d, "investigation")["due"], t(due));
        assert_eq!(step(&d, "investigation")["status"], "missing", "overdue");
        assert_eq!(step(&d, "reply"), Value::Null, "no reply before the report");
        // Steps before the team exists are refused with a code.
        assert_eq!(
            refused(
                u.post(
                    &format!("/api/v1/accidents/{id}/investigation/events"),
                    &json!({ "version": 1, "kind": "submit" })
                )
                .await
            )
            .await,
            "investigation_not_opened"
        );
        // Another county: not found, to read or to change.
        let other = app.login("yunzhou").await;
        assert_eq!(
            other.get(&format!("/api/v1/accidents/{id}")).await.status(),
            404
        );
        assert_eq!(
            other
                .post(
                    &format!("/api/v1/accidents/{id}/investigation"),
                    &json!({ "team_lead": "李四" })
                )
                .await
                .status(),
            404
        );
        // The team: its leader is required; a time before the accident is refused.
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/investigation"),
                &json!({ "team_lead": " " }),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(fields(&r.json::<Value>().await.unwrap()), ["team_lead"]);
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/investigation"),
                &json!({ "team_lead": "张三", "at": t(occurred - time::Duration::hours(1)) }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = u
            .post(
                &format!("/api/v1/accidents/{id}/investigation"),
                &json!({ "team_lead": "张三", "at": t(occurred + time::Duration::days(1)) }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["state"], "open");
        assert_eq!(
            v["allowed_events"],
            json!(["appraisal", "extend", "submit"])
        );
        assert_eq!(
            refused(
                u.post(
                    &format!("/api/v1/accidents/{id}/investigation"),
                    &json!({ "team_lead": "王五" })
                )
                .await
            )
            .await,
            "investigation_exists"
        );
        // An extension approved after the 60 days is refused by field; one
        // approved on day 50 extends by the days approved; a second is refused.
        let r = u.post(&events, &json!({ "version": 1, "kind": "extend", "days": 20, "basis": "平城区人民政府 平政函〔2026〕5号" })).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["code"],
            "extension_after_deadline"
        );
        let r = u.post(&events, &json!({ "version": 1, "kind": "extend", "days": 61, "basis": "x", "at": t(occurred + time::Duration::days(50)) })).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.unwrap()["errors"][0]["field"],
            "days"
        );
        let r = u.post(&events, &json!({ "version": 1, "kind": "extend", "days": 20, "basis": "平城区人民政府 平政函〔2026〕5号", "at": t(occurred + time::Duration::days(50)) })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d = u.get(&path).await.json::<Value>().await.unwrap();
        let due =
            yingji::reports::deadlines::investigation_due(occurred, 20, 0, &Default::default());
        assert_eq!(step(&d, "investigation")["due"], t(due), "60 + 20 days");
        assert_eq!(step(&d, "investigation")["status"], "pending");
        assert_eq!(
            refused(
                u.post(
                    &events,
                    &json!({ "version": 2, "kind": "extend", "days": 5, "basis": "x" })
                )
                .await
            )
            .await,
            "investigation_already_extended"
        );
        // Stale version; then the report; a reply extension is 特别重大's alone.
        assert_eq!(
            u.post(&events, &json!({ "version": 1, "kind": "submit" }))
                .await
                .status(),
            409
        );
        let r = other
            .post(
                &format!("/api/v1/accidents/{id}/investigation/events"),
                &json!({ "version": 2, "kind": "submit" }),
            )
            .await;
        assert_eq!(r.status(), 404);
        let r = u
            .post(&events, &json!({ "version": 2, "kind": "submit" }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["state"].as_str(), v["allowed_events"].clone()),
            (Some("submitted"), json!(["reply"]))
        );
        let d = u.get(&path).await.json::<Value>().await.unwrap();
        assert_eq!(step(&d, "investigation")["status"], "on_time");
        assert_eq!(step(&d, "reply")["status"], "pending");
        assert_eq!(step(&d, "reply")["by"], "government");
        assert_eq!(
            refused(
                u.post(
                    &events,
                    &json!({ "version": 3, "kind": "extend_reply", "days": 10, "basis": "x" })
                )
                .await
            )
            .await,
            "reply_extension_especially_major_only"
        );
        let r = u
            .post(
                &events,
                &json!({ "version": 3, "kind": "reply", "document": "" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(fields(&r.json::<Value>().await.unwrap()), ["document"]);
        let r = u
            .post(
                &events,
                &json!({ "version": 3, "kind": "reply", "document": "平政函〔2026〕9号" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d = u.get(&path).await.json::<Value>().await.unwrap();
        assert_eq!(d["investigation"]["state"], "replied");
        assert_eq!(d["investigation"]["allowed_events"], json!([]));
        assert_eq!(step(&d, "reply")["status"], "on_time");
        // A reader without write rights sees it and may do nothing.
        let obs = app.login("observer").await;
        let d = obs.get(&path).await.json::<Value>().await.unwrap();
        assert_eq!(
            d["investigation"]["investigation"]["reply_document"],
            "平政函〔2026〕9号"
        );
        assert_eq!(d["investigation"]["allowed_events"], json!([]));
        // Every step is in the journal.
        let j: Vec<Value> = u
            .get("/api/v1/journal?module=reports&entity=investigation")
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = j.iter().filter_map(|e| e["kind"].as_str()).collect();
        for k in [
            "investigation_opened",
            "investigation_extended",
            "investigation_submitted",
            "replied",
        ] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
    }
}

/// A disaster spanning 平城区 and 云州区: each county's operator sees only
/// its own county's reports and ledgers (names, ages, addresses), in the
/// detail and in the XLSX/CSV export; the city commander sees both.
#[tokio::test]
async fn a_county_sees_only_its_own_reports_and_ledgers() {
    for app in apps().await {
        let city = app.login("commander").await;
        let onset = time::OffsetDateTime::now_utc() - time::Duration::minutes(60);
        let towns = ["140213050000", "140215100000"]; // 永泰街道, 云州区 西坪镇
        let r = city
            .post("/api/v1/disasters", &json!({ "name": "跨县暴雨", "disaster_type": "rainstorm", "onset": t(onset), "townships": towns }))
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        // (level, division, person in the ledger, householder)
        let filed = [
            ("township", towns[0], "平城乡镇遇难者", "平城乡镇户主"),
            ("county", "140213000000", "平城县级遇难者", "平城县级户主"),
            ("township", towns[1], "云州乡镇遇难者", "云州乡镇户主"),
            ("county", "140215000000", "云州县级遇难者", "云州县级户主"),
        ];
        for (level, division, person, householder) in filed {
            let r = city.post(&format!("/api/v1/disasters/{id}/reports"), &json!({
                "kind": "initial", "level": level, "division": division,
                "figures": { "affected": 10, "dead": 1, "collapsed_households": 1, "collapsed_rooms": 3 },
                "casualties": [{ "name": person, "status": "dead", "gender": "男", "age": 61, "address": format!("{person}家"), "cause": "洪水" }],
                "houses": [{ "householder": householder, "damage": "collapsed", "rooms": 3, "address": format!("{householder}家") }],
            })).await;
            assert_eq!(
                r.status(),
                201,
                "{} {level} {division}: {}",
                app.backend,
                r.text().await.unwrap()
            );
        }
        let yunzhou_names = [
            "云州乡镇遇难者",
            "云州县级遇难者",
            "云州乡镇户主",
            "云州县级户主",
        ];
        let pingcheng_names = [
            "平城乡镇遇难者",
            "平城县级遇难者",
            "平城乡镇户主",
            "平城县级户主",
        ];
        let xlsx_text = |bytes: Vec<u8>| -> String {
            use calamine::Reader;
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let mut out = String::new();
            for name in wb.sheet_names() {
                let sheet = wb.worksheet_range(&name).unwrap();
                for row in sheet.rows() {
                    for c in row {
                        out.push_str(&c.to_string());
                        out.push('\t');
                    }
                    out.push('\n');
                }
            }
            out
        };
        let yunzhou_name = app.state.tree().name("140215000000");
        for (user, sees, hidden) in [
            ("pingcheng", &pingcheng_names, Some(&yunzhou_names)),
            ("yunzhou", &yunzhou_names, Some(&pingcheng_names)),
            ("commander", &pingcheng_names, None),
            ("commander", &yunzhou_names, None),
        ] {
            let u = app.login(user).await;
            let ctx = format!("{} {user}", app.backend);
            let r = u.get(&format!("/api/v1/disasters/{id}")).await;
            assert_eq!(r.status(), 200, "{ctx}");
            let detail: Value = r.json().await.unwrap();
            let text = detail["reports"].to_string();
            let x = u
                .get(&format!("/api/v1/disasters/{id}/export?format=xlsx"))
                .await;
            assert_eq!(x.status(), 200, "{ctx}");
            let xlsx = xlsx_text(x.bytes().await.unwrap().to_vec());
            let csv = u
                .get(&format!("/api/v1/disasters/{id}/export?format=csv"))
                .await
                .text()
                .await
                .unwrap();
            for n in sees.iter() {
                assert!(text.contains(n), "{ctx}: {n} missing in the detail");
                assert!(xlsx.contains(n), "{ctx}: {n} missing in the XLSX");
            }
            if let Some(hidden) = hidden {
                for n in hidden.iter() {
                    assert!(!text.contains(n), "{ctx}: {n} in the detail");
                    assert!(!xlsx.contains(n), "{ctx}: {n} in the XLSX");
                }
                let own = &user_prefix(user);
                assert!(
                    detail["reports"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|r| r["division"].as_str().unwrap().starts_with(own.as_str())),
                    "{ctx}: {}",
                    detail["reports"]
                );
                if user == "pingcheng" {
                    assert!(!csv.contains(&yunzhou_name), "{ctx}: {csv}");
                    assert!(!xlsx.contains(&yunzhou_name), "{ctx}: {xlsx}");
                }
            } else {
                assert_eq!(detail["reports"].as_array().unwrap().len(), 4, "{ctx}");
                assert!(csv.contains(&yunzhou_name), "{ctx}: {csv}");
            }
            // The disaster's deadlines and per-county aggregates stay whole.
            assert_eq!(detail["aggregates"].as_array().unwrap().len(), 2, "{ctx}");
        }
    }
}

fn user_prefix(user: &str) -> String {
    match user {
        "pingcheng" => "140213".into(),
        "yunzhou" => "140215".into(),
        _ => "1402".into(),
    }
}

/// Ledgers are due at 核报, not at 初报 (《自然灾害情况统计调查制度》): a county
/// 初报 of 2 dead and 1 collapsed house without ledgers is accepted with a
/// warning in its flags; the 核报 without them is refused naming the ledger,
/// with them accepted.
#[tokio::test]
async fn ledgers_are_due_at_the_final_report_not_the_initial() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let onset = time::OffsetDateTime::now_utc() - time::Duration::minutes(30);
        let r = u
            .post("/api/v1/disasters", &json!({ "name": "永泰街道暴雨", "disaster_type": "rainstorm", "onset": t(onset), "townships": ["140213050000"] }))
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let d: Value = r.json().await.unwrap();
        let id = d["id"].as_i64().unwrap();
        let rough =
            json!({ "affected": 300, "dead": 2, "collapsed_households": 1, "collapsed_rooms": 2 });
        let r = u.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "initial", "level": "county", "division": "140213000000", "figures": rough })).await;
        assert_eq!(
            r.status(),
            201,
            "{}: {}",
            app.backend,
            r.text().await.unwrap()
        );
        let rep: Value = r.json().await.unwrap();
        let flags = rep["flags"].as_array().unwrap();
        assert!(
            flags
                .iter()
                .any(|f| f.as_str().unwrap().contains("核报时须补齐")),
            "{rep}"
        );
        // Stable, then the 核报 without ledgers is refused by field.
        let version = u
            .get(&format!("/api/v1/disasters/{id}"))
            .await
            .json::<Value>()
            .await
            .unwrap()["disaster"]["version"]
            .as_i64()
            .unwrap();
        let r = u
            .post(
                &format!("/api/v1/disasters/{id}/stable"),
                &json!({ "version": version }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = u.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "final", "level": "county", "division": "140213000000", "figures": rough })).await;
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"casualties") && fields.contains(&"houses"),
            "{p}"
        );
        let person = |name: &str| json!({ "name": name, "status": "dead", "gender": "男", "age": 50, "address": "永泰街道", "cause": "房屋倒塌" });
        let r = u.post(&format!("/api/v1/disasters/{id}/reports"), &json!({ "kind": "final", "level": "county", "division": "140213000000", "figures": rough,
            "casualties": [person("甲"), person("乙")],
            "houses": [{ "householder": "丙", "damage": "collapsed", "rooms": 2, "address": "永泰街道" }] })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let fin: Value = r.json().await.unwrap();
        assert!(
            !fin["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f.as_str().unwrap().contains("核报时须补齐")),
            "{fin}"
        );
    }
}

/// 《自然灾害情况统计调查制度》: the county report references its
/// townships' ledgers instead of repeating them (docs/rules.md "Ledgers
/// referenced, not repeated"): its counts are checked against the township
/// rows plus its own; a repeated row is refused naming the township; the
/// XLSX lists each person and household once; another county can file
/// nothing for it.
#[tokio::test]
async fn a_county_report_references_its_townships_ledgers() {
    for app in apps().await {
        let b = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let onset = time::OffsetDateTime::now_utc() - time::Duration::minutes(30);
        let town = "140213050000"; // 永泰街道
        let r = pc
            .post("/api/v1/disasters", &json!({ "name": "台账引用暴雨", "disaster_type": "rainstorm", "onset": t(onset), "townships": [town] }))
            .await;
        assert_eq!(r.status(), 201, "{b}: {}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let person = |name: &str| json!({ "name": name, "status": "dead", "gender": "男", "age": 61, "address": format!("{name}家"), "cause": "洪水" });
        let house = |name: &str| json!({ "householder": name, "damage": "collapsed", "rooms": 2, "address": format!("{name}家") });
        let (st, tr) = send(pc.post(&format!("/api/v1/disasters/{id}/reports"), &json!({
            "kind": "initial", "level": "township", "division": town,
            "figures": { "affected": 10, "dead": 1, "collapsed_households": 1, "collapsed_rooms": 2 },
            "casualties": [person("乡镇遇难者甲")], "houses": [house("乡镇户主甲")] })).await).await;
        assert_eq!(st, 201, "{b}: {tr}");
        let county_body = |people: Vec<Value>, houses: Vec<Value>| {
            json!({
            "kind": "initial", "level": "county", "division": "140213000000",
            "figures": { "affected": 12, "dead": 2, "collapsed_households": 1, "collapsed_rooms": 2 },
            "casualties": people, "houses": houses })
        };
        // Repeating the township's person and household: refused by row.
        let (st, p) = send(
            pc.post(
                &format!("/api/v1/disasters/{id}/reports"),
                &county_body(
                    vec![person("乡镇遇难者甲"), person("县级遇难者乙")],
                    vec![house("乡镇户主甲")],
                ),
            )
            .await,
        )
        .await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(
            codes(&p),
            vec![
                "casualties[0].name:ledger_row_repeated".to_string(),
                "houses[0].householder:ledger_row_repeated".to_string()
            ],
            "{b}: {p}"
        );
        // Another county files nothing for 平城区.
        let r = yz
            .post(
                &format!("/api/v1/disasters/{id}/reports"),
                &county_body(vec![person("县级遇难者乙")], vec![]),
            )
            .await;
        assert!(
            [403, 404].contains(&r.status().as_u16()),
            "{b}: {}",
            r.status()
        );
        // Only its own person: the counts agree with township + own rows.
        let (st, cr) = send(
            pc.post(
                &format!("/api/v1/disasters/{id}/reports"),
                &county_body(vec![person("县级遇难者乙")], vec![]),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {cr}");
        assert_eq!(cr["ledger_refs"], json!([tr["id"]]), "{b}: {cr}");
        assert_eq!(cr["flags"], json!([]), "{b}: no ledger warning: {cr}");
        let detail = pc
            .get(&format!("/api/v1/disasters/{id}"))
            .await
            .json::<Value>()
            .await
            .unwrap();
        let county = detail["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["level"] == "county")
            .unwrap()
            .clone();
        assert_eq!(county["ledger_refs"], json!([tr["id"]]), "{b}");
        // The XLSX lists each once.
        let x = pc
            .get(&format!("/api/v1/disasters/{id}/export?format=xlsx"))
            .await;
        assert_eq!(x.status(), 200);
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(
            x.bytes().await.unwrap().to_vec(),
        ))
        .unwrap();
        let mut text = String::new();
        for name in wb.sheet_names() {
            for row in wb.worksheet_range(&name).unwrap().rows() {
                for c in row {
                    text.push_str(&c.to_string());
                    text.push('\t');
                }
            }
        }
        for n in ["乡镇遇难者甲", "县级遇难者乙", "乡镇户主甲"] {
            // The name's own cell (its address cell reads "…家").
            assert_eq!(
                text.matches(&format!("{n}\t")).count(),
                1,
                "{b}: {n} in {text}"
            );
        }
        // 台账 read by the other county: nothing (it cannot see the disaster).
        assert_eq!(
            yz.get(&format!("/api/v1/disasters/{id}/export?format=xlsx"))
                .await
                .status(),
            404,
            "{b}"
        );
        assert_eq!(
            yz.get(&format!("/api/v1/disasters/{id}/bulletin.docx"))
                .await
                .status(),
            404,
            "{b}"
        );
    }
}
