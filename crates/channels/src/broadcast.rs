//! MQTT publish to emergency-broadcast loudspeakers (应急广播).
//!
//! Each division's loudspeaker controllers subscribe to
//! `{topic_prefix}/{division_code}` (default prefix `yingji/broadcast`, the
//! 12-digit division code). A delivery publishes, with QoS 1, the JSON
//! payload
//!
//! ```json
//! {"identifier": "…", "msg_type": "Alert", "level": 2, "colour": "orange",
//!  "colour_zh": "橙色", "severity": "Severe", "event": "暴雨",
//!  "text": "…", "cap_url": "https://…", "idempotency_key": "…"}
//! ```
//!
//! (`level`, `colour`, `colour_zh`, `severity` and `cap_url` are `null` when
//! unknown) and is delivered when the broker's PUBACK for that packet comes
//! back.
//!
//! The channel keeps one connection — a rumqttc client and its event-loop
//! task — opened on first use. Publishes go one at a time, each waiting for
//! its PUBACK; the session is clean, so a publish whose PUBACK does not
//! come (timeout, connection lost) is reported as a retry, the connection is
//! dropped and the next delivery opens a fresh one: nothing stale can be
//! acknowledged in a later delivery's name. Receivers dedupe on
//! `idempotency_key`.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Outgoing, Packet, QoS};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{oneshot, Mutex};
use tokio::task::JoinHandle;

use crate::error::ConfigError;
use crate::message::{broadcast_division, idempotency_key, Message, Recipient};
use crate::outcome::{Outcome, Reason};

/// Default topic prefix.
pub const DEFAULT_TOPIC_PREFIX: &str = "yingji/broadcast";

/// MQTT broker settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastConfig {
    /// Broker host. Default `127.0.0.1`.
    pub host: String,
    /// Broker port. Default 1883. (Plain TCP: TLS is not built in; see the
    /// crate README.)
    pub port: u16,
    /// MQTT client id. Default: `yingji-` and 16 random hex digits (23
    /// characters, the MQTT 3.1.1 guaranteed maximum), so that two
    /// instances never kick each other off the broker.
    pub client_id: Option<String>,
    /// Broker user name.
    pub username: Option<String>,
    /// Broker password.
    pub password: Option<String>,
    /// Topic prefix; the topic is `{topic_prefix}/{division_code}`. No
    /// wildcards (`+`, `#`). Default `yingji/broadcast`.
    pub topic_prefix: String,
    /// Keep-alive interval in seconds (0 disables). Default 30.
    pub keep_alive_secs: u64,
    /// Connection timeout in seconds. Default 5.
    pub connect_timeout_secs: u64,
    /// How long to wait for the PUBACK, in milliseconds. Default 10 000.
    pub ack_timeout_ms: u64,
    /// Publish with the retain flag, so that a controller that (re)connects
    /// gets the latest message of its division. Default false.
    pub retain: bool,
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        BroadcastConfig {
            host: "127.0.0.1".to_string(),
            port: 1883,
            client_id: None,
            username: None,
            password: None,
            topic_prefix: DEFAULT_TOPIC_PREFIX.to_string(),
            keep_alive_secs: 30,
            connect_timeout_secs: 5,
            ack_timeout_ms: 10_000,
            retain: false,
        }
    }
}

impl std::fmt::Debug for BroadcastConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("topic_prefix", &self.topic_prefix)
            .field("keep_alive_secs", &self.keep_alive_secs)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("ack_timeout_ms", &self.ack_timeout_ms)
            .field("retain", &self.retain)
            .finish()
    }
}

/// The publish waiting for its PUBACK.
struct Waiter {
    pkid: Option<u16>,
    done: oneshot::Sender<Result<u16, String>>,
}

type Slot = Arc<StdMutex<Option<Waiter>>>;

/// One broker connection: the client and its event-loop task.
struct Connection {
    client: AsyncClient,
    waiter: Slot,
    task: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The MQTT loudspeaker adapter.
pub struct BroadcastChannel {
    config: BroadcastConfig,
    prefix: String,
    client_id: String,
    conn: Mutex<Option<Connection>>,
}

impl std::fmt::Debug for BroadcastChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastChannel")
            .field("host", &self.config.host)
            .field("port", &self.config.port)
            .field("client_id", &self.client_id)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl BroadcastChannel {
    /// Checks the configuration. No connection is made until the first
    /// delivery; must then be used inside a tokio runtime.
    pub fn new(config: &BroadcastConfig) -> Result<Self, ConfigError> {
        let prefix = config.topic_prefix.trim().trim_end_matches('/').to_string();
        if prefix.is_empty() || prefix.contains(['+', '#', '\0']) {
            return Err(ConfigError::Broadcast(format!(
                "topic prefix {:?} is empty or has a wildcard",
                config.topic_prefix
            )));
        }
        if config.host.trim().is_empty() {
            return Err(ConfigError::Broadcast("host is empty".to_string()));
        }
        if config.username.is_none() && config.password.is_some() {
            return Err(ConfigError::Broadcast(
                "a password needs a username".to_string(),
            ));
        }
        let client_id = match &config.client_id {
            Some(id) if !id.is_empty() => id.clone(),
            Some(_) => return Err(ConfigError::Broadcast("client_id is empty".to_string())),
            None => format!("yingji-{:016x}", rand::random::<u64>()),
        };
        Ok(BroadcastChannel {
            config: config.clone(),
            prefix,
            client_id,
            conn: Mutex::new(None),
        })
    }

    /// The topic for a division: `{prefix}/{division_code}`.
    pub fn topic(&self, division_code: &str) -> String {
        format!("{}/{}", self.prefix, division_code.trim())
    }

    /// The MQTT client id in use.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The JSON payload published for `msg` (see the module documentation).
    pub fn payload(msg: &Message, recipient: &Recipient) -> serde_json::Value {
        json!({
            "identifier": msg.identifier,
            "msg_type": msg.msg_type.as_str(),
            "level": msg.level.map(|l| l.number()),
            "colour": msg.level.map(|l| l.colour_en().to_ascii_lowercase()),
            "colour_zh": msg.level.map(|l| l.colour_zh()),
            "severity": msg.level.map(|l| l.severity().as_str()),
            "event": msg.event,
            "text": msg.text,
            "cap_url": msg.cap_url,
            "idempotency_key": idempotency_key(&msg.identifier, recipient),
        })
    }

    /// Publishes `msg` to a [`Recipient::Broadcast`]; any other recipient
    /// fails. Delivered on PUBACK.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        let Recipient::Broadcast { division_code } = recipient else {
            return Outcome::failed(
                Reason::InvalidRecipient,
                format!(
                    "the broadcast channel cannot deliver to a {} recipient",
                    recipient.kind()
                ),
            );
        };
        let division = match broadcast_division(division_code) {
            Ok(d) => d,
            Err(e) => return Outcome::failed(Reason::InvalidRecipient, e.to_string()),
        };
        let topic = self.topic(division.as_str());
        let payload = match serde_json::to_vec(&Self::payload(msg, recipient)) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::failed(
                    Reason::MessageError,
                    format!("cannot serialise payload: {e}"),
                )
            }
        };

        // One publish at a time: the event-loop task pairs our publish with
        // its packet id and PUBACK.
        let mut guard = self.conn.lock().await;
        let conn = match guard.take() {
            Some(c) if !c.task.is_finished() => c,
            _ => self.connect(),
        };
        let (tx, rx) = oneshot::channel();
        set_waiter(
            &conn.waiter,
            Some(Waiter {
                pkid: None,
                done: tx,
            }),
        );
        if let Err(e) = conn
            .client
            .publish(
                topic.as_str(),
                QoS::AtLeastOnce,
                self.config.retain,
                payload,
            )
            .await
        {
            // The connection is dropped (not put back).
            return Outcome::retry(
                Reason::MqttError,
                format!("MQTT publish to {topic} failed: {e}"),
            );
        }
        let timeout = Duration::from_millis(self.config.ack_timeout_ms);
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(Ok(pkid))) => {
                *guard = Some(conn);
                Outcome::delivered(
                    Reason::Delivered,
                    format!("MQTT PUBACK for packet {pkid} on {topic}"),
                )
            }
            Ok(Ok(Err(e))) => {
                Outcome::retry(Reason::MqttError, format!("MQTT connection error: {e}"))
            }
            Ok(Err(_)) => Outcome::retry(Reason::MqttError, "MQTT event loop stopped"),
            Err(_) => Outcome::retry(
                Reason::Timeout,
                format!(
                    "no MQTT PUBACK from {}:{} within {} ms",
                    self.config.host, self.config.port, self.config.ack_timeout_ms
                ),
            ),
        }
    }

    /// Disconnects from the broker (politely, when connected). The next
    /// delivery reconnects.
    pub async fn close(&self) {
        let mut guard = self.conn.lock().await;
        if let Some(conn) = guard.take() {
            let _ = conn.client.try_disconnect();
            // Give the event loop a moment to send DISCONNECT.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn connect(&self) -> Connection {
        let mut opts = MqttOptions::new(
            self.client_id.clone(),
            self.config.host.clone(),
            self.config.port,
        );
        opts.set_keep_alive(Duration::from_secs(self.config.keep_alive_secs));
        opts.set_clean_session(true);
        opts.set_max_packet_size(256 * 1024, 256 * 1024);
        if let Some(user) = &self.config.username {
            opts.set_credentials(
                user.clone(),
                self.config.password.clone().unwrap_or_default(),
            );
        }
        let (client, mut eventloop) = AsyncClient::new(opts, 16);
        eventloop
            .network_options
            .set_connection_timeout(self.config.connect_timeout_secs.max(1));
        let waiter: Slot = Arc::new(StdMutex::new(None));
        let task = tokio::spawn(run_event_loop(eventloop, waiter.clone()));
        Connection {
            client,
            waiter,
            task,
        }
    }
}

fn set_waiter(slot: &Slot, w: Option<Waiter>) {
    let mut g = slot.lock().unwrap_or_else(|e| e.into_inner());
    *g = w;
}

/// Drives the connection; pairs the pending publish with its packet id and
/// PUBACK; fails the pending publish on a connection error. Runs until the
/// client is dropped (or the task aborted).
async fn run_event_loop(mut eventloop: EventLoop, slot: Slot) {
    loop {
        match eventloop.poll().await {
            Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                let mut g = slot.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(w) = g.as_mut() {
                    if w.pkid.is_none() {
                        w.pkid = Some(pkid);
                    }
                }
            }
            Ok(Event::Incoming(Packet::PubAck(ack))) => {
                let mut g = slot.lock().unwrap_or_else(|e| e.into_inner());
                if g.as_ref().is_some_and(|w| w.pkid == Some(ack.pkid)) {
                    if let Some(w) = g.take() {
                        let _ = w.done.send(Ok(ack.pkid));
                    }
                }
            }
            Ok(_) => {}
            Err(rumqttc::ConnectionError::RequestsDone) => return,
            Err(e) => {
                let pending = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(w) = pending {
                    let _ = w.done.send(Err(e.to_string()));
                }
                // Reconnect (on the next poll) after a pause.
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
