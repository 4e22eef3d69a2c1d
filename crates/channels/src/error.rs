//! Error types.

/// A channel configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The HTTP client (webhook, SMS) could not be built.
    #[error("http client: {0}")]
    Http(String),
    /// Bad SMS gateway configuration.
    #[error("sms gateway: {0}")]
    Sms(String),
    /// Bad SMTP configuration.
    #[error("email: {0}")]
    Email(String),
    /// Bad MQTT broadcast configuration.
    #[error("broadcast: {0}")]
    Broadcast(String),
    /// Bad cell-broadcast centre configuration.
    #[error("cell broadcast: {0}")]
    CellBroadcast(String),
}

/// A recipient address the adapter cannot deliver to (a permanent failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipientError {
    /// Not an `http(s)://` URL.
    #[error("webhook URL {0}")]
    Url(String),
    /// The webhook URL's host is an address that is not public (loopback,
    /// private, link-local …) and not allow-listed.
    #[error(
        "webhook URL points to an address that is not public (loopback, private, link-local …)"
    )]
    PrivateAddress,
    /// The webhook secret is empty.
    #[error("webhook secret is empty")]
    EmptySecret,
    /// Not a mainland mobile number nor an E.164 number.
    #[error("phone {0:?} is neither a mainland mobile number (11 digits, 1[3-9]…) nor E.164 (+ and 7–15 digits)")]
    Phone(String),
    /// Not an e-mail address.
    #[error("e-mail address {0}")]
    Email(String),
    /// Not a 12-digit division code.
    #[error("division code: {0}")]
    Division(String),
    /// Not a broadcast area (CAP polygon or circle).
    #[error("area: {0}")]
    Area(String),
}
