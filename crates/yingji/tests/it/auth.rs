use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn login_me_logout() {
    for app in apps().await {
        let u = app.login("pingcheng").await;
        let me: serde_json::Value = u.get("/api/v1/auth/me").await.json().await.unwrap();
        assert_eq!(me["role"], "operator");
        assert_eq!(me["division"]["name"], "平城区", "{}", app.backend);
        assert_eq!(me["can_write"], true);
        assert_eq!(me["is_admin"], false);
        let r = u.post("/api/v1/auth/logout", &json!({})).await;
        assert_eq!(r.status(), 204);
        assert_eq!(u.get("/api/v1/auth/me").await.status(), 401);
    }
}

async fn try_login(app: &TestApp, username: &str, pw: &str) -> reqwest::Response {
    try_login_from(app, username, pw, None).await
}

async fn try_login_from(
    app: &TestApp,
    username: &str,
    pw: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut r = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": pw }));
    if let Some(f) = forwarded_for {
        r = r.header("x-forwarded-for", f);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn failures_back_off_instead_of_locking_the_account() {
    for app in apps().await {
        for _ in 0..5 {
            let r = try_login(&app, "observer", "wrong").await;
            assert_eq!(r.status(), 401);
            let p: serde_json::Value = r.json().await.unwrap();
            assert_eq!(p["key"], "bad_credentials");
        }
        // The 5th failure makes the next attempt wait 1 s.
        let r = try_login(&app, "observer", PASSWORD).await;
        assert_eq!(r.status(), 429, "{}: must wait", app.backend);
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["key"], "throttled");
        // After the back-off the right password gets in (no 15-minute lock).
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let r = try_login(&app, "observer", PASSWORD).await;
        assert_eq!(r.status(), 200, "{}: after the back-off", app.backend);
        // Success cleared the count: the next mistake is not throttled.
        assert_eq!(try_login(&app, "observer", "wrong").await.status(), 401);
    }
}

#[tokio::test]
async fn unknown_names_get_the_same_answer_in_the_same_time() {
    for app in apps().await {
        let mut known_ms = Vec::new();
        let mut unknown_ms = Vec::new();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let a = try_login(&app, "commander", "wrong").await;
            known_ms.push(t.elapsed().as_secs_f64());
            let t = std::time::Instant::now();
            let b = try_login(&app, "nobody", "wrong").await;
            unknown_ms.push(t.elapsed().as_secs_f64());
            assert_eq!(a.status(), b.status());
            let (a, b): (serde_json::Value, serde_json::Value) =
                (a.json().await.unwrap(), b.json().await.unwrap());
            assert_eq!(a, b, "{}", app.backend);
        }
        // Throttled: same status and message whether the name exists or not.
        let a = try_login(&app, "commander", "wrong").await;
        let b = try_login(&app, "nobody", "wrong").await;
        assert_eq!(a.status(), 429, "{}", app.backend);
        assert_eq!(
            b.status(),
            429,
            "{}: unknown names are throttled alike",
            app.backend
        );
        let (a, b): (serde_json::Value, serde_json::Value) =
            (a.json().await.unwrap(), b.json().await.unwrap());
        assert_eq!(a, b);
        // Unknown names cost an argon2 verification too.
        let (k, u) = (
            known_ms.iter().sum::<f64>() / 5.0,
            unknown_ms.iter().sum::<f64>() / 5.0,
        );
        assert!(u > k / 3.0 && u < k * 3.0, "known {k:.3}s, unknown {u:.3}s");
        // A disabled user answers like a wrong password.
        let admin = app.login("admin").await;
        let id = user_id(&admin, "xinrong").await;
        assert_eq!(
            admin
                .post(&format!("/api/v1/users/{id}/disable"), &json!({}))
                .await
                .status(),
            204
        );
        let r = try_login(&app, "xinrong", PASSWORD).await;
        assert_eq!(r.status(), 401);
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["key"], "bad_credentials");
    }
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    for app in apps().await {
        // Default: no trusted proxy, the header is ignored — 20 failures
        // from this socket address throttle it whatever the header says.
        for i in 0..20 {
            let f = format!("198.51.100.{i}");
            let r = try_login_from(&app, &format!("nobody{i}"), "wrong", Some(&f)).await;
            assert_eq!(r.status(), 401);
        }
        let r = try_login_from(&app, "admin", PASSWORD, Some("192.0.2.77")).await;
        assert_eq!(
            r.status(),
            429,
            "{}: X-Forwarded-For must be ignored",
            app.backend
        );
    }
    // Behind a configured proxy the forwarded client address counts.
    for b in backends().await {
        let app = TestApp::start_with(b, |c| {
            c.auth.trusted_proxies =
                vec![yingji::auth::throttle::Cidr::parse("127.0.0.1").unwrap()];
        })
        .await;
        for i in 0..20 {
            let r =
                try_login_from(&app, &format!("nobody{i}"), "wrong", Some("198.51.100.1")).await;
            assert_eq!(r.status(), 401);
        }
        let r = try_login_from(&app, "admin", PASSWORD, Some("198.51.100.1")).await;
        assert_eq!(r.status(), 429, "{}: the throttled client", app.backend);
        let r = try_login_from(&app, "admin", PASSWORD, Some("192.0.2.77")).await;
        assert_eq!(
            r.status(),
            200,
            "{}: another client behind the proxy",
            app.backend
        );
    }
}

async fn user_id(admin: &User, username: &str) -> i64 {
    let r = admin.get("/api/v1/users").await;
    assert_eq!(r.status(), 200);
    let users: Vec<serde_json::Value> = r.json().await.unwrap();
    users
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_i64())
        .unwrap_or_else(|| panic!("{username} not listed"))
}

#[tokio::test]
async fn reset_and_role_change_end_sessions_and_enforce_the_policy() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let id = user_id(&admin, "observer").await;
        let observer = app.login("observer").await;
        assert_eq!(observer.get("/api/v1/auth/me").await.status(), 200);
        // Weak passwords are refused on the HTTP path too.
        let r = admin
            .post(
                &format!("/api/v1/users/{id}/password"),
                &json!({ "password": "weak" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "password");
        assert_eq!(observer.get("/api/v1/auth/me").await.status(), 200);
        let r = admin
            .post(
                &format!("/api/v1/users/{id}/password"),
                &json!({ "password": "New@2025pass" }),
            )
            .await;
        assert_eq!(r.status(), 204);
        assert_eq!(
            observer.get("/api/v1/auth/me").await.status(),
            401,
            "{}: a reset ends the sessions",
            app.backend
        );
        assert_eq!(
            try_login(&app, "observer", "New@2025pass").await.status(),
            200
        );

        // A role/jurisdiction change ends the sessions too.
        let pc = app.login("pingcheng").await;
        let pid = user_id(&admin, "pingcheng").await;
        let r = admin
            .post(
                &format!("/api/v1/users/{pid}/role"),
                &json!({ "role": "observer", "division": "140215" }),
            )
            .await;
        assert_eq!(r.status(), 204);
        assert_eq!(pc.get("/api/v1/auth/me").await.status(), 401);
        let pc = app.login("pingcheng").await;
        let me: serde_json::Value = pc.get("/api/v1/auth/me").await.json().await.unwrap();
        assert_eq!(me["role"], "observer");
        assert_eq!(me["division"]["code"], "140215000000");
        // Outside the admin's jurisdiction: refused, naming the field.
        let r = admin
            .post(
                &format!("/api/v1/users/{pid}/role"),
                &json!({ "role": "observer", "division": "140100" }),
            )
            .await;
        assert_eq!(r.status(), 422);
        // The journal records each change.
        let j: Vec<serde_json::Value> = admin
            .get("/api/v1/journal?module=auth")
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = j.iter().filter_map(|e| e["kind"].as_str()).collect();
        assert!(
            kinds.contains(&"password_reset") && kinds.contains(&"role_changed"),
            "{kinds:?}"
        );
    }
}

#[tokio::test]
async fn disabled_users_lose_sessions_and_tokens_at_once() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let id = user_id(&admin, "yunzhou").await;
        let r = admin
            .post(
                &format!("/api/v1/users/{id}/tokens"),
                &json!({ "name": "gateway" }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let t: serde_json::Value = r.json().await.unwrap();
        let token = t["token"].as_str().unwrap().to_string();
        let c = reqwest::Client::new();
        let me = |tok: String| c.get(app.url("/api/v1/auth/me")).bearer_auth(tok).send();
        assert_eq!(me(token.clone()).await.unwrap().status(), 200);
        let y = app.login("yunzhou").await;
        assert_eq!(
            admin
                .post(&format!("/api/v1/users/{id}/disable"), &json!({}))
                .await
                .status(),
            204
        );
        assert_eq!(
            y.get("/api/v1/auth/me").await.status(),
            401,
            "{}: session",
            app.backend
        );
        assert_eq!(
            me(token.clone()).await.unwrap().status(),
            401,
            "{}: token",
            app.backend
        );
        assert_eq!(try_login(&app, "yunzhou", PASSWORD).await.status(), 401);
        let users: Vec<serde_json::Value> = admin.get("/api/v1/users").await.json().await.unwrap();
        let u = users.iter().find(|u| u["username"] == "yunzhou").unwrap();
        assert_eq!(u["active"], false);
        // An admin cannot disable themselves.
        let self_id = user_id(&admin, "admin").await;
        assert_eq!(
            admin
                .post(&format!("/api/v1/users/{self_id}/disable"), &json!({}))
                .await
                .status(),
            409
        );
        assert_eq!(
            admin
                .post(&format!("/api/v1/users/{id}/enable"), &json!({}))
                .await
                .status(),
            204
        );
        assert_eq!(me(token).await.unwrap().status(), 200);
        assert_eq!(try_login(&app, "yunzhou", PASSWORD).await.status(), 200);
    }
}

#[tokio::test]
async fn tokens_expire_are_listed_without_secrets_and_revoked() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let id = user_id(&admin, "yunzhou").await;
        // An expired token is refused.
        let (expired, hash) = yingji::auth::new_token();
        let now = time::OffsetDateTime::now_utc();
        let mut tx = app.state.db.begin().await.unwrap();
        yingji::auth::store::create_api_token(
            &mut tx,
            id,
            "old",
            &hash,
            now - time::Duration::days(91),
            now - time::Duration::days(1),
        )
        .await
        .unwrap();
        tx.commit_unjournaled().await.unwrap();
        let c = reqwest::Client::new();
        let r = c
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(&expired)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{}: expired token", app.backend);

        let r = admin
            .post(
                &format!("/api/v1/users/{id}/tokens"),
                &json!({ "name": "x", "days": 0 }),
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = admin
            .post(
                &format!("/api/v1/users/{id}/tokens"),
                &json!({ "name": "sensors", "days": 30 }),
            )
            .await;
        assert_eq!(r.status(), 201);
        let t: serde_json::Value = r.json().await.unwrap();
        let token = t["token"].as_str().unwrap().to_string();
        let tid = t["id"].as_i64().unwrap();
        let exp = time::OffsetDateTime::parse(
            t["expires_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!((exp - now - time::Duration::days(30)).abs() < time::Duration::minutes(5));
        // A change made with the token names the token in the journal.
        let r = c
            .post(app.url("/api/v1/registries/team"))
            .bearer_auth(&token)
            .json(&body(&app, "team", "云州区令牌队", "140215"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let j: Vec<serde_json::Value> = admin
            .get("/api/v1/journal?module=registry")
            .await
            .json()
            .await
            .unwrap();
        let e = j
            .iter()
            .find(|e| e["actor"] == "yunzhou")
            .expect("the token's journal entry");
        assert_eq!(e["payload"]["via_token"], tid, "{}", app.backend);
        // Listed with last use, never the secret.
        let r = admin.get(&format!("/api/v1/users/{id}/tokens")).await;
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(&token) && !text.contains("token_hash"),
            "{text}"
        );
        let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let listed = list.iter().find(|x| x["id"] == tid).unwrap();
        assert!(listed["last_used_at"].is_string(), "{listed}");
        assert_eq!(listed["name"], "sensors");
        // Revoked: refused at once.
        let r = admin
            .delete(&format!("/api/v1/users/{id}/tokens/{tid}"))
            .await;
        assert_eq!(r.status(), 204);
        let r = c
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{}: revoked token", app.backend);
        let r = admin
            .delete(&format!("/api/v1/users/{id}/tokens/{tid}"))
            .await;
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn admins_manage_only_their_jurisdiction() {
    for app in apps().await {
        app.add_user("pcadmin", yingji::auth::Role::Admin, "140213", "")
            .await;
        let city = app.login("admin").await;
        let yz = user_id(&city, "yunzhou").await;
        let county = app.login("pcadmin").await;
        let listed: Vec<serde_json::Value> =
            county.get("/api/v1/users").await.json().await.unwrap();
        let names: Vec<&str> = listed
            .iter()
            .filter_map(|u| u["username"].as_str())
            .collect();
        assert!(
            names.contains(&"pingcheng") && !names.contains(&"yunzhou"),
            "{names:?}"
        );
        for (path, body) in [
            (format!("/api/v1/users/{yz}/disable"), json!({})),
            (
                format!("/api/v1/users/{yz}/password"),
                json!({ "password": "New@2025pass" }),
            ),
            (format!("/api/v1/users/{yz}/tokens"), json!({ "name": "x" })),
            (
                format!("/api/v1/users/{yz}/role"),
                json!({ "role": "observer", "division": "140213" }),
            ),
        ] {
            assert_eq!(county.post(&path, &body).await.status(), 404, "{path}");
        }
        assert_eq!(
            county
                .get(&format!("/api/v1/users/{yz}/tokens"))
                .await
                .status(),
            404
        );
        assert_eq!(try_login(&app, "yunzhou", PASSWORD).await.status(), 200);
        let o: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/api/v1/users",
            "/api/v1/users/{id}/tokens/{token_id}",
            "/api/v1/users/{id}/role",
        ] {
            assert!(
                o["paths"][path].is_object(),
                "{path} in the OpenAPI document"
            );
        }
        // Operators may not administer users at all.
        let op = app.login("pingcheng").await;
        assert_eq!(op.get("/api/v1/users").await.status(), 403);
        assert_eq!(
            op.post(&format!("/api/v1/users/{yz}/disable"), &json!({}))
                .await
                .status(),
            403
        );
    }
}

#[tokio::test]
async fn requests_without_session_or_csrf_header_are_refused() {
    for app in apps().await {
        let anon = reqwest::Client::new();
        assert_eq!(
            anon.get(app.url("/api/v1/registries/team"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        let u = app.login("pingcheng").await;
        // A cookie-authenticated write without the CSRF header is forbidden.
        let r = u
            .client
            .post(app.url("/api/v1/registries/team"))
            .json(&body(&app, "team", "x", "140213"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn api_tokens_authenticate_integrations() {
    for app in apps().await {
        let (token, hash) = yingji::auth::new_token();
        let id = yingji::auth::store::user_id(&app.state.db, "yunzhou")
            .await
            .unwrap()
            .unwrap();
        let mut tx = app.state.db.begin().await.unwrap();
        yingji::auth::store::create_api_token(
            &mut tx,
            id,
            "test",
            &hash,
            time::OffsetDateTime::now_utc(),
            time::OffsetDateTime::now_utc() + time::Duration::days(90),
        )
        .await
        .unwrap();
        tx.commit_unjournaled().await.unwrap();
        let c = reqwest::Client::new();
        let me: serde_json::Value = c
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["username"], "yunzhou");
        // Bearer writes need no CSRF header.
        let r = c
            .post(app.url("/api/v1/registries/team"))
            .bearer_auth(&token)
            .json(&body(&app, "team", "云州区测试队", "140215"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = c
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

/// Verified sessions are answered from memory for `[auth]
/// principal_cache_ms`: what another process revokes (here: the session row
/// deleted behind the server's back, as the CLI or another node would) takes
/// effect within that time, and at once when the cache is off.
#[tokio::test]
async fn verified_sessions_are_cached_and_revocation_elsewhere_lands_within_the_cache_time() {
    for cache_ms in [0u64, 2000] {
        for db in backends().await {
            let app = TestApp::start_with(db, |c| c.auth.principal_cache_ms = cache_ms).await;
            let u = app.login("pingcheng").await;
            assert_eq!(u.get("/api/v1/auth/me").await.status(), 200);
            sqlx::query("DELETE FROM sessions")
                .execute(app.state.db.pool())
                .await
                .unwrap();
            let next = u.get("/api/v1/auth/me").await.status();
            if cache_ms == 0 {
                assert_eq!(next, 401, "{}: no cache", app.backend);
                continue;
            }
            assert_eq!(next, 200, "{}: answered from the cache", app.backend);
            let started = std::time::Instant::now();
            while u.get("/api/v1/auth/me").await.status() != 401 {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(10),
                    "{}: the deleted session still works",
                    app.backend
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            // Logged out here: forgotten at once, whatever the cache time.
            let u = app.login("pingcheng").await;
            assert_eq!(u.get("/api/v1/auth/me").await.status(), 200);
            assert_eq!(
                u.post("/api/v1/auth/logout", &json!({})).await.status(),
                204
            );
            assert_eq!(
                u.get("/api/v1/auth/me").await.status(),
                401,
                "{}",
                app.backend
            );
        }
    }
}

/// Two nodes on one PostgreSQL: a token revoked on one stops working on
/// the other within the cache time, and on the first at once.
#[tokio::test]
async fn a_token_revoked_on_one_node_stops_on_the_other_within_the_cache_time() {
    let Some(url) = backends().await.pop().flatten() else {
        // SQLite has one node: the test above covers it.
        return;
    };
    let a = TestApp::start_with(Some(url.clone()), |c| c.auth.principal_cache_ms = 1500).await;
    let b = TestApp::join(url, |c| c.auth.principal_cache_ms = 1500).await;
    let admin = a.login("admin").await;
    let id = user_id(&admin, "yunzhou").await;
    let t: serde_json::Value = admin
        .post(
            &format!("/api/v1/users/{id}/tokens"),
            &json!({ "name": "gw" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let token_id = t["id"].as_i64().unwrap();
    let c = reqwest::Client::new();
    let me = |app: &TestApp| c.get(app.url("/api/v1/auth/me")).bearer_auth(&token).send();
    assert_eq!(me(&a).await.unwrap().status(), 200);
    assert_eq!(me(&b).await.unwrap().status(), 200);
    let r = admin
        .delete(&format!("/api/v1/users/{id}/tokens/{token_id}"))
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(me(&a).await.unwrap().status(), 401, "the node that revoked");
    let started = std::time::Instant::now();
    while me(&b).await.unwrap().status() != 401 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the other node still accepts the revoked token"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// However many failures, an account never waits more than a minute
/// (someone else's failures cannot lock a user out), the attacker's own
/// address waits longer, and the store counts exactly as the pure rule
/// (`Backoff::fail`) on both databases.
#[tokio::test]
async fn an_attacker_cannot_lock_a_user_out() {
    use std::net::IpAddr;
    use time::Duration;
    use yingji::auth::throttle::{self, Failures, ACCOUNT, ADDRESS};
    for app in apps().await {
        let db = &app.state.db;
        let be = app.backend;
        let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let user: IpAddr = "198.51.100.7".parse().unwrap();
        let mut model: Option<Failures> = None;
        for i in 0..40 {
            let at = t0 + Duration::milliseconds(i);
            throttle::fail(db, "alice", attacker, at).await.unwrap();
            model = Some(ACCOUNT.fail(model, at));
        }
        let now = t0 + Duration::seconds(10);
        let wait = throttle::wait(db, "alice", user, now).await.unwrap();
        assert_eq!(
            wait,
            ACCOUNT.wait(model, now),
            "{be}: the store follows the rule"
        );
        assert!(wait <= Duration::seconds(60), "{be}: {wait}");
        let later = t0 + Duration::seconds(71);
        assert_eq!(
            throttle::wait(db, "alice", user, later).await.unwrap(),
            Duration::ZERO,
            "{be}"
        );
        // The attacker's address waits longer than the account does.
        let a = throttle::wait(db, "bob", attacker, now).await.unwrap();
        assert!(a > Duration::seconds(60), "{be}: {a}");
        assert!(a <= Duration::seconds(ADDRESS.cap_secs), "{be}: {a}");
        // Another user from another address is untouched.
        assert_eq!(
            throttle::wait(db, "bob", user, now).await.unwrap(),
            Duration::ZERO,
            "{be}"
        );
        // Names are compared trimmed and case-insensitively.
        assert!(
            throttle::wait(db, " ALICE ", user, now).await.unwrap() > Duration::ZERO,
            "{be}"
        );
        // A count is forgotten 15 minutes after its last failure: the next
        // failure starts again at 1 (free), as the rule says.
        let fresh = t0 + Duration::minutes(16);
        throttle::fail(db, "alice", user, fresh).await.unwrap();
        assert_eq!(
            throttle::wait(db, "alice", user, fresh).await.unwrap(),
            ACCOUNT.wait(Some(ACCOUNT.fail(model, fresh)), fresh),
            "{be}"
        );
        assert_eq!(
            throttle::wait(db, "alice", user, fresh).await.unwrap(),
            Duration::ZERO,
            "{be}"
        );
        throttle::succeed(db, "alice", user).await.unwrap();
        assert_eq!(
            throttle::wait(db, "alice", user, now).await.unwrap(),
            Duration::ZERO,
            "{be}"
        );
    }
}
