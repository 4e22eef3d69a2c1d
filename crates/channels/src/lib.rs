//! # yingji-channels — delivery adapters for public warnings
//!
//! The engine that takes one rendered alert ([`Message`]) to one recipient
//! ([`Recipient`]) and says what happened ([`Outcome`]). It knows nothing of
//! the platform: the platform's warnings module reads its journal outbox,
//! calls [`Channels::deliver`] once per recipient and attempt, keeps the
//! delivery records and asks [`RetryPolicy::disposition`] whether to retry
//! (after how long) or dead-letter.
//!
//! - **Public CAP feed** — [`atom_index`]: an Atom 1.0 index linking every
//!   alert's CAP XML ([`Message::cap_xml`], from [`yingji_cap::to_xml`]).
//! - **Webhook** — [`WebhookChannel`]: POST of the CAP XML or JSON, signed
//!   with HMAC-SHA256 ([`sign`], [`verify_signature`] for receivers), with an
//!   `Idempotency-Key`; only to public addresses, checked after DNS
//!   resolution, unless allow-listed ([`AllowList`], [`classify_ip`]).
//! - **SMS** — [`SmsChannel`]: a configurable HTTP SMS-gateway API (JSON or
//!   form body template, success pointer), mainland or E.164 numbers
//!   ([`normalize_phone`]), the 【signature】 in front.
//! - **E-mail** — [`EmailChannel`]: SMTP with STARTTLS, implicit TLS or none
//!   (lettre, rustls), UTF-8 subject, CAP XML attached.
//! - **Loudspeakers (应急广播)** — [`BroadcastChannel`]: MQTT QoS 1 publish
//!   to `yingji/broadcast/<division code>`, delivered on PUBACK.
//! - **Cell broadcast (小区广播)** — [`CellBroadcastChannel`]: one message per
//!   area (division code, CAP polygon or circle) to a carrier's
//!   cell-broadcast centre over HTTP, idempotent by message id.
//!
//! Retrying is pure: [`RetryPolicy`] gives exponential backoff with full
//! jitter from an RNG the caller passes, honours `Retry-After`, and
//! dead-letters permanent failures and exhausted deliveries.
//! [`idempotency_key`] is stable for an (alert, recipient) pair, so a retry
//! is recognisable as such by the receiver.
//!
//! ```
//! use yingji_channels::{idempotency_key, Recipient, RetryPolicy, RetryDecision, ErrorClass};
//! use std::time::Duration;
//!
//! let r = Recipient::Sms { phone: "+86 138 0013 8000".into() };
//! assert_eq!(idempotency_key("a1", &r), idempotency_key("a1", &Recipient::Sms { phone: "13800138000".into() }));
//!
//! let policy = RetryPolicy::default();
//! assert_eq!(
//!     policy.decide_with(1, ErrorClass::Transient, None, 1.0),
//!     RetryDecision::RetryAfter(Duration::from_secs(2)),
//! );
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod address;
mod broadcast;
mod cell_broadcast;
mod channel;
mod email;
mod error;
mod feed;
mod http;
mod message;
mod outcome;
mod retry;
mod sms;
mod webhook;

#[cfg(feature = "testing")]
pub mod testing;

pub use address::{
    check_literal_host, check_webhook_url, classify_ip, classify_ipv4, classify_ipv6, lookup_with,
    system_lookup, AddressClass, AllowEntry, AllowList, GuardedResolver, Lookup, RefusedAddress,
};
pub use broadcast::{BroadcastChannel, BroadcastConfig, DEFAULT_TOPIC_PREFIX};
pub use cell_broadcast::{
    classify as classify_cbc_response, CbArea, CellBroadcastChannel, CellBroadcastConfig,
    CBS_MAX_CHARS,
};
pub use channel::{Channel, Channels, ChannelsConfig};
pub use email::{EmailChannel, EmailConfig, SmtpTls};
pub use error::{ConfigError, RecipientError};
pub use feed::esc as xml_escape;
pub use feed::{
    atom_index, FeedEntry, FeedInfo, ATOM_NS, CAP_NS, COLOUR_SCHEME, MSG_TYPE_SCHEME,
    SEVERITY_SCHEME,
};
pub use http::{classify_status, USER_AGENT};
pub use message::{
    idempotency_key, truncate_chars, ChannelKind, Message, MessageOptions, Recipient,
    WebhookFormat, DEFAULT_MAX_TEXT_CHARS,
};
pub use outcome::{ErrorClass, Outcome, Reason};
pub use retry::{
    parse_retry_after, retry_policy, DeadLetter, Disposition, RetryDecision, RetryPolicy,
};
pub use sms::{
    classify_response as classify_sms_response, normalize_phone, signed_text, SmsBody, SmsChannel,
    SmsConfig, SmsMethod, SmsSuccess,
};
pub use webhook::{
    hmac_sha256, sign, verify_signature, WebhookChannel, WebhookConfig, ALERT_HEADER,
    IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
