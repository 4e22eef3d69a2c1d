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

/// The outcome of one delivery attempt to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted the message.
    Delivered {
        /// What the receiver said (HTTP status and a bit of the body, SMTP
        /// response, MQTT packet id …), for the delivery record.
        detail: String,
    },
    /// Not delivered; try again later.
    Retry {
        /// The receiver's own wait hint (HTTP `Retry-After`), if any.
        after: Option<Duration>,
        /// What went wrong.
        reason: String,
        /// [`ErrorClass::Transient`] or [`ErrorClass::RateLimited`].
        class: ErrorClass,
    },
    /// Not delivered and never will be: dead-letter it.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

impl Outcome {
    /// A transient retry without a wait hint.
    pub fn retry(reason: impl Into<String>) -> Outcome {
        Outcome::Retry {
            after: None,
            reason: reason.into(),
            class: ErrorClass::Transient,
        }
    }

    /// A permanent failure.
    pub fn failed(reason: impl Into<String>) -> Outcome {
        Outcome::Failed {
            reason: reason.into(),
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
            Outcome::Delivered { detail } => detail,
            Outcome::Retry { reason, .. } | Outcome::Failed { reason } => reason,
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
