//! The probe's matrix, generated from the OpenAPI document: every endpoint
//! × every role, so that a new endpoint without authentication, or one that
//! lets a read-only role write, fails here without anyone writing a test
//! for it.

use crate::common::*;
use serde_json::{json, Value};

/// Endpoints meant to answer without a login.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/public/cap/feed.atom"),
    ("get", "/api/v1/public/cap/{file}"),
    // The wall display's token, in the body, is its credential (a wrong or
    // missing token answers 401, an empty body 422).
    ("post", "/api/v1/display/open"),
];

/// What an enterprise user may read: the registries (their own enterprise
/// and hazard sources, and the public kinds), the divisions, the map
/// settings and themselves. Everything else answers 403 (or 404).
const ENTERPRISE_READS: &[&str] = &[
    "/api/v1/registries",
    "/api/v1/divisions",
    "/api/v1/map/config",
    // The offline base layer: the road graph (public OpenStreetMap data).
    "/api/v1/map/roads",
    "/api/v1/auth/me",
    // The nearest teams, equipment, warehouses, shelters: a registry read
    // ranked by travel time, under the registries' own rights.
    "/api/v1/dispatch/nearest",
    // Their own enterprise's risk points and hazards (self-reporting).
    "/api/v1/supervision",
    // 通讯录: a view over the registries under their own rights (the
    // personal-data kinds left out; `directory.rs` checks it).
    "/api/v1/directory",
    // 地点搜索: divisions and located registry records under their own
    // rights, like the directory.
    "/api/v1/places",
    // 双报告: their own enterprise's accident reports.
    "/api/v1/accidents/unit-reports",
];

/// Queries that make a request valid, so that what answers is the
/// authorization and not the input check.
const QUERIES: &[(&str, &str)] = &[
    (
        "/api/v1/routing/route",
        "?from=40.08,113.30&to=40.10,113.35",
    ),
    ("/api/v1/routing/isochrone", "?from=40.08,113.30&minutes=10"),
    ("/api/v1/dispatch/nearest", "?at=40.08,113.30&kind=team"),
    ("/api/v1/supplies/flow", "?incident_id=1"),
    ("/api/v1/places", "?q=%E5%B9%B3%E5%9F%8E"),
    ("/api/v1/divisions/at", "?lon=113.3&lat=40.08"),
    (
        "/api/v1/incidents/duplicates",
        "?incident_type=natural.fire.forest&lon=113.3&lat=40.08",
    ),
    ("/api/v1/supplies/card", "?warehouse_id=1&item_id=1"),
    ("/api/v1/supplies/card/export", "?warehouse_id=1&item_id=1"),
];

/// A concrete path for a templated one.
fn fill(path: &str) -> String {
    let query = QUERIES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or("", |(_, q)| *q);
    let path = path
        .replace("{kind}", "team")
        .replace("{code}", "DT-ZT-01")
        .replace("{day}", "2026-12-07")
        .replace("{file}", "1.xml")
        .replace("{name}", "none")
        .replace("{n}", "1")
        .replace("{decision_id}", "1")
        .replace("{id}", "1");
    format!("{path}{query}")
}

/// Every (method, path) of the OpenAPI document.
async fn operations(app: &TestApp) -> Vec<(String, String)> {
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    assert!(
        out.len() > 90,
        "the OpenAPI document lists {} operations",
        out.len()
    );
    out
}

async fn probe(u: Option<&User>, app: &TestApp, method: &str, path: &str) -> u16 {
    let client = match u {
        Some(u) => u.client.clone(),
        None => reqwest::Client::new(),
    };
    let url = app.url(&fill(path));
    let req = match method {
        "get" => client.get(url),
        "post" => client.post(url).json(&json!({})),
        "put" => client.put(url).json(&json!({})),
        "patch" => client.patch(url).json(&json!({})),
        "delete" => client.delete(url),
        _ => unreachable!(),
    };
    let r = req
        .header("x-requested-with", "yingji")
        .timeout(std::time::Duration::from_secs(10));
    // The live feed is a stream: its status is all this test reads.
    r.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test]
async fn every_endpoint_needs_a_login_and_read_only_roles_never_write() {
    for app in apps().await {
        let b = app.backend;
        let ops = operations(&app).await;
        let observer = app.login("observer").await;
        let mut failures = Vec::new();
        for (method, path) in &ops {
            let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
            if !public {
                let st = probe(None, &app, method, path).await;
                if st != 401 {
                    failures.push(format!("anonymous {method} {path}: {st}, want 401"));
                }
            }
            if method != "get" && !public {
                let st = probe(Some(&observer), &app, method, path).await;
                if (200..300).contains(&st) || st >= 500 || st == 0 {
                    failures.push(format!("observer {method} {path}: {st}"));
                }
            }
        }
        assert!(failures.is_empty(), "{b}:\n{}", failures.join("\n"));
    }
}

#[tokio::test]
async fn the_enterprise_role_reads_only_what_it_is_meant_to() {
    for app in apps().await {
        let b = app.backend;
        app.add_user(
            "qiye",
            yingji::auth::Role::Enterprise,
            "140214",
            "enterprise:1",
        )
        .await;
        let qiye = app.login("qiye").await;
        let mut failures = Vec::new();
        for (method, path) in operations(&app).await {
            if method != "get" || PUBLIC.contains(&(method.as_str(), path.as_str())) {
                continue;
            }
            let allowed = ENTERPRISE_READS.iter().any(|p| path.starts_with(p));
            let st = probe(Some(&qiye), &app, &method, &path).await;
            if !allowed && !matches!(st, 403 | 404) {
                failures.push(format!("enterprise {method} {path}: {st}, want 403"));
            }
        }
        // Personal-data kinds are closed to the role altogether.
        for kind in ["subscriber", "expert", "settlement", "contact"] {
            for suffix in ["", "/layer", "/export?format=csv"] {
                let path = format!("/api/v1/registries/{kind}{suffix}");
                let st = qiye.get(&path).await.status().as_u16();
                if st != 403 {
                    failures.push(format!("enterprise get {path}: {st}, want 403"));
                }
            }
        }
        assert!(failures.is_empty(), "{b}:\n{}", failures.join("\n"));
    }
}
