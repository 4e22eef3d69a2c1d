//! The demo's MQTT broker: a small local stand-in for the loudspeaker
//! (应急广播) broker and the sensors' broker, which `yingji demo` starts on
//! 127.0.0.1 when the configuration names no broadcast broker. It speaks
//! MQTT 3.1.1 (the packets are read and written by rumqttc's codec):
//! CONNECT, PUBLISH at QoS 0/1/2 (acknowledged once the message is handed
//! to the subscribers), SUBSCRIBE with `+`/`#` filters (granted at most
//! QoS 1), UNSUBSCRIBE, PINGREQ and DISCONNECT. Every message goes to every
//! connected subscriber whose filter matches; nothing is kept (no retained
//! messages, no sessions across reconnects, no authentication): it is a
//! demo stand-in bound to the loopback interface, not a broker to deploy.
//! A bureau points `[warnings.channels.broadcast]` and
//! `[monitoring] mqtt_url` at its real broker instead.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use rumqttc::mqttbytes::{matches, valid_filter};
use rumqttc::{
    ConnAck, ConnectReturnCode, Packet, PubAck, PubComp, PubRec, Publish, QoS, SubAck,
    SubscribeReasonCode, UnsubAck,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// The largest packet accepted (a warning with its CAP link is a few KB).
const MAX_PACKET: usize = 256 * 1024;

/// The port sensors and `yingji sim sensors` use by default; the broker
/// takes it when it is free and an ephemeral port otherwise.
pub const DEFAULT_PORT: u16 = 1883;

/// Start the broker on 127.0.0.1 (port 1883 if free, otherwise any).
/// Returns its address.
pub async fn start() -> std::io::Result<SocketAddr> {
    let listener = match TcpListener::bind(("127.0.0.1", DEFAULT_PORT)).await {
        Ok(l) => l,
        Err(_) => TcpListener::bind("127.0.0.1:0").await?,
    };
    serve(listener)
}

/// Serve MQTT clients on `listener` from a task of their own.
fn serve(listener: TcpListener) -> std::io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    let (bus, _) = broadcast::channel::<Arc<Publish>>(4096);
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((sock, _)) => {
                    let bus = bus.clone();
                    tokio::spawn(async move {
                        if let Err(e) = session(sock, bus).await {
                            tracing::debug!(error = %e, "demo broker: connection closed");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "demo broker: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(addr)
}

/// The loudspeaker channel pointed at the broker (topics
/// `yingji/broadcast/<12-digit division code>`, one per township reached).
pub fn broadcast(addr: SocketAddr) -> yingji_channels::BroadcastConfig {
    yingji_channels::BroadcastConfig {
        host: addr.ip().to_string(),
        port: addr.port(),
        ..Default::default()
    }
}

#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("MQTT: {0:?}")]
    Mqtt(rumqttc::mqttbytes::Error),
    #[error("the first packet was not CONNECT")]
    NotConnected,
}

/// One client connection: reads its packets, answers them, and forwards
/// the messages of the bus that match its subscriptions.
async fn session(
    sock: TcpStream,
    bus: broadcast::Sender<Arc<Publish>>,
) -> Result<(), SessionError> {
    let (mut rd, mut wr) = sock.into_split();
    let mut inbuf = BytesMut::with_capacity(4096);
    let mut outbuf = BytesMut::with_capacity(4096);
    let mut rx = bus.subscribe();
    let mut filters: Vec<(String, QoS)> = Vec::new();
    let mut connected = false;
    let mut next_pkid: u16 = 0;
    loop {
        // Answer every whole packet read so far.
        loop {
            let packet = match Packet::read(&mut inbuf, MAX_PACKET) {
                Ok(p) => p,
                Err(rumqttc::mqttbytes::Error::InsufficientBytes(_)) => break,
                Err(e) => return Err(SessionError::Mqtt(e)),
            };
            if !connected && !matches!(packet, Packet::Connect(_)) {
                return Err(SessionError::NotConnected);
            }
            let reply = match packet {
                Packet::Connect(_) => {
                    connected = true;
                    Some(Packet::ConnAck(ConnAck::new(
                        ConnectReturnCode::Success,
                        false,
                    )))
                }
                Packet::Publish(p) => {
                    let (qos, pkid) = (p.qos, p.pkid);
                    // No subscriber is not an error: the message is dropped.
                    let _ = bus.send(Arc::new(p));
                    match qos {
                        QoS::AtMostOnce => None,
                        QoS::AtLeastOnce => Some(Packet::PubAck(PubAck::new(pkid))),
                        QoS::ExactlyOnce => Some(Packet::PubRec(PubRec::new(pkid))),
                    }
                }
                Packet::PubRel(r) => Some(Packet::PubComp(PubComp::new(r.pkid))),
                Packet::Subscribe(s) => {
                    let codes = s
                        .filters
                        .into_iter()
                        .map(|f| {
                            if valid_filter(&f.path) {
                                let q = granted(f.qos);
                                filters.retain(|(p, _)| *p != f.path);
                                filters.push((f.path, q));
                                SubscribeReasonCode::Success(q)
                            } else {
                                SubscribeReasonCode::Failure
                            }
                        })
                        .collect();
                    Some(Packet::SubAck(SubAck::new(s.pkid, codes)))
                }
                Packet::Unsubscribe(u) => {
                    filters.retain(|(p, _)| !u.topics.contains(p));
                    Some(Packet::UnsubAck(UnsubAck::new(u.pkid)))
                }
                Packet::PingReq => Some(Packet::PingResp),
                Packet::Disconnect => return Ok(()),
                // Acknowledgements of what this broker sent: nothing is
                // kept to resend, so there is nothing to settle.
                _ => None,
            };
            if let Some(r) = reply {
                send(&mut wr, &mut outbuf, &r).await?;
            }
        }
        tokio::select! {
            n = rd.read_buf(&mut inbuf) => {
                if n? == 0 {
                    return Ok(());
                }
            }
            m = rx.recv(), if connected => match m {
                Ok(p) => {
                    let Some(qos) = filters
                        .iter()
                        .filter(|(f, _)| matches(&p.topic, f))
                        .map(|(_, q)| min_qos(*q, p.qos))
                        .max_by_key(|q| *q as u8)
                    else {
                        continue;
                    };
                    let mut out = Publish::from_bytes(&p.topic, qos, p.payload.clone());
                    if qos != QoS::AtMostOnce {
                        next_pkid = next_pkid.checked_add(1).unwrap_or(1);
                        out.pkid = next_pkid;
                    }
                    send(&mut wr, &mut outbuf, &Packet::Publish(out)).await?;
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "demo broker: a slow subscriber missed messages");
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// The QoS granted for a subscription: at most 1 (nothing is stored for
/// the exactly-once handshake towards subscribers).
fn granted(asked: QoS) -> QoS {
    min_qos(asked, QoS::AtLeastOnce)
}

fn min_qos(a: QoS, b: QoS) -> QoS {
    if (a as u8) <= (b as u8) {
        a
    } else {
        b
    }
}

async fn send(
    wr: &mut tokio::net::tcp::OwnedWriteHalf,
    buf: &mut BytesMut,
    p: &Packet,
) -> Result<(), SessionError> {
    buf.clear();
    p.write(buf, MAX_PACKET).map_err(SessionError::Mqtt)?;
    wr.write_all(buf).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::{AsyncClient, Event, MqttOptions};
    use std::time::Duration;

    async fn start() -> std::io::Result<SocketAddr> {
        serve(TcpListener::bind("127.0.0.1:0").await?)
    }

    fn client(addr: SocketAddr, id: &str) -> (AsyncClient, rumqttc::EventLoop) {
        let mut o = MqttOptions::new(id, addr.ip().to_string(), addr.port());
        o.set_keep_alive(Duration::from_secs(5));
        AsyncClient::new(o, 16)
    }

    /// A subscriber with a wildcard filter receives what a publisher sends
    /// at QoS 1 (with its payload), the publisher gets its PUBACK, and a
    /// topic outside the filter is not delivered.
    #[tokio::test]
    async fn a_subscriber_receives_what_matches_its_filter() {
        let addr = start().await.unwrap();
        let (sub, mut sub_loop) = client(addr, "sub");
        sub.subscribe("yingji/broadcast/+", QoS::AtLeastOnce)
            .await
            .unwrap();
        // Wait for the SUBACK before anything is published.
        loop {
            if let Event::Incoming(Packet::SubAck(a)) = sub_loop.poll().await.unwrap() {
                assert_eq!(
                    a.return_codes,
                    vec![SubscribeReasonCode::Success(QoS::AtLeastOnce)]
                );
                break;
            }
        }
        let (publ, mut pub_loop) = client(addr, "pub");
        publ.publish("yingji/other/1", QoS::AtLeastOnce, false, "no")
            .await
            .unwrap();
        publ.publish(
            "yingji/broadcast/140212100000",
            QoS::AtLeastOnce,
            false,
            "暴雨黄色预警",
        )
        .await
        .unwrap();
        let pub_task = tokio::spawn(async move {
            let mut acks = 0;
            while acks < 2 {
                if let Event::Incoming(Packet::PubAck(_)) = pub_loop.poll().await.unwrap() {
                    acks += 1;
                }
            }
            acks
        });
        let got = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Event::Incoming(Packet::Publish(p)) = sub_loop.poll().await.unwrap() {
                    return p;
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(got.topic, "yingji/broadcast/140212100000");
        assert_eq!(&got.payload[..], "暴雨黄色预警".as_bytes());
        assert_eq!(got.qos, QoS::AtLeastOnce);
        assert_eq!(
            tokio::time::timeout(Duration::from_secs(10), pub_task)
                .await
                .unwrap()
                .unwrap(),
            2
        );
    }

    /// A connection that does not start with CONNECT is closed.
    #[tokio::test]
    async fn a_connection_must_begin_with_connect() {
        let addr = start().await.unwrap();
        let mut s = TcpStream::connect(addr).await.unwrap();
        // PINGREQ first.
        s.write_all(&[0xC0, 0x00]).await.unwrap();
        let mut buf = [0u8; 4];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap()
            .unwrap_or(0);
        assert_eq!(n, 0, "closed without an answer");
    }
}
