//! The verified-principal cache: a valid session or API token is looked up
//! in the database once, then answered from memory for `[auth]
//! principal_cache_ms` (default 1 s), so a burst of requests — a dispatch
//! screen's routing calls, the wall display — costs no query each.
//!
//! Revocation: whatever this process revokes (logout, a token revoked, a
//! user disabled, re-roled or given a new password through the API) clears
//! the entry or the whole cache at once. What another process revokes (a
//! second node on the same PostgreSQL, the `yingji user` CLI) is seen here
//! after at most the cache lifetime. An entry never outlives the session or
//! token it was read from. Failed lookups are not cached (an attacker cannot
//! fill the cache with bad tokens); the cache holds at most [`CAPACITY`]
//! entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::store::User;

/// Entries held at most: past it, expired entries go, then all.
pub const CAPACITY: usize = 10_000;

/// A verified principal: the user, the API token it came through (None:
/// a session), and until when it may be answered from memory.
#[derive(Debug, Clone)]
pub struct Verified {
    pub user: User,
    pub token_id: Option<i64>,
    fresh_until: Instant,
}

#[derive(Debug, Default)]
pub struct Principals {
    entries: Mutex<HashMap<String, Verified>>,
}

impl Principals {
    /// The cached principal of a token hash, if still fresh at `now`.
    pub fn get(&self, hash: &str, now: Instant) -> Option<Verified> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(hash).filter(|v| now < v.fresh_until).cloned()
    }

    /// Remember a principal just read from the database, for `ttl` but not
    /// past `valid_for` (what is left of its session or token). Returns it.
    pub fn put(
        &self,
        hash: &str,
        user: User,
        token_id: Option<i64>,
        now: Instant,
        ttl: Duration,
        valid_for: Option<Duration>,
    ) -> Verified {
        let life = valid_for.map_or(ttl, |v| v.min(ttl));
        let v = Verified {
            user,
            token_id,
            fresh_until: now + life,
        };
        if life.is_zero() {
            return v;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, v| now < v.fresh_until);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(hash.to_string(), v.clone());
        v
    }

    /// Forget one session or token (logout).
    pub fn remove(&self, hash: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(hash);
    }

    /// Forget everything (a user's rights or credentials changed).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user(id: i64) -> User {
        User {
            id,
            username: format!("u{id}"),
            display_name: String::new(),
            position: String::new(),
            role: Role::Operator,
            division: "140213".into(),
            org: String::new(),
            active: true,
        }
    }

    #[test]
    fn fresh_for_the_ttl_and_never_past_the_session() {
        let c = Principals::default();
        let t0 = Instant::now();
        let s = Duration::from_millis;
        c.put("a", user(1), None, t0, s(1000), None);
        c.put("b", user(2), Some(7), t0, s(1000), Some(s(300)));
        c.put("z", user(3), None, t0, Duration::ZERO, None);
        // (hash, at, cached user)
        for (hash, at, want) in [
            ("a", 0, Some(1)),
            ("a", 999, Some(1)),
            ("a", 1000, None),
            ("b", 299, Some(2)),
            ("b", 300, None),
            ("z", 0, None),
            ("x", 0, None),
        ] {
            assert_eq!(
                c.get(hash, t0 + s(at)).map(|v| v.user.id),
                want,
                "{hash} at {at} ms"
            );
        }
        assert_eq!(c.get("b", t0).and_then(|v| v.token_id), Some(7));
        c.remove("a");
        assert!(c.get("a", t0).is_none());
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn capacity_drops_expired_entries_first_then_all() {
        let c = Principals::default();
        let t0 = Instant::now();
        let s = Duration::from_millis;
        for i in 0..CAPACITY - 1 {
            c.put(&format!("old{i}"), user(1), None, t0, s(10), None);
        }
        c.put("live", user(2), None, t0, s(1000), None);
        assert_eq!(c.len(), CAPACITY);
        // Full: the expired ones go, the live one stays.
        c.put("new", user(3), None, t0 + s(20), s(1000), None);
        assert_eq!(c.len(), 2);
        assert!(c.get("live", t0 + s(20)).is_some());
        // Full of live entries: all go, the new one is kept.
        for i in 0..CAPACITY {
            c.put(&format!("k{i}"), user(1), None, t0 + s(20), s(1000), None);
        }
        assert!(c.len() <= CAPACITY);
        assert!(c.get(&format!("k{}", CAPACITY - 1), t0 + s(20)).is_some());
    }
}
