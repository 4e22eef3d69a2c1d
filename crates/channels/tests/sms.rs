//! The SMS adapter against an in-process fake gateway.
//!
//! The fake answers like common Chinese SMS APIs: HTTP 200 with a JSON
//! `{"code": …, "msg": …}`, where `code` `"0"` is success. By number:
//! - 13800138000 → `"0"` (delivered)
//! - 13900139000 → `"isv.BUSINESS_LIMIT_CONTROL"` (throttled → retry, rate-limited)
//! - 13600136000 → `"500"` (busy → retry)
//! - 13700137000 → `"isv.MOBILE_NUMBER_ILLEGAL"` (refused → failed)
//! - 13500135000 → an HTML page with 200 (not the gateway → retry)
//! - 13400134000 → HTTP 503 with `Retry-After: 30` (retry)
//!
//! A request without the right token gets 401 (failed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use yingji_channels::*;

#[derive(Debug, Clone)]
struct Captured {
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Captured>>>;

fn answer(phone: &str) -> Response {
    let j = |code: &str, msg: &str| {
        (
            [("Content-Type", "application/json")],
            json!({"code": code, "msg": msg, "bizId": "900619746936498440^0"}).to_string(),
        )
            .into_response()
    };
    match phone {
        "13800138000" | "+85291234567" => j("0", "OK"),
        "13900139000" => j("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控"),
        "13600136000" => j("500", "系统繁忙"),
        "13700137000" => j("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
        "13500135000" => "<html><body>502 Bad Gateway</body></html>".into_response(),
        "13400134000" => {
            (StatusCode::SERVICE_UNAVAILABLE, [("Retry-After", "30")], "").into_response()
        }
        _ => j("isv.UNKNOWN", "?"),
    }
}

async fn gateway() -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let app = Router::new()
        .route(
            "/json",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    log.lock().unwrap().push(Captured {
                        headers: h.clone(),
                        body: b.clone(),
                    });
                    if h.get("x-api-key").and_then(|v| v.to_str().ok()) != Some("k-123") {
                        return (StatusCode::UNAUTHORIZED, "bad key").into_response();
                    }
                    let v: Value = match serde_json::from_slice(&b) {
                        Ok(v) => v,
                        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
                    };
                    answer(v["PhoneNumbers"].as_str().unwrap_or(""))
                },
            ),
        )
        .route(
            "/form",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    log.lock().unwrap().push(Captured {
                        headers: h,
                        body: b.clone(),
                    });
                    let fields = parse_form(&b);
                    answer(fields.get("mobile").map(String::as_str).unwrap_or(""))
                },
            ),
        )
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, log)
}

/// `application/x-www-form-urlencoded` decoding, enough for the test.
fn parse_form(b: &[u8]) -> BTreeMap<String, String> {
    let dec = |s: &str| {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let h = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    std::str::from_utf8(b)
        .unwrap()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect()
}

fn success() -> SmsSuccess {
    SmsSuccess {
        pointer: Some("/code".into()),
        equals: Some(json!("0")),
        retry_values: vec![json!("500")],
        rate_limited_values: vec![json!("isv.BUSINESS_LIMIT_CONTROL")],
        message_pointer: Some("/msg".into()),
    }
}

fn json_config(addr: SocketAddr) -> SmsConfig {
    serde_json::from_value(json!({
        "url": format!("http://{addr}/json"),
        "auth_header": "X-Api-Key",
        "auth_token": "k-123",
        "headers": {"X-Tenant": "beijing"},
        "sign": "【北京应急】",
        "max_chars": 70,
        "timeout_ms": 2000,
        "body": {"format": "json", "template": {
            "PhoneNumbers": "{phone}",
            "SignName": "{sign}",
            "Content": "{text}",
            "OutId": "{key}",
            "Meta": {"alert": "{identifier}", "n": 1}
        }},
        "success": serde_json::to_value(success()).unwrap(),
    }))
    .unwrap()
}

fn sms(phone: &str) -> Recipient {
    Recipient::Sms {
        phone: phone.into(),
    }
}

#[tokio::test]
async fn json_gateway_success_and_request_shape() {
    let (addr, log) = gateway().await;
    let ch = SmsChannel::new(&json_config(addr)).unwrap();
    let msg = common::message("sms-ok");
    let r = sms("+86 138 0013 8000");
    let o = ch.deliver(&msg, &r).await;
    match &o {
        Outcome::Delivered { detail, .. } => assert!(detail.contains("/code = 0"), "{detail}"),
        other => panic!("expected delivered, got {other:?}"),
    }
    let got = log.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert_eq!(
        c.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json"
    );
    assert_eq!(c.headers.get("x-tenant").unwrap(), "beijing");
    let v: Value = serde_json::from_slice(&c.body).unwrap();
    assert_eq!(v["PhoneNumbers"], "13800138000");
    assert_eq!(v["SignName"], "北京应急");
    assert_eq!(v["OutId"], idempotency_key(&msg.identifier, &r).as_str());
    assert_eq!(v["Meta"], json!({"alert": msg.identifier, "n": 1}));
    let content = v["Content"].as_str().unwrap();
    assert!(
        content.starts_with("【北京应急】北京市气象台发布暴雨橙色预警信号："),
        "{content}"
    );
    assert_eq!(content.chars().count(), 70, "{content}");
    assert!(content.ends_with('…'));
    assert_eq!(content, ch.text_for(&msg));
}

#[tokio::test]
async fn json_gateway_classification() {
    let (addr, log) = gateway().await;
    let ch = SmsChannel::new(&json_config(addr)).unwrap();
    let msg = common::message("sms-classes");
    let cases: &[(&str, &str, Option<ErrorClass>, Option<Duration>)] = &[
        ("13800138000", "delivered", None, None),
        ("+85291234567", "delivered", None, None),
        ("13900139000", "retry", Some(ErrorClass::RateLimited), None),
        ("13600136000", "retry", Some(ErrorClass::Transient), None),
        ("13700137000", "failed", Some(ErrorClass::Permanent), None),
        ("13500135000", "retry", Some(ErrorClass::Transient), None),
        (
            "13400134000",
            "retry",
            Some(ErrorClass::Transient),
            Some(Duration::from_secs(30)),
        ),
    ];
    for (phone, want, class, after) in cases {
        let o = ch.deliver(&msg, &sms(phone)).await;
        assert_eq!(o.status(), *want, "{phone}: {o:?}");
        assert_eq!(o.error_class(), *class, "{phone}: {o:?}");
        if let Outcome::Retry { after: a, .. } = &o {
            assert_eq!(a, after, "{phone}");
        }
    }
    // The gateway's message is quoted in the reason.
    let o = ch.deliver(&msg, &sms("13700137000")).await;
    assert!(o.text().contains("非法手机号"), "{o:?}");
    assert_eq!(log.lock().unwrap().len(), cases.len() + 1);
}

#[tokio::test]
async fn invalid_phones_fail_without_a_request() {
    let (addr, log) = gateway().await;
    let ch = SmsChannel::new(&json_config(addr)).unwrap();
    let msg = common::message("sms-invalid");
    for phone in ["12800138000", "010-65123456", "+86 10 6512 3456", "hello"] {
        let o = ch.deliver(&msg, &sms(phone)).await;
        assert_eq!(o.status(), "failed", "{phone}");
    }
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn wrong_token_fails() {
    let (addr, _log) = gateway().await;
    let mut cfg = json_config(addr);
    cfg.auth_token = Some("nope".into());
    let o = SmsChannel::new(&cfg)
        .unwrap()
        .deliver(&common::message("sms-401"), &sms("13800138000"))
        .await;
    assert_eq!(o.status(), "failed", "{o:?}");
    assert!(o.text().contains("401"));
}

#[tokio::test]
async fn form_gateway() {
    let (addr, log) = gateway().await;
    let cfg: SmsConfig = serde_json::from_value(json!({
        "url": format!("http://{addr}/form"),
        "sign": "北京应急",
        "body": {"format": "form", "template": {"mobile": "{phone}", "content": "{text}", "sign": "{sign}"}},
        "success": {"pointer": "/code", "equals": 0}
    }))
    .unwrap();
    let ch = SmsChannel::new(&cfg).unwrap();
    let msg = common::message("sms-form");
    assert!(ch.deliver(&msg, &sms("13800138000")).await.is_delivered());
    let o = ch.deliver(&msg, &sms("13700137000")).await;
    assert_eq!(o.status(), "failed");
    let got = log.lock().unwrap().clone();
    let c = &got[0];
    assert_eq!(
        c.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    let f = parse_form(&c.body);
    assert_eq!(f["mobile"], "13800138000");
    assert_eq!(f["sign"], "北京应急");
    assert!(
        f["content"].starts_with("【北京应急】北京市气象台"),
        "{}",
        f["content"]
    );
    assert!(f["content"].chars().count() <= 500);
}

#[tokio::test]
async fn gateway_down_is_retried() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let o = SmsChannel::new(&json_config(addr))
        .unwrap()
        .deliver(&common::message("sms-down"), &sms("13800138000"))
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
}
