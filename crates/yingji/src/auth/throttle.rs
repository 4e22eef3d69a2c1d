//! Login throttling: exponential back-off by account name AND by client
//! address, instead of hard locks.
//!
//! Parameters (see docs/operations.md):
//! - per account name (known or not — unknown names are throttled exactly
//!   like real ones, so the answer never tells them apart): 5 free failures,
//!   then each further attempt must wait 2^k s (1, 2, 4, …) capped at
//!   **60 s**. The cap is short on purpose: someone else's failures can make
//!   a user wait at most a minute, never lock them out; while an account is
//!   waiting, attempts are refused without being checked or counted, so
//!   hammering does not lengthen the wait. Brute force stays infeasible:
//!   at most ~1 checked guess per minute per account (≈1,440 a day against
//!   the password policy's ≥ 8 characters of 3 classes).
//! - per client address: 20 free failures (a whole office behind one NAT can
//!   mistype), then 2^k s capped at **300 s**.
//! - a failure count is forgotten 15 minutes after its last failure; a
//!   correct login clears the account's count and its address's count.
//!
//! The counts live in the database (`login_failures`), so several nodes
//! behind one load balancer throttle as one: each failure is one atomic
//! upsert ([`fail`]), each attempt reads two rows ([`wait`]); forgotten
//! counts are pruned as failures come. The rules above are pure functions
//! ([`Backoff`]); the store follows [`Backoff::fail`] in SQL, and a test
//! holds it to the rule on both databases.
//! The client address is the socket peer unless the peer is a configured
//! trusted proxy ([`client_addr`]).

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

use crate::db::{col, Db, DbError, UtcText};

/// One back-off rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures allowed before any wait.
    pub free: u32,
    /// Longest wait, in seconds.
    pub cap_secs: i64,
    /// A count is forgotten this long after its last failure.
    pub forget_after: Duration,
}

pub const ACCOUNT: Backoff = Backoff {
    free: 5,
    cap_secs: 60,
    forget_after: Duration::minutes(15),
};

pub const ADDRESS: Backoff = Backoff {
    free: 20,
    cap_secs: 300,
    forget_after: Duration::minutes(15),
};

/// Consecutive failures of one key and when the last one happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: OffsetDateTime,
}

impl Backoff {
    /// Pure rule: the wait that follows `count` failures (0 while free,
    /// then 1 s, 2 s, 4 s, … up to the cap).
    pub fn delay(&self, count: u32) -> Duration {
        if count < self.free {
            return Duration::ZERO;
        }
        let k = count - self.free;
        let secs = if k >= 62 {
            self.cap_secs
        } else {
            (1i64 << k).min(self.cap_secs)
        };
        Duration::seconds(secs)
    }

    /// Pure rule: how long an attempt at `now` must still wait (zero: go).
    pub fn wait(&self, f: Option<Failures>, now: OffsetDateTime) -> Duration {
        let Some(f) = f else { return Duration::ZERO };
        if now - f.last >= self.forget_after {
            return Duration::ZERO;
        }
        let until = f.last + self.delay(f.count);
        if until > now {
            until - now
        } else {
            Duration::ZERO
        }
    }

    /// Pure rule: the state after a failure at `now`.
    pub fn fail(&self, f: Option<Failures>, now: OffsetDateTime) -> Failures {
        let count = match f {
            Some(f) if now - f.last < self.forget_after => f.count.saturating_add(1),
            _ => 1,
        };
        Failures { count, last: now }
    }
}

/// The row key of an account name: trimmed, lower case (unknown names
/// are counted exactly like real ones).
fn account_key(username: &str) -> String {
    format!("account:{}", username.trim().to_lowercase())
}

/// Addresses are throttled per host for IPv4 and per /64 for IPv6 (one
/// client usually holds a whole /64).
fn addr_key(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    };
    format!("addr:{ip}")
}

/// The two counts a login is held to: its account name's and its
/// address's.
fn keys(username: &str, ip: IpAddr) -> [(String, Backoff); 2] {
    [(account_key(username), ACCOUNT), (addr_key(ip), ADDRESS)]
}

/// How long a login for `username` from `ip` must still wait (the longer
/// of the two rules; zero: go ahead).
pub async fn wait(
    db: &Db,
    username: &str,
    ip: IpAddr,
    now: OffsetDateTime,
) -> Result<Duration, DbError> {
    let mut longest = Duration::ZERO;
    for (key, rule) in keys(username, ip) {
        let row = sqlx::query("SELECT count, last_at FROM login_failures WHERE key = $1")
            .bind(&key)
            .fetch_optional(db.pool())
            .await?;
        let f = match row {
            Some(r) => Some(Failures {
                count: u32::try_from(col::<i64>(&r, "count")?).unwrap_or(u32::MAX),
                last: col::<UtcText>(&r, "last_at")?.0,
            }),
            None => None,
        };
        longest = longest.max(rule.wait(f, now));
    }
    Ok(longest)
}

/// Count a failure of `username` from `ip` at `now`: one atomic upsert per
/// key, so failures on several nodes at once are all counted. The SQL is
/// [`Backoff::fail`]: a count older than the rule's forget time starts
/// again at 1. Counts forgotten by both rules are pruned.
pub async fn fail(db: &Db, username: &str, ip: IpAddr, now: OffsetDateTime) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    for (key, rule) in keys(username, ip) {
        sqlx::query("INSERT INTO login_failures (key, count, last_at) VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET count = CASE WHEN login_failures.last_at <= $3 THEN 1 ELSE login_failures.count + 1 END, last_at = $2")
            .bind(&key)
            .bind(UtcText(now))
            .bind(UtcText(now - rule.forget_after))
            .execute(&mut *tx.inner)
            .await?;
    }
    let forget = ACCOUNT.forget_after.max(ADDRESS.forget_after);
    sqlx::query("DELETE FROM login_failures WHERE last_at <= $1")
        .bind(UtcText(now - forget))
        .execute(&mut *tx.inner)
        .await?;
    // Failure counts are the throttle's bookkeeping, not a record.
    tx.commit_unjournaled().await?;
    Ok(())
}

/// A correct login clears its account's and its address's counts.
pub async fn succeed(db: &Db, username: &str, ip: IpAddr) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    for (key, _) in keys(username, ip) {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(&key)
            .execute(&mut *tx.inner)
            .await?;
    }
    // Bookkeeping, as in `fail`.
    tx.commit_unjournaled().await?;
    Ok(())
}

/// `[auth]` in the configuration.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are
    /// believed (addresses or CIDR blocks). Default: none — the socket peer
    /// address is the client.
    pub trusted_proxies: Vec<Cidr>,
    /// Lifetime of a new API token when its creator names none, in days.
    pub token_days: i64,
    /// How long a verified session or token is answered from memory
    /// (`auth::cache`), in ms; 0: every request reads the database. What
    /// another node or the CLI revokes takes effect here within this time.
    pub principal_cache_ms: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            trusted_proxies: Vec::new(),
            token_days: 90,
            principal_cache_ms: 1000,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A trusted proxy: one address or a CIDR block (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let net: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("{s:?}: prefix length must be 0..={max}"))?,
            None => max,
        };
        Ok(Cidr { net, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - self.bits as u32).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - self.bits as u32).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Parse one address of a forwarding header: `1.2.3.4`, `1.2.3.4:5678`,
/// `[::1]:80`, `"[::1]"`, `::1`.
fn parse_forwarded_addr(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
}

/// The client's address: the socket peer, unless the peer is a trusted
/// proxy; then the forwarding chain (`Forwarded: for=`, else
/// `X-Forwarded-For`) is walked from the right, skipping trusted proxies,
/// and the first untrusted hop is the client. Unparseable hops stop the
/// walk at the last trusted address.
pub fn client_addr(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let joined = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .collect()
    };
    let forwarded: Vec<String> = joined("forwarded")
        .into_iter()
        .filter_map(|el| {
            el.split(';').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| v.to_string())
            })
        })
        .collect();
    let hops = if forwarded.is_empty() {
        joined("x-forwarded-for")
    } else {
        forwarded
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_forwarded_addr(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    #[test]
    fn delay_table() {
        // (rule, failures, wait in seconds)
        let table = [
            (ACCOUNT, 0, 0),
            (ACCOUNT, 4, 0),
            (ACCOUNT, 5, 1),
            (ACCOUNT, 6, 2),
            (ACCOUNT, 7, 4),
            (ACCOUNT, 10, 32),
            (ACCOUNT, 11, 60),
            (ACCOUNT, 1000, 60),
            (ACCOUNT, u32::MAX, 60),
            (ADDRESS, 19, 0),
            (ADDRESS, 20, 1),
            (ADDRESS, 28, 256),
            (ADDRESS, 29, 300),
            (ADDRESS, 500, 300),
        ];
        for (rule, n, secs) in table {
            assert_eq!(rule.delay(n), Duration::seconds(secs), "{rule:?} {n}");
        }
    }

    #[test]
    fn wait_table() {
        let f = |count, ago: i64| {
            Some(Failures {
                count,
                last: T0 - Duration::seconds(ago),
            })
        };
        // (state, wait at T0 in seconds)
        let table = [
            (None, 0),
            (f(4, 0), 0),
            (f(5, 0), 1),
            (f(5, 1), 0),
            (f(8, 3), 5),
            (f(30, 0), 60),
            (f(30, 59), 1),
            (f(30, 60), 0),
            // forgotten after 15 minutes
            (f(30, 15 * 60), 0),
        ];
        for (state, secs) in table {
            assert_eq!(
                ACCOUNT.wait(state, T0),
                Duration::seconds(secs),
                "{state:?}"
            );
        }
    }

    #[test]
    fn failures_count_up_and_are_forgotten() {
        let one = ACCOUNT.fail(None, T0);
        assert_eq!(one.count, 1);
        let two = ACCOUNT.fail(Some(one), T0 + Duration::minutes(14));
        assert_eq!(two.count, 2);
        let fresh = ACCOUNT.fail(Some(two), T0 + Duration::minutes(30));
        assert_eq!(fresh.count, 1, "a count is forgotten after 15 minutes");
    }

    #[test]
    fn cidr_table() {
        let table = [
            ("10.0.0.0/8", "10.1.2.3", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("::1", "::1", true),
            ("fd00::/8", "fd12::1", true),
            ("fd00::/8", "fe80::1", false),
            ("127.0.0.1", "::ffff:127.0.0.1", true),
            ("10.0.0.0/8", "::1", false),
        ];
        for (cidr, ip, inside) in table {
            let c = Cidr::parse(cidr).unwrap();
            assert_eq!(c.contains(ip.parse().unwrap()), inside, "{cidr} {ip}");
        }
        for bad in ["", "10.0.0.0/33", "x", "::1/129", "10.0.0.0/-1"] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn client_addr_table() {
        use axum::http::HeaderMap;
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let outsider: IpAddr = "203.0.113.1".parse().unwrap();
        let trusted = [Cidr::parse("10.0.0.0/8").unwrap()];
        let h = |pairs: &[(&'static str, &str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.append(*k, v.parse().unwrap());
            }
            m
        };
        // (peer, headers, trusted, expected)
        let table: Vec<(IpAddr, HeaderMap, &[Cidr], &str)> = vec![
            // No trusted proxies: headers are ignored.
            (
                proxy,
                h(&[("x-forwarded-for", "198.51.100.1")]),
                &[],
                "10.0.0.5",
            ),
            // Untrusted peer: ignored.
            (
                outsider,
                h(&[("x-forwarded-for", "198.51.100.1")]),
                &trusted,
                "203.0.113.1",
            ),
            (
                proxy,
                h(&[("x-forwarded-for", "198.51.100.1")]),
                &trusted,
                "198.51.100.1",
            ),
            // A client-supplied left part is not believed.
            (
                proxy,
                h(&[("x-forwarded-for", "1.1.1.1, 198.51.100.1, 10.0.0.9")]),
                &trusted,
                "198.51.100.1",
            ),
            (
                proxy,
                h(&[("forwarded", "for=198.51.100.2;proto=https, for=10.0.0.7")]),
                &trusted,
                "198.51.100.2",
            ),
            (
                proxy,
                h(&[("forwarded", "for=\"[2001:db8::1]:4711\"")]),
                &trusted,
                "2001:db8::1",
            ),
            (
                proxy,
                h(&[("x-forwarded-for", "198.51.100.3:1234")]),
                &trusted,
                "198.51.100.3",
            ),
            (
                proxy,
                h(&[("x-forwarded-for", "garbage")]),
                &trusted,
                "10.0.0.5",
            ),
            (proxy, h(&[]), &trusted, "10.0.0.5"),
        ];
        for (peer, headers, trusted, want) in table {
            assert_eq!(
                client_addr(peer, &headers, trusted),
                want.parse::<IpAddr>().unwrap(),
                "{peer} {headers:?}"
            );
        }
    }
}
