//! The MQTT loudspeaker adapter against the local Mosquitto (127.0.0.1:1883).
//!
//! These tests need the broker: CI runs Mosquitto. When it is not
//! reachable they FAIL (they do not skip). Override the address with
//! `YINGJI_TEST_MQTT=host:port`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use serde_json::Value;
use yingji_channels::*;

fn broker() -> (String, u16) {
    let addr = std::env::var("YINGJI_TEST_MQTT").unwrap_or_else(|_| "127.0.0.1:1883".into());
    let (host, port) = addr
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("YINGJI_TEST_MQTT={addr:?} is not host:port"));
    (host.to_string(), port.parse().expect("MQTT port"))
}

async fn require_broker() -> (String, u16) {
    let (host, port) = broker();
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(Duration::from_secs(3), connect).await {
        Ok(Ok(_)) => (host, port),
        Ok(Err(e)) => panic!(
            "MQTT broker not reachable at {host}:{port} ({e}). These tests need a running \
             Mosquitto (apt-get install mosquitto; it listens on 127.0.0.1:1883), \
             or set YINGJI_TEST_MQTT=host:port."
        ),
        Err(_) => panic!("MQTT broker at {host}:{port} did not accept a connection within 3 s"),
    }
}

/// A subscriber on `topic`, ready (SUBACK received) when returned.
async fn subscriber(host: &str, port: u16, topic: &str) -> (AsyncClient, EventLoop) {
    let id = format!("yingji-test-{:08x}", rand::random::<u32>());
    let mut opts = MqttOptions::new(id, host, port);
    opts.set_keep_alive(Duration::from_secs(10));
    let (client, mut el) = AsyncClient::new(opts, 10);
    client.subscribe(topic, QoS::AtLeastOnce).await.unwrap();
    let ready = async {
        loop {
            match el.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => break,
                Ok(_) => {}
                Err(e) => panic!("subscriber connection failed: {e}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), ready)
        .await
        .expect("no SUBACK within 10 s");
    (client, el)
}

/// The next message on the subscription whose `identifier` is `id`.
async fn receive(el: &mut EventLoop, id: &str) -> (String, Value) {
    let wait = async {
        loop {
            match el.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let v: Value = serde_json::from_slice(&p.payload).unwrap();
                    if v["identifier"] == id {
                        return (p.topic.clone(), v);
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("subscriber connection failed: {e}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("message {id} did not arrive within 10 s"))
}

#[tokio::test]
async fn publishes_to_the_division_topic_and_reports_puback() {
    let (host, port) = require_broker().await;
    let code = "110102001001";
    let (_sub, mut el) = subscriber(&host, port, &format!("yingji/broadcast/{code}")).await;

    let ch = BroadcastChannel::new(&BroadcastConfig {
        host: host.clone(),
        port,
        ..BroadcastConfig::default()
    })
    .unwrap();
    assert_eq!(ch.topic(code), "yingji/broadcast/110102001001");
    assert_eq!(ch.client_id().len(), 23);

    let msg = common::message(&format!("mqtt-{:08x}", rand::random::<u32>()));
    let r = Recipient::Broadcast {
        division_code: code.into(),
    };
    let o = ch.deliver(&msg, &r).await;
    match &o {
        Outcome::Delivered { detail, .. } => {
            assert!(
                detail.contains("PUBACK") && detail.contains(code),
                "{detail}"
            )
        }
        other => panic!("expected delivered, got {other:?}"),
    }

    let (topic, v) = receive(&mut el, &msg.identifier).await;
    assert_eq!(topic, "yingji/broadcast/110102001001");
    assert_eq!(v["identifier"], msg.identifier.as_str());
    assert_eq!(v["msg_type"], "Alert");
    assert_eq!(v["level"], 2);
    assert_eq!(v["colour"], "orange");
    assert_eq!(v["colour_zh"], "橙色");
    assert_eq!(v["severity"], "Severe");
    assert_eq!(v["event"], "暴雨");
    assert_eq!(v["text"], msg.text.as_str());
    assert_eq!(v["cap_url"], msg.cap_url.clone().unwrap().as_str());
    assert_eq!(
        v["idempotency_key"],
        idempotency_key(&msg.identifier, &r).as_str()
    );

    // The connection is kept: a second delivery goes through too.
    let msg2 = common::message(&format!("mqtt2-{:08x}", rand::random::<u32>()));
    assert!(ch.deliver(&msg2, &r).await.is_delivered());
    let (_, v2) = receive(&mut el, &msg2.identifier).await;
    assert_eq!(v2["identifier"], msg2.identifier.as_str());
    ch.close().await;
    // And after close, the next delivery reconnects.
    let msg3 = common::message(&format!("mqtt3-{:08x}", rand::random::<u32>()));
    assert!(ch.deliver(&msg3, &r).await.is_delivered());
    receive(&mut el, &msg3.identifier).await;
}

#[tokio::test]
async fn concurrent_deliveries_each_get_their_own_puback() {
    let (host, port) = require_broker().await;
    let ch = std::sync::Arc::new(
        BroadcastChannel::new(&BroadcastConfig {
            host,
            port,
            ..BroadcastConfig::default()
        })
        .unwrap(),
    );
    let mut tasks = Vec::new();
    for i in 0..8 {
        let ch = ch.clone();
        tasks.push(tokio::spawn(async move {
            let msg = common::message(&format!("mqtt-c{i}-{:08x}", rand::random::<u32>()));
            let r = Recipient::Broadcast {
                division_code: format!("1101020010{:02}", i + 1),
            };
            ch.deliver(&msg, &r).await
        }));
    }
    for t in tasks {
        let o = t.await.unwrap();
        assert!(o.is_delivered(), "{o:?}");
    }
}

#[tokio::test]
async fn invalid_division_codes_fail() {
    let ch = BroadcastChannel::new(&BroadcastConfig::default()).unwrap();
    let msg = common::message("mqtt-invalid");
    for code in ["110102", "11010200100X", "yingji/#", ""] {
        let o = ch
            .deliver(
                &msg,
                &Recipient::Broadcast {
                    division_code: code.into(),
                },
            )
            .await;
        assert_eq!(o.status(), "failed", "{code}: {o:?}");
    }
}

#[tokio::test]
async fn broker_down_is_retried() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ch = BroadcastChannel::new(&BroadcastConfig {
        host: "127.0.0.1".into(),
        port,
        ack_timeout_ms: 3_000,
        ..BroadcastConfig::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let o = ch
        .deliver(
            &common::message("mqtt-down"),
            &Recipient::Broadcast {
                division_code: "110102001001".into(),
            },
        )
        .await;
    assert_eq!(o.status(), "retry", "{o:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
