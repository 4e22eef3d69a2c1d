//! The webhook adapter against an in-process HTTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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

/// The test receivers listen on loopback: allow-listed here, as a bureau
/// would list its own systems.
fn channel() -> WebhookChannel {
    WebhookChannel::new(&WebhookConfig {
        timeout_ms: 500,
        connect_timeout_ms: 500,
        allow: AllowList::parse(["127.0.0.1/32"]).unwrap(),
        ..WebhookConfig::default()
    })
    .unwrap()
}

/// The default guard: no allow-list.
fn guarded(lookup: Option<Lookup>) -> WebhookChannel {
    let config = WebhookConfig {
        timeout_ms: 500,
        connect_timeout_ms: 500,
        ..WebhookConfig::default()
    };
    match lookup {
        Some(l) => WebhookChannel::with_lookup(&config, l).unwrap(),
        None => WebhookChannel::new(&config).unwrap(),
    }
}

/// A server that counts every connection and request it gets.
async fn counter(bind: &str) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = n.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecret",
                    )
                    .await;
            });
        }
    });
    (addr, n)
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
    // The answer's status only: the body ("queued") is not read into it.
    assert_eq!(outcome, Outcome::delivered(Reason::Http(202), "HTTP 202"));

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
            ..
        } => {
            assert_eq!(*after, Some(Duration::from_secs(7)));
            assert_eq!(*class, ErrorClass::Transient);
            assert!(
                reason.contains("503") && !reason.contains("maintenance"),
                "the receiver's body is not kept: {reason}"
            );
            assert_eq!(o.code(), Reason::Http(503));
            assert_eq!(o.code().code(), "http_5xx");
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
    assert_eq!(o, Outcome::failed(Reason::Http(400), "HTTP 400"));
    assert_eq!(o.code().code(), "http_4xx");
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
    assert_eq!(o.code(), Reason::Http(301));
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
            ..
        } => {
            assert_eq!(*class, ErrorClass::Transient);
            assert_eq!(*after, None);
            assert!(reason.contains("timed out"), "{reason}");
            assert_eq!(o.code(), Reason::Timeout);
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
    assert_eq!(o.code(), Reason::ConnectError);
}

#[tokio::test]
async fn tls_failures_are_classified() {
    // https:// to a plain HTTP server: the handshake fails.
    let (addr, _n) = counter("127.0.0.1:0").await;
    let o = channel()
        .deliver(
            &common::message("webhook-tls"),
            &Recipient::Webhook {
                url: format!("https://{addr}/ok"),
                secret: "s".into(),
                format: WebhookFormat::Cap,
            },
        )
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
    assert_eq!(o.code(), Reason::TlsError, "{o:?}");
}

#[tokio::test]
async fn private_destinations_are_refused_without_a_connection() {
    use std::sync::atomic::Ordering;
    let (v4, n4) = counter("127.0.0.1:0").await;
    let (v6, n6) = counter("[::1]:0").await;
    let (p4, p6) = (v4.port(), v6.port());
    // Another loopback address on the same port as [::1]'s server.
    let (_, n_other) = counter(&format!("127.0.0.2:{p6}")).await;
    // Names that resolve to loopback in a DNS the subscriber controls.
    let lookup = lookup_with(|host: String| async move {
        Ok(match host.as_str() {
            "rebind.example.net" => vec!["127.0.0.1".parse().unwrap()],
            "mixed.example.net" => vec!["127.0.0.2".parse().unwrap(), "::1".parse().unwrap()],
            _ => Vec::new(),
        })
    });
    let urls = [
        format!("http://127.0.0.1:{p4}/ok"),
        format!("http://127.1:{p4}/ok"),
        format!("http://2130706433:{p4}/ok"),
        format!("http://0x7f000001:{p4}/ok"),
        format!("http://[::ffff:127.0.0.1]:{p4}/ok"),
        format!("http://[::1]:{p6}/ok"),
        format!("http://0.0.0.0:{p4}/ok"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        format!("http://localhost:{p4}/ok"),
        format!("http://rebind.example.net:{p4}/ok"),
        format!("http://mixed.example.net:{p6}/ok"),
    ];
    let msg = common::message("webhook-private");
    for (i, url) in urls.iter().enumerate() {
        // The system resolver for localhost, the injected one for the rest.
        let ch = if url.contains("example.net") {
            guarded(Some(lookup.clone()))
        } else {
            guarded(None)
        };
        if !url.contains("localhost") && !url.contains("example.net") {
            // IP literals are refused before any lookup or connection.
            assert!(
                check_webhook_url(url, &AllowList::default()).is_err(),
                "{url}"
            );
        }
        let r = Recipient::Webhook {
            url: url.clone(),
            secret: "s".into(),
            format: WebhookFormat::Json,
        };
        let o = ch.deliver(&msg, &r).await;
        assert_eq!(o.code(), Reason::RefusedPrivateAddress, "{i} {url}: {o:?}");
        assert_eq!(o.code().code(), "refused_private_address");
        assert_eq!(o.status(), "failed", "a permanent failure: {url}");
        assert!(!o.text().contains("secret"), "{o:?}");
    }
    assert_eq!(n4.load(Ordering::SeqCst), 0, "no connection to 127.0.0.1");
    assert_eq!(n6.load(Ordering::SeqCst), 0, "no connection to [::1]");

    // The same receivers, allow-listed, are reached: the guard, not the
    // test servers, refused them above.
    let allowing = WebhookChannel::with_lookup(
        &WebhookConfig {
            allow: AllowList::parse(["127.0.0.1", "::1"]).unwrap(),
            ..WebhookConfig::default()
        },
        lookup,
    )
    .unwrap();
    for url in [
        format!("http://127.0.0.1:{p4}/ok"),
        format!("http://[::1]:{p6}/ok"),
        format!("http://rebind.example.net:{p4}/ok"),
        // Only the vetted address of a name is connected to: ::1, not 127.0.0.2.
        format!("http://mixed.example.net:{p6}/ok"),
    ] {
        let r = Recipient::Webhook {
            url: url.clone(),
            secret: "s".into(),
            format: WebhookFormat::Json,
        };
        let o = allowing.deliver(&msg, &r).await;
        assert_eq!(
            o,
            Outcome::delivered(Reason::Http(200), "HTTP 200"),
            "{url}"
        );
    }
    assert_eq!(n4.load(Ordering::SeqCst), 2);
    assert_eq!(n6.load(Ordering::SeqCst), 2);
    assert_eq!(
        n_other.load(Ordering::SeqCst),
        0,
        "127.0.0.2 was not vetted"
    );
}

#[tokio::test]
async fn an_allow_listed_host_name_may_resolve_to_a_private_address() {
    let (addr, log) = receiver().await;
    let lookup = lookup_with(|_host: String| async move { Ok(vec!["127.0.0.1".parse().unwrap()]) });
    let ch = WebhookChannel::with_lookup(
        &WebhookConfig {
            allow: AllowList::parse(["hooks.bureau.local"]).unwrap(),
            ..WebhookConfig::default()
        },
        lookup,
    )
    .unwrap();
    let msg = common::message("webhook-named");
    let url = |host: &str| Recipient::Webhook {
        url: format!("http://{host}:{}/ok", addr.port()),
        secret: "s".into(),
        format: WebhookFormat::Cap,
    };
    assert!(ch
        .deliver(&msg, &url("Hooks.Bureau.Local"))
        .await
        .is_delivered());
    // Another name resolving to the same address is not allow-listed.
    let o = ch.deliver(&msg, &url("other.bureau.local")).await;
    assert_eq!(o.code(), Reason::RefusedPrivateAddress, "{o:?}");
    // Nor is the address itself.
    let o = ch.deliver(&msg, &url("127.0.0.1")).await;
    assert_eq!(o.code(), Reason::RefusedPrivateAddress, "{o:?}");
    assert_eq!(log.lock().unwrap().len(), 1);
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
        assert_eq!(o.code(), Reason::InvalidRecipient, "{r:?}: {o:?}");
    }
}
