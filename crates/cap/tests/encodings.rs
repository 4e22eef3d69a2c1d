//! Declared legacy encodings and byte-order marks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_cap::{parse, validate, ParseError};

fn doc(decl: &str, event: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="{decl}"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>id-1</identifier>
  <sender>s@example.org</sender>
  <sent>2024-07-29T15:31:26+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Expected</urgency>
    <severity>Minor</severity>
    <certainty>Likely</certainty>
  </info>
</alert>"#
    )
}

#[test]
fn iso_8859_1() {
    let text = doc("ISO-8859-1", "Orage à Genève");
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    let d = parse(&bytes).unwrap();
    assert_eq!(d.encoding, "ISO-8859-1");
    assert_eq!(d.alert.infos[0].event, "Orage à Genève");
    assert!(validate(&bytes).is_valid());
}

#[test]
fn gbk_gb2312_gb18030() {
    for label in ["GBK", "gb2312", "GB18030"] {
        let text = doc(label, "暴雨蓝色预警");
        let enc = encoding_label(label);
        let (bytes, _, bad) = enc.encode(&text);
        assert!(!bad);
        let d = parse(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(d.alert.infos[0].event, "暴雨蓝色预警", "{label}");
        assert!(validate(&bytes).is_valid(), "{label}");
    }
    // A GB18030 four-byte sequence (U+20BB7 𠮷).
    let text = doc("GB18030", "𠮷");
    let (bytes, _, _) = encoding_label("GB18030").encode(&text);
    assert_eq!(parse(&bytes).unwrap().alert.infos[0].event, "𠮷");
}

fn encoding_label(label: &str) -> &'static encoding_rs::Encoding {
    encoding_rs::Encoding::for_label(label.as_bytes()).unwrap()
}

#[test]
fn utf16_with_bom_and_utf8_bom() {
    let text = doc("UTF-16", "台风");
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    assert_eq!(parse(&le).unwrap().alert.infos[0].event, "台风");
    assert_eq!(parse(&be).unwrap().alert.infos[0].event, "台风");
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend_from_slice(doc("UTF-8", "台风").as_bytes());
    assert_eq!(parse(&bom8).unwrap().encoding, "UTF-8");
}

#[test]
fn wrong_bytes_for_the_declared_encoding() {
    // Declared UTF-8, but GBK bytes.
    let src = doc("UTF-8", "暴雨");
    let (gbk, _, _) = encoding_label("GBK").encode(&src);
    assert!(matches!(parse(&gbk), Err(ParseError::Decode { .. })));
    let r = validate(&gbk);
    assert_eq!(r.problems[0].code, "bad-encoding");
    // Unknown label.
    let r = validate(doc("EBCDIC-klingon", "x").as_bytes());
    assert_eq!(r.problems[0].code, "unsupported-encoding");
}
