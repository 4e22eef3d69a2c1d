//! The web UI's API types are generated from the OpenAPI document checked in
//! as `web/src/api/openapi.json`; this test fails when the code's document
//! has moved on without it.

use std::path::PathBuf;

#[test]
fn checked_in_openapi_document_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/api/openapi.json");
    let current = yingji::http::openapi_json().expect("the OpenAPI document serialises");
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
