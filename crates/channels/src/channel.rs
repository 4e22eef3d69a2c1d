//! One enum over the adapters, and a router holding the configured ones.

use serde::{Deserialize, Serialize};

use crate::broadcast::{BroadcastChannel, BroadcastConfig};
use crate::cell_broadcast::{CellBroadcastChannel, CellBroadcastConfig};
use crate::email::{EmailChannel, EmailConfig};
use crate::error::ConfigError;
use crate::message::{ChannelKind, Message, MessageOptions, Recipient};
use crate::outcome::{Outcome, Reason};
use crate::retry::RetryPolicy;
use crate::sms::{SmsChannel, SmsConfig};
use crate::webhook::{WebhookChannel, WebhookConfig};

/// A delivery adapter.
#[derive(Debug)]
pub enum Channel {
    /// Signed HTTP POST.
    Webhook(WebhookChannel),
    /// HTTP SMS gateway.
    Sms(SmsChannel),
    /// SMTP.
    Email(EmailChannel),
    /// MQTT loudspeakers.
    Broadcast(BroadcastChannel),
    /// Carrier cell broadcast, one message per area.
    CellBroadcast(CellBroadcastChannel),
}

impl Channel {
    /// Which kind of recipient this adapter serves.
    pub fn kind(&self) -> ChannelKind {
        match self {
            Channel::Webhook(_) => ChannelKind::Webhook,
            Channel::Sms(_) => ChannelKind::Sms,
            Channel::Email(_) => ChannelKind::Email,
            Channel::Broadcast(_) => ChannelKind::Broadcast,
            Channel::CellBroadcast(_) => ChannelKind::CellBroadcast,
        }
    }

    /// Makes one delivery attempt of `msg` to `recipient`. A recipient of
    /// another kind is a permanent failure. Never panics; every error is an
    /// [`Outcome`].
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        match self {
            Channel::Webhook(c) => c.deliver(msg, recipient).await,
            Channel::Sms(c) => c.deliver(msg, recipient).await,
            Channel::Email(c) => c.deliver(msg, recipient).await,
            Channel::Broadcast(c) => c.deliver(msg, recipient).await,
            Channel::CellBroadcast(c) => c.deliver(msg, recipient).await,
        }
    }
}

/// Settings for all channels (e.g. a `[channels]` table in the platform's
/// configuration). A channel left out is not configured; the webhook
/// channel needs no settings and is always there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelsConfig {
    /// Webhook settings (defaults when absent).
    pub webhook: WebhookConfig,
    /// SMS gateway, if any.
    pub sms: Option<SmsConfig>,
    /// SMTP server, if any.
    pub email: Option<EmailConfig>,
    /// MQTT broker, if any.
    pub broadcast: Option<BroadcastConfig>,
    /// Carrier cell-broadcast centre, if any.
    pub cell_broadcast: Option<CellBroadcastConfig>,
    /// Backoff and dead-letter policy.
    pub retry: RetryPolicy,
    /// How messages are rendered.
    pub message: MessageOptions,
}

/// The configured adapters, routing each recipient to its own.
#[derive(Debug)]
pub struct Channels {
    channels: Vec<Channel>,
}

impl Channels {
    /// Builds every configured adapter.
    pub fn from_config(config: &ChannelsConfig) -> Result<Self, ConfigError> {
        let mut channels = vec![Channel::Webhook(WebhookChannel::new(&config.webhook)?)];
        if let Some(c) = &config.sms {
            channels.push(Channel::Sms(SmsChannel::new(c)?));
        }
        if let Some(c) = &config.email {
            channels.push(Channel::Email(EmailChannel::new(c)?));
        }
        if let Some(c) = &config.broadcast {
            channels.push(Channel::Broadcast(BroadcastChannel::new(c)?));
        }
        if let Some(c) = &config.cell_broadcast {
            channels.push(Channel::CellBroadcast(CellBroadcastChannel::new(c)?));
        }
        Ok(Channels { channels })
    }

    /// Routes over the given adapters (the first of each kind wins).
    pub fn new(channels: Vec<Channel>) -> Self {
        Channels { channels }
    }

    /// The adapter for `kind`, if configured.
    pub fn get(&self, kind: ChannelKind) -> Option<&Channel> {
        self.channels.iter().find(|c| c.kind() == kind)
    }

    /// Makes one delivery attempt with the recipient's adapter; an
    /// unconfigured channel is a permanent failure.
    pub async fn deliver(&self, msg: &Message, recipient: &Recipient) -> Outcome {
        match self.get(recipient.kind()) {
            Some(c) => c.deliver(msg, recipient).await,
            None => Outcome::failed(
                Reason::NotConfigured,
                format!("no {} channel is configured", recipient.kind()),
            ),
        }
    }
}
