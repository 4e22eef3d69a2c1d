//! Live-picture benchmark (issue 4): N concurrent SSE viewers of the journal
//! feed of a running yingji while one incident is updated (续报) W times.
//! For every update it records the time from sending the write to each
//! viewer's receipt of its journal entry; it reports the distribution over
//! all (update, viewer) pairs and over "every viewer has it" (the slowest
//! viewer per update), and the write's own acknowledgement time.
//!
//!   sse-bench --url http://127.0.0.1:8090 --viewers 500 --writes 200 --interval-ms 50 [--json OUT]
//!
//! Every viewer must receive every update exactly once, in order, or the
//! run fails (exit status 1).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};

struct Args {
    url: String,
    viewers: usize,
    writes: usize,
    interval: Duration,
    user: String,
    password: String,
    json: Option<String>,
    label: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: "http://127.0.0.1:8090".into(),
        viewers: 500,
        writes: 200,
        interval: Duration::from_millis(50),
        user: "commander".into(),
        password: "Demo@2025".into(),
        json: None,
        label: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or(format!("{k} needs a value"));
        match k.as_str() {
            "--url" => a.url = v()?,
            "--viewers" => a.viewers = v()?.parse().map_err(|e| format!("--viewers: {e}"))?,
            "--writes" => a.writes = v()?.parse().map_err(|e| format!("--writes: {e}"))?,
            "--interval-ms" => {
                a.interval = Duration::from_millis(v()?.parse().map_err(|e| format!("--interval-ms: {e}"))?)
            }
            "--user" => a.user = v()?,
            "--password" => a.password = v()?,
            "--json" => a.json = Some(v()?),
            "--label" => a.label = v()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    json!({ "n": v.len(), "p50_ms": pct(&v, 50.0), "p90_ms": pct(&v, 90.0), "p99_ms": pct(&v, 99.0), "max_ms": v.last().copied().unwrap_or(f64::NAN) })
}

/// The update number of a journal event carrying `"note": "bench-K"`.
fn update_of(data: &str, tag: &str) -> Option<usize> {
    let v: Value = serde_json::from_str(data).ok()?;
    let note = v.get("payload")?.get("note")?.as_str()?;
    note.strip_prefix(tag)?.parse().ok()
}

async fn viewer(
    client: reqwest::Client,
    url: String,
    tag: String,
    writes: usize,
    base: Instant,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Result<Vec<(usize, u64)>, String> {
    let resp = client
        .get(format!("{url}/api/v1/journal/stream"))
        .send()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("stream: HTTP {}", resp.status()));
    }
    let _ = ready.send(()).await;
    let mut got = Vec::with_capacity(writes);
    let mut buf = String::new();
    let mut body = resp.bytes_stream();
    while got.len() < writes {
        let chunk = match body.next().await {
            Some(Ok(c)) => c,
            Some(Err(e)) => return Err(format!("stream: {e}")),
            None => return Err("stream ended".into()),
        };
        let at = base.elapsed().as_nanos() as u64;
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            for line in event.lines() {
                if let Some(data) = line.strip_prefix("data:") {
                    if let Some(k) = update_of(data.trim_start(), &tag) {
                        got.push((k, at));
                    }
                }
            }
        }
    }
    Ok(got)
}

async fn run(a: Args) -> Result<Value, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(a.viewers + 8)
        .build()
        .map_err(|e| e.to_string())?;
    let r = client
        .post(format!("{}/api/v1/auth/login", a.url))
        .json(&json!({ "username": a.user, "password": a.password }))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    if !r.status().is_success() {
        return Err(format!("login: HTTP {}", r.status()));
    }
    let post = |method: reqwest::Method, path: String, body: Value| {
        client
            .request(method, format!("{}{path}", a.url))
            .header("x-requested-with", "yingji")
            .json(&body)
            .send()
    };
    let created: Value = post(
        reqwest::Method::POST,
        "/api/v1/incidents".into(),
        json!({ "title": "SSE 基准测试事件", "incident_type": "accident.production.coal_mine",
                "division": "140213000000", "source": "phone", "facts": {} }),
    )
    .await
    .map_err(|e| format!("create: {e}"))?
    .json()
    .await
    .map_err(|e| format!("create: {e}"))?;
    let id = created["id"].as_i64().ok_or(format!("create: {created}"))?;
    let version = created["version"].as_i64().ok_or(format!("create: {created}"))?;
    // 续报 are for verified incidents.
    let verified: Value = post(
        reqwest::Method::POST,
        format!("/api/v1/incidents/{id}/events"),
        json!({ "version": version, "kind": "verify" }),
    )
    .await
    .map_err(|e| format!("verify: {e}"))?
    .json()
    .await
    .map_err(|e| format!("verify: {e}"))?;
    let mut version = verified["version"].as_i64().ok_or(format!("verify: {verified}"))?;

    let base = Instant::now();
    let tag = format!("bench-{id}-");
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(a.viewers);
    let connect_start = Instant::now();
    let mut tasks = Vec::with_capacity(a.viewers);
    for _ in 0..a.viewers {
        tasks.push(tokio::spawn(viewer(
            client.clone(),
            a.url.clone(),
            tag.clone(),
            a.writes,
            base,
            ready_tx.clone(),
        )));
    }
    drop(ready_tx);
    for i in 0..a.viewers {
        if tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await.ok().flatten().is_none() {
            return Err(format!("only {i} of {} viewers connected", a.viewers));
        }
    }
    let connect_s = connect_start.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..a.writes).map(|_| AtomicU64::new(0)).collect());
    let mut ack_ms = Vec::with_capacity(a.writes);
    let mut next = Instant::now();
    for k in 0..a.writes {
        tokio::time::sleep_until(next.into()).await;
        next += a.interval;
        sent[k].store(base.elapsed().as_nanos() as u64, Ordering::SeqCst);
        let t = Instant::now();
        let r = post(
            reqwest::Method::PUT,
            format!("/api/v1/incidents/{id}/facts"),
            json!({ "version": version, "facts": { "affected_people": k + 1 }, "note": format!("{tag}{k}") }),
        )
        .await
        .map_err(|e| format!("update {k}: {e}"))?;
        ack_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let v: Value = r.json().await.map_err(|e| format!("update {k}: {e}"))?;
        version = v["version"].as_i64().ok_or(format!("update {k}: {v}"))?;
    }

    let mut pair_ms = Vec::with_capacity(a.viewers * a.writes);
    let mut all_ms = vec![0f64; a.writes];
    let mut failures = Vec::new();
    for t in tasks {
        match tokio::time::timeout(Duration::from_secs(60), t).await {
            Ok(Ok(Ok(got))) => {
                let order: Vec<usize> = got.iter().map(|g| g.0).collect();
                if order != (0..a.writes).collect::<Vec<_>>() {
                    failures.push(format!("a viewer got {} updates out of order or twice", order.len()));
                    continue;
                }
                for (k, at) in got {
                    let ms = (at.saturating_sub(sent[k].load(Ordering::SeqCst))) as f64 / 1e6;
                    pair_ms.push(ms);
                    all_ms[k] = all_ms[k].max(ms);
                }
            }
            Ok(Ok(Err(e))) => failures.push(e),
            Ok(Err(e)) => failures.push(e.to_string()),
            Err(_) => failures.push("a viewer did not receive every update within 60 s".into()),
        }
    }
    if !failures.is_empty() {
        return Err(format!("{} viewers failed, first: {}", failures.len(), failures[0]));
    }
    Ok(json!({
        "label": a.label,
        "viewers": a.viewers,
        "writes": a.writes,
        "interval_ms": a.interval.as_millis() as u64,
        "connect_all_s": connect_s,
        "write_ack": summary(ack_ms),
        "write_to_viewer": summary(pair_ms),
        "write_to_every_viewer": summary(all_ms),
    }))
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sse-bench: {e}");
            std::process::exit(2);
        }
    };
    let out = a.json.clone();
    match run(a).await {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            if let Some(path) = out {
                if let Err(e) = std::fs::write(&path, v.to_string()) {
                    eprintln!("sse-bench: writing {path}: {e}");
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("sse-bench: {e}");
            std::process::exit(1);
        }
    }
}
