//! The Chinese profile: levels, division geocodes, identifiers, bilingual infos.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use yingji_cap::china::{
    bilingual, headline_zh, identifier, parse_identifier, profile_problems, DivisionCode, InfoText,
    IssuerCode, WarningLevel,
};
use yingji_cap::*;

fn sample() -> Alert {
    let sent = DateTime::parse("2024-07-29T15:31:26+08:00").unwrap();
    let issuer = IssuerCode::new("110102", "416").unwrap();
    let id = identifier(&issuer, &sent, 0).unwrap();
    let mut alert = Alert::new(
        id,
        "bjxch@cma.gov.cn",
        sent,
        Status::Actual,
        MsgType::Alert,
        Scope::Public,
    );
    let level = WarningLevel::Blue;
    let mut base = Info::new(
        Category::Met,
        "",
        Urgency::Expected,
        level.severity(),
        Certainty::Likely,
    );
    base.effective = Some(sent);
    base.expires = Some(DateTime::parse("2024-07-30T15:31:26+08:00").unwrap());
    base.event_codes.push(ValuePair::new("CMA", "11B03"));
    let mut area = Area::new("");
    area.geocodes
        .push(DivisionCode::parse("110102").unwrap().to_geocode());
    area.polygons.push(Polygon::new(vec![
        Point {
            lat: 39.9,
            lon: 116.3,
        },
        Point {
            lat: 39.9,
            lon: 116.4,
        },
        Point {
            lat: 40.0,
            lon: 116.4,
        },
        Point {
            lat: 39.9,
            lon: 116.3,
        },
    ]));
    base.areas.push(area);
    let zh = InfoText {
        event: "暴雨".into(),
        headline: Some(headline_zh("西城区气象台", "暴雨", level)),
        description: Some("预计未来12小时西城区将出现暴雨。".into()),
        instruction: Some("注意防范。".into()),
        sender_name: Some("北京市西城区气象台".into()),
        area_descs: vec!["西城区".into()],
    };
    let en = InfoText {
        event: "Rainstorm".into(),
        headline: Some("Xicheng Meteorological Observatory issues a blue rainstorm warning".into()),
        description: Some("Heavy rain expected within 12 hours.".into()),
        instruction: Some("Take precautions.".into()),
        sender_name: Some("Xicheng District Meteorological Observatory".into()),
        area_descs: vec!["Xicheng District".into()],
    };
    alert.infos.extend(bilingual(&base, &zh, &en));
    alert
}

#[test]
fn a_chinese_bilingual_alert_is_valid_cap_and_profile() {
    let alert = sample();
    assert_eq!(alert.identifier, "11010241600000_20240729153126_0");
    assert_eq!(alert.infos[0].language.as_deref(), Some("zh-CN"));
    assert_eq!(alert.infos[1].language.as_deref(), Some("en-US"));
    assert_eq!(alert.infos[0].areas[0].area_desc, "西城区");
    assert_eq!(alert.infos[1].areas[0].area_desc, "Xicheng District");
    assert_eq!(alert.infos[1].areas[0].geocodes[0].value, "110102000000");
    assert_eq!(
        alert.infos[0].headline.as_deref(),
        Some("西城区气象台发布暴雨蓝色预警信号")
    );
    let r = validate_alert(&alert);
    assert!(r.is_valid() && r.problems.is_empty(), "{r}");
    assert!(
        profile_problems(&alert).is_empty(),
        "{:?}",
        profile_problems(&alert)
    );
    let xml = to_xml(&alert);
    assert!(xml.contains("<valueName>GB/T 2260</valueName>"));
    assert_eq!(parse(xml.as_bytes()).unwrap().alert, alert);
    let s = summary(&alert);
    assert!(s.contains("预警级别: 蓝色预警 Ⅳ级/一般"), "{s}");
    assert!(s.contains("Info 2/2 [en-US]: Rainstorm"), "{s}");
    assert!(
        s.contains("Area: 西城区 (polygon of 4 points; GB/T 2260 110102000000)"),
        "{s}"
    );
}

#[test]
fn profile_problems_are_reported() {
    let mut alert = sample();
    alert.identifier = "whatever".into();
    alert.sent = alert.sent.with_offset(0).unwrap();
    alert.infos[0].severity = Severity::Unknown;
    alert.infos[1].areas[0].geocodes[0].value = "1101".into();
    let codes: Vec<_> = profile_problems(&alert)
        .into_iter()
        .map(|p| (p.code, p.path))
        .collect();
    for want in [
        ("cn-identifier", "alert/identifier"),
        ("cn-not-beijing-time", "alert/sent"),
        ("cn-severity", "alert/info[0]/severity"),
        ("cn-geocode", "alert/info[1]/area[0]/geocode[0]"),
        ("cn-no-geocode", "alert/info[1]/area[0]"),
    ] {
        assert!(
            codes.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {codes:?}"
        );
    }
    alert.infos.remove(0);
    assert!(profile_problems(&alert)
        .iter()
        .any(|p| p.code == "cn-no-zh-info"));
}

#[test]
fn level_table() {
    let table: Vec<_> = WarningLevel::ALL
        .iter()
        .map(|l| (l.colour_zh(), l.roman(), l.severity()))
        .collect();
    assert_eq!(
        table,
        [
            ("蓝色", "Ⅳ", Severity::Minor),
            ("黄色", "Ⅲ", Severity::Moderate),
            ("橙色", "Ⅱ", Severity::Severe),
            ("红色", "Ⅰ", Severity::Extreme),
        ]
    );
}

#[test]
fn identifiers_use_beijing_time() {
    let issuer = IssuerCode::with_unit("440300", "416", "001", "01").unwrap();
    let utc = DateTime::parse("2024-12-31T20:00:00-00:00").unwrap();
    let id = identifier(&issuer, &utc, 3).unwrap();
    assert_eq!(id, "44030041600101_20250101040000_3");
    let back = parse_identifier(&id).unwrap();
    assert_eq!(back.issuer, issuer);
    assert_eq!(back.time.to_string(), "2025-01-01T04:00:00+08:00");
    assert_eq!(back.sequence, 3);
    // Identifiers are valid CAP identifiers (no spaces, commas, < or &).
    let mut alert = sample();
    alert.identifier = id;
    assert!(validate_alert(&alert).is_valid());
}
