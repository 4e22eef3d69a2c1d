//! The command centre: the UI's assets served precompressed.

use std::io::Read;

use crate::common::*;

async fn raw(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The app shell and its scripts go out brotli- or gzip-compressed to a
/// browser that accepts it, identical once decoded, and plain otherwise.
#[tokio::test]
async fn web_assets_are_served_compressed_when_accepted() {
    let app = TestApp::start(None).await;
    let plain = raw(&app, "/login", "identity").await;
    if !yingji::server::web::has_ui() {
        // Built without web/dist: the shell says how to build it.
        assert_eq!(plain.status(), 404);
        return;
    }
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    let html = plain.bytes().await.unwrap().to_vec();

    let br = raw(&app, "/login", "gzip, deflate, br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert!(br.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(br.bytes().await.unwrap().len() < html.len());

    let gz = raw(&app, "/login", "gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gunzip(&gz.bytes().await.unwrap()), html);

    // The entry script named in the shell, likewise.
    let text = String::from_utf8(html).unwrap();
    let script = text
        .split("src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .expect("entry script");
    let js_plain = raw(&app, script, "").await;
    assert!(js_plain.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(
        js_plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let js = js_plain.bytes().await.unwrap();
    let js_gz = raw(&app, script, "gzip;q=1, br;q=0").await;
    assert_eq!(js_gz.headers()["content-encoding"], "gzip");
    let js_gz = js_gz.bytes().await.unwrap();
    assert!(
        js_gz.len() * 2 < js.len(),
        "{} vs {}",
        js_gz.len(),
        js.len()
    );
    assert_eq!(gunzip(&js_gz), js);
}

fn incident(division: &str, title: &str, at: (f64, f64)) -> serde_json::Value {
    serde_json::json!({
        "title": title, "incident_type": "accident.production.coal_mine", "division": division,
        "source": "phone", "reporter": "张伟", "reporter_phone": "13800138000",
        "lon": at.0, "lat": at.1,
        "facts": { "deaths": 0, "trapped": 2 }, "description": "井下透水",
    })
}

/// A display client: no login, only the cookie the token opened.
async fn open_display(app: &TestApp, token: &str) -> (u16, reqwest::Client, serde_json::Value) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(app.url("/api/v1/display/open"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Path=/api"),
            "{cookie}"
        );
    }
    (status, client, r.json().await.unwrap_or_default())
}

/// A display token of 平城区 reads that county's incidents and warnings
/// (not 云州区's), cannot write anything (not even what an observer's role
/// would let a handler try), cannot read users or export, and stops
/// working when revoked. Issuing and revoking are journaled; the secret
/// is stored hashed.
#[tokio::test]
async fn display_tokens_read_only_inside_their_jurisdiction() {
    for app in apps().await {
        let b = app.backend;
        let admin = app.login("admin").await;
        let cmd = app.login("commander").await;
        let pc = incident("140213", "平城煤矿透水", app.point_in("140213"));
        let yz = incident("140215", "云州煤矿透水", app.point_in("140215"));
        assert_eq!(cmd.post("/api/v1/incidents", &pc).await.status(), 201);
        assert_eq!(cmd.post("/api/v1/incidents", &yz).await.status(), 201);

        // Only an administrator issues; an operator may not.
        let op = app.login("pingcheng").await;
        let r = op
            .post(
                "/api/v1/display-tokens",
                &serde_json::json!({ "name": "大厅" }),
            )
            .await;
        assert_eq!(r.status(), 403, "{b}");
        // Bad input names the field.
        let r = admin
            .post(
                "/api/v1/display-tokens",
                &serde_json::json!({ "name": "", "division": "140213", "days": 0 }),
            )
            .await;
        assert_eq!(r.status(), 422, "{b}");
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(fields(&p), ["name", "days"], "{b}");

        let r = admin
            .post(
                "/api/v1/display-tokens",
                &serde_json::json!({ "name": "平城区指挥大厅", "division": "140213" }),
            )
            .await;
        assert_eq!(r.status(), 201, "{b}");
        let issued: serde_json::Value = r.json().await.unwrap();
        let secret = issued["secret"].as_str().unwrap().to_string();
        let id = issued["id"].as_i64().unwrap();
        assert_eq!(issued["url"], format!("/screen?token={secret}"));
        // Hashed at rest.
        let stored: String =
            sqlx::query_scalar("SELECT token_hash FROM display_tokens WHERE id = $1")
                .bind(id)
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        assert_ne!(stored, secret);
        assert_eq!(stored, yingji::auth::token_hash(&secret));

        // A wrong token opens nothing.
        let (status, _, _) = open_display(&app, "not-a-token").await;
        assert_eq!(status, 401, "{b}");
        let (status, display, info) = open_display(&app, &secret).await;
        assert_eq!(status, 200, "{b}");
        assert_eq!(info["division"], "140213000000");
        assert_eq!(info["display"], true);
        let get = |path: &str| display.get(app.url(path)).send();

        // Reads its county only.
        let r = get("/api/v1/incidents?active=true").await.unwrap();
        assert_eq!(r.status(), 200, "{b}");
        let list: Vec<serde_json::Value> = r.json().await.unwrap();
        let titles: Vec<&str> = list.iter().map(|i| i["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["平城煤矿透水"], "{b}");
        let me: serde_json::Value = get("/api/v1/display/me")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["name"], "平城区指挥大厅");
        // Another county's incident is not found.
        let all: Vec<serde_json::Value> = cmd.get("/api/v1/incidents").await.json().await.unwrap();
        let yz_id = all.iter().find(|i| i["title"] == "云州煤矿透水").unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = get(&format!("/api/v1/incidents/{yz_id}")).await.unwrap();
        assert!(
            matches!(r.status().as_u16(), 403 | 404),
            "{b}: {}",
            r.status()
        );
        // Users, exports: refused.
        assert_eq!(get("/api/v1/users").await.unwrap().status(), 403, "{b}");
        assert_eq!(
            get("/api/v1/registries/team/export?format=csv")
                .await
                .unwrap()
                .status(),
            403,
            "{b}"
        );
        // No writes, whatever the headers.
        let r = display
            .post(app.url("/api/v1/incidents"))
            .header("x-requested-with", "yingji")
            .json(&pc)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b}");
        let r = display
            .post(app.url("/api/v1/display-tokens"))
            .header("x-requested-with", "yingji")
            .json(&serde_json::json!({ "name": "再来一块" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b}");
        let r = display
            .delete(app.url(&format!("/api/v1/display-tokens/{id}")))
            .header("x-requested-with", "yingji")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b}");

        // A county administrator of 云州区 neither sees nor revokes it, nor
        // issues one for 平城区.
        app.add_user("yzadmin", yingji::auth::Role::Admin, "140215", "")
            .await;
        let yza = app.login("yzadmin").await;
        let theirs: Vec<serde_json::Value> = yza
            .get("/api/v1/display-tokens")
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.is_empty(), "{b}: {theirs:?}");
        assert_eq!(
            yza.delete(&format!("/api/v1/display-tokens/{id}"))
                .await
                .status(),
            404,
            "{b}"
        );
        let r = yza
            .post(
                "/api/v1/display-tokens",
                &serde_json::json!({ "name": "越界", "division": "140213" }),
            )
            .await;
        assert_eq!(r.status(), 422, "{b}");
        assert_eq!(fields(&r.json().await.unwrap()), ["division"], "{b}");

        // Revoked: the display is refused at its next request.
        let listed: Vec<serde_json::Value> = admin
            .get("/api/v1/display-tokens")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].get("secret").is_none() && listed[0].get("token_hash").is_none());
        assert_eq!(
            admin
                .delete(&format!("/api/v1/display-tokens/{id}"))
                .await
                .status(),
            204,
            "{b}"
        );
        assert_eq!(get("/api/v1/incidents").await.unwrap().status(), 401, "{b}");
        let (status, _, _) = open_display(&app, &secret).await;
        assert_eq!(status, 401, "{b}");

        // Journaled.
        let j: Vec<serde_json::Value> = admin
            .get("/api/v1/journal?module=centre")
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = j.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["display_token_revoked", "display_token_issued"],
            "{b}"
        );
    }
}

/// A 平城区 coal-mine incident and a mine-rescue team kept at `team_at`,
/// requested for it by the district officer: the order's id.
async fn requested_team(
    app: &TestApp,
    pc: &User,
    title: &str,
    team: &str,
    team_at: (f64, f64),
) -> i64 {
    let r = pc
        .post(
            "/api/v1/incidents",
            &incident("140213", title, app.point_in("140213")),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", app.backend);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let team: serde_json::Value = pc
        .post(
            "/api/v1/registries/team",
            &serde_json::json!({ "name": team, "division": "140213", "lon": team_at.0, "lat": team_at.1, "attrs": { "team_kind": "mine", "headcount": 30 } }),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = pc
        .post(
            &format!("/api/v1/incidents/{id}/dispatch"),
            &serde_json::json!({ "resource_kind": "team", "resource_id": team["id"] }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", app.backend);
    r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Resources under way are listed for the incident's jurisdiction only.
#[tokio::test]
async fn en_route_resources_stay_in_their_jurisdiction() {
    for app in apps().await {
        let b = app.backend;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;
        let (tl, ta) = app.point_in("140213");
        let oid = requested_team(&app, &pc, "平城煤矿透水", "平城矿山救护队", (tl, ta)).await;
        // Requested only: not yet under way.
        let none: Vec<serde_json::Value> = cmd
            .get("/api/v1/situation/en-route")
            .await
            .json()
            .await
            .unwrap();
        assert!(none.is_empty(), "{b}: {none:?}");
        let ourl = format!("/api/v1/dispatch-orders/{oid}/events");
        let r = cmd
            .post(
                &ourl,
                &serde_json::json!({ "version": 1, "kind": "approve" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{b}: {}", r.text().await.unwrap());
        let r = pc
            .post(
                &ourl,
                &serde_json::json!({ "version": 2, "kind": "depart" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{b}: {}", r.text().await.unwrap());

        for (u, n) in [(&cmd, 1), (&pc, 1), (&yz, 0)] {
            let r = u.get("/api/v1/situation/en-route").await;
            assert_eq!(r.status(), 200, "{b}");
            let list: Vec<serde_json::Value> = r.json().await.unwrap();
            assert_eq!(list.len(), n, "{b} {}", u.name);
            if n == 1 {
                assert_eq!(list[0]["state"], "departed");
                assert_eq!(list[0]["resource_name"], "平城矿山救护队");
                assert_eq!(list[0]["from"][0].as_f64().unwrap(), tl);
                assert!(list[0]["to"].is_array());
            }
        }
    }
}

/// With a road graph, a resource not yet on site is drawn by road with its
/// travel time, and under way with its expected arrival; the map's offline
/// layer serves the graph's roads (Datong's main roads, embedded).
#[tokio::test]
async fn en_route_resources_go_by_road_and_the_map_has_the_roads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roads.yjroute");
    yingji::demo::roads::build().unwrap().save(&path).unwrap();
    for b in backends().await {
        let app = TestApp::start_with(b, |c| {
            c.routing_graph = Some(path.clone());
            c.snapping.max_snap_m = yingji::demo::roads::MAX_SNAP_M;
        })
        .await;
        let be = app.backend;
        let cmd = app.login("commander").await;
        let pc = app.login("pingcheng").await;
        let yz = app.login("yunzhou").await;

        let (st, roads) = send(pc.get("/api/v1/map/roads").await).await;
        assert_eq!(st, 200, "{be}: {roads}");
        let lines = roads["lines"].as_array().unwrap();
        assert!(
            lines.len() > 50 && roads["too_large"] == false,
            "{be}: {} lines",
            lines.len()
        );
        assert!(
            lines.iter().all(|l| l.as_array().unwrap().len() >= 2),
            "{be}"
        );

        let (tl, ta) = app.point_in("140213");
        let oid = requested_team(
            &app,
            &pc,
            "平城道路测试",
            "平城道路救护队",
            (tl + 0.03, ta + 0.02),
        )
        .await;
        let ourl = format!("/api/v1/dispatch-orders/{oid}/events");
        let r = cmd
            .post(
                &ourl,
                &serde_json::json!({ "version": 1, "kind": "approve" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{be}");
        let (_, list) = send(cmd.get("/api/v1/situation/en-route").await).await;
        let o = &list[0];
        assert_eq!(o["state"], "approved", "{be}: {o}");
        let route = o["route"].as_array().expect("a route by road");
        assert!(route.len() >= 3, "{be}: {o}");
        // The line starts where the team is kept and ends at the incident.
        assert_eq!(
            route[0][0].as_f64().unwrap(),
            ((tl + 0.03) * 1e6).round() / 1e6,
            "{be}"
        );
        let six = |v: &serde_json::Value| (v.as_f64().unwrap() * 1e6).round() / 1e6;
        let last = route.last().unwrap();
        assert_eq!(
            (six(&last[0]), six(&last[1])),
            (six(&o["to"][0]), six(&o["to"][1])),
            "{be}: {o}"
        );
        let t = o["travel_time_s"].as_f64().unwrap();
        assert!(t > 60.0, "{be}: {t}");
        assert!(o["eta"].is_null(), "{be}: not left yet: {o}");

        let r = pc
            .post(
                &ourl,
                &serde_json::json!({ "version": 2, "kind": "depart" }),
            )
            .await;
        assert_eq!(r.status(), 200, "{be}");
        let (_, list) = send(pc.get("/api/v1/situation/en-route").await).await;
        let o = &list[0];
        let since = yingji::clock::parse_time(o["since"].as_str().unwrap()).unwrap();
        let eta = yingji::clock::parse_time(o["eta"].as_str().expect("under way: an eta")).unwrap();
        let secs = (eta - since).as_seconds_f64();
        assert!(
            (secs - o["travel_time_s"].as_f64().unwrap()).abs() < 0.01,
            "{be}: {o}"
        );
        // Another county does not see it.
        let (_, other) = send(yz.get("/api/v1/situation/en-route").await).await;
        assert_eq!(other.as_array().unwrap().len(), 0, "{be}");
    }
}

/// Without a road graph the map's road layer is empty, and the en-route
/// list draws straight lines (no route, no time).
#[tokio::test]
async fn without_a_graph_the_road_layer_is_empty() {
    let app = TestApp::start(None).await;
    let pc = app.login("pingcheng").await;
    let (st, roads) = send(pc.get("/api/v1/map/roads").await).await;
    assert_eq!(st, 200, "{roads}");
    assert_eq!(roads["lines"].as_array().unwrap().len(), 0);
    assert_eq!(roads["too_large"], false);
    let anon = reqwest::Client::new()
        .get(app.url("/api/v1/map/roads"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
}
