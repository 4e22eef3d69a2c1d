//! Schema structure and CAP §3 rules: each reported with its path, all at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_cap::{validate, validate_alert, CapVersion, Level, Report};

/// A valid CAP 1.2 message using every element; tests edit it textually.
const BASE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>11010241600000_20240729153126_0</identifier>
  <sender>bjmb@cma.gov.cn</sender>
  <sent>2024-07-29T15:31:26+08:00</sent>
  <status>Actual</status>
  <msgType>Update</msgType>
  <source>duty officer</source>
  <scope>Public</scope>
  <code>profile:CN:1.0</code>
  <note>test</note>
  <references>bjmb@cma.gov.cn,11010241600000_20240729120000_0,2024-07-29T12:00:00+08:00</references>
  <incidents>inc-1 "inc 2"</incidents>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <responseType>Prepare</responseType>
    <urgency>Expected</urgency>
    <severity>Minor</severity>
    <certainty>Likely</certainty>
    <audience>公众</audience>
    <eventCode><valueName>CMA</valueName><value>11B03</value></eventCode>
    <effective>2024-07-29T15:31:26+08:00</effective>
    <onset>2024-07-29T18:00:00+08:00</onset>
    <expires>2024-07-30T15:31:26+08:00</expires>
    <senderName>北京市气象台</senderName>
    <headline>北京市气象台发布暴雨蓝色预警信号</headline>
    <description>预计未来12小时有暴雨。</description>
    <instruction>注意防范。</instruction>
    <web>http://www.cma.gov.cn/</web>
    <contact>010-12121</contact>
    <parameter><valueName>colour</valueName><value>蓝色</value></parameter>
    <resource>
      <resourceDesc>图标</resourceDesc>
      <mimeType>image/png</mimeType>
      <size>1234</size>
      <uri>http://example.org/icon.png</uri>
      <digest>da39a3ee5e6b4b0d3255bfef95601890afd80709</digest>
    </resource>
    <area>
      <areaDesc>西城区</areaDesc>
      <polygon>39.9,116.3 39.9,116.4 40.0,116.4 39.9,116.3</polygon>
      <circle>39.91,116.37 5</circle>
      <geocode><valueName>GB/T 2260</valueName><value>110102000000</value></geocode>
      <altitude>100</altitude>
      <ceiling>200</ceiling>
    </area>
    <area>
      <areaDesc>东城区</areaDesc>
      <polygon>39.9,116.4 39.9,116.5 40.0,116.5 39.9,116.4</polygon>
    </area>
  </info>
</alert>
"#;

fn with(pairs: &[(&str, &str)]) -> Report {
    let mut doc = BASE.to_string();
    for (from, to) in pairs {
        assert!(doc.contains(from), "base has no {from:?}");
        doc = doc.replacen(from, to, 1);
    }
    validate(doc.as_bytes())
}

/// The (code, path) of every error.
fn errors(r: &Report) -> Vec<(String, String)> {
    r.errors()
        .map(|p| (p.code.clone(), p.path.clone()))
        .collect()
}

fn assert_only(r: &Report, expected: &[(&str, &str)]) {
    let got = errors(r);
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    assert_eq!(got, want, "{r}");
}

#[test]
fn base_is_valid_without_warnings() {
    let r = validate(BASE.as_bytes());
    assert_eq!(r.version, CapVersion::V1_2);
    assert!(r.is_valid(), "{r}");
    assert!(r.problems.is_empty(), "{r}");
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let r = with(&[
        ("<scope>Public</scope>", ""),
        ("<urgency>Expected</urgency>", "<urgency>Soon</urgency>"),
        (
            "39.9,116.4 39.9,116.5 40.0,116.5 39.9,116.4",
            "39.9,116.4 39.9,116.5 40.0,116.5",
        ),
        ("<ceiling>200</ceiling>", "<ceiling>50</ceiling>"),
        (
            "<sent>2024-07-29T15:31:26+08:00</sent>",
            "<sent>2024-07-29T07:31:26Z</sent>",
        ),
    ]);
    assert_only(
        &r,
        &[
            ("datetime-z", "alert/sent"),
            ("missing-element", "alert/scope"),
            ("invalid-enum", "alert/info[0]/urgency"),
            ("ceiling-below-altitude", "alert/info[0]/area[0]/ceiling"),
            ("polygon-too-few-points", "alert/info[0]/area[1]/polygon[0]"),
            ("polygon-not-closed", "alert/info[0]/area[1]/polygon[0]"),
        ],
    );
}

#[test]
fn order_is_checked_once() {
    let r = with(&[
        ("<status>Actual</status>", ""),
        (
            "<msgType>Update</msgType>",
            "<msgType>Update</msgType><status>Actual</status>",
        ),
    ]);
    assert_only(&r, &[("out-of-order", "alert/status")]);
    let r = with(&[
        (
            "<identifier>11010241600000_20240729153126_0</identifier>",
            "",
        ),
        (
            "<sent>",
            "<identifier>11010241600000_20240729153126_0</identifier><sent>",
        ),
    ]);
    assert_only(&r, &[("out-of-order", "alert/identifier")]);
}

#[test]
fn cardinality_and_unknown_elements() {
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Public</scope><scope>Public</scope>",
    )]);
    assert_only(&r, &[("too-many", "alert/scope[1]")]);
    let r = with(&[(
        "<note>test</note>",
        "<note>test</note><colour>blue</colour>",
    )]);
    assert_only(&r, &[("unknown-element", "alert/colour")]);
    let r = with(&[("<category>Met</category>", "")]);
    assert_only(&r, &[("missing-element", "alert/info[0]/category")]);
    let r = with(&[(
        "<category>Met</category>",
        "<category>Met</category><category>Fire</category>",
    )]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[("<areaDesc>东城区</areaDesc>", "")]);
    assert_only(&r, &[("missing-element", "alert/info[0]/area[1]/areaDesc")]);
    let r = with(&[("<mimeType>image/png</mimeType>", "")]);
    assert_only(
        &r,
        &[("missing-element", "alert/info[0]/resource[0]/mimeType")],
    );
    let r = with(&[(
        "<eventCode><valueName>CMA</valueName>",
        "<eventCode><valueName>CMA</valueName><valueName>X</valueName>",
    )]);
    assert_only(
        &r,
        &[("too-many", "alert/info[0]/eventCode[0]/valueName[1]")],
    );
}

#[test]
fn text_children_and_attributes() {
    let r = with(&[("<info>", "<info>stray text")]);
    assert_only(&r, &[("unexpected-text", "alert/info[0]")]);
    let r = with(&[("<note>test</note>", "<note>te<b>s</b>t</note>")]);
    assert_only(&r, &[("unexpected-child", "alert/note/b")]);
    let r = with(&[("<note>", "<note lang=\"zh\">")]);
    assert_only(&r, &[("unexpected-attribute", "alert/note")]);
    let r = with(&[(
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:oasis:names:tc:emergency:cap:1.2 cap.xsd\">",
    )]);
    assert!(r.is_valid(), "{r}");
}

#[test]
fn namespaces_and_prefixes() {
    let prefixed = BASE
        .replace("<alert xmlns=", "<c:alert xmlns:c=")
        .replace("</alert>", "</c:alert>")
        .replace("<info>", "<c:info>")
        .replace("</info>", "</c:info>");
    // Only alert and info are prefixed: the rest are in no namespace now.
    let r = validate(prefixed.as_bytes());
    assert!(r.has("foreign-element"), "{r}");
    // Fully prefixed is fine.
    let mut full = String::new();
    let mut rest = BASE;
    while let Some(i) = rest.find('<') {
        full.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.starts_with('/') {
            full.push_str("/cap:");
            rest = &rest[1..];
        } else if !rest.starts_with('?') {
            full.push_str("cap:");
        }
    }
    full.push_str(rest);
    let full = full.replace("xmlns=", "xmlns:cap=");
    let r = validate(full.as_bytes());
    assert!(r.is_valid(), "{r}");
    // No namespace at all.
    let r = validate(
        BASE.replace(" xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", "")
            .as_bytes(),
    );
    assert_eq!(r.version, CapVersion::Unknown);
    assert_only(&r, &[("missing-namespace", "alert")]);
    // A signature may follow the CAP elements.
    let r = with(&[(
        "</info>\n</alert>",
        "</info>\n<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo/></Signature></alert>",
    )]);
    assert!(r.is_valid(), "{r}");
}

#[test]
fn datetimes() {
    let r = with(&[(
        "<onset>2024-07-29T18:00:00+08:00</onset>",
        "<onset>2024-07-29T18:00:00</onset>",
    )]);
    assert_only(&r, &[("invalid-datetime", "alert/info[0]/onset")]);
    let r = with(&[(
        "<onset>2024-07-29T18:00:00+08:00</onset>",
        "<onset>2024-07-29T18:00:00.5+08:00</onset>",
    )]);
    assert_only(&r, &[("invalid-datetime", "alert/info[0]/onset")]);
    let r = with(&[(
        "<onset>2024-07-29T18:00:00+08:00</onset>",
        "<onset>2024-02-30T18:00:00+08:00</onset>",
    )]);
    assert_only(&r, &[("invalid-datetime", "alert/info[0]/onset")]);
    let r = with(&[(
        "<sent>2024-07-29T15:31:26+08:00</sent>",
        "<sent>2024-07-29T07:31:26+00:00</sent>",
    )]);
    assert!(r.is_valid());
    assert_eq!(
        r.warnings().next().map(|p| p.code.as_str()),
        Some("utc-plus-zero")
    );
    let r = with(&[(
        "<expires>2024-07-30T15:31:26+08:00</expires>",
        "<expires>2024-07-29T10:00:00+08:00</expires>",
    )]);
    assert!(r.is_valid());
    assert!(
        r.has("expires-before-effective") && r.has("expires-before-onset"),
        "{r}"
    );
}

#[test]
fn identifiers_and_senders() {
    let r = with(&[(
        "<identifier>11010241600000_20240729153126_0</identifier>",
        "<identifier>a b</identifier>",
    )]);
    assert_only(&r, &[("forbidden-character", "alert/identifier")]);
    let r = with(&[("<sender>bjmb@cma.gov.cn</sender>", "<sender>a,b</sender>")]);
    assert_only(&r, &[("forbidden-character", "alert/sender")]);
    let r = with(&[(
        "<sender>bjmb@cma.gov.cn</sender>",
        "<sender>a&amp;b</sender>",
    )]);
    assert_only(&r, &[("forbidden-character", "alert/sender")]);
    let r = with(&[(
        "<sender>bjmb@cma.gov.cn</sender>",
        "<sender>a&lt;b</sender>",
    )]);
    assert_only(&r, &[("forbidden-character", "alert/sender")]);
    let r = with(&[(
        "<identifier>11010241600000_20240729153126_0</identifier>",
        "<identifier/>",
    )]);
    assert_only(&r, &[("empty-value", "alert/identifier")]);
}

#[test]
fn scope_restriction_addresses() {
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Public</scope><restriction>staff only</restriction>",
    )]);
    assert_only(&r, &[("restriction-not-allowed", "alert/restriction")]);
    let r = with(&[("<scope>Public</scope>", "<scope>Restricted</scope>")]);
    assert_only(&r, &[("restriction-required", "alert/restriction")]);
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Restricted</scope><restriction>staff only</restriction>",
    )]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[("<scope>Public</scope>", "<scope>Private</scope>")]);
    assert_only(&r, &[("addresses-required", "alert/addresses")]);
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Private</scope><addresses>a@x \"b c@y\"</addresses>",
    )]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Private</scope><addresses>a@x \"b</addresses>",
    )]);
    assert_only(&r, &[("list-format", "alert/addresses")]);
    // An empty restriction with Public scope is no restriction (as in google-canada.cap).
    let r = with(&[(
        "<scope>Public</scope>",
        "<scope>Public</scope><restriction/>",
    )]);
    assert!(r.is_valid(), "{r}");
}

#[test]
fn references() {
    let refs = "bjmb@cma.gov.cn,11010241600000_20240729120000_0,2024-07-29T12:00:00+08:00";
    let r = with(&[(
        refs,
        "a,b,2024-07-29T12:00:00+08:00 c,d,2024-07-29T12:00:00+08:00",
    )]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[(refs, "a,b")]);
    assert_only(&r, &[("reference-format", "alert/references")]);
    let r = with(&[(refs, "a,b,yesterday c,d,2024-07-29T12:00:00Z")]);
    assert_eq!(r.errors().count(), 2, "{r}");
    let r = with(&[(refs, "")]);
    assert_only(&r, &[("references-empty", "alert/references")]);
    let r = with(&[(&format!("<references>{refs}</references>"), "")]);
    assert!(r.is_valid());
    assert!(r.has("references-missing"), "{r}");
}

#[test]
fn polygons_and_circles() {
    let poly = "39.9,116.3 39.9,116.4 40.0,116.4 39.9,116.3";
    let r = with(&[(poly, "39.9,116.3 39.9,116.4 39.9,116.3")]);
    assert_only(
        &r,
        &[("polygon-too-few-points", "alert/info[0]/area[0]/polygon[0]")],
    );
    let r = with(&[(poly, "39.9,116.3 39.9,116.4 40.0,116.4 39.9,116.5")]);
    assert_only(
        &r,
        &[("polygon-not-closed", "alert/info[0]/area[0]/polygon[0]")],
    );
    let r = with(&[(poly, "99.9,116.3 39.9,116.4 40.0,116.4 99.9,116.3")]);
    assert_only(
        &r,
        &[(
            "coordinate-out-of-range",
            "alert/info[0]/area[0]/polygon[0]",
        )],
    );
    let r = with(&[(poly, "39.9;116.3 39.9,116.4 40.0,116.4 39.9;116.3")]);
    assert_only(
        &r,
        &[("polygon-format", "alert/info[0]/area[0]/polygon[0]")],
    );
    let r = with(&[(poly, "116.3 39.9 116.4 39.9")]);
    assert_only(
        &r,
        &[("polygon-format", "alert/info[0]/area[0]/polygon[0]")],
    );
    let circle = "39.91,116.37 5";
    let r = with(&[(circle, "39.91,116.37")]);
    assert_only(&r, &[("circle-format", "alert/info[0]/area[0]/circle[0]")]);
    let r = with(&[(circle, "39.91,196.37 5")]);
    assert_only(
        &r,
        &[("coordinate-out-of-range", "alert/info[0]/area[0]/circle[0]")],
    );
    let r = with(&[(circle, "39.91,116.37 -5")]);
    assert_only(&r, &[("circle-radius", "alert/info[0]/area[0]/circle[0]")]);
    let r = with(&[(circle, "39.91,116.37 5km")]);
    assert_only(&r, &[("circle-format", "alert/info[0]/area[0]/circle[0]")]);
}

#[test]
fn altitude_and_ceiling() {
    let r = with(&[("<altitude>100</altitude>", "")]);
    assert_only(
        &r,
        &[("ceiling-without-altitude", "alert/info[0]/area[0]/ceiling")],
    );
    let r = with(&[("<ceiling>200</ceiling>", "<ceiling>100</ceiling>")]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[("<altitude>100</altitude>", "<altitude>1e2</altitude>")]);
    assert_only(&r, &[("invalid-decimal", "alert/info[0]/area[0]/altitude")]);
}

#[test]
fn info_values() {
    let r = with(&[("<language>zh-CN</language>", "<language>zh_CN</language>")]);
    assert_only(&r, &[("invalid-language", "alert/info[0]/language")]);
    // <web> empty or not absolute: a warning, not an error (the XSD types
    // it anyURI; real national feeds carry such values).
    for web in ["<web>www.cma.gov.cn</web>", "<web></web>", "<web/>"] {
        let r = with(&[("<web>http://www.cma.gov.cn/</web>", web)]);
        assert!(r.is_valid(), "{web}: {r}");
        let warned: Vec<(String, String)> = r
            .warnings()
            .map(|p| (p.code.clone(), p.path.clone()))
            .collect();
        assert_eq!(
            warned,
            vec![(
                "web-not-absolute".to_string(),
                "alert/info[0]/web".to_string()
            )],
            "{web}: {r}"
        );
    }
    let r = with(&[("<event>暴雨</event>", "<event> </event>")]);
    assert_only(&r, &[("empty-value", "alert/info[0]/event")]);
    let r = with(&[(
        "<responseType>Prepare</responseType>",
        "<responseType>AllClear</responseType>",
    )]);
    assert!(r.is_valid(), "{r}");
    let r = with(&[(
        "<certainty>Likely</certainty>",
        "<certainty>Very Likely</certainty>",
    )]);
    assert_only(&r, &[("invalid-enum", "alert/info[0]/certainty")]);
}

#[test]
fn resources() {
    let r = with(&[("<size>1234</size>", "<size>-1</size>")]);
    assert_only(&r, &[("invalid-size", "alert/info[0]/resource[0]/size")]);
    let r = with(&[("<size>1234</size>", "<size>12kB</size>")]);
    assert_only(&r, &[("invalid-integer", "alert/info[0]/resource[0]/size")]);
    let r = with(&[("da39a3ee5e6b4b0d3255bfef95601890afd80709", "not-hex")]);
    assert_only(&r, &[("digest-format", "alert/info[0]/resource[0]/digest")]);
    let r = with(&[("da39a3ee5e6b4b0d3255bfef95601890afd80709", "abcd")]);
    assert!(r.is_valid() && r.has("digest-not-sha1"), "{r}");
    let r = with(&[(
        "<uri>http://example.org/icon.png</uri>",
        "<uri>icon.png</uri><derefUri>aGVsbG8=</derefUri>",
    )]);
    assert!(r.is_valid() && r.problems.is_empty(), "{r}");
    let r = with(&[(
        "<uri>http://example.org/icon.png</uri>",
        "<uri>icon.png</uri><derefUri>not base64!</derefUri>",
    )]);
    assert_only(
        &r,
        &[("deref-uri-format", "alert/info[0]/resource[0]/derefUri")],
    );
    let r = with(&[("<mimeType>image/png</mimeType>", "<mimeType>png</mimeType>")]);
    assert!(r.is_valid() && r.has("mime-type-format"), "{r}");
}

#[test]
fn cap11_rules_differ_where_the_schemas_do() {
    let v11 = BASE.replace("cap:1.2", "cap:1.1");
    let r = validate(v11.as_bytes());
    assert_eq!(r.version, CapVersion::V1_1);
    assert!(r.is_valid(), "{r}");
    // 1.1 has no AllClear/Avoid, but has (deprecated) "Very Likely" and an optional mimeType.
    let r = validate(
        v11.replace("<responseType>Prepare", "<responseType>AllClear")
            .as_bytes(),
    );
    assert_only(&r, &[("invalid-enum", "alert/info[0]/responseType[0]")]);
    let r = validate(
        v11.replace("<certainty>Likely", "<certainty>Very Likely")
            .as_bytes(),
    );
    assert!(r.is_valid() && r.has("deprecated-value"), "{r}");
    let doc = yingji_cap::parse(
        v11.replace("<certainty>Likely", "<certainty>Very Likely")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(doc.alert.infos[0].certainty, yingji_cap::Certainty::Likely);
    let no_mime = v11.replace("<mimeType>image/png</mimeType>", "");
    assert!(validate(no_mime.as_bytes()).is_valid());
    let doc = yingji_cap::parse(no_mime.as_bytes()).unwrap();
    assert_eq!(
        doc.alert.infos[0].resources[0].mime_type,
        "application/octet-stream"
    );
}

#[test]
fn typed_alerts_are_validated_too() {
    let mut alert = yingji_cap::parse(BASE.as_bytes()).unwrap().alert;
    assert!(validate_alert(&alert).is_valid());
    alert.restriction = Some("staff".into());
    alert.identifier = "has space".into();
    alert.infos[0].areas[1].polygons[0].points.pop();
    alert.infos[0].categories.clear();
    alert.infos[0].headline = Some("bell\u{7}".into());
    let r = validate_alert(&alert);
    assert_eq!(r.version, CapVersion::V1_2);
    let e = errors(&r);
    for want in [
        ("invalid-character", "alert/info[0]/headline"),
        ("missing-element", "alert/info[0]/category"),
        ("forbidden-character", "alert/identifier"),
        ("restriction-not-allowed", "alert/restriction"),
        ("polygon-not-closed", "alert/info[0]/area[1]/polygon[0]"),
    ] {
        assert!(
            e.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {r}"
        );
    }
    assert!(r
        .problems
        .iter()
        .all(|p| p.level == Level::Error || p.code == "references-missing"));
}
