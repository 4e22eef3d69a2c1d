mod common;
use common::*;
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

#[tokio::test]
async fn bad_credentials_and_lockout() {
    for app in apps().await {
        let c = reqwest::Client::new();
        let try_login = |pw: &str| {
            c.post(app.url("/api/v1/auth/login"))
                .json(&json!({ "username": "observer", "password": pw }))
                .send()
        };
        for _ in 0..4 {
            let r = try_login("wrong").await.unwrap();
            assert_eq!(r.status(), 401);
            let p: serde_json::Value = r.json().await.unwrap();
            assert_eq!(p["key"], "bad_credentials");
        }
        assert_eq!(try_login("wrong").await.unwrap().status(), 401); // 5th failure locks
        let r = try_login(PASSWORD).await.unwrap();
        assert_eq!(
            r.status(),
            429,
            "{}: locked even with the right password",
            app.backend
        );
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["key"], "throttled");
        // Unknown users get the same answer as wrong passwords.
        let r = c
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "username": "nobody", "password": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
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
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
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
