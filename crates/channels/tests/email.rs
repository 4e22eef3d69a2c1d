//! The e-mail adapter against an in-process fake SMTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;

use base64::Engine as _;
use tokio::net::TcpListener;
use yingji_channels::testing::fake_smtp;
use yingji_channels::*;

fn config(addr: SocketAddr) -> EmailConfig {
    serde_json::from_value(serde_json::json!({
        "host": "127.0.0.1",
        "port": addr.port(),
        "tls": "none",
        "from": "北京市应急管理局 <alert@yingji.example.cn>",
        "reply_to": "duty@yingji.example.cn",
        "timeout_ms": 5000
    }))
    .unwrap()
}

/// The unfolded value of header `name` in a message.
fn header_value(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next()?;
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.split("\r\n").find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// Decodes RFC 2047 encoded-words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`);
/// whitespace between adjacent encoded-words is dropped.
fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut prev_encoded = false;
    for (i, token) in value.split(' ').enumerate() {
        let decoded = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut parts = t.splitn(3, '?');
                let charset = parts.next()?;
                let enc = parts.next()?;
                let text = parts.next()?;
                assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
                let bytes = match enc {
                    "b" | "B" => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .ok()?,
                    "q" | "Q" => {
                        let mut v = Vec::new();
                        let b = text.as_bytes();
                        let mut j = 0;
                        while j < b.len() {
                            match b[j] {
                                b'_' => v.push(b' '),
                                b'=' => {
                                    v.push(u8::from_str_radix(&text[j + 1..j + 3], 16).ok()?);
                                    j += 2;
                                }
                                c => v.push(c),
                            }
                            j += 1;
                        }
                        v
                    }
                    _ => return None,
                };
                String::from_utf8(bytes).ok()
            });
        match decoded {
            Some(d) => {
                if i > 0 && !prev_encoded {
                    out.push(' ');
                }
                out.push_str(&d);
                prev_encoded = true;
            }
            None => {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(token);
                prev_encoded = false;
            }
        }
    }
    out
}

#[test]
fn rfc2047_decoder_works() {
    assert_eq!(decode_rfc2047("=?utf-8?b?5pq06Zuo?="), "暴雨");
    assert_eq!(decode_rfc2047("=?utf-8?b?5pq0?= =?utf-8?b?6Zuo?="), "暴雨");
    assert_eq!(decode_rfc2047("=?UTF-8?Q?a_b=E6=9A=B4?= c"), "a b暴 c");
    assert_eq!(decode_rfc2047("plain text"), "plain text");
}

#[tokio::test]
async fn delivers_with_utf8_subject_and_cap_attachment() {
    let (addr, log) = fake_smtp().await;
    let ch = EmailChannel::new(&config(addr)).unwrap();
    let msg = common::message("email-ok");
    let r = Recipient::Email {
        address: "Duty.Officer@example.org".into(),
    };
    let o = ch.deliver(&msg, &r).await;
    match &o {
        Outcome::Delivered { detail, .. } => assert!(detail.contains("250"), "{detail}"),
        other => panic!("expected delivered, got {other:?}"),
    }

    let mails = log.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.ehlo, "yingji.example.cn");
    assert_eq!(m.from, "<alert@yingji.example.cn>");
    assert_eq!(m.rcpt, ["<Duty.Officer@example.org>"]);
    assert!(m.quit, "the client says QUIT");

    // The subject is RFC 2047-encoded ASCII on the wire and decodes to the
    // Chinese subject.
    let raw_subject = header_value(&m.data, "Subject").unwrap();
    assert!(raw_subject.is_ascii(), "{raw_subject}");
    assert!(
        raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "{raw_subject}"
    );
    assert_eq!(decode_rfc2047(&raw_subject), msg.subject);
    assert_eq!(
        decode_rfc2047(&raw_subject),
        "北京市气象台发布暴雨橙色预警信号"
    );
    // The display name of From is encoded too.
    let from = header_value(&m.data, "From").unwrap();
    assert!(from.contains("<alert@yingji.example.cn>"), "{from}");
    assert!(decode_rfc2047(&from).contains("北京市应急管理局"), "{from}");
    assert_eq!(
        header_value(&m.data, "Reply-To").as_deref(),
        Some("duty@yingji.example.cn")
    );
    // Message-ID carries the idempotency key.
    assert_eq!(
        header_value(&m.data, "Message-ID").unwrap(),
        format!(
            "<{}@yingji.example.cn>",
            idempotency_key(&msg.identifier, &r)
        )
    );
    // A text part and the CAP XML attached.
    assert!(m.data.contains("multipart/mixed"));
    assert!(m.data.contains("text/plain; charset=utf-8"), "{}", m.data);
    assert!(m.data.contains("application/cap+xml"));
    // Long names are written with RFC 2231 continuations (filename*0=…).
    let unfolded = m.data.replace("\r\n ", " ");
    assert!(
        unfolded.contains(&format!("filename=\"{}.cap.xml\"", msg.identifier))
            || unfolded.contains(&format!("filename*0=\"{}.cap.xml\"", msg.identifier)),
        "{}",
        m.data
    );
}

#[tokio::test]
async fn body_without_attachment_is_readable_utf8() {
    let (addr, log) = fake_smtp().await;
    let mut cfg = config(addr);
    cfg.attach_cap = false;
    let ch = EmailChannel::new(&cfg).unwrap();
    let msg = common::message("email-plain");
    let r = Recipient::Email {
        address: "duty@example.org".into(),
    };
    // What is sent is what `build_email` builds.
    let built = ch.build_email(&msg, &r, "duty@example.org").unwrap();
    let text = String::from_utf8(built.formatted()).unwrap();
    assert!(text.contains("text/plain; charset=utf-8"));
    assert!(ch.deliver(&msg, &r).await.is_delivered());
    let data = log.lock().unwrap()[0].data.clone();
    let cte = header_value(&data, "Content-Transfer-Encoding").unwrap();
    let body = data.split_once("\r\n\r\n").unwrap().1;
    let decoded = match cte.as_str() {
        "base64" => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body.replace("\r\n", ""))
                .unwrap(),
        )
        .unwrap(),
        "8bit" | "7bit" => body.to_string(),
        "quoted-printable" => {
            // Soft line breaks and =XX escapes.
            let joined = body.replace("=\r\n", "");
            let b = joined.as_bytes();
            let mut v = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'=' && i + 2 < b.len() {
                    v.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    v.push(b[i]);
                    i += 1;
                }
            }
            String::from_utf8(v).unwrap()
        }
        other => panic!("unexpected transfer encoding {other}"),
    };
    assert!(decoded.contains("暴雨"), "{decoded}");
    assert!(
        decoded.contains(&format!("CAP: {}", msg.cap_url.clone().unwrap())),
        "{decoded}"
    );
}

#[tokio::test]
async fn smtp_reply_codes_are_classified() {
    let (addr, _log) = fake_smtp().await;
    let ch = EmailChannel::new(&config(addr)).unwrap();
    let msg = common::message("email-codes");
    let o = ch
        .deliver(
            &msg,
            &Recipient::Email {
                address: "perm@example.org".into(),
            },
        )
        .await;
    assert_eq!(o.status(), "failed", "{o:?}");
    assert!(o.text().contains("550"), "{o:?}");
    let o = ch
        .deliver(
            &msg,
            &Recipient::Email {
                address: "temp@example.org".into(),
            },
        )
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
    assert!(o.text().contains("451"), "{o:?}");
    let o = ch
        .deliver(
            &msg,
            &Recipient::Email {
                address: "no at sign".into(),
            },
        )
        .await;
    assert_eq!(o.status(), "failed", "{o:?}");
}

#[tokio::test]
async fn server_down_is_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let o = EmailChannel::new(&config(addr))
        .unwrap()
        .deliver(
            &common::message("email-down"),
            &Recipient::Email {
                address: "duty@example.org".into(),
            },
        )
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
}
