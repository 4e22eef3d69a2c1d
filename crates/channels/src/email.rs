//! E-mail over SMTP (lettre, tokio, rustls).
//!
//! One message per recipient: `From` the configured mailbox, `To` the
//! recipient, a UTF-8 subject (RFC 2047 encoded-words), a `text/plain;
//! charset=utf-8` body (the readable alert summary and the feed link) and,
//! unless `attach_cap = false`, the CAP XML as an `application/cap+xml`
//! attachment. The `Message-ID` is `<idempotency-key@from-domain>`, so a
//! retried delivery carries the same id and mail systems can drop the
//! duplicate.
//!
//! SMTP 4xx replies, timeouts, connection and TLS errors are retried; 5xx
//! replies and invalid addresses fail.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::http::error_chain;
use crate::message::{idempotency_key, Message, Recipient};
use crate::outcome::{Outcome, Reason};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with `STARTTLS`, which is required (the
    /// default; port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS; port 465).
    Implicit,
    /// No encryption (a relay on localhost or a trusted network; port 25).
    None,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_true() -> bool {
    true
}

/// SMTP settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The SMTP server's host name (also the name checked in its TLS
    /// certificate).
    pub host: String,
    /// The port. Default: 587 for `starttls`, 465 for `implicit`, 25 for
    /// `none`.
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (default), `implicit` or `none`.
    #[serde(default)]
    pub tls: SmtpTls,
    /// Login user name; with `password`, SMTP AUTH (PLAIN or LOGIN) is used.
    #[serde(default)]
    pub username: Option<String>,
    /// Login password.
    #[serde(default)]
    pub password: Option<String>,
    /// The sender mailbox: `alert@example.org` or `北京市应急管理局
    /// <alert@example.org>`.
    pub from: String,
    /// An optional `Reply-To` mailbox.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The name sent in `EHLO`. Default: the `from` address's domain.
    #[serde(default)]
    pub helo_name: Option<String>,
    /// Timeout for each SMTP command, in milliseconds. Default 30 000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Attach the CAP XML as `<identifier>.cap.xml`. Default true.
    #[serde(default = "default_true")]
    pub attach_cap: bool,
}

impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("reply_to", &self.reply_to)
            .field("helo_name", &self.helo_name)
            .field("timeout_ms", &self.timeout_ms)
            .field("attach_cap", &self.attach_cap)
            .finish()
    }
}

/// The e-mail adapter. Each delivery opens one SMTP connection.
#[derive(Clone)]
pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    attach_cap: bool,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChannel")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl EmailChannel {
    /// Checks the mailboxes and builds the SMTP transport (no connection is
    /// made yet).
    pub fn new(config: &EmailConfig) -> Result<Self, ConfigError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| ConfigError::Email(format!("from {:?}: {e}", config.from)))?;
        let reply_to = match &config.reply_to {
            Some(r) => Some(
                r.parse::<Mailbox>()
                    .map_err(|e| ConfigError::Email(format!("reply_to {r:?}: {e}")))?,
            ),
            None => None,
        };
        if config.host.trim().is_empty() {
            return Err(ConfigError::Email("host is empty".to_string()));
        }
        let tls_params = || {
            TlsParameters::new(config.host.clone())
                .map_err(|e| ConfigError::Email(format!("TLS for {:?}: {e}", config.host)))
        };
        let (tls, default_port) = match config.tls {
            SmtpTls::Starttls => (Tls::Required(tls_params()?), 587),
            SmtpTls::Implicit => (Tls::Wrapper(tls_params()?), 465),
            SmtpTls::None => (Tls::None, 25),
        };
        let helo = config
            .helo_name
            .clone()
            .unwrap_or_else(|| from.email.domain().to_string());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port.unwrap_or(default_port))
            .tls(tls)
            .hello_name(ClientId::Domain(helo))
            .timeout(Some(Duration::from_millis(config.timeout_ms)));
        match (&config.username, &config.password) {
            (Some(u), Some(p)) => {
                builder = builder.credentials(Credentials::new(u.clone(), p.clone()))
            }
            (None, None) => {}
            _ => {
                return Err(ConfigError::Email(
                    "username and password go together".to_string(),
                ))
            }
        }
        Ok(EmailChannel {
            transport: builder.build(),
            from,
            reply_to,
            attach_cap: config.attach_cap,
        })
    }

    /// Builds the e-mail for `address` (exposed for tests and previews).
    pub fn build_email(
        &self,
        msg: &Message,
        recipient: &Recipient,
        address: &str,
    ) -> Result<lettre::Message, String> {
        let to: Mailbox = address
            .trim()
            .parse()
            .map_err(|e| format!("e-mail address {address:?}: {e}"))?;
        let key = idempotency_key(&msg.identifier, recipient);
        let mut b = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.clone())
            .message_id(Some(format!("<{key}@{}>", self.from.email.domain())))
            .date_now()
            .user_agent(crate::http::USER_AGENT.to_string());
        if let Some(r) = &self.reply_to {
            b = b.reply_to(r.clone());
        }
        let mut body = msg.body.clone();
        if let Some(url) = &msg.cap_url {
            if !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(&format!("\nCAP: {url}\n"));
        }
        let text = SinglePart::builder()
            .content_type(ContentType::TEXT_PLAIN)
            .body(body);
        let built = if self.attach_cap {
            let cap_type = ContentType::parse("application/cap+xml")
                .map_err(|e| format!("content type: {e}"))?;
            let name = format!("{}.cap.xml", file_safe(&msg.identifier));
            let attachment = Attachment::new(name).body(msg.cap_xml.clone(), cap_type);
            b.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))
        } else {
            b.singlepart(text)
        };
        built.map_err(|e| format!("cannot build the e-mail: {e}"))
    }

    /// Sends `msg` to a [`Recipient::Email`]; any other recipient fails.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        let Recipient::Email { address } = recipient else {
            return Outcome::failed(
                Reason::InvalidRecipient,
                format!(
                    "the email channel cannot deliver to a {} recipient",
                    recipient.kind()
                ),
            );
        };
        let email = match self.build_email(msg, recipient, address) {
            Ok(e) => e,
            Err(reason) => return Outcome::failed(Reason::InvalidRecipient, reason),
        };
        match self.transport.send(email).await {
            Ok(resp) => Outcome::delivered(
                Reason::Delivered,
                format!(
                    "SMTP {} {}",
                    resp.code(),
                    resp.message().collect::<Vec<_>>().join(" ")
                ),
            ),
            Err(e) => classify_smtp_error(&e),
        }
    }
}

fn classify_smtp_error(e: &lettre::transport::smtp::Error) -> Outcome {
    let text = error_chain(e);
    if e.is_permanent() {
        Outcome::failed(
            Reason::SmtpPermanent,
            format!("SMTP permanent error: {text}"),
        )
    } else if e.is_transient() {
        Outcome::retry(
            Reason::SmtpTransient,
            format!("SMTP transient error: {text}"),
        )
    } else if e.is_timeout() {
        Outcome::retry(Reason::Timeout, format!("SMTP timeout: {text}"))
    } else if e.is_client() {
        Outcome::failed(Reason::SmtpPermanent, format!("SMTP client error: {text}"))
    } else {
        // Connection, TLS, unexpected or unreadable responses.
        Outcome::retry(Reason::SmtpTransient, format!("SMTP error: {text}"))
    }
}

/// A file name from an identifier: ASCII letters, digits, `-`, `_`, `.`.
fn file_safe(s: &str) -> String {
    let name: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "alert".to_string()
    } else {
        name
    }
}
