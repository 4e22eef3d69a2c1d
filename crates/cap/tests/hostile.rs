//! Hostile input fails fast, with a bounded amount of work and memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use yingji_cap::{parse, parse_with, validate, Limits, ParseError};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// Runs `f`, asserting it returns within a (generous, debug-build) deadline.
fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "{what} took {took:?}");
    out
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let mut doc = String::from(HEAD);
    doc.push_str("<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{prev};").repeat(10);
        doc.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    doc.push_str(&format!(
        "]>\n<alert xmlns=\"{NS}\"><identifier>&lol9;</identifier></alert>"
    ));
    let r = quick("billion laughs", || parse(doc.as_bytes()));
    assert_eq!(r, Err(ParseError::Doctype));
    let report = validate(doc.as_bytes());
    assert_eq!(report.problems[0].code, "doctype-forbidden");
}

#[test]
fn external_entity_is_refused() {
    let doc = format!(
        "{HEAD}<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><alert xmlns=\"{NS}\"><identifier>&xxe;</identifier></alert>"
    );
    assert_eq!(parse(doc.as_bytes()), Err(ParseError::Doctype));
    // Without a DTD the reference is simply undefined, and refused.
    let doc = format!("{HEAD}<alert xmlns=\"{NS}\"><identifier>&xxe;</identifier></alert>");
    assert_eq!(parse(doc.as_bytes()), Err(ParseError::Entity("xxe".into())));
    let doc = format!("{HEAD}<alert xmlns=\"{NS}\" a=\"&xxe;\"/>");
    assert_eq!(parse(doc.as_bytes()), Err(ParseError::Entity("xxe".into())));
}

#[test]
fn deep_nesting_stops_at_the_limit() {
    let n = 1_000_000;
    let doc = format!("{HEAD}<alert xmlns=\"{NS}\">{}", "<a>".repeat(n));
    let r = quick("deep nesting", || parse(doc.as_bytes()));
    assert_eq!(r, Err(ParseError::TooDeep { limit: 32 }));
    let report = validate(doc.as_bytes());
    assert_eq!(report.problems[0].code, "too-deep");
}

#[test]
fn fifty_megabyte_blob_is_refused_by_size() {
    let mut doc = format!("{HEAD}<alert xmlns=\"{NS}\"><note>").into_bytes();
    doc.resize(50 * 1024 * 1024, b'A');
    doc.extend_from_slice(b"</note></alert>");
    let r = quick("50 MB blob", || parse(&doc));
    assert!(matches!(r, Err(ParseError::TooLarge { limit, .. }) if limit == 8 * 1024 * 1024));
    // With the size limit raised, the per-element text limit still holds.
    let limits = Limits {
        max_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let r = quick("50 MB text", || parse_with(&doc, &limits));
    assert_eq!(
        r,
        Err(ParseError::TextTooLong {
            limit: 4 * 1024 * 1024
        })
    );
}

#[test]
fn fifty_megabyte_cdata_is_refused() {
    let mut doc = format!("{HEAD}<alert xmlns=\"{NS}\"><note><![CDATA[").into_bytes();
    doc.resize(50 * 1024 * 1024, b'B');
    doc.extend_from_slice(b"]]></note></alert>");
    let limits = Limits {
        max_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let r = quick("50 MB CDATA", || parse_with(&doc, &limits));
    assert_eq!(
        r,
        Err(ParseError::TextTooLong {
            limit: 4 * 1024 * 1024
        })
    );
}

#[test]
fn element_flood_stops_at_the_limit() {
    let doc = format!(
        "{HEAD}<alert xmlns=\"{NS}\">{}</alert>",
        "<code/>".repeat(1_000_000)
    );
    let r = quick("element flood", || parse(doc.as_bytes()));
    assert_eq!(r, Err(ParseError::TooManyElements { limit: 100_000 }));
}

#[test]
fn attribute_flood_stops_at_the_limit() {
    let attrs: String = (0..200_000).map(|i| format!(" a{i}=\"\"")).collect();
    let doc = format!("{HEAD}<alert xmlns=\"{NS}\"{attrs}/>");
    let r = quick("attribute flood", || parse(doc.as_bytes()));
    assert_eq!(r, Err(ParseError::TooManyAttributes { limit: 64 }));
}

#[test]
fn namespace_declaration_flood_fails_fast() {
    let attrs: String = (0..200_000)
        .map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\""))
        .collect();
    let doc = format!("{HEAD}<alert xmlns=\"{NS}\"{attrs}/>");
    let r = quick("namespace flood", || parse(doc.as_bytes()));
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn text_fragment_flood_is_bounded() {
    // Many small entity references add up to the text limit, not beyond it.
    let doc = format!(
        "{HEAD}<alert xmlns=\"{NS}\"><note>{}</note></alert>",
        "&amp;".repeat(1_500_000)
    );
    let r = quick("reference flood", || parse(doc.as_bytes()));
    assert!(
        r.is_ok() || matches!(r, Err(ParseError::Invalid(_))),
        "{r:?}"
    );
    let limits = Limits {
        max_text_bytes: 1000,
        ..Limits::default()
    };
    let r = quick("reference flood", || parse_with(doc.as_bytes(), &limits));
    assert_eq!(r, Err(ParseError::TextTooLong { limit: 1000 }));
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let cases: &[&[u8]] = &[
        b"",
        b"   ",
        b"<",
        b"<alert",
        b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>",
        b"<alert></alerts>",
        b"</alert>",
        b"<?xml version='1.0'?>",
        b"<alert/><alert/>",
        b"text<alert/>",
        b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>\x00</alert>",
        b"<a:alert/>",
        b"<alert a='1' a='2'/>",
        b"<!-- unterminated",
        b"<![CDATA[x]]>",
        b"\xFF\xFE<\x00",
        b"<?xml version='1.0' encoding='UTF-16'?><alert/>",
        b"<?xml version='1.0' encoding='x-unknown'?><alert/>",
    ];
    for c in cases {
        let r = parse(c);
        assert!(r.is_err(), "{:?} parsed: {r:?}", String::from_utf8_lossy(c));
        let report = validate(c);
        assert!(!report.is_valid(), "{:?}", String::from_utf8_lossy(c));
    }
}

#[test]
fn not_cap_roots() {
    assert!(matches!(parse(b"<html/>"), Err(ParseError::NotCap { .. })));
    assert!(matches!(
        parse(b"<alert xmlns='urn:example'/>"),
        Err(ParseError::NotCap { found }) if found == "{urn:example}alert"
    ));
    assert!(matches!(
        parse(b"<alert xmlns='http://www.incident.com/cap/1.0'/>"),
        Err(ParseError::UnsupportedVersion(_))
    ));
}
