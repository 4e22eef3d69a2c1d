//! The webhook adapter against an in-process HTTP server.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use yingji_channels::*;

#[derive(Debug, Clone)]
struct Captured {
    path: &'static str,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Captured>>>;

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

fn record(log: &Log, path: &'static str, headers: HeaderMap, body: Bytes) {
    log.lock().unwrap().push(Captured {
        path,
        headers,
        body,
    });
}

async fn receiver() -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let app = Router::new()
        .route(
            "/ok",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "ok", h, b);
                    (StatusCode::ACCEPTED, "queued")
                },
            ),
        )
        .route(
            "/busy",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "busy", h, b);
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [("Retry-After", "7")],
                        "maintenance",
                    )
                },
            ),
        )
        .route(
            "/limited",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "limited", h, b);
                    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
                    let mut r = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
                    r.headers_mut().insert("Retry-After", at.parse().unwrap());
                    r
                },
            ),
        )
        .route(
            "/bad",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "bad", h, b);
                    (StatusCode::BAD_REQUEST, "unknown alert format")
                },
            ),
        )
        .route(
            "/moved",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "moved", h, b);
                    let mut r: Response = StatusCode::MOVED_PERMANENTLY.into_response();
                    r.headers_mut().insert("Location", "/ok".parse().unwrap());
                    r
                },
            ),
        )
        .route(
            "/slow",
            post(
                |State(log): State<Log>, h: HeaderMap, b: Bytes| async move {
                    record(&log, "slow", h, b);
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    "late"
                },
            ),
        )
        .with_state(log.clone());
    (serve(app).await, log)
}

fn channel() -> WebhookChannel {
    WebhookChannel::new(&WebhookConfig {
        timeout_ms: 500,
        connect_timeout_ms: 500,
        ..WebhookConfig::default()
    })
    .unwrap()
}

fn hook(addr: SocketAddr, path: &str, format: WebhookFormat) -> Recipient {
    Recipient::Webhook {
        url: format!("http://{addr}/{path}"),
        secret: "s3cret-键".into(),
        format,
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn cap_xml_is_signed_and_delivered() {
    let (addr, log) = receiver().await;
    let msg = common::message("webhook-cap");
    let r = hook(addr, "ok", WebhookFormat::Cap);
    let outcome = channel().deliver(&msg, &r).await;
    assert_eq!(
        outcome,
        Outcome::Delivered {
            detail: "HTTP 202: queued".into()
        }
    );

    let got = log.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert_eq!(c.path, "ok");
    assert_eq!(header(&c.headers, "content-type"), "application/cap+xml");
    assert_eq!(c.body.as_ref(), msg.cap_xml.as_bytes());
    let sig = header(&c.headers, "x-yingji-signature");
    assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64, "{sig}");
    assert!(verify_signature("s3cret-键".as_bytes(), &c.body, sig));
    assert!(!verify_signature(b"wrong", &c.body, sig));
    assert_eq!(
        header(&c.headers, "idempotency-key"),
        idempotency_key(&msg.identifier, &r)
    );
    assert_eq!(header(&c.headers, "x-yingji-alert"), msg.identifier);
    let ts: u64 = header(&c.headers, "x-yingji-timestamp").parse().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(ts <= now && now - ts < 60, "timestamp {ts} vs now {now}");
    assert!(header(&c.headers, "user-agent").starts_with("yingji-channels/"));
    // The body is the CAP XML, readable back.
    let doc = yingji_cap::parse(&c.body).unwrap();
    assert_eq!(doc.alert.identifier, msg.identifier);
}

#[tokio::test]
async fn json_format_and_stable_key_across_retries() {
    let (addr, log) = receiver().await;
    let msg = common::message("webhook-json");
    let r = hook(addr, "ok", WebhookFormat::Json);
    let ch = channel();
    assert!(ch.deliver(&msg, &r).await.is_delivered());
    assert!(ch.deliver(&msg, &r).await.is_delivered());
    let got = log.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    for c in &got {
        assert_eq!(header(&c.headers, "content-type"), "application/json");
        let v: serde_json::Value = serde_json::from_slice(&c.body).unwrap();
        assert_eq!(v["identifier"], msg.identifier.as_str());
        assert_eq!(v["level"]["colour"], "orange");
        assert_eq!(v["capUrl"], msg.cap_url.clone().unwrap().as_str());
        assert!(verify_signature(
            "s3cret-键".as_bytes(),
            &c.body,
            header(&c.headers, "x-yingji-signature")
        ));
    }
    assert_eq!(
        header(&got[0].headers, "idempotency-key"),
        header(&got[1].headers, "idempotency-key")
    );
}

#[tokio::test]
async fn service_unavailable_is_retried_after_the_hint() {
    let (addr, _log) = receiver().await;
    let msg = common::message("webhook-503");
    let o = channel()
        .deliver(&msg, &hook(addr, "busy", WebhookFormat::Cap))
        .await;
    match &o {
        Outcome::Retry {
            after,
            reason,
            class,
        } => {
            assert_eq!(*after, Some(Duration::from_secs(7)));
            assert_eq!(*class, ErrorClass::Transient);
            assert!(
                reason.contains("503") && reason.contains("maintenance"),
                "{reason}"
            );
        }
        other => panic!("expected a retry, got {other:?}"),
    }
    // The policy waits at least the hint.
    let d = RetryPolicy::default().decide_with(
        1,
        ErrorClass::Transient,
        Some(Duration::from_secs(7)),
        0.0,
    );
    assert_eq!(d, RetryDecision::RetryAfter(Duration::from_secs(7)));
}

#[tokio::test]
async fn too_many_requests_honours_an_http_date() {
    let (addr, _log) = receiver().await;
    let o = channel()
        .deliver(
            &common::message("webhook-429"),
            &hook(addr, "limited", WebhookFormat::Cap),
        )
        .await;
    match o {
        Outcome::Retry {
            after: Some(after),
            class: ErrorClass::RateLimited,
            ..
        } => assert!(
            after <= Duration::from_secs(120) && after >= Duration::from_secs(110),
            "{after:?}"
        ),
        other => panic!("expected a rate-limited retry, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_request_fails_permanently() {
    let (addr, _log) = receiver().await;
    let o = channel()
        .deliver(
            &common::message("webhook-400"),
            &hook(addr, "bad", WebhookFormat::Cap),
        )
        .await;
    assert_eq!(
        o,
        Outcome::Failed {
            reason: "HTTP 400: unknown alert format".into()
        }
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (addr, log) = receiver().await;
    let o = channel()
        .deliver(
            &common::message("webhook-301"),
            &hook(addr, "moved", WebhookFormat::Cap),
        )
        .await;
    assert_eq!(o.status(), "failed", "{o:?}");
    assert!(o.text().contains("301"));
    let paths: Vec<&str> = log.lock().unwrap().iter().map(|c| c.path).collect();
    assert_eq!(paths, ["moved"]);
}

#[tokio::test]
async fn timeout_is_retried() {
    let (addr, _log) = receiver().await;
    let started = std::time::Instant::now();
    let o = channel()
        .deliver(
            &common::message("webhook-slow"),
            &hook(addr, "slow", WebhookFormat::Cap),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    match &o {
        Outcome::Retry {
            reason,
            class,
            after,
        } => {
            assert_eq!(*class, ErrorClass::Transient);
            assert_eq!(*after, None);
            assert!(reason.contains("timed out"), "{reason}");
        }
        other => panic!("expected a retry, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_retried() {
    // A port that was just free.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let o = channel()
        .deliver(
            &common::message("webhook-refused"),
            &hook(addr, "ok", WebhookFormat::Cap),
        )
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
    assert_eq!(o.error_class(), Some(ErrorClass::Transient));
}

#[tokio::test]
async fn invalid_recipients_fail_without_a_request() {
    let ch = channel();
    let msg = common::message("webhook-invalid");
    for r in [
        Recipient::Webhook {
            url: "not a url".into(),
            secret: "x".into(),
            format: WebhookFormat::Cap,
        },
        Recipient::Webhook {
            url: "file:///etc/passwd".into(),
            secret: "x".into(),
            format: WebhookFormat::Cap,
        },
        Recipient::Webhook {
            url: "http://127.0.0.1:9/".into(),
            secret: String::new(),
            format: WebhookFormat::Cap,
        },
    ] {
        let o = ch.deliver(&msg, &r).await;
        assert_eq!(o.status(), "failed", "{r:?}: {o:?}");
    }
}
