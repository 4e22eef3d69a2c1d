//! One typed configuration: defaults, then a TOML file, then `YINGJI_*`
//! environment variables, then command-line flags (later wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Data directory (the SQLite file lives here unless `database_url` is set).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// Mark the session cookie `Secure`. Unset: `Secure` unless the server
    /// listens on a loopback address (plain HTTP on this machine only, as
    /// the demo does); behind a TLS proxy on loopback set it to `true`.
    pub secure_cookies: Option<bool>,
    /// Largest accepted upload in MB.
    pub max_upload_mb: usize,
    /// Largest accepted registry import file in MB (the import endpoints
    /// only: a million subscribers are about 80 MB of CSV).
    pub max_import_mb: usize,
    /// Exports (`…/export`) one user may make per hour; more answer 429.
    pub exports_per_hour: u32,
    /// Attachments one user may have stored, in MB; more answer 413.
    pub attachment_quota_mb: usize,
    /// Limits on XLSX files read by any import (rows, columns, inflated
    /// size, compression ratio).
    pub xlsx: crate::sheet::XlsxLimits,
    pub map: MapConfig,
    /// Reporting time limits (defaults: the national rules).
    pub reports: crate::reports::deadlines::Limits,
    /// Road graph built by `yingji route build`; none: routing answers "no graph".
    pub routing_graph: Option<PathBuf>,
    /// Travel-time estimate used by dispatch without a road graph (and for
    /// the points no road is near).
    pub dispatch: crate::dispatch::Estimate,
    /// Snapping to the road graph: search radius and off-road speed
    /// (`max_snap_m`, default 1000; `off_road_kmh`, default 15).
    pub snapping: yingji_routing::SnapConfig,
    /// Warning delivery channels.
    pub warnings: crate::warnings::WarningsConfig,
    /// Upstream CAP sources (feeds, watched directories).
    pub upstream: crate::upstream::UpstreamConfig,
    /// Login and API-token settings.
    pub auth: crate::auth::throttle::AuthConfig,
    /// Journal anchoring: signed heads published outside the database.
    pub anchors: AnchorConfig,
    /// Several nodes on one PostgreSQL: node id, heartbeat.
    pub cluster: crate::cluster::ClusterConfig,
    /// Sensor readings: MQTT broker (none: HTTP only), time window,
    /// escalation, retention.
    pub monitoring: crate::monitoring::MonitoringConfig,
    /// Relief supplies: drafter and approver of a ledger document kept
    /// apart (`separate_approver`, default true).
    pub supplies: crate::supplies::SuppliesConfig,
    /// Shelters in operation: the least effective area per person
    /// (`min_area_per_person_m2`, default 1.5 m², GB 21734-2008 §5.4).
    pub shelters: crate::shelters::SheltersConfig,
    /// Intake: how near and how recent an open incident must be to be
    /// offered as the same event (`duplicate_radius_m`, default 2000;
    /// `duplicate_window_minutes`, default 120).
    pub incidents: crate::incidents::duplicates::DuplicateRule,
}

/// Where and how often the journal head is published (`journal::anchor`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorConfig {
    /// Directory of the signed anchor files; default `<data_dir>/anchors`.
    /// Production: a write-once mount or another host's share.
    pub dir: Option<PathBuf>,
    /// Ed25519 signing key (PKCS#8 PEM), created with mode 0600 at first
    /// start if missing; default `<data_dir>/anchor-key.pem`. Keep it off
    /// the database host's backups and out of the DBA's reach.
    pub key_file: Option<PathBuf>,
    /// Seconds between publications (only when the head moved); 0: never
    /// (not even at shutdown).
    pub interval_secs: u64,
    /// Name of this node in the anchors; default the host name.
    pub node: Option<String>,
}

impl Default for AnchorConfig {
    fn default() -> Self {
        AnchorConfig {
            dir: None,
            key_file: None,
            interval_secs: 60,
            node: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MapConfig {
    /// XYZ tile URL template (e.g. 天地图); none: boundaries only (offline).
    pub tile_url: Option<String>,
    pub tile_attribution: Option<String>,
    pub center: [f64; 2],
    pub zoom: u8,
    /// The road graph has main roads only (the demo's coarse network): the
    /// UI says so next to maps with routes and isochrones.
    pub roads_main_only: bool,
    /// Attribution of the road data, shown next to those maps (ODbL data:
    /// "© OpenStreetMap contributors").
    pub roads_attribution: Option<String>,
}

impl Default for MapConfig {
    fn default() -> Self {
        MapConfig {
            tile_url: None,
            tile_attribution: None,
            center: [113.30, 40.08],
            zoom: 8,
            roads_main_only: false,
            roads_attribution: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data-dir"),
            database_url: None,
            session_hours: 12,
            secure_cookies: None,
            max_upload_mb: 20,
            max_import_mb: 200,
            exports_per_hour: 60,
            attachment_quota_mb: 1024,
            xlsx: Default::default(),
            map: MapConfig::default(),
            reports: Default::default(),
            routing_graph: None,
            dispatch: Default::default(),
            snapping: Default::default(),
            warnings: Default::default(),
            upstream: Default::default(),
            auth: Default::default(),
            anchors: Default::default(),
            cluster: Default::default(),
            monitoring: Default::default(),
            incidents: Default::default(),
            supplies: Default::default(),
            shelters: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

impl Config {
    /// Load: defaults ← file (if given) ← environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut c = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                Self::from_toml(&text).map_err(|message| ConfigError::Parse {
                    path: p.display().to_string(),
                    message,
                })?
            }
            None => Config::default(),
        };
        c.apply_env(|k| std::env::var(k).ok())?;
        Ok(c)
    }

    pub fn from_toml(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: String| ConfigError::Env {
            name: name.into(),
            message,
        };
        if let Some(v) = get("YINGJI_LISTEN") {
            self.listen = v
                .parse()
                .map_err(|e| bad("YINGJI_LISTEN", format!("{e}")))?;
        }
        if let Some(v) = get("YINGJI_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = get("YINGJI_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = get("YINGJI_NODE_ID") {
            self.cluster.node_id = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("YINGJI_SECURE_COOKIES") {
            self.secure_cookies = Some(matches!(v.as_str(), "1" | "true" | "yes"));
        }
        if let Some(v) = get("YINGJI_TILE_URL") {
            self.map.tile_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("YINGJI_ROUTING_GRAPH") {
            self.routing_graph = (!v.is_empty()).then(|| v.into());
        }
        if let Some(v) = get("YINGJI_MAX_IMPORT_MB") {
            self.max_import_mb = v
                .parse()
                .map_err(|e| bad("YINGJI_MAX_IMPORT_MB", format!("{e}")))?;
        }
        if let Some(v) = get("YINGJI_TRUSTED_PROXIES") {
            self.auth.trusted_proxies = v
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(crate::auth::throttle::Cidr::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| bad("YINGJI_TRUSTED_PROXIES", e))?;
        }
        if let Some(v) = get("YINGJI_SESSION_HOURS") {
            self.session_hours = v
                .parse()
                .map_err(|e| bad("YINGJI_SESSION_HOURS", format!("{e}")))?;
        }
        if let Some(v) = get("YINGJI_MQTT_URL") {
            self.monitoring.mqtt_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("YINGJI_ANCHOR_DIR") {
            self.anchors.dir = (!v.is_empty()).then(|| v.into());
        }
        if let Some(v) = get("YINGJI_ANCHOR_KEY") {
            self.anchors.key_file = (!v.is_empty()).then(|| v.into());
        }
        Ok(())
    }

    /// Whether the session cookie carries `Secure` (see `secure_cookies`).
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies
            .unwrap_or(!self.listen.ip().is_loopback())
    }

    /// The anchor directory in effect.
    pub fn anchor_dir(&self) -> PathBuf {
        self.anchors
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("anchors"))
    }

    /// The anchor signing key file in effect.
    pub fn anchor_key_file(&self) -> PathBuf {
        self.anchors
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("anchor-key.pem"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("yingji.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_in_the_operations_guide_parses() {
        let guide = include_str!("../../../docs/operations.md");
        let blocks: Vec<&str> = guide
            .split("```toml")
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .collect();
        assert!(blocks.len() >= 2, "the guide's TOML examples");
        for b in blocks {
            let c = Config::from_toml(b).unwrap_or_else(|e| panic!("{e}\n{b}"));
            c.dispatch.check().unwrap();
            c.upstream.check().unwrap();
        }
    }

    #[test]
    fn webhook_allow_list_entries_are_checked_when_read() {
        let c = Config::from_toml(
            "[warnings.channels.webhook]\nallow = [\"10.1.2.0/24\", \"hooks.bureau.local\"]\n",
        )
        .unwrap();
        let allow = &c.warnings.channels.webhook.allow;
        assert!(allow.allows_ip("10.1.2.7".parse().unwrap()));
        assert!(!allow.allows_ip("10.1.3.7".parse().unwrap()));
        assert!(allow.allows_host("hooks.bureau.local"));
        assert!(Config::default()
            .warnings
            .channels
            .webhook
            .allow
            .entries()
            .is_empty());
        let e = Config::from_toml("[warnings.channels.webhook]\nallow = [\"10.1.2.0/40\"]\n")
            .unwrap_err();
        assert!(e.contains("10.1.2.0/40"), "{e}");
    }

    #[test]
    fn file_then_env_override_defaults() {
        let mut c = Config::from_toml(
            "listen = \"0.0.0.0:9000\"\n[map]\ntile_url = \"https://t0.tianditu.gov.cn/{z}/{x}/{y}\"\ncenter = [113.0, 40.0]\nzoom = 9\n",
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.map.zoom, 9);
        assert_eq!(c.session_hours, 12);
        c.apply_env(|k| (k == "YINGJI_LISTEN").then(|| "127.0.0.1:7000".to_string()))
            .unwrap();
        assert_eq!(c.listen.port(), 7000);
        assert!(c.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn anchor_paths_default_to_the_data_dir_and_follow_env() {
        let mut c = Config::from_toml("data_dir = \"/srv/y\"\n").unwrap();
        assert_eq!(c.anchor_dir(), PathBuf::from("/srv/y/anchors"));
        assert_eq!(c.anchor_key_file(), PathBuf::from("/srv/y/anchor-key.pem"));
        assert_eq!(c.anchors.interval_secs, 60);
        c.apply_env(|k| match k {
            "YINGJI_ANCHOR_DIR" => Some("/mnt/worm".into()),
            "YINGJI_ANCHOR_KEY" => Some("/etc/yingji/k.pem".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.anchor_dir(), PathBuf::from("/mnt/worm"));
        assert_eq!(c.anchor_key_file(), PathBuf::from("/etc/yingji/k.pem"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = Config::from_toml("lisen = \"x\"").unwrap_err();
        assert!(e.contains("lisen"), "{e}");
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "YINGJI_LISTEN").then(|| "nope".to_string()))
            .unwrap_err();
        assert!(e.to_string().contains("YINGJI_LISTEN"));
    }
}
