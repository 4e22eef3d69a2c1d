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
