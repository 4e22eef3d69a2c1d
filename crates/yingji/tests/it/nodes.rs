//! Several nodes on one PostgreSQL (a province behind a load balancer).
//!
//! PostgreSQL only: these tests run when `YINGJI_TEST_DATABASE_URL` is set
//! (CI always sets it) and say why they did nothing otherwise. SQLite is one
//! node by construction.
//!
//! `three_real_nodes_one_killed_mid_work` runs three `yingji serve` child
//! processes on one fresh schema, spreads writes over them, watches the live
//! feed on one node for a write made on another, uses one login on all
//! three, then SIGKILLs the node holding the delivery leases while it is
//! sending and checks that the others carry on: every acknowledged write is
//! there, the deliveries are taken over within seconds (not the 120 s lease),
//! the deadline monitor runs on exactly one node, and the journal chain holds.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::{json, Value};
use sqlx::Row;

fn pg_base() -> Option<String> {
    let base = std::env::var("YINGJI_TEST_DATABASE_URL").ok();
    if base.is_none() {
        eprintln!("YINGJI_TEST_DATABASE_URL is not set: the several-nodes tests need PostgreSQL (CI sets it); nothing run");
    }
    base
}

/// A `yingji serve` child process; killed (SIGKILL) when dropped.
struct Node {
    name: &'static str,
    addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start(name: &'static str, url: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let config = format!(
            "listen = \"{addr}\"\ndata_dir = {data:?}\ndatabase_url = {url:?}\n\n[warnings]\nworker_interval_ms = 200\n\n[warnings.channels.webhook]\nallow = [\"127.0.0.1\"]\n\n[cluster]\nnode_id = \"{name}\"\nheartbeat_ms = 500\nnode_timeout_ms = 3000\n",
            data = dir.path().display().to_string(),
        );
        let path = dir.path().join("yingji.toml");
        std::fs::write(&path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_yingji"))
            .arg("--config")
            .arg(&path)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start yingji serve");
        Node {
            name,
            addr,
            child,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    async fn wait_ready(&self) {
        let c = reqwest::Client::new();
        // Up to a minute: a debug build on a busy CI machine.
        for _ in 0..600 {
            if let Ok(r) = c.get(self.url("/healthz")).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = std::fs::read_to_string(self._dir.path().join("log")).unwrap_or_default();
        panic!("node {} did not come up:\n{log}", self.name);
    }

    fn kill(&mut self) {
        // std's kill is SIGKILL on Unix: no shutdown, no goodbye.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `user`'s cookie jar pointed at another node.
fn at(u: &User, node: &Node) -> User {
    User {
        client: u.client.clone(),
        base: node.url(""),
        name: u.name.clone(),
    }
}

/// A point inside a division (WGS84).
fn point_in(state: &yingji::AppState, division: &str) -> (f64, f64) {
    let tree = state.tree();
    let (_, mp) = tree
        .boundary_for(&yingji::divisions::Code::parse(division).unwrap())
        .expect("boundary");
    yingji_geo::interior_point(&mp).expect("interior point")
}

fn team(state: &yingji::AppState, name: &str) -> Value {
    let (lon, lat) = point_in(state, "140213");
    json!({ "name": name, "division": "140213", "lon": lon, "lat": lat, "phone": "0352-1234567", "attrs": sample_attrs("team") })
}

/// Create a team; its id when the node acknowledged it.
async fn create_team(u: &User, state: &yingji::AppState, name: &str) -> Option<i64> {
    let r = u
        .client
        .post(format!("{}/api/v1/registries/team", u.base))
        .header("x-requested-with", "yingji")
        .json(&team(state, name))
        .send()
        .await
        .ok()?;
    if r.status() != 201 {
        return None;
    }
    let v: Value = r.json().await.ok()?;
    v["id"].as_i64()
}

/// A webhook receiver that holds every request until `open`, then answers
/// 200 and records the idempotency keys it was given.
async fn webhook() -> (String, Arc<AtomicBool>, Arc<Mutex<Vec<String>>>) {
    let open = Arc::new(AtomicBool::new(false));
    let got: Arc<Mutex<Vec<String>>> = Default::default();
    let (o, g) = (open.clone(), got.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let (o, g) = (o.clone(), g.clone());
            async move {
                while !o.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                g.lock().unwrap().push(key);
                "ok"
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (format!("http://{addr}/hook"), open, got)
}

/// How many sessions hold the advisory lock of job `name`.
async fn lock_holders(db: &yingji::db::Db, name: &str) -> i64 {
    let schema: String = sqlx::query("SELECT current_schema()::TEXT AS s")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get("s");
    let key = yingji::cluster::job_key(&schema, name);
    sqlx::query(
        "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::TEXT::BIGINT = $1 AND objid::TEXT::BIGINT = $2",
    )
    .bind((key >> 32) & 0xffff_ffff)
    .bind(key & 0xffff_ffff)
    .fetch_one(db.pool())
    .await
    .unwrap()
    .get("n")
}

#[tokio::test]
async fn three_real_nodes_one_killed_mid_work() {
    use futures_util::StreamExt;
    let Some(base) = pg_base() else { return };
    let url = fresh_pg_url(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let seeded = yingji::open(yingji::Config {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    seed(&seeded).await;
    // This state serves nothing: it reads the database for the checks.
    let state = seeded;
    let mut nodes = vec![
        Node::start("node-a", &url),
        Node::start("node-b", &url),
        Node::start("node-c", &url),
    ];
    for n in &nodes {
        n.wait_ready().await;
    }
    let (a, b, c) = (0, 1, 2);

    // One login, every node: sessions live in the database.
    let pc_a = {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(nodes[a].url("/api/v1/auth/login"))
            .json(&json!({ "username": "pingcheng", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        User {
            client,
            base: nodes[a].url(""),
            name: "pingcheng".into(),
        }
    };
    let pc: Vec<User> = nodes.iter().map(|n| at(&pc_a, n)).collect();
    for (i, u) in pc.iter().enumerate() {
        let r = u.get("/api/v1/auth/me").await;
        assert_eq!(r.status(), 200, "the session on {}", nodes[i].name);
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["username"], "pingcheng", "{me}");
    }

    // The login back-off is the cluster's, not a node's: five failures
    // spread over the three nodes make the next attempt wait on any node.
    let attempt = |node: &Node, pw: &str| {
        reqwest::Client::new()
            .post(node.url("/api/v1/auth/login"))
            .json(&json!({ "username": "observer", "password": pw }))
            .send()
    };
    for i in 0..5 {
        let r = attempt(&nodes[i % 3], "wrong").await.unwrap();
        assert_eq!(r.status(), 401, "failure {i} on {}", nodes[i % 3].name);
    }
    let r = attempt(&nodes[c], PASSWORD).await.unwrap();
    assert_eq!(
        r.status(),
        429,
        "node C counts the failures made on A and B"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = attempt(&nodes[c], PASSWORD).await.unwrap();
    assert_eq!(r.status(), 200, "after the back-off");

    // A viewer on C sees a write made on A.
    let mut stream = pc[c]
        .client
        .get(nodes[c].url("/api/v1/journal/stream"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = create_team(&pc[a], &state, "甲节点写入")
        .await
        .expect("written on A");
    let written = Instant::now();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !text.contains("甲节点写入") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("node C's feed shows node A's write within 5 s")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let delay = written.elapsed();
    eprintln!("live feed: a write on node A reached a viewer on node C after {delay:?}");
    assert!(
        delay < Duration::from_millis(2500),
        "the feed polls once a second: {delay:?}"
    );
    drop(stream);

    // Writes spread over the three nodes.
    let mut acked = vec![id];
    for round in 0..3 {
        for (i, u) in pc.iter().enumerate() {
            let id = create_team(u, &state, &format!("队{round}-{}", nodes[i].name))
                .await
                .expect("acknowledged");
            acked.push(id);
        }
    }

    // A warning to three webhook subscribers; the receiver holds the sends.
    let (hook, open, got) = webhook().await;
    let (lon, lat) = point_in(&state, "140213");
    for (i, u) in pc.iter().enumerate() {
        let r = u
            .post(
                "/api/v1/registries/subscriber",
                &json!({ "name": format!("单位{i}"), "division": "140213", "lon": lon, "lat": lat,
                         "attrs": { "subscriber_type": "org", "webhook_url": format!("{hook}?to={i}") } }),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let cmd = at(&pc_a, &nodes[b]);
    let r = cmd
        .client
        .post(nodes[b].url("/api/v1/auth/login"))
        .json(&json!({ "username": "commander", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // (The shared jar now holds the commander's session: re-log pingcheng on
    // a jar of its own for the writes below.)
    let pc_jar = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = pc_jar
        .post(nodes[c].url("/api/v1/auth/login"))
        .json(&json!({ "username": "pingcheng", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let pc: Vec<User> = nodes
        .iter()
        .map(|n| User {
            client: pc_jar.clone(),
            base: n.url(""),
            name: "pingcheng".into(),
        })
        .collect();
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(6))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let d = 0.004;
    let area = json!({ "polygons": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]] });
    let r = pc[a]
        .post(
            "/api/v1/warnings",
            &json!({ "hazard": "rainstorm", "level": "yellow", "description": "预计6小时内降雨量将达50毫米以上。",
                     "area": area, "area_desc": "平城区局部", "expires_at": expires }),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let w: Value = r.json().await.unwrap();
    let wid = w["id"].as_i64().unwrap();
    let at_c = User {
        client: cmd.client.clone(),
        base: nodes[c].url(""),
        name: "commander".into(),
    };
    for (u, v, k) in [
        (&pc[b], 1, "submit"),
        (&cmd, 2, "approve"),
        (&at_c, 3, "publish"),
    ] {
        let r = u
            .post(
                &format!("/api/v1/warnings/{wid}/events"),
                &json!({ "version": v, "kind": k }),
            )
            .await;
        assert_eq!(r.status(), 200, "{k}: {}", r.text().await.unwrap());
    }

    // Some node leases the three webhook deliveries and is stuck sending.
    let mut holders: Vec<(String, i64)> = Vec::new();
    for _ in 0..100 {
        holders = sqlx::query(
            "SELECT lease_node, COUNT(*) AS n FROM deliveries WHERE warning_id = $1 AND channel = 'webhook' AND state = 'pending' AND lease_until IS NOT NULL GROUP BY lease_node ORDER BY n DESC",
        )
        .bind(wid)
        .fetch_all(state.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("lease_node"), r.get::<i64, _>("n")))
        .collect();
        if holders.iter().map(|h| h.1).sum::<i64>() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        holders.iter().map(|h| h.1).sum::<i64>(),
        3,
        "leased: {holders:?}"
    );
    let victim_name = holders[0].0.clone();
    let victim = nodes
        .iter()
        .position(|n| n.name == victim_name)
        .expect("a node of ours holds the leases");
    let survivors: Vec<usize> = (0..3).filter(|&i| i != victim).collect();

    // The deadline monitor runs on exactly one node.
    let mut holders_of_monitor = 0;
    for _ in 0..100 {
        holders_of_monitor = lock_holders(&state.db, "reports:deadline-monitor").await;
        if holders_of_monitor == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(holders_of_monitor, 1, "one node runs the deadline monitor");

    // Writes go on against every node while the victim is killed.
    let mut writers = Vec::new();
    for (i, u) in pc.iter().enumerate() {
        let u = User {
            client: u.client.clone(),
            base: u.base.clone(),
            name: u.name.clone(),
        };
        let st = state.clone();
        let name = nodes[i].name;
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for k in 0..15 {
                if let Some(id) = create_team(&u, &st, &format!("击杀时{name}-{k}")).await {
                    ids.push(id);
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            ids
        }));
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    nodes[victim].kill();
    let killed = Instant::now();
    open.store(true, Ordering::SeqCst);
    for w in writers {
        acked.extend(w.await.unwrap());
    }

    // The survivors take the deliveries over within seconds.
    let mut delivered = 0;
    while killed.elapsed() < Duration::from_secs(30) {
        delivered = sqlx::query(
            "SELECT COUNT(*) AS n FROM deliveries WHERE warning_id = $1 AND channel = 'webhook' AND state = 'delivered'",
        )
        .bind(wid)
        .fetch_one(state.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n");
        if delivered == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = killed.elapsed();
    eprintln!("deliveries of the killed {victim_name} taken over after {took:?}");
    assert_eq!(delivered, 3, "every delivery made it");
    assert!(
        took < Duration::from_secs(10),
        "taken over after the 3 s node timeout, not the 120 s lease: {took:?}"
    );
    let by: Vec<String> = sqlx::query(
        "SELECT lease_node FROM deliveries WHERE warning_id = $1 AND channel = 'webhook'",
    )
    .bind(wid)
    .fetch_all(state.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("lease_node"))
    .collect();
    assert!(
        by.iter().all(|n| *n != victim_name),
        "sent by the survivors: {by:?}"
    );
    let keys = got.lock().unwrap().clone();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "three recipients, one key each: {keys:?}");

    // No acknowledged write is lost: all readable through a survivor.
    let reader = &pc[survivors[0]];
    for id in &acked {
        let r = reader.get(&format!("/api/v1/registries/team/{id}")).await;
        assert_eq!(r.status(), 200, "acknowledged team {id}");
    }
    // And the survivors keep taking writes.
    for &i in &survivors {
        acked.push(
            create_team(&pc[i], &state, &format!("之后{}", nodes[i].name))
                .await
                .expect("a survivor takes writes"),
        );
    }

    // The deadline monitor is still run by exactly one node (taken over if
    // the victim held it).
    let mut n = 0;
    for _ in 0..150 {
        n = lock_holders(&state.db, "reports:deadline-monitor").await;
        if n == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(n, 1, "the deadline monitor survives its node");

    // One journal, one unbroken chain, written by three nodes.
    let report = yingji::journal::verify(&state.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// Three nodes scanning for late and missing reports at the same moment
/// record each event, and its journal entry, once.
#[tokio::test]
async fn nodes_scanning_at_once_record_each_deadline_once() {
    let Some(base) = pg_base() else { return };
    let url = fresh_pg_url(&base).await;
    let one = TestApp::start(Some(url.clone())).await;
    let two = TestApp::join(url.clone(), |_| {}).await;
    let three = TestApp::join(url, |_| {}).await;
    let city = one.login("commander").await;
    let now = time::OffsetDateTime::now_utc();
    // Three rounds of three nodes scanning the same new disasters at once.
    let mut recorded = 0;
    for round in 0..3 {
        for (i, onset) in [150, 200, 300].into_iter().enumerate() {
            let r = city
                .post("/api/v1/disasters", &json!({ "name": format!("新荣区暴雨{round}-{i}"), "disaster_type": "rainstorm",
                    "onset": yingji::clock::format_time(now - time::Duration::minutes(onset)),
                    "townships": ["140212100000", "140212101000", "140212102000"], "source": "alarm" }))
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        let (x, y, z) = tokio::join!(
            yingji::reports::jobs::scan(&one.state, now),
            yingji::reports::jobs::scan(&two.state, now),
            yingji::reports::jobs::scan(&three.state, now)
        );
        let n = x.expect("node one's scan")
            + y.expect("node two's scan")
            + z.expect("node three's scan");
        assert!(n >= 3, "round {round} found {n}");
        recorded += n;
    }
    let rows = sqlx::query(
        "SELECT entity_id, payload, kind FROM journal WHERE kind IN ('deadline_late', 'deadline_missing')",
    )
    .fetch_all(one.state.db.pool())
    .await
    .unwrap();
    let mut seen: Vec<String> = rows
        .iter()
        .map(|r| {
            let p: Value = serde_json::from_str(&r.get::<String, _>("payload")).unwrap();
            format!(
                "{}/{}/{}",
                r.get::<String, _>("entity_id"),
                p["step"].as_str().unwrap_or_default(),
                r.get::<String, _>("kind")
            )
        })
        .collect();
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "an event journaled twice: {seen:?}");
    assert_eq!(total, recorded, "journal entries = events recorded");
    // Both nodes see the same, and a second round records nothing.
    assert_eq!(
        yingji::reports::jobs::scan(&two.state, now).await.unwrap(),
        0
    );
}
