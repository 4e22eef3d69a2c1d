//! Shelters in operation over HTTP, on both databases: 平城 opens its
//! shelter (启用), registers households in (only the ID's last four; a full
//! number refused) up to its free places, sees occupancy and the GB
//! 21734-2008 per-person area flag; an observer sees names and phones
//! masked; 云州 neither reads nor changes it; closing waits for every
//! household to be out; all journaled, personal data by reference.
use crate::common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn a_county_opens_its_shelter_registers_households_and_closes_it() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let obs = app.login("observer").await;
        let (lon, lat) = app.point_in("140213");
        // 300 m², 10 places, serving 250 people: 1.2 m² each (short).
        let (st, sh) = send(
            admin
                .post(
                    "/api/v1/registries/shelter",
                    &json!({ "name": "平城区体育馆", "division": "140213", "lon": lon, "lat": lat,
                        "attrs": { "shelter_class": "III", "duration_days": 3, "area_m2": 300.0, "capacity": 10, "served_population": 250 } }),
                )
                .await,
        )
        .await;
        assert_eq!(st, 201, "{sh}");
        let id = sh["id"].as_i64().unwrap();
        let one = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"].as_i64() == Some(id))
                .cloned()
                .unwrap()
        };
        let (_, l) = send(pc.get("/api/v1/shelters").await).await;
        let s = one(&l);
        assert_eq!(s["open"], Value::Null);
        assert_eq!(
            (
                s["occupancy"]["capacity"].as_i64(),
                s["occupancy"]["free"].as_i64(),
                s["occupancy"]["served_short"].as_bool()
            ),
            (Some(10), Some(10), Some(true)),
            "{s}"
        );
        assert_eq!(s["occupancy"]["served_area_per_person"].as_f64(), Some(1.2));

        // Not open: no registration.
        let hh = json!({ "head_name": "张伟", "id_last4": "123x", "phone": "13800138000", "members": 4,
            "origin_village": "西韩岭村", "special_needs": "老人一名" });
        let (st, p) = send(
            pc.post(&format!("/api/v1/shelters/{id}/households"), &hh)
                .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("shelter_not_open")),
            "{p}"
        );
        // Another county does not see it.
        let (st, _) = send(yz.get(&format!("/api/v1/shelters/{id}")).await).await;
        assert_eq!(st, 404);
        let (st, _) = send(
            yz.post(&format!("/api/v1/shelters/{id}/open"), &json!({}))
                .await,
        )
        .await;
        assert_eq!(st, 404);
        let (_, l) = send(yz.get("/api/v1/shelters").await).await;
        assert!(l
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"].as_i64() != Some(id)));

        let (st, d) = send(
            pc.post(
                &format!("/api/v1/shelters/{id}/open"),
                &json!({ "note": "暴雨转移" }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["open"]["opened_by"], "pingcheng");
        let (st, p) = send(
            pc.post(&format!("/api/v1/shelters/{id}/open"), &json!({}))
                .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("shelter_already_open"))
        );

        // A full ID number is refused; the last four are kept.
        let mut full = hh.clone();
        full["id_last4"] = json!("14020219800101123X");
        let (st, p) = send(
            pc.post(&format!("/api/v1/shelters/{id}/households"), &full)
                .await,
        )
        .await;
        assert_eq!(
            (st, codes(&p)),
            (422, vec!["id_last4:id_last4_only".to_string()]),
            "{p}"
        );
        let (st, d) = send(
            pc.post(&format!("/api/v1/shelters/{id}/households"), &hh)
                .await,
        )
        .await;
        assert_eq!(st, 201, "{d}");
        assert_eq!(
            (
                d["households"][0]["id_last4"].as_str(),
                d["households"][0]["head_name"].as_str(),
                d["households"][0]["phone"].as_str()
            ),
            (Some("123X"), Some("张伟"), Some("13800138000"))
        );
        assert_eq!(
            (
                d["occupancy"]["occupants"].as_i64(),
                d["occupancy"]["households"].as_i64(),
                d["occupancy"]["free"].as_i64()
            ),
            (Some(4), Some(1), Some(6))
        );
        // More than the free places: refused.
        let mut big = hh.clone();
        big["members"] = json!(7);
        let (st, p) = send(
            pc.post(&format!("/api/v1/shelters/{id}/households"), &big)
                .await,
        )
        .await;
        assert_eq!((st, p["code"].as_str()), (409, Some("shelter_full")), "{p}");
        assert_eq!(p["params"]["free"].as_i64(), Some(6));

        // An observer reads it masked.
        let (st, o) = send(obs.get(&format!("/api/v1/shelters/{id}")).await).await;
        assert_eq!(st, 200, "{o}");
        assert_eq!(
            (
                o["households"][0]["head_name"].as_str(),
                o["households"][0]["phone"].as_str()
            ),
            (Some("张**"), Some("138****8000"))
        );
        let (st, _) = send(
            obs.post(&format!("/api/v1/shelters/{id}/households"), &hh)
                .await,
        )
        .await;
        assert_eq!(st, 403);

        // Closing waits for every household to be out.
        let version = d["open"]["version"].clone();
        let (st, p) = send(
            pc.post(
                &format!("/api/v1/shelters/{id}/close"),
                &json!({ "version": version }),
            )
            .await,
        )
        .await;
        assert_eq!(
            (st, p["code"].as_str()),
            (409, Some("households_still_in")),
            "{p}"
        );
        let h = &d["households"][0];
        let hid = h["id"].as_i64().unwrap();
        let (st, _) = send(
            yz.post(
                &format!("/api/v1/shelters/households/{hid}/out"),
                &json!({ "version": h["version"] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 404);
        let (st, d) = send(
            pc.post(
                &format!("/api/v1/shelters/households/{hid}/out"),
                &json!({ "version": h["version"] }),
            )
            .await,
        )
        .await;
        assert_eq!(st, 200, "{d}");
        assert_eq!(d["occupancy"]["occupants"].as_i64(), Some(0));
        assert!(d["households"][0]["checked_out_at"].is_string());
        let (st, d) = send(
            pc.post(
                &format!("/api/v1/shelters/{id}/close"),
                &json!({ "version": d["open"]["version"] }),
            )
            .await,
        )
        .await;
        assert_eq!((st, d["open"].clone()), (200, Value::Null), "{d}");
        assert!(d["openings"][0]["closed_at"].is_string(), "{d}");

        // Journaled; the head's name and phone by reference only.
        let (_, j) = send(admin.get("/api/v1/journal?module=shelters&limit=50").await).await;
        let text = j.to_string();
        for kind in ["opened", "checked_in", "checked_out", "closed"] {
            assert!(
                text.contains(&format!("\"{kind}\"")),
                "{kind} journaled: {text}"
            );
        }
    }
}
