//! The pure parts: messages, keys, phones, retry policy, signatures,
//! classification tables, the Atom feed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use quick_xml::events::Event;
use quick_xml::Reader;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use yingji_cap::china::WarningLevel;
use yingji_cap::{DateTime, MsgType};
use yingji_channels::*;

// ---------------------------------------------------------------- messages

#[test]
fn truncation_counts_characters_not_bytes() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 5, ""),
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("暴雨橙色预警", 6, "暴雨橙色预警"),
        ("暴雨橙色预警", 5, "暴雨橙色…"),
        ("暴雨橙色预警", 1, "…"),
        ("暴雨橙色预警", 0, ""),
        ("暴雨 橙色预警", 4, "暴雨…"), // trailing space before the ellipsis is dropped
        ("a😀b😀c", 4, "a😀b…"),
        ("𠀀𠀁𠀂", 2, "𠀀…"), // CJK extension B: 4 bytes each
    ];
    for (input, max, want) in cases {
        let got = truncate_chars(input, *max);
        assert_eq!(got, *want, "truncate_chars({input:?}, {max})");
        assert!(got.chars().count() <= *max);
    }
    // 200 Chinese characters are 600 bytes; the limit is in characters.
    let long = "预".repeat(300);
    let t = truncate_chars(&long, 200);
    assert_eq!(t.chars().count(), 200);
    assert!(t.ends_with('…'));
}

#[test]
fn message_from_alert() {
    let alert = common::alert();
    let opts = MessageOptions {
        max_text_chars: 40,
        ..MessageOptions::default()
    };
    let m = Message::from_alert(&alert, &opts);
    assert_eq!(m.identifier, "11010241600000_20240729153126_0");
    assert_eq!(m.msg_type, MsgType::Alert);
    assert_eq!(m.level, Some(WarningLevel::Orange));
    assert_eq!(m.event, "暴雨");
    assert_eq!(m.subject, "北京市气象台发布暴雨橙色预警信号");
    assert!(
        m.text
            .starts_with("北京市气象台发布暴雨橙色预警信号：预计29日20时"),
        "{}",
        m.text
    );
    assert_eq!(m.text.chars().count(), 40);
    assert!(m.text.ends_with('…'));
    assert!(!m.text.contains('\n'));
    assert!(m
        .cap_xml
        .contains("<identifier>11010241600000_20240729153126_0</identifier>"));
    assert!(m.body.contains("暴雨"));
    assert_eq!(m.json["identifier"], "11010241600000_20240729153126_0");
    assert_eq!(m.json["msgType"], "Alert");
    assert_eq!(m.json["level"]["colour"], "orange");
    assert_eq!(m.json["level"]["number"], 2);
    assert_eq!(m.json["capUrl"], serde_json::Value::Null);
    assert_eq!(
        m.json["alert"]["identifier"],
        "11010241600000_20240729153126_0"
    );

    let m = m.with_cap_url("https://x.example/cap/1.xml");
    assert_eq!(m.json["capUrl"], "https://x.example/cap/1.xml");
    assert_eq!(m.cap_url.as_deref(), Some("https://x.example/cap/1.xml"));

    let mut cancel = alert.clone();
    cancel.msg_type = MsgType::Cancel;
    let m = Message::from_alert(&cancel, &MessageOptions::default());
    assert!(m.subject.starts_with("（解除）"), "{}", m.subject);
    assert!(m.text.starts_with("（解除）"), "{}", m.text);
    assert!(m.text.chars().count() <= DEFAULT_MAX_TEXT_CHARS);
}

// --------------------------------------------------------- idempotency key

#[test]
fn idempotency_key_is_stable() {
    let sms = Recipient::Sms {
        phone: "13800138000".into(),
    };
    let key = idempotency_key("11010241600000_20240729153126_0", &sms);
    // Pinned: a change here re-delivers every pending message. Bump the
    // "yingji-delivery/v1" prefix deliberately instead.
    assert_eq!(
        key,
        "970fb948dcb02f17b367c030903bffcbb0bf19f85535ee7e8d69fbafc1c3edb5"
    );
    assert_eq!(key.len(), 64);
    assert!(key
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    // Same pair, other spellings: same key.
    for phone in ["+86 138 0013 8000", "0086-138-0013-8000", " 13800138000 "] {
        assert_eq!(
            idempotency_key(
                "11010241600000_20240729153126_0",
                &Recipient::Sms {
                    phone: phone.into()
                }
            ),
            key,
            "{phone}"
        );
    }
    // Other alert or recipient: other key.
    assert_ne!(idempotency_key("other", &sms), key);
    assert_ne!(
        idempotency_key(
            "11010241600000_20240729153126_0",
            &Recipient::Sms {
                phone: "13900139000".into()
            }
        ),
        key
    );
    // The webhook secret is not part of the key; the format is.
    let hook = |secret: &str, format| Recipient::Webhook {
        url: "https://r.example/hook".into(),
        secret: secret.into(),
        format,
    };
    assert_eq!(
        idempotency_key("a", &hook("s1", WebhookFormat::Cap)),
        idempotency_key("a", &hook("s2", WebhookFormat::Cap))
    );
    assert_ne!(
        idempotency_key("a", &hook("s1", WebhookFormat::Cap)),
        idempotency_key("a", &hook("s1", WebhookFormat::Json))
    );
    // E-mail addresses compare case-insensitively.
    assert_eq!(
        idempotency_key(
            "a",
            &Recipient::Email {
                address: "Duty@Example.ORG".into()
            }
        ),
        idempotency_key(
            "a",
            &Recipient::Email {
                address: "duty@example.org".into()
            }
        )
    );
    // No collision between kinds with the same text.
    assert_ne!(
        idempotency_key(
            "a",
            &Recipient::Sms {
                phone: "110101001001".into()
            }
        ),
        idempotency_key(
            "a",
            &Recipient::Broadcast {
                division_code: "110101001001".into()
            }
        )
    );
}

#[test]
fn idempotency_key_pinned_values() {
    // Computed once; must never change (see above).
    let cases = [
        (
            "11010241600000_20240729153126_0",
            Recipient::Sms {
                phone: "13800138000".into(),
            },
        ),
        (
            "11010241600000_20240729153126_0",
            Recipient::Broadcast {
                division_code: "110102001001".into(),
            },
        ),
    ];
    let got: Vec<String> = cases.iter().map(|(id, r)| idempotency_key(id, r)).collect();
    let want = pinned_keys();
    assert_eq!(got, want);
}

fn pinned_keys() -> Vec<String> {
    // sha256("yingji-delivery/v1\0" + alert + "\0" + kind + "\0" + address),
    // computed independently (Python hashlib).
    vec![
        "970fb948dcb02f17b367c030903bffcbb0bf19f85535ee7e8d69fbafc1c3edb5".to_string(),
        "ad9f357704e9174c6432252ec7908d69053a3b2ea88228793d5694d0005dd4fc".to_string(),
    ]
}

#[test]
fn recipients_serialise_with_a_kind_tag_and_hide_secrets() {
    let r: Recipient = serde_json::from_str(
        r#"{"kind":"webhook","url":"https://r.example/h","secret":"s3cret","format":"json"}"#,
    )
    .unwrap();
    assert_eq!(r.kind(), ChannelKind::Webhook);
    assert!(!format!("{r:?}").contains("s3cret"));
    let r: Recipient =
        serde_json::from_str(r#"{"kind":"broadcast","division_code":"110102001001"}"#).unwrap();
    assert!(r.validate().is_ok());
    let r: Recipient =
        serde_json::from_str(r#"{"kind":"webhook","url":"https://r.example/h","secret":"x"}"#)
            .unwrap();
    assert!(matches!(
        r,
        Recipient::Webhook {
            format: WebhookFormat::Cap,
            ..
        }
    ));
}

#[test]
fn recipient_validation_table() {
    let ok = |r: Recipient| assert!(r.validate().is_ok(), "{r:?}");
    let bad = |r: Recipient| assert!(r.validate().is_err(), "{r:?}");
    ok(Recipient::Webhook {
        url: "https://r.example/h".into(),
        secret: "x".into(),
        format: WebhookFormat::Cap,
    });
    bad(Recipient::Webhook {
        url: "ftp://r.example/h".into(),
        secret: "x".into(),
        format: WebhookFormat::Cap,
    });
    bad(Recipient::Webhook {
        url: "https://r.example/h".into(),
        secret: String::new(),
        format: WebhookFormat::Cap,
    });
    ok(Recipient::Email {
        address: "duty@example.org".into(),
    });
    bad(Recipient::Email {
        address: "not an address".into(),
    });
    ok(Recipient::Broadcast {
        division_code: "110102001001".into(),
    });
    for code in [
        "110102",
        "11010200100",
        "1101020010011",
        "00010200100a",
        "990102001001",
    ] {
        bad(Recipient::Broadcast {
            division_code: code.into(),
        });
    }
}

// ------------------------------------------------------------------ phones

#[test]
fn phone_validation_table() {
    let cases: &[(&str, Option<&str>)] = &[
        ("13800138000", Some("13800138000")),
        ("19912345678", Some("19912345678")),
        ("16612345678", Some("16612345678")),
        ("138 0013 8000", Some("13800138000")),
        ("138-0013-8000", Some("13800138000")),
        ("+8613800138000", Some("13800138000")),
        ("+86 138 0013 8000", Some("13800138000")),
        ("008613800138000", Some("13800138000")),
        ("+85291234567", Some("+85291234567")), // Hong Kong
        ("+14155552671", Some("+14155552671")), // E.164 example
        ("+442071838750", Some("+442071838750")),
        ("+123456789012345", Some("+123456789012345")), // 15 digits
        ("12800138000", None),                          // 1[3-9] only
        ("10800138000", None),
        ("1380013800", None),   // 10 digits
        ("138001380001", None), // 12 digits
        ("23800138000", None),
        ("+8612800138000", None),    // +86 but not a mobile
        ("+86 10 6512 3456", None),  // +86 landline: no SMS
        ("+1234567890123456", None), // 16 digits
        ("+0123456789", None),
        ("+123456", None), // too short
        ("+", None),
        ("", None),
        ("1380013800a", None),
        ("１３８００１３８０００", None), // full-width digits
        ("+86138001380００", None),
    ];
    for (input, want) in cases {
        let got = normalize_phone(input).ok();
        assert_eq!(got.as_deref(), *want, "normalize_phone({input:?})");
    }
    let err = normalize_phone("12345").unwrap_err();
    assert!(matches!(err, RecipientError::Phone(_)));
}

// ------------------------------------------------------------ retry policy

#[test]
fn retry_policy_table() {
    use ErrorClass::*;
    let p = RetryPolicy::default(); // base 2 s, cap 10 min, min 0.5 s, 8 attempts, ×4 when rate-limited
    let ms = |n| RetryDecision::RetryAfter(Duration::from_millis(n));
    let cases: &[(u32, ErrorClass, Option<u64>, f64, RetryDecision)] = &[
        // attempt, class, hint (ms), unit, decision
        (1, Transient, None, 0.0, ms(500)),
        (1, Transient, None, 0.5, ms(1_250)),
        (1, Transient, None, 1.0, ms(2_000)),
        (0, Transient, None, 1.0, ms(2_000)), // 0 is read as 1
        (2, Transient, None, 1.0, ms(4_000)),
        (3, Transient, None, 1.0, ms(8_000)),
        (3, Transient, None, 0.25, ms(500 + 1_875)),
        (7, Transient, None, 1.0, ms(128_000)),
        (
            8,
            Transient,
            None,
            1.0,
            RetryDecision::DeadLetter(DeadLetter::Exhausted { attempts: 8 }),
        ),
        (
            9,
            Transient,
            None,
            0.0,
            RetryDecision::DeadLetter(DeadLetter::Exhausted { attempts: 9 }),
        ),
        (1, RateLimited, None, 1.0, ms(8_000)),
        (3, RateLimited, None, 1.0, ms(32_000)),
        (7, RateLimited, None, 1.0, ms(512_000)),
        (
            1,
            Permanent,
            None,
            1.0,
            RetryDecision::DeadLetter(DeadLetter::Permanent),
        ),
        // Retry-After is a floor, capped at one hour.
        (1, Transient, Some(7_000), 0.0, ms(7_000)),
        (1, Transient, Some(7_000), 1.0, ms(7_000)),
        (3, Transient, Some(1_000), 1.0, ms(8_000)),
        (1, RateLimited, Some(7_200_000), 0.0, ms(3_600_000)),
        (
            8,
            Transient,
            Some(1_000),
            0.0,
            RetryDecision::DeadLetter(DeadLetter::Exhausted { attempts: 8 }),
        ),
        // Out-of-range draws are clamped.
        (1, Transient, None, -3.0, ms(500)),
        (1, Transient, None, 7.0, ms(2_000)),
        (1, Transient, None, f64::NAN, ms(500)),
    ];
    for (attempt, class, hint, unit, want) in cases {
        let got = p.decide_with(*attempt, *class, hint.map(Duration::from_millis), *unit);
        assert_eq!(
            got, *want,
            "attempt {attempt} {class:?} hint {hint:?} unit {unit}"
        );
    }
}

#[test]
fn retry_policy_caps_and_never_overflows() {
    let p = RetryPolicy {
        max_attempts: 1000,
        ..RetryPolicy::default()
    };
    for (attempt, want) in [
        (9, 512_000),
        (10, 600_000),
        (20, 600_000),
        (64, 600_000),
        (65, 600_000),
        (999, 600_000),
    ] {
        assert_eq!(
            p.ceiling(attempt, ErrorClass::Transient),
            Duration::from_millis(want),
            "attempt {attempt}"
        );
        assert_eq!(
            p.decide_with(attempt, ErrorClass::RateLimited, None, 1.0),
            RetryDecision::RetryAfter(Duration::from_millis(600_000))
        );
    }
    let tiny = RetryPolicy {
        base_ms: 10,
        min_ms: 500,
        ..RetryPolicy::default()
    };
    // The floor wins over a smaller ceiling.
    assert_eq!(
        tiny.ceiling(1, ErrorClass::Transient),
        Duration::from_millis(500)
    );
    assert_eq!(
        tiny.decide_with(1, ErrorClass::Transient, None, 0.3),
        RetryDecision::RetryAfter(Duration::from_millis(500))
    );
}

#[test]
fn full_jitter_stays_in_range_and_spreads() {
    let p = RetryPolicy::default();
    let mut rng = SmallRng::seed_from_u64(7);
    for attempt in 1..8 {
        let ceiling = p.ceiling(attempt, ErrorClass::Transient);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            match retry_policy(&p, attempt, ErrorClass::Transient, None, &mut rng) {
                RetryDecision::RetryAfter(d) => {
                    assert!(d >= Duration::from_millis(500) && d <= ceiling, "{d:?}");
                    seen.insert(d);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(
            seen.len() > 100,
            "jitter should spread: {} values",
            seen.len()
        );
    }
}

#[test]
fn disposition_from_outcomes() {
    let p = RetryPolicy::default();
    let mut rng = SmallRng::seed_from_u64(1);
    assert_eq!(
        p.disposition(
            1,
            &Outcome::delivered(Reason::Http(200), "HTTP 200"),
            &mut rng
        ),
        Disposition::Delivered {
            detail: "HTTP 200".into()
        }
    );
    assert_eq!(
        p.disposition(1, &Outcome::failed(Reason::Http(400), "HTTP 400"), &mut rng),
        Disposition::DeadLetter {
            cause: DeadLetter::Permanent,
            reason: "HTTP 400".into()
        }
    );
    match p.disposition(
        2,
        &Outcome::Retry {
            after: Some(Duration::from_secs(30)),
            reason: "HTTP 503".into(),
            class: ErrorClass::Transient,
            code: Reason::Http(503),
        },
        &mut rng,
    ) {
        Disposition::Retry { delay, reason } => {
            assert_eq!(delay, Duration::from_secs(30));
            assert_eq!(reason, "HTTP 503");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        p.disposition(8, &Outcome::retry(Reason::Timeout, "timeout"), &mut rng),
        Disposition::DeadLetter {
            cause: DeadLetter::Exhausted { attempts: 8 },
            reason: "timeout".into()
        }
    );
}

#[test]
fn retry_after_values() {
    let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470); // 07:27:50 GMT
    let cases: &[(&str, Option<u64>)] = &[
        ("120", Some(120)),
        (" 5 ", Some(5)),
        ("0", Some(0)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", Some(10)),
        ("Wed, 21 Oct 2015 07:00:00 GMT", Some(0)), // past
        ("soon", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        ("99999999999999999999999", None),
    ];
    for (v, want) in cases {
        assert_eq!(
            parse_retry_after(v, now),
            want.map(Duration::from_secs),
            "{v:?}"
        );
    }
}

// -------------------------------------------------- http / sms classification

#[test]
fn http_status_table() {
    let now = SystemTime::now();
    // status, Retry-After, outcome, class, after (s)
    type Case = (
        u16,
        Option<&'static str>,
        &'static str,
        Option<ErrorClass>,
        Option<u64>,
    );
    let cases: &[Case] = &[
        (200, None, "delivered", None, None),
        (201, None, "delivered", None, None),
        (204, None, "delivered", None, None),
        (301, None, "failed", Some(ErrorClass::Permanent), None),
        (400, None, "failed", Some(ErrorClass::Permanent), None),
        (401, None, "failed", Some(ErrorClass::Permanent), None),
        (404, None, "failed", Some(ErrorClass::Permanent), None),
        (410, None, "failed", Some(ErrorClass::Permanent), None),
        (408, None, "retry", Some(ErrorClass::Transient), None),
        (
            429,
            Some("60"),
            "retry",
            Some(ErrorClass::RateLimited),
            Some(60),
        ),
        (500, None, "retry", Some(ErrorClass::Transient), None),
        (502, None, "retry", Some(ErrorClass::Transient), None),
        (
            503,
            Some("7"),
            "retry",
            Some(ErrorClass::Transient),
            Some(7),
        ),
        (
            503,
            Some("garbage"),
            "retry",
            Some(ErrorClass::Transient),
            None,
        ),
        (504, None, "retry", Some(ErrorClass::Transient), None),
    ];
    for (status, ra, want, class, after) in cases {
        let o = classify_status(*status, *ra, now, "");
        assert_eq!(o.status(), *want, "{status}");
        assert_eq!(o.code(), Reason::Http(*status), "{status}");
        assert_eq!(o.code().http_status(), Some(*status));
        assert_eq!(
            o.code().code(),
            format!("http_{}xx", status / 100),
            "{status}"
        );
        assert_eq!(o.error_class(), *class, "{status}");
        if let Outcome::Retry { after: a, .. } = &o {
            assert_eq!(*a, after.map(Duration::from_secs), "{status}");
        }
    }
}

#[test]
fn sms_gateway_answer_table() {
    let success = SmsSuccess {
        pointer: Some("/code".into()),
        equals: Some(serde_json::json!("0")),
        retry_values: vec![serde_json::json!("500"), serde_json::json!(-1)],
        rate_limited_values: vec![serde_json::json!("isv.BUSINESS_LIMIT_CONTROL")],
        message_pointer: Some("/msg".into()),
    };
    let now = SystemTime::now();
    let cases: &[(u16, &str, &str, Option<ErrorClass>)] = &[
        (200, r#"{"code":"0","msg":"OK"}"#, "delivered", None),
        (200, r#"{"code":0}"#, "delivered", None),
        (
            200,
            r#"{"code":"500","msg":"busy"}"#,
            "retry",
            Some(ErrorClass::Transient),
        ),
        (200, r#"{"code":-1}"#, "retry", Some(ErrorClass::Transient)),
        (
            200,
            r#"{"code":"isv.BUSINESS_LIMIT_CONTROL","msg":"触发分钟级流控"}"#,
            "retry",
            Some(ErrorClass::RateLimited),
        ),
        (
            200,
            r#"{"code":"isv.MOBILE_NUMBER_ILLEGAL","msg":"非法手机号"}"#,
            "failed",
            Some(ErrorClass::Permanent),
        ),
        (
            200,
            r#"{"error":"x"}"#,
            "failed",
            Some(ErrorClass::Permanent),
        ),
        (
            200,
            "<html>proxy error</html>",
            "retry",
            Some(ErrorClass::Transient),
        ),
        (503, "", "retry", Some(ErrorClass::Transient)),
        (429, "", "retry", Some(ErrorClass::RateLimited)),
        (
            401,
            r#"{"code":"0"}"#,
            "failed",
            Some(ErrorClass::Permanent),
        ),
    ];
    for (status, body, want, class) in cases {
        let o = classify_sms_response(&success, *status, None, body, now);
        assert_eq!(o.status(), *want, "{status} {body}: {o:?}");
        assert_eq!(o.error_class(), *class, "{status} {body}");
    }
    let o = classify_sms_response(
        &success,
        200,
        None,
        r#"{"code":"isv.X","msg":"非法手机号"}"#,
        now,
    );
    assert!(o.text().contains("非法手机号"), "{o:?}");
    // Without a pointer any 2xx is a success.
    let o = classify_sms_response(&SmsSuccess::default(), 200, None, "whatever", now);
    assert!(o.is_delivered());
}

// -------------------------------------------------------------- signatures

#[test]
fn hmac_matches_rfc_4231_and_known_values() {
    assert_eq!(
        hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    assert_eq!(
        hex::encode(hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    // RFC 4231 test case 2: a key shorter than the block.
    assert_eq!(
        hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // RFC 4231 test case 7: key and data both longer than the block.
    assert_eq!(
        hex::encode(hmac_sha256(
            &[0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
        )),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
    );
    assert_eq!(
        sign(b"key", b"The quick brown fox jumps over the lazy dog"),
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
}

#[test]
fn verify_signature_table() {
    let body = "<alert>暴雨</alert>".as_bytes();
    let good = sign(b"s3cret", body);
    assert!(verify_signature(b"s3cret", body, &good));
    assert!(verify_signature(
        b"s3cret",
        body,
        &good.to_uppercase().replace("SHA256=", "sha256=")
    ));
    assert!(verify_signature(b"s3cret", body, &format!(" {good} ")));
    assert!(!verify_signature(
        b"s3cret",
        b"<alert>tampered</alert>",
        &good
    ));
    assert!(!verify_signature(b"other", body, &good));
    assert!(!verify_signature(
        b"s3cret",
        body,
        good.trim_start_matches("sha256=")
    ));
    assert!(!verify_signature(b"s3cret", body, &good[..good.len() - 2]));
    assert!(!verify_signature(b"s3cret", body, "sha256=zz"));
    assert!(!verify_signature(b"s3cret", body, ""));
    assert!(!verify_signature(b"s3cret", body, "sha1=abcdef"));
}

// ------------------------------------------------------------------- feed

/// A parsed element: name, attributes, text.
#[derive(Debug, Default, Clone)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn parse_xml(xml: &str) -> El {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = vec![El::default()];
    let start = |e: &quick_xml::events::BytesStart<'_>| El {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        ..El::default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => {
                let el = start(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match &*r {
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "amp" => "&".to_string(),
                    "apos" => "'".to_string(),
                    "quot" => "\"".to_string(),
                    _ => r.resolve_char_ref().unwrap().unwrap().to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

fn feed_info() -> FeedInfo {
    FeedInfo {
        id: "https://alerts.example.cn/feed.atom".into(),
        title: "北京市突发事件预警信息 & <公开>".into(),
        subtitle: Some("Public warnings \"Beijing\"".into()),
        self_url: "https://alerts.example.cn/feed.atom?lang=zh&x=1".into(),
        html_url: Some("https://alerts.example.cn/".into()),
        author_name: "北京市应急管理局".into(),
        author_email: Some("alerts@example.cn".into()),
        author_uri: None,
        language: Some("zh-CN".into()),
        updated: None,
    }
}

#[test]
fn atom_feed_parses_back_with_every_entry() {
    let a = common::alert();
    let mut b = a.clone();
    b.identifier = "11010241600000_20240730080000_1".into();
    b.msg_type = MsgType::Update;
    b.sent = DateTime::parse("2024-07-30T00:00:00-00:00").unwrap();
    b.infos[0].headline = Some("更新：暴雨红色预警 <升级> & \"注意\"\u{0}\u{b}".into());
    b.infos[0].severity = yingji_cap::Severity::Extreme;
    let entries = vec![
        FeedEntry::from_alert(&b, "https://alerts.example.cn/cap/b.xml?x=1&y=2", "zh-CN"),
        FeedEntry::from_alert(&a, "https://alerts.example.cn/cap/a.xml", "zh-CN"),
    ];
    let xml = atom_index(&feed_info(), &entries);
    let feed = parse_xml(&xml);

    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some(ATOM_NS));
    assert_eq!(feed.attr("xmlns:cap"), Some(CAP_NS));
    assert_eq!(feed.attr("xml:lang"), Some("zh-CN"));
    assert_eq!(
        feed.child("id").unwrap().text,
        "https://alerts.example.cn/feed.atom"
    );
    assert_eq!(
        feed.child("title").unwrap().text,
        "北京市突发事件预警信息 & <公开>"
    );
    assert_eq!(
        feed.child("subtitle").unwrap().text,
        "Public warnings \"Beijing\""
    );
    // Feed updated = latest entry (b: 2024-07-30T00:00:00Z is later than a: 07:31:26Z on the 29th).
    assert_eq!(feed.child("updated").unwrap().text, "2024-07-30T00:00:00Z");
    assert_eq!(
        feed.child("author").unwrap().child("name").unwrap().text,
        "北京市应急管理局"
    );
    let self_link = feed
        .all("link")
        .find(|l| l.attr("rel") == Some("self"))
        .unwrap();
    assert_eq!(
        self_link.attr("href"),
        Some("https://alerts.example.cn/feed.atom?lang=zh&x=1")
    );

    let got: Vec<&El> = feed.all("entry").collect();
    assert_eq!(got.len(), 2);
    for (el, want) in got.iter().zip(&entries) {
        assert_eq!(el.child("id").unwrap().text, want.id);
        assert_eq!(
            el.child("title").unwrap().text,
            want.title.replace(['\u{0}', '\u{b}'], "")
        );
        assert_eq!(el.child("cap:identifier").unwrap().text, want.identifier);
        let alt = el
            .all("link")
            .find(|l| l.attr("rel") == Some("alternate"))
            .unwrap();
        assert_eq!(alt.attr("type"), Some("application/cap+xml"));
        assert_eq!(alt.attr("href"), Some(want.cap_url.as_str()));
        let sev = el
            .all("category")
            .find(|c| c.attr("scheme") == Some(SEVERITY_SCHEME))
            .unwrap();
        assert_eq!(sev.attr("term"), want.severity.map(|s| s.as_str()));
        assert!(el.child("updated").is_some() && el.child("published").is_some());
    }
    // Entry b: escaped title, colour category, UTC as Z, update type.
    let eb = got[0];
    assert_eq!(
        eb.child("title").unwrap().text,
        "更新：暴雨红色预警 <升级> & \"注意\""
    );
    assert_eq!(eb.child("updated").unwrap().text, "2024-07-30T00:00:00Z");
    assert_eq!(eb.child("cap:msgType").unwrap().text, "Update");
    let colour = eb
        .all("category")
        .find(|c| c.attr("scheme") == Some(COLOUR_SCHEME))
        .unwrap();
    assert_eq!(colour.attr("term"), Some("red"));
    assert_eq!(colour.attr("label"), Some("红色预警"));
    // Entry a: Beijing time kept, summary with the escaped description, areas.
    let ea = got[1];
    assert_eq!(
        ea.child("updated").unwrap().text,
        "2024-07-29T15:31:26+08:00"
    );
    assert!(ea
        .child("summary")
        .unwrap()
        .text
        .contains("特大暴雨 & 雷电"));
    assert!(ea.child("summary").unwrap().text.contains("<请注意>"));
    assert_eq!(ea.child("cap:areaDesc").unwrap().text, "西城区、东城区");
    assert_eq!(
        ea.child("cap:expires").unwrap().text,
        "2024-07-30T15:31:26+08:00"
    );
    assert_eq!(
        ea.all("category")
            .find(|c| c.attr("scheme") == Some(COLOUR_SCHEME))
            .and_then(|c| c.attr("term")),
        Some("orange")
    );
    // No raw control characters made it through.
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{b}'));
}

#[test]
fn empty_feed_is_valid() {
    let mut info = feed_info();
    info.language = None;
    let xml = atom_index(&info, &[]);
    let feed = parse_xml(&xml);
    assert_eq!(feed.child("updated").unwrap().text, "1970-01-01T00:00:00Z");
    assert_eq!(feed.all("entry").count(), 0);
    info.updated = Some(DateTime::parse("2024-07-29T15:31:26+08:00").unwrap());
    let feed = parse_xml(&atom_index(&info, &[]));
    assert_eq!(
        feed.child("updated").unwrap().text,
        "2024-07-29T15:31:26+08:00"
    );
}

#[test]
fn config_deserialises_from_toml_like_json() {
    let cfg: ChannelsConfig = serde_json::from_value(serde_json::json!({
        "webhook": {"timeout_ms": 3000},
        "sms": {
            "url": "https://sms.example.cn/send",
            "auth_token": "Bearer t",
            "sign": "北京应急",
            "body": {"format": "json", "template": {"mobile": "{phone}", "content": "{text}"}},
            "success": {"pointer": "/code", "equals": "0"}
        },
        "email": {"host": "smtp.example.cn", "from": "北京应急 <alert@example.cn>", "tls": "starttls"},
        "broadcast": {"host": "127.0.0.1", "topic_prefix": "yingji/broadcast"},
        "retry": {"max_attempts": 5},
        "message": {"max_text_chars": 120}
    }))
    .unwrap();
    assert_eq!(cfg.retry.max_attempts, 5);
    assert_eq!(cfg.retry.base_ms, 2_000);
    assert_eq!(cfg.webhook.connect_timeout_ms, 5_000);
    assert!(!format!("{:?}", cfg.sms).contains("Bearer t"));
    // Unknown fields are refused (typos in configuration must not pass silently).
    assert!(serde_json::from_value::<RetryPolicy>(serde_json::json!({"max_atempts": 5})).is_err());
    // Bad SMS configurations are refused when the channel is built.
    let mut sms = cfg.sms.clone().unwrap();
    sms.success.equals = None;
    assert!(SmsChannel::new(&sms).is_err());
    let mut sms = cfg.sms.clone().unwrap();
    sms.url = "ftp://x".into();
    assert!(SmsChannel::new(&sms).is_err());
    // Broadcast prefixes with wildcards are refused.
    let bc = BroadcastConfig {
        topic_prefix: "yingji/#".into(),
        ..BroadcastConfig::default()
    };
    assert!(BroadcastChannel::new(&bc).is_err());
    let email = EmailConfig {
        from: "not a mailbox".into(),
        ..cfg.email.clone().unwrap()
    };
    assert!(EmailChannel::new(&email).is_err());
}

#[tokio::test]
async fn channels_route_by_recipient_kind() {
    let channels = Channels::from_config(&ChannelsConfig::default()).unwrap();
    let msg = common::message("route");
    let o = channels
        .deliver(
            &msg,
            &Recipient::Sms {
                phone: "13800138000".into(),
            },
        )
        .await;
    assert_eq!(
        o,
        Outcome::failed(Reason::NotConfigured, "no sms channel is configured")
    );
    // A mismatched adapter fails permanently.
    let hook = channels.get(ChannelKind::Webhook).unwrap();
    let o = hook
        .deliver(
            &msg,
            &Recipient::Email {
                address: "a@b.cn".into(),
            },
        )
        .await;
    assert_eq!(o.error_class(), Some(ErrorClass::Permanent));
}

#[test]
fn reason_codes_are_listed() {
    for r in [
        Reason::Delivered,
        Reason::Http(100),
        Reason::Http(204),
        Reason::Http(302),
        Reason::Http(404),
        Reason::Http(503),
        Reason::Http(999),
        Reason::RefusedPrivateAddress,
        Reason::InvalidRecipient,
        Reason::Timeout,
        Reason::ConnectError,
        Reason::TlsError,
        Reason::RequestError,
        Reason::GatewayRefused,
        Reason::GatewayBusy,
        Reason::GatewayUnreadable,
        Reason::SmtpPermanent,
        Reason::SmtpTransient,
        Reason::MqttError,
        Reason::NotConfigured,
        Reason::MessageError,
    ] {
        assert!(Reason::CODES.contains(&r.code()), "{r:?}");
    }
    assert_eq!(Reason::Http(404).code(), "http_4xx");
    assert_eq!(
        Reason::RefusedPrivateAddress.code(),
        "refused_private_address"
    );
    assert_eq!(Reason::Timeout.http_status(), None);
}
