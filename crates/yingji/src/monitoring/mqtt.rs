//! The MQTT consumer: subscribes to `yingji/<division>/<point id>/<sensor
//! code>` (`[monitoring] mqtt_topic`) with QoS 1, a persistent session and
//! manual acknowledgement. A reading is acknowledged to the broker only
//! after the transaction that stores it has committed, so a crash at any
//! point leaves it unacknowledged and the broker delivers it again; the
//! again-delivered reading is then a duplicate (same sensor and time) and
//! dropped by the readings' key. Between the connection and storage sits
//! a bounded channel (`queue`): when storage is slower, the connection
//! stops reading, and the broker — which sends a client at most its
//! in-flight window of unacknowledged QoS 1 messages — holds the rest.
//!
//! Payload: `{"at": "<RFC 3339>", "value": <number>}` or an array of them,
//! or the compact binary form ([`BINARY_TAG`], then 16-byte records; see
//! [`binary_items`] and docs/monitoring.md). The time is required: a
//! reading without one could not be recognised when delivered again.

use std::collections::HashMap;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::store::{self, Counts};
use super::Sensor;
use crate::db::DbError;
use crate::state::AppState;

/// The MQTT topic of a sensor.
pub fn topic(s: &Sensor) -> String {
    format!("yingji/{}/{}/{}", s.division, s.point_id, s.code)
}

/// The parts of a reading's topic: division, point id, sensor code.
pub fn parse_topic(topic: &str) -> Option<(&str, i64, &str)> {
    let mut parts = topic.rsplit('/');
    let code = parts.next()?;
    let point = parts.next()?.parse().ok()?;
    let division = parts.next()?;
    if code.is_empty() || division.is_empty() {
        return None;
    }
    Some((division, point, code))
}

/// The first byte of a compact binary MQTT payload (never the first byte
/// of JSON text, which is `{`, `[` or white space).
pub const BINARY_TAG: u8 = 0xB1;
/// The first byte of a compact binary HTTP batch (records name their
/// sensor).
pub const BINARY_BATCH_TAG: u8 = 0xB2;
/// Readings in one binary payload at most.
pub const BINARY_MAX_RECORDS: usize = 10_000;

/// The readings of a compact binary payload as the ingest's JSON items, or
/// what is wrong with it (the whole payload is then refused and counted
/// once as malformed). With `sensor` (MQTT: the topic names it) a payload
/// is [`BINARY_TAG`] and records of 16 bytes: the time as milliseconds
/// since 1970-01-01T00:00:00Z (`i64`), the value (`f64`); without (an HTTP
/// batch) it is [`BINARY_BATCH_TAG`] and records of 24 bytes: the sensor
/// id (`i64`), then the same two. Little-endian throughout.
pub fn binary_items(sensor: Option<i64>, payload: &[u8]) -> Result<Vec<Value>, String> {
    let (tag, size) = match sensor {
        Some(_) => (BINARY_TAG, 16),
        None => (BINARY_BATCH_TAG, 24),
    };
    let Some((&first, body)) = payload.split_first() else {
        return Err("payload: empty".into());
    };
    if first != tag {
        return Err(format!("payload: first byte {first:#04x}, not {tag:#04x}"));
    }
    if body.is_empty() || body.len() % size != 0 {
        return Err(format!(
            "payload: {} bytes after the tag, not a whole number of {size}-byte records",
            body.len()
        ));
    }
    if body.len() / size > BINARY_MAX_RECORDS {
        return Err(format!("payload: more than {BINARY_MAX_RECORDS} records"));
    }
    let word = |r: &[u8], at: usize| -> [u8; 8] {
        let mut w = [0u8; 8];
        w.copy_from_slice(&r[at..at + 8]);
        w
    };
    body.chunks_exact(size)
        .enumerate()
        .map(|(n, r)| {
            let (id, off) = match sensor {
                Some(id) => (id, 0),
                None => (i64::from_le_bytes(word(r, 0)), 8),
            };
            let ms = i64::from_le_bytes(word(r, off));
            let value = f64::from_le_bytes(word(r, off + 8));
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .map_err(|_| format!("payload: record {n}: time {ms} ms out of range"))?;
            // NaN or infinite: that reading alone is counted malformed
            // (JSON has no such number; passed on as text, it fails the
            // reading's parse like a JSON string value would).
            let value = if value.is_finite() {
                json!(value)
            } else {
                json!(value.to_string())
            };
            Ok(json!({ "sensor_id": id, "at": crate::clock::format_time(at), "value": value }))
        })
        .collect()
}

/// The readings of a payload as the ingest's JSON items for `sensor`, or
/// what is wrong with it.
pub fn payload_items(sensor: i64, payload: &[u8]) -> Result<Vec<Value>, String> {
    if payload.first() == Some(&BINARY_TAG) {
        return binary_items(Some(sensor), payload);
    }
    let v: Value = serde_json::from_slice(payload).map_err(|e| format!("payload: {e}"))?;
    let list = match v {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        _ => return Err("payload: not an object or an array".into()),
    };
    list.into_iter()
        .map(|r| match r {
            Value::Object(o) => Ok(json!({
                "sensor_id": sensor,
                "at": o.get("at").cloned().unwrap_or(Value::Null),
                "value": o.get("value").cloned().unwrap_or(Value::Null),
            })),
            _ => Err("payload: a reading is not an object".into()),
        })
        .collect()
}

fn options(s: &AppState) -> Option<MqttOptions> {
    let c = &s.config.monitoring;
    let url = url::Url::parse(c.mqtt_url.as_deref()?).ok()?;
    let host = url.host_str()?.to_string();
    let port = url.port().unwrap_or(1883);
    let mut o = MqttOptions::new(c.mqtt_client_id.clone(), host, port);
    o.set_keep_alive(std::time::Duration::from_secs(30));
    o.set_clean_session(false);
    o.set_manual_acks(true);
    if let (Some(u), Some(p)) = (&c.mqtt_username, &c.mqtt_password) {
        o.set_credentials(u.clone(), p.clone());
    }
    Some(o)
}

/// Run the consumer until the task is aborted.
pub fn spawn(s: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(opts) = options(&s) else {
            tracing::warn!(url = ?s.config.monitoring.mqtt_url, "monitoring: not an MQTT URL (mqtt://host:port)");
            return;
        };
        let c = s.config.monitoring.clone();
        // Acks and the subscription go through this queue to the event
        // loop, which takes one request per turn only when no incoming
        // packet is waiting: a broker sending faster than the acks go out
        // (Mosquitto does not hold a 3.1.1 client to its in-flight window)
        // can fill it. So nothing that the event loop's turns depend on
        // waits for it: the acks go through their own task (`acker`), the
        // subscription through a task of its own.
        let (client, mut events) = AsyncClient::new(opts, c.queue.max(16) + 1024);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Publish>(c.queue.max(1));
        // Stored, not yet handed to the event loop: at most what the pump
        // took from the broker, which is bounded by `queue` and the batch
        // being stored (payloads dropped, only the packet ids are kept).
        let (ack_tx, mut ack_rx) = tokio::sync::mpsc::unbounded_channel::<Publish>();
        let topic = c.mqtt_topic.clone();
        let sub = client.clone();
        let acker = async move {
            while let Some(p) = ack_rx.recv().await {
                if let Err(e) = client.ack(&p).await {
                    tracing::warn!(error = %e, "monitoring: acknowledgement failed");
                }
            }
        };
        let pump = async move {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                        tracing::info!(
                            session = ack.session_present,
                            "monitoring: connected to the broker"
                        );
                        let (sub, topic) = (sub.clone(), topic.clone());
                        tokio::spawn(async move {
                            if let Err(e) = sub.subscribe(topic, QoS::AtLeastOnce).await {
                                tracing::warn!(error = %e, "monitoring: subscribe failed");
                            }
                        });
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if tx.send(p).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "monitoring: broker connection lost; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        };
        let consume = async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < c.batch.max(1) {
                    match rx.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                // Storage must succeed before anything is acknowledged: on
                // an error the batch is tried again (the stream waits).
                let mut wait = std::time::Duration::from_millis(200);
                loop {
                    match store_batch(&s, &batch).await {
                        Ok(()) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "monitoring: storing readings failed; retrying");
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(std::time::Duration::from_secs(10));
                        }
                    }
                }
                let n = batch.len();
                for mut p in batch {
                    p.payload = Default::default();
                    if ack_tx.send(p).is_err() {
                        return;
                    }
                }
                tracing::debug!(messages = n, "monitoring: batch stored and acknowledged");
            }
        };
        tokio::join!(pump, consume, acker);
    })
}

/// Store one batch of messages: each message's readings with its sensor's
/// device, one transaction per device.
async fn store_batch(s: &AppState, batch: &[Publish]) -> Result<(), DbError> {
    let now = OffsetDateTime::now_utc();
    let mut sensors: HashMap<(i64, String), Option<Sensor>> = HashMap::new();
    // device id → (items, counts, last error)
    let mut by_device: HashMap<i64, (Vec<Value>, Counts, Option<String>)> = HashMap::new();
    for p in batch {
        let Some((division, point, code)) = parse_topic(&p.topic) else {
            tracing::warn!(topic = %p.topic, "monitoring: not a reading topic; dropped");
            continue;
        };
        let key = (point, code.to_string());
        if !sensors.contains_key(&key) {
            let x = store::sensor_by_code(&s.db, point, code).await?;
            sensors.insert(key.clone(), x);
        }
        let Some(x) = sensors.get(&key).and_then(Option::as_ref) else {
            tracing::warn!(topic = %p.topic, "monitoring: no such sensor; dropped");
            continue;
        };
        let slot = by_device
            .entry(x.device_id)
            .or_insert_with(|| (Vec::new(), Counts::default(), None));
        if x.division != division {
            slot.1.refused_other += 1;
            slot.2 = Some(format!("{}: division is not the sensor's", p.topic));
            continue;
        }
        match payload_items(x.id, &p.payload) {
            Ok(items) => slot.0.extend(items),
            Err(e) => {
                slot.1.malformed += 1;
                slot.2 = Some(format!("{}: {e}", p.topic));
            }
        }
    }
    for (device_id, (items, counts, last_error)) in by_device {
        let Some(d) = store::get_device(&s.db, device_id).await? else {
            continue;
        };
        super::ingest::receive(s, &d, &items, counts, last_error, now).await?;
    }
    Ok(())
}
