//! A per-user rate limit on exports (`…/export` routes): bulk reading of
//! records, personal data among them, is the first thing a stolen session
//! is used for. In memory, per node; the journal records each export.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// The window the limit counts in.
pub const WINDOW: Duration = Duration::hours(1);

/// Exports per user in the last [`WINDOW`].
#[derive(Default)]
pub struct ExportLimiter {
    hits: Mutex<HashMap<i64, VecDeque<OffsetDateTime>>>,
}

/// The rule: at most `max` exports in any `window`; the answer is the wait
/// until the oldest one leaves the window when the limit is reached.
/// `history` holds the times of earlier exports, oldest first.
pub fn allow(
    history: &mut VecDeque<OffsetDateTime>,
    now: OffsetDateTime,
    window: Duration,
    max: u32,
) -> Result<(), Duration> {
    while history.front().is_some_and(|&t| t <= now - window) {
        history.pop_front();
    }
    if history.len() >= max as usize {
        let oldest = history.front().copied().unwrap_or(now);
        return Err(oldest + window - now);
    }
    history.push_back(now);
    Ok(())
}

impl ExportLimiter {
    pub fn check(&self, user_id: i64, now: OffsetDateTime, max: u32) -> Result<(), Duration> {
        let mut hits = match self.hits.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Forget users with nothing left in the window (bounded memory).
        if hits.len() > 10_000 {
            hits.retain(|_, h| h.back().is_some_and(|&t| t > now - WINDOW));
        }
        allow(hits.entry(user_id).or_default(), now, WINDOW, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_max_exports_in_any_window() {
        let t0 = time::macros::datetime!(2026-12-07 03:00 UTC);
        let m = Duration::minutes;
        // (minutes after t0 of each attempt, allowed?) with max 3 per hour
        let table: &[(i64, Result<(), i64>)] = &[
            (0, Ok(())),
            (1, Ok(())),
            (2, Ok(())),
            (3, Err(57)), // the first leaves the window at 60
            (59, Err(1)),
            (60, Ok(())), // 0 has left; 1, 2, 60 remain
            (61, Ok(())),
            (62, Ok(())),
            (63, Err(57)),
            (200, Ok(())),
        ];
        let mut h = VecDeque::new();
        for &(at, want) in table {
            let got = allow(&mut h, t0 + m(at), WINDOW, 3).map_err(|w| w.whole_minutes());
            assert_eq!(got, want, "at +{at} min");
        }
    }

    #[test]
    fn users_are_counted_apart() {
        let l = ExportLimiter::default();
        let now = OffsetDateTime::now_utc();
        assert!(l.check(1, now, 1).is_ok());
        assert!(l.check(1, now, 1).is_err());
        assert!(l.check(2, now, 1).is_ok());
    }
}
