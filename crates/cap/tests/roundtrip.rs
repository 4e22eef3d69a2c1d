//! Property: any valid alert written with `to_xml` reads back equal and validates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use yingji_cap::*;

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._:@/+-]{1,24}"
}

/// Free text: never blank (blank optional elements read as absent), with
/// markup characters, CJK, tabs, CR and LF.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z暴雨&<>\"'][A-Za-z0-9 暴雨预警&<>\"'\t\r\n]{0,24}"
}

fn any_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 暴雨&<>\"'\t\n]{0,16}"
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (
        1970u16..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        -56i16..=56,
    )
        .prop_map(|(y, mo, d, h, mi, s, q)| {
            DateTime::new(y, mo, d, h, mi, s, q * 15).expect("in range by construction")
        })
}

fn pair() -> impl Strategy<Value = ValuePair> {
    (any_text(), any_text()).prop_map(|(n, v)| ValuePair::new(n, v))
}

fn point() -> impl Strategy<Value = Point> {
    (-90.0f64..=90.0, -180.0f64..=180.0).prop_map(|(lat, lon)| Point { lat, lon })
}

fn polygon() -> impl Strategy<Value = Polygon> {
    vec(point(), 3..8).prop_map(|mut pts| {
        pts.push(pts[0]);
        Polygon::new(pts)
    })
}

fn circle() -> impl Strategy<Value = Circle> {
    (point(), 0.0f64..1000.0).prop_map(|(center, radius_km)| Circle { center, radius_km })
}

fn area() -> impl Strategy<Value = Area> {
    (
        text(),
        vec(polygon(), 0..3),
        vec(circle(), 0..3),
        vec(pair(), 0..3),
        option::of((-1000.0f64..10000.0, option::of(0.0f64..5000.0))),
    )
        .prop_map(|(desc, polygons, circles, geocodes, alt)| Area {
            area_desc: desc,
            polygons,
            circles,
            geocodes,
            altitude: alt.map(|(a, _)| a),
            ceiling: alt.and_then(|(a, extra)| extra.map(|e| a + e)),
        })
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        text(),
        pick(&["image/png", "audio/mpeg", "text/html", "application/pdf"]),
        option::of(any::<u64>()),
        option::of("http://example\\.org/[a-z0-9]{0,12}"),
        option::of(vec(any::<u8>(), 0..30)),
        option::of("[0-9a-f]{40}"),
    )
        .prop_map(|(desc, mime, size, uri, bytes, digest)| Resource {
            resource_desc: desc,
            mime_type: mime.to_string(),
            size,
            uri,
            deref_uri: bytes.filter(|b| !b.is_empty()).map(|b| base64(&b)),
            digest,
        })
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn info() -> impl Strategy<Value = Info> {
    let head = (
        option::of(pick(&["zh-CN", "en-US", "fr", "zh-Hans-CN"])),
        vec(pick(Category::ALL), 1..4),
        text(),
        vec(pick(ResponseType::ALL), 0..3),
        pick(Urgency::ALL),
        pick(Severity::ALL),
        pick(Certainty::ALL),
        option::of(text()),
        vec(pair(), 0..3),
    );
    let times = (
        option::of(datetime()),
        option::of(datetime()),
        option::of(datetime()),
    );
    let texts = (
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of("https://www\\.example\\.cn/[a-z]{0,10}"),
        option::of(text()),
    );
    let tail = (vec(pair(), 0..4), vec(resource(), 0..3), vec(area(), 0..3));
    (head, times, texts, tail).prop_map(
        |(
            (
                language,
                categories,
                event,
                response_types,
                urgency,
                severity,
                certainty,
                audience,
                event_codes,
            ),
            (effective, onset, expires),
            (sender_name, headline, description, instruction, web, contact),
            (parameters, resources, areas),
        )| Info {
            language: language.map(str::to_string),
            categories,
            event,
            response_types,
            urgency,
            severity,
            certainty,
            audience,
            event_codes,
            effective,
            onset,
            expires,
            sender_name,
            headline,
            description,
            instruction,
            web,
            contact,
            parameters,
            resources,
            areas,
        },
    )
}

fn list_item() -> impl Strategy<Value = String> {
    "[A-Za-z0-9@.]{1,10}( [a-z]{1,5})?"
}

fn alert() -> impl Strategy<Value = Alert> {
    let envelope = (
        token(),
        token(),
        datetime(),
        pick(Status::ALL),
        pick(MsgType::ALL),
        option::of(text()),
        pick(Scope::ALL),
        text(),
        vec(list_item(), 1..4),
    );
    let rest = (
        vec(any_text(), 0..3),
        option::of(text()),
        vec((token(), token(), datetime()), 0..3),
        vec(list_item(), 0..3),
        vec(info(), 0..3),
    );
    (envelope, rest).prop_map(
        |(
            (identifier, sender, sent, status, msg_type, source, scope, restriction, addresses),
            (codes, note, refs, incidents, infos),
        )| Alert {
            identifier,
            sender,
            sent,
            status,
            msg_type,
            source,
            scope,
            restriction: (scope == Scope::Restricted).then_some(restriction),
            addresses: if scope == Scope::Private {
                addresses
            } else {
                Vec::new()
            },
            codes,
            note,
            references: refs
                .into_iter()
                .map(|(sender, identifier, sent)| Reference {
                    sender,
                    identifier,
                    sent,
                })
                .collect(),
            incidents,
            infos,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn write_parse_round_trip(a in alert()) {
        let xml = to_xml(&a);
        let doc = parse(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(&doc.alert, &a, "{}", xml);
        prop_assert_eq!(doc.version, CapVersion::V1_2);
        let report = validate(xml.as_bytes());
        prop_assert!(report.is_valid(), "{}\n{}", report, xml);
        let typed = validate_alert(&a);
        prop_assert!(typed.is_valid(), "{}", typed);
        // Writing is canonical: a second round gives the same text.
        prop_assert_eq!(to_xml(&doc.alert), xml);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let _ = parse(&bytes);
        let _ = validate(&bytes);
    }

    #[test]
    fn mutated_documents_never_panic(a in alert(), cut in any::<prop::sample::Index>(), junk in "[<>&/a-z\"'=;#]{0,8}") {
        let xml = to_xml(&a);
        let mut at = cut.index(xml.len() + 1);
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let broken = format!("{}{}{}", &xml[..at], junk, &xml[at..]);
        let analysis = analyze(broken.as_bytes());
        // Whatever the verdict, a document that parses re-validates consistently.
        if let Ok(doc) = analysis.document {
            let _ = validate_alert(&doc.alert);
            let _ = summary(&doc.alert);
        }
    }
}

#[test]
fn base64_helper() {
    assert_eq!(base64(b"hello"), "aGVsbG8=");
    assert_eq!(base64(b"hi"), "aGk=");
    assert_eq!(base64(b"abc"), "YWJj");
}
