//! Retries with exponential backoff and full jitter, and the dead letter.
//!
//! Everything here is pure: no clock, no global RNG. The caller (the
//! platform's outbox worker) counts attempts, passes an RNG and schedules the
//! next attempt `delay` after *its* now.

use std::time::{Duration, SystemTime};

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::outcome::{ErrorClass, Outcome};

/// Backoff settings. All durations in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Backoff ceiling after the first failed attempt; it doubles with each
    /// further attempt. Default 2 000 (2 s).
    pub base_ms: u64,
    /// Largest backoff ceiling. Default 600 000 (10 min).
    pub cap_ms: u64,
    /// Shortest delay: jitter is drawn in `[min, ceiling]` so that a retry is
    /// never immediate. Default 500.
    pub min_ms: u64,
    /// Attempts in all, the first included; after the last one fails the
    /// delivery is dead-lettered. Default 8.
    pub max_attempts: u32,
    /// For [`ErrorClass::RateLimited`], the base is multiplied by this.
    /// Default 4.
    pub rate_limited_factor: u32,
    /// Longest receiver wait hint (`Retry-After`) honoured; longer hints are
    /// cut to this. Default 3 600 000 (1 h).
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 2_000,
            cap_ms: 600_000,
            min_ms: 500,
            max_attempts: 8,
            rate_limited_factor: 4,
            max_retry_after_ms: 3_600_000,
        }
    }
}

/// Why a delivery was dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "cause")]
pub enum DeadLetter {
    /// The last attempt failed permanently.
    Permanent,
    /// `attempts` attempts were made, the policy's maximum.
    Exhausted {
        /// Attempts made.
        attempts: u32,
    },
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Try again this long after now.
    RetryAfter(Duration),
    /// Give up: move the delivery to the dead-letter list.
    DeadLetter(DeadLetter),
}

/// What to record after an attempt (see [`RetryPolicy::disposition`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Delivered: done.
    Delivered {
        /// The receiver's answer.
        detail: String,
    },
    /// Schedule another attempt `delay` from now.
    Retry {
        /// The delay.
        delay: Duration,
        /// Why the attempt failed.
        reason: String,
    },
    /// Dead-letter the delivery.
    DeadLetter {
        /// Why.
        cause: DeadLetter,
        /// Why the last attempt failed.
        reason: String,
    },
}

impl RetryPolicy {
    /// The backoff ceiling after `attempt` failed attempts (1-based; 0 is
    /// read as 1): `min(cap, base × factor × 2^(attempt−1))`, never below
    /// `min_ms`.
    pub fn ceiling(&self, attempt: u32, class: ErrorClass) -> Duration {
        let attempt = attempt.max(1);
        let factor = match class {
            ErrorClass::RateLimited => u64::from(self.rate_limited_factor.max(1)),
            _ => 1,
        };
        let growth = 1u64.checked_shl(attempt - 1).unwrap_or(u64::MAX);
        let ms = self
            .base_ms
            .saturating_mul(factor)
            .saturating_mul(growth)
            .min(self.cap_ms)
            .max(self.min_ms);
        Duration::from_millis(ms)
    }

    /// [`RetryPolicy::decide`] with the random draw given: `unit` in
    /// `[0, 1)` picks the delay in `[min, ceiling]` (values outside are
    /// clamped). Deterministic, for tables and replays.
    pub fn decide_with(
        &self,
        attempt: u32,
        class: ErrorClass,
        hint: Option<Duration>,
        unit: f64,
    ) -> RetryDecision {
        let attempt = attempt.max(1);
        if class == ErrorClass::Permanent {
            return RetryDecision::DeadLetter(DeadLetter::Permanent);
        }
        if attempt >= self.max_attempts {
            return RetryDecision::DeadLetter(DeadLetter::Exhausted { attempts: attempt });
        }
        let ceiling = self.ceiling(attempt, class).as_millis() as u64;
        let floor = self.min_ms.min(ceiling);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let jittered = floor + ((ceiling - floor) as f64 * unit).round() as u64;
        let delay = match hint {
            Some(h) => {
                let h =
                    (h.as_millis().min(u128::from(u64::MAX)) as u64).min(self.max_retry_after_ms);
                jittered.max(h)
            }
            None => jittered,
        };
        RetryDecision::RetryAfter(Duration::from_millis(delay))
    }

    /// After `attempt` attempts (1-based, the failed one included) the last
    /// of which failed with `class`: dead-letter when the class is
    /// permanent or `attempt ≥ max_attempts`, else wait a "full jitter"
    /// delay drawn uniformly from `[min, min(cap, base·2^(attempt−1))]`
    /// (×`rate_limited_factor` on the base when rate-limited), and at least
    /// the receiver's `hint` (capped at `max_retry_after_ms`).
    pub fn decide<R: Rng + ?Sized>(
        &self,
        attempt: u32,
        class: ErrorClass,
        hint: Option<Duration>,
        rng: &mut R,
    ) -> RetryDecision {
        let unit: f64 = rng.random();
        self.decide_with(attempt, class, hint, unit)
    }

    /// Turns the [`Outcome`] of attempt number `attempt` (1-based) into what
    /// to record: delivered, retry after a delay, or dead letter.
    pub fn disposition<R: Rng + ?Sized>(
        &self,
        attempt: u32,
        outcome: &Outcome,
        rng: &mut R,
    ) -> Disposition {
        match outcome {
            Outcome::Delivered { detail, .. } => Disposition::Delivered {
                detail: detail.clone(),
            },
            Outcome::Failed { reason, .. } => Disposition::DeadLetter {
                cause: DeadLetter::Permanent,
                reason: reason.clone(),
            },
            Outcome::Retry {
                after,
                reason,
                class,
                ..
            } => match self.decide(attempt, *class, *after, rng) {
                RetryDecision::RetryAfter(delay) => Disposition::Retry {
                    delay,
                    reason: reason.clone(),
                },
                RetryDecision::DeadLetter(cause) => Disposition::DeadLetter {
                    cause,
                    reason: reason.clone(),
                },
            },
        }
    }
}

/// The free-function form of [`RetryPolicy::decide`].
pub fn retry_policy<R: Rng + ?Sized>(
    policy: &RetryPolicy,
    attempt: u32,
    class: ErrorClass,
    hint: Option<Duration>,
    rng: &mut R,
) -> RetryDecision {
    policy.decide(attempt, class, hint, rng)
}

/// Reads an HTTP `Retry-After` value: delta-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`), relative to `now`. A date in the past
/// gives zero; anything else unreadable gives `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}
