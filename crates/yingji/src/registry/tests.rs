use super::*;
use crate::auth::Scope;
use crate::divisions::{Division, Level};
use serde_json::json;

fn tree() -> Tree {
    let d = |code: &str, name: &str, level: Level, parent: Option<&str>| Division {
        code: Code::parse(code).unwrap().to_string(),
        name: name.into(),
        level,
        parent: parent.map(|p| Code::parse(p).unwrap().to_string()),
    };
    let square = |x0: f64, y0: f64| {
        geo::MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (x0, y0),
                (x0 + 0.2, y0),
                (x0 + 0.2, y0 + 0.2),
                (x0, y0 + 0.2),
                (x0, y0),
            ]),
            vec![],
        )])
    };
    Tree::new(
        vec![
            d("1402", "大同市", Level::City, Some("14")),
            d("140213", "平城区", Level::County, Some("1402")),
            d("140215", "云州区", Level::County, Some("1402")),
        ],
        vec![
            (Code::parse("140213").unwrap(), square(113.2, 40.0)),
            (Code::parse("140215").unwrap(), square(113.5, 40.0)),
        ],
    )
}

fn dicts() -> Dictionaries {
    crate::resources::default_dictionaries()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn team(extra: Value) -> Map<String, Value> {
    let mut m = json!({
        "name": "平城区综合消防救援队", "division": "140213", "lon": 113.3, "lat": 40.1,
        "phone": "13912345678", "team_kind": "综合消防", "headcount": "45", "specialities": "高空救援；水域救援"
    })
    .as_object()
    .unwrap()
    .clone();
    if let Value::Object(e) = extra {
        m.extend(e);
    }
    m
}

fn check(input: Map<String, Value>, scope_prefix: &str) -> Result<Valid, Vec<FieldError>> {
    let t = tree();
    let d = dicts();
    let scope = Scope {
        prefix: scope_prefix.into(),
        org: None,
    };
    let code = Code::parse(scope_prefix).unwrap();
    let ctx = Ctx {
        tree: &t,
        dicts: &d,
        scope: &scope,
        scope_code: &code,
        webhook_allow: &yingji_channels::AllowList::default(),
    };
    validate(&crate::resources::TEAM, &input, &ctx)
}

#[test]
fn a_good_record_is_normalised() {
    let v = check(team(json!({})), "1402").unwrap();
    assert_eq!(v.division.as_str(), "140213000000");
    assert_eq!(v.attrs["team_kind"], "fire");
    assert_eq!(v.attrs["headcount"], 45);
    assert_eq!(v.attrs["specialities"], json!(["高空救援", "水域救援"]));
    assert_eq!(v.category, "fire");
    assert_eq!(v.status, "available");
}

#[test]
fn every_bad_field_is_named() {
    // (patch, field that must be named)
    let cases = [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "x".repeat(101) }), "name"),
        (json!({ "lat": 95 }), "lat"),
        (json!({ "lon": "东经113" }), "lon"),
        (json!({ "lon": 116.4, "lat": 39.9 }), "lat"), // Beijing: outside 平城区
        (json!({ "division": "140299" }), "division"),
        (json!({ "division": "火星" }), "division"),
        (json!({ "phone": "call me" }), "phone"),
        (json!({ "team_kind": "魔法" }), "team_kind"),
        (json!({ "headcount": "0" }), "headcount"),
        (json!({ "headcount": "4.5" }), "headcount"),
        (json!({ "status": "broken" }), "status"),
        (json!({ "colour": "red" }), "colour"),
    ];
    for (patch, field) in cases {
        let e = check(team(patch.clone()), "1402").unwrap_err();
        assert!(e.iter().any(|e| e.field == field), "{patch}: {e:?}");
    }
}

#[test]
fn all_problems_are_reported_together() {
    let e = check(
        team(json!({ "lat": 95, "phone": "x", "headcount": -1 })),
        "1402",
    )
    .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"lat") && fields.contains(&"phone") && fields.contains(&"headcount"),
        "{fields:?}"
    );
}

#[test]
fn divisions_outside_the_writers_jurisdiction_are_refused() {
    assert!(check(team(json!({})), "140213").is_ok());
    let e = check(
        team(json!({ "division": "140215", "lon": 113.6 })),
        "140213",
    )
    .unwrap_err();
    assert!(
        e.iter()
            .any(|e| e.field == "division" && e.message.contains("管辖")),
        "{e:?}"
    );
}

#[test]
fn phones() {
    for ok in [
        "13912345678",
        "0352-1234567",
        "(0352) 123 4567",
        "+86 139 1234 5678",
        "12350",
        "0352-1234567转801",
    ] {
        assert!(valid_phone(ok), "{ok}");
    }
    for bad in [
        "",
        "1234",
        "call",
        "139-1234-5678-9999-0000-123",
        "13912345678<script>",
    ] {
        assert!(!valid_phone(bad), "{bad}");
    }
}

#[test]
fn api_bodies_flatten_attrs() {
    let body = json!({ "name": "a", "attrs": { "headcount": 3, "name": "ignored" } })
        .as_object()
        .unwrap()
        .clone();
    let f = flatten_body(body);
    assert_eq!(f["name"], "a");
    assert_eq!(f["headcount"], 3);
}

#[test]
fn masking_keeps_the_shape_and_hides_the_person() {
    // (input, masked)
    let table = [
        (json!("13812345678"), json!("138****5678")),
        (json!("+86 138-1234-5678"), json!("861****5678")),
        (json!("0352-1234567"), json!("035****4567")),
        (json!("12345"), json!("****45")),
        (json!("li@example.cn"), json!("l***@example.cn")),
        (json!("张三丰"), json!("张**")),
        (
            json!("https://hook.example.cn/x?token=s3cret"),
            json!("h**"),
        ),
        (json!(""), json!("")),
        (Value::Null, Value::Null),
        (json!(["张三", "李四"]), json!(["张**", "李**"])),
        (json!(42), json!("***")),
    ];
    for (input, want) in table {
        assert_eq!(mask(&input), want, "{input}");
    }
}

#[test]
fn only_the_kinds_personal_fields_are_masked() {
    let spec = &crate::resources::SUBSCRIBER;
    let mut it = Item {
        id: 1,
        kind: "subscriber".into(),
        name: "李明".into(),
        division: "140213000000".into(),
        division_name: "平城区".into(),
        lon: 113.3,
        lat: 40.1,
        address: "平城区新建南路 1 号".into(),
        responsible: String::new(),
        phone: "13812345678".into(),
        duty_phone: String::new(),
        status: "available".into(),
        category: "person".into(),
        attrs: crate::db::JsonText(
            json!({ "subscriber_type": "person", "email": "li@example.cn" })
                .as_object()
                .unwrap()
                .clone(),
        ),
        version: 1,
        updated_at: crate::db::UtcText(time::macros::datetime!(2026-12-07 00:00 UTC)),
        org: String::new(),
    };
    it.mask_personal(spec);
    assert_eq!(it.name, "李**");
    assert_eq!(it.address, "平**");
    assert_eq!(it.phone, "138****5678");
    assert_eq!(it.responsible, "");
    assert_eq!(it.attrs["email"], "l***@example.cn");
    assert_eq!(it.attrs["subscriber_type"], "person", "not personal");
    assert_eq!(it.division, "140213000000");
    for kind in crate::resources::KINDS {
        for key in kind.personal {
            assert!(
                kind.all_fields().any(|f| f.key == *key),
                "{}: {key} is not a field",
                kind.kind
            );
        }
    }
}
