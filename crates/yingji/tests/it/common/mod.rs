//! Test harness: a real server on a random port, on SQLite and (when
//! `YINGJI_TEST_DATABASE_URL` is set) on PostgreSQL, with the Datong
//! divisions and one user per role.
#![allow(dead_code)]

use std::net::SocketAddr;

use reqwest::{Client, Response};
use serde_json::{json, Value};
use yingji::auth::{self, Role};
use yingji::divisions::Code;
use yingji::{AppState, Config};

pub const PASSWORD: &str = "Test@2025x";

pub struct TestApp {
    pub state: AppState,
    pub addr: SocketAddr,
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

/// The users every app has: (username, role, division, org)
pub const USERS: &[(&str, Role, &str)] = &[
    ("admin", Role::Admin, "140200"),
    ("commander", Role::Commander, "140200"),
    ("pingcheng", Role::Operator, "140213"),
    ("yunzhou", Role::Operator, "140215"),
    ("xinrong", Role::Reporter, "140212100"),
    ("observer", Role::Observer, "140200"),
];

pub async fn fresh_pg_url(base: &str) -> String {
    use rand::Rng;
    sqlx::any::install_default_drivers();
    let schema = format!("t_{:016x}", rand::rng().random::<u64>());
    let admin = sqlx::AnyPool::connect(base).await.expect("pg connect");
    sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("schema");
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// The database of each backend under test: SQLite (`None`), and a fresh
/// PostgreSQL schema when `YINGJI_TEST_DATABASE_URL` is set.
pub async fn backends() -> Vec<Option<String>> {
    let mut out = vec![None];
    if let Ok(base) = std::env::var("YINGJI_TEST_DATABASE_URL") {
        out.push(Some(fresh_pg_url(&base).await));
    }
    out
}

/// One app per backend under test.
pub async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for b in backends().await {
        out.push(TestApp::start(b).await);
    }
    out
}

/// The Datong divisions and one user per role ([`USERS`]).
pub async fn seed(state: &AppState) {
    yingji::demo::load_divisions(state, "test")
        .await
        .expect("divisions");
    let hash = auth::hash_password(PASSWORD).unwrap();
    let mut tx = state.db.begin().await.unwrap();
    for (u, role, div) in USERS {
        auth::store::create(
            &mut tx,
            auth::store::NewUser {
                username: u,
                display_name: u,
                position: "",
                password_hash: &hash,
                role: *role,
                division: &Code::parse(div).unwrap(),
                org: "",
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    }
    tx.commit_unjournaled().await.unwrap();
}

impl TestApp {
    pub async fn start(database_url: Option<String>) -> TestApp {
        Self::start_with(database_url, |_| {}).await
    }

    /// Start with a configuration adjusted by `f`.
    pub async fn start_with(database_url: Option<String>, f: impl FnOnce(&mut Config)) -> TestApp {
        let app = Self::open(database_url, f).await;
        seed(&app.state).await;
        app.serve().await
    }

    /// Another node on the same database (already seeded by a first app):
    /// its own state, tasks and port.
    pub async fn join(database_url: String, f: impl FnOnce(&mut Config)) -> TestApp {
        Self::open(Some(database_url), f).await.serve().await
    }

    async fn open(database_url: Option<String>, f: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = if database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url,
            ..Config::default()
        };
        f(&mut config);
        let state = yingji::open(config).await.expect("open");
        TestApp {
            state,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            backend,
            _dir: dir,
        }
    }

    async fn serve(mut self) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        self.addr = listener.local_addr().unwrap();
        let s2 = self.state.clone();
        tokio::spawn(async move {
            let _ = yingji::server::serve(s2, listener).await;
        });
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client logged in as `username`.
    pub async fn login(&self, username: &str) -> User {
        let client = Client::builder().cookie_store(true).build().unwrap();
        let r = client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}: login {username}", self.backend);
        User {
            client,
            base: self.url(""),
            name: username.to_string(),
        }
    }

    /// Add an enterprise user bound to `org`.
    pub async fn add_user(&self, username: &str, role: Role, division: &str, org: &str) {
        let hash = auth::hash_password(PASSWORD).unwrap();
        let mut tx = self.state.db.begin().await.unwrap();
        auth::store::create(
            &mut tx,
            auth::store::NewUser {
                username,
                display_name: username,
                position: "",
                password_hash: &hash,
                role,
                division: &Code::parse(division).unwrap(),
                org,
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        tx.commit_unjournaled().await.unwrap();
    }

    /// A point inside a division's boundary (WGS84).
    pub fn point_in(&self, division: &str) -> (f64, f64) {
        let tree = self.state.tree();
        let (_, mp) = tree
            .boundary_for(&Code::parse(division).unwrap())
            .expect("boundary");
        yingji_geo::interior_point(&mp).expect("interior point")
    }
}

pub struct User {
    pub client: Client,
    pub base: String,
    pub name: String,
}

impl User {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap()
    }
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .header("x-requested-with", "yingji")
            .json(body)
            .send()
            .await
            .unwrap()
    }
    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(format!("{}{}", self.base, path))
            .header("x-requested-with", "yingji")
            .json(body)
            .send()
            .await
            .unwrap()
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(format!("{}{}", self.base, path))
            .header("x-requested-with", "yingji")
            .send()
            .await
            .unwrap()
    }
    pub async fn upload(&self, path: &str, file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.client
            .post(format!("{}{}", self.base, path))
            .header("x-requested-with", "yingji")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

/// Valid kind-specific attributes for every registry kind.
pub fn sample_attrs(kind: &str) -> Value {
    match kind {
        "team" => json!({ "team_kind": "fire", "headcount": 30 }),
        "expert" => json!({ "field": "geology", "title": "高级工程师" }),
        "equipment" => json!({ "equipment_type": "pump", "quantity": 2 }),
        "warehouse" => json!({ "level": "county", "capacity_m3": 100.0 }),
        "shelter" => json!({ "shelter_class": "III", "duration_days": 3, "area_m2": 3000.0 }),
        "enterprise" => json!({ "uscc": "91350100M000100Y43", "industry": "hazmat" }),
        "hazard_source" => json!({ "hazard_class": "storage_tank", "level": "3" }),
        "monitoring_point" => json!({ "monitor_type": "rain_gauge" }),
        "settlement" => json!({ "settlement_type": "village", "population": 860 }),
        "subscriber" => json!({ "subscriber_type": "person", "email": "li@example.cn" }),
        _ => panic!("unknown kind {kind}"),
    }
}

pub const KINDS: [&str; 10] = [
    "team",
    "expert",
    "equipment",
    "warehouse",
    "shelter",
    "enterprise",
    "hazard_source",
    "monitoring_point",
    "settlement",
    "subscriber",
];

/// A full create body for a kind in a division.
pub fn body(app: &TestApp, kind: &str, name: &str, division: &str) -> Value {
    let (lon, lat) = app.point_in(division);
    json!({ "name": name, "division": division, "lon": lon, "lat": lat, "phone": "0352-1234567", "attrs": sample_attrs(kind) })
}

/// `s` percent-encoded for a query string (Chinese words in `?q=`).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Status and body of an answer (the body as JSON, or as a JSON string when
/// it is not JSON).
pub async fn send(r: reqwest::Response) -> (u16, Value) {
    let st = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `field:code` of each of a problem's errors (the code is what the UI
/// translates).
pub fn codes(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e["field"].as_str().unwrap_or(""),
                        e["code"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The fields named by a problem's errors.
pub fn fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A `yingji serve` child process on a free port of 127.0.0.1, configured
/// by `config` (TOML text after the `listen` line this adds), logging to a
/// file in `dir` at `log_filter` (`YINGJI_LOG`); SIGKILLed when dropped.
pub struct ServeChild {
    pub addr: SocketAddr,
    pub child: std::process::Child,
    pub log: std::path::PathBuf,
}

impl ServeChild {
    pub fn start(dir: &std::path::Path, name: &str, config: &str, log_filter: &str) -> ServeChild {
        use std::process::{Command, Stdio};
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let path = dir.join(format!("{name}-{port}.toml"));
        std::fs::write(&path, format!("listen = \"{addr}\"\n{config}")).unwrap();
        let log = dir.join(format!("{name}-{port}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_yingji"))
            .arg("--config")
            .arg(&path)
            .arg("serve")
            .env("YINGJI_LOG", log_filter)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start yingji serve");
        ServeChild { addr, child, log }
    }

    /// Wait until it answers /healthz (up to a minute: a debug build on a
    /// busy machine).
    pub async fn ready(&self) {
        let c = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = c.get(format!("http://{}/healthz", self.addr)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("yingji serve did not come up:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn kill(&mut self) {
        // SIGKILL on Unix: no shutdown, nothing flushed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        self.kill();
    }
}
