//! Which addresses a webhook may reach.
//!
//! A subscriber chooses its webhook URL, so without a guard the delivery
//! worker could be pointed at the platform's own machine (`127.0.0.1`), the
//! cloud metadata service (`169.254.169.254`) or any host of the internal
//! network. Every destination is therefore checked **after DNS resolution**:
//!
//! - an IP-literal URL host is classified directly ([`classify_ip`]);
//! - a host name is resolved by [`GuardedResolver`], the HTTP client's only
//!   resolver: every address is classified and only the vetted ones are
//!   handed to the connector, so the connection goes to an address that was
//!   checked (no second lookup an attacker's DNS could answer differently);
//! - redirects are never followed (see [`crate::WebhookChannel`]), and the
//!   system proxy settings are ignored (a proxy would resolve the name
//!   itself).
//!
//! Only globally routable unicast addresses pass, unless an operator
//! allow-lists the bureau's own systems ([`AllowList`]: CIDR blocks, single
//! addresses, or host names trusted whatever they resolve to).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// What kind of address an IP is, as far as reaching it from the platform
/// goes. Everything but [`AddressClass::Public`] is refused unless
/// allow-listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// Globally routable unicast.
    Public,
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918: `10/8`, `172.16/12`, `192.168/16`.
    Private,
    /// RFC 6598 shared address space (carrier-grade NAT): `100.64/10`.
    SharedCgnat,
    /// `169.254/16`, `fe80::/10` (the cloud metadata service lives here).
    LinkLocal,
    /// Unique local IPv6 `fc00::/7`, and the deprecated site-local
    /// `fec0::/10`.
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`,
    /// `3fff::/20`.
    Documentation,
    /// `198.18/15`, `2001:2::/48`.
    Benchmarking,
    /// Anything else that is not global unicast: `192.0.0/24`,
    /// `192.88.99/24`, `240/4`, IPv4-compatible `::/96`, `64:ff9b:1::/48`,
    /// `100::/64`, `2001::/23`, everything outside `2000::/3` …
    Reserved,
}

impl AddressClass {
    /// Whether the address may be reached without an allow-list entry.
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }

    /// A short lower-case name (`loopback`, `link_local` …).
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::SharedCgnat => "shared_cgnat",
            AddressClass::LinkLocal => "link_local",
            AddressClass::UniqueLocal => "unique_local",
            AddressClass::Multicast => "multicast",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Documentation => "documentation",
            AddressClass::Benchmarking => "benchmarking",
            AddressClass::Reserved => "reserved",
        }
    }
}

/// Classifies an IPv4 address (pure).
pub fn classify_ipv4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (10, _, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedCgnat,
        (127, _, _) => AddressClass::Loopback,
        (169, 254, _) => AddressClass::LinkLocal,
        (172, 16..=31, _) => AddressClass::Private,
        (192, 0, 0) => AddressClass::Reserved,
        (192, 0, 2) => AddressClass::Documentation,
        (192, 88, 99) => AddressClass::Reserved,
        (192, 168, _) => AddressClass::Private,
        (198, 18..=19, _) => AddressClass::Benchmarking,
        (198, 51, 100) => AddressClass::Documentation,
        (203, 0, 113) => AddressClass::Documentation,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => AddressClass::Broadcast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

/// Classifies an IPv6 address (pure). Addresses that carry an IPv4 address
/// the network may route to (IPv4-mapped `::ffff:0:0/96`, NAT64
/// `64:ff9b::/96`, 6to4 `2002::/16`) are classified by that IPv4 address.
pub fn classify_ipv6(ip: Ipv6Addr) -> AddressClass {
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_ipv4(v4);
    }
    let s = ip.segments();
    let o = ip.octets();
    let embedded = |from: usize| Ipv4Addr::new(o[from], o[from + 1], o[from + 2], o[from + 3]);
    match s {
        // IPv4-compatible (deprecated; :: and ::1 handled above).
        [0, 0, 0, 0, 0, 0, _, _] => AddressClass::Reserved,
        // NAT64 well-known prefix: reaches the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => classify_ipv4(embedded(12)),
        // Local-use NAT64.
        [0x64, 0xff9b, 1, ..] => AddressClass::Reserved,
        // Discard-only.
        [0x100, 0, 0, 0, ..] => AddressClass::Reserved,
        // 6to4: the IPv4 address in bits 16–47.
        [0x2002, ..] => classify_ipv4(embedded(2)),
        [0x2001, 0xdb8, ..] => AddressClass::Documentation,
        [0x3fff, b, ..] if b < 0x1000 => AddressClass::Documentation,
        [0x2001, 2, 0, ..] => AddressClass::Benchmarking,
        // IETF protocol assignments (Teredo, ORCHID, AMT …).
        [0x2001, b, ..] if b < 0x200 => AddressClass::Reserved,
        [a, ..] if a & 0xfe00 == 0xfc00 => AddressClass::UniqueLocal,
        [a, ..] if a & 0xffc0 == 0xfe80 => AddressClass::LinkLocal,
        [a, ..] if a & 0xffc0 == 0xfec0 => AddressClass::UniqueLocal,
        [a, ..] if a & 0xff00 == 0xff00 => AddressClass::Multicast,
        // Global unicast is 2000::/3; the rest is unassigned.
        [a, ..] if a & 0xe000 == 0x2000 => AddressClass::Public,
        _ => AddressClass::Reserved,
    }
}

/// Classifies an address (pure).
///
/// ```
/// use yingji_channels::{classify_ip, AddressClass};
/// assert_eq!(classify_ip("169.254.169.254".parse().unwrap()), AddressClass::LinkLocal);
/// assert_eq!(classify_ip("::ffff:127.0.0.1".parse().unwrap()), AddressClass::Loopback);
/// assert!(classify_ip("114.114.114.114".parse().unwrap()).is_public());
/// ```
pub fn classify_ip(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_ipv4(v4),
        IpAddr::V6(v6) => classify_ipv6(v6),
    }
}

/// One allow-list entry: a CIDR block (`10.1.2.0/24`, `fd00:1::/64`), a
/// single address (`10.1.2.5`, `::1`) or a host name (`hooks.bureau.local`,
/// compared case-insensitively, trusted whatever it resolves to).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AllowEntry {
    /// Addresses in this block.
    Net(IpNet),
    /// This host name (lower case, no trailing dot).
    Host(String),
}

impl FromStr for AllowEntry {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("an empty allow-list entry".into());
        }
        if let Ok(net) = t.parse::<IpNet>() {
            return Ok(AllowEntry::Net(net.trunc()));
        }
        if let Ok(ip) = t.parse::<IpAddr>() {
            return Ok(AllowEntry::Net(IpNet::from(ip)));
        }
        let host = t.trim_end_matches('.').to_ascii_lowercase();
        let ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
            // Not something that looks like a mistyped address or CIDR.
            && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if ok {
            Ok(AllowEntry::Host(host))
        } else {
            Err(format!(
                "{t:?} is neither a CIDR block, an IP address nor a host name"
            ))
        }
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowEntry::Net(n) if n.prefix_len() == n.max_prefix_len() => n.addr().fmt(f),
            AllowEntry::Net(n) => n.fmt(f),
            AllowEntry::Host(h) => f.write_str(h),
        }
    }
}

/// The destinations an operator lets webhooks reach although they are not
/// public (the bureau's own systems). Empty by default. In configuration, a
/// list of strings (see [`AllowEntry`]):
/// `allow = ["10.1.2.0/24", "hooks.bureau.local"]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct AllowList {
    entries: Vec<AllowEntry>,
}

impl TryFrom<Vec<String>> for AllowList {
    type Error = String;

    fn try_from(v: Vec<String>) -> Result<Self, String> {
        v.iter()
            .map(|s| s.parse())
            .collect::<Result<Vec<_>, _>>()
            .map(|entries| AllowList { entries })
    }
}

impl From<AllowList> for Vec<String> {
    fn from(a: AllowList) -> Self {
        a.entries.iter().map(ToString::to_string).collect()
    }
}

impl AllowList {
    /// Parses entries (see [`AllowEntry`]).
    ///
    /// ```
    /// use yingji_channels::AllowList;
    /// let a = AllowList::parse(["10.1.2.0/24", "Hooks.Bureau.local."]).unwrap();
    /// assert!(a.allows_ip("10.1.2.9".parse().unwrap()));
    /// assert!(!a.allows_ip("10.1.3.9".parse().unwrap()));
    /// assert!(a.allows_host("hooks.bureau.local"));
    /// assert!(AllowList::parse(["10.1.2.0/33"]).is_err());
    /// ```
    pub fn parse<I, S>(entries: I) -> Result<AllowList, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        entries
            .into_iter()
            .map(|s| s.as_ref().parse())
            .collect::<Result<Vec<_>, _>>()
            .map(|entries| AllowList { entries })
    }

    /// The entries.
    pub fn entries(&self) -> &[AllowEntry] {
        &self.entries
    }

    /// Whether `ip` lies in an allow-listed block (an IPv4-mapped IPv6
    /// address also matches IPv4 blocks).
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.entries.iter().any(|e| match e {
            AllowEntry::Net(n) => n.contains(&ip) || mapped.is_some_and(|m| n.contains(&m)),
            AllowEntry::Host(_) => false,
        })
    }

    /// Whether the host name `host` is allow-listed (case-insensitive; a
    /// trailing dot is ignored).
    pub fn allows_host(&self, host: &str) -> bool {
        let h = host.trim_end_matches('.');
        self.entries
            .iter()
            .any(|e| matches!(e, AllowEntry::Host(x) if x.eq_ignore_ascii_case(h)))
    }

    /// Whether the platform may connect to `ip`: a public address, or an
    /// allow-listed one.
    pub fn permits(&self, ip: IpAddr) -> bool {
        classify_ip(ip).is_public() || self.allows_ip(ip)
    }
}

/// A destination refused by the guard: no connection was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused_private_address: {host} resolves only to addresses that are not public ({detail}) and not allow-listed")]
pub struct RefusedAddress {
    /// The URL host.
    pub host: String,
    /// The refused addresses and their classes.
    pub detail: String,
}

impl RefusedAddress {
    fn of(host: &str, refused: &[IpAddr]) -> RefusedAddress {
        let detail = if refused.is_empty() {
            "no address".to_string()
        } else {
            refused
                .iter()
                .map(|ip| format!("{ip} {}", classify_ip(*ip).as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        RefusedAddress {
            host: host.to_string(),
            detail,
        }
    }
}

/// Checks a URL's host before any lookup: an IP-literal host (`127.0.0.1`,
/// `[::1]`, `2130706433`, as the URL parser normalises it) must be
/// permitted by [`AllowList::permits`]. Host names pass here; they are
/// checked at resolution by [`GuardedResolver`].
pub fn check_literal_host(url: &reqwest::Url, allow: &AllowList) -> Result<(), RefusedAddress> {
    // The parser normalises IP hosts (`2130706433`, `0x7f.1` → `127.0.0.1`)
    // and writes IPv6 ones in brackets.
    let host = url.host_str().unwrap_or("");
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(());
    };
    if allow.permits(ip) {
        Ok(())
    } else {
        Err(RefusedAddress::of(&ip.to_string(), &[ip]))
    }
}

/// Checks a webhook URL as entered (when a subscriber is saved or
/// imported): an `http://` or `https://` URL with a host, and not an
/// IP-literal host that is not public nor allow-listed. The check at
/// delivery time (after resolution) remains the real guard.
pub fn check_webhook_url(url: &str, allow: &AllowList) -> Result<(), crate::RecipientError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| crate::RecipientError::Url(format!("{url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(crate::RecipientError::Url(format!(
            "{url:?}: not an http(s) URL with a host"
        )));
    }
    check_literal_host(&parsed, allow).map_err(|_| crate::RecipientError::PrivateAddress)
}

/// How host names are looked up (the system resolver by default; tests may
/// inject their own).
pub type Lookup = Arc<
    dyn Fn(
            String,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send>,
        > + Send
        + Sync,
>;

/// A [`Lookup`] from an async function of the host name.
pub fn lookup_with<F, Fut>(f: F) -> Lookup
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = std::io::Result<Vec<IpAddr>>> + Send + 'static,
{
    Arc::new(move |host: String| Box::pin(f(host)))
}

/// The system resolver (`getaddrinfo` on the blocking pool).
pub fn system_lookup() -> Lookup {
    lookup_with(|host: String| async move {
        Ok(tokio::net::lookup_host((host.as_str(), 0))
            .await?
            .map(|a| a.ip())
            .collect())
    })
}

/// The webhook client's DNS resolver: looks the name up, keeps only the
/// addresses [`AllowList::permits`] (every address of an allow-listed host
/// name), and fails with [`RefusedAddress`] when none is left. The HTTP
/// client connects only to what this returns.
#[derive(Clone)]
pub struct GuardedResolver {
    allow: Arc<AllowList>,
    lookup: Lookup,
}

impl fmt::Debug for GuardedResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedResolver")
            .field("allow", &self.allow)
            .finish_non_exhaustive()
    }
}

impl GuardedResolver {
    /// A resolver over `lookup`, permitting what `allow` permits.
    pub fn new(allow: Arc<AllowList>, lookup: Lookup) -> GuardedResolver {
        GuardedResolver { allow, lookup }
    }

    /// Looks `host` up and keeps the permitted addresses.
    pub async fn vetted(
        &self,
        host: &str,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let found = (self.lookup)(host.to_string()).await?;
        if self.allow.allows_host(host) {
            return Ok(found);
        }
        let (ok, refused): (Vec<IpAddr>, Vec<IpAddr>) =
            found.into_iter().partition(|ip| self.allow.permits(*ip));
        if ok.is_empty() {
            return Err(Box::new(RefusedAddress::of(host, &refused)));
        }
        Ok(ok)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = this.vetted(&host).await?;
            let addrs: reqwest::dns::Addrs =
                Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressClass::*;

    #[test]
    fn classification_table() {
        let table: &[(&str, AddressClass)] = &[
            // IPv4
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("100.63.255.255", Public),
            ("100.64.0.1", SharedCgnat),
            ("100.127.255.254", SharedCgnat),
            ("100.128.0.1", Public),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("169.254.169.254", LinkLocal),
            ("169.254.0.1", LinkLocal),
            ("172.15.255.255", Public),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Public),
            ("192.0.0.8", Reserved),
            ("192.0.2.1", Documentation),
            ("192.88.99.1", Reserved),
            ("192.168.1.1", Private),
            ("192.169.0.1", Public),
            ("198.17.255.255", Public),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("255.255.255.254", Reserved),
            ("255.255.255.255", Broadcast),
            ("1.1.1.1", Public),
            ("114.114.114.114", Public),
            ("223.5.5.5", Public),
            // IPv6
            ("::", Unspecified),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:10.1.2.3", Private),
            ("::ffff:100.64.0.1", SharedCgnat),
            ("::ffff:0.0.0.0", Unspecified),
            ("::ffff:114.114.114.114", Public),
            ("::127.0.0.1", Reserved),
            ("::2", Reserved),
            ("64:ff9b::7f00:1", Loopback),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("64:ff9b::7272:7272", Public),
            ("64:ff9b:1::1", Reserved),
            ("100::1", Reserved),
            ("2001::1", Reserved),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Reserved),
            ("2001:2::1", Benchmarking),
            ("2001:10::1", Reserved),
            ("2001:db8::1", Documentation),
            ("2002:7f00:1::1", Loopback),
            ("2002:c0a8:101::1", Private),
            ("2002:7272:7272::1", Public),
            ("3fff::1", Documentation),
            ("3fff:fff::1", Documentation),
            ("fc00::1", UniqueLocal),
            ("fd12:3456:789a::1", UniqueLocal),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", UniqueLocal),
            ("ff02::1", Multicast),
            ("ff0e::1", Multicast),
            ("2400:3200::1", Public),
            ("2001:4860:4860::8888", Public),
            ("4000::1", Reserved),
            ("1::1", Reserved),
        ];
        for (ip, want) in table {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(classify_ip(parsed), *want, "{ip}");
            assert_eq!(
                AllowList::default().permits(parsed),
                *want == Public,
                "{ip}"
            );
        }
    }

    #[test]
    fn allow_list_entries() {
        let a = AllowList::parse([
            "10.1.2.0/24",
            "10.9.9.9",
            " fd00:1::/64 ",
            "::1",
            "Hooks.Bureau.LOCAL.",
            "127.0.0.1/8",
        ])
        .unwrap();
        for (ip, want) in [
            ("10.1.2.0", true),
            ("10.1.2.255", true),
            ("10.1.3.1", false),
            ("10.9.9.9", true),
            ("10.9.9.8", false),
            ("fd00:1::5", true),
            ("fd00:2::5", false),
            ("::1", true),
            ("::ffff:10.1.2.7", true),
            ("127.200.0.1", true),
            ("169.254.169.254", false),
        ] {
            assert_eq!(a.allows_ip(ip.parse().unwrap()), want, "{ip}");
        }
        assert!(a.allows_host("hooks.bureau.local"));
        assert!(a.allows_host("HOOKS.bureau.local."));
        assert!(!a.allows_host("bureau.local"));
        assert!(!a.allows_host("evil-hooks.bureau.local"));
        // Written back as given (normalised).
        let back: Vec<String> = a.clone().into();
        assert_eq!(
            back,
            [
                "10.1.2.0/24",
                "10.9.9.9",
                "fd00:1::/64",
                "::1",
                "hooks.bureau.local",
                "127.0.0.0/8"
            ]
        );
        for bad in [
            "",
            "10.1.2.0/33",
            "10.1.2",
            "bad host",
            "-x.example",
            "a..b",
            "::1/129",
        ] {
            assert!(AllowList::parse([bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn literal_hosts_and_input_check() {
        let none = AllowList::default();
        let some = AllowList::parse(["10.1.2.0/24"]).unwrap();
        for (url, ok_without, ok_with) in [
            ("https://hooks.example.cn/yingji", true, true),
            ("http://203.0.114.1/x", true, true),
            ("http://127.0.0.1:8080/x", false, false),
            ("http://127.1/x", false, false),
            ("http://2130706433/x", false, false),
            ("http://0x7f.1/x", false, false),
            ("http://0.0.0.0/x", false, false),
            ("http://169.254.169.254/latest/meta-data/", false, false),
            ("http://10.1.2.5/x", false, true),
            ("http://10.1.3.5/x", false, false),
            ("http://100.64.1.1/x", false, false),
            ("http://[::1]/x", false, false),
            ("http://[::ffff:7f00:1]/x", false, false),
            ("http://[::ffff:10.1.2.5]/x", false, true),
            ("http://[fd00::1]/x", false, false),
            ("http://[fe80::1]/x", false, false),
            ("http://[ff02::1]/x", false, false),
            ("http://224.0.0.1/x", false, false),
            // Host names pass here; they are checked when resolved.
            ("http://localhost/x", true, true),
        ] {
            assert_eq!(check_webhook_url(url, &none).is_ok(), ok_without, "{url}");
            assert_eq!(check_webhook_url(url, &some).is_ok(), ok_with, "{url}");
        }
        for bad in [
            "ftp://example.cn/x",
            "file:///etc/passwd",
            "gopher://127.0.0.1/",
            "not a url",
            "http://",
        ] {
            assert!(
                matches!(
                    check_webhook_url(bad, &some),
                    Err(crate::RecipientError::Url(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            check_webhook_url("http://10.0.0.1/", &none),
            Err(crate::RecipientError::PrivateAddress)
        );
    }
}
