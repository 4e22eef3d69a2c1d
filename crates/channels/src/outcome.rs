//! The result of one delivery attempt.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why an attempt did not deliver, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Might work later: connection refused or reset, timeout, HTTP 408 or
    /// 5xx, SMTP 4xx, no MQTT PUBACK in time, a gateway "try again" code.
    Transient,
    /// The receiver asked us to slow down: HTTP 429, a gateway throttling
    /// code. Backs off from a larger base.
    RateLimited,
    /// Will not work by retrying: other HTTP 4xx, SMTP 5xx, an invalid
    /// recipient, a gateway error code.
    Permanent,
}

/// What happened, in short: what the platform keeps in a delivery record
/// (with the HTTP status, if any), and shows. Never carries text from the
/// receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Delivered by a channel without HTTP status (SMTP, MQTT).
    Delivered,
    /// An HTTP answer with this status (2xx is delivered).
    Http(u16),
    /// The destination is not a public address and not allow-listed: no
    /// connection was made.
    RefusedPrivateAddress,
    /// The recipient's address is unusable (bad URL, phone, e-mail …).
    InvalidRecipient,
    /// No answer in time.
    Timeout,
    /// The connection could not be made (refused, reset, DNS …).
    ConnectError,
    /// The TLS handshake failed (certificate, protocol).
    TlsError,
    /// Another transport failure.
    RequestError,
    /// The SMS gateway's answer says refused.
    GatewayRefused,
    /// The SMS gateway's answer says busy or try again.
    GatewayBusy,
    /// The SMS gateway's answer could not be read.
    GatewayUnreadable,
    /// SMTP permanent (5xx) error.
    SmtpPermanent,
    /// SMTP transient (4xx) or connection error.
    SmtpTransient,
    /// MQTT publish or connection error.
    MqttError,
    /// No adapter for the recipient's channel.
    NotConfigured,
    /// The message is missing or could not be rendered.
    MessageError,
}

impl Reason {
    /// Every code [`Reason::code`] gives (for user interfaces).
    pub const CODES: &'static [&'static str] = &[
        "delivered",
        "http_1xx",
        "http_2xx",
        "http_3xx",
        "http_4xx",
        "http_5xx",
        "http_other",
        "refused_private_address",
        "invalid_recipient",
        "timeout",
        "connect_error",
        "tls_error",
        "request_error",
        "gateway_refused",
        "gateway_busy",
        "gateway_unreadable",
        "smtp_permanent",
        "smtp_transient",
        "mqtt_error",
        "not_configured",
        "message_error",
    ];

    /// The code kept in delivery records: `http_2xx`, `http_4xx`,
    /// `http_5xx`, `refused_private_address`, `timeout`, `connect_error`,
    /// `tls_error` … (one of [`Reason::CODES`]).
    pub fn code(self) -> &'static str {
        match self {
            Reason::Delivered => "delivered",
            Reason::Http(s) => match s {
                100..=199 => "http_1xx",
                200..=299 => "http_2xx",
                300..=399 => "http_3xx",
                400..=499 => "http_4xx",
                500..=599 => "http_5xx",
                _ => "http_other",
            },
            Reason::RefusedPrivateAddress => "refused_private_address",
            Reason::InvalidRecipient => "invalid_recipient",
            Reason::Timeout => "timeout",
            Reason::ConnectError => "connect_error",
            Reason::TlsError => "tls_error",
            Reason::RequestError => "request_error",
            Reason::GatewayRefused => "gateway_refused",
            Reason::GatewayBusy => "gateway_busy",
            Reason::GatewayUnreadable => "gateway_unreadable",
            Reason::SmtpPermanent => "smtp_permanent",
            Reason::SmtpTransient => "smtp_transient",
            Reason::MqttError => "mqtt_error",
            Reason::NotConfigured => "not_configured",
            Reason::MessageError => "message_error",
        }
    }

    /// The HTTP status, for [`Reason::Http`].
    pub fn http_status(self) -> Option<u16> {
        match self {
            Reason::Http(s) => Some(s),
            _ => None,
        }
    }
}

/// The outcome of one delivery attempt to one recipient.
///
/// The texts (`detail`, `reason`) are for logs; what a delivery record
/// keeps is the [`Reason`] ([`Outcome::code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted the message.
    Delivered {
        /// What the receiver said (HTTP status, SMTP response, MQTT packet
        /// id …).
        detail: String,
        /// In short.
        code: Reason,
    },
    /// Not delivered; try again later.
    Retry {
        /// The receiver's own wait hint (HTTP `Retry-After`), if any.
        after: Option<Duration>,
        /// What went wrong.
        reason: String,
        /// [`ErrorClass::Transient`] or [`ErrorClass::RateLimited`].
        class: ErrorClass,
        /// In short.
        code: Reason,
    },
    /// Not delivered and never will be: dead-letter it.
    Failed {
        /// What went wrong.
        reason: String,
        /// In short.
        code: Reason,
    },
}

impl Outcome {
    /// Delivered.
    pub fn delivered(code: Reason, detail: impl Into<String>) -> Outcome {
        Outcome::Delivered {
            detail: detail.into(),
            code,
        }
    }

    /// A transient retry without a wait hint.
    pub fn retry(code: Reason, reason: impl Into<String>) -> Outcome {
        Outcome::Retry {
            after: None,
            reason: reason.into(),
            class: ErrorClass::Transient,
            code,
        }
    }

    /// A permanent failure.
    pub fn failed(code: Reason, reason: impl Into<String>) -> Outcome {
        Outcome::Failed {
            reason: reason.into(),
            code,
        }
    }

    /// What happened, in short.
    pub fn code(&self) -> Reason {
        match self {
            Outcome::Delivered { code, .. }
            | Outcome::Retry { code, .. }
            | Outcome::Failed { code, .. } => *code,
        }
    }

    /// `delivered`, `retry` or `failed` (for delivery records).
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Delivered { .. } => "delivered",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
        }
    }

    /// Whether the message was delivered.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered { .. })
    }

    /// The detail or reason text.
    pub fn text(&self) -> &str {
        match self {
            Outcome::Delivered { detail, .. } => detail,
            Outcome::Retry { reason, .. } | Outcome::Failed { reason, .. } => reason,
        }
    }

    /// The error class: `None` when delivered, [`ErrorClass::Permanent`] when
    /// failed.
    pub fn error_class(&self) -> Option<ErrorClass> {
        match self {
            Outcome::Delivered { .. } => None,
            Outcome::Retry { class, .. } => Some(*class),
            Outcome::Failed { .. } => Some(ErrorClass::Permanent),
        }
    }
}
