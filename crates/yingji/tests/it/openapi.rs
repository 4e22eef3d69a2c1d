//! The web UI's API types are generated from the OpenAPI document checked in
//! as `web/src/api/openapi.json`; this test fails when the code's document
//! has moved on without it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[test]
fn checked_in_openapi_document_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/api/openapi.json");
    let current = yingji::server::openapi_json().expect("the OpenAPI document serialises");
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make api` to generate it", path.display()));
    if checked_in != current {
        let line = checked_in
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || checked_in.lines().count().min(current.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "web/src/api/openapi.json is stale (first difference at line {line}): \
             run `make api` to regenerate it and web/src/api/schema.d.ts, then commit both"
        );
    }
}

/// Schema names are global in the document: two `ToSchema` types with the
/// same name hide one another (one handler's body is then described by the
/// other's). Name them apart, or rename with `#[schema(as = …)]`.
#[test]
fn schema_names_are_unique() {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].starts_with("#[derive(") {
                i += 1;
                continue;
            }
            // The derive, possibly over several lines.
            let mut derive = String::new();
            while i < lines.len() {
                derive.push_str(lines[i]);
                i += 1;
                if derive.contains(")]") {
                    break;
                }
            }
            if !derive.contains("ToSchema") {
                continue;
            }
            let mut renamed = None;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if let Some(rest) = l.strip_prefix("#[schema(as = ") {
                    let path = rest.split([')', ',']).next().unwrap_or("");
                    renamed = path.rsplit("::").next().map(|s| s.trim().to_string());
                } else if let Some(item) = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| l.strip_prefix(k))
                {
                    let ident: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let place = f.strip_prefix(&src).unwrap_or(f).display().to_string();
                    names
                        .entry(renamed.take().unwrap_or(ident))
                        .or_default()
                        .push(place);
                    break;
                }
            }
        }
    }
    assert!(names.len() > 100, "found only {} schemas", names.len());
    let clashes: Vec<String> = names
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(n, at)| format!("{n}: {}", at.join(", ")))
        .collect();
    assert!(
        clashes.is_empty(),
        "schema names used twice (rename with #[schema(as = …)]): {clashes:?}"
    );
}

/// Every route the API serves is in the OpenAPI document, so that the
/// role × jurisdiction matrix (`matrix.rs`, generated from the document)
/// probes every endpoint. A module registers its routes with
/// `utoipa_axum::routes!(handler, …)` on its `OpenApiRouter`, which takes the
/// path and method from the handler's `#[utoipa::path]`: this test fails
/// when a route is registered by hand (`.route("…", …)`), outside the
/// document. The demo's stand-in gateway (`demo/gateway.rs`, its own server)
/// and test modules are not the API.
#[test]
fn no_route_is_registered_outside_the_document() {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 100, "found only {} source files", files.len());
    let mut by_hand = Vec::new();
    let mut registered = 0;
    for f in &files {
        let place = f.strip_prefix(&src).unwrap_or(f).display().to_string();
        if place == "demo/gateway.rs" {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read source");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        registered += code.matches("routes!(").count();
        // `.route(` or `.nest(` with a path literal (on the same line or the
        // next), and any `.route_service(` / `.nest_service(`.
        for k in [".route(", ".nest(", ".route_service(", ".nest_service("] {
            for (at, _) in code.match_indices(k) {
                let rest = code[at + k.len()..].trim_start();
                if k.ends_with("service(") || rest.starts_with('"') {
                    let line = code[..at].lines().count();
                    let shown: String = code[at..].chars().take(60).collect();
                    by_hand.push(format!("{place}:{line}: {shown}"));
                }
            }
        }
    }
    assert!(
        registered > 150,
        "only {registered} routes!(…) registrations"
    );
    assert!(
        by_hand.is_empty(),
        "routes registered by hand, outside the OpenAPI document (use routes!(handler) on the module's OpenApiRouter): {by_hand:#?}"
    );
}

/// The other half: on every documented path, the methods served are the
/// documented ones (a `routes!(a, b)` of handlers on different paths would
/// serve each handler on both). An undocumented method answers 405.
#[tokio::test]
async fn every_path_serves_exactly_its_documented_methods() {
    use crate::common::*;
    let app = TestApp::start(None).await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 150, "only {} paths", paths.len());
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for (path, item) in paths {
        let url = app.url(
            &path
                .replace("{kind}", "team")
                .replace("{file}", "1.xml")
                .replace("{day}", "2026-12-07")
                .split('{')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_string()
                    } else {
                        format!("1{}", part.split_once('}').map_or("", |x| x.1))
                    }
                })
                .collect::<String>(),
        );
        for method in ["get", "post", "put", "patch", "delete"] {
            let documented = item.get(method).is_some();
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let st = client
                .request(m, &url)
                .header("x-requested-with", "yingji")
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            if documented == (st == 405) {
                wrong.push(format!("{method} {path}: {st} (documented: {documented})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
