//! The accident report chain of 《生产安全事故信息报告和处置办法》(原安监总局令
//! 第21号) over HTTP on both databases: the unit's hour from when its head
//! learned of it (493号令 第九条), the 较大涉险事故 category (第二十六条),
//! the sector department's chain, daily 续报 and same-day casualty 续报
//! (第十一条), the end of the handling, the city's duty offices; another
//! county can neither read nor change any of it.
use crate::common::*;
use serde_json::{json, Value};
use time::Duration;

fn t(dt: time::OffsetDateTime) -> String {
    yingji::clock::format_time(dt)
}

fn steps(d: &Value) -> Vec<(String, String)> {
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
}

#[tokio::test]
async fn the_report_chain_of_order_21() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        let occurred = now - Duration::hours(31);
        let body = |learned: time::OffsetDateTime| {
            json!({ "name": "某工地脚手架坍塌", "industry": "construction", "division": "140213",
                "occurred_at": t(occurred), "unit_learned_at": t(learned),
                "received_at": t(now - Duration::hours(29)),
                "deaths": 1, "serious_injuries": 0, "direct_loss_yuan": 0,
                "danger": { "trapped": 3, "evacuated": 20 } })
        };
        // The head cannot learn of it before it happened or after the
        // county received the report.
        for learned in [occurred - Duration::seconds(1), now - Duration::hours(28)] {
            let (st, p) = send(u.post("/api/v1/accidents", &body(learned)).await).await;
            assert_eq!(st, 422, "{p}");
            assert_eq!(codes(&p), ["unit_learned_at:learned_out_of_range"], "{p}");
        }
        let r = u
            .post(
                "/api/v1/accidents",
                &body(now - Duration::minutes(29 * 60 + 30)),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        let id = a["id"].as_i64().unwrap();
        assert_eq!(a["grade"], "ordinary");
        // 3 trapped: 较大涉险 (第二十六条(二)).
        assert_eq!(a["larger_danger"][0], "被困或下落不明 3 人（3 人以上）");
        assert_eq!(a["sector_department"], "住房和城乡建设部门");
        let path = format!("/api/v1/accidents/{id}");
        let d: Value = u.get(&path).await.json().await.unwrap();
        let s = steps(&d);
        // Occurred 31 h ago, but the head learned 29.5 h ago and the county
        // had it 29 h ago: on time (from the occurrence it would be late).
        assert!(
            s.contains(&("report:county".into(), "on_time".into())),
            "{s:?}"
        );
        // The sector department has not received it: 漏报.
        assert!(
            s.contains(&("sector:county".into(), "missing".into())),
            "{s:?}"
        );
        let today = now.to_offset(time::macros::offset!(+8)).date().to_string();
        let today_key = format!("followup:{today}");
        assert!(s.iter().any(|(k, _)| *k == today_key), "{s:?}");
        assert!(!s.iter().any(|(k, _)| k.starts_with("duty:")), "{s:?}");

        // The sector chain: in order only, and not to a level off the chain.
        let fwd = format!("/api/v1/accidents/{id}/forward");
        let (st, p) = send(
            u.post(
                &fwd,
                &json!({ "version": 1, "chain": "sector", "level": "city" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["level:forward_in_order".to_string()]),
            "{p}"
        );
        let (st, p) = send(
            u.post(
                &fwd,
                &json!({ "version": 1, "chain": "sector", "level": "state" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["level:not_an_option".to_string()]),
            "{p}"
        );
        let r = u
            .post(&fwd, &json!({ "version": 1, "chain": "sector", "level": "county", "at": t(now - Duration::hours(27)) }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["sector_received"][0][0], "county");
        assert!(a["received"].as_array().unwrap().len() == 1);

        // A 续报 with a death: learned before the accident is refused; then
        // filed, it answers today's slot and the same-day step.
        let (st, p) = send(
            u.put(&path, &json!({ "version": 2, "deaths": 2, "serious_injuries": 0, "direct_loss_yuan": 0, "reason": "伤员抢救无效", "learned_at": t(occurred - Duration::minutes(1)) }))
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["learned_at:learned_out_of_range".to_string()]),
            "{p}"
        );
        let r = u
            .put(&path, &json!({ "version": 2, "deaths": 2, "serious_injuries": 0, "direct_loss_yuan": 0, "reason": "伤员抢救无效", "learned_at": t(now - Duration::minutes(5)) }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["followups"][0]["casualties_changed"], true);
        assert_eq!(a["followups"][0]["by"], "pingcheng");
        let d: Value = u.get(&path).await.json().await.unwrap();
        let s = steps(&d);
        assert!(
            s.contains(&("sector:county".into(), "late".into())),
            "{s:?}"
        );
        assert!(s.contains(&("change:1".into(), "on_time".into())), "{s:?}");
        assert!(s.contains(&(today_key.clone(), "on_time".into())), "{s:?}");

        // The city's duty offices: nothing before the city has it.
        let duty = format!("/api/v1/accidents/{id}/duty-reports");
        let (st, p) = send(
            u.post(
                &duty,
                &json!({ "version": 3, "office": "party", "mode": "phone" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("level_not_received")),
            "{p}"
        );
        let r = u
            .post(
                &fwd,
                &json!({ "version": 3, "level": "city", "at": t(now - Duration::minutes(40)) }),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d: Value = u.get(&path).await.json().await.unwrap();
        let s = steps(&d);
        // Phone due 30 min after the city's receipt (40 min ago): 漏报;
        // in writing due in 20 min: due soon.
        assert!(
            s.contains(&("duty:party:phone".into(), "missing".into())),
            "{s:?}"
        );
        assert!(
            s.contains(&("duty:government:written".into(), "due_soon".into())),
            "{s:?}"
        );
        let r = u
            .post(&duty, &json!({ "version": 4, "office": "party", "mode": "phone", "at": t(now - Duration::minutes(20)), "note": "电话报告值班员" }))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: Value = r.json().await.unwrap();
        assert_eq!(a["duty_reports"][0]["by"], "pingcheng");
        let (st, p) = send(
            u.post(
                &duty,
                &json!({ "version": 5, "office": "party", "mode": "phone" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("already_reported")),
            "{p}"
        );
        let (st, p) = send(
            u.post(
                &duty,
                &json!({ "version": 5, "office": "press", "mode": "phone" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["office:not_an_option".to_string()]),
            "{p}"
        );
        let d: Value = u.get(&path).await.json().await.unwrap();
        // Recorded 20 min after the city's receipt: within its 30 minutes.
        assert!(steps(&d).contains(&("duty:party:phone".into(), "on_time".into())));
        let overdue: Value = u.get("/api/v1/reports/overdue").await.json().await.unwrap();
        assert!(
            overdue
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == id && o["key"] == "duty:government:phone"),
            "{overdue}"
        );

        // Another county: not found, nothing changed.
        let other = app.login("yunzhou").await;
        assert_eq!(other.get(&path).await.status(), 404);
        for (p2, b) in [
            (
                duty.clone(),
                json!({ "version": 5, "office": "government", "mode": "phone" }),
            ),
            (
                format!("/api/v1/accidents/{id}/settled"),
                json!({ "version": 5 }),
            ),
            (
                fwd.clone(),
                json!({ "version": 5, "chain": "sector", "level": "city" }),
            ),
        ] {
            assert_eq!(other.post(&p2, &b).await.status(), 404, "{p2}");
        }

        // The handling ended: once.
        let settle = format!("/api/v1/accidents/{id}/settled");
        let r = u.post(&settle, &json!({ "version": 5 })).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let (st, p) = send(u.post(&settle, &json!({ "version": 6 })).await).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("already_settled")),
            "{p}"
        );
        let a: Value = u.get(&path).await.json().await.unwrap();
        assert_eq!(a["accident"]["version"], 6);
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

/// One intake: a production-safety incident opens its accident record in
/// the same transaction (nothing typed twice), with the incident's facts;
/// its deadlines are in the overdue list; a natural-disaster incident and
/// a sensor alarm open none; another county sees neither.
#[tokio::test]
async fn an_incident_of_a_production_safety_type_opens_its_accident() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let now = time::OffsetDateTime::now_utc();
        let r = u
            .post(
                "/api/v1/incidents",
                &json!({ "title": "平城区某煤矿透水", "incident_type": "accident.production.coal_mine",
                    "division": "140213", "source": "phone", "onset_at": t(now - Duration::hours(3)),
                    "description": "井下透水，3 人被困",
                    "facts": { "deaths": 2, "missing": 1, "trapped": 3, "injured": 1 } }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let i: Value = r.json().await.unwrap();
        let incident = i["id"].as_i64().unwrap();
        let aid = i["accident_id"].as_i64().expect("an accident opened");
        let path = format!("/api/v1/accidents/{aid}");
        let d: Value = u.get(&path).await.json().await.unwrap();
        let a = &d["accident"];
        assert_eq!(a["incident_id"], incident);
        assert_eq!(a["industry"], "coal_mine");
        assert_eq!(
            (
                a["deaths"].as_i64(),
                a["missing"].as_i64(),
                a["serious_injuries"].as_i64()
            ),
            (Some(2), Some(1), Some(1))
        );
        // 2 dead + 1 missing: 较大 (493号令 第三条, 第十二条).
        assert_eq!(a["grade"], "larger");
        assert_eq!(a["name"], "平城区某煤矿透水");
        assert_eq!(a["created_by"], "pingcheng");
        // Onset 3 h ago, the county has it now: the unit's hour is 迟报, and
        // the county's 第十条 notifications are owed.
        let s = steps(&d);
        assert!(
            s.contains(&("report:county".into(), "late".into())),
            "{s:?}"
        );
        assert!(s.iter().any(|(k, _)| k == "notify:county:police"), "{s:?}");
        let overdue: Value = u.get("/api/v1/reports/overdue").await.json().await.unwrap();
        assert!(
            overdue
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == aid && o["entity"] == "accident"),
            "{overdue}"
        );
        // The journal has the accident's creation, with the incident.
        let list: Value = u.get("/api/v1/accidents").await.json().await.unwrap();
        assert_eq!(
            list.as_array()
                .unwrap()
                .iter()
                .filter(|x| x["incident_id"] == incident)
                .count(),
            1
        );
        // The incident page links it.
        let again: Value = u
            .get(&format!("/api/v1/incidents/{incident}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["accident_id"], aid);

        // A natural-disaster incident and a sensor alarm open none.
        for (ty, source) in [
            ("natural.geological.landslide", "phone"),
            ("accident.production.coal_mine", "system"),
        ] {
            let r = u
                .post(
                    "/api/v1/incidents",
                    &json!({ "title": "另一事件", "incident_type": ty, "division": "140213", "source": source }),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            let i: Value = r.json().await.unwrap();
            assert!(i["accident_id"].is_null(), "{ty} {source}: {i}");
        }
        let list: Value = u.get("/api/v1/accidents").await.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);

        // Another county: neither the incident nor its accident.
        let other = app.login("yunzhou").await;
        assert_eq!(other.get(&path).await.status(), 404);
        assert_eq!(
            other
                .get(&format!("/api/v1/incidents/{incident}"))
                .await
                .status(),
            404
        );
        let theirs: Value = other.get("/api/v1/accidents").await.json().await.unwrap();
        assert!(theirs.as_array().unwrap().is_empty());
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}

/// 双报告: an enterprise user files its own 1-hour accident report as a
/// 快报 for its own enterprise only (another's is not found); the fields are
/// checked by name; the county department sees it as its accident; the
/// other enterprise and another county see nothing of it.
#[tokio::test]
async fn an_enterprise_files_its_own_accident_report() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let mut ids = Vec::new();
        for (name, division) in [
            ("平城甲煤业有限公司", "140213"),
            ("平城乙化工有限公司", "140213"),
        ] {
            let r = admin
                .post(
                    "/api/v1/registries/enterprise",
                    &body(&app, "enterprise", name, division),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
        let (a, b) = (ids[0], ids[1]);
        app.add_user(
            "qiye_a",
            yingji::auth::Role::Enterprise,
            "140213",
            &format!("enterprise:{a}"),
        )
        .await;
        app.add_user(
            "qiye_b",
            yingji::auth::Role::Enterprise,
            "140213",
            &format!("enterprise:{b}"),
        )
        .await;
        let qa = app.login("qiye_a").await;
        let qb = app.login("qiye_b").await;
        let now = time::OffsetDateTime::now_utc();
        let report = |enterprise: i64, bulletin: Value| {
            json!({ "enterprise_id": enterprise, "name": "井下透水", "industry": "coal_mine",
                "occurred_at": t(now - Duration::minutes(50)), "unit_learned_at": t(now - Duration::minutes(40)),
                "deaths": 0, "missing": 0, "serious_injuries": 1, "direct_loss_yuan": 0,
                "danger": { "trapped": 4 }, "bulletin": bulletin })
        };
        let good = json!({ "credit_code": "91110000802100433B", "ownership": "private", "class": "12",
            "place": "3号井 -350 水平", "measures": "撤出井下人员，启动应急预案",
            "possible_casualties": "4 人被困", "reporter": "李矿长", "reporter_phone": "0352-1234567" });
        // Another enterprise's: not found.
        let (st, p) = send(
            qa.post("/api/v1/accidents/unit-reports", &report(b, good.clone()))
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["enterprise_id:enterprise_not_found".to_string()]),
            "{p}"
        );
        // Every wrong field named.
        let bad = json!({ "credit_code": "123", "class": "99", "reporter_phone": "12" });
        let (st, p) = send(
            qa.post("/api/v1/accidents/unit-reports", &report(a, bad))
                .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        let mut got = codes(&p);
        got.sort();
        assert_eq!(
            got,
            [
                "bulletin.class:not_an_option",
                "bulletin.credit_code:bad_credit_code",
                "bulletin.reporter:required",
                "bulletin.reporter_phone:bad_phone",
            ],
            "{p}"
        );
        let (st, acc) = send(
            qa.post("/api/v1/accidents/unit-reports", &report(a, good))
                .await,
        )
        .await;
        assert_eq!(st, 201, "{acc}");
        let id = acc["id"].as_i64().unwrap();
        assert_eq!(acc["enterprise_id"], a);
        assert_eq!(
            acc["division"].as_str().map(|d| d.starts_with("140213")),
            Some(true)
        );
        assert_eq!(acc["bulletin"]["unit_name"], "平城甲煤业有限公司");
        assert_eq!(acc["bulletin"]["class"], "12");
        assert_eq!(acc["created_by"], "qiye_a");
        // 4 trapped: 较大涉险.
        assert!(!acc["larger_danger"].as_array().unwrap().is_empty());

        // The enterprise lists its own; the other enterprise sees none; an
        // enterprise reads no department record.
        let mine: Value = qa
            .get("/api/v1/accidents/unit-reports")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine.as_array().unwrap().len(), 1);
        let theirs: Value = qb
            .get("/api/v1/accidents/unit-reports")
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.as_array().unwrap().is_empty(), "{theirs}");
        assert_eq!(
            qa.get(&format!("/api/v1/accidents/{id}")).await.status(),
            403
        );
        assert_eq!(qa.get("/api/v1/accidents").await.status(), 403);

        // The county department has it: the unit's hour from when its head
        // learned of it, met now.
        let pc = app.login("pingcheng").await;
        let d: Value = pc
            .get(&format!("/api/v1/accidents/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            steps(&d).contains(&("report:county".into(), "on_time".into())),
            "{d}"
        );
        let listed: Value = pc
            .get("/api/v1/accidents/unit-reports")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        // The 快报 as .docx, from the record.
        let r = pc
            .get(&format!("/api/v1/accidents/{id}/bulletin.docx"))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let bytes = r.bytes().await.unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        for want in [
            "生产安全事故快报",
            "平城甲煤业有限公司",
            "91110000802100433B",
            "12 透水",
            "李矿长",
            "0352-1234567",
            "+08:00",
        ] {
            assert!(xml.contains(want), "{want} not in the 快报");
        }
        // Another county: nothing.
        let yz = app.login("yunzhou").await;
        assert_eq!(
            yz.get(&format!("/api/v1/accidents/{id}")).await.status(),
            404
        );
        assert_eq!(
            yz.get(&format!("/api/v1/accidents/{id}/bulletin.docx"))
                .await
                .status(),
            404
        );
        assert_eq!(
            qb.get(&format!("/api/v1/accidents/{id}/bulletin.docx"))
                .await
                .status(),
            403
        );
        let none: Value = yz
            .get("/api/v1/accidents/unit-reports")
            .await
            .json()
            .await
            .unwrap();
        assert!(none.as_array().unwrap().is_empty());
        assert!(yingji::journal::verify(&app.state.db).await.unwrap().ok());
    }
}
