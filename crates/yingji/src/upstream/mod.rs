//! Upstream CAP alerts (上级预警信息): alerts published by others — the
//! provincial or national early-warning centre, the meteorological bureau —
//! read from an Atom/RSS feed or a watched directory, validated, stored
//! (valid or not, with their problems), shown on the map, and relayed as a
//! local warning that references the original.
//!
//! This file holds the rules: reading a feed index, summarising an alert,
//! choosing its jurisdiction, the warning a relay proposes. `jobs.rs` fetches
//! and ingests, `store.rs` keeps them, `api.rs` serves them.

pub mod api;
pub mod jobs;
pub mod model;
pub mod sources;
pub mod store;

use std::path::PathBuf;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yingji_cap::china::WarningLevel;
use yingji_cap::{Alert, Info, MsgType};

use crate::error::Refusal;

/// Largest feed index read (bytes).
pub const MAX_FEED_BYTES: usize = 4 * 1024 * 1024;
/// Largest single alert read (bytes); the CAP reader has its own limits too.
pub const MAX_ALERT_BYTES: usize = 2 * 1024 * 1024;
/// Items taken from one feed read (newest first in practice).
pub const MAX_ITEMS: usize = 200;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum UpstreamError {
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    #[error("订阅源不是可读的 Atom/RSS：{0}")]
    Feed(String),
    #[error("{0}")]
    Fetch(String),
}

fn field(f: &str, m: impl Into<String>) -> UpstreamError {
    UpstreamError::Field {
        field: f.into(),
        message: m.into(),
    }
}

/// `[upstream]` in the configuration: where alerts come from.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    pub sources: Vec<SourceConfig>,
}

/// One source: exactly one of `url` (an Atom or RSS index whose entries link
/// to, or embed, CAP messages) and `dir` (a directory of `.xml`/`.cap` files).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// Seconds between reads (default 60).
    #[serde(default = "default_interval")]
    pub interval_s: u64,
}

fn default_interval() -> u64 {
    60
}

impl UpstreamConfig {
    /// Every problem at once, naming the source.
    pub fn check(&self) -> Result<(), UpstreamError> {
        let mut names = std::collections::HashSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            let at = format!("upstream.sources[{i}]");
            if s.name.trim().is_empty() {
                return Err(field(&format!("{at}.name"), "必填"));
            }
            if !names.insert(s.name.as_str()) {
                return Err(field(&format!("{at}.name"), "名称重复"));
            }
            match (&s.url, &s.dir) {
                (Some(u), None) => {
                    let parsed = url::Url::parse(u)
                        .map_err(|e| field(&format!("{at}.url"), e.to_string()))?;
                    if !matches!(parsed.scheme(), "http" | "https") {
                        return Err(field(&format!("{at}.url"), "只支持 http/https"));
                    }
                }
                (None, Some(_)) => {}
                _ => return Err(field(&at, "url 与 dir 须且只须给出一个")),
            }
            if s.interval_s == 0 {
                return Err(field(&format!("{at}.interval_s"), "须大于 0"));
            }
        }
        Ok(())
    }
}

// ── feed index ─────────────────────────────────────────────────────────

/// One entry of a feed: a link to a CAP message or the message itself.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    Link(String),
    Inline(Vec<u8>),
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn feed_error(e: impl std::fmt::Display) -> UpstreamError {
    UpstreamError::Feed(e.to_string())
}

/// The CAP messages an Atom or RSS 2.0 index points to, in document order:
/// per Atom `entry` the link typed `application/cap+xml` (else the
/// `alternate` or only link) or an embedded `alert`; per RSS `item` the CAP
/// `enclosure` (else `link`) or an embedded `alert`. Relative links are
/// resolved against `base`. UTF-8 only; no DTDs, no entities beyond XML's five.
pub fn feed_items(bytes: &[u8], base: Option<&url::Url>) -> Result<Vec<FeedItem>, UpstreamError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(feed_error(format!("超过 {} MB", MAX_FEED_BYTES >> 20)));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| feed_error("须为 UTF-8 编码"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut r = Reader::from_str(text);
    let mut items = Vec::new();
    let mut root = false;
    let mut in_item = false;
    // Per entry/item: the best link so far (rank, href) and an inline alert.
    let mut best: Option<(u8, String)> = None;
    let mut inline: Option<Vec<u8>> = None;
    // Inside an RSS <link>: its text so far.
    let mut link_text: Option<String> = None;
    // Inside an embedded alert: (its start offset, its depth).
    let mut alert_at: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    loop {
        let before = r.buffer_position() as usize;
        let ev = r.read_event().map_err(feed_error)?;
        match ev {
            Event::DocType(_) => return Err(feed_error("不接受 DTD")),
            Event::Start(e) => {
                depth += 1;
                let name = local(e.name().as_ref()).to_string();
                if !root {
                    if !matches!(name.as_str(), "feed" | "rss" | "RDF") {
                        return Err(feed_error(format!("根元素是 <{name}>")));
                    }
                    root = true;
                }
                if alert_at.is_some() {
                    continue;
                }
                match name.as_str() {
                    "entry" | "item" => {
                        in_item = true;
                        best = None;
                        inline = None;
                    }
                    "alert" if in_item => alert_at = Some((before, depth)),
                    "link" if in_item => {
                        consider_link(&e, &name, &mut best);
                        link_text = Some(String::new());
                    }
                    "enclosure" if in_item => consider_link(&e, &name, &mut best),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref()).to_string();
                if !root {
                    return Err(feed_error(format!("根元素是 <{name}>")));
                }
                if in_item && alert_at.is_none() && (name == "link" || name == "enclosure") {
                    consider_link(&e, &name, &mut best);
                }
            }
            Event::Text(t) => {
                if let (Some(buf), None) = (link_text.as_mut(), alert_at) {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let (Some(buf), None) = (link_text.as_mut(), alert_at) {
                    let c = match &*g {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => match g.resolve_char_ref() {
                            Ok(Some(c)) => c,
                            _ => return Err(feed_error(format!("未知实体 &{other};"))),
                        },
                    };
                    buf.push(c);
                }
            }
            Event::End(e) => {
                let name = local(e.name().as_ref()).to_string();
                if let Some((start, d)) = alert_at {
                    if d == depth && name == "alert" {
                        let end = r.buffer_position() as usize;
                        inline = Some(text.as_bytes()[start..end].to_vec());
                        alert_at = None;
                    }
                } else if name == "link" {
                    if let Some(href) = link_text.take().map(|h| h.trim().to_string()) {
                        if !href.is_empty() && best.as_ref().is_none_or(|(rank, _)| *rank > 3) {
                            best = Some((3, href));
                        }
                    }
                } else if (name == "entry" || name == "item") && in_item {
                    in_item = false;
                    if let Some(x) = inline.take() {
                        items.push(FeedItem::Inline(x));
                    } else if let Some((_, href)) = best.take() {
                        items.push(FeedItem::Link(resolve(&href, base)?));
                    }
                    if items.len() >= MAX_ITEMS {
                        break;
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root {
        return Err(feed_error("空文档"));
    }
    Ok(items)
}

/// Rank a link: 0 typed CAP, 1 enclosure, 2 alternate/untyped, 4 other rels
/// (an RSS link's text ranks 3).
fn consider_link(
    e: &quick_xml::events::BytesStart<'_>,
    name: &str,
    best: &mut Option<(u8, String)>,
) {
    let href = if name == "enclosure" {
        attr(e, "url")
    } else {
        attr(e, "href")
    };
    let Some(href) = href.filter(|h| !h.trim().is_empty()) else {
        return;
    };
    let ty = attr(e, "type").unwrap_or_default();
    let rel = attr(e, "rel").unwrap_or_else(|| "alternate".into());
    let rank = if ty.contains("cap") {
        0
    } else if name == "enclosure" {
        1
    } else if rel == "alternate" {
        2
    } else {
        4
    };
    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
        *best = Some((rank, href.trim().to_string()));
    }
}

fn resolve(href: &str, base: Option<&url::Url>) -> Result<String, UpstreamError> {
    let u = match base {
        Some(b) => b.join(href),
        None => url::Url::parse(href),
    }
    .map_err(|e| UpstreamError::Feed(format!("链接 {href:?}：{e}")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(UpstreamError::Feed(format!(
            "链接 {href:?} 不是 http/https"
        )));
    }
    Ok(u.to_string())
}

// ── alerts ─────────────────────────────────────────────────────────────

/// What the platform keeps of an upstream alert besides its XML.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = UpstreamSummary)]
pub struct Summary {
    pub identifier: String,
    pub sender: String,
    /// As written (RFC 3339 with offset).
    pub sent: String,
    pub status: String,
    pub msg_type: String,
    pub event: String,
    pub severity: String,
    pub urgency: String,
    /// 红/橙/黄/蓝 from the severity, when it maps.
    pub level: Option<String>,
    pub headline: String,
    pub sender_name: String,
    pub area_desc: String,
    pub onset: Option<String>,
    pub expires: Option<String>,
    /// `[[lon, lat], …]` rings.
    pub polygons: Vec<Vec<[f64; 2]>>,
    /// `{lon, lat, radius_m}`.
    #[schema(value_type = Vec<Object>)]
    pub circles: Vec<Value>,
    /// Every geocode value.
    pub geocodes: Vec<String>,
    /// `sender,identifier,sent` triples this alert refers to.
    pub references: Vec<String>,
}

/// The info block to show: Chinese first, then the first.
pub fn main_info(alert: &Alert) -> Option<&Info> {
    alert
        .infos
        .iter()
        .find(|i| {
            i.language
                .as_deref()
                .is_some_and(|l| l.to_ascii_lowercase().starts_with("zh"))
        })
        .or(alert.infos.first())
}

pub fn summarize(alert: &Alert) -> Summary {
    let info = main_info(alert);
    let mut s = Summary {
        identifier: alert.identifier.clone(),
        sender: alert.sender.clone(),
        sent: alert.sent.to_string(),
        status: alert.status.to_string(),
        msg_type: alert.msg_type.to_string(),
        event: String::new(),
        severity: String::new(),
        urgency: String::new(),
        level: None,
        headline: String::new(),
        sender_name: String::new(),
        area_desc: String::new(),
        onset: None,
        expires: None,
        polygons: Vec::new(),
        circles: Vec::new(),
        geocodes: Vec::new(),
        references: alert
            .references
            .iter()
            .map(|r| format!("{},{},{}", r.sender, r.identifier, r.sent))
            .collect(),
    };
    if let Some(i) = info {
        s.event = i.event.clone();
        s.severity = i.severity.to_string();
        s.urgency = i.urgency.to_string();
        s.level = WarningLevel::from_severity(i.severity).map(|l| level_key(l).to_string());
        s.headline = i.headline.clone().unwrap_or_default();
        s.sender_name = i.sender_name.clone().unwrap_or_default();
        s.onset = i.onset.map(|d| d.to_string());
        s.expires = i.expires.map(|d| d.to_string());
        let mut descs = Vec::new();
        for a in &i.areas {
            descs.push(a.area_desc.clone());
            for p in &a.polygons {
                s.polygons
                    .push(p.points.iter().map(|pt| [pt.lon, pt.lat]).collect());
            }
            for c in &a.circles {
                s.circles.push(json!({ "lon": c.center.lon, "lat": c.center.lat, "radius_m": c.radius_km * 1000.0 }));
            }
            for g in &a.geocodes {
                s.geocodes.push(g.value.clone());
            }
        }
        s.area_desc = descs.join("；");
    }
    s
}

pub fn level_key(l: WarningLevel) -> &'static str {
    match l {
        WarningLevel::Blue => "blue",
        WarningLevel::Yellow => "yellow",
        WarningLevel::Orange => "orange",
        WarningLevel::Red => "red",
    }
}

/// The deepest division (as a code prefix) that holds every geocode of the
/// alert that names one of ours; `None` when none does (the alert then
/// belongs to the whole platform). `known(prefix)` says whether a division
/// code prefix (6, 9 or 12 digits trimmed of trailing zero groups) exists.
pub fn jurisdiction_of(geocodes: &[String], known: impl Fn(&str) -> bool) -> Option<String> {
    let mut ours: Vec<String> = geocodes
        .iter()
        .filter(|g| g.len() >= 6 && g.len() <= 12 && g.bytes().all(|b| b.is_ascii_digit()))
        .map(|g| prefix_of(g))
        .filter(|p| known(p))
        .collect();
    ours.sort();
    ours.dedup();
    let first = ours.first()?.clone();
    let mut common = first.len();
    for o in &ours[1..] {
        common = common.min(
            first
                .bytes()
                .zip(o.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Cut back to a whole division level: province 2, city 4, county 6, township 9, village 12.
    let cut = [12, 9, 6, 4, 2].into_iter().find(|&n| n <= common)?;
    Some(first[..cut].to_string())
}

/// `140213000000` → `140213`, `140213100000` → `140213100`.
fn prefix_of(code: &str) -> String {
    let padded = format!("{code:0<12}");
    for n in [2, 4, 6, 9] {
        if padded[n..].bytes().all(|b| b == b'0') {
            return padded[..n].to_string();
        }
    }
    padded
}

/// The hazard template of a relay, guessed from the event text. Every
/// meteorological warning signal of 《气象灾害预警信号发布与传播办法》
/// (中国气象局令第16号, 附件: 台风、暴雨、暴雪、寒潮、大风、沙尘暴、高温、
/// 干旱、雷电、冰雹、霜冻、大雾、霾、道路结冰) has its template; the more
/// specific names are tried first (道路结冰 before 冰雹, 暴雪 before 雪,
/// 雷雨大风 is 大风, 雷电 alone is 雷电).
pub fn hazard_of(event: &str) -> Option<&'static str> {
    let e = event.to_lowercase();
    let has = |keys: &[&str]| keys.iter().any(|k| e.contains(k));
    if has(&["道路结冰", "road ic", "icy road"]) {
        Some("road_icing")
    } else if has(&["冰雹", "hail"]) {
        Some("hail")
    } else if has(&["暴雪", "雪灾", "snow", "blizzard"]) {
        Some("snowstorm")
    } else if has(&["暴雨", "大雨", "rain", "flood", "洪水"]) {
        Some("rainstorm")
    } else if has(&["台风", "typhoon"]) {
        Some("typhoon")
    } else if has(&["大风", "wind", "gale"]) {
        Some("gale")
    } else if has(&["雷电", "雷暴", "lightning", "thunder"]) {
        Some("lightning")
    } else if has(&["沙尘", "sand", "dust"]) {
        Some("sandstorm")
    } else if has(&["森林", "火险", "fire"]) {
        Some("forest_fire")
    } else if has(&["地质", "滑坡", "泥石流", "landslide", "debris"]) {
        Some("geohazard")
    } else if has(&["霜冻", "frost"]) {
        Some("frost")
    } else if has(&["寒潮", "低温", "cold", "freez"]) {
        Some("cold_wave")
    } else if has(&["高温", "heat", "high temperature"]) {
        Some("heat")
    } else if has(&["干旱", "drought"]) {
        Some("drought")
    } else if has(&["大雾", "fog"]) {
        Some("fog")
    } else if has(&["霾", "haze", "smog"]) {
        Some("haze")
    } else if has(&["地震", "earthquake", "seismic", "tsunami"]) {
        Some("earthquake")
    } else {
        None
    }
}

/// Whether the alert is an update/cancel and which references it carries.
pub fn replaces(alert: &Alert) -> Option<(MsgType, Vec<(String, String)>)> {
    matches!(alert.msg_type, MsgType::Update | MsgType::Cancel).then(|| {
        (
            alert.msg_type,
            alert
                .references
                .iter()
                .map(|r| (r.sender.clone(), r.identifier.clone()))
                .collect(),
        )
    })
}

/// Why an upstream alert cannot be relayed as a local draft at `now`, if
/// it cannot: only an alert still in force (active, not expired) is. The
/// relay handler refuses with it, and the views offer `relay` without it.
pub fn relay_refusal(a: &model::UpstreamAlert, now: time::OffsetDateTime) -> Option<Refusal> {
    if a.state != model::UpstreamState::Active {
        return Some(
            Refusal::new(
                "upstream_not_active",
                format!("上游预警状态为“{}”，不能转发", a.state),
            )
            .param("state", a.state.to_string()),
        );
    }
    if a.expires_at.is_some_and(|e| e.0 <= now) {
        return Some(Refusal::new("upstream_expired", "上游预警已过期，不能转发"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_links_prefer_the_cap_typed_one_and_resolve_relative_hrefs() {
        let atom = br#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>t</title>
  <entry><id>1</id><link rel="alternate" type="text/html" href="/page/1"/>
    <link rel="alternate" type="application/cap+xml" href="cap/1.xml"/></entry>
  <entry><id>2</id><link href="https://other.example/2.cap"/></entry>
  <entry><id>3</id><title>no link</title></entry>
</feed>"#;
        let base = url::Url::parse("http://127.0.0.1:9/feeds/index.atom").unwrap();
        assert_eq!(
            feed_items(atom, Some(&base)).unwrap(),
            vec![
                FeedItem::Link("http://127.0.0.1:9/feeds/cap/1.xml".into()),
                FeedItem::Link("https://other.example/2.cap".into()),
            ]
        );
    }

    #[test]
    fn rss_items_take_the_enclosure_or_the_link_and_inline_alerts_are_cut_out() {
        let rss = br#"<rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>http://x.example/a.html</link><enclosure url="http://x.example/a.xml" type="application/xml" length="1"/></item>
<item><title>b</title><link>http://x.example/b.xml</link></item>
<item><title>c</title><description>see</description><content><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>c</identifier></alert></content></item>
</channel></rss>"#;
        let items = feed_items(rss, None).unwrap();
        assert_eq!(items[0], FeedItem::Link("http://x.example/a.xml".into()));
        assert_eq!(items[1], FeedItem::Link("http://x.example/b.xml".into()));
        match &items[2] {
            FeedItem::Inline(x) => {
                let s = String::from_utf8_lossy(x);
                assert!(s.starts_with("<alert") && s.ends_with("</alert>"), "{s}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hostile_or_foreign_feeds_are_refused() {
        for (doc, why) in [
            (&br#"<!DOCTYPE x [<!ENTITY a "b">]><feed/>"#[..], "DTD"),
            (&b"<html><body/></html>"[..], "根元素"),
            (&b""[..], "空"),
            (
                &b"<feed><entry><link href=\"file:///etc/passwd\"/></entry></feed>"[..],
                "http",
            ),
        ] {
            let e = feed_items(doc, None).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn jurisdiction_is_the_deepest_division_holding_every_known_geocode() {
        let known = |p: &str| p.starts_with("1402");
        let t = |codes: &[&str]| {
            jurisdiction_of(
                &codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                known,
            )
        };
        assert_eq!(t(&["140213000000"]), Some("140213".into()));
        assert_eq!(t(&["140213000000", "140215000000"]), Some("1402".into()));
        assert_eq!(t(&["140213100000", "140213101000"]), Some("140213".into()));
        assert_eq!(t(&["140213100000"]), Some("140213100".into()));
        assert_eq!(t(&["110101000000", "CA-ON"]), None, "not ours");
        assert_eq!(t(&[]), None);
        assert_eq!(
            t(&["140213000000", "110101000000"]),
            Some("140213".into()),
            "foreign codes ignored"
        );
    }

    #[test]
    fn hazards_from_event_texts() {
        for (event, want) in [
            ("暴雨橙色预警", Some("rainstorm")),
            ("Severe Thunderstorm / Flood Warning", Some("rainstorm")),
            ("大风蓝色预警", Some("gale")),
            ("森林火险气象等级", Some("forest_fire")),
            ("地质灾害气象风险预警", Some("geohazard")),
            ("寒潮黄色预警", Some("cold_wave")),
            ("地震速报", Some("earthquake")),
            ("Tsunami Warning", Some("earthquake")),
            ("Air quality", None),
            // Every signal of 中国气象局令第16号 (附件), by its Chinese name.
            ("台风蓝色预警信号", Some("typhoon")),
            ("暴雪黄色预警信号", Some("snowstorm")),
            ("沙尘暴黄色预警信号", Some("sandstorm")),
            ("高温橙色预警信号", Some("heat")),
            ("干旱红色预警信号", Some("drought")),
            ("雷电黄色预警信号", Some("lightning")),
            ("雷雨大风黄色预警信号", Some("gale")),
            ("冰雹橙色预警信号", Some("hail")),
            ("霜冻蓝色预警信号", Some("frost")),
            ("大雾黄色预警信号", Some("fog")),
            ("霾橙色预警信号", Some("haze")),
            ("道路结冰红色预警信号", Some("road_icing")),
            ("Blizzard Warning", Some("snowstorm")),
            ("Dense Fog Advisory", Some("fog")),
            ("Excessive Heat Warning", Some("heat")),
        ] {
            assert_eq!(hazard_of(event), want, "{event}");
            // Every hazard a relay proposes has its template.
            if let Some(h) = want {
                assert!(crate::warnings::template(h).is_some(), "{h}");
            }
        }
    }

    #[test]
    fn config_names_the_bad_source() {
        let c = |t: &str| {
            toml::from_str::<UpstreamConfig>(t)
                .unwrap()
                .check()
                .unwrap_err()
                .to_string()
        };
        assert!(c("[[sources]]\nname = \"a\"\n").contains("upstream.sources[0]"));
        assert!(c("[[sources]]\nname = \"a\"\nurl = \"ftp://x\"\n").contains("http"));
        assert!(c(
            "[[sources]]\nname = \"a\"\ndir = \"/x\"\n[[sources]]\nname = \"a\"\ndir = \"/y\"\n"
        )
        .contains("重复"));
        assert!(
            c("[[sources]]\nname = \"a\"\ndir = \"/x\"\ninterval_s = 0\n").contains("interval_s")
        );
        let ok: UpstreamConfig = toml::from_str(
            "[[sources]]\nname = \"省预警中心\"\nurl = \"http://127.0.0.1/a.atom\"\n",
        )
        .unwrap();
        assert!(ok.check().is_ok());
        assert_eq!(ok.sources[0].interval_s, 60);
    }
}
