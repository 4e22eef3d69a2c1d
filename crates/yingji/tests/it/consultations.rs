//! 调度会商 over HTTP, on both databases (issue #19): 平城 schedules a
//! consultation on its incident, invites two contacts from the directory
//! (云州's contact is not in its directory), marks attendance, writes the
//! minutes, decides, and one click turns a decision into exactly one
//! instruction of the incident (a second click answers with the same);
//! closing records the unmarked absent; the 会商纪要 downloads as a .docx
//! that unzips into well-formed XML saying it all. 云州 neither reads nor
//! changes any of it; an observer reads without steps; a warning's
//! consultation has no instructions to give.
use crate::common::*;
use serde_json::{json, Value};
use std::io::Read;

async fn contact(u: &User, name: &str, division: &str, org: &str) -> i64 {
    let (st, c) = send(
        u.post(
            "/api/v1/registries/contact",
            &json!({ "name": name, "division": division, "phone": "0352-2024567",
                "attrs": { "group": "department", "organisation": org, "position": "值班主任" } }),
        )
        .await,
    )
    .await;
    assert_eq!(st, 201, "{c}");
    c["id"].as_i64().unwrap()
}

async fn step(u: &User, id: i64, version: i64, body: Value) -> (u16, Value) {
    let mut b = body;
    b["version"] = json!(version);
    send(
        u.post(&format!("/api/v1/consultations/{id}/events"), &b)
            .await,
    )
    .await
}

fn version(c: &Value) -> i64 {
    c["version"].as_i64().unwrap()
}

fn in_an_hour() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The text of every `<w:t>` of a WordprocessingML document, after checking
/// it is well-formed.
fn docx_text(bytes: &[u8]) -> (Vec<String>, String) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut names = Vec::new();
    let mut doc = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut xml = String::new();
        f.read_to_string(&mut xml).unwrap();
        let mut r = quick_xml::Reader::from_str(&xml);
        r.config_mut().check_end_names = true;
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Text(t)) => doc.push_str(&t.xml10_content()),
                Ok(quick_xml::events::Event::GeneralRef(g)) => doc.push(match &*g {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    _ => '\'',
                }),
                Ok(_) => {}
                Err(e) => panic!("{name}: {e}"),
            }
        }
        names.push(name);
    }
    (names, doc)
}

#[tokio::test]
async fn an_incident_consultation_decides_and_its_decision_becomes_one_instruction() {
    for app in apps().await {
        let b = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let (st, i) = send(
            pc.post(
                "/api/v1/incidents",
                &json!({ "title": "煤矿透水事故", "incident_type": "accident.production.coal_mine", "division": "140213",
                    "source": "phone", "reporter": "张伟", "reporter_phone": "13800138000",
                    "facts": { "deaths": 0, "trapped": 12 }, "description": "井下透水" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {i}");
        let incident = i["id"].as_i64().unwrap();
        let police = contact(&pc, "市公安局指挥中心", "140213", "大同市公安局").await;
        let water = contact(&pc, "市水务局值班室", "140213", "大同市水务局").await;
        let theirs = contact(&yz, "云州区应急局", "140215", "云州区应急管理局").await;

        // 云州 cannot hold a consultation on 平城's incident.
        let new = json!({ "incident_id": incident, "title": "透水事故救援会商 <一>", "place": "市应急指挥中心",
            "chair": "王指挥长", "scheduled_at": in_an_hour(), "agenda": ["通报险情", "研究排水方案"] });
        let (st, p) = send(yz.post("/api/v1/consultations", &new).await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["incident_id:incident_not_found".to_string()]),
            "{b}: {p}"
        );
        let (st, p) = send(
            pc.post(
                "/api/v1/consultations",
                &json!({ "title": "", "scheduled_at": "明天" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (
                422,
                vec![
                    "incident_id:one_link_required".to_string(),
                    "title:required".into(),
                    "scheduled_at:not_a_time".into()
                ]
            ),
            "{b}: {p}"
        );
        let (st, c) = send(pc.post("/api/v1/consultations", &new).await).await;
        assert_eq!(st, 201, "{b}: {c}");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(
            (
                c["state"].as_str(),
                c["division"].as_str(),
                c["link_title"].as_str()
            ),
            (
                Some("scheduled"),
                Some("140213000000"),
                Some("煤矿透水事故")
            ),
            "{b}: {c}"
        );
        assert_eq!(
            c["allowed_events"],
            json!(["start", "cancel", "edit", "invite", "uninvite", "attend", "agenda"])
        );

        // Another jurisdiction: not found, whatever it asks.
        for path in [
            format!("/api/v1/consultations/{id}"),
            format!("/api/v1/consultations/{id}/minutes.docx"),
        ] {
            assert_eq!(yz.get(&path).await.status(), 404, "{b}: {path}");
        }
        let (st, _) = step(&yz, id, version(&c), json!({ "kind": "start" })).await;
        assert_eq!(st, 404, "{b}");
        let (st, _) = send(
            yz.post(
                &format!("/api/v1/consultations/{id}/decisions/1/instruction"),
                &json!({ "version": version(&c) }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404, "{b}");
        let (_, l) = send(yz.get("/api/v1/consultations").await).await;
        assert_eq!(l["total"], 0, "{b}: {l}");
        let (_, l) = send(
            pc.get(&format!("/api/v1/consultations?incident_id={incident}"))
                .await,
        )
        .await;
        assert_eq!(l["total"], 1, "{b}: {l}");

        // Invitees from 平城's directory; 云州's contact is not in it.
        let (st, p) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "invite", "invitees": [{ "kind": "contact", "id": theirs }] }),
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["invitees[0]:record_not_found".to_string()]),
            "{b}: {p}"
        );
        let (st, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "invite", "invitees": [{ "kind": "contact", "id": police }, { "kind": "contact", "id": water }] }),
        )
        .await;
        assert_eq!(st, 200, "{b}: {c}");
        let inv = c["invitees"].as_array().unwrap();
        assert_eq!(
            inv.iter()
                .map(|i| (
                    i["name"].as_str().unwrap(),
                    i["organisation"].as_str().unwrap(),
                    i["attendance"].as_str().unwrap()
                ))
                .collect::<Vec<_>>(),
            [
                ("市公安局指挥中心", "大同市公安局", "invited"),
                ("市水务局值班室", "大同市水务局", "invited")
            ],
            "{b}"
        );
        let (p1, p2) = (
            inv[0]["id"].as_i64().unwrap(),
            inv[1]["id"].as_i64().unwrap(),
        );
        let (st, p) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "invite", "invitees": [{ "kind": "contact", "id": police }] }),
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["invitees[0]:already_invited".to_string()]),
            "{b}"
        );
        // A stale version is refused.
        let (st, _) = step(&pc, id, version(&c) - 1, json!({ "kind": "start" })).await;
        assert_eq!(st, 409, "{b}");
        // Present only once the session has started.
        let (st, p) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "attend", "invitee_id": p1, "attendance": "present" }),
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("not_in_session")),
            "{b}"
        );
        let (st, c) = step(&pc, id, version(&c), json!({ "kind": "start" })).await;
        assert_eq!(
            (st, c["state"].as_str()),
            (200, Some("in_session")),
            "{b}: {c}"
        );
        let (_, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "attend", "invitee_id": p1, "attendance": "present" }),
        )
        .await;
        let (st, p) = step(&pc, id, version(&c), json!({ "kind": "close" })).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("minutes_required")),
            "{b}"
        );
        let (_, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "minutes", "text": "一、井下 12 人被困。\n二、排水能力不足 & 需增援。" }),
        )
        .await;
        let (st, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "decide", "text": "调派矿山救护队和大功率排水设备", "assignee_kind": "department", "assignee": "大同市水务局", "due_minutes": 30 }),
        )
        .await;
        assert_eq!(st, 200, "{b}: {c}");
        let (_, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "decide", "text": "向市政府报告救援进展" }),
        )
        .await;
        let ds = c["decisions"].as_array().unwrap().clone();
        assert_eq!(
            ds.iter()
                .map(|d| d["seq"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            [1, 2]
        );
        let (d1, d2) = (ds[0]["id"].as_i64().unwrap(), ds[1]["id"].as_i64().unwrap());

        // One click: one instruction of the incident, remembered; a second
        // click (even with the old version) answers the same, no new one.
        let turn = |d: i64, v: i64| {
            let pc = &pc;
            async move {
                send(
                    pc.post(
                        &format!("/api/v1/consultations/{id}/decisions/{d}/instruction"),
                        &json!({ "version": v }),
                    )
                    .await,
                )
                .await
            }
        };
        let (st, p) = turn(d2, version(&c)).await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("decision_not_addressed")),
            "{b}"
        );
        let (st, c2) = turn(d1, version(&c)).await;
        assert_eq!(st, 200, "{b}: {c2}");
        let x = c2["decisions"][0]["instruction_id"]
            .as_i64()
            .expect("linked");
        assert_eq!(c2["decisions"][0]["instruction_state"], "issued", "{b}");
        let (st, again) = turn(d1, version(&c)).await;
        assert_eq!(st, 200, "{b}: {again}");
        assert_eq!(again["decisions"][0]["instruction_id"].as_i64(), Some(x));
        let (_, inc) = send(pc.get(&format!("/api/v1/incidents/{incident}")).await).await;
        let xs = inc["instructions"].as_array().unwrap();
        assert_eq!(xs.len(), 1, "{b}: {inc}");
        assert_eq!(
            (
                xs[0]["id"].as_i64(),
                xs[0]["task"].as_str(),
                xs[0]["assignee"].as_str()
            ),
            (
                Some(x),
                Some("调派矿山救护队和大功率排水设备"),
                Some("大同市水务局")
            ),
            "{b}"
        );

        // Closing records the unmarked absent.
        let c = c2;
        let (st, c) = step(&pc, id, version(&c), json!({ "kind": "close" })).await;
        assert_eq!(st, 200, "{b}: {c}");
        assert_eq!(c["state"], "closed");
        assert_eq!(c["allowed_events"], json!(["instruct"]));
        let att: Vec<(i64, &str)> = c["invitees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_i64().unwrap(), i["attendance"].as_str().unwrap()))
            .collect();
        assert_eq!(att, [(p1, "present"), (p2, "absent")], "{b}");

        // The observer reads, without steps.
        let (st, o) = send(obs.get(&format!("/api/v1/consultations/{id}")).await).await;
        assert_eq!((st, o["allowed_events"].clone()), (200, json!([])), "{b}");

        // The 会商纪要.
        let r = pc
            .get(&format!("/api/v1/consultations/{id}/minutes.docx"))
            .await;
        assert_eq!(r.status(), 200, "{b}");
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".docx"));
        let (names, text) = docx_text(&r.bytes().await.unwrap());
        assert_eq!(
            names,
            ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        );
        for want in [
            "透水事故救援会商 <一>",
            "事件：煤矿透水事故",
            "市应急指挥中心",
            "王指挥长",
            "市公安局指挥中心",
            "大同市水务局 · 值班主任",
            "出席",
            "缺席",
            "1. 通报险情",
            "二、排水能力不足 & 需增援。",
            &format!("调派矿山救护队和大功率排水设备（承办：大同市水务局）【已转为指令 #{x}】"),
            "2. 向市政府报告救援进展",
        ] {
            assert!(text.contains(want), "{b}: {want:?} not in {text}");
        }

        // The journal: the session's steps and the incident's instruction,
        // naming the consultation it came from.
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM journal WHERE module = 'consultations' AND entity_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
        assert_eq!(
            kinds,
            [
                "consultation_scheduled",
                "invitees_added",
                "consultation_started",
                "attendance_marked",
                "minutes_written",
                "decision_recorded",
                "decision_recorded",
                "decision_instructed",
                "consultation_closed"
            ],
            "{b}"
        );
        let payload: String = sqlx::query_scalar(
            "SELECT payload FROM journal WHERE module = 'incidents' AND kind = 'instruction_issued' AND entity_id = $1",
        )
        .bind(incident.to_string())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        let payload: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(
            (
                payload["consultation"].as_i64(),
                payload["decision"].as_i64()
            ),
            (Some(id), Some(d1)),
            "{b}"
        );
    }
}

#[tokio::test]
async fn a_warning_consultation_is_the_warnings_jurisdiction_and_gives_no_instructions() {
    for app in apps().await {
        let b = app.backend;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(12))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let (st, w) = send(
            pc.post(
                "/api/v1/warnings",
                &json!({ "hazard": "rainstorm", "level": "orange", "description": "预计未来6小时降雨量将达50毫米以上。",
                    "area": { "divisions": ["140213"] }, "area_desc": "平城区", "expires_at": expires }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{b}: {w}");
        let wid = w["id"].as_i64().unwrap();
        let new =
            json!({ "warning_id": wid, "title": "暴雨防御会商", "scheduled_at": in_an_hour() });
        let (st, p) = send(yz.post("/api/v1/consultations", &new).await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["warning_id:warning_not_found".to_string()]),
            "{b}"
        );
        let mut both = new.clone();
        both["incident_id"] = json!(1);
        let (st, p) = send(pc.post("/api/v1/consultations", &both).await).await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["incident_id:one_link_required".to_string()]),
            "{b}"
        );
        let (st, c) = send(pc.post("/api/v1/consultations", &new).await).await;
        assert_eq!(st, 201, "{b}: {c}");
        assert_eq!(c["division"], "140213000000");
        let id = c["id"].as_i64().unwrap();
        let (_, c) = step(&pc, id, version(&c), json!({ "kind": "start" })).await;
        assert!(
            !c["allowed_events"]
                .as_array()
                .unwrap()
                .contains(&json!("instruct")),
            "{b}: {c}"
        );
        let (_, c) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "decide", "text": "启动防汛Ⅳ级响应", "assignee_kind": "command", "assignee": "防汛抗旱指挥部" }),
        )
        .await;
        let d = c["decisions"][0]["id"].as_i64().unwrap();
        let (st, p) = send(
            pc.post(
                &format!("/api/v1/consultations/{id}/decisions/{d}/instruction"),
                &json!({ "version": version(&c) }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("consultation_without_incident")),
            "{b}"
        );
        // Cancelled before it starts only.
        let (st, p) = step(
            &pc,
            id,
            version(&c),
            json!({ "kind": "cancel", "reason": "改期" }),
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("consultation_step_not_allowed")),
            "{b}"
        );
        let (st, _) = step(&yz, id, version(&c), json!({ "kind": "close" })).await;
        assert_eq!(st, 404, "{b}");
        let (_, l) = send(
            pc.get(&format!("/api/v1/consultations?warning_id={wid}"))
                .await,
        )
        .await;
        assert_eq!(l["total"], 1, "{b}");
    }
}
