//! Hostile or malformed requests answer problem JSON with the field named,
//! never a dropped connection or a 500; the app's security headers.

use crate::common::*;
use serde_json::{json, Value};

async fn problem(r: reqwest::Response) -> (u16, Value) {
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, "application/problem+json", "status {}", r.status());
    send(r).await
}

#[tokio::test]
async fn bad_input_gets_problem_json_on_both_databases() {
    for app in apps().await {
        let b = app.backend;
        let c = app.login("commander").await;

        // A date past the platform's years was a panic (dropped connection).
        let (st, p) = problem(c.get("/api/v1/duty/shifts?from=9999-12-31").await).await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "from", "{b}: {p}");
        let (st, _) = problem(c.get("/api/v1/duty/shifts?from=1899-12-31").await).await;
        assert_eq!(st, 422, "{b}");
        assert_eq!(
            c.get("/api/v1/duty/shifts?from=2026-12-07").await.status(),
            200
        );

        // A NUL character in a JSON body: 422 naming the field (PostgreSQL
        // answered 500), and nothing written.
        let mut body = body(&app, "team", "NUL\u{0}队", "140213");
        let (st, p) = problem(c.post("/api/v1/registries/team", &body).await).await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "name", "{b}: {p}");
        body["name"] = json!("正常队伍");
        body["attrs"]["note"] = json!("x\u{0}");
        let (st, p) = problem(c.post("/api/v1/registries/team", &body).await).await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "attrs.note", "{b}: {p}");
        let list: Value = c.get("/api/v1/registries/team").await.json().await.unwrap();
        assert_eq!(list["total"], 0, "{b}: {list}");

        // A NUL in the query string or the path.
        let (st, p) = problem(c.get("/api/v1/registries/team?q=a%00b").await).await;
        assert_eq!(st, 422, "{b}: {p}");
        let (st, _) = problem(c.get("/api/v1/registries/te%00am").await).await;
        assert_eq!(st, 400, "{b}");

        // Text over the generic limit.
        body["attrs"] = sample_attrs("team");
        body["name"] = json!("长".repeat(20_001));
        let (st, p) = problem(c.post("/api/v1/registries/team", &body).await).await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "name", "{b}: {p}");

        // A JSON body over the limit is 413 problem JSON, not a 422.
        body["name"] = json!("x".repeat(3 * 1024 * 1024));
        let (st, p) = problem(c.post("/api/v1/registries/team", &body).await).await;
        assert_eq!(st, 413, "{b}: {p}");
        assert_eq!(p["key"], "too_large", "{b}: {p}");

        // A wrong type names the path of the field.
        let mut bad = body.clone();
        bad["name"] = json!("好队");
        bad["lon"] = json!("east");
        let (st, p) = problem(c.post("/api/v1/registries/team", &bad).await).await;
        assert_eq!(st, 422, "{b}: {p}");
        assert_eq!(p["errors"][0]["field"], "lon", "{b}: {p}");

        // Not JSON at all.
        let r = c
            .client
            .post(app.url("/api/v1/registries/team"))
            .header("x-requested-with", "yingji")
            .header("content-type", "text/plain")
            .body("name=x")
            .send()
            .await
            .unwrap();
        let (st, _) = problem(r).await;
        assert_eq!(st, 422, "{b}");

        // Framework answers are problem JSON too: a bad path id, a method
        // not allowed, an unknown API route.
        let (st, p) = problem(c.get("/api/v1/incidents/abc").await).await;
        assert_eq!(st, 400, "{b}: {p}");
        assert_eq!(p["key"], "bad_request", "{b}: {p}");
        let (st, p) = problem(c.delete("/api/v1/registries").await).await;
        assert_eq!(st, 405, "{b}: {p}");
        let (st, _) = problem(c.get("/api/v1/no-such-thing").await).await;
        assert_eq!(st, 404, "{b}");
    }
}

#[tokio::test]
async fn security_headers_and_cookie_flags() {
    let app = TestApp::start(None).await;
    for path in ["/", "/api/v1/auth/me", "/healthz"] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        let csp = r
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
    }

    let login = |app: &TestApp| {
        let url = app.url("/api/v1/auth/login");
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .json(&json!({ "username": "commander", "password": PASSWORD }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        }
    };
    // Plain HTTP on loopback (the demo, the tests): no `Secure`, else the
    // browser would drop the cookie.
    let cookie = login(&app).await;
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    // Explicitly behind TLS: `Secure`.
    let tls = TestApp::start_with(None, |c| c.secure_cookies = Some(true)).await;
    let cookie = login(&tls).await;
    assert!(cookie.contains("; Secure"), "{cookie}");

    // The default for a non-loopback listen address is `Secure`.
    let mut c = yingji::Config::default();
    assert!(!c.cookies_secure());
    c.listen = "0.0.0.0:8080".parse().unwrap();
    assert!(c.cookies_secure());
    c.secure_cookies = Some(false);
    assert!(!c.cookies_secure());
}

/// A valid 1×1 PNG padded to `size` bytes.
fn png(size: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82");
    v.resize(size, 0);
    v
}

#[tokio::test]
async fn exports_are_rate_limited_and_attachments_have_a_quota() {
    for b in backends().await {
        let app = TestApp::start_with(b, |c| {
            c.exports_per_hour = 2;
            c.attachment_quota_mb = 1;
        })
        .await;
        let be = app.backend;
        let c = app.login("commander").await;
        let o = app.login("observer").await;
        for _ in 0..2 {
            let r = c.get("/api/v1/registries/shelter/export?format=csv").await;
            assert_eq!(r.status(), 200, "{be}");
        }
        let (st, p) = problem(c.get("/api/v1/registries/shelter/export?format=csv").await).await;
        assert_eq!(st, 429, "{be}: {p}");
        assert_eq!(p["key"], "throttled", "{be}: {p}");
        // Other exports of the same user count too; other users do not.
        let (st, _) = problem(c.get("/api/v1/duty/log/export").await).await;
        assert_eq!(st, 429, "{be}");
        let r = o.get("/api/v1/registries/shelter/export?format=csv").await;
        assert_eq!(r.status(), 200, "{be}");
        // Reads other than exports are not limited.
        assert_eq!(c.get("/api/v1/registries/shelter").await.status(), 200);

        // 1 MB per user: a second 600 KB photo does not fit, nothing stored.
        let pc = app.login("pingcheng").await;
        let r = pc
            .upload("/api/v1/attachments", "a.png", png(600_000))
            .await;
        assert_eq!(r.status(), 201, "{be}");
        let (st, p) = problem(
            pc.upload("/api/v1/attachments", "b.png", png(600_000))
                .await,
        )
        .await;
        assert_eq!(st, 413, "{be}: {p}");
        assert_eq!(p["key"], "quota_exceeded", "{be}: {p}");
        // Another user's quota is their own.
        let r = app
            .login("yunzhou")
            .await
            .upload("/api/v1/attachments", "c.png", png(600_000))
            .await;
        assert_eq!(r.status(), 201, "{be}");
    }
}
