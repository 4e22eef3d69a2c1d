//! What is delivered ([`Message`]), to whom ([`Recipient`]), and the
//! per-recipient [`idempotency_key`].

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use yingji_cap::china::{DivisionCode, WarningLevel};
use yingji_cap::{Alert, Info, MsgType};

use crate::error::RecipientError;

/// Default for [`MessageOptions::max_text_chars`].
pub const DEFAULT_MAX_TEXT_CHARS: usize = 200;

/// How a [`Message`] is built from an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageOptions {
    /// Longest short text (SMS, loudspeaker), in characters (Unicode scalar
    /// values, so one Chinese character counts one), the ellipsis included.
    /// Default 200.
    pub max_text_chars: usize,
    /// The info language preferred for the texts (`info/language`, ASCII
    /// case-insensitive); the first info block is used when none matches.
    /// Default `zh-CN`.
    pub language: String,
}

impl Default for MessageOptions {
    fn default() -> Self {
        MessageOptions {
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            language: "zh-CN".to_string(),
        }
    }
}

/// One alert, rendered once for every channel.
///
/// Build it with [`Message::from_alert`] (and [`Message::with_cap_url`]), or
/// fill the fields directly.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The CAP `identifier` of the alert.
    pub identifier: String,
    /// The CAP `msgType` (`Alert`, `Update`, `Cancel` …).
    pub msg_type: MsgType,
    /// The warning level (colour) of the chosen info block, if its severity
    /// maps to one (`Unknown` does not).
    pub level: Option<WarningLevel>,
    /// The event of the chosen info block (`暴雨`).
    pub event: String,
    /// A one-line subject (e-mail subject, feed title).
    pub subject: String,
    /// The short text for SMS and loudspeakers, at most
    /// [`MessageOptions::max_text_chars`] characters, on one line.
    pub text: String,
    /// A longer plain-text body (e-mail): the readable alert summary.
    pub body: String,
    /// The alert as CAP 1.2 XML.
    pub cap_xml: String,
    /// The JSON form (webhook `format: json`); see [`Message::from_alert`].
    pub json: Value,
    /// Where the public CAP feed serves this alert, if known.
    pub cap_url: Option<String>,
}

impl Message {
    /// Renders `alert`: CAP XML with [`yingji_cap::to_xml`], texts from the
    /// info block in [`MessageOptions::language`] (else the first one).
    ///
    /// - `subject`: the headline (else the event, else the identifier),
    ///   prefixed for updates and cancellations (`（更新）`, `（解除）` in
    ///   Chinese, `[Update]`, `[Cancel]` otherwise);
    /// - `text`: the same prefix, the headline and the description joined by
    ///   `：`, whitespace collapsed, truncated with `…` by characters;
    /// - `body`: [`yingji_cap::summary`];
    /// - `json`: `{identifier, sender, sent, status, msgType, scope, event,
    ///   level, subject, text, capUrl, alert}` where `level` is
    ///   `{number, colour, colourZh, severity}` or `null` and `alert` is the
    ///   typed alert model.
    pub fn from_alert(alert: &Alert, opts: &MessageOptions) -> Message {
        let info = alert
            .info_in(&opts.language)
            .or_else(|| alert.infos.first());
        let zh = info
            .map(|i| {
                i.language_or_default()
                    .to_ascii_lowercase()
                    .starts_with("zh")
            })
            .unwrap_or_else(|| opts.language.to_ascii_lowercase().starts_with("zh"));
        let prefix = msg_type_prefix(alert.msg_type, zh);
        let level = info.and_then(|i| WarningLevel::from_severity(i.severity));
        let event = info.map(|i| one_line(&i.event)).unwrap_or_default();
        let headline = info
            .and_then(|i| i.headline.as_deref())
            .map(one_line)
            .filter(|s| !s.is_empty());
        let title = headline
            .clone()
            .or_else(|| Some(event.clone()).filter(|e| !e.is_empty()))
            .unwrap_or_else(|| alert.identifier.clone());
        let subject = truncate_chars(&format!("{prefix}{title}"), 200);
        let text = truncate_chars(
            &format!("{prefix}{}", short_text(info, &title, zh)),
            opts.max_text_chars,
        );
        let body = yingji_cap::summary(alert);
        let cap_xml = yingji_cap::to_xml(alert);
        let json = json!({
            "identifier": alert.identifier,
            "sender": alert.sender,
            "sent": alert.sent.to_string(),
            "status": alert.status.as_str(),
            "msgType": alert.msg_type.as_str(),
            "scope": alert.scope.as_str(),
            "event": event,
            "level": level.map(level_json),
            "subject": subject,
            "text": text,
            "capUrl": Value::Null,
            "alert": serde_json::to_value(alert).unwrap_or(Value::Null),
        });
        Message {
            identifier: alert.identifier.clone(),
            msg_type: alert.msg_type,
            level,
            event,
            subject,
            text,
            body,
            cap_xml,
            json,
            cap_url: None,
        }
    }

    /// Sets where the public feed serves this alert (also in the JSON form
    /// as `capUrl`, and appended to the e-mail body).
    pub fn with_cap_url(mut self, url: impl Into<String>) -> Message {
        let url = url.into();
        if let Value::Object(map) = &mut self.json {
            map.insert("capUrl".to_string(), Value::String(url.clone()));
        }
        self.cap_url = Some(url);
        self
    }
}

/// `{number, colour, colourZh, severity}` for a warning level.
pub(crate) fn level_json(level: WarningLevel) -> Value {
    json!({
        "number": level.number(),
        "colour": level.colour_en().to_ascii_lowercase(),
        "colourZh": level.colour_zh(),
        "severity": level.severity().as_str(),
    })
}

fn msg_type_prefix(t: MsgType, zh: bool) -> &'static str {
    match (t, zh) {
        (MsgType::Update, true) => "（更新）",
        (MsgType::Cancel, true) => "（解除）",
        (MsgType::Error, true) => "（更正）",
        (MsgType::Update, false) => "[Update] ",
        (MsgType::Cancel, false) => "[Cancel] ",
        (MsgType::Error, false) => "[Error] ",
        _ => "",
    }
}

fn short_text(info: Option<&Info>, title: &str, zh: bool) -> String {
    let description = info
        .and_then(|i| i.description.as_deref())
        .map(one_line)
        .filter(|s| !s.is_empty());
    match description {
        None => title.to_string(),
        Some(d) if d.starts_with(title) => d,
        Some(d) => {
            let ends_with_punct = title
                .chars()
                .last()
                .is_some_and(|c| "：:。！!？?；;，,".contains(c));
            let sep = match (ends_with_punct, zh) {
                (true, _) => "",
                (false, true) => "：",
                (false, false) => ": ",
            };
            format!("{title}{sep}{d}")
        }
    }
}

/// Collapses every run of whitespace (newlines included) into one space and
/// trims both ends.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Truncates `s` to at most `max` characters (Unicode scalar values, not
/// bytes), ending a truncated text with `…` (which counts as one of the
/// `max`). Never splits a character.
///
/// ```
/// use yingji_channels::truncate_chars;
/// assert_eq!(truncate_chars("暴雨蓝色预警", 6), "暴雨蓝色预警");
/// assert_eq!(truncate_chars("暴雨蓝色预警", 4), "暴雨蓝…");
/// ```
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// How a webhook receiver wants the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// `application/cap+xml`: the CAP XML.
    #[default]
    Cap,
    /// `application/json`: [`Message::json`].
    Json,
}

impl WebhookFormat {
    /// The `Content-Type` sent for this format.
    pub fn content_type(self) -> &'static str {
        match self {
            WebhookFormat::Cap => "application/cap+xml",
            WebhookFormat::Json => "application/json",
        }
    }
}

/// Which adapter a recipient is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// HTTP webhook.
    Webhook,
    /// SMS through an HTTP gateway.
    Sms,
    /// E-mail over SMTP.
    Email,
    /// MQTT emergency-broadcast loudspeakers (应急广播).
    Broadcast,
    /// Carrier cell broadcast (小区广播), one message per area.
    CellBroadcast,
}

impl ChannelKind {
    /// `webhook`, `sms`, `email`, `broadcast` or `cell_broadcast`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Sms => "sms",
            ChannelKind::Email => "email",
            ChannelKind::Broadcast => "broadcast",
            ChannelKind::CellBroadcast => "cell_broadcast",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who receives a message. Serialised with a `kind` tag:
/// `{"kind":"sms","phone":"13800138000"}`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Recipient {
    /// An HTTP(S) endpoint that receives a signed POST.
    Webhook {
        /// The `http://` or `https://` URL.
        url: String,
        /// The HMAC-SHA256 key for `X-Yingji-Signature`.
        secret: String,
        /// CAP XML or JSON.
        #[serde(default)]
        format: WebhookFormat,
    },
    /// A mobile phone: mainland (11 digits, `1[3-9]…`) or E.164 (`+…`).
    Sms {
        /// The number.
        phone: String,
    },
    /// An e-mail address.
    Email {
        /// The address (`name@example.org`).
        address: String,
    },
    /// The loudspeakers of one administrative division.
    Broadcast {
        /// The 12-digit division code (GB/T 2260 + township + village).
        division_code: String,
    },
    /// Every phone in one area, through the carrier's cell-broadcast centre
    /// (one message per area, not per person).
    CellBroadcast {
        /// The area, in CAP's own encodings.
        area: crate::cell_broadcast::CbArea,
    },
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Webhook { url, format, .. } => f
                .debug_struct("Webhook")
                .field("url", url)
                .field("secret", &"<redacted>")
                .field("format", format)
                .finish(),
            Recipient::Sms { phone } => f.debug_struct("Sms").field("phone", phone).finish(),
            Recipient::Email { address } => {
                f.debug_struct("Email").field("address", address).finish()
            }
            Recipient::Broadcast { division_code } => f
                .debug_struct("Broadcast")
                .field("division_code", division_code)
                .finish(),
            Recipient::CellBroadcast { area } => {
                f.debug_struct("CellBroadcast").field("area", area).finish()
            }
        }
    }
}

impl Recipient {
    /// The adapter this recipient is for.
    pub fn kind(&self) -> ChannelKind {
        match self {
            Recipient::Webhook { .. } => ChannelKind::Webhook,
            Recipient::Sms { .. } => ChannelKind::Sms,
            Recipient::Email { .. } => ChannelKind::Email,
            Recipient::Broadcast { .. } => ChannelKind::Broadcast,
            Recipient::CellBroadcast { .. } => ChannelKind::CellBroadcast,
        }
    }

    /// Checks the address the way the adapter will: an `http(s)://` URL and
    /// a non-empty secret, a phone per [`crate::normalize_phone`], an e-mail
    /// address, a 12-digit division code.
    pub fn validate(&self) -> Result<(), RecipientError> {
        match self {
            Recipient::Webhook { url, secret, .. } => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| RecipientError::Url(format!("{url:?}: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                    return Err(RecipientError::Url(format!(
                        "{url:?}: not an http(s) URL with a host"
                    )));
                }
                if secret.is_empty() {
                    return Err(RecipientError::EmptySecret);
                }
                Ok(())
            }
            Recipient::Sms { phone } => crate::sms::normalize_phone(phone).map(|_| ()),
            Recipient::Email { address } => address
                .trim()
                .parse::<lettre::Address>()
                .map(|_| ())
                .map_err(|e| RecipientError::Email(format!("{address:?}: {e}"))),
            Recipient::Broadcast { division_code } => broadcast_division(division_code).map(|_| ()),
            Recipient::CellBroadcast { area } => area.validate(),
        }
    }

    /// The canonical address used in the idempotency key: the URL and format
    /// (not the secret, so that rotating it does not re-deliver), the
    /// normalised phone, the lower-cased trimmed e-mail address, the division
    /// code.
    fn canonical(&self) -> String {
        match self {
            Recipient::Webhook { url, format, .. } => {
                let f = match format {
                    WebhookFormat::Cap => "cap",
                    WebhookFormat::Json => "json",
                };
                format!("webhook\u{0}{f}\u{0}{}", url.trim())
            }
            Recipient::Sms { phone } => {
                let p =
                    crate::sms::normalize_phone(phone).unwrap_or_else(|_| phone.trim().to_string());
                format!("sms\u{0}{p}")
            }
            Recipient::Email { address } => {
                format!("email\u{0}{}", address.trim().to_lowercase())
            }
            Recipient::Broadcast { division_code } => {
                format!("broadcast\u{0}{}", division_code.trim())
            }
            Recipient::CellBroadcast { area } => format!("cell_broadcast\u{0}{}", area.canonical()),
        }
    }
}

/// Checks a loudspeaker division code: exactly 12 ASCII digits and a valid
/// division code per [`DivisionCode::parse`].
pub(crate) fn broadcast_division(code: &str) -> Result<DivisionCode, RecipientError> {
    let c = code.trim();
    if c.len() != 12 || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RecipientError::Division(format!(
            "{code:?} is not a 12-digit division code"
        )));
    }
    DivisionCode::parse(c).map_err(|e| RecipientError::Division(e.to_string()))
}

/// A stable key for delivering alert `alert_id` to `recipient`: the lower-case
/// hex SHA-256 of a versioned, NUL-separated canonical form of both.
///
/// The same alert to the same recipient always gives the same key (across
/// processes and releases), whatever the webhook secret or the spelling of
/// the phone number (`+86 138 0013 8000` = `13800138000`) or the case of the
/// e-mail address. Sent as `Idempotency-Key` (webhooks), in the MQTT payload,
/// as the e-mail `Message-ID`, and available to SMS body templates as `{key}`.
pub fn idempotency_key(alert_id: &str, recipient: &Recipient) -> String {
    let mut h = Sha256::new();
    h.update(b"yingji-delivery/v1\0");
    h.update(alert_id.as_bytes());
    h.update(b"\0");
    h.update(recipient.canonical().as_bytes());
    hex::encode(h.finalize())
}
