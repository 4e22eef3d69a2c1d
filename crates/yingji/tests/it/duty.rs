//! The duty desk and attachments over HTTP, on both databases: roster
//! validation, who is on duty, the handover and its refused steps, the
//! append-only log with corrections and CSV export, attachments (upload,
//! download, limits, types, use on incidents, feedback and the log), and
//! jurisdictions: another county neither reads nor changes any of it.
use crate::common::*;
use serde_json::{json, Value};
use time::OffsetDateTime;

fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    yingji::auth::store::user_id(&app.state.db, name)
        .await
        .unwrap()
        .unwrap()
}

/// A tiny valid PNG (1×1).
fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82");
    v
}

#[tokio::test]
async fn rosters_are_validated_and_show_who_is_on_duty() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let rep = app.login("xinrong").await;
        let pc_id = user_id(&app, "pingcheng").await;
        let yz_id = user_id(&app, "yunzhou").await;
        let now = OffsetDateTime::now_utc();

        // The candidates for 平城's roster are its own users.
        let (st, users) = send(pc.get("/api/v1/duty/users").await).await;
        assert_eq!(st, 200, "{users}");
        let ids: Vec<i64> = users
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&pc_id) && !ids.contains(&yz_id), "{users}");

        // Every bad field is named.
        let cases = [
            (
                json!({ "period": "dawn", "date": "2026-07-01", "officers": [{ "user_id": pc_id }] }),
                "period",
            ),
            (
                json!({ "period": "day", "officers": [{ "user_id": pc_id }] }),
                "date",
            ),
            (
                json!({ "period": "day", "date": "07/01/2026", "officers": [{ "user_id": pc_id }] }),
                "date",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "officers": [] }),
                "officers",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "officers": [{ "user_id": yz_id }] }),
                "officers[0].user_id",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "officers": [{ "user_id": 999_999 }] }),
                "officers[0].user_id",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "officers": [{ "name": "张三" }] }),
                "officers[0].phone",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "leader": { "phone": "13800138000" }, "officers": [] }),
                "leader.name",
            ),
            (
                json!({ "period": "custom", "starts_at": "2026-07-01T08:00:00+08:00", "ends_at": "2026-07-01T07:00:00+08:00", "officers": [{ "user_id": pc_id }] }),
                "ends_at",
            ),
            (
                json!({ "period": "custom", "starts_at": "yesterday", "ends_at": "2026-07-01T07:00:00+08:00", "officers": [{ "user_id": pc_id }] }),
                "starts_at",
            ),
            (
                json!({ "period": "day", "date": "2026-07-01", "division": "140215", "officers": [{ "name": "张三", "phone": "13800138000" }] }),
                "division",
            ),
        ];
        for (body, field) in cases {
            let (st, p) = send(pc.post("/api/v1/duty/shifts", &body).await).await;
            assert_eq!(st, 422, "{body} → {p}");
            assert!(fields(&p).contains(&field.to_string()), "{field} in {p}");
        }

        // Officers now, a leader for 24 hours alongside.
        let crew = json!({
            "period": "custom", "starts_at": iso(now - time::Duration::hours(1)), "ends_at": iso(now + time::Duration::hours(7)),
            "officers": [{ "user_id": pc_id }, { "name": "王强", "phone": "0352-2024110" }],
        });
        let (st, a) = send(pc.post("/api/v1/duty/shifts", &crew).await).await;
        assert_eq!(st, 201, "{a}");
        assert_eq!(a["state"], "scheduled");
        assert_eq!(
            a["officers"][0]["name"], "pingcheng",
            "name from the account"
        );
        let lead = json!({
            "period": "custom", "starts_at": iso(now - time::Duration::hours(2)), "ends_at": iso(now + time::Duration::hours(22)),
            "leader": { "name": "李明", "phone": "13900001111" },
        });
        let (st, l) = send(pc.post("/api/v1/duty/shifts", &lead).await).await;
        assert_eq!(st, 201, "{l}");
        // A second crew at the same time is an overlap in the officers' slot.
        let clash = json!({
            "period": "custom", "starts_at": iso(now + time::Duration::hours(6)), "ends_at": iso(now + time::Duration::hours(10)),
            "officers": [{ "name": "赵六", "phone": "13900002222" }],
        });
        let (st, p) = send(pc.post("/api/v1/duty/shifts", &clash).await).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(fields(&p), vec!["period"], "{p}");
        // Right after it is fine.
        let after = json!({
            "period": "custom", "starts_at": iso(now + time::Duration::hours(7)), "ends_at": iso(now + time::Duration::hours(15)),
            "officers": [{ "name": "赵六", "phone": "13900002222" }],
        });
        let (st, b) = send(pc.post("/api/v1/duty/shifts", &after).await).await;
        assert_eq!(st, 201, "{b}");

        // Who is on duty now.
        let (st, n) = send(pc.get("/api/v1/duty/now").await).await;
        assert_eq!(st, 200, "{n}");
        assert_eq!(n["shifts"].as_array().unwrap().len(), 2, "{n}");
        assert_eq!(n["leaders"][0]["name"], "李明");
        assert_eq!(n["officers"][1]["name"], "王强");

        // The week's list.
        let day = (now.to_offset(time::macros::offset!(+8))).date();
        let q = format!(
            "/api/v1/duty/shifts?from={}&to={}",
            day - time::Duration::days(1),
            day + time::Duration::days(1)
        );
        let (st, list) = send(pc.get(&q).await).await;
        assert_eq!(st, 200, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
        let (st, p) = send(
            pc.get("/api/v1/duty/shifts?from=2026-07-02&to=2026-07-01")
                .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["to".to_string()]));

        // Edit with the version; a stale one is a conflict.
        let id = a["id"].as_i64().unwrap();
        let mut edit = crew.clone();
        edit["version"] = json!(1);
        edit["officers"] = json!([{ "user_id": pc_id }]);
        let (st, e) = send(pc.put(&format!("/api/v1/duty/shifts/{id}"), &edit).await).await;
        assert_eq!(st, 200, "{e}");
        assert_eq!(e["officers"].as_array().unwrap().len(), 1);
        let (st, p) = send(pc.put(&format!("/api/v1/duty/shifts/{id}"), &edit).await).await;
        assert_eq!((st, p["key"].as_str()), (409, Some("conflict")));

        // Another county neither reads nor changes it; observers read only;
        // township reporters have no duty desk.
        assert_eq!(
            yz.get(&format!("/api/v1/duty/shifts/{id}")).await.status(),
            404
        );
        edit["version"] = json!(2);
        assert_eq!(
            yz.put(&format!("/api/v1/duty/shifts/{id}"), &edit)
                .await
                .status(),
            404
        );
        let (st, p) = send(yz.get("/api/v1/duty/shifts?division=140213").await).await;
        assert_eq!((st, fields(&p)), (422, vec!["division".to_string()]));
        let (st, p) = send(yz.get("/api/v1/duty/now?division=140213").await).await;
        assert_eq!(st, 422, "{p}");
        let (_, mine) = send(yz.get("/api/v1/duty/shifts").await).await;
        assert!(mine.as_array().unwrap().is_empty(), "{mine}");
        assert_eq!(
            obs.get(&format!("/api/v1/duty/shifts/{id}")).await.status(),
            200
        );
        let (st, n) = send(obs.get("/api/v1/duty/now?division=140213").await).await;
        assert_eq!(st, 200, "{n}");
        assert_eq!(obs.post("/api/v1/duty/shifts", &after).await.status(), 403);
        assert_eq!(
            obs.put(&format!("/api/v1/duty/shifts/{id}"), &edit)
                .await
                .status(),
            403
        );
        assert_eq!(rep.get("/api/v1/duty/shifts").await.status(), 403);
        assert_eq!(rep.get("/api/v1/duty/log").await.status(), 403);

        // Concurrent additions of the same slot: exactly one wins.
        let race = json!({
            "period": "custom", "starts_at": iso(now + time::Duration::days(3)), "ends_at": iso(now + time::Duration::days(3) + time::Duration::hours(8)),
            "officers": [{ "name": "钱七", "phone": "13900003333" }],
        });
        let sends = (0..6).map(|_| pc.post("/api/v1/duty/shifts", &race));
        let codes: Vec<u16> = futures_util::future::join_all(sends)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
        assert!(codes.iter().all(|c| *c == 201 || *c == 422), "{codes:?}");

        // Every change is in the journal, scoped to 平城.
        let (_, j) = send(pc.get("/api/v1/journal?module=duty").await).await;
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"shift_scheduled") && kinds.contains(&"shift_changed"),
            "{kinds:?}"
        );
        let (_, j) = send(yz.get("/api/v1/journal?module=duty").await).await;
        assert!(j.as_array().unwrap().is_empty(), "{j}");
    }
}

#[tokio::test]
async fn handover_goes_through_its_states_and_refuses_wrong_steps() {
    for app in apps().await {
        app.add_user("pingcheng2", yingji::auth::Role::Operator, "140213", "")
            .await;
        let pc = app.login("pingcheng").await;
        let pc2 = app.login("pingcheng2").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let cmd = app.login("commander").await;
        let pc_id = user_id(&app, "pingcheng").await;
        let pc2_id = user_id(&app, "pingcheng2").await;
        let now = OffsetDateTime::now_utc();
        let shift = |from_h: i64, to_h: i64, who: i64| {
            json!({
                "period": "custom", "starts_at": iso(now + time::Duration::hours(from_h)), "ends_at": iso(now + time::Duration::hours(to_h)),
                "officers": [{ "user_id": who }],
            })
        };
        let (st, a) = send(pc.post("/api/v1/duty/shifts", &shift(-1, 1, pc_id)).await).await;
        assert_eq!(st, 201, "{a}");
        let (st, b) = send(pc.post("/api/v1/duty/shifts", &shift(1, 9, pc2_id)).await).await;
        assert_eq!(st, 201, "{b}");
        let (st, later) = send(pc.post("/api/v1/duty/shifts", &shift(9, 17, pc_id)).await).await;
        assert_eq!(st, 201, "{later}");
        let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
        let ev = |id: i64| format!("/api/v1/duty/shifts/{id}/events");

        // Not yet on duty: no handover. Too early: no start.
        let (st, p) = send(
            pc.post(
                &ev(a),
                &json!({ "version": 1, "kind": "hand_over", "handover_note": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["key"].as_str()),
            (409, Some("invalid_transition")),
            "{p}"
        );
        assert!(p["detail"].as_str().unwrap().contains("尚未上岗"), "{p}");
        let later_id = later["id"].as_i64().unwrap();
        let (st, p) = send(
            pc.post(&ev(later_id), &json!({ "version": 1, "kind": "start" }))
                .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("尚未开始"), "{p}");
        // Only the crew (or a commander) takes up the shift; others' 404/403.
        assert_eq!(
            yz.post(&ev(a), &json!({ "version": 1, "kind": "start" }))
                .await
                .status(),
            404
        );
        assert_eq!(
            obs.post(&ev(a), &json!({ "version": 1, "kind": "start" }))
                .await
                .status(),
            403
        );
        let (st, p) = send(
            pc2.post(&ev(a), &json!({ "version": 1, "kind": "start" }))
                .await,
        )
        .await;
        assert_eq!(st, 403, "pingcheng2 is not on this shift: {p}");
        let (st, p) = send(
            pc.post(&ev(a), &json!({ "version": 1, "kind": "bogus" }))
                .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["kind".to_string()]));
        let (st, x) = send(
            pc.post(&ev(a), &json!({ "version": 1, "kind": "start" }))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(x["state"], "on_duty");
        // On duty: the roster entry is frozen; stale versions conflict.
        let mut edit = shift(-1, 1, pc_id);
        edit["version"] = json!(2);
        let (st, p) = send(pc.put(&format!("/api/v1/duty/shifts/{a}"), &edit).await).await;
        assert_eq!(
            (st, p["key"].as_str()),
            (409, Some("invalid_transition")),
            "{p}"
        );
        let (st, p) = send(
            pc.post(
                &ev(a),
                &json!({ "version": 1, "kind": "hand_over", "handover_note": "x" }),
            )
            .await,
        )
        .await;
        assert_eq!((st, p["key"].as_str()), (409, Some("conflict")), "{p}");

        // The handover names its bad fields; open items may only name readable incidents.
        let (st, p) = send(
            pc.post(
                &ev(a),
                &json!({ "version": 2, "kind": "hand_over", "handover_note": "  " }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["handover_note".to_string()]),
            "{p}"
        );
        let (st, p) = send(pc.post(&ev(a), &json!({ "version": 2, "kind": "hand_over", "handover_note": "平稳", "open_items": [{ "text": "" }] })).await).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["open_items[0].text".to_string()]),
            "{p}"
        );
        let (st, inc) = send(yz.post("/api/v1/incidents", &json!({ "title": "云州山洪", "incident_type": "natural.flood_drought.flash_flood", "division": "140215", "source": "phone" })).await).await;
        assert_eq!(st, 201, "{inc}");
        let (st, p) = send(pc.post(&ev(a), &json!({ "version": 2, "kind": "hand_over", "handover_note": "平稳", "open_items": [{ "text": "山洪", "incident_id": inc["id"] }] })).await).await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["open_items[0].incident_id".to_string()]),
            "{p}"
        );
        let (st, x) = send(
            pc.post(
                &ev(a),
                &json!({
                    "version": 2, "kind": "hand_over", "handover_note": "本班接报 2 起，均已处置",
                    "open_items": [{ "text": "御河东路积水待复查" }, { "text": "续报待核" }],
                }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(x["state"], "handed_over");
        assert_eq!(x["handed_over_by"], "pingcheng");
        assert_eq!(x["open_items"].as_array().unwrap().len(), 2);
        let (st, p) = send(
            pc.post(
                &ev(a),
                &json!({ "version": 3, "kind": "hand_over", "handover_note": "again" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");

        // What each is offered now, from the server: the incoming officer
        // acknowledges, the one who handed over has nothing left to do.
        let url = format!("/api/v1/duty/shifts/{a}");
        let by_pc: Value = pc.get(&url).await.json().await.unwrap();
        let by_pc2: Value = pc2.get(&url).await.json().await.unwrap();
        assert_eq!(by_pc["allowed_events"], json!([]), "{by_pc}");
        assert_eq!(by_pc2["allowed_events"], json!(["acknowledge"]), "{by_pc2}");
        // Acknowledgement: not by the one who handed over, not by another county.
        let (st, p) = send(
            pc.post(&ev(a), &json!({ "version": 3, "kind": "acknowledge" }))
                .await,
        )
        .await;
        assert_eq!(st, 403, "pingcheng is not on the incoming shift: {p}");
        assert_eq!(
            yz.post(&ev(a), &json!({ "version": 3, "kind": "acknowledge" }))
                .await
                .status(),
            404
        );
        let (st, x) = send(
            pc2.post(&ev(a), &json!({ "version": 3, "kind": "acknowledge" }))
                .await,
        )
        .await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(x["state"], "acknowledged");
        assert_eq!(x["acknowledged_by"], "pingcheng2");
        let (st, p) = send(
            cmd.post(&ev(a), &json!({ "version": 4, "kind": "acknowledge" }))
                .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("已确认"), "{p}");
        // Taking over put the incoming shift on duty.
        let (_, nb) = send(pc.get(&format!("/api/v1/duty/shifts/{b}")).await).await;
        assert_eq!(nb["state"], "on_duty", "{nb}");
        assert_eq!(nb["started_by"], "pingcheng2");

        // A commander may hand over and acknowledge for the crew, but not
        // acknowledge what they handed over themselves.
        let (st, x) = send(cmd.post(&ev(b), &json!({ "version": nb["version"], "kind": "hand_over", "handover_note": "指挥长代为交班" })).await).await;
        assert_eq!(st, 200, "{x}");
        let (st, p) = send(
            cmd.post(
                &ev(b),
                &json!({ "version": x["version"], "kind": "acknowledge" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 409, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("交班人"), "{p}");
        let (st, x) = send(
            pc.post(
                &ev(b),
                &json!({ "version": x["version"], "kind": "acknowledge" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "pingcheng is on the next shift: {x}");

        let (_, j) = send(pc.get("/api/v1/journal?module=duty").await).await;
        let kinds: Vec<&str> = j
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in ["start", "hand_over", "acknowledge"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
    }
}

#[tokio::test]
async fn the_log_is_append_only_with_corrections_and_exports() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let pc_id = user_id(&app, "pingcheng").await;
        let now = OffsetDateTime::now_utc();
        let (st, sh) = send(pc.post("/api/v1/duty/shifts", &json!({
            "period": "custom", "starts_at": iso(now - time::Duration::hours(1)), "ends_at": iso(now + time::Duration::hours(7)),
            "officers": [{ "user_id": pc_id }],
        })).await).await;
        assert_eq!(st, 201, "{sh}");

        for (body, field) in [
            (json!({ "kind": "fax", "text": "x" }), "kind"),
            (json!({ "kind": "call", "text": " " }), "text"),
            (
                json!({ "kind": "call", "text": "x", "at": iso(now + time::Duration::hours(1)) }),
                "at",
            ),
            (
                json!({ "kind": "call", "text": "x", "at": iso(now - time::Duration::days(8)) }),
                "at",
            ),
            (
                json!({ "kind": "call", "text": "x", "incident_id": 999_999 }),
                "incident_id",
            ),
            (
                json!({ "kind": "call", "text": "x", "corrects": 999_999 }),
                "corrects",
            ),
            (
                json!({ "kind": "call", "text": "x", "attachments": [999_999] }),
                "attachments",
            ),
            (
                json!({ "kind": "call", "text": "x", "division": "140215" }),
                "division",
            ),
        ] {
            let (st, p) = send(pc.post("/api/v1/duty/log", &body).await).await;
            assert_eq!(st, 422, "{body} → {p}");
            assert_eq!(fields(&p), vec![field.to_string()], "{p}");
        }
        let (st, photo) = send(pc.upload("/api/v1/attachments", "积水.png", png()).await).await;
        assert_eq!(st, 201, "{photo}");
        let (st, e) = send(pc.post("/api/v1/duty/log", &json!({ "kind": "call", "text": "群众来电：御河东路积水约30厘米", "attachments": [photo["id"]] })).await).await;
        assert_eq!(st, 201, "{e}");
        assert_eq!(e["shift_id"], sh["id"], "filed under the shift on duty");
        assert_eq!(e["kind_zh"], "来电");
        assert_eq!(e["attachments"][0]["name"], "积水.png");
        let eid = e["id"].as_i64().unwrap();
        let (st, c) = send(
            pc.post(
                "/api/v1/duty/log",
                &json!({ "kind": "call", "text": "更正：积水约50厘米", "corrects": eid }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{c}");

        // Both stay; the original names its correction.
        let (st, list) = send(pc.get("/api/v1/duty/log").await).await;
        assert_eq!(st, 200, "{list}");
        let items = list.as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        assert_eq!(items[0]["corrected_by"], json!([c["id"]]));
        assert_eq!(items[1]["corrects"], eid);
        let (_, by_shift) = send(
            pc.get(&format!("/api/v1/duty/log?shift={}", sh["id"]))
                .await,
        )
        .await;
        assert_eq!(by_shift.as_array().unwrap().len(), 2);
        // No way to edit or delete an entry.
        assert_eq!(pc.put("/api/v1/duty/log", &json!({})).await.status(), 405);
        assert_eq!(pc.delete("/api/v1/duty/log").await.status(), 405);

        // CSV for Excel.
        let r = pc.get("/api/v1/duty/log/export").await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("编号,时间,类别,内容"), "{text}");
        assert!(
            text.contains("积水约30厘米") && text.contains("积水.png"),
            "{text}"
        );

        // Another county: not listed, not correctable, not exportable.
        let (_, theirs) = send(yz.get("/api/v1/duty/log").await).await;
        assert!(theirs.as_array().unwrap().is_empty(), "{theirs}");
        let (st, p) = send(
            yz.post(
                "/api/v1/duty/log",
                &json!({ "kind": "info", "text": "x", "corrects": eid }),
            )
            .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["corrects".to_string()]));
        let (st, p) = send(
            yz.post(
                "/api/v1/duty/log",
                &json!({ "kind": "info", "text": "x", "attachments": [photo["id"]] }),
            )
            .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["attachments".to_string()]));
        assert_eq!(
            yz.get("/api/v1/duty/log/export?division=140213")
                .await
                .status(),
            422
        );
        assert_eq!(
            yz.get(&format!("/api/v1/duty/log?shift={}", sh["id"]))
                .await
                .status(),
            404
        );
        // Observers read, never write.
        let (st, l) = send(obs.get("/api/v1/duty/log?division=140213").await).await;
        assert_eq!((st, l.as_array().map(|a| a.len())), (200, Some(2)));
        assert_eq!(
            obs.post("/api/v1/duty/log", &json!({ "kind": "info", "text": "x" }))
                .await
                .status(),
            403
        );
    }
}

#[tokio::test]
async fn attachments_are_checked_scoped_and_used_by_incidents() {
    for app in apps().await {
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let cmd = app.login("commander").await;

        // Upload, read back byte for byte.
        let (st, m) = send(
            pc.upload("/api/v1/attachments", "../现场 照片.png", png())
                .await,
        )
        .await;
        assert_eq!(st, 201, "{m}");
        assert_eq!(m["mime"], "image/png");
        assert_eq!(m["name"], "现场 照片.png");
        assert_eq!(m["size"], png().len());
        use sha2::Digest;
        assert_eq!(m["sha256"], hex::encode(sha2::Sha256::digest(png())));
        let id = m["id"].as_i64().unwrap();
        let r = pc.get(&format!("/api/v1/attachments/{id}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.bytes().await.unwrap().to_vec(), png());

        // Types by bytes, not by name; the size limit; one file per request.
        let (st, p) = send(
            pc.upload("/api/v1/attachments", "x.png", b"GIF89a....".to_vec())
                .await,
        )
        .await;
        assert_eq!((st, fields(&p)), (422, vec!["file".to_string()]), "{p}");
        assert_eq!(p["errors"][0]["code"], "file_type_not_accepted", "{p}");
        let (st, p) = send(
            pc.upload("/api/v1/attachments", "x.jpg", b"<svg/>".to_vec())
                .await,
        )
        .await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(p["errors"][0]["code"], "file_type_not_accepted", "{p}");
        let (st, p) = send(pc.upload("/api/v1/attachments", "a.pdf", Vec::new()).await).await;
        assert_eq!(st, 422, "{p}");
        assert_eq!(p["errors"][0]["code"], "file_empty", "{p}");
        let (st, pdf) = send(
            pc.upload(
                "/api/v1/attachments",
                "通报.pdf",
                b"%PDF-1.4\n%%EOF".to_vec(),
            )
            .await,
        )
        .await;
        assert_eq!((st, pdf["mime"].as_str()), (201, Some("application/pdf")));
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(10 * 1024 * 1024 + 1, b' ');
        let r = pc.upload("/api/v1/attachments", "big.pdf", big).await;
        assert_eq!(r.status(), 413);

        // Scope: other counties and observers.
        assert_eq!(
            yz.get(&format!("/api/v1/attachments/{id}")).await.status(),
            404
        );
        assert_eq!(yz.get("/api/v1/attachments/999999").await.status(), 404);
        assert_eq!(
            obs.get(&format!("/api/v1/attachments/{id}")).await.status(),
            200
        );
        assert_eq!(
            obs.upload("/api/v1/attachments", "a.png", png())
                .await
                .status(),
            403
        );

        // Intake with a photo; the incident page lists it.
        let intake = |div: &str, atts: Value| json!({ "title": "内涝", "incident_type": "natural.flood_drought.urban_waterlogging", "division": div, "source": "phone", "attachments": atts });
        let (st, i) = send(
            pc.post("/api/v1/incidents", &intake("140213", json!([id])))
                .await,
        )
        .await;
        assert_eq!(st, 201, "{i}");
        assert_eq!(i["attachments"][0]["id"], id);
        assert_eq!(i["attachments"][0]["mime"], "image/png");
        let (_, again) = send(pc.get(&format!("/api/v1/incidents/{}", i["id"])).await).await;
        assert_eq!(again["attachments"][0]["name"], "现场 照片.png");
        // Not another county's attachment, not an unknown one.
        let (st, p) = send(
            yz.post("/api/v1/incidents", &intake("140215", json!([pdf["id"]])))
                .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["attachments".to_string()]),
            "{p}"
        );
        let (st, p) = send(
            pc.post("/api/v1/incidents", &intake("140213", json!([424242])))
                .await,
        )
        .await;
        assert_eq!(
            (st, fields(&p)),
            (422, vec!["attachments".to_string()]),
            "{p}"
        );

        // A city upload used on a county incident becomes readable there.
        let (st, cm) = send(
            cmd.upload(
                "/api/v1/attachments",
                "航拍.jpg",
                b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec(),
            )
            .await,
        )
        .await;
        assert_eq!(st, 201, "{cm}");
        assert_eq!(
            pc.get(&format!("/api/v1/attachments/{}", cm["id"]))
                .await
                .status(),
            404
        );
        let (st, i2) = send(
            cmd.post("/api/v1/incidents", &intake("140213", json!([cm["id"]])))
                .await,
        )
        .await;
        assert_eq!(st, 201, "{i2}");
        assert_eq!(
            pc.get(&format!("/api/v1/attachments/{}", cm["id"]))
                .await
                .status(),
            200
        );
        assert_eq!(
            yz.get(&format!("/api/v1/attachments/{}", cm["id"]))
                .await
                .status(),
            404
        );

        // Instruction feedback photos are attachment ids, checked the same way.
        let iid = i["id"].as_i64().unwrap();
        let (st, x) = send(cmd.post(&format!("/api/v1/incidents/{iid}/instructions"), &json!({ "assignee_kind": "department", "assignee": "平城区应急局", "task": "现场排涝", "due_minutes": 60 })).await).await;
        assert_eq!(st, 201, "{x}");
        let url = format!("/api/v1/instructions/{}/events", x["id"]);
        let (st, _) = send(
            pc.post(
                &url,
                &json!({ "version": 1, "event": { "kind": "receive" } }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200);
        let (st, p) = send(pc.post(&url, &json!({ "version": 2, "event": { "kind": "feedback", "text": "已排水", "photos": ["photo/1.jpg"] } })).await).await;
        assert_eq!(st, 422, "{p}");
        let (st, p) = send(pc.post(&url, &json!({ "version": 2, "event": { "kind": "feedback", "text": "已排水", "photos": [pdf["id"], 777777] } })).await).await;
        assert_eq!((st, fields(&p)), (422, vec!["photos".to_string()]), "{p}");
        let (st, fb) = send(pc.upload("/api/v1/attachments", "排水后.png", png()).await).await;
        assert_eq!(st, 201);
        let (st, x) = send(pc.post(&url, &json!({ "version": 2, "event": { "kind": "feedback", "text": "已排水", "photos": [fb["id"]], "location": [113.3, 40.08] } })).await).await;
        assert_eq!(st, 200, "{x}");
        assert_eq!(x["feedback"][0]["photos"], json!([fb["id"]]));

        // Uploads are journaled.
        let (_, j) = send(pc.get("/api/v1/journal?module=attachments").await).await;
        assert!(
            j.as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "uploaded"),
            "{j}"
        );
    }
}
