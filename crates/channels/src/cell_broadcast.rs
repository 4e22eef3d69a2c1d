//! Cell broadcast (小区广播): one message per *area*, sent by the carrier's
//! cell-broadcast centre (CBC) to every phone in the cells covering it,
//! instead of one SMS per person.
//!
//! 3GPP TS 23.041 defines the Cell Broadcast Service (CBS) and Public
//! Warning System (PWS) messages — a 16-bit Message Identifier naming the
//! kind of warning (CMAS/PWS 4370–4399, ETWS 4352–4359), a Serial Number
//! (geographical scope, message code, update number), pages of 82 octets,
//! at most 15 (in UCS-2, 41 Chinese characters a page) — and the CBC's
//! interfaces towards the radio network (SBc-AP to the MME, N50 to the
//! AMF …). The interface between a *Cell Broadcast Entity* (the warning
//! originator, us) and the CBC is outside 3GPP's scope: carriers expose
//! their own. In the United States it is CMAC (ATIS/TIA J-STD-101, CAP
//! carried over HTTP from the alert gateway); in China, warnings reach the
//! carriers through the national emergency warning information release
//! system (国家突发事件预警信息发布系统).
//!
//! This adapter targets such a CBE→CBC interface as a small JSON-over-HTTPS
//! API, CMAC-like in that the CBC, not the originator, maps the CAP fields
//! (severity, level, event, message type) to a Message Identifier and
//! Serial Number:
//!
//! `POST {url}` with `Idempotency-Key: <key>` and
//! `{"message_id", "identifier", "msg_type", "references", "event",
//!   "level", "text", "area", "repetition_s", "cap_url"}` where `area` is
//! `{"type":"geocode","code":"140213000000"}` (a 12-digit division code),
//! `{"type":"polygon","polygon":"lat,lon lat,lon …"}` or
//! `{"type":"circle","circle":"lat,lon radius_km"}` (CAP 1.2's encodings).
//!
//! Answers: 2xx accepted (delivered to the CBC, which broadcasts and
//! repeats); **409** the `message_id` was already accepted — a retry of a
//! message the CBC has, so delivered too (the idempotency the retries rely
//! on); 408, 429 and 5xx are retried (honouring `Retry-After`); any other
//! status is a permanent failure (dead letter).

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{ConfigError, RecipientError};
use crate::http;
use crate::message::{idempotency_key, level_json, truncate_chars, Message, Recipient};
use crate::outcome::{Outcome, Reason};

/// The longest text a CBS message carries in UCS-2: 15 pages of 41
/// characters (3GPP TS 23.041 §9.4.1.2: 82 octets a page, 15 pages).
pub const CBS_MAX_CHARS: usize = 15 * 41;

/// One broadcast area, in CAP 1.2's own encodings (so it hashes and
/// compares as text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CbArea {
    /// An administrative division: its 12-digit code (GB/T 2260 + township).
    Geocode {
        /// The code.
        code: String,
    },
    /// A polygon: `lat,lon` pairs separated by spaces, first = last (CAP
    /// `polygon`).
    Polygon {
        /// The ring.
        polygon: String,
    },
    /// A circle: `lat,lon radius` with the radius in km (CAP `circle`).
    Circle {
        /// The circle.
        circle: String,
    },
}

impl CbArea {
    /// The area from a ring of `[lon, lat]` points (closed if it is not).
    pub fn polygon(ring: &[[f64; 2]]) -> CbArea {
        let mut pts: Vec<String> = ring
            .iter()
            .map(|p| format!("{:.6},{:.6}", p[1], p[0]))
            .collect();
        if ring.first() != ring.last() {
            if let Some(first) = pts.first().cloned() {
                pts.push(first);
            }
        }
        CbArea::Polygon {
            polygon: pts.join(" "),
        }
    }

    /// The area from a centre and a radius in metres.
    pub fn circle(lon: f64, lat: f64, radius_m: f64) -> CbArea {
        CbArea::Circle {
            circle: format!("{lat:.6},{lon:.6} {:.3}", radius_m / 1000.0),
        }
    }

    /// Checks the area the way a CBC would read it.
    pub fn validate(&self) -> Result<(), RecipientError> {
        let pair = |s: &str| -> Option<(f64, f64)> {
            let (lat, lon) = s.split_once(',')?;
            let (lat, lon) = (
                lat.trim().parse::<f64>().ok()?,
                lon.trim().parse::<f64>().ok()?,
            );
            ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
        };
        let bad = |what: &str, v: &str| Err(RecipientError::Area(format!("{what} {v:?}")));
        match self {
            CbArea::Geocode { code } => crate::message::broadcast_division(code).map(|_| ()),
            CbArea::Polygon { polygon } => {
                let pts: Vec<&str> = polygon.split_whitespace().collect();
                if pts.len() < 4
                    || pts.first() != pts.last()
                    || pts.iter().any(|p| pair(p).is_none())
                {
                    return bad("polygon", polygon);
                }
                Ok(())
            }
            CbArea::Circle { circle } => match circle.split_once(' ') {
                Some((c, r))
                    if pair(c).is_some() && r.trim().parse::<f64>().is_ok_and(|r| r > 0.0) =>
                {
                    Ok(())
                }
                _ => bad("circle", circle),
            },
        }
    }

    /// The text the idempotency key is made of.
    pub(crate) fn canonical(&self) -> String {
        match self {
            CbArea::Geocode { code } => format!("geocode\u{0}{}", code.trim()),
            CbArea::Polygon { polygon } => format!("polygon\u{0}{}", polygon.trim()),
            CbArea::Circle { circle } => format!("circle\u{0}{}", circle.trim()),
        }
    }
}

/// Settings of the cell-broadcast centre's interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CellBroadcastConfig {
    /// Where messages are posted (`https://cbc.example.cn/v1/broadcasts`).
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`, if set.
    pub token: Option<String>,
    /// Whole-request timeout (ms). Default 10,000.
    pub timeout_ms: u64,
    /// How often the cells repeat the message (s), passed to the CBC.
    /// Default 60.
    pub repetition_s: u32,
    /// Where cell broadcast covers the area, send no SMS per subscriber:
    /// the area message reaches their phones (default false: both).
    pub replaces_sms: bool,
}

impl Default for CellBroadcastConfig {
    fn default() -> Self {
        CellBroadcastConfig {
            url: String::new(),
            token: None,
            timeout_ms: 10_000,
            repetition_s: 60,
            replaces_sms: false,
        }
    }
}

/// The cell-broadcast adapter.
#[derive(Debug, Clone)]
pub struct CellBroadcastChannel {
    client: reqwest::Client,
    url: reqwest::Url,
    config: CellBroadcastConfig,
}

impl CellBroadcastChannel {
    /// Checks the configuration and builds the HTTP client.
    pub fn new(config: &CellBroadcastConfig) -> Result<Self, ConfigError> {
        let url = http::endpoint(&config.url, ConfigError::CellBroadcast)?;
        Ok(CellBroadcastChannel {
            client: http::client(
                Duration::from_millis(config.timeout_ms),
                Duration::from_millis(config.timeout_ms.min(5_000)),
                http::USER_AGENT,
            )?,
            url,
            config: config.clone(),
        })
    }

    /// The request body for `msg` to `area` under `key` (pure).
    pub fn body(&self, msg: &Message, area: &CbArea, key: &str) -> serde_json::Value {
        let references: Vec<String> = msg
            .json
            .pointer("/alert/references")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| {
                        r.get("identifier")
                            .and_then(|i| i.as_str())
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "message_id": key,
            "identifier": msg.identifier,
            "msg_type": msg.msg_type.as_str(),
            "references": references,
            "event": msg.event,
            "level": msg.level.map(level_json),
            "text": truncate_chars(&msg.text, CBS_MAX_CHARS),
            "area": area,
            "repetition_s": self.config.repetition_s,
            "cap_url": msg.cap_url,
        })
    }

    /// Makes one delivery attempt: one message for the recipient's area.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        let Recipient::CellBroadcast { area } = recipient else {
            return Outcome::failed(
                Reason::InvalidRecipient,
                format!(
                    "the cell_broadcast channel cannot deliver to a {} recipient",
                    recipient.kind()
                ),
            );
        };
        if let Err(e) = area.validate() {
            return Outcome::failed(Reason::InvalidRecipient, e.to_string());
        }
        let key = idempotency_key(&msg.identifier, recipient);
        let body = match serde_json::to_vec(&self.body(msg, area, &key)) {
            Ok(b) => b,
            Err(e) => {
                return Outcome::failed(Reason::MessageError, format!("cannot serialise body: {e}"))
            }
        };
        let mut request = self
            .client
            .post(self.url.clone())
            .header("Idempotency-Key", &key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(t) = &self.config.token {
            request = request.bearer_auth(t);
        }
        let resp = match request.send().await {
            Ok(r) => r,
            Err(e) => return http::transport_error(&e),
        };
        let status = resp.status().as_u16();
        let retry_after = http::retry_after(resp.headers());
        let body = http::read_body(resp).await;
        classify(status, retry_after.as_deref(), &body, SystemTime::now())
    }
}

/// Classifies the CBC's answer (pure): 409 is "already accepted" (a retry
/// of a message the CBC has), so delivered; otherwise as any HTTP status
/// ([`crate::classify_status`]).
pub fn classify(status: u16, retry_after: Option<&str>, body: &str, now: SystemTime) -> Outcome {
    if status == 409 {
        return Outcome::delivered(Reason::Http(409), "already accepted by the CBC");
    }
    http::classify_status(status, retry_after, now, &http::excerpt(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::ErrorClass;

    #[test]
    fn answers_are_classified() {
        let now = SystemTime::UNIX_EPOCH;
        for (status, delivered, class) in [
            (201, true, None),
            (200, true, None),
            (409, true, None),
            (503, false, Some(ErrorClass::Transient)),
            (429, false, Some(ErrorClass::RateLimited)),
            (400, false, Some(ErrorClass::Permanent)),
            (401, false, Some(ErrorClass::Permanent)),
        ] {
            let o = classify(status, None, "", now);
            assert_eq!(o.is_delivered(), delivered, "{status}");
            assert_eq!(o.error_class(), class, "{status}");
        }
    }

    #[test]
    fn areas_in_cap_encodings_are_checked() {
        let sq = [[113.0, 40.0], [113.1, 40.0], [113.1, 40.1], [113.0, 40.1]];
        let p = CbArea::polygon(&sq);
        assert_eq!(
            p,
            CbArea::Polygon {
                polygon: "40.000000,113.000000 40.000000,113.100000 40.100000,113.100000 40.100000,113.000000 40.000000,113.000000".into()
            }
        );
        assert!(p.validate().is_ok());
        assert!(CbArea::circle(113.3, 40.1, 2500.0).validate().is_ok());
        assert_eq!(
            CbArea::circle(113.3, 40.1, 2500.0),
            CbArea::Circle {
                circle: "40.100000,113.300000 2.500".into()
            }
        );
        assert!(CbArea::Geocode {
            code: "140213000000".into()
        }
        .validate()
        .is_ok());
        for bad in [
            CbArea::Geocode {
                code: "1402".into(),
            },
            CbArea::Polygon {
                polygon: "40,113 41,113 40,113".into(),
            },
            CbArea::Polygon {
                polygon: "40,113 41,113 41,114 95,113".into(),
            },
            CbArea::Circle {
                circle: "40,113 -1".into(),
            },
            CbArea::Circle {
                circle: "40;113 1".into(),
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
