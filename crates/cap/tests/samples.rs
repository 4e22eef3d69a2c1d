//! Every sample in `tests/data/` gets its expected verdict.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_cap::{analyze, parse, to_xml, validate, validate_alert, CapVersion, ParseError};

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn codes(name: &str) -> Vec<String> {
    validate(&data(name))
        .errors()
        .map(|p| format!("{} {}", p.code, p.path))
        .collect()
}

#[test]
fn valid_cap12_samples() {
    for name in [
        "google-australia.cap",
        "google-canada.cap",
        "google-wcatwc-warning.cap",
    ] {
        let report = validate(&data(name));
        assert_eq!(report.version, CapVersion::V1_2, "{name}");
        assert!(report.is_valid(), "{name}: {report}");
        let doc = parse(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.version, CapVersion::V1_2);
        // Canonical output re-reads to the same alert and stays valid.
        let xml = to_xml(&doc.alert);
        assert_eq!(parse(xml.as_bytes()).unwrap().alert, doc.alert, "{name}");
        let again = validate_alert(&doc.alert);
        assert!(again.is_valid(), "{name}: {again}");
    }
}

#[test]
fn valid_cap11_samples() {
    for name in [
        "google-earthquake.cap",
        "google-weather.cap",
        "google-no_optional_fields.cap",
    ] {
        let report = validate(&data(name));
        assert_eq!(report.version, CapVersion::V1_1, "{name}");
        assert!(report.is_valid(), "{name}: {report}");
        // Read as 1.1, converted to 1.2, valid as 1.2.
        let doc = parse(&data(name)).unwrap();
        assert_eq!(doc.version, CapVersion::V1_1);
        let as12 = validate_alert(&doc.alert);
        assert!(as12.is_valid(), "{name} as 1.2: {as12}");
        assert!(to_xml(&doc.alert).contains("urn:oasis:names:tc:emergency:cap:1.2"));
    }
}

#[test]
fn invalid_missing_scope() {
    let report = validate(&data("google-invalid.cap"));
    assert_eq!(report.version, CapVersion::V1_2);
    assert!(!report.is_valid());
    assert_eq!(codes("google-invalid.cap"), ["missing-element alert/scope"]);
    match parse(&data("google-invalid.cap")) {
        Err(ParseError::Invalid(problems)) => {
            assert_eq!(problems[0].path, "alert/scope");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn invalid_empty_references() {
    let report = validate(&data("google-canada_errors.cap"));
    assert_eq!(report.version, CapVersion::V1_2);
    assert_eq!(
        codes("google-canada_errors.cap"),
        ["references-empty alert/references"]
    );
    // Still readable: the empty element reads as no references.
    assert!(parse(&data("google-canada_errors.cap"))
        .unwrap()
        .alert
        .references
        .is_empty());
}

#[test]
fn invalid_cap11_noaa() {
    let report = validate(&data("google-noaa_errors.cap"));
    assert_eq!(report.version, CapVersion::V1_1);
    let c = codes("google-noaa_errors.cap");
    for expected in [
        "references-empty alert/references",
        "invalid-enum alert/info[0]/urgency",
        "invalid-enum alert/info[0]/severity",
        "invalid-enum alert/info[0]/certainty",
        "polygon-format alert/info[0]/area[0]/polygon[0]",
        "polygon-too-few-points alert/info[0]/area[0]/polygon[1]",
    ] {
        assert!(
            c.iter().any(|x| x == expected),
            "{expected} missing from {c:?}"
        );
    }
    assert!(parse(&data("google-noaa_errors.cap")).is_err());
}

#[test]
fn hostile_xee() {
    let a = analyze(&data("google-xee.cap"));
    assert!(!a.report.is_valid());
    assert_eq!(a.report.problems.len(), 1);
    assert_eq!(a.report.problems[0].code, "doctype-forbidden");
    assert!(matches!(a.document, Err(ParseError::Doctype)));
    assert!(a.document.unwrap_err().is_hostile());
}

#[test]
fn xee_without_doctype_still_flags_unknown_elements() {
    // Strip the DOCTYPE: the undefined entity &xxe; is refused too.
    let text = String::from_utf8(data("google-xee.cap")).unwrap();
    let start = text.find("<!DOCTYPE").unwrap();
    let end = text.find("]>").unwrap() + 2;
    let no_dtd = format!("{}{}", &text[..start], &text[end..]);
    assert!(matches!(parse(no_dtd.as_bytes()), Err(ParseError::Entity(e)) if e == "xxe"));
    // And without the entity references, the foreign/unknown elements are reported.
    let clean = no_dtd.replace("&xxe;", "");
    let report = validate(clean.as_bytes());
    let c: Vec<_> = report
        .errors()
        .map(|p| (p.code.as_str(), p.path.as_str()))
        .collect();
    assert!(c.contains(&("unknown-element", "alert/x")), "{report}");
    assert!(c.contains(&("foreign-element", "alert/y")), "{report}");
}

#[test]
fn summaries_render() {
    let doc = parse(&data("google-canada.cap")).unwrap();
    let s = yingji_cap::summary(&doc.alert);
    assert!(
        s.starts_with("CAP alert 2.49.0.1.124.6bddbc91.2012\n"),
        "{s}"
    );
    assert!(s.contains("Info 2/2 [fr-CA]: orages"), "{s}");
    assert!(
        s.contains("References: cap@ec.gc.ca,2.49.0.1.124.a3f342a4.2012,2012-05-02T21:45:05-00:00")
    );
    assert!(s.contains("Area: Windsor - Leamington - Essex County (polygon of 17 points"));
}

#[test]
fn report_json() {
    let report = validate(&data("google-invalid.cap"));
    let v: serde_json::Value = serde_json::to_value(&report).unwrap();
    assert_eq!(v["version"], "1.2");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"], 1);
    let p = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["level"] == "error")
        .unwrap();
    assert_eq!(p["path"], "alert/scope");
    assert_eq!(p["code"], "missing-element");
}
